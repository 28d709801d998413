"""Issue 11, items 9 and 10: each workflow step asks for what it is for and stores it; the page
offers only the steps that make sense and the services refuse the others; the matching is said
in an office worker's words; the printed notice gives the contact phone to those who must call."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import client_for
from guodong.core.models import Event
from guodong.demands.choices import AttachmentPurpose, DemandStatus
from guodong.demands.models import Demand
from guodong.demands.services import allowed_actions, transition
from guodong.demands.tests.conftest import division, submit
from guodong.matching.services import approve_matching, run_matching
from guodong.missions.models import Mission
from guodong.missions.services import acknowledge, dispatch, record_handover

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = "13800001111"


def _buttons(client, demand: Demand) -> set[str]:
    """The step buttons the demand's page offers."""
    html = client.get(f"/demands/{demand.pk}/").content.decode()
    found = {a for a in ("analyse", "verify", "approve", "close", "reject", "cancel")
             if f'data-action="{a}"' in html}  # fmt: skip
    return found | ({"match"} if 'id="run-matching"' in html else set())


def test_analysis_and_the_on_site_check_are_asked_for_stored_and_shown(
    liaison, nanhu_staff, grid_worker, generators
):
    # Handled by 大桥镇, so that its grid worker, who checks on site, sees it.
    demand = submit(liaison, division=division("330402105"))
    office = client_for(nanhu_staff)
    page = office.get(f"/demands/{demand.pk}/").content.decode()
    assert 'name="analysis_conclusion"' in page and 'name="analysis_notes"' in page
    bare = office.post(f"/demands/{demand.pk}/analyse/", follow=True).content.decode()
    assert "请填写分析结论" in bare
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.RECEIVED
    office.post(f"/demands/{demand.pk}/analyse/", {
        "analysis_notes": "大桥镇安置点需临时供电 3 天",
        "analysis_conclusion": "需求合理，需现地核查",
    })  # fmt: skip
    demand.refresh_from_db()
    assert demand.status == DemandStatus.ANALYSED
    assert demand.analysis_conclusion == "需求合理，需现地核查"
    (analysed,) = Event.objects.filter(action="demand.analyse", object_id=str(demand.pk))
    assert analysed.after is not None
    assert analysed.after["analysis_notes"] == "大桥镇安置点需临时供电 3 天"

    grid = client_for(grid_worker)
    not_a_photo = SimpleUploadedFile("现场.jpg", b"MZ not an image", content_type="image/jpeg")
    refused = grid.post(f"/demands/{demand.pk}/verify/", {
        "site_findings": "道路通畅", "photos": not_a_photo,
    }, follow=True).content.decode()  # fmt: skip
    assert "“现场.jpg”不是 JPEG、PNG 或 WebP 图片" in refused
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.ANALYSED
    photo = SimpleUploadedFile("安置点.png", PNG, content_type="image/png")
    grid.post(f"/demands/{demand.pk}/verify/", {
        "site_findings": "安置点道路通畅，已有 2 台小型发电机", "photos": photo})  # fmt: skip
    demand.refresh_from_db()
    assert demand.status == DemandStatus.VERIFIED
    assert demand.site_findings.startswith("安置点道路通畅")
    (stored,) = demand.attachments.all()
    assert stored.purpose == AttachmentPurpose.SITE_PHOTO and stored.name == "安置点.png"
    (verified,) = Event.objects.filter(action="demand.verify", object_id=str(demand.pk))
    assert verified.after is not None
    assert verified.after["site_findings"].startswith("安置点道路通畅")
    assert [a["name"] for a in verified.after["_children"]["attachments"]] == ["安置点.png"]
    shown = office.get(f"/demands/{demand.pk}/").content.decode()
    assert "需求合理，需现地核查" in shown and "已有 2 台小型发电机" in shown
    assert 'class="img-thumbnail site-photo"' in shown


def test_steps_are_offered_and_accepted_only_when_they_make_sense(
    liaison, nanhu_staff, reporter, generators
):
    demand = submit(liaison)
    office = client_for(nanhu_staff)
    assert _buttons(office, demand) == {"analyse", "reject", "cancel"}
    transition(nanhu_staff, demand, "analyse")
    transition(nanhu_staff, demand, "approve")
    assert _buttons(office, demand) == {"reject", "cancel", "match"}
    approve_matching(nanhu_staff, run_matching(nanhu_staff, demand))
    assert _buttons(office, demand) == {"reject", "cancel"}, "all covered: nothing to match"
    missions = dispatch(nanhu_staff, demand)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.DISPATCHED
    assert _buttons(office, demand) == {"cancel"}
    assert "reject" not in allowed_actions(nanhu_staff, demand)
    with pytest.raises(ValidationError, match="不能执行这一步"):
        transition(nanhu_staff, demand, "reject", "不再需要")
    with pytest.raises(ValidationError, match="均已落实"):
        run_matching(nanhu_staff, demand)
    for mission in missions:
        acknowledge(nanhu_staff, mission)
        items = {a.pk: a.quantity for a in mission.allocations.all()}
        record_handover(nanhu_staff, mission, received_by="张连长", received_at=timezone.now(),
                        condition="完好", notes="", quantities=items)  # fmt: skip
    demand.refresh_from_db()
    assert demand.status == DemandStatus.HANDED_OVER
    assert _buttons(office, demand) == {"close"}
    for step in ("reject", "cancel"):
        with pytest.raises(ValidationError):
            transition(nanhu_staff, demand, step, "不再需要")
    refused = office.post(f"/demands/{demand.pk}/reject/", {"reason": "x"}, follow=True)
    assert "不能执行这一步" in refused.content.decode()
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.HANDED_OVER


def test_the_matching_is_said_in_office_words(liaison, nanhu_staff, generators):
    demand = submit(liaison)
    transition(nanhu_staff, demand, "analyse")
    transition(nanhu_staff, demand, "approve")
    run = run_matching(nanhu_staff, demand)
    html = client_for(nanhu_staff).get(f"/demands/{demand.pk}/").content.decode()
    km = f"{run.cost_m / 1000:.1f}"
    assert f"总运输距离 {km} 公里·单位" in html and "已证明为最优方案" in html
    assert "单位·米" not in html and "轮证明" not in html


def test_the_notice_gives_the_phone_to_the_unit_and_the_office_and_logs_it(
    dispatched_missions, reporter, nanhu_staff, auditor, liaison
):
    (own,) = [m for m in dispatched_missions if m.unit_id == reporter.organization_id]
    assert own.contact_phone == PHONE

    def notice(user) -> str:
        answer = client_for(user).get(f"/demands/missions/{own.pk}/notice/")
        assert answer.status_code == 200
        return answer.content.decode()

    reveals = Event.objects.filter(action="mission.reveal", object_id=str(own.pk))
    assert PHONE in notice(reporter) and PHONE in notice(nanhu_staff)
    assert [(e.actor_id, e.after) for e in reveals.order_by("pk")] == [
        (reporter.pk, {"revealed": ["contact_phone"]}),
        (nanhu_staff.pk, {"revealed": ["contact_phone"]}),
    ]
    for reader in (auditor, liaison):
        page = notice(reader)
        assert PHONE not in page and "138****1111" in page
    assert reveals.count() == 2, "a masked reading is no reveal"
    assert Mission.objects.get(pk=own.pk).contact_phone == PHONE


def test_a_mission_step_says_what_happened(dispatched_missions, reporter):
    (own,) = [m for m in dispatched_missions if m.unit_id == reporter.organization_id]
    page = client_for(reporter).post(f"/demands/missions/{own.pk}/acknowledge/", follow=True)
    assert "任务已签收。" in page.content.decode() and "已完成。" not in page.content.decode()
