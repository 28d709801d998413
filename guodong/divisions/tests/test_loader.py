"""The loaders on the real MCA and NBS data."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from guodong.divisions.choices import DivisionLevel
from guodong.divisions.loader import counts_under
from guodong.divisions.models import Division, DivisionLoad

pytestmark = pytest.mark.django_db


def test_jiaxing_has_real_counts_per_level():
    jiaxing = Division.objects.get(code="330400", effective_to__isnull=True)
    counts = counts_under(jiaxing)
    print("330400 divisions per level:", {DivisionLevel(k).label: v for k, v in counts.items()})
    assert counts == {
        DivisionLevel.CITY: 1,
        DivisionLevel.COUNTY: 7,
        DivisionLevel.TOWNSHIP: 72,
        DivisionLevel.VILLAGE: 1176,
    }
    assert Division.objects.filter(level=DivisionLevel.TOWNSHIP).count() == 38723


def test_real_names_paths_and_pinyin():
    daqiao = Division.objects.get(code="330402105")
    assert daqiao.name == "大桥镇"
    assert daqiao.full_name() == "浙江省嘉兴市南湖区大桥镇"
    assert daqiao.pinyin_initials == "dqz"
    tianming = Division.objects.get(code="330402105004")
    assert tianming.name == "天明社区"
    assert tianming.path.startswith(daqiao.path)
    assert Division.objects.get(code="330481103202").name == "天明村"


def test_loading_again_changes_nothing():
    before = Division.objects.count()
    out = StringIO()
    call_command("load_villages", stdout=out, stderr=StringIO())
    assert Division.objects.count() == before
    assert "villages created: 0" in out.getvalue()
    assert DivisionLoad.objects.filter(scope_name="嘉兴市").count() >= 2


def test_villages_whose_township_is_gone_are_reported_not_guessed():
    err = StringIO()
    call_command("load_villages", stdout=StringIO(), stderr=err)
    assert "330424005001" in err.getvalue()
    with pytest.raises(CommandError, match="330424005"):
        call_command("load_villages", "--strict", stdout=StringIO(), stderr=StringIO())


def test_malformed_village_file_is_refused_with_line_and_value(tmp_path: Path):
    bad = tmp_path / "villages.csv"
    bad.write_text(
        "code,name,streetCode\n330402105901,好村村委会,330402105\n33040210590X,坏村村委会,330402105\n",
        encoding="utf-8",
    )
    before = Division.objects.count()
    with pytest.raises(CommandError, match=r"3.*33040210590X.*12"):
        call_command("load_villages", "--csv", str(bad), "--prefix", "3304", stdout=StringIO())
    assert Division.objects.count() == before, "nothing is half-written"


def test_file_without_the_columns_is_refused(tmp_path: Path):
    bad = tmp_path / "villages.csv"
    bad.write_text("id,title\n1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="streetCode"):
        call_command("load_villages", "--csv", str(bad), stdout=StringIO())


def test_bad_prefix_is_refused():
    with pytest.raises(CommandError, match="33x"):
        call_command("load_villages", "--prefix", "33x", stdout=StringIO())
