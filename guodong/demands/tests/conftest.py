"""Controlled generators near 大桥镇 for matching tests: the demo's own generators are removed so
that every figure below is known."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guodong.core.services import SystemActor
from guodong.demands.services import create_demand
from guodong.divisions.models import Division
from guodong.matching.snapshot import SNAPSHOT
from guodong.orgs.models import Organization
from guodong.registry.choices import OwnerKind
from guodong.registry.models import Holding, ResourceType
from guodong.registry.services import create_holding

ACTOR = SystemActor("tests")
DAQIAO_VILLAGE = "330402105004"
DESTINATION = {"latitude": 30.7490, "longitude": 120.8270}


def division(code: str) -> Division:
    return Division.objects.get(code=code, effective_to__isnull=True)


def rtype(code: str) -> ResourceType:
    return ResourceType.objects.get(code=code)


def add_generators(code: str, quantity: int, *, owner: str, lat: float, lon: float,
                   village: str = DAQIAO_VILLAGE, stale: bool = False) -> Holding:  # fmt: skip
    holding = create_holding(ACTOR, {
        "type": rtype(code), "quantity_total": Decimal(quantity),
        "quantity_available": Decimal(quantity), "condition": "good", "readiness": "h2",
        "owner_kind": OwnerKind.MEMBER_UNIT, "owner": Organization.objects.get(name=owner),
        "division": division(village), "latitude": lat, "longitude": lon,
        "contact_name": "王经理", "contact_phone": "13800001111",
    })  # fmt: skip
    if stale:
        Holding.objects.filter(pk=holding.pk).update(
            last_verified_at=timezone.now() - dt.timedelta(days=900)
        )
    return holding


@pytest.fixture
def generators(db):
    """Two units' medium generators at known distances from the destination."""
    Holding.objects.filter(type__parent__code="EQP.PWR").delete()
    near = add_generators("EQP.PWR.GEN-M", 3, owner="嘉兴南湖冷链物流有限公司",
                          lat=30.7500, lon=120.8280)  # fmt: skip
    far = add_generators("EQP.PWR.GEN-M", 10, owner="南湖区建设工程机械租赁有限公司",
                         lat=30.7800, lon=120.8600)  # fmt: skip
    SNAPSHOT.columns = None  # rows were deleted without events: rebuild
    return near, far


def line(code: str = "EQP.PWR.GEN-M", quantity: int = 5, **overrides):
    return {
        "resource_type": rtype(code), "quantity": quantity,
        "destination_division": division(DAQIAO_VILLAGE), "destination": "大桥镇集结点",
        "report_by": timezone.now() + dt.timedelta(hours=6), "readiness": "h24",
        **DESTINATION, **overrides,
    }  # fmt: skip


def submit(user, *lines, **fields):
    return create_demand(user, {
        "title": "防汛抢险发电保障", "requester": "嘉兴军分区", "incident": "2026 防汛",
        "division": division("330402"), **fields,
    }, list(lines) or [line()])  # fmt: skip
