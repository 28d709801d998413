from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import decorators, exceptions, mixins, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from guodong.core.actors import AuthenticatedRequest
from guodong.core.api import ScopedViewSet
from guodong.core.models import ScopedModel
from guodong.registry.api.serializers import (
    FACILITY_SERIALIZERS,
    CommitSerializer,
    HoldingSerializer,
    ImportJobSerializer,
    ResourceTypeSerializer,
    SpecialistSerializer,
    SynonymsSerializer,
    TypeCreateSerializer,
    UploadSerializer,
)
from guodong.registry.catalogue import add_type, retire_type, set_synonyms
from guodong.registry.choices import CatalogueLevel
from guodong.registry.filtersets import (
    CivilDefenceWorkFilterSet,
    HoldingFilterSet,
    SirenFilterSet,
    SpecialistFilterSet,
    WarehouseFilterSet,
)
from guodong.registry.models import (
    CivilDefenceWork,
    Holding,
    ImportJob,
    ResourceType,
    Siren,
    Specialist,
    Warehouse,
)
from guodong.registry.services import (
    commit_import,
    confirm_own_holdings,
    create_facility,
    create_holding,
    create_specialist,
    discard_import,
    reveal,
    start_import,
    update_facility,
    update_holding,
    update_specialist,
)
from guodong.registry.views.potential import build_table, contents_of


class ResourceTypeViewSet(viewsets.ReadOnlyModelViewSet[ResourceType]):
    """The resource catalogue; `urn` is the EDXL-RM TypeStructure value. Administrators at city
    level or above add types under a kind and retire them; each change is a catalogue version."""

    request: AuthenticatedRequest
    serializer_class = ResourceTypeSerializer
    filterset_fields = ["level", "parent", "category", "code"]

    def get_queryset(self) -> QuerySet[ResourceType]:
        return ResourceType.objects.visible_to(self.request.user).order_by("path")

    @extend_schema(request=TypeCreateSerializer, responses=ResourceTypeSerializer)
    def create(self, request: Request) -> Response:
        form = TypeCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        created = add_type(request.user, parent=fields.pop("parent"), **fields)
        return Response(self.get_serializer(created).data, status=201)

    @extend_schema(request=None, responses=ResourceTypeSerializer)
    @decorators.action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        resource_type = self.get_object()
        if resource_type.level != CatalogueLevel.TYPE or resource_type.retired_in is not None:
            raise exceptions.ValidationError({"level": [_("Only a type in force can be retired.")]})
        return Response(self.get_serializer(retire_type(request.user, resource_type)).data)

    @extend_schema(request=SynonymsSerializer, responses=ResourceTypeSerializer)
    @decorators.action(detail=True, methods=["post"])
    def synonyms(self, request: Request, pk: str | None = None) -> Response:
        """Replace the synonyms EDXL-RM intake resolves to this kind or type (a new version)."""
        form = SynonymsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        node = set_synonyms(request.user, self.get_object(), form.validated_data["synonyms"])
        return Response(self.get_serializer(node).data)


def _holding_create(user: Any, fields: dict[str, Any]) -> Holding:
    confirm = fields.pop("confirm_location", False)
    return create_holding(user, fields, confirm_location=confirm)


def _holding_update(user: Any, holding: Holding, fields: dict[str, Any]) -> Holding:
    confirm = fields.pop("confirm_location", False)
    return update_holding(user, holding, fields, confirm_location=confirm)


class RevealMixin:
    reveal_fields: tuple[str, ...] = ()
    if TYPE_CHECKING:  # given by the viewset this is mixed into

        def get_object(self) -> ScopedModel: ...

    @extend_schema(
        request=None,
        responses={200: {"type": "object", "additionalProperties": {"type": "string"}}},
    )
    @decorators.action(detail=True, methods=["post"])
    def reveal(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Personal data in clear, for roles allowed to see it; every call is logged."""
        return Response(reveal(request.user, self.get_object(), list(self.reveal_fields)))


class HoldingViewSet(RevealMixin, ScopedViewSet):
    model = Holding
    serializer_class = HoldingSerializer
    filterset_class = HoldingFilterSet
    create_service = staticmethod(_holding_create)
    update_service = staticmethod(_holding_update)
    reveal_fields = ("contact_phone",)

    @extend_schema(
        request=None,
        responses={
            200: {
                "type": "object",
                "properties": {"confirmed": {"type": "integer"}},
                "required": ["confirmed"],
            }
        },
    )
    @decorators.action(detail=False, methods=["post"], url_path="confirm-own")
    def confirm_own(self, request: AuthenticatedRequest) -> Response:
        """A member-unit reporter confirms all of their unit's holdings are accurate."""
        return Response({"confirmed": confirm_own_holdings(request.user)})


def _specialist_create(user: Any, fields: dict[str, Any]) -> Specialist:
    return create_specialist(user, fields)


class SpecialistViewSet(RevealMixin, ScopedViewSet):
    model = Specialist
    serializer_class = SpecialistSerializer
    filterset_class = SpecialistFilterSet
    create_service = staticmethod(_specialist_create)
    update_service = staticmethod(update_specialist)
    reveal_fields = ("id_number", "phone")


def facility_viewset(
    model: type[CivilDefenceWork] | type[Siren] | type[Warehouse], filterset: type
) -> type[ScopedViewSet]:
    def create(user: Any, fields: dict[str, Any]) -> Any:
        return create_facility(user, model, fields)

    attrs = {
        "model": model,
        "serializer_class": FACILITY_SERIALIZERS[model],
        "filterset_class": filterset,
        "create_service": staticmethod(create),
        "update_service": staticmethod(update_facility),
    }
    return type(f"{model.__name__}ViewSet", (ScopedViewSet,), attrs)


CivilDefenceWorkViewSet = facility_viewset(CivilDefenceWork, CivilDefenceWorkFilterSet)
SirenViewSet = facility_viewset(Siren, SirenFilterSet)
WarehouseViewSet = facility_viewset(Warehouse, WarehouseFilterSet)


class ImportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ImportJob],
):
    """Upload a filled template (.xlsx or .csv); poll the job; then commit or discard."""

    request: AuthenticatedRequest
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.visible_to(self.request.user)

    @extend_schema(request=UploadSerializer, responses=ImportJobSerializer)
    def create(self, request: AuthenticatedRequest) -> Response:
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        job = start_import(
            request.user, upload.validated_data["file"], encoding=upload.validated_data["encoding"]
        )
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=201)

    @extend_schema(request=CommitSerializer, responses=ImportJobSerializer)
    @decorators.action(
        detail=True, methods=["post"], parser_classes=[JSONParser, FormParser, MultiPartParser]
    )
    def commit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        choice = CommitSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        job = commit_import(
            request.user, self.get_object(), replace=choice.validated_data["replace"]
        )
        # The write ran when the commit's transaction ended (inline in tests): read it again.
        return Response(ImportJobSerializer(ImportJob.objects.get(pk=job.pk)).data)

    @decorators.action(detail=True, methods=["post"])
    def discard(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return Response(ImportJobSerializer(discard_import(request.user, self.get_object())).data)


class PotentialView(viewsets.ViewSet):
    """Totals of available and total quantity by catalogue node × division, for the same
    filters as the holdings list (category, division, readiness, freshness, owner_kind). Each
    cell also counts the specialists qualified for its row (`people`: available and
    registered persons), which those holding filters do not narrow."""

    @extend_schema(responses=OpenApiTypes.OBJECT, filters=False)
    def list(self, request: AuthenticatedRequest) -> Response:
        table, _filterset = build_table(request)
        return Response(
            {
                "category": table.node.pk if table.node else None,
                # What a chosen category or kind holds (发电装备: generator sets and power
                # vehicles), so a caller can narrow the query to one type (?type=).
                "contents": [
                    {"id": t.pk, "code": t.code, "name": t.name, "unit": t.unit}
                    for t in contents_of(table.node)
                ],
                "division": table.area.pk if table.area else None,
                "columns": [{"id": c.pk, "code": c.code, "name": c.name} for c in table.columns],
                "rows": [
                    {
                        "id": r.pk,
                        "name": r.name,
                        "unit": r.unit,
                        "cells": [
                            {
                                "division": c.pk,
                                "available": table.cell(r.pk, c.pk).available,
                                "total": table.cell(r.pk, c.pk).total,
                                "count": table.cell(r.pk, c.pk).count,
                                "people": {
                                    "available": int(table.people_cell(r.pk, c.pk).available),
                                    "registered": table.people_cell(r.pk, c.pk).count,
                                },
                            }
                            for c in table.columns
                        ],
                    }
                    for r in table.rows
                ],
                "total": {
                    "available": table.grand_total.available,
                    "total": table.grand_total.total,
                    "count": table.grand_total.count,
                },
            }
        )
