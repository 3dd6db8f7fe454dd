"""symbolic.readers.safeparse: admitted math builds the right sympy objects; hostile text is
refused."""

from __future__ import annotations

import ast
import builtins
import os
import re
from pathlib import Path

import pytest
import sympy
from sympy import (
    Function,
    IndexedBase,
    Product,
    Rational,
    Sum,
    Symbol,
    exp,
    factorial,
    log,
    pi,
    sqrt,
)

from symbolic.readers.safeparse import Limits, ParseError, parse_expression

x = IndexedBase("x")
i = Symbol("i", integer=True)
N = Symbol("N", integer=True, positive=True)
theta = Symbol("theta", real=True)
f = Function("f")
NAMES: dict[str, object] = {
    "x": x,
    "i": i,
    "N": N,
    "theta": theta,
    "log": log,
    "exp": exp,
    "Sum": Sum,
    "Product": Product,
    "factorial": factorial,
    "gamma": sympy.gamma,
    "pi": pi,
    "f": f,
    "sqrt": sqrt,
}
READERS = Path(__file__).resolve().parent.parent / "symbolic" / "readers"
SOURCE = READERS / "safeparse.py"


def parse(text: str, **kwargs: object) -> sympy.Expr:
    return parse_expression(text, NAMES, **kwargs)


def refused(text: object, **kwargs: object) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_expression(text, NAMES, **kwargs)  # type: ignore[arg-type]
    return info.value


# --- admitted expressions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("theta**2/2 - 3*theta + 1", theta**2 / 2 - 3 * theta + 1),
        ("Sum(log(x[i]), (i, 1, N))", Sum(log(x[i]), (i, 1, N))),
        ("-Sum(log(x[i]), (i, 1, N)) / N", -Sum(log(x[i]), (i, 1, N)) / N),
        ("Product(x[i]**theta, (i, 1, N))", Product(x[i] ** theta, (i, 1, N))),
        ("-theta", -theta),
        ("--+theta", theta),
        ("x[i]", x[i]),
        ("x[i, N]", x[i, N]),
        ("log(exp(theta) + 1)", log(exp(theta) + 1)),
        (
            "exp(-(x[i] - theta)**2 / 2) / sqrt(2*pi)",
            exp(-((x[i] - theta) ** 2) / 2) / sqrt(2 * pi),
        ),
        ("factorial(5) + 2**10", Rational(1144)),
        ("f(theta, N)", f(theta, N)),
        ("2**0.5", sqrt(2)),
        ("1/0", sympy.zoo),
        ("log(log(log(2)))", log(log(log(2)))),
        ("log(log(log(log(log(theta)))))", log(log(log(log(log(theta)))))),
    ],
)
def test_admitted_expressions_build_the_expected_objects(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1", Rational(1, 10)),
        ("0.1 + 0.2", Rational(3, 10)),
        ("1.5e-3", Rational(3, 2000)),
        ("1_000.5", Rational(2001, 2)),
        (".5", Rational(1, 2)),
        ("0e99999", sympy.Integer(0)),
    ],
)
def test_float_literals_are_exact_rationals(text, expected):
    value = parse(text)
    assert value == expected and isinstance(value, Rational)


def test_whitespace_lines_and_tabs_are_fine():
    assert parse("  theta +\t1") == theta + 1
    assert parse("(theta\n + 1)") == theta + 1
    assert parse("\n(theta\r\n + 1)\n") == theta + 1


def test_a_long_flat_sum_is_not_deep_nesting():
    assert parse(" + ".join(["theta"] * 200)) == 200 * theta


def test_names_bound_to_python_functions_are_callable():
    names = {**NAMES, "square": lambda t: t**2}
    assert parse_expression("square(theta) + 1", names) == theta**2 + 1


# --- hostile and malformed text: (text, message fragment, column) --------------------------

HOSTILE = [
    ("__import__('os').system('echo hi')", "name '__import__' is not allowed", 1),
    ("__import__('os')", "names starting with '_' are reserved", 1),
    ("theta + __builtins__", "name '__builtins__' is not allowed", 9),
    ("().__class__.__bases__[0]", "attribute access '.__bases__' is not allowed", 1),
    ("x.__class__", "attribute access '.__class__'", 1),
    ("theta + x.__class__", "attribute access", 9),
    ("lambda: 1", "lambda expressions are not allowed", 1),
    ("(lambda: 1)()", "lambda expressions", 2),
    ("[c for c in ()]", "list comprehensions are not allowed", 1),
    ("sum(c for c in x)", "unknown name 'sum'", 1),
    ("f(c for c in x)", "generator expressions are not allowed", 2),
    ("'abc'", "string literals are not allowed", 1),
    ("b'x'", "bytes literals are not allowed", 1),
    ('f"{x}"', "f-strings are not allowed", 1),
    ("open('f','w')", "unknown name 'open'", 1),
    ("eval('1')", "unknown name 'eval'", 1),
    ("10**10**10", "power with exponent 10000000000 exceeds the limit of 1000", 1),
    ("2**100000", "power with exponent 100000", 1),
    ("theta + (2*theta)**1001", "power with exponent 1001", 9),
    ("1e308**1e308", "power of ten", 1),
    ("factorial(10**9)", "factorial(1000000000) exceeds the limit of 1000", 1),
    ("gamma(10**9)", "gamma(1000000000) exceeds", 1),
    ("gamma(2000000001/2)", "exceeds the limit", 1),
    ("exp(10**11*log(2))", "power with exponent 100000000000", 1),
    ("*".join(["2**999"] * 20), "more than 4000 digits", 1),
    ("sqrt(" + "*".join(["2**999"] * 20) + ")", "argument of sqrt() has a number", 1),
    ("(" + "*".join(["2**999"] * 20) + ")**2", "power would have up to", 1),
    ("log(log(log(log(-2))))", "nest more than 2 deep around a pure number", 1),
    ("theta + (((-2)**log(-2))**log(-3))**log(-4)", "nest more than 2 deep", 9),
    ("(" * 200 + "1" + ")" * 200, "brackets are nested deeper than 40", 41),
    ("-" * 1999 + "1", "nested deeper than 40", 41),
    ("x ^ 2", "use '**' for powers", 1),
    ("theta % 2", "operator '%' is not allowed", 1),
    ("~theta", "operator '~' is not allowed", 1),
    ("a if b else c", "conditional expressions are not allowed", 1),
    ("f(*x)", "starred arguments", 3),
    ("f(x=1)", "keyword arguments are not allowed", 3),
    ("f(**x)", "keyword arguments are not allowed", 3),
    ("{1: 2}", "dict literals are not allowed", 1),
    ("{1, 2}", "set literals are not allowed", 1),
    ("[1, 2]", "list literals are not allowed", 1),
    ("x[0](1)", "only named functions can be called", 1),
    ("(yield)", "yield expressions are not allowed", 2),
    ("(a := 1)", "walrus assignments (:=) are not allowed", 2),
    ("1 < 2", "comparisons are not allowed", 1),
    ("not theta", "'not' is not allowed", 1),
    ("theta and N", "boolean operators (and/or) are not allowed", 1),
    ("x[1:2]", "slices are not allowed", 3),
    ("(1, 2)", "tuples are only allowed as function arguments", 1),
    ("Sum(x[i], ((i, 1), N))", "tuples are only allowed", 12),
    ("theta(1)", "'theta' is not a function", 1),
    ("theta[0]", "'theta' cannot be subscripted", 1),
    ("True", "the constant True is not allowed", 1),
    ("1j", "complex literals are not allowed", 1),
    ("1234567890123", "integer literal has more than 12 digits", 1),
    ("1e-2000", "float literal", 1),
    ("theta\x00", "control character U+0000", 6),
    ("theta\u202e + 1", "U+202E", 6),
    ("log(x", "syntax error at column 4: '(' was never closed", 4),
    ("theta +", "syntax error at column", 8),
    ("log + 1", "cannot apply '+'", 1),
    ("log", "must denote a sympy expression", 1),
    ("thet", "unknown name 'thet'; did you mean 'theta'?", 1),
]


@pytest.mark.parametrize(("text", "fragment", "col"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_refused_with_message_and_column(text, fragment, col):
    error = refused(text)
    assert fragment in error.message and fragment in str(error)
    assert error.col == col
    assert error.message.startswith(
        "syntax error at column" if "syntax" in fragment else f"column {col}: "
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("-" * 5000 + "1", "too long: 5001 characters; the limit is 2000"),
        ("+".join(["theta"] * 1667), "too long: 10001 characters"),
        (b"theta", "must be a str, not bytes"),
        ("", "empty expression"),
        (" \n ", "empty expression"),
    ],
)
def test_refusals_without_a_column(text, fragment):
    error = refused(text)
    assert fragment in error.message
    assert error.col is None


def test_the_python_parser_recursion_limit_is_a_parse_error():
    # Deeper than the C parser's own stack, whatever sys.getrecursionlimit() is.
    error = refused("-" * 7000 + "1", limits=Limits(max_length=10_000, max_depth=10_000))
    assert "too deeply nested" in error.message


@pytest.mark.parametrize(
    ("text", "limits", "fragment"),
    [
        ("((theta))", Limits(max_depth=1), "brackets are nested deeper than 1"),
        ("-(-(-theta))", Limits(max_depth=3), "nested deeper than 3"),
        ("theta" + "*theta" * 10, Limits(max_nodes=10), "more than 10 nodes"),
        ("2**11", Limits(max_power_exponent=10), "power with exponent 11"),
        ("factorial(11)", Limits(max_factorial_arg=10), "factorial(11) exceeds the limit of 10"),
        ("123", Limits(max_int_digits=2), "more than 2 digits"),
        ("theta", Limits(max_length=4), "too long"),
    ],
)
def test_limits_are_configurable(text, limits, fragment):
    assert fragment in refused(text, limits=limits).message


def test_where_label_prefixes_every_message():
    error = refused("1 + foo", where="step 3")
    assert str(error) == "step 3, column 5: unknown name 'foo'"
    assert (error.where, error.lineno, error.col, error.detail) == (
        "step 3",
        1,
        5,
        "unknown name 'foo'",
    )
    assert isinstance(error, ValueError)
    assert refused("log(x", where="step 3").message.startswith("step 3, syntax error at column 4: ")
    assert refused("-" * 3000, where="start").message.startswith("start: expression is too long")


def test_columns_count_characters_and_lines():
    names = {**NAMES, "θ": Symbol("θ")}
    with pytest.raises(ParseError) as info:
        parse_expression("θ + foo", names)
    assert info.value.col == 5
    error = refused("(theta +\r\n  foo)")
    assert (error.lineno, error.col) == (2, 3)
    assert error.message.startswith("line 2, column 3: unknown name 'foo'")
    assert refused("   foo").col == 4


def test_nothing_in_the_text_is_ever_executed(tmp_path, monkeypatch):
    calls: list[object] = []
    compiled: list[object] = []

    def forbidden(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AssertionError(f"called with {args!r}")

    real_compile = builtins.compile

    def ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        # ast.parse goes through compile(); it must only ever build a tree.
        assert flags & ast.PyCF_ONLY_AST, "compile() was asked for code"
        compiled.append(source)
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.setattr("sympy.parsing.sympy_parser.parse_expr", forbidden)
    sentinel, sentinel2 = tmp_path / "SENTINEL", tmp_path / "SENTINEL2"
    names = {**NAMES, "open": open, "os": os}  # even when dangerous names are bound
    for text in [
        f"__import__('os').system('touch {sentinel}')",
        f"os.system('touch {sentinel}')",
        f"open('{sentinel2}', 'w')",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        f"exp(theta) + 0*open('{sentinel2}', 'w')",
    ]:
        with pytest.raises(ParseError):
            parse_expression(text, names)
    assert parse_expression("log(theta) + x[i]", names) == log(theta) + x[i]
    assert calls == []
    assert compiled  # the wrapper really stood in the parser's way
    assert not sentinel.exists() and not sentinel2.exists()


def test_the_source_never_evaluates_text():
    source = SOURCE.read_text(encoding="utf-8")
    forbidden = re.compile(r"\b(eval|exec|sympify|parse_expr|literal_eval|S)\s*\(")
    assert forbidden.findall(source) == []
    assert 'ast.parse(self.body, mode="eval")' in source


def test_no_reader_evaluates_text():
    forbidden = re.compile(r"\b(eval|exec|sympify|parse_expr|parse_latex|literal_eval)\s*\(")
    for path in sorted(READERS.glob("*.py")):
        assert forbidden.findall(path.read_text(encoding="utf-8")) == [], path


def test_reserved_names_are_refused_even_when_bound():
    names = {**NAMES, "_secret": theta}
    with pytest.raises(ParseError, match="names starting with '_' are reserved"):
        parse_expression("_secret + 1", names)
