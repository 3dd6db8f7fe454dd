"""Derivations as proposed by a generator or a person: unchecked until the kernel checks them.

A derivation is a start expression and a chain of steps. Each step relates the previous
expression (its left-hand side) to a new one by a relation and names the rule that justifies it.

>>> from symbolic.kernel.measures import NLL, N, CrossEntropy, p_data, p_model
>>> step = Step(Relation.EQ, CrossEntropy(p_data, p_model), "definition of cross-entropy")
>>> d = Derivation("demo", "NLL/N is the cross-entropy", NLL() / N, (step,))
>>> len(d.steps)
1
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sympy import Basic, Expr, IndexedBase, Lambda, MatrixSymbol, Symbol

from symbolic.kernel.measures import theta
from symbolic.kernel.numeric import DataSampler, VectorSpec

__all__ = ["Relation", "Step", "Derivation"]


class Relation(StrEnum):
    """How a step's right-hand side relates to its left-hand side.

    ``EQ``: equal as expressions. ``ARGMIN``/``ARGMAX``: the right-hand side is an objective to
    minimize/maximize over the parameters, with the same optimizers as the left-hand side taken
    in the sense it had (the start's sense, or the previous step's relation). ``LT``/``GT``: the
    left-hand side is less/greater than the right-hand side for every value of the symbols in
    their domains (only in a chain of values, not of optimizers); ``LE``/``GE`` the same with
    equality allowed. ``DIFF``: the right-hand side is the derivative of the left-hand side with
    respect to the step's ``wrt``. ``SOLVE``: the left-hand side set to 0 has, as an equation
    in ``wrt``, exactly one solution in the domain, the right-hand side. ``PROPTO``: the
    left-hand side is the right-hand side times a positive factor free of the parameters
    (so both have the same optimizers).
    """

    EQ = "="
    ARGMIN = "argmin"
    ARGMAX = "argmax"
    LT = "<"
    GT = ">"
    LE = "<="
    GE = ">="
    DIFF = "differentiate"
    SOLVE = "solve"
    PROPTO = "propto"

    @property
    def optimizes(self) -> bool:
        """Whether the relation compares optimizer sets rather than values."""
        return self in (Relation.ARGMIN, Relation.ARGMAX)

    @property
    def compares(self) -> bool:
        """Whether the relation is an inequality between values."""
        return self in (Relation.LT, Relation.GT, Relation.LE, Relation.GE)


@dataclass(frozen=True)
class Step:
    """One link of a chain. ``witness`` is an optional strictly monotone ``h`` with
    ``rhs = h(lhs)``, offered to the kernel for argmin/argmax steps that are not affine;
    ``wrt`` is the variable (a symbol, or an entry ``a[m]``) a ``DIFF`` step differentiates in
    and a ``SOLVE`` step solves for."""

    relation: Relation
    rhs: Expr
    rule: str
    witness: Lambda | None = None
    wrt: Expr | None = None
    # How the author wrote the right-hand side, for display only: the text, and the expression
    # built without sympy's automatic evaluation. The kernel checks ``rhs``.
    written: str = ""
    shown: Expr | None = None


@dataclass(frozen=True)
class Derivation:
    """A titled chain. ``sense`` is how the start is read: ``EQ`` for a plain expression,
    ``ARGMIN``/``ARGMAX`` for an objective. ``intervals`` are domains for symbols whose
    assumptions cannot say (a probability in (0, 1)): part of the claim, used by the proofs and
    sampled by the numeric checks. ``sampling`` are ranges the numeric checks draw a symbol from
    without narrowing the claim (a family's typical parameter values, where quadrature stays
    cheap); the proofs never use them. ``notes`` are caveats for readers;
    ``data`` draws the numeric checks' data points from the data's domain; ``vectors`` give
    the length and kind of indexed and matrix symbols (``{pi: (K, Simplex(K))}``,
    ``{Sigma: (d, SPD(d))}``); ``parts`` are further chains the derivation rests on (the
    estimator's stationary and second-order conditions), each checked as a derivation of its
    own. ``domains`` replace data bases by bases that carry the data's domain (``x`` by a real
    or a nonnegative-integer ``x``) in the symbolic proofs, while the numeric checks draw the
    data from ``data``; ``hypotheses`` are relations (``N >= 2``) assumed by the proofs and
    satisfied by every sampled point. ``start_written`` and ``start_shown`` are the start as
    the author wrote it, for display only (see :class:`Step`)."""

    id: str
    title: str
    start: Expr
    steps: tuple[Step, ...]
    params: tuple[Symbol, ...] = (theta,)
    sense: Relation = Relation.EQ
    intervals: Mapping[Symbol, tuple[float, float]] = field(default_factory=dict)
    sampling: Mapping[Symbol, tuple[float, float]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    start_label: str = ""
    end_label: str = ""
    data: DataSampler | None = None
    vectors: Mapping[IndexedBase | MatrixSymbol, VectorSpec] = field(default_factory=dict)
    parts: tuple[Derivation, ...] = ()
    domains: Mapping[IndexedBase, IndexedBase] = field(default_factory=dict)
    hypotheses: tuple[Basic, ...] = ()
    start_written: str = ""
    start_shown: Expr | None = None
