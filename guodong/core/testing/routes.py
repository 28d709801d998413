"""Every route of the project, registered with what it exposes, so scope is tested structurally
(DESIGN.md §4.11, after NetBox's view tests).

Each app lists its routes in its own `<app>/scope_routes.py`, by URL name (moving a view does
not break its registration), and this module collects them::

    from guodong.core.testing.routes import DETAIL, EXPORT, LIST, register
    from guodong.registry.models import Holding

    register("holding_list", LIST, Holding)
    register("holding_list", EXPORT, Holding, query="export=csv")
    register("holding_detail", DETAIL, Holding)              # /registry/holdings/<pk>/
    register("holding_edit", DETAIL, Holding, action="change")
    register("holding-reveal", ACTION, Holding)              # a POST on one object
    exempt("import_template", "a blank template: no rows of anyone")

Kinds: LIST, EXPORT, LAYER and PAGE are read without an object and must not contain a row the
user cannot see; DETAIL is read with one object (404 outside the user's scope, 200 inside);
ACTION is posted to one object (refused, 403/404, outside the scope). An object-taking route
builds its URL from `kwargs(obj)` (default `{lookup: obj.pk}`); `visible(user)` says which rows
of `model` the user may see (default `model.objects.visible_to(user, action)`).

`guodong/core/tests/test_route_scope.py` fails for any URL pattern that is neither registered
nor exempted with a reason, and tries every registered route as every persona.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from guodong.core.actors import Actor
from guodong.core.models import VIEW

LIST, EXPORT, LAYER, PAGE, DETAIL, ACTION = "list", "export", "layer", "page", "detail", "action"
KINDS = (LIST, EXPORT, LAYER, PAGE, DETAIL, ACTION)
OBJECT_KINDS = (DETAIL, ACTION)
MODULE = "scope_routes"

Check = Callable[[Actor, Any], list[str]]


@dataclass(frozen=True)
class Route:
    """One way of reaching a URL name, and what it exposes."""

    name: str
    kind: str
    model: type[models.Model] | None = None
    # The URL's arguments for an object (DETAIL, ACTION) or fixed ones (a dashboard's key).
    kwargs: Callable[[Any], dict[str, Any]] | dict[str, Any] | None = None
    lookup: str = "pk"
    query: str = ""
    # The action whose visible rows count as "inside" (an edit page: "change").
    action: str = VIEW
    # Rows of `model` the user may see; default `model.objects.visible_to(user, action)`.
    visible: Callable[[Actor], models.QuerySet[Any]] | None = None
    # The objects this route accepts (a mission step only for missions, say); default all.
    candidates: Callable[[], models.QuerySet[Any]] | None = None
    # Answers accepted for an object inside the user's view (an XML status of a mission not
    # yet dispatched answers 400); never 404.
    inside_ok: tuple[int, ...] = (200,)
    # A field whose values name a row in an export (checked cell by cell).
    marker: str | None = None
    # An extra assertion on the response: a list of problems (empty when fine).
    check: Check | None = None

    def url_kwargs(self, obj: Any = None) -> dict[str, Any]:
        if callable(self.kwargs):
            return self.kwargs(obj)
        if self.kwargs is not None:
            return dict(self.kwargs)
        return {self.lookup: obj.pk} if obj is not None else {}

    def visible_rows(self, user: Actor, action: str | None = None) -> models.QuerySet[Any]:
        if self.visible is not None:
            return self.visible(user)
        assert self.model is not None, self.name
        rows: models.QuerySet[Any] = self.model.objects.visible_to(  # type: ignore[attr-defined]
            user, action or self.action
        )
        return rows

    def all_rows(self) -> models.QuerySet[Any]:
        if self.candidates is not None:
            return self.candidates()
        assert self.model is not None, self.name
        return self.model._default_manager.all()


_routes: list[Route] = []
_exempt: dict[str, str] = {}
_discovered = False


def register(name: str, kind: str, model: type[models.Model] | None = None, **options: Any) -> None:
    """Register one way of reaching the URL named `name` (see the module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"unknown route kind {kind!r}")
    if kind in OBJECT_KINDS and model is None and "visible" not in options:
        raise ValueError(f"{name}: an object route needs a model")
    _routes.append(Route(name, kind, model, **options))


def exempt(name: str, reason: str) -> None:
    """Leave the URL named `name` out of the scope check, saying why (no rows of anyone)."""
    if not reason.strip():
        raise ValueError(f"{name}: say why the route is exempt")
    _exempt[name] = reason


def discover() -> None:
    """Import every installed app's `scope_routes` module once."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for config in apps.get_app_configs():
        module = f"{config.name}.{MODULE}"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)


def registered() -> list[Route]:
    discover()
    return list(_routes)


def exemptions() -> dict[str, str]:
    discover()
    return dict(_exempt)


def by_name() -> dict[str, list[Route]]:
    routes: dict[str, list[Route]] = {}
    for route in registered():
        routes.setdefault(route.name, []).append(route)
    return routes


def _patterns(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def url_patterns(urlconf: str | None = None) -> list[tuple[str, str | None]]:
    """(pattern, name) of every URL the project serves. The DRF router's `.json`-style format
    suffix variants share their route's name, so a name covers them."""
    return list(_patterns(get_resolver(urlconf).url_patterns))


def unregistered(urlconf: str | None = None) -> list[str]:
    """The URL names that are neither registered nor exempted, each with its first pattern (a
    format-suffix variant shares its route's name); an unnamed pattern by its pattern."""
    known = set(by_name()) | set(exemptions())
    missing: dict[str, str] = {}
    for pattern, name in url_patterns(urlconf):
        if name is None:
            missing[pattern] = f"(unnamed): {pattern}"
        elif name not in known:
            missing.setdefault(name, f"{name}: {pattern}")
    return sorted(missing.values())
