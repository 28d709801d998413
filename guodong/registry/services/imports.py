"""Import jobs: upload → check every row → the user commits the valid rows or discards all.

Checking and committing run as background tasks (django-tasks), reporting progress through the
"progress" cache so the page can show a bar while a large file is written in one transaction.
Every change of a job is an event; the commit's event does not carry the rows it wrote but the
file's SHA-256, where it is stored and what replays it (ADR 9, `replay_commit`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from guodong.core.actors import Actor
from guodong.core.audit import BULK_KEY, id_runs_of, iter_ids, record_event, snapshot
from guodong.core.bulk import cyclic_gc_paused
from guodong.core.replay import ReplayMismatch
from guodong.core.services import lock_visible, recording, require_permission
from guodong.registry.importing.reader import FileProblem, open_upload
from guodong.registry.importing.validate import (
    HeaderProblem,
    ImportValidator,
    category_warning,
    map_header,
    other_categories,
)
from guodong.registry.models import Holding, ImportJob, SurveyAssignment
from guodong.registry.models.surveys import ImportStatus
from guodong.registry.services.holding_rows import RowWriter
from guodong.registry.services.resurvey import RepeatCounter, replace_older
from guodong.registry.services.surveys import submit_assignment

logger = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 1000
PROGRESS_EVERY = 20_000


def progress_of(job: ImportJob) -> int:
    """Percent done: the cache while a task runs, the row once it has finished."""
    value = caches["progress"].get(f"import:{job.pk}")
    return int(value) if value is not None else job.progress


def _set_progress(job_id: int, percent: int) -> None:
    caches["progress"].set(f"import:{job_id}", percent, timeout=24 * 3600)


@transaction.atomic
def start_import(
    acting_user: Actor,
    upload: UploadedFile,
    *,
    encoding: str = "auto",
    assignment: SurveyAssignment | None = None,
) -> ImportJob:
    """Store the file and queue its check."""
    require_permission(acting_user, "registry.import")
    if assignment is not None and not (
        acting_user.has_role_perm("registry.change")
        or assignment.organization_id == acting_user.organization_id
    ):
        raise PermissionDenied(_("Your role may not perform this action."))
    if not isinstance(acting_user, models.Model):
        raise PermissionDenied(_("Your role may not perform this action."))
    job = ImportJob(
        uploaded_by=acting_user,
        scope_path=acting_user.jurisdiction_path or "/",
        assignment=assignment,
        original_name=Path(upload.name or "upload").name[:200],
        encoding=encoding,
        status=ImportStatus.VALIDATING,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{job.original_name}", upload, save=False)
    job.save()
    record_event(acting_user, "importjob.upload", job, before=None, after=snapshot(job))
    transaction.on_commit(lambda: check_import_task.enqueue(job.pk))
    return job


def _rows_of(job: ImportJob) -> tuple[Any, list[str | None]]:
    opened = open_upload(Path(job.file.path), job.original_name, job.encoding)
    header = next(opened.rows, None)
    if header is None:
        raise FileProblem(_("The file is empty."))
    return opened, map_header(header)


def _estimate_rows(job: ImportJob) -> int:
    """A rough row count for the progress bar (bytes / 100), never zero."""
    size: int = job.file.size
    return max(1, size // 100)


def check_import(job_id: int) -> ImportJob:
    """Check every row of an uploaded file (a background task, acting as the uploader); only
    recording the outcome takes a transaction."""
    job = ImportJob.objects.select_related("uploaded_by__organization__division").get(pk=job_id)
    try:
        opened, keys = _rows_of(job)
        validator, repeats = ImportValidator(job.uploaded_by), RepeatCounter(job.uploaded_by)
        total = valid = error_rows = warnings = repeated = 0
        errors: list[dict[str, Any]] = []
        # A survey of some categories: rows of another are warned about, by row and category.
        asked = (
            set(job.assignment.campaign.categories.values_list("pk", flat=True))
            if (job.assignment_id and job.assignment)
            else set()
        )
        off_category: list[tuple[int, int]] = []
        estimate = _estimate_rows(job)
        with cyclic_gc_paused():
            for chunk in validator.chunks(keys, opened.rows):
                total += len(chunk.valid) + chunk.error_rows
                valid += len(chunk.valid)
                error_rows += chunk.error_rows
                warnings += chunk.warnings
                off_category += other_categories(chunk.valid, asked)
                repeated += repeats.count(chunk.valid)
                errors.extend(e.as_dict() for e in chunk.errors[: MAX_ERRORS_KEPT - len(errors)])
                _set_progress(job_id, min(99, total * 100 // estimate))
    except (FileProblem, HeaderProblem) as problem:
        return _finish(job, ImportStatus.FAILED, message=str(problem))
    except Exception:
        logger.exception("import %s could not be checked", job_id)
        return _finish(job, ImportStatus.FAILED, message=_("The file could not be read."))
    if total == 0:
        return _finish(
            job, ImportStatus.FAILED, message=_("The file has a header but no data rows.")
        )
    message = ""
    if warnings:
        message = _("{count} row(s) have coordinates outside the county of their division.").format(
            count=warnings
        )
    message = " ".join(m for m in (message, category_warning(off_category)) if m)
    counts = {
        "encoding": opened.encoding or job.encoding,
        "total_rows": total,
        "valid_rows": valid,
        "error_rows": error_rows,
        "repeated_rows": repeated,
        "errors": errors,  # by row, and within a row in the order of the template's columns
    }
    return _finish(job, ImportStatus.VALIDATED, message=message, changes=counts)


@transaction.atomic
def _finish(
    job: ImportJob,
    status: str,
    *,
    message: str = "",
    actor: Actor | None = None,
    changes: dict[str, Any] | None = None,
    bulk: dict[str, Any] | None = None,
) -> ImportJob:
    """Set the job's outcome and record it: "importjob.check" after a check, "importjob.commit"
    (with `bulk`: what replays the rows), "importjob.discard" or "importjob.fail"."""
    action = {
        ImportStatus.VALIDATED.value: "importjob.check",
        ImportStatus.DONE.value: "importjob.commit",
        ImportStatus.DISCARDED.value: "importjob.discard",
    }.get(status, "importjob.fail")
    before = snapshot(job)
    for name, value in (changes or {}).items():
        setattr(job, name, value)
    job.status, job.message, job.progress = status, message[:300], 100
    if status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.DISCARDED):
        job.finished_at = timezone.now()
    job.save()
    after = snapshot(job)
    if bulk is not None:
        after[BULK_KEY] = bulk
    record_event(actor or job.uploaded_by, action, job, before=before, after=after)
    _set_progress(job.pk, 100)
    return job


@transaction.atomic
def commit_import(acting_user: Actor, job: ImportJob, *, replace: bool = True) -> ImportJob:
    """The user keeps the valid rows; they are written in the background, all or nothing.
    With `replace`, older holdings of the same owner, type and place are merged into the new
    ones (see guodong.registry.services.resurvey)."""
    job = lock_visible(acting_user, job)
    if job.status != ImportStatus.VALIDATED or job.valid_rows == 0:
        raise ValidationError(
            {"status": _("Only a checked import with valid rows can be committed.")}
        )
    with recording(acting_user, "importjob.queue", job):
        job.status, job.progress, job.replace_older = ImportStatus.IMPORTING, 0, replace
    transaction.on_commit(lambda: write_import_task.enqueue(job.pk))
    return job


@transaction.atomic
def discard_import(acting_user: Actor, job: ImportJob) -> ImportJob:
    """The user drops a checked file: nothing of it is written."""
    job = lock_visible(acting_user, job)
    if job.status != ImportStatus.VALIDATED:
        raise ValidationError({"status": _("Only a checked import can be discarded.")})
    return _finish(job, ImportStatus.DISCARDED, actor=acting_user)


def file_sha256(job: ImportJob) -> str:
    """SHA-256 of the stored upload: what a commit's event names, and a replay checks."""
    digest = hashlib.sha256()
    with job.file.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_rows(job: ImportJob, now: dt.datetime, ids: Iterator[int] | None = None) -> int:
    """Check the stored file again and write its valid rows (for the commit, or for a replay
    with the ids and time the commit recorded)."""
    opened, keys = _rows_of(job)
    validator = ImportValidator(job.uploaded_by, now=now)
    writer = RowWriter(job.uploaded_by, job.pk, now=now, ids=ids)
    if ids is None:
        writer.check_keys_as_written()
    written, seen, estimate = 0, 0, max(job.total_rows, 1)
    # Replacing as many older holdings as were written takes about as long again.
    scale = 60 if job.replace_older and job.repeated_rows else 99
    for chunk in validator.chunks(keys, opened.rows):
        written += writer.write(chunk.valid)
        seen += len(chunk.valid) + chunk.error_rows
        if ids is None:
            _set_progress(job.pk, min(scale, seen * scale // estimate))
    return written


def write_import(job_id: int) -> ImportJob:
    """Re-check (data may have changed since) and write every valid row in one transaction.

    The commit's event names the file (path and SHA-256), the time stamped on the rows, the
    ids they received and how many older holdings they replaced: enough for
    `replay_commit` to write the same rows again from the same file (ADR 9). Carrying a
    million rows in the log instead would double the import's time and the database."""
    job = ImportJob.objects.select_related("uploaded_by__organization__division").get(pk=job_id)
    try:
        with transaction.atomic(), cyclic_gc_paused():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            now = timezone.now()
            written = _write_rows(job, now)
            replaced_at = timezone.now()
            replaced = replace_older(job, replaced_at) if job.replace_older else 0
            bulk = {
                "handler": REPLAY_HANDLER,
                "file": job.file.name,
                "sha256": file_sha256(job),
                "now": now.isoformat(),
                "replaced_at": replaced_at.isoformat(),
                "ids": id_runs_of(Holding.objects.filter(source_import=job)),
                "rows": written,
                "replaced": replaced,
            }
            counts = {"imported_rows": written, "replaced_holdings": replaced}
            job = _finish(job, ImportStatus.DONE, changes=counts, bulk=bulk)
            if job.assignment_id:
                assignment = SurveyAssignment.objects.get(pk=job.assignment_id)
                submit_assignment(job.uploaded_by, assignment, rows_imported=written)
    except (FileProblem, HeaderProblem) as problem:
        return _fail(job_id, str(problem))
    except Exception:
        logger.exception("import %s could not be written", job_id)
        return _fail(job_id, _("The import failed; nothing was written."))
    return job


@transaction.atomic
def _fail(job_id: int, message: str) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    return _finish(job, ImportStatus.FAILED, message=message)


REPLAY_HANDLER = "registry.import_commit"


def replay_commit(job: ImportJob, bulk: dict[str, Any]) -> None:
    """Write an import's rows again from its stored file, as its commit event describes (used
    by guodong.core.replay). Refuses a file that is not the one committed, or a result that
    differs from what the commit wrote."""
    if job.file.name != bulk["file"] or file_sha256(job) != bulk["sha256"]:
        raise ReplayMismatch(f"import {job.pk}: the stored file is not the one committed")
    now = dt.datetime.fromisoformat(bulk["now"])
    with cyclic_gc_paused():
        written = _write_rows(job, now, iter_ids(bulk["ids"]))
    replaced = (
        replace_older(job, dt.datetime.fromisoformat(bulk["replaced_at"]))
        if bulk["replaced"]
        else 0
    )
    if (written, replaced) != (bulk["rows"], bulk["replaced"]):
        raise ReplayMismatch(
            f"import {job.pk}: wrote {written} rows and replaced {replaced} holdings, the "
            f"commit {bulk['rows']} and {bulk['replaced']}"
        )


def _language_of(job_id: int) -> str:
    return (
        ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first() or "zh-hans"
    )


@task()
def check_import_task(job_id: int) -> None:
    with translation.override(_language_of(job_id)):
        check_import(job_id)


@task()
def write_import_task(job_id: int) -> None:
    with translation.override(_language_of(job_id)):
        write_import(job_id)
