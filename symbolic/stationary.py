"""Closed-form maximum-likelihood estimators from the stationary conditions.

``sympy.solve`` on the raw score of an i.i.d. likelihood fails because the parameters sit
inside sums over the data. The solver here is a *generator*: it splits the log-density into
terms ``c(θ) g(x)``, so that ``Σ_i c(θ) g(x_i) = c(θ) Σ_i g(x_i)`` — the parameters leave the
sums and the sums become sufficient statistics ``T_j`` —, solves the score equations in the
``T_j``, and writes the result back as sums of the data. Where that is impossible it says why:

* ``no_closed_form``: a parameter stays inside a sum (no finite sufficient statistic), or the
  equations in the statistics are transcendental (digamma against log);
* ``boundary``: the support depends on a parameter and the score never vanishes on the
  feasible set; the maximizer sits on the edge the data impose (a maximum or minimum);
* ``non_smooth``: the log-density has ``|x - θ|``; the subgradient condition gives the median.

Nothing here is a verdict: :func:`verify` hands each claim to the kernel.

>>> sol = solve_family(FAMILIES["exponential"])
>>> sol.status, sol.estimators
('closed_form', {lam: N/Sum(x[i], (i, 1, N))})
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import mpmath
import sympy
from sympy import (
    Abs,
    Add,
    Dummy,
    Eq,
    Expr,
    Function,
    Indexed,
    KroneckerDelta,
    Matrix,
    Rational,
    Sum,
    Symbol,
    diff,
    expand,
    log,
)

from symbolic.budget import BudgetExceeded, time_budget
from symbolic.derivation import Derivation, Relation, Step
from symbolic.families import FAMILIES, Family, Param, k_label, pi_, x_pos
from symbolic.kernel import CheckedDerivation, Config, check, worst
from symbolic.measures import N, i, x, xv, y, yv
from symbolic.numeric import DataSampler

__all__ = [
    "BadInput",
    "Maximum",
    "Minimum",
    "Median",
    "Solution",
    "NumericMLE",
    "SecondOrder",
    "separate",
    "solve_family",
    "plane_solution",
    "pulled_out",
    "stationary_derivation",
    "boundary_derivation",
    "second_order",
    "second_order_plan",
    "SecondOrderPlan",
    "mle_parts",
    "numeric_mle",
    "location_maxima",
    "evaluate_estimator",
    "closed_form_values",
    "matrix_values",
    "values_at",
    "to_mpf",
    "parse_number",
    "parse_known",
    "read_csv",
    "read_rows",
    "check_data",
    "verify",
    "report",
    "exit_status",
    "to_text",
]

_DEFAULT = Config()


class BadInput(ValueError):
    """Input data or known values that do not fit the family (bad label, missing value)."""


class _OverData(Function):
    """An order statistic of ``expr`` over ``index = lo..hi``: ``Maximum(x[i], i, 1, N)``."""

    nargs = 4

    def _latex(self, printer: object) -> str:
        body, var, lo, hi = (printer._print(a) for a in self.args)  # type: ignore[attr-defined]
        return rf"\operatorname{{{self._word}}}_{{{var}={lo}}}^{{{hi}}} {body}"

    _word = ""


class Maximum(_OverData):
    """The largest of the data values.

    >>> Maximum(x[i], i, 1, N)
    Maximum(x[i], i, 1, N)
    """

    _word = "max"


class Minimum(_OverData):
    """The smallest of the data values."""

    _word = "min"


class Median(_OverData):
    """The median of the data values: for even N the midpoint of the two middle values (every
    point between them maximizes the Laplace likelihood)."""

    _word = "median"


@dataclass(frozen=True)
class Solution:
    """What the solver found for a family: its status, why, the log-likelihood (raw and with
    the sufficient statistics pulled out), the stationary equations and the estimators."""

    family: Family
    status: str
    reason: str
    loglik: Expr
    reduced: Expr | None
    statistics: dict[Symbol, Expr]
    equations: dict[Param, Expr]
    estimators: dict[Param, Expr]
    notes: tuple[str, ...] = ()


# --- separating parameters from data -----------------------------------------------------------


def _at_point(expr: Expr) -> Expr:
    return expr.xreplace({xv: x[i], yv: y[i]})


def _data_part(term: Expr) -> tuple[Expr, Expr]:
    return term.as_independent(xv, yv, as_Add=False)


def separate(logp: Expr, params: Sequence[Expr]) -> tuple[list[tuple[Expr, Expr]], list[Expr]]:
    """Split ``logp`` into ``[(c_j(θ), g_j(x))]`` with ``logp = Σ c_j g_j``, and the terms where
    a parameter and the data cannot be pulled apart.

    >>> from symbolic.families import lam
    >>> separate(FAMILIES["exponential"].logp, [lam])
    ([(-lam, x), (log(lam), 1)], [])
    """
    pars = set(params)
    # Expanding powers of products is sound: data and parameters of a family are positive
    # wherever a fractional power of their product appears (Weibull's (x/lam)**k).
    expanded = expand(logp, power_base=True, force=True, log=False)
    pieces: list[tuple[Expr, Expr]] = []
    tangled: list[Expr] = []
    for term in Add.make_args(expanded):
        coeff, data = _data_part(term)
        if data.free_symbols & pars or any(a.has(*pars) for a in data.atoms(Indexed)):
            tangled.append(term)
        else:
            pieces.append((coeff, data))
    merged: dict[Expr, Expr] = {}
    for coeff, data in pieces:
        merged[data] = merged.get(data, sympy.S.Zero) + coeff
    return [(c, g) for g, c in merged.items() if c != 0], tangled


def _statistic_name(k: int) -> Symbol:
    return Symbol(f"T{k}", real=True)


def _reduce(
    pieces: list[tuple[Expr, Expr]],
) -> tuple[Expr, dict[Symbol, Expr]]:
    stats: dict[Symbol, Expr] = {}
    total = sympy.S.Zero
    for coeff, data in pieces:
        if data == 1:
            total += N * coeff
            continue
        name = _statistic_name(len(stats) + 1)
        stats[name] = Sum(_at_point(data), (i, 1, N))
        total += coeff * name
    return total, stats


# --- the solver --------------------------------------------------------------------------------


def _in_domain(value: Expr, param: Expr) -> bool:
    if param.is_positive and value.is_nonpositive:
        return False
    return not (param.is_real and value.is_real is False)


def _solve(
    equations: list[Expr], unknowns: Sequence[Expr], budget: float
) -> tuple[dict[Expr, Expr] | None, str]:
    try:
        with time_budget(budget):
            found = sympy.solve(equations, list(unknowns), dict=True)
    except BudgetExceeded:
        return None, f"sympy.solve ran out of its {budget:g} s budget"
    except NotImplementedError as exc:
        return None, f"sympy.solve finds no closed form ({exc})"
    good = [
        s
        for s in found
        if set(s) >= set(unknowns)
        and all(not s[u].has(*unknowns) and _in_domain(s[u], u) for u in unknowns)
    ]
    if not good:
        return None, "the stationary equations have no solution in the parameter domain"
    return good[0], ""


def _transcendental_reason(equations: list[Expr], params: Sequence[Expr]) -> str:
    funcs = sorted(
        {type(f).__name__ for e in equations for f in e.atoms(Function) if f.has(*params)}
    )
    if funcs:
        return (
            "the stationary equations in the sufficient statistics are transcendental in the "
            f"parameters: they mix {', '.join(funcs)} with algebraic terms, and no elementary "
            "inverse exists"
        )
    return "the stationary equations have no closed-form solution"


def _raw_score(logp: Expr, param: Expr) -> Expr:
    return Sum(_at_point(diff(logp, param)), (i, 1, N))


def _smooth(
    logp: Expr, params: Sequence[Expr], budget: float
) -> tuple[str, str, Expr | None, dict[Symbol, Expr], dict[Param, Expr], dict[Param, Expr]]:
    """Solve the stationary equations of ``logp`` in ``params``; the status and the pieces."""
    pieces, tangled = separate(logp, params)
    if tangled:
        equations = {p: _raw_score(logp, p) for p in params}
        shown = ", ".join(str(t) for t in tangled)
        return (
            "no_closed_form",
            f"the parameters stay inside the sums: the terms {shown} do not factor into a "
            "function of the parameters times a function of the data, so there is no "
            "fixed set of sufficient statistics and the score equations are sums of N "
            "nonlinear terms in the parameters",
            None,
            {},
            equations,
            {},
        )
    reduced, stats = _reduce(pieces)
    scores = [diff(reduced, p) for p in params]
    equations = {p: s.xreplace(stats) for p, s in zip(params, scores, strict=True)}
    solution, why = _solve(scores, params, budget)
    if solution is None:
        return (
            "no_closed_form",
            f"{_transcendental_reason(scores, params)} ({why})",
            reduced,
            stats,
            equations,
            {},
        )
    estimators = {p: _tidy(solution[p]).xreplace(stats) for p in params}
    return "closed_form", "", reduced, stats, equations, estimators


def _tidy(expr: Expr) -> Expr:
    # Cosmetic only (N/(S - N log x_m) rather than -N/(N log x_m - S)); never needed for truth.
    try:
        with time_budget(5.0):
            expr = sympy.factor_terms(sympy.simplify(expr))
    except BudgetExceeded:
        return expr
    num, den = sympy.fraction(expr)
    if num.could_extract_minus_sign() and den.is_Add:
        return expand(-num) / expand(-den)
    return expr


def _non_smooth_params(tangled: list[Expr], params: Sequence[Expr]) -> list[Expr]:
    found = []
    for p in params:
        if any(a.has(p) for t in tangled for a in t.atoms(Abs)):
            found.append(p)
    return found


def _median_of(logp: Expr, param: Expr) -> Expr:
    (node,) = [a for a in logp.atoms(Abs) if a.has(param)]
    inner = expand(node.args[0])
    slope = inner.coeff(param)
    if slope == 0 or expand(inner - slope * param).has(param):
        raise ValueError(f"{node} is not |a x + c {param}|")
    location = -expand(inner - slope * param) / slope
    return Median(_at_point(location), i, 1, N)


def _boundary_value(fam: Family, logp: Expr, param: Symbol) -> tuple[Expr, str]:
    slope = diff(logp, param)
    side = fam.support[param]
    if side == "max" and slope.is_negative:
        value = Maximum(x[i], i, 1, N)
        why = (
            f"d/d{param} log p = {slope} < 0: the likelihood decreases in {param}, and the "
            f"support needs {param} >= x[i] for every i, so {param} = max x[i]"
        )
    elif side == "min" and slope.is_positive:
        value = Minimum(x[i], i, 1, N)
        why = (
            f"d/d{param} log p = {slope} > 0: the likelihood increases in {param}, and the "
            f"support needs {param} <= x[i] for every i, so {param} = min x[i]"
        )
    else:
        raise ValueError(f"no monotone boundary argument for {param} in {fam.name}")
    return value, why


def _categorical(fam: Family) -> Solution:
    lam_ = Symbol("lambda", real=True)
    j = Symbol("j", integer=True, positive=True)
    count = Sum(KroneckerDelta(x[i], j), (i, 1, N))
    # Grouping the data by label: Σ_i log pi[x_i] = Σ_j n_j log pi[j], n_j the count of j.
    n_k = Symbol("n_k", positive=True)
    lagrangian = n_k * log(pi_[k_label]) - lam_ * pi_[k_label]
    (root,) = sympy.solve(diff(lagrangian, pi_[k_label]), pi_[k_label])
    # The constraint Σ_k pi[k] = 1 with Σ_k n_k = N fixes the multiplier.
    (mult,) = sympy.solve(Eq(root.subs(n_k, N), 1), lam_)
    est = root.subs(lam_, mult).subs(n_k, count.subs(j, k_label))
    loglik = Sum(log(pi_[x[i]]), (i, 1, N))
    equation = (
        Sum(KroneckerDelta(x[i], k_label), (i, 1, N)) / pi_[k_label] - lam_
    )
    return Solution(
        family=fam,
        status="closed_form",
        reason="",
        loglik=loglik,
        reduced=Sum(count * log(pi_[j]), (j, 1, sympy.Symbol("K", integer=True, positive=True))),
        statistics={},
        equations={pi_[k_label]: equation},
        estimators={pi_[k_label]: est},
        notes=(
            "Lagrangian: sum_j n_j log pi[j] - lambda (sum_j pi[j] - 1); d/dpi[k] gives "
            "pi[k] = n_k/lambda, and sum_k pi[k] = 1 with sum_k n_k = N gives lambda = N.",
        ),
    )


def _matrix_terms(expr: Expr) -> list[Expr]:
    # sympy 1.14 differentiates a sum of traces to 0, term by term correctly: use linearity.
    return list(sympy.Add.make_args(expand(expr))) if not isinstance(expr, sympy.MatAdd) else list(
        expr.args
    )


def _linear_root(grad: Expr, unknown: sympy.MatrixSymbol, left: sympy.MatrixSymbol) -> Expr:
    """Solve ``left (c_u u + rest) = 0`` for ``u`` (``left`` invertible): ``u = -rest/c_u``."""
    coeff, rest = sympy.S.Zero, sympy.ZeroMatrix(*unknown.shape)
    for term in sympy.MatAdd.make_args(grad):
        scalar, factors = term.as_coeff_mmul()
        factors = list(factors.args) if isinstance(factors, sympy.MatMul) else [factors]
        if not factors or factors[0] != left:
            raise ValueError(f"{term} does not start with {left}")
        tail = sympy.MatMul(*factors[1:]) if len(factors) > 2 else factors[1]
        if tail == unknown:
            coeff += scalar
        else:
            rest = rest + scalar * tail
    return -rest / coeff


def _multivariate_normal(fam: Family) -> Solution:
    """The matrix route: with the precision Λ = Σ⁻¹, Σ_i (x_i - μ)ᵀ Λ (x_i - μ) =
    tr(Λ S) - 2 tr(Λ s μᵀ) + N tr(Λ μ μᵀ) with s = Σ_i x_i and S = Σ_i x_i x_iᵀ; the score in μ
    is Λ (s - N μ), and in Λ (Jacobi: ∂ log det Λ / ∂Λ = Λ⁻¹ for symmetric Λ) it is
    N Λ⁻¹/2 - A(μ)/2; both are solved here and written back as sums."""
    mu, sigma = fam.params
    dim = mu.shape[0]
    lam_ = sympy.MatrixSymbol("Lambda", dim, dim)
    s1 = sympy.MatrixSymbol("Sum(x[i], (i, 1, N))", dim, 1)
    s2 = sympy.MatrixSymbol("Sum(x[i]*x[i].T, (i, 1, N))", dim, dim)
    terms = [
        -sympy.Trace(lam_ * s2) / 2,
        sympy.Trace(lam_ * s1 * mu.T) / 2,
        sympy.Trace(lam_ * mu * s1.T) / 2,
        -N * sympy.Trace(lam_ * mu * mu.T) / 2,
    ]
    symmetric = {lam_.T: lam_, s2.T: s2}
    grad_mu = sympy.MatAdd(*[diff(t, mu) for t in terms]).xreplace(symmetric).doit()
    mu_hat = _linear_root(grad_mu, mu, lam_)
    grad_lam = sympy.MatAdd(*[diff(t, lam_) for t in terms])
    grad_lam = ((grad_lam + grad_lam.T) / 2).xreplace(symmetric)
    # The N/2 log det Λ term contributes N Λ⁻¹ / 2: Σ = Λ⁻¹ = -2 (rest) / N at μ = μ̂.
    sigma_hat = (-2 * grad_lam / N).xreplace({mu: mu_hat}).doit()
    sigma_hat = sympy.MatAdd(*[sympy.expand(t) for t in sympy.MatAdd.make_args(sigma_hat)]).doit()
    return Solution(
        family=fam,
        status="closed_form",
        reason="",
        loglik=Sum(_at_point(fam.logp), (i, 1, N)),
        reduced=None,
        statistics={},
        equations={mu: grad_mu, sigma: N * lam_.I / 2 + grad_lam},
        estimators={mu: mu_hat, sigma: sigma_hat},
        notes=(
            "Matrix route with the precision Lambda = Sigma^-1; the log-determinant's gradient "
            "is Jacobi's formula (sympy 1.14 cannot differentiate log det). The kernel checks "
            "the result written out at d = 2, with coordinates x[i], y[i].",
        ),
    )


def plane_solution(sol: Solution) -> Solution:
    """The multivariate-normal solution at d = 2 in coordinates ``x[i]``, ``y[i]``: the matrix
    estimators with their statistics written out, as a scalar solution the kernel can check.

    >>> plane = plane_solution(solve_family(FAMILIES["multivariate-normal"]))
    >>> plane.estimators[plane.family.params[0]]
    Sum(x[i], (i, 1, N))/N
    """
    plane = sol.family.coordinates
    mu, sigma = sol.family.params
    sx, sy = Sum(x[i], (i, 1, N)), Sum(y[i], (i, 1, N))
    sxx, sxy, syy = (Sum(e, (i, 1, N)) for e in (x[i] ** 2, x[i] * y[i], y[i] ** 2))
    dim = mu.shape[0]
    explicit = {
        sympy.MatrixSymbol("Sum(x[i], (i, 1, N))", dim, 1): sympy.ImmutableMatrix([sx, sy]),
        sympy.MatrixSymbol("Sum(x[i]*x[i].T, (i, 1, N))", dim, dim): sympy.ImmutableMatrix(
            [[sxx, sxy], [sxy, syy]]
        ),
    }
    mu_hat = sol.estimators[mu].xreplace(explicit).doit().as_explicit()
    sigma_hat = sol.estimators[sigma].xreplace(explicit).doit().as_explicit()
    mu1, mu2, s11, s12, s22 = plane.params
    estimators = {
        mu1: sympy.factor_terms(mu_hat[0]), mu2: sympy.factor_terms(mu_hat[1]),
        s11: sympy.factor_terms(sigma_hat[0, 0]), s12: sympy.factor_terms(sigma_hat[0, 1]),
        s22: sympy.factor_terms(sigma_hat[1, 1]),
    }
    pieces, _ = separate(plane.logp, plane.params)
    reduced, stats = _reduce(pieces)
    return Solution(plane, "closed_form", "", Sum(_at_point(plane.logp), (i, 1, N)), reduced,
                    stats, {}, estimators)


@cache
def solve_family(fam: Family, budget: float = 20.0) -> Solution:
    """Derive the MLE of ``fam`` (or the reason there is no closed form). The whole attempt
    runs under a time budget of ``3 * budget`` seconds (``sympy.solve`` has ``budget`` of its
    own); a solver that runs out reports the status ``unknown``.

    >>> sol = solve_family(FAMILIES["normal"])
    >>> sol.estimators[FAMILIES["normal"].params[0]]
    Sum(x[i], (i, 1, N))/N
    """
    try:
        with time_budget(3 * budget):
            return _solve_family(fam, budget)
    except BudgetExceeded:
        return Solution(
            fam, "unknown", f"the solver ran out of its {3 * budget:g} s budget",
            Sum(_at_point(fam.logp), (i, 1, N)), None, {}, {}, {},
        )


def _solve_family(fam: Family, budget: float) -> Solution:
    if fam.name == "categorical":
        return _categorical(fam)
    if fam.coordinates is not None:
        return _multivariate_normal(fam)
    loglik = Sum(_at_point(fam.logp), (i, 1, N))
    params = list(fam.params)
    fixed: dict[Param, Expr] = {}
    kind = ""
    reasons: list[str] = []
    for p in params:
        if p in fam.support:
            value, why = _boundary_value(fam, fam.logp, p)
            fixed[p] = value
            kind = "boundary"
            reasons.append(why)
    _, tangled = separate(fam.logp, params)
    for p in _non_smooth_params(tangled, params):
        fixed[p] = _median_of(fam.logp, p)
        kind = "non_smooth"
        reasons.append(
            f"log p has |x - {p}|: the score in {p} is a sum of signs, piecewise constant and "
            f"undefined at the data points, so it has no root to solve for; the subgradient "
            f"condition #{{x[i] < {p}}} <= N/2 and #{{x[i] > {p}}} <= N/2 gives {p} = the "
            "median of the data. For even N every point between the two middle values "
            "maximizes the likelihood; the midpoint is reported"
        )
    rest = [p for p in params if p not in fixed]
    equations: dict[Param, Expr] = {p: _raw_score(fam.logp, p) for p in fixed}
    estimators: dict[Param, Expr] = {}
    reduced: Expr | None = None
    stats: dict[Symbol, Expr] = {}
    status = kind or "closed_form"
    reason = "; ".join(reasons)
    if rest:
        # The edge values are data-only: hold those parameters fixed and solve for the rest.
        held = {p: Dummy(str(p), **p.assumptions0) for p in fixed}
        logp = fam.logp.xreplace(held)
        sub, why, reduced, stats, eqs, ests = _smooth(logp, rest, budget)
        back = {v: fixed[p] for p, v in held.items()}
        equations.update({p: e.xreplace(back) for p, e in eqs.items()})
        estimators.update({p: e.xreplace(back) for p, e in ests.items()})
        if sub == "no_closed_form":
            status, reason = sub, why
        if reduced is not None:
            reduced = reduced.xreplace(back)
    estimators = {**fixed, **estimators} if status != "no_closed_form" else {}
    estimators = {p: estimators[p] for p in params if p in estimators}
    return Solution(fam, status, reason, loglik, reduced, stats, equations, estimators)


# --- numeric maximization, independent of the closed forms --------------------------------------


@dataclass(frozen=True)
class NumericMLE:
    """A numeric maximizer of the likelihood: the values, or why none exists."""

    values: dict[str, mpmath.mpf]
    exists: bool = True
    note: str = ""
    local_maxima: int = 1
    loglik: mpmath.mpf | None = None


def _to_unconstrained(p: Expr, fam: Family) -> tuple[Expr, Expr]:
    u = Symbol(f"u_{p}", real=True)
    lo_hi = fam.intervals.get(p)
    if lo_hi is not None and lo_hi[1] <= 1 and p.is_positive:
        return u, 1 / (1 + sympy.exp(-u))
    if p.is_positive:
        return u, sympy.exp(u)
    return u, u


def _newton(
    value: Callable, grad: Callable, hess: Callable, start: list[mpmath.mpf], dps: int
) -> tuple[list[mpmath.mpf], mpmath.mpf, bool]:
    """Damped Newton ascent with backtracking, shifted where the Hessian is not negative
    definite. Returns the point, the value, and whether it converged."""
    u = mpmath.matrix(start)
    f = value(u)
    tol = mpmath.mpf(10) ** (-dps + 8)
    for _ in range(200):
        g = grad(u)
        h = hess(u)
        # Levenberg-Marquardt: shift the Hessian until it is negative definite, so the step
        # is always an ascent direction; no shift near a maximum, where Newton is quadratic.
        shift = mpmath.mpf(0)
        eye = mpmath.eye(len(start))
        while not _negative_definite(h - shift * eye):
            shift = max(2 * shift, mpmath.mpf("1e-3") * (1 + mpmath.mnorm(h, 1)))
        step = -mpmath.lu_solve(h - shift * eye, g)
        t = mpmath.mpf(1)
        while True:
            cand = u + t * step
            fc = _safe(value, cand)
            if fc is not None and fc >= f - tol * (1 + abs(f)):
                break
            t /= 2
            if t < mpmath.mpf(10) ** (-30):
                return list(u), f, mpmath.norm(g) < tol * 1e6
        u, f = cand, fc
        if mpmath.norm(t * step) < tol and mpmath.norm(grad(u)) < tol * 1e6:
            return list(u), f, True
    return list(u), f, False


def _safe(value: Callable, u: mpmath.matrix) -> mpmath.mpf | None:
    try:
        v = value(u)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if isinstance(v, mpmath.mpc) or mpmath.isnan(v) or mpmath.isinf(v):
        return None
    return v


def _points(data: Sequence[tuple[mpmath.mpf, mpmath.mpf]]) -> list[tuple[tuple, int]]:
    return list(Counter((mpmath.mpf(a), mpmath.mpf(b)) for a, b in data).items())


def _objective(
    fam: Family, logp: Expr, params: Sequence[Expr], known: Mapping[Symbol, Expr], data: list
) -> tuple[list[Symbol], Callable, Callable, Callable, list[Expr]]:
    us, forward = [], []
    for p in params:
        u, back = _to_unconstrained(p, fam)
        us.append(u)
        forward.append(back)
    expr = logp.xreplace({**dict(zip(params, forward, strict=True)), **known})
    grads = [diff(expr, u) for u in us]
    hess = [[diff(g, u) for u in us] for g in grads]
    args = [xv, yv, *us]
    f_l = sympy.lambdify(args, expr, modules="mpmath")
    g_l = sympy.lambdify(args, grads, modules="mpmath")
    h_l = sympy.lambdify(args, hess, modules="mpmath")
    pts = _points(data)

    def value(u: mpmath.matrix) -> mpmath.mpf:
        return mpmath.fsum(c * _real(f_l(a, b, *u)) for (a, b), c in pts)

    def grad(u: mpmath.matrix) -> mpmath.matrix:
        total = mpmath.matrix(len(us), 1)
        for (a, b), c in pts:
            total += c * mpmath.matrix(g_l(a, b, *u))
        return total

    def hessian(u: mpmath.matrix) -> mpmath.matrix:
        total = mpmath.matrix(len(us), len(us))
        for (a, b), c in pts:
            total += c * mpmath.matrix(h_l(a, b, *u))
        return total

    return us, value, grad, hessian, forward


def _real(v: object) -> mpmath.mpf:
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise ValueError("complex value")
        return v.real
    return v


def _start(fam: Family, params: Sequence[Expr], data: list, us: list, forward: list) -> list:
    guess = fam.start([(float(a), float(b)) for a, b in data]) if fam.start else {}
    out = []
    for p, u, back in zip(params, us, forward, strict=True):
        g = guess.get(p, 1.0 if p.is_positive else 0.0)
        if back == u:
            out.append(mpmath.mpf(g))
        elif back == sympy.exp(u):
            out.append(mpmath.log(g))
        else:
            out.append(mpmath.log(g / (1 - g)))
    return out


def _order_stat(kind: type, values: list[mpmath.mpf]) -> mpmath.mpf:
    s = sorted(values)
    if kind is Maximum:
        return s[-1]
    if kind is Minimum:
        return s[0]
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def _fixed_numeric(fam: Family, data: list) -> dict[Symbol, mpmath.mpf]:
    """Edge and median parameters, by sorting the data (the numeric side of the argument)."""
    xs = [mpmath.mpf(a) for a, _ in data]
    out = {}
    for p, side in fam.support.items():
        out[p] = _order_stat(Maximum if side == "max" else Minimum, xs)
    if fam.name == "laplace":
        # Σ|x_i - mu| is convex and piecewise linear: its minimum is at a data point.
        mu = fam.params[0]
        best = min(xs, key=lambda m: mpmath.fsum(abs(a - m) for a in xs))
        out[mu] = best if len(xs) % 2 else _order_stat(Median, xs)
    return out


def _separable(data: list) -> bool:
    ones = [a for a, b in data if b == 1]
    zeros = [a for a, b in data if b == 0]
    if not ones or not zeros:
        return True
    return max(zeros) <= min(ones) or max(ones) <= min(zeros)


def numeric_mle(
    fam: Family,
    data: Sequence[tuple[object, object]],
    known: Mapping[Symbol, object] | None = None,
    dps: int = 50,
) -> NumericMLE:
    """Maximize the likelihood of ``data`` numerically (Newton's method on the log-likelihood
    built from the log-density point by point, never from a closed form).

    >>> from symbolic.families import lam
    >>> est = numeric_mle(FAMILIES["exponential"], [(1, 0), (2, 0), (2, 0)], dps=30)
    >>> mpmath.nstr(est.values["lam"], 20)
    '0.6'
    """
    known = {k: v if isinstance(v, Expr) else sympy.nsimplify(v) for k, v in (known or {}).items()}
    with mpmath.workdps(dps + 20):
        data = [(to_mpf(a), to_mpf(b)) for a, b in data]
        if fam.name == "categorical":
            return _numeric_categorical(data, dps)
        if fam.coordinates is not None:
            return numeric_mle(fam.coordinates, data, known, dps)
        if fam.name == "logistic-regression" and _separable(data):
            return NumericMLE(
                {},
                exists=False,
                note="the data are (quasi-)separable: a threshold on x splits the labels, so the "
                "likelihood increases toward 1 as |w| grows and no maximizer exists",
            )
        if fam.name == "cauchy":
            top, copies = Counter(a for a, _ in data).most_common(1)[0]
            if 2 * copies >= len(data):
                return NumericMLE(
                    {}, exists=False,
                    note=f"at least half of the points equal {mpmath.nstr(top, 15)}: the "
                    "likelihood increases as gamma -> 0 at x0 = that point, so no maximizer "
                    "exists",
                )
        fixed = _fixed_numeric(fam, data)
        params = [p for p in fam.params if p not in fixed]
        logp = fam.logp.xreplace({p: sympy.Float(v, dps + 20) for p, v in fixed.items()})
        values = {str(p): v for p, v in fixed.items()}
        if not params:
            return NumericMLE(values)
        us, value, grad, hess, forward = _objective(fam, logp, params, known, data)
        starts = [_start(fam, params, data, us, forward)]
        if fam.name == "cauchy":
            # The Cauchy likelihood can have several local maxima: start from every data value.
            scale = mpmath.log(max(_spread(data), mpmath.mpf("0.1")))
            starts = [[a, scale] for a in sorted({a for a, _ in data})]
        found: list[tuple[list, mpmath.mpf]] = []
        for s in starts:
            u, f, ok = _newton(value, grad, hess, s, dps + 20)
            if ok and _negative_definite(hess(mpmath.matrix(u))):
                here = mpmath.matrix(u)
                if not any(mpmath.norm(here - mpmath.matrix(v)) < 1e-10 for v, _ in found):
                    found.append((u, f))
        if not found:
            return NumericMLE(values, exists=False, note="Newton's method found no local maximum")
        u, f = max(found, key=lambda t: t[1])
        point = {us[k]: u[k] for k in range(len(us))}
        for p, back in zip(params, forward, strict=True):
            to_param = sympy.lambdify(us, back, modules="mpmath")
            values[str(p)] = _real(to_param(*[point[v] for v in us]))
        note = ""
        if len(found) > 1:
            note = f"{len(found)} local maxima found; the highest is reported"
        if fam.name == "cauchy":
            gamma_hat = values[str(fam.params[1])]
            count = location_maxima(data, gamma_hat)
            note = (
                f"{len(found)} joint local maximum(s) from {len(starts)} starts (the joint "
                "maximum is unique unless half the points or more coincide, Copas 1975); "
                f"with gamma fixed at its estimate the likelihood in x0 has {count} local maxima"
            )
        return NumericMLE(values, note=note, local_maxima=len(found), loglik=f)


def location_maxima(data: Sequence[tuple[object, object]], gamma: object) -> int:
    """How many local maxima the Cauchy likelihood has in x0 for a fixed scale ``gamma``: the
    sign changes (+ to -) of its derivative on a fine grid over the data's range.

    >>> location_maxima([(-5, 0), (-5, 0), (5, 0), (5, 0)], 1)
    2
    """
    xs = [float(a) for a, _ in data]
    g = float(gamma)
    lo, hi = min(xs) - 1, max(xs) + 1

    def slope(m: float) -> float:
        return sum(2 * (a - m) / (g * g + (a - m) ** 2) for a in xs)

    grid = [lo + (hi - lo) * k / 4000 for k in range(4001)]
    signs = [slope(m) > 0 for m in grid]
    return sum(1 for a, b in zip(signs, signs[1:], strict=False) if a and not b)


def to_mpf(value: object) -> mpmath.mpf:
    """An exact number (Fraction, int, sympy Rational) or an mpf, at the working precision.

    >>> to_mpf(Fraction(1, 4))
    mpf('0.25')
    """
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, Expr) and value.is_Rational:
        return mpmath.mpf(int(value.p)) / int(value.q)
    return mpmath.mpf(value)


def _spread(data: list) -> mpmath.mpf:
    s = sorted(a for a, _ in data)
    return (s[(3 * len(s)) // 4] - s[len(s) // 4]) / 2


def _negative_definite(h: mpmath.matrix) -> bool:
    try:
        mpmath.cholesky(-h)
    except ValueError:
        return False
    return True


def _numeric_categorical(data: list, dps: int) -> NumericMLE:
    labels = sorted({a for a, _ in data})
    for a in labels:
        if a != int(a) or a < 1:
            raise BadInput(
                f"categorical labels must be positive integers, got {mpmath.nstr(a, 10)}"
            )
    counts = Counter(a for a, _ in data)
    n_all = len(data)
    m = len(labels)
    # Softmax logits with the first fixed at 0, maximized by Newton's method.
    u = mpmath.matrix(m - 1, 1)
    for _ in range(200):
        z = [mpmath.mpf(0)] + [u[k] for k in range(m - 1)]
        top = max(z)
        e = [mpmath.exp(v - top) for v in z]
        s = [v / mpmath.fsum(e) for v in e]
        g = mpmath.matrix([counts[labels[k]] - n_all * s[k] for k in range(1, m)])
        h = mpmath.matrix(m - 1, m - 1)
        for a in range(1, m):
            for b in range(1, m):
                h[a - 1, b - 1] = -n_all * ((s[a] if a == b else 0) - s[a] * s[b])
        if m == 1 or mpmath.norm(g) < mpmath.mpf(10) ** (-dps - 10):
            break
        u = u - mpmath.lu_solve(h, g)
    z = [mpmath.mpf(0)] + [u[k] for k in range(m - 1)]
    e = [mpmath.exp(v) for v in z]
    return NumericMLE({f"pi[{int(labels[k])}]": e[k] / mpmath.fsum(e) for k in range(m)})


# --- values of the estimators at data ------------------------------------------------------------


def evaluate_estimator(
    expr: Expr, data: Sequence[tuple[mpmath.mpf, mpmath.mpf]], known: Mapping[Symbol, Expr]
) -> mpmath.mpf:
    """The value of a closed-form estimator at concrete data.

    >>> evaluate_estimator(Sum(x[i], (i, 1, N)) / N, [(1, 0), (2, 0)], {})
    mpf('1.5')
    """
    from symbolic.numeric import ConditionalModel, Instance, Point, evaluate

    xs = tuple(to_mpf(a) for a, _ in data)
    ys = tuple(to_mpf(b) for _, b in data)

    def order(node: _OverData) -> Expr:
        body = node.args[0]
        vals = [evaluate(body, Point(inst, {i: mpmath.mpf(k)})) for k in range(1, len(xs) + 1)]
        return sympy.Float(_order_stat(type(node), vals), mpmath.mp.dps)

    inst = Instance(len(xs), xs, ys, ConditionalModel((0,), ((0, 0, 0),)), {})
    expr = expr.replace(lambda e: isinstance(e, _OverData), order)
    values = {s: to_mpf(v) if v.is_Rational else mpmath.mpf(sympy.Float(v, mpmath.mp.dps))
              for s, v in known.items()}
    return evaluate(expr, Point(inst, values))


# --- kernel checks of the solver's claims --------------------------------------------------------



def pulled_out(logp: Expr) -> Expr:
    """``Σ_i logp(x_i)`` with every factor free of the data moved out of the sum.

    >>> pulled_out(FAMILIES["exponential"].logp)
    N*log(lam) - lam*Sum(x[i], (i, 1, N))
    """
    total = sympy.S.Zero
    for term in Add.make_args(expand(logp, power_base=True, force=True, log=False)):
        coeff, data = _data_part(term)
        total += N * coeff if data == 1 else coeff * Sum(_at_point(data), (i, 1, N))
    return total


def _split_signs(expr: Expr) -> tuple[Expr, Expr]:
    """``expr = a - b`` with the terms that print with a minus sign moved to ``b``."""
    a, b = sympy.S.Zero, sympy.S.Zero
    for term in Add.make_args(expand(expr)):
        if term.could_extract_minus_sign():
            b -= term
        else:
            a += term
    return a, b


def _per_point_sum(expr: Expr, at: Mapping[Expr, Expr]) -> Expr:
    # Σ_i expr(x_i) with the parameters already pulled out of the sum (the step the chain
    # mle/<family> proves), then the estimator put in: the estimator's own sums then sit
    # outside the sums over the data, so the numeric check is linear in N, not quadratic.
    return pulled_out(expr).xreplace(at)


def _direction(p: Param) -> Symbol:
    return Symbol(f"t_{p.base if isinstance(p, Indexed) else p}", real=True)


def _smooth_params(sol: Solution) -> list[Param]:
    return [p for p in sol.family.params if not isinstance(sol.estimators.get(p), _OverData)]


def _label(p: Param) -> Symbol:
    return p.base.label if isinstance(p, Indexed) else p


def stationary_derivation(sol: Solution) -> Derivation | None:
    """The first-order condition as a kernel-checkable equation: at the estimator the
    directional derivative of the log-likelihood vanishes in every direction ``t``, written
    ``Σ_j t_j A_j = Σ_j t_j B_j`` with ``∂ℓ/∂θ_j = A_j - B_j`` (an equation with 0 on one side
    cannot be checked numerically: the kernel's tolerance is relative).

    >>> d = stationary_derivation(solve_family(FAMILIES["normal"]))
    >>> d.steps[0].relation
    <Relation.EQ: '='>
    """
    fam = sol.family
    params = _smooth_params(sol)
    if not sol.estimators or not params:
        return None
    if fam.name == "categorical":
        (p,) = fam.params
        count = Sum(KroneckerDelta(k_label, x[i]), (i, 1, N))
        # pi[k] dL/dpi[k] = n_k - lambda pi[k]: at pi[k] = n_k/N, lambda = N.
        lhs, rhs = count, N * sol.estimators[p]
        rule = (
            "Lagrange condition pi[k] * d/dpi[k] [sum_j n_j log pi[j] - lambda (sum_j pi[j] - 1)]"
            " = 0 at pi[k] = n_k/N, lambda = N: n_k = lambda pi[k]"
        )
        return Derivation(
            f"mle/{fam.name}/stationary", "The Lagrange condition holds at the estimator", lhs,
            (Step(Relation.EQ, rhs, rule),), params=(pi_.label,), data=fam.sample,
            intervals=fam.intervals,
        )
    if fam.name == "multivariate-normal":
        return _plane_stationary(sol)
    at, free = _held(sol)
    lhs, rhs = sympy.S.Zero, sympy.S.Zero
    for p in params:
        scale, _, a, b = _cleared(diff(fam.logp, p), at)
        t = _direction(p) if len(params) > 1 else sympy.S.One
        lhs += t * scale * _per_point_sum(a, at)
        rhs += t * scale * _per_point_sum(b, at)
    words = "the score" if len(params) == 1 else "the derivative in every direction t"
    return Derivation(
        f"mle/{fam.name}/stationary",
        f"The score vanishes at the estimator ({fam.name})",
        _as_data(fam, lhs),
        (Step(Relation.EQ, _as_data(fam, rhs), f"{words} of the log-likelihood is 0 at the "
              "estimator: the positive terms equal the negative ones"),),
        params=tuple(_label(p) for p in params),
        intervals=fam.intervals,
        data=fam.sample,
        notes=free,
    )


def _plane_stationary(sol: Solution) -> Derivation:
    """The matrix scores at d = 2, multiplied by the invertible Σ (on both sides for the
    Σ-score): Σ ∂ℓ/∂μ = s - N μ and 2 Σ (∂ℓ/∂Σ) Σ = A(μ) - N Σ with A(μ) = Σ_i (x_i - μ)(x_i -
    μ)ᵀ. Both vanish at the estimator exactly when the scores do."""
    fam = sol.family
    mu1, mu2, s11, s12, s22 = fam.params
    est = sol.estimators
    dx, dy = x[i] - est[mu1], y[i] - est[mu2]
    sides = [
        (Sum(x[i], (i, 1, N)), N * est[mu1]),
        (Sum(y[i], (i, 1, N)), N * est[mu2]),
        (Sum(dx**2, (i, 1, N)), N * est[s11]),
        (Sum(dx * dy, (i, 1, N)), N * est[s12]),
        (Sum(dy**2, (i, 1, N)), N * est[s22]),
    ]
    lhs = sum((_direction(p) * a for p, (a, _) in zip(fam.params, sides, strict=True)),
              sympy.S.Zero)
    rhs = sum((_direction(p) * b for p, (_, b) in zip(fam.params, sides, strict=True)),
              sympy.S.Zero)
    return Derivation(
        f"mle/{fam.name}/stationary",
        "The matrix scores vanish at the estimator (written out at d = 2)",
        lhs,
        (Step(Relation.EQ, rhs, "Sigma dl/dmu = s - N mu and 2 Sigma (dl/dSigma) Sigma = "
              "A(mu) - N Sigma vanish at the estimator, in every direction t"),),
        params=fam.params,
        intervals=fam.intervals,
        data=fam.sample,
    )


def boundary_derivation(sol: Solution, param: Symbol) -> Derivation:
    """The monotone argument for an edge parameter, as a kernel-checkable chain: over that
    parameter (the others held) the NLL orders its values as the parameter itself does (or as
    its negative), so the MLE is the feasible value the support allows at the edge.

    >>> fam = FAMILIES["uniform"]
    >>> d = boundary_derivation(solve_family(fam), fam.params[0])
    >>> [s.rhs for s in d.steps]
    [log(theta), theta]
    """
    fam = sol.family
    nll = -Sum(_at_point(fam.logp), (i, 1, N))
    u = Symbol("u", real=True)
    up = fam.support[param] == "max"
    sign = 1 if up else -1
    side = "largest data value" if up else "smallest data value"
    steps = (
        Step(Relation.ARGMIN, sign * log(param),
             f"the NLL is an increasing affine function of {'' if up else '-'}log({param})"),
        Step(Relation.ARGMIN, sign * param, "exp is strictly increasing",
             witness=sympy.Lambda(u, sign * sympy.exp(sign * u))),
    )
    return Derivation(
        f"mle/{fam.name}/boundary-{param}",
        f"The NLL is monotone in {param}: the MLE is at the edge of the support",
        nll,
        steps,
        params=(param,),
        sense=Relation.ARGMIN,
        intervals=fam.intervals,
        data=fam.sample,
        notes=(f"The support needs {param} {'>=' if up else '<='} every x[i]; the "
               f"{'smallest' if up else 'largest'} feasible value is the {side}.",),
    )


def _held(sol: Solution) -> tuple[dict[Param, Expr], tuple[str, ...]]:
    """The smooth estimators with edge and median values put back as their parameters: the
    smooth part solves its equations for *every* value of those, so the kernel checks it with
    them as free symbols (it has no numeric semantics for an order statistic)."""
    fixed = {v: p for p, v in sol.estimators.items() if isinstance(v, _OverData)}
    at = {p: v.xreplace(fixed) for p, v in sol.estimators.items() if p not in fixed.values()}
    notes = tuple(
        f"{p} is held at an arbitrary value: the equations hold for every {p}, so also at "
        f"{v}" for v, p in fixed.items()
    )
    return at, notes


def _cleared(expr: Expr, at: Mapping[Param, Expr]) -> tuple[Expr, Expr, Expr, Expr]:
    """A per-point expression as ``D expr = a - b`` with ``D`` its data-free denominator
    (positive on the domain), and a factor ``c`` clearing the estimators' denominators, so
    that ``c Σ a`` and ``c Σ b`` at the estimator are polynomials in the sums: the kernel's
    normal form expands but does not cancel rational functions of sums. Returns
    ``(c, D, a, b)``."""
    _, den = sympy.fraction(sympy.together(expr))
    per_point = sympy.Mul(
        *[f for f in sympy.Mul.make_args(sympy.factor(den)) if not f.has(xv, yv)]
    )
    poly = expand(per_point * expr)
    a, b = _split_signs(poly)
    powers: dict[Expr, int] = {}
    for q, v in at.items():
        try:
            degree = sympy.degree(poly, q)
        except sympy.PolynomialError:
            continue
        _, d_q = sympy.fraction(sympy.together(v))
        for factor in sympy.Mul.make_args(sympy.factor(d_q)):
            base, exp_ = factor.as_base_exp()
            if base.is_number:
                continue
            powers[base] = max(powers.get(base, 0), int(exp_) * int(degree))
    scale = sympy.Mul(*[base**e for base, e in powers.items()])
    return scale, per_point, a, b


def _hats(params: Sequence[Param]) -> dict[Param, Symbol]:
    return {p: Symbol(f"{p}_hat", **p.assumptions0) for p in params}


def _sign_form(fam: Family, hats: Mapping[Param, Symbol]) -> tuple[dict[Symbol, Expr], str]:
    """Estimates rewritten through parameters that range over exactly their domain, where the
    assumptions system cannot see that domain, and the sentence that says so."""
    # A probability's estimate lies in (0, 1): write it 1/(1 + r) with r > 0 so that the
    # assumptions system can decide signs of p_hat - 1.
    out: dict[Symbol, Expr] = {}
    said = []
    for p, h in hats.items():
        lo_hi = fam.intervals.get(p)
        if lo_hi is not None and lo_hi[1] <= 1 and p.is_positive:
            odds = Symbol(f"{p}_odds", positive=True)
            out[h] = 1 / (1 + odds)
            said.append(f"{h} = {out[h]}, which covers every estimate in (0, 1) as {odds} "
                        "ranges over (0, oo)")
    names = {str(p): h for p, h in hats.items()}
    if {"s11", "s12", "s22"} <= set(names):
        # A 2x2 covariance estimate is positive definite: it is L L^T with L lower triangular
        # and a positive diagonal (Cholesky), and every such L gives one.
        l1, l3 = Symbol("l11", positive=True), Symbol("l22", positive=True)
        l2 = Symbol("l21", real=True)
        out.update({names["s11"]: l1**2, names["s12"]: l1 * l2, names["s22"]: l2**2 + l3**2})
        said.append("the covariance estimate [[s11_hat, s12_hat], [s12_hat, s22_hat]] = L L^T "
                    "with L = [[l11, 0], [l21, l22]], l11, l22 > 0 (Cholesky): this covers every "
                    "positive definite estimate")
    return out, "; ".join(said)


@dataclass(frozen=True)
class SecondOrder:
    """The second-order condition: how it was argued, its verdict, and the details."""

    method: str
    status: str
    detail: str
    minors: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecondOrderPlan:
    """How the second-order condition is argued, and the chains the kernel is to check for it:
    the Hessian at the estimator written in the estimates, then the sign of each leading
    principal minor. ``status`` is set only where no chain carries the argument."""

    method: str
    detail: str
    parts: tuple[Derivation, ...] = ()
    minors: tuple[str, ...] = ()
    status: str = ""


def _as_data(fam: Family, expr: Expr) -> Expr:
    # Data in (0, oo) are written with a positive base, so that the kernel may use x[i] > 0
    # (a power of a sum of positive terms, a root of one).
    return expr.xreplace({x: x_pos}) if fam.positive_data else expr


def second_order_plan(sol: Solution, budget: float = 20.0) -> SecondOrderPlan:
    """The chains that argue that the estimator is a maximum.

    For the smooth parameters, one equation checks every entry of the Hessian at the estimator
    against a simpler form in the estimates ``θ̂`` (the statistics rewritten through the
    estimators); then, for each leading principal minor of that form, a chain from the minor
    to its sign (negative for odd orders, positive for even ones: negative definite).

    >>> [d.id for d in second_order_plan(solve_family(FAMILIES["exponential"])).parts]
    ['mle/exponential/hessian', 'mle/exponential/minor-1']
    """
    fam = sol.family
    params = _smooth_params(sol)
    if fam.name == "categorical":
        count = Sum(KroneckerDelta(k_label, x[i]), (i, 1, N))
        entry = Derivation(
            f"mle/{fam.name}/hessian",
            "The Hessian of the Lagrangian at the estimator is negative on its diagonal",
            -N**2 / count,
            (Step(Relation.LT, sympy.S.Zero,
                  "the Hessian of sum_k n_k log pi[k] - lambda (sum_k pi[k] - 1) is diagonal, "
                  "-n_k/pi[k]**2, which is -N**2/n_k at pi[k] = n_k/N; negative for every label "
                  "k seen in the data (n_k >= 1)"),),
            params=(),
            intervals={k_label: (1, 3)},
            data=fam.sample,
            notes=("A diagonal Hessian with a negative diagonal is negative definite, also on "
                   "the simplex's tangent space: the stationary point is the maximum. Labels "
                   "not seen in the data have n_k = 0 and pi[k] = 0, on the simplex's edge.",),
        )
        return SecondOrderPlan(
            "hessian",
            "the Lagrangian's Hessian at the estimator is diag(-N**2/n_k) over the labels seen "
            "in the data, negative definite",
            (entry,),
        )
    if sol.estimators and not params:
        # The boundary parts carry the argument: their verdicts are this condition's.
        return SecondOrderPlan(
            "monotone",
            "every parameter is at an edge of the support; the NLL is monotone in it there "
            "(checks.boundary_*), so no stationary point is needed",
            tuple(boundary_derivation(sol, p) for p in fam.support),
        )
    if not sol.estimators:
        return SecondOrderPlan("none", "no closed-form estimator to check", status="unknown")
    at, _ = _held(sol)
    pieces, _ = separate(fam.logp, params)
    reduced, stats = _reduce(pieces)
    inverse = {v: k for k, v in stats.items()}
    est_t = {p: at[p].xreplace(inverse) for p in params}
    hats = _hats(params)
    try:
        with time_budget(budget):
            hessian = Matrix([[diff(reduced, a, b) for b in params] for a in params])
            at_est = hessian.xreplace(est_t)
            back = sympy.solve([Eq(hats[p], est_t[p]) for p in params], list(stats), dict=True)
            in_hats = at_est.xreplace(back[0]) if back else at_est
            # cancel suffices for rational entries (the multivariate normal's 5x5 Hessian),
            # where simplify takes minutes.
            in_hats = in_hats.applyfunc(lambda e: sympy.factor(
                sympy.cancel(e) if e.is_rational_function() else sympy.simplify(e)))
            minors = [sympy.factor(in_hats[:k, :k].det()) for k in range(1, len(params) + 1)]
    except (BudgetExceeded, NotImplementedError) as exc:
        return SecondOrderPlan("hessian", f"the Hessian at the estimator: {exc}",
                               status="unknown")
    estimates = {hats[p]: at[p] for p in params}
    # One equation for all entries, each weighted by a free symbol: it holds identically in the
    # weights exactly when every entry does, and both sides mention the estimator, so data
    # where it is undefined (one point for a regression) are skipped rather than compared.
    lhs, rhs = sympy.S.Zero, sympy.S.Zero
    for r, a in enumerate(params):
        for c, b in enumerate(params[: r + 1]):
            scale, per_point, pa, pb = _cleared(diff(fam.logp, a, b), at)
            value = in_hats[r, c].xreplace(estimates).xreplace(stats)
            weight = Symbol(f"s_{a}_{b}", real=True) if len(params) > 1 else sympy.S.One
            lhs += weight * scale * _per_point_sum(pa, at)
            rhs += weight * scale * (_per_point_sum(pb, at) + per_point.xreplace(at) * value)
    shown_matrix = str(in_hats.xreplace(stats).tolist())
    parts = [Derivation(
        f"mle/{fam.name}/hessian",
        f"The Hessian of the log-likelihood at the estimator, in the estimates ({fam.name})",
        _as_data(fam, lhs),
        (Step(Relation.EQ, _as_data(fam, rhs),
              "each second derivative of the log-likelihood at the estimator equals the "
              f"entry of H = {shown_matrix} with the estimates {', '.join(map(str, hats.values()))}"
              " written out as the estimators (each entry multiplied by its positive "
              "denominators, and weighted by a free symbol s so that one equation holds them "
              "all)"),),
        params=tuple(_label(p) for p in params),
        intervals=fam.intervals,
        data=fam.sample,
    )]
    odds, said = _sign_form(fam, hats)
    notes: tuple[str, ...] = (f"{said[0].upper()}{said[1:]}.",) if said else ()
    leftover = {t for m in minors for t in m.free_symbols} & set(stats)
    data = fam.sample
    if leftover:
        # The minors keep sums of the data (a regression's design): their signs need data
        # with two distinct x_i, the domain on which the parameters are identifiable.
        data = _two_distinct(fam.sample)
        notes += ("The data have at least two distinct x[i]: otherwise N Sum(x[i]**2) = "
                  "Sum(x[i])**2, the Hessian is singular and the MLE is not unique.",)
    for k, minor in enumerate(minors, start=1):
        block = in_hats[:k, :k].xreplace(odds).xreplace(stats)
        start = block[0, 0] if k == 1 else block.det(method="berkowitz")
        steps = [] if k == 1 else [Step(Relation.EQ, sympy.factor(minor.xreplace(odds)).xreplace(
            stats), "expand the determinant and factor")]
        centered = _centered(steps[-1].rhs if steps else start)
        if centered is not None:
            steps.append(Step(Relation.EQ, centered,
                              "N Sum(x[i]**2) - Sum(x[i])**2 = N Sum((x[i] - xbar)**2) with "
                              "xbar = Sum(x[j])/N"))
        odd = k % 2 == 1
        steps.append(Step(
            Relation.LT if odd else Relation.GT, sympy.S.Zero,
            f"{'negative' if odd else 'positive'} for estimates in the parameter domain",
        ))
        parts.append(Derivation(
            f"mle/{fam.name}/minor-{k}",
            f"The leading principal minor of order {k} of H is "
            f"{'negative' if odd else 'positive'} ({fam.name})",
            _as_data(fam, start),
            tuple(Step(st.relation, _as_data(fam, st.rhs), st.rule) for st in steps),
            params=(),
            intervals=fam.intervals,
            data=data if leftover else None,
            notes=notes,
        ))
    return SecondOrderPlan(
        "hessian",
        f"H = {shown_matrix} at the estimator; its leading principal minors "
        f"{', '.join(str(m.xreplace(stats)) for m in minors)} alternate in sign, first negative, "
        "so it is negative definite",
        tuple(parts),
        tuple(str(m.xreplace(stats)) for m in minors),
    )


def _two_distinct(sample: DataSampler) -> DataSampler:
    def draw(rng: random.Random, size: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        # The instances overwrite the last point with a repeat: the distinct values must be
        # among the others.
        size = max(size, 3)
        while True:
            points = sample(rng, size)
            if len({a for a, _ in points[:-1]}) >= 2:
                return points

    return draw


def _centered(expr: Expr) -> Expr | None:
    """``expr`` with ``N Σ x_i² - (Σ x_i)²`` written as ``N Σ (x_i - x̄)²``, where that leaves
    no ``Σ x_i²``: a spread, whose sign the data's domain decides."""
    squares, total = Sum(x[i] ** 2, (i, 1, N)), Sum(x[i], (i, 1, N))
    j = Symbol("j", integer=True, positive=True)
    spread = Sum((x[i] - Sum(x[j], (j, 1, N)) / N) ** 2, (i, 1, N))
    out = expr.xreplace({N * squares - total**2: N * spread})
    return out if out != expr and not out.has(squares) else None


def second_order(
    plan: SecondOrderPlan, checked: Sequence[CheckedDerivation] = ()
) -> SecondOrder:
    """The verdict on the second-order condition: the worst of the kernel's verdicts on the
    plan's chains (given checked, in the plan's order), or the plan's own status where no chain
    carries the argument.

    >>> plan = second_order_plan(solve_family(FAMILIES["exponential"]))
    >>> second_order(plan, [check(d) for d in plan.parts]).status
    'proved'
    """
    if not plan.parts:
        return SecondOrder(plan.method, plan.status, plan.detail, plan.minors)
    status = worst(c.status for c in checked)
    verdicts = "; ".join(f"{c.derivation.id}: {c.status.value}" for c in checked)
    return SecondOrder(plan.method, status.value, f"{plan.detail} (kernel: {verdicts})",
                       plan.minors)


# --- input: known values and data files, parsed as numbers only ---------------------------------


def parse_number(text: str, where: str) -> Fraction:
    """A decimal or fraction as an exact :class:`~fractions.Fraction`; never an expression.

    >>> parse_number("2.5", "--known")
    Fraction(5, 2)
    """
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise BadInput(f"{where}: {text!r} is not a number") from None
    return value


def parse_known(fam: Family, items: Sequence[str]) -> dict[Symbol, Rational]:
    """``NAME=VALUE`` pairs for the family's known parameters, checked against their domains.

    >>> parse_known(FAMILIES["binomial"], ["n=10"])
    {n: 10}
    """
    names = {str(s): s for s in fam.known}
    out: dict[Symbol, Rational] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise BadInput(f"--known {item!r}: expected NAME=VALUE")
        if name not in names:
            allowed = ", ".join(names) or "none"
            raise BadInput(f"--known {item!r}: {fam.name} has no known parameter {name!r} "
                           f"(known parameters: {allowed})")
        value = parse_number(text, f"--known {name}")
        sym = names[name]
        if sym.is_integer and value.denominator != 1:
            raise BadInput(f"--known {name}={text}: {name} must be an integer")
        if sym.is_positive and value <= 0:
            raise BadInput(f"--known {name}={text}: {name} must be positive")
        out[sym] = Rational(value.numerator, value.denominator)
    return out


def read_csv(path: str, fam: Family) -> list[tuple[Fraction, Fraction]]:
    """Rows of a CSV file with a header naming the columns ``x`` (and ``y`` for regression).

    Cells are parsed as numbers only; a bad cell is reported with its line and column.
    """
    import csv

    wanted = ["x", "y"] if fam.regression else ["x"]
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise BadInput(f"--data {path}: {exc.strerror}") from None
    if not rows:
        raise BadInput(f"{path}: empty file; expected a header row naming {','.join(wanted)}")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise BadInput(f"{path}:1: the header {rows[0]} lacks the column(s) {', '.join(missing)}")
    cols = [header.index(c) for c in wanted]
    data = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = []
        for c, name in zip(cols, wanted, strict=True):
            if c >= len(row):
                raise BadInput(f"{path}:{line}: no value in column {name!r}")
            values.append(parse_number(row[c], f"{path}:{line}: column {name!r}"))
        data.append((values[0], values[1] if fam.regression else Fraction(0)))
    if not data:
        raise BadInput(f"{path}: no data rows")
    return data


def read_rows(path: str) -> list[list[Fraction]]:
    """Every column of a CSV file is a coordinate (multivariate data): rows of numbers."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise BadInput(f"--data {path}: {exc.strerror}") from None
    if len(rows) < 2:
        raise BadInput(f"{path}: expected a header row and at least one data row")
    width = len(rows[0])
    out = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise BadInput(f"{path}:{line}: {len(row)} values, the header names {width}")
        out.append([parse_number(c, f"{path}:{line}: column {k + 1}") for k, c in enumerate(row)])
    return out


def matrix_values(sol: Solution, rows: list[list[Fraction]], dps: int) -> dict[str, object]:
    """The multivariate estimators at data: the statistics s = Σ x_i, S = Σ x_i x_iᵀ computed
    exactly, put into the derived matrix expressions; entries named ``mu[a]``, ``Sigma[a,b]``.
    """
    mu, sigma = sol.family.params
    dim = len(rows[0])
    vecs = [sympy.Matrix([Rational(v.numerator, v.denominator) for v in r]) for r in rows]
    s_sum = sum(vecs, sympy.zeros(dim, 1))
    s_outer = sum((v * v.T for v in vecs), sympy.zeros(dim, dim))
    d_sym = mu.shape[0]
    explicit = {
        sympy.MatrixSymbol("Sum(x[i], (i, 1, N))", d_sym, 1): sympy.ImmutableMatrix(s_sum),
        sympy.MatrixSymbol("Sum(x[i]*x[i].T, (i, 1, N))", d_sym, d_sym): sympy.ImmutableMatrix(
            s_outer
        ),
        N: len(rows),
    }
    text: dict[str, str] = {}
    with mpmath.workdps(dps + 10):
        m = sol.estimators[mu].xreplace(explicit).doit().as_explicit()
        cov = sol.estimators[sigma].xreplace(explicit).doit().as_explicit()
        for a in range(dim):
            text[f"mu[{a + 1}]"] = mpmath.nstr(_exact(m[a]), dps, strip_zeros=False)
        for a in range(dim):
            for b in range(dim):
                text[f"Sigma[{a + 1},{b + 1}]"] = mpmath.nstr(_exact(cov[a, b]), dps,
                                                            strip_zeros=False)
    return {"values": text}


def _exact(value: Expr) -> mpmath.mpf:
    r = Rational(value)
    return mpmath.mpf(int(r.p)) / int(r.q)


def check_data(fam: Family, data: Sequence[tuple[Fraction, Fraction]], known: Mapping) -> None:
    """Reject data outside the family's domain, naming the first offending row."""
    names = {str(k): v for k, v in known.items()}
    for row, (a, b) in enumerate(data, start=2):
        bad = _outside(fam, a, b, names)
        if bad:
            raise BadInput(f"data row {row - 1} (line {row}): x = {a}: {bad}")


def _outside(fam: Family, a: Fraction, b: Fraction, known: Mapping[str, Rational]) -> str:
    domain = fam.data_domain
    if fam.name == "logistic-regression" and b not in (0, 1):
        return f"y = {b} is not a label in {{0, 1}}"
    if domain == "{0, 1}" and a not in (0, 1):
        return "not in {0, 1}"
    if domain.startswith("{") or domain.startswith("labels"):
        lowest = 1 if ("1, 2" in domain or "labels" in domain) else 0
        if a.denominator != 1 or a < lowest:
            return f"not in {domain}"
        if fam.name == "binomial" and "n" in known and a > known["n"]:
            return f"larger than n = {known['n']}"
    if domain in ("(0, oo)", "(0, theta]") and a <= 0:
        return "not positive"
    if domain == "(0, 1)" and not 0 < a < 1:
        return "not in (0, 1)"
    if domain == "[x_m, oo)":
        if a <= 0:
            return "not positive"
        if "x_m" in known and a < known["x_m"]:
            return f"smaller than x_m = {known['x_m']}"
    return ""


# --- the report of `symbolic mle` -----------------------------------------------------------------


def _numeric_optimum(sol: Solution, seed: int = 11, size: int = 9) -> dict[str, object]:
    """Compare the closed form with an independent numeric maximization on random data."""
    from symbolic.numeric import sample_value

    fam = sol.family
    rng = random.Random(seed)
    data = fam.sample(rng, size)
    data[-1] = data[0]
    known = {s: sympy.Rational(str(mpmath.nstr(sample_value(s, rng, fam.intervals.get(s)), 12)))
             for s in fam.known}
    with mpmath.workdps(60):
        found = numeric_mle(fam, data, known, dps=50)
        if not sol.estimators:
            return {
                "status": "numeric" if found.exists else "unknown",
                "detail": "no closed form: the numeric maximizer on random data "
                + (f"is {_show(found.values)}" if found.exists
                   else f"does not exist ({found.note})")
                + (f"; {found.note}" if found.note and found.exists else ""),
            }
        values = closed_form_values(sol, data, known)
        error = mpmath.mpf(0)
        for name, v in values.items():
            n = found.values[name]
            error = max(error, abs(v - n) / max(abs(v), mpmath.mpf(10) ** -60))
    # Both sides are computed at 60 digits: more than 50 agreeing digits is reported as 50.
    digits = 50 if error == 0 else min(50, int(-mpmath.log10(error)))
    status = "numeric" if digits >= 30 else "refuted"
    return {
        "status": status,
        "detail": f"the closed form and an independent numeric maximization of the likelihood "
        f"(Newton's method on the log-likelihood; sorting the data for edge and median "
        f"parameters) agree to {digits} digits on {size} random points with a repeat",
        "digits": digits,
    }


def _show(values: Mapping[str, mpmath.mpf]) -> str:
    return ", ".join(f"{k} = {mpmath.nstr(v, 15)}" for k, v in values.items())


def closed_form_values(
    sol: Solution, data: Sequence[tuple[object, object]], known: Mapping[Symbol, Expr]
) -> dict[str, mpmath.mpf]:
    """The estimators' values at concrete data (per observed label for categorical)."""
    pts = [(to_mpf(a), to_mpf(b)) for a, b in data]
    if sol.family.name == "categorical":
        (p,) = sol.family.params
        labels = sorted({a for a, _ in pts})
        return {
            f"pi[{int(a)}]": evaluate_estimator(
                sol.estimators[p].xreplace({k_label: int(a)}), pts, {}
            )
            for a in labels
        }
    return {str(p): evaluate_estimator(e, pts, known) for p, e in sol.estimators.items()}


def mle_parts(sol: Solution) -> tuple[Derivation, ...]:
    """The chains the estimator rests on: the stationary condition, the monotone argument for
    each edge parameter, and the second-order chains.

    >>> [d.id for d in mle_parts(solve_family(FAMILIES["uniform"]))]
    ['mle/uniform/boundary-theta']
    """
    fam = sol.family
    checked_sol = plane_solution(sol) if fam.coordinates is not None else sol
    stationary = stationary_derivation(checked_sol)
    parts = [stationary] if stationary is not None else []
    parts += [boundary_derivation(sol, p) for p in fam.support]
    if sol.status != "no_closed_form":
        # An edge parameter's monotone chain is also its second-order argument: listed once.
        seen = {d.id for d in parts}
        parts += [d for d in _family_plan(fam.name).parts if d.id not in seen]
    return tuple(parts)


@cache
def _family_plan(name: str) -> SecondOrderPlan:
    # Both the catalog entry and `symbolic mle` need the plan; the multivariate normal's takes
    # seconds to build.
    sol = solve_family(FAMILIES[name])
    return second_order_plan(plane_solution(sol) if sol.family.coordinates is not None else sol)


@cache
def verify(name: str, config: Config = _DEFAULT) -> dict[str, object]:
    """Every kernel check of a family's solution (cached: they do not depend on the data).
    The checks are the chain ``mle/<family>`` and its parts, as the catalog has them.

    >>> verify("exponential")["stationary"]["status"]
    'proved'
    """
    from symbolic.catalog import get

    fam = FAMILIES[name]
    sol = solve_family(fam)
    checked_sol = plane_solution(sol) if fam.coordinates is not None else sol
    try:
        checked = check(get(f"mle/{name}"), config)
    except Exception as exc:  # noqa: BLE001 - a crash inside sympy is reported, not hidden
        failed = {"id": f"mle/{name}", "status": "unknown", "detail": f"the kernel raised {exc!r}"}
        return {"derivation": failed, "stationary": None, "numeric_optimum": None,
                "second_order": {"method": "none", "status": "unknown",
                                 "detail": failed["detail"], "minors": []}}
    parts = {c.derivation.id: c for c in checked.parts}
    if sol.status == "no_closed_form":
        second = SecondOrder(
            "numeric", "numeric",
            "no closed form to check; Newton's method accepts a maximizer only where the "
            "Hessian of the log-likelihood is negative definite (a local maximum)",
        )
    else:
        plan = _family_plan(name)
        second = second_order(plan, [parts[d.id] for d in plan.parts])
    stationary = parts.get(f"mle/{name}/stationary")
    return {
        "derivation": _chain_json(checked),
        "stationary": _chain_json(stationary) if stationary is not None else None,
        "numeric_optimum": _numeric_optimum(checked_sol),
        **{f"boundary_{p}": _chain_json(parts[f"mle/{name}/boundary-{p}"]) for p in fam.support},
        "second_order": {"method": second.method, "status": second.status,
                         "detail": second.detail, "minors": list(second.minors)},
    }


def report(
    name: str,
    known_items: Sequence[str] = (),
    data_path: str | None = None,
    dps: int = 50,
    config: Config = _DEFAULT,
) -> dict[str, object]:
    """The object ``symbolic mle FAMILY --json`` prints.

    >>> out = report("poisson")
    >>> out["status"], out["estimators"]
    ('closed_form', {'lam': 'Sum(x[i], (i, 1, N))/N'})
    """
    if name not in FAMILIES:
        raise BadInput(f"unknown family {name!r}; families: {', '.join(FAMILIES)}")
    fam = FAMILIES[name]
    known = parse_known(fam, known_items)
    values = None
    if data_path is not None and fam.coordinates is not None:
        values = matrix_values(solve_family(fam), read_rows(data_path), dps)
    elif data_path is not None:
        values = values_at(solve_family(fam), read_csv(data_path, fam), known, dps)
    sol = solve_family(fam)
    checks = dict(verify(name, config))
    second = checks.pop("second_order")
    out: dict[str, object] = {
        "family": name,
        "parameters": {
            "estimated": [str(p) for p in fam.params],
            "known": [str(k) for k in fam.known],
        },
        "status": sol.status,
        "reason": sol.reason,
        "estimators": {str(p): str(e.xreplace(known)) for p, e in sol.estimators.items()},
        "stationary_equations": {str(p): str(e.xreplace(known)) for p, e in sol.equations.items()},
        "second_order": second,
        "checks": checks,
        "notes": list(sol.notes),
    }
    if values is not None:
        out["values"] = values
    return out


def _chain_json(checked: CheckedDerivation) -> dict[str, object]:
    # One chain's own steps: its parts are reported under their own keys.
    return {
        "id": checked.derivation.id,
        "status": worst(st.status for st in checked.steps).value,
        "steps": [
            {"index": st.index, "relation": st.relation.value, "rule": st.rule,
             "status": st.status.value, "detail": st.detail}
            for st in checked.steps
        ],
    }


def values_at(
    sol: Solution, data: list[tuple[Fraction, Fraction]], known: Mapping[Symbol, Rational], dps: int
) -> dict[str, object]:
    """Each estimated parameter's value at the data, as a decimal string of ``dps`` digits."""
    fam = sol.family
    missing = [str(k) for k in fam.known if k not in known]
    if missing:
        raise BadInput(f"--data needs the known parameter(s) {', '.join(missing)}: "
                       f"pass --known {missing[0]}=VALUE")
    check_data(fam, data, known)
    with mpmath.workdps(dps + 20):
        if sol.estimators:
            values = closed_form_values(sol, data, known)
            note = ""
        else:
            found = numeric_mle(fam, data, known, dps=dps)
            if not found.exists:
                return {"values": {str(p): None for p in fam.params}, "note": found.note}
            values, note = found.values, found.note
        text = {k: mpmath.nstr(v, dps, strip_zeros=False) for k, v in values.items()}
    return {"values": text, "note": note} if note else {"values": text}


def exit_status(out: Mapping[str, object]) -> int:
    """1 if a check is refuted, 3 if the derivation or the stationary check is unknown, else 0.

    >>> exit_status({"checks": {"derivation": {"status": "proved"}}, "second_order": {}})
    0
    """
    checks = dict(out.get("checks") or {})
    statuses = [c.get("status") for c in checks.values() if c]
    statuses.append(dict(out.get("second_order") or {}).get("status"))
    if "refuted" in statuses:
        return 1
    core = [c.get("status") for k, c in checks.items() if c and k != "numeric_optimum"]
    return 3 if "unknown" in core else 0


def to_text(out: Mapping[str, object]) -> str:
    """A report for people: status, estimators, equations and every check's verdict."""
    lines = [f"{out['family']}: {out['status']}"]
    if out.get("reason"):
        lines.append(f"  why: {out['reason']}")
    for title, key in (("estimators", "estimators"), ("stationary equations (= 0)",
                                                       "stationary_equations")):
        table = dict(out.get(key) or {})
        if table:
            lines.append(f"  {title}:")
            lines += [f"    {k} = {v}" if key == "estimators" else f"    d/d{k}: {v}"
                      for k, v in table.items()]
    second = dict(out["second_order"])
    lines.append(f"  second order [{second['status']}]: {second['detail']}")
    for name, check_ in dict(out["checks"]).items():
        if check_:
            lines.append(f"  check {name} [{check_['status']}]: "
                         f"{check_.get('detail') or check_.get('id', '')}")
            for step in check_.get("steps", []):
                lines.append(f"    step {step['index']} [{step['status']}] {step['rule']}")
    values = out.get("values")
    if values:
        lines.append("  values at the data:")
        lines += [f"    {k} = {v}" for k, v in dict(values["values"]).items()]
        if values.get("note"):
            lines.append(f"    note: {values['note']}")
    return "\n".join(lines)
