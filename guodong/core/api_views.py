from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from guodong.core.actors import AuthenticatedRequest
from guodong.core.filtersets import EventFilterSet
from guodong.core.models import Event


class EventSerializer(serializers.ModelSerializer[Event]):
    class Meta:
        model = Event
        fields = [
            "id",
            "node_id",
            "sequence",
            "created_at",
            "actor",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "prev_hash",
            "hash",
        ]


class EventViewSet(viewsets.ReadOnlyModelViewSet[Event]):
    """The event log entries of objects inside the caller's jurisdiction."""

    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Event]:
        return Event.objects.visible_to(self.request.user).order_by("-sequence")
