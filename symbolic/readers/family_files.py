"""Families you define in a TOML file, read without executing anything.

A file declares the parameters with their domains, the support, the density or mass as one
expression, and optionally which parameters are known (given, not estimated). Expressions
and domain bounds are parsed by :mod:`symbolic.readers.safeparse`; the density is then checked
to integrate (or sum) to 1 on its support, numerically, at sampled parameter values.

>>> fam = load_family_text('''
... name = "maxwell-boltzmann"
... support = "(0, oo)"
... density = "sqrt(2/pi) * x**2 * exp(-x**2/(2*a**2)) / a**3"
... [parameters]
... a = "(0, oo)"
... ''', "mb.toml")
>>> fam.params, fam.support_domain.text(), fam.discrete
((a,), '(0, oo)', False)

The format, in full, is in ``docs/families.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

import sympy
from sympy import Expr

from symbolic.families.model import (
    DivergenceHints,
    Family,
    NotNormalized,
    Parameter,
    check_normalized,
)
from symbolic.kernel.domains import (
    BITS,
    POSITIVE,
    REALS,
    UNIT,
    Domain,
    Integers,
    Interval,
)
from symbolic.readers.safeparse import Limits, ParseError, parse_expression

__all__ = ["FamilyFileError", "load_family", "load_family_text", "parse_domain", "FUNCTIONS"]

MAX_FILE_BYTES = 64 * 1024
MAX_PARAMETERS = 8
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_FAMILY_NAME = re.compile(r"[a-z][a-z0-9-]{0,60}")
_TOP_KEYS = {"name", "title", "variable", "support", "density", "mass", "parameters", "known",
             "discrete", "notes"}
_RESERVED = {"x", "N", "i", "pi", "E", "oo", "I"}

FUNCTIONS: dict[str, object] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "Abs": sympy.Abs,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "atan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "gamma": sympy.gamma,
    "loggamma": sympy.loggamma,
    "beta": sympy.beta,
    "factorial": sympy.factorial,
    "binomial": sympy.binomial,
    "besseli": sympy.besseli,
    "erf": sympy.erf,
    "LambertW": sympy.LambertW,
}
"""The functions a family file may call."""

_CONSTANTS: dict[str, object] = {"pi": sympy.pi, "E": sympy.E, "oo": sympy.oo}
_NAMED_DOMAINS: dict[str, Domain] = {
    "reals": REALS,
    "positive": POSITIVE,
    "unit": UNIT,
    "{0, 1}": BITS,
    "{0, 1, 2, ...}": Integers(0),
    "{1, 2, ...}": Integers(1),
}
_DOMAIN_FORMS = (
    "reals, positive, unit, an interval such as (0, oo), [a, b), (-pi, pi]; {0, 1}; "
    "{0, 1, 2, ...}; {1, 2, ...}; {k, k+1, ...}; {0, ..., n}"
)


class FamilyFileError(ValueError):
    """A family file that cannot be used: the message says where and why."""


def _where(source: str, what: str) -> str:
    return f"{source}: {what}"


def _parse(text: object, names: Mapping[str, object], where: str, variable: str = "x") -> Expr:
    if not isinstance(text, str):
        raise FamilyFileError(f"{where}: expected a string expression")
    try:
        return parse_expression(text, names, where=where, limits=Limits(max_length=1000))
    except ParseError as exc:
        if exc.detail.startswith("unknown name"):
            raise FamilyFileError(
                f"{exc.message}: a parameter used but not declared? Declare each parameter "
                f"under [parameters]; the variable is {variable}; the functions are "
                f"{', '.join(sorted(FUNCTIONS))}"
            ) from None
        raise FamilyFileError(exc.message) from None


def parse_domain(text: object, names: Mapping[str, object], where: str) -> Domain:
    """A domain written as in ``docs/families.md``: a named set, an interval with open or
    closed ends, or a set of integers; bounds may name ``names`` (earlier parameters).

    >>> parse_domain("[-pi, pi)", {}, "support").text()
    '[-pi, pi)'
    >>> parse_domain("{0, ..., n}", {"n": sympy.Symbol("n", integer=True)}, "support").text()
    '{0, ..., n}'
    """
    if not isinstance(text, str):
        raise FamilyFileError(f"{where}: a domain is a string ({_DOMAIN_FORMS})")
    t = " ".join(text.split())
    if t in _NAMED_DOMAINS:
        return _NAMED_DOMAINS[t]
    bound_names = {**_CONSTANTS, **names}
    m = re.fullmatch(r"([\(\[])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\)\]])", t)
    if m:
        lo = _parse(m.group(2), bound_names, f"{where}, lower end")
        hi = _parse(m.group(3), bound_names, f"{where}, upper end")
        if lo == sympy.oo or hi == -sympy.oo or (lo.is_number and hi.is_number and lo >= hi):
            raise FamilyFileError(f"{where}: the interval {t} is empty")
        return Interval(lo, hi, left_open=m.group(1) == "(" or lo == -sympy.oo,
                        right_open=m.group(4) == ")" or hi == sympy.oo)
    m = re.fullmatch(r"\{\s*([^,]+?)\s*,\s*(?:\.\.\.\s*,\s*([^,]+?)|([^,]+?)\s*,\s*\.\.\.)\s*\}", t)
    if m:
        start = _parse(m.group(1), bound_names, f"{where}, first element")
        if not start.is_integer:
            raise FamilyFileError(f"{where}: {t} does not start at an integer")
        if m.group(2) is not None:
            return Integers(start, _parse(m.group(2), bound_names, f"{where}, last element"))
        second = _parse(m.group(3), bound_names, f"{where}, second element")
        if sympy.simplify(second - start) != 1:
            raise FamilyFileError(f"{where}: {t} is not a run of consecutive integers")
        return Integers(start)
    raise FamilyFileError(f"{where}: unknown domain {text!r}; the forms are: {_DOMAIN_FORMS}")


def load_family_text(text: str, source: str = "<text>") -> Family:
    """Parse the TOML text of a family file; :class:`FamilyFileError` says what is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FamilyFileError(_where(source, f"invalid TOML: {exc}")) from None
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise FamilyFileError(
            _where(source, f"unknown keys {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
        )
    name = raw.get("name")
    if not (isinstance(name, str) and _FAMILY_NAME.fullmatch(name)):
        raise FamilyFileError(_where(source, "name must be lower-case letters, digits and -"))
    var_name = raw.get("variable", "x")
    if not (isinstance(var_name, str) and _NAME.fullmatch(var_name)):
        raise FamilyFileError(_where(source, "variable must be a name"))
    declared = raw.get("parameters")
    if not isinstance(declared, dict) or not declared:
        raise FamilyFileError(_where(source, "[parameters] must map each parameter to a domain"))
    if len(declared) > MAX_PARAMETERS:
        raise FamilyFileError(_where(source, f"at most {MAX_PARAMETERS} parameters"))
    names: dict[str, object] = {**_CONSTANTS}
    params: list[Parameter] = []
    for pname, dom_text in declared.items():
        where = _where(source, f"parameter {pname}")
        if not _NAME.fullmatch(pname) or pname in _RESERVED | set(FUNCTIONS) or pname == var_name:
            raise FamilyFileError(f"{where}: not a usable parameter name")
        dom = parse_domain(dom_text, {}, where)
        sym = dom.symbol(pname)
        span = dom.sampling_interval() if isinstance(dom, Interval) else None
        params.append(Parameter(sym, dom, pname, pname, span))
        names[pname] = sym
    known = raw.get("known", [])
    if not (isinstance(known, list) and all(isinstance(k, str) for k in known)):
        raise FamilyFileError(_where(source, "known must be a list of parameter names"))
    for k in known:
        if k not in declared:
            raise FamilyFileError(_where(source, f"known: {k!r} is not a declared parameter"))
    if len(known) == len(params):
        raise FamilyFileError(_where(source, "every parameter is known: nothing to estimate"))
    support = parse_domain(raw.get("support"), names, _where(source, "support"))
    if not isinstance(support, Interval | Integers):
        raise FamilyFileError(_where(source, "the support must be an interval or integers"))
    discrete = isinstance(support, Integers)
    if "discrete" in raw and raw["discrete"] is not discrete:
        raise FamilyFileError(_where(
            source, f"discrete = {raw['discrete']} contradicts the support {support}"
        ))
    key = "mass" if "mass" in raw else "density"
    if ("mass" in raw) == ("density" in raw):
        raise FamilyFileError(_where(source, "give the density (or the mass), once"))
    variable = support.symbol(var_name)
    expr_names = {**names, **FUNCTIONS, var_name: variable}
    density = _parse(raw[key], expr_names, _where(source, key), var_name)
    if not density.has(variable):
        raise FamilyFileError(_where(source, f"the {key} does not depend on {var_name}"))
    used = {str(s) for s in density.free_symbols} - {var_name}
    unused = [p.name for p in params if p.name not in used and p.name not in
              {str(s) for s in support.free_symbols()}]
    if unused:
        raise FamilyFileError(_where(source, f"parameters {unused} appear nowhere in the family"))
    notes = raw.get("notes", [])
    if not (isinstance(notes, list) and all(isinstance(n, str) for n in notes)):
        raise FamilyFileError(_where(source, "notes must be a list of strings"))
    fam = Family(
        name=name,
        parameters=tuple(params),
        variable=variable,
        support_domain=support,
        density=density,
        discrete=discrete,
        known_names=tuple(known),
        hints=DivergenceHints(
            ("integrate", "exponential-family", "series"),
            natural=tuple(p.name for p in params if p.name not in known),
            notes=tuple(notes),
        ),
    )
    try:
        check_normalized(fam)
    except NotNormalized as exc:
        raise FamilyFileError(_where(source, str(exc))) from None
    return fam


def load_family(path: str | Path) -> Family:
    """Read a family file; errors name the file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FamilyFileError(f"{p}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise FamilyFileError(f"{p}: {len(data)} bytes; at most {MAX_FILE_BYTES}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FamilyFileError(f"{p}: not UTF-8 text") from None
    return load_family_text(text, str(p))
