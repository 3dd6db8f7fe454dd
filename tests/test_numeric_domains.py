"""The numeric evaluator's domains and bounds (issue 14): whole domains sampled, sums bounded
before they are computed, series and integrals given a value only where they converge."""

from __future__ import annotations

import random
import time

import mpmath
import pytest
from sympy import Abs, Integral, Rational, Sum, Symbol, acos, asin, ceiling, floor, oo, sin

from symbolic.kernel.numeric import (
    Point,
    Unsupported,
    evaluate,
    sample_instances,
    sample_value,
)

ENV = Point(sample_instances()[0], {})


@pytest.mark.parametrize(
    ("assumptions", "inside"),
    [
        ({"integer": True, "even": True}, lambda v: v == int(v) and int(v) % 2 == 0),
        ({"integer": True, "odd": True}, lambda v: v == int(v) and int(v) % 2 == 1),
        ({"nonpositive": True}, lambda v: v <= 0),
        ({"integer": True, "nonpositive": True}, lambda v: v == int(v) and v <= 0),
        ({"negative": True}, lambda v: v < 0),
    ],
)
def test_values_come_from_the_whole_declared_set(assumptions: dict, inside: object) -> None:
    sym = Symbol("s", **assumptions)
    rng = random.Random(3)
    for far in (False, True):
        values = [sample_value(sym, rng, far=far) for _ in range(40)]
        assert all(inside(v) for v in values), values


def test_an_integer_in_an_open_interval_avoids_its_ends() -> None:
    m = Symbol("m", integer=True)
    rng = random.Random(0)
    values = {
        int(sample_value(m, rng, (0, 5), far=far)) for far in (False, True) for _ in range(50)
    }
    assert values == {1, 2, 3, 4}


def test_far_points_reach_a_million() -> None:
    t = Symbol("t", real=True)
    rng = random.Random(1)
    assert max(abs(sample_value(t, rng, far=True)) for _ in range(50)) > 10**5


def test_a_symbol_without_assumptions_is_drawn_complex() -> None:
    z = Symbol("z")
    values = [i.values[z] for i in sample_instances(0, 5, (z,), complex_ok=True)]
    assert any(isinstance(v, mpmath.mpc) and v.imag != 0 for v in values)
    assert any(not isinstance(v, mpmath.mpc) for v in values)


def test_nested_sums_are_bounded_before_evaluation() -> None:
    i, k = Symbol("i", integer=True), Symbol("k", integer=True)
    started = time.monotonic()
    with pytest.raises(Unsupported, match="terms"):
        evaluate(Sum(i * Sum(1, (k, 1, 99999)), (i, 1, 99999)), ENV)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "series",
    [
        Sum((-1) ** Symbol("n", integer=True), (Symbol("n", integer=True), 0, oo)),
        Sum(1 / Symbol("k", integer=True, positive=True),
            (Symbol("k", integer=True, positive=True), 1, oo)),
    ],
    ids=["grandi", "harmonic"],
)
def test_divergent_series_have_no_value(series: Sum) -> None:
    with pytest.raises(Unsupported):
        evaluate(series, ENV)


def test_an_integral_that_diverges_has_no_value() -> None:
    t = Symbol("t", real=True)
    with pytest.raises(Unsupported):
        evaluate(Integral(1 / t, (t, 0, 1)), ENV)


def test_kinks_are_split_so_the_quadrature_converges() -> None:
    t = Symbol("t", real=True)
    with mpmath.workdps(50):
        value = evaluate(Integral(Abs(sin(t)), (t, 0, 4)), ENV)
        # By hand: 2 over [0, pi], and over [pi, 4] the integral of -sin t is 1 + cos 4.
        assert abs(value - (3 + mpmath.cos(4))) < mpmath.mpf(10) ** -40


def test_new_functions_have_real_semantics() -> None:
    half = Rational(1, 2)
    with mpmath.workdps(30):
        # asin(1/2) = pi/6 and acos(1/2) = pi/3, by the triangle with angles 30 and 60 degrees.
        assert abs(evaluate(asin(half), ENV) - mpmath.pi / 6) < mpmath.mpf(10) ** -25
        assert abs(evaluate(acos(half), ENV) - mpmath.pi / 3) < mpmath.mpf(10) ** -25
        assert evaluate(floor(Rational(7, 2)), ENV) == 3
        assert evaluate(ceiling(Rational(7, 2)), ENV) == 4
