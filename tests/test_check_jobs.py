"""`symbolic check --all --jobs N`: the same results as one process, in the same order."""

from __future__ import annotations

import json
import re

import pytest

from symbolic import cli

# Cheap entries, one of them with a family's data sampler (a closure a worker cannot send back).
SAMPLE = ["kl/uniform", "mle/uniform", "kl-vs-mle"]


@pytest.fixture
def sample_catalog(monkeypatch):
    monkeypatch.setattr(cli, "ids", lambda: list(SAMPLE))


def test_jobs_print_what_one_process_prints_in_catalog_order(sample_catalog, capsys):
    assert cli.main(["check", "--all", "--json"]) == 0
    serial = capsys.readouterr()
    assert cli.main(["check", "--all", "--json", "--jobs", "2"]) == 0
    parallel = capsys.readouterr()
    assert json.loads(parallel.out) == json.loads(serial.out)
    assert [d["id"] for d in json.loads(parallel.out)] == SAMPLE
    for err in (serial.err, parallel.err):
        lines = err.splitlines()
        assert len(lines) == len(SAMPLE)
        seen = set()
        for k, line in enumerate(lines, start=1):
            match = re.fullmatch(rf"\[{k}/3\] (\S+) \S+ proved  \d+\.\d s", line)
            assert match, line
            seen.add(match.group(1))
        assert seen == set(SAMPLE)


def test_a_closure_left_in_the_worker_says_so():
    stub = cli.LeftInWorker("families._reals.<locals>.draw")
    with pytest.raises(RuntimeError, match="stayed in the worker"):
        stub(None, 3)


def test_bad_jobs_is_a_usage_error(capsys):
    assert cli.main(["check", "--all", "--jobs", "0"]) == 2
    assert "--jobs 0" in capsys.readouterr().err
