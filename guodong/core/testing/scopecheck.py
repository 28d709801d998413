"""Try every registered route as one persona and list what leaks (see `routes`).

Per route kind:

- DETAIL: an object outside the persona's view (the complement of `visible_to`) answers 404,
  one inside (visible for the route's action) answers 200.
- ACTION: a POST on an object outside the persona's view is refused (403, 404 or 405).
- LIST, EXPORT, LAYER, PAGE: never a server error; an API list's or layer's rows (`id`) are all
  visible; an export holds no more rows than the persona sees and none of the markers of rows
  they do not see.
- Every response: each link or URL in it that names an object of a registered route (HTML
  `href`/`src`/`action`/`hx-*`, JSON strings) names one the persona may see; an event shown
  (page or API) records an object the persona may see.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import urlsplit

from django.apps import apps
from django.db import models
from django.http import FileResponse, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from guodong.core.actors import Actor
from guodong.core.models import VIEW, Event, ScopeRules
from guodong.core.testing.routes import (
    ACTION,
    DETAIL,
    EXPORT,
    LAYER,
    LIST,
    OBJECT_KINDS,
    Route,
    by_name,
)

LINK = re.compile(r"""(?:href|src|action|hx-get|hx-post|data-url)\s*=\s*["']([^"']+)["']""")
ACTION_REFUSED = (403, 404, 405)


def check_persona(client: Client, user: Actor, routes: list[Route]) -> list[str]:
    """Every problem found trying `routes` as `user` (empty when nothing leaks)."""
    problems: list[str] = []
    for route in routes:
        try:
            problems += check_route(client, user, route)
        except Exception as error:  # one broken route must not hide what the others leak
            problems.append(f"{route.name} [{route.kind}]: {type(error).__name__}: {error}")
    return problems


def check_route(client: Client, user: Actor, route: Route) -> list[str]:
    if route.kind in OBJECT_KINDS:
        return _check_object_route(client, user, route)
    url = reverse(route.name, kwargs=route.url_kwargs()) + (
        f"?{route.query}" if route.query else ""
    )
    response = client.get(url)
    label = f"{route.name} [{route.kind}] {url}"
    if response.status_code >= 500:
        return [f"{label}: answered {response.status_code}"]
    if response.status_code != 200:
        return []
    problems = [f"{label}: {p}" for p in leaks(user, response, route)]
    if route.check is not None:
        problems += [f"{label}: {p}" for p in route.check(user, response)]
    return problems


def _check_object_route(client: Client, user: Actor, route: Route) -> list[str]:
    problems: list[str] = []
    rows = route.all_rows()
    seen = route.visible_rows(user, VIEW).values("pk")
    outside = rows.exclude(pk__in=seen).order_by("pk").first()
    if outside is not None:
        url = reverse(route.name, kwargs=route.url_kwargs(outside))
        response = client.post(url) if route.kind == ACTION else client.get(url)
        expected = ACTION_REFUSED if route.kind == ACTION else (404,)
        if response.status_code not in expected:
            problems.append(
                f"{route.name} [{route.kind}] {url}: {outside!r} is outside the persona's view "
                f"but answered {response.status_code}"
            )
    if route.kind != DETAIL:
        return problems
    inside = rows.filter(pk__in=route.visible_rows(user).values("pk")).order_by("pk").first()
    if inside is not None:
        url = reverse(route.name, kwargs=route.url_kwargs(inside))
        response = client.get(url)
        label = f"{route.name} [{route.kind}] {url}"
        if response.status_code not in route.inside_ok:
            problems.append(f"{label}: {inside!r} is inside but answered {response.status_code}")
        elif response.status_code == 200:
            problems += [f"{label}: {p}" for p in leaks(user, response, route)]
    return problems


def leaks(user: Actor, response: HttpResponseBase, route: Route) -> list[str]:
    """Objects in a response the user may not see."""
    content_type = response.get("Content-Type", "")
    body = body_of(response)
    found: dict[Route, set[int]] = defaultdict(set)
    problems: list[str] = []
    if "json" in content_type:
        data = json.loads(body or b"null")
        for text in _strings(data):
            _collect_link(text, found)
        # A list's or layer's rows are the route's model (a detail's nested rows are not).
        listed = route.kind in (LIST, LAYER) and route.model is not None
        if listed and (items := _items(data)) is not None:
            found[_id_route(route)] |= {i["id"] for i in items if isinstance(i.get("id"), int)}
    elif route.kind == EXPORT:
        problems += _export_leaks(user, body, content_type, route)
    else:
        html = body.decode("utf-8", "replace")
        for link in LINK.findall(html):
            _collect_link(link, found)
        problems += _choice_leaks(user, html)
    for target, pks in found.items():
        visible = set(
            target.visible_rows(user, VIEW).filter(pk__in=pks).values_list("pk", flat=True)
        )
        hidden = sorted(pks - visible)
        if hidden:
            problems.append(f"shows {target.name} objects outside the user's view: {hidden[:10]}")
        if target.model is Event:
            problems += invisible_event_objects(user, pks & visible)
    return problems


def _choice_models() -> dict[str, type[models.Model]]:
    """Form and filter fields whose options are rows of a scoped model, by field name."""
    from guodong.divisions.models import Division
    from guodong.orgs.models import Organization

    return {"division": Division, "organization": Organization, "owner": Organization,
            "unit": Organization, "parent": Organization}  # fmt: skip


SELECT = re.compile(r"<select[^>]*\bname=\"([^\"]+)\"[^>]*>(.*?)</select>", re.S)
OPTION = re.compile(r"<option[^>]*\bvalue=\"(\d+)\"")


def _choice_leaks(user: Actor, html: str) -> list[str]:
    """A drop-down of divisions or organizations offers only those the user may see."""
    problems = []
    for name, options in SELECT.findall(html):
        model = _choice_models().get(name.rsplit("-", 1)[-1])
        if model is None:
            continue
        offered = {int(pk) for pk in OPTION.findall(options)}
        visible = model.objects.visible_to(user).filter(pk__in=offered).values_list("pk", flat=True)  # type: ignore[attr-defined]
        if hidden := sorted(offered - set(visible)):
            problems.append(f"offers {len(hidden)} {name} choices outside the user's view")
    return problems


def invisible_event_objects(user: Actor, event_ids: set[int]) -> list[str]:
    """Events whose recorded object exists but is outside the user's view."""
    by_type: dict[str, dict[int, int]] = defaultdict(dict)
    for pk, object_type, object_id in Event.objects.filter(pk__in=event_ids).values_list(
        "pk", "object_type", "object_id"
    ):
        if object_id.isdigit():
            by_type[object_type][int(object_id)] = pk
    problems = []
    for object_type, objects in by_type.items():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            continue
        if ScopeRules not in model.__mro__:  # not a scoped model: nothing to judge by
            continue
        rows: Any = model._default_manager.filter(pk__in=objects)  # a ScopedQuerySet
        existing = set(rows.values_list("pk", flat=True))
        visible = set(rows.visible_to(user).values_list("pk", flat=True))
        if hidden := sorted(existing - visible):
            events = sorted(objects[pk] for pk in hidden)
            problems.append(
                f"shows events {events[:10]} of {object_type} {hidden[:10]} it cannot see"
            )
    return problems


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return []


def _items(data: Any) -> list[dict[str, Any]] | None:
    """The rows of an API list or a layer: a list of objects, or DRF's paginated `results`."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, list) and all(isinstance(item, dict) for item in data):
        return data
    return None


def _id_route(route: Route) -> Route:
    """The route whose visibility rule judges the ids a list route returns."""
    return Route(route.name, DETAIL, route.model, visible=route.visible)


def _collect_link(text: str, found: dict[Route, set[int]]) -> None:
    parts = urlsplit(text)
    if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
        return
    try:
        match = resolve(parts.path)
    except Resolver404:
        return
    for route in by_name().get(match.url_name or "", []):
        if route.kind in OBJECT_KINDS and route.kwargs is None:
            value = match.kwargs.get(route.lookup)
            if value is not None and str(value).isdigit():
                found[_id_route(route)].add(int(value))
            return


def export_rows(response: HttpResponseBase) -> list[list[str]]:
    """The cells of a CSV or xlsx response, as text."""
    return _export_rows(body_of(response), response.get("Content-Type", ""))


def body_of(response: HttpResponseBase) -> bytes:
    """The response's bytes, read once (a streamed export cannot be read twice)."""
    body: bytes | None = getattr(response, "scope_body", None)
    if body is None:
        if isinstance(response, StreamingHttpResponse | FileResponse):
            body = b"".join(cast("Iterator[bytes]", response.streaming_content))
        else:
            body = cast("HttpResponse", response).content
        setattr(response, "scope_body", body)  # noqa: B010 - a test-only cache on the response
    return body


def _export_rows(body: bytes, content_type: str) -> list[list[str]]:
    """The table of an export, its header row first: the caption above it (what, filters, who,
    when) ends at the first empty row (guodong.core.exports)."""
    if "spreadsheet" in content_type:
        # openpyxl has no type information: reached as a plain module.
        openpyxl: Any = importlib.import_module("openpyxl")
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        sheet = workbook.active
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    start = next((index + 1 for index, row in enumerate(rows) if not any(row)), 0)
    return rows[start:]


def _export_leaks(user: Actor, body: bytes, content_type: str, route: Route) -> list[str]:
    rows = _export_rows(body, content_type)[1:]
    visible = route.visible_rows(user, VIEW)
    problems = []
    if len(rows) > (count := visible.count()):
        problems.append(f"exports {len(rows)} rows, the user sees {count}")
    if route.marker:
        cells = {cell for row in rows for cell in row}
        everything = route.all_rows()
        outside = set(
            everything.exclude(pk__in=visible.values("pk")).values_list(route.marker, flat=True)
        ) - set(visible.values_list(route.marker, flat=True))
        if leaked := sorted(str(m) for m in outside if str(m) in cells):
            problems.append(f"exports rows outside the user's view: {leaked[:10]}")
    return problems


def models_of(routes: list[Route]) -> set[type[models.Model]]:
    return {route.model for route in routes if route.model is not None}
