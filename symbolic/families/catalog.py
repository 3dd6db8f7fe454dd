"""Every distribution of the catalog, each defined once.

A definition is the parameters with their domains, the support, one density or mass, and a data
sampler. The MLE problems (``FAMILIES``, 27 of them) and the divergence problems
(``DIVERGENCE_FAMILIES``, 20) are selections of these definitions: a known-shape variant is the
same definition with a parameter given (:meth:`Family.fix`), the uniform law on (0, theta] the
one on (a, b] with a = 0 (:meth:`Family.restrict`).
"""

from __future__ import annotations

import random

import mpmath
import sympy
from sympy import (
    Abs,
    Determinant,
    IndexedBase,
    Matrix,
    MatrixSymbol,
    Sum,
    Symbol,
    Trace,
    binomial,
    exp,
    expand,
    factorial,
    gamma,
    log,
    loggamma,
    oo,
    pi,
    sqrt,
    tan,
)
from sympy import beta as beta_function

from symbolic.families.model import DivergenceHints, Family, Parameter, parameter
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
from symbolic.kernel.measures import xv, yv
from symbolic.kernel.numeric import DataSampler, random_mpf

__all__ = ["FAMILIES", "DIVERGENCE_FAMILIES", "DISTRIBUTIONS", "names", "x_pos"]

# The data of a family whose support is (0, oo): x[i] > 0 for the kernel.
x_pos = IndexedBase("x", positive=True)


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


# --- parameters: names are part of the interface; domains give the assumptions ------------------

P = parameter("p", UNIT, interval=(0.05, 0.95))
N_TRIALS = parameter("n", Integers(1))
LAM = parameter("lam", POSITIVE, r"\lambda", "λ")
MU = parameter("mu", REALS, r"\mu", "μ")
MU_POS = parameter("mu", POSITIVE, r"\mu", "μ")
SIGMA2 = parameter("sigma2", POSITIVE, r"\sigma^2", "σ²")
ALPHA = parameter("alpha", POSITIVE, r"\alpha", "α")
BETA = parameter("beta", POSITIVE, r"\beta", "β")
K_SHAPE = parameter("k", POSITIVE)
X_M = parameter("x_m", POSITIVE, "x_m", "x_m", interval=(0.05, 0.5))
B_SCALE = parameter("b", POSITIVE)
B_REAL = parameter("b", REALS)
W = parameter("w", REALS)
THETA = parameter("theta", POSITIVE, r"\theta", "θ", interval=(1.0, 4.0))
X0 = parameter("x0", REALS, "x_0", "x0")
GAMMA = parameter("gamma", POSITIVE, r"\gamma", "γ")
A_LOW = parameter("a", REALS)
B_HIGH = parameter("b", REALS)

p, n, lam, mu, sigma2 = P.symbol, N_TRIALS.symbol, LAM.symbol, MU.symbol, SIGMA2.symbol
alpha, beta, k, x_m, b_scale = ALPHA.symbol, BETA.symbol, K_SHAPE.symbol, X_M.symbol, B_SCALE.symbol
b_real, w, theta, x0, gamma_ = B_REAL.symbol, W.symbol, THETA.symbol, X0.symbol, GAMMA.symbol
mu_pos = MU_POS.symbol

K = Symbol("K", integer=True, positive=True)
k_label = Symbol("k", integer=True, positive=True)
pi_ = IndexedBase("pi", positive=True)

_xr, _xp, _xn = REALS.symbol("x"), POSITIVE.symbol("x"), Integers(0).symbol("x")
_YREAL = REALS.symbol("y")
_YBIT = BITS.symbol("y")


def _normal(x: Symbol, m: Symbol, v: Symbol) -> sympy.Expr:
    return exp(-((x - m) ** 2) / (2 * v)) / sqrt(2 * pi * v)


def _define(
    name: str, params: tuple[Parameter, ...], support: object, density: sympy.Expr,
    sample: DataSampler, *, discrete: bool = False, **extra: object,
) -> Family:
    variable = support.symbol("x")  # type: ignore[attr-defined]
    # Densities are written in the canonical variables above; the support's own symbol
    # carries exactly the support's assumptions.
    density = density.xreplace({s: variable for s in density.free_symbols if str(s) == "x"})
    return Family(name=name, parameters=params, variable=variable, support_domain=support,
                  density=density, discrete=discrete, sample=sample, **extra)  # type: ignore[arg-type]


# --- the definitions -------------------------------------------------------------------------

def _definitions() -> dict[str, Family]:
    out: dict[str, Family] = {}

    def add(f: Family) -> Family:
        out[f.name] = f
        return f

    add(_define(
        "bernoulli", (P,), BITS, p**_xn * (1 - p) ** (1 - _xn), _integers(0, 1), discrete=True,
        start=lambda d: {p: 0.5},
        hints=DivergenceHints(("integrate",), intervals={"p": (0.05, 0.95)}),
    ))
    add(_define(
        "binomial", (P, N_TRIALS), Integers(0, n), binomial(n, _xn) * p**_xn * (1 - p) ** (n - _xn),
        _integers(0, 1), discrete=True, start=lambda d: {p: 0.5},
        hints=DivergenceHints(
            ("exponential-family", "series"), natural=("p",), intervals={"p": (0.05, 0.95)},
            same_support=True,
            notes=(
                "E_P[log C(n, x)] has no closed form and stays a finite sum in H(P) and "
                "H(P, Q); for n_1 = n_2 it cancels from D_KL. For n_1 < n_2 D_KL is finite but "
                "keeps the sums; for n_1 > n_2 it is +oo.",
            ),
        ),
    ))
    labels = Labels(K)
    add(Family(
        name="categorical",
        parameters=(Parameter(pi_[k_label], Simplex(K), r"\pi_k", "pi[k]"),),
        variable=labels.symbol("x"), support_domain=labels,
        density=pi_[labels.symbol("x")], discrete=True, sample=_integers(1, 3),
    ))
    add(_define(
        "poisson", (LAM,), Integers(0), lam**_xn * exp(-lam) / factorial(_xn), _integers(0, 6),
        discrete=True, start=lambda d: {lam: 1.0},
        hints=DivergenceHints(
            ("integrate", "series"), intervals={"lam": (0.2, 8.0)},
            notes=(
                "E_P[log x!] has no closed form: H(P) and H(P, Q) keep it as a series; it "
                "cancels from D_KL.",
            ),
        ),
    ))
    add(_define(
        "geometric", (P,), Integers(1), (1 - p) ** (_xn - 1) * p, _integers(1, 6),
        discrete=True, start=lambda d: {p: 0.5},
        hints=DivergenceHints(("exponential-family",), natural=("p",), intervals={"p": (0.1, 0.9)}),
    ))
    add(_define(
        "exponential", (LAM,), POSITIVE, lam * exp(-lam * _xp), _reals(0.1, 4),
        start=lambda d: {lam: 1.0}, hints=DivergenceHints(intervals={"lam": (0.2, 5.0)}),
    ))
    add(_define(
        "normal", (MU, SIGMA2), REALS, _normal(_xr, mu, sigma2), _reals(-3, 3),
        start=lambda d: {mu: 0.0, sigma2: 1.0},
        hints=DivergenceHints(intervals={"mu": (-3.0, 3.0), "sigma2": (0.1, 8.0)}),
    ))
    add(_define(
        "lognormal", (MU, SIGMA2), POSITIVE, _normal(log(_xp), mu, sigma2) / _xp, _reals(0.1, 5),
        start=lambda d: {mu: 0.0, sigma2: 1.0},
        hints=DivergenceHints(
            ("exponential-family",), natural=("mu", "sigma2"),
            intervals={"mu": (-1.0, 1.0), "sigma2": (0.1, 2.0)},
            quadrature_map=lambda t, u: (
                exp(u), _normal(u, t["mu"], t["sigma2"]), -oo, oo,
            ),
        ),
    ))
    add(_define(
        "halfnormal", (SIGMA2,), POSITIVE, sqrt(2 / (pi * sigma2)) * exp(-(_xp**2) / (2 * sigma2)),
        _reals(0.1, 4), start=lambda d: {sigma2: 1.0},
        hints=DivergenceHints(intervals={"sigma2": (0.1, 8.0)}),
    ))
    add(_define(
        "rayleigh", (SIGMA2,), POSITIVE, _xp / sigma2 * exp(-(_xp**2) / (2 * sigma2)),
        _reals(0.1, 4), start=lambda d: {sigma2: 1.0},
        hints=DivergenceHints(
            ("exponential-family", "substitution"), natural=("sigma2",),
            intervals={"sigma2": (0.1, 8.0)},
            substitution=lambda t, u: sqrt(2 * t["sigma2"] * u),
        ),
    ))
    add(_define(
        "gamma", (ALPHA, BETA), POSITIVE,
        beta**alpha * _xp ** (alpha - 1) * exp(-beta * _xp) / gamma(alpha), _reals(0.1, 4),
        start=lambda d: {alpha: 1.0, beta: 1.0},
        hints=DivergenceHints(
            ("exponential-family",), natural=("alpha", "beta"),
            intervals={"alpha": (0.3, 6.0), "beta": (0.2, 5.0)},
            splits=lambda t: (sympy.S.One,), endpoint_powers=lambda t: (t["alpha"], None),
        ),
    ))
    add(_define(
        "weibull", (K_SHAPE, LAM), POSITIVE,
        (k / lam) * (_xp / lam) ** (k - 1) * exp(-((_xp / lam) ** k)), _reals(0.1, 4),
        start=lambda d: {k: 1.0, lam: _mean(d)},
        hints=DivergenceHints(
            ("exponential-family", "substitution"), natural=("lam",),
            intervals={"lam": (0.3, 4.0), "k": (0.6, 4.0)},
            substitution=lambda t, u: t["lam"] * u ** (1 / t["k"]),
            quadrature_map=lambda t, u: (t["lam"] * u ** (1 / t["k"]), exp(-u), sympy.S.Zero, oo),
        ),
    ))
    add(_define(
        "pareto", (X_M, ALPHA), Interval(x_m, oo, left_open=False),
        alpha * x_m**alpha / _xp ** (alpha + 1), _reals(0.6, 5), start=lambda d: {alpha: 1.0},
        hints=DivergenceHints(
            ("exponential-family",), natural=("alpha",),
            intervals={"x_m": (0.2, 3.0), "alpha": (0.5, 5.0)},
            quadrature_map=lambda t, u: (
                t["x_m"] * u ** (-1 / t["alpha"]), sympy.S.One, sympy.S.Zero, sympy.S.One,
            ),
        ),
    ))
    add(_define(
        "inverse-gaussian", (MU_POS, LAM), POSITIVE,
        sqrt(lam / (2 * pi * _xp**3)) * exp(-lam * (_xp - mu_pos) ** 2 / (2 * mu_pos**2 * _xp)),
        _reals(0.1, 4), start=lambda d: {mu_pos: 1.0, lam: 1.0},
    ))
    add(_define(
        "laplace", (MU, B_SCALE), REALS, exp(-Abs(_xr - mu) / b_scale) / (2 * b_scale),
        _reals(-3, 3), start=lambda d: {b_scale: 1.0},
        hints=DivergenceHints(
            ("laplace-split",), intervals={"mu": (-3.0, 3.0), "b": (0.2, 4.0)},
            splits=lambda t: (t["mu"],),
        ),
    ))
    add(_define(
        "beta", (ALPHA, BETA), UNIT,
        _xp ** (alpha - 1) * (1 - _xp) ** (beta - 1) / beta_function(alpha, beta),
        _reals(0.05, 0.95), start=lambda d: {alpha: 1.0, beta: 1.0},
        hints=DivergenceHints(
            ("exponential-family",), natural=("alpha", "beta"),
            intervals={"alpha": (0.3, 6.0), "beta": (0.3, 6.0)},
            splits=lambda t: (sympy.S.Half,), endpoint_powers=lambda t: (t["alpha"], t["beta"]),
        ),
    ))
    add(_define(
        "cauchy", (X0, GAMMA), REALS, 1 / (pi * gamma_ * (1 + ((_xr - x0) / gamma_) ** 2)),
        _reals(-3, 3),
        start=lambda d: {x0: sorted(a for a, _ in d)[len(d) // 2], gamma_: 1.0},
        hints=DivergenceHints(
            ("poisson-kernel",), intervals={"x0": (-3.0, 3.0), "gamma": (0.2, 4.0)},
            quadrature_map=lambda t, u: (t["x0"] + t["gamma"] * tan(u), 1 / pi, -pi / 2, pi / 2),
            # Q's peak is a near-singularity of the integrand: split the quadrature there.
            splits=lambda t: (t["x0"],),
            unmap=lambda t, x: sympy.atan((x - t["x0"]) / t["gamma"]),
        ),
    ))
    gumbel_mu, gumbel_beta = MU.symbol, BETA.symbol
    add(_define(
        "gumbel", (MU, BETA), REALS,
        exp(-(_xr - gumbel_mu) / gumbel_beta - exp(-(_xr - gumbel_mu) / gumbel_beta)) / gumbel_beta,
        _reals(-3, 3),
        hints=DivergenceHints(
            ("substitution",), intervals={"mu": (-2.0, 2.0), "beta": (0.4, 3.0)},
            substitution=lambda t, u: t["mu"] - t["beta"] * log(u),
            # In x the integrand holds exp(-exp(...)), whose far tail overflows any float.
            quadrature_map=lambda t, u: (t["mu"] - t["beta"] * log(u), exp(-u), sympy.S.Zero, oo),
        ),
    ))
    a, b = A_LOW.symbol, B_HIGH.symbol
    add(_define(
        "uniform-interval", (A_LOW, B_HIGH), Interval(a, b, right_open=False), 1 / (b - a),
        _reals(0.05, 1),
        hints=DivergenceHints(
            intervals={"a": (-1.5, 0.2), "b": (0.3, 1.5)},
            relations=lambda t: (t["a"] < t["b"],),
        ),
    ))
    z = w * _xr + b_real
    add(_define(
        "linear-regression", (W, B_REAL, SIGMA2), REALS, _normal(_YREAL, z, sigma2),
        _regression(False), response=_YREAL, response_domain=REALS,
        start=lambda d: {w: 0.0, b_real: 0.0, sigma2: 1.0},
    ))
    # sigma(z)^y (1 - sigma(z))^(1 - y) is exp(y z) / (1 + exp(z)) for y in {0, 1}.
    add(_define(
        "logistic-regression", (W, B_REAL), REALS, exp(_YBIT * z) / (1 + exp(z)),
        _regression(True), discrete=True, response=_YBIT, response_domain=BITS,
        start=lambda d: {w: 0.0, b_real: 0.0},
    ))
    add(_multivariate_normal())
    add(_dirichlet())
    return out


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
    v = Matrix([_xr - mu1, _YREAL - mu2])
    quad = expand((v.T * cov.adjugate() * v)[0, 0])
    det = s11 * s22 - s12**2
    plane_params = tuple(
        parameter(str(s), REALS if s.is_positive is None else POSITIVE)
        for s in (mu1, mu2, s11, s12, s22)
    )
    # The log-density kept with log(det) whole: the log-determinant of Sigma, positive
    # definite on the domain; the expansion would split it into no simpler terms.
    plane_logp = -log(2 * pi) - log(det) / 2 - quad.xreplace({_xr: xv, _YREAL: yv}) / (2 * det)
    plane = _define(
        "multivariate-normal", plane_params, REALS, exp(-quad / (2 * det)) / (2 * pi * sqrt(det)),
        _regression(False), response=_YREAL, response_domain=REALS,
        start=lambda data: {s11: 1.0, s22: 1.0, s12: 0.0}, log_density=expand(plane_logp),
    )
    return Family(
        name="multivariate-normal",
        parameters=(
            Parameter(mu_vec, Vectors(REALS, d), r"\mu", "mu"),
            Parameter(Sigma, SPD(d), r"\Sigma", "Sigma"),
        ),
        variable=vec,
        support_domain=Vectors(REALS, d),
        density=exp(matrix_logp),
        discrete=False,
        sample=plane.sample,
        coordinates=plane,
        log_density=matrix_logp,
    )


def _dirichlet() -> Family:
    """Dirichlet(alpha) on the simplex of K weights, density w.r.t. Lebesgue measure on
    x_1..x_(K-1)."""
    alpha_ = IndexedBase("alpha", positive=True)
    xs = IndexedBase("x", positive=True)
    total = Sum(alpha_[k_label], (k_label, 1, K))
    log_partition = Sum(loggamma(alpha_[k_label]), (k_label, 1, K)) - loggamma(total)
    density = exp(Sum((alpha_[k_label] - 1) * log(xs[k_label]), (k_label, 1, K)) - log_partition)
    simplex = Simplex(K)

    def draw(rng: random.Random, size: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        # Points of the simplex at K = 2, written by their first coordinate.
        return [(simplex.sample(rng, {K: 2})[0], mpmath.mpf(0)) for _ in range(size)]

    return Family(
        name="dirichlet",
        parameters=(Parameter(alpha_, Vectors(POSITIVE, K), r"\alpha", "alpha"),),
        variable=xs, support_domain=simplex, density=density, discrete=False, sample=draw,
        log_density=density.args[0] if isinstance(density, exp) else log(density),
    )


DISTRIBUTIONS: dict[str, Family] = _definitions()
"""Every distribution of the catalog by name, each defined once."""


def _mle_problems() -> dict[str, Family]:
    dist = DISTRIBUTIONS
    uniform = dist["uniform-interval"].restrict(
        "uniform", {"a": sympy.S.Zero}, {"b": THETA}, start=None, hints=None,
    )
    order = [
        dist["bernoulli"],
        dist["binomial"].fix("binomial", "n"),
        dist["categorical"],
        dist["poisson"],
        dist["geometric"],
        dist["exponential"],
        dist["normal"],
        dist["normal"].fix("normal-known-variance", "sigma2", start=lambda d: {mu: 0.0}),
        dist["normal"].fix("normal-known-mean", "mu", start=lambda d: {sigma2: 1.0}),
        dist["lognormal"],
        dist["halfnormal"],
        dist["rayleigh"],
        dist["gamma"].fix("gamma-known-shape", "alpha", start=lambda d: {beta: 1.0}),
        dist["weibull"].fix("weibull-known-shape", "k", start=lambda d: {lam: 1.0}),
        dist["pareto"].fix("pareto-known-scale", "x_m"),
        dist["inverse-gaussian"],
        dist["laplace"].fix("laplace-known-location", "mu"),
        dist["linear-regression"],
        dist["multivariate-normal"],
        dist["gamma"],
        dist["beta"],
        dist["weibull"],
        dist["cauchy"],
        dist["logistic-regression"],
        uniform,
        dist["pareto"],
        dist["laplace"],
    ]
    return {f.name: f for f in order}


FAMILIES: dict[str, Family] = _mle_problems()
"""The 27 MLE problems of the catalog by name, multivariate-normal included."""

DIVERGENCE_FAMILIES: dict[str, Family] = {
    "bernoulli": DISTRIBUTIONS["bernoulli"],
    "binomial": DISTRIBUTIONS["binomial"],
    "categorical": DISTRIBUTIONS["categorical"],
    "poisson": DISTRIBUTIONS["poisson"],
    "geometric": DISTRIBUTIONS["geometric"],
    "exponential": DISTRIBUTIONS["exponential"],
    "normal": DISTRIBUTIONS["normal"],
    "lognormal": DISTRIBUTIONS["lognormal"],
    "halfnormal": DISTRIBUTIONS["halfnormal"],
    "rayleigh": DISTRIBUTIONS["rayleigh"],
    "gamma": DISTRIBUTIONS["gamma"],
    "beta": DISTRIBUTIONS["beta"],
    "laplace": DISTRIBUTIONS["laplace"],
    "uniform": DISTRIBUTIONS["uniform-interval"],
    "pareto": DISTRIBUTIONS["pareto"],
    # The shape is shared by P and Q: the Weibull law with k known.
    "weibull": FAMILIES["weibull-known-shape"],
    "gumbel": DISTRIBUTIONS["gumbel"],
    "cauchy": DISTRIBUTIONS["cauchy"],
    "dirichlet": DISTRIBUTIONS["dirichlet"],
    "multivariate-normal": DISTRIBUTIONS["multivariate-normal"],
}
"""The 20 families of ``kl/...``, in the catalog's order: selections of the definitions."""


def names() -> list[str]:
    """The MLE families' names, in the catalog's order.

    >>> len(names())
    27
    """
    return list(FAMILIES)
