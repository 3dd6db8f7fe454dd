"""The run-wide store of costly results (tests/conftest.py): computed once, read by the others."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from conftest import Shared


def _never() -> object:
    raise AssertionError("computed twice")


def _slowly(root: str) -> None:
    Shared(Path(root)).get("slow/key", lambda: time.sleep(1) or [1, 2])


def test_the_first_caller_computes_and_the_others_read(tmp_path):
    assert Shared(tmp_path).get("a/b", lambda: {"x": 1}) == {"x": 1}
    assert Shared(tmp_path).get("a/b", _never) == {"x": 1}


def test_a_caller_waits_for_the_process_that_claimed_the_key(tmp_path):
    worker = multiprocessing.get_context("fork").Process(target=_slowly, args=(str(tmp_path),))
    worker.start()
    while not (tmp_path / "slow+key.claim").exists():
        pass
    assert Shared(tmp_path).get("slow/key", _never) == [1, 2]
    worker.join()


def test_a_failure_elsewhere_fails_the_waiting_test(tmp_path):
    store = Shared(tmp_path)
    with pytest.raises(ZeroDivisionError):
        store.get("k", lambda: 1 / 0)
    with pytest.raises(pytest.fail.Exception, match="failed in another test process"):
        store.get("k", _never)
