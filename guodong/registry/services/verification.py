"""On-site verification: staff create tasks of holdings; the assignee records what they found."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.accounts.models import User
from guodong.core.actors import Actor
from guodong.core.scope import is_within
from guodong.core.services import create_object, recording, require_permission
from guodong.divisions.models import Division
from guodong.registry.choices import VerificationMethod
from guodong.registry.models import Holding, VerificationItem, VerificationTask
from guodong.registry.models.verification import Outcome, TaskStatus
from guodong.registry.services.holdings import person

PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_ITEMS = 500


@transaction.atomic
def create_verification_task(
    acting_user: Actor,
    *,
    title: str,
    assignee: User,
    due_date: dt.date,
    division: Division,
    holdings: QuerySet[Holding],
) -> VerificationTask:
    """A task for one person to check the selected holdings (all inside the user's scope, and
    every one inside the assignee's area). The task's row is one event, its items (child rows)
    the next ("verificationtask.assign")."""
    chosen = list(
        holdings.filter(pk__in=Holding.objects.visible_to(acting_user).values("pk"))[
            : MAX_ITEMS + 1
        ]
    )
    if not chosen:
        raise ValidationError({"holdings": _("Select at least one holding.")})
    if len(chosen) > MAX_ITEMS:
        raise ValidationError({"holdings": _("At most {n} holdings per task.").format(n=MAX_ITEMS)})
    area = assignee.jurisdiction_path
    if (
        not assignee.has_role_perm("registry.verify")
        or area is None
        or not all(is_within(h.division_path, area) for h in chosen)
    ):
        raise ValidationError({"assignee": _("This person cannot verify holdings in that area.")})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date is in the past.")})
    task = create_object(
        acting_user,
        VerificationTask,
        {"title": title, "assignee": assignee, "due_date": due_date, "division": division},
    )
    with recording(acting_user, "verificationtask.assign", task, save=False):
        VerificationItem.objects.bulk_create(VerificationItem(task=task, holding=h) for h in chosen)
    return task


def _check_photo(photo: UploadedFile | None) -> None:
    if photo is None:
        return
    if (photo.size or 0) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 10 MB.")})
    head = photo.read(12)
    photo.seek(0)
    if not head.startswith(PHOTO_SIGNATURES):
        raise ValidationError({"photo": _("The photo must be a JPEG, PNG or WebP image.")})


@transaction.atomic
def record_result(
    acting_user: Actor,
    item: VerificationItem,
    *,
    outcome: str,
    found_total: Any = None,
    found_available: Any = None,
    notes: str = "",
    photo: UploadedFile | None = None,
) -> VerificationItem:
    """The assignee's finding updates the holding's figures and freshness ("holding.verify"),
    keeping the evidence on the task's item ("verificationtask.record", with the items and the
    task's status)."""
    task = (
        VerificationTask.objects.visible_to(acting_user, "record")
        .select_for_update()
        .filter(pk=item.task_id)
        .first()
    )
    if task is None:
        raise PermissionDenied(_("Only the assignee records results."))
    require_permission(acting_user, "registry.verify")
    _check_photo(photo)
    holding = Holding.objects.select_for_update().get(pk=item.holding_id)
    if outcome == Outcome.ADJUSTED:
        if found_total is None:
            raise ValidationError({"found_total": _("Give the quantity found.")})
        found_available = found_total if found_available is None else found_available
        if found_available > found_total:
            raise ValidationError(
                {"found_available": _("Available quantity cannot exceed the total.")}
            )
    with recording(acting_user, "holding.verify", holding):
        if outcome == Outcome.ADJUSTED:
            holding.quantity_total, holding.quantity_available = found_total, found_available
        elif outcome == Outcome.NOT_FOUND:
            holding.quantity_total = holding.quantity_available = Decimal(0)
        holding.last_verified_at, holding.last_verified_by = timezone.now(), person(acting_user)
        holding.verification_method = VerificationMethod.ONSITE
    with recording(acting_user, "verificationtask.record", task):
        item.outcome, item.found_total, item.found_available = outcome, found_total, found_available
        item.notes, item.checked_at = notes, timezone.now()
        if photo is not None:
            item.photo.save(photo.name, photo, save=False)
        item.save()
        if not task.items.filter(outcome=Outcome.PENDING).exists():
            task.status = TaskStatus.DONE
    return item
