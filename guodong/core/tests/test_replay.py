"""The event log is complete (DESIGN.md §4.10, ADR 9): replaying it into emptied domain tables
gives back every row, table by table.

The log replayed is the real one: the demo loaded for the test session (divisions, catalogue,
organizations, users, thousands of holdings, specialists, facilities, a survey, two demands),
then, as the personas would do it, a full demand → match → approve → dispatch → acknowledge →
handover loop, an import, a re-survey that replaces it, a verification and a specialist.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import ExpressionWrapper, F
from django.utils import timezone

from guodong.core.audit import sensitive_fields
from guodong.core.models import Event
from guodong.core.replay import empty_domain_tables, replay, table_rows
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.choices import OwnerKind
from guodong.registry.models import Holding, ResourceType, Specialist, VerificationTask
from guodong.registry.services import (
    commit_import,
    create_holding,
    create_specialist,
    create_verification_task,
    record_result,
    start_import,
)

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
DESTINATION = {"latitude": 30.7490, "longitude": 120.8270}


def _service(name: str, *modules: str) -> Callable[..., Any]:
    """A demand-side service wherever it lives now (missions and matching are moving out of
    guodong.demands in this issue)."""
    for module in modules:
        try:
            service: Callable[..., Any] = getattr(importlib.import_module(module), name)
            return service
        except (ImportError, AttributeError):
            continue
    raise LookupError(name)


def _division(code: str) -> Division:
    return Division.objects.get(code=code, effective_to__isnull=True)


def _demand_to_handover(liaison: Any, staff: Any, reporter: Any) -> None:
    create_demand = _service("create_demand", "guodong.demands.services")
    transition = _service("transition", "guodong.demands.services")
    run_matching = _service("run_matching", "guodong.matching.services", "guodong.demands.matching")
    approve_matching = _service(
        "approve_matching", "guodong.matching.services", "guodong.demands.matching"
    )
    missions = ("guodong.missions.services", "guodong.demands.missions")
    dispatch = _service("dispatch", *missions)
    acknowledge = _service("acknowledge", *missions)
    record_handover = _service("record_handover", *missions)
    village = _division("330402105004")
    # The reporter's unit holds generators right at the destination: its mission is certain.
    create_holding(staff, {
        "type": ResourceType.objects.get(code="EQP.PWR.GEN-M"), "quantity_total": Decimal(3),
        "quantity_available": Decimal(3), "condition": "good", "readiness": "h2",
        "owner_kind": OwnerKind.MEMBER_UNIT, "owner": reporter.organization,
        "division": village, "contact_name": "王经理", "contact_phone": "13800001111",
        **DESTINATION,
    })  # fmt: skip
    demand = create_demand(liaison, {
        "title": "防汛抢险发电保障", "requester": "嘉兴军分区", "incident": "2026 防汛",
        "division": _division("330402"),
    }, [{
        "resource_type": ResourceType.objects.get(code="EQP.PWR.GEN-M"), "quantity": 2,
        "destination_division": village, "destination": "大桥镇集结点",
        "report_by": timezone.now() + dt.timedelta(hours=6), "readiness": "h24", **DESTINATION,
    }])  # fmt: skip
    transition(staff, demand, "analyse")
    demand = transition(staff, demand, "approve")
    approve_matching(staff, run_matching(staff, demand))
    dispatch(staff, demand)
    mission = type(demand)._meta.get_field("missions").related_model
    own = mission.objects.get(demand=demand, unit=reporter.organization)
    acknowledge(reporter, own)
    record_handover(
        reporter, own, received_by="张连长", received_at=timezone.now(), condition="完好",
        quantities={},
    )  # fmt: skip


def _import(user: Any, rows: list[str], capture: Any) -> None:
    from guodong.registry.importing.columns import COLUMNS

    header = ",".join(c.header for c in COLUMNS)
    content = "\n".join([header, *rows]).encode()
    with capture(execute=True):
        job = start_import(user, SimpleUploadedFile("潜力.csv", content))
    job.refresh_from_db()
    with capture(execute=True):
        commit_import(user, job)


ROW = (
    "TRN.FRT.COLD,{total},3,辆,完好,24小时内,{village},大桥镇天明路1号,30.749,120.827,成员单位,"
    "嘉兴南湖冷链物流有限公司,王经理,13800001111,2026-10-01,"
)


def _verify(staff: Any, grid_worker: Any) -> None:
    daqiao = _division("330402105")
    holdings = Holding.objects.filter(division_path__startswith=daqiao.path).order_by("pk")[:3]
    task = create_verification_task(
        staff, title="核查", assignee=grid_worker, due_date=timezone.localdate(),
        division=daqiao, holdings=Holding.objects.filter(pk__in=[h.pk for h in holdings]),
    )  # fmt: skip
    first, second, third = task.items.order_by("pk")
    record_result(grid_worker, first, outcome="confirmed", photo=SimpleUploadedFile("a.png", PNG))
    record_result(
        grid_worker, second, outcome="adjusted", found_total=Decimal(2), found_available=Decimal(1)
    )
    record_result(grid_worker, third, outcome="not_found", notes="已搬迁")
    assert VerificationTask.objects.get(pk=task.pk).status == "done"


def ciphertexts(model: type[models.Model]) -> list[tuple[Any, ...]]:
    names = sensitive_fields(model)
    raw = {n: ExpressionWrapper(F(n), output_field=models.TextField()) for n in names}
    return list(model._base_manager.order_by("pk").values_list("pk", *raw.values()))


def test_replaying_the_log_rebuilds_every_domain_table(
    liaison, nanhu_staff, reporter, grid_worker, django_capture_on_commit_callbacks
):
    _demand_to_handover(liaison, nanhu_staff, reporter)
    _import(
        nanhu_staff,
        [ROW.format(total=4, village="330402105004")],
        django_capture_on_commit_callbacks,
    )
    # A re-survey: the same holding reported again replaces the first import's.
    _import(
        nanhu_staff,
        [ROW.format(total=9, village="330402105004"), ROW.format(total=5, village="330402105005")],
        django_capture_on_commit_callbacks,
    )
    assert Holding.objects.filter(merged_into__isnull=False, source_import__isnull=False).exists()
    _verify(nanhu_staff, grid_worker)
    create_specialist(
        nanhu_staff,
        {"name": "周工", "id_number": "330402198001010014", "phone": "13900001111",
         "division": _division("330402105")},
        [(ResourceType.objects.filter(code__startswith="HR.", level=3)[0], 2)],
    )  # fmt: skip
    original, secrets = table_rows(), ciphertexts(Specialist)
    for label in (
        "missions.Handover",
        "registry.VerificationItem",
        "registry.Qualification",
        "registry.SurveyAssignment",
        "registry.SurveyCampaign_categories",
    ):
        assert original.get(label), f"{label} is compared, and has rows"  # fmt: skip
    events = list(Event.objects.filter(node_id=settings.NODE_ID).order_by("sequence"))

    empty_domain_tables()
    assert not Holding.objects.exists()
    replay(events)

    rebuilt = table_rows()
    differ = {
        label: (len(original[label]), len(rebuilt[label]))
        for label in original
        if original[label] != rebuilt[label]
    }
    assert not differ, f"tables that differ after replay (rows before, after): {differ}"
    assert ciphertexts(Specialist) == secrets, "personal data comes back as the same ciphertext"
    assert Organization.objects.exists()


def test_the_replay_command_names_a_table_the_log_cannot_rebuild(nanhu_staff):
    """A write that bypasses the services (no event) is what `guodong replay` exists to catch;
    the check itself changes nothing."""
    Organization.objects.filter(name="南湖区人民医院").update(contact_name="无事件的修改")
    with pytest.raises(CommandError) as error:
        call_command("replay")
    assert "orgs.Organization" in str(error.value)
    assert "registry.Holding" not in str(error.value)
    assert Organization.objects.filter(contact_name="无事件的修改").exists(), "rolled back"
