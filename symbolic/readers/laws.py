r"""The catalog's laws of one real variable, ``Normal(mu, s)``, ``Bernoulli(p)``, as structured
expressions, and the expectations, entropies and divergences under them.

A derivation file's ``KL(Bernoulli(p), Bernoulli(q))`` is an abbreviation (a
:class:`~symbolic.kernel.measures.Defined`) whose arguments are the laws themselves: the kernel
unfolds it to the sum or integral it is, and the printer writes it as the literature does,
``D_{KL}(\operatorname{Bernoulli}(p) \| \operatorname{Bernoulli}(q))``, which the LaTeX reader
reads back to the same expression.

>>> from sympy import Symbol, latex
>>> p, q = Symbol("p", positive=True), Symbol("q", positive=True)
>>> kl = LawDivergence(law("Bernoulli", p), law("Bernoulli", q))
>>> print(latex(kl))
D_{KL}(\operatorname{Bernoulli}(p) \| \operatorname{Bernoulli}(q))
>>> kl.definition()
Sum(p**t*(1 - p)**(1 - t)*(log(p**t*(1 - p)**(1 - t)) - log(q**t*(1 - q)**(1 - t))), (t, 0, 1))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import sympy
from sympy import Expr, Lambda, Symbol
from sympy.core.symbol import Str
from sympy.core.sympify import _sympify
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from symbolic.kernel.measures import Defined, xv

__all__ = [
    "FAMILIES",
    "Family",
    "CatalogLaw",
    "FamilyDensity",
    "LawExpectation",
    "LawEntropy",
    "LawDivergence",
    "law",
]


@dataclass(frozen=True)
class Family:
    """A catalog family: its density or mass in the variable and its parameters, its support
    (the ends, and whether it is a mass on the integers there) and how LaTeX names it."""

    name: str
    arity: int  # the parameters, without the variable
    body: Callable[..., Expr]  # (variable, *parameters) -> density
    lo: Expr
    hi: Expr
    discrete: bool
    tex: str
    spelled: str  # the parameters as the literature writes them, for messages

    def written(self, point: str | None = None) -> str:
        """The law as written, ``\\mathcal{N}(\\mu, \\sigma^2)``, or its density at a point."""
        return f"{self.tex}({'' if point is None else point + '; '}{self.spelled})"

    def density(self, at: Expr, *params: Expr) -> Expr:
        return self.body(at, *params)


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            "Normal",
            2,
            lambda v, m, s: sympy.exp(-((v - m) ** 2) / (2 * s)) / sympy.sqrt(2 * sympy.pi * s),
            -sympy.oo,
            sympy.oo,
            False,
            r"\mathcal{N}",
            r"\mu, \sigma^2",
        ),
        Family(
            "Bernoulli",
            1,
            lambda v, p: p**v * (1 - p) ** (1 - v),
            sympy.Integer(0),
            sympy.Integer(1),
            True,
            r"\operatorname{Bernoulli}",
            "p",
        ),
        Family(
            "Poisson",
            1,
            lambda v, lam: lam**v * sympy.exp(-lam) / sympy.factorial(v),
            sympy.Integer(0),
            sympy.oo,
            True,
            r"\operatorname{Poisson}",
            r"\lambda",
        ),
        Family(
            "Exponential",
            1,
            lambda v, lam: lam * sympy.exp(-lam * v),
            sympy.Integer(0),
            sympy.oo,
            False,
            r"\operatorname{Exponential}",
            r"\lambda",
        ),
    )
}


def _listed(printer: object, args: tuple[Expr, ...]) -> str:
    return ", ".join(printer._print(a) for a in args)  # type: ignore[attr-defined]


class CatalogLaw(Expr):
    """``Normal(mu, s)`` (s the variance), ``Bernoulli(p)``, ``Poisson(lam)``,
    ``Exponential(lam)``: a law, not a value; it stands inside the measures below."""

    is_commutative = True

    def __new__(cls, name: Str, *params: Expr) -> CatalogLaw:
        family = FAMILIES[str(name)]
        if len(params) != family.arity:
            raise TypeError(f"{family.name} takes {family.arity} parameter(s)")
        # The strict conversion: numbers and expressions only, never text.
        return Expr.__new__(cls, name, *(_sympify(p) for p in params))

    @property
    def family(self) -> Family:
        return FAMILIES[str(self.args[0])]

    @property
    def params(self) -> tuple[Expr, ...]:
        return self.args[1:]

    @property
    def density(self) -> Expr:
        """The density or mass at the expectation's variable, the plain ``x``."""
        return self.family.density(xv, *self.params)

    def mean(self, body: Expr) -> Expr:
        """E[body] under the law, for a body in the variable (the plain ``x``)."""
        family = self.family
        if family.discrete:
            t = Symbol("t", integer=True, nonnegative=True)
        else:
            t = Symbol("t", real=True)
        term = body.xreplace({xv: t}) * self.density.xreplace({xv: t})
        make = sympy.Sum if family.discrete else sympy.Integral
        return make(term, (t, family.lo, family.hi))

    def within(self, other: CatalogLaw) -> bool:
        """Whether this law's support lies inside the other's, as far as the ends' assumptions
        decide; an undecided end counts as inside, for the sum or integral to settle."""
        mine, theirs = self.family, other.family
        return (mine.lo < theirs.lo) is not sympy.true and (mine.hi > theirs.hi) is not sympy.true

    def _sympystr(self, printer: StrPrinter) -> str:
        return f"{self.family.name}({_listed(printer, self.params)})"

    _textstr = _sympystr

    def _latex(self, printer: LatexPrinter) -> str:
        return f"{self.family.tex}({_listed(printer, self.params)})"


def law(name: str, *params: Expr) -> CatalogLaw:
    """The law of the family ``name`` with these parameters."""
    return CatalogLaw(Str(name), *params)


class FamilyDensity(Defined):
    r"""A catalog density at a point, ``Normal(x, mu, s)``: the files' abbreviation, printed
    ``\mathcal{N}(x; \mu, s)`` as the reader reads it."""

    def _latex(self, printer: LatexPrinter) -> str:
        point, *params = self.args[2:]
        tex = FAMILIES[self.name].tex
        return f"{tex}({printer._print(point)}; {_listed(printer, tuple(params))})"


class _LawMeasure(Defined):
    """A measure of catalog laws: its arguments are the laws (and an expectation's body); it
    unfolds to the sum or integral it stands for."""

    def __new__(cls, *args: Expr) -> _LawMeasure:
        return Expr.__new__(cls, *args)

    def definition(self) -> Expr:
        return self._unfolded

    @cached_property
    def _unfolded(self) -> Expr:
        # Built once: the kernel asks for it often (assumptions, unfolding, evaluation), and
        # one object keeps sympy's answers about it cached.
        return self._written_out()

    def _written_out(self) -> Expr:
        raise NotImplementedError

    @property
    def name(self) -> str:
        return self._shown(str)

    def _shown(self, show: Callable[[Expr], str]) -> str:
        raise NotImplementedError

    def _sympystr(self, printer: StrPrinter) -> str:
        return self._shown(printer._print)

    def _textstr(self, printer: StrPrinter) -> str:
        return self._shown(printer._print)


class LawExpectation(_LawMeasure):
    r"""``E(body, Normal(mu, s))``, the mean of ``body`` (in the plain ``x``) under the law:
    ``\mathbb{E}_{x \sim \mathcal{N}(\mu, s)}[body]``."""

    def __new__(cls, body: Lambda, over: CatalogLaw) -> LawExpectation:
        return Expr.__new__(cls, body, over)

    @classmethod
    def of(cls, body: Expr, over: CatalogLaw) -> LawExpectation:
        # The Lambda binds the variable: x is not free in the expectation.
        return cls(Lambda((xv,), body), over)

    @property
    def body(self) -> Expr:
        # Applied, not .expr: sympy makes Lambda(x, x) the identity, whose variable is a Dummy.
        return self.args[0](xv)

    @property
    def law(self) -> CatalogLaw:
        return self.args[1]

    def _written_out(self) -> Expr:
        return self.law.mean(self.body)

    def _shown(self, show: Callable[[Expr], str]) -> str:
        return f"E_{show(self.law)}[{show(self.body)}]"

    def _latex(self, printer: LatexPrinter) -> str:
        over = rf"{printer._print(xv)} \sim {printer._print(self.law)}"
        return rf"\mathbb{{E}}_{{{over}}}\left[{printer._print(self.body)}\right]"


class LawEntropy(_LawMeasure):
    """``H(P)``, the entropy of a law, or ``H(P, Q)``, the cross-entropy of Q relative to P."""

    def __new__(cls, p: CatalogLaw, q: CatalogLaw | None = None) -> LawEntropy:
        return Expr.__new__(cls, p) if q is None else Expr.__new__(cls, p, q)

    def _written_out(self) -> Expr:
        p, q = self.args[0], self.args[-1]
        return p.mean(-sympy.log(q.density))

    def _shown(self, show: Callable[[Expr], str]) -> str:
        return f"H({', '.join(show(a) for a in self.args)})"

    def _latex(self, printer: LatexPrinter) -> str:
        return f"H({_listed(printer, self.args)})"


class LawDivergence(_LawMeasure):
    r"""``KL(P, Q)``: ``D_{KL}(P \| Q)``; +∞ when P puts mass where Q has none."""

    def __new__(cls, p: CatalogLaw, q: CatalogLaw) -> LawDivergence:
        return Expr.__new__(cls, p, q)

    def _written_out(self) -> Expr:
        p, q = self.args
        if p.family.discrete is not q.family.discrete or not p.within(q):
            # P is not absolutely continuous with respect to Q.
            return sympy.oo
        return p.mean(sympy.log(p.density) - sympy.log(q.density))

    def _shown(self, show: Callable[[Expr], str]) -> str:
        p, q = self.args
        return f"KL({show(p)} || {show(q)})"

    def _latex(self, printer: LatexPrinter) -> str:
        p, q = self.args
        return rf"D_{{KL}}({printer._print(p)} \| {printer._print(q)})"
