"""EDXL-RM requests written the way offices write them: everyday resource names resolve through
the catalogue's names and synonyms (kept as data, edited by administrators), an unknown name is
flagged on its own line, and intake refuses what the JSON API refuses — before reading the body
when the role may not submit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import client_for
from guodong.core.models import Event
from guodong.demands.edxl.codec import Message, ResourceInfo, Schedule, write
from guodong.demands.edxl.exchange import import_message
from guodong.demands.models import Demand
from guodong.demands.tests.conftest import division, rtype
from guodong.demands.tests.test_edxl import XXE
from guodong.matching.services import accepted_types
from guodong.registry.models import CatalogueVersion, ResourceType
from guodong.registry.models.catalogue import NameMatch
from guodong.registry.names import Catalogue, fold

DAQIAO = (30.749, 120.827)  # 南湖区大桥镇
XIUZHOU = (30.83, 120.70)  # 秀洲区
HANGZHOU = (30.27, 120.15)  # 杭州市, outside 嘉兴


def _resource(number, name, amount=4, where=DAQIAO, type_value=""):
    return ResourceInfo(
        element_id=f"{number:03d}", name=name, type_value=type_value,
        type_list="urn:guodong:resource-type" if type_value else "", amount=amount,
        schedules=[Schedule("RequestedArrival", timezone.localtime() + dt.timedelta(hours=8),
                            "大桥镇集结点", *where)],
    )  # fmt: skip


def _request(*resources, incident="2026 年 7 月南湖区防汛抢险", incident_id="JX-FLOOD-0716"):
    names = "-".join(r.name or r.type_value for r in resources)
    return write(Message(
        kind="RequestResource", message_id=f"urn:test:names:{incident_id}:{names}",
        sent=timezone.localtime().replace(microsecond=0), originating_id="urn:test:names",
        incident_id=incident_id, incident=incident,
        contacts=[("Requester", "嘉兴军分区作战值班室")], resources=list(resources),
    ))  # fmt: skip


FLOOD = [("帐篷", 40), ("发电机组", 6), ("挖掘机", 3), ("无人机", 2)]


def _codes(types):
    return {t.code.rsplit(".", 1)[-1] for t in types}


# -- the folding and the resolver ----------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "救灾帐篷（12m²）",
        "12平米救灾帐篷",
        "救灾帐篷 (12 平方米)",
        "１２ｍ²　救灾帐篷",
        "救灾帐篷【12㎡】",
    ],
)
def test_names_written_differently_fold_alike(written):
    assert fold(written) == fold("12 m² 救灾帐篷")


@pytest.mark.parametrize(
    ("written", "codes", "match"),
    [
        ("帐篷", {"TENT-12", "TENT-36", "TENT-60"}, NameMatch.SYNONYM),
        ("救灾帐篷", {"TENT-12", "TENT-36"}, NameMatch.NAME),
        ("救灾帐篷（12m²）", {"TENT-12"}, NameMatch.NAME),
        ("12 m² 救灾帐篷", {"TENT-12"}, NameMatch.NAME),
        ("36平米帐篷", {"TENT-36"}, NameMatch.SYNONYM),
        ("棉帐篷", {"TENT-12", "TENT-36"}, NameMatch.SYNONYM),
        ("帐篷类", {"TENT-12", "TENT-36", "TENT-60"}, NameMatch.SYNONYM),
        ("20顶帐篷", {"TENT-12", "TENT-36", "TENT-60"}, NameMatch.SYNONYM),
        ("发电机组", {"GEN-L", "GEN-M", "GEN-S"}, NameMatch.SYNONYM),
        ("柴油发电机", {"GEN-L", "GEN-M"}, NameMatch.SYNONYM),
        ("小型发电机组", {"GEN-S"}, NameMatch.NAME),
        ("小型发电机组（<100kW）", {"GEN-S"}, NameMatch.NAME),
        ("发电机组台", {"GEN-L", "GEN-M", "GEN-S"}, NameMatch.SYNONYM),
        ("挖掘机", {"EXC-L", "EXC-M", "EXC-S"}, NameMatch.KIND),
        ("挖机", {"EXC-L", "EXC-M", "EXC-S"}, NameMatch.KIND),
        ("20-30吨挖掘机", {"EXC-M"}, NameMatch.KIND),
        ("30t挖掘机", {"EXC-L", "EXC-M"}, NameMatch.KIND),
        ("200kW发电机组", {"GEN-M"}, NameMatch.SYNONYM),
        ("发电机组（500kW以上）", {"GEN-L"}, NameMatch.SYNONYM),
        ("客车（不少于40座）", {"BUS-L"}, NameMatch.SYNONYM),
        ("10吨货车", {"TRUCK-M"}, NameMatch.SYNONYM),
        ("履带式挖掘机", {"EXC-L", "EXC-M", "EXC-S"}, NameMatch.NEAR),
        ("消防水罐车", {"FIRE-TRUCK"}, NameMatch.NEAR),
        ("Water Pump", {"PUMP-L", "PUMP-M", "PUMP-S"}, NameMatch.NEAR),
        ("挖掘机械", {"EXC-L", "EXC-M", "EXC-S"}, NameMatch.KIND),
        ("无人机", {"UAV-L", "UAV-M", "UAV-S"}, NameMatch.SYNONYM),
        ("无人机型", {"UAV-L", "UAV-M", "UAV-S"}, NameMatch.SYNONYM),
        ("冲锋舟", {"BOAT-INF"}, NameMatch.NAME),
        ("橡皮艇", {"BOAT-INF"}, NameMatch.SYNONYM),
        ("防汛冲锋舟", {"BOAT-INF"}, NameMatch.SYNONYM),
        ("救护车", {"AMB", "AMB-ICU"}, NameMatch.SYNONYM),
        ("应急灯", {"LAMP-MOB", "TORCH"}, NameMatch.SYNONYM),
        ("棉被", {"QUILT"}, NameMatch.NAME),
        ("沙袋", {"SANDBAG"}, NameMatch.SYNONYM),
        ("ＧＰＵ", {"GPU"}, NameMatch.SYNONYM),
        ("Track Dozer", {"BULLDOZER"}, NameMatch.NEAR),
        ("EQP.PWR.GEN-M", {"GEN-M"}, NameMatch.URN),
        ("gen-m", {"GEN-M"}, NameMatch.URN),
        ("urn:guodong:resource-type:sup.she.tent-36", {"TENT-36"}, NameMatch.URN),
    ],
)
def test_everyday_names_resolve_to_catalogue_types(db, written, codes, match):
    found = Catalogue().resolve(written)
    assert (_codes(found.types), found.match) == (codes, match)


def test_a_name_that_matches_nothing_does_not_resolve(db):
    found = Catalogue().resolve("气垫船")
    assert not found.resolved and found.types == [] and found.written == "气垫船"


def test_the_type_value_is_tried_before_the_name(db):
    found = Catalogue().resolve("NIMS Typing Version X", "帐篷")
    assert _codes(found.types) == {"TENT-12", "TENT-36", "TENT-60"}


def test_every_node_of_the_seed_has_synonyms(db):
    missing = ResourceType.objects.filter(level__gt=1, synonyms=[]).values_list("code", flat=True)
    assert list(missing) == []
    assert ResourceType.objects.filter(level=3).count() == 169


# -- intake ----------------------------------------------------------------------------------------


def test_a_four_line_flood_request_in_everyday_words_becomes_a_demand(liaison):
    data = _request(*(_resource(n, name, amount) for n, (name, amount) in enumerate(FLOOD, 1)))
    demand = import_message(liaison, data, division=division("330402"))
    lines = list(demand.lines.order_by("number"))
    assert [line.requested_name for line in lines] == [name for name, _amount in FLOOD]
    assert [line.quantity for line in lines] == [40, 6, 3, 2]
    tents, generators, excavators, drones = lines
    assert _codes(tents.candidates) == {"TENT-12", "TENT-36", "TENT-60"}
    assert tents.resource_type.code == "SUP.SHE" and tents.substitutes_ok
    assert sorted(accepted_types(tents)) == sorted(t.pk for t in tents.candidates)
    assert _codes(generators.candidates) == {"GEN-L", "GEN-M", "GEN-S"}
    assert (excavators.resource_type.code, excavators.name_match) == ("CON.EXC", "kind")
    assert _codes(drones.candidates) == {"UAV-L", "UAV-M", "UAV-S"}
    assert demand.unresolved_lines == [] and not demand.is_exercise


def test_one_exact_name_is_one_type_without_candidates(liaison):
    demand = import_message(liaison, _request(_resource(1, "救灾帐篷（12m²）")),
                            division=division("330402"))  # fmt: skip
    line = demand.lines.get()
    assert (line.resource_type, line.candidate_types, line.substitutes_ok) == (
        rtype("SUP.SHE.TENT-12"),
        [],
        False,
    )


def test_an_unknown_name_is_flagged_alone_and_the_other_lines_kept(liaison):
    resources = [_resource(1, "帐篷", 10), _resource(2, "气垫船", 2), _resource(3, "挖机", 1)]
    demand = import_message(liaison, _request(*resources), division=division("330402"))
    assert [line.edxl_element_id for line in demand.lines.order_by("number")] == ["001", "003"]
    assert demand.unresolved_lines == [
        {"number": 2, "element_id": "002", "name": "气垫船", "quantity": 2}
    ]
    page = _client(liaison).get(demand.get_absolute_url()).content.decode()
    assert "气垫船" in page and 'id="unresolved-lines"' in page


def test_the_api_and_the_page_report_the_line_left_out(liaison):
    url = f"/api/v1/demands/edxl/?division={division('330402').pk}"
    data = _request(_resource(1, "发电机组", 2), _resource(2, "气垫船", 1), incident_id="API-1")
    answer = _client(liaison).post(url, data, content_type="application/xml")
    assert answer.status_code == 201
    body = answer.json()
    assert [u["name"] for u in body["unresolved_lines"]] == ["气垫船"]
    assert body["lines"][0]["requested_name"] == "发电机组"
    assert len(body["lines"][0]["candidate_types"]) == 3
    upload = SimpleUploadedFile(
        "request.xml",
        _request(_resource(1, "挖机"), _resource(2, "反重力装置"), incident_id="PAGE-1"),
        content_type="application/xml",
    )
    client = _client(liaison)
    page = client.post(
        "/demands/edxl/", {"message": upload, "division": division("330402").pk}, follow=True
    )
    text = page.content.decode()
    assert page.status_code == 200 and "未列入需求" in text and "反重力装置" in text
    assert "原文写作" in text and "挖机" in text


def test_a_message_whose_every_name_is_unknown_is_refused_naming_each_line(liaison):
    data = _request(_resource(1, "气垫船"), _resource(2, "反重力装置"))
    with pytest.raises(ValidationError) as error:
        import_message(liaison, data, division=division("330402"))
    text = " ".join(error.value.messages)
    assert "第 1 项资源（001）" in text and "气垫船" in text
    assert "第 2 项资源（002）" in text and "反重力装置" in text


def test_other_problems_refuse_the_message_naming_every_line(liaison):
    before = Demand.objects.count()
    data = _request(_resource(1, "帐篷", -3), _resource(2, "气垫船"), _resource(3, "挖机", 2.5))
    with pytest.raises(ValidationError) as error:
        import_message(liaison, data, division=division("330402"))
    text = " ".join(error.value.messages)
    assert "第 1 项资源（001）：数量 -3 是负数" in text
    assert "气垫船" in text and "2.5" in text
    assert Demand.objects.count() == before


def test_each_line_is_checked_on_its_own_and_a_retired_type_is_named(liaison):
    retired = rtype("EQP.PWR.GEN-S")
    ResourceType.objects.filter(pk=retired.pk).update(retired_in=99)
    past = timezone.localtime() - dt.timedelta(days=1)
    first, second = _resource(1, "帐篷"), _resource(2, "挖机")
    first.schedules[0].when = second.schedules[0].when = past
    data = _request(first, second, _resource(3, "", type_value=retired.urn))
    with pytest.raises(ValidationError) as error:
        import_message(liaison, data, division=division("330402"))
    text = " ".join(error.value.messages)
    assert "第 1 行" in text and "第 2 行" in text and "已经过去" in text
    assert "小型发电机组" in text and "停用" in text


def test_a_huge_amount_is_a_400_naming_the_line(liaison):
    url = f"/api/v1/demands/edxl/?division={division('330402').pk}"
    answer = _client(liaison).post(
        url, _request(_resource(1, "帐篷", 1e30)), content_type="application/xml"
    )
    assert answer.status_code == 400
    assert "第 1 项资源（001）" in str(answer.json()) and "1e+30" in str(answer.json())


@pytest.mark.parametrize(
    "marks",
    [
        {"incident_id": "JX-演练-2026-07"},
        {"incident": "2026 CITY FLOOD EXERCISE"},
        {"envelope": "Exercise"},
    ],
    ids=["incident id 演练", "description EXERCISE", "EDXL-DE status"],
)
def test_an_exercise_message_becomes_an_exercise_demand(liaison, marks):
    envelope = marks.pop("envelope", None)
    data = _request(_resource(1, "帐篷"), **marks)
    if envelope:
        data = _in_distribution(data, envelope)
    demand = import_message(liaison, data, division=division("330402"))
    assert demand.is_exercise


def test_an_actual_distribution_stays_a_real_demand(liaison):
    demand = import_message(liaison, _in_distribution(_request(_resource(1, "帐篷")), "Actual"),
                           division=division("330402"))  # fmt: skip
    assert not demand.is_exercise and demand.lines.count() == 1


@pytest.mark.parametrize(
    ("persona", "where", "place"),
    [("nanhu_staff", XIUZHOU, "秀洲区"), ("liaison", HANGZHOU, "西湖区")],
)
def test_a_destination_outside_the_submitters_jurisdiction_is_refused(
    request, persona, where, place
):
    user = request.getfixturevalue(persona)
    with pytest.raises(ValidationError) as error:
        import_message(user, _request(_resource(1, "帐篷", where=where)),
                       division=user.organization.division)  # fmt: skip
    text = " ".join(error.value.messages)
    assert "第 1 项资源（001）" in text and place in text and "管辖范围" in text


@pytest.mark.parametrize("persona", ["auditor", "grid_worker", "reporter"])
def test_a_role_that_may_not_submit_gets_403_before_the_body_is_read(request, persona):
    client = _client(request.getfixturevalue(persona))
    api = client.post("/api/v1/demands/edxl/", b"<not xml", content_type="application/xml")
    assert api.status_code == 403
    broken = b"--x\r\nContent-Disposition: form-data; name=message\r\n"
    page = client.post("/demands/edxl/", broken, content_type="multipart/form-data; boundary=x")
    assert page.status_code == 403


def test_xxe_is_still_refused_unread(liaison):
    url = f"/api/v1/demands/edxl/?division={division('330402').pk}"
    answer = _client(liaison).post(url, XXE, content_type="application/xml")
    assert answer.status_code == 400 and "DTD" in str(answer.json())


# -- synonyms are data, edited by administrators ---------------------------------------------------


def test_an_administrator_adds_a_synonym_on_the_page_and_the_next_message_uses_it(
    admin_user, liaison
):
    hovercraft = _request(_resource(1, "气垫船"), _resource(2, "帐篷"))
    first = import_message(liaison, hovercraft, division=division("330402"))
    assert first.unresolved_lines[0]["name"] == "气垫船"
    boat = rtype("SUP.RSQ.BOAT-INF")
    version = CatalogueVersion.objects.count()
    url = f"/registry/catalogue/{boat.pk}/synonyms/"
    form = _client(admin_user).get(url)
    assert form.status_code == 200 and "橡皮艇" in form.content.decode()
    answer = _client(admin_user).post(url, {"synonyms": "\n".join([*boat.synonyms, "气垫船"])})
    assert answer.status_code == 302
    boat.refresh_from_db()
    assert boat.synonyms[-1] == "气垫船"
    assert CatalogueVersion.objects.count() == version + 1
    event = Event.objects.filter(action="resourcetype.update", object_id=str(boat.pk)).last()
    assert event is not None and event.after is not None and "气垫船" in event.after["synonyms"]
    again = _request(_resource(1, "气垫船", 3), incident_id="JX-FLOOD-0717")
    line = import_message(liaison, again, division=division("330402")).lines.get()
    assert (line.resource_type, line.name_match) == (boat, NameMatch.SYNONYM)


def test_an_administrator_sets_synonyms_through_the_api(admin_user, liaison, nanhu_staff):
    kind = rtype("TRN.SHP")
    url = f"/api/v1/resource-types/{kind.pk}/synonyms/"
    refused = _client(nanhu_staff).post(
        url, {"synonyms": ["运输船队"]}, content_type="application/json"
    )
    assert refused.status_code == 403
    answer = _client(admin_user).post(
        url, {"synonyms": ["运输船队", "船队"]}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["synonyms"] == ["运输船队", "船队"]
    bad = _client(admin_user).post(url, {"synonyms": ["12 m²"]}, content_type="application/json")
    assert bad.status_code == 400
    line = import_message(liaison, _request(_resource(1, "船队")),
                          division=division("330402")).lines.get()  # fmt: skip
    assert (line.resource_type, line.name_match) == (kind, NameMatch.KIND)
    assert len(line.candidate_types) == 5


def test_a_staff_member_below_city_level_may_not_edit_synonyms(nanhu_staff):
    url = f"/registry/catalogue/{rtype('SUP.SHE').pk}/synonyms/"
    assert _client(nanhu_staff).post(url, {"synonyms": "营房"}).status_code == 403


# -- helpers ---------------------------------------------------------------------------------------


def _client(user):
    return client_for(user)


def _in_distribution(data: bytes, status: str) -> bytes:
    """The message inside an EDXL-DE 1.0 distribution with the given distributionStatus."""
    body = data.split(b"?>", 1)[1]
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0">'
        b"<distributionID>DE-1</distributionID><senderID>jx@mil</senderID>"
        b"<dateTimeSent>2026-07-16T08:00:00+08:00</dateTimeSent>"
        b"<distributionStatus>" + status.encode() + b"</distributionStatus>"
        b"<distributionType>Request</distributionType>"
        b"<combinedConfidentiality>UNCLASSIFIED</combinedConfidentiality>"
        b"<contentObject><xmlContent><embeddedXMLContent>"
        + body
        + b"</embeddedXMLContent></xmlContent></contentObject></EDXLDistribution>"
    )
