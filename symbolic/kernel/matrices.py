"""Steps between matrices and vectors, as the scalar claims that make them: entrywise equality,
and definiteness by Sylvester's criterion.

A Hessian is a matrix, and the claims made about it are an equality with a matrix of
expressions, or its sign: negative definite at a maximum. The checker proves each scalar claim
with the rest of the kernel; this module only states which claims a matrix step amounts to,
with the side condition of each criterion (a definiteness criterion holds for symmetric
matrices only, so symmetry is a claim too).

A gradient in a vector of symbolic length d has no matrix of entries to list: it is
:class:`Components`, the vector whose entry j is a formula in j, for j = 1..d. Two of them are equal
when their entries are, for one index j with 1 <= j <= d: a single scalar claim under that
hypothesis.

>>> from sympy import ImmutableMatrix, Symbol
>>> from symbolic.kernel.derivation import Relation
>>> a = Symbol("a", positive=True)
>>> [c.label for c in claims(ImmutableMatrix([[-a, 0], [0, -2 * a]]), Relation.LT, 0)]
['symmetric: entries (1, 2) and (2, 1)', 'leading minor 1', 'leading minor 2']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy
from sympy import Basic, Expr, Symbol
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.matrices import MatrixBase

from symbolic.kernel.derivation import Relation

__all__ = ["Claim", "Components", "claims", "gradient", "is_matrix"]


class Components(ExprWithLimits):
    """The vector (one limit) or matrix (two) whose entry is ``function`` at its indices:
    ``Components(f, (j, 1, d))`` is (f_j), j = 1..d. The indices are bound, as in a Sum.

    >>> from sympy import IndexedBase, Symbol
    >>> j, d = Symbol("j", integer=True, positive=True), Symbol("d", integer=True, positive=True)
    >>> w = IndexedBase("w", real=True)
    >>> Components(2 * w[j], (j, 1, d)).entry(Symbol("m"))
    2*w[m]
    >>> Components(w[j], (j, 1, 2)).as_matrix()
    Matrix([
    [w[1]],
    [w[2]]])
    """

    @property
    def lengths(self) -> tuple[Expr, ...]:
        return tuple(upper for _, _, upper in self.limits)

    def entry(self, *indices: Expr) -> Expr:
        return self.function.xreplace(
            {var: at for (var, _, _), at in zip(self.limits, indices, strict=True)}
        )

    def as_matrix(self) -> sympy.ImmutableMatrix | None:
        """The matrix of entries, when every index runs from 1 to a number (a vector is a
        column)."""
        if not all(lo == 1 and isinstance(hi, sympy.Integer) for _, lo, hi in self.limits):
            return None
        rows = int(self.lengths[0])
        cols = int(self.lengths[1]) if len(self.lengths) == 2 else 1
        if len(self.lengths) == 1:
            return sympy.ImmutableMatrix([[self.entry(sympy.Integer(r + 1))] for r in range(rows)])
        return sympy.ImmutableMatrix(
            [[self.entry(sympy.Integer(r + 1), sympy.Integer(c + 1)) for c in range(cols)]
             for r in range(rows)]
        )

    def _latex(self, printer: object) -> str:
        # A sequence's notation, (f_j)_{j=1}^{d}; a square table shares its range.
        body = printer._print(self.function)
        variables = [printer._print(var) for var, _, _ in self.limits]
        lows = {lo for _, lo, _ in self.limits}
        highs = {hi for _, _, hi in self.limits}
        if len(lows) == 1 and len(highs) == 1:
            lo, hi = printer._print(lows.pop()), printer._print(highs.pop())
            return f"\\left({body}\\right)_{{{', '.join(variables)} = {lo}}}^{{{hi}}}"
        ranges = ",\\; ".join(
            f"{v} = {printer._print(lo)}, \\ldots, {printer._print(hi)}"
            for v, (_, lo, hi) in zip(variables, self.limits, strict=True)
        )
        return f"\\left({body}\\right)_{{{ranges}}}"


def gradient(f: Expr, wrt: Basic, length: Expr | None = None) -> Expr:
    """The vector of partial derivatives of ``f``, unevaluated: a column matrix for a tuple of
    symbols, :class:`Components` over a fresh index for a vector ``w`` of ``length`` entries.

    >>> from sympy import IndexedBase, Symbol
    >>> d = Symbol("d", integer=True, positive=True)
    >>> w = IndexedBase("w", real=True)
    >>> gradient(w[1] ** 2, w, d)
    Components(Derivative(w[1]**2, w[j]), (j, 1, d))
    """
    if isinstance(wrt, sympy.Tuple | tuple):
        return sympy.ImmutableMatrix([[sympy.Derivative(f, v)] for v in wrt])
    if not isinstance(wrt, sympy.IndexedBase) or length is None:
        raise TypeError("a gradient is in a tuple of symbols or in a vector of known length")
    j = fresh_index((f, length))
    return Components(sympy.Derivative(f, wrt[j]), (j, 1, length))


def fresh_index(exprs: tuple[Basic, ...], name: str = "j") -> Symbol:
    """A positive integer symbol whose name no symbol of ``exprs`` has, bound or free."""
    taken = {str(s) for e in exprs for s in e.atoms(Symbol)}
    names = itertools.chain((name, "k", "l", "m"), (f"{name}{n}" for n in itertools.count(1)))
    return Symbol(next(c for c in names if c not in taken), integer=True, positive=True)


@dataclass(frozen=True)
class Claim:
    """One scalar claim of a matrix step: ``lhs relation rhs``, named for the report, under
    ``hypotheses`` of its own (an entry index's range)."""

    label: str
    lhs: Expr
    relation: Relation
    rhs: Expr
    hypotheses: tuple[Basic, ...] = ()


def is_matrix(e: object) -> bool:
    return isinstance(e, MatrixBase | Components)


def claims(lhs: Expr, relation: Relation, rhs: Expr) -> list[Claim] | str:
    """The scalar claims that make ``lhs relation rhs`` true, or why there are none.

    ``=`` between matrices of one shape: every entry. ``< 0`` (negative definite) and ``> 0``
    (positive definite) of a square matrix: symmetry, then Sylvester's criterion on the leading
    principal minors, (-1)^k det H_k > 0 or det H_k > 0. ``<= 0`` and ``>= 0`` (semidefinite):
    symmetry, then every principal minor, not only the leading ones (diag(0, -1) has leading
    minors 0 and 0 and is not positive semidefinite). A side that is 0 is the zero matrix of
    the other's shape; :class:`Components` of numeric lengths are their matrix."""
    lhs, rhs = (_listed(e) for e in (lhs, rhs))
    if relation is Relation.EQ and (isinstance(lhs, Components) or isinstance(rhs, Components)):
        return _entries(lhs, rhs)
    if relation is Relation.EQ:
        if rhs == 0 and is_matrix(lhs):
            rhs = sympy.ImmutableMatrix.zeros(*lhs.shape)
        if lhs == 0 and is_matrix(rhs):
            lhs = sympy.ImmutableMatrix.zeros(*rhs.shape)
        if not (is_matrix(lhs) and is_matrix(rhs)) or lhs.shape != rhs.shape:
            return "an equality of a matrix needs a matrix of the same shape on the other side"
        rows, cols = lhs.shape
        return [
            Claim(f"entry ({r + 1}, {c + 1})", lhs[r, c], Relation.EQ, rhs[r, c])
            for r in range(rows)
            for c in range(cols)
        ]
    if relation.compares and isinstance(lhs, Components):
        return (
            "the definiteness of a matrix of symbolic size is not decided: Sylvester's criterion "
            "needs its minors, and they are not listed"
        )
    if relation.compares:
        zero = rhs == 0 or (is_matrix(rhs) and rhs.is_zero_matrix)
        if not (is_matrix(lhs) and zero and lhs.is_square):
            return (
                "a matrix compares only with 0, as a square matrix on the left: H < 0 "
                "(negative definite), H > 0, H <= 0 or H >= 0"
            )
        return _symmetric(lhs) + _minors(lhs, relation)
    return f"a {relation.value} step between matrices is not defined; use = or a definiteness"


def _listed(e: Expr) -> Expr:
    if isinstance(e, Components):
        return e.as_matrix() or e
    return e


def _entries(lhs: Expr, rhs: Expr) -> list[Claim] | str:
    """``(f_j) = (g_j)`` for j = 1..d: one claim f_j = g_j at a fresh index, with 1 <= j <= d
    as its hypothesis (the two sides' own indices renamed to it). ``(f_j) = 0`` is f_j = 0."""
    sides = [e for e in (lhs, rhs) if isinstance(e, Components)]
    ranges_ = [tuple((lo, hi) for _, lo, hi in e.limits) for e in sides]
    lengths = sides[0].lengths
    if any(r != ranges_[0] for r in ranges_) or any(
        not isinstance(e, Components) and e != 0 for e in (lhs, rhs)
    ):
        return (
            "an equality of a vector of symbolic length needs a vector of the same length, "
            "or 0, on the other side"
        )
    # The claim's index is the left side's own where no other symbol of either side has its
    # name: in the right side, an inner Sum over j would capture a k renamed to j.
    taken = tuple(lengths) + tuple(
        s for e in sides for s in e.function.atoms(Symbol)
        if s not in {var for var, _, _ in e.limits}
    )
    indices: list[Symbol] = []
    for var, _, _ in sides[0].limits:
        indices.append(fresh_index((*taken, *indices), str(var)))
    hypotheses = tuple(
        rel
        for index, (lo, hi) in zip(indices, ranges_[0], strict=True)
        for rel in (sympy.Ge(index, lo), sympy.Le(index, hi))
        if rel is not sympy.true
    )
    left, right = (e.entry(*indices) if isinstance(e, Components) else sympy.S.Zero
                   for e in (lhs, rhs))
    names = ", ".join(map(str, indices))
    ranges = ", ".join(
        f"{i} = {lo}..{hi}" for i, (lo, hi) in zip(indices, ranges_[0], strict=True)
    )
    return [Claim(f"entry {names}, for every {ranges}", left, Relation.EQ, right, hypotheses)]


def _symmetric(m: MatrixBase) -> list[Claim]:
    n = m.shape[0]
    return [
        Claim(f"symmetric: entries ({r + 1}, {c + 1}) and ({c + 1}, {r + 1})", m[r, c],
              Relation.EQ, m[c, r])
        for r in range(n)
        for c in range(r + 1, n)
    ]


def _minors(m: MatrixBase, relation: Relation) -> list[Claim]:
    n = m.shape[0]
    negative = relation in (Relation.LT, Relation.LE)
    if relation in (Relation.LT, Relation.GT):
        picks = [(f"leading minor {k}", tuple(range(k))) for k in range(1, n + 1)]
        sense = Relation.GT
    else:
        picks = [
            (f"principal minor of rows {', '.join(str(r + 1) for r in rows)}", rows)
            for k in range(1, n + 1)
            for rows in itertools.combinations(range(n), k)
        ]
        sense = Relation.GE
    out = []
    for label, rows in picks:
        minor = m.extract(list(rows), list(rows)).det()
        sign = (-1) ** len(rows) if negative else 1
        out.append(Claim(label, sympy.expand(sign * minor), sense, sympy.S.Zero))
    return out
