from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guodong.divisions.models import Division


class GridForm(forms.Form):
    local_code = forms.CharField(
        label=_("grid code"), max_length=20, help_text=_("Letters and digits, e.g. G01.")
    )
    name = forms.CharField(label=_("name"), max_length=100)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        kwargs.pop("instance", None)
        super().__init__(*args, **kwargs)


class DivisionForm(forms.ModelForm[Division]):
    class Meta:
        model = Division
        fields = ["name", "effective_from", "source"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
