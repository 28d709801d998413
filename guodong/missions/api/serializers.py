"""Missions, their items and matchings through the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from guodong.demands.models import MAX_QUANTITY
from guodong.missions.models import Allocation, MatchingRun, Mission
from guodong.missions.services import allowed_steps


class AllocationSerializer(serializers.ModelSerializer[Allocation]):
    holding_name = serializers.CharField(source="holding.__str__", read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "line", "holding", "holding_name", "quantity", "distance_m", "stale",
                  "state", "mission", "handed_quantity"]  # fmt: skip


class MatchingSerializer(serializers.ModelSerializer[MatchingRun]):
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = MatchingRun
        fields = [
            "id", "demand", "created_at", "cost_m", "rounds", "arcs", "candidates",
            "elapsed_ms", "approved_at", "superseded", "explanation", "allocations",
        ]  # fmt: skip


class MissionSerializer(serializers.ModelSerializer[Mission]):
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


class HandoverSerializer(serializers.Serializer[dict[str, Any]]):
    received_by = serializers.CharField(max_length=100)
    received_at = serializers.DateTimeField()
    condition = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    quantities = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY),
        required=False,
        default=dict,
    )

    def validate_quantities(self, value: dict[str, int]) -> dict[int, int]:
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError as error:
            raise serializers.ValidationError(_("Keys are allocation ids.")) from error
