"""Issue 11, blocker 3: a demand line needs no coordinates. Without a point it goes to the centre
of its destination area — a county's from its polygon, a township's or village's from what is
located there, else the area above's (and the page says whose) — on the page and in the API; an
empty optional line on the page is ignored without a word."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import client_for
from guodong.demands.models import Demand
from guodong.demands.points import division_centre, polygon_centres
from guodong.demands.tests.conftest import DAQIAO_VILLAGE, division, rtype
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.geo import county_code_at
from guodong.divisions.models import Division
from guodong.registry.models import CivilDefenceWork, Holding, Siren, Warehouse

pytestmark = pytest.mark.django_db


def _unlocated(area: Division) -> bool:
    return not any(
        model.objects.filter(division_path__startswith=area.path, latitude__isnull=False).exists()
        for model in (Holding, CivilDefenceWork, Siren, Warehouse)
    )


def test_every_level_has_a_centre_inside_its_county():
    county = division("330402")
    assert division_centre(county) is not None
    centre = division_centre(county)
    assert centre is not None and centre.of == county and centre.derived_from == 0
    assert (centre.latitude, centre.longitude) == polygon_centres(DivisionLevel.COUNTY)["330402"]
    assert county_code_at(centre.latitude, centre.longitude) == "330402"
    village = division(DAQIAO_VILLAGE)
    own = division_centre(village)
    assert own is not None and county_code_at(own.latitude, own.longitude) == "330402"
    # A village with nothing located in it takes the centre of the nearest area above that has.
    bare = next(
        v for v in Division.objects.filter(code__startswith="330402", level=DivisionLevel.VILLAGE)
        if _unlocated(v)
    )  # fmt: skip
    stand_in = division_centre(bare)
    assert stand_in is not None and stand_in.of.pk in bare.ancestor_ids()[:-1]
    assert f"（{bare.name}没有自己的点位）" in stand_in.describe(bare)


def test_the_page_defaults_the_point_and_ignores_an_empty_optional_line(nanhu_staff):
    village = division(DAQIAO_VILLAGE)
    centre = division_centre(village)
    assert centre is not None
    report_by = (timezone.localtime() + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "title": "大桥镇安置点帐篷保障", "requester": "南湖区人武部", "division": village.parent_id,
        "stale_policy": "penalize", "stale_penalty_km": "50",
        "line0-resource_type": rtype("SUP.SHE.TENT-12").pk, "line0-quantity": "3",
        "line0-destination_division": village.pk, "line0-report_by": report_by,
        "line0-priority": "3", "line0-readiness": "h72",
        # the second line: untouched, only its defaults
        "line1-priority": "3", "line1-readiness": "h72", "line1-report_by": report_by,
    }  # fmt: skip
    before = set(Demand.objects.values_list("pk", flat=True))
    answer = client_for(nanhu_staff).post("/demands/new/", form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    (created,) = Demand.objects.exclude(pk__in=before)
    (line,) = created.lines.all()
    assert (line.latitude, line.longitude) == (centre.latitude, centre.longitude)
    assert line.destination == village.name
    form["line0-quantity"] = "0"  # an error in line 1 must not bring "required" under line 2
    page = client_for(nanhu_staff).post("/demands/new/", form).content.decode()
    assert "第 1 行" in page and "该字段是必填项" not in page


def test_the_api_may_omit_the_point(liaison):
    village = division(DAQIAO_VILLAGE)
    centre = division_centre(village)
    assert centre is not None
    answer = client_for(liaison).post("/api/v1/demands/", {
        "title": "防汛抢险帐篷", "requester": "嘉兴军分区", "division": division("330402").pk,
        "lines": [{
            "resource_type": rtype("SUP.SHE.TENT-12").pk, "quantity": 2,
            "destination_division": village.pk,
            "report_by": (timezone.now() + dt.timedelta(hours=6)).isoformat(),
        }],
    }, content_type="application/json")  # fmt: skip
    assert answer.status_code == 201, answer.json()
    (line,) = answer.json()["lines"]
    assert (line["latitude"], line["longitude"]) == (centre.latitude, centre.longitude)
    assert line["destination"] == village.name
    half = client_for(liaison).post("/api/v1/demands/", {
        "title": "防汛抢险帐篷", "requester": "嘉兴军分区", "division": division("330402").pk,
        "lines": [{
            "resource_type": rtype("SUP.SHE.TENT-12").pk, "quantity": 2,
            "destination_division": village.pk, "latitude": 30.7,
            "report_by": (timezone.now() + dt.timedelta(hours=6)).isoformat(),
        }],
    }, content_type="application/json")  # fmt: skip
    assert half.status_code == 400 and "第 1 行" in str(half.json())
