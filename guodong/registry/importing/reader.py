"""Opening an uploaded file: what it really is, its encoding, and its rows as lists of strings."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook  # type: ignore[import-untyped]

XLSX_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 1 << 20
ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why, in the user's language."""


@dataclass
class OpenedFile:
    kind: str  # "csv" or "xlsx"
    encoding: str
    rows: Iterator[list[str]]


def _detect_encoding(head: bytes, declared: str) -> str:
    """UTF-8 unless it does not decode; then GB18030 (a superset of GBK, which Chinese Excel
    writes)."""
    candidates = [ENCODINGS[declared]] if declared in ENCODINGS else ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    if declared == "utf-8":
        raise FileProblem(
            _(
                "The file is not UTF-8 text (it looks like GBK, as Chinese Excel saves CSV). "
                "Choose GBK or “detect automatically” and upload again."
            )
        )
    raise FileProblem(_("The file is neither UTF-8 nor GBK text."))


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with path.open(encoding=encoding, newline="", errors="strict") as stream:
        try:
            yield from csv.reader(stream)
        except UnicodeDecodeError as error:
            raise FileProblem(
                _(
                    "The file stops being {encoding} text part-way through (byte {position})."
                ).format(encoding=encoding.upper(), position=error.start)
            ) from error


def _xlsx_rows(workbook: Any) -> Iterator[list[str]]:
    sheet = workbook["潜力数据"] if "潜力数据" in workbook.sheetnames else workbook.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield [
            "" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v))
            for v in row
        ]
    workbook.close()


def open_upload(path: Path, original_name: str, declared_encoding: str = "auto") -> OpenedFile:
    """Check the file is what its name says and return its rows (nothing is read twice)."""
    suffix = Path(original_name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FileProblem(
            _("Only .xlsx and .csv files can be imported, not “{name}”.").format(name=original_name)
        )
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(_("The file is empty."))
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    if suffix == ".xlsx":
        if not head.startswith(XLSX_MAGIC) or not zipfile.is_zipfile(path):
            raise FileProblem(
                _("“{name}” is not a real .xlsx workbook.").format(name=original_name)
            )
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise FileProblem(
                _("“{name}” is not a real .xlsx workbook.").format(name=original_name)
            ) from error
        return OpenedFile("xlsx", "", _xlsx_rows(workbook))
    if head.startswith(XLSX_MAGIC) or b"\x00" in head:
        raise FileProblem(
            _("“{name}” is not a CSV text file (it looks binary).").format(name=original_name)
        )
    encoding = _detect_encoding(
        head[: len(head) - (len(head) == SNIFF_BYTES) * 4], declared_encoding
    )
    return OpenedFile("csv", encoding, _csv_rows(path, encoding))


def text_of(rows: list[list[str]]) -> bytes:
    """A CSV of rows (tests and the template's example)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()
