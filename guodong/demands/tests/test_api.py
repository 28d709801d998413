"""The whole loop through the API, as each persona would drive it."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import client_for
from guodong.demands.tests.conftest import DESTINATION, division, rtype
from guodong.demands.tests.test_edxl import XXE
from guodong.missions.models import Mission

pytestmark = pytest.mark.django_db


def _payload(quantity=5, **overrides):
    return {
        "title": "防汛抢险发电保障", "requester": "嘉兴军分区", "division": division("330402").pk,
        "lines": [{
            "resource_type": rtype("EQP.PWR.GEN-M").pk, "quantity": quantity,
            "destination_division": division("330402105004").pk, "destination": "大桥镇集结点",
            "report_by": (timezone.now() + dt.timedelta(hours=6)).isoformat(), **DESTINATION,
        }],
        **overrides,
    }  # fmt: skip


def test_the_loop_through_the_api(liaison, nanhu_staff, reporter, generators):
    api = "/api/v1"
    submitted = client_for(liaison).post(
        f"{api}/demands/", _payload(), content_type="application/json"
    )
    assert submitted.status_code == 201, submitted.json()
    demand = submitted.json()
    assert demand["status"] == "received" and demand["allowed_actions"] == ["cancel"]
    staff = client_for(nanhu_staff)
    steps = ({"action": "analyse", "analysis_conclusion": "需求合理，可直接审批"},
             {"action": "approve"})  # fmt: skip
    for step in steps:
        answer = staff.post(f"{api}/demands/{demand['id']}/transition/", step,
                            content_type="application/json")  # fmt: skip
        assert answer.status_code == 200, answer.json()
    assert answer.json()["analysis_conclusion"] == "需求合理，可直接审批"
    matching = staff.post(f"{api}/demands/{demand['id']}/match/").json()
    assert sum(a["quantity"] for a in matching["allocations"]) == 5
    approve = f"{api}/demands/{demand['id']}/approve-matching/"
    missions = staff.post(approve, {"matching": matching["id"]}, content_type="application/json")
    assert missions.status_code == 200 and len(missions.json()) == 2
    assert staff.post(f"{api}/demands/{demand['id']}/dispatch_missions/").status_code == 200
    unit = client_for(reporter)
    mine = unit.get(f"{api}/missions/").json()["results"]
    assert len(mine) == 1 and mine[0]["allowed_steps"] == ["acknowledge", "decline"]
    assert mine[0]["contact_phone"].count("*") >= 4, "phones are masked"
    other = Mission.objects.exclude(unit=reporter.organization).get(demand_id=demand["id"])
    assert unit.post(f"{api}/missions/{other.pk}/acknowledge/").status_code == 404
    assert unit.post(f"{api}/missions/{mine[0]['id']}/acknowledge/").status_code == 200
    item = mine[0]["items"][0]
    too_many = unit.post(f"{api}/missions/{mine[0]['id']}/handover/", {
        "received_by": "张连长", "received_at": timezone.now().isoformat(), "condition": "完好",
        "quantities": {str(item["id"]): item["quantity"] + 1},
    }, content_type="application/json")  # fmt: skip
    assert too_many.status_code == 400 and "quantities" in too_many.json()
    done = unit.post(f"{api}/missions/{mine[0]['id']}/handover/", {
        "received_by": "张连长", "received_at": timezone.now().isoformat(), "condition": "完好",
    }, content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "handed_over"
    report = unit.get(f"{api}/missions/{mine[0]['id']}/edxl-status/")
    assert report.status_code == 200 and b"ReportResourceDeploymentStatus" in report.content
    commit = staff.get(f"{api}/demands/{demand['id']}/edxl-commit/")
    assert b"<rm:ResponseType>Accept</rm:ResponseType>" in commit.content


def test_bad_demands_get_field_errors(liaison, reporter):
    api = client_for(liaison)
    negative = api.post("/api/v1/demands/", _payload(quantity=-2), content_type="application/json")
    assert negative.status_code == 400 and "quantity" in negative.json()
    past = _payload()
    past["lines"][0]["report_by"] = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    answer = api.post("/api/v1/demands/", past, content_type="application/json")
    assert answer.status_code == 400 and "report_by" in answer.json()
    refused = client_for(reporter).post(
        "/api/v1/demands/", _payload(), content_type="application/json"
    )
    assert refused.status_code == 403


def test_an_xxe_message_sent_to_the_api_is_refused(liaison):
    url = f"/api/v1/demands/edxl/?division={division('330402').pk}"
    answer = client_for(liaison).post(url, XXE, content_type="application/xml")
    assert answer.status_code == 400 and "DTD" in str(answer.json())


def test_attachments_through_the_api_are_checked_and_served_only_in_scope(
    liaison, xiuzhou_staff, nanhu_staff
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from guodong.demands.tests.conftest import submit

    demand = submit(liaison)
    api = client_for(liaison)
    url = f"/api/v1/demands/{demand.pk}/attachments/"
    bad = api.post(url, {"file": SimpleUploadedFile("run.exe", b"MZ")})
    assert bad.status_code == 400 and "run.exe" in str(bad.json())
    good = api.post(url, {"file": SimpleUploadedFile("调令.pdf", b"%PDF-1.4")})
    assert good.status_code == 201 and good.json() == {"attached": ["调令.pdf"]}
    attachment = demand.attachments.get()
    assert client_for(nanhu_staff).get(f"/demands/attachments/{attachment.pk}/").status_code == 200
    assert (
        client_for(xiuzhou_staff).get(f"/demands/attachments/{attachment.pk}/").status_code == 404
    )
