"""The demand and mission lists filter the same way on the page and through the API."""

import pytest

from conftest import client_for
from guodong.demands.choices import DemandStatus, Priority
from guodong.demands.services import transition
from guodong.demands.tests.conftest import division, line, submit

pytestmark = pytest.mark.django_db


def _codes_on_page(client, query):
    page = client.get("/demands/", query)
    assert page.status_code == 200
    return {obj.code for obj in page.context["object_list"]}


def _codes_in_api(client, query):
    answer = client.get("/api/v1/demands/", query)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["code"] for row in rows}


def test_staff_filter_demands_by_status_priority_and_jurisdiction_alike_on_page_and_api(
    liaison, nanhu_staff
):
    urgent = submit(liaison, line(priority=Priority.URGENT), title="急需发电机")
    normal = submit(liaison, line(priority=Priority.NORMAL), title="常规保障")
    transition(nanhu_staff, normal, "analyse")
    client = client_for(nanhu_staff)
    for query, wanted, unwanted in [
        ({"status": DemandStatus.ANALYSED}, normal, urgent),
        ({"priority": Priority.URGENT}, urgent, normal),
        ({"q": "急需"}, urgent, normal),
    ]:
        for codes in (_codes_on_page(client, query), _codes_in_api(client, query)):
            assert wanted.code in codes and unwanted.code not in codes, query
    nanhu = {"division": division("330402").pk}
    xiuzhou = {"division": division("330411").pk}
    assert urgent.code in _codes_on_page(client, nanhu) & _codes_in_api(client, nanhu)
    # Another district is no choice of theirs: the page says so, the API refuses it.
    assert urgent.code not in _codes_on_page(client, xiuzhou)
    assert client.get("/api/v1/demands/", xiuzhou).status_code == 400
