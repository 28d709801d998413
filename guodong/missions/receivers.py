"""What missions do when the demands they serve change (connected in MissionsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guodong.core.actors import Actor
from guodong.demands.models import Demand
from guodong.demands.signals import demand_ended
from guodong.missions.services import end_all_missions


@receiver(demand_ended, dispatch_uid="missions.end_all_missions")
def end_missions_of_ended_demand(
    sender: type[Demand], *, acting_user: Actor, demand: Demand, reason: str, **kwargs: Any
) -> None:
    """A rejected or cancelled demand releases its reservations and ends its missions."""
    end_all_missions(acting_user, demand, reason)
