"""Run every benchmark script under bench/ (each prints its figures beside its baseline)."""

import subprocess
import sys
from pathlib import Path

scripts = sorted(p for p in Path(__file__).parent.glob("bench_*.py"))
if not scripts:
    print("no benchmarks yet")
for script in scripts:
    print(f"== {script.name}")
    subprocess.run([sys.executable, str(script)], check=True)
