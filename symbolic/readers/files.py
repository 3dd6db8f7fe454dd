"""Hand-written derivations in TOML files, read without executing anything.

A file declares a title, its symbols with their domains, its data and their domains, the
hypotheses it assumes, the parameters the argmin/argmax steps range over, a start expression and
the steps. Expressions are parsed by :mod:`symbolic.readers.safeparse`, which walks the syntax
tree and admits only what is on its list. Every error names the file, the key or step, and the
column in the expression.

>>> d = load_text('''
... title = "NLL/N is the cross-entropy"
... start = "NLL() / N"
... [[steps]]
... relation = "="
... expr = "H(p_data, p_model)"
... rule = "definition of cross-entropy"
... ''', "demo.toml")
>>> d.steps[0].rhs
CrossEntropy(p_data, p_model)

The format, in full, is in ``docs/derivation-files.md``.
"""

from __future__ import annotations

import random
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import mpmath
import sympy
from sympy import Basic, Expr, IndexedBase, Lambda, Symbol
from sympy.core.symbol import Str

from symbolic.kernel import matrices
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.domains import (
    BITS,
    POSITIVE,
    REALS,
    UNIT,
    DataVectors,
    Domain,
    Integers,
    Interval,
    Labels,
    OneHot,
    Simplex,
    VectorDomain,
)
from symbolic.kernel.measures import (
    KL,
    NLL,
    BoundModel,
    Constant,
    CrossEntropy,
    Defined,
    Distribution,
    Entropy,
    Expectation,
    Likelihood,
    LogLikelihood,
    N,
    Reference,
    i,
    p_data,
    p_data_x,
    p_model,
    theta,
    x,
    xv,
    y,
    yv,
)
from symbolic.kernel.numeric import DataSampler, VectorSpec
from symbolic.readers.laws import (
    FAMILIES,
    CatalogLaw,
    Family,
    FamilyDensity,
    LawDivergence,
    LawEntropy,
    LawExpectation,
)
from symbolic.readers.safeparse import Limits, ParseError, parse_expression, parse_relation

__all__ = ["FileError", "load", "load_text", "MAX_FILE_BYTES", "MAX_STEPS"]

MAX_FILE_BYTES = 256 * 1024
MAX_STEPS = 200
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_TOP_KEYS = {
    "title", "id", "symbols", "vectors", "data", "assume", "define", "model", "chains",
    "params", "sense", "start", "steps", "notes",
}
_STEP_KEYS = {"relation", "expr", "rule", "witness", "wrt"}
_SENSES = {
    "=": Relation.EQ,
    "argmin": Relation.ARGMIN,
    "argmin over theta": Relation.ARGMIN,
    "argmax": Relation.ARGMAX,
    "argmax over theta": Relation.ARGMAX,
}
_RELATIONS = {
    **_SENSES,
    "<": Relation.LT,
    "<=": Relation.LE,
    ">": Relation.GT,
    ">=": Relation.GE,
    "differentiate": Relation.DIFF,
    "solve": Relation.SOLVE,
    "propto": Relation.PROPTO,
}
# A data domain: the assumptions the proofs make about each entry, and the kind the numeric
# checks draw entries from (see symbolic.kernel.domains.DataVectors).
# The words a file may use for a data domain: the assumptions the prover gets, and the domain of
# one entry, which the sampler draws from (data vectors repeat points; counts include 0).
_DATA_DOMAINS: dict[str, tuple[dict[str, bool], Domain]] = {
    "real": ({"real": True}, REALS),
    "positive": ({"positive": True}, POSITIVE),
    "nonnegative": ({"nonnegative": True}, Interval(0, sympy.oo, left_open=False)),
    "counts": ({"integer": True, "nonnegative": True}, Integers(0)),
    "binary": ({"integer": True, "nonnegative": True}, BITS),
    "labels": ({"integer": True, "positive": True}, Labels(3)),
    "(0, 1)": ({"positive": True}, UNIT),
}
_KINDS: dict[str, dict[str, bool]] = {
    "real": {"real": True},
    "positive": {"positive": True},
    "negative": {"negative": True},
    "nonnegative": {"nonnegative": True},
    "integer": {"integer": True},
    "positive integer": {"integer": True, "positive": True},
    "nonnegative integer": {"integer": True, "nonnegative": True},
}
_INTERVAL = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)")


class FileError(ValueError):
    """A derivation file that cannot be read: the message says where and why."""


@dataclass(frozen=True)
class _Law:
    """A catalog law as a file writes it, ``Normal(mu, sigma2)``: not a value (arithmetic on it
    fails, and the parser says so), only an argument of E, H, CE and KL, which write it out as
    the structured :class:`~symbolic.readers.laws.CatalogLaw`."""

    law: CatalogLaw


def _expectation(body: Expr, dist: object = p_data) -> Expr:
    # Inside E(...) the data names stand for the bound variables of the expectation.
    body = body.xreplace({x: xv, y: yv})
    if isinstance(dist, _Law):
        return LawExpectation.of(body, dist.law)
    return Expectation(body, dist)


def _entropy(p: object, q: object = None) -> Expr:
    if isinstance(p, _Law) and q is None:
        return LawEntropy(p.law)
    if isinstance(p, _Law) and isinstance(q, _Law):
        return LawEntropy(p.law, q.law)
    if isinstance(p, _Law) or isinstance(q, _Law):
        raise TypeError("H compares two laws, or the distributions p_data and p_model")
    return Entropy(p) if q is None else CrossEntropy(p, q)


def _divergence(p: object, q: object) -> Expr:
    if isinstance(p, _Law) and isinstance(q, _Law):
        return LawDivergence(p.law, q.law)
    if isinstance(p, _Law) or isinstance(q, _Law):
        raise TypeError("KL compares two laws, or the distributions p_data and p_model")
    return KL(p, q)


def _hessian(f: Expr, variables: tuple) -> sympy.ImmutableMatrix:
    """``hessian(f, (a, b))``: the matrix of the second derivatives, unevaluated, as written."""
    if not isinstance(variables, tuple) or not all(isinstance(v, Symbol) for v in variables):
        raise TypeError("hessian takes an expression and a tuple of declared symbols")
    return sympy.ImmutableMatrix(
        [[sympy.Derivative(f, a, b) for b in variables] for a in variables]
    )


def _calculus(vectors: Mapping[IndexedBase, VectorSpec]) -> dict[str, Callable[..., Expr]]:
    """``grad`` and ``hessian`` in a tuple of symbols or in a declared vector, whose length they
    need: ``grad(f, w)`` is the vector (∂f/∂w_j), j = 1..d, unevaluated, as written."""

    def length(w: IndexedBase) -> Expr:
        spec = vectors.get(w)
        if spec is None or isinstance(spec[0], sympy.Tuple):
            raise TypeError(f"{w} is not a declared vector of one length")
        return spec[0]

    def grad(f: Expr, wrt: object) -> Expr:
        if isinstance(wrt, IndexedBase):
            return matrices.gradient(f, wrt, length(wrt))
        if isinstance(wrt, tuple) and wrt and all(isinstance(v, Symbol) for v in wrt):
            return matrices.gradient(f, sympy.Tuple(*wrt))
        raise TypeError("grad takes an expression and a tuple of declared symbols or a vector")

    def hessian(f: Expr, wrt: object) -> Expr:
        if isinstance(wrt, IndexedBase):
            d = length(wrt)
            j = matrices.fresh_index((f, d))
            k = matrices.fresh_index((f, d, j), "k")
            return matrices.Components(sympy.Derivative(f, wrt[j], wrt[k]), (j, 1, d), (k, 1, d))
        return _hessian(f, wrt)

    return {"grad": grad, "hessian": hessian}


def _vector(body: Expr, index: tuple) -> Expr:
    """``vector(f, (j, 1, d))``: the vector whose entry j is f, j = 1..d."""
    return _entries(body, index)


def _table(body: Expr, row: tuple, col: tuple) -> Expr:
    """``matrix(f, (j, 1, d), (k, 1, d))``: the matrix whose entry (j, k) is f."""
    return _entries(body, row, col)


def _entries(body: Expr, *limits: tuple) -> Expr:
    if not all(
        isinstance(lim, tuple) and len(lim) == 3 and isinstance(lim[0], Symbol)
        and lim[0].is_integer and lim[1] == 1
        for lim in limits
    ):
        raise TypeError("each index is (j, 1, length), with j a declared integer symbol")
    return matrices.Components(body, *limits)


def _matrix(*rows: tuple) -> sympy.ImmutableMatrix:
    """``Matrix((a, b), (c, d))``: one tuple per row, all of one length."""
    if not rows or not all(isinstance(r, tuple) and len(r) == len(rows[0]) for r in rows):
        raise TypeError("Matrix takes rows, each a tuple, all of one length")
    return sympy.ImmutableMatrix([list(r) for r in rows])


def _predeclared() -> dict[str, object]:
    """Names every file may use: the measures, the data, N and i, and the model θ."""
    functions: dict[str, Callable[..., Expr]] = {
        "log": sympy.log,
        "exp": sympy.exp,
        "sqrt": sympy.sqrt,
        "Abs": sympy.Abs,
        "gamma": sympy.gamma,
        "factorial": sympy.factorial,
        "binomial": sympy.binomial,
        "atan": sympy.atan,
        "sin": sympy.sin,
        "cos": sympy.cos,
        "Sum": sympy.Sum,
        "KroneckerDelta": sympy.KroneckerDelta,
        "Product": sympy.Product,
        "diff": sympy.Derivative,
        "hessian": _hessian,
        "Matrix": _matrix,
        "vector": _vector,
        "matrix": _table,
        "E": _expectation,
        "H": _entropy,
        "CE": _entropy,
        "KL": _divergence,
        "Likelihood": Likelihood,
        "LogLikelihood": LogLikelihood,
        "NLL": NLL,
        "constant": Constant,
        **_DENSITIES,
    }
    return {
        **functions,
        "pi": sympy.pi,
        "oo": sympy.oo,
        "N": N,
        "i": i,
        "x": x,
        "y": y,
        "theta": theta,
        "p_data": p_data,
        "p_model": p_model,
    }


def _where(source: str, what: str) -> str:
    return f"{source}: {what}"


def _declare(source: str, raw: object, names: dict[str, object]) -> dict[Symbol, tuple]:
    """Add the declared symbols to ``names``; return the sampling intervals they ask for."""
    if not isinstance(raw, dict):
        raise FileError(_where(source, '[symbols] must be a table of name = "kind"'))
    intervals: dict[Symbol, tuple[float, float]] = {}
    for name, kind in raw.items():
        where = _where(source, f"symbol {name!r}")
        if not _NAME.fullmatch(name) or name.startswith("_"):
            raise FileError(f"{where}: a name is a letter then letters, digits or _")
        if name in names:
            raise FileError(f"{where}: the name is predeclared or declared twice")
        if not isinstance(kind, str):
            raise FileError(f"{where}: the kind must be a string")
        interval = _INTERVAL.fullmatch(kind.strip())
        if kind == "data":
            names[name] = IndexedBase(name, real=True)
        elif interval:
            lo, hi = float(interval.group(1)), float(interval.group(2))
            if not lo < hi:
                raise FileError(f"{where}: the interval ({lo}, {hi}) is empty")
            sym = Symbol(name, real=True)
            names[name] = sym
            intervals[sym] = (lo, hi)
        elif kind in _KINDS:
            names[name] = Symbol(name, **_KINDS[kind])
        else:
            known = ", ".join([*_KINDS, "(a, b)", "data"])
            raise FileError(f"{where}: unknown kind {kind!r}; use one of: {known}")
    return intervals


_SHAPED = re.compile(r"\s*([a-z() ,0-9]+?)\s*\[\s*([A-Za-z0-9_]+)\s*\]\s*")
# Kinds a vector with its own length (a[k], t[n, k]) may have, beyond the data domains.
_VECTOR_KINDS: dict[str, tuple[dict[str, bool], Domain | None]] = {
    **_DATA_DOMAINS,
    "simplex": ({"positive": True}, None),
    "onehot": ({"integer": True, "nonnegative": True}, None),
}


def _vector_domain(kind: str, length: Expr) -> VectorDomain:
    """The domain a vector of ``kind`` is drawn from, at the given length."""
    if kind == "simplex":
        return Simplex(length)
    if kind == "onehot":
        return OneHot(length)
    entry = _VECTOR_KINDS[kind][1]
    assert entry is not None
    return DataVectors(entry, length)


def _length(text: str, names: Mapping[str, object], where: str) -> Expr:
    if text.isdigit() and 0 < int(text) <= 1000:
        return sympy.Integer(int(text))
    value = names.get(text)
    if not (isinstance(value, Symbol) and value.is_integer and value.is_positive):
        raise FileError(f"{where}: the length {text!r} must be a declared positive integer")
    return value


def _shaped(domain: object, names: Mapping[str, object], where: str) -> tuple[str, Expr | None]:
    """``"kind"`` or ``"kind[K]"``: the kind and the length in brackets (None without)."""
    if not isinstance(domain, str):
        raise FileError(f"{where}: a domain must be a string")
    match = _SHAPED.fullmatch(domain)
    kind, length = (match.group(1), match.group(2)) if match else (domain, None)
    if kind not in (_VECTOR_KINDS if length else _DATA_DOMAINS):
        known = ", ".join(_DATA_DOMAINS) + "; with a length: simplex[K], onehot[K], real[K], ..."
        raise FileError(f"{where}: unknown domain {domain!r}; use one of: {known}")
    return kind, None if length is None else _length(length, names, where)


def _vectors(source: str, raw: object, names: dict[str, object]) -> dict[IndexedBase, VectorSpec]:
    """Vectors of their own length, ``a = "real[K]"``: a[k], k = 1..K."""
    if not isinstance(raw, dict):
        raise FileError(_where(source, '[vectors] must be a table of name = "kind[length]"'))
    specs: dict[IndexedBase, VectorSpec] = {}
    for name, domain in raw.items():
        where = _where(source, f"vector {name!r}")
        if not _NAME.fullmatch(name) or name.startswith("_") or name in names:
            raise FileError(f"{where}: a fresh name is a letter then letters, digits or _")
        kind, length = _shaped(domain, names, where)
        if length is None:
            raise FileError(f'{where}: a vector needs its length, as in "real[K]"')
        assumptions, _ = _VECTOR_KINDS[kind]
        names[name] = IndexedBase(name, **assumptions)
        specs[names[name]] = (length, _vector_domain(kind, length))
    return specs


def _data(
    source: str, raw: object, names: dict[str, object]
) -> tuple[dict[IndexedBase, IndexedBase], DataSampler | None, dict[IndexedBase, VectorSpec]]:
    """The data domains: bases for the proofs (x and y real unless declared), a sampler of
    (x, y) when either is declared, and the length-N specs of the other declared vectors (a
    table of N rows for ``t = "onehot[K]"``, read t[n, k])."""
    if not isinstance(raw, dict):
        raise FileError(_where(source, '[data] must be a table of name = "domain"'))
    kinds: dict[str, str] = {}
    rows: dict[str, Expr] = {}
    for name, domain in raw.items():
        where = _where(source, f"data {name!r}")
        if not _NAME.fullmatch(name) or name.startswith("_"):
            raise FileError(f"{where}: a name is a letter then letters, digits or _")
        if name not in ("x", "y") and name in names:
            raise FileError(f"{where}: the name is predeclared or declared twice")
        kind, length = _shaped(domain, names, where)
        if length is not None:
            if name in ("x", "y"):
                raise FileError(f"{where}: x and y hold one value per point")
            rows[name] = length
        kinds[name] = kind
    domains = {}
    for base in (x, y):
        assumptions, _ = _DATA_DOMAINS[kinds.get(str(base.label), "real")]
        domains[base] = IndexedBase(str(base.label), **assumptions)
    vectors: dict[IndexedBase, VectorSpec] = {}
    for name, domain in kinds.items():
        if name in ("x", "y"):
            continue
        assumptions, _ = _VECTOR_KINDS[domain]
        names[name] = IndexedBase(name, **assumptions)
        shape = sympy.Tuple(N, rows[name]) if name in rows else N
        vectors[names[name]] = (shape, _vector_domain(domain, rows.get(name, N)))
    for name, value in names.items():
        # Vectors declared as plain "data" among the symbols are real, one value per point.
        if isinstance(value, IndexedBase) and value not in vectors and name not in ("x", "y"):
            vectors[value] = (N, DataVectors(REALS, N))
    sampler = None
    if "x" in kinds or "y" in kinds:
        sampler = _pairs(kinds.get("x"), kinds.get("y"))
    return domains, sampler, vectors


def _pairs(x_domain: str | None, y_domain: str | None) -> DataSampler:
    """Points whose x and y come from their domains; an undeclared x is one of three reals and
    an undeclared y one of the labels 0, 1, 2 (so the default model has a value there)."""

    def draw(rng: random.Random, n: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        if x_domain is None:
            xs = DataVectors(REALS, N).draw(n, rng)
        else:
            xs = DataVectors(_DATA_DOMAINS[x_domain][1], N).draw(n, rng)
        if y_domain is None:
            ys = tuple(mpmath.mpf(rng.choice((0, 1, 2))) for _ in range(n))
        else:
            ys = DataVectors(_DATA_DOMAINS[y_domain][1], N).draw(n, rng)
        return list(zip(xs, ys, strict=True))

    return draw


_SIGNATURE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]{0,30})\s*(?:\((.*)\))?\s*")


def _define(source: str, raw: object, names: dict[str, object]) -> None:
    """Named abbreviations, ``"sigma(z)" = "1/(1 + exp(-z))"`` or ``mu = "..."``: each prints
    by its name and unfolds to its body (arguments are real). A body may use the definitions
    above it, never itself."""
    if not isinstance(raw, dict):
        raise FileError(_where(source, '[define] must be a table of "name(args)" = "body"'))
    for key, body in raw.items():
        where = _where(source, f"define {key!r}")
        match = _SIGNATURE.fullmatch(key)
        if not match or match.group(1).startswith("_"):
            raise FileError(f'{where}: a definition is "name" or "name(a, b)"')
        name, arglist = match.group(1), match.group(2)
        if name in names:
            raise FileError(f"{where}: the name is predeclared or declared twice")
        args = [a.strip() for a in arglist.split(",")] if arglist is not None else []
        if arglist is not None and not all(_NAME.fullmatch(a) for a in args):
            raise FileError(f"{where}: the arguments must be names")
        if len(set(args)) != len(args) or any(a in names for a in args):
            raise FileError(f"{where}: the arguments must be distinct fresh names")
        symbols = [Symbol(a, real=True) for a in args]
        value = _expr(body, {**names, **dict(zip(args, symbols, strict=True))}, where)
        lam = Lambda(tuple(symbols), value)
        label = Str(name)
        if not args:
            names[name] = Defined(label, lam)
            continue

        def call(*given: Expr, lam: Lambda = lam, label: Str = label) -> Expr:
            if len(given) != len(lam.variables):
                raise TypeError(f"{label} takes {len(lam.variables)} arguments")
            return Defined(label, lam, *given)

        call.__name__ = name
        names[name] = call


def _model(source: str, raw: object, names: dict[str, object]) -> None:
    """``[model] p_model = "Normal(y, w*x, sigma2)"``: p_model bound to a density in the
    variables x and y (conditional, p(y | x)) or in x alone (unconditional); the likelihood,
    the NLL and the measures then use it, and an unconditional model's p_data is over x."""
    if raw is None:
        return
    where = _where(source, "model")
    if not (
        isinstance(raw, dict) and set(raw) <= {"p_model", "params", "measure"} and "p_model" in raw
    ):
        raise FileError(
            f'{where}: [model] is p_model = "density", and optionally params = [...] and '
            'measure = "counting" or "Lebesgue"'
        )
    inside = {**names, "x": xv, "y": yv}
    body = _expr(raw["p_model"], inside, f"{where}, p_model", variables=True)
    if not body.has(xv) and not body.has(yv):
        raise FileError(f"{where}: the density must mention the variable x (and y if conditional)")
    if body.has(yv) and body.has(xv):
        conditional = True
    elif body.has(yv):
        raise FileError(f"{where}: a density in y alone: write the variable as x, or give both")
    else:
        conditional = False
    listed = raw.get("params")
    if listed is None:
        params = sorted(body.free_symbols - {xv, yv}, key=str)
    elif isinstance(listed, list) and all(isinstance(names.get(p), Symbol) for p in listed):
        params = [names[p] for p in listed]
    else:
        raise FileError(f"{where}: params must be a list of declared symbols")
    model = BoundModel(body, tuple(params), conditional, _reference(where, body, raw))
    names["p_model"] = model
    names["Likelihood"] = lambda: Likelihood(model)
    names["LogLikelihood"] = lambda: LogLikelihood(model)
    names["NLL"] = lambda: NLL(model)
    if not conditional:
        names["p_data"] = p_data_x


def _reference(where: str, body: Expr, raw: dict) -> Reference:
    """The measure a bound model's density is taken against: a catalog density's own (counting
    for a mass, Lebesgue for a density on the line), or what ``measure`` says. A body written
    out could be either, and the KL from p̂_data depends on it, so it is never guessed."""
    named = None
    if isinstance(body, FamilyDensity):
        named = Reference.COUNTING if FAMILIES[body.name].discrete else Reference.LEBESGUE
    given = raw.get("measure")
    if given is None:
        if named is None:
            raise FileError(
                f'{where}: say what the density is taken against: measure = "counting" (a '
                'probability mass) or measure = "Lebesgue" (a density on the line)'
            )
        return named
    if given not in ("counting", "Lebesgue"):
        raise FileError(f'{where}: measure is "counting" or "Lebesgue", not {given!r}')
    reference = Reference(given)
    if named is not None and reference is not named:
        raise FileError(
            f"{where}: {body.name} is a density against the {named.value} measure, not "
            f"{reference.value}"
        )
    return reference


def _density(family: Family) -> Callable[..., object]:
    """A catalog density that prints by its name, ``Normal(y[i], w*x[i], sigma2)``; without
    its variable, ``Normal(mu, sigma2)`` is the law, for E, H, CE and KL."""
    arity = family.arity + 1
    variables = tuple(Symbol(f"a{k}", real=True) for k in range(arity))
    lam = Lambda(variables, family.density(*variables))
    label = Str(family.name)

    def make(*args: Expr) -> object:
        if len(args) == family.arity:
            return _Law(CatalogLaw(label, *args))
        if len(args) != arity:
            raise TypeError(
                f"{family.name} takes {arity} arguments (the variable, then the parameters), or "
                f"{family.arity} for the law"
            )
        return FamilyDensity(label, lam, *args)

    make.__name__ = family.name
    return make


_DENSITIES = {name: _density(family) for name, family in FAMILIES.items()}


def _hypotheses(source: str, raw: object, names: Mapping[str, object]) -> tuple[Basic, ...]:
    if not (isinstance(raw, list) and all(isinstance(h, str) for h in raw)):
        raise FileError(_where(source, 'assume must be a list of relations, e.g. ["N >= 2"]'))
    out = []
    for k, text in enumerate(raw, start=1):
        where = _where(source, f"assume {k}")
        try:
            out.append(parse_relation(text, names, where=where, limits=Limits()))
        except ParseError as exc:
            raise FileError(str(exc)) from None
        except (TypeError, ValueError, ArithmeticError, IndexError) as exc:
            raise FileError(f"{where}: the relation does not build: {exc}") from None
    return tuple(out)


def _expr(
    text: object, names: Mapping[str, object], where: str, variables: bool = False
) -> Expr:
    """Parse one expression; ``variables`` admits the plain x and y of a density."""
    if not isinstance(text, str):
        raise FileError(f"{where}: an expression must be a string")
    try:
        value = parse_expression(text, names, where=where, limits=Limits())
    except ParseError as exc:
        if exc.detail.endswith(f"not {_Law.__name__}"):
            raise FileError(
                f"{where}: a law such as Normal(mu, sigma2) is not a value: take E, H, CE or KL "
                "of it, or give a density its variable first, Normal(y, mu, sigma2)"
            ) from None
        raise FileError(str(exc)) from None
    except (TypeError, ValueError, ArithmeticError, IndexError) as exc:
        # Well-formed text that does not build: say so, with the expression's own words.
        raise FileError(f"{where}: the expression does not build: {exc}") from None
    if not isinstance(value, Expr):
        raise FileError(f"{where}: not an expression: {text!r}")
    if not variables and _loose(value):
        raise FileError(
            f"{where}: p_model with one argument reads as p_model(y | x[i]) with y unbound; "
            "write p_model(y[i], x[i]), or bind an unconditional model in [model]"
        )
    return value


def _loose(e: Basic) -> bool:
    """Whether an expectation's variable x or y occurs outside every E(...)."""
    if isinstance(e, (Expectation, Distribution, Lambda)):
        # These bind x and y themselves.
        return False
    if e in (xv, yv):
        return True
    return any(_loose(a) for a in e.args)


def _display(text: str, names: Mapping[str, object], where: str, variables: bool = False) -> Expr:
    """The expression as written, for display: built without sympy's automatic evaluation
    (``N - N`` stays ``N - N``), with the factors 1 that unevaluated sums insert taken out.
    Only ever printed; None where the unevaluated form does not build."""
    try:
        with sympy.evaluate(False):
            return _tidy(parse_expression(text, names, where=where, limits=Limits()))
    except (ParseError, *_BUILD_ERRORS):
        return None


def _tidy(tree: Expr) -> Expr:
    # Run under evaluate(False): replace() rebuilds every ancestor of what it replaces.
    tree = tree.replace(
        lambda n: isinstance(n, sympy.Mul) and sympy.S.One in n.args,
        lambda n: sympy.Mul(*(a for a in n.args if a != 1), evaluate=False),
    )
    # A product of products is one product (associativity keeps the order), so that a unary
    # minus, Mul(-1, f), leads the product it starts and prints as a sign, not as (-1).
    return tree.replace(
        lambda n: isinstance(n, sympy.Mul) and any(isinstance(a, sympy.Mul) for a in n.args),
        lambda n: sympy.Mul(
            *(f for a in n.args for f in (a.args if isinstance(a, sympy.Mul) else (a,))),
            evaluate=False,
        ),
    )


_BUILD_ERRORS = (TypeError, ValueError, ArithmeticError, IndexError, AttributeError)


def _witness(raw: object, names: Mapping[str, object], where: str) -> Lambda:
    if not (isinstance(raw, dict) and set(raw) == {"var", "expr"}):
        raise FileError(f'{where}: a witness is {{var = "u", expr = "-log(-u)"}}')
    var = raw["var"]
    if not (isinstance(var, str) and _NAME.fullmatch(var)) or var in names:
        raise FileError(f"{where}: the witness variable must be a fresh name")
    u = Symbol(var, real=True)
    return Lambda(u, _expr(raw["expr"], {**names, var: u}, f"{where}, witness"))


def _wrt(item: dict, relation: Relation, names: Mapping[str, object], where: str) -> Expr | None:
    """The variable of a differentiate or solve step: a declared symbol, or an entry a[m]."""
    raw = item.get("wrt")
    needs = relation in (Relation.DIFF, Relation.SOLVE)
    if raw is None:
        if needs:
            raise FileError(f'{where}: a {relation.value} step needs wrt = "name"')
        return None
    if not needs:
        raise FileError(f"{where}: wrt belongs to differentiate and solve steps only")
    if not isinstance(raw, str):
        raise FileError(f"{where}: wrt must name a declared symbol, not {raw!r}")
    value = names.get(raw) if _NAME.fullmatch(raw) else _expr(raw, names, f"{where}, wrt")
    entry = isinstance(value, sympy.Indexed) and all(
        isinstance(k, Symbol) for k in value.indices
    )
    symbols = (
        isinstance(value, sympy.Tuple) and len(value) > 0
        and all(isinstance(v, Symbol) for v in value)
    )
    # A vector, or a tuple of symbols, is a gradient: only a derivative has one.
    gradient = (isinstance(value, IndexedBase) or symbols) and relation is Relation.DIFF
    if not (isinstance(value, Symbol) or entry or gradient):
        raise FileError(
            f"{where}: wrt must name a declared symbol or an entry a[k], or for a gradient a "
            f"declared vector w or a tuple (a, b), not {raw!r}"
        )
    return value


def load_text(text: str, source: str = "<text>") -> Derivation:
    """Parse the TOML text of a derivation file; :class:`FileError` says what is wrong where."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileError(_where(source, f"invalid TOML: {exc}")) from None
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        allowed = sorted(_TOP_KEYS)
        raise FileError(_where(source, f"unknown keys {sorted(unknown)}; allowed: {allowed}"))
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise FileError(_where(source, "a derivation needs a title (a non-empty string)"))
    names = _predeclared()
    intervals = _declare(source, raw.get("symbols", {}), names)
    own = _vectors(source, raw.get("vectors", {}), names)
    domains, data, vectors = _data(source, raw.get("data", {}), names)
    vectors = {**vectors, **own}
    names.update(_calculus(vectors))
    _define(source, raw.get("define", {}), names)
    _model(source, raw.get("model"), names)
    hypotheses = _hypotheses(source, raw.get("assume", []), names)
    ident = raw.get("id", Path(source).stem)
    if not isinstance(ident, str):
        raise FileError(_where(source, "id must be a string"))
    common = _Common(intervals, data, vectors, domains, hypotheses)
    chains_raw = raw.get("chains", [])
    if not (isinstance(chains_raw, list) and all(isinstance(c, dict) for c in chains_raw)):
        raise FileError(_where(source, "chains must be [[chains]] tables"))
    chains = []
    if "start" in raw or "steps" in raw or not chains_raw:
        top = {k: raw[k] for k in _CHAIN_KEYS if k in raw}
        chains.append(_chain(top, names, source, ident, common))
    elif any(k in raw for k in ("params", "sense", "notes")):
        raise FileError(_where(source, "params, sense and notes belong to each of [[chains]]"))
    for k, item in enumerate(chains_raw, start=1):
        where = _where(source, f"chain {k}")
        extra = set(item) - _CHAIN_KEYS
        if extra:
            allowed = sorted(_CHAIN_KEYS)
            raise FileError(f"{where}: unknown keys {sorted(extra)}; allowed: {allowed}")
        if not isinstance(item.get("title"), str) or not item["title"].strip():
            raise FileError(f"{where}: a chain needs a title (a non-empty string)")
        chains.append(_chain(item, names, where, f"{ident}/{k}", common))
    if sum(len(c.steps) for c in chains) > MAX_STEPS:
        raise FileError(_where(source, f"more than {MAX_STEPS} steps"))
    first, *rest = chains
    if first.id != ident:
        # A file of [[chains]] only: the file's title heads them.
        first = Derivation(**{**vars(first), "id": ident, "title": f"{title}: {first.title}"})
    else:
        first = Derivation(**{**vars(first), "title": title})
    return Derivation(**{**vars(first), "parts": tuple(rest)})


_CHAIN_KEYS = {"title", "params", "sense", "start", "steps", "notes"}


@dataclass(frozen=True)
class _Common:
    """What every chain of a file shares: its symbols' intervals and its data."""

    intervals: dict[Symbol, tuple[float, float]]
    data: DataSampler | None
    vectors: dict[IndexedBase, VectorSpec]
    domains: dict[IndexedBase, IndexedBase]
    hypotheses: tuple[Basic, ...]


def _chain(
    raw: dict, names: Mapping[str, object], source: str, ident: str, common: _Common
) -> Derivation:
    """One titled chain: its parameters, sense, start and steps."""
    params_raw = raw.get("params", ["theta"])
    if not (isinstance(params_raw, list) and all(isinstance(p, str) for p in params_raw)):
        raise FileError(_where(source, "params must be a list of declared symbol names"))
    params = []
    for name in params_raw:
        if not isinstance(names.get(name), Symbol):
            raise FileError(_where(source, f"params: {name!r} is not a declared symbol"))
        params.append(names[name])
    sense_raw = raw.get("sense", "=")
    if sense_raw not in _SENSES:
        raise FileError(_where(source, f"sense {sense_raw!r} is not one of {sorted(_SENSES)}"))
    start_text = raw.get("start")
    start = _expr(start_text, names, _where(source, "start"))
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise FileError(_where(source, "a derivation needs [[steps]]"))
    if len(steps_raw) > MAX_STEPS:
        raise FileError(_where(source, f"{len(steps_raw)} steps; at most {MAX_STEPS}"))
    steps = []
    for k, item in enumerate(steps_raw, start=1):
        where = _where(source, f"step {k}")
        if not isinstance(item, dict):
            raise FileError(f"{where}: a step is a table with relation, expr and rule")
        extra = set(item) - _STEP_KEYS
        if extra:
            raise FileError(f"{where}: unknown keys {sorted(extra)}; allowed: {sorted(_STEP_KEYS)}")
        relation = item.get("relation", "=")
        if relation not in _RELATIONS:
            raise FileError(
                f"{where}: unknown relation {relation!r}; use one of {sorted(_RELATIONS)}"
            )
        rule = item.get("rule", "")
        if not isinstance(rule, str):
            raise FileError(f"{where}: the rule must be a string")
        witness = item.get("witness")
        wrt = _wrt(item, _RELATIONS[relation], names, where)
        text = item.get("expr")
        steps.append(
            Step(
                _RELATIONS[relation],
                _expr(text, names, where),
                rule or "(no justification given)",
                _witness(witness, names, where) if witness is not None else None,
                wrt,
                written=text,
                shown=_display(text, names, where),
            )
        )
    notes = raw.get("notes", [])
    if not (isinstance(notes, list) and all(isinstance(n, str) for n in notes)):
        raise FileError(_where(source, "notes must be a list of strings"))
    return Derivation(
        id=ident,
        title=raw.get("title", ""),
        start=start,
        steps=tuple(steps),
        params=tuple(params),
        sense=_SENSES[sense_raw],
        intervals=common.intervals,
        notes=tuple(notes),
        data=common.data,
        vectors=common.vectors,
        domains=common.domains,
        hypotheses=common.hypotheses,
        start_written=start_text,
        start_shown=_display(start_text, names, _where(source, "start")),
    )


def load(path: str | Path) -> Derivation:
    """Read a derivation file: UTF-8 TOML, at most :data:`MAX_FILE_BYTES` bytes."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileError(f"{path}: {size} bytes; a derivation file has at most {MAX_FILE_BYTES}")
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(f"{path}: cannot read: {exc.strerror}") from None
    if not data.strip():
        raise FileError(f"{path}: the file is empty")
    if b"\x00" in data:
        raise FileError(f"{path}: a binary file, not TOML text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return load_text(text, str(path))
