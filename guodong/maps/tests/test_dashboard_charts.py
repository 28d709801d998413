"""The home dashboard draws every card it promises, and never adds up unlike units."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from django.template.defaultfilters import floatformat
from django.utils import translation

from conftest import client_for, sign_in
from guodong.maps.dashboard import dashboard_tables
from guodong.registry.models import Holding, ResourceType
from guodong.registry.potential import quantities_text

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.mark.django_db
def test_category_card_counts_holdings_and_gives_quantities_per_unit(city_staff):
    table = next(t for t in dashboard_tables(city_staff) if t.key == "categories")
    holdings = Holding.objects.visible_to(city_staff)
    supplies = ResourceType.objects.get(level=1, code="SUP")
    row = next(r for r in table.rows if r[0] == supplies.name)
    assert row[1] == holdings.filter(category=supplies).count()
    per_unit = {
        unit: total
        for unit, total in holdings.filter(category=supplies)
        .order_by()
        .values_list("type__unit")
        .annotate(total=Sum("quantity_available"))
    }
    assert len(per_unit) > 1, "the demo's supplies come in several units"
    assert row[3] == quantities_text(per_unit)
    # Each unit once, with its own figure; no grand sum of 顶 + 床 + 吨 anywhere in the row.
    parts = row[3].split("；")
    assert len(parts) == len(per_unit)
    grand = sum(per_unit.values(), Decimal(0))
    assert all(str(int(grand)) not in str(v).replace(",", "") for v in row[1:])


def test_quantities_text_keeps_units_apart():
    with translation.override("zh-hans"):
        text = quantities_text(
            {"顶": Decimal("1200.00"), "床": Decimal(3000), "吨": Decimal("2.50")}
        )
    # Grouped as the page groups figures (the Chinese locale writes no thousands separator).
    assert sorted(text.replace(",", "").split("；")) == sorted(["3000 床", "2.50 吨", "1200 顶"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_open_demands_and_missions_cards_draw_their_charts(page, live_server, dispatched_missions):
    sign_in(page, live_server.url, "city_staff")
    page.goto(f"{live_server.url}/")
    for key in ("demands", "missions", "categories"):
        chart = page.locator(f".dashboard-chart[data-key={key}]")
        assert chart.count() == 1, f"the {key} card has figures, so it has a chart"
        chart.locator("svg").first.wait_for()
        # Drawn: the chart holds bars (paths), not an empty 240 px box.
        assert chart.locator("svg path").count() > 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("[data-testid=dashboard]").screenshot(path=str(ARTIFACTS / "dashboard.png"))


@pytest.mark.django_db
def test_potential_page_gives_a_category_per_unit(nanhu_staff):
    """The potential query's category rows read "… 顶；… 床", never one sum of unlike units."""
    page = client_for(nanhu_staff).get("/registry/potential/").content.decode()
    supplies = ResourceType.objects.get(level=1, code="SUP")
    holdings = Holding.objects.visible_to(nanhu_staff).filter(category=supplies).order_by()
    per_unit = dict(holdings.values_list("type__unit").annotate(total=Sum("quantity_available")))
    assert len(per_unit) > 1
    with translation.override("zh-hans"):
        expected = quantities_text(per_unit)
    assert expected in page
    grand = sum(per_unit.values(), Decimal(0))
    assert f">{floatformat(grand, '-2g')}<" not in page
