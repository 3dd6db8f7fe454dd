"""Entropy, cross-entropy and KL of every family (issue 4), against independent numerics.

The reference values here never reuse the derivation's route: each family's log-density is
written again with mpmath, and the defining integral or sum is computed by mpmath quadrature or
summation at 40 digits, at three non-nice parameter points with P ≠ Q.
"""

from __future__ import annotations

import random
from typing import NamedTuple

import mpmath
import pytest
import sympy
from sympy import Matrix, MatrixSymbol, Symbol

from symbolic.families import DIVERGENCE_FAMILIES as FAMILIES
from symbolic.families import Family
from symbolic.generators.divergences import divergence, names
from symbolic.kernel import Config, Status, check, check_step
from symbolic.kernel.derivation import Relation, Step
from symbolic.kernel.domains import POSITIVE, REALS, SPD, Vectors
from symbolic.kernel.numeric import Point, evaluate, random_mpf, sample_instances

DPS = 40
DIGITS = 30
# The families in symbolic dimension are checked by their own tests below.
SCALAR = [n for n in names() if n not in ("categorical", "dirichlet", "multivariate-normal")]
_INSTANCE = sample_instances(0, 1)[0]

L = mpmath.log


def _lp(name: str, x: mpmath.mpf, t: dict) -> mpmath.mpf:
    """The log-density or log-mass, written independently of symbolic.generators.divergences."""
    if name == "bernoulli":
        return L(t["p"]) if x == 1 else L(1 - t["p"])
    if name == "binomial":
        if x > t["n"]:
            return -mpmath.inf
        return L(mpmath.binomial(t["n"], x)) + x * L(t["p"]) + (t["n"] - x) * L(1 - t["p"])
    if name == "poisson":
        return x * L(t["lam"]) - t["lam"] - mpmath.loggamma(x + 1)
    if name == "geometric":
        return (x - 1) * L(1 - t["p"]) + L(t["p"])
    if name == "exponential":
        return L(t["lam"]) - t["lam"] * x
    if name == "normal":
        return -((x - t["mu"]) ** 2) / (2 * t["sigma2"]) - L(2 * mpmath.pi * t["sigma2"]) / 2
    if name == "lognormal":
        return _lp("normal", L(x), t) - L(x)
    if name == "halfnormal":
        return L(2) + _lp("normal", x, {"mu": 0, "sigma2": t["sigma2"]})
    if name == "rayleigh":
        return L(x / t["sigma2"]) - x**2 / (2 * t["sigma2"])
    if name == "gamma":
        a, b = t["alpha"], t["beta"]
        return a * L(b) + (a - 1) * L(x) - b * x - mpmath.loggamma(a)
    if name == "beta":
        a, b = t["alpha"], t["beta"]
        return (a - 1) * L(x) + (b - 1) * mpmath.log1p(-x) - L(mpmath.beta(a, b))
    if name == "laplace":
        return -abs(x - t["mu"]) / t["b"] - L(2 * t["b"])
    if name == "uniform":
        return -L(t["b"] - t["a"]) if t["a"] <= x <= t["b"] else -mpmath.inf
    if name == "pareto":
        if x < t["x_m"]:
            return -mpmath.inf
        return L(t["alpha"]) + t["alpha"] * L(t["x_m"]) - (t["alpha"] + 1) * L(x)
    if name == "weibull":
        k, lam = t["k"], t["lam"]
        return L(k / lam) + (k - 1) * L(x / lam) - (x / lam) ** k
    if name == "gumbel":
        z = (x - t["mu"]) / t["beta"]
        return -z - mpmath.exp(-z) - L(t["beta"])
    if name == "cauchy":
        return -L(mpmath.pi * t["gamma"] * (1 + ((x - t["x0"]) / t["gamma"]) ** 2))
    raise AssertionError(name)


def _mean(name: str, t1: dict, t2: dict, f) -> mpmath.mpf:
    """E_P[f(x)] by mpmath summation or quadrature, split where the integrand bends."""
    p = lambda x: mpmath.exp(_lp(name, x, t1))  # noqa: E731
    g = lambda x: p(x) * f(x)  # noqa: E731
    if name in ("bernoulli", "binomial"):
        top = 1 if name == "bernoulli" else int(t1["n"])
        return mpmath.fsum(g(mpmath.mpf(x)) for x in range(top + 1))
    if name in ("poisson", "geometric"):
        return mpmath.nsum(g, [0 if name == "poisson" else 1, mpmath.inf])
    if name == "beta":
        # x = w^(1/alpha) near 0 and 1 - w^(1/beta) near 1 smooth the endpoint powers.
        a, b = t1["alpha"], t1["beta"]
        lower = mpmath.quad(lambda w: g(w ** (1 / a)) * w ** (1 / a - 1) / a, [0, 0.5**a])
        upper = mpmath.quad(lambda w: g(1 - w ** (1 / b)) * w ** (1 / b - 1) / b, [0, 0.5**b])
        return lower + upper
    if name == "gamma":
        a = t1["alpha"]
        head = mpmath.quad(lambda w: g(w ** (1 / a)) * w ** (1 / a - 1) / a, [0, 1])
        return head + mpmath.quad(g, [1, 10, mpmath.inf])
    if name == "cauchy":
        # x = x0 + gamma tan(s): the heavy tails become a finite interval.
        x0, gm = t1["x0"], t1["gamma"]
        h = lambda s: f(x0 + gm * mpmath.tan(s)) / mpmath.pi  # noqa: E731
        cut = mpmath.atan((t2["x0"] - x0) / gm)
        return mpmath.quad(h, [-mpmath.pi / 2, min(cut, 0), max(cut, 0), mpmath.pi / 2])
    if name == "pareto":
        # x = x_m u^(-1/alpha) with u uniform on (0, 1).
        return mpmath.quad(lambda u: f(t1["x_m"] * u ** (-1 / t1["alpha"])), [0, 1])
    if name == "weibull":
        return mpmath.quad(
            lambda u: f(t1["lam"] * u ** (1 / t1["k"])) * mpmath.exp(-u), [0, 1, mpmath.inf]
        )
    if name == "gumbel":
        return mpmath.quad(
            lambda u: f(t1["mu"] - t1["beta"] * L(u)) * mpmath.exp(-u), [0, 1, mpmath.inf]
        )
    if name == "lognormal":
        return mpmath.quad(
            lambda y: f(mpmath.exp(y)) * mpmath.exp(_lp("normal", y, t1)),
            [-mpmath.inf, t1["mu"], mpmath.inf],
        )
    if name == "uniform":
        return mpmath.quad(g, [t1["a"], t1["b"]])
    cuts = sorted({t1[k] for k in ("mu",) if k in t1} | {t2[k] for k in ("mu",) if k in t2})
    lo = 0 if name in ("exponential", "halfnormal", "rayleigh") else -mpmath.inf
    return mpmath.quad(g, [lo, *[c for c in cuts if c > lo], mpmath.inf])


def _contained(name: str, t1: dict, t2: dict) -> bool:
    if name == "uniform":
        return t2["a"] <= t1["a"] and t1["b"] <= t2["b"]
    if name == "pareto":
        return t2["x_m"] <= t1["x_m"]
    if name == "binomial":
        return t1["n"] <= t2["n"]
    return True


def _reference(name: str, t1: dict, t2: dict) -> dict[str, mpmath.mpf]:
    entropy = -_mean(name, t1, t2, lambda x: _lp(name, x, t1))
    if not _contained(name, t1, t2):
        return {"entropy": entropy, "cross_entropy": mpmath.inf, "kl": mpmath.inf}
    cross = -_mean(name, t1, t2, lambda x: _lp(name, x, t2))
    kl = _mean(name, t1, t2, lambda x: _lp(name, x, t1) - _lp(name, x, t2))
    return {"entropy": entropy, "cross_entropy": cross, "kl": kl}


class _P(NamedTuple):
    """A parameter's name and the interval the divergence checks sample it from."""

    name: str
    interval: tuple[float, float] | None


def _params(fam: Family) -> list[_P]:
    spans = fam.hints.intervals if fam.hints else {}
    return [_P(p.name, spans.get(p.name)) for p in fam.parameters if p.name not in fam.known_names]


def _shared(fam: Family) -> list[_P]:
    spans = fam.hints.intervals if fam.hints else {}
    return [_P(p.name, spans.get(p.name)) for p in fam.parameters if p.name in fam.known_names]


def _points(name: str, count: int = 3, seed: int = 4) -> list[tuple[dict, dict]]:
    """``count`` pairs (θ_P, θ_Q) of non-nice values with P ≠ Q."""
    fam = FAMILIES[name]
    rng = random.Random(seed)
    pairs = []
    for k in range(count):
        t1, t2 = {}, {}
        for p in _params(fam):
            if p.name == "n":
                t1["n"], t2["n"] = [(5, 5), (3, 7), (6, 6)][k]
                continue
            t1[p.name], t2[p.name] = (random_mpf(rng, *p.interval) for _ in range(2))
        for p in _shared(fam):
            t1[p.name] = t2[p.name] = random_mpf(rng, *p.interval)
        pairs.append((t1, t2))
    return pairs


def _env(name: str, t1: dict, t2: dict) -> Point:
    r = divergence(name)
    fam = FAMILIES[name]
    values = {}
    for side, t in ((1, t1), (2, t2)):
        th = fam.theta(side)
        values.update({th[k]: mpmath.mpf(v) for k, v in t.items()})
    assert {s for s in sympy.Tuple(r.entropy, r.kl, r.cross_entropy).free_symbols} <= set(values)
    return Point(_INSTANCE, values)


def _value(expr: sympy.Expr, env: Point) -> mpmath.mpf:
    """``expr`` at ``env``; +oo is read off the exact branch, because the evaluator maps sympy's
    ``oo`` to -inf (``oo.is_positive`` is False in sympy: it is only extended-positive)."""
    exact = {s: sympy.Float(mpmath.nstr(v, DPS + 5), DPS + 5) for s, v in env.params.items()}
    if expr.xreplace(exact) == sympy.oo:
        return mpmath.inf
    return evaluate(expr, env)


def _agree(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= mpmath.mpf(10) ** -DIGITS * max(1, abs(a), abs(b))


@pytest.mark.parametrize("name", SCALAR)
def test_closed_forms_match_the_defining_integral_or_sum(name):
    r = divergence(name)
    with mpmath.workdps(DPS):
        for t1, t2 in _points(name):
            ref = _reference(name, t1, t2)
            env = _env(name, t1, t2)
            for key in ("entropy", "cross_entropy", "kl"):
                got = _value(getattr(r, key), env)
                assert _agree(got, ref[key]), (name, key, t1, t2, got, ref[key])


@pytest.mark.parametrize("name", names())
def test_kl_of_a_law_with_itself_is_zero_and_cross_entropy_splits(name):
    r = divergence(name)
    cfg = Config(instances=3, param_points=1, budget=5.0)
    own = r.kl.xreplace(r.self_substitution()).doit()
    zero = check_step(
        1 + own,
        Relation.EQ,
        Step(Relation.EQ, sympy.S.One, "D(P||P) = 0"),
        params=(),
        intervals=r.intervals,
        config=cfg,
    )
    assert zero.status is Status.PROVED, zero.detail
    split = check_step(
        r.finite["cross_entropy"],
        Relation.EQ,
        Step(Relation.EQ, r.entropy + r.finite["kl"], "H(P,Q) = H(P) + KL"),
        params=(),
        intervals=r.intervals,
        config=cfg,
    )
    assert split.status is Status.PROVED, split.detail


@pytest.mark.parametrize("name", SCALAR)
def test_gibbs_inequality_on_a_grid(name):
    r = divergence(name)
    fam = FAMILIES[name]
    grid = []
    for p in (*_params(fam), *_shared(fam)):
        if p.name == "n":
            grid.append((p, [2, 5]))
        else:
            lo, hi = p.interval
            grid.append((p, [lo + (hi - lo) * mpmath.mpf(f) for f in ("0.137", "0.5", "0.911")]))
    th1, th2 = fam.theta(1), fam.theta(2)
    with mpmath.workdps(DPS):
        for v1 in _product([vals for _, vals in grid]):
            for v2 in _product([vals for _, vals in grid]):
                values = {}
                for (p, _), a, b in zip(grid, v1, v2, strict=True):
                    if p in _shared(fam) and a != b:
                        break
                    values[th1[p.name]] = mpmath.mpf(a)
                    values[th2[p.name]] = mpmath.mpf(b)
                else:
                    kl = _value(r.kl, Point(_INSTANCE, values))
                    if v1 == v2:
                        assert abs(kl) < mpmath.mpf(10) ** -DIGITS, (name, v1)
                    else:
                        assert kl > 0, (name, v1, v2, kl)


def _product(lists: list[list]) -> list[tuple]:
    out: list[tuple] = [()]
    for values in lists:
        out = [(*head, v) for head in out for v in values]
    return out


@pytest.mark.parametrize(
    ("name", "t1", "t2"),
    [
        ("uniform", {"a": "-0.31", "b": "0.77"}, {"a": "-0.2", "b": "1.3"}),
        ("uniform", {"a": "-0.31", "b": "0.77"}, {"a": "-0.5", "b": "0.7"}),
        ("pareto", {"x_m": "1.1", "alpha": "2.3"}, {"x_m": "1.7", "alpha": "2.3"}),
        ("binomial", {"n": 6, "p": "0.3"}, {"n": 4, "p": "0.3"}),
    ],
)
def test_kl_is_infinite_where_supp_p_is_not_inside_supp_q(name, t1, t2):
    r = divergence(name)
    t1 = {k: mpmath.mpf(v) for k, v in t1.items()}
    t2 = {k: mpmath.mpf(v) for k, v in t2.items()}
    with mpmath.workdps(DPS):
        env = _env(name, t1, t2)
        assert _value(r.kl, env) == mpmath.inf
        assert _value(r.cross_entropy, env) == mpmath.inf
        assert mpmath.isfinite(_value(r.entropy, env))
    assert isinstance(r.kl, sympy.Piecewise) and r.kl_finite is not None


def test_binomial_with_smaller_n_is_finite_and_matches_the_sum():
    r = divergence("binomial")
    t1, t2 = {"n": 3, "p": mpmath.mpf("0.31")}, {"n": 7, "p": mpmath.mpf("0.58")}
    with mpmath.workdps(DPS):
        got = _value(r.kl, _env("binomial", t1, t2))
        assert _agree(got, _reference("binomial", t1, t2)["kl"])


def test_entropy_kind_and_sign():
    for name in ("bernoulli", "poisson", "categorical"):
        assert divergence(name).kind == "shannon"
    assert divergence("normal").kind == "differential"
    # Differential entropy is negative for a narrow law and is reported as such.
    r = divergence("uniform")
    with mpmath.workdps(DPS):
        env = _env(
            "uniform",
            {"a": mpmath.mpf("-0.1"), "b": mpmath.mpf("0.2")},
            {"a": mpmath.mpf("-1"), "b": mpmath.mpf("1")},
        )
        assert evaluate(r.entropy, env) < 0
        assert _agree(evaluate(r.entropy, env), mpmath.log(mpmath.mpf("0.3")))


def test_categorical_at_concrete_k():
    r = divergence("categorical")
    rng = random.Random(7)
    K, k = Symbol("K", integer=True, positive=True), Symbol("k", integer=True, positive=True)
    pi1, pi2 = sympy.IndexedBase("pi_1", positive=True), sympy.IndexedBase("pi_2", positive=True)
    with mpmath.workdps(DPS):
        for size in (2, 3, 6):
            w1 = [random_mpf(rng, 0.1, 2) for _ in range(size)]
            w2 = [random_mpf(rng, 0.1, 2) for _ in range(size)]
            p = [w / mpmath.fsum(w1) for w in w1]
            q = [w / mpmath.fsum(w2) for w in w2]
            values = {pi1[j + 1]: sympy.Float(str(p[j]), DPS) for j in range(size)}
            values.update({pi2[j + 1]: sympy.Float(str(q[j]), DPS) for j in range(size)})
            ref = {
                "entropy": -mpmath.fsum(a * L(a) for a in p),
                "cross_entropy": -mpmath.fsum(a * L(b) for a, b in zip(p, q, strict=True)),
                "kl": mpmath.fsum(a * L(a / b) for a, b in zip(p, q, strict=True)),
            }
            for key, want in ref.items():
                expr = getattr(r, key).subs(K, size).doit().xreplace(values)
                assert k not in expr.free_symbols
                assert _agree(mpmath.mpf(sympy.N(expr, DPS)), want), (key, size)


def _dirichlet_reference(a1: list, a2: list) -> dict[str, mpmath.mpf]:
    def norm(a: list) -> mpmath.mpf:
        return mpmath.loggamma(mpmath.fsum(a)) - mpmath.fsum(mpmath.loggamma(v) for v in a)

    c1, c2 = norm(a1), norm(a2)

    def lp(logs: list, a: list, c: mpmath.mpf) -> mpmath.mpf:
        # The log-density from the logs of the coordinates, which the K = 3 rule has exactly.
        return c + mpmath.fsum((v - 1) * t for v, t in zip(a, logs, strict=True))

    def mean(f) -> mpmath.mpf:
        if len(a1) == 2:
            # x_1 = w^(1/a) near 0 smooths the endpoint power; the other half by symmetry.
            lo = mpmath.quad(
                lambda w: (
                    g(f, [w ** (1 / a1[0]), 1 - w ** (1 / a1[0])]) * w ** (1 / a1[0] - 1) / a1[0]
                ),
                [0, 0.5 ** a1[0]],
            )
            hi = mpmath.quad(
                lambda w: (
                    g(f, [1 - w ** (1 / a1[1]), w ** (1 / a1[1])]) * w ** (1 / a1[1] - 1) / a1[1]
                ),
                [0, 0.5 ** a1[1]],
            )
            return lo + hi
        return _simplex3_quadrature(lambda logs: mpmath.exp(lp(logs, a1, c1)) * f(logs), a1)

    def g(f, x: list) -> mpmath.mpf:
        logs = [L(t) for t in x]
        return mpmath.exp(lp(logs, a1, c1)) * f(logs)

    return {
        "entropy": -mean(lambda t: lp(t, a1, c1)),
        "cross_entropy": -mean(lambda t: lp(t, a2, c2)),
        "kl": mean(lambda t: lp(t, a1, c1) - lp(t, a2, c2)),
    }


def _simplex3_quadrature(g, alpha: list) -> mpmath.mpf:
    """∫ g over the simplex x_1 + x_2 + x_3 = 1, g given the logs of the coordinates.

    x_1 = s, x_2 = (1 - s) v, x_3 = (1 - s)(1 - v) maps the unit square onto the simplex with
    Jacobian 1 - s; each axis is a tanh-sinh rule of step h = 1/16 in the form s = 1 / (1 + e^-u),
    u = π sinh t, where log s and log(1 - s) are both exact, so the endpoint powers
    x^(alpha - 1) (singular when alpha < 1) are integrated to full precision. The rule is cut
    where the smallest power has decayed below 1e-50.
    """
    h = mpmath.mpf(1) / 16
    top = int(mpmath.asinh(120 / (mpmath.pi * min(alpha))) / h) + 1
    axis = []
    for k in range(-top, top + 1):
        t = k * h
        u = mpmath.pi * mpmath.sinh(t)
        ls, l1s = -mpmath.log1p(mpmath.exp(-u)), -mpmath.log1p(mpmath.exp(u))
        axis.append((ls, l1s, L(h * mpmath.pi * mpmath.cosh(t)) + ls + l1s))
    total = mpmath.mpf(0)
    for ls, l1s, lws in axis:
        for lv, l1v, lwv in axis:
            # The log of the Jacobian and of both node weights ride along with the logs.
            total += mpmath.exp(l1s + lws + lwv) * g([ls, l1s + lv, l1s + l1v])
    return total


def _nonnice(seed: int, size: int) -> list[str]:
    rng = random.Random(seed)
    return [mpmath.nstr(random_mpf(rng, 0.6, 4.5), 40) for _ in range(size)]


@pytest.mark.parametrize(
    ("a1", "a2"),
    [
        (["2.137", "3.61"], ["1.29", "0.83"]),
        (["0.77", "1.913"], ["2.41", "1.06"]),
        (["3.31", "2.27"], ["3.02", "4.4"]),
        # K = 3 by a two-dimensional tensor tanh-sinh rule, at 40-digit parameters; seeds 6
        # and 8 put an alpha_1 below 1, where the density is singular at a face.
        *[(_nonnice(seed, 3), _nonnice(seed + 100, 3)) for seed in (1, 6, 8)],
    ],
)
def test_dirichlet_at_concrete_k(a1, a2):
    r = divergence("dirichlet")
    K = Symbol("K", integer=True, positive=True)
    b1 = sympy.IndexedBase("alpha_1", positive=True)
    b2 = sympy.IndexedBase("alpha_2", positive=True)
    with mpmath.workdps(DPS):
        v1, v2 = [mpmath.mpf(v) for v in a1], [mpmath.mpf(v) for v in a2]
        ref = _dirichlet_reference(v1, v2)
        values = {b1[j + 1]: sympy.Float(a1[j], DPS) for j in range(len(a1))}
        values.update({b2[j + 1]: sympy.Float(a2[j], DPS) for j in range(len(a2))})
        for key, want in ref.items():
            expr = getattr(r, key).subs(K, len(a1)).doit().xreplace(values)
            got = mpmath.mpf(sympy.N(expr, DPS))
            scale = max(1, abs(want))
            assert abs(got - want) <= mpmath.mpf(10) ** -DIGITS * scale, (key, got, want)


def _mvn_reference(m1, s1, m2, s2) -> dict[str, mpmath.mpf]:
    """E_P by Gauss–Hermite quadrature after whitening, x = m1 + L z: the integrand log p1 and
    log p2 are quadratic in z, and three nodes per axis integrate degree 5 exactly."""
    d = len(m1)
    chol = mpmath.cholesky(s1)
    nodes = [
        (-mpmath.sqrt(3), mpmath.mpf(1) / 6),
        (0, mpmath.mpf(2) / 3),
        (mpmath.sqrt(3), mpmath.mpf(1) / 6),
    ]

    def lp(x, m, s):
        diff = x - m
        return (
            -d * L(2 * mpmath.pi) / 2
            - L(mpmath.det(s)) / 2
            - (diff.T * mpmath.inverse(s) * diff)[0] / 2
        )

    def mean(f):
        total = mpmath.mpf(0)
        for combo in _product([nodes] * d):
            z = mpmath.matrix([c[0] for c in combo])
            weight = mpmath.fprod(c[1] for c in combo)
            total += weight * f(m1 + chol * z)
        return total

    return {
        "entropy": -mean(lambda x: lp(x, m1, s1)),
        "cross_entropy": -mean(lambda x: lp(x, m2, s2)),
        "kl": mean(lambda x: lp(x, m1, s1) - lp(x, m2, s2)),
    }


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_multivariate_normal_at_concrete_dimension(dim, seed):
    r = divergence("multivariate-normal")
    rng = random.Random(seed)
    d = Symbol("d", integer=True, positive=True)
    with mpmath.workdps(DPS):

        def spd():
            a = mpmath.matrix([[random_mpf(rng, -1, 1) for _ in range(dim)] for _ in range(dim)])
            return a * a.T + mpmath.eye(dim) * random_mpf(rng, 0.2, 1)

        m1 = mpmath.matrix([random_mpf(rng, -1, 1) for _ in range(dim)])
        m2 = mpmath.matrix([random_mpf(rng, -1, 1) for _ in range(dim)])
        s1, s2 = spd(), spd()
        ref = _mvn_reference(m1, s1, m2, s2)

        def sym(m) -> Matrix:
            return Matrix(m.rows, m.cols, [sympy.Float(str(v), DPS) for v in m])

        values = {
            MatrixSymbol("mu_1", dim, 1): sym(m1),
            MatrixSymbol("mu_2", dim, 1): sym(m2),
            MatrixSymbol("Sigma_1", dim, dim): sym(s1),
            MatrixSymbol("Sigma_2", dim, dim): sym(s2),
        }
        for key, want in ref.items():
            expr = getattr(r, key).subs(d, dim).subs(values).doit()
            got = mpmath.mpf(sympy.N(expr, DPS))
            assert _agree(got, want), (key, got, want)


@pytest.mark.parametrize("name", ["exponential", "uniform", "categorical"])
def test_derivations_check_without_refutation(name):
    from symbolic.catalog import get

    checked = check(get(f"kl/{name}"), Config(instances=3, param_points=1, budget=3.0))
    assert checked.status in (Status.PROVED, Status.NUMERIC), [s.detail for s in checked.steps]
    assert checked.steps[-1].rhs == divergence(name).kl


@pytest.mark.parametrize("name", ["dirichlet", "multivariate-normal"])
def test_symbolic_dimension_steps_are_proved_and_evaluated(name):
    """Linearity of E_P and the law's moments are proved; every step is also evaluated."""
    from symbolic.catalog import get

    checked = check(get(f"kl/{name}"), Config(instances=3, param_points=1, budget=4.0))
    assert [s.status for s in checked.steps] == [Status.PROVED] * 4, [
        s.detail for s in checked.steps
    ]
    assert all(s.evaluated for s in checked.steps)
    assert "linearity of sums, integrals and expectations; E_P[" in checked.steps[1].detail


def _dirichlet_law():
    from symbolic.kernel.measures import DirichletLaw

    K = Symbol("K", integer=True, positive=True)
    a = sympy.IndexedBase("alpha_1", positive=True)
    x = sympy.IndexedBase("x", positive=True)
    return DirichletLaw(a, x, K), a, x, K


def test_a_wrong_linearity_step_is_refuted():
    from symbolic.catalog import get
    from symbolic.kernel import check_in
    from symbolic.kernel.measures import Mean

    d = get("kl/dirichlet")
    law, a1, x, K = _dirichlet_law()
    k = Symbol("k", integer=True, positive=True)
    a2 = sympy.IndexedBase("alpha_2", positive=True)
    own = d.steps[0].rhs
    # The coefficient of E_P[log x_k] taken as alpha_1 + alpha_2 instead of alpha_1 - alpha_2.
    wrong = own.xreplace(
        {
            sympy.Sum((a1[k] - a2[k]) * Mean(sympy.log(x[k]), law), (k, 1, K)): sympy.Sum(
                (a1[k] + a2[k]) * Mean(sympy.log(x[k]), law), (k, 1, K)
            )
        }
    )
    assert wrong != own
    step = Step(Relation.EQ, wrong, "linearity, with a sign slip")
    checked = check_in(d, d.start, Relation.EQ, step, config=Config(instances=3, param_points=1))
    assert checked.status is Status.REFUTED
    assert checked.counterexample and "K" in checked.counterexample["point"]


def test_mean_linearity_with_a_constant_is_proved_and_a_wrong_factor_refuted():
    from symbolic.kernel.measures import Mean

    law, a, x, K = _dirichlet_law()
    c = Symbol("c", positive=True)
    body = Mean(c + 3 * c * sympy.log(x[1]) + sympy.log(x[1]) ** 2, law)
    vectors = {a: (K, Vectors(POSITIVE, K))}
    right = c + 3 * c * Mean(sympy.log(x[1]), law) + Mean(sympy.log(x[1]) ** 2, law)
    ok = check_step(
        body, Relation.EQ, Step(Relation.EQ, right, "linearity"), params=(), vectors=vectors
    )
    assert ok.status is Status.PROVED, ok.detail
    bad = c + 3 * Mean(sympy.log(x[1]), law) + Mean(sympy.log(x[1]) ** 2, law)
    no = check_step(
        body, Relation.EQ, Step(Relation.EQ, bad, "linearity"), params=(), vectors=vectors
    )
    assert no.status is Status.REFUTED and no.counterexample


def test_dirichlet_mean_of_coordinates_matches_the_moments():
    """E[x_j] = alpha_j / alpha_0 and E[x_j^2] = alpha_j (alpha_j + 1) / (alpha_0 (alpha_0 + 1)),
    against the evaluator's quadrature over the Beta marginal; a coupled term is refused."""
    from symbolic.kernel.measures import Mean
    from symbolic.kernel.numeric import Unsupported

    law, a, x, K = _dirichlet_law()
    inst = sample_instances(11, 1, (K,), {K: (4, 4)}, None, {a: (K, Vectors(POSITIVE, K))})[0]
    env = Point(inst, {})
    alpha = inst.vectors[a]
    with mpmath.workdps(DPS):
        a0 = mpmath.fsum(alpha)
        for j in (1, 3):
            first = evaluate(Mean(x[j], law), env)
            second = evaluate(Mean(x[j] ** 2, law), env)
            assert _agree(first, alpha[j - 1] / a0)
            assert _agree(second, alpha[j - 1] * (alpha[j - 1] + 1) / (a0 * (a0 + 1)))
        with pytest.raises(Unsupported):
            evaluate(Mean(x[1] * x[2], law), env)


def _normal_setup(dim: int, seed: int):
    from symbolic.kernel.measures import NormalLaw

    d = Symbol("d", integer=True, positive=True)
    mu, sigma = MatrixSymbol("mu_1", d, 1), MatrixSymbol("Sigma_1", d, d)
    x, a, m = MatrixSymbol("x", d, 1), MatrixSymbol("A", d, d), MatrixSymbol("m", d, 1)
    vectors = {mu: (d, Vectors(REALS, d)), sigma: (d, SPD(d)), a: (d, SPD(d)),
               m: (d, Vectors(REALS, d))}
    inst = sample_instances(seed, 1, (), {d: (dim, dim)}, None, vectors)[0]
    return NormalLaw(mu, sigma, x), inst, (mu, sigma, x, a, m)


def _square(values: tuple, n: int) -> mpmath.matrix:
    return mpmath.matrix([list(values[r * n : (r + 1) * n]) for r in range(n)])


@pytest.mark.parametrize("seed", [3, 4])
def test_normal_mean_of_a_quadratic_form_matches_plane_quadrature(seed):
    """The evaluator's E over N(mu, Sigma) at d = 2 against mpmath's quadrature of the density
    in the plane (Gauss–Legendre on ±10 standard deviations, split at the mean)."""
    from symbolic.kernel.measures import Mean

    law, inst, (mu, sigma, x, a, m) = _normal_setup(2, seed)
    expr = Mean(sympy.Trace((x - m).T * a * (x - m)) + 3 * sympy.Trace(m.T * x), law)
    with mpmath.workdps(20):
        got = evaluate(expr, Point(inst, {}))
        mv, mm = mpmath.matrix(inst.vectors[mu]), mpmath.matrix(inst.vectors[m])
        s, av = _square(inst.vectors[sigma], 2), _square(inst.vectors[a], 2)
        si, det = mpmath.inverse(s), mpmath.det(s)

        def f(u, v):
            xx = mpmath.matrix([u, v])
            dx = xx - mv
            density = mpmath.exp(-(dx.T * si * dx)[0] / 2) / (2 * mpmath.pi * mpmath.sqrt(det))
            return density * (((xx - mm).T * av * (xx - mm))[0] + 3 * (mm.T * xx)[0])

        box = [
            [mv[i] - 10 * mpmath.sqrt(s[i, i]), mv[i], mv[i] + 10 * mpmath.sqrt(s[i, i])]
            for i in (0, 1)
        ]
        want = mpmath.quad(f, *box, method="gauss-legendre")
    assert abs(got - want) <= mpmath.mpf(10) ** -15 * max(1, abs(want)), (got, want)


def test_normal_mean_of_a_non_polynomial_is_unsupported_not_a_number():
    from symbolic.kernel.measures import Mean
    from symbolic.kernel.numeric import Unsupported

    law, inst, (mu, sigma, x, a, m) = _normal_setup(3, 5)
    for body in (
        sympy.log(sympy.Trace(x.T * a * x)),
        sympy.exp(sympy.Trace(m.T * x)),
        sympy.Determinant(x * x.T + a),
    ):
        with pytest.raises(Unsupported):
            evaluate(Mean(body, law), Point(inst, {}))


@pytest.mark.parametrize("name", ["dirichlet", "multivariate-normal"])
def test_symbolic_dimension_lemmas_are_checked_by_the_kernel(name):
    from symbolic.generators.divergences import checks

    verdicts = checks(name)
    lemmas = {k: v.status for k, v in verdicts.items() if k.startswith("lemma_")}
    assert lemmas and set(lemmas.values()) <= {Status.PROVED, Status.NUMERIC}, lemmas


def test_dirichlet_mean_at_k2_integrates_the_whole_integrand():
    """At K = 2 a product of coordinates is integrated over the segment, not refused."""
    from symbolic.kernel.measures import Mean

    law, a, x, K = _dirichlet_law()
    inst = sample_instances(12, 1, (K,), {K: (2, 2)}, None, {a: (K, Vectors(POSITIVE, K))})[0]
    with mpmath.workdps(DPS):
        a1, a2 = inst.vectors[a]
        a0 = a1 + a2
        got = evaluate(Mean(x[1] * x[2] + sympy.log(x[1] * x[2]), law), Point(inst, {}))
        want = a1 * a2 / (a0 * (a0 + 1))
        want += mpmath.digamma(a1) + mpmath.digamma(a2) - 2 * mpmath.digamma(a0)
        assert _agree(got, want)


@pytest.mark.parametrize("name", ["dirichlet", "multivariate-normal"])
def test_symbolic_dimension_definition_is_proved_against_the_closed_form(name):
    from symbolic.generators.divergences import checks

    verdict = checks(name)["definition_kl"]
    assert verdict.status is Status.PROVED and verdict.evaluated, verdict.detail


# Since every piece of a split integral must be shown integrable (issue 13), these two defining
# steps are not proved within the budget: the obligation is open and the step is numeric.
_SPLIT_OPEN = pytest.mark.xfail(
    reason="split-integral obligation open within the budget (issue 13)", strict=False
)


@pytest.mark.parametrize(
    "name",
    [
        "bernoulli",
        "binomial",
        "poisson",
        "geometric",
        "gamma",
        pytest.param("beta", marks=_SPLIT_OPEN),
        "laplace",
        "gumbel",
        pytest.param("cauchy", marks=_SPLIT_OPEN),
    ],
)
def test_the_defining_sum_or_integral_step_is_proved(name):
    from symbolic.catalog import get
    from symbolic.kernel import check_in

    d = get(f"kl/{name}")
    config = Config(instances=2, param_points=1)
    first = check_in(d, d.start, Relation.EQ, d.steps[0], config=config)
    assert first.status is Status.PROVED, first.detail
