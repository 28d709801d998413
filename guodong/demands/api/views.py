"""Demands through the API: submit, take workflow steps, attach files, EDXL-RM intake. The same
services and rules as the pages; matching and dispatch are added by guodong.matching.api."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import decorators, exceptions
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response

from guodong.core.actors import Actor, AuthenticatedRequest
from guodong.core.api import ScopedViewSet
from guodong.core.services import require_permission
from guodong.demands.api.serializers import DemandSerializer
from guodong.demands.choices import Source
from guodong.demands.edxl.exchange import import_message
from guodong.demands.filtersets import DemandFilterSet
from guodong.demands.models import Demand
from guodong.demands.services import STEP_RECORDS, attach, create_demand, transition
from guodong.divisions.models import Division

XML = "application/xml; charset=utf-8"


class RawXMLParser(BaseParser):
    """The message's bytes, unparsed: only the hardened EDXL-RM reader may parse them."""

    media_type = "*/xml"

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> Any:  # the body's bytes (DRF types a parser's result as a mapping)
        return stream.read()


def _create_demand(user: Actor, fields: dict[str, Any]) -> Demand:
    lines = fields.pop("lines")
    return create_demand(user, fields, lines, source=Source.API)


class DemandViewSet(ScopedViewSet):
    """Demands: submit, take workflow steps, attach files; EDXL-RM intake."""

    model = Demand
    serializer_class = DemandSerializer
    filterset_class = DemandFilterSet
    create_service = staticmethod(_create_demand)
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Demand]:
        return super().get_queryset().prefetch_related("lines")

    @decorators.action(detail=True, methods=["post"])
    def transition(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """`{"action": "analyse|verify|approve|close|reject|cancel", "reason": "…"}`; analysis
        gives `analysis_conclusion` (and `analysis_notes`), the on-site check `site_findings`
        (photos as multipart `photos`)."""
        action = str(request.data.get("action", ""))
        record = {name: str(request.data.get(name, "")) for name in STEP_RECORDS.get(action, ())}
        demand = transition(request.user, self.get_object(), action,
                            str(request.data.get("reason", "")), record=record,
                            photos=request.FILES.getlist("photos"))  # fmt: skip
        return Response(self.get_serializer(demand).data)

    @decorators.action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Attach files (multipart field `file`, repeatable): PDF, images, Word, Excel, text."""
        demand = self.get_object()
        files = request.FILES.getlist("file")
        if not files:
            raise exceptions.ValidationError({"file": [_("Attach at least one file.")]})
        names = [attach(request.user, demand, upload).name for upload in files]
        return Response({"attached": names}, status=201)

    @decorators.action(detail=False, methods=["post"], url_path="edxl")
    def edxl(self, request: AuthenticatedRequest) -> Response:
        """Receive an EDXL-RM RequestResource or RequisitionResource (the XML as the body, or
        a `message` file), handled by `?division=` (default: your own) and `?exercise=1`; a
        message marked as an exercise is one without it."""
        # The role is checked before the body is read, so a malformed body from a role that may
        # not submit is a 403, not a parse error.
        require_permission(request.user, "demands.submit")
        data: Any = request.data
        if not isinstance(data, bytes):
            upload = data.get("message")
            data = upload.read() if upload else b""
        organization = request.user.organization
        division_id = request.query_params.get("division") or (
            organization.division_id if organization else None
        )
        valid_id = str(division_id).isdecimal() and len(str(division_id)) < 19
        divisions = Division.objects.visible_to(request.user)
        division = divisions.filter(pk=str(division_id)).first() if valid_id else None
        if division is None:
            raise exceptions.ValidationError(
                {"division": [_("This is outside your jurisdiction.")]}
            )
        exercise = request.query_params.get("exercise") == "1"
        demand = import_message(request.user, data, division=division, is_exercise=exercise)
        return Response(self.get_serializer(demand).data, status=201)

    def get_parsers(self) -> list[BaseParser]:
        if self.request is not None and self.request.path.endswith("/edxl/"):
            return [RawXMLParser(), MultiPartParser()]
        return super().get_parsers()
