"""The trusted kernel: the only place where a step becomes a checked step.

A step is checked twice. Numerically, both sides are evaluated with mpmath at points sampled
from every symbol's domain, on concrete data (with repeated points) and a concrete model; a
disagreement is a counterexample and the verdict is ``refuted``. Symbolically, the kernel
normalizes both sides with a handful of rewrite rules, each an identity under the symbols'
assumptions, and proves the relation:

* ``=``: the normalized difference is zero (or ``simplify`` makes it so within the budget),
  after definite sums and integrals are replaced by the values :mod:`symbolic.kernel.closed_forms`
  establishes, in each case of the order of two reals a Min, Max or condition compares;
* same argmin/argmax: ``g = a f + c`` with ``a > 0`` proved and ``c`` free of the parameters,
  or ``g = h(f)`` with ``h`` strictly increasing on the range of ``f`` (``a < 0`` or ``h``
  decreasing when the sense flips between argmin and argmax).

A term wrapped in :class:`~symbolic.kernel.measures.Constant` must be proved free of the parameters.
Generators may offer a witness ``h``; the kernel checks it and never takes it on trust.

>>> from symbolic.kernel.measures import NLL, N, CrossEntropy, p_data, p_model
>>> from symbolic.kernel.derivation import Relation, Step
>>> checked = check_step(NLL() / N, Relation.EQ, Step(Relation.EQ, CrossEntropy(p_data, p_model),
...                      "definition of cross-entropy"))
>>> checked.status
<Status.PROVED: 'proved'>
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy
from sympy import (
    Add,
    Expr,
    Indexed,
    IndexedBase,
    MatAdd,
    MatMul,
    MatrixSymbol,
    Piecewise,
    Product,
    Sum,
    Symbol,
    Trace,
    expand,
    expand_log,
    log,
)
from sympy.calculus.util import continuous_domain

from symbolic.kernel import calculus, closed_forms, matrices
from symbolic.kernel.assumptions import Assumptions, bound_apart, fresh
from symbolic.kernel.budget import BudgetExceeded, time_budget
from symbolic.kernel.certify import certify
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.measures import (
    KL,
    Constant,
    DirichletLaw,
    Mean,
    N,
    NormalLaw,
    PModel,
    theta,
    unfold,
    xv,
    yv,
)
from symbolic.kernel.measures import i as data_index
from symbolic.kernel.measures import x as data_x
from symbolic.kernel.measures import y as data_y
from symbolic.kernel.numeric import (
    DataSampler,
    Instance,
    Point,
    Undefined,
    Unsupported,
    VectorSpec,
    close,
    complex_mode,
    evaluate,
    evaluate_traced,
    mean_semantics,
    sample_instances,
    sample_value,
    sample_vector,
    satisfies,
    show,
    tolerance,
    vector_length,
)

__all__ = [
    "Status",
    "Config",
    "CheckedStep",
    "CheckedDerivation",
    "check",
    "check_step",
    "check_in",
    "worst",
    "normalize",
]


class Status(StrEnum):
    """A verdict. Ordered from best to worst by :data:`_RANK`."""

    PROVED = "proved"
    # Proved equal on the set where both sides are defined, and that set is not the same for
    # both: not an identity, and not proved for assert_identity unless the caller allows it.
    WHERE_DEFINED = "where defined"
    NUMERIC = "numeric"
    REFUTED = "refuted"
    UNKNOWN = "unknown"


_RANK = {
    Status.PROVED: 0,
    Status.WHERE_DEFINED: 1,
    Status.NUMERIC: 2,
    Status.UNKNOWN: 3,
    Status.REFUTED: 4,
}


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of some verdicts (``proved`` for none).

    >>> worst([Status.PROVED, Status.NUMERIC])
    <Status.NUMERIC: 'numeric'>
    """
    return max(statuses, key=_RANK.__getitem__, default=Status.PROVED)


@dataclass(frozen=True)
class Config:
    """How hard the kernel tries: digits, sampled instances and parameter values per instance,
    the seed of the sampler, and the time budget (seconds) of each symbolic attempt.

    With ``explain`` off, a refutation's detail leaves out the simplified difference of the sides
    (a reader's aid that costs a simplify). With ``prove_refuted`` off, a claim the numeric check
    refutes gets no symbolic attempt: its verdict is refuted either way, and what goes unseen is
    only a kernel bug, a proof of the refuted claim (named in the detail). The self-test, which
    classifies its mutants by verdict alone, turns both off; verdicts and counterexamples are the
    same."""

    dps: int = 50
    instances: int = 5
    param_points: int = 4
    seed: int = 0
    budget: float = 10.0
    explain: bool = True
    prove_refuted: bool = True

    def __post_init__(self) -> None:
        # Below 20 digits the noise tests cannot tell rounding from a difference; a single
        # point orders no pair; a budget of 0 would make every attempt a timeout.
        for name in ("dps", "instances", "param_points", "seed"):
            if isinstance(getattr(self, name), bool) or not isinstance(getattr(self, name), int):
                raise TypeError(f"Config.{name} must be an integer")
        if self.dps < 20:
            raise ValueError(f"Config.dps must be at least 20, got {self.dps}")
        if self.instances < 1 or self.param_points < 1:
            raise ValueError("Config.instances and Config.param_points must be at least 1")
        if self.instances * self.param_points < 2:
            raise ValueError("Config must sample at least 2 points (instances * param_points)")
        for name in ("explain", "prove_refuted"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"Config.{name} must be True or False")
        if not isinstance(self.budget, int | float) or not self.budget > 0:
            raise ValueError(f"Config.budget must be a positive number, got {self.budget}")


_SEAL = object()
_NO_ASSUMPTIONS = Assumptions()


def as_expr(value: object) -> Expr:
    """A sympy expression, or a Python number made one; text is never parsed (user text is
    data), and anything else is refused.

    >>> as_expr(0), as_expr(Fraction(1, 3))
    (0, 1/3)
    """
    if isinstance(value, sympy.Basic):
        if not isinstance(value, Expr):
            raise TypeError(f"expected an expression, got {type(value).__name__}: {value}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise TypeError(f"expected a sympy expression or a number, got {type(value).__name__}")
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)


@dataclass(frozen=True)
class CheckedStep:
    """A step with the kernel's verdict. Only the kernel makes these."""

    index: int
    lhs: Expr
    lhs_sense: Relation
    relation: Relation
    rhs: Expr
    rule: str
    status: Status
    detail: str
    counterexample: dict[str, object] | None = None
    # Whether the numeric check could evaluate the step at all (a proof may stand without it).
    evaluated: bool = True
    # The side conditions no rule discharged, when they are why the step is not proved.
    obligations: tuple[str, ...] = ()
    wrt: Expr | None = None
    seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _SEAL:
            raise TypeError("only the kernel makes checked steps")


@dataclass(frozen=True)
class CheckedDerivation:
    """A derivation with every step and every part checked; ``status`` is the worst verdict."""

    derivation: Derivation
    steps: tuple[CheckedStep, ...]
    parts: tuple[CheckedDerivation, ...] = ()

    @property
    def status(self) -> Status:
        return worst(s.status for s in self.all_steps())

    def chains(self) -> list[CheckedDerivation]:
        """This derivation's own chain, then its parts', depth first."""
        return [self, *(c for part in self.parts for c in part.chains())]

    def all_steps(self) -> tuple[CheckedStep, ...]:
        """The chain's steps, then its parts' steps, depth first."""
        return tuple(s for chain in self.chains() for s in chain.steps)


@dataclass(frozen=True)
class _Verdict:
    status: Status
    detail: str
    counterexample: dict[str, object] | None = None
    # A refutation at a point where one side is undefined and the other is not.
    undefined: bool = False
    # The side conditions the symbolic route left open.
    obligations: tuple[str, ...] = ()


# --- symbolic normalization: every rule is an identity under the symbols' assumptions -------


def _log_of_product(e: Expr) -> Expr:
    # log ∏ f = Σ log f holds when every factor is positive.
    return e.replace(
        lambda n: (
            isinstance(n, log)
            and isinstance(n.args[0], Product)
            and n.args[0].function.is_positive is True
        ),
        lambda n: Sum(log(n.args[0].function), *n.args[0].limits),
    )


def _linear_sum(s: Sum) -> Expr:
    # Linearity of a finite sum; a summand free of the index contributes (b - a + 1) copies.
    if len(s.limits) != 1:
        return s
    var, lo, hi = s.limits[0]
    terms = Add.make_args(expand(expand_log(s.function), basic=False))
    if len(terms) > 1 and (lo.is_finite is not True or hi.is_finite is not True):
        # Σ (f + g) = Σ f + Σ g over an infinite range needs each piece to converge.
        if not all(closed_forms.convergent(Sum(term, s.limits[0])) for term in terms):
            return s
    total = sympy.S.Zero
    for term in terms:
        coeff, dependent = term.as_independent(var, as_Add=False)
        if dependent == 1:
            # hi - lo + 1 copies only when the range is well formed (hi >= lo - 1): a reversed
            # range is empty, 0, not Karr's negative count.
            count = hi - lo + 1
            if count.is_nonnegative is True:
                total += coeff * count
            else:
                total += coeff * Sum(1, s.limits[0])
        else:
            first = _nonzero_end(dependent, var, lo, 1)
            total += coeff * Sum(dependent, (var, first, _nonzero_end(dependent, var, hi, -1)))
    return total


def _nonzero_end(summand: Expr, var: Symbol, end: Expr, step: int) -> Expr:
    # An end term that is exactly 0 can be dropped: with f(a) = 0, Sum(a..b) = Sum(a+1..b) for
    # b >= a, and for b < a both ranges are empty (the same at the upper end).
    for _ in range(2):
        if expand(summand.subs(var, end)) != 0:
            break
        end = end + step
    return end


def _canonical_index(s: Sum) -> Sum:
    # Renaming a bound index is alpha-conversion, sound wherever the new name is not free in
    # the summand: sums over j and over i of the same terms then normalize alike.
    if len(s.limits) != 1 or len(s.limits[0]) != 3:
        return s
    var, lo, hi = s.limits[0]
    # i is a positive integer: renaming to it needs lo >= 1, and no i anywhere in the summand
    # (has(), not free_symbols: an inner sum over i would capture the renamed index).
    if var == data_index or s.function.has(data_index) or (lo - 1).is_nonnegative is not True:
        return s
    return Sum(s.function.xreplace({var: data_index}), (data_index, lo, hi))


def _linear_mean(mean: Mean) -> Expr:
    """Linearity of an expectation: E[c] = c and E[c f] = c E[f] for c free of the law's
    variable, E[f + g] = E[f] + E[g], and E[Σ_k f_k] = Σ_k E[f_k] over a finite range.

    Like the integral's linearity rule, splitting a sum presumes each piece has a mean; the
    numeric check evaluates the pieces separately, so a piece without one leaves no agreement.
    """
    var, law = mean.law.variable, mean.law
    terms = Add.make_args(expand(mean.body, basic=False))
    if len(terms) > 1 and not all(_mean_exists(term, law) for term in terms):
        # E[f + g] = E[f] + E[g] only when both pieces have means (else it is ∞ - ∞).
        return mean
    total = sympy.S.Zero
    for term in terms:
        coeff, dependent = term.as_independent(var, as_Add=False)
        if dependent == 1:
            total += coeff
        elif isinstance(dependent, Sum) and _finite_range(dependent, var):
            inner = _linear_mean(Mean(dependent.function, law))
            total += coeff * Sum(inner, *dependent.limits)
        else:
            total += coeff * Mean(dependent, law)
    return total


def _mean_exists(term: Expr, law: object) -> bool:
    """Whether E_P[term] exists: a constant, or a moment a rule derives (which it derives only
    where the moment is finite), or a finite sum of such terms."""
    if not term.has(law.variable):
        return True
    if isinstance(term, Sum) and _finite_range(term, law.variable):
        return all(_mean_exists(t, law) for t in Add.make_args(expand(term.function, basic=False)))
    coeff, dependent = term.as_independent(law.variable, as_Add=False)
    if isinstance(dependent, Sum) and _finite_range(dependent, law.variable):
        return _mean_exists(dependent, law)
    if isinstance(law, DirichletLaw):
        return _dirichlet_moment(Mean(dependent, law)) is not None
    if isinstance(law, NormalLaw):
        return _normal_moment(Mean(dependent, law)) is not None
    return False


def _finite_range(s: Sum, var: Expr) -> bool:
    # Swapping E and Σ needs no limit theorem only when the range is finite and fixed.
    return all(
        lo.is_finite is True and hi.is_finite is True and not (lo.has(var) or hi.has(var))
        for _, lo, hi in s.limits
    )


@lru_cache(maxsize=4096)
def normalize(expr: Expr) -> Expr:
    """Unfold the measures, split logs of positive products and sums, distribute sums.

    >>> from symbolic.kernel.measures import KL, p_data, p_model
    >>> normalize(KL(p_data, p_model))
    Sum(log(PData(y[i], x[i])), (i, 1, N))/N - Sum(log(PModel(y[i], x[i], theta)), (i, 1, N))/N
    """
    e = unfold(expr)
    for _ in range(3):
        before = e
        e = expand_log(e)
        e = _log_of_product(e)
        e = e.replace(lambda n: isinstance(n, Mean), _linear_mean)
        e = e.replace(lambda n: isinstance(n, Sum), _linear_sum)
        e = e.replace(lambda n: isinstance(n, Sum), _canonical_index)
        e = expand(e, basic=False)
        if e == before:
            break
    return e


def _prove_equal(a: Expr, b: Expr, budget: float) -> tuple[bool, str]:
    na, nb = normalize(a), normalize(b)
    if expand(na - nb, basic=False) == 0:
        return True, "both sides normalize to the same expression"
    if na.is_positive and nb.is_positive:
        # log is injective on the positive reals, so equal logs mean equal values.
        if expand(normalize(log(na)) - normalize(log(nb)), basic=False) == 0:
            return True, "both sides are positive and their logarithms normalize alike"
    attempts = [("", [{}])]
    order, cases = closed_forms.order_cases(na - nb)
    if order:
        # A case may lose an assumption that a proof needs, so the split comes first only where
        # the sides do not line up without it: a Min or Max, or Piecewise with other conditions.
        aligned = not (na - nb).has(sympy.Min, sympy.Max) and (
            len(_same_branches(na, nb)) > 1 or not (na.has(Piecewise) or nb.has(Piecewise))
        )
        attempts.insert(1 if aligned else 0, (order, cases))
    used: dict[str, None] = {}
    proved = branched = False
    try:
        with time_budget(budget):
            for split, cases in attempts:
                used.clear()
                proved, branched = _zero_in_cases(a, b, na, nb, cases, used)
                if proved:
                    order = split
                    break
    except BudgetExceeded:
        return False, f"the symbolic attempt ran out of its {budget:g} s budget"
    if not proved:
        return False, "the normalized difference does not simplify to 0"
    how = "simplify reduces the normalized difference to 0"
    if used:
        how = f"linearity of sums, integrals and expectations; {'; '.join(used)}; then simplify"
    if branched:
        how = f"branch by branch under the same conditions: {how}"
    if order:
        how = f"{order}: {how}"
    return True, how


def _range_conditions(lhs: Expr, rhs: Expr) -> list[str]:
    """The obligations of a value claim's sums that no rule discharges: each bound index's
    declared sign holds on its range (sympy simplified the summand under it)."""
    found: list[str] = []
    for side in (lhs, rhs):
        for node in side.atoms(Sum, Product):
            for var, lo, _ in (lim for lim in node.limits if len(lim) == 3):
                bad = _index_contradicted(var, lo)
                if bad:
                    found.append(f"the index {var} is declared {bad} but its range starts at {lo}")
    return list(dict.fromkeys(found))


def domain_mismatches(
    lhs: Expr, rhs: Expr, intervals: Mapping[Symbol, tuple[float, float]] | None = None
) -> list[str]:
    """Where one side is undefined (a denominator vanishes) and the other is not: the sides
    may agree wherever both are defined, but they are defined on different sets.

    >>> t = Symbol("t", real=True)
    >>> domain_mismatches((t**2 - t) / t, t - 1)
    ['the left side is undefined where t = 0 and the right side is not']
    >>> domain_mismatches((t**2 - t) / t, (t**2 - 1) / t)
    []
    """
    found: list[str] = []
    # A side is undefined where a denominator or a log's argument vanishes.
    dens = [_denominators(side) for side in (lhs, rhs)]
    singular = [d | _log_arguments(side) for d, side in zip(dens, (lhs, rhs), strict=True)]
    for which, mine, other in (("left", dens[0], singular[1]), ("right", dens[1], singular[0])):
        for d in mine:
            if d in other or -d in other or _nonzero(d, intervals or {}):
                continue
            # t = 0 needs no "(t = 0)".
            where = "" if d.is_Symbol else _zeros(d, intervals or {})
            found.append(
                f"the {which} side is undefined where {d} = 0{where} and the "
                f"{'right' if which == 'left' else 'left'} side is not"
            )
    return list(dict.fromkeys(found))


def _index_contradicted(var: Symbol, lo: Expr) -> str:
    for word, bound in (("positive", 1), ("nonnegative", 0)):
        if getattr(var, f"is_{word}") and (lo - bound).is_nonnegative is not True:
            return word
    if var.is_negative or var.is_nonpositive:
        return "negative" if var.is_negative else "nonpositive"
    return ""


def _denominators(e: Expr) -> set[Expr]:
    """The bases of negative powers in e that mention no bound variable (a sum's index, an
    integral's variable, the bound x and y of an expectation, a law's variable), factored."""
    found: set[Expr] = set()
    bound = _bound_variables(e)
    for node in e.atoms(sympy.Pow):
        # exp, factorials, Gamma and Beta vanish nowhere: they are no condition on the domain.
        if isinstance(node.base, sympy.exp | sympy.factorial | sympy.gamma | sympy.beta):
            continue
        if node.exp.is_negative and not node.base.is_number and not node.base.has(*bound):
            found.add(sympy.factor_terms(node.base))
    # A factored denominator counts factor by factor: (t - 1)(t + 1) vanishes where one does.
    factors: set[Expr] = set()
    for d in found:
        for f in sympy.Mul.make_args(sympy.factor(d)):
            base = f.as_base_exp()[0]
            if not base.is_number:
                factors.add(base)
    return factors


def _log_arguments(e: Expr) -> set[Expr]:
    """The factors of every log's argument in e that mention no bound variable."""
    bound = _bound_variables(e)
    found: set[Expr] = set()
    for node in e.atoms(log):
        if node.args[0].has(*bound):
            continue
        for f in sympy.Mul.make_args(sympy.factor(node.args[0])):
            base = f.as_base_exp()[0]
            if not base.is_number:
                found.add(base)
    return found


def _bound_variables(e: Expr) -> set[Expr]:
    bound: set[Expr] = {xv, yv}
    for node in e.atoms(Sum, Product, sympy.Integral):
        bound |= {lim[0] for lim in node.limits}
    for node in e.atoms(Mean):
        bound.add(node.law.variable)
    # A bound model's density is a Lambda: its arguments are placeholders, not the domain's.
    for node in e.find(sympy.Lambda):
        bound |= set(node.variables)
    return bound


def _nonzero(d: Expr, intervals: Mapping[Symbol, tuple[float, float]]) -> bool:
    if d.is_nonzero is True or d.is_positive is True or d.is_negative is True:
        return True
    symbols = d.free_symbols
    if len(symbols) == 1:
        (var,) = symbols
        domain = closed_forms.assumed_set(var)
        if var in intervals:
            # A parameter's interval is open, as its sampler and its proofs read it.
            lo, hi = (sympy.Rational(str(v)) for v in intervals[var])
            domain = (
                sympy.Interval.open(lo, hi)
                if domain is None
                else domain.intersect(sympy.Interval.open(lo, hi))
            )
        if domain is not None:
            try:
                return sympy.solveset(d, var, domain) is sympy.S.EmptySet
            except Exception:  # sympy cannot solve every equation: then nothing is established
                return False
    return False


def _zeros(d: Expr, intervals: Mapping[Symbol, tuple[float, float]]) -> str:
    symbols = d.free_symbols
    if len(symbols) != 1:
        return ""
    (var,) = symbols
    domain = closed_forms.assumed_set(var) or sympy.S.Reals
    try:
        zeros = sympy.solveset(d, var, domain)
    except Exception:
        return ""
    if isinstance(zeros, sympy.FiniteSet) and len(zeros) <= 4:
        return f" ({var} = {', '.join(str(z) for z in zeros)})"
    return ""


def _law_moments(expr: Expr) -> tuple[Expr, list[str]]:
    """Replace each E_P whose value a moment rule derives; say which moments and why."""
    used: list[str] = []
    reasons: list[str] = []

    def value(mean: Mean) -> Expr:
        if isinstance(mean.law, DirichletLaw):
            derived = _dirichlet_moment(mean)
        elif isinstance(mean.law, NormalLaw):
            derived = _normal_moment(mean)
        else:
            derived = None
        if derived is None:
            return mean
        result, why = derived
        for items, item in ((used, f"E_P[{mean.body}] = {result}"), (reasons, why)):
            if item not in items:
                items.append(item)
        return result

    replaced = expr.replace(lambda n: isinstance(n, Mean), value)
    return replaced, ([f"{'; '.join(used)} ({'; '.join(reasons)})"] if used else [])


def _dirichlet_moment(mean: Mean) -> tuple[Expr, str] | None:
    """E[c x_k^p log(x_k)^m] under Dirichlet(alpha), derived from the marginal of x_k.

    Aggregating the other coordinates, x_k ~ Beta(a, b) with a = alpha_k, b = alpha_0 - alpha_k,
    and ∫_0^1 t^(a+p+s-1) (1-t)^(b-1) dt = B(a+p+s, b) (the Beta integral, a + p + s > 0), so
    differentiating m times in s under the integral at s = 0 gives the moment. For K = 1
    (x_1 = 1 surely) the same expression holds: at b = 0 the ratio below is 1 for every s.
    """
    law = mean.law
    coords = {c for c in mean.body.atoms(Indexed) if c.base == law.variable}
    if len(coords) != 1:
        return None
    (coord,) = coords
    if len(coord.indices) != 1:
        return None
    t = sympy.Dummy("t", positive=True)
    f = mean.body.xreplace({coord: t})
    if f.has(law.variable):
        return None
    monomial = _log_power_monomial(f, t)
    if monomial is None:
        return None
    coeff, p, m = monomial
    a = law.alpha[coord.indices[0]]
    if (a + p).is_positive is not True:
        # The moment exists only when a + p > 0; nothing is claimed otherwise.
        return None
    b, s = sympy.Dummy("b", positive=True), sympy.Dummy("s")
    ratio = (
        sympy.gamma(a + p + s) * sympy.gamma(a + b) / (sympy.gamma(a) * sympy.gamma(a + b + p + s))
    )
    # alpha_0's bound index is named as the catalog names it, so that equal sums look equal.
    index = coord.indices[0]
    if not isinstance(index, Symbol):
        index = Symbol("k", integer=True, positive=True)
    total = Sum(law.alpha[index], (index, 1, law.length))
    # expand_func turns gamma(a + n) / gamma(a) into the rising factorial for integer n.
    moment = sympy.expand_func(coeff * sympy.diff(ratio, s, m).subs(s, 0)).xreplace({b: total - a})
    why = (
        f"the marginal of {coord} is Beta({a}, alpha_0 - {a}), and d^{m}/ds^{m} of "
        f"B({a} + {p} + s, alpha_0 - {a}) / B({a}, alpha_0 - {a}) at s = 0"
    )
    return moment, why


def _normal_moment(mean: Mean) -> tuple[Expr, str] | None:
    """E[tr(M(x))] under N(mu, Sigma) for a product M of degree at most 2 in x, derived from
    x = mu + L z with L L^T = Sigma, E[z] = 0 and E[z z^T] = I.

    The trace is linear, so after substituting and expanding each product is judged by its z
    factors: none, it stays; one, its mean is 0; z followed (cyclically) by z^T, the pair's
    mean is I and it drops out. Then L followed cyclically by L^T becomes Sigma; a product
    that keeps an L, or z in any other pattern, is not derived.
    """
    law, body = mean.law, mean.body
    if not isinstance(body, Trace):
        return None
    x, mu, sigma = law.variable, law.mu, law.sigma
    chol, z = MatrixSymbol("L", *sigma.shape), MatrixSymbol("z", *x.shape)
    if {str(m.name) for m in mean.atoms(MatrixSymbol)} & {"L", "z"}:
        return None
    expanded = body.arg.xreplace({x: mu + chol * z}).doit().expand()
    total = sympy.S.Zero
    for term in expanded.args if isinstance(expanded, MatAdd) else (expanded,):
        coeff, product = term.as_coeff_mmul() if isinstance(term, MatMul) else (sympy.S.One, term)
        factors = list(product.args) if isinstance(product, MatMul) else [product]
        if coeff.has(z) or any(f.has(z) and f not in (z, z.T) for f in factors):
            # z inside another factor (an inverse, a function): not a moment of degree <= 2.
            return None
        count = sum(1 for f in factors if f in (z, z.T))
        if count == 1:
            continue
        if count == 2:
            factors = _drop_adjacent(factors, z, z.T)
            if factors is None:
                return None
        if count > 2:
            return None
        if any(f.has(chol) for f in factors):
            factors = _drop_adjacent(factors, chol, chol.T)
            if factors is None or any(f.has(chol) for f in factors):
                return None
            factors = [*factors, sigma]
        if not factors:
            factors = [sympy.Identity(x.shape[0])]
        product = MatMul(*factors).doit()
        total += coeff * (Trace(product).doit() if product.is_Identity else Trace(product))
    why = f"x = {mu} + L z with L L^T = {sigma}, E[z] = 0, E[z z^T] = I, trace cyclic and linear"
    return total, why


def _drop_adjacent(factors: list[Expr], first: Expr, second: Expr) -> list[Expr] | None:
    """The factors of a trace with the cyclically adjacent pair (first, second) taken out, in
    the cyclic order that starts after the pair; None when there is no such pair."""
    n = len(factors)
    for i in range(n):
        if factors[i] == first and factors[(i + 1) % n] == second:
            return [factors[(i + 2 + j) % n] for j in range(n - 2)]
    return None


def _log_power_monomial(f: Expr, t: Symbol) -> tuple[Expr, Expr, int] | None:
    """``f = c t^p log(t)^m`` with c and p free of t and m a natural number, or None."""
    coeff, power, logs = sympy.S.One, sympy.S.Zero, 0
    for factor in sympy.Mul.make_args(f):
        base, exponent = factor.as_base_exp()
        if not factor.has(t):
            coeff *= factor
        elif base == t and not exponent.has(t):
            power += exponent
        elif base == log(t) and exponent.is_Integer and exponent >= 0:
            logs += int(exponent)
        else:
            return None
    return coeff, power, logs


def _zero_in_cases(
    a: Expr,
    b: Expr,
    na: Expr,
    nb: Expr,
    cases: list[dict[Symbol, Expr]],
    used: dict[str, None],
) -> tuple[bool, bool]:
    """Whether na - nb is 0 in every case; and whether Piecewise sides were split by branch."""
    branched = False
    for case in cases:
        # Substituted sides are normalized again: a sum's end term may now vanish.
        pairs = _same_branches(normalize(na.xreplace(case)), normalize(nb.xreplace(case)))
        branched = branched or len(pairs) > 1
        facts = closed_forms.domain_facts(a.xreplace(case), b.xreplace(case))
        for va, vb in pairs:
            if va == vb:
                # Compared as a difference, equal infinite branches would give oo - oo.
                continue
            if any(v in (sympy.oo, -sympy.oo) for v in (va, vb)):
                # An infinity is compared with the other side's value, never subtracted.
                where = facts + closed_forms.domain_facts(va, vb)
                values = []
                for v in (va, vb):
                    value, rules = (
                        closed_forms.evaluate(v, where)
                        if v.has(Sum, sympy.Integral)
                        else (v, ())
                    )
                    used.update(dict.fromkeys(rules))
                    values.append(value)
                if values[0] == values[1] and values[0] in (sympy.oo, -sympy.oo):
                    continue
                return False, branched
            difference = va - vb
            if difference.has(Mean):
                difference, moments = _law_moments(difference)
                used.update(dict.fromkeys(moments))
                if moments:
                    difference = normalize(difference)
            if difference.has(Sum, sympy.Integral):
                where = facts + closed_forms.domain_facts(va, vb)
                difference, rules = closed_forms.evaluate(difference, where)
                used.update(dict.fromkeys(rules))
            if not _vanishes(_opaque(difference)):
                return False, branched
    return True, branched


def _vanishes(d: Expr) -> bool:
    """Whether ``d`` simplifies to 0. A rational function of its symbols and its finite sums
    over the data (each sum an atom, as normalization left it: split by linearity, its index
    canonical) is decided by polynomial arithmetic, zero when its cancelled form is, without
    simplify's heuristics, which can spend the whole budget on a large one that is not zero."""
    atoms = d.xreplace({n: _piece(n) for n in d.atoms(Sum)})
    if atoms.is_rational_function():
        if _nonzero_somewhere(atoms):
            return False
        return sympy.cancel(atoms) == 0
    if _differs_at_a_point(d):
        return False
    return sympy.simplify(d) == 0


def _differs_at_a_point(d: Expr) -> bool:
    """Whether d has a value clearly away from 0 at one point of its symbols' domains (drawn
    from their assumptions, on four data points), the same at 30 and 60 digits: then d is not
    0 there, and simplify, which would spend its budget failing on it (a mutant's difference),
    need not run. It only ever stops a proof attempt early: a wrong value can cost a proof, never
    make one."""
    if d.has(sympy.Integral, Mean) or d.atoms(IndexedBase) - {data_x, data_y}:
        return False
    symbols = tuple(sorted(d.free_symbols - {N}, key=str))
    # A few instances (4, 12 and 19 data points): a draw may fall where a log's argument is
    # negative (a covariance's determinant), which says nothing either way.
    for inst in sample_instances(0, 5, symbols)[1::2]:
        try:
            with time_budget(0.5):
                low, high = (_evaluated(d, Point(inst, {}), dps) for dps in (30, 60))
        except Undefined:
            continue
        except (Unsupported, BudgetExceeded, TypeError, ValueError, ZeroDivisionError):
            return False
        return bool(abs(high) > mpmath.mpf(10) ** -12 and abs(low - high) < abs(high) * 10**-12)
    return False


def _evaluated(d: Expr, env: Point, dps: int) -> mpmath.mpf:
    with mpmath.workdps(dps):
        return evaluate(d, env)


def _nonzero_somewhere(d: Expr) -> bool:
    """Whether the rational function d has a nonzero exact value at a rational point: then it
    is not the zero function (its cancelled form is not 0), a certificate that costs one exact
    evaluation where cancel on a large false difference (a mutant's) costs seconds. A value of
    0, or a vanishing denominator, proves nothing and leaves the decision to cancel."""
    generators = sorted(d.free_symbols | d.atoms(Indexed), key=sympy.default_sort_key)
    rng = random.Random(len(generators))
    point = {
        g: sympy.Rational(rng.randint(1, 97), rng.randint(1, 89)) * rng.choice((1, -1))
        for g in generators
    }
    try:
        value = d.xreplace(point)
    except (ZeroDivisionError, ValueError):
        return False
    return value.is_Rational and value != 0


def _opaque(e: Expr) -> Expr:
    """Sums, integrals and expectations left without an established value replaced by
    symbols: simplify would otherwise merge ∫ f - ∫ g into ∫ (f - g) (linearity without its
    condition that both pieces converge), or evaluate a sum by Karr's convention or through a
    pole. Such pieces must cancel as they are."""
    e = _merge_finite_sums(e)
    # A finite sum over data values (x[i], y[i]) has no closed form for simplify to take by
    # Karr's convention: it may only regroup it, which finite sums allow without conditions.
    nodes = {
        n
        for n in e.atoms(sympy.Integral, Sum, Mean)
        if not (isinstance(n, Sum) and _finite_data_sum(n))
    }
    return e.xreplace({n: _piece(n) for n in nodes})


def _piece(node: Expr) -> sympy.Dummy:
    # One opaque symbol per piece: distinct pieces stay distinct, and the same claim checked
    # again (a mutant of the same step) meets the same expression.
    return fresh("piece", (node,))


def _finite_data_sum(s: Sum) -> bool:
    return s.function.has(Indexed) and all(
        lo.is_finite and hi.is_finite for _, lo, hi in s.limits
    )


def _merge_finite_sums(e: Expr) -> Expr:
    """Terms ``c Σ_{k=lo..hi} f`` over the same finite range merged into one sum, whose summand
    is then simplified on its own: linearity of a finite sum needs no condition (it holds for
    an empty range too), unlike the linearity of a series or an integral.

    >>> k, n = Symbol("k", positive=True, integer=True), Symbol("n", integer=True)
    >>> _merge_finite_sums(Sum(log(2 * k), (k, 1, n)) - Sum(log(k) + log(2), (k, 1, n)))
    0
    """
    if not isinstance(e, Add):
        return e
    groups: dict[tuple, list[Expr]] = {}
    rest: list[Expr] = []
    for term in e.args:
        sums = [f for f in sympy.Mul.make_args(term) if isinstance(f, Sum)]
        if len(sums) == 1 and all(
            lo.is_finite and hi.is_finite for _, lo, hi in sums[0].limits
        ):
            s = sums[0]
            coeff = term / s
            if not coeff.has(*(v for v, _, _ in s.limits)):
                groups.setdefault(s.limits, []).append(coeff * s.function)
                continue
        rest.append(term)
    if not groups:
        return e
    rest_total = Add(*rest)
    for limits, summands in groups.items():
        merged = Add(*summands)
        if len(limits) == 1:
            var, lo, hi = limits[0]
            # A term free of the index counts hi - lo + 1 times, where that count is proved
            # nonnegative (hi >= lo - 1); below it the range is empty and the count is 0.
            free, merged = merged.as_independent(var, as_Add=True)
            count = hi - lo + 1
            if free != 0 and count.is_nonnegative is True:
                rest_total += free * count
            else:
                merged += free
        if sympy.simplify(_opaque(merged)) != 0:
            rest_total += Sum(merged, *limits)
    return rest_total


def _same_branches(a: Expr, b: Expr) -> list[tuple[Expr, Expr]]:
    # Two Piecewise with the same conditions in the same order take the same branch everywhere.
    if isinstance(a, Piecewise) and isinstance(b, Piecewise):
        if [c for _, c in a.args] == [c for _, c in b.args]:
            return [(va, vb) for (va, _), (vb, _) in zip(a.args, b.args, strict=True)]
    return [(a, b)]


def _mentions(expr: Expr, params: tuple[Expr, ...]) -> bool:
    # has() sees a parameter anywhere, also as the base or the label of an indexed symbol:
    # it can only over-report dependence, which is the safe side for "free of θ".
    return any(expr.has(p) for p in params)


def _split(expr: Expr, params: tuple[Symbol, ...]) -> tuple[Expr, Expr]:
    dependent = sympy.S.Zero
    free = sympy.S.Zero
    for term in Add.make_args(expr):
        if _mentions(term, params):
            dependent += term
        else:
            free += term
    return dependent, free


def _sense_flips(lhs_sense: Relation, relation: Relation) -> bool:
    return lhs_sense not in (Relation.EQ, relation)


def _prove_affine(
    f: Expr, g: Expr, flips: bool, params: tuple, budget: float, name: str = "f"
) -> tuple[bool, str]:
    """g = a f + c with a proved > 0 (< 0 when the sense flips) and c free of the parameters."""
    nf, ng = normalize(f), normalize(g)
    f_dep, _ = _split(nf, params)
    g_dep, _ = _split(ng, params)
    if f_dep == 0 and g_dep == 0:
        return True, "neither side depends on the parameters: every point optimizes both"
    if f_dep == 0 or g_dep == 0:
        return False, "only one side depends on the parameters"
    try:
        with time_budget(budget):
            a = sympy.simplify(g_dep / f_dep)
    except BudgetExceeded:
        return False, f"finding the factor a ran out of its {budget:g} s budget"
    if _mentions(a, params):
        return False, f"g is not an affine function of {name} with a parameter-free factor"
    if (a.is_negative if flips else a.is_positive) is not True:
        return False, f"g = a*{name} + c with a = {a}, whose sign is not proved"
    c = expand(ng - a * nf, basic=False)
    if _mentions(c, params):
        # simplify's factor is not taken on trust: the remainder must visibly be free of θ.
        return False, f"g - a*{name} = {c} still mentions the parameters"
    if not _finite(c):
        # argmin (f + ∞) is not argmin f: the dropped constant must be a finite number.
        return False, f"g = a*{name} + c with c = {c}, which is not proved finite"
    word = "< 0" if flips else "> 0"
    return True, (
        f"g = a*{name} + c with a = {a} {word} and c = {c} free of the parameters and finite"
    )


def _finite(e: Expr) -> bool:
    """Whether a constant dropped from an objective is finite wherever the objectives are
    defined: its pointwise parts are (they are differences of the objectives' values), so
    what must be shown is that each limit in it (an integral, a series, an expectation under
    a law) has an established finite value. ∫_0^1 dt/t does not."""
    limits = [
        n
        for n in e.atoms(sympy.Integral, Sum, Mean)
        if not (
            isinstance(n, Sum)
            and all(lo.is_finite is True and hi.is_finite is True for _, lo, hi in n.limits)
        )
    ]
    for node in limits:
        value = node
        if isinstance(node, Mean):
            value, _ = _law_moments(node)
        if value.has(Sum, sympy.Integral):
            value, _ = closed_forms.evaluate(value, ())
        if not closed_forms.finite_value(value) or value.has(Mean):
            return False
    return True


def _prove_argopt(
    f: Expr, g: Expr, flips: bool, witness: sympy.Lambda | None, params: tuple, budget: float
) -> tuple[bool, str]:
    ok, why = _prove_affine(f, g, flips, params, budget)
    if ok or witness is None:
        return ok, why
    if _mentions(witness.expr, params):
        # h(f(θ), θ) is not a function of f alone: its optimizers may be anywhere.
        return False, f"{why}; the witness h(u) = {witness.expr} mentions the parameters"
    ok, monotone = _check_monotone(f, witness, budget)
    if ok is None:
        return False, f"{why}; {monotone}"
    # g = h(f) exactly, or g = a h(f) + c: either way g is a monotone function of f.
    through = flips != (ok == "decreasing")
    equal, how = _prove_equal(g, witness(f), budget)
    if equal and not through:
        return True, f"g = h(f) with {monotone}"
    affine, how = _prove_affine(witness(f), g, through, params, budget, "h(f)")
    if affine:
        return True, f"{how}, with {monotone}"
    return False, f"{why}; the witness does not relate the two sides: {how}"


# Functions that may jump: a witness built from them is not taken as continuous.
_JUMPS = (
    Piecewise,
    sympy.floor,
    sympy.ceiling,
    sympy.frac,
    sympy.sign,
    sympy.Heaviside,
    sympy.Mod,
)


def _check_monotone(f: Expr, witness: sympy.Lambda, budget: float) -> tuple[str | None, str]:
    """Whether the witness h is strictly increasing or decreasing on the range of f."""
    nf = normalize(f)
    if nf.is_positive:
        u, where = Symbol("u", positive=True), sympy.Interval.open(0, sympy.oo)
    elif nf.is_nonnegative:
        u, where = Symbol("u", nonnegative=True), sympy.Interval(0, sympy.oo)
    elif nf.is_negative:
        u, where = Symbol("u", negative=True), sympy.Interval.open(-sympy.oo, 0)
    elif nf.is_nonpositive:
        u, where = Symbol("u", nonpositive=True), sympy.Interval(-sympy.oo, 0)
    else:
        u, where = Symbol("u", real=True), sympy.S.Reals
    h = witness(u)
    # h' > 0 gives strict monotonicity only where h is continuous: a jump down breaks it.
    if h.has(*_JUMPS):
        return None, f"the witness h(u) = {h} is not proved continuous (it may jump)"
    try:
        with time_budget(budget):
            continuous = continuous_domain(h, u, where)
    except BudgetExceeded:
        return None, f"the witness's continuity ran out of its {budget:g} s budget"
    except Exception:  # sympy cannot find the domain of every function
        continuous = None
    if continuous != where:
        return None, f"the witness h(u) = {h} is not proved continuous on {where}"
    try:
        with time_budget(budget):
            slope = sympy.simplify(sympy.diff(witness(u), u))
    except BudgetExceeded:
        return None, f"differentiating the witness ran out of its {budget:g} s budget"
    if slope.is_positive:
        return "increasing", f"h(u) = {h} strictly increasing on the range of f (h'(u) = {slope})"
    if slope.is_negative:
        return "decreasing", f"h(u) = {h} strictly decreasing on the range of f (h'(u) = {slope})"
    return None, f"the witness h(u) = {h} is not proved monotone (h'(u) = {slope})"


# --- numeric checks ---------------------------------------------------------------------


def _free_symbols(exprs: tuple[Expr, ...], params: tuple[Symbol, ...]) -> tuple[Symbol, ...]:
    labels = {b.label for e in exprs for b in e.atoms(IndexedBase)}
    skip = labels | set(params) | {N, xv, yv}
    found = {s for e in exprs for s in e.free_symbols if isinstance(s, Symbol)} - skip
    return tuple(sorted(found, key=str))


class _Sampler:
    """The points of a numeric check: instances of the data, the model and the free symbols
    (one more drawn far out, and every other one with the symbols without assumptions in the
    complex plane), and per instance parameter values (one more of them far out)."""

    def __init__(
        self,
        exprs: tuple[Expr, ...],
        params: tuple,
        intervals: Mapping,
        cfg: Config,
        data: DataSampler | None,
        vectors: Mapping[Expr, VectorSpec] | None = None,
        orders: bool = False,
        hypotheses: tuple[sympy.Basic, ...] = (),
    ):
        self.vectors = vectors or {}
        self.hypotheses = hypotheses
        self.relation_orders = orders
        # A parameter may be named by its label (pi) while the expressions index its base.
        by_label = {b.label: b for b in self.vectors if isinstance(b, IndexedBase)}
        params = tuple(by_label.get(p, p) for p in params)
        self.params = params
        self.intervals = intervals
        self.cfg = cfg
        self.used = any(e.has(p) for e in exprs for p in params)
        plain = {b: spec for b, spec in self.vectors.items() if b not in params}
        self.free = _free_symbols((*exprs, *hypotheses), params)
        self.unassumed = [s for s in self.free if s.is_extended_real is None]
        # Under hypotheses, instances are drawn until enough satisfy the ones the parameters
        # do not enter; the points that fail the others are dropped in points().
        draws = cfg.instances * (8 if hypotheses else 1)
        drawn = sample_instances(
            cfg.seed,
            draws,
            self.free,
            intervals,
            data,
            plain,
            far=1,
            complex_ok=bool(self.unassumed),
            nice=1 if self.free else 0,
        )
        fixed = tuple(h for h in hypotheses if not any(h.has(p) for p in params))
        self.instances = [
            inst for inst in drawn if satisfies(fixed, Point(inst, {}))
        ][: cfg.instances]
        self.rng = random.Random(cfg.seed + 1)
        self.branches = _equal_symbols(exprs)
        self._far: set[int] = set()
        self._far_points: list[Point] = []
        self._points: list[tuple[Instance, list[Point]]] | None = None

    def _sample(
        self, param: Expr, inst: Instance, far: bool = False
    ) -> mpmath.mpf | tuple[mpmath.mpf, ...]:
        if isinstance(param, (IndexedBase, MatrixSymbol)):
            if param not in self.vectors:
                raise Unsupported(f"no vector spec for the parameter {param}")
            spec = self.vectors[param]
            return sample_vector(vector_length(spec, inst.values), spec[1], self.rng)
        return sample_value(param, self.rng, self.intervals.get(param), far=far)

    def is_far(self, env: Point) -> bool:
        """Whether ``env`` was drawn far out: a far point without a value is skipped."""
        return (
            id(env) in self._far
            or any(env.params is p.params for p in self._far_points)
            or any(env.instance is i for i in self.instances[self.cfg.instances :])
        )

    def supported(self, envs: list[Point], exprs: tuple[Expr, ...]) -> list[Point]:
        """``envs`` without the far points where an expression has no numeric value."""
        kept = []
        for env in envs:
            far = self.is_far(env)
            try:
                with time_budget(_FAR_SECONDS if far else 0):
                    for e in exprs:
                        _value(e, env)
            except (Unsupported, BudgetExceeded):
                if not far:
                    raise
                continue
            kept.append(env)
        return kept

    def complex_hint(self) -> str:
        names = ", ".join(str(s) for s in self.unassumed)
        return f"; if {names} is real, declare it real=True"

    def domain_note(self, complex_points: int, far_skipped: int) -> str:
        notes = []
        if complex_points:
            names = ", ".join(str(s) for s in self.unassumed)
            notes.append(f"{complex_points} of them with {names} complex")
        if far_skipped:
            notes.append(f"{far_skipped} far points without a value skipped")
        return f" ({'; '.join(notes)})" if notes else ""

    def points(self) -> Iterator[tuple[Instance, list[Point]]]:
        # The same points for every check of the step (the constants' and the relation's).
        if self._points is None:
            self._points = list(self._draw())
        yield from self._points

    def _draw(self) -> Iterator[tuple[Instance, list[Point]]]:
        # Where no parameter appears every parameter point of an instance is the same point.
        count = self.cfg.param_points if self.used else 1
        if self.relation_orders:
            # An ordering counterexample needs a pair on either side of a crossing: for
            # argmin/argmax steps sample twice the points (four times the pairs).
            count *= 2
        scalar = all(isinstance(p, Symbol) for p in self.params)
        for inst in self.instances:
            values = [{p: self._sample(p, inst) for p in self.params} for _ in range(count)]
            envs = [Point(inst, v) for v in values]
            if self.used and scalar:
                far = Point(inst, {p: self._sample(p, inst, far=True) for p in self.params})
                self._far.add(id(far))
                self._far_points.append(far)
                envs.append(far)
            envs += [e for pair in self.branches if (e := _on_branch(envs[0], *pair))]
            if self.hypotheses:
                envs = [p for p in envs if satisfies(self.hypotheses, p)]
            if envs:
                yield inst, envs

    def grid(self) -> list[Point]:
        """Points where the free symbols take small integers and halves together, drawn from
        a fixed grid (the same at every seed), for the equality route to screen.

        Random draws meet a combination such as w < 0 with a even and b a half, where
        (w^a)^b and w^(ab) part, only by chance; on the grid of 7^3 values such points are
        visited in turn."""
        inst = next(iter(self.instances), None)
        real = [s for s in self.free if s.is_extended_real or s.is_extended_real is None]
        if inst is None or not real or any(isinstance(v, mpmath.mpc) for v in inst.values.values()):
            return []
        options = [_grid_values(s, self.intervals.get(s)) for s in real]
        if not all(options):
            return []
        params = next((envs[0].params for _, envs in self.points()), {})
        if math.prod(len(o) for o in options) <= _GRID_POINTS:
            combos = list(itertools.product(*options))
        else:
            # Too many symbols for the whole grid (8^k): a fixed sample of it, never the list.
            rng = random.Random(0)
            combos = [tuple(rng.choice(o) for o in options) for _ in range(_GRID_POINTS)]
        envs = [
            Point(replace(inst, values={**inst.values, **dict(zip(real, c, strict=True))}), params)
            for c in combos
        ]
        return [e for e in envs if not self.hypotheses or satisfies(self.hypotheses, e)]

    def unsatisfied(self) -> bool:
        """Whether no sampled point satisfies the hypotheses: a proof under them would be
        vacuous as far as the kernel can tell."""
        return bool(self.hypotheses) and not any(True for _ in self.points())


_GRID = (-2, -1, mpmath.mpf(-1) / 2, 0, mpmath.mpf(1) / 2, 1, 2, 3)
_GRID_POINTS = 512


def _grid_values(sym: Symbol, interval: tuple[float, float] | None) -> list[mpmath.mpf]:
    values = [mpmath.mpf(v) for v in _GRID]
    if sym.is_integer:
        values = [v for v in values if v == int(v)]
    if interval is not None:
        values = [v for v in values if interval[0] < v < interval[1]]
    checks = (
        (sym.is_positive, lambda v: v > 0),
        (sym.is_negative, lambda v: v < 0),
        (sym.is_nonnegative, lambda v: v >= 0),
        (sym.is_nonpositive, lambda v: v <= 0),
        (sym.is_zero is False, lambda v: v != 0),
        (sym.is_even, lambda v: v == int(v) and int(v) % 2 == 0),
        (sym.is_odd, lambda v: v == int(v) and int(v) % 2 == 1),
    )
    return [v for v in values if all(test(v) for holds, test in checks if holds)]


def _equal_symbols(exprs: tuple[Expr, ...]) -> list[tuple[Symbol, Symbol]]:
    """The pairs of symbols a piecewise branch asks to be equal (``Eq(n_1, n_2)``): random
    draws almost never meet such a branch, so each gets points of its own."""
    pairs: dict[tuple[Symbol, Symbol], None] = {}
    for e in exprs:
        for node in e.atoms(sympy.Piecewise):
            for _, cond in node.args:
                for eq in cond.atoms(sympy.Eq):
                    if all(isinstance(side, Symbol) for side in eq.args):
                        a, b = sorted(eq.args, key=str)
                        pairs[(a, b)] = None
    return list(pairs)


def _on_branch(env: Point, a: Symbol, b: Symbol) -> Point | None:
    """``env`` moved onto a = b: b takes a's value where b's domain admits it."""
    values = {**env.instance.values, **env.params}
    if a not in values or b not in values:
        return None
    v = values[a]
    if isinstance(v, mpmath.mpc) and b.is_extended_real:
        return None
    if (b.is_integer and v != int(v)) or (b.is_positive and not v > 0) or (
        b.is_nonnegative and not v >= 0
    ):
        return None
    if b in env.params:
        return Point(env.instance, {**env.params, b: v})
    return Point(replace(env.instance, values={**env.instance.values, b: v}), env.params)


_VALUES: dict[tuple, tuple[mpmath.mpf | Undefined, bool]] = {}
_VALUES_LIMIT = 200_000


def _value(expr: Expr, env: Point) -> mpmath.mpf | Undefined:
    return _traced(expr, env)[0]


def _traced(expr: Expr, env: Point) -> tuple[mpmath.mpf | Undefined, bool]:
    """The value of ``expr`` at ``env`` at the current precision, and whether it rests on an
    extrapolated series or integral."""
    # A step's right side is the next step's left side, and every mutant of a step shares its
    # left side: the same expression meets the same point again and again.
    key = (expr, env.key, mpmath.mp.prec)
    if key in _VALUES:
        return _VALUES[key]
    try:
        value: mpmath.mpf | Undefined
        value, extrapolated = evaluate_traced(expr, env)
    except Undefined as exc:
        value, extrapolated = exc, False
    except (Unsupported, BudgetExceeded):
        raise
    except Exception as exc:
        # mpmath not converging, or a sympy object the evaluator mishandles, is not a property
        # of the mathematics: no verdict can rest on it.
        raise Unsupported(f"evaluation failed: {type(exc).__name__}: {exc}") from exc
    if len(_VALUES) >= _VALUES_LIMIT:
        _VALUES.clear()
    _VALUES[key] = value, extrapolated
    return value, extrapolated


def _rests_on_extrapolation(exprs: tuple[Expr, ...], env: Point) -> bool:
    """Whether the values of ``exprs`` at ``env`` used an extrapolated series or integral; the
    values at the ladder's levels are stored with this, so a refutation asks without
    evaluating again."""
    extrapolated = False
    for e in exprs:
        try:
            extrapolated = _traced(e, env)[1] or extrapolated
        except (Unsupported, BudgetExceeded):
            continue
    return extrapolated


def _show(v: mpmath.mpf | Undefined) -> str:
    return f"undefined ({v})" if isinstance(v, Undefined) else mpmath.nstr(v, 30)


# The precision ladder for a difference: the working digits, doubled up to 10,000 bits.
CAP_DPS = 3010
# Points per step whose difference is followed up the whole ladder (the others stop at twice
# the working digits once the bound has tightened there), and the share of the step's budget
# that following may take.
_FULL_POINTS = 2
_LADDER_SHARE = 0.25
_LADDER_COST = 3
# Seconds a far point may take before it is skipped.
_FAR_SECONDS = 1.0
# The share of the numeric budget after which a check with enough agreeing points stops.
_SETTLE_SHARE = 0.6


def _ladder(dps: int) -> list[int]:
    levels = [dps]
    while levels[-1] * 2 < CAP_DPS:
        levels.append(levels[-1] * 2)
    return [*levels, CAP_DPS] if levels[-1] < CAP_DPS else levels


@dataclass
class _Gap:
    """The difference lhs - rhs at one point, followed up the precision ladder.

    ``kind``: "agree" (the bound on |lhs - rhs| tightened as the digits rose, down to
    ``bound``), "differ" (it converged to a non-zero value), "undefined" (one side has no
    value), "skip" (neither has) or "unresolved" (neither happened within the ladder)."""

    kind: str
    lv: object = None
    rv: object = None
    digits: int = 0
    bound: mpmath.mpf = mpmath.mpf(0)
    # The digits of the level below ``digits`` that a "differ" was compared with.
    before: int = 0


def _magnitude(d: object) -> mpmath.mpf:
    return abs(d) if d is not None else mpmath.mpf(0)


def _gap(lhs: Expr, rhs: Expr, env: Point, dps: int, full: bool, deadline: float) -> _Gap:
    previous: tuple[object, int, mpmath.mpf] | None = None
    tightened = False
    lv = rv = None
    # The climb's cost is measured in this process's CPU time: other processes loading the
    # machine must not cut the ladder short (and pass a gap of 10^-400 as agreement).
    started = time.process_time()
    base = 0.0
    for digits in _ladder(dps):
        if previous is not None and digits > 2 * dps:
            now = time.process_time()
            spent = time.process_time() - started
            base = base or spent
            settled = tightened and previous[2] <= tolerance(previous[1]) * _scale(lv, rv)
            # Past twice the working digits a settled point climbs only while the climb costs
            # at most a few times the first two levels: cheap expressions go to the cap.
            allowance = _LADDER_COST * base + 0.01 - spent
            if (settled and (not full or allowance <= 0)) or now > deadline:
                break
            # A level's budget allows a few times the first levels' cost; the deadline bounds all.
            allowance = min(4 * allowance + 0.1, deadline - now) if settled else deadline - now
        else:
            allowance = 0.0
        try:
            with mpmath.workdps(digits), time_budget(allowance):
                lv_new, rv_new = _value(lhs, env), _value(rhs, env)
        except BudgetExceeded:
            if allowance <= 0:
                raise
            break
        except Unsupported:
            # A quadrature that converges at the working digits may not at hundreds more:
            # the ladder stops where the evaluator does.
            if previous is None or digits <= 2 * dps:
                raise
            break
        lv, rv = lv_new, rv_new
        l_bad, r_bad = isinstance(lv, Undefined), isinstance(rv, Undefined)
        if l_bad and r_bad:
            return _Gap("skip")
        if l_bad or r_bad:
            return _Gap("undefined", lv, rv, digits)
        if mpmath.isinf(lv) or mpmath.isinf(rv):
            # An infinite value is exact at every precision (∞ - ∞ is no difference to bound):
            # the sides agree only as the same infinity.
            if lv == rv:
                return _Gap("agree", lv, rv, digits, mpmath.mpf(0))
            if mpmath.isinf(lv) and mpmath.isinf(rv):
                return _Gap("differ", lv, rv, digits, mpmath.inf)
            # A finite value against an infinite one differs only once the finite value is
            # the same at two levels: a quadrature of a divergent integral returns a finite
            # number that grows with the digits.
            finite = rv if mpmath.isinf(lv) else lv
            if previous is not None and mpmath.isfinite(previous[0]):
                with mpmath.workdps(digits):
                    if abs(finite - previous[0]) <= abs(finite) * mpmath.mpf(10) ** -5:
                        return _Gap("differ", lv, rv, digits, mpmath.inf, previous[1])
            previous = (finite, digits, mpmath.inf)
            continue
        # The difference is taken at the level's digits, not the caller's.
        with mpmath.workdps(digits):
            d = +lv - rv
            # Where d is exactly 0 the bound is the rounding of the larger side.
            bound = abs(d) if d != 0 else mpmath.mpf(10) ** (-digits) * _scale(lv, rv)
            if previous is not None:
                d0, digits0, bound0 = previous
                close_to = abs(d) * mpmath.mpf(10) ** (-min(digits0 // 3, 15))
                if d != 0 and abs(d - d0) <= close_to:
                    return _Gap("differ", lv, rv, digits, abs(d), digits0)
                tightened = d == 0 or bound <= bound0 * mpmath.mpf(10) ** (-(digits0 // 4))
        previous = (d, digits, bound)
    assert previous is not None
    if tightened and previous[2] <= tolerance(previous[1]) * _scale(lv, rv):
        return _Gap("agree", lv, rv, previous[1], previous[2])
    return _Gap("unresolved", lv, rv, previous[1], previous[2])


def _scale(lv: object, rv: object) -> mpmath.mpf:
    return max(abs(lv), abs(rv), mpmath.mpf(10) ** -mpmath.mp.dps)


def _is_complex(env: Point) -> bool:
    return any(isinstance(v, mpmath.mpc) for v in env.instance.values.values())


def _refutation(lhs: Expr, rhs: Expr, env: Point, gap: _Gap, what: str) -> _Verdict:
    """A point where the sides differ, certified in ball arithmetic where it can be."""
    example = {"point": env.describe(), "lhs": _show(gap.lv), "rhs": _show(gap.rv)}
    if gap.kind == "undefined":
        return _Verdict(Status.REFUTED, f"{what}: one side is undefined where the other is not",
                        example, undefined=True)
    cert = certify(lhs, rhs, env, _is_complex(env))
    if cert.certified:
        example.update({"lhs_ball": cert.lhs, "rhs_ball": cert.rhs})
        return _Verdict(
            Status.REFUTED,
            f"{what}: certified (disjoint ball enclosures at {cert.bits} bits)",
            example,
        )
    if cert.overlap:
        return _Verdict(
            Status.UNKNOWN,
            f"mpmath found |lhs - rhs| = {mpmath.nstr(gap.bound, 5)} at a point, but ball "
            f"arithmetic at {cert.bits} bits does not separate the sides: not refuted",
            example,
        )
    with mpmath.workdps(gap.digits):
        extrapolated = _rests_on_extrapolation((lhs, rhs), env)
    if extrapolated:
        return _Verdict(
            Status.UNKNOWN,
            f"the sides seem to differ at a point, but the values rest on an extrapolated "
            f"series or integral and {cert.missing}: not refuted",
            example,
        )
    return _Verdict(
        Status.REFUTED,
        f"{what}: not certified ({cert.missing}); the difference "
        f"{mpmath.nstr(gap.bound, 5)} is the same at {gap.before} and {gap.digits} digits",
        example,
    )


# CPU seconds the grid screen may take, and the digits it evaluates at.
_SCREEN_SECONDS = 0.3
_SCREEN_DPS = 30


def _real_only_at_special_points(expr: Expr) -> bool:
    """Whether ``expr`` has a power with a non-integer exponent of a base that may be
    negative: real at integers and halves, undefined (complex) at most random points."""
    return any(
        not node.exp.is_integer and not node.base.is_nonnegative
        for node in expr.atoms(sympy.Pow)
    )


def _screen(lhs: Expr, rhs: Expr, sampler: _Sampler) -> list[Point]:
    """The first grid point where both sides have values that differ at a glance: it joins
    the sampled points, to be followed up the ladder and certified like any other. Points
    where a side is undefined are passed over: one such point says nothing of an identity
    that holds wherever both sides are defined."""
    if not any(_real_only_at_special_points(e) for e in (lhs, rhs)):
        return []
    started = time.process_time()
    with mpmath.workdps(_SCREEN_DPS):
        for env in sampler.grid():
            if time.process_time() - started > _SCREEN_SECONDS:
                break
            try:
                with time_budget(_SCREEN_SECONDS):
                    lv, rv = _value(lhs, env), _value(rhs, env)
            except (Unsupported, BudgetExceeded):
                return []
            if isinstance(lv, Undefined) or isinstance(rv, Undefined):
                continue
            if mpmath.isinf(lv) or mpmath.isinf(rv):
                if lv != rv:
                    return [env]
                continue
            if abs(lv - rv) > tolerance(_SCREEN_DPS // 2) * _scale(lv, rv):
                return [env]
    return []


def _numeric_equal(lhs: Expr, rhs: Expr, sampler: _Sampler) -> _Verdict:
    dps = sampler.cfg.dps
    deadline = time.process_time() + sampler.cfg.budget * _LADDER_SHARE
    agreed, weakest, full = 0, mpmath.mpf(0), _FULL_POINTS
    unresolved: _Gap | None = None
    # A difference that could not be made a counterexample (not certified where it must be).
    doubtful: _Verdict | None = None
    complex_refuted: _Verdict | None = None
    complex_points = far_skipped = 0
    # Past most of the budget, points that already agree are the evidence: stopping there says
    # how many agreed, where running out of the budget would say nothing at all.
    enough = time.process_time() + _SETTLE_SHARE * _numeric_budget(sampler.cfg)
    stopped = False
    try:
        screened = _screen(lhs, rhs, sampler)
        for _, envs in itertools.chain([(None, screened)], sampler.points()):
            if stopped:
                break
            for env in envs:
                if agreed >= sampler.cfg.instances and time.process_time() > enough:
                    stopped = True
                    break
                complex_at = _is_complex(env)
                far = sampler.is_far(env)
                extra = far or any(env is e for e in screened)
                try:
                    # A far or grid point is extra evidence: it may not take long.
                    with complex_mode(complex_at), time_budget(_FAR_SECONDS if extra else 0):
                        gap = _gap(lhs, rhs, env, dps, full > 0, deadline)
                except (Unsupported, BudgetExceeded):
                    if far:
                        far_skipped += 1
                    if extra:
                        continue
                    raise
                if gap.kind == "skip":
                    continue
                if gap.kind == "undefined" and far:
                    # Far out a side can round to log(0) (1 - σ(z) at z = 10^4 needs 4,000
                    # digits): the point is no evidence either way.
                    far_skipped += 1
                    continue
                full -= 1
                if gap.kind in ("differ", "undefined"):
                    with complex_mode(complex_at):
                        verdict = _refutation(lhs, rhs, env, gap, "the two sides differ")
                    uncertified = "lhs_ball" not in (verdict.counterexample or {})
                    if far and uncertified:
                        # A far point refutes only with disjoint balls: mpmath's values there
                        # (finite differences, long cancellations) may be off at every digit.
                        far_skipped += 1
                        continue
                    if verdict.status is Status.REFUTED and complex_at:
                        complex_refuted = complex_refuted or verdict
                        continue
                    if verdict.status is Status.REFUTED:
                        return verdict
                    doubtful = doubtful or verdict
                    continue
                if gap.kind == "unresolved":
                    unresolved = unresolved or gap
                    continue
                agreed += 1
                complex_points += complex_at
                weakest = max(weakest, gap.bound)
    except Unsupported as exc:
        return _Verdict(Status.UNKNOWN, f"numeric check impossible: {exc}")
    except BudgetExceeded:
        return _Verdict(Status.UNKNOWN, "the numeric check ran out of its time budget")
    if complex_refuted is not None:
        real = agreed - complex_points
        hint = sampler.complex_hint() if real else ""
        return _Verdict(
            Status.REFUTED,
            complex_refuted.detail
            + (f" at a complex point (it held at {real} real points{hint})" if hint else ""),
            complex_refuted.counterexample,
        )
    if doubtful is not None:
        return doubtful
    if unresolved is not None:
        return _Verdict(
            Status.UNKNOWN,
            f"|lhs - rhs| did not settle up to {unresolved.digits} digits "
            f"(last {mpmath.nstr(unresolved.bound, 5)}): neither agreement nor a counterexample",
        )
    if agreed == 0:
        return _Verdict(Status.UNKNOWN, "neither side has a value at any sampled point")
    how = mean_semantics((lhs, rhs), sampler.instances)
    where = sampler.domain_note(complex_points, far_skipped)
    cut = "; the other points were not evaluated within the time budget" if stopped else ""
    return _Verdict(
        Status.NUMERIC,
        f"|lhs - rhs| < {_power(weakest)} at {agreed} points{where}{cut}; not proved"
        + (f" ({how})" if how else ""),
    )


def _power(bound: mpmath.mpf) -> str:
    if bound == 0:
        return "10^-inf"
    return f"10^{int(mpmath.ceil(mpmath.log10(bound)))}"


def _numeric_inequality(lhs: Expr, rhs: Expr, relation: Relation, sampler: _Sampler) -> _Verdict:
    """``lhs < rhs`` (or ``>``) at every sampled point where both sides have a value, with a
    margin above rounding at the digits where the gap was resolved (the precision ladder is
    climbed while it is not); a gap lost in rounding up to the cap is no evidence either way."""
    dps = sampler.cfg.dps
    held = unresolved = 0
    try:
        for _, envs in sampler.points():
            for env in envs:
                resolved = False
                with complex_mode(False):
                    for digits in _ladder(dps):
                        with mpmath.workdps(digits):
                            lv, rv = _value(lhs, env), _value(rhs, env)
                            if isinstance(lv, Undefined) or isinstance(rv, Undefined):
                                break
                            gap = rv - lv if relation in (Relation.LT, Relation.LE) else lv - rv
                            if abs(gap) > tolerance(digits) * max(abs(lv), abs(rv)):
                                resolved = True
                                break
                # The claim is about the points where both sides have a value (a count that
                # divides is not 0 there): elsewhere it says nothing.
                if isinstance(lv, Undefined) or isinstance(rv, Undefined):
                    continue
                if not resolved:
                    # Sides that expand to the same expression are equal wherever they are
                    # defined: there a strict inequality fails exactly, which no rounding could
                    # show (asked only here, where rounding left the gap open).
                    if relation in (Relation.LT, Relation.GT) and expand(lhs - rhs) == 0:
                        return _Verdict(
                            Status.REFUTED,
                            f"lhs {relation.value} rhs fails: the sides expand to the same "
                            "expression, equal at every point where they are defined",
                            {"point": env.describe(), "lhs": _show(lv), "rhs": _show(rv)},
                        )
                    # Equal sides within rounding satisfy <= and >=, and say nothing of < or >.
                    if relation in (Relation.LE, Relation.GE):
                        held += 1
                    else:
                        unresolved += 1
                    continue
                if gap < 0:
                    cert = certify(lhs, rhs, env)
                    how = (
                        f"certified (disjoint ball enclosures at {cert.bits} bits)"
                        if cert.certified
                        else f"not certified ({cert.missing or 'the balls overlap'})"
                    )
                    return _Verdict(
                        Status.REFUTED,
                        f"the inequality lhs {relation.value} rhs fails at a sampled point: {how}",
                        {"point": env.describe(), "lhs": _show(lv), "rhs": _show(rv)},
                    )
                held += 1
    except Unsupported as exc:
        return _Verdict(Status.UNKNOWN, f"numeric check impossible: {exc}")
    if unresolved:
        return _Verdict(
            Status.UNKNOWN,
            f"the sides are equal up to {CAP_DPS} digits at {unresolved} points: the strict "
            "inequality is not shown there",
        )
    if held == 0:
        return _Verdict(Status.UNKNOWN, "neither side has a value at any sampled point")
    return _Verdict(Status.NUMERIC, f"holds with a margin at {held} points")


def _prove_inequality(
    lhs: Expr,
    rhs: Expr,
    relation: Relation,
    budget: float,
    assumptions: Assumptions = _NO_ASSUMPTIONS,
) -> tuple[bool, str]:
    gap = rhs - lhs if relation in (Relation.LT, Relation.LE) else lhs - rhs
    strict = relation in (Relation.LT, Relation.GT)
    sign = "positive" if strict else "nonnegative"
    try:
        with time_budget(budget):
            for variant in assumptions.variants():
                written = variant.form(gap)
                normal = normalize(written)
                # Each form is the same value; the assumptions system sees signs in some of them.
                for form, how in (
                    (written, "written"),
                    (Add(*map(sympy.factor, Add.make_args(written))), "termwise factored"),
                    (normal, "normalized"),
                    (sympy.factor(normal), "factored"),
                    (sympy.simplify(normal), "simplified"),
                ):
                    if getattr(form, f"is_{sign}") is True:
                        under = " and the hypotheses" if variant.substitutions else ""
                        return True, (
                            f"the {how} difference {form} is {sign} under the symbols' "
                            f"assumptions{under}"
                        )
    except BudgetExceeded:
        return False, f"the symbolic attempt ran out of its {budget:g} s budget"
    return False, "the symbols' assumptions do not decide the sign of the difference"


def _order(difference: mpmath.mpf, scale: mpmath.mpf) -> int:
    if abs(difference) <= scale:
        return 0
    return 1 if difference > 0 else -1


def _numeric_argopt(f: Expr, g: Expr, flips: bool, sampler: _Sampler) -> _Verdict:
    dps = sampler.cfg.dps
    tol = tolerance(dps)
    pairs = 0
    try:
        with mpmath.workdps(dps):
            for _, drawn in sampler.points():
                envs = sampler.supported(drawn, (f, g))
                fs = [_value(f, e) for e in envs]
                gs = [_value(g, e) for e in envs]
                for env, fv, gv in zip(envs, fs, gs, strict=True):
                    if isinstance(fv, Undefined) != isinstance(gv, Undefined):
                        return _Verdict(
                            Status.REFUTED,
                            "one objective is defined where the other is not",
                            {"point": env.describe(), "lhs": _show(fv), "rhs": _show(gv)},
                        )
                ok = [k for k, v in enumerate(fs) if not isinstance(v, Undefined)]
                for j, k in itertools.combinations(ok, 2):
                    df, dg = fs[j] - fs[k], gs[j] - gs[k]
                    f_sign = _order(df, tol * max(abs(fs[j]), abs(fs[k])))
                    g_sign = _order(dg, tol * max(abs(gs[j]), abs(gs[k])))
                    if (-g_sign if flips else g_sign) != f_sign:
                        # A tie at these digits may be a difference below them: look again
                        # with more digits before calling it a counterexample.
                        resolved = _resolve_orders(f, g, envs[j], envs[k], dps)
                        if resolved is None:
                            continue
                        f_sign, g_sign = resolved
                    if (-g_sign if flips else g_sign) != f_sign:
                        return _Verdict(
                            Status.REFUTED,
                            "optimizers differ on the parameter set {theta_1, theta_2}",
                            {
                                "point": envs[j].instance.describe(),
                                "theta_1": {str(p): show(v) for p, v in envs[j].params.items()},
                                "theta_2": {str(p): show(v) for p, v in envs[k].params.items()},
                                "lhs": [_show(fs[j]), _show(fs[k])],
                                "rhs": [_show(gs[j]), _show(gs[k])],
                            },
                        )
                    pairs += 1
    except Unsupported as exc:
        return _Verdict(Status.UNKNOWN, f"numeric check impossible: {exc}")
    if pairs == 0:
        return _Verdict(Status.UNKNOWN, "no pair of parameter values where both sides are defined")
    return _Verdict(Status.NUMERIC, f"the two objectives order {pairs} parameter pairs alike")


def _resolve_orders(
    f: Expr, g: Expr, e1: Point, e2: Point, dps: int
) -> tuple[int, int] | None:
    """The orders of f and of g on a pair of points, each read at the first precision of the
    ladder where it is above rounding (None when one stays within rounding up to the cap)."""
    signs: list[int | None] = [None, None]
    for digits in _ladder(dps)[1:]:
        with mpmath.workdps(digits):
            for slot, h in enumerate((f, g)):
                if signs[slot] is not None and signs[slot] != 0:
                    continue
                v1, v2 = _value(h, e1), _value(h, e2)
                if isinstance(v1, Undefined) or isinstance(v2, Undefined):
                    return None
                sign = _order(v1 - v2, tolerance(digits) * max(abs(v1), abs(v2)))
                signs[slot] = sign if sign != 0 or digits == _ladder(dps)[-1] else None
        if all(v is not None and v != 0 for v in signs):
            break
    if any(v is None for v in signs):
        return None
    return signs[0], signs[1]


def _bindings(term: Expr, indices: set[Symbol], inst: Instance) -> list[dict[Symbol, mpmath.mpf]]:
    """Values for the variables a term borrows from an enclosing sum or expectation."""
    free = term.free_symbols
    bindings: list[dict[Symbol, mpmath.mpf]] = [{}]
    for var in sorted(free & indices, key=str):
        bindings = [{**b, var: mpmath.mpf(k)} for b in bindings for k in range(1, inst.n + 1)]
    if free & {xv, yv}:
        bindings = [{**b, xv: a, yv: c} for b in bindings for a, c in set(inst.pairs)]
    return bindings


def _numeric_constant(term: Expr, indices: set[Symbol], sampler: _Sampler) -> _Verdict:
    """A constant must not vary with the parameters, whatever its borrowed variables are."""
    dps = sampler.cfg.dps
    try:
        with mpmath.workdps(dps):
            for inst, points in sampler.points():
                envs = [p.with_bound(b) for b in _bindings(term, indices, inst) for p in points]
                envs = sampler.supported(envs, (term,))
                values = [(e, _value(term, e)) for e in envs]
                defined = [(e, v) for e, v in values if not isinstance(v, Undefined)]
                for (e1, v1), (e2, v2) in itertools.combinations(defined, 2):
                    if e1.bound == e2.bound and not close(v1, v2, dps):
                        return _Verdict(
                            Status.REFUTED,
                            f"the term declared constant, {term}, depends on the parameters",
                            {
                                "point": e1.instance.describe(),
                                "theta_1": {str(p): show(v) for p, v in e1.params.items()},
                                "theta_2": {str(p): show(v) for p, v in e2.params.items()},
                                "lhs": _show(v1),
                                "rhs": _show(v2),
                            },
                        )
    except Unsupported as exc:
        return _Verdict(Status.UNKNOWN, f"numeric check impossible: {exc}")
    return _Verdict(Status.NUMERIC, f"the term declared constant, {term}, did not vary")


def _is_zero(expr: Expr, env: Point, dps: int) -> tuple[bool, mpmath.mpf | Undefined]:
    """Whether ``expr`` is 0 at ``env``: a value that does not shrink with twice the digits is
    a true value, one that does is cancellation noise around 0."""
    with mpmath.workdps(dps):
        first = _value(expr, env)
    if isinstance(first, Undefined) or first == 0:
        return not isinstance(first, Undefined), first
    with mpmath.workdps(2 * dps):
        second = _value(expr, env)
    if isinstance(second, Undefined):
        return False, second
    return abs(second) < abs(first) * mpmath.mpf(10) ** (-(dps // 2)), first


def _outside(value: mpmath.mpf, var: Symbol, interval: tuple[float, float] | None) -> bool:
    if interval is not None:
        return not interval[0] < value < interval[1]
    if var.is_positive:
        return not value > 0
    return bool(var.is_nonnegative) and value < 0


def _numeric_root(lhs: Expr, solution: Expr, var: Symbol, sampler: _Sampler) -> _Verdict:
    """At every sampled point the solution lies in the domain of ``var`` and sets ``lhs`` to 0."""
    dps = sampler.cfg.dps
    held = 0
    at_root = lhs.xreplace({var: solution})
    try:
        for _, envs in sampler.points():
            for env in envs:
                with mpmath.workdps(dps):
                    value = _value(solution, env)
                if isinstance(value, Undefined):
                    continue
                if _outside(value, var, sampler.intervals.get(var)):
                    return _Verdict(
                        Status.REFUTED,
                        f"the solution {var} = {solution} lies outside the domain of {var}",
                        {"point": env.describe(), "lhs": _show(value), "rhs": "outside"},
                    )
                zero, got = _is_zero(at_root, env, dps)
                if not zero:
                    return _Verdict(
                        Status.REFUTED,
                        f"at {var} = {solution} the left side is not 0",
                        {"point": env.describe(), "lhs": _show(got), "rhs": "0"},
                    )
                held += 1
    except Unsupported as exc:
        return _Verdict(Status.UNKNOWN, f"numeric check impossible: {exc}")
    if held == 0:
        return _Verdict(Status.UNKNOWN, "the solution has no value at any sampled point")
    return _Verdict(Status.NUMERIC, f"the solution sets the left side to 0 at {held} points")


def _prove_root(
    lhs: Expr,
    solution: Expr,
    var: Symbol,
    intervals: Mapping[Symbol, tuple[float, float]],
    assumptions: Assumptions,
    budget: float,
) -> tuple[bool, str]:
    variants = assumptions.variants()
    for variant in variants:
        satisfied, how = _prove_equal(
            variant.form(lhs.xreplace({var: solution})), sympy.S.Zero, budget
        )
        if satisfied:
            break
    if not satisfied:
        return False, f"the solution is not proved to set the left side to 0 ({how})"
    inside, where = calculus.in_domain(solution, var, intervals.get(var), variants)
    if not inside:
        return False, where
    unique, why = calculus.unique_root(lhs, var, solution, variants, intervals.get(var))
    if not unique:
        return False, f"{where} and sets the left side to 0, but uniqueness is not proved: {why}"
    return True, f"{why}; {where}"


def _numeric_proportional(f: Expr, g: Expr, sampler: _Sampler) -> _Verdict:
    """f / g is positive and the same at every parameter value of an instance."""
    dps = sampler.cfg.dps
    compared = 0
    try:
        with mpmath.workdps(dps):
            for _, envs in sampler.points():
                ratios = []
                for env in envs:
                    # Far out f and g under- or overflow: a ratio there is no evidence.
                    if sampler.is_far(env):
                        continue
                    fv, gv = _value(f, env), _value(g, env)
                    if isinstance(fv, Undefined) or isinstance(gv, Undefined) or gv == 0:
                        continue
                    ratio = fv / gv
                    if not ratio > 0:
                        return _Verdict(
                            Status.REFUTED,
                            "the factor f/g is not positive at a sampled point",
                            {"point": env.describe(), "lhs": _show(fv), "rhs": _show(gv)},
                        )
                    ratios.append((env, ratio, fv, gv))
                for (e1, r1, f1, g1), (e2, r2, f2, g2) in itertools.combinations(ratios, 2):
                    if not close(r1, r2, dps):
                        return _Verdict(
                            Status.REFUTED,
                            "the factor f/g changes with the parameters",
                            {
                                "point": e1.instance.describe(),
                                "theta_1": {str(p): show(v) for p, v in e1.params.items()},
                                "theta_2": {str(p): show(v) for p, v in e2.params.items()},
                                "lhs": [_show(f1), _show(f2)],
                                "rhs": [_show(g1), _show(g2)],
                            },
                        )
                    compared += 1
    except Unsupported as exc:
        return _Verdict(Status.UNKNOWN, f"numeric check impossible: {exc}")
    if compared == 0:
        return _Verdict(Status.UNKNOWN, "no pair of parameter values where both sides are defined")
    return _Verdict(Status.NUMERIC, f"f/g is positive and constant over {compared} pairs")


# --- the verdict ----------------------------------------------------------------------------


def _combine(symbolic: tuple[bool, str], numeric: _Verdict) -> _Verdict:
    proved, why = symbolic
    if numeric.status is Status.REFUTED:
        if proved:
            why = f"{numeric.detail}; the symbolic route claimed a proof ({why}): kernel bug"
            return _Verdict(Status.REFUTED, why, numeric.counterexample)
        return numeric
    if proved:
        extra = "" if numeric.status is Status.NUMERIC else f" (numeric check: {numeric.detail})"
        return _Verdict(Status.PROVED, why + extra)
    if numeric.status is Status.NUMERIC:
        return _Verdict(
            Status.NUMERIC, f"not proved symbolically ({why}); numeric only: {numeric.detail}"
        )
    return _Verdict(Status.UNKNOWN, f"not proved symbolically ({why}); {numeric.detail}")


def _where_defined(why: str, mismatched: list[str], numeric: _Verdict) -> _Verdict:
    """The sides are proved equal where both are defined, on sets that differ: the identity
    fails at the points where one side is undefined. A numeric refutation at such a point
    agrees; one where both sides are defined contradicts the proof, a kernel bug."""
    where = "; ".join(mismatched)
    if numeric.status is Status.REFUTED:
        if numeric.undefined:
            return numeric
        detail = (
            f"{numeric.detail}; the symbolic route proved the sides equal where both are "
            f"defined ({why}): kernel bug"
        )
        return _Verdict(Status.REFUTED, detail, numeric.counterexample)
    return _Verdict(
        Status.WHERE_DEFINED,
        f"equal where both sides are defined ({why}), but not an identity: {where}; "
        f"numeric check: {numeric.detail}",
    )


def _check_constants(exprs: tuple[Expr, ...], sampler: _Sampler) -> list[_Verdict]:
    verdicts = []
    indices = {
        lim[0] for e in exprs for n in e.atoms(Sum, Product, sympy.Integral) for lim in n.limits
    }
    for term in {c.term for e in exprs for c in e.atoms(Constant)}:
        free, why = _attempt(
            lambda t=term: (
                _split(normalize(t), sampler.params)[0] == 0,
                f"{t} still mentions the parameters",
            ),
            sampler.cfg.budget,
        )
        if free:
            verdicts.append(_Verdict(Status.PROVED, f"{term} is free of the parameters"))
            continue
        verdicts.append(
            _combine(
                (False, why),
                _bounded(lambda t=term: _numeric_constant(t, indices, sampler), sampler.cfg),
            )
        )
    return verdicts


def _attempt(prove: Callable[[], tuple[bool, str]], budget: float) -> tuple[bool, str]:
    """Run a symbolic attempt within ``budget`` seconds in all (normalizing included); sympy
    raising inside it is a failed attempt, never a verdict."""
    try:
        with time_budget(budget):
            return prove()
    except BudgetExceeded as exc:
        return False, f"the symbolic attempt stopped: {exc}"
    except Exception as exc:
        return False, f"sympy failed in the symbolic attempt: {type(exc).__name__}: {exc}"


def check_step(
    lhs: Expr,
    lhs_sense: Relation,
    step: Step,
    *,
    index: int = 1,
    params: tuple[Symbol, ...] | None = None,
    intervals: Mapping[Symbol, tuple[float, float]] | None = None,
    data: DataSampler | None = None,
    vectors: Mapping[Expr, VectorSpec] | None = None,
    config: Config = Config(),
    domains: Mapping[IndexedBase, IndexedBase] | None = None,
    hypotheses: tuple[sympy.Basic, ...] = (),
    sampling: Mapping[Symbol, tuple[float, float]] | None = None,
) -> CheckedStep:
    """Check one step ``lhs  --relation-->  step.rhs`` and return its verdict.

    ``params`` are the symbols optimized over (θ by default), ``intervals`` domains for
    symbols whose assumptions cannot say (part of the claim), ``sampling`` ranges the numeric
    check draws symbols from without narrowing the claim, ``data`` a sampler of data points,
    ``vectors`` the length and kind of indexed symbols other than the data (``pi[k]`` on the
    simplex) and of matrix symbols (``Sigma`` symmetric positive definite), ``domains`` the
    bases that carry the data's domains in the proofs and ``hypotheses`` the relations assumed (see
    :class:`~symbolic.kernel.derivation.Derivation`)."""
    lhs = as_expr(lhs)
    step = replace(step, rhs=as_expr(step.rhs))
    params = params if params is not None else (theta,)
    if isinstance(step.wrt, tuple):
        step = replace(step, wrt=sympy.Tuple(*step.wrt))
    gradient = step.relation is Relation.DIFF and isinstance(
        step.wrt, sympy.IndexedBase | sympy.Tuple
    )
    if gradient or matrices.is_matrix(lhs) or matrices.is_matrix(step.rhs):
        def scalar(claim: matrices.Claim) -> CheckedStep:
            return check_step(
                claim.lhs, Relation.EQ, Step(claim.relation, claim.rhs, step.rule),
                index=index, params=params, intervals=intervals, data=data, vectors=vectors,
                config=config, domains=domains, hypotheses=hypotheses + claim.hypotheses,
                sampling=sampling,
            )

        worst_ = _matrix_verdict(lhs, step, scalar, vectors or {})
        return CheckedStep(
            index=index, lhs=lhs, lhs_sense=lhs_sense, relation=step.relation, rhs=step.rhs,
            rule=step.rule, status=worst_.status, detail=worst_.detail,
            counterexample=worst_.counterexample, obligations=worst_.obligations,
            wrt=step.wrt, seal=_SEAL,
        )
    assumptions = Assumptions.of(domains or {}, hypotheses)
    if step.relation in (Relation.DIFF, Relation.SOLVE) and step.wrt is None:
        worst = _Verdict(Status.UNKNOWN, f"a {step.relation.value} step needs a variable (wrt)")
        evaluated = False
    elif step.relation.compares and lhs_sense.optimizes:
        worst = _Verdict(
            Status.UNKNOWN, "an inequality between objectives says nothing about their optimizers"
        )
        evaluated = False
    else:
        worst, evaluated = _verdict(
            lhs, lhs_sense, step, params, intervals or {}, data, vectors, config,
            assumptions, hypotheses, sampling or {},
        )
    return CheckedStep(
        index=index,
        lhs=lhs,
        lhs_sense=lhs_sense,
        relation=step.relation,
        rhs=step.rhs,
        rule=step.rule,
        status=worst.status,
        detail=worst.detail,
        counterexample=worst.counterexample,
        evaluated=evaluated,
        obligations=worst.obligations,
        wrt=step.wrt,
        seal=_SEAL,
    )


def _matrix_verdict(
    lhs: Expr,
    step: Step,
    scalar: Callable[[matrices.Claim], CheckedStep],
    vectors: Mapping[Expr, VectorSpec],
) -> _Verdict:
    """A matrix step as its scalar claims (:mod:`symbolic.kernel.matrices`), each checked as a
    step of its own: the step's verdict is the worst of theirs, and names the claim. A
    differentiate step in a vector, or in a tuple of symbols, is the equation grad(lhs) = rhs."""
    relation = step.relation
    if relation is Relation.DIFF:
        length = None
        if isinstance(step.wrt, sympy.IndexedBase):
            spec = vectors.get(step.wrt)
            if spec is None or isinstance(spec[0], sympy.Tuple):
                return _Verdict(
                    Status.UNKNOWN,
                    f"a gradient in {step.wrt} needs it declared as a vector of a length",
                )
            length = spec[0]
        lhs, relation = matrices.gradient(lhs, step.wrt, length), Relation.EQ
    made = matrices.claims(lhs, relation, step.rhs)
    if isinstance(made, str):
        return _Verdict(Status.UNKNOWN, made)
    checked = [(claim, scalar(claim)) for claim in made]
    status = worst(c.status for _, c in checked)
    obligations = tuple(o for _, c in checked for o in c.obligations)
    what = (
        "entrywise" if relation is Relation.EQ
        else "by Sylvester's criterion, on a symmetric matrix"
    )
    if status is Status.PROVED:
        return _Verdict(
            status,
            f"{what}: {len(checked)} claims proved ("
            + "; ".join(f"{claim.label}: {c.detail}" for claim, c in checked) + ")",
        )
    claim, bad = next((cl, c) for cl, c in checked if c.status is status)
    example = dict(bad.counterexample or {}) or None
    if example is not None:
        example["claim"] = claim.label
    return _Verdict(
        status,
        f"{what}, {claim.label} ({claim.lhs} {claim.relation.value} {claim.rhs}): {bad.detail}",
        example,
        obligations=obligations,
    )


def _numeric_budget(config: Config) -> float:
    """Seconds a step's numeric check may take: a few symbolic budgets (it evaluates twice at
    every point, and climbs the precision ladder at some)."""
    return max(5.0, 3 * config.budget)


def _bounded(run: Callable[[], _Verdict], config: Config) -> _Verdict:
    seconds = _numeric_budget(config)
    try:
        with time_budget(seconds):
            return run()
    except BudgetExceeded:
        return _Verdict(Status.UNKNOWN, f"the numeric check ran out of its {seconds:g} s budget")


def _verdict(
    lhs: Expr,
    lhs_sense: Relation,
    step: Step,
    params: tuple[Symbol, ...],
    intervals: Mapping[Symbol, tuple[float, float]],
    data: DataSampler | None,
    vectors: Mapping | None,
    config: Config,
    assumptions: Assumptions = _NO_ASSUMPTIONS,
    hypotheses: tuple[sympy.Basic, ...] = (),
    sampling: Mapping[Symbol, tuple[float, float]] | None = None,
) -> tuple[_Verdict, bool]:
    """The step's verdict, and whether the numeric check could evaluate it at all."""
    relation = step.relation
    # A bound index named like a free symbol is renamed first: the hypotheses' substitutions
    # and sympy's rules would otherwise reach the bound one.
    free = set().union(
        *(e.free_symbols for e in (lhs, step.rhs, *hypotheses)),
        step.wrt.free_symbols if step.wrt is not None else set(),
    )
    lhs = bound_apart(lhs, free)
    step = replace(step, rhs=bound_apart(step.rhs, free))
    # A derivative step is the equation d(lhs)/d(wrt) = rhs.
    lhs_eq = sympy.Derivative(lhs, step.wrt) if relation is Relation.DIFF else lhs
    orders = relation.optimizes or relation is Relation.PROPTO
    sampler = _Sampler(
        (lhs, step.rhs), params, {**(sampling or {}), **intervals}, config, data, vectors,
        orders, hypotheses,
    )
    if sampler.unsatisfied():
        text = ", ".join(map(str, hypotheses))
        return _Verdict(
            Status.UNKNOWN,
            f"no sampled point satisfies the hypotheses {text} (or they could not be evaluated): "
            "they may be unsatisfiable, and a proof under them would be vacuous",
        ), False
    constants = _check_constants((lhs, step.rhs), sampler)
    infinite = [why for e in (lhs, step.rhs) for kl in e.atoms(KL) if (why := kl.infinite())]
    varies = next((v for v in constants if v.status is Status.REFUTED), None)
    if varies is not None:
        # A term declared constant that varies with the parameters refutes the step whatever
        # the relation's own checks find (the worst verdict wins), and a proof of the relation
        # would contradict nothing: they would only spend their budgets.
        if infinite:
            varies = replace(varies, detail=f"{varies.detail}; note: {'; '.join(infinite)}")
        return varies, True
    flips = _sense_flips(lhs_sense, relation)

    def run_numeric() -> _Verdict:
        if relation in (Relation.EQ, Relation.DIFF):
            return _numeric_equal(lhs_eq, step.rhs, sampler)
        if relation.compares:
            return _numeric_inequality(lhs, step.rhs, relation, sampler)
        if relation is Relation.SOLVE:
            return _numeric_root(lhs, step.rhs, step.wrt, sampler)
        if relation is Relation.PROPTO:
            return _numeric_proportional(lhs, step.rhs, sampler)
        return _numeric_argopt(lhs, step.rhs, flips, sampler)

    numeric = _bounded(run_numeric, config)
    form = assumptions.form

    # A value claim holds at every point of the domain: a symbol's interval is one more
    # hypothesis there (for an argmin step it would reparametrize the objective).
    used = (lhs.free_symbols | step.rhs.free_symbols) & set(intervals)
    bounds = tuple(
        rel
        for sym in sorted(used, key=str)
        for rel in (
            sympy.StrictGreaterThan(sym, sympy.Rational(str(intervals[sym][0]))),
            sympy.StrictLessThan(sym, sympy.Rational(str(intervals[sym][1]))),
        )
    )
    within = Assumptions.of(assumptions.domains, hypotheses + bounds)

    def claim() -> tuple[bool, str]:
        if relation in (Relation.EQ, Relation.DIFF):
            ok, why = _prove_equal(form(lhs_eq), form(step.rhs), config.budget)
            if ok or not bounds:
                return ok, why
            ok, how = _prove_equal(within.form(lhs_eq), within.form(step.rhs), config.budget)
            if not ok:
                return False, why
            names = ", ".join(map(str, sorted(used, key=str)))
            return True, f"with {names} in their intervals: {how}"
        if relation.compares:
            return _prove_inequality(lhs, step.rhs, relation, config.budget, within)
        if relation is Relation.SOLVE:
            return _prove_root(lhs, step.rhs, step.wrt, intervals, assumptions, config.budget)
        if relation is Relation.PROPTO:
            for variant in assumptions.variants():
                ok, why = calculus.proportional(
                    variant.form(lhs), variant.form(step.rhs), sampler.params, normalize
                )
                if ok:
                    break
            return ok, why
        return _prove_argopt(form(lhs), form(step.rhs), flips, step.witness, params, config.budget)

    # The obligations left open only because the sides are defined on different sets: then
    # the sides are proved equal where both are defined, a distinct outcome.
    mismatched: list[str] = []
    opened: list[str] = []

    def prove() -> tuple[bool, str]:
        proved, why = claim()
        if not proved or relation.optimizes or relation in (Relation.SOLVE, Relation.PROPTO):
            return proved, why
        # A value claim (=, a derivative, an inequality) holds only where its rewrites' side
        # conditions do: nonzero denominators, convergent pieces, well-formed ranges.
        open_ = _range_conditions(lhs, step.rhs)
        if open_:
            opened.extend(open_)
            return False, f"{why}, but obligations are open: {'; '.join(open_)}"
        mismatched.extend(domain_mismatches(lhs, step.rhs, intervals))
        if mismatched:
            return False, why
        return proved, why

    # The symbolic attempt runs even when the numeric check refutes: a proof of a refuted step
    # is a kernel bug, and it must be seen (unless the caller reads verdicts only).
    if numeric.status is Status.REFUTED and not config.prove_refuted:
        symbolic = (False, "no symbolic attempt: the numeric check refuted the claim")
    else:
        symbolic = _attempt(prove, config.budget)
    combined = _combine(symbolic, numeric)
    if mismatched and relation in (Relation.EQ, Relation.DIFF):
        combined = _where_defined(symbolic[1], mismatched, numeric)
    verdicts = [combined, *constants]
    worst = max(verdicts, key=lambda v: _RANK[v.status])
    if worst.status is Status.PROVED:
        worst = verdicts[0]
    if worst is numeric and numeric.status is Status.REFUTED:
        plain = Assumptions(assumptions.domains).form
        worst = _explained(numeric, lhs_eq, step.rhs, relation, plain, config)
    if worst.status is not Status.PROVED and (opened or mismatched):
        worst = replace(worst, obligations=tuple(opened + mismatched))
    if infinite:
        worst = replace(worst, detail=f"{worst.detail}; note: {'; '.join(infinite)}")
    return worst, numeric.status is not Status.UNKNOWN


def _explained(
    verdict: _Verdict,
    lhs: Expr,
    rhs: Expr,
    relation: Relation,
    form: Callable[[Expr], Expr],
    config: Config,
) -> _Verdict:
    """A refutation as a reader needs it: the counterexample restricted to the symbols of the
    step, and for an equation the difference of the sides in simplest form and the smallest
    sub-expressions where the sides, as written, part."""
    cex = dict(verdict.counterexample or {})
    point = cex.get("point")
    if isinstance(point, dict):
        sides = (unfold(lhs), unfold(rhs))
        names = {str(s) for e in sides for s in e.free_symbols}
        names |= {str(b.label) for e in sides for b in e.atoms(IndexedBase)}
        if names & {"x", "y"}:
            # The data's values are read with their number.
            names.add("N")
        if any(e.has(PModel) for e in sides):
            names.add("p_model")
        cex["point"] = {k: v for k, v in point.items() if k in names}
    detail = verdict.detail
    if relation in (Relation.EQ, Relation.DIFF):
        if config.explain:
            detail += _simplest_difference(form(lhs), form(rhs), config.budget)
        a, b = _parting(lhs if relation is Relation.EQ else form(lhs), rhs)
        if (a, b) != (lhs, rhs):
            detail += f"; the sides part at {a} against {b}"
    return _Verdict(verdict.status, detail, cex)


def _simplest_difference(lhs: Expr, rhs: Expr, budget: float) -> str:
    """"; lhs - rhs simplifies to d" for a difference of closed terms. A sum, integral or
    expectation left in it is skipped: simplify would spend seconds merging them, for a reader
    who learns more from the point and the parting sub-expressions."""

    def simplest() -> tuple[bool, str]:
        difference = normalize(lhs - rhs)
        if difference.has(Sum, Product, sympy.Integral, Mean):
            return False, ""
        return True, str(sympy.simplify(difference))

    found, text = _attempt(simplest, min(budget / 2, 2.0))
    return f"; lhs - rhs simplifies to {text}" if found else ""


def _parting(a: Expr, b: Expr) -> tuple[Expr, Expr]:
    """Descend while both sides have the same head and differ in exactly one argument."""
    while a.func == b.func and len(a.args) == len(b.args) and a.args:
        if a.is_Add or a.is_Mul:
            # Terms and factors match as multisets: what is left on each side is the difference.
            left = [t for t in a.args if t not in b.args]
            right = [t for t in b.args if t not in a.args]
            if len(left) == len(right) == 1:
                a, b = left[0], right[0]
                continue
            break
        pairs = [(x, y) for x, y in zip(a.args, b.args, strict=True) if x != y]
        if len(pairs) != 1:
            break
        a, b = pairs[0]
    return a, b


# Checking is pure: the same derivation object under the same configuration gets the same
# verdicts, so a process that asks twice (docs, renders, the self-test) checks once.
_CHECKED: dict[tuple[int, Config], tuple[Derivation, CheckedDerivation]] = {}


def check(derivation: Derivation, config: Config = Config()) -> CheckedDerivation:
    """Check every step of a derivation, each against the expression before it.

    >>> from symbolic.catalog import get
    >>> check(get("kl-vs-mle")).status
    <Status.PROVED: 'proved'>
    """
    key = (id(derivation), config)
    stored = _CHECKED.get(key)
    if stored is not None and stored[0] is derivation:
        return stored[1]
    checked = _check(derivation, config)
    _CHECKED[key] = (derivation, checked)
    return checked


def check_in(
    derivation: Derivation,
    lhs: Expr,
    lhs_sense: Relation,
    step: Step,
    *,
    index: int = 1,
    config: Config = Config(),
) -> CheckedStep:
    """:func:`check_step` with the derivation's parameters, domains, data and vectors."""
    return check_step(
        lhs,
        lhs_sense,
        step,
        index=index,
        params=derivation.params,
        intervals=derivation.intervals,
        data=derivation.data,
        vectors=derivation.vectors,
        config=config,
        domains=derivation.domains,
        hypotheses=derivation.hypotheses,
        sampling=derivation.sampling,
    )


def _check(derivation: Derivation, config: Config) -> CheckedDerivation:
    lhs, sense = derivation.start, derivation.sense
    checked = []
    for k, step in enumerate(derivation.steps, start=1):
        checked.append(check_in(derivation, lhs, sense, step, index=k, config=config))
        lhs = step.rhs
        if step.relation.optimizes:
            sense = step.relation
        elif step.relation in (Relation.DIFF, Relation.SOLVE):
            # A derivative or a solution is a value, not an objective.
            sense = Relation.EQ
    parts = tuple(check(part, config) for part in derivation.parts)
    return CheckedDerivation(derivation, tuple(checked), parts)
