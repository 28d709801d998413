"""Routes of the maps app (dashboard, map page, layers), for the scope check."""

from __future__ import annotations

from typing import Any

from guodong.core.actors import Actor
from guodong.core.testing.routes import LAYER, PAGE, register
from guodong.demands.models import Demand
from guodong.divisions.models import Division
from guodong.missions.models import Mission
from guodong.registry.models import CivilDefenceWork, Holding, Siren, Specialist, Warehouse

WORLD = "south=-90&west=-180&north=90&east=180"


def _holding_total(user: Actor, response: Any) -> list[str]:
    """The holdings layer counts exactly the holdings the user sees that have a cell."""
    drawn = response.json()["total"]
    visible = Holding.objects.visible_to(user).filter(h3_cell__isnull=False).count()
    return [] if drawn == visible else [f"draws {drawn} holdings, the user sees {visible}"]


def _inside_total(user: Actor, response: Any) -> list[str]:
    counted = sum(row["count"] for row in response.json()["types"])
    visible = (
        Holding.objects.visible_to(user)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .count()
    )
    return [] if counted == visible else [f"counts {counted} holdings, the user sees {visible}"]


def _specialist_total(user: Actor, response: Any) -> list[str]:
    counted = sum(row["count"] for row in response.json())
    visible = Specialist.objects.visible_to(user).count()
    return [] if counted <= visible else [f"counts {counted} specialists, the user sees {visible}"]


def _areas_visible(user: Actor, response: Any) -> list[str]:
    """The polygons drawn as areas are divisions the user sees (the outline around a township
    user's area is their county's: a basemap line, not a row)."""
    areas = {
        f["properties"]["id"]
        for f in response.json()["features"]
        if f["properties"]["role"] == "area"
    }
    if not user.is_superuser and user.jurisdiction_path is not None:
        hidden = areas - set(
            Division.objects.visible_to(user).filter(pk__in=areas).values_list("pk", flat=True)
        )
        if hidden:
            return [f"draws divisions outside the user's view: {sorted(hidden)}"]
    return []


def _rows_count_at_most(model: Any, column: int = 1) -> Any:
    """An exported dashboard table counts no more rows of `model` than the user sees."""

    def check(user: Actor, response: Any) -> list[str]:
        from guodong.core.testing.scopecheck import export_rows

        rows = export_rows(response)[1:]
        counted = sum(int(float(row[column] or 0)) for row in rows)
        visible = model.objects.visible_to(user).count()
        return [] if counted <= visible else [f"counts {counted} rows, the user sees {visible}"]

    return check


register("home", PAGE)
register("map", PAGE)
for _key, _model in (("categories", Holding), ("divisions", Holding), ("freshness", Holding),
                     ("worst", Holding), ("demands", Demand), ("missions", Mission)):  # fmt: skip
    register("dashboard_export", PAGE, kwargs={"key": _key}, check=_rows_count_at_most(_model))
register("dashboard_export", PAGE, kwargs={"key": "surveys"})
register("dashboard_export", PAGE, kwargs={"key": "overdue"})
register("map_boundaries", LAYER, check=_areas_visible)
register("map_holdings", LAYER, check=_holding_total)
register("map_holdings", LAYER, query="zoom=12", check=_holding_total)
register("map_inside", LAYER, query=WORLD, check=_inside_total)
register("map_specialists", LAYER, check=_specialist_total)
for _kind, _facility in (("shelter", CivilDefenceWork), ("siren", Siren), ("warehouse", Warehouse)):
    register("map_facilities", LAYER, _facility, query=f"kind={_kind}")
