"""Signed checkpoints anchor the event chain outside the database (ADR 8).

Someone with raw database access can drop the last entries and move the chain head back, or
rewrite a suffix and re-hash it: the chain alone still verifies. These tests do exactly that
with raw SQL and expect `audit verify` to refuse the log because of a signed checkpoint.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import client_for
from guodong.core.audit import compute_hash, verify_chain
from guodong.core.checkpoints import (
    checkpoint_file,
    read_checkpoints,
    verify_with_checkpoints,
    write_checkpoint,
)
from guodong.core.models import ChainHead, Event
from guodong.orgs.models import Organization
from guodong.orgs.services import update_organization

pytestmark = pytest.mark.django_db


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(table=Event._meta.db_table, head=ChainHead._meta.db_table), params
        )


@pytest.fixture
def signed(city_staff):
    """A chain with a signed checkpoint at its head, then two more entries after it."""
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    office = Organization.objects.get(name="嘉兴市交通运输局")
    update_organization(city_staff, office, {"address": "嘉兴市南湖区中环南路 1 号"})
    update_organization(city_staff, office, {"contact_name": "运输科"})
    return read_checkpoints()[-1], out.getvalue()


def test_verify_signs_a_checkpoint_of_the_verified_head(signed):
    checkpoint, output = signed
    assert checkpoint.valid
    assert checkpoint.sequence == Event.objects.count() - 2
    assert "Signed checkpoint" in output or "已签署检查点" in output
    checked, broken = verify_with_checkpoints()
    assert broken is None
    assert checked == Event.objects.count()


def test_verify_refuses_a_chain_cut_back_behind_a_checkpoint(signed):
    """Drop the last entries and move the head back: the chain alone looks whole."""
    checkpoint, _ = signed
    keep = checkpoint.sequence - 3
    last = Event.objects.get(sequence=keep)
    _raw("DELETE FROM {table} WHERE sequence > %s", [keep])
    _raw("UPDATE {head} SET sequence = %s, last_hash = %s", [keep, last.hash])
    assert verify_chain()[1] is None  # the database alone no longer shows the cut
    _checked, broken = verify_with_checkpoints()
    assert broken is not None
    assert "removed" in broken.reason or "删除" in broken.reason
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO())


def test_verify_refuses_a_rewritten_and_rehashed_suffix(signed):
    """Rewrite one entry before the checkpoint and re-hash everything after it."""
    checkpoint, _ = signed
    events = list(Event.objects.filter(sequence__gte=checkpoint.sequence - 2).order_by("sequence"))
    previous = Event.objects.get(sequence=checkpoint.sequence - 3).hash
    for event in events:
        if event.sequence == checkpoint.sequence - 2:
            event.object_repr = "篡改"
        event.prev_hash = previous
        event.hash = compute_hash(event)
        _raw(
            "UPDATE {table} SET object_repr = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.object_repr, event.prev_hash, event.hash, event.pk],
        )
        previous = event.hash
    _raw("UPDATE {head} SET last_hash = %s", [previous])
    assert verify_chain()[1] is None  # re-hashed: the chain itself is consistent again
    _checked, broken = verify_with_checkpoints()
    assert broken is not None
    assert broken.sequence == checkpoint.sequence
    assert "rewritten" in broken.reason or "改写" in broken.reason


def test_an_altered_checkpoint_line_is_not_trusted(signed):
    path = checkpoint_file()
    lines = path.read_text(encoding="utf-8").splitlines()
    payload = json.loads(lines[-1])
    payload["sequence"] = payload["sequence"] - 1  # pretend the chain was shorter
    lines[-1] = json.dumps(payload, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checkpoint = read_checkpoints()[-1]
    assert not checkpoint.valid
    _checked, broken = verify_with_checkpoints()
    assert broken is not None
    assert "not authentic" in broken.reason or "不可信" in broken.reason


def test_a_checkpoint_signed_by_another_key_is_refused(signed, settings, tmp_path):
    settings.NODE_KEY_FILE = tmp_path / "other_key.pem"  # another node's key now reads the file
    _checked, broken = verify_with_checkpoints()
    assert broken is not None
    assert "key" in broken.reason or "密钥" in broken.reason


def test_checkpoints_are_appended_never_rewritten(signed):
    before = checkpoint_file().read_text(encoding="utf-8")
    write_checkpoint(Event.objects.count())
    after = checkpoint_file().read_text(encoding="utf-8")
    assert after.startswith(before)
    assert len(after.splitlines()) == len(before.splitlines()) + 1


def test_the_checkpoint_command_signs_without_the_verify_line(signed):
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert "OK" not in out.getvalue()
    assert read_checkpoints()[-1].sequence == Event.objects.count()


def test_only_this_nodes_chain_is_checkpointed():
    with pytest.raises(CommandError):
        call_command("audit", "checkpoint", "--node", "node-330411", stdout=StringIO())


def test_the_activity_log_page_shows_the_signed_checkpoints(signed, city_staff):
    checkpoint, _ = signed
    page = client_for(city_staff).get("/events/").content.decode()
    assert 'id="checkpoints"' in page
    assert checkpoint.hash[:16] in page
    assert "已签名的检查点" in page
