from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from guodong.core.api import ScopedRelatedField
from guodong.demands.matching import open_quantities
from guodong.demands.missions import allowed_steps
from guodong.demands.models import Allocation, Demand, DemandLine, MatchingRun, Mission
from guodong.demands.services import allowed_actions
from guodong.divisions.models import Division
from guodong.registry.models import ResourceType


class DemandLineSerializer(serializers.ModelSerializer):
    resource_type = serializers.PrimaryKeyRelatedField(queryset=ResourceType.objects.all())
    destination_division = ScopedRelatedField(queryset=Division.objects.all())
    quantity = serializers.IntegerField()  # the service explains a zero or negative quantity

    class Meta:
        model = DemandLine
        fields = ["id", "number", "resource_type", "min_capability", "quantity",
                  "destination_division", "destination", "latitude", "longitude", "report_by",
                  "priority", "readiness", "substitutes_ok", "requirements"]  # fmt: skip
        read_only_fields = ["id", "number"]


class DemandSerializer(serializers.ModelSerializer):
    division = ScopedRelatedField(queryset=Division.objects.all())
    lines = DemandLineSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField()
    open_quantities = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = ["id", "code", "title", "requester", "requester_contact", "incident",
                  "is_exercise", "division", "status", "status_reason", "stale_policy",
                  "stale_penalty_km", "owner_cap_percent", "township_cap_percent", "source",
                  "edxl_message_id", "created_at", "lines", "allowed_actions",
                  "open_quantities"]  # fmt: skip
        read_only_fields = ["code", "status", "status_reason", "source", "edxl_message_id",
                            "created_at"]  # fmt: skip

    def get_allowed_actions(self, demand: Demand) -> list[str]:
        return allowed_actions(self.context["request"].user, demand)

    def get_open_quantities(self, demand: Demand) -> dict[str, int]:
        return {str(k): v for k, v in open_quantities(demand).items()}


class AllocationSerializer(serializers.ModelSerializer):
    holding_name = serializers.CharField(source="holding.__str__", read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "line", "holding", "holding_name", "quantity", "distance_m", "stale",
                  "state", "mission", "handed_quantity"]  # fmt: skip


class MatchingSerializer(serializers.ModelSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = MatchingRun
        fields = [
            "id", "demand", "created_at", "cost_m", "rounds", "arcs", "candidates",
            "elapsed_ms", "approved_at", "superseded", "explanation", "allocations",
        ]  # fmt: skip


class MissionSerializer(serializers.ModelSerializer):
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)
    items = AllocationSerializer(source="allocations", many=True, read_only=True)
    allowed_steps = serializers.SerializerMethodField()

    class Meta:
        model = Mission
        fields = ["id", "code", "demand", "unit", "owner_name", "contact_name", "contact_phone",
                  "is_exercise", "status", "report_by", "dispatched_at", "acknowledged_at",
                  "decline_reason", "progress_note", "items", "allowed_steps"]  # fmt: skip

    def get_allowed_steps(self, mission: Mission) -> list[str]:
        return allowed_steps(self.context["request"].user, mission)


class HandoverSerializer(serializers.Serializer):
    received_by = serializers.CharField(max_length=100)
    received_at = serializers.DateTimeField()
    condition = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    quantities = serializers.DictField(
        child=serializers.IntegerField(), required=False, default=dict
    )

    def validate_quantities(self, value: dict[str, int]) -> dict[int, int]:
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError as error:
            raise serializers.ValidationError(_("Keys are allocation ids.")) from error
