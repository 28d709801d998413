"""The event-log pages."""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from guodong.core.filtersets import EventFilterSet
from guodong.core.models import Event
from guodong.core.tables import Column
from guodong.core.views import ObjectListView, ScopedMixin


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
