"""Demands through the API: a demand with its lines."""

from __future__ import annotations

from rest_framework import serializers

from guodong.core.api import ScopedRelatedField
from guodong.demands.models import Demand, DemandLine
from guodong.demands.services import allowed_actions
from guodong.divisions.models import Division
from guodong.registry.models import ResourceType
from guodong.registry.models.catalogue import NameMatch


class DemandLineSerializer(serializers.ModelSerializer[DemandLine]):
    resource_type = serializers.PrimaryKeyRelatedField(queryset=ResourceType.objects.all())
    destination_division = ScopedRelatedField(queryset=Division.objects.all())
    quantity = serializers.IntegerField()  # the service explains a zero or negative quantity
    # Without a point the line goes to its area's centre, without a place to the area's name
    # (demands.services.with_default_point).
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    destination = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # Blank for a line entered on a page or through this API (nothing was resolved).
    name_match = serializers.ChoiceField(
        choices=NameMatch.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = DemandLine
        fields = ["id", "number", "resource_type", "min_capability", "quantity",
                  "destination_division", "destination", "latitude", "longitude", "report_by",
                  "priority", "readiness", "substitutes_ok", "requirements", "requested_name",
                  "candidate_types", "name_match"]  # fmt: skip
        # How an EDXL-RM name resolved is intake's record, not something a client sets.
        read_only_fields = ["id", "number", "requested_name", "candidate_types", "name_match"]


class DemandSerializer(serializers.ModelSerializer[Demand]):
    division = ScopedRelatedField(queryset=Division.objects.all())
    lines = DemandLineSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = ["id", "code", "title", "requester", "requester_contact", "incident",
                  "is_exercise", "division", "status", "status_reason", "stale_policy",
                  "stale_penalty_km", "owner_cap_percent", "township_cap_percent", "source",
                  "edxl_message_id", "unresolved_lines", "analysis_notes",
                  "analysis_conclusion", "site_findings", "created_at", "lines",
                  "allowed_actions"]  # fmt: skip
        read_only_fields = ["code", "status", "status_reason", "source", "edxl_message_id",
                            "unresolved_lines", "analysis_notes", "analysis_conclusion",
                            "site_findings", "created_at"]  # fmt: skip

    def get_allowed_actions(self, demand: Demand) -> list[str]:
        return allowed_actions(self.context["request"].user, demand)
