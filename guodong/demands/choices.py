"""Choices of demands: workflow status, priority, source, the stale-holding policy."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ANALYSED = "analysed", _("Analysed")
    VERIFIED = "verified", _("Verified on site")
    APPROVED = "approved", _("Approved")
    MATCHED = "matched", _("Matched")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    HANDED_OVER = "handed_over", _("Handed over")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


ENDED = {DemandStatus.CLOSED, DemandStatus.REJECTED, DemandStatus.CANCELLED}
# Matching may run (again) once the demand is approved and until it is handed over: a declined
# or cancelled mission sends its quantity back to matching.
MATCHABLE = {
    DemandStatus.APPROVED,
    DemandStatus.MATCHED,
    DemandStatus.DISPATCHED,
    DemandStatus.IN_PROGRESS,
}


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")


class Source(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    EDXL = "edxl", _("EDXL-RM message")


class StalePolicy(models.TextChoices):
    EXCLUDE = "exclude", _("Exclude stale holdings")
    PENALIZE = "penalize", _("Use stale holdings last")
    ALLOW = "allow", _("Treat stale holdings like fresh ones")


class AttachmentPurpose(models.TextChoices):
    DEMAND = "demand", _("Given with the demand")
    SITE_PHOTO = "site_photo", _("On-site photo")
