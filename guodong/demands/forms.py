"""Demand forms: the demand, its lines, an EDXL-RM upload and the reserve floors."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guodong.accounts.models import User
from guodong.demands.models import Demand, DemandLine, ReserveFloor
from guodong.divisions.choosers import choose_division
from guodong.divisions.models import Division
from guodong.orgs.forms import ScopedModelForm
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import ResourceType


def choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """A model choice field of `form`, typed as such (form.fields holds plain Fields)."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def indented_name(resource_type: ResourceType) -> str:
    return str(resource_type.indented_name)


def home_division_id(user: User) -> int | None:
    return user.organization.division_id if user.organization else None


class DemandForm(forms.ModelForm[Demand]):
    class Meta:
        model = Demand
        fields = ["title", "requester", "requester_contact", "incident", "division", "is_exercise",
                  "stale_policy", "stale_penalty_km", "owner_cap_percent",
                  "township_cap_percent"]  # fmt: skip

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_division(self, "division", user, max_level=4)
        self.fields["division"].initial = home_division_id(user)
        self.fields["requester"].initial = user.organization.name if user.organization else ""


class LineForm(forms.ModelForm[DemandLine]):
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
        types = choice(self, "resource_type")
        types.queryset = ResourceType.objects.filter(
            level__in=[CatalogueLevel.KIND, CatalogueLevel.TYPE], retired_in__isnull=True
        ).order_by("path")
        types.label_from_instance = indented_name  # type: ignore[method-assign,assignment]
        choose_division(self, "destination_division", user, max_level=5)
        self.fields["report_by"].initial = (timezone.localtime() + dt.timedelta(hours=12)).strftime(
            "%Y-%m-%dT%H:00"
        )
        # No point given: the service takes the destination area's centre (demands.points);
        # the page fills it in when the area is chosen and lets the user pick on the map.
        for name in ("latitude", "longitude", "destination"):
            self.fields[name].required = False
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "any", "data-point": name})
        self.fields["destination_division"].widget.attrs["data-area"] = "1"
        # Zero or negative quantities reach the service, whose message names the line.
        self.fields["quantity"].widget.attrs.pop("min", None)
        quantity = cast(forms.IntegerField, self.fields["quantity"])
        quantity.min_value = None
        quantity.validators = []

    def clean_quantity(self) -> int:
        return int(self.cleaned_data["quantity"])


class ReserveFloorForm(ScopedModelForm):
    class Meta:
        model = ReserveFloor
        fields = ["division", "resource_type", "quantity", "note"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        choose_division(self, "division", user, max_level=4)
        choice(self, "resource_type").queryset = ResourceType.objects.filter(
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
        choose_division(self, "division", user, max_level=4)
        self.fields["division"].initial = home_division_id(user)
