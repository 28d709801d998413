"""Demand forms: the demand, its lines, an EDXL-RM upload and the reserve floors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guodong.accounts.models import User
from guodong.demands.models import Demand, DemandLine, ReserveFloor
from guodong.divisions.models import Division
from guodong.orgs.forms import ScopedModelForm
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import ResourceType


class DemandForm(forms.ModelForm):
    class Meta:
        model = Demand
        fields = ["title", "requester", "requester_contact", "incident", "division", "is_exercise",
                  "stale_policy", "stale_penalty_km", "owner_cap_percent",
                  "township_cap_percent"]  # fmt: skip

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.visible_to(user).filter(level__lte=4)
        self.fields["division"].initial = user.organization.division_id
        self.fields["requester"].initial = user.organization.name


class LineForm(forms.ModelForm):
    report_by = forms.DateTimeField(
        label=_("report by"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = DemandLine
        fields = ["resource_type", "min_capability", "quantity", "destination_division",
                  "destination", "latitude", "longitude", "report_by", "priority", "readiness",
                  "substitutes_ok", "requirements"]  # fmt: skip
        widgets = {"requirements": forms.TextInput()}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource_type"].queryset = ResourceType.objects.filter(
            level__in=[CatalogueLevel.KIND, CatalogueLevel.TYPE], retired_in__isnull=True
        ).order_by("path")
        self.fields["resource_type"].label_from_instance = lambda t: t.indented_name
        self.fields["destination_division"].queryset = Division.objects.visible_to(user).filter(
            level__lte=5
        )
        self.fields["report_by"].initial = (timezone.localtime() + dt.timedelta(hours=12)).strftime(
            "%Y-%m-%dT%H:00"
        )
        # Zero or negative quantities reach the service, whose message names the line.
        self.fields["quantity"].widget.attrs.pop("min", None)
        self.fields["quantity"].min_value = None
        self.fields["quantity"].validators = []

    def clean_quantity(self) -> int:
        return self.cleaned_data["quantity"]


class ReserveFloorForm(ScopedModelForm):
    class Meta:
        model = ReserveFloor
        fields = ["division", "resource_type", "quantity", "note"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["division"].queryset = self.fields["division"].queryset.filter(level__lte=4)
        self.fields["resource_type"].queryset = ResourceType.objects.filter(
            level=CatalogueLevel.TYPE, retired_in__isnull=True
        ).order_by("path")


class EdxlForm(forms.Form):
    message = forms.FileField(label=_("EDXL-RM message (XML)"))
    division = forms.ModelChoiceField(
        label=_("handling jurisdiction"), queryset=Division.objects.none()
    )
    is_exercise = forms.BooleanField(label=_("exercise"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.visible_to(user).filter(level__lte=4)
        self.fields["division"].initial = user.organization.division_id
