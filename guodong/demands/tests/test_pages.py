"""The pages a person uses: submit, match, approve, dispatch, answer, hand over, print."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import client_for
from guodong.demands.models import Demand
from guodong.demands.tests.conftest import division, rtype, submit
from guodong.missions.models import Mission

pytestmark = pytest.mark.django_db


def _form(quantity="5", report_by=None):
    report_by = report_by or (timezone.localtime() + dt.timedelta(hours=6))
    return {
        "title": "防汛抢险发电保障", "requester": "嘉兴军分区", "division": division("330402").pk,
        "stale_policy": "penalize", "stale_penalty_km": "50",
        "line0-resource_type": rtype("EQP.PWR.GEN-M").pk, "line0-quantity": quantity,
        "line0-destination_division": division("330402105004").pk,
        "line0-destination": "大桥镇集结点",
        "line0-latitude": "30.749", "line0-longitude": "120.827",
        "line0-report_by": report_by.strftime("%Y-%m-%dT%H:%M"), "line0-priority": "1",
        "line0-readiness": "h24",
    }  # fmt: skip


def test_submitting_a_bad_line_shows_the_reason_in_chinese_and_keeps_nothing(liaison):
    page = client_for(liaison)
    before = Demand.objects.count()
    answer = page.post("/demands/new/", _form(quantity="0"))
    assert answer.status_code == 200
    assert "第 1 行" in answer.content.decode() and "数量" in answer.content.decode()
    past = page.post("/demands/new/", _form(report_by=timezone.localtime() - dt.timedelta(hours=2)))
    assert "已经过去" in past.content.decode()
    assert Demand.objects.count() == before
    done = page.post("/demands/new/", _form())
    assert done.status_code == 302 and Demand.objects.count() == before + 1


def test_staff_match_approve_dispatch_and_the_unit_hands_over_on_pages(
    liaison, nanhu_staff, reporter, generators
):
    demand = submit(liaison)
    office = client_for(nanhu_staff)
    steps = {"analyse": {"analysis_conclusion": "需求合理"}, "approve": {}, "match": {}}
    for action, data in steps.items():
        assert office.post(f"/demands/{demand.pk}/{action}/", data).status_code == 302
    detail = office.get(f"/demands/{demand.pk}/").content.decode()
    assert 'id="approve-matching"' in detail and "为何选择这些条目" in detail
    run = demand.matchings.first()
    office.post(f"/demands/{demand.pk}/approve_matching/", {"matching": run.pk})
    office.post(f"/demands/{demand.pk}/dispatch/")
    assert Demand.objects.get(pk=demand.pk).status == "dispatched"
    own = Mission.objects.get(demand=demand, unit=reporter.organization)
    unit = client_for(reporter)
    other = Mission.objects.exclude(pk=own.pk).get(demand=demand)
    assert unit.get(f"/demands/missions/{other.pk}/").status_code == 404
    unit.post(f"/demands/missions/{own.pk}/acknowledge/")
    item = own.allocations.get()
    too_many = unit.post(f"/demands/missions/{own.pk}/handover/", {
        "received_by": "张连长", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "condition": "完好", f"item_{item.pk}": str(item.quantity + 1),
    }, follow=True)  # fmt: skip
    assert "分配" in too_many.content.decode()
    assert Mission.objects.get(pk=own.pk).status == "acknowledged"
    unit.post(f"/demands/missions/{own.pk}/handover/", {
        "received_by": "张连长", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "condition": "完好", f"item_{item.pk}": str(item.quantity),
    })  # fmt: skip
    assert Mission.objects.get(pk=own.pk).status == "handed_over"
    notice = unit.get(f"/demands/missions/{own.pk}/notice/").content.decode()
    # The unit must call its contact: the printed notice gives the phone in full (issue 11).
    assert "动员任务通知书" in notice and own.code in notice and "13800001111" in notice
    assert unit.get(f"/demands/missions/{own.pk}/status.xml").status_code == 200


def test_reporter_cannot_reach_demands_without_a_mission(liaison, reporter, generators):
    demand = submit(liaison)
    assert client_for(reporter).get(f"/demands/{demand.pk}/").status_code == 404
    assert client_for(reporter).get("/demands/new/").status_code == 403


def test_staff_keep_a_floor_back_and_another_district_cannot_set_one_here(
    nanhu_staff, xiuzhou_staff
):
    from guodong.demands.models import ReserveFloor

    fields = {"division": division("330402").pk, "resource_type": rtype("EQP.PWR.GEN-M").pk,
              "quantity": "2", "note": "区应急指挥部自留"}  # fmt: skip
    answer = client_for(nanhu_staff).post("/demands/floors/new/", fields)
    assert answer.status_code == 302
    assert ReserveFloor.objects.get(division__code="330402").quantity == 2
    listing = client_for(nanhu_staff).get("/demands/floors/").content.decode()
    assert "中型柴油发电机组" in listing
    other = client_for(xiuzhou_staff).post("/demands/floors/new/", {**fields, "quantity": "9"})
    assert other.status_code == 200, "the district is not a choice for another district"
    assert ReserveFloor.objects.get(division__code="330402").quantity == 2
