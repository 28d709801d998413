"""The one division chooser of the platform: a type-ahead over the user's jurisdiction.

A `<select>` of every division the user may pick is far too long (43,327 divisions of China for
an administrator, 1,256 villages for city staff; the reserve-floor page weighed 2 MB). The
chooser renders only the chosen division as an option and a search box; `static/js/chooser.js`
asks `division_choose` (the same `visible_to` scoping, by name, code or pinyin) as the user
types and puts the picked division into the `<select>`. Forms and filters still validate the id
against the jurisdiction's queryset, so a hand-made id outside it is a form error.

Forms call `choose_division(form, name, user)`; filtersets declare `DivisionFilter(...)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor
from guodong.core.filters import IdChoiceFilter, id_or_none
from guodong.divisions.models import Division


def jurisdiction(
    user: Actor | None, min_level: int | None = None, max_level: int | None = None
) -> QuerySet[Division]:
    """Divisions in force inside the user's jurisdiction, between two levels."""
    if user is None:
        return Division.objects.none()
    rows = Division.objects.visible_to(user).filter(effective_to__isnull=True)
    if min_level is not None:
        rows = rows.filter(level__gte=min_level)
    if max_level is not None:
        rows = rows.filter(level__lte=max_level)
    return rows.order_by("path")


class DivisionChooser(forms.Select):
    """A `<select>` holding only the chosen division, with a search box the script fills."""

    template_name = "divisions/widgets/chooser.html"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        min_level: int | None = None,
        max_level: int | None = None,
    ) -> None:
        super().__init__(attrs)
        self.min_level = min_level
        self.max_level = max_level

    def search_url(self) -> str:
        levels = {"min_level": self.min_level, "max_level": self.max_level}
        query = urlencode({k: v for k, v in levels.items() if v is not None})
        return reverse("division_choose") + (f"?{query}" if query else "")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {**(attrs or {}), "data-chooser-url": self.search_url()}
        context = super().get_context(name, value, attrs)
        chosen = [
            option["label"]
            for _group, options, _index in context["widget"]["optgroups"]
            for option in options
            if option["selected"] and option["value"] not in ("", None)
        ]
        context["widget"].update(
            chosen_label=chosen[0] if chosen else "",
            script=static("js/chooser.js"),
            placeholder=_("Type a name, code or pinyin"),
        )
        return context

    def optgroups(
        self, name: str, value: list[str], attrs: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        """Only the empty choice and the chosen divisions: the rest are searched for."""
        wanted = {pk for pk in (id_or_none(v) for v in value) if pk is not None}
        options: list[tuple[Any, Any]] = []
        choices: Any = self.choices  # a model iterator or a list of pairs
        if isinstance(choices, ModelChoiceIterator):
            if choices.field.empty_label is not None:
                options.append(("", choices.field.empty_label))
            if wanted:
                rows = cast(QuerySet[Division], choices.queryset).filter(pk__in=wanted)
                options += [choices.choice(row) for row in rows]
        else:
            options += [
                (v, label) for v, label in cast(Iterable[tuple[Any, Any]], choices)
                if v in ("", None) or id_or_none(v) in wanted
            ]  # fmt: skip
        groups: list[tuple[str | None, list[dict[str, Any]], int | None]] = []
        for index, (option_value, label) in enumerate(options):
            key = "" if option_value is None else option_value
            selected = str(key) in value and key != ""
            option = self.create_option(name, key, label, selected, index, attrs=attrs)
            groups.append((None, [option], index))
        return groups


def choose_division(
    form: forms.BaseForm,
    name: str,
    user: Actor | None,
    *,
    min_level: int | None = None,
    max_level: int | None = None,
    queryset: QuerySet[Division] | None = None,
) -> forms.ModelChoiceField[Division]:
    """Make the form's division field a chooser over the user's jurisdiction (or `queryset`,
    which must lie inside it), keeping the attributes other scripts read (`data-area`)."""
    field = cast("forms.ModelChoiceField[Division]", form.fields[name])
    field.queryset = queryset if queryset is not None else jurisdiction(user, min_level, max_level)
    widget = DivisionChooser(field.widget.attrs, min_level=min_level, max_level=max_level)
    widget.choices = cast(Any, field.choices)
    widget.is_required = field.required
    field.widget = widget
    return field


def visible_divisions(request: Any) -> QuerySet[Division]:
    """A filter's divisions: the requesting user's jurisdiction."""
    return jurisdiction(getattr(request, "user", None))


class DivisionFilter(IdChoiceFilter):
    """A filter by one division of the user's jurisdiction, chosen by type-ahead; the filter's
    `method` (or field) receives the Division."""

    def __init__(
        self,
        *args: Any,
        min_level: int | None = None,
        max_level: int | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("queryset", visible_divisions)
        kwargs.setdefault("label", _("division"))
        kwargs["widget"] = DivisionChooser(min_level=min_level, max_level=max_level)
        super().__init__(*args, **kwargs)
