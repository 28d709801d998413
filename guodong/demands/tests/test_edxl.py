"""EDXL-RM 1.0: the conformance examples round-trip schema-valid, our demands go out as
CommitResource and ReportResourceDeploymentStatus, and hostile or foreign messages are refused."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guodong.demands.edxl.codec import Message, ResourceInfo, Schedule, read, validate, write
from guodong.demands.edxl.exchange import import_message
from guodong.demands.models import Demand
from guodong.demands.services import transition
from guodong.demands.tests.conftest import division, rtype
from guodong.matching.services import approve_matching, run_matching
from guodong.missions.edxl import commit_message, deployment_report
from guodong.missions.services import acknowledge, dispatch, record_handover

EXAMPLES = Path(__file__).parent / "edxl"
VALID = sorted(
    p for p in EXAMPLES.rglob("*.xml")
    if not p.name.startswith("DE-") and p.name != "CommitResource-Decline.xml"
)  # fmt: skip


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_conformance_examples_round_trip_schema_valid(path):
    message = read(validate(path.read_bytes()))
    assert message.resources, "every example carries resources"
    again = read(validate(write(message)))  # write() validates its own output too
    assert again == message


def test_a_schema_invalid_example_is_refused_with_the_line():
    data = (EXAMPLES / "uicds-xcore" / "CommitResource-Decline.xml").read_bytes()
    with pytest.raises(ValidationError) as error:
        validate(data)
    assert any("行" in m for m in error.value.messages)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<RequestResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"><MessageID>&xxe;</MessageID>
</RequestResource>"""


def test_an_xxe_payload_is_refused_unread(liaison):
    with pytest.raises(ValidationError, match="DTD"):
        import_message(liaison, XXE, division=division("330402"))
    assert not Demand.objects.filter(title__contains="root").exists()


def test_a_dtd_without_entities_is_refused_too():
    with pytest.raises(ValidationError, match="DTD"):
        validate(b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>')


def _request(type_value, amount=4, when=None, lat=30.749, lon=120.827):
    return write(Message(
        kind="RequestResource", message_id=f"urn:test:{type_value}:{amount}",
        sent=timezone.localtime().replace(microsecond=0), originating_id="urn:test:1",
        incident="2026 防汛演练", contacts=[("Requester", "嘉兴军分区作战值班室")],
        resources=[ResourceInfo(
            element_id="001", type_list="urn:guodong:resource-type", type_value=type_value,
            amount=amount, schedules=[Schedule(
                "RequestedArrival", when or timezone.localtime() + dt.timedelta(hours=8),
                "大桥镇集结点", lat, lon)],
        )],
    ))  # fmt: skip


def test_request_becomes_a_demand_and_the_answer_is_commit_then_deployment_status(
    liaison, nanhu_staff, reporter, generators
):
    data = _request(rtype("EQP.PWR.GEN-M").urn)
    demand = import_message(liaison, data, division=division("330402"))
    line = demand.lines.get()
    assert (demand.source, demand.requester, line.quantity) == ("edxl", "嘉兴军分区作战值班室", 4)
    assert line.destination_division.code == "330402"
    with pytest.raises(ValidationError, match="已经接收过"):
        import_message(liaison, data, division=division("330402"))
    transition(nanhu_staff, demand, "analyse")
    transition(nanhu_staff, demand, "approve")
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    commit = read(validate(commit_message(demand)))
    assert commit.kind == "CommitResource" and commit.originating_id == demand.edxl_message_id
    assert [(r.response, r.amount) for r in commit.resources] == [("Accept", 4.0)]
    dispatch(nanhu_staff, demand)
    mission = demand.missions.get(unit=reporter.organization)
    acknowledge(reporter, mission)
    record_handover(reporter, mission, received_by="张连长", received_at=timezone.now(),
                    condition="完好", quantities={})  # fmt: skip
    report = read(validate(deployment_report(mission)))
    assert report.kind == "ReportResourceDeploymentStatus"
    assert report.resources[0].deployment_status == "Handed over"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (lambda: _request("Hovercraft"), "Hovercraft"),
        (lambda: _request(rtype("EQP.PWR.GEN-M").urn, amount=0), "大于零"),
        (lambda: _request(rtype("EQP.PWR.GEN-M").urn, amount=2.5), "整数"),
        (lambda: _request(rtype("EQP.PWR.GEN-M").urn, lat=48.85, lon=2.35), "不在中国境内"),
        (
            lambda: _request(
                rtype("EQP.PWR.GEN-M").urn, when=timezone.localtime() - dt.timedelta(days=1)
            ),
            "已经过去",
        ),
        (lambda: (EXAMPLES / "uicds-xcore" / "RequestResource.1.xml").read_bytes(), "NIMS Typing"),
        (
            lambda: (EXAMPLES / "uicds-xcore" / "CommitResource.1.xml").read_bytes(),
            "RequestResource",
        ),
    ],
)
def test_bad_messages_create_nothing(liaison, data, reason):
    before = Demand.objects.count()
    with pytest.raises(ValidationError) as error:
        import_message(liaison, data(), division=division("330402"))
    assert reason in " ".join(error.value.messages)
    assert Demand.objects.count() == before
