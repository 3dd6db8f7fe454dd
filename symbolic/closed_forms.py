"""Closed forms of definite sums and integrals, for the kernel: part of the trusted base.

sympy's value for a sum or an integral is used only where it holds. sympy states where it does
as a Piecewise: a branch is taken only when its condition is established from the symbols'
assumptions and from the domain facts of the claim (see :func:`domain_facts`), never assumed.
A piece without an accepted value stays unevaluated, and must then cancel syntactically.

>>> from sympy import Symbol, Sum, factorial, oo, exp
>>> lam, x = Symbol("lam", positive=True), Symbol("x", integer=True, nonnegative=True)
>>> evaluate(Sum(x * lam**x / factorial(x), (x, 0, oo)), ())
lam*exp(lam)
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy
from sympy import (
    Add,
    Expr,
    Integral,
    Piecewise,
    Sum,
    Symbol,
    binomial,
    exp,
    expand,
    expand_log,
    log,
)

__all__ = ["domain_facts", "holds", "evaluate"]

# A sum with at most this many terms and concrete bounds is expanded term by term.
FEW_TERMS = 32


def domain_facts(*sides: Expr) -> tuple[Expr, ...]:
    """The positivity that each side presupposes: ``g`` for every ``log(g)`` it takes.

    A claimed identity holds where both sides are real; where a log's argument is not positive
    that side is not, so ``g > 0`` may be assumed. Only logs that are always evaluated count:
    none inside a Piecewise branch, none under a sum or integral that may be empty, and none
    whose argument mentions the variable of an enclosing sum or integral.
    """
    found: list[Expr] = []

    def visit(e: Expr, bound: frozenset) -> None:
        if isinstance(e, Piecewise):
            return
        if isinstance(e, log):
            if not (e.args[0].free_symbols & bound):
                found.append(e.args[0])
        if isinstance(e, (Sum, Integral)):
            if len(e.limits) != 1 or len(e.limits[0]) != 3:
                return
            var, lo, hi = e.limits[0]
            if not (lo.is_infinite or hi.is_infinite or (hi - lo).is_positive):
                return
            bound = bound | {var}
        for a in e.args:
            if isinstance(a, sympy.Basic):
                visit(a, bound)

    for side in sides:
        visit(side, frozenset())
    return tuple(dict.fromkeys(found))


def _assumed(s: Symbol) -> sympy.Set | None:
    if s.is_positive:
        return sympy.Interval.open(0, sympy.oo)
    if s.is_nonnegative:
        return sympy.Interval(0, sympy.oo)
    if s.is_negative:
        return sympy.Interval.open(-sympy.oo, 0)
    if s.is_real:
        return sympy.S.Reals
    return None


def holds(cond: sympy.Basic, facts: Iterable[Expr] = ()) -> bool:
    """Whether ``cond`` is established for every value the assumptions and facts allow.

    sympy decides it from the assumptions alone, or, when it mentions one symbol, the set the
    assumptions and the facts about that symbol leave is inside the set where it holds.
    """
    if cond is sympy.true:
        return True
    if cond is sympy.false:
        return False
    refined = sympy.refine(cond)
    if refined is sympy.true:
        return True
    symbols = cond.free_symbols
    if len(symbols) != 1:
        return False
    (s,) = symbols
    allowed = _assumed(s)
    if allowed is None:
        return False
    for fact in facts:
        if fact.free_symbols == {s}:
            allowed = allowed.intersect((fact > 0).as_set())
    return allowed.is_subset(cond.as_set()) is True


class _Open(Exception):
    """A Piecewise whose branch is not established."""


def _branch(pw: Piecewise, facts: tuple[Expr, ...]) -> Expr:
    # The first branch whose condition holds is the value, once every earlier one is refuted.
    for value, cond in pw.args:
        if holds(cond, facts):
            return value
        if not holds(sympy.Not(cond), facts):
            raise _Open
    raise _Open


def _established(value: Expr, facts: tuple[Expr, ...], unevaluated: type) -> Expr | None:
    try:
        value = value.replace(lambda n: isinstance(n, Piecewise), lambda n: _branch(n, facts))
    except _Open:
        return None
    return None if value.has(unevaluated, Piecewise) else value


def _binomial_moment(s: Sum) -> Expr | None:
    """Sum_{x=0..n} C(n, x) a^x b^(n-x) x^m = (a d/da)^m (a + b)^n, for an integer n >= 0.

    The binomial theorem, differentiated m times: a polynomial identity, so no condition. sympy
    returns these finite sums guarded by a spurious convergence condition.
    """
    var, lo, hi = s.limits[0]
    if not (hi.is_integer and hi.is_nonnegative):
        return None
    a, b, m = None, None, 0
    for factor in sympy.Mul.make_args(s.function / binomial(hi, var)):
        base, power = factor.as_base_exp()
        if base == var and power.is_Integer and power > 0:
            m += int(power)
        elif power == var and not base.has(var) and a is None:
            a = base
        elif expand(power - hi + var) == 0 and not base.has(var) and b is None:
            b = base
        else:
            return None
    # The x = 0 term is 0 when m > 0, so a sum from 1 is the same sum.
    if a is None or b is None or not (lo == 0 or (lo == 1 and m > 0)):
        return None
    t = sympy.Dummy("t")
    value = (t + b) ** hi
    for _ in range(m):
        value = t * sympy.diff(value, t)
    return value.subs(t, a)


def _sum_value(s: Sum, facts: tuple[Expr, ...]) -> Expr:
    if len(s.limits) != 1:
        return s
    var, lo, hi = s.limits[0]
    count = hi - lo + 1
    if count.is_Integer and 0 <= count <= FEW_TERMS:
        return Add(*(s.function.subs(var, lo + k) for k in range(int(count))))
    if s.function.has(binomial(hi, var)):
        moment = _binomial_moment(s)
        if moment is not None:
            return moment
    try:
        value = sympy.summation(s.function, s.limits[0])
    except Exception:  # sympy raises any type from deep inside: no value, not a verdict
        return s
    accepted = _established(value, facts, Sum)
    return s if accepted is None else accepted


def _positive_variable(integral: Integral) -> Integral:
    # On [a, b] with a >= 0 the variable is positive inside: a positive dummy says so to sympy.
    var, lo, hi = integral.limits[0]
    if var.is_positive or lo.is_nonnegative is not True:
        return integral
    t = sympy.Dummy(var.name, positive=True)
    return Integral(integral.function.xreplace({var: t}), (t, lo, hi))


def _powers(body: Expr, var: Symbol) -> Expr:
    # exp(c*log(v)) = v**c for v > 0: the form sympy recognizes as a Mellin moment.
    if not var.is_positive:
        return body

    def power(e: exp) -> Expr:
        factor = sympy.S.One
        rest = sympy.S.Zero
        for term in Add.make_args(expand(e.args[0])):
            c = term / log(var)
            if c.has(var):
                rest += term
            else:
                factor *= var**c
        return factor * exp(rest)

    return body.replace(lambda n: isinstance(n, exp), power)


def _integrand_terms(integral: Integral) -> Expr:
    # Linearity of a definite integral: pull out what is free of the variable, split sums.
    if len(integral.limits) != 1 or len(integral.limits[0]) != 3:
        return integral
    integral = _positive_variable(integral)
    var = integral.limits[0][0]
    body = expand(expand_log(integral.function), power_exp=False, log=False)
    total = sympy.S.Zero
    for term in Add.make_args(body):
        coeff, dependent = term.as_independent(var, as_Add=False)
        total += coeff * Integral(dependent, integral.limits[0])
    return total


def _integral_value(integral: Integral, facts: tuple[Expr, ...]) -> Expr:
    if len(integral.limits) != 1 or len(integral.limits[0]) != 3:
        return integral
    var = integral.limits[0][0]
    # Gathering the exponentials first lets sympy see a Gaussian moment, not erfc pieces.
    body = _powers(sympy.powsimp(integral.function), var)
    try:
        value = sympy.integrate(body, *integral.limits)
    except Exception:  # sympy raises any type from deep inside: no value, not a verdict
        return integral
    accepted = _established(value, facts, Integral)
    return integral if accepted is None else sympy.simplify(accepted)


def evaluate(expr: Expr, facts: tuple[Expr, ...]) -> Expr:
    """Replace each definite sum and integral by its established value, piece by piece.

    Sums were split by linearity in the kernel's normalization; integrals are split here. A
    piece whose value is conditional on what cannot be established stays as it was.
    """
    if expr.has(Sum):
        expr = expr.replace(lambda n: isinstance(n, Sum), lambda n: _sum_value(n, facts))
    if expr.has(Integral):
        split = expr.replace(lambda n: isinstance(n, Integral), _integrand_terms)
        expr = split.replace(lambda n: isinstance(n, Integral), lambda n: _integral_value(n, facts))
    return expr
