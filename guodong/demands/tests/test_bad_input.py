"""Bad input a person or a client may send: each is a clear 400 or form error naming the field,
never a server error, and nothing is kept."""

import pytest

from conftest import client_for
from guodong.demands.models import Demand
from guodong.demands.tests.test_api import _payload
from guodong.demands.tests.test_pages import _form

pytestmark = pytest.mark.django_db

HUGE = [2**31, 10**20, 2**63]  # PostgreSQL integer + 1, SQLite overflow


@pytest.mark.parametrize("cap", [0, 101, 1000])
@pytest.mark.parametrize("field", ["owner_cap_percent", "township_cap_percent"])
def test_a_cap_outside_1_to_100_percent_is_a_field_error_on_page_and_api(liaison, field, cap):
    before = Demand.objects.count()
    page = client_for(liaison).post("/demands/new/", {**_form(), field: str(cap)})
    assert page.status_code == 200
    assert field in page.context["form"].errors
    api = client_for(liaison).post(
        "/api/v1/demands/", _payload(**{field: cap}), content_type="application/json"
    )
    assert api.status_code == 400 and field in api.json()
    assert Demand.objects.count() == before


@pytest.mark.parametrize("quantity", HUGE)
def test_a_line_quantity_no_database_holds_is_a_field_error_on_page_and_api(liaison, quantity):
    before = Demand.objects.count()
    page = client_for(liaison).post("/demands/new/", _form(quantity=str(quantity)))
    assert page.status_code == 200
    assert "quantity" in page.context["lines"][0].errors
    api = client_for(liaison).post(
        "/api/v1/demands/", _payload(quantity=quantity), content_type="application/json"
    )
    assert api.status_code == 400 and "quantity" in str(api.json())
    assert Demand.objects.count() == before


@pytest.mark.parametrize("penalty", HUGE)
def test_a_stale_penalty_no_database_holds_is_a_field_error(liaison, penalty):
    page = client_for(liaison).post("/demands/new/", {**_form(), "stale_penalty_km": str(penalty)})
    assert page.status_code == 200 and "stale_penalty_km" in page.context["form"].errors
    api = client_for(liaison).post(
        "/api/v1/demands/", _payload(stale_penalty_km=penalty), content_type="application/json"
    )
    assert api.status_code == 400 and "stale_penalty_km" in api.json()


BAD_IDS = ["99999999999999999999", "-1.47e+76", "²", "abc", "0", "1.5"]


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_bad_id_in_a_demand_or_mission_filter_is_refused_not_a_server_error(nanhu_staff, value):
    client = client_for(nanhu_staff)
    for url, field in [
        ("/api/v1/demands/", "division"),
        ("/api/v1/missions/", "demand"),
        ("/api/v1/missions/", "unit"),
    ]:
        answer = client.get(url, {field: value})
        assert answer.status_code == 400, (url, field, value)
        assert field in answer.json()
    for url, field in [("/demands/", "division"), ("/demands/missions/", "demand")]:
        page = client.get(url, {field: value})
        assert page.status_code == 200, (url, field, value)
        assert field in page.context["filter"].form.errors
        export = client.get(url, {field: value, "export": "csv"})
        assert export.status_code == 200
