"""The columns of the holdings template and the Chinese labels users see in files."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from guodong.registry.choices import Condition, OwnerKind, Readiness


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: str  # the header in the template, always Chinese: files travel between offices
    required: bool
    help: str


COLUMNS = [
    ImportColumn("type", "资源类型代码", True, "如 TRN.FRT.TRUCK-H，见“选项”表"),
    ImportColumn("quantity_total", "数量合计", True, "不小于 0 的数字"),
    ImportColumn("quantity_available", "可用数量", False, "不填则等于合计"),
    ImportColumn("unit", "计量单位", True, "须与资源类型的单位一致"),
    ImportColumn("condition", "状况", True, "完好 / 基本完好 / 待修"),
    ImportColumn("readiness", "战备状态", True, "2小时内 / 24小时内 / 72小时内 / 暂不可用"),
    ImportColumn("division", "区划代码", True, "村（社区）12 位或乡镇 9 位代码"),
    ImportColumn("address", "地址", False, ""),
    ImportColumn("latitude", "纬度", False, "WGS-84，如 30.7525"),
    ImportColumn("longitude", "经度", False, "WGS-84，如 120.7555"),
    ImportColumn("owner_kind", "权属类型", True, "成员单位 / 企业 / 个人"),
    ImportColumn("owner", "权属单位或个人", True, "单位须为平台中已有组织的全称"),
    ImportColumn("contact_name", "征用联系人", False, ""),
    ImportColumn("contact_phone", "联系电话", False, ""),
    ImportColumn("verified_on", "核实日期", False, "YYYY-MM-DD，不填则为导入日期"),
    ImportColumn("notes", "备注", False, ""),
]
BY_HEADER = {c.header: c for c in COLUMNS} | {c.key: c for c in COLUMNS}

# Chinese labels accepted in files (and the English codes, for machine-made files).
CONDITION_LABELS = {"完好": Condition.GOOD, "基本完好": Condition.FAIR, "待修": Condition.REPAIR}
READINESS_LABELS = {
    "2小时内": Readiness.HOURS_2,
    "24小时内": Readiness.HOURS_24,
    "72小时内": Readiness.HOURS_72,
    "暂不可用": Readiness.NOT_READY,
}
OWNER_KIND_LABELS = {
    "成员单位": OwnerKind.MEMBER_UNIT,
    "企业": OwnerKind.ENTERPRISE,
    "个人": OwnerKind.PERSON,
}

MAX_REPORTED_ERRORS = 1000
ERRORS_SHOWN = 200
COLUMN_LABEL = _("column")
