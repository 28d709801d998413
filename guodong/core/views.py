"""Generic views (after NetBox's): list with filters and export, detail, edit, history.

Every view takes its queryset from `visible_to`, and every edit goes through a service.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView
from django_filters.filterset import filterset_factory  # type: ignore[import-untyped]
from django_filters.views import FilterView  # type: ignore[import-untyped]

from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.exports import caption_for, list_export
from guodong.core.filters import FilterSet
from guodong.core.forms import style_widgets
from guodong.core.models import Event, ScopedModel
from guodong.core.tables import Column

EXPORT_LIMIT = 100_000


class ScopedMixin(LoginRequiredMixin):
    """The rows of `model` the signed-in user may see (every generic view's queryset)."""

    model: type[ScopedModel]

    def get_queryset(self) -> models.QuerySet[Any]:
        request = cast(AuthenticatedHttpRequest, getattr(self, "request"))  # noqa: B009
        return self.model.objects.visible_to(request.user)


class ObjectListView(ScopedMixin, FilterView):  # type: ignore[misc]  # django-filter is untyped
    """A filterable, paginated, exportable table of the rows the user may see."""

    request: AuthenticatedHttpRequest

    template_name = "core/object_list.html"
    paginate_by = 50
    columns: ClassVar[list[Column]] = []
    # The export's columns when it says more than the page's table (none: the table's).
    export_columns: ClassVar[list[Column]] = []
    add_url_name: str | None = None
    title: Any = ""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export")
        filterset = self.get_filterset(self.get_filterset_class())
        # With a bad filter there is nothing to export: the page says which filter is wrong.
        if fmt in ("csv", "xlsx") and filterset.is_valid():
            caption = caption_for(self.title or self.model._meta.verbose_name_plural,
                                  self.request.user, filterset.form)  # fmt: skip
            return list_export(
                self.request.user,
                self.model,
                self.export_columns or self.columns,
                filterset.qs[:EXPORT_LIMIT],
                fmt,
                caption,
            )
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response

    def get_filterset_class(self) -> type[FilterSet]:
        """A filterset generated from `filterset_fields` checks its ids like a declared one."""
        declared: type[FilterSet] | None = self.filterset_class
        if declared is not None:
            return declared
        generated: type[FilterSet] = filterset_factory(
            self.model, filterset=FilterSet, fields=self.filterset_fields
        )
        return generated

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["core/_object_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        style_widgets(context["filter"].form)
        may_add = self.add_url_name and self.model.permits(self.request.user, "add")
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title or self.model._meta.verbose_name_plural,
            columns=self.columns,
            rows=[
                (obj, [(c.value(obj), c.link) for c in self.columns])
                for obj in context["object_list"]
            ],
            add_url=reverse(self.add_url_name) if may_add else None,
            querystring=query.urlencode(),
        )
        return dict(context)


class ObjectDetailView(ScopedMixin, DetailView[Any]):
    request: AuthenticatedHttpRequest
    fields: ClassVar[list[Column]] = []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obj = context["object"]
        context["fields"] = [(c.label, c.value(obj)) for c in self.fields]
        context["may_change"] = self.model.permits(self.request.user, "change") and (
            self.model.objects.visible_to(self.request.user, "change").filter(pk=obj.pk).exists()
        )
        name = self.model._meta.model_name
        context["edit_url"] = (
            _url_or_none(f"{name}_edit", obj.pk) if context["may_change"] else None
        )
        context["history_url"] = _url_or_none(f"{name}_history", obj.pk)
        return context


def _url_or_none(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


class ObjectEditView(ScopedMixin, FormView[BaseForm]):
    """Create (no pk) or change (pk) an object through the app's service functions.

    A ValidationError from the service lands on the form's fields; nothing is written.
    """

    request: AuthenticatedHttpRequest
    template_name = "core/object_edit.html"
    create_service: Any = None
    update_service: Any = None
    object: models.Model | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
            if (
                not self.model.objects.visible_to(self.request.user, "change")
                .filter(pk=self.object.pk)
                .exists()
            ):
                raise PermissionDenied(_("Your role may not perform this action."))
        elif not self.model.permits(self.request.user, "add"):
            raise PermissionDenied(_("Your role may not perform this action."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_form(self, form_class: Any = None) -> BaseForm:
        form: BaseForm = super().get_form(form_class)
        style_widgets(form)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        name = self.model._meta.verbose_name
        context["title"] = (
            _("Edit {name}: {object}").format(name=name, object=self.object)
            if self.object
            else _("Add {name}").format(name=name)
        )
        context["object"] = self.object
        return context

    def service_fields(self, form: BaseForm) -> dict[str, Any]:
        return dict(form.cleaned_data)

    def save(self, form: BaseForm) -> ScopedModel:
        fields = self.service_fields(form)
        saved: ScopedModel
        if self.object is None:
            saved = type(self).create_service(self.request.user, fields)
        else:
            saved = type(self).update_service(self.request.user, self.object, fields)
        return saved

    def form_valid(self, form: BaseForm) -> HttpResponse:
        try:
            obj = self.save(form)
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved “{object}”.").format(object=obj))
        return HttpResponseRedirect(obj.get_absolute_url())  # type: ignore[attr-defined]


def apply_errors(form: BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


class ObjectHistoryView(ScopedMixin, ListView[Any]):  # type: ignore[misc]  # model: scoped
    """The event-log entries of one object the user can see."""

    request: AuthenticatedHttpRequest

    template_name = "core/object_history.html"
    paginate_by = 50

    def get_queryset(self) -> models.QuerySet[Event]:
        self.object = get_object_or_404(
            self.model.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        return Event.objects.visible_to(self.request.user).filter(
            object_type=f"{self.model._meta.app_label}.{self.model._meta.model_name}",
            object_id=str(self.object.pk),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        return context
