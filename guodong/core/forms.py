from __future__ import annotations

from django import forms


def style_widgets(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)
