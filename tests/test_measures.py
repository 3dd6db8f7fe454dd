"""The measures print in the post's notation and unfold to their definitions."""

from __future__ import annotations

import mpmath
import pytest
from sympy import Sum, latex, log

from symbolic import (
    KL,
    NLL,
    CrossEntropy,
    Entropy,
    Expectation,
    Likelihood,
    N,
    PData,
    PModel,
    i,
    p_data,
    p_model,
    theta,
    unfold,
    x,
    xv,
    y,
    yv,
)
from symbolic.kernel.numeric import Point, evaluate, sample_instances


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (CrossEntropy(p_data, p_model), r"H(\hat{p}_{data}, p_{model})"),
        (KL(p_data, p_model), r"D_{KL}(\hat{p}_{data} \| p_{model})"),
        (Entropy(p_data), r"H(\hat{p}_{data})"),
        (Likelihood(), r"p_{model}(\mathbb{X}; \theta)"),
        (PModel(yv, xv, theta), r"p_{model}(y \mid x, \theta)"),
        (PData(yv, xv), r"\hat{p}_{data}(y \mid x)"),
    ],
)
def test_latex_in_the_posts_notation(expr, expected):
    assert latex(expr) == expected


def test_expectation_prints_its_subscript():
    assert latex(Expectation(log(PModel(yv, xv, theta)), p_data)).startswith(
        r"\mathbb{E}_{x,y \sim \hat{p}_{data}}"
    )


def test_doit_and_rewrite_unfold_to_sums(identity):
    expected = -Sum(log(PModel(y[i], x[i], theta)), (i, 1, N)) / N
    identity(CrossEntropy(p_data, p_model).doit(), expected)
    identity(CrossEntropy(p_data, p_model).rewrite(Sum), expected)
    identity(KL(p_data, p_model), -Entropy(p_data) + CrossEntropy(p_data, p_model))
    assert unfold(NLL()).has(log)


def _by_hand(inst, f):
    """E over p_data by the definition: distinct points, mass count/N."""
    from collections import Counter

    counts = Counter(zip(inst.xs, inst.ys, strict=True))
    return sum(mpmath.mpf(c) / inst.n * f(a, b) for (a, b), c in counts.items())


def test_empirical_distribution_counts_repeated_points():
    with mpmath.workdps(40):
        for inst in sample_instances(seed=11, count=5):
            env = Point(inst, {theta: mpmath.mpf("0.731")})
            got = evaluate(Entropy(p_data), env)
            xs = {a: inst.xs.count(a) for a in inst.xs}
            pairs = {
                (a, b): list(zip(inst.xs, inst.ys, strict=True)).count((a, b))
                for a, b in zip(inst.xs, inst.ys, strict=True)
            }
            def surprise(a, b, pairs=pairs, xs=xs):
                return -mpmath.log(mpmath.mpf(pairs[(a, b)]) / xs[a])

            want = _by_hand(inst, surprise)
            assert abs(got - want) < mpmath.mpf(10) ** -35


def test_nll_over_n_is_the_cross_entropy_numerically():
    with mpmath.workdps(60):
        for inst in sample_instances(seed=5, count=5):
            env = Point(inst, {theta: mpmath.mpf("-1.3791")})
            lhs = evaluate(NLL(), env) / inst.n
            rhs = evaluate(CrossEntropy(p_data, p_model), env)
            assert abs(lhs - rhs) < mpmath.mpf(10) ** -50


def test_the_empirical_and_model_probabilities_are_positive_only_at_observed_points():
    from sympy import Symbol

    j = Symbol("j", integer=True, positive=True)
    assert PData(y[i], x[i]).is_positive and PData(yv, xv).is_positive
    assert PModel(y[i], x[i], theta).is_positive
    # y[1] given x[2] is not an observed pair: its empirical probability may be 0.
    assert PData(y[1], x[2]).is_positive is None
    assert PData(y[j], x[i]).is_positive is None
    assert PModel(y[j], x[i], theta).is_positive is None
    assert PData(y[j], x[i]).is_nonnegative


def test_kl_between_different_reference_measures_is_infinite():
    from sympy import Symbol, exp, oo

    from symbolic.kernel.measures import BoundModel, Reference, p_data_x

    lam = Symbol("lam", positive=True)
    density = BoundModel(lam * exp(-lam * xv), (lam,), False, Reference.LEBESGUE)
    mass = BoundModel(lam**xv * exp(-lam), (lam,), False, Reference.COUNTING)
    assert unfold(KL(p_data_x, density)) == oo
    assert "not absolutely continuous" in KL(p_data_x, density).infinite()
    # Control: against a mass the divergence is the seed's finite expectation.
    assert unfold(KL(p_data_x, mass)) != oo and KL(p_data_x, mass).infinite() is None
