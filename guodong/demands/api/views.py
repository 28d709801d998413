"""Demands and missions through the API: the same services and rules as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import decorators, exceptions, mixins, viewsets
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guodong.core.api import ScopedViewSet
from guodong.demands import missions as mission_steps
from guodong.demands.api.serializers import (
    DemandSerializer,
    HandoverSerializer,
    MatchingSerializer,
    MissionSerializer,
)
from guodong.demands.edxl.exchange import commit_message, deployment_report, import_message
from guodong.demands.layers import demand_layer
from guodong.demands.matching import approve_matching, run_matching
from guodong.demands.models import Demand, MatchingRun, Mission
from guodong.demands.services import attach, create_demand, transition
from guodong.divisions.models import Division

XML = "application/xml; charset=utf-8"


class RawXMLParser(BaseParser):
    """The message's bytes, unparsed: only the hardened EDXL-RM reader may parse them."""

    media_type = "*/xml"

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> bytes:
        return stream.read()


def _create_demand(user: Any, fields: dict[str, Any]) -> Demand:
    lines = fields.pop("lines")
    return create_demand(user, fields, lines, source="api")


class DemandViewSet(ScopedViewSet):
    """Demands: submit, take workflow steps, match, approve the matching, dispatch; EDXL-RM."""

    model = Demand
    serializer_class = DemandSerializer
    filterset_fields = ["status", "is_exercise", "source"]
    create_service = staticmethod(_create_demand)
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):  # noqa: ANN201 - DRF signature
        return super().get_queryset().prefetch_related("lines")

    @decorators.action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """`{"action": "analyse|verify|approve|close|reject|cancel", "reason": "…"}`"""
        demand = transition(request.user, self.get_object(), str(request.data.get("action", "")),
                            str(request.data.get("reason", "")))  # fmt: skip
        return Response(self.get_serializer(demand).data)

    @decorators.action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        """Attach files (multipart field `file`, repeatable): PDF, images, Word, Excel, text."""
        demand = self.get_object()
        files = request.FILES.getlist("file")
        if not files:
            raise exceptions.ValidationError({"file": [_("Attach at least one file.")]})
        names = [attach(request.user, demand, upload).name for upload in files]
        return Response({"attached": names}, status=201)

    @decorators.action(detail=True, methods=["post"])
    def match(self, request: Request, pk: str | None = None) -> Response:
        run = run_matching(request.user, self.get_object())
        return Response(MatchingSerializer(run, context={"request": request}).data, status=201)

    @decorators.action(detail=True, methods=["post"], url_path="approve-matching")
    def approve_matching(self, request: Request, pk: str | None = None) -> Response:
        """`{"matching": id}`: reserve it and create the missions."""
        demand = self.get_object()
        run = get_object_or_404(MatchingRun, demand=demand, pk=request.data.get("matching") or 0)
        missions = approve_matching(request.user, run)
        return Response(MissionSerializer(missions, many=True, context={"request": request}).data)

    @decorators.action(detail=True, methods=["post"])
    def dispatch_missions(self, request: Request, pk: str | None = None) -> Response:
        missions = mission_steps.dispatch(request.user, self.get_object())
        return Response(MissionSerializer(missions, many=True, context={"request": request}).data)

    def _whole_demand(self) -> Demand:
        """The demand, for a user who may see all of it: matchings and the CommitResource name
        every unit's holdings, so a member unit's reporter gets 404 as for any hidden row."""
        demand = self.get_object()
        if Demand.narrows_view(self.request.user):
            raise Http404
        return demand

    @decorators.action(detail=True, methods=["get"])
    def matchings(self, request: Request, pk: str | None = None) -> Response:
        runs = self._whole_demand().matchings.prefetch_related("allocations__holding__type")[:5]
        return Response(MatchingSerializer(runs, many=True, context={"request": request}).data)

    @extend_schema(responses={(200, "application/xml"): str})
    @decorators.action(detail=True, methods=["get"], url_path="edxl-commit")
    def edxl_commit(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The platform's answer as an EDXL-RM CommitResource message."""
        return HttpResponse(commit_message(self._whole_demand()), content_type=XML)

    @decorators.action(detail=False, methods=["post"], url_path="edxl")
    def edxl(self, request: Request) -> Response:
        """Receive an EDXL-RM RequestResource or RequisitionResource (the XML as the body, or
        a `message` file), handled by `?division=` (default: your own) and `?exercise=1`."""
        data = request.data
        if not isinstance(data, bytes):
            upload = data.get("message")
            data = upload.read() if upload else b""
        division_id = request.query_params.get("division") or request.user.organization.division_id
        division = Division.objects.visible_to(request.user).filter(pk=division_id).first()
        if division is None:
            raise exceptions.ValidationError(
                {"division": [_("This is outside your jurisdiction.")]}
            )
        exercise = request.query_params.get("exercise") == "1"
        demand = import_message(request.user, data, division=division, is_exercise=exercise)
        return Response(self.get_serializer(demand).data, status=201)

    def get_parsers(self) -> list:
        if self.request is not None and self.request.path.endswith("/edxl/"):
            return [RawXMLParser(), MultiPartParser()]
        return super().get_parsers()


class MissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Missions: the unit acknowledges, declines, reports progress and hands over."""

    serializer_class = MissionSerializer
    filterset_fields = ["status", "demand", "is_exercise"]

    def get_queryset(self):  # noqa: ANN201 - DRF signature
        return Mission.objects.visible_to(self.request.user).prefetch_related(
            "allocations__holding"
        )

    def _answer(self, mission: Mission) -> Response:
        mission.refresh_from_db()
        return Response(self.get_serializer(mission).data)

    @decorators.action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(mission_steps.acknowledge(request.user, self.get_object()))

    @decorators.action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        mission = self.get_object()
        return self._answer(
            mission_steps.decline(request.user, mission, str(request.data.get("reason", "")))
        )

    @decorators.action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        mission = self.get_object()
        return self._answer(
            mission_steps.report_progress(request.user, mission, str(request.data.get("note", "")))
        )

    @extend_schema(request=HandoverSerializer)
    @decorators.action(detail=True, methods=["post"])
    def handover(self, request: Request, pk: str | None = None) -> Response:
        mission = self.get_object()
        form = HandoverSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        receipt = mission_steps.record_handover(request.user, mission, **form.validated_data)
        return self._answer(receipt.mission)

    @decorators.action(detail=True, methods=["post"], url_path="return")
    def return_resources(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(mission_steps.return_mission(request.user, self.get_object()))

    @decorators.action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        mission = self.get_object()
        return self._answer(
            mission_steps.cancel_mission(request.user, mission, str(request.data.get("reason", "")))
        )

    @extend_schema(responses={(200, "application/xml"): str})
    @decorators.action(detail=True, methods=["get"], url_path="edxl-status")
    def edxl_status(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The handover as an EDXL-RM ReportResourceDeploymentStatus message."""
        return HttpResponse(deployment_report(self.get_object()), content_type=XML)


class DemandLayerView(APIView):
    """Open demands on the map: destinations and the flows from allocated holdings."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(demand_layer(request.user))
