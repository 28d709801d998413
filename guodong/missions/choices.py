"""Choices of missions and their allocations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AllocationState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    RESERVED = "reserved", _("Reserved")
    HANDED_OVER = "handed_over", _("Handed over")
    RETURNED = "returned", _("Returned")
    RELEASED = "released", _("Released")
    DECLINED = "declined", _("Declined")
    DISCARDED = "discarded", _("Not approved")


# Allocations that hold quantity against a line (and, while reserved, against a holding).
ACTIVE_ALLOCATIONS = {AllocationState.RESERVED, AllocationState.HANDED_OVER}


class MissionStatus(models.TextChoices):
    PENDING = "pending", _("Not yet dispatched")
    DISPATCHED = "dispatched", _("Dispatched")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    HANDED_OVER = "handed_over", _("Handed over")
    RETURNED = "returned", _("Returned")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_MISSIONS = {
    MissionStatus.PENDING,
    MissionStatus.DISPATCHED,
    MissionStatus.ACKNOWLEDGED,
    MissionStatus.IN_PROGRESS,
}
