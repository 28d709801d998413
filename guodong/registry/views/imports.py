"""Upload a filled template, watch it being checked, read the row report, commit or discard."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView

from guodong.accounts.models import User
from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.filters import id_or_none
from guodong.core.forms import style_widgets
from guodong.core.tables import Column
from guodong.core.views import ObjectListView
from guodong.registry.forms import UploadForm
from guodong.registry.importing.columns import COLUMNS
from guodong.registry.importing.reader import text_of
from guodong.registry.importing.template import build_template, option_lists
from guodong.registry.models import ImportJob, SurveyAssignment, SurveyCampaign
from guodong.registry.models.surveys import ImportStatus
from guodong.registry.services import commit_import, discard_import, progress_of, start_import

RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)


class TemplateDownloadView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        chosen = (id_or_none(c) for c in request.GET.getlist("category"))
        categories = [c for c in chosen if c is not None]
        response = HttpResponse(
            build_template(request.user, categories),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="guodong-template.xlsx"'
        return response


class UploadView(LoginRequiredMixin, FormView[forms.Form]):
    request: AuthenticatedHttpRequest
    form_class: type[forms.Form] = UploadForm
    template_name = "registry/upload.html"
    assignment: SurveyAssignment | None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if isinstance(user, User) and not user.has_role_perm("registry.import"):
            raise PermissionDenied(_("Your role may not perform this action."))
        self.assignment = None
        if (
            isinstance(user, User)
            and (assignment_id := id_or_none(request.GET.get("assignment"))) is not None
        ):
            self.assignment = get_object_or_404(
                SurveyAssignment.objects.filter(
                    campaign__in=SurveyCampaign.objects.visible_to(user)
                ).select_related("campaign", "organization"),
                pk=assignment_id,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> forms.Form:
        form = super().get_form(form_class)
        style_widgets(form)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "assignment": self.assignment}

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            job = start_import(
                self.request.user,
                form.cleaned_data["file"],
                encoding=form.cleaned_data["encoding"],
                assignment=self.assignment,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(job.get_absolute_url())


ENTRY_ROWS, MAX_ENTRY_ROWS = 10, 200
# Columns entered by choosing from a short list; the others offer suggestions while typing.
CHOSEN = ("condition", "readiness", "owner_kind")


def _suggestion(key: str, value: str, division_names: dict[str, str]) -> tuple[str, str]:
    """What a suggestion enters and what it shows: a type's code with its name, a division's
    code with its name, other values as they are."""
    if key == "type":
        return value.split(" ", 1)[0], value
    if key == "division":
        return value, f"{value} {division_names.get(value, '')}"
    return value, ""


class EntryView(UploadView):
    """Rows typed on a page instead of a file. They become a CSV import job, checked, reported
    and committed exactly like an upload; page rows carry the numbers the report uses."""

    form_class = forms.Form
    template_name = "registry/entry.html"

    def _row_count(self) -> int:
        """Rows on the page: as many as were sent, ten more when asked for."""
        sent = self.request.POST.get("rows", "")
        count = int(sent) if sent.isdigit() else ENTRY_ROWS
        if "more" in self.request.POST:
            count += ENTRY_ROWS
        return max(1, min(MAX_ENTRY_ROWS, count))

    def _rows(self) -> list[list[str]]:
        data = self.request.POST
        return [
            [data.get(f"r{number}-{c.key}", "") for c in COLUMNS]
            for number in range(2, self._row_count() + 2)
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        categories = (
            list(self.assignment.campaign.categories.values_list("pk", flat=True))
            if self.assignment
            else None
        )
        lists, names = option_lists(self.request.user, categories)
        typed = self._rows() if self.request.method == "POST" else None
        count = self._row_count()
        rows = [
            (number, typed[number - 2] if typed else [""] * len(COLUMNS))
            for number in range(2, count + 2)
        ]
        suggestions = {
            key: [_suggestion(key, value, names) for value in values]
            for key, values in lists.items()
            if key not in CHOSEN
        }
        return {
            **super().get_context_data(**kwargs),
            "columns": [(c, c.key in CHOSEN, lists.get(c.key, [])) for c in COLUMNS],
            "rows": rows,
            "suggestions": suggestions,
            "may_add_rows": count < MAX_ENTRY_ROWS,
            "wide": ("type", "division", "address", "owner", "notes"),
            "narrow": ("quantity_total", "quantity_available", "unit"),
        }

    def form_valid(self, form: forms.Form) -> HttpResponse:
        if "more" in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form))
        rows = self._rows()
        while rows and not any(v.strip() for v in rows[-1]):
            rows.pop()
        if not rows:
            form.add_error(None, _("Fill in at least one row."))
            return self.form_invalid(form)
        upload = SimpleUploadedFile(
            "在线填报.csv", text_of([[c.header for c in COLUMNS], *rows]), "text/csv"
        )
        try:
            job = start_import(
                self.request.user, upload, encoding="utf-8", assignment=self.assignment
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(job.get_absolute_url())


class ImportDetailView(LoginRequiredMixin, DetailView[ImportJob]):
    request: AuthenticatedHttpRequest
    template_name = "registry/import_detail.html"

    def get_queryset(self) -> Any:
        return ImportJob.objects.visible_to(self.request.user)

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["registry/_import_status.html"]
        return [self.template_name]

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        """A poll that finds the job finished reloads the whole page (its result, messages and
        decision), so nobody is left looking at "导入中 100%"; polls are never cached."""
        response = super().render_to_response(context, **kwargs)
        if getattr(self.request, "htmx", False):
            if not context["running"]:
                response["HX-Refresh"] = "true"
            patch_vary_headers(response, ["HX-Request"])
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = context["object"]
        running = job.status in RUNNING
        context.update(
            running=running,
            # 100 % is said only once the rows are in: the writer reaches it just before its
            # transaction commits, which can take a while for a large file.
            progress=min(progress_of(job), 99) if running else 100,
            may_decide=job.status == ImportStatus.VALIDATED
            and ImportJob.objects.visible_to(self.request.user, "change")
            .filter(pk=job.pk)
            .exists(),
            errors_shown=job.errors[:200],
        )
        return context


class ImportDecisionView(LoginRequiredMixin, View):
    """POST decision=commit (keep the valid rows) or decision=discard (write nothing)."""

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
        try:
            if request.POST.get("decision") == "commit":
                commit_import(request.user, job, replace=request.POST.get("replace") == "1")
                messages.info(request, _("Importing the valid rows…"))
            else:
                discard_import(request.user, job)
                messages.info(request, _("The file was discarded; nothing was written."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(job.get_absolute_url())


class ImportListView(ObjectListView):
    model = ImportJob
    filterset_class = None
    filterset_fields: ClassVar[list[str]] = ["status"]
    title = gettext_lazy("Imports")
    columns: ClassVar[list[Column]] = [
        Column("original_name", gettext_lazy("file name"), link=True),
        Column("uploaded_by", gettext_lazy("uploaded by")),
        Column("status", gettext_lazy("status")),
        Column("total_rows", gettext_lazy("rows")),
        Column("error_rows", gettext_lazy("rows with errors")),
        Column("imported_rows", gettext_lazy("rows imported")),
        Column("created_at", gettext_lazy("created")),
    ]
