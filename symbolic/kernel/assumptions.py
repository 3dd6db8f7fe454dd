"""What a derivation assumes: the domains of its data and its hypotheses, as the proofs use them.

A data vector's domain is carried by its base: ``x`` may be replaced by a base whose entries are
real, positive or nonnegative integers, so that sympy's assumptions know ``x[i]`` is real. A
hypothesis ``a > b`` (``>=``, ``<``, ``<=``) is used by substitution: every occurrence of ``a``
becomes ``b + P`` with a fresh ``P > 0`` (``>= 0``, ``-P``), an integer when ``a`` and ``b`` are.
Both are sound for claims about every point of the domain: the substituted expression ranges
over (at least) the values the original takes where the hypotheses hold. Whether any point
satisfies them is for the numeric check to find: a proof under unsatisfiable hypotheses would be
vacuous, and the kernel does not call it proved.

>>> from sympy import IndexedBase, Sum, exp, log, Symbol
>>> from symbolic.kernel.measures import N, i, x
>>> w = Symbol("w", real=True)
>>> real_x = {x: IndexedBase("x", real=True)}
>>> symbolic_form(log(exp(-w * x[i])), real_x)
-w*x[i]
>>> symbolic_form(N - 1, {}, (N >= 2,)).is_positive
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy
from sympy import Basic, Derivative, Dummy, Expr, IndexedBase
from sympy.concrete.expr_with_limits import ExprWithLimits

from symbolic.kernel.measures import unfold

__all__ = [
    "Assumptions",
    "bound_apart",
    "fresh",
    "offset_substitution",
    "rename_apart",
    "symbolic_form",
]

_OFFSETS = {
    sympy.StrictGreaterThan: (1, {"positive": True}),
    sympy.GreaterThan: (1, {"nonnegative": True}),
    sympy.StrictLessThan: (-1, {"positive": True}),
    sympy.LessThan: (-1, {"nonnegative": True}),
}


# Fresh symbols made once per key: a claim checked again (a mutant of the same step, the same
# step rendered later) meets the same expressions, so the caches of the closed forms and of
# sympy serve it. Distinct keys get distinct symbols, and no user expression can hold one, so
# each is as fresh as a new Dummy.
_FRESH: dict[tuple[object, ...], Dummy] = {}


def fresh(name: str, key: tuple[object, ...], **assumptions: bool) -> Dummy:
    """The fresh symbol ``name`` for ``key`` (a hypothesis, a comparison, an opaque piece),
    the same one each time it is asked for.

    >>> fresh("d", ("gap",), positive=True) is fresh("d", ("gap",), positive=True)
    True
    """
    key = (name, *key, tuple(sorted(assumptions.items())))
    symbol = _FRESH.get(key)
    if symbol is None:
        symbol = _FRESH[key] = Dummy(name, **assumptions)
    return symbol


def offset_substitution(hypothesis: Basic) -> tuple[Expr, Expr] | None:
    """``(a, b ± P)`` for a hypothesis ``a > b`` (and the like), ``(a, b)`` for ``a == b``, or
    None for another form."""
    if isinstance(hypothesis, sympy.Eq):
        # An equation is used as written: its left side is replaced by its right side.
        return unfold(hypothesis.lhs), unfold(hypothesis.rhs)
    entry = _OFFSETS.get(type(hypothesis))
    if entry is None:
        return None
    sign, kind = entry
    subject, bound = unfold(hypothesis.lhs), unfold(hypothesis.rhs)
    integer = subject.is_integer is True and bound.is_integer is True
    offset = fresh(
        "h", ("offset", hypothesis), **kind, **({"integer": True} if integer else {"real": True})
    )
    return subject, bound + sign * offset


def _between(
    pairs: list[tuple[Expr, Expr]],
    hypotheses: tuple[Basic, ...],
    domains: Mapping[IndexedBase, IndexedBase],
) -> tuple[tuple[Expr, Expr], ...]:
    """One substitution per subject: ``lo < a < hi`` (both strict) becomes
    ``a = (lo + hi P)/(1 + P)`` with ``P > 0``, which keeps both ``a - lo`` and ``hi - a`` visibly
    positive; a subject with one bound keeps its offset form."""
    bounds: dict[Expr, dict[str, Expr]] = {}
    for h in hypotheses:
        h = h.xreplace(dict(domains))
        if isinstance(h, sympy.StrictGreaterThan):
            bounds.setdefault(unfold(h.lhs), {})["lo"] = unfold(h.rhs)
        elif isinstance(h, sympy.StrictLessThan):
            bounds.setdefault(unfold(h.lhs), {})["hi"] = unfold(h.rhs)
    out: list[tuple[Expr, Expr]] = []
    done: set[Expr] = set()
    for subject, value in pairs:
        if subject in done:
            continue
        both = bounds.get(subject, {})
        if "lo" in both and "hi" in both:
            share = fresh("h", ("between", subject, both["lo"], both["hi"]), positive=True)
            value = (both["lo"] + both["hi"] * share) / (1 + share)
        done.add(subject)
        out.append((subject, value))
    return tuple(out)


def _derivatives(expr: Expr) -> Expr:
    # Differentiation is done by sympy's rules (chain, product, sums term by term); the numeric
    # check evaluates the same Derivative by finite differences.
    return expr.replace(
        lambda n: isinstance(n, Derivative), lambda n: rename_apart(n).doit(deep=False)
    )


def rename_apart(node: Derivative) -> Derivative:
    """The derivative with its expression's bound indices renamed away from the variables'
    free ones (alpha-conversion). sympy's rule takes d/dw_k of Σ_k X_k w_k to be Σ_k X_k: the
    bound k read as the free k of w_k."""
    free = set().union(*(v.free_symbols for v, _ in node.variable_count))
    return Derivative(bound_apart(node.expr, free), *node.variable_count)


def bound_apart(expr: Expr, free: set[Basic]) -> Expr:
    """``expr`` with every bound variable (of a Sum, Product, Integral) that is one of ``free``
    renamed to a fresh name with its assumptions. Substituting a hypothesis k = d - h, or
    differentiating in w_k, then cannot reach a bound k."""
    free = {s for s in free if isinstance(s, sympy.Symbol)}
    if not free:
        return expr
    taken = {str(s) for s in expr.atoms(sympy.Symbol)} | {str(s) for s in free}

    def rename(n: ExprWithLimits) -> ExprWithLimits:
        swap = {}
        for var in n.variables:
            if var in free:
                name = next(f"{var}{k}" for k in range(1, 10**6) if f"{var}{k}" not in taken)
                taken.add(name)
                swap[var] = sympy.Symbol(name, **var.assumptions0)
        limits = [(swap.get(lim[0], lim[0]), *lim[1:]) for lim in n.limits]
        return n.func(n.function.xreplace(swap), *limits)

    return expr.replace(
        lambda n: isinstance(n, ExprWithLimits) and bool(free & set(n.variables)), rename
    )


def _deltas(expr: Expr, facts: frozenset[Basic]) -> Expr:
    """Sums against a KroneckerDelta evaluated (sympy's rule: the term at the delta's index
    when it lies in the range), then every condition that is one of the hypotheses made true:
    the claim is only about points where they hold."""
    e = expr.replace(
        lambda n: isinstance(n, sympy.Sum) and n.function.has(sympy.KroneckerDelta),
        lambda n: n.doit(deep=False),
    )
    if not facts:
        return e
    return e.replace(
        lambda n: isinstance(n, sympy.core.relational.Relational) and n.canonical in facts,
        lambda n: sympy.true,
    )


@dataclass(frozen=True)
class Assumptions:
    """The domains of the data and the hypotheses' substitutions, fixed once per check so that
    both sides of a step meet the same fresh offsets; ``facts`` are the hypotheses themselves,
    in canonical form, for the conditions of piecewise values."""

    domains: Mapping[IndexedBase, IndexedBase] = field(default_factory=dict)
    substitutions: tuple[tuple[Expr, Expr], ...] = ()
    facts: frozenset[Basic] = frozenset()

    @classmethod
    def of(
        cls, domains: Mapping[IndexedBase, IndexedBase], hypotheses: tuple[Basic, ...] = ()
    ) -> Assumptions:
        pairs = [offset_substitution(h.xreplace(dict(domains))) for h in hypotheses]
        kept = [p for p in pairs if p is not None]
        facts = frozenset(h.xreplace(dict(domains)).canonical for h in hypotheses)
        return cls(dict(domains), _between(kept, hypotheses, domains), facts)

    def form(self, expr: Expr) -> Expr:
        """``expr`` as the proofs see it: measures unfolded, derivatives taken, data bases
        replaced by the bases of their domains, and the hypotheses substituted in turn (one
        whose subject an earlier one replaced is left to the numeric check)."""
        from symbolic.kernel.checker import normalize

        if not (self.domains or self.substitutions or expr.has(Derivative)):
            return expr
        e = _derivatives(unfold(expr)).xreplace(dict(self.domains))
        if e.has(sympy.KroneckerDelta):
            e = _deltas(e, self.facts)
        for subject, value in self.substitutions:
            # The author's form keeps signs visible ((1 - p)**2 rather than its expansion):
            # the normal form is used only where the subject does not appear as written.
            e = e.xreplace({subject: value})
            normal, target = normalize(e), normalize(subject)
            if normal.has(target):
                e = normal.xreplace({target: value})
        return e

    def variants(self) -> list[Assumptions]:
        """These assumptions without hypotheses, with all of them, then with each alone: a sign
        a proof cannot see through one substitution may show through another."""
        out = [Assumptions(self.domains, (), self.facts)]
        if self.substitutions:
            out.append(self)
        if len(self.substitutions) > 1:
            out.extend(Assumptions(self.domains, (s,), self.facts) for s in self.substitutions)
        return out


def symbolic_form(
    expr: Expr,
    domains: Mapping[IndexedBase, IndexedBase],
    hypotheses: tuple[Basic, ...] = (),
) -> Expr:
    """:meth:`Assumptions.form` with assumptions made for this one expression."""
    return Assumptions.of(domains, hypotheses).form(expr)
