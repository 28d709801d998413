"""Dependencies point one way (DESIGN.md §3): an app imports only the apps listed above it
(core → divisions → orgs → accounts → registry → demands → missions → matching → maps; a user
belongs to an organization, so accounts comes after orgs). A higher
app that must react to a lower one's change subscribes to it (guodong.demands.signals)."""

import ast
from pathlib import Path

import guodong

ROOT = Path(guodong.__file__).parent
# The apps in DESIGN.md §3 order; each must not import those after it. `demo` loads data through
# every app's services and `core.testing` drives every route: both sit outside the order.
ORDER = [
    "core", "divisions", "orgs", "accounts", "registry", "demands", "missions", "matching", "maps",
]  # fmt: skip
BELOW = {app: tuple(ORDER[index + 1 :]) for index, app in enumerate(ORDER)}
# Deliberate exceptions, each with its reason: (module, app it imports).
KNOWN: set[tuple[str, str]] = set()


def _type_checking_blocks(tree: ast.Module) -> set[ast.AST]:
    """Nodes under `if TYPE_CHECKING:`: names for the type checker, no run-time dependency."""
    inside: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for child in node.body:
                inside.update(ast.walk(child))
    return inside


def _imported_apps(path: Path) -> set[str]:
    apps = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = _type_checking_blocks(tree)
    for node in ast.walk(tree):
        if node in type_only:
            continue
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


def test_every_app_imports_only_the_apps_above_it():
    wrong = []
    for app, forbidden in BELOW.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            # Tests drive the whole loop (a demand matched and handed over) and may use any app.
            if "/migrations/" in relative or "/tests/" in relative or "/testing/" in relative:
                continue
            for imported in _imported_apps(path) & set(forbidden):
                if (relative, imported) not in KNOWN:
                    wrong.append(f"{relative} imports guodong.{imported}")
    assert not wrong, "\n".join(wrong)
