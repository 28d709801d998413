from __future__ import annotations

from typing import Any

from rest_framework import serializers

from guodong.core.api import ScopedRelatedField
from guodong.divisions.models import Division
from guodong.orgs.models import Organization
from guodong.registry.choices import CapabilityLevel, CatalogueLevel
from guodong.registry.models import (
    CivilDefenceWork,
    ImportJob,
    ResourceType,
    Siren,
    Specialist,
    Warehouse,
)
from guodong.registry.models.holdings import Holding


class ResourceTypeSerializer(serializers.ModelSerializer[ResourceType]):
    urn = serializers.CharField(read_only=True)

    class Meta:
        model = ResourceType
        fields = [
            "id",
            "code",
            "urn",
            "name",
            "level",
            "parent",
            "category",
            "unit",
            "capability_level",
            "metrics",
            "synonyms",
            "freshness_days",
            "introduced_in",
            "retired_in",
        ]
        read_only_fields = fields


class SynonymsSerializer(serializers.Serializer[dict[str, Any]]):
    """The other names of a kind or type, replacing the current list (an empty list clears it)."""

    synonyms = serializers.ListField(
        child=serializers.CharField(max_length=60), max_length=50, allow_empty=True
    )


class TypeCreateSerializer(serializers.Serializer[dict[str, Any]]):
    """A new type under a kind; the service checks the code and the caller's right."""

    # The API's field is called "parent"; DRF's Field.parent (the enclosing serializer) is a
    # different thing the stubs name the same.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=ResourceType.objects.filter(level=CatalogueLevel.KIND)
    )
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    unit = serializers.CharField(max_length=10)
    capability_level = serializers.ChoiceField(
        choices=CapabilityLevel.choices, allow_null=True, required=False, default=None
    )
    metrics = serializers.ListField(child=serializers.DictField(), required=False, default=list)


class HoldingSerializer(serializers.ModelSerializer[Holding]):
    owner = ScopedRelatedField(queryset=Organization.objects.all(), allow_null=True, required=False)
    division = ScopedRelatedField(queryset=Division.objects.all())
    contact_phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    contact_phone_masked = serializers.CharField(read_only=True)
    confirm_location = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = Holding
        fields = [
            "id",
            "type",
            "category",
            "quantity_total",
            "quantity_available",
            # Booked by approved matchings, real and exercise (read-only: missions book them).
            "quantity_reserved",
            "quantity_reserved_exercise",
            "condition",
            "readiness",
            "owner_kind",
            "owner",
            "owner_name",
            "division",
            "county",
            "address",
            "latitude",
            "longitude",
            "contact_name",
            "contact_phone",
            "contact_phone_masked",
            "notes",
            "last_verified_at",
            "verification_method",
            "confirm_location",
        ]
        read_only_fields = ["category", "county", "last_verified_at", "verification_method"]
        extra_kwargs = {"owner_name": {"required": False}}


class SpecialistSerializer(serializers.ModelSerializer[Specialist]):
    division = ScopedRelatedField(queryset=Division.objects.all())
    employer = ScopedRelatedField(
        queryset=Organization.objects.all(), allow_null=True, required=False
    )
    id_number = serializers.CharField(write_only=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    qualifications = serializers.SerializerMethodField()

    class Meta:
        model = Specialist
        fields = [
            "id",
            "name",
            "id_number",
            "id_number_masked",
            "phone",
            "phone_masked",
            "employer",
            "employer_name",
            "division",
            "availability",
            "qualifications",
            "notes",
        ]

    def get_qualifications(self, obj: Specialist) -> list[dict[str, Any]]:
        return [
            {"type": q.type_id, "name": q.type.name, "level": q.level}
            for q in obj.qualifications.all()
        ]


def facility_serializer(model: type) -> type[serializers.ModelSerializer[Any]]:
    meta = type("Meta", (), {"model": model, "exclude": ["division_path"]})
    attrs = {
        "Meta": meta,
        "division": ScopedRelatedField(queryset=Division.objects.all()),
        "managing_unit": ScopedRelatedField(
            queryset=Organization.objects.all(), allow_null=True, required=False
        ),
    }
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


FACILITY_SERIALIZERS = {m: facility_serializer(m) for m in (CivilDefenceWork, Siren, Warehouse)}


class CommitSerializer(serializers.Serializer[dict[str, Any]]):
    replace = serializers.BooleanField(
        default=True,
        help_text="Merge older holdings of the same owner, type and place into the new ones.",
    )


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "original_name",
            "encoding",
            "status",
            "total_rows",
            "valid_rows",
            "error_rows",
            "imported_rows",
            "repeated_rows",
            "replace_older",
            "replaced_holdings",
            "errors",
            "progress",
            "message",
            "created_at",
            "finished_at",
            "assignment",
        ]
        read_only_fields = fields

    def get_progress(self, obj: ImportJob) -> int:
        from guodong.registry.services import progress_of

        return progress_of(obj)


class UploadSerializer(serializers.Serializer[dict[str, Any]]):
    file = serializers.FileField()
    encoding = serializers.ChoiceField(choices=["auto", "utf-8", "gb18030"], default="auto")
