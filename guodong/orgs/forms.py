from __future__ import annotations

from typing import Any

from django import forms

from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division
from guodong.orgs.models import EDITABLE_FIELDS, DutyItem, Organization


class ScopedModelForm(forms.ModelForm):
    """A model form whose foreign-key choices are limited to what the user can see."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = field.queryset.model.objects.visible_to(user)


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = EDITABLE_FIELDS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        divisions = Division.objects.visible_to(user).filter(
            effective_to__isnull=True, level__lte=DivisionLevel.GRID
        )
        self.fields["division"].queryset = divisions.order_by("path")
        self.fields["division"].label_from_instance = lambda d: f"{d.code} {d.name}"
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                pk=self.instance.pk
            )


class DutyItemForm(ScopedModelForm):
    class Meta:
        model = DutyItem
        fields = ["title", "description", "cycle", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
