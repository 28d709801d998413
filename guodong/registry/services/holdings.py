"""Holdings, self-report, merging, reveals, facilities and people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.accounts.models import User
from guodong.core.actors import Actor
from guodong.core.audit import record_event
from guodong.core.models import ScopedModel
from guodong.core.services import (
    create_object,
    lock_visible,
    recording,
    require_permission,
    update_object,
)
from guodong.divisions.geo import county_code_at
from guodong.divisions.models import Division
from guodong.registry.choices import VerificationMethod
from guodong.registry.models import Holding, Qualification, ResourceType, Specialist
from guodong.registry.models.facilities import Facility
from guodong.registry.models.holdings import county_id_for

F = TypeVar("F", bound=Facility)


def person(acting_user: Actor) -> User | None:
    """The user behind an action, None for a command or job (SystemActor): what a row's
    "verified by" or "uploaded by" column can hold."""
    return acting_user if isinstance(acting_user, User) else None


def location_problems(
    latitude: float | None, longitude: float | None, division: Division | None
) -> tuple[dict[str, str], dict[str, str]]:
    """(errors, warnings) for a point: outside China is an error; outside the claimed county
    is a warning the user may confirm."""
    if latitude is None and longitude is None:
        return {}, {}
    if latitude is None or longitude is None:
        field = "latitude" if latitude is None else "longitude"
        return {field: _("Give both latitude and longitude, or neither.")}, {}
    county = county_code_at(latitude, longitude)
    if county is None:
        return {
            "longitude": _("({lat}, {lon}) lies outside China.").format(lat=latitude, lon=longitude)
        }, {}
    county_id = county_id_for(division) if division else None
    if county_id is not None:
        claimed = Division.objects.get(pk=county_id)
        if claimed.code != county:
            actual = Division.objects.filter(code=county, effective_to__isnull=True).first()
            return {}, {
                "confirm_location": _(
                    "({lat}, {lon}) lies in {actual}, not in {claimed}. Tick “the location is "
                    "right” to keep it."
                ).format(
                    lat=latitude,
                    lon=longitude,
                    actual=actual.name if actual else county,
                    claimed=claimed.name,
                )
            }
    return {}, {}


def _check_location(fields: dict[str, Any], current: Holding | None, confirm: bool) -> None:
    def value(name: str) -> Any:
        return fields[name] if name in fields else getattr(current, name, None)

    errors, warnings = location_problems(value("latitude"), value("longitude"), value("division"))
    if errors:
        raise ValidationError(errors)
    if warnings and not confirm:
        raise ValidationError(warnings)


@transaction.atomic
def create_holding(
    acting_user: Actor, fields: dict[str, Any], *, confirm_location: bool = False
) -> Holding:
    fields = dict(fields)
    _check_location(fields, None, confirm_location)
    fields.setdefault("last_verified_at", timezone.now())
    fields.setdefault("last_verified_by", person(acting_user))
    fields.setdefault("verification_method", VerificationMethod.SURVEY)
    return create_object(acting_user, Holding, fields, scope_field="division")


@transaction.atomic
def update_holding(
    acting_user: Actor, holding: Holding, fields: dict[str, Any], *, confirm_location: bool = False
) -> Holding:
    _check_location(fields, holding, confirm_location)
    return update_object(acting_user, holding, fields, scope_field="division")


@transaction.atomic
def confirm_own_holdings(acting_user: Actor) -> int:
    """A member-unit reporter confirms in one action that their unit's holdings are accurate."""
    require_permission(acting_user, Holding.OWN_PERMISSION)
    now = timezone.now()
    holdings = list(
        Holding.objects.visible_to(acting_user, "change")
        .filter(owner_id=acting_user.organization_id)
        .select_for_update()
    )
    for holding in holdings:
        with recording(acting_user, "holding.self_report", holding):
            holding.last_verified_at, holding.last_verified_by = now, person(acting_user)
            holding.verification_method = VerificationMethod.SELF_REPORT
    return len(holdings)


@transaction.atomic
def merge_holdings(acting_user: Actor, survivor: Holding, duplicate: Holding) -> Holding:
    """Fold a duplicate (same owner, type and place) into the survivor, which keeps its figures;
    the duplicate stays, marked as merged and out of every list and total."""
    survivor = lock_visible(acting_user, survivor)
    duplicate = lock_visible(acting_user, duplicate)
    same = all(getattr(survivor, f) == getattr(duplicate, f) for f in Holding.DUPLICATE_KEY)
    if not same or survivor.pk == duplicate.pk:
        raise ValidationError(
            {"duplicate": _("Only records of the same owner, type and place can be merged.")}
        )
    with recording(acting_user, "holding.merge", duplicate):
        duplicate.merged_into = survivor
    return survivor


@transaction.atomic
def reveal(acting_user: Actor, obj: ScopedModel, fields: list[str]) -> dict[str, str]:
    """Show encrypted personal data in clear to a role allowed to see it; the reveal is logged
    (which fields, never the values; the event changes no row, so a replay passes it by)."""
    require_permission(acting_user, "registry.reveal_pii")
    visible = type(obj).objects.visible_to(acting_user).filter(pk=obj.pk).first()
    if visible is None:
        raise PermissionDenied(_("Your role may not perform this action."))
    record_event(
        acting_user,
        f"{obj._meta.model_name}.reveal",
        visible,
        before=None,
        after={"revealed": fields},
    )
    return {name: getattr(visible, name) for name in fields}


@transaction.atomic
def create_specialist(
    acting_user: Actor,
    fields: dict[str, Any],
    qualifications: Sequence[tuple[ResourceType, int]] = (),
) -> Specialist:
    """Register a specialist; their qualifications follow in a "specialist.qualify" event that
    carries them as the specialist's child rows."""
    specialist = create_object(acting_user, Specialist, fields)
    if qualifications:
        with recording(acting_user, "specialist.qualify", specialist, save=False):
            Qualification.objects.bulk_create(
                Qualification(specialist=specialist, type=resource_type, level=level)
                for resource_type, level in qualifications
            )
    return specialist


@transaction.atomic
def update_specialist(
    acting_user: Actor, specialist: Specialist, fields: dict[str, Any]
) -> Specialist:
    return update_object(acting_user, specialist, fields)


@transaction.atomic
def create_facility(acting_user: Actor, model: type[F], fields: dict[str, Any]) -> F:
    """Register a civil-defence work, siren or warehouse."""
    return create_object(acting_user, model, fields)


@transaction.atomic
def update_facility(acting_user: Actor, facility: F, fields: dict[str, Any]) -> F:
    return update_object(acting_user, facility, fields)
