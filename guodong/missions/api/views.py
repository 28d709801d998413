"""Missions through the API: the unit acknowledges, declines, reports progress and hands over;
the map's demand layer (destinations and the flows of allocations)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import decorators, mixins, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from guodong.core.actors import AuthenticatedRequest
from guodong.missions import services
from guodong.missions.api.serializers import HandoverSerializer, MissionSerializer
from guodong.missions.edxl import deployment_report
from guodong.missions.filtersets import MissionFilterSet
from guodong.missions.layers import demand_layer
from guodong.missions.models import Mission

XML = "application/xml; charset=utf-8"


class MissionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Mission]
):
    """Missions: the unit acknowledges, declines, reports progress and hands over."""

    serializer_class = MissionSerializer
    filterset_class = MissionFilterSet

    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Mission]:
        return Mission.objects.visible_to(self.request.user).prefetch_related(
            "allocations__holding"
        )

    def _answer(self, mission: Mission) -> Response:
        mission.refresh_from_db()
        return Response(self.get_serializer(mission).data)

    @decorators.action(detail=True, methods=["post"])
    def acknowledge(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._answer(services.acknowledge(request.user, self.get_object()))

    @decorators.action(detail=True, methods=["post"])
    def decline(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        mission = self.get_object()
        return self._answer(
            services.decline(request.user, mission, str(request.data.get("reason", "")))
        )

    @decorators.action(detail=True, methods=["post"])
    def progress(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        mission = self.get_object()
        return self._answer(
            services.report_progress(request.user, mission, str(request.data.get("note", "")))
        )

    @extend_schema(request=HandoverSerializer)
    @decorators.action(detail=True, methods=["post"])
    def handover(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        mission = self.get_object()
        form = HandoverSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        receipt = services.record_handover(request.user, mission, **form.validated_data)
        return self._answer(receipt.mission)

    @decorators.action(detail=True, methods=["post"], url_path="return")
    def return_resources(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._answer(services.return_mission(request.user, self.get_object()))

    @decorators.action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        mission = self.get_object()
        return self._answer(
            services.cancel_mission(request.user, mission, str(request.data.get("reason", "")))
        )

    @extend_schema(responses={(200, "application/xml"): str})
    @decorators.action(detail=True, methods=["get"], url_path="edxl-status")
    def edxl_status(self, request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
        """The handover as an EDXL-RM ReportResourceDeploymentStatus message."""
        return HttpResponse(deployment_report(self.get_object()), content_type=XML)


class DemandLayerView(APIView):
    """Open demands on the map: destinations and the flows from allocated holdings."""

    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})  # a list
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(demand_layer(request.user))
