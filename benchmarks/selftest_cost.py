"""CPU seconds of the self-test, entry by entry, each in a fresh process.

    python benchmarks/selftest_cost.py OUT.json [ID ...]   # every catalog entry by default

CPU time (the process's own), not wall time: on a shared machine the wall time measures the
other processes as much as this one. Each entry runs in a process of its own so that no cache
of an earlier entry serves a later one, as in a test worker that takes the entry first. The
JSON holds, per entry, the CPU and wall seconds and the self-test's totals; a line per entry is
printed as it finishes (docs/performance.md, "Self-test cost, before and after").
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

_ONE = (
    "import json, sys, time\n"
    "from symbolic.testing import selftest\n"
    "started = time.process_time()\n"
    "report = selftest.run([sys.argv[1]])\n"
    "print(json.dumps({'cpu': time.process_time() - started, 'totals': report.totals}))\n"
)


def measure(derivation_id: str) -> dict[str, object]:
    """One entry's self-test in a fresh process: its CPU and wall seconds and its totals."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _ONE, derivation_id], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "wall": time.monotonic() - started}


def main() -> None:
    from symbolic.catalog import ids

    out = Path(sys.argv[1])
    results: dict[str, dict[str, object]] = {}
    for derivation_id in sys.argv[2:] or ids():
        results[derivation_id] = measure(derivation_id)
        row = results[derivation_id]
        print(derivation_id, round(float(row.get("cpu", -1)), 1), row.get("totals"), flush=True)
        out.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
