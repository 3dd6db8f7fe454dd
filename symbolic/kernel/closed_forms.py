"""Closed forms of definite sums and integrals, for the kernel: part of the trusted base.

sympy's value for a sum or an integral is used only where it holds. sympy states where it does
as a Piecewise: a branch is taken only when its condition is established from the symbols'
assumptions and from the domain facts of the claim (see :func:`domain_facts`), never assumed.
A piece without an accepted value stays unevaluated, and must then cancel syntactically.

>>> from sympy import Symbol, Sum, factorial, oo, exp
>>> lam, x = Symbol("lam", positive=True), Symbol("x", integer=True, nonnegative=True)
>>> evaluate(Sum(x * lam**x / factorial(x), (x, 0, oo)), ())[0]
lam*exp(lam)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from functools import lru_cache

import mpmath
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
from sympy.core.sorting import default_sort_key

from symbolic.kernel.assumptions import fresh

__all__ = ["assumed_set", "domain_facts", "holds", "evaluate", "order_cases"]

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


def assumed_set(s: Symbol) -> sympy.Set | None:
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
    return _holds(cond, _relevant(facts, cond))


@lru_cache(maxsize=4096)
def _holds(cond: sympy.Basic, facts: tuple[Expr, ...]) -> bool:
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
    allowed = assumed_set(s)
    if allowed is None:
        return False
    try:
        for fact in facts:
            if fact.free_symbols == {s}:
                allowed = allowed.intersect((fact > 0).as_set())
        return allowed.is_subset(cond.as_set()) is True
    except Exception:  # sympy cannot solve every inequality: then nothing is established
        return False


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


def _sum_value(s: Sum, facts: tuple[Expr, ...], used: dict[str, None]) -> Expr:
    if len(s.limits) != 1:
        return s
    var, lo, hi = s.limits[0]
    count = hi - lo + 1
    if count.is_Integer and count <= FEW_TERMS:
        # A reversed range is empty: 0, whatever Karr's convention would say.
        terms = [s.function.subs(var, lo + k) for k in range(max(int(count), 0))]
        if not all(finite_value(term) for term in terms):
            return s
        used["a sum of few terms expanded"] = None
        return Add(*terms)
    if s.function.has(binomial(hi, var)):
        moment = _binomial_moment(s)
        if moment is not None and (hi - lo + 1).is_nonnegative:
            used["the binomial theorem, differentiated for the moments"] = None
            return moment
    if not _defined_on_range(s.function, var, lo, hi):
        return s
    infinite = hi.is_infinite or lo.is_infinite
    terms = Add.make_args(expand(s.function, basic=False))
    if infinite and len(terms) > 1:
        # Σ (f + g) = Σ f + Σ g over an infinite range when each piece converges (here the
        # claim's domain facts are known, as they are not in the kernel's normalization).
        pieces = [Sum(term, s.limits[0]) for term in terms]
        if all(convergent(piece, facts) for piece in pieces):
            used["linearity of convergent series"] = None
            return Add(*(_sum_value(piece, facts, used) for piece in pieces))
        return s
    if hi is sympy.oo and not lo.is_infinite:
        divergent = _divergent_rational(s.function, var)
        if divergent is not None:
            used["a rational series whose terms do not fall faster than 1/k diverges"] = None
            return divergent
    value, rule = _closed_sum(s, _relevant(facts, s))
    if value is None:
        return s
    used[rule] = None
    return value


# The mutants of one step, and the steps of one derivation, meet the same sums again and again;
# a closed form and a convergence test depend on the expression and the facts alone (a symbol's
# assumptions are part of it), and a budget that stops one leaves nothing cached.
@lru_cache(maxsize=2048)
def _closed_sum(s: Sum, facts: tuple[Expr, ...]) -> tuple[Expr | None, str]:
    var, lo, hi = s.limits[0]
    try:
        value = sympy.summation(s.function, s.limits[0])
    except Exception:  # sympy raises any type from deep inside: no value, not a verdict
        return None, ""
    accepted = _established(value, facts, Sum)
    if accepted is None or not finite_value(accepted):
        return None, ""
    if hi.is_infinite or lo.is_infinite:
        if not convergent(s, facts):
            return None, ""
        return accepted, (
            "sympy's value of a convergent series (convergence tested, conditions established)"
        )
    if not certified(s.function, var, lo, hi, accepted):
        return None, ""
    return accepted, (
        "sympy's closed form F of a sum, certified: F(hi) - F(hi-1) = f(hi), F(lo-1) = 0, "
        "hi >= lo - 1, f defined on the range"
    )


def _divergent_rational(f: Expr, var: Symbol) -> Expr | None:
    """±∞ for Σ_{k=lo}^∞ f(k) with f = P/Q rational in k, deg P >= deg Q - 1 and the sign of
    lc(P)/lc(Q) proved: from some k on, f(k) has that sign and |f(k)| >= c/k for a c > 0, so
    the tail diverges by comparison with the harmonic series; the finitely many terms before
    are finite (the caller has checked f is defined on the range)."""
    if not f.has(var) or not f.is_rational_function(var):
        return None
    num, den = (sympy.Poly(part, var) for part in sympy.fraction(sympy.cancel(f)))
    if num.degree() < den.degree() - 1:
        return None
    lead = num.LC() / den.LC()
    if lead.is_positive is True:
        return sympy.oo
    if lead.is_negative is True:
        return -sympy.oo
    return None


def _divergent_pole(f: Expr, var: Symbol, lo: Expr, hi: Expr) -> Expr | None:
    """±∞ for ∫_lo^hi f with f = P/Q rational in the variable, numeric ends, no zero of Q
    strictly inside, and at an end e a zero of Q of order m >= 1 where P(e) != 0: near e,
    |f| >= c/|t - e|^m with c > 0, whose integral diverges, with the sign f has there. Both
    ends diverging with opposite signs (∞ - ∞) is no value."""
    if not (lo.is_number and hi.is_number and lo.is_finite and hi.is_finite):
        return None
    if not f.has(var) or not f.is_rational_function(var) or (hi - lo).is_positive is not True:
        return None
    num, den = (sympy.Poly(part, var) for part in sympy.fraction(sympy.cancel(f)))
    if not all(c.is_number for c in (*num.all_coeffs(), *den.all_coeffs())):
        return None
    inside = sympy.Interval.open(lo, hi)
    if any(r in inside for r in sympy.real_roots(den)):
        return None
    signs = []
    for end, side in ((lo, 1), (hi, -1)):
        m = 0
        q = den
        while q.eval(end) == 0:
            q, m = q.diff(var), m + 1
        if m == 0:
            continue
        at = num.eval(end)
        if at == 0:
            return None
        # Near the end, Q(t) ≈ Q^(m)(e)/m! (t - e)^m, and (t - e)^m has the sign side^m.
        sign = sympy.sign(at) * sympy.sign(q.eval(end)) * side**m
        signs.append(sign)
    if not signs or len(set(signs)) != 1:
        return None
    return sympy.oo if signs[0] > 0 else -sympy.oo


def _relevant(facts: Iterable[Expr], expr: Expr) -> tuple[Expr, ...]:
    """The facts that mention a symbol of ``expr``, once each and in a fixed order: a fact is
    only ever used for the symbols it mentions, and the cached values are keyed by these."""
    symbols = expr.free_symbols
    return tuple(sorted({f for f in facts if f.free_symbols & symbols}, key=default_sort_key))


def convergent(s: Sum, facts: tuple[Expr, ...] = ()) -> bool:
    """Whether a series over k = lo..∞ is proved convergent: by sympy's tests, or by the
    ratio test, |f(k+1)/f(k)| tending to a limit below 1 (sympy's tests refuse series with
    other symbols, such as a Poisson mean in λ)."""
    return _convergent(s, _relevant(facts, s))


@lru_cache(maxsize=2048)
def _convergent(s: Sum, facts: tuple[Expr, ...]) -> bool:
    try:
        if s.is_convergent() is True:
            return True
    except Exception:  # sympy's convergence tests raise on what they cannot decide
        pass
    if len(s.limits) != 1 or s.limits[0][2] is not sympy.oo:
        return False
    var, f = s.limits[0][0], s.function
    limit = _ratio_limit(f.as_independent(var, as_Add=False)[1], var)
    if limit is None:
        return False
    return (limit - 1).is_negative is True or holds(limit < 1, facts)


@lru_cache(maxsize=1024)
def _ratio_limit(f: Expr, var: Symbol) -> Expr | None:
    try:
        ratio = sympy.simplify(f.subs(var, var + 1) / f)
        return sympy.limit(sympy.Abs(ratio), var, sympy.oo)
    except Exception:  # no limit found: nothing is established
        return None


def certified(f: Expr, var: Symbol, lo: Expr, hi: Expr, value: Expr) -> bool:
    """Whether ``value`` is Σ_{var=lo}^{hi} f, by induction on hi from the empty sum.

    F(hi) - F(hi - 1) = f(hi) for every integer hi and F(lo - 1) = 0 give F(hi) = the sum for
    every hi >= lo - 1, which must hold (a range with hi < lo - 1 is empty too, where F need not
    vanish). f must not mention hi (else F(hi) - F(hi-1) is not the last term).

    >>> from sympy import S
    >>> k, n = Symbol("k", integer=True), Symbol("n", integer=True, positive=True)
    >>> certified(k, k, S.One, n, n * (n + 1) / 2), certified(k, k, S.One, n, n**2)
    (True, False)
    """
    if not (isinstance(hi, Symbol) and hi.is_integer and lo.is_integer) or f.has(hi):
        return False
    if (hi - lo + 1).is_nonnegative is not True:
        return False
    m = sympy.Dummy("m", integer=True)
    try:
        step = sympy.simplify(value.subs(hi, m) - value.subs(hi, m - 1) - f.subs(var, m))
        base = sympy.simplify(value.subs(hi, lo - 1))
    except Exception:  # sympy raises any type from deep inside: no certificate
        return False
    return step == 0 and base == 0


def _defined_on_range(f: Expr, var: Symbol, lo: Expr, hi: Expr) -> bool:
    """Whether no term of the sum divides by 0: every denominator's integer zeros lie outside
    [lo, hi] (provably), and a denominator that is not a polynomial in var is nonzero on the
    integers >= lo."""
    for node in sympy.preorder_traversal(f):
        if not (isinstance(node, sympy.Pow) and node.exp.is_negative and node.base.has(var)):
            continue
        d = node.base
        if d.is_polynomial(var):
            try:
                zeros = sympy.Poly(d, var).all_roots() if d.free_symbols == {var} else None
            except Exception:
                zeros = None
            if zeros is None:
                return False
            for z in zeros:
                if z.is_integer and not ((z - lo).is_negative or (hi - z).is_negative):
                    return False
        else:
            nonneg = sympy.Dummy("k", integer=True, nonnegative=True)
            if not d.subs(var, nonneg + lo).is_nonzero and lo.is_finite:
                return False
    return True


# Integrals over [a, b] with a >= 0 are written in this one positive variable, so that pieces
# from different integrals can be compared and merged.
_V = sympy.Dummy("v", positive=True)


def _canonical(integral: Integral, used: dict[str, None]) -> Integral:
    var, lo, hi = integral.limits[0]
    inside = lo.is_nonnegative and hi.is_extended_nonnegative
    if not inside or integral.function.has(Integral, _V):
        return integral
    # Between two ends >= 0 the variable is positive inside, as _V says to sympy.
    body = integral.function.xreplace({var: _V})
    if lo == 0 and hi.is_positive and hi.is_finite:
        # A density's endpoint substitution w = v**q (quadrature in w is smooth) undone: for
        # q > 0 it maps (0, hi**(1/q)) increasingly onto (0, hi).
        # The substitution shows as powers v**(1/q); a plain power v**q is left alone.
        body = sympy.powsimp(body, combine="exp")
        exponents = {p.exp for p in body.atoms(sympy.Pow) if p.base == _V}
        roots = {e.base for e in exponents if e.is_Pow and e.exp == -1}
        for q in sorted(roots, key=str):
            if q.is_positive:
                body = body.xreplace({_V: _V**q}) * q * _V ** (q - 1)
                used[f"the substitution w = v**{q} (v > 0, increasing) undone"] = None
                return Integral(body, (_V, 0, hi ** (1 / q)))
    return Integral(body, (_V, lo, hi))


def order_cases(expr: Expr) -> tuple[str, list[dict[Symbol, Expr]]]:
    """The cases of the order of two reals compared by a Min, a Max or a Piecewise condition.

    For ``Min(a, s)`` or ``a <= s`` with ``s`` a real symbol not in ``a``: ``s = a + d``,
    ``s = a - d`` (a positive ``d``) and ``s = a`` cover every real ``s``, so an identity proved
    in the three cases holds. Without such a comparison, the single empty case.
    """
    conditions = [c for pw in expr.atoms(Piecewise) for _, c in pw.args]
    compared = {
        *expr.atoms(sympy.Min, sympy.Max),
        *(r for c in conditions for r in c.atoms(sympy.core.relational.Relational)),
    }
    for node in sorted(compared, key=sympy.default_sort_key):
        if len(node.args) != 2:
            continue
        for a, s in (node.args, node.args[::-1]):
            if isinstance(s, Symbol) and s.is_real and a.is_real and not a.has(s):
                # Between integers the gap is a positive integer: s keeps its integrality.
                whole = {"integer": True} if s.is_integer and a.is_integer else {}
                # One gap per comparison: the same claim split again meets the same cases.
                d = fresh("d", ("gap", node, s), positive=True, **whole)
                how = f"in each order of {a} and {s} ({s} = {a} + d, {a} - d with d > 0, or {a})"
                return how, [{s: a + d}, {s: a - d}, {s: a}]
    return "", [{}]


def _signs_resolved(integral: Integral) -> Integral:
    """|e| = ±e on the interval when e is linear in the variable with one sign at both ends
    (a linear function keeps its sign between two points where it has it)."""
    var, lo, hi = integral.limits[0]

    def sign_at(e: Expr, end: Expr, slope: Expr) -> Expr:
        if end.is_infinite:
            return slope * end
        return e.subs(var, end)

    def resolve(node: sympy.Abs) -> Expr:
        e = node.args[0]
        slope = sympy.diff(e, var)
        if not e.has(var) or slope.has(var) or not slope.is_real:
            return node
        ends = (sign_at(e, lo, slope), sign_at(e, hi, slope))
        if all(v.is_extended_nonnegative for v in ends):
            return e
        if all(v.is_extended_nonpositive for v in ends):
            return -e
        return node

    body = integral.function.replace(lambda n: isinstance(n, sympy.Abs), resolve)
    return Integral(body, integral.limits[0])


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


def _integrand_terms(integral: Integral, used: dict[str, None], splits: list[Integral]) -> Expr:
    """Linearity of a definite integral: pull out what is free of the variable, split sums.

    ∫ (f + g) = ∫ f + ∫ g only when both pieces are integrable (else it is ∞ - ∞);
    :func:`evaluate` keeps a split only when every piece gets an established finite value (a
    piece that cancels with another too), and ``splits`` collects the pieces.
    """
    if len(integral.limits) != 1 or len(integral.limits[0]) != 3:
        return integral
    total, pieces, rules = _split_integral(integral)
    splits.extend(pieces)
    used.update(dict.fromkeys(rules))
    return total


# Pure in the integral; the mutants of a step split the same integrals again.
@lru_cache(maxsize=1024)
def _split_integral(integral: Integral) -> tuple[Expr, tuple[Integral, ...], tuple[str, ...]]:
    used: dict[str, None] = {}
    integral = _canonical(_signs_resolved(integral), used)
    var = integral.limits[0][0]
    body = expand(expand_log(integral.function), power_exp=False, log=False, basic=False)
    terms = Add.make_args(body)
    total = sympy.S.Zero
    pieces = []
    for term in terms:
        coeff, dependent = term.as_independent(var, as_Add=False)
        # Powers of one base gathered: pieces of one integrand compare equal when merging.
        piece = Integral(sympy.powsimp(dependent, combine="exp"), integral.limits[0])
        if len(terms) > 1:
            pieces.append(piece)
        total += coeff * piece
    return total, tuple(pieces), tuple(used)


def _integrable(piece: Integral, merged: list[Integral], facts: tuple[Expr, ...]) -> bool:
    """A piece of a split is integrable when it, or the merged integral of the same integrand
    it became part of, has an established finite value. A piece that cancelled with another
    before merging is judged on its own."""
    holders = [m for m in merged if m.function == piece.function] or [piece]
    return all(finite_value(_integral_value(m, facts, {})) for m in holders)


def coeff_free(integral: Integral) -> Expr:
    """A constant factor taken out of an integral: ∫ c f = c ∫ f holds whenever either exists."""
    var = integral.limits[0][0]
    coeff, dependent = integral.function.as_independent(var, as_Add=False)
    return coeff * Integral(dependent, integral.limits[0])


def finite_value(value: Expr) -> bool:
    """Whether a value is established and finite: no integral or sum left, not ±∞ or NaN."""
    if value.has(Integral, Sum, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    return value.is_finite is not False


def _merged(
    expr: Expr, used: dict[str, None], merged: list[Integral] | None = None
) -> Expr:
    """Additivity over intervals: c ∫_a^b g + c ∫_b^e g = c ∫_a^e g, where a piece in the positive
    variable may first be reflected, ∫_a'^b' h(t) dt = ∫_b^(b+b'-a') h(L - v) dv, L = b + b'.

    Oriented integrals add whatever the order of a, b, e; only the positive variable needs its
    pieces in order, so that it stays positive on the merged interval.
    """
    pieces: list[list[Expr]] = []
    rest = sympy.S.Zero
    for term in Add.make_args(expand(expr, deep=False, basic=False)):
        found = [f for f in sympy.Mul.make_args(term) if isinstance(f, Integral)]
        if len(found) == 1 and len(found[0].limits) == 1 and len(found[0].limits[0]) == 3:
            pieces.append([term / found[0], found[0].function, *found[0].limits[0]])
        else:
            rest += term
    merging = True
    while merging:
        merging = False
        for i, j in itertools.permutations(range(len(pieces)), 2):
            a, b = pieces[i], pieces[j]
            if a[0] != b[0]:
                continue
            # The merged piece is in a's variable: a positive one needs both pieces in order.
            positive = a[2].is_positive is True
            if positive and not all((p[4] - p[3]).is_extended_nonnegative for p in (a, b)):
                continue
            # Renaming b's variable to a's must not capture a free symbol of b's integrand.
            renamed = b[2] == a[2] or a[2] not in b[1].free_symbols
            if renamed and a[1] == b[1].xreplace({b[2]: a[2]}) and a[4] == b[3]:
                a[4] = b[4]
                used["additivity over adjacent intervals"] = None
            elif (
                a[2] == b[2] == _V
                and a[4].is_finite
                and b[4].is_finite
                and _reflects(b[1], a[1], a[4] + b[4])
            ):
                a[4] = a[4] + b[4] - b[3]
                used["additivity over adjacent intervals after a reflection v -> L - v"] = None
            else:
                continue
            del pieces[j]
            merging = True
            break
    integrals = [Integral(g, (v, lo, hi)) for _, g, v, lo, hi in pieces]
    if merged is not None:
        # The pieces before the sum cancels any: a piece that cancels must be integrable too.
        merged += integrals
    return rest + Add(*(p[0] * integral for p, integral in zip(pieces, integrals, strict=True)))


def _reflects(h: Expr, g: Expr, centre: Expr) -> bool:
    return expand(h.xreplace({_V: centre - _V}) - g) == 0


def _euler(body: Expr, var: Symbol, lo: Expr, hi: Expr, facts: tuple[Expr, ...]) -> Expr | None:
    """Euler's integrals, differentiated under the integral sign in their parameters:

    ∫_0^1 v^(p-1) (1-v)^(q-1) log(v)^m log(1-v)^k dv = ∂_p^m ∂_q^k B(p, q)  (p, q > 0),
    ∫_0^oo v^(p-1) exp(-c v) log(v)^m dv = ∂_p^m (Γ(p) c^(-p))  (p, c > 0).

    Both converge on the open set p, q, c > 0, analytic there, so the derivatives may be taken
    inside; the conditions must be established at the point.
    """
    if lo != 0 or hi not in (sympy.S.One, sympy.oo):
        return None
    p, q, c, m, k = sympy.S.One, sympy.S.One, sympy.S.Zero, 0, 0
    coeff = sympy.S.One
    for factor in sympy.Mul.make_args(body):
        base, power = factor.as_base_exp()
        if not factor.has(var):
            coeff *= factor
        elif isinstance(factor, exp) and hi is sympy.oo and not (factor.args[0] / var).has(var):
            c -= factor.args[0] / var
        elif power.has(var):
            return None
        elif base == var:
            p += power
        elif hi == 1 and base == 1 - var:
            q += power
        elif base == log(var) and power.is_Integer and power > 0:
            m += int(power)
        elif hi == 1 and base == log(1 - var) and power.is_Integer and power > 0:
            k += int(power)
        else:
            return None
    s, t = sympy.Dummy("s"), sympy.Dummy("t")
    if hi == 1:
        if not (holds(p > 0, facts) and holds(q > 0, facts)):
            return None
        value = sympy.diff(sympy.beta(s, t), s, m, t, k).subs({s: p, t: q})
    else:
        if not (holds(p > 0, facts) and holds(c > 0, facts)):
            return None
        value = sympy.diff(sympy.gamma(s) * t ** (-s), s, m).subs({s: p, t: c})
    return coeff * value


def _cauchy_log(
    body: Expr, var: Symbol, lo: Expr, hi: Expr, facts: tuple[Expr, ...]
) -> Expr | None:
    """∫_(-π/2)^(π/2) log(a t² + b t + c) du with t = tan(u), a > 0 and b² <= 4ac:

    t = tan(u) maps the interval onto the line with du = dt/(1 + t²), so the integral is π times
    the mean of log(a |t - w̄|²) under the standard Cauchy law, w = r + i s with s >= 0. That law
    is the Poisson kernel of the upper half-plane at i, and log|z - w̄|² is harmonic there with
    logarithmic growth: the mean is log a + log|i - w̄|² = log a + log(r² + (1 + s)²).
    """
    if not (isinstance(body, log) and lo == -sympy.pi / 2 and hi == sympy.pi / 2):
        return None
    t = sympy.Dummy("t")
    arg = expand(body.args[0].xreplace({sympy.tan(var): t}))
    if arg.has(var) or not arg.is_polynomial(t):
        return None
    poly = sympy.Poly(arg, t)
    if poly.degree() != 2:
        return None
    a, b, c = poly.all_coeffs()
    if b.is_real is not True:
        return None
    r = -b / (2 * a)
    s2 = sympy.factor(expand(c / a - r**2))
    if not (holds(a > 0, facts) and holds(s2 >= 0, facts)):
        return None
    return sympy.pi * (log(a) + log(r**2 + (1 + sympy.sqrt(s2)) ** 2))


def _integral_value(integral: Integral, facts: tuple[Expr, ...], used: dict[str, None]) -> Expr:
    # A piece is valued once to see that it is finite (before a split) and again after it.
    value, rules = _cached_integral_value(integral, _relevant(facts, integral))
    used.update(dict.fromkeys(rules))
    return value


@lru_cache(maxsize=2048)
def _cached_integral_value(
    integral: Integral, facts: tuple[Expr, ...]
) -> tuple[Expr, tuple[str, ...]]:
    used: dict[str, None] = {}
    return _integral_value_uncached(integral, facts, used), tuple(used)


def _integral_value_uncached(
    integral: Integral, facts: tuple[Expr, ...], used: dict[str, None]
) -> Expr:
    if len(integral.limits) != 1 or len(integral.limits[0]) != 3:
        return integral
    var, lo, hi = integral.limits[0]
    # Gathering the exponentials first lets sympy see a Gaussian moment, not erfc pieces.
    body = _powers(sympy.powsimp(integral.function), var)
    euler = _euler(body, var, lo, hi, facts)
    if euler is not None:
        used[
            "Euler's beta or gamma integral, differentiated under the integral sign in its "
            "parameters (it converges on the open set where they are positive, as established)"
        ] = None
        return euler
    divergent = _divergent_pole(integral.function, var, lo, hi)
    if divergent is not None:
        used["a rational integrand with a pole at an end of the range diverges"] = None
        return divergent
    harmonic = _cauchy_log(body, var, lo, hi, facts)
    if harmonic is not None:
        used[
            "the mean of log(a t^2 + b t + c) under the Cauchy law, t = tan(u): the Poisson "
            "kernel at i of a function harmonic in the upper half-plane (a > 0, b^2 <= 4ac)"
        ] = None
        return harmonic
    try:
        value = sympy.integrate(body, *integral.limits)
    except Exception:  # sympy raises any type from deep inside: no value, not a verdict
        return integral
    accepted = _established(value, facts, Integral)
    if accepted is None or not finite_value(accepted):
        # An infinite value is a divergent integral, not a number that may cancel.
        return integral
    if not confirmed(body, var, lo, hi, accepted, facts):
        # sympy's definite integrals are sometimes wrong (sympy #30404, #29792): a value is a
        # proposal until a quadrature that shares none of its code agrees.
        return integral
    used[
        "sympy's integration of each piece (any condition it states established, the value "
        "confirmed by quadrature at a point)"
    ] = None
    return sympy.simplify(accepted)


def _probe_points(symbols: list[Symbol]) -> Iterator[dict[Symbol, Expr]]:
    """Points for the other symbols of a confirmed integral: not small integers, where
    special cases hide, all different, in increasing and in decreasing order of the names (a
    fact such as b - a > 0 holds in one of them), each sign as the assumptions say."""
    for order in (1, -1):
        for scale in (sympy.Rational(37, 100), sympy.Rational(113, 100)):
            point = {}
            for k, sym in enumerate(symbols[::order]):
                probe = sympy.Rational(61, 100) + scale * k
                point[sym] = -probe if sym.is_negative else probe
            yield point


def _mp(e: Expr) -> mpmath.mpf:
    if e is sympy.oo or e is -sympy.oo:
        return mpmath.inf if e is sympy.oo else -mpmath.inf
    return mpmath.mpmathify(sympy.N(e, 40))


def confirmed(
    body: Expr, var: Symbol, lo: Expr, hi: Expr, value: Expr, facts: tuple[Expr, ...] = ()
) -> bool:
    """Whether mpmath's quadrature of ∫_lo^hi body d(var) agrees with ``value`` to 20 digits
    at a point of the other symbols where their assumptions and the facts hold.

    >>> from sympy import sqrt, log
    >>> x = Symbol("x", positive=True)
    >>> f = sqrt(1 - x) * log(1 - x)
    >>> confirmed(f, x, 0, 1, sympy.Rational(-4, 9)), confirmed(f, x, 0, 1, sympy.S.Zero)
    (True, False)
    """
    lo, hi = sympy.S(lo), sympy.S(hi)
    others = sorted(
        (body.free_symbols | value.free_symbols | lo.free_symbols | hi.free_symbols) - {var},
        key=str,
    )
    if any(not isinstance(sym, Symbol) or sym.is_integer for sym in others):
        return False
    for point in _probe_points(others):
        if all(holds(f.xreplace(point) > 0) for f in facts if f.free_symbols <= set(point)):
            return _agrees(body, var, lo, hi, value, point)
    return False


def _agrees(
    body: Expr, var: Symbol, lo: Expr, hi: Expr, value: Expr, point: dict[Symbol, Expr]
) -> bool:
    try:
        with mpmath.workdps(30):
            f = sympy.lambdify(var, body.xreplace(point), "mpmath")
            a, b = (_mp(e.xreplace(point)) for e in (lo, hi))
            approx, error = mpmath.quad(f, [a, b], error=True, maxdegree=8)
            exact = _mp(value.xreplace(point))
            if not (mpmath.isfinite(approx) and mpmath.isfinite(exact)):
                return False
            scale = max(abs(exact), mpmath.mpf(1))
            return abs(approx - exact) <= mpmath.mpf(10) ** -20 * scale and error < 1e-20 * scale
    except Exception:  # no quadrature (a complex value, a function mpmath lacks): unconfirmed
        return False


def evaluate(expr: Expr, facts: tuple[Expr, ...]) -> tuple[Expr, tuple[str, ...]]:
    """Replace each definite sum and integral by its established value, piece by piece; return
    the result and the rules used.

    Sums were split by linearity in the kernel's normalization; integrals are split here. A
    piece whose value is conditional on what cannot be established stays as it was.
    """
    used: dict[str, None] = {}
    if expr.has(Sum):
        expr = expr.replace(lambda n: isinstance(n, Sum), lambda n: _sum_value(n, facts, used))
    if expr.has(Integral):
        splits: list[Integral] = []
        rules: dict[str, None] = {}
        split = expr.replace(
            lambda n: isinstance(n, Integral), lambda n: _integrand_terms(n, rules, splits)
        )
        merged: list[Integral] = []
        split = _merged(split, rules, merged)
        valued = split.replace(
            lambda n: isinstance(n, Integral), lambda n: _integral_value(n, facts, rules)
        )
        # Integrable on two adjacent intervals is integrable on their union and conversely, so
        # the pieces are judged after additivity merged them.
        if not all(_integrable(p, merged, facts) for p in splits):
            # A piece without a finite value: the split's obligation (each piece integrable)
            # is open, so each integral is valued whole.
            rules = {}
            valued = expr.replace(
                lambda n: isinstance(n, Integral),
                lambda n: _integral_value(
                    coeff_free(_canonical(_signs_resolved(n), rules)), facts, rules
                ),
            )
        used.update(rules)
        expr = valued
        # B(p, q) = B(q, p): one order of the arguments, so that equal values cancel.
        expr = expr.replace(
            sympy.beta, lambda *a: sympy.beta(*sorted(a, key=sympy.default_sort_key))
        )
    return expr, tuple(used)
