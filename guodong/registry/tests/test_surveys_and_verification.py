"""Survey campaigns and the on-site verification loop."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Case, When
from django.utils import timezone

from conftest import client_for
from guodong.core.models import Event
from guodong.core.scope import within
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.freshness import with_freshness
from guodong.registry.models import Holding, ResourceType, VerificationTask
from guodong.registry.services import create_verification_task, open_campaign, record_result
from guodong.registry.surveys import assignment_rows

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def daqiao():
    return Division.objects.get(code="330402105", effective_to__isnull=True)


@pytest.fixture
def stale_in_daqiao(daqiao):
    holdings = Holding.objects.filter(within("division_path", daqiao.path))
    holdings.update(last_verified_at=timezone.now() - dt.timedelta(days=900))
    return holdings


def test_staff_send_stale_holdings_of_a_township_to_the_grid_worker(
    nanhu_staff, grid_worker, daqiao, stale_in_daqiao
):
    client = client_for(nanhu_staff)
    response = client.post(
        f"/registry/verification/add/?division={daqiao.pk}&freshness=stale",
        {
            "title": "大桥镇过期潜力核查",
            "assignee": grid_worker.pk,
            "due_date": timezone.localdate() + dt.timedelta(days=7),
        },
    )
    assert response.status_code == 302
    task = VerificationTask.objects.get(title="大桥镇过期潜力核查")
    assert task.items.count() == stale_in_daqiao.count() > 0
    assert client_for(grid_worker).get(task.get_absolute_url()).status_code == 200


def test_the_verification_loop_updates_the_holding(
    nanhu_staff, grid_worker, daqiao, stale_in_daqiao
):
    task = create_verification_task(
        nanhu_staff,
        title="核查",
        assignee=grid_worker,
        due_date=timezone.localdate(),
        division=daqiao,
        holdings=stale_in_daqiao,
    )
    confirmed, adjusted, missing = list(task.items.all()[:3])
    record_result(
        grid_worker, confirmed, outcome="confirmed", photo=SimpleUploadedFile("a.png", PNG)
    )
    record_result(
        grid_worker,
        adjusted,
        outcome="adjusted",
        found_total=Decimal(2),
        found_available=Decimal(1),
    )
    record_result(grid_worker, missing, outcome="not_found", notes="已搬迁")
    fresh = with_freshness(
        Holding.objects.filter(pk__in=[confirmed.holding_id, adjusted.holding_id])
    )
    assert {h.freshness for h in fresh} == {"fresh"}
    adjusted_holding = Holding.objects.get(pk=adjusted.holding_id)
    assert (adjusted_holding.quantity_total, adjusted_holding.quantity_available) == (
        Decimal(2),
        Decimal(1),
    )
    assert adjusted_holding.verification_method == "onsite"
    assert Holding.objects.get(pk=missing.holding_id).quantity_available == 0
    confirmed.refresh_from_db()
    assert confirmed.photo.name, "the evidence is kept"
    photo = client_for(nanhu_staff).get(f"/registry/verification/items/{confirmed.pk}/photo/")
    assert photo.status_code == 200


def test_only_the_assignee_records_and_bad_results_are_refused(
    nanhu_staff, grid_worker, daqiao, stale_in_daqiao
):
    task = create_verification_task(
        nanhu_staff,
        title="核查",
        assignee=grid_worker,
        due_date=timezone.localdate(),
        division=daqiao,
        holdings=stale_in_daqiao,
    )
    item = task.items.all()[0]
    with pytest.raises(PermissionDenied):
        record_result(nanhu_staff, item, outcome="confirmed")
    with pytest.raises(ValidationError):
        record_result(
            grid_worker,
            item,
            outcome="adjusted",
            found_total=Decimal(1),
            found_available=Decimal(5),
        )
    with pytest.raises(ValidationError):
        record_result(
            grid_worker,
            item,
            outcome="confirmed",
            photo=SimpleUploadedFile("a.png", b"<svg onload=x>"),
        )
    item.refresh_from_db()
    assert item.outcome == "pending"


def test_a_task_cannot_be_due_in_the_past_or_go_to_another_district(
    nanhu_staff, xiuzhou_staff, daqiao, stale_in_daqiao
):
    with pytest.raises(ValidationError):
        create_verification_task(
            nanhu_staff,
            title="x",
            assignee=xiuzhou_staff,
            due_date=timezone.localdate(),
            division=daqiao,
            holdings=stale_in_daqiao,
        )
    with pytest.raises(ValidationError):
        create_verification_task(
            nanhu_staff,
            title="x",
            assignee=nanhu_staff,
            due_date=timezone.localdate() - dt.timedelta(days=1),
            division=daqiao,
            holdings=stale_in_daqiao,
        )


def test_campaign_page_shows_submitted_late_and_change(
    nanhu_staff, django_capture_on_commit_callbacks
):
    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    units = [
        Organization.objects.get(name="嘉兴南湖冷链物流有限公司"),
        Organization.objects.get(name="南湖区人民医院"),
    ]
    campaign = open_campaign(
        nanhu_staff,
        {
            "name": "2026 年度潜力调查",
            "year": 2026,
            "division": nanhu,
            "deadline": timezone.localdate(),
        },
        categories=[ResourceType.objects.get(code="TRN")],
        assignees=units,
    )
    assignment = campaign.assignments.get(organization=units[0])
    from guodong.registry.tests.test_import import GOOD, _csv

    client = client_for(nanhu_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/registry/imports/upload/?assignment={assignment.pk}",
            {"file": SimpleUploadedFile("a.csv", _csv([GOOD])), "encoding": "auto"},
        )
    job_url = response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url + "decide/", {"decision": "commit"})
    assignment.refresh_from_db()
    assert assignment.status == "submitted" and assignment.rows_imported == 1
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "2 个承担单位中已提交 1 个" in page
    type(campaign).objects.filter(pk=campaign.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    campaign.refresh_from_db()
    assert [late for _a, late in assignment_rows(campaign)] == [True, False] or [
        late for _a, late in assignment_rows(campaign)
    ] == [False, True]


def test_campaign_assignees_must_be_in_the_area(nanhu_staff):
    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    with pytest.raises(ValidationError) as error:
        open_campaign(
            nanhu_staff,
            {"name": "x", "year": 2026, "division": nanhu, "deadline": timezone.localdate()},
            categories=[ResourceType.objects.get(code="TRN")],
            assignees=[Organization.objects.get(name="嘉兴市交通运输局")],
        )
    assert "assignees" in error.value.message_dict


def _entry(row_number, values):
    from guodong.registry.importing.columns import COLUMNS

    return {f"r{row_number}-{c.key}": v for c, v in zip(COLUMNS, values, strict=True)}


def test_reporter_enters_rows_on_a_page_for_their_assignment(
    nanhu_staff, reporter, django_capture_on_commit_callbacks
):
    from guodong.registry.tests.test_import import GOOD, _row

    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    unit = Organization.objects.get(name="嘉兴南湖冷链物流有限公司")
    campaign = open_campaign(
        nanhu_staff,
        {
            "name": "2026 冷链调查",
            "year": 2026,
            "division": nanhu,
            "deadline": timezone.localdate(),
        },
        categories=[ResourceType.objects.get(code="TRN")],
        assignees=[unit, Organization.objects.get(name="南湖区人民医院")],
    )
    mine = campaign.assignments.get(organization=unit)
    theirs = campaign.assignments.exclude(organization=unit).get()
    client = client_for(reporter)
    page = client.get(f"/registry/imports/enter/?assignment={mine.pk}").content.decode()
    assert "2026 冷链调查" in page and 'name="r2-type"' in page and 'name="r11-type"' in page
    assert "TRN.FRT.COLD" in page, "types of the survey's categories are suggested"
    assert '<option value="TRN.FRT.COLD">TRN.FRT.COLD ' in page, "with their names"
    more = client.post(
        f"/registry/imports/enter/?assignment={mine.pk}",
        {"rows": "10", "more": "1", **_entry(2, GOOD)},
    )
    assert 'name="r21-type"' in more.content.decode() and "13800001111" in more.content.decode()

    before = Holding.objects.count()
    form = {"rows": "10", **_entry(2, GOOD), **_entry(4, _row(数量合计="-1"))}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/registry/imports/enter/?assignment={mine.pk}", form)
    job_url = response["Location"]
    report = client.get(job_url).content.decode()
    assert "在线填报.csv" in report and "数量合计" in report and ">4<" in report
    assert Holding.objects.count() == before
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url + "decide/", {"decision": "commit"})
    mine.refresh_from_db()
    assert (mine.status, mine.rows_imported) == ("submitted", 1)
    assert Holding.objects.count() == before + 1

    empty = client.post(f"/registry/imports/enter/?assignment={mine.pk}", {"rows": "10"})
    assert "请至少填写一行" in empty.content.decode()
    assert client.post(f"/registry/imports/enter/?assignment={theirs.pk}", form).status_code == 403


def test_the_entry_page_is_for_roles_that_may_import(liaison, xiuzhou_staff, nanhu_staff):
    assert client_for(liaison).get("/registry/imports/enter/").status_code == 403
    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    campaign = open_campaign(
        nanhu_staff,
        {"name": "x", "year": 2026, "division": nanhu, "deadline": timezone.localdate()},
        categories=[ResourceType.objects.get(code="TRN")],
        assignees=[Organization.objects.get(name="南湖区人民医院")],
    )
    assignment = campaign.assignments.get()
    url = f"/registry/imports/enter/?assignment={assignment.pk}"
    assert client_for(xiuzhou_staff).get(url).status_code == 404


def test_change_since_last_survey_counts_what_each_reported(
    nanhu_staff, django_capture_on_commit_callbacks
):
    from guodong.registry.surveys import changes_since_last
    from guodong.registry.tests.test_import import GOOD, _csv, _row

    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    unit = Organization.objects.get(name="嘉兴南湖冷链物流有限公司")
    client = client_for(nanhu_staff)
    campaigns = []
    for year, row in ((2025, GOOD), (2026, _row(数量合计="9", 可用数量="9"))):
        campaign = open_campaign(
            nanhu_staff,
            {
                "name": f"{year} 调查",
                "year": year,
                "division": nanhu,
                "deadline": timezone.localdate(),
            },
            categories=[ResourceType.objects.get(code="TRN")],
            assignees=[unit],
        )
        assignment = campaign.assignments.get()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/registry/imports/upload/?assignment={assignment.pk}",
                {"file": SimpleUploadedFile("a.csv", _csv([row])), "encoding": "auto"},
            )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(response["Location"] + "decide/", {"decision": "commit", "replace": "1"})
        campaigns.append(campaign)
    transport = next(c for c in changes_since_last(campaigns[1]) if c.category.code == "TRN")
    assert (transport.now, transport.before, transport.delta) == tuple(map(Decimal, (9, 4, 5))), (
        "the 2025 holding was replaced by the 2026 survey, yet 2025 still reported 4"
    )


def test_a_task_is_refused_when_any_holding_lies_outside_the_assignees_area(
    nanhu_staff, grid_worker, daqiao
):
    """The 大桥镇 grid worker cannot be sent to 凤桥镇, even when the first holding of the
    task is in 大桥镇 (only the first was checked before)."""
    fengqiao = Division.objects.get(code="330402100", effective_to__isnull=True)
    inside = Holding.objects.filter(within("division_path", daqiao.path))[0]
    outside = Holding.objects.filter(within("division_path", fengqiao.path))[0]
    inside_first = Holding.objects.filter(pk__in=[inside.pk, outside.pk]).order_by(
        Case(When(pk=inside.pk, then=0), default=1)
    )
    with pytest.raises(ValidationError) as error:
        create_verification_task(
            nanhu_staff, title="核查", assignee=grid_worker, due_date=timezone.localdate(),
            division=daqiao, holdings=inside_first,
        )  # fmt: skip
    assert "assignee" in error.value.message_dict
    assert not VerificationTask.objects.filter(title="核查").exists()


def test_a_verification_is_logged_with_its_items_and_the_tasks_status(
    nanhu_staff, grid_worker, daqiao, stale_in_daqiao
):
    task = create_verification_task(
        nanhu_staff, title="核查", assignee=grid_worker, due_date=timezone.localdate(),
        division=daqiao, holdings=stale_in_daqiao.filter(pk__in=stale_in_daqiao.values("pk")[:1]),
    )  # fmt: skip
    assigned = Event.objects.get(action="verificationtask.assign", object_id=str(task.pk))
    assert assigned.after is not None and assigned.before is not None
    [item] = assigned.after["_children"]["items"]
    assert item["outcome"] == "pending" and assigned.before["_children"]["items"] == []
    record_result(grid_worker, task.items.get(), outcome="not_found", notes="已搬迁")
    recorded = Event.objects.get(action="verificationtask.record", object_id=str(task.pk))
    assert recorded.after is not None and recorded.before is not None
    assert recorded.after["status"] == "done" and recorded.before["status"] == "open"
    assert recorded.after["_children"]["items"][0]["notes"] == "已搬迁"


def test_a_campaigns_categories_and_assignees_are_in_its_events(nanhu_staff):
    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    unit = Organization.objects.get(name="南湖区人民医院")
    campaign = open_campaign(
        nanhu_staff,
        {"name": "调查", "year": 2026, "division": nanhu, "deadline": timezone.localdate()},
        categories=[ResourceType.objects.get(code="TRN")],
        assignees=[unit],
    )
    event = Event.objects.get(action="surveycampaign.assign", object_id=str(campaign.pk))
    assert event.after is not None
    assert event.after["categories"] == [ResourceType.objects.get(code="TRN").pk]
    assert [a["organization_id"] for a in event.after["_children"]["assignments"]] == [unit.pk]
