"""Demo registry for 嘉兴市: about 2,500 holdings (each member unit's stock at its sites, as its
trade would keep it, and individuals' vehicles, boats and drones), specialists employed by
their trade and facilities named as their class, over real townships and villages, with points
inside the right county and a mix of fresh and stale data. Seeded random numbers make every
demo the same."""

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
# Each owner keeps what its trade would, in plausible amounts per site: type code → (least,
# most) in the type's own unit (辆, 台, 张, m², m³, 吨…). Every unit keeps its stock at a few
# sites (depots, campuses, branches, township reserve points), several types at each.
Stock = dict[str, tuple[int, int]]
TRADES: dict[str, Stock] = {
    "emergency": {  # 应急管理局: relief supplies and rescue equipment in township reserves
        "SUP.SHE.TENT-12": (20, 200), "SUP.SHE.TENT-36": (10, 80), "SUP.SHE.TENT-60": (1, 6),
        "SUP.SHE.QUILT": (100, 2000), "SUP.SHE.BED": (50, 800), "SUP.SHE.SLEEPBAG": (50, 500),
        "SUP.SHE.MAT": (50, 500), "SUP.FOOD.WATER": (100, 2000), "SUP.FOOD.RATION": (100, 1500),
        "SUP.FOOD.PURIFIER": (1, 4), "SUP.RSQ.ROPE": (20, 200), "SUP.RSQ.LIFEJACKET": (50, 500),
        "SUP.RSQ.LIFEBUOY": (20, 200), "SUP.RSQ.SANDBAG": (1000, 20000),
        "SUP.RSQ.BOAT-INF": (1, 6), "SUP.RSQ.HYDRAULIC": (1, 4), "SUP.PRT.RAINCOAT": (50, 500),
        "SUP.PRT.HELMET": (50, 500), "SUP.LGT.LAMP-MOB": (1, 6), "SUP.LGT.TORCH": (20, 200),
        "EQP.PWR.GEN-M": (1, 4), "EQP.PWR.GEN-S": (2, 10), "EQP.PMP.PUMP-L": (1, 3),
        "EQP.PMP.PUMP-M": (2, 10), "EQP.PMP.PUMP-S": (5, 40), "ICT.COM.SATPHONE": (2, 10),
        "ICT.COM.RADIO": (10, 80), "TRN.SPV.COMMAND-VEH": (1, 2), "TRN.SPV.KITCHEN": (1, 2),
        "TRN.AIR.UAV-M": (1, 4),
    },
    "health_dept": {  # 卫生健康委员会: the city's medical reserve
        "SUP.PRT.MASK-N95": (50, 1000), "SUP.PRT.SUIT": (500, 10000),
        "MED.DEV.VENT": (5, 40), "MED.DEV.MONITOR": (10, 60), "MED.DRG.FIRSTAID": (100, 1000),
        "MED.DRG.DISINF": (1, 20), "EQP.DEC.SPRAYER": (5, 30),
    },
    "transport_dept": {  # 交通运输局: road emergency and waterway patrol
        "TRN.SPV.WRECKER": (1, 4), "TRN.SPV.COMMAND-VEH": (1, 2), "CON.RD.BRIDGE": (1, 3),
        "TRN.SHP.PATROL": (1, 4), "SUP.LGT.LAMP-MOB": (2, 8),
    },
    "industry_dept": {  # 经济和信息化局: the government's reserve of protective goods
        "SUP.PRT.MASK-N95": (100, 2000), "SUP.PRT.SUIT": (1000, 20000),
        "SUP.PRT.GASMASK": (100, 2000), "EQP.PWR.GEN-S": (2, 10), "EQP.PWR.UPS": (2, 10),
    },
    "hospital": {
        "TRN.SPV.AMB": (2, 20), "TRN.SPV.AMB-ICU": (1, 6), "MED.BED.BED-GEN": (100, 1500),
        "MED.BED.BED-ICU": (10, 80), "MED.BED.BED-ISO": (10, 120), "MED.DEV.VENT": (10, 80),
        "MED.DEV.DEFIB": (5, 40), "MED.DEV.MONITOR": (30, 300), "MED.DEV.XRAY": (1, 6),
        "MED.DEV.OXYGEN-GEN": (1, 6), "MED.DRG.BLOOD": (50, 500), "MED.DRG.FIRSTAID": (20, 200),
        "MED.DRG.STRETCHER": (20, 150), "MED.DRG.DISINF": (1, 10), "SUP.PRT.MASK-N95": (10, 200),
        "SUP.PRT.SUIT": (200, 3000), "EQP.PWR.GEN-M": (1, 3), "EQP.PWR.UPS": (2, 20),
    },
    "school": {  # campuses that can shelter people, their buses and kit
        "WHS.SHL.SCHOOL-SH": (1, 1), "WHS.SHL.GYM": (1, 1), "WHS.SHL.SHELTER-AREA": (5000, 40000),
        "TRN.BUS.BUS-L": (1, 6), "TRN.BUS.BUS-M": (1, 4), "EQP.PWR.GEN-S": (1, 4),
        "MED.DRG.FIRSTAID": (10, 100), "MED.DRG.STRETCHER": (5, 30),
    },
    "bus": {  # 公共交通: depots with buses, recovery trucks, fuel and charging storage
        "TRN.BUS.BUS-L": (10, 120), "TRN.BUS.BUS-M": (5, 60), "TRN.BUS.BUS-S": (2, 20),
        "TRN.SPV.WRECKER": (1, 4), "ENE.FUE.DIESEL": (10, 200), "ENE.ELE.BATTERY": (500, 5000),
        "WHS.WH.YARD": (5000, 40000),
    },
    "delivery": {  # 同城即时配送平台: light vans, delivery drones, sorting warehouses
        "TRN.FRT.TRUCK-L": (10, 120), "TRN.FRT.COLD": (2, 20), "TRN.AIR.UAV-S": (2, 20),
        "WHS.WH.WH-GEN": (1000, 12000), "CON.LFT.FORKLIFT": (2, 20),
    },
    "cold_chain": {  # 冷链物流: refrigerated trucks, cold stores, forklifts, standby power
        "TRN.FRT.COLD": (4, 40), "WHS.WH.WH-COLD": (2000, 30000), "CON.LFT.FORKLIFT": (2, 20),
        "TRN.FRT.TRUCK-M": (2, 15), "TRN.FRT.TRUCK-H": (1, 8), "EQP.PWR.GEN-M": (1, 3),
    },
    "construction": {  # 工程机械租赁: earth-moving, lifting and road machinery
        "CON.EXC.EXC-L": (1, 6), "CON.EXC.EXC-M": (2, 15), "CON.EXC.EXC-S": (2, 20),
        "CON.LOD.LOADER-L": (1, 8), "CON.LOD.LOADER-S": (1, 10), "CON.LOD.BULLDOZER": (1, 6),
        "CON.LOD.SKID": (1, 10), "CON.LFT.CRANE-L": (1, 3), "CON.LFT.CRANE-M": (1, 6),
        "CON.LFT.CRANE-S": (1, 8), "CON.LFT.AERIAL": (1, 10), "CON.RD.ROLLER": (1, 6),
        "CON.RD.GRADER": (1, 4), "CON.RD.MIXER": (2, 20), "CON.RD.DRILL": (1, 4),
        "TRN.FRT.LOWBED": (1, 6), "TRN.FRT.TRUCK-H": (2, 20), "EQP.PWR.GEN-M": (1, 4),
        "SUP.LGT.LAMP-MOB": (1, 8), "EQP.PMP.PUMP-M": (1, 6),
    },
    "haulage": {  # 道路运输: lorries, container and tank trucks, coaches, yards
        "TRN.FRT.TRUCK-H": (5, 60), "TRN.FRT.TRUCK-M": (5, 40), "TRN.FRT.TRUCK-L": (2, 20),
        "TRN.FRT.CONTAINER": (2, 30), "TRN.FRT.LOWBED": (1, 6), "TRN.FRT.TANKER-WATER": (1, 6),
        "TRN.BUS.BUS-L": (2, 20), "TRN.SPV.WRECKER": (1, 3), "WHS.WH.YARD": (2000, 20000),
        "WHS.WH.WH-GEN": (1000, 10000),
    },
    "power": {  # 供电公司: generators, power vehicles, mobile substations, cable
        "EQP.PWR.GEN-L": (1, 4), "EQP.PWR.GEN-M": (2, 10), "EQP.PWR.PWR-VEH": (1, 6),
        "EQP.PWR.UPS": (2, 20), "ENE.ELE.SUBSTATION-MOB": (1, 3), "ENE.ELE.CABLE": (5, 80),
        "ENE.ELE.PV": (1, 4), "ENE.ELE.BATTERY": (500, 10000), "CON.LFT.AERIAL": (2, 10),
        "SUP.LGT.LAMP-MOB": (2, 10),
    },
    "telecom": {  # 通信运营商: emergency communications and computing
        "ICT.COM.SATPHONE": (5, 40), "ICT.COM.VSAT": (1, 4), "ICT.COM.COW": (1, 4),
        "ICT.COM.BTS": (2, 12), "ICT.COM.RADIO": (20, 200), "ICT.COM.MESH": (2, 10),
        "ICT.NET.SERVER": (50, 800), "ICT.NET.STORAGE": (100, 2000), "ICT.NET.FIBER": (10, 200),
        "ICT.NET.DATACENTER": (20, 400), "ICT.NET.GPU": (8, 256), "EQP.PWR.GEN-M": (1, 4),
        "EQP.PWR.PWR-VEH": (1, 3), "TRN.AIR.UAV-M": (1, 4),
    },
    "fuel": {  # 成品油销售: fuel in stations and depots, tankers, skid-mounted stations
        "ENE.FUE.DIESEL": (20, 800), "ENE.FUE.GASOLINE": (20, 800), "ENE.FUE.LPG": (5, 100),
        "ENE.FUE.FUEL-STATION": (1, 3), "TRN.FRT.TANKER-FUEL": (1, 10),
        "WHS.WH.WH-HAZ": (500, 8000),
    },
    "fire": {  # 消防救援支队: fire engines, detection, decontamination, rescue tools
        "EQP.FIR.FIRE-TRUCK": (2, 8), "EQP.FIR.FIRE-FOAM": (1, 4), "EQP.FIR.FIRE-LADDER": (1, 2),
        "EQP.FIR.EXTING": (50, 500), "EQP.DET.DET-GAS": (2, 12), "EQP.DET.DET-RAD": (1, 4),
        "EQP.DET.THERMAL": (1, 6), "EQP.DEC.DECON-VEH": (1, 2), "EQP.DEC.DECON-TENT": (1, 4),
        "SUP.RSQ.HYDRAULIC": (1, 6), "SUP.RSQ.LIFEDET": (1, 4), "SUP.RSQ.BOAT-INF": (1, 4),
        "SUP.PRT.GASMASK": (20, 200), "EQP.PMP.PUMP-L": (1, 2), "TRN.SPV.COMMAND-VEH": (1, 2),
        "TRN.AIR.UAV-M": (1, 4),
    },
    "shipping": {  # 内河航运: cargo ships, ferries, tugs and barges at the wharves
        "TRN.SHP.SHIP-CARGO": (2, 20), "TRN.SHP.SHIP-PASS": (1, 4), "TRN.SHP.TUG": (1, 6),
        "TRN.SHP.BARGE": (2, 20), "WHS.WH.YARD": (2000, 30000), "CON.LFT.CRANE-M": (1, 4),
    },
    "grain": {  # 粮食收储: grain, oil and warehouses
        "SUP.FOOD.RICE": (200, 5000), "SUP.FOOD.OIL": (20, 500), "WHS.WH.WH-GEN": (2000, 30000),
        "CON.LFT.FORKLIFT": (2, 12), "TRN.FRT.TRUCK-M": (2, 12),
    },
    "person": {  # 个体户 and farmers: one or two vehicles, a boat, a crop-spraying drone
        "TRN.FRT.TRUCK-L": (1, 3), "TRN.FRT.TRUCK-M": (1, 2), "TRN.FRT.TRUCK-H": (1, 2),
        "TRN.BUS.CAR": (1, 2), "TRN.BUS.BUS-S": (1, 2), "CON.EXC.EXC-S": (1, 2),
        "CON.LOD.SKID": (1, 1), "CON.LFT.FORKLIFT": (1, 2), "TRN.SHP.SHIP-CARGO": (1, 1),
        "TRN.AIR.UAV-S": (1, 3), "TRN.AIR.UAV-M": (1, 2), "EQP.PWR.GEN-S": (1, 2),
        "EQP.PMP.PUMP-S": (1, 4),
    },
}  # fmt: skip
# The demo's units by name → trade, and how many sites (least, most) each keeps its stock at.
TRADE_OF: dict[str, tuple[str, tuple[int, int]]] = {
    "嘉兴市应急管理局": ("emergency", (25, 40)),
    "嘉兴市卫生健康委员会": ("health_dept", (2, 4)),
    "嘉兴市交通运输局": ("transport_dept", (4, 8)),
    "嘉兴市经济和信息化局": ("industry_dept", (2, 4)),
    "嘉兴市第一医院": ("hospital", (2, 3)),
    "南湖区人民医院": ("hospital", (1, 2)),
    "秀洲区中医院": ("hospital", (1, 2)),
    "嘉兴学院": ("school", (2, 3)),
    "秀洲区职业技术学校": ("school", (1, 2)),
    "嘉兴市公共交通有限公司": ("bus", (10, 16)),
    "嘉兴同城即时配送平台有限公司": ("delivery", (8, 14)),
    "嘉兴南湖冷链物流有限公司": ("cold_chain", (6, 10)),
    "南湖区建设工程机械租赁有限公司": ("construction", (5, 8)),
    "嘉兴秀洲运输有限公司": ("haulage", (5, 9)),
    "国网浙江省电力有限公司嘉兴供电公司": ("power", (14, 20)),
    "中国移动通信集团浙江有限公司嘉兴分公司": ("telecom", (14, 20)),
    "中国石化销售股份有限公司浙江嘉兴石油分公司": ("fuel", (20, 30)),
    "嘉兴市消防救援支队": ("fire", (14, 20)),
    "嘉兴内河港航运输有限公司": ("shipping", (4, 7)),
    "嘉兴市粮食收储有限公司": ("grain", (6, 10)),
}
# What makes a site what it is: every campus is a school that can shelter people, every
# hospital branch has beds, every fire station its engines… (the other types vary by site).
ANCHOR = {
    "school": "WHS.SHL.SCHOOL-SH",
    "hospital": "MED.BED.BED-GEN",
    "cold_chain": "TRN.FRT.COLD",
    "bus": "TRN.BUS.BUS-L",
    "fire": "EQP.FIR.FIRE-TRUCK",
    "fuel": "ENE.FUE.GASOLINE",
    "shipping": "TRN.SHP.SHIP-CARGO",
    "grain": "SUP.FOOD.RICE",
}
PERSON_HOLDINGS = 1300
# A unit keeps most sites in its own county (its first three there); a city unit anywhere.
AWAY_SHARE = 0.15
HOME_SITES = 3
STREETS = ["人民路", "建设路", "解放路", "中山路", "工业路", "兴业路", "文昌路", "长水路"]
# 人防工程 named as their class (GB 50038: 指挥、医疗救护、防空专业队、人员掩蔽、配套工程),
# with the class's share of works and its floor area and persons sheltered per m².
WORKS: dict[str, tuple[list[str], int, tuple[int, int], tuple[float, float]]] = {
    WorkKind.SHELTER: (["人员掩蔽工程", "地下停车场人员掩蔽工程"], 30, (1500, 12000), (0.8, 1.0)),
    WorkKind.SUPPORT: (["人防物资库配套工程", "区域电站配套工程"], 8, (600, 3000), (0.02, 0.05)),
    WorkKind.MEDICAL: (["医疗救护工程"], 6, (1500, 5000), (0.1, 0.2)),
    WorkKind.UNIT: (["防空专业队工程"], 6, (1200, 6000), (0.1, 0.2)),
    WorkKind.COMMAND: (["人防指挥工程"], 2, (800, 3000), (0.05, 0.1)),
}
SIREN_MODELS = {
    SirenKind.ELECTRONIC: ["JDX-3000", "DSJ-2000"],
    SirenKind.MOTOR: ["DJ-5.5", "DJ-7.5"],
    SirenKind.MOBILE: ["CJ-100"],
}
WAREHOUSE_NAMES = {
    WarehouseKind.GENERAL: "应急物资储备库",
    WarehouseKind.COLD: "冷藏物资储备库",
    WarehouseKind.HAZARDOUS: "危化品应急储备库",
}
# Who employs specialists of each kind of skill (HR kinds, by type where it matters).
EMPLOYERS: dict[str, list[str]] = {
    "HR.MED": ["嘉兴市第一医院", "南湖区人民医院", "秀洲区中医院", "嘉兴市卫生健康委员会"],
    "HR.ENG": ["南湖区建设工程机械租赁有限公司", "国网浙江省电力有限公司嘉兴供电公司",
               "中国石化销售股份有限公司浙江嘉兴石油分公司", "嘉兴市应急管理局"],
    "HR.NEW": ["中国移动通信集团浙江有限公司嘉兴分公司", "嘉兴学院",
               "嘉兴同城即时配送平台有限公司"],
    "HR.SKL": ["嘉兴市公共交通有限公司", "嘉兴秀洲运输有限公司", "嘉兴南湖冷链物流有限公司",
               "南湖区建设工程机械租赁有限公司", "嘉兴内河港航运输有限公司"],
    "HR.RSC": ["嘉兴市消防救援支队", "嘉兴市应急管理局"],
}  # fmt: skip
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


def _address(place: Division, rng: random.Random) -> str:
    """A street address in the place's own township (and village, if the place is one)."""
    town = place.parent if place.level == DivisionLevel.VILLAGE and place.parent else place
    village = place.name if place is not town else ""
    return f"{town.name}{village}{rng.choice(STREETS)}{rng.randrange(1, 300)}号"


class _Sites:
    """The townships and villages of the city by county, and random points in each county."""

    def __init__(self, rng: random.Random) -> None:
        city = Division.objects.get(code="330400", effective_to__isnull=True)
        self.city = city
        places = list(
            Division.objects.filter(
                within("path", city.path),
                effective_to__isnull=True,
                level__gte=DivisionLevel.TOWNSHIP,
            ).select_related("parent")
        )
        counties = {
            d.pk: d.code
            for d in Division.objects.filter(within("path", city.path), level=DivisionLevel.COUNTY)
        }
        self.county_of = Division.county_ids(places)
        self.county_code = {p.pk: counties[self.county_of[p.pk] or p.pk] for p in places}
        self.by_county: dict[str, list[Division]] = {}
        for place in places:
            self.by_county.setdefault(self.county_code[place.pk], []).append(place)
        self.places = places
        self.points = {code: _points_in(code, rng, 300) for code in sorted(self.by_county)}

    def for_unit(self, unit: Organization, count: int, rng: random.Random) -> list[Division]:
        """`count` distinct places: anywhere for a city unit; a county's unit has its first
        sites at home and, if it has several, a few elsewhere in the city."""
        home = self.by_county.get(unit.division.code, self.places)
        chosen: dict[int, Division] = {}
        while len(chosen) < count:
            away = len(chosen) >= HOME_SITES and rng.random() < AWAY_SHARE
            pool = self.places if away else home
            place = rng.choice(pool)
            chosen.setdefault(place.pk, place)
        return list(chosen.values())

    def row(self, place: Division, rng: random.Random) -> dict[str, Any]:
        lat, lon = rng.choice(self.points[self.county_code[place.pk]])
        return {
            "division_id": place.pk,
            "division_path": place.path,
            "county_id": self.county_of[place.pk],
            "address": _address(place, rng),
            "latitude": lat,
            "longitude": lon,
            "contact_name": _name(rng),
            "contact_phone": _phone(rng),
        }


def _stock(
    trade: str,
    owner: dict[str, Any],
    site: dict[str, Any],
    types: dict[str, ResourceType],
    rng: random.Random,
    kinds: int,
) -> list[dict[str, Any]]:
    """Rows for `kinds` types of the trade kept at one site, each in its plausible amount."""
    stock = TRADES[trade]
    now = timezone.now()
    rows = []
    anchor = [ANCHOR[trade]] if trade in ANCHOR else []
    others = sorted(set(stock) - set(anchor))
    for code in anchor + rng.sample(others, min(kinds, len(others)) - len(anchor)):
        least, most = stock[code]
        total = rng.randint(least, most)
        resource_type = types[code]
        rows.append({
            **owner, **site, "type_id": resource_type.pk, "category_id": resource_type.category_id,
            "quantity_total": total,
            # Some of it is in use or under repair.
            "quantity_available": total - rng.randrange(0, max(1, total // 4 + 1)),
            "condition": rng.choices(list(Condition.values), [7, 2, 1])[0],
            "readiness": rng.choices(list(Readiness.values), [3, 4, 2, 1])[0],
            "notes": "",
            "verified_at": now - dt.timedelta(days=rng.randrange(0, 520)),
        })  # fmt: skip
    return rows


@transaction.atomic
def seed_holdings(rng: random.Random) -> int:
    """Every member unit's stock at its sites, then individuals' vehicles, boats and drones."""
    sites = _Sites(rng)
    codes = {code for stock in TRADES.values() for code in stock}
    types = {t.code: t for t in ResourceType.objects.filter(code__in=codes)}
    units = {o.name: o for o in Organization.objects.filter(name__in=TRADE_OF)}
    rows: list[dict[str, Any]] = []
    for name, (trade, (least, most)) in TRADE_OF.items():
        unit = units[name]
        kind = (
            OwnerKind.ENTERPRISE if unit.unit_type == UnitType.ENTERPRISE else OwnerKind.MEMBER_UNIT
        )
        owner = {"owner_kind": kind, "owner_id": unit.pk, "owner_name": unit.name}
        for place in sites.for_unit(unit, rng.randint(least, most), rng):
            site = sites.row(place, rng)
            rows += _stock(trade, owner, site, types, rng, rng.randint(3, 8))
    for _ in range(PERSON_HOLDINGS):
        owner = {"owner_kind": OwnerKind.PERSON, "owner_id": None, "owner_name": _name(rng)}
        site = sites.row(rng.choice(sites.places), rng)
        rows += _stock("person", owner, site, types, rng, rng.choice((1, 1, 1, 2)))
    # A name may recur among individuals: keep one holding per owner, type and place (the key
    # by which a second report of it would count as a duplicate).
    unique = {(r["owner_name"], r["type_id"], r["division_id"]): r for r in rows}
    written = RowWriter(ACTOR).write(ValidRows.from_dicts(list(unique.values())))
    # One event carries the batch's rows (a few thousand; ADR 9), phones as stored ciphertext.
    record_event(
        ACTOR,
        "holding.demo_load",
        sites.city,
        before=None,
        after={BULK_KEY: bulk_rows(Holding, Holding.objects.order_by("pk"))},
        scope_path=sites.city.path,
    )
    return written


@transaction.atomic
def seed_specialists(rng: random.Random) -> None:
    """Specialists employed where their skill is used: doctors at hospitals, drivers at
    transport companies, firefighters at the fire brigade; 基干民兵 in any member unit."""
    counties = list(Division.objects.filter(code__startswith="3304", level=DivisionLevel.COUNTY))
    hr_types = list(
        ResourceType.objects.filter(level=CatalogueLevel.TYPE, category__code="HR")
        .select_related("parent")
        .order_by("code")
    )
    units = {o.name: o for o in Organization.objects.filter(kind=OrganizationKind.MEMBER_UNIT)}
    members = sorted(units)
    for _ in range(200):
        county = rng.choice(counties)
        town = rng.choice(list(county.children.filter(effective_to__isnull=True)))
        first = rng.choice(hr_types)
        assert first.parent is not None
        kind = [t for t in hr_types if t.parent_id == first.parent_id]
        skills = [first, *rng.sample([t for t in kind if t != first], rng.choice((0, 0, 1)))]
        employers = members if first.code == "HR.RSC.MILITIA" else EMPLOYERS[first.parent.code]
        create_specialist(
            ACTOR,
            {
                "name": _name(rng),
                "id_number": _id_number(rng, county.code),
                "phone": _phone(rng),
                "employer": units[rng.choice(employers)],
                "division": town,
                "last_verified_at": timezone.now() - dt.timedelta(days=rng.randrange(400)),
            },
            [(t, rng.randint(1, 4)) for t in skills],
        )


@transaction.atomic
def seed_facilities(rng: random.Random) -> None:
    """人防工程, sirens and reserve warehouses, each named as its class and placed in its
    township, managed by the county's 国防动员办公室 (人防办)."""
    towns = list(
        Division.objects.filter(
            code__startswith="3304", level=DivisionLevel.TOWNSHIP, effective_to__isnull=True
        )
    )
    offices = {o.division_id: o for o in Organization.objects.filter(kind=OrganizationKind.OFFICE)}
    city_office = Organization.objects.get(name="嘉兴市国防动员办公室")
    county_codes = {t.pk: t.parent.code for t in towns if t.parent is not None}
    points = {code: _points_in(code, rng, 60) for code in sorted(set(county_codes.values()))}

    def where(town: Division) -> dict[str, Any]:
        lat, lon = rng.choice(points[county_codes[town.pk]])
        return {
            "latitude": lat,
            "longitude": lon,
            "address": _address(town, rng),
            "managing_unit": offices.get(town.parent_id or 0, city_office),
        }

    work_kinds = list(WORKS)
    for number in range(60):
        town = rng.choice(towns)
        kind = rng.choices(work_kinds, [WORKS[k][1] for k in work_kinds])[0]
        names, _share, (least, most), (low, high) = WORKS[kind]
        area = rng.randrange(least, most)
        create_facility(ACTOR, CivilDefenceWork, {
            "name": f"{town.name}{rng.choice(names)}{number + 1}号",
            "kind": kind,
            "area_m2": area,
            "capacity_persons": int(area * rng.uniform(low, high)),
            "division": town,
            "status": rng.choices(list(FacilityStatus.values), [8, 1, 1])[0],
            **where(town),
        })  # fmt: skip
    for number in range(80):
        town = rng.choice(towns)
        kind = rng.choices(list(SIREN_MODELS), [6, 3, 1])[0]
        label = "车载警报器" if kind == SirenKind.MOBILE else "警报点"
        create_facility(ACTOR, Siren, {
            "name": f"{town.name}{label}{number + 1}",
            "kind": kind,
            "model_name": rng.choice(SIREN_MODELS[kind]),
            "division": town,
            "last_tested_at": timezone.localdate() - dt.timedelta(days=rng.randrange(400)),
            "status": rng.choices(list(FacilityStatus.values), [8, 1, 1])[0],
            **where(town),
        })  # fmt: skip
    for number, kind in enumerate(rng.choices(list(WAREHOUSE_NAMES), [8, 2, 1], k=15)):
        town = rng.choice(towns)
        create_facility(ACTOR, Warehouse, {
            "name": f"{town.name}{WAREHOUSE_NAMES[kind]}{number + 1}",
            "kind": kind,
            "area_m2": rng.randrange(500, 8000),
            "division": town,
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
