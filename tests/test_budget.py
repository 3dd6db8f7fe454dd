"""Budgets bound work: an inner budget never outlives the one around it, and a symbolic attempt
is bounded as a whole (its normalization included). Budgets count CPU time, so the work here
spins instead of sleeping."""

from __future__ import annotations

import time

import pytest

from symbolic.kernel.budget import BudgetExceeded, time_budget


def _spin(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_an_inner_budget_keeps_the_outer_deadline():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded):
        with time_budget(0.5):
            with time_budget(30.0):
                while True:
                    _spin(0.01)
    assert time.monotonic() - started < 2.0


def test_an_outer_budget_runs_on_after_an_inner_one():
    with time_budget(5.0):
        with time_budget(0.2):
            pass
        _spin(0.3)


def test_the_kernel_bounds_normalizing(monkeypatch):
    from sympy import Symbol

    from symbolic.kernel import checker as kernel
    from symbolic.kernel.derivation import Relation, Step

    def slow(expr):
        while True:
            _spin(0.01)

    monkeypatch.setattr(kernel, "normalize", slow)
    a = Symbol("a", positive=True)
    started = time.monotonic()
    checked = kernel.check_step(a, Relation.EQ, Step(Relation.EQ, a, "same"), params=(),
                                config=kernel.Config(budget=0.5))
    assert time.monotonic() - started < 5.0
    assert checked.status is kernel.Status.NUMERIC
    assert "budget" in checked.detail


def test_a_budget_counts_cpu_time_not_waiting():
    """A verdict must not depend on the machine's load: time spent waiting (as a process does
    while others run) is not spent from the budget."""
    with time_budget(0.2):
        time.sleep(0.4)
    with pytest.raises(BudgetExceeded):
        with time_budget(0.2):
            _spin(5.0)
