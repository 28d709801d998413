"""Division pages: the tree, search, detail, grids and history."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.filters import id_or_none
from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.choosers import jurisdiction
from guodong.divisions.filtersets import DivisionFilterSet, search_divisions
from guodong.divisions.forms import DivisionForm, GridForm
from guodong.divisions.models import Division
from guodong.divisions.services import create_grid, update_division

COLUMNS = [
    Column("code", gettext_lazy("code")),
    Column("name", gettext_lazy("name"), link=True),
    Column("level", gettext_lazy("level")),
    Column("effective_from", gettext_lazy("effective from")),
    Column("effective_to", gettext_lazy("revoked on")),
]


class DivisionListView(ObjectListView):
    """Browse the tree one level at a time from the user's own division, or search it."""

    request: AuthenticatedHttpRequest

    model = Division
    filterset_class = DivisionFilterSet
    template_name = "divisions/division_list.html"
    title = gettext_lazy("Administrative divisions")
    columns: ClassVar[list[Column]] = COLUMNS

    def get_queryset(self) -> QuerySet[Division]:
        queryset = super().get_queryset()
        params = self.request.GET
        self.current = None
        if not any(params.get(k) for k in ("q", "parent", "level")):
            home = self.home_division()
            if home is None:
                return queryset.filter(level=DivisionLevel.PROVINCE)
            return queryset.filter(parent=home)
        if (parent := id_or_none(params.get("parent"))) is not None:
            self.current = queryset.filter(pk=parent).first()
        return queryset

    def home_division(self) -> Division | None:
        user = self.request.user
        return user.organization.division if user.organization else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        current = self.current if self.current is not None else self.home_division()
        if self.request.GET.get("q"):
            current = None
        visible = Division.objects.visible_to(self.request.user)
        context["current"] = current
        context["trail"] = (
            [(d, visible.filter(pk=d.pk).exists()) for d in current.ancestors()] if current else []
        )
        return context


class DivisionDetailView(ObjectDetailView):
    request: AuthenticatedHttpRequest

    model = Division
    template_name = "divisions/division_detail.html"
    fields: ClassVar[list[Column]] = [
        *COLUMNS,
        Column("pinyin_initials", gettext_lazy("pinyin initials")),
        Column("source", gettext_lazy("source")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        division = context["object"]
        user = self.request.user
        context["children"] = division.children.visible_to(user).order_by("code")[:500]
        context["organizations"] = division.organizations.visible_to(user)
        context["trail"] = division.ancestors()
        context["may_add_grid"] = division.level == DivisionLevel.VILLAGE and user.has_role_perm(
            "divisions.add_grid"
        )
        return context


class GridCreateView(ObjectEditView):
    request: AuthenticatedHttpRequest

    model = Division
    form_class = GridForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.parent = get_object_or_404(
            Division.objects.visible_to(request.user), pk=kwargs["parent_pk"]
        )
        if not request.user.has_role_perm("divisions.add_grid"):
            raise PermissionDenied(_("Your role may not perform this action."))
        return super(ObjectEditView, self).dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Add a grid under {village}").format(village=self.parent.name)
        return context

    def save(self, form: BaseForm) -> Division:
        return create_grid(self.request.user, parent=self.parent, **form.cleaned_data)


class DivisionEditView(ObjectEditView):
    model = Division
    form_class = DivisionForm
    update_service = staticmethod(update_division)


class DivisionHistoryView(ObjectHistoryView):
    model = Division


# A chooser shows a screenful; typing more narrows it.
CHOOSER_LIMIT = 20


class DivisionChooseView(LoginRequiredMixin, View):
    """The chooser's search (static/js/chooser.js): divisions in force inside the user's
    jurisdiction whose name, code or pinyin matches `q`, between `min_level` and `max_level`,
    each with the names of the divisions above it so two 新丰镇 can be told apart."""

    def get(self, request: AuthenticatedHttpRequest) -> JsonResponse:
        levels = [id_or_none(request.GET.get(k)) for k in ("min_level", "max_level")]
        rows = search_divisions(jurisdiction(request.user, *levels), request.GET.get("q", ""))
        found = list(rows.order_by("level", "code")[:CHOOSER_LIMIT])
        above = {a for d in found for a in d.ancestor_ids()[:-1]}
        names = dict(Division.objects.filter(pk__in=above).values_list("pk", "name"))
        results = [
            {
                "id": d.pk,
                "label": d.name,
                "code": d.code,
                "context": "".join(names.get(a, "") for a in d.ancestor_ids()[:-1]),
            }
            for d in found
        ]
        return JsonResponse({"results": results})
