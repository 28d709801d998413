"""Imports as a new user met them (issue 11 item 14): dates read as dates, the page moves on
when an import is done, and a survey warns of rows of another category."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from guodong.accounts.models import User
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.importing.columns import COLUMNS
from guodong.registry.models import Holding, ImportJob, ResourceType
from guodong.registry.models.surveys import ImportStatus
from guodong.registry.services import commit_import, open_campaign, start_import
from guodong.registry.tests.test_import import GOOD, _csv

pytestmark = pytest.mark.django_db

HEADER = {c.key: c.header for c in COLUMNS}


def row(**changes: str) -> list[str]:
    cells = list(GOOD)
    keys = [c.key for c in COLUMNS]
    for key, value in changes.items():
        cells[keys.index(key)] = value
    return cells


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(user: User, rows: list[list[str]], capture: Any, **options: Any) -> ImportJob:
    with capture(execute=True):
        job = start_import(user, SimpleUploadedFile("潜力.csv", _csv(rows)), **options)
    job.refresh_from_db()
    return job


def test_a_date_given_in_the_file_reads_as_that_date(
    nanhu_staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = upload(nanhu_staff, [row(verified_on="2026-10-01")], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        commit_import(nanhu_staff, job)
    holding = Holding.objects.get(source_import=job)
    html = signed_in(nanhu_staff).get(holding.get_absolute_url()).content.decode()
    assert "2026年10月1日" in html
    assert "2026年10月1日 " not in html  # no time after the date


def test_a_poll_that_finds_the_import_done_shows_the_result(
    nanhu_staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = upload(nanhu_staff, [row()], django_capture_on_commit_callbacks)
    client = signed_in(nanhu_staff)
    commit_import(nanhu_staff, job)  # queued: the task has not run
    caches["progress"].set(f"import:{job.pk}", 100)
    running = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    html = running.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "99%" in html and "100%" not in html
    assert "HX-Refresh" not in running
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, imported_rows=1)
    done = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()
    assert "no-cache" in done["Cache-Control"] or "no-store" in done["Cache-Control"]


def test_a_survey_of_one_category_warns_of_rows_of_another(
    nanhu_staff: User, reporter: User, django_capture_on_commit_callbacks: Any
) -> None:
    campaign = open_campaign(
        nanhu_staff,
        {
            "name": "运输车辆调查",
            "year": 2026,
            "division": Division.objects.get(code="330402", effective_to__isnull=True),
            "deadline": timezone.localdate(),
        },
        categories=[ResourceType.objects.get(code="TRN")],
        assignees=[Organization.objects.get(name="嘉兴南湖冷链物流有限公司")],
    )
    assignment = campaign.assignments.get()
    generator = ResourceType.objects.get(code="EQP.PWR.GEN-M")
    assert generator.category is not None
    rows = [row(), row(type=generator.code, unit=generator.unit)]
    job = upload(reporter, rows, django_capture_on_commit_callbacks, assignment=assignment)
    assert job.status == ImportStatus.VALIDATED and job.valid_rows == 2
    assert "3" in job.message and generator.category.name in job.message
    transport = ResourceType.objects.get(code="TRN")
    assert transport.name not in job.message
    page = signed_in(reporter).get(job.get_absolute_url()).content.decode()
    assert generator.category.name in page


def test_an_import_outside_a_survey_warns_of_no_category(
    nanhu_staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    generator = ResourceType.objects.get(code="EQP.PWR.GEN-M")
    job = upload(
        nanhu_staff,
        [row(), row(type=generator.code, unit=generator.unit)],
        django_capture_on_commit_callbacks,
    )
    assert job.message == ""
