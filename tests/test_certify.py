"""Certified counterexamples in ball arithmetic (issue 14): integrals, powers, budgets.

Each false claim below is off by an amount computed by hand (the comment says how); a
certificate must separate the sides, and the true claim beside it must never be refuted.
"""

from __future__ import annotations

import time

import mpmath
import pytest
from sympy import (
    Abs,
    Float,
    Integer,
    Integral,
    Piecewise,
    Rational,
    Sum,
    Symbol,
    exp,
    factorial,
    log,
    oo,
    pi,
    sin,
    sqrt,
)

from symbolic.kernel import Relation, Status, Step, check_step
from symbolic.kernel.budget import BudgetExceeded, time_budget
from symbolic.kernel.certify import certify
from symbolic.kernel.numeric import Point, sample_instances

t = Symbol("t", real=True)
p = Symbol("p", positive=True)
w = Symbol("w", real=True)
a = Symbol("a", real=True)
b = Symbol("b", real=True)

ENV = Point(sample_instances()[0], {})


def _check(lhs: object, rhs: object) -> object:
    return check_step(lhs, Relation.EQ, Step(Relation.EQ, rhs, "claim"))


# (integral, its true value by hand, a wrong value a hair away)
INTEGRALS = [
    # |t - 1| on [0, 2]: two triangles of area 1/2; the kink at 1 is a cut.
    ("abs-kink", Integral(Abs(t - 1), (t, 0, 2)), 1, 1 + Rational(1, 10**30)),
    # The indicator of t < 1/2 on [0, 1]: a jump at 1/2 inside the piece's end ball.
    ("jump", Integral(Piecewise((1, t < Rational(1, 2)), (0, True)), (t, 0, 1)),
     Rational(1, 2), Rational(1, 2) + Rational(1, 10**40)),
    # exp(-p t) on [0, 1] is (1 - exp(-p))/p; exp(-300) is added.
    ("param", Integral(exp(-p * t), (t, 0, 1)), (1 - exp(-p)) / p,
     (1 - exp(-p)) / p + exp(-300)),
]


@pytest.mark.parametrize("name,integral,true,false", INTEGRALS, ids=[c[0] for c in INTEGRALS])
def test_integral_claims_are_certified(name: str, integral: object, true: object,
                                       false: object) -> None:
    wrong = _check(integral, false)
    assert wrong.status is Status.REFUTED, wrong.detail
    assert "certified" in wrong.detail and "not certified" not in wrong.detail, wrong.detail
    assert "lhs_ball" in wrong.counterexample
    right = _check(integral, true)
    assert right.status in (Status.PROVED, Status.NUMERIC), right.detail


def test_ball_encloses_the_integral_value() -> None:
    """The enclosure of ∫_0^2 |t - 1| dt holds 1, computed by hand, and is narrow."""
    c = certify(Integral(Abs(t - 1), (t, 0, 2)), Rational(3, 2), ENV)
    assert c.certified
    centre, radius = c.lhs.strip("[]").split("+/-")
    assert abs(mpmath.mpf(centre) - 1) < mpmath.mpf(10) ** -25
    assert mpmath.mpf(radius.strip(" ]")) < mpmath.mpf(10) ** -25


def test_endpoint_singularity_is_named_not_certified() -> None:
    # ∫_0^1 log t dt = -1: log is unbounded at the end 0, where Arb cannot enclose it.
    c = certify(Integral(log(t), (t, 0, 1)), -1 + Rational(1, 10**50), ENV)
    # (On a loaded machine the certificate's 5 s may run out first: also not certified.)
    assert not c.certified
    assert "could not enclose" in c.missing or "did not finish" in c.missing, c.missing


def test_slow_integral_stops_at_its_own_budget() -> None:
    """A certificate gives up after its seconds (the mpmath fallback then says so)."""
    started = time.monotonic()
    c = certify(Integral(sqrt(1 - sin(t) ** 2), (t, 0, pi)), 2 + exp(-200), ENV)
    assert time.monotonic() - started < 10
    assert not c.certified and c.missing


def test_an_enclosing_budget_still_interrupts_inside_arb() -> None:
    """The alarm ringing while Arb runs the integrand surfaces as the budget's exception,
    not as a SystemError from the C routine, and the interpreter carries on."""
    with pytest.raises(BudgetExceeded):
        with time_budget(0.3):
            certify(Integral(sqrt(1 - sin(t) ** 2), (t, 0, pi)), 2 + exp(-200), ENV)
            while True:
                pass  # the budget counts CPU time: spin, not sleep, until it rings
    assert certify(Integral(Abs(t - 1), (t, 0, 2)), Rational(3, 2), ENV).certified


def test_power_with_an_integer_exponent_at_the_point() -> None:
    """(w^a)^b = w^(ab) fails at w = -1, a = 2, b = 1/2: 1 against -1, both real."""
    point = Point(
        sample_instances()[0],
        {w: mpmath.mpf(-1), a: mpmath.mpf(2), b: mpmath.mpf(1) / 2},
    )
    c = certify((w**a) ** b, w ** (a * b), point)
    assert c.certified, c.missing


def test_power_of_power_is_refuted_at_every_seed() -> None:
    """The grid of small integers and halves finds the point whatever the seed."""
    from symbolic.kernel import Config

    for seed in range(3):
        checked = check_step(
            (w**a) ** b, Relation.EQ, Step(Relation.EQ, w ** (a * b), "claim"),
            config=Config(seed=seed),
        )
        assert checked.status is Status.REFUTED, (seed, checked.detail)


def test_grid_passes_over_points_where_a_side_is_undefined() -> None:
    """(t^2 - 1)/(t - 1) = t + 1 is equal wherever both sides are defined: t = 1 on the grid
    is no counterexample."""
    checked = _check((t**2 - 1) / (t - 1), t + 1)
    assert checked.status is not Status.REFUTED, checked.detail


k = Symbol("k", integer=True, positive=True)
n = Symbol("n", integer=True)


def _enclosure(ball: str) -> tuple[mpmath.mpf, mpmath.mpf]:
    centre, radius = ball.strip("[]").split("+/-")
    return mpmath.mpf(centre), mpmath.mpf(radius.strip(" ]"))


SERIES = [
    # (series, its value from mpmath's own routines, not the certifier's route)
    ("ratio-factorial", Sum(1 / factorial(n), (n, 0, oo)), lambda: mpmath.e),
    ("ratio-geometric", Sum(k * Rational(1, 2) ** k, (k, 1, oo)), lambda: mpmath.mpf(2)),
    ("decay-basel", Sum(1 / k**2, (k, 1, oo)), lambda: mpmath.zeta(2)),
    ("gaussian-theta", Sum(exp(-pi * n**2 / 100), (n, -oo, oo)),
     lambda: mpmath.jtheta(3, 0, mpmath.exp(-mpmath.pi / 100))),
]


@pytest.mark.parametrize("name,series,value", SERIES, ids=[c[0] for c in SERIES])
def test_series_tail_bound_encloses_the_value(name: str, series: object,
                                              value: object) -> None:
    """The ball (partial sum plus a proved tail) holds the series' value, computed another way;
    the false claim value + 10^-3 is then certified wrong."""
    c = certify(series, Rational(-1000), ENV)
    assert c.certified, c.missing
    with mpmath.workdps(40):
        centre, radius = _enclosure(c.lhs)
        assert abs(centre - value()) <= radius + mpmath.mpf(10) ** -28, (centre, radius)
    assert radius < mpmath.mpf(10) ** -3


@pytest.mark.parametrize(
    "series",
    [Sum((-1) ** n, (n, 0, oo)), Sum(1 / k, (k, 1, oo)), Sum(k, (k, 1, oo))],
    ids=["grandi", "harmonic", "growing"],
)
def test_divergent_series_get_no_ball(series: object) -> None:
    c = certify(series, Rational(1, 2), ENV)
    assert not c.certified and "tail bound" in c.missing, c.missing


def test_theta_claim_off_by_1e_136_is_certified() -> None:
    # Jacobi: the sum is 10 (1 + 2 exp(-100 pi) + ...), so it exceeds 10 by about 7.3e-136.
    checked = _check(Sum(exp(-pi * n**2 / 100), (n, -oo, oo)), 10)
    assert checked.status is Status.REFUTED
    assert "certified" in checked.detail and "not certified" not in checked.detail


def test_model_and_data_probabilities_are_certified() -> None:
    """p_model, p̂_data(y | x) and p̂_data(x) have ball implementations: a claim off by
    exp(-300) or by 10^-60 of a frequency is certified, and the printed balls show the
    digits where the sides part."""
    from symbolic.kernel.measures import N, PData, PDataX, PModel, i, theta
    from symbolic.kernel.measures import x as xs
    from symbolic.kernel.measures import y as ys

    nll = -Sum(log(PModel(ys[i], xs[i], theta)), (i, 1, N))
    frequencies = Sum(PData(ys[i], xs[i]) * PDataX(xs[i]), (i, 1, N))
    for wrong in (nll + exp(-300), nll + frequencies / 10**60):
        checked = check_step(nll, Relation.EQ, Step(Relation.EQ, wrong, "claim"),
                             params=(theta,))
        assert checked.status is Status.REFUTED, checked.detail
        assert "certified" in checked.detail and "not certified" not in checked.detail
        lhs, rhs = checked.counterexample["lhs_ball"], checked.counterexample["rhs_ball"]
        assert lhs.split("+/-")[0] != rhs.split("+/-")[0]


def test_model_probability_ball_holds_the_softmax() -> None:
    """The ball of p_model(y | x, θ) at a sampled instance holds the softmax computed by
    mpmath at 60 digits from the instance's coefficients."""
    from symbolic.kernel.measures import PModel, theta

    inst = sample_instances()[1]
    env = Point(inst, {theta: mpmath.mpf(3) / 4})
    feature = inst.xs[0]
    c = certify(PModel(Integer(1), Float(feature, 30), theta), Integer(2), env)
    assert c.certified, c.missing
    with mpmath.workdps(60):
        logits = [a * env.params[theta] * feature + b * env.params[theta] ** 2 + cc
                  for a, b, cc in inst.model.coefficients]
        expected = mpmath.exp(logits[1]) / mpmath.fsum(mpmath.exp(v) for v in logits)
        centre, radius = _enclosure(c.lhs)
        assert abs(centre - expected) <= radius + mpmath.mpf(10) ** -28


def test_a_series_in_a_symbol_is_bounded_at_the_point() -> None:
    """Σ q^k = 1/(1 - q) on (0, 1/2): the tail is proved with q at its exact sampled value."""
    q = Symbol("q", positive=True)
    j = Symbol("j", integer=True, nonnegative=True)
    checked = check_step(
        Sum(q**j, (j, 0, oo)), Relation.EQ,
        Step(Relation.EQ, 1 / (1 - q) + Rational(1, 10**40), "claim"), intervals={q: (0, 0.5)},
    )
    assert checked.status is Status.REFUTED
    assert "certified" in checked.detail and "not certified" not in checked.detail
