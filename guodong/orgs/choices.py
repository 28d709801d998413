from django.db import models
from django.utils.translation import gettext_lazy as _

from guodong.divisions.choices import DivisionLevel


class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", _("Mobilization committee")
    OFFICE = "office", _("Mobilization office")
    MEMBER_UNIT = "member_unit", _("Member unit")
    ARMED_FORCES = "armed_forces", _("Armed forces department")
    STATION = "station", _("Township mobilization station")
    LIAISON_POINT = "liaison_point", _("Village liaison point")


class UnitType(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    ENTERPRISE = "enterprise", _("Enterprise")
    HOSPITAL = "hospital", _("Hospital")
    SCHOOL = "school", _("School")
    PLATFORM = "platform", _("Platform company")
    OTHER = "other", _("Other")


class DutyCycle(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")
    ON_DEMAND = "on_demand", _("When required")


# The division levels each kind of organization can be tied to.
ALLOWED_LEVELS: dict[str, tuple[int, ...]] = {
    OrganizationKind.COMMITTEE: (DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY),
    OrganizationKind.OFFICE: (DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY),
    OrganizationKind.ARMED_FORCES: (DivisionLevel.CITY, DivisionLevel.COUNTY),
    OrganizationKind.STATION: (DivisionLevel.TOWNSHIP,),
    OrganizationKind.LIAISON_POINT: (DivisionLevel.VILLAGE, DivisionLevel.GRID),
    OrganizationKind.MEMBER_UNIT: (
        DivisionLevel.PROVINCE,
        DivisionLevel.CITY,
        DivisionLevel.COUNTY,
        DivisionLevel.TOWNSHIP,
        DivisionLevel.VILLAGE,
    ),
}
