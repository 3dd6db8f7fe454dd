"""Certified counterexamples: both sides of a claim enclosed in balls at one exact point.

The numeric check finds a point where the two sides seem to differ; this module makes that a
proof. Every sampled value is a binary fraction (an mpmath number), so the point is exact; each
side is evaluated there in ball arithmetic (python-flint's ``acb``, a binding of FLINT/Arb),
which returns an interval guaranteed to hold the true value. Disjoint enclosures prove the
sides differ. Integrals would be enclosed by ``acb.integral``, split at the integrand's kinks,
but that is off (:data:`INTEGRALS`): its callback into Python is not safe under the time
budget's alarm. A construct without a ball implementation is named, and the caller then says
the counterexample rests on mpmath at two precisions only.

>>> from sympy import Symbol, exp
>>> import mpmath
>>> from symbolic.kernel.numeric import Point, sample_instances
>>> t = Symbol("t", real=True)
>>> env = Point(sample_instances()[0], {t: mpmath.mpf(1) / 3})
>>> c = certify(exp(t) + 1, exp(t) + 1 + exp(-1000), env)
>>> c.certified, c.bits >= 2048
(True, True)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import sympy
from flint import acb, arb, ctx, fmpz
from sympy import Expr, Indexed, Symbol

from symbolic.kernel.numeric import Point, Undefined, Unsupported, _breakpoints, _indexed, _symbol

__all__ = ["Certificate", "NoBall", "certify"]

# Precisions tried, in bits: a difference of 10^-3000 needs about 10,000.
_PRECISIONS = (128, 512, 2048, 8192, 16384)
MAX_TERMS = 10_000
INTEGRALS = False


class NoBall(Exception):
    """A construct with no ball implementation here; the message names it."""


@dataclass(frozen=True)
class Certificate:
    """The outcome of enclosing both sides at one point.

    ``certified``: the enclosures are disjoint, so the sides differ there (a proof).
    Otherwise ``overlap`` says the balls still meet at the highest precision (the difference
    mpmath saw is not confirmed), or ``missing`` names what has no ball implementation.
    """

    certified: bool
    lhs: str = ""
    rhs: str = ""
    bits: int = 0
    overlap: bool = False
    missing: str = ""


def certify(lhs: Expr, rhs: Expr, env: Point, complex_values: bool = False) -> Certificate:
    """Enclose ``lhs`` and ``rhs`` at ``env`` at rising precision until the balls are disjoint."""
    saved = ctx.prec
    try:
        for bits in _PRECISIONS:
            ctx.prec = bits
            try:
                a = _Ball(env, complex_values).value(lhs)
                b = _Ball(env, complex_values).value(rhs)
            except (NoBall, Unsupported) as exc:
                return Certificate(False, missing=str(exc))
            except (Undefined, ZeroDivisionError, ValueError) as exc:
                return Certificate(False, missing=f"a side has no value in ball arithmetic: {exc}")
            if not (a.is_finite() and b.is_finite()):
                continue
            if not a.overlaps(b):
                return Certificate(True, _text(a), _text(b), bits)
        return Certificate(False, _text(a), _text(b), bits, overlap=True)
    finally:
        ctx.prec = saved


def _text(ball: acb) -> str:
    return ball.real.str(30, radius=True) if ball.imag == 0 else ball.str(30, radius=True)


def _exact(value: object) -> acb:
    if isinstance(value, mpmath.mpc):
        return acb(_exact(value.real).real, _exact(value.imag).real)
    sign, man, exp, _ = mpmath.mpf(value)._mpf_
    if man == 0 and exp != 0:
        raise NoBall(f"the non-finite value {value}")
    # The mantissa is gmpy2's mpz under mpmath's gmpy backend: FLINT takes Python ints.
    man, exp = int(man), int(exp)
    ball = arb(fmpz(-man if sign else man))
    # Multiplying by a power of two is exact whatever the precision.
    return acb(ball * arb(2) ** exp if exp >= 0 else ball / arb(2) ** (-exp))


def _positive(x: acb, what: str) -> None:
    if not (x.imag == 0 and x.real > 0):
        raise NoBall(f"{what} of a ball not proved positive")


_KNOWN = {
    sympy.log, sympy.exp, sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sinh, sympy.cosh,
    sympy.tanh, sympy.atan, sympy.gamma, sympy.loggamma, sympy.digamma, sympy.erf, sympy.erfc,
    sympy.Abs, sympy.factorial, sympy.binomial, sympy.zeta, sympy.polygamma, sympy.Heaviside,
    sympy.asin, sympy.acos, sympy.Max, sympy.Min, sympy.floor, sympy.ceiling,
}


class _Ball:
    def __init__(self, env: Point, complex_values: bool) -> None:
        self.env = env
        self.complex = complex_values

    def value(self, expr: Expr, analytic: bool = False) -> acb:
        v = self._value(expr, analytic)
        if not self.complex and not v.imag == 0 and v.is_finite():
            if not v.imag.contains(0):
                raise Undefined(f"{expr} is not real here")
            v = acb(v.real)
        return v

    def _value(self, e: Expr, an: bool) -> acb:
        if e.is_Integer:
            return acb(fmpz(int(e)))
        if e.is_Rational:
            return acb(fmpz(int(e.p))) / acb(fmpz(int(e.q)))
        if e.is_Float:
            return _exact(mpmath.mpf(e._mpf_))
        if e is sympy.pi:
            return acb(arb.pi())
        if e is sympy.E:
            return acb(arb.const_e())
        if e is sympy.EulerGamma:
            return acb(arb.const_euler())
        if e is sympy.I:
            return acb(0, 1)
        if isinstance(e, Symbol):
            v = _symbol(e, self.env)
            return v if isinstance(v, acb) else _exact(v)
        if isinstance(e, Indexed):
            return _exact(_indexed(e, self.env))
        if e.is_Add:
            return sum((self._value(a, an) for a in e.args), acb(0))
        if e.is_Mul:
            out = acb(1)
            for a in e.args:
                out *= self._value(a, an)
            return out
        if e.is_Pow:
            return self._pow(e, an)
        if isinstance(e, sympy.Sum):
            return self._fold(e, an, acb(0), lambda s, v: s + v)
        if isinstance(e, sympy.Product):
            return self._fold(e, an, acb(1), lambda s, v: s * v)
        if isinstance(e, sympy.Integral):
            return self._integral(e)
        if isinstance(e, sympy.Piecewise):
            for value, cond in e.args:
                if self._truth(cond):
                    return self._value(value, an)
            raise Undefined("no branch of the piecewise expression applies")
        return self._function(e, an)

    def _pow(self, e: sympy.Pow, an: bool) -> acb:
        base = self._value(e.base, an)
        if e.exp.is_Integer:
            k = int(e.exp)
            if k < 0 and base.contains(0):
                raise NoBall("a negative power of a ball containing 0")
            return base**k
        if e.exp == sympy.S.Half and not self.complex:
            _positive(base, "a square root")
            return base.sqrt(analytic=an)
        exponent = self._value(e.exp, an)
        if not self.complex:
            _positive(base, "a fractional power")
        return base.pow(exponent, analytic=an)

    def _function(self, e: Expr, an: bool) -> acb:
        f = e.func
        if f not in _KNOWN:
            name = getattr(f, "__name__", str(f))
            raise NoBall(f"no ball implementation of {name}")
        args = [self._value(a, an) for a in e.args]
        if f is sympy.log:
            if not self.complex:
                _positive(args[0], "log")
            return args[0].log(analytic=an)
        simple: dict[type, Callable[[acb], acb]] = {
            sympy.exp: acb.exp,
            sympy.sin: acb.sin,
            sympy.cos: acb.cos,
            sympy.tan: acb.tan,
            sympy.cot: acb.cot,
            sympy.sinh: acb.sinh,
            sympy.cosh: acb.cosh,
            sympy.tanh: acb.tanh,
            sympy.atan: acb.atan,
            sympy.gamma: acb.gamma,
            sympy.loggamma: acb.lgamma,
            sympy.digamma: acb.digamma,
            sympy.erf: acb.erf,
            sympy.erfc: acb.erfc,
        }
        if f in simple and len(args) == 1:
            return simple[f](args[0])
        if f is sympy.Abs:
            return args[0].real_abs(an) if not self.complex else acb(abs(args[0]))
        if f is sympy.factorial:
            return (args[0] + 1).gamma()
        if f is sympy.binomial:
            n, k = args
            return (n + 1).gamma() / ((k + 1).gamma() * (n - k + 1).gamma())
        if f is sympy.zeta and len(args) == 1:
            return args[0].zeta()
        if f is sympy.polygamma:
            return args[1].polygamma(args[0])
        if f is sympy.Heaviside and not self.complex:
            return args[0].real_heaviside(an)
        if f in (sympy.asin, sympy.acos) and not self.complex:
            x = args[0].real
            if not (x > -1 and x < 1):
                raise NoBall(f"{f} of a ball not inside (-1, 1)")
            return acb(x.asin() if f is sympy.asin else x.acos())
        if f in (sympy.Max, sympy.Min) and not self.complex:
            out = args[0]
            for a in args[1:]:
                out = out.real_max(a, an) if f is sympy.Max else out.real_min(a, an)
            return out
        if f is sympy.floor and not self.complex:
            return args[0].real_floor(an)
        if f is sympy.ceiling and not self.complex:
            return args[0].real_ceil(an)
        raise NoBall(f"no ball implementation of {f.__name__ if hasattr(f, '__name__') else f}")

    def _truth(self, cond: sympy.Basic) -> bool:
        if cond is sympy.true:
            return True
        if cond is sympy.false:
            return False
        if isinstance(cond, sympy.And):
            return all(self._truth(c) for c in cond.args)
        if isinstance(cond, sympy.Or):
            return any(self._truth(c) for c in cond.args)
        if not isinstance(cond, sympy.core.relational.Relational) or self.complex:
            raise NoBall(f"the condition {cond}")
        gap = (self._value(cond.lhs, False) - self._value(cond.rhs, False)).real
        if isinstance(cond, (sympy.StrictLessThan, sympy.LessThan)):
            gap = -gap
        if isinstance(cond, (sympy.StrictGreaterThan, sympy.StrictLessThan)):
            if gap > 0:
                return True
            if gap <= 0:
                return False
        if isinstance(cond, (sympy.GreaterThan, sympy.LessThan)):
            if gap >= 0:
                return True
            if gap < 0:
                return False
        raise NoBall(f"the condition {cond} is not decided on the ball")

    def _fold(
        self, node: sympy.Sum | sympy.Product, an: bool, start: acb, op: Callable
    ) -> acb:
        return self._fold_limits(node.function, node.limits, an, start, op)

    def _fold_limits(
        self, function: Expr, limits: tuple, an: bool, start: acb, op: Callable
    ) -> acb:
        # The last limit is the outermost. sympy flattens a rebuilt Sum(Sum(f, a), b) back
        # into one node, so the inner limits are folded here, not by building a node for them.
        var, lo, hi = limits[-1]
        if lo.is_infinite or hi.is_infinite:
            raise NoBall("an infinite series (no proved tail bound for it here)")
        a, b = self._integer(lo), self._integer(hi)
        if b - a > MAX_TERMS:
            raise NoBall(f"a sum of more than {MAX_TERMS} terms")
        acc = start
        for k in range(a, b + 1):
            sub = _Ball(self.env.with_bound({var: mpmath.mpf(k)}), self.complex)
            value = (
                sub.value(function, an)
                if len(limits) == 1
                else sub._fold_limits(function, limits[:-1], an, start, op)
            )
            acc = op(acc, value)
        return acc

    def _integer(self, e: Expr) -> int:
        v = self._value(e, False)
        if not v.imag == 0 or not v.real.is_integer():
            raise NoBall(f"the summation bound {e} is not an exact integer")
        return int(v.real.unique_fmpz())

    def _integral(self, node: sympy.Integral) -> acb:
        if not INTEGRALS:
            # acb.integral calls back into Python from C: an exception raised there (the time
            # budget's alarm) crashes the interpreter, so it is off until that is guarded.
            raise NoBall("integrals (acb.integral is not run under a time budget)")
        if len(node.limits) != 1 or len(node.limits[0]) != 3:
            raise NoBall("multiple or indefinite integrals")
        var, lo, hi = node.limits[0]
        if lo.is_infinite or hi.is_infinite:
            raise NoBall("an integral over an infinite range")
        a, b = self._value(lo, False), self._value(hi, False)
        body = node.function

        def integrand(t: acb, analytic: bool) -> acb:
            sub = _Ball(self.env.with_bound({var: t}), self.complex)
            try:
                return sub._value(body, analytic)
            except (NoBall, Undefined, ZeroDivisionError, ValueError):
                return acb("nan")

        points = [a, *self._cuts(body, var, a, b), b]
        total = acb(0)
        for left, right in itertools.pairwise(points):
            total += acb.integral(integrand, left, right, eval_limit=200_000)
        return total

    def _cuts(self, body: Expr, var: Symbol, a: acb, b: acb) -> list[acb]:
        lo = mpmath.mpf(a.real.mid().str(ctx.dps + 5, radius=False))
        hi = mpmath.mpf(b.real.mid().str(ctx.dps + 5, radius=False))
        with mpmath.workdps(ctx.dps + 5):
            found = _breakpoints(body, var, lo, hi)
        # A cut need not be exact: each piece only has to avoid the kink in its interior, and
        # the pieces' ends meet wherever the cut is.
        return [_exact(v) for v in found]
