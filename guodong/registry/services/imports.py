"""Import jobs: upload → check every row → the user commits the valid rows or discards all.

Checking and committing run as background tasks (django-tasks), reporting progress through the
"progress" cache so the page can show a bar while a large file is written in one transaction.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from guodong.core.audit import record_event, snapshot
from guodong.core.bulk import cyclic_gc_paused
from guodong.core.services import require_permission
from guodong.registry.importing.reader import FileProblem, open_upload
from guodong.registry.importing.replace import RepeatCounter, replace_older
from guodong.registry.importing.validate import HeaderProblem, ImportValidator, map_header
from guodong.registry.importing.writer import RowWriter
from guodong.registry.models import ImportJob, SurveyAssignment
from guodong.registry.models.surveys import AssignmentStatus, ImportStatus

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
    acting_user: Any,
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
    return max(1, job.file.size // 100)


def check_import(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("uploaded_by__organization__division").get(pk=job_id)
    try:
        opened, keys = _rows_of(job)
        validator, repeats = ImportValidator(job.uploaded_by), RepeatCounter(job.uploaded_by)
        total = valid = error_rows = warnings = repeated = 0
        errors: list[dict[str, Any]] = []
        estimate = _estimate_rows(job)
        with cyclic_gc_paused():
            for chunk in validator.chunks(keys, opened.rows):
                total += len(chunk.valid) + chunk.error_rows
                valid += len(chunk.valid)
                error_rows += chunk.error_rows
                warnings += chunk.warnings
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
    job.encoding = opened.encoding or job.encoding
    job.total_rows, job.valid_rows, job.error_rows = total, valid, error_rows
    job.repeated_rows = repeated
    job.errors = errors  # by row, and within a row in the order of the template's columns
    message = ""
    if warnings:
        message = _("{count} row(s) have coordinates outside the county of their division.").format(
            count=warnings
        )
    return _finish(job, ImportStatus.VALIDATED, message=message)


def _finish(job: ImportJob, status: str, *, message: str = "") -> ImportJob:
    job.status, job.message, job.progress = status, message[:300], 100
    if status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.DISCARDED):
        job.finished_at = timezone.now()
    job.save()
    _set_progress(job.pk, 100)
    return job


@transaction.atomic
def commit_import(acting_user: Any, job: ImportJob, *, replace: bool = True) -> ImportJob:
    """The user keeps the valid rows; they are written in the background, all or nothing.
    With `replace`, older holdings of the same owner, type and place are merged into the new
    ones (see guodong.registry.importing.replace)."""
    job = _own_job(acting_user, job)
    if job.status != ImportStatus.VALIDATED or job.valid_rows == 0:
        raise ValidationError(
            {"status": _("Only a checked import with valid rows can be committed.")}
        )
    job.status, job.progress, job.replace_older = ImportStatus.IMPORTING, 0, replace
    job.save(update_fields=["status", "progress", "replace_older"])
    transaction.on_commit(lambda: write_import_task.enqueue(job.pk))
    return job


@transaction.atomic
def discard_import(acting_user: Any, job: ImportJob) -> ImportJob:
    job = _own_job(acting_user, job)
    if job.status != ImportStatus.VALIDATED:
        raise ValidationError({"status": _("Only a checked import can be discarded.")})
    before = snapshot(job)
    job = _finish(job, ImportStatus.DISCARDED)
    record_event(acting_user, "importjob.discard", job, before=before, after=snapshot(job))
    return job


def _own_job(acting_user: Any, job: ImportJob) -> ImportJob:
    found = (
        ImportJob.objects.visible_to(acting_user, "change")
        .select_for_update()
        .filter(pk=job.pk)
        .first()
    )
    if found is None:
        raise PermissionDenied(_("Your role may not perform this action."))
    return found


def write_import(job_id: int) -> ImportJob:
    """Re-check (data may have changed since) and write every valid row in one transaction."""
    job = ImportJob.objects.select_related("uploaded_by__organization__division").get(pk=job_id)
    before = snapshot(job)
    try:
        with transaction.atomic(), cyclic_gc_paused():
            opened, keys = _rows_of(job)
            validator = ImportValidator(job.uploaded_by)
            writer = RowWriter(job.uploaded_by, job.pk)
            writer.check_keys_as_written()
            written, seen, estimate = 0, 0, max(job.total_rows, 1)
            # Replacing as many older holdings as were written takes about as long again.
            scale = 60 if job.replace_older and job.repeated_rows else 99
            for chunk in validator.chunks(keys, opened.rows):
                written += writer.write(chunk.valid)
                seen += len(chunk.valid) + chunk.error_rows
                _set_progress(job_id, min(scale, seen * scale // estimate))
            job.imported_rows = written
            job.replaced_holdings = replace_older(job) if job.replace_older else 0
            job = _finish(job, ImportStatus.DONE)
            if job.assignment_id:
                SurveyAssignment.objects.filter(pk=job.assignment_id).update(
                    status=AssignmentStatus.SUBMITTED,
                    submitted_at=timezone.now(),
                    rows_imported=written,
                )
            record_event(
                job.uploaded_by, "importjob.commit", job, before=before, after=snapshot(job)
            )
    except (FileProblem, HeaderProblem) as problem:
        job.refresh_from_db()
        return _finish(job, ImportStatus.FAILED, message=str(problem))
    except Exception:
        logger.exception("import %s could not be written", job_id)
        job.refresh_from_db()
        return _finish(
            job, ImportStatus.FAILED, message=_("The import failed; nothing was written.")
        )
    return job


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
