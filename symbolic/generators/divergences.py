"""Entropy, cross-entropy and KL divergence between two members P and Q of a family.

The parameters of P carry the suffix ``_1`` and those of Q the suffix ``_2``; a parameter shared
by both (weibull's shape ``k``) has no suffix. Discrete families get Shannon entropy, continuous
ones differential entropy (which can be negative, and is never clamped).

Nothing here is a table. For each family the log-density is expanded into statistics,
``log q(x) = Σ c_T(θ_Q) T(x) + c_0(θ_Q)``, and by linearity of expectation
``H(P, Q) = -Σ c_T E_P[T] - c_0``. Each ``E_P[T]`` is derived by a stated route:

* ``integrate``: sympy integration or summation of ``p(x) T(x)`` over the support, under a time
  budget, accepted only when sympy returns a closed form;
* ``exponential-family``: log p = Σ η_k(θ) T_k(x) − A(θ) + log h(x), and differentiating
  ∫ p = 1 gives Σ_k ∂η_k/∂θ_j E[T_k] = ∂A/∂θ_j, a linear system solved symbolically;
* ``substitution``: a change of variables ``x = g(u)`` with ``u ~ Exp(1)``, then
  ``E[u^c log(u)^m] = d^m/ds^m Γ(c + 1 + s)`` at ``s = 0`` (or sympy integration in ``u``);
* ``laplace-split``: the integral split where the absolute values change sign;
* ``poisson-kernel``: the Cauchy density is the Poisson kernel of the upper half-plane and
  ``log|x - w|²`` (``w`` below the real axis) is harmonic above it, so its mean is its value at
  ``x0 + iγ``;
* ``series``: no closed form; the defining sum is kept (``E log x!`` of the Poisson family,
  ``E log C(n, x)`` of the binomial).

Categorical and Dirichlet (symbolic K) and the multivariate normal (dimension d) are derived the
same way with indexed or matrix symbols; their expectations are
:class:`~symbolic.kernel.measures.Mean`
over the law, which the kernel rewrites by linearity and the numeric checks evaluate at
instantiated dimensions.

The kernel checks every result (:func:`checks`) and every derivation (``kl/<family>``).

>>> r = divergence("exponential")
>>> r.kl
log(lam_1) - log(lam_2) + (-lam_1 + lam_2)/lam_1
>>> r.kind
'differential'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

import sympy
from sympy import (
    Abs,
    Add,
    Eq,
    Expr,
    I,
    IndexedBase,
    Integral,
    Matrix,
    MatrixSymbol,
    Max,
    Min,
    Piecewise,
    Sum,
    Symbol,
    Trace,
    beta,
    digamma,
    exp,
    expand,
    expand_log,
    gamma,
    im,
    log,
    oo,
    pi,
    re,
    sqrt,
)
from sympy.logic.boolalg import Boolean

from symbolic.families import DIVERGENCE_FAMILIES, DivergenceHints, Family
from symbolic.kernel import CheckedStep, Config, check_step
from symbolic.kernel.budget import BudgetExceeded, time_budget
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.domains import POSITIVE, REALS, SPD, Integers, Interval, Simplex, Vectors
from symbolic.kernel.measures import DirichletLaw, Mean, NormalLaw
from symbolic.kernel.numeric import VectorSpec

__all__ = [
    "Piece",
    "Divergence",
    "Lemma",
    "DIVERGENCE_FAMILIES",
    "family_of",
    "UnknownFamily",
    "NoRoute",
    "names",
    "divergence",
    "kl_derivation",
    "Claim",
    "claims",
    "checks",
    "summary",
    "to_text",
    "Mean",
]

BUDGET = 8.0
"""Seconds allowed to each symbolic integration, summation or simplification."""


class UnknownFamily(KeyError):
    """No family has this name."""


class NoRoute(ValueError):
    """No route derives an expectation the divergences need: a refusal, with its reason."""


Theta = Mapping[str, Expr]


def _log_density(fam: Family, th: Theta) -> Expr:
    # Every density here is a product of factors positive on the support, so splitting the
    # log of the product (force=True) is an identity there.
    return expand(expand_log(log(fam.density_at(fam.variable, th)), force=True))


def _hints(fam: Family) -> DivergenceHints:
    # Without hints: sympy first, then the exponential-family identity in the estimated
    # parameters, and the defining sum or integral kept where neither gives a closed form.
    return fam.hints or DivergenceHints(
        ("integrate", "exponential-family", "series"),
        natural=tuple(p.name for p in fam.parameters if p.name not in fam.known_names),
    )


@dataclass(frozen=True)
class Piece:
    """One derived expectation ``E_P[statistic] = value`` and the route that gave it."""

    statistic: Expr
    value: Expr
    route: str


@dataclass(frozen=True)
class Lemma:
    """A one-dimensional identity a symbolic-dimension route rests on, for the kernel to check:
    ``lhs = rhs`` with its free symbols sampled from ``sampling``."""

    key: str
    lhs: Expr
    rhs: Expr
    rule: str
    sampling: Mapping[Symbol, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Divergence:
    """H(P), H(P, Q) and D_KL(P‖Q) for one family, with what they rest on.

    ``definitions`` holds the defining integrals or sums (None in symbolic dimension, where the
    start is an E_P over the law instead), ``kl_finite`` the condition for a finite D_KL."""

    family: str
    kind: str
    entropy: Expr
    cross_entropy: Expr
    kl: Expr
    domain: tuple[str, ...]
    kl_finite: Boolean | None
    pieces: tuple[Piece, ...]
    p: tuple[Expr, ...]
    q: tuple[Expr, ...]
    intervals: Mapping[Symbol, tuple[float, float]]
    definitions: Mapping[str, Expr] | None
    start: Expr
    steps: tuple[tuple[Expr, str], ...]
    finite: Mapping[str, Expr]
    notes: tuple[str, ...] = field(default=())
    lemmas: tuple[Lemma, ...] = field(default=())

    def self_substitution(self) -> dict[Expr, Expr]:
        """The substitution Q := P (every ``_2`` parameter by its ``_1`` twin)."""
        return dict(zip(self.q, self.p, strict=True))


# --- the routes -------------------------------------------------------------------------------


def _closed(value: Expr) -> bool:
    bad = (Integral, Sum, sympy.hyper, sympy.meijerg, sympy.Piecewise, sympy.exp_polar, sympy.Ei)
    return not any(value.has(b) for b in bad) and not value.has(I)


def _tidy(value: Expr) -> Expr:
    """The shortest of a few equivalent forms, with logs of products split (every log argument
    here is positive on the parameters' domain, so force=True is an identity there)."""
    forms = [value, sympy.factor_terms(expand(expand_log(value, force=True)))]
    # simplify spends its whole budget on the sums it cannot touch.
    if not value.has(Sum):
        try:
            with time_budget(BUDGET):
                forms.append(sympy.gammasimp(value))
                forms.append(sympy.simplify(forms[-1]))
        except BudgetExceeded:
            pass
    # Logs of powers and quotients read worse than their expansions: compare expanded forms.
    best = min((expand_log(f, force=True) for f in forms), key=sympy.count_ops)
    return best.replace(
        sympy.polygamma, lambda n, z: digamma(z) if n == 0 else sympy.polygamma(n, z)
    )


@cache
def _integrate_term(term: Expr, limits: tuple[Expr, Expr, Expr], discrete: bool) -> Expr | None:
    try:
        with time_budget(BUDGET):
            if discrete:
                part = sympy.summation(term, limits)
            else:
                part = sympy.integrate(term, limits, conds="none")
    except BudgetExceeded:
        return None
    if not _closed(part):
        # sympy's answers can hold hypergeometric terms that cancel once expanded.
        part = expand(part)
    return part if _closed(part) else None


def _integrate(integrand: Expr, limits: tuple[Expr, Expr, Expr], discrete: bool) -> Expr | None:
    # Term by term, constant factors outside: sympy finds closed forms for the pieces far more
    # often than for the sum, and the cache shares pieces between families.
    total = sympy.S.Zero
    for term in Add.make_args(expand(integrand)):
        coeff, dependent = term.as_independent(limits[0], as_Add=False)
        part = _integrate_term(dependent, limits, discrete)
        if part is None:
            return None
        total += coeff * part
    return _tidy(total)


def _route_integrate(fam: Family, stat: Expr, th: Theta) -> Piece | None:
    x = fam.variable
    lo, hi = fam.support_at(th)
    value = _integrate(fam.density_at(x, th) * stat, (x, lo, hi), fam.discrete)
    if value is None:
        return None
    how = "summation" if fam.discrete else "integration"
    return Piece(stat, value, f"sympy {how} of p(x)·T(x) over the support")


def _statistics(log_density: Expr, x: Symbol) -> tuple[dict[Expr, Expr], Expr]:
    """``log_density = Σ coeff[T]·T(x) + rest``: the coefficient of each x-dependent factor."""
    coeffs: dict[Expr, Expr] = {}
    rest = sympy.S.Zero
    for term in Add.make_args(expand(log_density)):
        coeff, dependent = term.as_independent(x, as_Add=False)
        if dependent == 1:
            rest += coeff
        else:
            coeffs[dependent] = coeffs.get(dependent, sympy.S.Zero) + coeff
    return coeffs, rest


def _route_expfam(fam: Family, stat: Expr, th: Theta) -> Piece | None:
    coeffs, rest = _statistics(_log_density(fam, th), fam.variable)
    free = [th[n] for n in _hints(fam).natural]
    natural = [t for t, c in coeffs.items() if c.free_symbols & set(free)]
    if stat not in natural or len(natural) != len(free):
        return None
    # ∂/∂θ_j ∫ p = 0 gives Σ_k ∂η_k/∂θ_j E[T_k] + ∂(rest)/∂θ_j = 0 (base-measure terms are
    # θ-free and drop out).
    jac = Matrix([[sympy.diff(coeffs[t], v) for v in free] for t in natural])
    grad = Matrix([-sympy.diff(rest, v) for v in free])
    try:
        with time_budget(BUDGET):
            means = jac.T.LUsolve(grad)
    except BudgetExceeded:
        return None
    value = _tidy(means[natural.index(stat)])
    return Piece(
        stat,
        value,
        "exponential-family identity: differentiating ∫p = 1 in "
        + ", ".join(map(str, free))
        + " gives Σ_k ∂η_k/∂θ_j E[T_k] = ∂A/∂θ_j, solved for E[T]",
    )


_u = Symbol("u", positive=True)


def _gamma_moment(term: Expr) -> Expr | None:
    """∫_0^oo u^c log(u)^m e^(-u) du = d^m/ds^m Γ(c + 1 + s) at s = 0, when term = u^c log(u)^m:
    differentiation under the integral sign, quicker and surer than integrating the log."""
    c, m = sympy.S.Zero, 0
    for factor in sympy.Mul.make_args(term):
        base, power = factor.as_base_exp()
        if base == _u and not power.has(_u):
            c += power
        elif base == log(_u) and power.is_Integer and power > 0:
            m += int(power)
        else:
            return None
    s = Symbol("s")
    return sympy.diff(gamma(c + 1 + s), s, m).subs(s, 0)


def _route_substitution(fam: Family, stat: Expr, th: Theta) -> Piece | None:
    substitution = _hints(fam).substitution
    assert substitution is not None
    g = substitution(th, _u)
    body = expand(expand_log(stat.subs(fam.variable, g), force=True))
    # exp(c log u) = u^c for u > 0: the form whose mean under Exp(1) is a gamma value.
    body = body.replace(
        lambda n: isinstance(n, exp) and not (n.args[0] / log(_u)).has(_u),
        lambda n: _u ** (n.args[0] / log(_u)),
    )
    total = sympy.S.Zero
    for term in Add.make_args(expand(body)):
        coeff, dependent = term.as_independent(_u, as_Add=False)
        part = _gamma_moment(dependent)
        if part is None:
            part = _integrate(dependent * exp(-_u), (_u, sympy.S.Zero, oo), False)
        if part is None:
            return None
        total += coeff * part
    return Piece(
        stat,
        _tidy(total),
        f"substitution x = {g} with u ~ Exp(1); E[u^c log(u)^m] = d^m/ds^m Gamma(c + 1 + s) "
        "at s = 0",
    )


_d = Symbol("d", positive=True)


def _route_laplace(fam: Family, stat: Expr, th: Theta) -> Piece | None:
    x = fam.variable
    if not (isinstance(stat, Abs) and stat.args[0].coeff(x) in (1, -1)):
        return _route_integrate(fam, stat, th)
    mu, b = th["mu"], th["b"]
    m = x - stat.args[0] if stat.args[0].coeff(x) == 1 else stat.args[0] + x
    # Take m = mu + d with d > 0: on each piece the signs of x - mu and x - m are known.
    dens_left, dens_right = exp((x - mu) / b) / (2 * b), exp(-(x - mu) / b) / (2 * b)
    target = mu + _d
    pieces = (
        (dens_left * (target - x), -oo, mu),
        (dens_right * (target - x), mu, target),
        (dens_right * (x - target), target, oo),
    )
    total = sympy.S.Zero
    for body, lo, hi in pieces:
        part = _integrate(body, (x, lo, hi), False)
        if part is None:
            return None
        total += part
    # The density is symmetric about mu, so E|X - m| depends on |m - mu| only; at d = 0 the
    # formula is continuous, which covers m = mu.
    value = _tidy(total).subs(_d, Abs(expand(m - mu)))
    return Piece(
        stat,
        value,
        "integral split where |x - mu_1| and |x - m| change sign (m = mu_1 + d, d > 0), "
        "then the reflection x -> 2 mu_1 - x for m < mu_1",
    )


def _route_poisson_kernel(fam: Family, stat: Expr, th: Theta) -> Piece | None:
    x = fam.variable
    if not isinstance(stat, log):
        return _route_integrate(fam, stat, th)
    arg = sympy.factor(stat.args[0])
    poly = sympy.Poly(sympy.numer(arg), x)
    if poly.degree() != 2:
        return None
    lead, mid, low = poly.all_coeffs()
    centre = -mid / (2 * lead)
    height = sqrt(sympy.factor(low / lead - centre**2))
    # log(numer) = log(lead) + log|x - w|², w = centre - i·height below the real axis, is
    # harmonic for Im z > 0; the Cauchy density is the Poisson kernel at z = x0 + i·gamma.
    z = th["x0"] + I * th["gamma"]
    w = centre - I * height
    modulus = expand(re(z - w) ** 2 + im(z - w) ** 2)
    value = _tidy(log(lead) + log(sympy.factor(modulus)) - log(sympy.denom(arg)))
    return Piece(
        stat,
        value,
        "Poisson kernel: log|x - w|^2 is harmonic for Im z > 0 when Im w < 0, and the Cauchy "
        "density is the Poisson kernel at z = x0_1 + i*gamma_1, so the mean is log|z - w|^2",
    )


def _route_series(fam: Family, stat: Expr, th: Theta) -> Piece | None:
    x = fam.variable
    lo, hi = fam.support_at(th)
    if not fam.discrete:
        return Piece(
            stat,
            Integral(fam.density_at(x, th) * stat, (x, lo, hi)),
            "no closed form: the defining integral E_P[T] = ∫ p(x) T(x) dx is kept",
        )
    return Piece(
        stat,
        Sum(fam.density_at(x, th) * stat, (x, lo, hi)),
        "no closed form: the defining series E_P[T] = Σ p(x) T(x) is kept",
    )


_ROUTES: dict[str, Callable[[Family, Expr, Theta], Piece | None]] = {
    "integrate": _route_integrate,
    "exponential-family": _route_expfam,
    "substitution": _route_substitution,
    "laplace-split": _route_laplace,
    "poisson-kernel": _route_poisson_kernel,
    "series": _route_series,
}


@cache
def _expectation(fam: Family, stat: Expr) -> Piece:
    th = fam.theta(1)
    for name in _hints(fam).routes:
        piece = _ROUTES[name](fam, stat, th)
        if piece is not None:
            return piece
    routes = ", ".join(_hints(fam).routes)
    raise NoRoute(
        f"{fam.name}: no route derives E_P[{stat}] in closed form (tried: {routes}); "
        "H(P), H(P, Q) and D_KL are not derived"
    )


_SYMBOLIC_DIMENSION = ("categorical", "dirichlet", "multivariate-normal")


def names() -> list[str]:
    """Every family, in the issue's order.

    >>> names()[:3]
    ['bernoulli', 'binomial', 'categorical']
    """
    return list(DIVERGENCE_FAMILIES)


# --- assembling the results -----------------------------------------------------------------


def _define(fam: Family, th1: Theta, integrand: Expr, splits: tuple[Expr, ...]) -> Expr:
    """∫ p_1 · integrand over supp P, or the sum for a discrete family."""
    x = fam.variable
    hints = _hints(fam)
    lo, hi = fam.support_at(th1)
    body = fam.density_at(x, th1) * integrand
    if fam.discrete:
        return Sum(body, (x, lo, hi))
    var = x
    if hints.quadrature_map is not None:
        var = Symbol("u", real=True)
        g, weight, lo, hi = hints.quadrature_map(th1, var)
        # x = g(u) pushes the law with density `weight` on (lo, hi) forward to P.
        body = weight * integrand.subs(x, g)
        splits = tuple(hints.unmap(th1, s) for s in splits) if hints.unmap else ()
    cuts = sorted(set(splits), key=str)
    if len(cuts) == 2:
        cuts = [Min(*cuts), Max(*cuts)]
    edges = [lo, *cuts, hi]
    parts = [Integral(body, (var, a, b)) for a, b in zip(edges, edges[1:], strict=False)]
    powers = hints.endpoint_powers(th1) if hints.endpoint_powers else (None, None)
    w = Symbol("w", positive=True)
    for end, piece, sign, length, a in (
        (lo, 0, 1, edges[1] - lo, powers[0]),
        (hi, -1, -1, hi - edges[-2], powers[1]),
    ):
        if a is not None:
            # x = end ± w^(1/a): the factor |x - end|^(a-1) dx becomes dw/a.
            jacobian = w ** (1 / a - 1) / a
            parts[piece] = Integral(
                body.subs(var, end + sign * w ** (1 / a)) * jacobian, (w, 0, length**a)
            )
    return Add(*parts)


def _expected(fam: Family, log_density: Expr) -> tuple[Expr, list[Piece]]:
    """E_P[log_density] by linearity, each statistic's mean derived by the family's routes."""
    coeffs, rest = _statistics(log_density, fam.variable)
    pieces = [_expectation(fam, stat) for stat in coeffs]
    value = Add(*(coeffs[pc.statistic] * pc.value for pc in pieces)) + rest
    return value, pieces


def _finite_when(cond: Boolean | None, value: Expr) -> Expr:
    return value if cond is None else Piecewise((value, cond), (oo, True))


@cache
def _scalar(fam: Family, label: str) -> Divergence:
    hints = _hints(fam)
    th1, th2 = fam.theta(1), fam.theta(2)
    lp1, lp2 = _log_density(fam, th1), _log_density(fam, th2)
    mean1, pieces1 = _expected(fam, lp1)
    mean2, pieces2 = _expected(fam, lp2)
    mean_ratio, _ = _expected(fam, lp1 - lp2)
    entropy = _tidy(-mean1)
    cross = _tidy(-mean2)
    kl_value = _tidy(mean_ratio)
    cond = fam.contained(th1, th2)
    kl_expr = _finite_when(cond, kl_value)
    bounding = [n for n in th1 if th1[n] != th2[n] and any(
        e.has(th1[n]) for e in fam.support_at(th1))]
    if hints.same_support and bounding:
        # Where the support-bounding parameters agree, P and Q share their support.
        equal = {th2[n]: th1[n] for n in bounding}
        same = _tidy(kl_value.xreplace(equal))
        first = Eq(*next(iter(equal.items())))
        kl_expr = Piecewise((same, first), (kl_value, cond), (oo, True))
    cross_expr = _finite_when(cond, cross)
    k1 = tuple(dict.fromkeys(hints.splits(th1)))
    k12 = tuple(dict.fromkeys((*k1, *hints.splits(th2))))
    definitions = {
        "entropy": _define(fam, th1, -lp1, k1),
        "cross_entropy": _finite_when(cond, _define(fam, th1, -lp2, k12)),
        "kl": _finite_when(cond, _define(fam, th1, lp1 - lp2, k12)),
    }
    pieces = tuple(dict.fromkeys([*pieces1, *pieces2]))
    routes = "; ".join(f"E_P[{pc.statistic}] = {pc.value} ({pc.route})" for pc in pieces)
    steps = (
        (
            _finite_when(cond, mean_ratio),
            "log p_1 - log p_2 expanded in the statistics T(x); linearity of E_P and ∫p_1 = 1; "
            f"then {routes}",
        ),
        (_finite_when(cond, cross - entropy), "regroup: the closed forms H(P, Q) - H(P)"),
        (
            kl_expr,
            "simplify"
            + (
                " (the two supports coincide when "
                + ", ".join(f"{th1[n]} = {th2[n]}" for n in bounding) + ")"
                if hints.same_support and bounding else ""
            ),
        ),
    )
    shared = " (shared by P and Q)"
    domain = tuple(
        sorted(
            {
                f"{th[p.name]} in {p.domain.text()}"
                + (shared if p.name in fam.known_names else "")
                for p in fam.parameters
                for th in (th1, th2)
            }
            | {str(r) for th in (th1, th2) for r in hints.relations(th)}
        )
    )
    intervals = {
        th[n]: span for th in (th1, th2) for n, span in hints.intervals.items()
    }
    estimated = [p.name for p in fam.parameters if p.name not in fam.known_names]
    return Divergence(
        family=label,
        kind=fam.kind,
        entropy=entropy,
        cross_entropy=cross_expr,
        kl=kl_expr,
        domain=domain,
        kl_finite=cond,
        pieces=pieces,
        p=tuple(th1[n] for n in estimated),
        q=tuple(th2[n] for n in estimated),
        intervals=intervals,
        definitions=definitions,
        start=definitions["kl"],
        steps=steps,
        finite={"cross_entropy": cross, "kl": kl_value},
        notes=hints.notes,
    )


# --- families in symbolic dimension -----------------------------------------------------------


_k = Symbol("k", integer=True, positive=True)
_K = DIVERGENCE_FAMILIES["categorical"].support_domain.stop


def _sides(fam: Family) -> tuple[IndexedBase, IndexedBase]:
    base = fam.parameters[0].name
    return IndexedBase(f"{base}_1", positive=True), IndexedBase(f"{base}_2", positive=True)


def _categorical(fam: Family) -> Divergence:
    pi1, pi2 = _sides(fam)
    simplex = (
        f"{pi1[_k]} > 0, {pi2[_k]} > 0 for k = 1..{_K}, {Sum(pi1[_k], (_k, 1, _K))} = 1, "
        f"{Sum(pi2[_k], (_k, 1, _K))} = 1 (open simplex: supp P = supp Q)",
    )
    entropy = -Sum(pi1[_k] * log(pi1[_k]), (_k, 1, _K))
    cross = -Sum(pi1[_k] * log(pi2[_k]), (_k, 1, _K))
    kl = Sum(pi1[_k] * log(pi1[_k]) - pi1[_k] * log(pi2[_k]), (_k, 1, _K))
    start = Sum(pi1[_k] * log(pi1[_k] / pi2[_k]), (_k, 1, _K))
    steps = (
        (cross - entropy, "log of a quotient, linearity of the finite sum: H(P, Q) - H(P)"),
        (kl, "with K symbolic the sum over the labels is the closed form"),
    )
    return Divergence(
        family="categorical",
        kind="shannon",
        entropy=entropy,
        cross_entropy=cross,
        kl=kl,
        domain=simplex,
        kl_finite=None,
        pieces=(Piece(log(pi2[_k]), log(pi2[_k]), "the mass at label k is pi[k]"),),
        p=(pi1,),
        q=(pi2,),
        intervals={},
        definitions=None,
        start=start,
        steps=steps,
        finite={"cross_entropy": cross, "kl": kl},
        notes=("On the boundary of the simplex (pi_2[k] = 0 < pi_1[k]) D_KL = +oo.",),
    )


def _dirichlet(fam: Family) -> Divergence:
    a1, a2 = _sides(fam)
    xs = fam.variable
    j = Symbol("j", integer=True, positive=True)
    alpha = fam.parameters[0].symbol
    # The log-partition A(alpha) is what the log-density keeps without x: its terms free of x.
    minus_a = Add(*(t for t in Add.make_args(fam.logp) if not t.has(xs)))

    def log_partition(a: IndexedBase) -> Expr:
        return -minus_a.xreplace({alpha: a})

    # Exponential family in the statistics log x_k with eta_k = alpha_k - 1: E[log x_j] is
    # dA/dalpha_j. sympy returns it guarded by K >= j, which holds for every label j.
    raw = sympy.diff(log_partition(a1), a1[j]).doit()
    mean_j = raw.replace(lambda e: isinstance(e, Piecewise), lambda e: e.args[0][0]).replace(
        sympy.polygamma, lambda n, z: digamma(z) if n == 0 else sympy.polygamma(n, z)
    )
    mean = mean_j.xreplace({j: _k})
    entropy = log_partition(a1) - Sum((a1[_k] - 1) * mean, (_k, 1, _K))
    cross = log_partition(a2) - Sum((a2[_k] - 1) * mean, (_k, 1, _K))
    kl = log_partition(a2) - log_partition(a1) + Sum((a1[_k] - a2[_k]) * mean, (_k, 1, _K))
    log_ratio = Sum((a1[_k] - a2[_k]) * log(xs[_k]), (_k, 1, _K)) + log_partition(a2)
    log_ratio -= log_partition(a1)
    law = DirichletLaw(a1, xs, _K)
    start = Mean(log_ratio, law)
    steps = (
        (
            Sum((a1[_k] - a2[_k]) * Mean(log(xs[_k]), law), (_k, 1, _K))
            + log_partition(a2)
            - log_partition(a1),
            "linearity of E_P over the finite sum",
        ),
        (
            kl,
            "exponential-family identity: E_P[log x_k] = dA/dalpha_k = "
            f"{mean} with A(alpha) = {log_partition(a1)}",
        ),
        (cross - entropy, "regroup: the closed forms H(P, Q) - H(P)"),
        (kl, "simplify"),
    )
    return Divergence(
        family="dirichlet",
        kind="differential",
        entropy=entropy,
        cross_entropy=cross,
        kl=kl,
        domain=(
            "alpha_1[k] > 0, alpha_2[k] > 0 for k = 1..K (density on the simplex, "
            "w.r.t. Lebesgue measure on x_1..x_(K-1))",
        ),
        kl_finite=None,
        pieces=(Piece(log(xs[_k]), mean, "exponential-family identity dA/dalpha_k"),),
        lemmas=(_beta_log_moment(),),
        p=(a1,),
        q=(a2,),
        # The numeric checks instantiate K: at K = 2 the evaluator integrates whole integrands,
        # above it sums of one-coordinate terms; K stays small to keep them cheap.
        intervals={_K: (1, 6)},
        definitions=None,
        start=start,
        steps=steps,
        finite={"cross_entropy": cross, "kl": kl},
    )


def _multivariate_normal(fam: Family) -> Divergence:
    d = fam.parameters[0].symbol.shape[0]
    mu1, mu2 = MatrixSymbol("mu_1", d, 1), MatrixSymbol("mu_2", d, 1)
    s1, s2 = MatrixSymbol("Sigma_1", d, d), MatrixSymbol("Sigma_2", d, d)
    xs = MatrixSymbol("x", d, 1)

    def quad(v: tuple[tuple[int, Expr], ...], a: Expr) -> Expr:
        # (Σ c_i v_i)^T A (Σ c_j v_j) as traces of products of symbols: sympy's simplify fails
        # with a TypeError on the trace of a matrix sum, so no such trace is ever built.
        return Add(*(ci * cj * Trace(vi.T * a * vj) for ci, vi in v for cj, vj in v))

    def log_density(mu: Expr, sigma: Expr) -> Expr:
        return (
            -d * log(2 * pi) / 2
            - log(sympy.Determinant(sigma)) / 2
            - quad(((1, xs), (-1, mu)), sigma.I) / 2
        )

    def quad_mean(m: Expr, a: Expr) -> Expr:
        # x = mu_1 + L z with L L^T = Sigma_1, E[z] = 0, E[z z^T] = I (each entry a 1-D normal
        # moment): E[(x - m)^T A (x - m)] = tr(A Sigma_1) + (mu_1 - m)^T A (mu_1 - m).
        product = (a * s1).doit()
        trace = Trace(product).doit() if product.is_Identity else Trace(product)
        return trace + (0 if m == mu1 else quad(((1, mu1), (-1, m)), a))

    def expected(mu: Expr, sigma: Expr) -> Expr:
        return -d * log(2 * pi) / 2 - log(sympy.Determinant(sigma)) / 2 - quad_mean(mu, sigma.I) / 2

    entropy = -expected(mu1, s1)
    cross = -expected(mu2, s2)
    kl = (
        Trace(s2.I * s1)
        + quad(((1, mu1), (-1, mu2)), s2.I)
        - d
        + log(sympy.Determinant(s2))
        - log(sympy.Determinant(s1))
    ) / 2
    law = NormalLaw(mu1, s1, xs)
    start = Mean(log_density(mu1, s1) - log_density(mu2, s2), law)
    steps = (
        (
            Mean(quad(((1, xs), (-1, mu2)), s2.I), law) / 2
            - Mean(quad(((1, xs), (-1, mu1)), s1.I), law) / 2
            + log(sympy.Determinant(s2)) / 2
            - log(sympy.Determinant(s1)) / 2,
            "linearity of E_P",
        ),
        (
            (quad_mean(mu2, s2.I) - quad_mean(mu1, s1.I)) / 2
            + log(sympy.Determinant(s2)) / 2
            - log(sympy.Determinant(s1)) / 2,
            "E_P[(x - m)^T A (x - m)] = tr(A Sigma_1) + (mu_1 - m)^T A (mu_1 - m): x = mu_1 + L z "
            "with L L^T = Sigma_1, E[z] = 0, E[z z^T] = I",
        ),
        (cross - entropy, "regroup: the closed forms H(P, Q) - H(P)"),
        (kl, "tr(Sigma_1^-1 Sigma_1) = tr(I_d) = d"),
    )
    return Divergence(
        family="multivariate-normal",
        kind="differential",
        entropy=entropy,
        cross_entropy=cross,
        kl=kl,
        domain=("mu_1, mu_2 real d-vectors; Sigma_1, Sigma_2 symmetric positive definite d x d",),
        kl_finite=None,
        pieces=(
            Piece(
                quad(((1, xs), (-1, mu2)), s2.I),
                quad_mean(mu2, s2.I),
                "quadratic-form identity: x = mu_1 + L z, E[z] = 0, E[z z^T] = I",
            ),
        ),
        p=(mu1, s1),
        q=(mu2, s2),
        # The numeric checks instantiate d: tensor quadrature in dimension 1 to 4 stays cheap.
        intervals={d: (1, 4)},
        definitions=None,
        start=start,
        steps=steps,
        finite={"cross_entropy": cross, "kl": kl},
        lemmas=_standard_normal_moments(),
    )


def _beta_log_moment() -> Lemma:
    # The marginal of x_k under Dirichlet(alpha) is Beta(alpha_k, alpha_0 - alpha_k): the
    # one-dimensional integral behind E[log x_k] = psi(alpha_k) - psi(alpha_0).
    a, c = Symbol("alpha_k", positive=True), Symbol("alpha_rest", positive=True)
    t = Symbol("t", positive=True)
    density = t ** (a - 1) * (1 - t) ** (c - 1) / beta(a, c)
    return Lemma(
        "lemma_marginal_log_moment",
        Integral(density * log(t), (t, 0, 1)),
        digamma(a) - digamma(a + c),
        "E[log x_k] over the marginal Beta(alpha_k, alpha_0 - alpha_k) of x_k is "
        "psi(alpha_k) - psi(alpha_0)",
        # Exponents above 1 keep the endpoint factors bounded, so quadrature reaches 40 digits.
        {a: (1.2, 5.0), c: (1.2, 5.0)},
    )


def _standard_normal_moments() -> tuple[Lemma, ...]:
    z = Symbol("z", real=True)
    phi = exp(-(z**2) / 2) / sqrt(2 * pi)
    return (
        Lemma(
            "lemma_mean_of_z",
            1 + Integral(z * phi, (z, -oo, oo)),
            sympy.S.One,
            "E[z_i] = 0 for each standard normal coordinate (checked as 1 + E[z_i] = 1)",
        ),
        Lemma(
            "lemma_second_moment_of_z",
            Integral(z**2 * phi, (z, -oo, oo)),
            sympy.S.One,
            "E[z_i^2] = 1, and E[z_i z_j] = E[z_i] E[z_j] = 0 for i != j: E[z z^T] = I",
        ),
    )


_BUILDERS: dict[str, Callable[[Family], Divergence]] = {
    "categorical": _categorical,
    "dirichlet": _dirichlet,
    "multivariate-normal": _multivariate_normal,
}


# --- the public functions -------------------------------------------------------------------


@cache
def divergence(name: str | Family) -> Divergence:
    """H(P), H(P, Q) and D_KL(P‖Q) of a family, derived (and cached for the process).

    >>> divergence("uniform").kl
    Piecewise((-log(-a_1 + b_1) + log(-a_2 + b_2), (a_1 >= a_2) & (b_1 <= b_2)), (oo, True))
    """
    fam = family_of(name)
    label = name if isinstance(name, str) else fam.name
    if label in _BUILDERS and fam is DIVERGENCE_FAMILIES.get(label):
        return _BUILDERS[label](fam)
    if not isinstance(fam.support_domain, Interval | Integers):
        raise NoRoute(f"{fam.name}: no divergence route for the support {fam.support_domain}")
    return _scalar(fam, label)


def family_of(name: str | Family) -> Family:
    """The family called ``name`` among the divergence families, or ``name`` itself."""
    if isinstance(name, Family):
        return name
    if name not in DIVERGENCE_FAMILIES:
        raise UnknownFamily(name)
    return DIVERGENCE_FAMILIES[name]


def kl_derivation(name: str | Family) -> Derivation:
    """The derivation ``kl/<name>``: the definition of D_KL, the route, the closed form.

    >>> d = kl_derivation("exponential")
    >>> d.id, len(d.steps)
    ('kl/exponential', 3)
    """
    r = divergence(name)
    kind = "Shannon" if r.kind == "shannon" else "differential"
    notes = [
        f"Entropy here is {kind} entropy"
        + ("; it can be negative." if r.kind == "differential" else "."),
        *(f"E_P[{pc.statistic}] = {pc.value}: {pc.route}." for pc in r.pieces),
        *r.notes,
    ]
    if r.kl_finite is not None:
        notes.append(
            f"D_KL is finite only when supp P is inside supp Q ({r.kl_finite}); otherwise "
            "P is not absolutely continuous with respect to Q and D_KL = +oo."
        )
    if r.definitions is None:
        notes.append(
            "In symbolic dimension the numeric checks instantiate the dimension: E_P over a "
            "Dirichlet law is evaluated by quadrature over the segment at K = 2, and for K > 2 "
            "only for sums of functions of one coordinate, by linearity and one-dimensional "
            "quadrature over each Beta(alpha_k, alpha_0 - alpha_k) marginal; E_P over a normal "
            "law only for polynomials in x, by Gauss-Hermite quadrature in x = mu_1 + L z, "
            "exact for their degree. `symbolic kl` has the kernel check the one-dimensional "
            "lemmas the route rests on."
        )
    return Derivation(
        id=f"kl/{r.family}",
        title=f"Entropy, cross-entropy and KL divergence of two {r.family} laws",
        start=r.start,
        steps=tuple(Step(Relation.EQ, e, rule) for e, rule in r.steps),
        params=r.q if r.definitions is not None else (),
        sampling=r.intervals,
        notes=tuple(notes),
        start_label="D_KL(P || Q)",
        vectors=_vectors(r.family, r.start),
    )


# The numeric checks sample the parameter vectors of the K-dimensional families from their
# domains, K itself from the positive integers; the normal's from R^d and the SPD matrices.
_VECTOR_KINDS = {"categorical": Simplex(_K), "dirichlet": Vectors(POSITIVE, _K)}


def _vectors(name: str, start: Expr) -> dict[IndexedBase | MatrixSymbol, VectorSpec]:
    out: dict[IndexedBase | MatrixSymbol, VectorSpec] = {}
    kind = _VECTOR_KINDS.get(name)
    if kind is not None:
        bases = {b for b in start.atoms(IndexedBase) if str(b.label) not in ("x", "y")}
        out.update({b: (_K, kind) for b in bases})
    for law in start.atoms(NormalLaw):
        # The normal's parameters: mean vectors are real, covariances positive definite.
        for m in start.atoms(MatrixSymbol) - {law.variable}:
            side = m.shape[0]
            out[m] = (side, Vectors(REALS, side) if m.shape[1] == 1 else SPD(side))
    return out


def _self(r: Divergence, e: Expr) -> Expr:
    return e.xreplace(r.self_substitution()).doit()


@dataclass(frozen=True)
class Claim:
    """An identity about a family's results, for the kernel to check."""

    key: str
    lhs: Expr
    rhs: Expr
    rule: str
    # Where the check samples the parameters (a family's typical values); the claim is over
    # their whole domain.
    sampling: Mapping[Symbol, tuple[float, float]]
    vectors: Mapping[IndexedBase | MatrixSymbol, VectorSpec] = field(default_factory=dict)

    def check(self, config: Config) -> CheckedStep:
        return check_step(
            self.lhs,
            Relation.EQ,
            Step(Relation.EQ, self.rhs, self.rule),
            params=(),
            sampling=self.sampling,
            vectors=self.vectors,
            config=config,
        )


_CHECKS = Config(instances=3, param_points=1, budget=4.0)


def claims(name: str | Family) -> list[Claim]:
    """What :func:`checks` puts to the kernel: D_KL(P‖P) = 0, H(P, Q) = H(P) + D_KL, each closed
    form against its defining integral or sum, and the lemmas of symbolic-dimension routes.

    >>> [c.key for c in claims("categorical")]
    ['kl_self_zero', 'decomposition']
    """
    r = divergence(name)
    where = " where supp P is inside supp Q" if r.kl_finite is not None else ""
    vectors = _vectors(r.family, r.start)
    out = [
        # Compared as 1 + D = 1: the kernel's tolerance is relative, and an exact 0 against
        # rounding noise of a cancelling sum would differ at every precision.
        Claim(
            "kl_self_zero",
            1 + _self(r, r.kl),
            sympy.S.One,
            "D_KL(P || P) = 0, checked as 1 + D_KL(P || P) = 1",
            r.intervals,
            vectors,
        ),
        Claim(
            "decomposition",
            r.finite["cross_entropy"],
            r.entropy + r.finite["kl"],
            "H(P, Q) = H(P) + D_KL(P || Q)" + where,
            r.intervals,
            vectors,
        ),
    ]
    if r.start.has(Mean):
        # In symbolic dimension the definition is the expectation E_P[log p_1 - log p_2].
        out.append(
            Claim(
                "definition_kl",
                r.start,
                r.kl,
                "D_KL as E_P[log p_1 - log p_2], against the closed form",
                r.intervals,
                vectors,
            )
        )
    if r.kl_finite is not None:
        out.append(
            Claim(
                "decomposition_everywhere",
                r.cross_entropy,
                r.entropy + r.kl,
                "H(P, Q) = H(P) + D_KL(P || Q), +oo included",
                r.intervals,
            )
        )
    if r.definitions is not None:
        out += [
            Claim(
                f"definition_{key}",
                r.definitions[key],
                getattr(r, key),
                f"the defining integral or sum of {key}",
                r.intervals,
            )
            for key in ("entropy", "cross_entropy", "kl")
        ]
    out += [Claim(m.key, m.lhs, m.rhs, m.rule, m.sampling) for m in r.lemmas]
    return out


def checks(name: str | Family, config: Config | None = None) -> dict[str, CheckedStep]:
    """The kernel's verdicts on :func:`claims`, at ``config.instances`` sampled points.

    >>> {k: v.status.value for k, v in checks("categorical").items()}
    {'kl_self_zero': 'proved', 'decomposition': 'proved'}
    """
    return {c.key: c.check(config or _CHECKS) for c in claims(name)}


def summary(name: str | Family, config: Config | None = None) -> dict[str, object]:
    """The JSON object of ``symbolic kl NAME``: closed forms as sympy strings, conditions and the
    kernel's verdicts.

    >>> summary("categorical")["kl"]
    'Sum(log(pi_1[k])*pi_1[k] - log(pi_2[k])*pi_1[k], (k, 1, K))'
    """
    r = divergence(name)
    verdicts: dict[str, dict[str, str]] = {}
    for claim in claims(name):
        try:
            v = claim.check(config or _CHECKS)
        except Exception as exc:  # sympy raises any type from deep inside
            # Not a verdict: the kernel failed on this claim, and the output says so.
            verdicts[claim.key] = {
                "rule": claim.rule,
                "status": "error",
                "detail": f"the kernel raised {type(exc).__name__}: {exc}",
            }
            continue
        verdicts[claim.key] = {"rule": v.rule, "status": v.status.value, "detail": v.detail}
    kind = (
        "Shannon entropy (nats) of a discrete law"
        if r.kind == "shannon"
        else "differential entropy (nats) of a density: it can be negative"
    )
    return {
        "family": r.family,
        "entropy": str(r.entropy),
        "cross_entropy": str(r.cross_entropy),
        "kl": str(r.kl),
        "conditions": {
            "entropy": kind,
            "domain": list(r.domain),
            "kl_finite_when": None if r.kl_finite is None else str(r.kl_finite),
            "notes": list(r.notes),
        },
        "checks": verdicts,
        "routes": [
            {"statistic": str(pc.statistic), "mean": str(pc.value), "route": pc.route}
            for pc in r.pieces
        ],
    }


def to_text(out: Mapping[str, object]) -> str:
    """The plain-text form of :func:`summary`'s object, for terminals.

    >>> print(to_text({"family": "f", "entropy": "1", "cross_entropy": "2", "kl": "1",
    ...     "conditions": {"entropy": "Shannon", "domain": [], "kl_finite_when": None,
    ...     "notes": []}, "checks": {}, "routes": []}).splitlines()[1])
    H(P)      = 1    [Shannon]
    """
    # Formulas in Unicode (σ₁², μ₁², ∞), as every terminal output prints them; JSON keeps sympy's.
    from symbolic.outputs.prose import to_unicode as u

    cond = out["conditions"]
    lines = [
        f"family: {out['family']}",
        f"H(P)      = {u(str(out['entropy']))}    [{cond['entropy']}]",
        f"H(P, Q)   = {u(str(out['cross_entropy']))}",
        f"D_KL(P‖Q) = {u(str(out['kl']))}",
        f"domain: {u('; '.join(cond['domain']))}",
    ]
    if cond["kl_finite_when"] is not None:
        lines.append(f"D_KL finite only when {u(cond['kl_finite_when'])} (supp P inside supp Q)")
    lines += [f"note: {u(n)}" for n in cond["notes"]]
    lines += [f"route: {u('E_P[' + r['statistic'] + '] = ' + r['mean'])}: {u(r['route'])}"
              for r in out["routes"]]
    lines += [f"{v['status']:>8}  {u(v['rule'])}: {u(v['detail'])}" for v in out["checks"].values()]
    from symbolic.outputs.textbook import forms

    lines += [f"textbook: {f.label_text} = {f.standard_text()}"
              f"{' where ' + ', '.join(f.definitions_text()) if f.definitions else ''}"
              f" [kernel: {f.checked.status.value}]" for f in forms(f"kl/{out['family']}")]
    return "\n".join(lines)
