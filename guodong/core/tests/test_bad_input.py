"""Bad query values never cause a server error (issue 10, section 4).

The probe walks every URL without path arguments whose view declares a FilterSet (pages, their
exports and API lists), plus the views that read the holdings filters themselves, and sends each
declared filter a set of bad values: never a 5xx, and an id or map-cell filter answers 400 in the
API and shows the field's error on a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import django_filters  # type: ignore[import-untyped]
import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.filterset import filterset_factory  # type: ignore[import-untyped]

from conftest import client_for
from guodong.core.filters import FilterSet, H3CellFilter, IdChoiceFilter, IdFilter
from guodong.registry.filtersets import HoldingFilterSet
from guodong.registry.models import Holding

pytestmark = pytest.mark.django_db

ID_VALUES = [
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "9223372036854775808",
    "-1.47e+76",
    "²",
    "١",
    "1e5",
]
CELL_VALUES = ["-1", "zz", "8f283082803ffff", "ffffffffffffffff", "99999999999999999999"]
OTHER_VALUES = ["abc", "99999999999999999999", "²", "\x00", "-1.47e+76"]

# Views that read the holdings filters without declaring a filterset_class.
HOLDING_FILTER_ROUTES = {
    "/registry/potential/": "page",
    "/api/v1/potential/": "api",
    "/api/v1/map/holdings/": "api",
    "/api/v1/map/inside/?south=30&west=120&north=31&east=121": "api",
    "/map/": "map",
}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _filterset_of(view_class: Any) -> Any:
    declared = getattr(view_class, "filterset_class", None)
    if declared is not None:
        return declared
    fields = getattr(view_class, "filterset_fields", None)
    if fields:
        model = getattr(view_class, "model", None) or view_class.serializer_class.Meta.model
        return filterset_factory(model, filterset=FilterSet, fields=fields)
    return None


def filtered_routes() -> list[tuple[str, str, type[django_filters.FilterSet]]]:
    """(url, kind, filterset) for every list page, export and API list with a filterset."""
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if "<" in route or "(?P" in route:
            continue
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        if actions is not None and actions.get("get") != "list":
            continue
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        filterset = _filterset_of(view_class) if view_class else None
        if filterset is None:
            continue
        url = "/" + route.replace("^", "").replace("$", "")
        if url.startswith("/api/"):
            routes.append((url, "api", filterset))
        else:
            routes.append((url, "page", filterset))
            routes.append((url + "?export=csv", "export", filterset))
    for url, kind in HOLDING_FILTER_ROUTES.items():
        routes.append((url, kind, HoldingFilterSet))
        if kind == "page":
            routes.append((url + "?export=csv", "export", HoldingFilterSet))
    return routes


def _get(client: Any, url: str, name: str, value: str) -> Any:
    joiner = "&" if "?" in url else "?"
    return client.get(url + joiner + urlencode({name: value}))


def _strict(filter_: django_filters.Filter) -> bool:
    return isinstance(filter_, IdFilter | IdChoiceFilter | H3CellFilter)


def test_the_probe_finds_the_lists_and_their_id_filters() -> None:
    urls = {url for url, _kind, _fs in filtered_routes()}
    assert {"/registry/holdings/", "/api/v1/holdings/", "/divisions/", "/api/v1/users/"} <= urls
    assert "/registry/potential/?export=csv" in urls
    strict = {
        (url, name)
        for url, _kind, filterset in filtered_routes()
        for name, filter_ in filterset.base_filters.items()
        if _strict(filter_)
    }
    assert ("/api/v1/resource-types/", "parent") in strict
    assert ("/api/v1/divisions/", "parent") in strict
    assert ("/registry/holdings/", "h3") in strict


@pytest.mark.parametrize(
    ("url", "kind", "filterset"),
    filtered_routes(),
    ids=[f"{kind}:{url}" for url, kind, _fs in filtered_routes()],
)
def test_bad_filter_values_never_cause_a_server_error(
    nanhu_staff: Any, url: str, kind: str, filterset: type[django_filters.FilterSet]
) -> None:
    client = client_for(nanhu_staff)
    client.raise_request_exception = False
    for name, filter_ in filterset.base_filters.items():
        strict = _strict(filter_)
        values = CELL_VALUES if isinstance(filter_, H3CellFilter) else ID_VALUES
        for value in values if strict else OTHER_VALUES:
            response = _get(client, url, name, value)
            where = f"{url} {name}={value!r}"
            assert response.status_code < 500, where
            if not strict:
                continue
            if kind == "api":
                assert response.status_code == 400, where
                assert name in response.json(), where
            elif kind in ("page", "export"):
                assert response.status_code == 200, where
                assert response["Content-Type"].startswith("text/html"), where
                assert 'data-testid="filter-errors"' in response.content.decode(), where


def test_potential_query_names_a_bad_category_and_division(city_staff: Any) -> None:
    client = client_for(city_staff)
    for name in ("category", "division"):
        api = client.get(f"/api/v1/potential/?{name}=abc")
        assert api.status_code == 400
        assert "abc" in api.json()[name][0]
        page = client.get(f"/registry/potential/?{name}=abc").content.decode()
        assert 'data-testid="filter-errors"' in page and "abc" in page
        export = client.get(f"/registry/potential/?{name}=abc&export=csv")
        assert export["Content-Type"].startswith("text/html")


def test_potential_query_still_defaults_to_the_users_area(nanhu_staff: Any) -> None:
    body = client_for(nanhu_staff).get("/api/v1/potential/").json()
    assert body["division"] == nanhu_staff.organization.division_id


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/divisions/?parent=99999999999999999999", "parent"),
        ("/api/v1/users/?organization=-1.47e+76", "organization"),
        ("/api/v1/holdings/?division=²", "division"),
        ("/api/v1/holdings/?owner=1e5", "owner"),
        ("/api/v1/holdings/?h3=-1", "h3"),
        ("/api/v1/holdings/?h3=8f283082803ffff", "h3"),
        ("/api/v1/organizations/?within_division=0", "within_division"),
        ("/api/v1/duty-items/?organization=9223372036854775808", "organization"),
        ("/api/v1/resource-types/?parent=99999999999999999999", "parent"),
        ("/api/v1/map/holdings/?h3=-1", "h3"),
    ],
)
def test_api_names_a_bad_id_or_cell(city_staff: Any, url: str, field: str) -> None:
    response = client_for(city_staff).get(url)
    assert response.status_code == 400
    assert field in response.json()


def test_holdings_page_shows_a_bad_cell_beside_its_filter(city_staff: Any) -> None:
    page = client_for(city_staff).get("/registry/holdings/?h3=-1").content.decode()
    assert 'data-testid="filter-errors"' in page
    assert "“-1”" in page


def test_a_valid_cell_still_narrows_the_holdings(city_staff: Any) -> None:
    import h3

    holding = Holding.objects.exclude(h3_cell__isnull=True).first()
    assert holding is not None
    cell = h3.cell_to_parent(h3.int_to_str(holding.h3_cell), 7)
    body = client_for(city_staff).get(f"/api/v1/holdings/?h3={cell}").json()
    assert body["count"] >= 1
    assert holding.pk in {row["id"] for row in body["results"]} or body["count"] > 50


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/holdings/99999999999999999999/",
        "/api/v1/organizations/99999999999999999999/",
        "/api/v1/divisions/9223372036854775808/",
        "/api/v1/holdings/abc/",
        "/registry/holdings/99999999999999999999/",
        "/organizations/99999999999999999999/edit/",
        "/divisions/99999999999999999999/history/",
    ],
)
def test_out_of_range_path_ids_are_not_found(city_staff: Any, url: str) -> None:
    client = client_for(city_staff)
    client.raise_request_exception = False
    assert client.get(url).status_code == 404


def test_database_refuses_more_exercise_reservation_than_available() -> None:
    holding = Holding.objects.filter(quantity_available__gt=0).first()
    assert holding is not None
    table = Holding._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET quantity_reserved_exercise = quantity_available + 1 WHERE id = %s",
            [holding.pk],
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET quantity_reserved_exercise = -1 WHERE id = %s",
            [holding.pk],
        )


@pytest.mark.parametrize(
    "url",
    [
        "/divisions/?parent=²",
        "/registry/imports/template.xlsx?category=²",
        "/registry/imports/upload/?assignment=²",
        "/registry/verification/add/?division=²",
    ],
)
def test_views_reading_an_id_themselves_ignore_a_bad_one(city_staff: Any, url: str) -> None:
    client = client_for(city_staff)
    client.raise_request_exception = False
    assert client.get(url).status_code in (200, 403)


def test_an_export_with_a_bad_filter_shows_the_error_instead(city_staff: Any) -> None:
    response = client_for(city_staff).get("/registry/holdings/?owner=-1&export=csv")
    assert response["Content-Type"].startswith("text/html")
    assert "“-1”" in response.content.decode()


def test_generated_relation_filters_offer_only_visible_rows(nanhu_staff: Any) -> None:
    from guodong.divisions.models import Division

    xiuzhou = Division.objects.get(code="330411")
    response = client_for(nanhu_staff).get(f"/demands/floors/?division={xiuzhou.pk}")
    assert 'data-testid="filter-errors"' in response.content.decode()


def _shelter(division_id: int, **fields: object) -> dict[str, object]:
    return {
        "name": "大桥镇中心人员掩蔽工程",
        "kind": "shelter",
        "area_m2": "3200",
        "capacity_persons": "2000",
        "division": division_id,
        "status": "in_service",
        **fields,
    }


HUGE = [10**20, 2**63, 2**31]


@pytest.mark.parametrize("value", HUGE)
def test_api_refuses_numbers_beyond_what_both_databases_hold(nanhu_staff: Any, value: int) -> None:
    from guodong.divisions.models import Division

    town = Division.objects.get(code="330402105", effective_to__isnull=True)
    client = client_for(nanhu_staff)
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/civil-defence-works/",
        _shelter(town.pk, capacity_persons=value, area_m2=value),
        content_type="application/json",
    )
    assert response.status_code == 400
    # 2^31 m² fits the area's 12 digits; only the persons' integer column is too narrow.
    bad = {"capacity_persons", "area_m2"} if value > 10**12 else {"capacity_persons"}
    assert bad <= set(response.json())
    if value < 10**12:
        return  # a quantity of 2^31 fits the holdings' 14 digits
    holding = Holding.objects.visible_to(nanhu_staff, "change").first()
    assert holding is not None
    patched = client.patch(
        f"/api/v1/holdings/{holding.pk}/",
        {"quantity_total": value, "quantity_available": value},
        content_type="application/json",
    )
    assert patched.status_code == 400
    assert "quantity_total" in patched.json()


@pytest.mark.parametrize("value", HUGE)
def test_pages_refuse_numbers_beyond_what_both_databases_hold(nanhu_staff: Any, value: int) -> None:
    from guodong.divisions.models import Division

    town = Division.objects.get(code="330402105", effective_to__isnull=True)
    client = client_for(nanhu_staff)
    client.raise_request_exception = False
    response = client.post("/registry/works/add/", _shelter(town.pk, capacity_persons=value))
    assert response.status_code == 200
    assert "capacity_persons" in response.context["form"].errors


def test_lowering_available_below_exercise_reservations_is_refused_clearly(
    nanhu_staff: Any,
) -> None:
    holding = (
        Holding.objects.visible_to(nanhu_staff, "change")
        .filter(quantity_available__gte=5, quantity_reserved=0)
        .first()
    )
    assert holding is not None
    Holding.objects.filter(pk=holding.pk).update(quantity_reserved_exercise=5)
    client = client_for(nanhu_staff)
    client.raise_request_exception = False
    response = client.patch(
        f"/api/v1/holdings/{holding.pk}/",
        {"quantity_available": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "exercises have reserved" in str(response.json()) or "演练" in str(response.json())
    holding.refresh_from_db()
    assert holding.quantity_available >= 5
