"""Specialists' personal data (encrypted, masked, audited reveal), facilities, and scoping."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from conftest import client_for
from guodong.core.exports import read_csv_table
from guodong.core.models import Event
from guodong.divisions.models import Division
from guodong.registry.idcard import check_char, id_number_error
from guodong.registry.models import (
    CivilDefenceWork,
    Holding,
    ResourceType,
    Siren,
    Specialist,
    Warehouse,
)
from guodong.registry.services import create_specialist, reveal

pytestmark = pytest.mark.django_db

ID_NUMBER = "33040219850312" + "1234"[:3]
ID_NUMBER = ID_NUMBER + check_char(ID_NUMBER)


def _specialist(user, **overrides):
    fields = {
        "name": "钱专家",
        "id_number": ID_NUMBER,
        "phone": "13912345678",
        "division": Division.objects.get(code="330402105", effective_to__isnull=True),
    }
    return create_specialist(user, {**fields, **overrides})


def test_id_numbers_follow_gb_11643():
    assert id_number_error(ID_NUMBER) is None
    wrong = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    assert "校验码" in (id_number_error(wrong) or "")
    assert id_number_error("330402198502301234") is not None  # 2月30日
    assert id_number_error("12345") is not None


def test_wrong_check_digit_is_refused_with_the_field(nanhu_staff):
    with pytest.raises(ValidationError) as error:
        _specialist(nanhu_staff, id_number=ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1"))
    assert "id_number" in error.value.message_dict
    response = client_for(nanhu_staff).post(
        "/api/v1/specialists/",
        {
            "name": "x",
            "id_number": "330402198503121230",
            "division": Division.objects.get(code="330402").pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "id_number" in response.json()


def test_personal_data_is_encrypted_at_rest(nanhu_staff):
    specialist = _specialist(nanhu_staff)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, phone FROM {Specialist._meta.db_table} WHERE id = %s",
            [specialist.pk],
        )
        raw_id, raw_phone = cursor.fetchone()
    assert ID_NUMBER not in raw_id and "13912345678" not in raw_phone
    assert raw_id.startswith("enc1:")
    assert Specialist.objects.get(pk=specialist.pk).id_number == ID_NUMBER
    holding = Holding.objects.exclude(contact_phone="")[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT contact_phone FROM {Holding._meta.db_table} WHERE id = %s", [holding.pk]
        )
        assert cursor.fetchone()[0].startswith("enc1:")


def test_duplicate_id_number_is_refused(nanhu_staff):
    _specialist(nanhu_staff)
    with pytest.raises(ValidationError) as error:
        _specialist(nanhu_staff, name="重复")
    assert "id_number" in error.value.message_dict


def test_lists_and_exports_are_masked(nanhu_staff, grid_worker):
    _specialist(nanhu_staff)
    client = client_for(nanhu_staff)
    page = client.get("/registry/specialists/?q=钱专家").content.decode()
    assert ID_NUMBER not in page and "13912345678" not in page
    assert ID_NUMBER[:6] + "********" + ID_NUMBER[-4:] in page
    api = client.get("/api/v1/specialists/?q=钱专家").json()["results"][0]
    assert "id_number" not in api and api["phone_masked"] == "139****5678"
    # Staff may reveal: their export shows the data in clear (one reveal event, see
    # core/tests/test_exports.py); a role without the permission exports it masked.
    export = client.get("/registry/specialists/?q=钱专家&export=csv").content.decode("utf-8-sig")
    assert ID_NUMBER in export and "13912345678" in export
    masked = client_for(grid_worker).get("/registry/specialists/?export=csv")
    assert ID_NUMBER not in masked.content.decode("utf-8-sig")
    holdings_export = client_for(grid_worker).get("/registry/holdings/?export=csv")
    assert "****" in holdings_export.content.decode("utf-8-sig")


def test_reveal_needs_the_permission_and_is_logged(nanhu_staff, auditor, city_staff):
    specialist = _specialist(nanhu_staff)
    values = reveal(city_staff, specialist, ["id_number", "phone"])
    assert values == {"id_number": ID_NUMBER, "phone": "13912345678"}
    event = Event.objects.filter(action="specialist.reveal", object_id=str(specialist.pk)).latest(
        "sequence"
    )
    assert event.actor == city_staff
    assert ID_NUMBER not in str(event.after)
    with pytest.raises(PermissionDenied):
        reveal(auditor, specialist, ["id_number"])
    response = client_for(auditor).post(f"/api/v1/specialists/{specialist.pk}/reveal/")
    assert response.status_code == 403
    page = (
        client_for(nanhu_staff)
        .post(f"/registry/specialists/{specialist.pk}/reveal/")
        .content.decode()
    )
    assert ID_NUMBER in page


def test_other_district_cannot_reveal_or_see(nanhu_staff, xiuzhou_staff):
    specialist = _specialist(nanhu_staff)
    client = client_for(xiuzhou_staff)
    assert client.get(f"/registry/specialists/{specialist.pk}/").status_code == 404
    assert client.post(f"/registry/specialists/{specialist.pk}/reveal/").status_code == 404
    assert client.post(f"/api/v1/specialists/{specialist.pk}/reveal/").status_code == 404


@pytest.mark.parametrize(
    ("model", "url", "api"),
    [
        (Holding, "/registry/holdings/", "/api/v1/holdings/"),
        (Specialist, "/registry/specialists/", "/api/v1/specialists/"),
        (CivilDefenceWork, "/registry/works/", "/api/v1/civil-defence-works/"),
        (Siren, "/registry/sirens/", "/api/v1/sirens/"),
        (Warehouse, "/registry/warehouses/", "/api/v1/warehouses/"),
    ],
)
def test_every_registry_model_is_scoped_in_ui_api_and_export(
    nanhu_staff, xiuzhou_staff, model, url, api
):
    nanhu = Division.objects.get(code="330402")
    theirs = model.objects.exclude(
        pk__in=model.objects.visible_to(nanhu_staff).values("pk")
    ).first()
    assert theirs is not None, "the demo has records outside 南湖区"
    client = client_for(nanhu_staff)
    assert client.get(f"{url}{theirs.pk}/").status_code == 404
    assert client.get(f"{api}{theirs.pk}/").status_code == 404
    body = client.get(f"{api}?page_size=500").json()
    assert body["count"] == model.objects.visible_to(nanhu_staff).count() > 0
    ids = {row["id"] for row in body["results"]}
    assert theirs.pk not in ids
    export = read_csv_table(client.get(f"{url}?export=csv").content.decode("utf-8-sig"))
    assert len(export) - 1 == min(model.objects.visible_to(nanhu_staff).count(), 100_000)
    assert all(
        path.startswith(nanhu.path)
        for path in model.objects.visible_to(nanhu_staff).values_list("division_path", flat=True)
    )


def test_staff_register_a_shelter_and_read_only_roles_cannot(nanhu_staff, liaison):
    town = Division.objects.get(code="330402105", effective_to__isnull=True)
    client = client_for(nanhu_staff)
    response = client.post(
        "/registry/works/add/",
        {
            "name": "大桥镇中心人员掩蔽工程",
            "kind": "shelter",
            "area_m2": "3200",
            "capacity_persons": "2000",
            "division": town.pk,
            "status": "in_service",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CivilDefenceWork.objects.filter(name="大桥镇中心人员掩蔽工程").exists()
    assert client_for(liaison).get("/registry/works/add/").status_code == 403
    bad = client.post(
        "/api/v1/civil-defence-works/",
        {
            "name": "坏数据",
            "kind": "shelter",
            "area_m2": "-1",
            "capacity_persons": "x",
            "division": town.pk,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and {"capacity_persons", "area_m2"} <= set(bad.json())


def test_the_log_holds_a_specialists_ciphertext_and_qualifications_never_clear_text(
    nanhu_staff,
):
    nurse = ResourceType.objects.filter(code__startswith="HR.", level=3)[0]
    specialist = create_specialist(
        nanhu_staff,
        {"name": "钱专家", "id_number": ID_NUMBER, "phone": "13912345678",
         "division": Division.objects.get(code="330402105", effective_to__isnull=True)},
        [(nurse, 2)],
    )  # fmt: skip
    created = Event.objects.get(action="specialist.create", object_id=str(specialist.pk))
    qualified = Event.objects.get(action="specialist.qualify", object_id=str(specialist.pk))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number, phone FROM {Specialist._meta.db_table} WHERE id = %s",
            [specialist.pk],
        )
        stored = cursor.fetchone()
    assert created.after is not None and qualified.after is not None
    assert (created.after["id_number"], created.after["phone"]) == stored
    for event in (created, qualified):
        text = json.dumps(event.after, ensure_ascii=False)
        assert ID_NUMBER not in text and "13912345678" not in text
    [row] = qualified.after["_children"]["qualifications"]
    assert (row["type_id"], row["level"]) == (nurse.pk, 2)
