"""The kernel's verdicts on hand-made steps: proved, numeric, refuted and unknown."""

from __future__ import annotations

import pytest
import sympy
from sympy import Lambda, Symbol, atan, exp, log, pi

from symbolic import (
    NLL,
    Config,
    Constant,
    CrossEntropy,
    Expectation,
    Likelihood,
    N,
    PModel,
    Relation,
    Status,
    Step,
    check_step,
    p_data,
    p_model,
    theta,
    xv,
    yv,
)
from symbolic.kernel import CheckedStep

LOG_P = log(PModel(yv, xv, theta))


def test_checked_steps_only_come_from_the_kernel():
    with pytest.raises(TypeError):
        CheckedStep(1, N, Relation.EQ, Relation.EQ, N, "r", Status.PROVED, "forged")


def test_numeric_only_identity_says_so():
    p = Symbol("p", positive=True)
    checked = check_step(
        atan(p) + atan(1 / p), Relation.EQ, Step(Relation.EQ, pi / 2, "identity"), params=()
    )
    assert checked.status in (Status.PROVED, Status.NUMERIC)
    if checked.status is Status.NUMERIC:
        assert "numeric only" in checked.detail


def test_identity_false_on_the_domain_is_refuted_with_a_point_in_the_domain():
    p = Symbol("p", positive=True)
    checked = check_step(
        atan(p) + atan(1 / p), Relation.EQ, Step(Relation.EQ, pi / 3, "wrong"), params=()
    )
    assert checked.status is Status.REFUTED
    assert float(checked.counterexample["point"]["p"]) > 0


def test_interval_domains_are_respected():
    q = Symbol("q", real=True)
    # sqrt(q^2) = q holds on (0, 1) only; sampling from the interval must not refute it.
    checked = check_step(
        sympy.sqrt(q**2),
        Relation.EQ,
        Step(Relation.EQ, sympy.Abs(q), "abs"),
        params=(),
        intervals={q: (0, 1)},
    )
    assert checked.status is not Status.REFUTED


def test_theta_dependent_term_declared_constant_is_refuted():
    lhs = -Expectation(LOG_P, p_data)
    rhs = Constant(-Expectation(LOG_P, p_data))
    checked = check_step(lhs, Relation.EQ, Step(Relation.EQ, rhs, "declared constant"))
    assert checked.status is Status.REFUTED
    assert "depends on the parameters" in checked.detail
    assert checked.counterexample["theta_1"] != checked.counterexample["theta_2"]


def test_argmin_with_negative_factor_is_refuted():
    lhs = NLL()
    checked = check_step(lhs, Relation.ARGMIN, Step(Relation.ARGMIN, -NLL() / N, "wrong sign"))
    assert checked.status is Status.REFUTED
    assert set(checked.counterexample) >= {"theta_1", "theta_2", "lhs", "rhs"}


def test_argmin_to_argmax_with_negative_factor_is_proved():
    checked = check_step(NLL(), Relation.ARGMIN, Step(Relation.ARGMAX, -NLL() / N, "negate"))
    assert checked.status is Status.PROVED


def test_wrong_witness_is_not_taken_on_trust():
    u = Symbol("u", real=True)
    step = Step(Relation.ARGMIN, Likelihood() ** 2, "bogus", witness=Lambda(u, u**2))
    checked = check_step(-Likelihood(), Relation.ARGMIN, step)
    # u^2 is decreasing on the negative range of -L, so L^2 = h(-L) reverses the order.
    assert checked.status is Status.REFUTED


def test_composed_witness_is_proved():
    u = Symbol("u", real=True)
    # -L^2 = -h(-L) with h(u) = u^2 decreasing on the negatives: the order is kept.
    step = Step(Relation.ARGMIN, -(Likelihood() ** 2), "square", witness=Lambda(u, u**2))
    assert check_step(-Likelihood(), Relation.ARGMIN, step).status is Status.PROVED


def test_monotone_witness_through_exp():
    u = Symbol("u", real=True)
    step = Step(Relation.ARGMAX, Likelihood(), "exp", witness=Lambda(u, exp(-N * u)))
    checked = check_step(NLL() / N, Relation.ARGMIN, step)
    assert checked.status is Status.PROVED


def test_cross_entropy_is_nll_over_n():
    checked = check_step(
        NLL() / N, Relation.EQ, Step(Relation.EQ, CrossEntropy(p_data, p_model), "definition")
    )
    assert checked.status is Status.PROVED


def test_budget_exhaustion_is_unknown_not_a_hang():
    # A true identity the normalizer cannot see, with no time to simplify and no numeric
    # semantics for the unknown function: the honest verdict is unknown.
    f = sympy.Function("f")
    lhs = sympy.sin(f(theta)) ** 2 + sympy.cos(f(theta)) ** 2
    checked = check_step(
        lhs,
        Relation.EQ,
        Step(Relation.EQ, sympy.Integer(1), "pythagoras"),
        config=Config(budget=1e-6),
    )
    assert checked.status is Status.UNKNOWN
    assert "budget" in checked.detail or "numeric check impossible" in checked.detail


def test_more_digits_change_nothing():
    step = Step(Relation.EQ, CrossEntropy(p_data, p_model), "definition")
    checked = check_step(NLL() / N, Relation.EQ, step, config=Config(dps=120, seed=7))
    assert checked.status is Status.PROVED


def test_an_exact_zero_side_is_not_refuted_by_rounding_noise():
    p = Symbol("p", positive=True)
    lhs = log(p * (p + 1)) - log(p) - log(p + 1)
    step = Step(Relation.EQ, sympy.S.Zero, "zero")
    assert check_step(lhs, Relation.EQ, step, params=()).status is Status.PROVED
    tiny = Step(Relation.EQ, sympy.Rational(1, 10**30), "not zero")
    assert check_step(lhs, Relation.EQ, tiny, params=()).status is Status.REFUTED
