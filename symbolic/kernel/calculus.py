"""Symbolic proofs for the calculus relations: a unique root (``solve``) and a positive factor
free of the parameters (``propto``).

Both take expressions in the form the proofs see them (:mod:`symbolic.kernel.assumptions`) and
return whether the claim is proved and how; a claim not proved is not refuted here, the numeric
check decides that.

>>> from sympy import Symbol
>>> from symbolic.kernel.assumptions import Assumptions
>>> p, k, n = Symbol("p", real=True), Symbol("k", positive=True), Symbol("n", positive=True)
>>> unique_root(k / p - (n - k) / (1 - p), p, k / n, [Assumptions()])[0]
True
>>> unique_root(k / p + (n - k) / (1 - p), p, k / n, [Assumptions()])[0]
False
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sympy
from sympy import Expr, Symbol

from symbolic.kernel.assumptions import Assumptions

__all__ = ["unique_root", "in_domain", "proportional"]


def _decided(expr: Expr, variants: Sequence[Assumptions], test: str) -> bool:
    """Whether ``expr`` has the sign ``test`` (an assumption name) under some variant of the
    assumptions, as normalized, factored or simplified."""
    for variant in variants:
        e = variant.form(expr)
        for form in (e, sympy.factor(e), sympy.simplify(e)):
            if getattr(form, test) is True:
                return True
    return False


def unique_root(
    expr: Expr,
    var: Symbol,
    solution: Expr,
    variants: Sequence[Assumptions],
    interval: tuple[float, float] | None = None,
) -> tuple[bool, str]:
    """Whether ``solution``, already shown to be a root of ``expr = 0`` in the domain of
    ``var``, is its only one there: the numerator of ``expr`` over a common denominator is a
    polynomial in ``var``, of degree 1 with a leading coefficient proved nonzero and
    ``solution`` as its root, or of higher degree with at most one root in the domain by
    Descartes' rule of signs."""
    from symbolic.kernel.checker import normalize

    # Sums are split by linearity first, so that w leaves Sum(w x[i]**2) as a factor.
    base = normalize(variants[0].form(expr) if variants else expr)
    numerator, _ = sympy.fraction(sympy.together(base))
    numerator = sympy.expand(numerator)
    if not numerator.is_polynomial(var):
        return False, f"the numerator {numerator} is not a polynomial in {var}"
    poly = sympy.Poly(numerator, var)
    if poly.degree() > 1:
        return _descartes(poly, var, interval, variants)
    if poly.degree() != 1:
        return False, f"the numerator {numerator} has degree {poly.degree()} in {var}, not 1"
    lead = poly.LC()
    if not (_decided(lead, variants, "is_positive") or _decided(-lead, variants, "is_positive")):
        return False, f"the leading coefficient {lead} of the numerator is not proved nonzero"
    root = -poly.nth(0) / lead
    if sympy.simplify(variants[0].form(root - solution) if variants else root - solution) != 0:
        return False, f"the only root of the numerator is {sympy.simplify(root)}, not {solution}"
    return True, (
        f"the numerator {numerator} is of degree 1 in {var} with a nonzero leading "
        f"coefficient: {solution} is its only root"
    )


# Coefficients of unknown sign are tried with every sign: 3^k assignments.
_UNKNOWN_SIGNS = 6


def _sign(c: Expr, variants: Sequence[Assumptions]) -> int | None:
    if c == 0 or any(sympy.simplify(v.form(c)) == 0 for v in variants[:1]):
        return 0
    if _decided(c, variants, "is_positive"):
        return 1
    if _decided(-c, variants, "is_positive"):
        return -1
    return None


def _changes(signs: Sequence[int]) -> int:
    nonzero = [s for s in signs if s != 0]
    return sum(a != b for a, b in zip(nonzero, nonzero[1:], strict=False))


def _descartes(
    poly: sympy.Poly,
    var: Symbol,
    interval: tuple[float, float] | None,
    variants: Sequence[Assumptions],
) -> tuple[bool, str]:
    """At most one root of ``poly`` in the domain of ``var`` by Descartes' rule of signs: the
    number of positive roots is at most the number of sign changes of the coefficients (of
    p(-v) for the negative roots). A coefficient whose sign is not proved counts with every
    sign it could have."""
    positive = var.is_positive or (interval is not None and interval[0] >= 0)
    coefficients = poly.all_coeffs()
    degree = poly.degree()
    signs = [_sign(c, variants) for c in coefficients]
    unknown = [k for k, s in enumerate(signs) if s is None]
    if len(unknown) > _UNKNOWN_SIGNS:
        return False, f"the signs of {len(unknown)} coefficients of the numerator are not proved"
    worst = 0
    for choice in itertools.product((1, -1, 0), repeat=len(unknown)):
        trial = list(signs)
        for k, s in zip(unknown, choice, strict=True):
            trial[k] = s
        if all(s == 0 for s in trial):
            continue
        roots = _changes(trial)
        if not positive:
            # p(-v): the coefficient of v^j changes sign with j odd; and v = 0 may be a root.
            mirrored = [s * (-1) ** (degree - k) for k, s in enumerate(trial)]
            roots += _changes(mirrored) + (trial[-1] == 0)
        worst = max(worst, roots)
    where = "positive" if positive else "real"
    if worst > 1:
        return False, (
            f"the numerator, of degree {degree} in {var}, may have {worst} {where} roots by "
            "Descartes' rule of signs"
        )
    return True, (
        f"the numerator, of degree {degree} in {var}, has at most one {where} root by "
        "Descartes' rule of signs (its coefficients change sign once): the solution is the "
        "only one"
    )


def in_domain(
    solution: Expr,
    var: Symbol,
    interval: tuple[float, float] | None,
    variants: Sequence[Assumptions],
) -> tuple[bool, str]:
    """Whether ``solution`` lies in the domain of ``var``: its interval, else its sign."""
    if interval is not None:
        lo, hi = (sympy.Rational(str(v)) for v in interval)
        ok = _decided(solution - lo, variants, "is_positive") and _decided(
            hi - solution, variants, "is_positive"
        )
        where = f"({lo}, {hi})"
    elif var.is_positive:
        ok, where = _decided(solution, variants, "is_positive"), "(0, oo)"
    elif var.is_nonnegative:
        ok, where = _decided(solution, variants, "is_nonnegative"), "[0, oo)"
    else:
        ok, where = _decided(solution, variants, "is_real"), "the reals"
    if not ok:
        return False, f"{solution} is not proved to lie in {where}"
    return True, f"{solution} lies in {where}"


def proportional(
    f: Expr, g: Expr, params: tuple[Expr, ...], normalize: object
) -> tuple[bool, str]:
    """Whether ``f = c g`` with ``c > 0`` free of the parameters: by logarithms when both sides
    are positive (log f - log g free of the parameters), else by their simplified ratio."""
    mentions = lambda e: any(e.has(p) for p in params)  # noqa: E731
    if f.is_positive is True and g.is_positive is True:
        difference = sympy.expand(normalize(sympy.log(f)) - normalize(sympy.log(g)))
        if not mentions(difference):
            return True, (
                f"both sides are positive and log f - log g = {difference} is free of the "
                "parameters: f = c g with c = exp of it > 0"
            )
    ratio = sympy.simplify(f / g)
    if mentions(ratio):
        return False, f"the ratio f/g = {ratio} depends on the parameters"
    if ratio.is_positive is not True:
        return False, f"the ratio f/g = {ratio} is not proved positive"
    return True, f"f = c g with c = {ratio} > 0 free of the parameters"
