"""The catalogue pages: the tree and one type with its URN and metrics."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters  # type: ignore[import-untyped]
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView

from guodong.core.forms import style_widgets
from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectListView, apply_errors
from guodong.registry.catalogue import add_type, retire_type, set_synonyms
from guodong.registry.choices import CapabilityLevel, CatalogueLevel
from guodong.registry.models import CatalogueVersion, ResourceType


class ResourceTypeFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = django_filters.ChoiceFilter(choices=CatalogueLevel.choices, label=_("level"))

    class Meta:
        model = ResourceType
        fields = ["q", "level"]

    def search(
        self, queryset: QuerySet[ResourceType], name: str, value: str
    ) -> QuerySet[ResourceType]:
        # Synonyms are searched as text: a JSON list of names contains the name typed.
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(synonyms__icontains=value)
        )


class ResourceTypeListView(ObjectListView):
    model = ResourceType
    filterset_class = ResourceTypeFilterSet
    paginate_by = 250
    title = _("Resource catalogue")
    template_name = "registry/catalogue.html"
    columns: ClassVar[list[Column]] = [
        Column("code", _("code")),
        Column("indented_name", _("name"), link=True),
        Column("level", _("level")),
        Column("unit", _("unit")),
        Column("capability_level", _("capability level")),
        Column("urn", _("URN")),
    ]

    def get_queryset(self) -> QuerySet[ResourceType]:
        return super().get_queryset().order_by("path")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["version"] = CatalogueVersion.objects.first()
        return context


class ResourceTypeDetailView(ObjectDetailView):
    model = ResourceType
    template_name = "registry/resourcetype_detail.html"
    fields: ClassVar[list[Column]] = [
        Column("code", _("code")),
        Column("name", _("name")),
        Column("level", _("level")),
        Column("category.name", _("category")),
        Column("parent.name", _("parent")),
        Column("unit", _("unit")),
        Column("capability_level", _("capability level")),
        Column("urn", _("URN")),
        Column("synonym_list", _("synonyms")),
        Column("introduced_in", _("introduced in version")),
        Column("retired_in", _("retired in version")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_administer"] = ResourceType.permits(self.request.user, "add")
        return context


class TypeForm(forms.Form):
    code = forms.CharField(
        label=_("code"), max_length=20,
        help_text=_("Capital letters, digits and hyphens, unique within the kind, e.g. EVTOL."),
    )  # fmt: skip
    name = forms.CharField(label=_("name"), max_length=100)
    unit = forms.CharField(label=_("unit"), max_length=10)
    capability_level = forms.TypedChoiceField(
        label=_("capability level"), choices=[("", "—"), *CapabilityLevel.choices], coerce=int,
        empty_value=None, required=False,
    )  # fmt: skip


class CatalogueFormView(LoginRequiredMixin, FormView[forms.Form]):
    """A form on one catalogue node for administrators at city level or above."""

    template_name = "core/object_edit.html"
    levels: ClassVar[tuple[int, ...]] = (CatalogueLevel.KIND,)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.node = get_object_or_404(ResourceType, pk=kwargs["pk"], level__in=self.levels)
        if request.user.is_authenticated and not ResourceType.permits(request.user, "change"):
            raise PermissionDenied(gettext("Your role may not perform this action."))
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> forms.Form:
        form: forms.Form = super().get_form(form_class)
        style_widgets(form)
        return form


class AddTypeView(CatalogueFormView):
    """An administrator at city level or above adds a type under a kind (a new version)."""

    form_class = TypeForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        title = gettext("Add a type under {kind}").format(kind=self.node.name)
        return {**super().get_context_data(**kwargs), "title": title}

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            created = add_type(self.request.user, parent=self.node, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        return HttpResponseRedirect(created.get_absolute_url())


class SynonymsForm(forms.Form):
    synonyms = forms.CharField(
        label=_("synonyms"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Other names people write for it, one a line or separated by commas: "
                    "EDXL-RM intake resolves them to this kind or type."),
    )  # fmt: skip


class SynonymsView(CatalogueFormView):
    """An administrator edits the synonyms of a kind or type (a new catalogue version)."""

    form_class = SynonymsForm
    levels = (CatalogueLevel.KIND, CatalogueLevel.TYPE)

    def get_initial(self) -> dict[str, Any]:
        return {"synonyms": "\n".join(self.node.synonyms)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        title = gettext("Synonyms of {name}").format(name=self.node.name)
        return {**super().get_context_data(**kwargs), "title": title}

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            set_synonyms(self.request.user, self.node, [form.cleaned_data["synonyms"]])
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, gettext("Saved “{object}”.").format(object=self.node.name)
        )  # fmt: skip
        return HttpResponseRedirect(self.node.get_absolute_url())


class RetireTypeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resource_type = get_object_or_404(ResourceType, pk=pk, level=CatalogueLevel.TYPE)
        retire_type(request.user, resource_type)
        messages.success(request, gettext("Retired “{type}”.").format(type=resource_type.name))
        return HttpResponseRedirect(resource_type.get_absolute_url())
