"""The families: names and parametrizations of the interface, data samplers in their domains,
and log-densities that are the logarithms of the densities (checked numerically, not by the
expansion that produced them)."""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
from sympy import Indexed, MatrixSymbol, log

from symbolic.families import FAMILIES, names
from symbolic.kernel.measures import xv, yv
from symbolic.kernel.numeric import Instance, Point, evaluate, sample_value

EXPECTED = {
    "bernoulli": (["p"], []),
    "binomial": (["p"], ["n"]),
    "categorical": (["pi[k]"], []),
    "poisson": (["lam"], []),
    "geometric": (["p"], []),
    "exponential": (["lam"], []),
    "normal": (["mu", "sigma2"], []),
    "normal-known-variance": (["mu"], ["sigma2"]),
    "normal-known-mean": (["sigma2"], ["mu"]),
    "lognormal": (["mu", "sigma2"], []),
    "halfnormal": (["sigma2"], []),
    "rayleigh": (["sigma2"], []),
    "gamma-known-shape": (["beta"], ["alpha"]),
    "weibull-known-shape": (["lam"], ["k"]),
    "pareto-known-scale": (["alpha"], ["x_m"]),
    "inverse-gaussian": (["mu", "lam"], []),
    "laplace-known-location": (["b"], ["mu"]),
    "linear-regression": (["w", "b", "sigma2"], []),
    "multivariate-normal": (["mu", "Sigma"], []),
    "gamma": (["alpha", "beta"], []),
    "beta": (["alpha", "beta"], []),
    "weibull": (["k", "lam"], []),
    "cauchy": (["x0", "gamma"], []),
    "logistic-regression": (["w", "b"], []),
    "uniform": (["theta"], []),
    "pareto": (["x_m", "alpha"], []),
    "laplace": (["mu", "b"], []),
}

# Each family's support, written here by hand from the textbook definitions (not from the
# families' typed domains), for the data the samplers draw.
def _count(a: object) -> bool:
    return a == int(a) and a >= 0


SUPPORTS = {
    "bernoulli": lambda a: a in (0, 1),
    "binomial": _count,
    "categorical": lambda a: a == int(a) and a >= 1,
    "poisson": _count,
    "geometric": lambda a: a == int(a) and a >= 1,
    "beta": lambda a: 0 < a < 1,
    "pareto-known-scale": lambda a: a >= mpmath.mpf("0.5"),
    "pareto": lambda a: a >= mpmath.mpf("0.5"),
    **{n: (lambda a: a > 0) for n in (
        "exponential", "lognormal", "halfnormal", "rayleigh", "gamma-known-shape",
        "weibull-known-shape", "inverse-gaussian", "gamma", "weibull", "uniform")},
}


def mpmath_fraction(a: mpmath.mpf) -> Fraction:
    man, exp = mpmath.mpf(a).man_exp
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def test_the_catalog_has_the_27_families_of_the_issue() -> None:
    assert names() == list(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_parameter_names_are_the_interface(name: str) -> None:
    fam = FAMILIES[name]
    estimated, known = EXPECTED[name]
    assert [str(p) for p in fam.params] == estimated
    assert [str(k) for k in fam.known] == known


@pytest.mark.parametrize("name", [n for n in EXPECTED if n != "multivariate-normal"])
def test_sampled_data_lie_in_the_data_domain_and_repeat(name: str) -> None:
    fam = FAMILIES[name]
    points = fam.sample(random.Random(5), 40)
    check = SUPPORTS.get(name)
    if check is not None:
        assert all(check(a) for a, _ in points), fam.support_domain
    # The typed support agrees with the hand-written one on every sampled point.
    assert all(fam.support_domain.contains(mpmath_fraction(a), {}) for a, _ in points)
    if name == "logistic-regression":
        assert {b for _, b in points} <= {0, 1}
    # Few distinct values: repeated points, where multiplicities matter, are the rule.
    assert len(set(points)) < len(points)


@pytest.mark.parametrize(
    "name", [n for n in EXPECTED if n not in ("categorical", "multivariate-normal")]
)
def test_log_density_is_the_log_of_the_density(name: str) -> None:
    # The solver works with fam.logp, produced by expanding log(density) under the domain's
    # assumptions; here both are evaluated at sampled points and compared to 40 digits.
    fam = FAMILIES[name]
    rng = random.Random(11)
    symbols = [s.base.label if isinstance(s, Indexed) else s for s in fam.symbols]
    with mpmath.workdps(50):
        for a, b in fam.sample(rng, 6):
            values = {s: sample_value(s, rng, fam.intervals.get(s)) for s in symbols}
            if name == "binomial":
                values[symbols[1]] = mpmath.mpf(5)
            inst = Instance(1, (a,), (b,), None, values)  # type: ignore[arg-type]
            env = Point(inst, {}, {xv: a, yv: b})
            left = evaluate(fam.logp, env)
            bound = {fam.variable: xv, **({fam.response: yv} if fam.response else {})}
            right = evaluate(log(fam.density).xreplace(bound), env)
            assert abs(left - right) <= mpmath.mpf(10) ** -40 * max(1, abs(right))


def test_multivariate_normal_is_in_matrix_form_with_a_plane_for_the_kernel() -> None:
    fam = FAMILIES["multivariate-normal"]
    assert all(isinstance(p, MatrixSymbol) for p in fam.params)
    plane = fam.coordinates
    assert plane is not None and plane.regression
    assert [str(p) for p in plane.params] == ["mu1", "mu2", "s11", "s12", "s22"]
