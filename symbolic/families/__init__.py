"""The families of distributions whose maximum-likelihood estimators the solver derives.

A :class:`Family` names its estimated and known parameters (with their domains), the domain of
its data, and its density or mass in a scalar data variable. The log-density the solver works
with is derived from the density by expanding the logarithm under the domain's assumptions; it
is written in the bound variables ``xv`` (and ``yv`` for regression) of :mod:`symbolic.kernel.measures`
so that it can be summed over the data ``x[i]`` or averaged under ``p_data``.

>>> fam = FAMILIES["exponential"]
>>> fam.logp
-lam*x + log(lam)
>>> [str(s) for s in fam.params]
['lam']
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath
from sympy import (
    Abs,
    Determinant,
    Expr,
    Indexed,
    IndexedBase,
    Matrix,
    MatrixSymbol,
    Symbol,
    Trace,
    binomial,
    exp,
    expand,
    expand_log,
    factorial,
    gamma,
    log,
    pi,
    sqrt,
)
from sympy import beta as beta_function

from symbolic.kernel.measures import xv, yv
from symbolic.kernel.numeric import DataSampler, random_mpf

__all__ = ["Family", "FAMILIES", "names", "Param", "x_pos"]

Param = Symbol | Indexed
"""An estimated parameter: a symbol, or ``pi[k]`` for the categorical family."""

# The scalar data variables the densities are written in, with the assumptions of each data
# domain: the logarithm of a density only splits into a sum where its factors are positive.
_XPOS = Symbol("X", positive=True)
_XREAL = Symbol("X", real=True)
_XCOUNT = Symbol("X", integer=True, nonnegative=True)
_YREAL = Symbol("Y", real=True)
_YBIT = Symbol("Y", integer=True, nonnegative=True)

# The data of a family whose data domain is (0, oo): x[i] > 0 for the kernel.
x_pos = IndexedBase("x", positive=True)

# Parameter symbols: names are part of the interface; assumptions are their domains.
p = Symbol("p", positive=True)
n = Symbol("n", integer=True, positive=True)
K = Symbol("K", integer=True, positive=True)
k_label = Symbol("k", integer=True, positive=True)
pi_ = IndexedBase("pi", positive=True)
lam = Symbol("lam", positive=True)
mu = Symbol("mu", real=True)
mu_pos = Symbol("mu", positive=True)
sigma2 = Symbol("sigma2", positive=True)
beta = Symbol("beta", positive=True)
alpha = Symbol("alpha", positive=True)
k = Symbol("k", positive=True)
x_m = Symbol("x_m", positive=True)
b_scale = Symbol("b", positive=True)
b_real = Symbol("b", real=True)
w = Symbol("w", real=True)
theta = Symbol("theta", positive=True)
x0 = Symbol("x0", real=True)
gamma_ = Symbol("gamma", positive=True)


@dataclass(frozen=True, eq=False)
class Family:
    """A parametric family and everything the solver and the numeric checks need about it.

    ``intervals`` are sampling domains for parameters whose assumptions are too wide (a
    probability in (0, 1)); ``support`` names a parameter-dependent support as a map from the
    parameter to the side of the data it bounds (``"max"``: the parameter is at least every
    data point; ``"min"``: at most); ``start`` gives a rough starting point for the numeric
    maximization from the data (floats are enough: Newton's method refines it);
    ``positive_data`` says the data lie in (0, oo), which the kernel may assume of them.

    >>> FAMILIES["uniform"].support
    {theta: 'max'}
    """

    name: str
    density: Expr
    params: tuple[Param, ...]
    known: tuple[Symbol, ...]
    data_domain: str
    sample: DataSampler
    discrete: bool
    logp: Expr
    intervals: dict[Symbol, tuple[float, float]] = field(default_factory=dict)
    support: dict[Symbol, str] = field(default_factory=dict)
    regression: bool = False
    start: Callable[[list[tuple[float, float]]], dict[Param, float]] | None = None
    coordinates: Family | None = None
    positive_data: bool = False

    @property
    def symbols(self) -> tuple[Param, ...]:
        """Estimated and known parameters, in that order."""
        return (*self.params, *self.known)


def _log_density(density: Expr, xs: Symbol, ys: Symbol | None) -> Expr:
    # force=True is sound here: every factor of every density below is positive on its data
    # and parameter domains (1 - p with p in (0, 1) is the one sympy cannot see).
    out = expand(expand_log(log(density), force=True))
    subs = {xs: xv} if ys is None else {xs: xv, ys: yv}
    return out.xreplace(subs)


def _reals(lo: float, hi: float, distinct: int = 5) -> DataSampler:
    def draw(rng: random.Random, size: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        pool = [random_mpf(rng, lo, hi) for _ in range(distinct)]
        return [(rng.choice(pool), mpmath.mpf(0)) for _ in range(size)]

    return draw


def _integers(lo: int, hi: int) -> DataSampler:
    def draw(rng: random.Random, size: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        return [(mpmath.mpf(rng.randint(lo, hi)), mpmath.mpf(0)) for _ in range(size)]

    return draw


def _regression(labels: bool) -> DataSampler:
    def draw(rng: random.Random, size: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        features = [random_mpf(rng, -2, 2) for _ in range(4)]
        if labels:
            return [(rng.choice(features), mpmath.mpf(rng.randint(0, 1))) for _ in range(size)]
        # A pool of (x, y) pairs, so that whole points repeat.
        pool = [(rng.choice(features), random_mpf(rng, -3, 3)) for _ in range(6)]
        return [rng.choice(pool) for _ in range(size)]

    return draw


def _mean(data: list[tuple[float, float]]) -> float:
    return sum(a for a, _ in data) / len(data)


def _family(
    name: str,
    density: Expr,
    params: tuple[Param, ...],
    known: tuple[Symbol, ...],
    data_domain: str,
    sample: DataSampler,
    xs: Symbol,
    *,
    discrete: bool = False,
    ys: Symbol | None = None,
    **extra: object,
) -> Family:
    return Family(
        name=name,
        density=density.xreplace({xs: xv} if ys is None else {xs: xv, ys: yv}),
        params=params,
        known=known,
        data_domain=data_domain,
        sample=sample,
        discrete=discrete,
        logp=_log_density(density, xs, ys),
        regression=ys is not None,
        positive_data=xs is _XPOS,
        **extra,  # type: ignore[arg-type]
    )


def _normal(xs: Symbol, m: Symbol, v: Symbol) -> Expr:
    return exp(-((xs - m) ** 2) / (2 * v)) / sqrt(2 * pi * v)


def _catalog() -> dict[str, Family]:
    X, C, Rl = _XPOS, _XCOUNT, _XREAL
    prob = {p: (0.05, 0.95)}
    gamma_density = beta**alpha * X ** (alpha - 1) * exp(-beta * X) / gamma(alpha)
    weibull_density = (k / lam) * (X / lam) ** (k - 1) * exp(-((X / lam) ** k))
    pareto_density = alpha * x_m**alpha / X ** (alpha + 1)
    laplace_density = exp(-Abs(Rl - mu) / b_scale) / (2 * b_scale)
    z = w * Rl + b_real
    fams = [
        _family("bernoulli", p**C * (1 - p) ** (1 - C), (p,), (), "{0, 1}", _integers(0, 1), C,
                discrete=True, intervals=prob, start=lambda d: {p: 0.5}),
        _family("binomial", binomial(n, C) * p**C * (1 - p) ** (n - C), (p,), (n,),
                "{0, ..., n}", _integers(0, 1), C, discrete=True, intervals=prob,
                start=lambda d: {p: 0.5}),
        Family(name="categorical", density=pi_[xv], params=(pi_[k_label],), known=(),
               data_domain="labels {1, ..., K}", sample=_integers(1, 3), discrete=True,
               logp=log(pi_[xv])),
        _family("poisson", lam**C * exp(-lam) / factorial(C), (lam,), (), "{0, 1, 2, ...}",
                _integers(0, 6), C, discrete=True, start=lambda d: {lam: 1.0}),
        _family("geometric", (1 - p) ** (C - 1) * p, (p,), (), "{1, 2, ...}", _integers(1, 6), C,
                discrete=True, intervals=prob, start=lambda d: {p: 0.5}),
        _family("exponential", lam * exp(-lam * X), (lam,), (), "(0, oo)", _reals(0.1, 4), X,
                start=lambda d: {lam: 1.0}),
        _family("normal", _normal(Rl, mu, sigma2), (mu, sigma2), (), "(-oo, oo)",
                _reals(-3, 3), Rl, start=lambda d: {mu: 0.0, sigma2: 1.0}),
        _family("normal-known-variance", _normal(Rl, mu, sigma2), (mu,), (sigma2,), "(-oo, oo)",
                _reals(-3, 3), Rl, start=lambda d: {mu: 0.0}),
        _family("normal-known-mean", _normal(Rl, mu, sigma2), (sigma2,), (mu,), "(-oo, oo)",
                _reals(-3, 3), Rl, start=lambda d: {sigma2: 1.0}),
        _family("lognormal", _normal(log(X), mu, sigma2) / X, (mu, sigma2), (), "(0, oo)",
                _reals(0.1, 5), X, start=lambda d: {mu: 0.0, sigma2: 1.0}),
        _family("halfnormal", sqrt(2 / (pi * sigma2)) * exp(-(X**2) / (2 * sigma2)), (sigma2,),
                (), "(0, oo)", _reals(0.1, 4), X, start=lambda d: {sigma2: 1.0}),
        _family("rayleigh", X / sigma2 * exp(-(X**2) / (2 * sigma2)), (sigma2,), (), "(0, oo)",
                _reals(0.1, 4), X, start=lambda d: {sigma2: 1.0}),
        _family("gamma-known-shape", gamma_density, (beta,), (alpha,), "(0, oo)",
                _reals(0.1, 4), X, start=lambda d: {beta: 1.0}),
        _family("weibull-known-shape", weibull_density, (lam,), (k,), "(0, oo)",
                _reals(0.1, 4), X, start=lambda d: {lam: 1.0}),
        _family("pareto-known-scale", pareto_density, (alpha,), (x_m,), "[x_m, oo)",
                _reals(0.6, 5), X, intervals={x_m: (0.05, 0.5)}, start=lambda d: {alpha: 1.0}),
        _family("inverse-gaussian",
                sqrt(lam / (2 * pi * X**3)) * exp(-lam * (X - mu_pos) ** 2 / (2 * mu_pos**2 * X)),
                (mu_pos, lam), (), "(0, oo)", _reals(0.1, 4), X,
                start=lambda d: {mu_pos: 1.0, lam: 1.0}),
        _family("laplace-known-location", laplace_density, (b_scale,), (mu,), "(-oo, oo)",
                _reals(-3, 3), Rl,
                start=lambda d: {b_scale: 1.0}),
        _family("linear-regression", _normal(_YREAL, w * Rl + b_real, sigma2),
                (w, b_real, sigma2), (), "x real, y real", _regression(False), Rl, ys=_YREAL,
                start=lambda d: {w: 0.0, b_real: 0.0, sigma2: 1.0}),
        _family("gamma", gamma_density, (alpha, beta), (), "(0, oo)", _reals(0.1, 4), X,
                start=lambda d: {alpha: 1.0, beta: 1.0}),
        _family("beta", X ** (alpha - 1) * (1 - X) ** (beta - 1) / beta_function(alpha, beta),
                (alpha, beta), (), "(0, 1)", _reals(0.05, 0.95), X,
                start=lambda d: {alpha: 1.0, beta: 1.0}),
        _family("weibull", weibull_density, (k, lam), (), "(0, oo)", _reals(0.1, 4), X,
                start=lambda d: {k: 1.0, lam: _mean(d)}),
        _family("cauchy", 1 / (pi * gamma_ * (1 + ((Rl - x0) / gamma_) ** 2)), (x0, gamma_), (),
                "(-oo, oo)", _reals(-3, 3), Rl,
                start=lambda d: {x0: sorted(a for a, _ in d)[len(d) // 2], gamma_: 1.0}),
        # sigma(z)^y (1 - sigma(z))^(1 - y) is exp(y z) / (1 + exp(z)) for y in {0, 1}.
        _family("logistic-regression", exp(_YBIT * z) / (1 + exp(z)), (w, b_real), (),
                "x real, y in {0, 1}", _regression(True), Rl, ys=_YBIT, discrete=True,
                start=lambda d: {w: 0.0, b_real: 0.0}),
        _family("uniform", 1 / theta, (theta,), (), "(0, theta]", _reals(0.05, 1), X,
                intervals={theta: (1.0, 4.0)}, support={theta: "max"}),
        _family("pareto", pareto_density, (x_m, alpha), (), "[x_m, oo)", _reals(0.6, 5), X,
                intervals={x_m: (0.05, 0.5)}, support={x_m: "min"},
                start=lambda d: {alpha: 1.0}),
        _family("laplace", laplace_density, (mu, b_scale), (), "(-oo, oo)", _reals(-3, 3),
                Rl, start=lambda d: {b_scale: 1.0}),
    ]
    # The table lists the multivariate normal right after linear regression.
    fams.insert(18, _multivariate_normal())
    return {f.name: f for f in fams}


d = Symbol("d", integer=True, positive=True)
mu_vec = MatrixSymbol("mu", d, 1)
Sigma = MatrixSymbol("Sigma", d, d)
mu1, mu2 = Symbol("mu1", real=True), Symbol("mu2", real=True)
s11, s22, s12 = Symbol("s11", positive=True), Symbol("s22", positive=True), Symbol("s12", real=True)


def _multivariate_normal() -> Family:
    """N(mu, Sigma) in dimension d, in matrix form; ``coordinates`` is the same family written
    out at d = 2 (coordinates ``x[i]``, ``y[i]``), where the kernel checks the matrix result."""
    vec = MatrixSymbol("x", d, 1)
    diffv = vec - mu_vec
    matrix_logp = (
        -d * log(2 * pi) / 2
        - log(Determinant(Sigma)) / 2
        - Trace(Sigma.I * diffv * diffv.T) / 2
    )
    cov = Matrix([[s11, s12], [s12, s22]])
    v = Matrix([_XREAL - mu1, _YREAL - mu2])
    quad = expand((v.T * cov.adjugate() * v)[0, 0])
    det = s11 * s22 - s12**2
    plane = _family(
        "multivariate-normal", exp(-quad / (2 * det)) / (2 * pi * sqrt(det)),
        (mu1, mu2, s11, s12, s22), (), "R^2", _regression(False), _XREAL, ys=_YREAL,
        start=lambda data: {s11: 1.0, s22: 1.0, s12: 0.0},
    )
    # Written out by hand: log of the density above, with log(det) kept whole (it is the
    # log-determinant of Sigma, positive definite on the domain).
    plane_logp = -log(2 * pi) - log(det) / 2 - quad.xreplace({_XREAL: xv, _YREAL: yv}) / (2 * det)
    plane = Family(**{**plane.__dict__, "logp": expand(plane_logp)})
    return Family(
        name="multivariate-normal",
        density=exp(matrix_logp),
        params=(mu_vec, Sigma),
        known=(),
        data_domain="R^d",
        sample=plane.sample,
        discrete=False,
        logp=matrix_logp,
        coordinates=plane,
    )


FAMILIES: dict[str, Family] = _catalog()
"""The 27 families of the catalog by name, multivariate-normal included."""


def names() -> list[str]:
    """The families' names, in the catalog's order.

    >>> len(names())
    27
    """
    return list(FAMILIES)
