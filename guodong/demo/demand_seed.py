"""Demo demands: a real one from the military sub-district waiting for 南湖区 to analyse it, and
an exercise already approved, so that matching can be tried at once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guodong.accounts.models import User
from guodong.demands.models import Demand
from guodong.demands.services import create_demand, transition
from guodong.divisions.models import Division
from guodong.registry.models import ResourceType


def _line(
    code: str, quantity: int, village: Division, hours: int, **extra: object
) -> dict[str, object]:
    return {
        "resource_type": ResourceType.objects.get(code=code), "quantity": quantity,
        "destination_division": village, "destination": f"{village.name}应急集结点",
        "latitude": 30.7490, "longitude": 120.8270,
        "report_by": timezone.now() + dt.timedelta(hours=hours), "readiness": "h24", **extra,
    }  # fmt: skip


def seed_demands() -> None:
    if Demand.objects.exists():
        return
    liaison = User.objects.get(username="liaison")
    staff = User.objects.get(username="nanhu_staff")
    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    village = Division.objects.get(code="330402105004", effective_to__isnull=True)
    create_demand(liaison, {
        "title": "汛期抢险保障：大桥镇安置点", "requester": "嘉兴军分区",
        "requester_contact": "作战值班室", "incident": "2026 年汛期抢险", "division": nanhu,
    }, [
        _line("SUP.SHE.TENT-36", 40, village, 36),
        _line("EQP.PWR.GEN-M", 4, village, 24, substitutes_ok=True),
    ])  # fmt: skip
    drill = create_demand(liaison, {
        "title": "冷链运输保障演练", "requester": "嘉兴军分区", "incident": "2026 年动员演练",
        "division": nanhu, "is_exercise": True, "owner_cap_percent": 50,
    }, [_line("TRN.FRT.COLD", 6, village, 48)])  # fmt: skip
    transition(staff, drill, "analyse")
    transition(staff, drill, "approve")
