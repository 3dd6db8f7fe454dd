"""Typed domains of parameters and data: what a value may be, said once.

A domain gives the sympy assumptions of a symbol that ranges over it, the exact membership of a
value (data validation reads rationals, never floats), a sampler for the numeric checks, and its
printed forms in LaTeX, plain text and Korean. Bounds may be expressions in other parameters
(the support ``[x_m, oo)`` of the Pareto law); membership then needs their values, and without
them decides only what the bounds' own assumptions imply.

>>> POSITIVE.assumptions()
{'positive': True}
>>> Integers(0).contains(0), Integers(1).contains(0)
(True, False)
>>> Interval(0, 1).text(), Integers(0).korean()
('(0, 1)', '0 이상의 정수')
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy
from sympy import Expr, Symbol, oo

__all__ = [
    "Domain",
    "Interval",
    "Integers",
    "Labels",
    "Simplex",
    "SPD",
    "Vectors",
    "DataVectors",
    "OneHot",
    "REALS",
    "POSITIVE",
    "UNIT",
    "BITS",
    "Env",
    "VectorDomain",
]

Env = Mapping[Symbol, object]
"""Values of the parameters a domain's bounds mention."""


def _expr(value: object) -> Expr:
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return value  # type: ignore[return-value]


def _rational(value: object) -> sympy.Rational:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, mpmath.mpf):
        # A binary float is an exact rational: man * 2**exp.
        man, exp = value.man_exp
        return sympy.Rational(int(man)) * sympy.Rational(2) ** int(exp)
    return sympy.Rational(value) if isinstance(value, int) else sympy.nsimplify(value)


def _bound(bound: Expr, env: Env) -> Expr:
    return bound.xreplace({k: _rational(v) for k, v in env.items()}) if env else bound


def _uniform(rng: random.Random, lo: float, hi: float) -> mpmath.mpf:
    # 256 random bits: never a short decimal where a coincidence could hide.
    u = mpmath.mpf(rng.getrandbits(256) | 1) / mpmath.mpf(2) ** 256
    return mpmath.mpf(lo) + (mpmath.mpf(hi) - mpmath.mpf(lo)) * u


class Domain(ABC):
    """A set of values, with its assumptions, membership, sampler and printed forms."""

    @abstractmethod
    def assumptions(self) -> dict[str, bool]:
        """Keyword assumptions of a sympy symbol ranging over the domain."""

    @abstractmethod
    def contains(self, value: object, env: Env | None = None) -> bool:
        """Exact membership; bounds take their values from ``env`` where given."""

    @abstractmethod
    def sample(self, rng: random.Random, env: Env | None = None) -> object:
        """A random member, far points included where the domain is unbounded."""

    @abstractmethod
    def latex(self) -> str: ...

    @abstractmethod
    def text(self) -> str: ...

    @abstractmethod
    def korean(self) -> str: ...

    def words(self) -> str:
        """The domain in English words, for error messages."""
        return self.text()

    def symbol(self, name: str) -> Symbol:
        """A scalar symbol ranging over the domain."""
        return Symbol(name, **self.assumptions())

    def bounds(self) -> tuple[Expr, Expr]:
        """The end points, for sums and integrals over the domain."""
        raise TypeError(f"{self.text()} is not a set of scalars")

    def free_symbols(self) -> set[Symbol]:
        return set()

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Interval(Domain):
    """Real numbers between ``lo`` and ``hi``, each end open or closed (infinite ends are open).

    >>> Interval(0, sympy.oo).contains(Fraction(0)), Interval(0, 1, left_open=False).contains(0)
    (False, True)
    >>> x_m = Symbol("x_m", positive=True)
    >>> Interval(x_m, sympy.oo, left_open=False).contains(Fraction(1, 10), {x_m: 1})
    False
    """

    lo: Expr = -oo
    hi: Expr = oo
    left_open: bool = True
    right_open: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "lo", _expr(self.lo))
        object.__setattr__(self, "hi", _expr(self.hi))

    def assumptions(self) -> dict[str, bool]:
        lo = self.lo
        if lo.is_positive or (lo.is_nonnegative and self.left_open):
            return {"positive": True}
        if lo.is_nonnegative:
            return {"nonnegative": True}
        return {"real": True}

    def contains(self, value: object, env: Env | None = None) -> bool:
        v = _rational(value)
        if not v.is_real:
            return False
        lo, hi = _bound(self.lo, env or {}), _bound(self.hi, env or {})
        if not lo.free_symbols:
            if (v <= lo) if self.left_open else (v < lo):
                return False
        elif lo.is_positive and v <= 0:
            # x >= lo > 0 whatever the unknown lower bound is.
            return False
        elif lo.is_nonnegative and v < 0:
            return False
        if not hi.free_symbols and ((v >= hi) if self.right_open else (v > hi)):
            return False
        return True

    def sample(self, rng: random.Random, env: Env | None = None) -> mpmath.mpf:
        lo, hi = _bound(self.lo, env or {}), _bound(self.hi, env or {})
        if lo.free_symbols or hi.free_symbols:
            raise ValueError(f"sampling {self.text()} needs the values of its bounds")
        a = float(lo) if lo.is_finite else None
        b = float(hi) if hi.is_finite else None
        # Unbounded ends: a scale drawn over decades, so far points are sampled too.
        if a is None and b is None:
            return _uniform(rng, -1, 1) * mpmath.mpf(10) ** rng.randint(-1, 3)
        if b is None:
            return a + _uniform(rng, 0, 1) * mpmath.mpf(10) ** rng.randint(-1, 3)
        if a is None:
            return b - _uniform(rng, 0, 1) * mpmath.mpf(10) ** rng.randint(-1, 3)
        return _uniform(rng, a, b)

    def sampling_interval(self) -> tuple[float, float] | None:
        """A closed sub-interval away from the ends, for domains with a finite end that the
        sympy assumptions cannot express (a probability in (0, 1))."""
        if self.lo.free_symbols or self.hi.free_symbols or not self.hi.is_finite:
            return None
        lo, hi = float(self.lo), float(self.hi)
        margin = (hi - lo) / 20
        return (lo + margin, hi - margin)

    def bounds(self) -> tuple[Expr, Expr]:
        return self.lo, self.hi

    def free_symbols(self) -> set[Symbol]:
        return set(self.lo.free_symbols | self.hi.free_symbols)

    def _ends(self, printer: str) -> tuple[str, str]:
        def show(e: Expr) -> str:
            if e == oo:
                return r"\infty" if printer == "latex" else "oo"
            if e == -oo:
                return r"-\infty" if printer == "latex" else "-oo"
            return sympy.latex(e) if printer == "latex" else str(e)

        return show(self.lo), show(self.hi)

    def latex(self) -> str:
        if self.lo == -oo and self.hi == oo:
            return r"\mathbb{R}"
        lo, hi = self._ends("latex")
        return f"{'(' if self.left_open else '['}{lo}, {hi}{')' if self.right_open else ']'}"

    def text(self) -> str:
        lo, hi = self._ends("text")
        return f"{'(' if self.left_open else '['}{lo}, {hi}{')' if self.right_open else ']'}"

    def words(self) -> str:
        if self.lo == -oo and self.hi == oo:
            return "the real numbers"
        if self.lo == 0 and self.hi == oo and self.left_open:
            return "the positive real numbers (0, oo)"
        left = "greater than" if self.left_open else "at least"
        right = "less than" if self.right_open else "at most"
        if self.hi == oo:
            return f"the real numbers {left} {self.lo}"
        if self.lo == -oo:
            return f"the real numbers {right} {self.hi}"
        return f"the real numbers {left} {self.lo} and {right} {self.hi}, {self.text()}"

    def korean(self) -> str:
        if self.lo == -oo and self.hi == oo:
            return "실수 전체"
        if self.lo == 0 and self.hi == oo and self.left_open:
            return "양의 실수"
        return f"구간 {self.text()}의 실수"


@dataclass(frozen=True)
class Integers(Domain):
    """The integers from ``start`` (to ``stop`` inclusive when given).

    >>> Integers(0).text(), Integers(1).text(), BITS.text()
    ('{0, 1, 2, ...}', '{1, 2, ...}', '{0, 1}')
    >>> n = Symbol("n", integer=True, positive=True)
    >>> Integers(0, n).contains(4, {n: 3}), Integers(0, n).contains(Fraction(1, 2))
    (False, False)
    """

    start: Expr = sympy.S.Zero
    stop: Expr | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _expr(self.start))
        if self.stop is not None:
            object.__setattr__(self, "stop", _expr(self.stop))

    def assumptions(self) -> dict[str, bool]:
        if self.start.is_positive:
            return {"integer": True, "positive": True}
        if self.start.is_nonnegative:
            return {"integer": True, "nonnegative": True}
        return {"integer": True}

    def contains(self, value: object, env: Env | None = None) -> bool:
        v = _rational(value)
        if not v.is_integer or v < _bound(self.start, env or {}):
            return False
        if self.stop is not None:
            hi = _bound(self.stop, env or {})
            if not hi.free_symbols and v > hi:
                return False
        return True

    def sample(self, rng: random.Random, env: Env | None = None) -> mpmath.mpf:
        lo = int(_bound(self.start, env or {}))
        hi = lo + 10 if self.stop is None else int(_bound(self.stop, env or {}))
        return mpmath.mpf(rng.randint(lo, hi))

    def bounds(self) -> tuple[Expr, Expr]:
        return self.start, oo if self.stop is None else self.stop

    def free_symbols(self) -> set[Symbol]:
        stop = set() if self.stop is None else set(self.stop.free_symbols)
        return set(self.start.free_symbols) | stop

    def _items(self, printer: str) -> str:
        show = sympy.latex if printer == "latex" else str
        dots = r"\ldots" if printer == "latex" else "..."
        a = self.start
        if self.stop is None:
            return f"{show(a)}, {show(a + 1)}, {show(a + 2)}, {dots}"
        if self.stop.is_number and self.stop - a <= 1:
            return ", ".join(show(a + k) for k in range(int(self.stop - a) + 1))
        return f"{show(a)}, {dots}, {show(self.stop)}"

    def latex(self) -> str:
        return r"\{" + self._items("latex") + r"\}"

    def text(self) -> str:
        if self.stop is None and self.start == 1:
            return "{1, 2, ...}"
        return "{" + self._items("text") + "}"

    def words(self) -> str:
        if self.stop is None:
            kind = {0: "non-negative", 1: "positive"}.get(self.start)  # type: ignore[call-overload]
            return f"the {kind} integers" if kind else f"the integers from {self.start} on"
        if self.stop.is_number and self.stop - self.start == 1:
            return f"{self.start} or {self.stop}"
        return f"the integers from {self.start} to {self.stop}"

    def korean(self) -> str:
        if self.stop is None:
            return f"{self.start} 이상의 정수"
        return f"{self.start} 이상 {self.stop} 이하의 정수"


BITS = Integers(0, 1)
"""{0, 1}: the labels of a Bernoulli trial or a binary response."""


@dataclass(frozen=True)
class Labels(Integers):
    """The labels 1, ..., K of a categorical variable.

    >>> K = Symbol("K", integer=True, positive=True)
    >>> Labels(K).text(), Labels(K).contains(0)
    ('labels {1, ..., K}', False)
    """

    def __init__(self, count: Expr) -> None:
        super().__init__(sympy.S.One, count)

    def text(self) -> str:
        return f"labels {{1, ..., {self.stop}}}"

    def latex(self) -> str:
        return rf"\{{1, \ldots, {sympy.latex(self.stop)}\}}"

    def words(self) -> str:
        return f"the labels 1, 2, ..., {self.stop}"

    def korean(self) -> str:
        return f"레이블 1, …, {self.stop}"


def _vector(value: object) -> list[sympy.Rational]:
    if not isinstance(value, Sequence):
        raise TypeError(f"{value!r} is not a vector")
    return [_rational(v) for v in value]


@dataclass(frozen=True)
class Simplex(Domain):
    """Probability vectors of length ``size``: positive entries that sum to 1 (the open simplex).

    >>> Simplex(3).contains([Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)])
    True
    """

    size: Expr

    def assumptions(self) -> dict[str, bool]:
        return {"positive": True}

    def contains(self, value: object, env: Env | None = None) -> bool:
        v = _vector(value)
        size = _bound(_expr(self.size), env or {})
        if not size.free_symbols and len(v) != int(size):
            return False
        return all(a > 0 for a in v) and sum(v) == 1

    def sample(self, rng: random.Random, env: Env | None = None) -> list[mpmath.mpf]:
        return list(self.draw(int(_bound(_expr(self.size), env or {})), rng))

    def draw(self, length: int, rng: random.Random) -> tuple[mpmath.mpf, ...]:
        """``length`` positive weights summing to 1, each weight's log uniform in (-1.5, 1.5)."""
        weights = [mpmath.exp(_uniform(rng, -1.5, 1.5)) for _ in range(length)]
        total = mpmath.fsum(weights)
        return tuple(w / total for w in weights)

    def latex(self) -> str:
        return rf"\Delta^{{{sympy.latex(_expr(self.size))} - 1}}"

    def text(self) -> str:
        return f"the simplex of {self.size} positive weights summing to 1"

    def korean(self) -> str:
        return f"합이 1인 양수 {self.size}개의 단체"

    def free_symbols(self) -> set[Symbol]:
        return set(_expr(self.size).free_symbols)


@dataclass(frozen=True)
class Vectors(Domain):
    """Vectors of length ``size`` with entries in ``entry``.

    >>> Vectors(POSITIVE, 2).contains([1, 2]), Vectors(POSITIVE, 2).contains([1, 0])
    (True, False)
    """

    entry: Domain
    size: Expr

    def assumptions(self) -> dict[str, bool]:
        return self.entry.assumptions()

    def contains(self, value: object, env: Env | None = None) -> bool:
        v = _vector(value)
        size = _bound(_expr(self.size), env or {})
        if not size.free_symbols and len(v) != int(size):
            return False
        return all(self.entry.contains(a, env) for a in v)

    def sample(self, rng: random.Random, env: Env | None = None) -> list[object]:
        return list(self.draw(int(_bound(_expr(self.size), env or {})), rng))

    def draw(self, length: int, rng: random.Random) -> tuple[mpmath.mpf, ...]:
        """``length`` entries: positive ones with their log uniform in (-1.5, 1.5), real ones
        uniform in (-2, 2)."""
        if self.entry.assumptions().get("positive"):
            return tuple(mpmath.exp(_uniform(rng, -1.5, 1.5)) for _ in range(length))
        return tuple(_uniform(rng, -2, 2) for _ in range(length))

    def latex(self) -> str:
        return f"{self.entry.latex()}^{{{sympy.latex(_expr(self.size))}}}"

    def text(self) -> str:
        return f"{self.entry.text()}^{self.size}"

    def words(self) -> str:
        return f"vectors of {self.size} entries in {self.entry.words()}"

    def korean(self) -> str:
        return f"성분이 {self.entry.korean()}인 {self.size}차원 벡터"


@dataclass(frozen=True)
class DataVectors(Vectors):
    """Data: one value per point in ``entry``, drawn from a small pool that holds the domain's
    lowest member where it has one, so that points repeat and counts include 0.

    >>> sorted(set(DataVectors(Integers(0, 1), 6).draw(40, random.Random(1))))
    [mpf('0.0'), mpf('1.0')]
    """

    def draw(self, length: int, rng: random.Random) -> tuple[mpmath.mpf, ...]:
        entry = self.entry
        # Data on an unbounded line sit at moderate values, as data do; far points are the
        # parameters' job (a sigmoid of a far datum rounds to 1 and its log(1 - .) to nothing).
        if isinstance(entry, Interval) and entry.hi == oo:
            pool = list(Vectors.draw(self, 3, rng))
        else:
            pool = [mpmath.mpf(entry.sample(rng)) for _ in range(3)]
        if isinstance(entry, Integers):
            pool.append(mpmath.mpf(int(entry.start)))
        elif isinstance(entry, Interval) and not entry.left_open and entry.lo.is_finite:
            pool.append(mpmath.mpf(entry.lo))
        return tuple(rng.choice(pool) for _ in range(length))


@dataclass(frozen=True)
class OneHot(Domain):
    """One-hot vectors of length ``size``: one entry 1, the others 0 (a target t[n, k]).

    >>> OneHot(3).contains([0, 1, 0]), OneHot(3).contains([1, 1, 0])
    (True, False)
    """

    size: Expr

    def assumptions(self) -> dict[str, bool]:
        return {"integer": True, "nonnegative": True}

    def contains(self, value: object, env: Env | None = None) -> bool:
        v = _vector(value)
        size = _bound(_expr(self.size), env or {})
        if not size.free_symbols and len(v) != int(size):
            return False
        return all(a in (0, 1) for a in v) and sum(v) == 1

    def sample(self, rng: random.Random, env: Env | None = None) -> list[mpmath.mpf]:
        return list(self.draw(int(_bound(_expr(self.size), env or {})), rng))

    def draw(self, length: int, rng: random.Random) -> tuple[mpmath.mpf, ...]:
        hot = rng.randrange(length)
        return tuple(mpmath.mpf(int(k == hot)) for k in range(length))

    def latex(self) -> str:
        return rf"\{{e_1, \dots, e_{{{sympy.latex(_expr(self.size))}}}\}}"

    def text(self) -> str:
        return f"one-hot vectors of length {self.size}"

    def korean(self) -> str:
        return f"길이 {self.size}의 원-핫 벡터"


@dataclass(frozen=True)
class SPD(Domain):
    """Symmetric positive-definite ``size`` x ``size`` matrices; membership is exact (a
    Cholesky factorization over the rationals).

    >>> SPD(2).contains([[2, 1], [1, 2]]), SPD(2).contains([[1, 2], [2, 1]])
    (True, False)
    """

    size: Expr

    def assumptions(self) -> dict[str, bool]:
        return {}

    def contains(self, value: object, env: Env | None = None) -> bool:
        rows = [_vector(r) for r in value]  # type: ignore[union-attr]
        m = sympy.Matrix(rows)
        size = _bound(_expr(self.size), env or {})
        if not m.is_square or (not size.free_symbols and m.rows != int(size)):
            return False
        return bool(m.is_symmetric() and m.is_positive_definite)

    def sample(self, rng: random.Random, env: Env | None = None) -> mpmath.matrix:
        size = int(_bound(_expr(self.size), env or {}))
        entries = self.draw(size, rng)
        return mpmath.matrix([list(entries[r * size:(r + 1) * size]) for r in range(size)])

    def draw(self, length: int, rng: random.Random) -> tuple[mpmath.mpf, ...]:
        """The entries, row by row, of A Aᵀ + c I with A's entries uniform in (-1, 1) and c in
        (0.2, 1)."""
        a = mpmath.matrix([[_uniform(rng, -1, 1) for _ in range(length)] for _ in range(length)])
        spd = a * a.T + mpmath.eye(length) * _uniform(rng, 0.2, 1)
        return tuple(spd[r, c] for r in range(length) for c in range(length))

    def latex(self) -> str:
        s = sympy.latex(_expr(self.size))
        return rf"\mathcal{{S}}_{{++}}^{{{s}}}"

    def text(self) -> str:
        return f"symmetric positive-definite {self.size} x {self.size} matrices"

    def korean(self) -> str:
        return f"{self.size}×{self.size} 대칭 양의 정부호 행렬"


REALS = Interval()
"""The real line."""

POSITIVE = Interval(0, oo)
"""The positive reals (0, oo)."""

UNIT = Interval(0, 1)
"""The open unit interval (0, 1), where a probability parameter lives."""


VectorDomain = Simplex | Vectors | SPD | OneHot
"""The domains of vector and matrix parameters, which the numeric checks draw at a given length."""
