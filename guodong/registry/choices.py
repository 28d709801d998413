from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueLevel(models.IntegerChoices):
    CATEGORY = 1, _("Category")
    KIND = 2, _("Kind")
    TYPE = 3, _("Type")


class CapabilityLevel(models.IntegerChoices):
    ONE = 1, _("Level 1")
    TWO = 2, _("Level 2")
    THREE = 3, _("Level 3")
    FOUR = 4, _("Level 4")


class OwnerKind(models.TextChoices):
    MEMBER_UNIT = "member_unit", _("Member unit")
    ENTERPRISE = "enterprise", _("Enterprise")
    PERSON = "person", _("Person")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Serviceable")
    REPAIR = "repair", _("Needs repair")


class Readiness(models.TextChoices):
    HOURS_2 = "h2", _("Within 2 hours")
    HOURS_24 = "h24", _("Within 24 hours")
    HOURS_72 = "h72", _("Within 72 hours")
    NOT_READY = "not_ready", _("Not available")


class VerificationMethod(models.TextChoices):
    SURVEY = "survey", _("Survey")
    ONSITE = "onsite", _("On-site check")
    SELF_REPORT = "self_report", _("Self-report")


class Freshness(models.TextChoices):
    FRESH = "fresh", _("Fresh")
    AGEING = "ageing", _("Ageing")
    STALE = "stale", _("Stale")


# A holding is "ageing" once this share of its category's freshness period has passed.
AGEING_SHARE = 0.8


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LIMITED = "limited", _("Limited")
    UNAVAILABLE = "unavailable", _("Unavailable")
