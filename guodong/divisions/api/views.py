from django.db.models import QuerySet
from rest_framework import viewsets

from guodong.core.actors import AuthenticatedRequest
from guodong.divisions.api.serializers import DivisionSerializer
from guodong.divisions.filtersets import DivisionFilterSet
from guodong.divisions.models import Division


class DivisionViewSet(viewsets.ReadOnlyModelViewSet[Division]):
    """Divisions inside the caller's jurisdiction; search with ?q= (name, code, pinyin)."""

    request: AuthenticatedRequest
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilterSet

    def get_queryset(self) -> QuerySet[Division]:
        return Division.objects.visible_to(self.request.user).order_by("code")
