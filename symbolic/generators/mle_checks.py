"""The solver's claims as derivations for the kernel: the score vanishes at the estimator, the
NLL is monotone in an edge parameter, and the second-order conditions (Hessian and minors).

A generator: it only builds derivations; :func:`symbolic.kernel.check` decides them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import mpmath
import sympy
from sympy import (
    Add,
    Eq,
    Expr,
    Indexed,
    KroneckerDelta,
    Matrix,
    Sum,
    Symbol,
    diff,
    expand,
    log,
)

from symbolic.families import Family, Param, k_label, pi_, x_pos
from symbolic.generators.optimize import order_stat, to_mpf
from symbolic.generators.stationary import (
    OverData,
    Solution,
    at_point,
    data_part,
    reduce_statistics,
    separate,
)
from symbolic.kernel import CheckedDerivation, worst
from symbolic.kernel.budget import BudgetExceeded, time_budget
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.measures import N, i, x, xv, y, yv
from symbolic.kernel.numeric import DataSampler

# --- values of the estimators at data ------------------------------------------------------------

__all__ = [
    "evaluate_estimator",
    "pulled_out",
    "stationary_derivation",
    "boundary_derivation",
    "SecondOrder",
    "SecondOrderPlan",
    "second_order_plan",
    "second_order",
]



def evaluate_estimator(
    expr: Expr, data: Sequence[tuple[mpmath.mpf, mpmath.mpf]], known: Mapping[Symbol, Expr]
) -> mpmath.mpf:
    """The value of a closed-form estimator at concrete data.

    >>> evaluate_estimator(Sum(x[i], (i, 1, N)) / N, [(1, 0), (2, 0)], {})
    mpf('1.5')
    """
    from symbolic.kernel.numeric import ConditionalModel, Instance, Point, evaluate

    xs = tuple(to_mpf(a) for a, _ in data)
    ys = tuple(to_mpf(b) for _, b in data)

    def order(node: OverData) -> Expr:
        body = node.args[0]
        vals = [evaluate(body, Point(inst, {i: mpmath.mpf(k)})) for k in range(1, len(xs) + 1)]
        return sympy.Float(order_stat(type(node), vals), mpmath.mp.dps)

    inst = Instance(len(xs), xs, ys, ConditionalModel((0,), ((0, 0, 0),)), {})
    expr = expr.replace(lambda e: isinstance(e, OverData), order)
    values = {s: to_mpf(v) if v.is_Rational else mpmath.mpf(sympy.Float(v, mpmath.mp.dps))
              for s, v in known.items()}
    return evaluate(expr, Point(inst, values))


# --- kernel checks of the solver's claims --------------------------------------------------------



def pulled_out(logp: Expr) -> Expr:
    """``Σ_i logp(x_i)`` with every factor free of the data moved out of the sum.

    >>> from symbolic.families import FAMILIES
    >>> pulled_out(FAMILIES["exponential"].logp)
    N*log(lam) - lam*Sum(x[i], (i, 1, N))
    """
    total = sympy.S.Zero
    for term in Add.make_args(expand(logp, power_base=True, force=True, log=False)):
        coeff, data = data_part(term)
        total += N * coeff if data == 1 else coeff * Sum(at_point(data), (i, 1, N))
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
    return [p for p in sol.family.params if not isinstance(sol.estimators.get(p), OverData)]


def _label(p: Param) -> Symbol:
    return p.base.label if isinstance(p, Indexed) else p


def stationary_derivation(sol: Solution) -> Derivation | None:
    """The first-order condition as a kernel-checkable equation: at the estimator the
    directional derivative of the log-likelihood vanishes in every direction ``t``, written
    ``Σ_j t_j A_j = Σ_j t_j B_j`` with ``∂ℓ/∂θ_j = A_j - B_j`` (an equation with 0 on one side
    cannot be checked numerically: the kernel's tolerance is relative).

    >>> from symbolic.families import FAMILIES
    >>> from symbolic.generators.stationary import solve_family
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
        if lhs == rhs:
            # n_k = N (n_k/N): the estimator is the condition solved, and X = X checks nothing.
            return None
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
    if _as_data(fam, lhs) == _as_data(fam, rhs):
        # Putting the estimator in made both sides one expression (the Laplace scale's score,
        # N Σ|μ - x_i| on each side): a check X = X says nothing, so none is offered.
        return None
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

    >>> from symbolic.families import FAMILIES
    >>> from symbolic.generators.stationary import solve_family
    >>> fam = FAMILIES["uniform"]
    >>> d = boundary_derivation(solve_family(fam), fam.params[0])
    >>> [s.rhs for s in d.steps]
    [log(theta), theta]
    """
    fam = sol.family
    nll = -Sum(at_point(fam.logp), (i, 1, N))
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
    fixed = {v: p for p, v in sol.estimators.items() if isinstance(v, OverData)}
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

    >>> from symbolic.families import FAMILIES
    >>> from symbolic.generators.stationary import solve_family
    >>> [d.id for d in second_order_plan(solve_family(FAMILIES["normal"])).parts][:2]
    ['mle/normal/hessian', 'mle/normal/minor-1']
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
    reduced, stats = reduce_statistics(pieces)
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
    # Where the entries put in make both sides one expression, there is nothing to check.
    parts = [] if _as_data(fam, lhs) == _as_data(fam, rhs) else [Derivation(
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
        factored = sympy.factor(minor.xreplace(odds)).xreplace(stats)
        # A 1x1 minor, or a determinant sympy already printed factored, needs no step.
        steps = [] if k == 1 or factored == start else [
            Step(Relation.EQ, factored, "expand the determinant and factor")]
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
    identity = "" if parts[0].id.endswith("/hessian") else (
        " (with the estimates put in, each second derivative is the entry of H identically)")
    return SecondOrderPlan(
        "hessian",
        f"H = {shown_matrix} at the estimator{identity}; its leading principal minors "
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

    >>> from symbolic.families import FAMILIES
    >>> from symbolic.generators.stationary import solve_family
    >>> from symbolic.kernel import check
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
