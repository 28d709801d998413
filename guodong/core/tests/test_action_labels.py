"""The event log speaks Chinese: every action the code can record has a label, and commands
show as 系统（…） rather than "system:load_demo"."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import translation

from guodong.accounts.models import User
from guodong.core.actions import VERBS, action_label, actor_label, readable_changes
from guodong.core.models import Event
from guodong.core.testing.actions import recordable_actions
from guodong.demands.services import TRANSITIONS

# A demand step's name comes from the page or the API: its verbs are the workflow's steps.
EXTRA_SOURCES = {"demands/services.py:transition": set(TRANSITIONS)}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_recordable_action_has_a_chinese_label() -> None:
    found = recordable_actions(EXTRA_SOURCES)
    assert not found.unresolved, f"actions whose verbs the test cannot read: {found.unresolved}"
    verbs = found.verbs | {verb for _model, verb in found.actions}
    assert {"submit", "analyse", "approve_matching", "dispatch", "verify", "reveal"} <= verbs
    assert verbs - set(VERBS) == set(), "add these verbs to guodong/core/actions.py VERBS"
    with translation.override("zh-hans"):
        for verb in verbs:
            assert _has_chinese(str(VERBS[verb])), verb
        for model, verb in found.actions:
            label = action_label(f"{model}.{verb}")
            assert _has_chinese(label.split("：")[0]), label  # the model's Chinese name
            assert verb not in label, label


def test_action_and_system_actor_read_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert action_label("demand.approve_matching", "demands.demand") == "需求：批准分配方案"
        assert actor_label("system:load_demo") == "系统（载入演示数据）"
        assert actor_label("city_staff") == "city_staff"


def test_log_and_home_show_labels_not_codes(
    city_staff: User, dispatched_missions: list[Any]
) -> None:
    """After a real demand is submitted, analysed, approved, matched and dispatched, the log
    page and the home page show each of its actions (and the demo loader) in Chinese."""
    recorded = set(Event.objects.values_list("action", flat=True))
    assert {"demand.submit", "demand.analyse", "mission.dispatch"} <= recorded
    assert {a.rpartition(".")[2] for a in recorded} <= set(VERBS)
    client = Client()
    client.force_login(city_staff)
    for url in ("/events/", "/events/?q=demand", "/"):
        html = client.get(url).content.decode()
        assert "demand.submit" not in html and "system:load_demo" not in html, url
        for verb in ("approve_matching", "dispatch", "analyse"):
            assert f">{verb}<" not in html and f"· {verb}" not in html, url
    log = client.get("/events/?actor_name=system:load_demo").content.decode()
    assert "系统（载入演示数据）" in log


def test_history_shows_field_names_and_values_in_chinese() -> None:
    """A demand's step as its history shows it: the status by its label, the child rows as a
    count, never the stored codes or the snapshot's keys."""
    with translation.override("zh-hans"):
        changes = readable_changes(
            "demand.analyse",
            "demands.demand",
            {"status": "received", "division_path": "a"},
            {"status": "analysed", "division_path": "b", "_children": {"lines": [{}, {}]}},
        )
    text = " ".join(" ".join(change) for change in changes)
    assert "received" not in text and "analysed" not in text and "_children" not in text
    assert "division_path" not in text and "2 行" in text and "区划路径" in text
