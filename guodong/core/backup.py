"""One-file backups of the database and the uploaded media, signed by the node key.

The archive is a gzip-compressed tar:

    db/NNN-<app>.<model>.jsonl   one member per table, in foreign-key dependency order: a header
                                 line {"model", "table", "columns"} then one JSON array per row
    media/<path>                 every file under MEDIA_ROOT
    manifest.json                format, node, database vendor, applied migrations, and for every
                                 member its SHA-256, size and (tables) row count
    manifest.sig                 Ed25519 signature of manifest.json's bytes by the node key

Rows hold portable values (ISO dates, decimals as strings, JSON as JSON), read back through each
field's `to_python`, so a backup restores into SQLite or PostgreSQL whichever it came from.
Encrypted columns are copied as stored (ciphertext): a backup never holds personal data in
clear, and restoring it needs the same GUODONG_FIELD_KEY.

Both directions stream: rows are read with a database cursor in chunks and written to a spooled
temporary file per table (the tar header needs the size first); restore reads members one at a
time. Restore first reads the whole archive once to check every member against the signed
manifest (a tampered or truncated file changes nothing), then loads all tables in one
transaction, resets PostgreSQL's sequences, and verifies the event chain before committing.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

from guodong.core.audit import ChainBreak
from guodong.core.checkpoints import fingerprint, node_private_key, verify_with_checkpoints
from guodong.core.models import Event

FORMAT = "guodong-backup/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
DB_PREFIX, MEDIA_PREFIX = "db/", "media/"
CHUNK = 2000  # rows per database round trip, both ways
SPOOL_BYTES = 16 * 1024 * 1024  # a table's dump stays in memory up to this, then goes to disk
COPY_BYTES = 1024 * 1024
# Tables `migrate` fills by itself: a database holding only these is still empty.
FILLED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, for the operator."""


@dataclass
class Member:
    """One archive member as the manifest records it."""

    name: str
    sha256: str
    size: int
    rows: int | None = None
    model: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "sha256": self.sha256, "size": self.size}
        if self.model is not None:
            data.update(model=self.model, rows=self.rows)
        return data


@dataclass
class Summary:
    """What a backup holds or a restore loaded: rows per model and media files."""

    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    media_files: int = 0
    media_bytes: int = 0
    key_fingerprint: str = ""
    events_verified: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --- which tables, in which order -------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every table Django manages (many-to-many tables included), a model before those whose
    foreign keys point to it; cycles (a division's parent) are broken by label. Constraints
    are deferred to commit on both databases, so the order is for readers of the archive."""
    candidates = {
        model._meta.label_lower: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    ordered: list[type[models.Model]] = []
    state: dict[str, str] = {}

    def visit(label: str) -> None:
        if state.get(label):
            return  # done, or on the current path (a cycle)
        state[label] = "visiting"
        model = candidates[label]
        for relation in model._meta.local_concrete_fields:
            target = relation.related_model if relation.is_relation else None
            if isinstance(target, type) and target._meta.concrete_model is not None:
                target_label = target._meta.concrete_model._meta.label_lower
                if target_label in candidates and target_label != label:
                    visit(target_label)
        state[label] = "done"
        ordered.append(model)

    for label in sorted(candidates):
        visit(label)
    return ordered


def _stored_as_is(model_field: models.Field[Any, Any]) -> bool:
    """Text columns with a read converter (encrypted fields) are copied as stored, never
    decoded: the backup keeps ciphertext and the restore writes it back untouched."""
    return isinstance(model_field, models.CharField | models.TextField) and hasattr(
        model_field, "from_db_value"
    )


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.local_concrete_fields)


def applied_migrations() -> list[list[str]]:
    """(app, migration) pairs applied to this database, sorted: a restore needs the same."""
    recorder = MigrationRecorder(connection)
    return sorted([app, name] for app, name in recorder.applied_migrations())


# --- portable values ------------------------------------------------------------------------


def _portable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _row_reader(model: type[models.Model]) -> Iterator[tuple[Any, ...]]:
    """The model's rows in primary-key order, streamed (a server-side cursor on PostgreSQL)."""
    selected: list[Any] = []
    for column in _columns(model):
        if _stored_as_is(column):
            selected.append(Cast(column.attname, output_field=models.TextField()))
        else:
            selected.append(column.attname)
    queryset = model._base_manager.order_by("pk").values_list(*selected)
    return queryset.iterator(chunk_size=CHUNK)


def _db_value(column: models.Field[Any, Any], value: Any) -> Any:
    if value is None or _stored_as_is(column):
        return value
    if isinstance(column, models.JSONField):
        return column.get_db_prep_save(value, connection)
    return column.get_db_prep_save(column.to_python(value), connection)


# --- writing ----------------------------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    """Wraps a file: every byte read is also hashed (a media file is read once)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        self.size += len(data)
        return len(data)


def _add(archive: tarfile.TarFile, name: str, stream: IO[bytes], size: int) -> Member:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
    reader = _HashingReader(stream)
    archive.addfile(info, cast(IO[bytes], reader))
    if reader.size != size:
        raise BackupError(_("{name} changed while it was being backed up").format(name=name))
    return Member(name, reader.digest.hexdigest(), size)


def _dump_table(archive: tarfile.TarFile, index: int, model: type[models.Model]) -> Member:
    label = model._meta.label_lower
    header = {
        "model": label,
        "table": model._meta.db_table,
        "columns": [column.column for column in _columns(model)],
    }
    rows = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        spool.write((json.dumps(header) + "\n").encode("utf-8"))
        for row in _row_reader(model):
            line = json.dumps([_portable(value) for value in row], ensure_ascii=False)
            spool.write(line.encode("utf-8") + b"\n")
            rows += 1
        size = spool.tell()
        spool.seek(0)
        member = _add(archive, f"{DB_PREFIX}{index:03d}-{label}.jsonl", spool, size)
    member.rows, member.model = rows, label
    return member


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            yield Path(folder) / name


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of every table while they are read one after another. PostgreSQL
    needs REPEATABLE READ for that; SQLite's transaction is a snapshot already (writers wait)."""
    outermost = not connection.in_atomic_block  # inside a caller's transaction: its view
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def create_backup(path: Path, progress: Callable[[str], None] | None = None) -> Summary:
    """Write the database and MEDIA_ROOT to one signed archive at `path` (replaced atomically:
    a backup that fails part-way leaves no file that looks finished)."""
    key = node_private_key()
    public_raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    summary = Summary(path=path, key_fingerprint=fingerprint(key.public_key()))
    members: list[Member] = []
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            with _snapshot():
                migrations = applied_migrations()
                for index, model in enumerate(backed_up_models(), start=1):
                    member = _dump_table(archive, index, model)
                    members.append(member)
                    summary.rows[model._meta.label_lower] = member.rows or 0
                    if progress and member.rows:
                        progress(f"{model._meta.label_lower}: {member.rows}")
            media_root = Path(settings.MEDIA_ROOT)
            for file in _media_files(media_root):
                relative = file.relative_to(media_root).as_posix()
                with file.open("rb") as stream:
                    size = os.fstat(stream.fileno()).st_size
                    members.append(_add(archive, MEDIA_PREFIX + relative, stream, size))
                summary.media_files += 1
                summary.media_bytes += size
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "node_id": settings.NODE_ID,
                "vendor": connection.vendor,
                "migrations": migrations,
                "media_files": summary.media_files,
                "rows": summary.rows,
                "public_key": base64.b64encode(public_raw).decode("ascii"),
                "key_fingerprint": summary.key_fingerprint,
                "members": [member.as_dict() for member in members],
            }
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            signature = base64.b64encode(key.sign(manifest_bytes))
            _add(archive, MANIFEST, io.BytesIO(manifest_bytes), len(manifest_bytes))
            _add(archive, SIGNATURE, io.BytesIO(signature), len(signature))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


# --- reading and checking -------------------------------------------------------------------


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[tarfile.TarFile]:
    """The archive opened as a stream; a damaged or cut file becomes a BackupError."""
    try:
        with tarfile.open(path, "r|gz") as archive:
            yield archive
    except FileNotFoundError as error:
        raise BackupError(_("{path} does not exist").format(path=path)) from error
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(
            _(
                "{path} is truncated or damaged ({error}): it is not a complete backup; "
                "nothing was restored"
            ).format(path=path, error=error)
        ) from error


def _member_stream(archive: tarfile.TarFile, info: tarfile.TarInfo) -> IO[bytes]:
    stream = archive.extractfile(info)
    if stream is None:
        raise BackupError(_("archive member {name} is not a file").format(name=info.name))
    return stream


def _hash_stream(stream: IO[bytes], sink: IO[bytes] | None = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while data := stream.read(COPY_BYTES):
        digest.update(data)
        size += len(data)
        if sink is not None:
            sink.write(data)
    return digest.hexdigest(), size


def _safe_media_path(name: str) -> PurePosixPath:
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(
            _("archive member {name} points outside the media folder").format(name=name)
        )
    return relative


def read_manifest(path: Path, trusted_fingerprint: str | None = None) -> dict[str, Any]:
    """Read the whole archive once and return its manifest if every member matches it and its
    signature verifies with a trusted key: this node's, or the fingerprint the operator gives
    (a backup restored on another machine). Raises BackupError saying what is wrong."""
    seen: dict[str, tuple[str, int]] = {}
    manifest_bytes = signature = b""
    with _reading(path) as archive:
        for info in archive:
            if not info.isfile():
                raise BackupError(_("archive member {name} is not a file").format(name=info.name))
            stream = _member_stream(archive, info)
            if info.name in (MANIFEST, SIGNATURE):
                data = stream.read()
                if info.name == MANIFEST:
                    manifest_bytes = data
                else:
                    signature = data
                continue
            if info.name in seen:
                raise BackupError(_("archive member {name} appears twice").format(name=info.name))
            seen[info.name] = _hash_stream(stream)
    if not manifest_bytes or not signature:
        raise BackupError(
            _(
                "{path} has no signed manifest: the backup is truncated or was not made by "
                "guodong backup; nothing was restored"
            ).format(path=path)
        )
    manifest = _verified_manifest(manifest_bytes, signature, trusted_fingerprint)
    listed = {member["name"]: member for member in manifest["members"]}
    for name, (sha256, size) in seen.items():
        if name not in listed:
            raise BackupError(
                _("archive member {name} is not in the signed manifest (file altered)").format(
                    name=name
                )
            )
        if listed[name]["sha256"] != sha256 or listed[name]["size"] != size:
            raise BackupError(
                _(
                    "archive member {name} does not match its SHA-256 in the signed manifest: "
                    "the backup was altered; nothing was restored"
                ).format(name=name)
            )
    if missing := sorted(set(listed) - set(seen)):
        raise BackupError(
            _("{count} members of the manifest are missing, first {name}: truncated").format(
                count=len(missing), name=missing[0]
            )
        )
    return manifest


def _verified_manifest(
    manifest_bytes: bytes, signature: bytes, trusted_fingerprint: str | None
) -> dict[str, Any]:
    try:
        manifest = json.loads(manifest_bytes)
        public_raw = base64.b64decode(manifest["public_key"], validate=True)
        public_key = Ed25519PublicKey.from_public_bytes(public_raw)
        public_key.verify(base64.b64decode(signature, validate=True), manifest_bytes)
    except (ValueError, KeyError, TypeError, binascii.Error, InvalidSignature) as error:
        raise BackupError(
            _(
                "the manifest's signature does not verify: the backup was altered; nothing "
                "was restored"
            )
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(_("unknown backup format {format}").format(format=manifest.get("format")))
    signer = fingerprint(public_key)
    trusted = {fingerprint(node_private_key().public_key())}
    if trusted_fingerprint:
        trusted.add(trusted_fingerprint.strip().lower())
    if signer not in trusted:
        raise BackupError(
            _(
                "the backup is signed by key {fingerprint}, which is not this node's key; if "
                "you made it on another node, pass --trust-key {fingerprint}"
            ).format(fingerprint=signer)
        )
    return cast(dict[str, Any], manifest)


# --- restoring --------------------------------------------------------------------------------


def database_in_use() -> list[str]:
    """Labels of the tables holding rows other than those `migrate` writes by itself."""
    return [
        model._meta.label_lower
        for model in backed_up_models()
        if model._meta.label_lower not in FILLED_BY_MIGRATE and model._base_manager.exists()
    ]


def _check_schema(manifest: dict[str, Any]) -> None:
    theirs = {tuple(pair) for pair in manifest["migrations"]}
    ours = {tuple(pair) for pair in applied_migrations()}
    if theirs == ours:
        return
    missing, extra = sorted(theirs - ours), sorted(ours - theirs)
    example = ".".join(missing[0] if missing else extra[0])
    raise BackupError(
        _(
            "the backup's schema differs from this database ({missing} migrations of the backup "
            "are not applied here, {extra} applied here are not in the backup, e.g. {example}): "
            "restore into a database migrated to the same version"
        ).format(missing=len(missing), extra=len(extra), example=example)
    )


def _insert_rows(model: type[models.Model], stream: _HashingReader, name: str) -> int:
    # Not closed here: the caller still reads the member's tail through `stream`.
    lines = io.TextIOWrapper(io.BufferedReader(stream), encoding="utf-8")
    header = json.loads(lines.readline())
    columns = {column.column: column for column in _columns(model)}
    if header.get("model") != model._meta.label_lower or set(header["columns"]) != set(columns):
        raise BackupError(
            _("{name} holds columns {columns} that this version's table does not have").format(
                name=name, columns=", ".join(sorted(set(header["columns"]) ^ set(columns)))
            )
        )
    ordered = [columns[name] for name in header["columns"]]
    quote = connection.ops.quote_name
    # Identifiers come from the models and are quoted by the backend; values are parameters.
    sql = "INSERT INTO {table} ({columns}) VALUES ({values})".format(  # noqa: S608
        table=quote(model._meta.db_table),
        columns=", ".join(quote(column.column) for column in ordered),
        values=", ".join(["%s"] * len(ordered)),
    )
    rows, batch = 0, []
    with connection.cursor() as cursor:
        for line in lines:
            values = json.loads(line)
            batch.append([_db_value(c, v) for c, v in zip(ordered, values, strict=True)])
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                rows, batch = rows + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            rows += len(batch)
    lines.detach()
    return rows


def _clear_tables(tables: Iterable[type[models.Model]]) -> None:
    """Empty every table (inside the restore's transaction, so a failure keeps them)."""
    names = [model._meta.db_table for model in tables]
    statements = connection.ops.sql_flush(no_style(), names, allow_cascade=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses a table with deferred foreign-key checks still pending in this
            # transaction (rows the caller wrote before): run them now, defer again for loading.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _verify_events() -> tuple[int, ChainBreak | None]:
    total = 0
    for node in sorted(set(Event.objects.values_list("node_id", flat=True).distinct())):
        checked, broken = verify_with_checkpoints(node)
        total += checked
        if broken is not None:
            return total, broken
    return total, None


def restore_backup(
    path: Path,
    *,
    force: bool = False,
    trusted_fingerprint: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Restore `path` into this database and MEDIA_ROOT, all or nothing.

    Refuses an archive that does not match its signed manifest, one made by an untrusted key,
    a schema other than this database's, and (without `force`) a database or media folder that
    already holds data. Tables are replaced in one transaction that commits only if the event
    chain then verifies against the signed checkpoints; the media folder is swapped in after it,
    the previous one kept beside it.
    """
    manifest = read_manifest(path, trusted_fingerprint)
    _check_schema(manifest)
    media_root = Path(settings.MEDIA_ROOT)
    if not force:
        in_use = database_in_use()
        if in_use:
            raise BackupError(
                _(
                    "the database already holds data ({count} tables, e.g. {table}); restore "
                    "replaces all of it: use --force if that is what you want"
                ).format(count=len(in_use), table=in_use[0])
            )
        if any(True for _file in _media_files(media_root)):
            raise BackupError(
                _(
                    "the media folder {folder} is not empty; restore replaces it: use --force "
                    "if that is what you want"
                ).format(folder=media_root)
            )
    listed = {member["name"]: member for member in manifest["members"]}
    models_by_label = {model._meta.label_lower: model for model in backed_up_models()}
    unknown = [
        m["model"] for m in listed.values() if m.get("model") not in (None, *models_by_label)
    ]
    if unknown:
        raise BackupError(
            _("the backup holds table {model}, which this version does not have").format(
                model=unknown[0]
            )
        )
    summary = Summary(path=path, key_fingerprint=manifest["key_fingerprint"])
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
    try:
        with transaction.atomic():
            _clear_tables(models_by_label.values())
            with _reading(path) as archive:
                for info in archive:
                    if info.name in (MANIFEST, SIGNATURE):
                        continue
                    member = listed.get(info.name)
                    if member is None:  # the file changed since it was checked
                        raise BackupError(
                            _("archive member {name} is not in the signed manifest").format(
                                name=info.name
                            )
                        )
                    stream = _HashingReader(_member_stream(archive, info))
                    if info.name.startswith(MEDIA_PREFIX):
                        target = staging.joinpath(*_safe_media_path(info.name).parts)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with target.open("wb") as sink:
                            _hash_stream(cast(IO[bytes], stream), sink)
                        summary.media_files += 1
                        summary.media_bytes += stream.size
                    else:
                        model = models_by_label[member["model"]]
                        rows = _insert_rows(model, stream, info.name)
                        stream.read()  # the rest, if any, must still hash right
                        summary.rows[member["model"]] = rows
                        if progress and rows:
                            progress(f"{member['model']}: {rows}")
                    if stream.digest.hexdigest() != member["sha256"]:
                        raise BackupError(
                            _("archive member {name} changed since it was checked").format(
                                name=info.name
                            )
                        )
            sequences = connection.ops.sequence_reset_sql(
                no_style(), list(models_by_label.values())
            )
            with connection.cursor() as cursor:
                for statement in sequences:
                    cursor.execute(statement)
            ContentType.objects.clear_cache()
            checked, broken = _verify_events()
            if broken is not None:
                raise BackupError(
                    _(
                        "the restored event chain is BROKEN at sequence {sequence}: {reason}; "
                        "{checked} entries verified before it. Nothing was restored."
                    ).format(sequence=broken.sequence, reason=broken.reason, checked=checked)
                )
            summary.events_verified = checked
        _swap_media(staging, media_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def _swap_media(staging: Path, media_root: Path) -> None:
    """Put the restored media in place; a non-empty previous folder is kept beside it."""
    if media_root.exists():
        if any(media_root.iterdir()):
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            media_root.rename(media_root.with_name(f"{media_root.name}-before-restore-{stamp}"))
        else:
            media_root.rmdir()
    staging.chmod(0o755)  # mkdtemp's 0700 would hide the files from the web server
    staging.rename(media_root)
