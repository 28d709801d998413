"""The catalogue, holdings, freshness, self-report, duplicates and the potential query."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import client_for
from guodong.core.models import Event
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.catalogue import add_type, retire_type
from guodong.registry.choices import CatalogueLevel, Freshness, OwnerKind
from guodong.registry.freshness import freshness_of, freshness_q, with_freshness
from guodong.registry.models import CatalogueVersion, Holding, ResourceType
from guodong.registry.services import (
    create_holding,
    merge_holdings,
    update_holding,
)

pytestmark = pytest.mark.django_db


def _type(code):
    return ResourceType.objects.get(code=code)


def _division(code):
    return Division.objects.get(code=code, effective_to__isnull=True)


def _holding_fields(**overrides):
    fields = {
        "type": _type("TRN.FRT.COLD"),
        "quantity_total": Decimal(6),
        "quantity_available": Decimal(5),
        "condition": "good",
        "readiness": "h24",
        "owner_kind": OwnerKind.MEMBER_UNIT,
        "owner": Organization.objects.get(name="嘉兴南湖冷链物流有限公司"),
        "division": _division("330402105004"),
        "latitude": 30.7490,
        "longitude": 120.8270,
        "contact_name": "王经理",
        "contact_phone": "13800001111",
    }
    return {**fields, **overrides}


def test_catalogue_has_150_types_with_urns_units_and_levels():
    types = ResourceType.objects.filter(level=CatalogueLevel.TYPE)
    assert types.count() >= 150
    truck = _type("TRN.FRT.TRUCK-H")
    assert truck.urn == "urn:guodong:resource-type:trn.frt.truck-h"
    assert truck.unit == "辆" and truck.capability_level == 1
    assert truck.metrics[0]["name"] == "载重吨"
    names = set(types.values_list("name", flat=True))
    assert {
        "人工智能工程师",
        "网络安全专家",
        "无人机操控员",
        "数据工程师",
        "逃生绳",
        "冷链运输车",
    } <= names


def test_catalogue_changes_are_central_and_versioned(admin_user, city_staff):
    kind = ResourceType.objects.get(code="TRN.AIR")
    before = CatalogueVersion.objects.all()[0].number
    new = add_type(admin_user, parent=kind, code="EVTOL", name="电动垂直起降飞行器", unit="架")
    assert new.introduced_in == before + 1
    assert new.urn.endswith("trn.air.evtol")
    retire_type(admin_user, new)
    new.refresh_from_db()
    assert new.retired_in == before + 2
    with pytest.raises(PermissionDenied):
        add_type(city_staff, parent=kind, code="X", name="x", unit="架")


def test_district_administrator_cannot_change_the_catalogue(admin_user):
    from guodong.accounts.services import create_user

    district_admin = create_user(
        admin_user,
        {
            "username": "nanhu_admin2",
            "role": "admin",
            "organization": Organization.objects.get(name="南湖区国防动员办公室"),
        },
        password="Str0ng-Passw0rd!",
    )
    with pytest.raises(PermissionDenied):
        add_type(
            district_admin,
            parent=ResourceType.objects.get(code="TRN.AIR"),
            code="Y",
            name="y",
            unit="架",
        )


def test_staff_register_a_holding_with_contact_and_history(nanhu_staff):
    holding = create_holding(nanhu_staff, _holding_fields())
    assert holding.category.code == "TRN"
    assert holding.county is not None and holding.county.code == "330402"
    assert holding.owner_name == "嘉兴南湖冷链物流有限公司"
    event = Event.objects.get(object_type="registry.holding", object_id=str(holding.pk))
    assert event.after is not None
    assert event.after["contact_phone"].startswith("enc1:"), "the log holds ciphertext, not clear"
    assert "13800001111" not in str(event.after)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "TRN.FRT"}, "type"),
        ({"quantity_total": Decimal(-1), "quantity_available": Decimal(0)}, "__all__"),
        ({"quantity_available": Decimal(9)}, "quantity_available"),
        ({"latitude": 10.0, "longitude": 150.0}, "longitude"),
        ({"latitude": 30.7}, None),
        ({"latitude": None}, "latitude"),
    ],
)
def test_bad_holdings_are_refused(nanhu_staff, overrides, field):
    if overrides.get("type") == "TRN.FRT":
        overrides["type"] = _type("TRN.FRT")
    count = Holding.objects.count()
    fields = _holding_fields(**overrides)
    if field is None:
        create_holding(nanhu_staff, fields)  # a small move inside the county is fine
        return
    with pytest.raises(ValidationError) as error:
        create_holding(nanhu_staff, fields)
    assert field in error.value.message_dict or field == "__all__"
    assert Holding.objects.count() == count


def test_a_point_in_another_county_is_a_warning_to_confirm(nanhu_staff):
    fields = _holding_fields(latitude=30.8500, longitude=120.7000)  # 秀洲区
    with pytest.raises(ValidationError) as error:
        create_holding(nanhu_staff, fields)
    assert "秀洲区" in error.value.message_dict["confirm_location"][0]
    holding = create_holding(nanhu_staff, fields, confirm_location=True)
    assert holding.latitude == 30.85


def test_holding_outside_jurisdiction_is_refused(nanhu_staff):
    with pytest.raises(ValidationError):
        create_holding(
            nanhu_staff,
            _holding_fields(division=_division("330411104"), latitude=None, longitude=None),
        )


def test_freshness_moves_from_fresh_to_ageing_to_stale():
    now = timezone.now()
    assert freshness_of(now - dt.timedelta(days=10), 180, now) == Freshness.FRESH
    assert freshness_of(now - dt.timedelta(days=150), 180, now) == Freshness.AGEING
    assert freshness_of(now - dt.timedelta(days=181), 180, now) == Freshness.STALE
    assert freshness_of(None, 180, now) == Freshness.STALE


def test_freshness_in_sql_matches_python(nanhu_staff):
    holding = create_holding(nanhu_staff, _holding_fields())
    for days, state in ((10, "fresh"), (150, "ageing"), (400, "stale")):
        Holding.objects.filter(pk=holding.pk).update(
            last_verified_at=timezone.now() - dt.timedelta(days=days)
        )
        assert with_freshness(Holding.objects.filter(pk=holding.pk)).get().freshness == state
        assert Holding.objects.filter(freshness_q(state), pk=holding.pk).exists()


def test_reporter_confirms_own_units_holdings_in_one_action(reporter, nanhu_staff):
    own = create_holding(nanhu_staff, _holding_fields())
    Holding.objects.filter(pk=own.pk).update(
        last_verified_at=timezone.now() - dt.timedelta(days=400)
    )
    other = Holding.objects.visible_to(nanhu_staff).exclude(owner=reporter.organization)[0]
    stamp = other.last_verified_at
    response = client_for(reporter).post("/registry/holdings/confirm-own/")
    assert response.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.verification_method == "self_report"
    assert with_freshness(Holding.objects.filter(pk=own.pk)).get().freshness == "fresh"
    assert other.last_verified_at == stamp
    with pytest.raises(PermissionDenied):
        update_holding(reporter, other, {"quantity_available": Decimal(0)})


def test_duplicates_are_found_and_merged(nanhu_staff):
    first = create_holding(nanhu_staff, _holding_fields())
    second = create_holding(
        nanhu_staff, _holding_fields(quantity_total=Decimal(7), quantity_available=Decimal(7))
    )
    page = client_for(nanhu_staff).get("/registry/holdings/duplicates/").content.decode()
    assert f"#{first.pk}" in page or str(first.pk) in page
    merge_holdings(nanhu_staff, first, second)
    assert not Holding.objects.visible_to(nanhu_staff).filter(pk=second.pk).exists()
    assert Holding.objects.get(pk=second.pk).merged_into == first
    different = create_holding(nanhu_staff, _holding_fields(type=_type("TRN.FRT.TRUCK-H")))
    with pytest.raises(ValidationError):
        merge_holdings(nanhu_staff, first, different)


def test_potential_totals_equal_the_registry(city_staff):
    client = client_for(city_staff)
    body = client.get("/api/v1/potential/").json()
    holdings = Holding.objects.visible_to(city_staff)
    assert body["total"]["count"] == holdings.count()
    transport = next(r for r in body["rows"] if r["name"] == "交通运输")
    expected = sum(h.quantity_available for h in holdings.filter(category__code="TRN"))
    assert sum(Decimal(str(c["available"])) for c in transport["cells"]) == expected
    assert {c["name"] for c in body["columns"]} == {
        "南湖区",
        "秀洲区",
        "嘉善县",
        "海盐县",
        "海宁市",
        "平湖市",
        "桐乡市",
    }


def test_potential_drills_down_and_exports(nanhu_staff):
    client = client_for(nanhu_staff)
    transport = _type("TRN")
    page = client.get(f"/registry/potential/?category={transport.pk}").content.decode()
    assert "货运车辆" in page and "大桥镇" in page
    assert "新塍镇" not in page
    csv_text = client.get(
        f"/registry/potential/?category={transport.pk}&export=csv"
    ).content.decode("utf-8-sig")
    assert "货运车辆" in csv_text and "大桥镇" in csv_text


def test_stale_filter_and_freshness_column(nanhu_staff):
    client = client_for(nanhu_staff)
    stale = client.get("/api/v1/holdings/?freshness=stale&page_size=500").json()
    ids = [h["id"] for h in stale["results"]]
    assert ids
    annotated = with_freshness(Holding.objects.filter(pk__in=ids))
    assert {h.freshness for h in annotated} == {"stale"}


def test_administrator_adds_and_retires_a_type_on_the_page(admin_user, city_staff):
    kind = ResourceType.objects.get(code="TRN.AIR")
    client = client_for(admin_user)
    response = client.post(
        f"/registry/catalogue/{kind.pk}/add-type/",
        {"code": "EVTOL", "name": "电动垂直起降飞行器", "unit": "架", "capability_level": "2"},
    )
    assert response.status_code == 302
    created = ResourceType.objects.get(code="TRN.AIR.EVTOL")
    duplicate = client.post(
        f"/registry/catalogue/{kind.pk}/add-type/", {"code": "EVTOL", "name": "重复", "unit": "架"}
    )
    assert duplicate.status_code == 200 and "已存在" in duplicate.content.decode()
    bad_code = client.post(
        f"/registry/catalogue/{kind.pk}/add-type/", {"code": "a b", "name": "x", "unit": "架"}
    )
    assert bad_code.status_code == 200
    assert client.post(f"/registry/catalogue/{created.pk}/retire/").status_code == 302
    created.refresh_from_db()
    assert created.retired_in is not None
    assert client_for(city_staff).get(f"/registry/catalogue/{kind.pk}/add-type/").status_code == 403


def test_a_holding_without_a_contact_phone_can_be_changed(nanhu_staff):
    holding = create_holding(nanhu_staff, _holding_fields(contact_phone=""))
    updated = update_holding(nanhu_staff, holding, {"quantity_available": Decimal(2)})
    assert updated.contact_phone == "" and updated.quantity_available == 2


def test_administrator_adds_and_retires_a_type_through_the_api(admin_user, city_staff):
    kind = ResourceType.objects.get(code="TRN.AIR")
    api = client_for(admin_user)
    fields = {"parent": kind.pk, "code": "EVTOL", "name": "电动垂直起降飞行器", "unit": "架",
              "capability_level": 2}  # fmt: skip
    answer = api.post("/api/v1/resource-types/", fields, content_type="application/json")
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert created["urn"] == "urn:guodong:resource-type:trn.air.evtol" and created["level"] == 3
    bad = api.post("/api/v1/resource-types/", {**fields, "code": "a b"},
                   content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "a b" in str(bad.json()["code"])
    refused = client_for(city_staff).post(
        "/api/v1/resource-types/", {**fields, "code": "EVTOL2"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert (
        client_for(city_staff).post(f"/api/v1/resource-types/{created['id']}/retire/").status_code
        == 403
    )
    retired = api.post(f"/api/v1/resource-types/{created['id']}/retire/")
    assert retired.status_code == 200 and retired.json()["retired_in"] is not None
    assert api.post(f"/api/v1/resource-types/{created['id']}/retire/").status_code == 400


def test_potential_counts_people_from_the_specialists(city_staff, nanhu_staff):
    from guodong.registry.models import Specialist

    people = _type("HR")
    body = client_for(city_staff).get("/api/v1/potential/").json()
    row = next(r for r in body["rows"] if r["id"] == people.pk)
    qualified = Specialist.objects.filter(qualifications__type__category=people).distinct()
    assert qualified.exists(), "the demo registers specialists"
    assert sum(c["people"]["registered"] for c in row["cells"]) == qualified.count()
    assert sum(c["people"]["available"] for c in row["cells"]) == (
        qualified.filter(availability="available").count()
    )
    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    in_nanhu = next(c for c in row["cells"] if c["division"] == nanhu.pk)["people"]
    nanhu_people = qualified.filter(division_path__startswith=nanhu.path)
    assert in_nanhu["registered"] == nanhu_people.count()

    client = client_for(nanhu_staff)
    page = client.get(f"/registry/potential/?category={people.pk}").content.decode()
    assert "人可用" in page and "/registry/specialists/?division=" in page
    listed = client.get(f"/registry/specialists/?category={people.pk}&division={nanhu.pk}")
    names = listed.content.decode()
    assert all(s.name in names for s in nanhu_people[:5])
    xiuzhou = Division.objects.get(code="330411", effective_to__isnull=True)
    own = client.get("/api/v1/potential/").json()
    assert xiuzhou.pk not in {c["id"] for c in own["columns"]}
    town_cells = next(r for r in own["rows"] if r["id"] == people.pk)["cells"]
    assert sum(c["people"]["registered"] for c in town_cells) == nanhu_people.count()


def test_potential_links_down_to_a_village_list_its_holdings(nanhu_staff):
    village = _division("330402105004")
    client = client_for(nanhu_staff)
    expected = Holding.objects.visible_to(nanhu_staff).filter(division=village).count()
    assert expected
    page = client.get(f"/registry/holdings/?division={village.pk}").content.decode()
    assert f"共 {expected} 条记录" in page
    api = client.get(f"/api/v1/holdings/?division={village.pk}").json()
    assert api["count"] == expected
    other = _division("330411002001")
    assert client.get(f"/api/v1/holdings/?division={other.pk}").status_code == 400
