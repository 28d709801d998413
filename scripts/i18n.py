"""Compile and check the Chinese catalogue without needing GNU gettext at run time.

`compile` writes django.mo next to each django.po (polib, pure Python).
`check` fails when a string is untranslated or fuzzy.  Where xgettext exists it first
re-extracts the strings from the code, so a new `_()` without a translation fails too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))


def compile_all() -> None:
    for po_path in CATALOGUES:
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def problems(po_path: Path) -> list[str]:
    catalogue = polib.pofile(str(po_path))
    found = [f"untranslated: {e.msgid!r}" for e in catalogue.untranslated_entries()]
    found += [f"fuzzy: {e.msgid!r}" for e in catalogue.fuzzy_entries()]
    return found


def extract_into(po_path: Path) -> None:
    """Run makemessages, keeping the committed file unchanged on disk afterwards."""
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            po_path.parent.parent.name,
            "--no-obsolete",
            "--no-location",
            "--ignore",
            ".venv/*",
            "--ignore",
            "static/*",
            "-v",
            "0",
        ],
        cwd=ROOT,
        check=True,
    )


def check_all() -> int:
    failures: list[str] = []
    for po_path in CATALOGUES:
        if shutil.which("xgettext"):
            backup = po_path.read_bytes()
            try:
                extract_into(po_path)
                failures += [f"{po_path}: {p}" for p in problems(po_path)]
            finally:
                po_path.write_bytes(backup)
        else:
            print("NOTE: xgettext not found; checking the committed catalogue only.")
            failures += [f"{po_path}: {p}" for p in problems(po_path)]
    for line in failures:
        print(line)
    if failures:
        print(f"{len(failures)} catalogue problem(s); run `make messages` and translate them.")
        return 1
    print(f"i18n: {len(CATALOGUES)} catalogue(s) complete.")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "compile":
        compile_all()
    else:
        sys.exit(check_all())
