"""The event log: every write is logged, the chain detects tampering, entries are immutable."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guodong.core.audit import verify_chain
from guodong.core.models import Event
from guodong.orgs.models import Organization
from guodong.orgs.services import update_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(city_staff):
    office = Organization.objects.get(name="嘉兴市交通运输局")
    update_organization(city_staff, office, {"address": "嘉兴市南湖区中环南路 1 号"})
    update_organization(city_staff, office, {"contact_name": "运输科"})
    return office


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=Event._meta.db_table), params)


def test_a_change_is_logged_with_actor_before_and_after(change, city_staff):
    event = Event.objects.filter(object_type="orgs.organization", object_id=str(change.pk)).first()
    assert event is not None
    assert event.before is not None and event.after is not None
    assert event.actor == city_staff
    assert event.action == "organization.update"
    assert event.before["contact_name"] == "值班室"
    assert event.after["contact_name"] == "运输科"
    assert len(event.hash) == 64


def test_verify_passes_on_an_untouched_chain(change):
    checked, broken = verify_chain()
    assert broken is None
    assert checked == Event.objects.count()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "OK" in out.getvalue()


def test_verify_detects_an_entry_edited_in_the_database(change):
    target = Event.objects.order_by("sequence")[5]
    _raw("UPDATE {table} SET object_repr = %s WHERE id = %s", ["篡改", target.pk])
    _checked, broken = verify_chain()
    assert broken is not None
    assert broken.sequence == target.sequence
    assert "edited" in broken.reason
    with pytest.raises(CommandError, match=f"sequence {target.sequence}"):
        call_command("audit", "verify", stdout=StringIO())


def test_verify_detects_a_deleted_entry(change):
    target = Event.objects.order_by("sequence")[3]
    _raw("DELETE FROM {table} WHERE id = %s", [target.pk])
    _checked, broken = verify_chain()
    assert broken is not None
    assert broken.sequence == target.sequence


def test_verify_detects_a_deleted_last_entry(change):
    last = Event.objects.order_by("-sequence").first()
    assert last is not None
    _raw("DELETE FROM {table} WHERE id = %s", [last.pk])
    _checked, broken = verify_chain()
    assert broken is not None
    assert "chain head" in broken.reason


def test_verify_detects_reordered_entries(change):
    first, second = Event.objects.order_by("sequence")[2:4]
    _raw("UPDATE {table} SET sequence = %s WHERE id = %s", [10_000_000, first.pk])
    _raw("UPDATE {table} SET sequence = %s WHERE id = %s", [first.sequence, second.pk])
    _raw("UPDATE {table} SET sequence = %s WHERE id = %s", [second.sequence, first.pk])
    _checked, broken = verify_chain()
    assert broken is not None
    assert broken.sequence == first.sequence


def test_the_application_cannot_update_or_delete_entries(change):
    event = Event.objects.first()
    assert event is not None
    event.object_repr = "x"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        Event.objects.all().update(object_repr="x")
    with pytest.raises(PermissionError):
        Event.objects.all().delete()


def test_history_page_shows_who_changed_what(change, city_staff):
    from conftest import client_for

    page = client_for(city_staff).get(f"/organizations/{change.pk}/history/").content.decode()
    assert "运输科" in page
    assert "city_staff" in page


def test_commands_write_the_log_too():
    assert Event.objects.filter(actor_name="system:load_villages").exists()
    assert Event.objects.filter(actor_name="system:load_demo", action="user.create").exists()
