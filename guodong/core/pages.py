"""The event-log pages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from guodong.core.checkpoints import latest_checkpoints
from guodong.core.filtersets import EventFilterSet
from guodong.core.models import Event
from guodong.core.tables import Column
from guodong.core.views import ObjectListView, ScopedMixin


class EventListView(ObjectListView):
    # The log follows the same ScopeRules (visible_to) as the domain rows it records.
    model = Event  # type: ignore[assignment]
    filterset_class = EventFilterSet
    title = _("Activity log")
    columns: ClassVar[list[Column]] = [
        Column("sequence", _("sequence"), link=True),
        Column("created_at", _("time")),
        Column("actor_label", _("actor")),
        Column("action_label", _("action")),
        Column("object_repr", _("object")),
    ]
    template_name = "core/event_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Checkpoints cover the whole node's chain: shown to whoever may read the log at all.
        may_read_log = not self.get_queryset().query.is_empty()
        context["checkpoints"] = latest_checkpoints() if may_read_log else None
        return context


class EventDetailView(ScopedMixin, DetailView[Event]):
    model = Event  # type: ignore[assignment]  # ScopeRules without being a ScopedModel
    template_name = "core/event_detail.html"
