"""Certified counterexamples: both sides of a claim enclosed in balls at one exact point.

The numeric check finds a point where the two sides seem to differ; this module makes that a
proof. Every sampled value is a binary fraction (an mpmath number), so the point is exact; each
side is evaluated there in ball arithmetic (python-flint's ``acb``, a binding of FLINT/Arb),
which returns an interval guaranteed to hold the true value. Disjoint enclosures prove the
sides differ. Integrals over finite ranges are enclosed by ``acb.integral``, split at the
integrand's kinks; there the integrand is the real function continued to complex balls, and
checked for analyticity where Arb asks. A construct without a ball implementation (an infinite
range, a series without a proved tail bound) is named, and the caller then says the
counterexample rests on mpmath at two precisions only.

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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import sympy
from flint import acb, arb, ctx, fmpz
from sympy import Expr, Indexed, Symbol

from symbolic.kernel.assumptions import rename_apart
from symbolic.kernel.budget import BudgetExceeded, time_budget
from symbolic.kernel.measures import PData, PDataX, PModel
from symbolic.kernel.numeric import Point, Undefined, Unsupported, _breakpoints, _indexed, _symbol

__all__ = ["Certificate", "NoBall", "certify"]

# Precisions tried, in bits: a difference of 10^-3000 needs about 10,000.
_PRECISIONS = (128, 512, 2048, 8192, 16384)
MAX_TERMS = 10_000
# Integrand evaluations per piece of an integral, per bit of precision: Arb gives up (a
# non-finite ball) past them. A smooth integrand needs far fewer; a singular one would
# otherwise take seconds of Python callbacks to fail.
_EVALS_PER_BIT = 20
# Seconds a certificate may take: past them the counterexample rests on mpmath alone.
_SECONDS = 5.0


class NoBall(Exception):
    """A construct with no ball implementation here; the message names it."""


class _Undecided(NoBall):
    """A condition that the ball does not decide: points of the ball lie on both sides."""


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
        with time_budget(_SECONDS):
            return _climb(lhs, rhs, env, complex_values)
    except BudgetExceeded:
        # An enclosing budget that ran out too rings again as soon as this one is disarmed.
        return Certificate(False, missing=f"ball arithmetic did not finish within {_SECONDS:g} s")
    finally:
        ctx.prec = saved


def _climb(lhs: Expr, rhs: Expr, env: Point, complex_values: bool) -> Certificate:
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
            digits = _separating_digits(a, b)
            return Certificate(True, _text(a, digits), _text(b, digits), bits)
    return Certificate(False, _text(a), _text(b), bits, overlap=True)


def _add(total: acb, value: acb) -> acb:
    return total + value


def _multiply(total: acb, value: acb) -> acb:
    return total * value


def _exact_term(term: Expr, k: Symbol, env: Point) -> Expr:
    """The series' term with every other symbol replaced by its exact value at ``env`` (a
    binary fraction): a function of ``k`` alone, for the tail's proof."""
    if term.has(Indexed):
        raise NoBall("a series whose terms hold data")
    values = {}
    for sym in term.free_symbols - {k}:
        v = _symbol(sym, env) if isinstance(sym, Symbol) else None
        if not isinstance(v, mpmath.mpf):
            raise NoBall(f"a series whose term's {sym} has no exact real value here")
        sign, man, exp, _ = v._mpf_
        mantissa = sympy.Integer(-int(man) if sign else int(man))
        values[sym] = mantissa * sympy.Integer(2) ** int(exp)
    return term.xreplace(values)


_Enclose = Callable[[Expr], acb]
"""Ball evaluation of a closed number (a coefficient of the tail's proof)."""

# The tail's proof shifts k = K + s and asks every coefficient of a polynomial in s to be
# positive; K doubles up to this before the series is given up.
_TAIL_START_LIMIT = 2**20
# Seconds for the tail's proof (sympy's hypersimp and the shifted polynomials): milliseconds
# on a quiet machine.
_TAIL_SECONDS = 3.0


def _tail(term: Expr, k: Symbol, start: int, ball: _Enclose) -> tuple[int, acb, int]:
    """``(K, rho, 0)`` with |f(k+1)| <= rho |f(k)| for every k >= K and rho < 1 (the ratio
    test, where f(k+1)/f(k) is a rational function of k), or ``(K, M, d)`` with
    |f(k)| <= M / k^d for every k >= K and d >= 2 (a rational term). Each inequality is
    proved, for all integers k >= K at once, as a polynomial in s = k - K whose coefficients
    are all positive in ball arithmetic."""
    try:
        with time_budget(_TAIL_SECONDS):
            ratio = sympy.hypersimp(term, k)
            if ratio is not None and ratio.is_rational_function(k):
                found = _ratio_bound(sympy.cancel(ratio), k, start, ball)
                if found is not None:
                    return (*found, 0)
            if term.is_rational_function(k):
                found = _decay_bound(sympy.cancel(term), k, start, ball)
                if found is not None:
                    return found
            if ratio is None:
                found = _exponential_bound(term, k, start, ball)
                if found is not None:
                    return (*found, 0)
    except BudgetExceeded:
        raise NoBall(f"the series' tail bound ran out of its {_TAIL_SECONDS:g} s") from None
    except (sympy.PolynomialError, ValueError, TypeError) as exc:
        raise NoBall(f"no tail bound for the series ({type(exc).__name__})") from None
    raise NoBall("an infinite series with no proved tail bound (neither the ratio test nor a "
                 "rational term's decay applies)")


def _upper(x: acb) -> sympy.Rational:
    """An exact rational at least the (real) ball's every point."""
    man, exp = x.real.upper().man_exp()
    return sympy.Integer(int(man)) * sympy.Integer(2) ** int(exp)


def _ratio_bound(ratio: Expr, k: Symbol, start: int, ball: _Enclose) -> tuple[int, acb] | None:
    num, den = (sympy.Poly(part, k) for part in sympy.fraction(ratio))
    if num.degree() > den.degree():
        return None
    limit = (
        ball(abs(num.LC() / den.LC())) if num.degree() == den.degree() else acb(0)
    )
    if not limit.real < 1:
        return None
    rho = (1 + _upper(limit)) / 2
    # rho^2 den^2 - num^2 > 0 for k >= K: |ratio| < rho there (and den has no zero).
    K = _positive_from(rho**2 * den**2 - num**2, k, max(start, 1), ball)
    return None if K is None else (K, ball(rho))


def _decay_bound(
    term: Expr, k: Symbol, start: int, ball: _Enclose
) -> tuple[int, acb, int] | None:
    num, den = (sympy.Poly(part, k) for part in sympy.fraction(term))
    d = den.degree() - num.degree()
    if d < 2:
        return None
    # Any M above the limit of |term| k^d will do from some K on; closer means a later K.
    M = sympy.Rational(9, 8) * _upper(ball(abs(num.LC() / den.LC())))
    # M^2 den^2 - k^(2d) num^2 > 0 for k >= K: |term| < M / k^d there.
    kd = sympy.Poly(k ** (2 * d), k)
    K = _positive_from(M**2 * den**2 - kd * num**2, k, max(start, 1), ball)
    return None if K is None else (K, ball(M), d)


def _exponential_bound(
    term: Expr, k: Symbol, start: int, ball: _Enclose
) -> tuple[int, acb] | None:
    """The ratio test where f(k+1)/f(k) = R(k) exp(g(k)), R rational and bounded, g a
    polynomial falling from some K on (a Gaussian term such as exp(-c k^2)): for k >= K,
    |R(k)| <= C and exp(g(k)) <= exp(g(K)), so rho = C exp(g(K)) once that is below 1."""
    ratio = sympy.powsimp(sympy.expand(sympy.simplify(term.subs(k, k + 1) / term)))
    growth = [f for f in sympy.Mul.make_args(ratio) if isinstance(f, sympy.exp)]
    rest = sympy.cancel(ratio / sympy.Mul(*growth))
    exponent = sympy.expand(sum((f.args[0] for f in growth), sympy.S.Zero))
    if not growth or not exponent.is_polynomial(k) or not rest.is_rational_function(k):
        return None
    g = sympy.Poly(exponent, k)
    num, den = (sympy.Poly(part, k) for part in sympy.fraction(rest))
    if g.degree() < 1 or not ball(g.LC()).real < 0 or num.degree() > den.degree():
        return None
    C = (
        sympy.Rational(9, 8) * _upper(ball(abs(num.LC() / den.LC())))
        if num.degree() == den.degree()
        else sympy.S.One
    )
    K = max(start, 1)
    while K <= _TAIL_START_LIMIT:
        K = _positive_from(C**2 * den**2 - num**2, k, K, ball)
        if K is None:
            return None
        falling = _positive_from(-g.diff(k), k, K, ball)
        if falling is None:
            return None
        K = falling
        rho = ball(C * sympy.exp(g.as_expr().subs(k, K)))
        if rho.real < 1:
            return K, ball(_upper(rho))
        K *= 2
    return None


def _positive_from(poly: sympy.Poly, k: Symbol, K: int, ball: _Enclose) -> int | None:
    """The least K' among K, 2K, 4K, ... such that poly(K' + s) has only positive
    coefficients as a polynomial in s (so poly > 0 for every k >= K')."""
    s = sympy.Dummy("s")
    while K <= _TAIL_START_LIMIT:
        shifted = sympy.Poly(poly.as_expr().subs(k, K + s), s)
        coefficients = [ball(c) for c in shifted.all_coeffs()]
        if all(c.real > 0 for c in coefficients):
            return K
        K *= 2
    return None


def _tail_bound(value: acb, rho: acb, decay: int, n: int) -> arb:
    """An upper bound on the series' remainder from the term at ``n`` on: |f(n)| / (1 - rho)
    by the ratio test, or M (n^-d + n^(1-d) / (d - 1)) for |f(k)| <= M k^-d."""
    if decay == 0:
        bound = abs(value) / (1 - rho.real)
    else:
        bound = rho.real * (arb(n) ** (-decay) + arb(n) ** (1 - decay) / (decay - 1))
    return bound.mid() + bound.rad()


def _unwrapped(exc: BaseException) -> BaseException:
    """The budget's alarm inside an exception that passed through C code (which wraps it in
    a SystemError); anything else is a failure to enclose, not a verdict."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BudgetExceeded):
            return seen
        seen = seen.__cause__ or seen.__context__
    return NoBall(f"an integrand Arb could not evaluate ({type(exc).__name__})")


def _midpoint(ball: acb) -> mpmath.mpf:
    man, exp = ball.real.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


def _separating_digits(a: acb, b: acb) -> int:
    """Enough digits for the printed balls to show where they part (30 at least)."""
    gap, size = _midpoint(abs(a - b)), _midpoint(abs(a) + abs(b))
    if gap == 0 or size == 0:
        return 30
    return max(30, min(3100, int(mpmath.log10(size / gap)) + 6))


def _text(ball: acb, digits: int = 30) -> str:
    if ball.imag == 0:
        return ball.real.str(digits, radius=True)
    return ball.str(digits, radius=True)


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


def _analytic_at(f: type, x: acb) -> bool:
    """Whether the principal branch of ``f`` is analytic on the ball ``x`` (away from its cuts):
    the functions not named here are entire or meromorphic (poles give non-finite balls)."""
    if f in (sympy.asin, sympy.acos):
        return bool(x.real > -1 and x.real < 1)
    if f is sympy.atan:
        return bool(x.imag > -1 and x.imag < 1)
    if f is sympy.loggamma:
        return bool(x.real > 0)
    return True


def _integer_power(base: acb, k: int) -> acb:
    if k < 0 and base.contains(0):
        raise NoBall("a negative power of a ball containing 0")
    return base**k


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
    """Ball evaluation at a point; ``continued`` evaluates a real integrand on the complex balls
    that Arb's integration asks for: each real function stands for its analytic continuation,
    and with ``analytic`` set a value is non-finite wherever that continuation is not
    analytic on the ball (branch cuts, kinks, jumps)."""

    def __init__(self, env: Point, complex_values: bool, continued: bool = False) -> None:
        self.env = env
        self.complex = complex_values
        self.continued = continued

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
            return self._fold(e, an, acb(0), _add)
        if isinstance(e, sympy.Product):
            return self._fold(e, an, acb(1), _multiply)
        if isinstance(e, sympy.Integral):
            return self._integral(e)
        if isinstance(e, sympy.Piecewise):
            return self._piecewise(e.args, an)
        if isinstance(e, sympy.Derivative):
            # sympy's differentiation is exact; a derivative it cannot take has no ball.
            done = rename_apart(e).doit()
            if done.has(sympy.Derivative):
                raise NoBall(f"the derivative {e}, which sympy does not take")
            return self._value(done, an)
        return self._function(e, an)

    def _piecewise(self, pieces: tuple, an: bool) -> acb:
        for k, (value, cond) in enumerate(pieces):
            try:
                holds = self._truth(cond)
            except _Undecided:
                if not self.continued or an:
                    raise
                # Where the ball straddles a jump, the integrand's values over it lie in the
                # union of the branches that may apply: an enclosure, which is all Arb asks
                # for off the analytic path.
                rest = self._piecewise(pieces[k + 1 :], an) if k + 1 < len(pieces) else None
                here = self._value(value, an)
                return here if rest is None else here.union(rest)
            if holds:
                return self._value(value, an)
        raise Undefined("no branch of the piecewise expression applies")

    def _pow(self, e: sympy.Pow, an: bool) -> acb:
        base = self._value(e.base, an)
        if e.exp.is_Integer:
            return _integer_power(base, int(e.exp))
        if e.exp == sympy.S.Half and not self.complex:
            if not self.continued:
                _positive(base, "a square root")
            return base.sqrt(analytic=an)
        exponent = self._value(e.exp, an)
        if exponent.imag == 0 and exponent.real.is_integer():
            # An exponent that is an exact integer at this point, though not a literal one
            # (a*b at a = 2, b = 1/2): the power of a negative base is real there.
            return _integer_power(base, int(exponent.real.unique_fmpz()))
        if not self.complex and not self.continued:
            _positive(base, "a fractional power")
        return base.pow(exponent, analytic=an)

    def _function(self, e: Expr, an: bool) -> acb:
        f = e.func
        if f in (PModel, PData, PDataX):
            return self._measure(e, an)
        if f not in _KNOWN:
            name = getattr(f, "__name__", str(f))
            raise NoBall(f"no ball implementation of {name}")
        args = [self._value(a, an) for a in e.args]
        if f is sympy.log:
            if not self.complex and not self.continued:
                _positive(args[0], "log")
            return args[0].log(analytic=an)
        if self.continued and an and not _analytic_at(f, args[0]):
            return acb("nan")
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
        if f in (sympy.asin, sympy.acos) and self.continued:
            return args[0].asin() if f is sympy.asin else args[0].acos()
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

    def _measure(self, e: Expr, an: bool) -> acb:
        """p_model, p̂_data(y | x) and p̂_data(x) of the sampled instance: the data, the model's
        coefficients and the parameter are exact binary fractions, so the softmax and the
        frequencies are enclosed like any other expression."""
        if self.complex or self.continued:
            raise NoBall("a probability of the model or the data at a complex point")
        inst = self.env.instance
        args = [self._exact_real(self._value(a, an), e) for a in e.args]
        if isinstance(e, PDataX):
            return acb(Counter(inst.xs)[args[0]]) / inst.n
        label, feature = args[0], args[1]
        if isinstance(e, PData):
            marginal = Counter(inst.xs)[feature]
            if marginal == 0:
                raise Undefined(f"p_data(y | x) at x = {mpmath.nstr(feature, 10)}, not observed")
            return acb(inst.counts()[(feature, label)]) / marginal
        model, param = inst.model, self._value(e.args[2], an)
        fitted = dict(model.fit)
        if feature in fitted:
            return acb(1 if label == fitted[feature] else 0)
        if label != int(label) or int(label) not in model.labels:
            return acb(0)
        x = _exact(feature)
        weights = [
            (_exact(a) * param * x + _exact(b) * param**2 + _exact(c)).exp()
            for a, b, c in model.coefficients
        ]
        return weights[model.labels.index(int(label))] / sum(weights, acb(0))

    def _exact_real(self, ball: acb, e: Expr) -> mpmath.mpf:
        # Data and labels are looked up by value: only an exact point names one.
        if not (ball.imag == 0 and ball.real.is_exact()):
            raise NoBall(f"an argument of {e.func.__name__} that is not an exact number")
        return _midpoint(ball)

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
        raise _Undecided(f"the condition {cond} is not decided on the ball")

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
            if len(limits) != 1 or op is not _add:
                raise NoBall("an infinite product, or a series of series")
            return start + self._series(function, var, lo, hi)
        a, b = self._integer(lo), self._integer(hi)
        if b - a > MAX_TERMS:
            raise NoBall(f"a sum of more than {MAX_TERMS} terms")
        acc = start
        for k in range(a, b + 1):
            sub = _Ball(self.env.with_bound({var: mpmath.mpf(k)}), self.complex, self.continued)
            value = (
                sub.value(function, an)
                if len(limits) == 1
                else sub._fold_limits(function, limits[:-1], an, start, op)
            )
            acc = op(acc, value)
        return acc

    def _series(self, term: Expr, var: Symbol, lo: Expr, hi: Expr) -> acb:
        """An infinite series: a partial sum plus a ball that holds the tail (see
        :func:`_tail`), the rest of the series, by a bound proved at this point."""
        if self.complex or self.continued:
            raise NoBall("a series of complex terms, or inside an integrand")
        k = sympy.Dummy("k", integer=True)
        if lo.is_infinite and hi.is_infinite:
            return self._series(term, var, sympy.S.Zero, hi) + self._series(
                term.subs(var, -var), var, sympy.S.One, hi
            )
        if lo.is_infinite:
            return self._series(term.subs(var, -var), var, -hi, -lo)
        start = self._integer(lo)
        exact = _exact_term(term.subs(var, k), k, self.env)
        first, rho, decay = _tail(exact, k, start, _Ball(self.env, False).value)
        acc = acb(0)
        target = arb(2) ** (-ctx.prec)
        for n in range(start, start + MAX_TERMS):
            value = _Ball(self.env.with_bound({var: mpmath.mpf(n)}), False).value(term)
            if n >= first:
                bound = _tail_bound(value, rho, decay, n)
                if bound < target * (1 + abs(acc.real)) or n == start + MAX_TERMS - 1:
                    return acc + acb(arb(0, bound))
            acc += value
        raise NoBall(f"a series whose proved tail bound starts past {MAX_TERMS} terms")

    def _integer(self, e: Expr) -> int:
        v = self._value(e, False)
        if not v.imag == 0 or not v.real.is_integer():
            raise NoBall(f"the summation bound {e} is not an exact integer")
        return int(v.real.unique_fmpz())

    def _integral(self, node: sympy.Integral) -> acb:
        if self.complex or self.continued:
            raise NoBall("an integral of a complex integrand, or inside another integrand")
        if len(node.limits) != 1 or len(node.limits[0]) != 3:
            raise NoBall("multiple or indefinite integrals")
        var, lo, hi = node.limits[0]
        if lo.is_infinite or hi.is_infinite:
            raise NoBall("an integral over an infinite range (no proved tail bound for it here)")
        a, b = self._value(lo, False), self._value(hi, False)
        body = node.function
        # Arb calls the integrand from C: an exception escaping it (the time budget's alarm)
        # would surface as a SystemError, so it is kept, and raised once Arb has returned.
        failure: list[BaseException] = []

        def integrand(t: acb, analytic: bool) -> acb:
            if failure:
                return acb("nan")
            try:
                return _Ball(self.env.with_bound({var: t}), False, True)._value(body, analytic)
            except (NoBall, Undefined, ZeroDivisionError, ValueError):
                return acb("nan")
            except BaseException as exc:
                failure.append(exc)
                return acb("nan")

        points = [a, *self._cuts(body, var, a, b), b]
        total = acb(0)
        try:
            for left, right in itertools.pairwise(points):
                total += acb.integral(
                    integrand, left, right, eval_limit=_EVALS_PER_BIT * ctx.prec
                )
        except SystemError as exc:
            # The alarm rang in Arb's own code, between two calls of the integrand.
            failure.append(exc)
        if failure:
            raise _unwrapped(failure[0])
        # A wide ball is Arb giving up short of the precision asked: climbing to more bits
        # would cost more and give up again.
        loose = arb(2) ** (-(ctx.prec // 4)) * (1 + abs(total.mid()))
        if not total.is_finite() or total.rad() > loose:
            raise NoBall("an integral Arb could not enclose (a singularity, or too many pieces)")
        return total

    def _cuts(self, body: Expr, var: Symbol, a: acb, b: acb) -> list[acb]:
        lo, hi = _midpoint(a), _midpoint(b)
        with mpmath.workdps(ctx.dps + 5):
            found = _breakpoints(body, var, lo, hi)
        # A cut need not be exact: each piece only has to avoid the kink in its interior, and
        # the pieces' ends meet wherever the cut is.
        return [_exact(v) for v in found]
