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

from symbolic.derivation import Relation, Step
from symbolic.measures import (
    Constant,
    EmpiricalDistribution,
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
    return bool(e.free_symbols & set(params))


def _drop(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    for node, k in _additive_terms(step.rhs):
        term = node.args[k]
        if step.relation is not Relation.EQ and not _depends(term, params):
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


def _swap(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    swapped = _swap_distributions(step.rhs)
    if swapped != step.rhs:
        yield Mutant(
            "swap-p-data-p-model", replace(step, rhs=swapped), "swapped p_data and p_model"
        )


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
    terms = Add.make_args(step.rhs)
    for term in terms:
        if _depends(term, params) and not isinstance(term, Constant):
            yield Mutant(
                "declare-constant",
                replace(step, rhs=step.rhs.xreplace({term: Constant(term)})),
                f"declared {term} constant",
            )


def _flip_sense(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    flipped = {Relation.ARGMIN: Relation.ARGMAX, Relation.ARGMAX: Relation.ARGMIN}
    if step.relation in flipped:
        yield Mutant(
            "argmin-argmax",
            replace(step, relation=flipped[step.relation]),
            f"turned {step.relation.value} into {flipped[step.relation].value}",
        )


def _log2(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    logs = sorted(step.rhs.atoms(sympy.log), key=sympy.default_sort_key)
    if logs:
        target = logs[0]
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
    for number in numbers[:2]:
        yield Mutant(
            "change-number",
            replace(step, rhs=step.rhs.xreplace({number: number * 2})),
            f"changed {number} into {number * 2}",
        )
    for power in sorted(step.rhs.atoms(sympy.Pow), key=sympy.default_sort_key)[:2]:
        yield Mutant(
            "change-exponent",
            replace(step, rhs=step.rhs.xreplace({power: power.base ** (power.exp + 1)})),
            f"raised the exponent of {power} by one",
        )


def _sum_bounds(step: Step, lhs_sense: Relation, params: tuple[Symbol, ...]) -> Iterator[Mutant]:
    for node in sorted(step.rhs.atoms(sympy.Sum, sympy.Product), key=sympy.default_sort_key):
        var, lo, hi = node.limits[0]
        moved = node.func(node.function, (var, lo + 1, hi))
        yield Mutant(
            "sum-bound",
            replace(step, rhs=step.rhs.xreplace({node: moved})),
            f"started {node.func.__name__} at {lo + 1}",
        )


OPERATORS: dict[str, Callable[[Step, Relation, tuple[Symbol, ...]], Iterator[Mutant]]] = {
    "flip-sign": _flip_sign,
    "drop-term": _drop,
    "duplicate-term": _duplicate,
    "swap-p-data-p-model": _swap,
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
    """Every mutant the chosen operators (all by default) make of ``step``; no-ops left out."""
    chosen = operators if operators is not None else tuple(OPERATORS)
    out = []
    for name in chosen:
        for mutant in OPERATORS[name](step, lhs_sense, params):
            if mutant.step != step:
                out.append(mutant)
    return out
