"""Typed domains: exact membership at the ends, samplers inside, assumptions, printed forms."""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
from sympy import Symbol, oo, pi

from symbolic.families import DISTRIBUTIONS, FAMILIES
from symbolic.kernel.domains import (
    BITS,
    POSITIVE,
    REALS,
    SPD,
    UNIT,
    Integers,
    Interval,
    Labels,
    Simplex,
    Vectors,
)

K = Symbol("K", integer=True, positive=True)
n = Symbol("n", integer=True, positive=True)
x_m = Symbol("x_m", positive=True)


@pytest.mark.parametrize(
    ("domain", "inside", "outside"),
    [
        (POSITIVE, [Fraction(1, 10**30), 7], [0, -1]),
        (UNIT, [Fraction(1, 2), Fraction(999, 1000)], [0, 1, 2]),
        (Interval(0, 1, left_open=False, right_open=False), [0, 1], [Fraction(-1, 10**9)]),
        (REALS, [-(10**40), 0, 10**40], []),
        (BITS, [0, 1], [2, Fraction(1, 2), -1]),
        (Integers(0), [0, 1, 10**9], [-1, Fraction(3, 2)]),
        (Integers(1), [1, 2], [0]),
        (Labels(K), [1, 5], [0, Fraction(3, 2)]),
    ],
)
def test_membership_is_exact_at_the_ends(domain, inside, outside) -> None:
    assert all(domain.contains(v) for v in inside)
    assert not any(domain.contains(v) for v in outside)


def test_bounds_take_the_known_values() -> None:
    assert Integers(0, n).contains(3, {n: 3}) and not Integers(0, n).contains(4, {n: 3})
    pareto = Interval(x_m, oo, left_open=False)
    assert pareto.contains(Fraction(1, 4), {x_m: Fraction(1, 4)})
    assert not pareto.contains(Fraction(1, 5), {x_m: Fraction(1, 4)})
    # Without the value, x >= x_m > 0 still rules out 0.
    assert not pareto.contains(0) and pareto.contains(Fraction(1, 10**6))
    # pi is irrational: [-pi, pi) holds 3 and -3 but not 4.
    circle = Interval(-pi, pi, left_open=False)
    assert circle.contains(3) and circle.contains(-3) and not circle.contains(4)


def test_vector_and_matrix_domains() -> None:
    assert Simplex(3).contains([Fraction(1, 3)] * 3)
    assert not Simplex(3).contains([Fraction(1, 2), Fraction(1, 2), 0])
    assert not Simplex(3).contains([Fraction(1, 2), Fraction(1, 2)])
    assert SPD(2).contains([[1, 0], [0, 1]])
    assert not SPD(2).contains([[1, 1], [1, 1]])  # singular
    assert not SPD(2).contains([[2, 1], [0, 2]])  # not symmetric
    rng = random.Random(3)
    for _ in range(20):
        w = Simplex(4).draw(4, rng)
        assert all(a > 0 for a in w) and abs(mpmath.fsum(w) - 1) < mpmath.mpf(10) ** -14
        m = SPD(3).draw(3, rng)
        assert mpmath.cholesky(mpmath.matrix([list(m[r * 3:r * 3 + 3]) for r in range(3)]))
        assert all(v > 0 for v in Vectors(POSITIVE, 3).draw(3, rng))


@pytest.mark.parametrize("domain", [POSITIVE, UNIT, REALS, Integers(0), Integers(1), BITS])
def test_samples_lie_in_the_domain_and_reach_far(domain) -> None:
    rng = random.Random(1)
    values = [domain.sample(rng) for _ in range(200)]
    assert all(domain.contains(v) for v in values)
    if domain in (POSITIVE, REALS):
        assert max(abs(v) for v in values) > 100  # far points are sampled too


def test_assumptions_follow_the_domain() -> None:
    assert POSITIVE.assumptions() == {"positive": True} == UNIT.assumptions()
    assert REALS.assumptions() == {"real": True}
    assert Integers(0).assumptions() == {"integer": True, "nonnegative": True}
    assert Integers(1).symbol("x").is_positive
    assert Interval(0, oo, left_open=False).assumptions() == {"nonnegative": True}


def test_printed_forms() -> None:
    assert (Integers(0).text(), Integers(0).latex(), Integers(0).korean()) == (
        "{0, 1, 2, ...}", r"\{0, 1, 2, \ldots\}", "0 이상의 정수")
    assert POSITIVE.words() == "the positive real numbers (0, oo)"
    assert POSITIVE.korean() == "양의 실수"
    assert Interval(-pi, pi, left_open=False).latex() == r"[- \pi, \pi)"
    assert REALS.latex() == r"\mathbb{R}" and BITS.words() == "0 or 1"
    assert SPD(Symbol("d")).korean() == "d×d 대칭 양의 정부호 행렬"


def test_every_family_definition_has_a_typed_support_and_parameters() -> None:
    for fam in [*DISTRIBUTIONS.values(), *FAMILIES.values()]:
        assert fam.support_domain.text()
        for p in fam.parameters:
            # Each scalar parameter's symbol carries its domain's assumptions.
            if isinstance(p.symbol, Symbol):
                assert p.symbol.assumptions0 == p.domain.symbol(p.name).assumptions0
