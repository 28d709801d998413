"""Verification pages: staff turn a filtered list of holdings into a task; the assignee records
results on a phone-sized page."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView

from guodong.accounts.models import User
from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.filters import id_or_none
from guodong.core.forms import style_widgets
from guodong.core.tables import Column
from guodong.core.views import ObjectListView, apply_errors
from guodong.divisions.models import Division
from guodong.registry.filtersets import HoldingFilterSet
from guodong.registry.forms import VerificationResultForm
from guodong.registry.models import Holding, VerificationItem, VerificationTask
from guodong.registry.services import create_verification_task, record_result


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=100)
    assignee = forms.ModelChoiceField(label=gettext_lazy("assignee"), queryset=User.objects.none())
    due_date = forms.DateField(
        label=gettext_lazy("due date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = cast("forms.ModelChoiceField[User]", self.fields["assignee"])
        assignee.queryset = User.objects.visible_to(user).filter(
            is_active=True, role__in=["grid_worker", "staff"]
        )
        self.fields["due_date"].initial = timezone.localdate() + dt.timedelta(days=14)


class TaskCreateView(LoginRequiredMixin, FormView[TaskForm]):
    """Create a task from the holdings filter in the query string (e.g. stale ones in a town)."""

    request: AuthenticatedHttpRequest
    form_class = TaskForm
    template_name = "registry/task_create.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def holdings(self) -> Any:
        base = Holding.objects.visible_to(self.request.user)
        filterset = HoldingFilterSet(self.request.GET, queryset=base, request=self.request)
        # A bad filter selects nothing, never silently every holding (`qs` skips bad fields).
        return filterset.qs if filterset.is_valid() else base.none()

    def get_form(self, form_class: Any = None) -> TaskForm:
        form = super().get_form(form_class)
        style_widgets(form)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "count": self.holdings().count()}

    def form_valid(self, form: TaskForm) -> HttpResponse:
        division_id = id_or_none(self.request.GET.get("division"))
        visible = Division.objects.visible_to(self.request.user)
        division = visible.filter(pk=division_id).first() if division_id is not None else None
        organization = self.request.user.organization
        division = division or (organization.division if organization else None)
        if division is None:
            raise Http404
        try:
            task = create_verification_task(
                self.request.user, division=division, holdings=self.holdings(), **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(task.get_absolute_url())


class TaskListView(ObjectListView):
    model = VerificationTask
    filterset_fields: ClassVar[list[str]] = ["status"]
    columns: ClassVar[list[Column]] = [
        Column("title", gettext_lazy("title"), link=True),
        Column("assignee", gettext_lazy("assignee")),
        Column("division.name", gettext_lazy("area")),
        Column("due_date", gettext_lazy("due date")),
        Column("status", gettext_lazy("status")),
    ]


class TaskDetailView(LoginRequiredMixin, DetailView[VerificationTask]):
    request: AuthenticatedHttpRequest
    template_name = "registry/task_detail.html"

    def get_queryset(self) -> Any:
        return VerificationTask.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # A result refused by RecordResultView comes back bound: its errors and what was chosen.
        bound: dict[int, VerificationResultForm] = kwargs.pop("bound_forms", {})
        context = super().get_context_data(**kwargs)
        task = context["object"]
        may_record = (
            VerificationTask.objects.visible_to(self.request.user, "record")
            .filter(pk=task.pk)
            .exists()
        )
        items = task.items.select_related("holding__type", "holding__division")
        forms_by_item = {}
        for item in items:
            form = bound.get(item.pk) or VerificationResultForm(prefix=f"i{item.pk}")
            style_widgets(form)
            forms_by_item[item.pk] = form
        context.update(items=[(i, forms_by_item[i.pk]) for i in items], may_record=may_record)
        return context


class RecordResultView(LoginRequiredMixin, FormView[VerificationResultForm]):
    form_class = VerificationResultForm

    def post(self, request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        item = get_object_or_404(
            VerificationItem.objects.filter(
                task__in=VerificationTask.objects.visible_to(request.user)
            ),
            pk=kwargs["pk"],
        )
        form = VerificationResultForm(request.POST, request.FILES, prefix=f"i{item.pk}")
        if form.is_valid():
            try:
                record_result(request.user, item, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Recorded."))
                return HttpResponseRedirect(item.task.get_absolute_url() + f"#item-{item.pk}")
        return self.refused(request, item, form)

    def refused(
        self,
        request: AuthenticatedHttpRequest,
        item: VerificationItem,
        form: VerificationResultForm,
    ) -> HttpResponse:
        """The task page again, the item's form keeping what was chosen beside its errors, and a
        message naming the item (a task holds many: "请填写实查数量。" alone said not which)."""
        problems = "; ".join(
            f"{form.fields[k].label}: {' '.join(str(m) for m in v)}" if k in form.fields
            else " ".join(str(m) for m in v)
            for k, v in form.errors.items()
        )  # fmt: skip
        holding = item.holding
        messages.error(
            request,
            _("{item}: {problems}").format(
                item=f"{holding.type.name} · {holding.owner_name}", problems=problems
            ),
        )
        page = TaskDetailView()
        page.setup(request, pk=item.task_id)
        page.object = page.get_object()
        context = page.get_context_data(object=page.object, bound_forms={item.pk: form})
        return page.render_to_response(context, status=400)


class PhotoView(LoginRequiredMixin, DetailView[VerificationItem]):
    """Evidence photos are served only to users who can see the task (never from /media)."""

    request: AuthenticatedHttpRequest

    def get_queryset(self) -> Any:
        return VerificationItem.objects.filter(
            task__in=VerificationTask.objects.visible_to(self.request.user)
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:  # type: ignore[override]
        item = self.get_object()
        if not item.photo:
            raise Http404
        return FileResponse(item.photo.open("rb"), filename=item.photo.name.rsplit("/", 1)[-1])
