"""Budgets bound work: an inner budget never outlives the one around it, and a symbolic attempt
is bounded as a whole (its normalization included)."""

from __future__ import annotations

import time

import pytest

from symbolic.kernel.budget import BudgetExceeded, time_budget


def test_an_inner_budget_keeps_the_outer_deadline():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded):
        with time_budget(0.5):
            with time_budget(30.0):
                while True:
                    time.sleep(0.01)
    assert time.monotonic() - started < 2.0


def test_an_outer_budget_runs_on_after_an_inner_one():
    with time_budget(5.0):
        with time_budget(0.2):
            pass
        time.sleep(0.3)


def test_the_kernel_bounds_normalizing(monkeypatch):
    from sympy import Symbol

    from symbolic.kernel import checker as kernel
    from symbolic.kernel.derivation import Relation, Step

    def slow(expr):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(kernel, "normalize", slow)
    a = Symbol("a", positive=True)
    started = time.monotonic()
    checked = kernel.check_step(a, Relation.EQ, Step(Relation.EQ, a, "same"), params=(),
                                config=kernel.Config(budget=0.5))
    assert time.monotonic() - started < 5.0
    assert checked.status is kernel.Status.NUMERIC
    assert "budget" in checked.detail
