"""The home page and the event-log pages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView

from guodong.core.filtersets import EventFilterSet
from guodong.core.models import Event
from guodong.core.tables import Column
from guodong.core.views import ObjectListView, ScopedMixin


class HomeView(LoginRequiredMixin, TemplateView):
    """Real figures for the user's jurisdiction."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from guodong.accounts.models import User
        from guodong.divisions.choices import DivisionLevel
        from guodong.divisions.models import Division
        from guodong.orgs.choices import OrganizationKind
        from guodong.orgs.models import Organization

        user = self.request.user
        divisions = Division.objects.visible_to(user).filter(effective_to__isnull=True)
        by_level = dict(divisions.values_list("level").annotate(n=Count("id")).order_by())
        organizations = Organization.objects.visible_to(user).filter(is_active=True)
        by_kind = dict(organizations.values_list("kind").annotate(n=Count("id")).order_by())
        context = super().get_context_data(**kwargs)
        context.update(
            division_counts=[(DivisionLevel(k).label, by_level[k]) for k in sorted(by_level)],
            organization_counts=[
                (OrganizationKind(k).label, by_kind[k], k)
                for k in OrganizationKind.values
                if k in by_kind
            ],
            division_total=sum(by_level.values()),
            organization_total=sum(by_kind.values()),
            user_total=User.objects.visible_to(user).filter(is_active=True).count(),
            recent_events=Event.objects.visible_to(user).select_related("actor")[:10],
            home_division=user.organization.division if user.organization_id else None,
        )
        return context


class EventListView(ObjectListView):
    model = Event
    filterset_class = EventFilterSet
    title = _("Activity log")
    columns: ClassVar[list[Column]] = [
        Column("sequence", _("sequence"), link=True),
        Column("created_at", _("time")),
        Column("actor_name", _("actor")),
        Column("action_label", _("action")),
        Column("object_repr", _("object")),
    ]


class EventDetailView(ScopedMixin, DetailView):
    model = Event
    template_name = "core/event_detail.html"
