"""The soundness self-test over the whole catalog, and proof that it can catch a broken kernel."""

from __future__ import annotations

import json

import pytest

from symbolic.catalog import ids
from symbolic.cli import main
from symbolic.kernel import Status
from symbolic.kernel import checker as kernel
from symbolic.testing import selftest


@pytest.fixture(scope="module")
def report() -> selftest.Report:
    return selftest.run(ids())


def test_no_mutant_is_wrongly_accepted_or_undecided(report):
    offenders = [
        (d["id"], m)
        for d in report.to_json()["derivations"]
        for m in d["not_refuted"]
        if m["outcome"] in ("wrongly_accepted", "undecided")
    ]
    assert offenders == []


def test_at_least_ten_mutants_per_step(report):
    totals = report.totals
    assert totals["made"] >= 10 * totals["steps"]


def test_equivalent_mutants_are_proved_not_assumed(report):
    for d in report.derivations:
        for m in d.mutants:
            if m.outcome == "equivalent":
                # Proved outright, or proved equal to the step's own (numeric-only) right side.
                assert m.verdict is Status.PROVED or m.detail.startswith(
                    "proved equal to the step's own right side"
                )


def test_report_counts_proved_and_numeric_steps(report):
    totals = report.totals
    assert totals["proved_steps"] + totals["numeric_steps"] <= totals["steps"]
    assert totals["proved_steps"] >= 12


def test_a_kernel_that_accepts_everything_is_caught(monkeypatch):
    """Simulate an unsound kernel: its numeric route never refutes, its proofs always succeed."""
    accept = kernel._Verdict(Status.NUMERIC, "agree (broken on purpose)")
    monkeypatch.setattr(kernel, "_numeric_equal", lambda *a, **k: accept)
    monkeypatch.setattr(kernel, "_numeric_argopt", lambda *a, **k: accept)
    monkeypatch.setattr(kernel, "_prove_equal", lambda *a, **k: (True, "broken on purpose"))
    broken = selftest.run(["kl-vs-mle"])
    assert broken.totals["wrongly_accepted"] > 0


def test_cli_selftest_json(capsys):
    code = main(["selftest", "kl-vs-mle", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["totals"]["wrongly_accepted"] == 0 and out["totals"]["undecided"] == 0
    assert out["derivations"][0]["id"] == "kl-vs-mle"


def test_undecided_steps_are_listed_not_mutated(report):
    for d in report.derivations:
        mutated_steps = {m.step for m in d.mutants}
        for index, reason in d.skipped:
            assert index not in mutated_steps and reason
