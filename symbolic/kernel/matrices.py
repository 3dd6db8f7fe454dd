"""Steps between matrices, as the scalar claims that make them: entrywise equality, and
definiteness by Sylvester's criterion.

A Hessian is a matrix, and the claims made about it are an equality with a matrix of
expressions, or its sign: negative definite at a maximum. The checker proves each scalar claim
with the rest of the kernel; this module only states which claims a matrix step amounts to,
with the side condition of each criterion (a definiteness criterion holds for symmetric
matrices only, so symmetry is a claim too).

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
from sympy import Expr
from sympy.matrices import MatrixBase

from symbolic.kernel.derivation import Relation

__all__ = ["Claim", "claims", "is_matrix"]


@dataclass(frozen=True)
class Claim:
    """One scalar claim of a matrix step: ``lhs relation rhs``, named for the report."""

    label: str
    lhs: Expr
    relation: Relation
    rhs: Expr


def is_matrix(e: object) -> bool:
    return isinstance(e, MatrixBase)


def claims(lhs: Expr, relation: Relation, rhs: Expr) -> list[Claim] | str:
    """The scalar claims that make ``lhs relation rhs`` true, or why there are none.

    ``=`` between matrices of one shape: every entry. ``< 0`` (negative definite) and ``> 0``
    (positive definite) of a square matrix: symmetry, then Sylvester's criterion on the leading
    principal minors, (-1)^k det H_k > 0 or det H_k > 0. ``<= 0`` and ``>= 0`` (semidefinite):
    symmetry, then every principal minor, not only the leading ones (diag(0, -1) has leading
    minors 0 and 0 and is not positive semidefinite)."""
    if relation is Relation.EQ:
        if not (is_matrix(lhs) and is_matrix(rhs)) or lhs.shape != rhs.shape:
            return "an equality of a matrix needs a matrix of the same shape on the other side"
        rows, cols = lhs.shape
        return [
            Claim(f"entry ({r + 1}, {c + 1})", lhs[r, c], Relation.EQ, rhs[r, c])
            for r in range(rows)
            for c in range(cols)
        ]
    if relation.compares:
        zero = rhs == 0 or (is_matrix(rhs) and rhs.is_zero_matrix)
        if not (is_matrix(lhs) and zero and lhs.is_square):
            return (
                "a matrix compares only with 0, as a square matrix on the left: H < 0 "
                "(negative definite), H > 0, H <= 0 or H >= 0"
            )
        return _symmetric(lhs) + _minors(lhs, relation)
    return f"a {relation.value} step between matrices is not defined; use = or a definiteness"


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
