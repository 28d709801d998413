"""The map draws what the user may see, by the one visibility rule (Holding.visibility), and
starts from the user's jurisdiction rather than their organization's place."""

import pytest

from conftest import client_for
from guodong.accounts.choices import Role
from guodong.accounts.models import User
from guodong.maps.dashboard import potential_by_division
from guodong.maps.layers import holdings_layer_from_snapshot
from guodong.matching.snapshot import SNAPSHOT, selection
from guodong.registry.models import Holding

pytestmark = pytest.mark.django_db


def drawn_ids(user) -> set[int]:
    columns = SNAPSHOT.current()
    return set(columns.ids[selection(columns, user, {})].tolist())


def listed_ids(user) -> set[int]:
    visible = Holding.objects.visible_to(user).filter(
        h3_cell__isnull=False, merged_into__isnull=True
    )
    return set(visible.values_list("pk", flat=True))


def test_an_inactive_user_draws_nothing(nanhu_staff):
    assert drawn_ids(nanhu_staff)
    nanhu_staff.is_active = False
    assert drawn_ids(nanhu_staff) == set()
    assert holdings_layer_from_snapshot(nanhu_staff, {}, 10)["total"] == 0


@pytest.mark.parametrize("persona", ["city_staff", "nanhu_staff", "grid_worker", "reporter"])
def test_the_map_draws_the_holdings_the_list_shows(persona, request):
    user = request.getfixturevalue(persona)
    assert drawn_ids(user) == listed_ids(user)


def test_a_role_limited_to_its_units_holdings_draws_only_them(reporter, monkeypatch):
    """Were a reporter's view of holdings narrowed to their unit's, the map would follow."""
    monkeypatch.setattr(
        Holding, "own_unit_only", classmethod(lambda cls, user, action: user.role == Role.REPORTER)
    )
    own = listed_ids(reporter)
    assert own and Holding.objects.filter(pk__in=own).exclude(owner=reporter.organization_id)\
        .count() == 0  # fmt: skip
    assert drawn_ids(reporter) == own


def test_a_role_rule_the_columns_cannot_express_is_read_from_the_queryset(nanhu_staff, monkeypatch):
    monkeypatch.setattr(
        Holding,
        "restrict_for_role",
        classmethod(lambda cls, queryset, user, action: queryset.filter(readiness="h2")),
    )
    narrowed = listed_ids(nanhu_staff)
    assert narrowed and drawn_ids(nanhu_staff) == narrowed


@pytest.fixture
def superuser_in_nanhu(nanhu_staff):
    """A platform superuser who belongs to 南湖区's office: their jurisdiction is everything."""
    return User.objects.create_superuser(
        "root_nanhu", password="x-Guodong-2026", organization=nanhu_staff.organization
    )


def test_map_and_dashboard_start_from_the_jurisdiction_not_the_organization(superuser_in_nanhu):
    client = client_for(superuser_in_nanhu)
    names = {
        f["properties"]["name"] for f in client.get("/api/v1/map/boundaries/").json()["features"]
    }
    assert "浙江省" in names and "南湖区" not in names
    table = potential_by_division(superuser_in_nanhu)
    assert [row[0] for row in table.rows] == ["浙江省"]
    assert table.rows[0][1] == Holding.objects.visible_to(superuser_in_nanhu).count()
    heading = client.get("/").content.decode().split('<h1 class="h3 mb-3">')[1].split("</h1>")[0]
    assert heading == "全国"
