"""Known values and data files, parsed as numbers only: user text is data, never code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from sympy import (
    Rational,
    Symbol,
)

from symbolic.families import Family
from symbolic.kernel.domains import Domain

__all__ = [
    "BadInput",
    "parse_number",
    "parse_known",
    "read_csv",
    "read_rows",
    "check_data",
]


class BadInput(ValueError):
    """Input data or known values that do not fit the family (bad label, missing value)."""


def parse_number(text: str, where: str) -> Fraction:
    """A decimal or fraction as an exact :class:`~fractions.Fraction`; never an expression.

    >>> parse_number("2.5", "--known")
    Fraction(5, 2)
    """
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise BadInput(f"{where}: {text!r} is not a number") from None
    return value


def parse_known(fam: Family, items: Sequence[str]) -> dict[Symbol, Rational]:
    """``NAME=VALUE`` pairs for the family's known parameters, checked against their domains.

    >>> from symbolic.families import FAMILIES
    >>> parse_known(FAMILIES["binomial"], ["n=10"])
    {n: 10}
    """
    names = {str(s): s for s in fam.known}
    out: dict[Symbol, Rational] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise BadInput(f"--known {item!r}: expected NAME=VALUE")
        if name not in names:
            allowed = ", ".join(names) or "none"
            raise BadInput(f"--known {item!r}: {fam.name} has no known parameter {name!r} "
                           f"(known parameters: {allowed})")
        value = parse_number(text, f"--known {name}")
        sym = names[name]
        domain = fam.parameter(str(sym)).domain
        if not domain.contains(value):
            raise BadInput(f"--known {name}={text}: {name} must be in {domain.text()}: "
                           f"{domain.words()}")
        out[sym] = Rational(value.numerator, value.denominator)
    return out


def read_csv(path: str, fam: Family) -> list[tuple[Fraction, Fraction]]:
    """Rows of a CSV file with a header naming the columns ``x`` (and ``y`` for regression).

    Cells are parsed as numbers only; a bad cell is reported with its line and column.
    """
    import csv

    wanted = ["x", "y"] if fam.regression else ["x"]
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise BadInput(f"--data {path}: {exc.strerror}") from None
    if not rows:
        raise BadInput(f"{path}: empty file; expected a header row naming {','.join(wanted)}")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise BadInput(f"{path}:1: the header {rows[0]} lacks the column(s) {', '.join(missing)}")
    cols = [header.index(c) for c in wanted]
    data = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = []
        for c, name in zip(cols, wanted, strict=True):
            if c >= len(row):
                raise BadInput(f"{path}:{line}: no value in column {name!r}")
            values.append(parse_number(row[c], f"{path}:{line}: column {name!r}"))
        data.append((values[0], values[1] if fam.regression else Fraction(0)))
    if not data:
        raise BadInput(f"{path}: no data rows")
    return data


def read_rows(path: str) -> list[list[Fraction]]:
    """Every column of a CSV file is a coordinate (multivariate data): rows of numbers."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise BadInput(f"--data {path}: {exc.strerror}") from None
    if len(rows) < 2:
        raise BadInput(f"{path}: expected a header row and at least one data row")
    width = len(rows[0])
    out = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise BadInput(f"{path}:{line}: {len(row)} values, the header names {width}")
        out.append([parse_number(c, f"{path}:{line}: column {k + 1}") for k, c in enumerate(row)])
    return out


def check_data(fam: Family, data: Sequence[tuple[Fraction, Fraction]], known: Mapping) -> None:
    """Reject data outside the family's support, naming the first offending row and the
    support in words; bounds that are known parameters take their values.

    >>> from symbolic.families import FAMILIES
    >>> check_data(FAMILIES["poisson"], [(Fraction(0), Fraction(0))], {})
    >>> try:
    ...     check_data(FAMILIES["geometric"], [(Fraction(0), Fraction(0))], {})
    ... except BadInput as exc:
    ...     print(exc)
    data row 1 (line 2): x = 0 is not in {1, 2, ...}: the positive integers
    """
    env = dict(known)
    for row, (a, b) in enumerate(data, start=2):
        where = f"data row {row - 1} (line {row})"
        if not fam.support_domain.contains(a, env):
            raise BadInput(f"{where}: x = {a} is not in {_shown(fam.support_domain, env)}: "
                           f"{fam.support_domain.words()}")
        if fam.response_domain is not None and not fam.response_domain.contains(b, env):
            raise BadInput(f"{where}: y = {b} is not in {fam.response_domain.text()}: "
                           f"{fam.response_domain.words()}")


def _shown(domain: Domain, env: Mapping) -> str:
    text = domain.text()
    if env and domain.free_symbols() & set(env):
        values = ", ".join(f"{k} = {v}" for k, v in env.items() if k in domain.free_symbols())
        text += f" with {values}"
    return text
