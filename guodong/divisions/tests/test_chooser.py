"""The division chooser: every division field offers the user's jurisdiction by type-ahead."""

from __future__ import annotations

import re
from typing import Any

import django_filters  # type: ignore[import-untyped]
import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from guodong.accounts.models import User
from guodong.core.filters import IdField
from guodong.divisions.choosers import DivisionChooser
from guodong.divisions.models import Division

OPTION = re.compile(r"<option\b")
SELECT = re.compile(r'<select[^>]*name="division"[^>]*>(.*?)</select>', re.S)
# The floors page lists its own rows plus a few filters; a whole jurisdiction's divisions
# would be thousands of options (1,256 villages for the city, 43,327 for the country).
FEW_OPTIONS = 200


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["grid_worker", "city_staff"])
def test_reserve_floors_page_is_small_for_every_jurisdiction(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    response = signed_in(user).get(reverse("reservefloor_list"))
    assert response.status_code == 200
    html = response.content.decode()
    division_select = SELECT.search(html)
    assert division_select is not None
    # The empty choice only: the rest are searched for as the user types.
    assert len(OPTION.findall(division_select.group(1))) <= 1
    assert 'data-chooser-url="' in division_select.group(0)
    # The resource types' list stays; no list of divisions (it weighed 2 MB for an admin).
    assert len(OPTION.findall(html)) < FEW_OPTIONS + 100
    assert len(response.content) < 150_000


def test_chosen_division_stays_shown_in_the_filter(city_staff: User) -> None:
    daqiao = Division.objects.get(code="330402105", effective_to__isnull=True)
    response = signed_in(city_staff).get(reverse("reservefloor_list"), {"division": daqiao.pk})
    html = response.content.decode()
    assert f'<option value="{daqiao.pk}" selected>' in html
    assert 'value="大桥镇"' in html


def chosen(client: Client, **query: Any) -> list[dict[str, Any]]:
    response = client.get(reverse("division_choose"), query)
    assert response.status_code == 200
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_chooser_finds_daqiao_by_name_and_initials(city_staff: User) -> None:
    client = signed_in(city_staff)
    for typed in ("大桥", "dqz", "daqiao"):
        names = [row["label"] for row in chosen(client, q=typed)]
        assert "大桥镇" in names, typed
    row = next(r for r in chosen(client, q="大桥") if r["label"] == "大桥镇")
    assert row["context"].endswith("南湖区")


@pytest.mark.parametrize("persona", ["grid_worker", "nanhu_staff", "xiuzhou_staff", "reporter"])
@pytest.mark.parametrize("typed", ["", "大", "村", "33", "x", "新"])
def test_chooser_never_returns_a_division_outside_the_jurisdiction(
    persona: str, typed: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    ids = {row["id"] for row in chosen(signed_in(user), q=typed)}
    visible = set(Division.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    assert ids == visible


def test_xiuzhou_staff_cannot_find_daqiao(xiuzhou_staff: User) -> None:
    assert "大桥镇" not in [r["label"] for r in chosen(signed_in(xiuzhou_staff), q="大桥镇")]


def test_chooser_keeps_to_the_levels_asked(city_staff: User) -> None:
    rows = chosen(signed_in(city_staff), q="村", max_level=4)
    levels = set(
        Division.objects.filter(pk__in=[r["id"] for r in rows]).values_list("level", flat=True)
    )
    assert levels <= {1, 2, 3, 4}


def test_chooser_needs_sign_in(db: None) -> None:
    response = Client().get(reverse("division_choose"), {"q": "大桥"})
    assert response.status_code in (302, 403)


def test_filter_by_a_division_outside_the_jurisdiction_is_refused(xiuzhou_staff: User) -> None:
    daqiao = Division.objects.get(code="330402105", effective_to__isnull=True)
    response = signed_in(xiuzhou_staff).get(reverse("holding_list"), {"division": daqiao.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "大桥镇" not in html.split("<table")[0]


# ---- no division or organization is ever asked for as a raw number --------------------------

SCOPED_NAMES = ("division", "organization", "owner", "unit", "parent")


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def _import_every_module() -> None:
    import importlib
    import pkgutil

    import guodong

    for module in pkgutil.walk_packages(guodong.__path__, "guodong."):
        if ".tests" in module.name or module.name.endswith(("conftest", ".cli")):
            continue
        try:
            importlib.import_module(module.name)
        except Exception:  # a module that needs a service is no form's home
            continue


def _raw_number_fields(form: forms.BaseForm) -> list[str]:
    bad = []
    for name, field in form.fields.items():
        if name not in SCOPED_NAMES and not name.endswith(tuple(f"_{n}" for n in SCOPED_NAMES)):
            continue
        # A reference typed by hand (a measurement unit's name is text, not a reference).
        if not isinstance(field, forms.ModelChoiceField | IdField | forms.IntegerField):
            continue
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput):
            continue
        if isinstance(widget, forms.Select | DivisionChooser):
            continue
        if isinstance(widget, forms.NumberInput | forms.TextInput):
            bad.append(f"{type(form).__name__}.{name}")
    return bad


def test_no_filter_or_form_asks_for_a_division_or_organization_id(
    city_staff: User, rf: Any
) -> None:
    _import_every_module()
    request = rf.get("/")
    request.user = city_staff
    bad: list[str] = []
    checked = 0
    filterset_class: Any
    form_class: Any
    for filterset_class in _subclasses(django_filters.FilterSet):
        if (
            not filterset_class.__module__.startswith("guodong")
            or filterset_class._meta.model is None
        ):
            continue
        filterset = filterset_class(
            data={}, queryset=filterset_class._meta.model._default_manager.none(), request=request
        )
        bad += _raw_number_fields(filterset.form)
        checked += 1
    for form_class in _subclasses(forms.BaseForm):
        if not form_class.__module__.startswith("guodong") or "tests" in form_class.__module__:
            continue
        if issubclass(form_class, forms.ModelForm) and form_class._meta.model is None:
            continue
        try:
            form = form_class(user=city_staff)
        except TypeError:
            try:
                form = form_class()
            except TypeError:
                continue
        bad += _raw_number_fields(form)
        checked += 1
    assert checked > 20
    assert bad == []
