"""Map layers: aggregates add up to the registry, and they are scoped."""

import h3
import pytest

from conftest import client_for
from guodong.divisions.h3cells import cell_of, descendant_range, parent_of
from guodong.registry.models import CivilDefenceWork, Holding

pytestmark = pytest.mark.django_db


def test_sql_parent_cells_match_the_h3_library():
    cell = cell_of(30.7525, 120.7555)
    assert cell is not None
    for resolution in range(4, 10):
        expected = h3.str_to_int(h3.cell_to_parent(h3.int_to_str(cell), resolution))
        assert parent_of(cell, resolution) == expected
        low, high = descendant_range(expected)
        assert low <= cell <= high


@pytest.mark.parametrize("zoom", [8, 10, 12, 14])
def test_layer_sums_equal_the_registry(city_staff, zoom):
    body = client_for(city_staff).get(f"/api/v1/map/holdings/?zoom={zoom}").json()
    holdings = Holding.objects.visible_to(city_staff).exclude(h3_cell=None)
    assert body["total"] == sum(c["count"] for c in body["cells"]) == holdings.count() > 0
    assert round(sum(c["available"] for c in body["cells"]), 2) == float(
        sum(h.quantity_available for h in holdings)
    )
    assert all(c["fresh"] + c["ageing"] + c["stale"] == c["count"] for c in body["cells"])


def test_filters_change_the_layer(city_staff):
    client = client_for(city_staff)
    everything = client.get("/api/v1/map/holdings/?zoom=10").json()["total"]
    stale = client.get("/api/v1/map/holdings/?zoom=10&freshness=stale").json()["total"]
    transport = Holding.objects.visible_to(city_staff).filter(category__code="TRN")[0].category_id
    by_category = client.get(f"/api/v1/map/holdings/?zoom=10&category={transport}").json()["total"]
    assert 0 < stale < everything and 0 < by_category < everything


def test_a_popup_link_lists_the_cells_holdings(city_staff):
    client = client_for(city_staff)
    cell = client.get("/api/v1/map/holdings/?zoom=10").json()["cells"][0]
    listed = client.get(f"/api/v1/holdings/?h3={cell['cell']}&page_size=500").json()["count"]
    assert listed == cell["count"]


def test_district_map_shows_only_the_district(nanhu_staff, city_staff):
    client = client_for(nanhu_staff)
    body = client.get("/api/v1/map/holdings/?zoom=10").json()
    assert (
        body["total"]
        == Holding.objects.visible_to(nanhu_staff).count()
        < Holding.objects.visible_to(city_staff).count()
    )
    boundaries = client.get("/api/v1/map/boundaries/").json()["features"]
    assert [f["properties"]["name"] for f in boundaries] == ["南湖区"]
    city = client_for(city_staff).get("/api/v1/map/boundaries/").json()["features"]
    assert {f["properties"]["name"] for f in city} >= {"嘉兴市", "南湖区", "秀洲区", "桐乡市"}
    shelters = client.get("/api/v1/map/facilities/?kind=shelter").json()
    assert {s["id"] for s in shelters} == set(
        CivilDefenceWork.objects.visible_to(nanhu_staff)
        .exclude(latitude=None)
        .values_list("pk", flat=True)
    )
    specialists = client.get("/api/v1/map/specialists/").json()
    assert [s["county"] for s in specialists] == ["南湖区"]
    assert "name" not in specialists[0], "no personal data on the map"


def test_inside_a_rectangle(city_staff):
    client = client_for(city_staff)
    types = client.get("/api/v1/map/inside/?south=30.5&west=120.5&north=31.0&east=121.0").json()[
        "types"
    ]
    inside = Holding.objects.visible_to(city_staff).filter(
        latitude__gte=30.5, latitude__lte=31.0, longitude__gte=120.5, longitude__lte=121.0
    )
    assert sum(t["count"] for t in types) == inside.count()
    bad = client.get("/api/v1/map/inside/?south=31&west=120&north=30&east=121")
    assert bad.status_code == 400 and "south" in bad.json()
    assert client.get("/api/v1/map/inside/?south=x&west=1&north=2&east=3").status_code == 400
    assert client.get("/api/v1/map/facilities/?kind=bunker").status_code == 400


def test_choosing_a_type_gives_a_hexagon_heat_layer(city_staff):
    holding = Holding.objects.visible_to(city_staff).exclude(h3_cell=None)[0]
    body = (
        client_for(city_staff).get(f"/api/v1/map/holdings/?zoom=10&type={holding.type_id}").json()
    )
    assert body["cells"] and all(len(c["outline"]) == 6 for c in body["cells"])
    expected = (
        Holding.objects.visible_to(city_staff).filter(type=holding.type).exclude(h3_cell=None)
    )
    assert round(sum(c["available"] for c in body["cells"]), 2) == float(
        sum(h.quantity_available for h in expected)
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "freshness=stale",
        "freshness=ageing",
        "readiness=h24",
        "owner_kind=member_unit",
        "category=TRN",
        "type=TRN.FRT.COLD",
        "division=330402105",
    ],
)
def test_the_snapshot_answers_like_sql(city_staff, query):
    from guodong.divisions.models import Division
    from guodong.maps.layers import holdings_layer, holdings_layer_from_snapshot
    from guodong.registry.filtersets import HoldingFilterSet
    from guodong.registry.models import ResourceType

    key, _, value = query.partition("=")
    params = {}
    if key in ("category", "type"):
        value = str(ResourceType.objects.get(code=value).pk)
    if key == "division":
        value = str(Division.objects.get(code=value, effective_to__isnull=True).pk)
    if key:
        params[key] = value
    request = type("Request", (), {"user": city_staff})()
    filterset = HoldingFilterSet(
        params, queryset=Holding.objects.visible_to(city_staff), request=request
    )
    assert filterset.is_valid()
    cleaned = dict(filterset.form.cleaned_data)
    if cleaned.get("category"):
        cleaned["category"] = ResourceType.objects.get(pk=cleaned["category"])
    for zoom in (9, 12):
        sql = holdings_layer(filterset.qs, zoom)
        fast = holdings_layer_from_snapshot(city_staff, cleaned, zoom)
        assert fast["total"] == sql["total"]
        by_cell = {c["cell"]: c for c in sql["cells"]}
        for cell in fast["cells"]:
            expected = by_cell[cell["cell"]]
            assert (cell["count"], cell["fresh"], cell["stale"]) == (
                expected["count"],
                expected["fresh"],
                expected["stale"],
            )
            assert cell["available"] == pytest.approx(expected["available"])


def test_the_snapshot_follows_edits_merges_and_new_holdings(nanhu_staff):
    from decimal import Decimal

    from guodong.matching.snapshot import SNAPSHOT
    from guodong.registry.services import create_holding, merge_holdings, update_holding

    client = client_for(nanhu_staff)

    def total():
        return client.get("/api/v1/map/holdings/?zoom=12").json()

    before = total()
    holding = Holding.objects.visible_to(nanhu_staff).exclude(h3_cell=None)[0]
    fields = {
        "type": holding.type,
        "quantity_total": Decimal(5),
        "quantity_available": Decimal(5),
        "condition": "good",
        "readiness": "h24",
        "owner_kind": holding.owner_kind,
        "owner": holding.owner,
        "owner_name": holding.owner_name,
        "division": holding.division,
        "latitude": holding.latitude,
        "longitude": holding.longitude,
    }
    twin = create_holding(nanhu_staff, fields, confirm_location=True)
    after_create = total()
    assert after_create["total"] == before["total"] + 1

    def cell_of_twin(layer):
        assert twin.h3_cell is not None
        key = format(parent_of(twin.h3_cell, layer["resolution"]), "x")
        return next(c for c in layer["cells"] if c["cell"] == key)

    before_update = cell_of_twin(after_create)["available"]
    update_holding(nanhu_staff, twin, {"quantity_available": Decimal(1)})
    assert cell_of_twin(total())["available"] == pytest.approx(before_update - 4)
    merge_holdings(nanhu_staff, holding, twin)
    assert total()["total"] == before["total"]
    assert SNAPSHOT.sequence > 0


def test_inside_a_polygon(city_staff):
    client = client_for(city_staff)
    triangle = "30.5,120.5;31.0,120.5;30.5,121.0"
    types = client.get(f"/api/v1/map/inside/?polygon={triangle}").json()["types"]
    candidates = Holding.objects.visible_to(city_staff).filter(
        latitude__gte=30.5, latitude__lte=31.0, longitude__gte=120.5, longitude__lte=121.0
    )
    # Below the line from (31.0, 120.5) to (30.5, 121.0): lat - 30.5 < 121.0 - lon.
    points = [(h.latitude or 0.0, h.longitude or 0.0) for h in candidates]  # the filter sets both
    expected = len([1 for lat, lon in points if lat - 30.5 < 121.0 - lon])
    assert sum(t["count"] for t in types) == expected > 0
    for bad in ("30,120;31,121", "x,1;2,3;4,5", "95,120;31,121;30,121"):
        response = client.get(f"/api/v1/map/inside/?polygon={bad}")
        assert response.status_code == 400 and "polygon" in response.json()
