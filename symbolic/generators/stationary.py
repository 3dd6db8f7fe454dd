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

>>> from symbolic.families import FAMILIES
>>> sol = solve_family(FAMILIES["exponential"])
>>> sol.status, sol.estimators
('closed_form', {lam: N/Sum(x[i], (i, 1, N))})
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

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
    Sum,
    Symbol,
    diff,
    expand,
    log,
)

from symbolic.families import Family, Param, k_label, pi_
from symbolic.kernel import Config
from symbolic.kernel.budget import BudgetExceeded, time_budget
from symbolic.kernel.measures import N, i, x, xv, y, yv

_DEFAULT = Config()

__all__ = [
    "OverData",
    "Maximum",
    "Minimum",
    "Median",
    "Solution",
    "at_point",
    "data_part",
    "separate",
    "reduce_statistics",
    "plane_solution",
    "solve_family",
]




class OverData(Function):
    """An order statistic of ``expr`` over ``index = lo..hi``: ``Maximum(x[i], i, 1, N)``."""

    nargs = 4

    def _latex(self, printer: object) -> str:
        body, var, lo, hi = (printer._print(a) for a in self.args)  # type: ignore[attr-defined]
        return rf"\operatorname{{{self._word}}}_{{{var}={lo}}}^{{{hi}}} {body}"

    _word = ""


class Maximum(OverData):
    """The largest of the data values.

    >>> Maximum(x[i], i, 1, N)
    Maximum(x[i], i, 1, N)
    """

    _word = "max"


class Minimum(OverData):
    """The smallest of the data values."""

    _word = "min"


class Median(OverData):
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


def at_point(expr: Expr) -> Expr:
    return expr.xreplace({xv: x[i], yv: y[i]})


def data_part(term: Expr) -> tuple[Expr, Expr]:
    return term.as_independent(xv, yv, as_Add=False)


def separate(logp: Expr, params: Sequence[Expr]) -> tuple[list[tuple[Expr, Expr]], list[Expr]]:
    """Split ``logp`` into ``[(c_j(θ), g_j(x))]`` with ``logp = Σ c_j g_j``, and the terms where
    a parameter and the data cannot be pulled apart.

    >>> from symbolic.families import FAMILIES
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
        coeff, data = data_part(term)
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


def reduce_statistics(
    pieces: list[tuple[Expr, Expr]],
) -> tuple[Expr, dict[Symbol, Expr]]:
    stats: dict[Symbol, Expr] = {}
    total = sympy.S.Zero
    for coeff, data in pieces:
        if data == 1:
            total += N * coeff
            continue
        name = _statistic_name(len(stats) + 1)
        stats[name] = Sum(at_point(data), (i, 1, N))
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
    return Sum(at_point(diff(logp, param)), (i, 1, N))


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
    reduced, stats = reduce_statistics(pieces)
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
    return Median(at_point(location), i, 1, N)


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
        loglik=Sum(at_point(fam.logp), (i, 1, N)),
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

    >>> from symbolic.families import FAMILIES
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
    reduced, stats = reduce_statistics(pieces)
    return Solution(plane, "closed_form", "", Sum(at_point(plane.logp), (i, 1, N)), reduced,
                    stats, {}, estimators)


@cache
def solve_family(fam: Family, budget: float = 20.0) -> Solution:
    """Derive the MLE of ``fam`` (or the reason there is no closed form). The whole attempt
    runs under a time budget of ``3 * budget`` seconds (``sympy.solve`` has ``budget`` of its
    own); a solver that runs out reports the status ``unknown``.

    >>> from symbolic.families import FAMILIES
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
            Sum(at_point(fam.logp), (i, 1, N)), None, {}, {}, {},
        )


def _solve_family(fam: Family, budget: float) -> Solution:
    if fam.name == "categorical":
        return _categorical(fam)
    if fam.coordinates is not None:
        return _multivariate_normal(fam)
    loglik = Sum(at_point(fam.logp), (i, 1, N))
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
