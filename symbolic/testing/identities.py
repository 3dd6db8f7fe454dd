"""Identity assertions for test suites, decided by the kernel.

``assert_identity(lhs, rhs)`` passes when the kernel proves ``lhs = rhs``, or, if the caller
allows it, when the two sides agree at high precision at points sampled from each symbol's
domain (its assumptions, or an interval given by the caller). It fails with the counterexample:
the point, and both sides' values there. Sides equal only where both are defined, on different
sets, are a distinct outcome (``where defined``) that fails unless the caller allows it. Unlike
``Expr.equals``, sampling respects assumptions, so an identity true on its domain is never
refuted.

>>> from sympy import Symbol, atan, pi, log
>>> p = Symbol("p", positive=True)
>>> assert_identity(atan(p) + atan(1 / p), pi / 2, allow_numeric=True)
>>> assert_identity(log(p**2), 2 * log(p))
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sympy import Expr, Lambda, Symbol

from symbolic.kernel import CheckedStep, Config, Status, check_step
from symbolic.kernel.checker import as_expr
from symbolic.kernel.derivation import Relation, Step

__all__ = ["IdentityError", "assert_identity", "assert_same_optimizers"]


class IdentityError(AssertionError):
    """The kernel did not accept the identity; ``checked`` holds its verdict."""

    def __init__(self, message: str, checked: CheckedStep) -> None:
        super().__init__(message)
        self.checked = checked


def _judge(
    checked: CheckedStep, claim: str, allow_numeric: bool, allow_where_defined: bool = False
) -> None:
    if checked.status is Status.PROVED:
        return
    if checked.status is Status.NUMERIC and allow_numeric:
        return
    if checked.status is Status.WHERE_DEFINED and allow_where_defined:
        return
    lines = [f"{claim}: {checked.status.value}", f"  {checked.detail}"]
    if checked.status is Status.NUMERIC:
        lines.append("  (numeric evidence only; pass allow_numeric=True to accept it)")
    if checked.status is Status.WHERE_DEFINED:
        lines.append(
            "  (equal only where both sides are defined; pass allow_where_defined=True to "
            "accept that)"
        )
    if checked.counterexample:
        lines.append("  counterexample:")
        text = json.dumps(checked.counterexample, indent=2, ensure_ascii=False)
        lines += [f"    {line}" for line in text.splitlines()]
    raise IdentityError("\n".join(lines), checked)


def assert_identity(
    lhs: Expr | int | float,
    rhs: Expr | int | float,
    *,
    allow_numeric: bool = False,
    allow_where_defined: bool = False,
    intervals: Mapping[Symbol, tuple[float, float]] | None = None,
    dps: int = 50,
    seed: int = 0,
    budget: float = 10.0,
) -> None:
    """Assert ``lhs = rhs`` for every value of the symbols in their domains.

    Sides proved equal only where both are defined, on different sets (``(t² - 1)/(t - 1)``
    against ``t + 1``), fail unless ``allow_where_defined`` is given.

    >>> from sympy import Symbol
    >>> t = Symbol("t", real=True)
    >>> assert_identity((t**2 - 1) / (t - 1), t + 1, allow_where_defined=True)
    """
    lhs, rhs = as_expr(lhs), as_expr(rhs)
    checked = check_step(
        lhs,
        Relation.EQ,
        Step(Relation.EQ, rhs, "asserted identity"),
        params=(),
        intervals=intervals,
        config=Config(dps=dps, seed=seed, budget=budget),
    )
    _judge(checked, f"{lhs} = {rhs}", allow_numeric, allow_where_defined)


def assert_same_optimizers(
    f: Expr,
    g: Expr,
    params: tuple[Symbol, ...],
    *,
    sense: str = "argmin",
    g_sense: str | None = None,
    witness: Lambda | None = None,
    allow_numeric: bool = False,
    intervals: Mapping[Symbol, tuple[float, float]] | None = None,
    dps: int = 50,
    seed: int = 0,
) -> None:
    """Assert that ``f`` and ``g`` have the same optimizers over ``params``.

    ``sense`` is how ``f`` is optimized and ``g_sense`` how ``g`` is (the same by default):
    ``assert_same_optimizers(L, -L, (t,), sense="argmax", g_sense="argmin")``.

    >>> from sympy import Symbol, log
    >>> t = Symbol("t", real=True)
    >>> assert_same_optimizers((t - 1) ** 2, 3 * (t - 1) ** 2 + 5, (t,))
    """
    lhs_sense = Relation(sense)
    relation = Relation(g_sense or sense)
    checked = check_step(
        f,
        lhs_sense,
        Step(relation, g, "asserted equivalence", witness=witness),
        params=params,
        intervals=intervals,
        config=Config(dps=dps, seed=seed),
    )
    _judge(checked, f"{sense} {f} = {relation.value} {g}", allow_numeric)
