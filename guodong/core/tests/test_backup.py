"""An operator backs up the platform, loses the database, and restores it from one file.

The restore must give back every row and every uploaded file, leave an event chain that
`audit verify` accepts, and refuse an archive someone altered or one cut short, changing nothing.
"""

import gzip
import io
import json
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guodong.core.backup import MANIFEST, backed_up_models
from guodong.core.models import Event
from guodong.orgs.models import Organization
from guodong.orgs.services import update_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files, nested as the upload folders are, one of them binary."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    (root / "attachments" / "2026").mkdir(parents=True)
    (root / "attachments" / "2026" / "通知.txt").write_text("集结通知", encoding="utf-8")
    (root / "photos").mkdir()
    (root / "photos" / "siren.jpg").write_bytes(bytes(range(256)) * 40)
    return root


def _counts():
    return {model._meta.label_lower: model._base_manager.count() for model in backed_up_models()}


def _files(root: Path):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def backup(media, tmp_path, city_staff):
    """A backup of the demo after one more recorded change, and what it should hold."""
    office = Organization.objects.get(name="嘉兴市交通运输局")
    update_organization(city_staff, office, {"address": "嘉兴市南湖区中环南路 1 号"})
    path = tmp_path / "guodong.tar.gz"
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    return path, _counts(), _files(media), out.getvalue()


def _flush():
    """`manage.py flush`, as an operator who lost the data would find the database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the test's own writes are still pending checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def _restore(path, *args):
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def _rewrite(path: Path, target: Path, change) -> None:
    """Copy the archive member by member, letting `change(name, data)` alter a member."""
    with tarfile.open(path, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for info in source:
            member = source.extractfile(info)
            assert member is not None
            data = member.read()
            data = change(info.name, data)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def test_backup_flush_restore_gives_back_every_row_and_file(backup, media):
    path, counts, files, output = backup
    assert "Backup written" in output or "备份已写入" in output
    assert counts["core.event"] > 0 and counts["orgs.organization"] > 0

    _flush()
    for file in media.rglob("*"):
        if file.is_file():
            file.unlink()
    assert Event.objects.count() == 0

    output = _restore(path)

    assert _counts() == counts
    assert _files(media) == files
    assert "chain" in output or "事件链" in output
    verify = StringIO()
    call_command("audit", "verify", stdout=verify)
    assert f"OK: {counts['core.event']} entries verified" in verify.getvalue()
    office = Organization.objects.get(name="嘉兴市交通运输局")
    assert office.address == "嘉兴市南湖区中环南路 1 号"


def test_restore_resets_sequences_so_new_rows_get_new_ids(backup, city_staff):
    path, counts, *_ = backup
    _flush()
    _restore(path, "--force")  # the media folder was left in place
    office = Organization.objects.get(name="嘉兴市交通运输局")
    update_organization(city_staff, office, {"contact_name": "运输科"})
    assert Event.objects.count() == counts["core.event"] + 1


def test_restore_refuses_a_database_in_use_unless_forced(backup, media):
    path, counts, files, _ = backup
    with pytest.raises(CommandError, match="--force"):
        _restore(path)
    output = _restore(path, "--force")
    assert _counts() == counts
    assert _files(media) == files
    assert "Restored" in output or "已恢复" in output
    # The media folder it replaced is kept beside the restored one, never deleted.
    assert any(p.name.startswith("media-before-restore-") for p in media.parent.iterdir())


def test_restore_refuses_a_tampered_row(backup, tmp_path):
    path, counts, *_ = backup

    def rename_office(name, data):
        if name.endswith("orgs.organization.jsonl"):
            return data.replace("嘉兴市交通运输局".encode(), "嘉兴市交通运输总局".encode())
        return data

    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(path, tampered, rename_office)
    with pytest.raises(CommandError, match=r"SHA-256|altered|篡改"):
        _restore(tampered, "--force")
    assert _counts() == counts
    assert Organization.objects.filter(name="嘉兴市交通运输局").exists()


def test_restore_refuses_a_manifest_edited_to_match(backup, tmp_path):
    """Whoever edits a row and fixes its hash in the manifest still cannot sign the manifest."""
    path, counts, *_ = backup

    def raise_count(name, data):
        if name == MANIFEST:
            manifest = json.loads(data)
            manifest["rows"]["orgs.organization"] += 1
            return json.dumps(manifest).encode()
        return data

    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(path, tampered, raise_count)
    with pytest.raises(CommandError, match=r"signature|签名"):
        _restore(tampered, "--force")
    assert _counts() == counts


def test_restore_refuses_a_truncated_archive(backup, tmp_path):
    path, counts, *_ = backup
    data = path.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(CommandError, match=r"truncated|截断"):
        _restore(cut, "--force")
    assert _counts() == counts


def test_restore_refuses_an_archive_cut_before_its_manifest(backup, tmp_path):
    """A tar that ends cleanly at a member boundary, the manifest and signature lost."""
    path, counts, *_ = backup
    cut = tmp_path / "cut.tar.gz"
    with tarfile.open(path, "r:gz") as source, tarfile.open(cut, "w:gz") as copy:
        for info in source:
            if info.name.startswith("media/"):
                break
            copy.addfile(info, source.extractfile(info))
    with pytest.raises(CommandError, match=r"manifest|清单"):
        _restore(cut, "--force")
    assert _counts() == counts


def test_restore_refuses_a_backup_signed_by_another_key_unless_trusted(backup, settings, tmp_path):
    path, counts, _, output = backup
    fingerprint = output.rsplit(" ", 1)[-1].strip().rstrip(".。")
    settings.NODE_KEY_FILE = tmp_path / "other-node.pem"
    with pytest.raises(CommandError, match="--trust-key"):
        _restore(path, "--force")
    _restore(path, "--force", "--trust-key", fingerprint)
    assert _counts() == counts


def test_restore_fails_loudly_on_a_broken_event_chain_and_keeps_the_database(
    media, tmp_path, city_staff
):
    """A backup of a log someone edited in the database: restore refuses to commit it."""
    event = Event.objects.order_by("-pk").first()
    assert event is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Event._meta.db_table} SET actor_name = %s WHERE id = %s",
            ["someone else", event.pk],
        )
    path = tmp_path / "broken.tar.gz"
    call_command("backup", str(path), stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Event._meta.db_table} SET actor_name = %s WHERE id = %s",
            [event.actor_name, event.pk],
        )
    counts = _counts()
    Organization.objects.filter(name="嘉兴市交通运输局").update(address="原地址")
    with pytest.raises(CommandError, match=r"BROKEN|断裂"):
        _restore(path, "--force")
    assert _counts() == counts
    assert Organization.objects.get(name="嘉兴市交通运输局").address == "原地址"


def test_archive_is_one_gzip_tar_with_tables_media_and_signed_manifest(backup):
    path, counts, files, _ = backup
    with gzip.open(path) as raw, tarfile.open(fileobj=raw, mode="r|") as archive:
        names = [info.name for info in archive]
    assert names[-2:] == ["manifest.json", "manifest.sig"]
    assert {name.removeprefix("media/") for name in names if name.startswith("media/")} == set(
        files
    )
    assert sum(1 for name in names if name.startswith("db/")) == len(counts)
