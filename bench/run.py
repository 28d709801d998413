"""Run every benchmark script under bench/ (each prints its figures beside its baseline).

Order matters: bench_map.py measures the layer over the holdings that bench_registry.py imports
into the shared benchmark database, so on a fresh machine the registry benchmark must run first
(alphabetical order ran the map first, which then only said "run bench_registry.py"). Scripts
not named in ORDER run after these, alphabetically, so a new benchmark is never skipped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# (script, the scripts whose data it reads): a dependency always runs before its reader.
ORDER: list[tuple[str, tuple[str, ...]]] = [
    ("bench_registry.py", ()),
    ("bench_map.py", ("bench_registry.py",)),
    ("bench_matching.py", ()),
    ("bench_demand.py", ()),
    ("bench_load.py", ()),
]


def ordered(found: list[str]) -> list[str]:
    """The scripts in `found` in run order: ORDER first (dependencies before readers), then
    any other script alphabetically."""
    known = [name for name, _needs in ORDER if name in found]
    position = {name: index for index, name in enumerate(known)}
    for name, needs in ORDER:
        for need in needs:
            if name in position and need in position and position[need] > position[name]:
                raise SystemExit(f"bench/run.py: {need} must come before {name} in ORDER")
    return known + sorted(name for name in found if name not in position)


def main() -> None:
    folder = Path(__file__).parent
    scripts = ordered([path.name for path in folder.glob("bench_*.py")])
    if not scripts:
        print("no benchmarks yet")
    for name in scripts:
        print(f"== {name}", flush=True)
        subprocess.run([sys.executable, str(folder / name)], check=True)


if __name__ == "__main__":
    main()
