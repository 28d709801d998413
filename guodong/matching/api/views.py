"""Demands through the API with what this app adds: each demand's open quantities, matching,
approving a matching, dispatching the missions, the matchings and the EDXL-RM CommitResource.

Registered as the API's `demands` route in place of guodong.demands.api's viewset, which it
extends (the demand app may not import missions or matching, DESIGN.md §3)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import decorators, serializers
from rest_framework.response import Response

from guodong.core.actors import AuthenticatedRequest
from guodong.demands.api import views as demand_api
from guodong.demands.api.serializers import DemandSerializer
from guodong.demands.models import Demand
from guodong.matching.services import approve_matching, run_matching
from guodong.missions.api.serializers import MatchingSerializer, MissionSerializer
from guodong.missions.edxl import commit_message
from guodong.missions.models import MatchingRun
from guodong.missions.services import dispatch, open_quantities

XML = demand_api.XML


class DemandWithOpenSerializer(DemandSerializer):
    """A demand with, per line id, the quantity not yet reserved or handed over."""

    open_quantities = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "open_quantities"]

    def get_open_quantities(self, demand: Demand) -> dict[str, int]:
        return {str(k): v for k, v in open_quantities(demand).items()}


class DemandViewSet(demand_api.DemandViewSet):
    """Demands: submit, take workflow steps, match, approve the matching, dispatch; EDXL-RM."""

    serializer_class = DemandWithOpenSerializer
    request: AuthenticatedRequest

    @decorators.action(detail=True, methods=["post"])
    def match(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        run = run_matching(request.user, self.get_object())
        return Response(MatchingSerializer(run, context={"request": request}).data, status=201)

    @decorators.action(detail=True, methods=["post"], url_path="approve-matching")
    def approve_matching(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """`{"matching": id}`: reserve it and create the missions."""
        demand = self.get_object()
        run = get_object_or_404(MatchingRun, demand=demand, pk=request.data.get("matching") or 0)
        missions = approve_matching(request.user, run)
        return Response(MissionSerializer(missions, many=True, context={"request": request}).data)

    @decorators.action(detail=True, methods=["post"])
    def dispatch_missions(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        missions = dispatch(request.user, self.get_object())
        return Response(MissionSerializer(missions, many=True, context={"request": request}).data)

    def _whole_demand(self) -> Demand:
        """The demand, for a user who may see all of it: matchings and the CommitResource name
        every unit's holdings, so a member unit's reporter gets 404 as for any hidden row."""
        demand: Demand = self.get_object()
        if Demand.narrows_view(self.request.user):
            raise Http404
        return demand

    @decorators.action(detail=True, methods=["get"])
    def matchings(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        runs = self._whole_demand().matchings.prefetch_related("allocations__holding__type")[:5]
        return Response(MatchingSerializer(runs, many=True, context={"request": request}).data)

    @extend_schema(responses={(200, "application/xml"): str})
    @decorators.action(detail=True, methods=["get"], url_path="edxl-commit")
    def edxl_commit(self, request: AuthenticatedRequest, pk: str | None = None) -> HttpResponse:
        """The platform's answer as an EDXL-RM CommitResource message."""
        return HttpResponse(commit_message(self._whole_demand()), content_type=XML)
