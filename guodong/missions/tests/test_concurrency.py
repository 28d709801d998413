"""Two offices approving at the same moment cannot book the same generator twice: row locks
and the table's check constraint, exercised with real concurrent transactions on PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from guodong.accounts.models import User
from guodong.demands.services import transition
from guodong.demands.tests.conftest import division, line, submit
from guodong.matching.services import approve_matching, run_matching
from guodong.registry.models import Holding

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions are tested on PostgreSQL"
)


def test_concurrent_approvals_never_overbook(committed_demo):
    from guodong.demands.tests.conftest import add_generators  # after the demo is loaded

    Holding.objects.filter(type__parent__code="EQP.PWR").delete()
    from guodong.matching.snapshot import SNAPSHOT

    SNAPSHOT.columns = None
    generator = add_generators("EQP.PWR.GEN-M", 10, owner="嘉兴南湖冷链物流有限公司",
                               lat=30.75, lon=120.828)  # fmt: skip
    liaison = User.objects.get(username="liaison")
    offices = [User.objects.get(username="nanhu_staff"), User.objects.get(username="city_staff")]
    runs = []
    for staff, area in zip(offices, ["330402", "330400"], strict=True):
        demand = submit(liaison, line(quantity=8), division=division(area))
        transition(staff, demand, "analyse")
        transition(staff, demand, "approve")
        runs.append(run_matching(staff, demand))
    barrier, outcomes = threading.Barrier(2), []

    def approve(staff, run):
        try:
            barrier.wait()
            approve_matching(staff, run)
            outcomes.append("reserved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(offices, runs, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "reserved"]
    generator.refresh_from_db()
    assert generator.quantity_reserved == 8


def test_the_database_itself_refuses_a_reservation_beyond_what_is_available(committed_demo):
    holding = Holding.objects.filter(quantity_available__gte=1).first()
    assert holding is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Holding.objects.filter(pk=holding.pk).update(quantity_reserved=F("quantity_available") + 1)
