from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from guodong.divisions.choices import DivisionLevel
from guodong.divisions.choosers import choose_division
from guodong.orgs.forms import ScopedModelForm
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import (
    CivilDefenceWork,
    Holding,
    ResourceType,
    Siren,
    Specialist,
    Warehouse,
)
from guodong.registry.models.facilities import Facility
from guodong.registry.models.verification import Outcome


def _division_field(form: forms.BaseForm, user: Any, lowest: int = DivisionLevel.GRID) -> None:
    choose_division(form, "division", user, min_level=DivisionLevel.COUNTY, max_level=lowest)


class HoldingForm(ScopedModelForm):
    confirm_location = forms.BooleanField(
        label=_("The location is right"),
        required=False,
        help_text=_("Tick when the point lies outside the division's county on purpose."),
    )

    class Meta:
        model = Holding
        fields = [
            "type", "quantity_total", "quantity_available", "condition", "readiness", "owner_kind",
            "owner", "owner_name", "division", "address", "latitude", "longitude",
            "contact_name", "contact_phone", "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        types = ResourceType.objects.filter(level=CatalogueLevel.TYPE, retired_in__isnull=True)
        type_field = cast("forms.ModelChoiceField[ResourceType]", self.fields["type"])
        type_field.queryset = types.order_by("path")
        type_field.label_from_instance = lambda t: (  # type: ignore[method-assign, assignment]
            f"{t.category.name if t.category else ''} · {t.name}（{t.unit}）"
        )
        self.fields["owner_name"].required = False
        self.fields["owner_name"].help_text = _("For a person; a unit's name is filled in for you.")
        _division_field(self, user)


class SpecialistForm(ScopedModelForm):
    qualifications = forms.ModelMultipleChoiceField(
        label=_("qualifications"),
        required=False,
        queryset=ResourceType.objects.filter(
            level=CatalogueLevel.TYPE, category__code="HR"
        ).order_by("path"),
    )

    class Meta:
        model = Specialist
        fields = ["name", "id_number", "phone", "employer", "division", "availability", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _division_field(self, user)
        if self.instance.pk:
            del self.fields["qualifications"]


class FacilityForm(ScopedModelForm):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        _division_field(self, user)


def facility_form(model: type[Facility]) -> type[FacilityForm]:
    extras: dict[type[Facility], list[str]] = {
        CivilDefenceWork: ["kind", "area_m2", "capacity_persons"],
        Siren: ["kind", "model_name", "last_tested_at"],
        Warehouse: ["kind", "area_m2"],
    }
    extra = extras[model]
    fields = [
        "name",
        *extra,
        "division",
        "address",
        "latitude",
        "longitude",
        "managing_unit",
        "status",
        "notes",
    ]
    widgets = {
        "notes": forms.Textarea(attrs={"rows": 2}),
        "last_tested_at": forms.DateInput(attrs={"type": "date"}),
    }
    meta = type("Meta", (), {"model": model, "fields": fields, "widgets": widgets})
    return type(f"{model.__name__}Form", (FacilityForm,), {"Meta": meta})


class UploadForm(forms.Form):
    file = forms.FileField(label=_("file (.xlsx or .csv)"))
    encoding = forms.ChoiceField(
        label=_("encoding of a CSV file"),
        choices=[
            ("auto", _("Detect automatically")),
            ("utf-8", "UTF-8"),
            ("gb18030", "GBK / GB18030"),
        ],
        initial="auto",
    )


class VerificationResultForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=[c for c in Outcome.choices if c[0] != Outcome.PENDING]
    )
    found_total = forms.DecimalField(
        label=_("total found"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    found_available = forms.DecimalField(
        label=_("available found"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(label=_("photo"), required=False)
