"""Mission forms: a reason or progress note, and the handover receipt."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guodong.demands.models import MAX_QUANTITY
from guodong.missions.models import Allocation


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


class HandoverForm(forms.Form):
    received_by = forms.CharField(label=_("received by"), max_length=100)
    received_at = forms.DateTimeField(
        label=_("received at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    condition = forms.CharField(label=_("condition"), max_length=200, initial=_("intact"))
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.TextInput())

    def __init__(self, *args: Any, items: list[Allocation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=gettext("{type} (allocated {n})").format(
                    type=item.holding.type.name, n=item.quantity
                ),
                initial=item.quantity,
                min_value=0,
                max_value=MAX_QUANTITY,
            )

    def quantities(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}
