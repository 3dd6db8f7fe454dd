"""Numeric maximization of the likelihood, independent of the closed forms.

A generator: Newton steps in unconstrained coordinates, used to cross-check the solver and to
report the MLE where no closed form exists. Nothing here is a verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy
from sympy import (
    Expr,
    Symbol,
    diff,
)

from symbolic.families import Family
from symbolic.generators.stationary import Maximum, Median, Minimum
from symbolic.kernel.measures import xv, yv
from symbolic.readers.data import BadInput

__all__ = [
    "NumericMLE",
    "order_stat",
    "numeric_mle",
    "location_maxima",
    "to_mpf",
]



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


def order_stat(kind: type, values: list[mpmath.mpf]) -> mpmath.mpf:
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
        out[p] = order_stat(Maximum if side == "max" else Minimum, xs)
    if fam.name == "laplace":
        # Σ|x_i - mu| is convex and piecewise linear: its minimum is at a data point.
        mu = fam.params[0]
        best = min(xs, key=lambda m: mpmath.fsum(abs(a - m) for a in xs))
        out[mu] = best if len(xs) % 2 else order_stat(Median, xs)
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

    >>> from symbolic.families import FAMILIES
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
