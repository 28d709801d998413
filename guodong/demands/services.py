"""Demand intake and workflow: every write of this app. Every step checks the role allowed to
take it, runs in one transaction and is written to the event log with the whole demand (its lines
and attachments included, Demand.event_children)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.accounts.models import User
from guodong.core.actors import Actor
from guodong.core.audit import record_event, snapshot
from guodong.core.models import VIEW
from guodong.core.services import (
    create_object,
    ensure_in_scope,
    lock_visible,
    recording,
    require_permission,
    update_object,
)
from guodong.demands.choices import ENDED, AttachmentPurpose, DemandStatus, Source
from guodong.demands.models import (
    MAX_QUANTITY,
    Demand,
    DemandAttachment,
    DemandLine,
    ReserveFloor,
)
from guodong.demands.points import division_centre
from guodong.demands.signals import demand_ended
from guodong.divisions.geo import county_code_at
from guodong.registry.choices import CatalogueLevel
from guodong.registry.services.verification import MAX_PHOTO_BYTES, PHOTO_SIGNATURES

LINE_FIELDS = (
    "resource_type", "min_capability", "quantity", "destination_division", "destination",
    "latitude", "longitude", "report_by", "priority", "readiness", "substitutes_ok",
    "requirements", "edxl_element_id", "requested_name", "candidate_types", "name_match",
)  # fmt: skip
MAX_LINES = 500
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_SUFFIXES = (
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".txt",
)

S = DemandStatus
# action: (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "analyse": ({S.RECEIVED}, S.ANALYSED),
    "verify": ({S.ANALYSED}, S.VERIFIED),
    "approve": ({S.ANALYSED, S.VERIFIED}, S.APPROVED),
    "close": ({S.HANDED_OVER}, S.CLOSED),
    # The office rejects a demand it has not yet sent to the units; once missions are
    # dispatched it can only be cancelled, and once handed over only closed.
    "reject": ({S.RECEIVED, S.ANALYSED, S.VERIFIED, S.APPROVED, S.MATCHED}, S.REJECTED),
    "cancel": (set(S.values) - ENDED - {S.HANDED_OVER}, S.CANCELLED),
}
NEEDS_REASON = {"reject", "cancel"}
# What a step stores on the demand (the page and the API ask for it; the step's event carries it).
STEP_RECORDS: dict[str, tuple[str, ...]] = {
    "analyse": ("analysis_notes", "analysis_conclusion"),
    "verify": ("site_findings",),
}
# The one a page or API caller must fill (the conclusion; what was found on site).
REQUIRED_RECORDS: dict[str, str] = {
    "analyse": "analysis_conclusion",
    "verify": "site_findings",
}
MAX_SITE_PHOTOS = 10


def line_errors(number: int, line: Mapping[str, Any]) -> dict[str, str]:
    """Why one demand line cannot be accepted, by field ({} when it can)."""
    errors: dict[str, str] = {}
    resource_type = line.get("resource_type")
    if resource_type is None:
        errors["resource_type"] = _("Unknown resource type.")
    elif resource_type.level == CatalogueLevel.CATEGORY:
        errors["resource_type"] = _("Ask for a type, or a kind with a capability level.")
    elif resource_type.retired_in is not None:
        errors["resource_type"] = _("“{type}” has been retired from the catalogue.").format(
            type=resource_type.name
        )
    quantity = line.get("quantity")
    if not isinstance(quantity, int) or quantity <= 0:
        errors["quantity"] = _("The quantity must be greater than zero.")
    elif quantity > MAX_QUANTITY:
        errors["quantity"] = _("The quantity {n} is larger than {max}.").format(
            n=quantity, max=MAX_QUANTITY
        )
    report_by = line.get("report_by")
    if report_by is None:
        errors["report_by"] = _("Give the time to report by.")
    elif report_by <= timezone.now():
        errors["report_by"] = _("The report-to time {time} is in the past.").format(
            time=timezone.localtime(report_by).strftime("%Y-%m-%d %H:%M")
        )
    lat, lon = line.get("latitude"), line.get("longitude")
    if lat is None or lon is None:
        errors["latitude"] = _("Give the destination point.")
    elif county_code_at(lat, lon) is None:
        errors["latitude"] = _("The destination ({lat}, {lon}) is outside China.").format(
            lat=lat, lon=lon
        )
    if not line.get("destination_division"):
        errors["destination_division"] = _("Choose the destination area.")
    return {k: _("Line {n}: {reason}").format(n=number, reason=v) for k, v in errors.items()}


def with_default_point(line: Mapping[str, Any]) -> dict[str, Any]:
    """The line with its destination defaulted: no point given → the centre of the destination
    area (guodong.demands.points); no place named → the area's name."""
    line = dict(line)
    area = line.get("destination_division")
    if area is None:
        return line
    if line.get("latitude") is None and line.get("longitude") is None:
        centre = division_centre(area)
        if centre is not None:
            line["latitude"], line["longitude"] = centre.latitude, centre.longitude
    if not str(line.get("destination") or "").strip():
        line["destination"] = area.name
    return line


@transaction.atomic
def create_demand(
    acting_user: Actor,
    fields: Mapping[str, Any],
    lines: Iterable[Mapping[str, Any]],
    *,
    source: str = Source.PAGE,
    attachments: Iterable[UploadedFile] = (),
) -> Demand:
    """Receive a demand with its lines and files; every line is checked and nothing is kept if
    one fails. A line without a point goes to its area's centre (with_default_point). One
    event, "demand.submit", holds the demand with its lines and attachments."""
    require_permission(acting_user, "demands.submit")
    lines = list(lines)
    if not lines:
        raise ValidationError({"lines": _("A demand needs at least one line.")})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("At most {n} lines per demand.").format(n=MAX_LINES)})
    lines = [with_default_point(line) for line in lines]
    errors: dict[str, list[str]] = {}
    for number, line in enumerate(lines, 1):
        for field, message in line_errors(number, line).items():
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    code = f"XQ{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:6].upper()}"
    demand = Demand(**fields)
    demand.code, demand.source = code, source
    demand.submitted_by = _user_or_none(acting_user)
    demand.full_clean()
    demand.save()
    ensure_in_scope(acting_user, demand, "division")
    DemandLine.objects.bulk_create(
        DemandLine(demand=demand, number=n, **{k: line[k] for k in LINE_FIELDS if k in line})
        for n, line in enumerate(lines, 1)
    )
    for upload in attachments:
        _add_attachment(acting_user, demand, upload)
    record_event(acting_user, "demand.submit", demand, before=None, after=snapshot(demand))
    return demand


def _user_or_none(user: Actor) -> User | None:
    return user if isinstance(user, User) else None


def _add_attachment(
    acting_user: Actor,
    demand: Demand,
    upload: UploadedFile,
    purpose: str = AttachmentPurpose.DEMAND,
) -> DemandAttachment:
    """Store one checked file (the caller records the demand's event, which lists it)."""
    name = upload.name or ""
    if not name.lower().endswith(ATTACHMENT_SUFFIXES):
        raise ValidationError(
            {
                "attachments": _("“{name}”: attach PDF, images, Word, Excel or text.").format(
                    name=name
                )
            }
        )
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"attachments": _("“{name}” is larger than 20 MB.").format(name=name)}
        )
    uploader = _user_or_none(acting_user)
    if uploader is None:
        raise PermissionDenied(_("Your role may not perform this action."))
    attachment = DemandAttachment(
        demand=demand, name=name[:200], uploaded_by=uploader, purpose=purpose
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attach(acting_user: Actor, demand: Demand, upload: UploadedFile) -> DemandAttachment:
    """Add a file to a demand: its submitter or the office handling it ("demand.attach", the
    demand with its attachments before and after)."""
    current = lock_visible(acting_user, demand, VIEW)
    if not (
        acting_user.has_role_perm("demands.process") or current.submitted_by_id == acting_user.pk
    ):
        raise PermissionDenied(_("Your role may not perform this action."))
    with recording(acting_user, "demand.attach", current, save=False):
        attachment = _add_attachment(acting_user, current, upload)
    return attachment


def allowed_actions(user: Actor, demand: Demand) -> list[str]:
    """The workflow steps this user may take on the demand now (for buttons and the API)."""
    actions = [
        action
        for action, (sources, _target) in TRANSITIONS.items()
        if demand.status in sources and Demand.permits(user, action)
    ]
    # A submitter may withdraw their own demand; only the office cancels anyone's.
    if (
        "cancel" in actions
        and not user.has_role_perm("demands.process")
        and demand.submitted_by_id != user.pk
    ):
        actions.remove("cancel")
    return actions


@transaction.atomic
def transition(
    acting_user: Actor,
    demand: Demand,
    action: str,
    reason: str = "",
    *,
    record: Mapping[str, str] | None = None,
    photos: Iterable[UploadedFile] = (),
) -> Demand:
    """Move the demand one workflow step; rejecting or cancelling ends its missions and
    releases every reservation (guodong.missions, through `demand_ended`).

    `record` is what the step found, stored on the demand (STEP_RECORDS: the analysis notes and
    conclusion, the on-site findings) and `photos` the on-site photos (attachments marked
    "site_photo"); the step's event carries both. The page and the API pass a record and must
    fill the step's REQUIRED_RECORDS field; `record=None` (the demo, scripts) stores nothing."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("Unknown step “{action}”.").format(action=action)})
    current = lock_visible(acting_user, demand, action)
    if action not in allowed_actions(acting_user, current):
        if current.status not in TRANSITIONS[action][0]:
            raise ValidationError(
                {"status": _("A demand that is “{status}” cannot take this step.").format(
                    status=current.get_status_display()
                )}
            )  # fmt: skip
        raise PermissionDenied(_("Your role may not perform this action."))
    reason = reason.strip()
    if action in NEEDS_REASON and not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    fields = {} if record is None else _step_record(action, record)
    photos = list(photos)
    if photos and action != "verify":
        raise ValidationError({"photos": _("Photos go with the on-site check.")})
    if len(photos) > MAX_SITE_PHOTOS:
        raise ValidationError(
            {"photos": _("At most {n} photos per check.").format(n=MAX_SITE_PHOTOS)}
        )
    for photo in photos:
        _check_photo(photo)
    if action in NEEDS_REASON:
        demand_ended.send(Demand, acting_user=acting_user, demand=current, reason=reason)
    with recording(acting_user, f"demand.{action}", current):
        current.status = TRANSITIONS[action][1]
        current.status_reason = reason
        for name, value in fields.items():
            setattr(current, name, value)
        for photo in photos:
            _add_attachment(acting_user, current, photo, purpose=AttachmentPurpose.SITE_PHOTO)
    return current


def _step_record(action: str, record: Mapping[str, str]) -> dict[str, str]:
    """The fields `action` stores, stripped and bounded: the step's required field must be
    filled, a field of another step is refused."""
    allowed = STEP_RECORDS.get(action, ())
    required = REQUIRED_RECORDS.get(action)
    if required and not str(record.get(required, "")).strip():
        message = (
            _("Give the analysis conclusion.")
            if action == "analyse"
            else _("Say what was found on site.")
        )
        raise ValidationError({required: message})
    unknown = sorted(set(record) - set(allowed))
    if unknown:
        raise ValidationError(
            {unknown[0]: _("This step does not record “{field}”.").format(field=unknown[0])}
        )
    fields = {name: str(value).strip() for name, value in record.items()}
    limit = Demand._meta.get_field("analysis_conclusion").max_length or 300
    if len(fields.get("analysis_conclusion", "")) > limit:
        raise ValidationError(
            {"analysis_conclusion": _("The conclusion is longer than {n} characters.").format(
                n=limit
            )}
        )  # fmt: skip
    return fields


def _check_photo(photo: UploadedFile) -> None:
    """A photo is a JPEG, PNG or WebP image no larger than the registry's limit, judged by its
    first bytes (as at the registry's verification), not by its name."""
    name = photo.name or ""
    if (photo.size or 0) > MAX_PHOTO_BYTES:
        raise ValidationError({"photos": _("“{name}” is larger than 10 MB.").format(name=name)})
    head = photo.read(12)
    photo.seek(0)
    if not head.startswith(PHOTO_SIGNATURES):
        raise ValidationError(
            {"photos": _("“{name}” is not a JPEG, PNG or WebP image.").format(name=name)}
        )


def advance(acting_user: Actor, demand: Demand, status: DemandStatus, action: str) -> None:
    """Set the status a later stage derives (matched, dispatched, in progress, handed over) and
    record it as "demand.<action>", inside the caller's transaction; an ended demand keeps its
    status."""
    if status == demand.status or demand.status in ENDED:
        return
    with recording(acting_user, f"demand.{action}", demand):
        demand.status = status


def create_floor(acting_user: Actor, fields: Mapping[str, Any]) -> ReserveFloor:
    """A quantity of one type a division keeps back from every matching
    ("reservefloor.create", the whole row)."""
    return create_object(acting_user, ReserveFloor, fields)


def update_floor(
    acting_user: Actor, floor: ReserveFloor, fields: Mapping[str, Any]
) -> ReserveFloor:
    """Change a floor ("reservefloor.update", the row before and after)."""
    return update_object(acting_user, floor, fields)
