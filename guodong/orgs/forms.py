from __future__ import annotations

from typing import Any, cast

from django import forms

from guodong.divisions.choices import DivisionLevel
from guodong.divisions.choosers import choose_division
from guodong.orgs.models import EDITABLE_FIELDS, DutyItem, Organization


class ScopedModelForm(forms.ModelForm[Any]):
    """A model form whose foreign-key choices are limited to what the user can see."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                field.queryset = field.queryset.model.objects.visible_to(user)


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = EDITABLE_FIELDS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        choose_division(self, "division", user, max_level=DivisionLevel.GRID)
        if self.instance.pk:
            parent = cast("forms.ModelChoiceField[Organization]", self.fields["parent"])
            if parent.queryset is not None:
                parent.queryset = parent.queryset.exclude(pk=self.instance.pk)


class DutyItemForm(ScopedModelForm):
    class Meta:
        model = DutyItem
        fields = ["title", "description", "cycle", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
