"""The benchmark script runs (on small sizes); speed itself is measured, never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.costly
def test_benchmark_script_runs_quickly_on_small_sizes():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for heading in (
        "## The whole catalog",
        "## The kernel against the naive way",
        "## The numeric cross-check",
        "## The targets of issue 18",
        "## Import time",
        "## A user's derivation file",
        "## assert_identity, warm",
        "## Profile of `symbolic check`",
        "## Growth with the data size N",
        "## Growth with the number of classes K",
    ):
        assert heading in proc.stdout
