"""Dependencies point one way (DESIGN.md §3): demands never imports missions, matching or maps;
missions never imports matching or maps; matching never imports maps. A lower app that must react
to a higher one subscribes (guodong.demands.signals)."""

import ast
from pathlib import Path

import guodong

ROOT = Path(guodong.__file__).parent
# Each app, and the apps it must not import (those listed after it in DESIGN.md §3).
BELOW = {
    "demands": ("missions", "matching", "maps"),
    "missions": ("matching", "maps"),
    "matching": ("maps",),
}
# Known exception, to be moved up (issue 10): the outbound EDXL-RM messages (CommitResource,
# ReportResourceDeploymentStatus) read missions and allocations from inside demands/edxl.
KNOWN = {("demands/edxl/exchange.py", "missions")}


def _imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "guodong" and len(parts) > 1:
                apps.add(parts[1])
    return apps


def test_demands_missions_and_matching_import_only_the_apps_above_them():
    wrong = []
    for app, forbidden in BELOW.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            # Tests drive the whole loop (a demand matched and handed over) and may use any app.
            if "/migrations/" in relative or "/tests/" in relative:
                continue
            for imported in _imported_apps(path) & set(forbidden):
                if (relative, imported) not in KNOWN:
                    wrong.append(f"{relative} imports guodong.{imported}")
    assert not wrong, "\n".join(wrong)
