from rest_framework import viewsets

from guodong.divisions.api.serializers import DivisionSerializer
from guodong.divisions.filtersets import DivisionFilterSet
from guodong.divisions.models import Division


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Divisions inside the caller's jurisdiction; search with ?q= (name, code, pinyin)."""

    serializer_class = DivisionSerializer
    filterset_class = DivisionFilterSet

    def get_queryset(self):  # noqa: ANN201 - DRF signature
        return Division.objects.visible_to(self.request.user).order_by("code")
