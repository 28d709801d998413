"""Map layer endpoints: compact JSON, scoped like everything else."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from guodong.core.actors import AuthenticatedRequest
from guodong.maps.boundaries import boundaries_for, jurisdiction_division
from guodong.maps.layers import (
    FACILITY_MODELS,
    SNAPSHOT_FILTERS,
    AreaTooLarge,
    all_holdings,
    facilities_layer,
    holdings_layer,
    holdings_layer_from_snapshot,
    inside_polygon,
    inside_rectangle,
    specialists_layer,
)
from guodong.registry.filtersets import HoldingFilterSet
from guodong.registry.models import ResourceType


def _filterset(request: AuthenticatedRequest) -> HoldingFilterSet:
    filterset = HoldingFilterSet(
        request.query_params, queryset=all_holdings(request.user), request=request
    )
    if not filterset.is_valid():
        raise exceptions.ValidationError(filterset.errors)
    return filterset


def _filtered_holdings(request: AuthenticatedRequest) -> Any:
    return _filterset(request).qs


def _number(request: AuthenticatedRequest, name: str, low: float, high: float) -> float:
    try:
        value = float(request.query_params[name])
    except (KeyError, ValueError) as error:
        raise exceptions.ValidationError({name: [_("A number is needed.")]}) from error
    if not low <= value <= high:
        raise exceptions.ValidationError(
            {name: [_("Must be between {low} and {high}.").format(low=low, high=high)]}
        )
    return value


class BoundariesView(APIView):
    """GeoJSON polygons of the user's area (the basemap)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: AuthenticatedRequest) -> Response:
        if request.user.jurisdiction_path is None:
            return Response({"type": "FeatureCollection", "features": []})
        return Response(boundaries_for(jurisdiction_division(request.user)))


class HoldingsLayerView(APIView):
    """Holdings aggregated per H3 cell for the zoom level, with the holdings list's filters."""

    @extend_schema(
        parameters=[OpenApiParameter("zoom", int, description="Leaflet zoom level (4–18)")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        zoom = int(_number(request, "zoom", 1, 20)) if "zoom" in request.query_params else 10
        # A single type has one unit, so its quantities can be added up into a heat layer.
        hexagons = bool(request.query_params.get("type"))
        filterset = _filterset(request)
        used = {k for k, v in filterset.form.cleaned_data.items() if v not in (None, "")}
        if used <= SNAPSHOT_FILTERS:
            params = dict(filterset.form.cleaned_data)
            if params.get("category"):
                params["category"] = ResourceType.objects.filter(pk=params["category"]).first()
            return Response(
                holdings_layer_from_snapshot(request.user, params, zoom, hexagons=hexagons)
            )
        return Response(holdings_layer(filterset.qs, zoom, hexagons=hexagons))


class FacilitiesLayerView(APIView):
    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=list(FACILITY_MODELS))],
                   responses={200: {"type": "array", "items": {"type": "object"}}})  # fmt: skip
    def get(self, request: AuthenticatedRequest) -> Response:
        kind = request.query_params.get("kind", "")
        if kind not in FACILITY_MODELS:
            raise exceptions.ValidationError(
                {"kind": [_("Use one of: {choices}.").format(choices=" / ".join(FACILITY_MODELS))]}
            )
        return Response(facilities_layer(request.user, kind))


class SpecialistsLayerView(APIView):
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})  # a list
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(specialists_layer(request.user))


def _ring(text: str) -> list[tuple[float, float]]:
    """ "lat,lon;lat,lon;…" → points; 3 to 200 of them, inside the world's ranges."""
    try:
        pairs = [[float(v) for v in pair.split(",")] for pair in text.split(";") if pair]
    except ValueError as error:
        raise exceptions.ValidationError(
            {"polygon": [_("Write the polygon as “lat,lon;lat,lon;…”.")]}
        ) from error
    if not 3 <= len(pairs) <= 200 or any(len(p) != 2 for p in pairs):
        raise exceptions.ValidationError({"polygon": [_("A polygon has 3 to 200 vertices.")]})
    points = [(lat, lon) for lat, lon in pairs]
    if any(not (-90 <= lat <= 90 and -180 <= lon <= 180) for lat, lon in points):
        raise exceptions.ValidationError(
            {"polygon": [_("A vertex lies outside the valid coordinate range.")]}
        )
    return points


class InsideView(APIView):
    """How much of each type lies inside a rectangle (south/west/north/east) or a polygon
    (`polygon=lat,lon;lat,lon;…`) drawn on the map."""

    @extend_schema(
        parameters=[
            *[OpenApiParameter(n, float) for n in ("south", "west", "north", "east")],
            OpenApiParameter("polygon", str, description="lat,lon;lat,lon;… (3–200 vertices)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        if polygon := request.query_params.get("polygon"):
            try:
                types = inside_polygon(_filtered_holdings(request), _ring(polygon))
            except AreaTooLarge as error:
                raise exceptions.ValidationError(
                    {"polygon": [_("The area holds too many records; draw a smaller one.")]}
                ) from error
            return Response({"types": types})
        south, north = (_number(request, n, -90, 90) for n in ("south", "north"))
        west, east = (_number(request, n, -180, 180) for n in ("west", "east"))
        if south > north or west > east:
            raise exceptions.ValidationError(
                {"south": [_("South must be below north and west left of east.")]}
            )
        return Response(
            {"types": inside_rectangle(_filtered_holdings(request), south, west, north, east)}
        )
