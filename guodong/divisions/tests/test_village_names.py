"""Village names read from the NBS committee titles: the place's name, its kind (村/社区) once."""

import csv

import pytest

from guodong.divisions.choices import DivisionLevel
from guodong.divisions.loader import DEMO_VILLAGES, village_name
from guodong.divisions.models import Division

pytestmark = pytest.mark.django_db

# Places whose own name ends in 村 (晚村, 吕留良's sobriquet): their village is 晚村村, and the
# committee's title says so with three 村 (晚村村村委会).
NAMED_X_CUN_CUN = {"三村村", "晚村村", "道村村", "芝村村"}


def test_no_loaded_village_repeats_or_loses_its_kind():
    names = list(
        Division.objects.filter(
            code__startswith="3304", level=DivisionLevel.VILLAGE, effective_to__isnull=True
        ).values_list("name", flat=True)
    )
    assert len(names) == 1176
    # 三村村 lies in a township revoked since 2023 (not loaded).
    assert {n for n in names if n.endswith("村村")} == NAMED_X_CUN_CUN - {"三村村"}
    assert not [n for n in names if n.endswith("社区社区")]
    assert not [n for n in names if not n.endswith(("村", "社区"))]
    assert Division.objects.get(code="330402105004").name == "天明社区"


def test_every_title_in_the_packaged_file_keeps_its_place_name():
    with DEMO_VILLAGES.open(encoding="utf-8-sig", newline="") as stream:
        titles = [row["name"] for row in csv.DictReader(stream)]
    own_x_cun = ("村村村委会", "村村村民委员会")
    doubled = [t for t in titles if "村村" in t and not t.endswith(own_x_cun)]
    assert len(doubled) == 256, "the committees of 金星村 and the like"
    for title in titles:
        name = village_name(title)
        assert title.startswith(name.removesuffix("村").removesuffix("社区")), (title, name)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("金星村村委会", "金星村"),
        ("三北村村民委员会", "三北村"),
        ("天明村委会", "天明村"),
        ("晚村村村委会", "晚村村"),
        ("百福弄社区居委会", "百福弄社区"),
        ("梅湾社区居民委员会", "梅湾社区"),
        ("城北居委会", "城北社区"),
        ("城北社区居民委员会", "城北社区"),
        ("村村通村委会", "村村通村"),
        ("通界村村民委员会", "通界村"),
        ("南湖社区", "南湖社区"),
        ("某农场生活区", "某农场生活区"),
        ("村委会", "村委会"),
    ],
)
def test_committee_titles_become_place_names(title: str, name: str):
    assert village_name(title) == name
