"""The demo is what every new user sees first: its units own what their trade would, in
plausible amounts, and its 人防工程 are named as their class."""

from decimal import Decimal

import pytest
from django.db.models import Count

from guodong.divisions.choices import DivisionLevel
from guodong.orgs.choices import OrganizationKind, UnitType
from guodong.orgs.models import Organization
from guodong.registry.choices import OwnerKind
from guodong.registry.models import CivilDefenceWork, Holding, Siren, Specialist, Warehouse

pytestmark = pytest.mark.django_db

# Owner → the kinds of resources (catalogue kind codes) its trade would keep. Written apart
# from the demo's own table so that a slip in either shows.
RELIEF = {"SUP.SHE", "SUP.FOOD", "SUP.RSQ", "SUP.PRT", "SUP.LGT"}
ALLOWED: dict[str, set[str]] = {
    "嘉兴市应急管理局": RELIEF | {"EQP.PWR", "EQP.PMP", "ICT.COM", "TRN.SPV", "TRN.AIR"},
    "嘉兴市卫生健康委员会": {"SUP.PRT", "MED.DEV", "MED.DRG", "EQP.DEC"},
    "嘉兴市交通运输局": {"TRN.SPV", "TRN.SHP", "CON.RD", "SUP.LGT"},
    "嘉兴市经济和信息化局": {"SUP.PRT", "EQP.PWR"},
    "嘉兴市第一医院": {"TRN.SPV", "MED.BED", "MED.DEV", "MED.DRG", "SUP.PRT", "EQP.PWR"},
    "南湖区人民医院": {"TRN.SPV", "MED.BED", "MED.DEV", "MED.DRG", "SUP.PRT", "EQP.PWR"},
    "秀洲区中医院": {"TRN.SPV", "MED.BED", "MED.DEV", "MED.DRG", "SUP.PRT", "EQP.PWR"},
    "嘉兴学院": {"WHS.SHL", "TRN.BUS", "EQP.PWR", "MED.DRG"},
    "秀洲区职业技术学校": {"WHS.SHL", "TRN.BUS", "EQP.PWR", "MED.DRG"},
    "嘉兴市公共交通有限公司": {"TRN.BUS", "TRN.SPV", "ENE.FUE", "ENE.ELE", "WHS.WH"},
    "嘉兴同城即时配送平台有限公司": {"TRN.FRT", "TRN.AIR", "WHS.WH", "CON.LFT"},
    "嘉兴南湖冷链物流有限公司": {"TRN.FRT", "WHS.WH", "CON.LFT", "EQP.PWR"},
    "南湖区建设工程机械租赁有限公司": {
        "CON.EXC", "CON.LOD", "CON.LFT", "CON.RD", "TRN.FRT", "EQP.PWR", "EQP.PMP", "SUP.LGT",
    },
    "嘉兴秀洲运输有限公司": {"TRN.FRT", "TRN.BUS", "TRN.SPV", "WHS.WH"},
    "国网浙江省电力有限公司嘉兴供电公司": {"EQP.PWR", "ENE.ELE", "CON.LFT", "SUP.LGT"},
    "中国移动通信集团浙江有限公司嘉兴分公司": {"ICT.COM", "ICT.NET", "EQP.PWR", "TRN.AIR"},
    "中国石化销售股份有限公司浙江嘉兴石油分公司": {"ENE.FUE", "TRN.FRT", "WHS.WH"},
    "嘉兴市消防救援支队": {
        "EQP.FIR", "EQP.DET", "EQP.DEC", "EQP.PMP", "SUP.RSQ", "SUP.PRT", "TRN.SPV", "TRN.AIR",
    },
    "嘉兴内河港航运输有限公司": {"TRN.SHP", "WHS.WH", "CON.LFT"},
    "嘉兴市粮食收储有限公司": {"SUP.FOOD", "WHS.WH", "CON.LFT", "TRN.FRT"},
}  # fmt: skip
PERSON = {"TRN.FRT", "TRN.BUS", "TRN.SHP", "TRN.AIR", "CON.EXC", "CON.LOD", "CON.LFT",
          "EQP.PWR", "EQP.PMP"}  # fmt: skip
# What one holding of these may hold at most (a campus is one school; a unit's site does not
# keep hundreds of vehicles or a private person a fleet; 台 counts a data centre's servers).
MOST = {"所": 1, "座": 3, "辆": 150, "艘": 20, "台": 800, "架": 20}
PERSON_MOST = 4


def test_every_holding_is_of_its_owners_trade():
    wrong = []
    rows = Holding.objects.filter(source_import=None).values_list(
        "owner_kind", "owner_name", "type__parent__code", "type__code"
    )
    for owner_kind, owner, kind, code in rows:
        allowed = PERSON if owner_kind == OwnerKind.PERSON else ALLOWED.get(owner, set())
        if kind not in allowed:
            wrong.append((owner, code))
    assert not wrong, wrong[:10]
    # Every member unit with a trade owns something; the schools' campuses are theirs alone.
    owners = set(Holding.objects.exclude(owner=None).values_list("owner__name", flat=True))
    assert owners == set(ALLOWED)
    schools = Holding.objects.filter(type__code="WHS.SHL.SCHOOL-SH")
    assert set(schools.values_list("owner__unit_type", flat=True)) == {UnitType.SCHOOL}


def test_quantities_are_plausible_per_site_and_owner():
    rows = Holding.objects.filter(source_import=None).values_list(
        "owner_kind", "type__unit", "quantity_total", "quantity_available"
    )
    for owner_kind, unit, total, available in rows:
        assert Decimal(0) <= available <= total
        if owner_kind == OwnerKind.PERSON:
            assert total <= PERSON_MOST, (unit, total)
        if unit in MOST:
            assert total <= MOST[unit], (unit, total)
    # A unit keeps its stock at a few sites, several types at each.
    sites = (
        Holding.objects.exclude(owner=None)
        .values("owner")
        .annotate(n=Count("division", distinct=True))
    )
    assert all(1 <= row["n"] <= 40 for row in sites)


def test_units_keep_their_stock_mostly_in_their_own_county():
    for unit in Organization.objects.filter(
        kind=OrganizationKind.MEMBER_UNIT, division__code__in=["330402", "330411"]
    ):
        holdings = Holding.objects.filter(owner=unit)
        home = holdings.filter(division_path__startswith=unit.division.path).count()
        assert home >= 0.6 * holdings.count(), unit.name


def test_addresses_lie_in_the_holdings_township():
    for holding in Holding.objects.filter(source_import=None).select_related("division__parent")[
        :500
    ]:
        division = holding.division
        town = division.parent if division.level == DivisionLevel.VILLAGE else division
        assert town is not None and holding.address.startswith(town.name), holding.address


WORK_STEMS = {
    "shelter": "人员掩蔽工程",
    "medical": "医疗救护工程",
    "unit": "防空专业队工程",
    "command": "人防指挥工程",
    "support": "配套工程",
}


def test_facilities_are_named_as_their_class():
    works = CivilDefenceWork.objects.values_list("name", "kind", "area_m2", "capacity_persons")
    assert {kind for _name, kind, *_ in works} >= {"shelter", "medical", "support"}
    for name, kind, area, capacity in works:
        named = {k for k, stem in WORK_STEMS.items() if stem in name}
        assert named == {kind}, (name, kind)
        # Shelters hold about one person per m²; other works far fewer.
        assert capacity <= area * (1 if kind == "shelter" else Decimal("0.25")), name
    for name, kind in Siren.objects.values_list("name", "kind"):
        assert ("车载警报器" in name) == (kind == "mobile"), (name, kind)
    for name, kind in Warehouse.objects.values_list("name", "kind"):
        assert ("冷藏" in name) == (kind == "cold") and ("危化品" in name) == (kind == "hazardous")


def test_specialists_work_where_their_skill_is_used():
    doctors = Specialist.objects.filter(qualifications__type__parent__code="HR.MED")
    assert doctors.exists()
    assert set(doctors.values_list("employer__unit_type", flat=True)) <= {
        UnitType.HOSPITAL,
        UnitType.DEPARTMENT,
    }
    firefighters = Specialist.objects.filter(qualifications__type__code="HR.RSC.FIRE")
    assert set(firefighters.values_list("employer__name", flat=True)) <= {
        "嘉兴市消防救援支队",
        "嘉兴市应急管理局",
    }
