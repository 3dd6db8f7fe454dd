"""Shared fixtures: the seed derivations are built and checked once per session, and costly
results are computed once per test run even when the run is spread over worker processes."""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from symbolic import check, get
from symbolic.kernel import CheckedDerivation

T = TypeVar("T")

# A worker that died while computing leaves its claim behind: the others stop waiting then.
WAIT_LIMIT = 1800.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "costly: a test of a minute or more, run first")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-xdist hands tests out in collection order: a long test collected last keeps one
    # worker busy while the other idles, so the costly ones go first.
    items.sort(key=lambda item: item.get_closest_marker("costly") is None)


@pytest.fixture(scope="session")
def checked_seed() -> dict[str, CheckedDerivation]:
    return {d: check(get(d)) for d in ("cross-entropy-cost", "kl-vs-mle")}


class Shared:
    """Values computed once per test run: the first worker to ask claims a key and computes it,
    the others wait for its pickled result (pytest-xdist runs tests in several processes)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def get(self, key: str, compute: Callable[[], T]) -> T:
        name = key.replace("/", "+")
        done, failed = self.root / f"{name}.pickle", self.root / f"{name}.failed"
        try:
            os.close(os.open(self.root / f"{name}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return self._wait(key, done, failed)
        try:
            value = compute()
        except BaseException:
            failed.touch()
            raise
        partial = done.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(value))
        os.replace(partial, done)
        return value

    def _wait(self, key: str, done: Path, failed: Path) -> T:
        deadline = time.monotonic() + WAIT_LIMIT
        while not done.exists():
            if failed.exists():
                pytest.fail(f"computing {key} failed in another test process")
            if time.monotonic() > deadline:
                pytest.fail(f"no result for {key} after {WAIT_LIMIT:g} s")
            time.sleep(0.2)
        return pickle.loads(done.read_bytes())


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    # Under pytest-xdist every worker's base folder sits in one folder of this run.
    base = tmp_path_factory.getbasetemp()
    return Shared((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared")
