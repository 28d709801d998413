"""The home dashboard's tables: each is also a chart, an xlsx export and a set of links."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guodong.core.actors import Actor
from guodong.demands.choices import ENDED, DemandStatus
from guodong.demands.models import Demand
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.models import Division
from guodong.maps.boundaries import jurisdiction_division
from guodong.missions.choices import OPEN_MISSIONS, MissionStatus
from guodong.missions.models import Mission
from guodong.registry.choices import CatalogueLevel, Freshness
from guodong.registry.freshness import freshness_q
from guodong.registry.models import Holding, ResourceType, SurveyCampaign, VerificationTask
from guodong.registry.models.surveys import AssignmentStatus, CampaignStatus
from guodong.registry.models.verification import TaskStatus
from guodong.registry.potential import quantities_text

WORST_TOWNSHIPS = 10


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # one per row: the records behind it


def _holdings_url(**params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("holding_list") + (f"?{query}" if query else "")


def potential_by_category(user: Actor) -> Table:
    """Holdings (条目) and fresh ones per category, and the available quantities per unit: a
    category holds tents in 顶 and quilts in 床, which are never added up."""
    holdings = Holding.objects.visible_to(user).order_by()
    counts = {
        category_id: (n, fresh)
        for category_id, n, fresh in holdings.values_list("category_id").annotate(
            n=Count("*"), fresh=Count("pk", filter=freshness_q(Freshness.FRESH))
        )
    }
    by_unit: dict[int, dict[str, Decimal]] = {}
    for category_id, unit, available in holdings.values_list("category_id", "type__unit").annotate(
        available=Sum("quantity_available")
    ):
        by_unit.setdefault(category_id, {})[unit or ""] = available or Decimal(0)
    table = Table(
        "categories",
        _("Holdings by category"),
        [_("category"), _("holdings"), _("fresh"), _("available quantity by unit")],
    )
    for category in ResourceType.objects.filter(level=CatalogueLevel.CATEGORY).order_by("path"):
        if counts.get(category.pk, (0, 0))[0]:
            quantities = quantities_text(by_unit.get(category.pk, {}))
            table.rows.append([category.name, *counts[category.pk], quantities])
            table.links.append(_holdings_url(category=category.pk))
    return table


PathCounts = list[tuple[str, int, int]]


def holdings_per_path(user: Actor) -> PathCounts:
    """(division path, holdings, stale holdings): one grouped query, shared by the dashboard's
    tables by area (grouped by the holding's own path, so no lookup of the divisions follows)."""
    return list(
        Holding.objects.visible_to(user)
        .order_by()
        .values_list("division_path")
        .annotate(n=Count("*"), stale=Count("pk", filter=freshness_q(Freshness.STALE)))
    )


def _holdings_and_stale_per_area(rows: PathCounts, areas: list[Division]) -> dict[int, list[int]]:
    """area id → [holdings, stale holdings], rolled up from the counts per path: an area holds
    a path when the area's own path is one of its "/"-ended prefixes (areas do not overlap)."""
    area_of = {area.path: area.pk for area in areas}
    sums: dict[int, list[int]] = {}
    for path, n, stale in rows:
        end = path.find("/", 1)
        while end != -1:
            if (area_id := area_of.get(path[: end + 1])) is not None:
                counts = sums.setdefault(area_id, [0, 0])
                counts[0] += n
                counts[1] += stale
                break
            end = path.find("/", end + 1)
    return sums


def potential_by_division(user: Actor, rows: PathCounts | None = None) -> Table:
    """Holdings in each division one level below the root of the user's jurisdiction (counties
    for a city, provinces for the whole country)."""
    table = Table(
        "divisions", _("Holdings by division"), [_("division"), _("holdings"), _("stale")]
    )
    if user.jurisdiction_path is None:
        return table
    home = jurisdiction_division(user)
    below = home.children.all() if home else Division.objects.filter(parent__isnull=True)
    children = list(below.filter(effective_to__isnull=True).order_by("code"))
    sums = _holdings_and_stale_per_area(holdings_per_path(user) if rows is None else rows, children)
    for child in children:
        if child.pk in sums:
            table.rows.append([child.name, *sums[child.pk]])
            table.links.append(_holdings_url(division=child.pk))
    return table


def freshness_mix(user: Actor) -> Table:
    counts = Holding.objects.visible_to(user).aggregate(
        **{state.value: Count("pk", filter=freshness_q(state)) for state in Freshness}
    )  # one pass over the rows rather than one per state
    table = Table("freshness", _("Freshness of the data"), [_("freshness"), _("holdings")])
    for state in Freshness:
        table.rows.append([str(state.label), counts[state.value]])
        table.links.append(_holdings_url(freshness=state.value))
    return table


def worst_townships(user: Actor, rows: PathCounts | None = None) -> Table:
    """Townships with the largest share of stale holdings: where to send the grid workers."""
    towns = {
        d.pk: d
        for d in Division.objects.visible_to(user).filter(
            level=DivisionLevel.TOWNSHIP, effective_to__isnull=True
        )
    }
    sums = _holdings_and_stale_per_area(
        holdings_per_path(user) if rows is None else rows, list(towns.values())
    )
    ranked = sorted(sums.items(), key=lambda item: (-item[1][1] / item[1][0], -item[1][1]))[
        :WORST_TOWNSHIPS
    ]
    table = Table(
        "worst",
        _("Townships with the most stale data"),
        [_("township"), _("holdings"), _("stale"), _("stale share")],
    )
    for town_id, (total, stale_count) in ranked:
        table.rows.append([towns[town_id].name, total, stale_count, f"{stale_count / total:.0%}"])
        table.links.append(_holdings_url(division=town_id, freshness=Freshness.STALE.value))
    return table


def survey_progress(user: Actor) -> Table:
    table = Table(
        "surveys", _("Survey campaigns"), [_("campaign"), _("submitted"), _("assignees"), _("late")]
    )
    today = timezone.localdate()
    campaigns = (
        SurveyCampaign.objects.visible_to(user)
        .filter(status=CampaignStatus.OPEN)
        .annotate(
            total=Count("assignments"),
            submitted=Count(
                "assignments", filter=Q(assignments__status=AssignmentStatus.SUBMITTED)
            ),
        )
    )
    for campaign in campaigns[:20]:
        late = campaign.total - campaign.submitted if campaign.deadline < today else 0
        table.rows.append([campaign.name, campaign.submitted, campaign.total, late])
        table.links.append(campaign.get_absolute_url())
    return table


def _by_status(key: str, title: str, queryset: Any, choices: Any, url_name: str) -> Table:
    table = Table(key, title, [_("status"), _("count")])
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("*")))
    for value, label in choices:
        if counts.get(value):
            table.rows.append([str(label), counts[value]])
            table.links.append(f"{reverse(url_name)}?status={value}")
    return table


def open_demands(user: Actor) -> Table:
    demands = Demand.objects.visible_to(user).exclude(status__in=ENDED)
    return _by_status(
        "demands", _("Open demands by status"), demands, DemandStatus.choices, "demand_list"
    )


def missions_by_status(user: Actor) -> Table:
    missions = Mission.objects.visible_to(user)
    return _by_status(
        "missions", _("Missions by status"), missions, MissionStatus.choices, "mission_list"
    )


def overdue(user: Actor) -> Table:
    """Verification tasks past their due date and missions past their report-by time."""
    table = Table("overdue", _("Overdue items"), [_("item"), _("due date"), _("assignee")])
    tasks = VerificationTask.objects.visible_to(user).filter(
        status=TaskStatus.OPEN, due_date__lt=timezone.localdate()
    )
    for task in tasks.select_related("assignee")[:20]:
        table.rows.append([task.title, task.due_date, str(task.assignee)])
        table.links.append(task.get_absolute_url())
    late = Mission.objects.visible_to(user).filter(
        status__in=OPEN_MISSIONS, report_by__lt=timezone.now()
    )
    for mission in late.order_by("report_by")[:20]:
        table.rows.append([_("Mission {code}").format(code=mission.code), mission.report_by,
                           mission.owner_name])  # fmt: skip
        table.links.append(mission.get_absolute_url())
    return table


def dashboard_tables(user: Actor) -> list[Table]:
    per_path = holdings_per_path(user)
    return [
        potential_by_category(user),
        potential_by_division(user, per_path),
        freshness_mix(user),
        worst_townships(user, per_path),
        survey_progress(user),
        open_demands(user),
        missions_by_status(user),
        overdue(user),
    ]
