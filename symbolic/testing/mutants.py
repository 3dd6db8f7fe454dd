"""Mutation operators: small, plausible mistakes made to a step, for testing the kernel.

Each operator takes a step (and the sense of its left-hand side) and returns mutated copies. A
kernel worth trusting refutes every mutant that is false; a mutant that is in fact still true
must be recognized by a proof, never assumed.

>>> from symbolic import get
>>> step = get("kl-vs-mle").steps[1]
>>> sorted({m.operator for m in mutate(step, Relation.EQ)})[:3]
['declare-constant', 'drop-term', 'duplicate-term']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import sympy
from sympy import Add, Expr, Symbol

from symbolic.kernel.derivation import Relation, Step
from symbolic.kernel.measures import (
    Constant,
    EmpiricalDistribution,
    Measure,
    ModelDistribution,
    N,
    PData,
    PModel,
    p_data,
    p_model,
    theta,
)

__all__ = ["Mutant", "mutate", "OPERATORS"]


@dataclass(frozen=True)
class Mutant:
    """A mutated step and the operator that made it."""

    operator: str
    step: Step
    description: str


def _swap_distributions(e: Expr) -> Expr:
    """p̂_data ↔ p_model everywhere, in densities and in the measures' arguments."""

    def swap(node: Expr) -> Expr:
        if isinstance(node, PData):
            return PModel(node.args[0], node.args[1], theta)
        if isinstance(node, PModel):
            return PData(node.args[0], node.args[1])
        if isinstance(node, EmpiricalDistribution):
            return p_model
        if isinstance(node, ModelDistribution):
            return p_data
        if not node.args:
            return node
        return node.func(*(swap(a) for a in node.args))

    return swap(e)


def _additive_terms(e: Expr) -> Iterator[tuple[Add, int]]:
    """(Add node, index of a term) for the first Add met in a breadth-first walk."""
    queue = [e]
    while queue:
        node = queue.pop(0)
        if isinstance(node, Add):
            for k in range(len(node.args)):
                yield node, k
            return
        queue.extend(a for a in node.args if isinstance(a, Expr))


def _depends(e: Expr, params: tuple[Symbol, ...]) -> bool:
    return any(e.has(p) for p in params)


def _drop(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    for node, k in _additive_terms(step.rhs):
        term = node.args[k]
        if step.relation.optimizes and not _depends(term, params):
            # Dropping a parameter-free term keeps the optimizers: not a mistake.
            continue
        rest = Add(*(a for j, a in enumerate(node.args) if j != k))
        yield Mutant(
            "drop-term", replace(step, rhs=step.rhs.xreplace({node: rest})), f"dropped {term}"
        )


def _duplicate(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    for node, k in _additive_terms(step.rhs):
        term = node.args[k]
        doubled = Add(node, term, evaluate=False)
        yield Mutant(
            "duplicate-term",
            replace(step, rhs=step.rhs.xreplace({node: doubled})),
            f"duplicated {term}",
        )


def _flip_sign(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    yield Mutant("flip-sign", replace(step, rhs=-step.rhs), "negated the right-hand side")
    for node, k in _additive_terms(step.rhs):
        flipped = Add(*(-a if j == k else a for j, a in enumerate(node.args)))
        yield Mutant(
            "flip-sign",
            replace(step, rhs=step.rhs.xreplace({node: flipped})),
            f"negated {node.args[k]}",
        )


def _paths(e: Expr, wanted: Callable[[Expr], bool], path: tuple[int, ...] = ()):
    """Positions (as argument paths) of the nodes that satisfy ``wanted``."""
    if wanted(e):
        yield path
    for k, a in enumerate(e.args):
        if isinstance(a, sympy.Basic):
            yield from _paths(a, wanted, (*path, k))


def _at(e: Expr, path: tuple[int, ...]) -> Expr:
    for k in path:
        e = e.args[k]
    return e


def _replace_at(e: Expr, path: tuple[int, ...], new: Expr) -> Expr:
    if not path:
        return new
    args = list(e.args)
    args[path[0]] = _replace_at(args[path[0]], path[1:], new)
    return e.func(*args)


_SWAPPABLE = (PData, PModel, EmpiricalDistribution, ModelDistribution)


def _swap(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    places = list(_paths(step.rhs, lambda n: isinstance(n, _SWAPPABLE)))
    if not places:
        return
    swapped = _swap_distributions(step.rhs)
    if swapped != step.rhs:
        yield Mutant(
            "swap-p-data-p-model", replace(step, rhs=swapped), "swapped p_data and p_model"
        )
    if len(places) > 1:
        # Swapping one occurrence only is the slip of a hand that copies a line.
        for path in places:
            node = _at(step.rhs, path)
            yield Mutant(
                "swap-p-data-p-model",
                replace(step, rhs=_replace_at(step.rhs, path, _swap_distributions(node))),
                f"swapped p_data and p_model in {node} only",
            )


def _drop_factor(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    for path in _paths(step.rhs, lambda n: isinstance(n, sympy.Mul)):
        node = _at(step.rhs, path)
        for k, factor in enumerate(node.args):
            if factor == -1:
                continue
            rest = sympy.Mul(*(a for j, a in enumerate(node.args) if j != k))
            yield Mutant(
                "drop-term",
                replace(step, rhs=_replace_at(step.rhs, path, rest)),
                f"dropped the factor {factor}",
            )
        return


def _swap_suffixes(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    # Two members P and Q of a family carry the suffixes _1 and _2: swap P and Q.
    names = {s.name: s for s in step.rhs.atoms(Symbol)}
    pairs = {}
    for name, sym in names.items():
        if name.endswith("_1") and name[:-2] + "_2" in names:
            other = names[name[:-2] + "_2"]
            pairs[sym], pairs[other] = other, sym
    if pairs:
        yield Mutant("swap-p-q", replace(step, rhs=step.rhs.xreplace(pairs)), "swapped P and Q")


def _shift_n(delta: int) -> Callable[[Step, Relation, tuple[Symbol, ...]], Iterator[Mutant]]:
    def operator(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
        shifted = step.rhs.xreplace({N: N + delta})
        if shifted != step.rhs:
            sign = "+" if delta > 0 else "-"
            yield Mutant(
                f"n-{'plus' if delta > 0 else 'minus'}-{abs(delta)}",
                replace(step, rhs=shifted),
                f"replaced N by N {sign} {abs(delta)}",
            )

    return operator


def _declare_constant(
    step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]
) -> Iterator[Mutant]:
    def candidate(n: Expr) -> bool:
        # Whole terms, and the measures, sums and logs inside them: what a hand calls constant.
        return (
            (
                isinstance(n, Measure | sympy.Sum | sympy.Product | sympy.log | Add)
                or n in Add.make_args(step.rhs)
            )
            and _depends(n, params)
            and not isinstance(n, Constant)
            and not n.has(Constant)
        )

    seen = set()
    for path in _paths(step.rhs, candidate):
        node = _at(step.rhs, path)
        if node in seen:
            continue
        seen.add(node)
        yield Mutant(
            "declare-constant",
            replace(step, rhs=_replace_at(step.rhs, path, Constant(node))),
            f"declared {node} constant",
        )


def _flip_sense(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    flipped = {Relation.ARGMIN: Relation.ARGMAX, Relation.ARGMAX: Relation.ARGMIN,
               Relation.LT: Relation.GT, Relation.GT: Relation.LT}
    if step.relation in flipped:
        yield Mutant(
            "argmin-argmax",
            replace(step, relation=flipped[step.relation]),
            f"turned {step.relation.value} into {flipped[step.relation].value}",
        )


def _log2(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    for target in sorted(step.rhs.atoms(sympy.log), key=sympy.default_sort_key):
        yield Mutant(
            "log-to-log2",
            replace(step, rhs=step.rhs.xreplace({target: target / sympy.log(2)})),
            f"replaced {target} by its base-2 logarithm",
        )


def _coefficients(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    # A coefficient or an exponent off by a factor: the commonest slip in hand derivations.
    numbers = sorted(
        {a for a in step.rhs.atoms(sympy.Number) if a not in (0, 1, -1)},
        key=sympy.default_sort_key,
    )
    for number in numbers:
        yield Mutant(
            "change-number",
            replace(step, rhs=step.rhs.xreplace({number: number * 2})),
            f"changed {number} into {number * 2}",
        )
    for power in sorted(step.rhs.atoms(sympy.Pow), key=sympy.default_sort_key):
        yield Mutant(
            "change-exponent",
            replace(step, rhs=step.rhs.xreplace({power: power.base ** (power.exp + 1)})),
            f"raised the exponent of {power} by one",
        )


def _sum_bounds(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    for node in sorted(step.rhs.atoms(sympy.Sum, sympy.Product), key=sympy.default_sort_key):
        var, lo, hi = node.limits[0]
        for moved, what in (
            (node.func(node.function, (var, lo + 1, hi)), f"starts at {lo + 1}"),
            (node.func(node.function, (var, lo, hi - 1)), f"stops at {hi - 1}"),
        ):
            yield Mutant(
                "sum-bound",
                replace(step, rhs=step.rhs.xreplace({node: moved})),
                f"the {node.func.__name__} {what}",
            )


PER_OPERATOR = 4

OPERATORS: dict[str, Callable[[Step, Relation, tuple[Symbol, ...]], Iterator[Mutant]]] = {
    "flip-sign": _flip_sign,
    "drop-term": _drop,
    "drop-factor": _drop_factor,
    "duplicate-term": _duplicate,
    "swap-p-data-p-model": _swap,
    "swap-p-q": _swap_suffixes,
    "n-minus-1": _shift_n(-1),
    "n-plus-1": _shift_n(1),
    "declare-constant": _declare_constant,
    "argmin-argmax": _flip_sense,
    "log-to-log2": _log2,
    "change-number": _coefficients,
    "sum-bound": _sum_bounds,
}


def mutate(
    step: Step,
    lhs_sense: Relation,
    params: tuple[Symbol, ...] = (theta,),
    operators: tuple[str, ...] | None = None,
) -> list[Mutant]:
    """The mutants the chosen operators (all by default) make of ``step``, no-ops left out and
    at most :data:`PER_OPERATOR` of each operator, so a long step does not dominate the run."""
    chosen = operators if operators is not None else tuple(OPERATORS)
    out = []
    for name in chosen:
        made = [m for m in OPERATORS[name](step, lhs_sense, params) if m.step != step]
        out.extend(made[:PER_OPERATOR])
    return out
