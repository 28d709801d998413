"""Demo data for 嘉兴市: real divisions, the mobilization organizations, one user per role.

Everything is written through the services, so the demo's own history is in the event log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from guodong.accounts.choices import Role
from guodong.accounts.models import User
from guodong.accounts.services import create_user
from guodong.core.services import SystemActor
from guodong.divisions.loader import load_official, load_villages
from guodong.divisions.models import Division
from guodong.orgs.choices import DutyCycle, OrganizationKind, UnitType
from guodong.orgs.models import Organization
from guodong.orgs.services import add_duty, create_organization

DEMO_PASSWORD = "Guodong@2026"
ACTOR = SystemActor("load_demo")

K = OrganizationKind
U = UnitType
# (name, kind, unit type, division code, parent name)
ORGANIZATIONS: list[tuple[str, str, str, str, str | None]] = [
    ("嘉兴市国防动员委员会", K.COMMITTEE, "", "330400", None),
    ("嘉兴市国防动员办公室", K.OFFICE, "", "330400", "嘉兴市国防动员委员会"),
    ("嘉兴军分区", K.ARMED_FORCES, "", "330400", None),
    ("南湖区国防动员委员会", K.COMMITTEE, "", "330402", "嘉兴市国防动员委员会"),
    ("南湖区国防动员办公室", K.OFFICE, "", "330402", "南湖区国防动员委员会"),
    ("南湖区人民武装部", K.ARMED_FORCES, "", "330402", "嘉兴军分区"),
    ("秀洲区国防动员委员会", K.COMMITTEE, "", "330411", "嘉兴市国防动员委员会"),
    ("秀洲区国防动员办公室", K.OFFICE, "", "330411", "秀洲区国防动员委员会"),
    ("秀洲区人民武装部", K.ARMED_FORCES, "", "330411", "嘉兴军分区"),
    ("嘉善县国防动员办公室", K.OFFICE, "", "330421", "嘉兴市国防动员委员会"),
    ("大桥镇国防动员工作站", K.STATION, "", "330402105", "南湖区国防动员办公室"),
    ("凤桥镇国防动员工作站", K.STATION, "", "330402100", "南湖区国防动员办公室"),
    ("新塍镇国防动员工作站", K.STATION, "", "330411104", "秀洲区国防动员办公室"),
    ("王江泾镇国防动员工作站", K.STATION, "", "330411101", "秀洲区国防动员办公室"),
    ("天明社区国防动员联络点", K.LIAISON_POINT, "", "330402105004", "大桥镇国防动员工作站"),
    ("嘉兴市卫生健康委员会", K.MEMBER_UNIT, U.DEPARTMENT, "330400", "嘉兴市国防动员委员会"),
    ("嘉兴市交通运输局", K.MEMBER_UNIT, U.DEPARTMENT, "330400", "嘉兴市国防动员委员会"),
    ("嘉兴市应急管理局", K.MEMBER_UNIT, U.DEPARTMENT, "330400", "嘉兴市国防动员委员会"),
    ("嘉兴市经济和信息化局", K.MEMBER_UNIT, U.DEPARTMENT, "330400", "嘉兴市国防动员委员会"),
    ("嘉兴市第一医院", K.MEMBER_UNIT, U.HOSPITAL, "330400", "嘉兴市卫生健康委员会"),
    ("嘉兴学院", K.MEMBER_UNIT, U.SCHOOL, "330400", "嘉兴市国防动员委员会"),
    ("嘉兴市公共交通有限公司", K.MEMBER_UNIT, U.ENTERPRISE, "330400", "嘉兴市交通运输局"),
    ("嘉兴同城即时配送平台有限公司", K.MEMBER_UNIT, U.PLATFORM, "330400", "嘉兴市国防动员委员会"),
    ("南湖区人民医院", K.MEMBER_UNIT, U.HOSPITAL, "330402", "南湖区国防动员委员会"),
    ("嘉兴南湖冷链物流有限公司", K.MEMBER_UNIT, U.ENTERPRISE, "330402", "南湖区国防动员委员会"),
    (
        "南湖区建设工程机械租赁有限公司",
        K.MEMBER_UNIT,
        U.ENTERPRISE,
        "330402",
        "南湖区国防动员委员会",
    ),
    ("秀洲区中医院", K.MEMBER_UNIT, U.HOSPITAL, "330411", "秀洲区国防动员委员会"),
    ("嘉兴秀洲运输有限公司", K.MEMBER_UNIT, U.ENTERPRISE, "330411", "秀洲区国防动员委员会"),
    ("秀洲区职业技术学校", K.MEMBER_UNIT, U.SCHOOL, "330411", "秀洲区国防动员委员会"),
    # The trades whose stock the demo registry needs (power, communications, fuel, fire and
    # rescue, waterways, grain): appended so the units above keep their contact numbers.
    (
        "国网浙江省电力有限公司嘉兴供电公司",
        K.MEMBER_UNIT,
        U.ENTERPRISE,
        "330400",
        "嘉兴市经济和信息化局",
    ),
    (
        "中国移动通信集团浙江有限公司嘉兴分公司",
        K.MEMBER_UNIT,
        U.ENTERPRISE,
        "330400",
        "嘉兴市经济和信息化局",
    ),
    (
        "中国石化销售股份有限公司浙江嘉兴石油分公司",
        K.MEMBER_UNIT,
        U.ENTERPRISE,
        "330400",
        "嘉兴市经济和信息化局",
    ),
    ("嘉兴市消防救援支队", K.MEMBER_UNIT, U.OTHER, "330400", "嘉兴市国防动员委员会"),
    ("嘉兴内河港航运输有限公司", K.MEMBER_UNIT, U.ENTERPRISE, "330400", "嘉兴市交通运输局"),
    ("嘉兴市粮食收储有限公司", K.MEMBER_UNIT, U.ENTERPRISE, "330400", "嘉兴市国防动员委员会"),
]

DUTIES: list[tuple[str, str, str, str]] = [
    (
        "嘉兴市卫生健康委员会",
        "医疗卫生动员潜力统计",
        "每半年核实医疗机构床位、医护人员和救护车辆。",
        DutyCycle.HALF_YEARLY,
    ),
    (
        "嘉兴市卫生健康委员会",
        "战时医疗救护保障",
        "接到动员任务后组织医疗队伍按时集结。",
        DutyCycle.ON_DEMAND,
    ),
    (
        "嘉兴市交通运输局",
        "交通运输动员潜力调查",
        "每年组织客货运输车辆、船舶潜力调查。",
        DutyCycle.YEARLY,
    ),
    ("嘉兴市交通运输局", "运力征用协调", "协调运输企业完成运力征用任务。", DutyCycle.ON_DEMAND),
    (
        "嘉兴南湖冷链物流有限公司",
        "冷链车辆状态报告",
        "每季度报告冷链运输车辆数量和完好情况。",
        DutyCycle.QUARTERLY,
    ),
    (
        "大桥镇国防动员工作站",
        "辖区潜力核查",
        "每月组织网格员核查辖区潜力和人防工程。",
        DutyCycle.MONTHLY,
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    organization: str
    can_do: str


USERS = [
    DemoUser("admin", "管理员", Role.ADMIN, "嘉兴市国防动员办公室", "管理全市用户、组织和行政区划"),
    DemoUser(
        "city_staff", "陈市办", Role.STAFF, "嘉兴市国防动员办公室", "全市业务：组织、职责、网格"
    ),
    DemoUser("nanhu_staff", "李南湖", Role.STAFF, "南湖区国防动员办公室", "只看得到、改得了南湖区"),
    DemoUser(
        "xiuzhou_staff", "王秀洲", Role.STAFF, "秀洲区国防动员办公室", "只看得到、改得了秀洲区"
    ),
    DemoUser(
        "daqiao_grid", "张网格", Role.GRID_WORKER, "大桥镇国防动员工作站", "大桥镇网格员，只读本镇"
    ),
    DemoUser(
        "reporter",
        "刘填报",
        Role.REPORTER,
        "嘉兴南湖冷链物流有限公司",
        "成员单位填报员：维护本单位职责，签收和交接本单位任务",
    ),
    DemoUser("liaison", "赵联络", Role.LIAISON, "嘉兴军分区", "军事机关联络员：提交需求，只读全市"),
    DemoUser("auditor", "孙审计", Role.AUDITOR, "嘉兴市国防动员办公室", "只读全市，查看操作记录"),
]


def ensure_divisions() -> None:
    if not Division.objects.filter(code="330402").exists():
        load_official(SystemActor("load_divisions"))
    if not Division.objects.filter(code="330402105004").exists():
        load_villages(SystemActor("load_villages"))


@transaction.atomic
def seed_organizations() -> None:
    by_name: dict[str, Organization] = {o.name: o for o in Organization.objects.all()}
    for name, kind, unit_type, code, parent in ORGANIZATIONS:
        if name in by_name:
            continue
        division = Division.objects.get(code=code, effective_to__isnull=True)
        by_name[name] = create_organization(
            ACTOR,
            {
                "name": name,
                "kind": kind,
                "unit_type": unit_type,
                "division": division,
                "parent": by_name[parent] if parent else None,
                "contact_name": "值班室",
                "contact_phone": "0573-8" + str(2000000 + len(by_name) * 137)[:7],
            },
        )
        for org_name, title, description, cycle in DUTIES:
            if org_name == name:
                add_duty(
                    ACTOR,
                    {
                        "organization": by_name[name],
                        "title": title,
                        "description": description,
                        "cycle": cycle,
                    },
                )


@transaction.atomic
def seed_users() -> None:
    for demo in USERS:
        if User.objects.filter(username=demo.username).exists():
            continue
        create_user(
            ACTOR,
            {
                "username": demo.username,
                "display_name": demo.display_name,
                "role": demo.role,
                "organization": Organization.objects.get(name=demo.organization),
            },
            password=DEMO_PASSWORD,
        )


def load_demo() -> None:
    from guodong.demo.demand_seed import seed_demands
    from guodong.demo.registry_seed import load_registry_demo

    ensure_divisions()
    seed_organizations()
    seed_users()
    load_registry_demo()
    seed_demands()
