"""Demo registry for 嘉兴市: thousands of holdings, specialists and facilities over real
townships and villages, with points inside the right county and a mix of fresh and stale data.
Seeded random numbers make every demo the same."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point  # type: ignore[import-untyped]

from guodong.core.audit import BULK_KEY, bulk_rows, record_event
from guodong.core.scope import within
from guodong.core.services import SystemActor
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.geo import _index as county_index
from guodong.divisions.models import Division
from guodong.orgs.choices import OrganizationKind, UnitType
from guodong.orgs.models import Organization
from guodong.registry.catalogue import load_catalogue
from guodong.registry.choices import CatalogueLevel, Condition, OwnerKind, Readiness
from guodong.registry.idcard import check_char
from guodong.registry.importing.validate import ValidRows
from guodong.registry.models import (
    CivilDefenceWork,
    Holding,
    ResourceType,
    Siren,
    Specialist,
    SurveyCampaign,
    Warehouse,
)
from guodong.registry.models.facilities import FacilityStatus, SirenKind, WarehouseKind, WorkKind
from guodong.registry.services import (
    create_facility,
    create_specialist,
    open_campaign,
    submit_assignment,
)
from guodong.registry.services.holding_rows import RowWriter

ACTOR = SystemActor("load_demo")
HOLDINGS = 4000
WORK_NAMES = ["人员掩蔽工程", "地下停车场人防工程", "医疗救护站"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉玉兰宇浩俊峰海燕鹏飞"
    "晨欣怡子涵雨轩博文"
)


def _rng() -> random.Random:
    return random.Random(330400)


def _points_in(county_code: str, rng: random.Random, count: int) -> list[tuple[float, float]]:
    index = county_index()
    polygon = index.geometries[index.codes.index(county_code)]
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    points: list[tuple[float, float]] = []
    while len(points) < count:
        lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
        if polygon.contains(Point(lon, lat)):
            points.append((round(lat, 6), round(lon, 6)))
    return points


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "158", "186", "177"]) + f"{rng.randrange(10**8):08d}"


def _id_number(rng: random.Random, county_code: str) -> str:
    born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(365 * 35))
    first17 = f"{county_code}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_char(first17)


@transaction.atomic
def seed_holdings(rng: random.Random) -> int:
    city = Division.objects.get(code="330400", effective_to__isnull=True)
    places = list(
        Division.objects.filter(
            within("path", city.path), effective_to__isnull=True, level__gte=DivisionLevel.TOWNSHIP
        )
    )
    counties = {
        d.pk: d.code
        for d in Division.objects.filter(within("path", city.path), level=DivisionLevel.COUNTY)
    }
    points = {code: _points_in(code, rng, 300) for code in counties.values()}
    members = Organization.objects.filter(kind=OrganizationKind.MEMBER_UNIT)
    owners = {
        OwnerKind.MEMBER_UNIT: list(members.exclude(unit_type=UnitType.ENTERPRISE)),
        OwnerKind.ENTERPRISE: list(members.filter(unit_type=UnitType.ENTERPRISE)),
    }
    types = list(
        ResourceType.objects.filter(level=CatalogueLevel.TYPE).exclude(category__code="HR")
    )
    county_of = Division.county_ids(places)
    now = timezone.now()
    rows = []
    for _ in range(HOLDINGS):
        place = rng.choice(places)
        resource_type = rng.choice(types)
        kind = rng.choices(
            [OwnerKind.MEMBER_UNIT, OwnerKind.ENTERPRISE, OwnerKind.PERSON], [5, 3, 1]
        )[0]
        unit = rng.choice(owners[kind]) if kind in owners else None
        owner = unit.name if unit else _name(rng)
        total = rng.choice([1, 2, 3, 5, 8, 10, 20, 50, 100, 200, 500])
        county_code = counties[county_of[place.pk] or place.pk]
        lat, lon = rng.choice(points[county_code])
        values: dict[str, Any] = {
            "owner_kind": kind,
            "owner_id": unit.pk if unit else None,
            "owner_name": owner,
            "type_id": resource_type.pk,
            "category_id": resource_type.category_id,
            "quantity_total": total,
            "quantity_available": total - rng.randrange(0, max(1, total // 3)),
            "condition": rng.choices(list(Condition.values), [7, 2, 1])[0],
            "readiness": rng.choices(list(Readiness.values), [3, 4, 2, 1])[0],
            "division_id": place.pk,
            "division_path": place.path,
            "county_id": county_of[place.pk],
            "address": f"{place.name}{rng.randrange(1, 300)}号",
            "latitude": lat,
            "longitude": lon,
            "contact_name": _name(rng),
            "contact_phone": _phone(rng),
            "notes": "",
            "verified_at": now - dt.timedelta(days=rng.randrange(0, 520)),
        }
        rows.append(values)
    written = RowWriter(ACTOR).write(ValidRows.from_dicts(rows))
    # One event carries the batch's rows (a few thousand; ADR 9), phones as stored ciphertext.
    record_event(
        ACTOR,
        "holding.demo_load",
        city,
        before=None,
        after={BULK_KEY: bulk_rows(Holding, Holding.objects.order_by("pk"))},
        scope_path=city.path,
    )
    return written


@transaction.atomic
def seed_specialists(rng: random.Random) -> None:
    counties = list(Division.objects.filter(code__startswith="3304", level=DivisionLevel.COUNTY))
    hr_types = list(ResourceType.objects.filter(level=CatalogueLevel.TYPE, category__code="HR"))
    units = list(Organization.objects.filter(kind=OrganizationKind.MEMBER_UNIT))
    for _ in range(200):
        county = rng.choice(counties)
        town = rng.choice(list(county.children.filter(effective_to__isnull=True)))
        employer = rng.choice(units)
        create_specialist(
            ACTOR,
            {
                "name": _name(rng),
                "id_number": _id_number(rng, county.code),
                "phone": _phone(rng),
                "employer": employer,
                "division": town,
                "last_verified_at": timezone.now() - dt.timedelta(days=rng.randrange(400)),
            },
            [(t, rng.randint(1, 4)) for t in rng.sample(hr_types, rng.choice((1, 1, 2)))],
        )


@transaction.atomic
def seed_facilities(rng: random.Random) -> None:
    towns = list(
        Division.objects.filter(
            code__startswith="3304", level=DivisionLevel.TOWNSHIP, effective_to__isnull=True
        )
    )
    offices = {o.division_id: o for o in Organization.objects.filter(kind=OrganizationKind.OFFICE)}
    city_office = Organization.objects.get(name="嘉兴市国防动员办公室")
    county_codes = {t.pk: t.parent.code for t in towns if t.parent is not None}
    points = {code: _points_in(code, rng, 60) for code in sorted(set(county_codes.values()))}

    def where(town: Division) -> dict[str, float]:
        lat, lon = rng.choice(points[county_codes[town.pk]])
        return {"latitude": lat, "longitude": lon}

    for number in range(60):
        town = rng.choice(towns)
        create_facility(ACTOR, CivilDefenceWork, {
            "name": f"{town.name}{rng.choice(WORK_NAMES)}{number + 1}号",
            "kind": rng.choice(list(WorkKind.values)),
            "area_m2": rng.randrange(800, 12000),
            "capacity_persons": rng.randrange(300, 5000),
            "division": town,
            "address": f"{town.name}人民路{number + 1}号",
            "managing_unit": offices.get(town.parent_id or 0, city_office),
            "status": rng.choices(list(FacilityStatus.values), [8, 1, 1])[0],
            **where(town),
        })  # fmt: skip
    for number in range(80):
        town = rng.choice(towns)
        create_facility(ACTOR, Siren, {
            "name": f"{town.name}警报点{number + 1}",
            "kind": rng.choice(list(SirenKind.values)),
            "model_name": rng.choice(["JDX-3000", "DJ-5.5", "MJ-100"]),
            "division": town,
            "last_tested_at": timezone.localdate() - dt.timedelta(days=rng.randrange(400)),
            "managing_unit": offices.get(town.parent_id or 0, city_office),
            "status": rng.choices(list(FacilityStatus.values), [8, 1, 1])[0],
            **where(town),
        })  # fmt: skip
    for number, kind in enumerate(rng.choices(list(WarehouseKind.values), k=15)):
        town = rng.choice(towns)
        create_facility(ACTOR, Warehouse, {
            "name": f"{town.name}应急物资储备库{number + 1}",
            "kind": kind,
            "area_m2": rng.randrange(500, 8000),
            "division": town,
            "managing_unit": offices.get(town.parent_id or 0, city_office),
            **where(town),
        })  # fmt: skip


@transaction.atomic
def seed_campaign() -> None:
    """An open survey of 南湖区 with three assignees, one of which has already submitted."""
    nanhu = Division.objects.get(code="330402", effective_to__isnull=True)
    names = ["嘉兴南湖冷链物流有限公司", "南湖区人民医院", "南湖区建设工程机械租赁有限公司"]
    campaign = open_campaign(
        ACTOR,
        {"name": "2026 年度南湖区交通运输和工程机械潜力调查", "year": 2026, "division": nanhu,
         "deadline": timezone.localdate() + dt.timedelta(days=30)},
        categories=list(ResourceType.objects.filter(code__in=["TRN", "CON"])),
        assignees=list(Organization.objects.filter(name__in=names)),
    )  # fmt: skip
    submit_assignment(ACTOR, campaign.assignments.get(organization__name=names[0]))


def load_registry_demo() -> None:
    load_catalogue(ACTOR)
    rng = _rng()
    if not Holding.objects.exists():
        seed_holdings(rng)
    if not Specialist.objects.exists():
        seed_specialists(rng)
    if not CivilDefenceWork.objects.exists():
        seed_facilities(rng)
    if not SurveyCampaign.objects.exists():
        seed_campaign()
