from typing import Any

from rest_framework import serializers

from guodong.core.api import ScopedRelatedField
from guodong.divisions.models import Division
from guodong.orgs.models import EDITABLE_FIELDS, DutyItem, Organization


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    division = ScopedRelatedField(queryset=Division.objects.all())
    # The stubs type DRF's own Field.parent (the enclosing serializer); this is the model's.
    parent = ScopedRelatedField(  # type: ignore[assignment]
        queryset=Organization.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Organization
        fields = ["id", *EDITABLE_FIELDS]
        validators: list[Any] = []  # uniqueness is checked by the service, inside its transaction


class DutyItemSerializer(serializers.ModelSerializer[DutyItem]):
    organization = ScopedRelatedField(queryset=Organization.objects.all())

    class Meta:
        model = DutyItem
        fields = ["id", "organization", "title", "description", "cycle", "order"]
