"""The information measures of the seed post, as sympy expressions.

Data are the indexed symbols ``x[i]`` and ``y[i]``, ``i = 1..N`` with ``N`` symbolic. Inside an
expectation the bound variables are the plain symbols ``x`` and ``y`` (real, so that they never
coincide with the labels of the indexed data). Every measure is a :class:`Measure`: it prints in
the post's notation and ``definition()`` unfolds it one level, which is what ``doit()`` does too.

>>> from sympy import latex
>>> latex(CrossEntropy(p_data, p_model))
'H(\\\\hat{p}_{data}, p_{model})'
>>> CrossEntropy(p_data, p_model).doit()
Sum(-log(PModel(y[i], x[i], theta)), (i, 1, N))/N
"""

from __future__ import annotations

from enum import StrEnum

from sympy import (
    Dummy,
    Expr,
    Function,
    Indexed,
    IndexedBase,
    Lambda,
    MatrixSymbol,
    Product,
    Sum,
    Symbol,
    Tuple,
    log,
    oo,
)
from sympy.core.symbol import Str
from sympy.logic.boolalg import as_Boolean as sympify_bool
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

N = Symbol("N", integer=True, positive=True)
i = Symbol("i", integer=True, positive=True)
theta = Symbol("theta", real=True)
x = IndexedBase("x")
y = IndexedBase("y")


class BoundVariable(Symbol):
    """A variable the library reserves (the bound ``x`` and ``y`` of an expectation). It prints
    as its name but is never equal to a user's ``Symbol`` of that name, so a user's ``x`` is a
    constant of the user's, not the expectation's variable.

    >>> BoundVariable("x", real=True) == Symbol("x", real=True)
    False
    """


xv = BoundVariable("x", real=True)
yv = BoundVariable("y", real=True)

__all__ = [
    "N",
    "i",
    "theta",
    "x",
    "y",
    "xv",
    "yv",
    "BoundVariable",
    "Reference",
    "PModel",
    "PData",
    "PDataX",
    "Distribution",
    "EmpiricalDistribution",
    "EmpiricalMarginal",
    "ModelDistribution",
    "BoundModel",
    "p_data",
    "p_data_x",
    "p_model",
    "Measure",
    "Expectation",
    "Likelihood",
    "LogLikelihood",
    "NLL",
    "Entropy",
    "CrossEntropy",
    "KL",
    "Constant",
    "Law",
    "DirichletLaw",
    "NormalLaw",
    "Mean",
    "Defined",
    "unfold",
]


def _observed(*points: Expr) -> bool:
    """Whether ``points`` are one observed point: the data at one index (``y[i], x[i]``), or the
    bound variables of an expectation, which range over the observed points under p̂_data."""
    if all(p in (xv, yv) for p in points):
        return True
    labels = [p.base.label.name if isinstance(p, Indexed) else None for p in points]
    indices = {p.indices for p in points if isinstance(p, Indexed)}
    return all(name in ("x", "y") for name in labels) and len(indices) == 1


class Reference(StrEnum):
    """The measure a distribution's density is taken against: its mass at points (counting) or
    its density on the line (Lebesgue). KL between distributions on different references is
    +∞: the one with atoms is not absolutely continuous with respect to the other."""

    COUNTING = "counting"
    LEBESGUE = "Lebesgue"


class PModel(Function):
    """The model's conditional probability ``p_model(y | x, θ)``: a probability mass, positive at
    the observed points, as it must be for the NLL to be finite; elsewhere only nonnegative.

    >>> from sympy import latex
    >>> latex(PModel(yv, xv, theta))
    'p_{model}(y \\\\mid x, \\\\theta)'
    """

    nargs = 3
    is_real = True
    is_finite = True
    is_nonnegative = True

    def _eval_is_positive(self) -> bool | None:
        return True if _observed(self.args[0], self.args[1]) else None

    def _latex(self, printer: LatexPrinter) -> str:
        a, b, t = (printer._print(arg) for arg in self.args)
        return rf"p_{{model}}({a} \mid {b}, {t})"


class PData(Function):
    """The empirical conditional ``p̂_data(y | x) = count(x, y) / count(x)``.

    It is positive at every observed point, and that is the only place the post evaluates it;
    at another point (``y[1]`` given ``x[2]``) it may be 0.

    >>> from sympy import latex
    >>> latex(PData(yv, xv))
    '\\\\hat{p}_{data}(y \\\\mid x)'
    """

    nargs = 2
    is_real = True
    is_finite = True
    is_nonnegative = True

    def _eval_is_positive(self) -> bool | None:
        return True if _observed(*self.args) else None

    def _latex(self, printer: LatexPrinter) -> str:
        a, b = (printer._print(arg) for arg in self.args)
        return rf"\hat{{p}}_{{data}}({a} \mid {b})"


class PDataX(Function):
    """The empirical marginal ``p̂_data(x) = count(x) / N``, positive at every observed point.

    >>> from sympy import latex
    >>> latex(PDataX(xv))
    '\\\\hat{p}_{data}(x)'
    """

    nargs = 1
    is_real = True
    is_finite = True
    is_nonnegative = True

    def _eval_is_positive(self) -> bool | None:
        return True if _observed(*self.args) else None

    def _latex(self, printer: LatexPrinter) -> str:
        return rf"\hat{{p}}_{{data}}({printer._print(self.args[0])})"


class Distribution(Expr):
    """A conditional distribution over ``y`` given ``x``, named in the measures' arguments.

    Calling it gives its density: ``p_model(y, x)`` is ``p_model(y | x, θ)``.
    """

    is_commutative = True

    def density(self, yy: Expr, xx: Expr) -> Expr:
        raise NotImplementedError

    @property
    def reference(self) -> Reference:
        """The measure its density is taken against."""
        return Reference.COUNTING

    def __call__(self, *args: Expr) -> Expr:
        if len(args) == 1:
            return self.density(yv, args[0])
        return self.density(*args)


class EmpiricalDistribution(Distribution):
    """``p̂_data``: mass ``count/N`` at each observed point, so repeated points add up."""

    def density(self, yy: Expr, xx: Expr) -> Expr:
        return PData(yy, xx)

    def _latex(self, printer: LatexPrinter) -> str:
        return r"\hat{p}_{data}"

    def _sympystr(self, printer: object) -> str:
        return "p_data"


class EmpiricalMarginal(Distribution):
    """``p̂_data`` over ``x`` alone, for unconditional models: mass ``count(x)/N`` at each point.

    Expectations under it bind only ``x``; its density ignores ``y``.
    """

    def density(self, yy: Expr, xx: Expr) -> Expr:
        return PDataX(xx)

    def _latex(self, printer: LatexPrinter) -> str:
        return r"\hat{p}_{data}"

    def _sympystr(self, printer: object) -> str:
        return "p_data_x"


class ModelDistribution(Distribution):
    """``p_model(· | ·, θ)``, the model with its parameter: a probability mass, as in the seed
    post (its KL from p̂_data is finite)."""

    def __new__(cls, param: Expr = theta) -> ModelDistribution:
        return Expr.__new__(cls, param)

    @property
    def param(self) -> Expr:
        return self.args[0]

    def density(self, yy: Expr, xx: Expr, param: Expr | None = None) -> Expr:
        return PModel(yy, xx, self.param if param is None else param)

    def _latex(self, printer: LatexPrinter) -> str:
        return r"p_{model}"

    def _sympystr(self, printer: object) -> str:
        return "p_model" if self.param == theta else f"p_model({self.param})"


class BoundModel(Distribution):
    """``p_model`` bound to a density written out: ``body`` in the variables ``y`` and ``x``
    (:data:`yv`, :data:`xv`) for a conditional model p(y | x), in ``x`` alone for an
    unconditional one; ``params`` name what the likelihood is a function of, ``reference`` the
    measure the body is a density against. Its density at a point is a :class:`Defined`
    ``p_model(...)``, which prints by name and unfolds to the body.

    >>> from sympy import exp
    >>> lam = Symbol("lam", positive=True)
    >>> model = BoundModel(lam * exp(-lam * xv), (lam,), False, Reference.LEBESGUE)
    >>> model.density(yv, x[i]).definition()
    lam*exp(-lam*x[i])
    >>> KL(p_data_x, model).doit()
    oo
    """

    def __new__(
        cls, body: Expr, params: tuple[Expr, ...], conditional: bool, reference: Reference
    ) -> BoundModel:
        measure = Str(Reference(str(reference)).value)
        return Expr.__new__(cls, body, Tuple(*params), sympify_bool(conditional), measure)

    @property
    def reference(self) -> Reference:
        return Reference(str(self.args[3]))

    @property
    def body(self) -> Expr:
        return self.args[0]

    @property
    def conditional(self) -> bool:
        return bool(self.args[2])

    @property
    def param(self) -> Expr:
        params = self.args[1]
        return params[0] if len(params) == 1 else params

    def density(self, yy: Expr, xx: Expr) -> Expr:
        label = Str("p_model")
        if self.conditional:
            return Defined(label, Lambda((yv, xv), self.body), yy, xx)
        return Defined(label, Lambda((xv,), self.body), xx)

    def _latex(self, printer: LatexPrinter) -> str:
        return r"p_{model}"

    def _sympystr(self, printer: object) -> str:
        return "p_model"

    def _textstr(self, printer: object) -> str:
        return "p_model"


p_data = EmpiricalDistribution()
p_data_x = EmpiricalMarginal()
p_model = ModelDistribution()


class Measure(Expr):
    """An expression with a definition; ``doit()`` and ``definition()`` unfold it one level."""

    is_commutative = True
    is_real = True

    def definition(self) -> Expr | None:
        return None

    def doit(self, **hints: object) -> Expr:
        unfolded = self.definition()
        if unfolded is None:
            return self
        return unfolded.doit(**hints) if hints.get("deep", True) else unfolded

    def _eval_rewrite_as_Sum(self, *args: object, **kwargs: object) -> Expr | None:
        return unfold(self)


def _bracket(printer: LatexPrinter, body: Expr) -> str:
    text = printer._print(body)
    if body.is_Add or (body.is_Mul and body.could_extract_minus_sign()):
        return rf"\left[{text}\right]"
    return text


class Expectation(Measure):
    """``E_{x,y ~ P}[f]`` for a body ``f`` in the bound variables ``xv`` and ``yv``.

    Under ``p_data`` it unfolds to the average over the data, ``(1/N) Σ_i f(x[i], y[i])``;
    under the model it has no symbolic unfolding (the numeric check still evaluates it).

    >>> from sympy import latex, log
    >>> print(latex(Expectation(PModel(yv, xv, theta), p_data)))
    \\mathbb{E}_{x,y \\sim \\hat{p}_{data}} p_{model}(y \\mid x, \\theta)
    """

    def __new__(cls, body: Expr, dist: Distribution) -> Expectation:
        return Expr.__new__(cls, body, dist)

    @property
    def body(self) -> Expr:
        return self.args[0]

    @property
    def dist(self) -> Distribution:
        return self.args[1]

    def definition(self) -> Expr | None:
        # The data index must be fresh: a body that mentions i (free, or bound by an inner sum)
        # would capture it.
        k = Dummy("i", integer=True, positive=True) if self.body.has(i) else i
        if isinstance(self.dist, EmpiricalDistribution):
            return Sum(self.body.xreplace({xv: x[k], yv: y[k]}), (k, 1, N)) / N
        if isinstance(self.dist, EmpiricalMarginal) and yv not in self.body.free_symbols:
            return Sum(self.body.xreplace({xv: x[k]}), (k, 1, N)) / N
        return None

    def _latex(self, printer: LatexPrinter) -> str:
        bound = "x" if isinstance(self.dist, EmpiricalMarginal) else "x,y"
        dist = printer._print(self.dist)
        return rf"\mathbb{{E}}_{{{bound} \sim {dist}}} {_bracket(printer, self.body)}"

    def _eval_is_positive(self) -> bool | None:
        return self.body.is_positive

    def _eval_is_negative(self) -> bool | None:
        return self.body.is_negative


class Likelihood(Measure):
    """``p_model(𝕏; θ) = ∏_i p_model(y_i | x_i, θ)``, the likelihood of the i.i.d. data."""

    def __new__(cls, model: ModelDistribution = p_model) -> Likelihood:
        return Expr.__new__(cls, model)

    def definition(self) -> Expr:
        return Product(self.args[0].density(y[i], x[i]), (i, 1, N))

    def _latex(self, printer: LatexPrinter) -> str:
        return rf"p_{{model}}(\mathbb{{X}}; {printer._print(self.args[0].param)})"

    def _eval_is_positive(self) -> bool:
        return True


class LogLikelihood(Measure):
    """``log p_model(𝕏; θ) = Σ_i log p_model(y_i | x_i, θ)``."""

    def __new__(cls, model: ModelDistribution = p_model) -> LogLikelihood:
        return Expr.__new__(cls, model)

    def definition(self) -> Expr:
        return log(Likelihood(self.args[0]))

    def _latex(self, printer: LatexPrinter) -> str:
        return rf"\log p_{{model}}(\mathbb{{X}}; {printer._print(self.args[0].param)})"


class NLL(Measure):
    """The negative log-likelihood ``-log p_model(𝕏; θ)``."""

    def __new__(cls, model: ModelDistribution = p_model) -> NLL:
        return Expr.__new__(cls, model)

    def definition(self) -> Expr:
        return -LogLikelihood(self.args[0])

    def _latex(self, printer: LatexPrinter) -> str:
        return rf"\mathrm{{NLL}}({printer._print(self.args[0].param)})"


class Entropy(Measure):
    """``H(P) = E_P[-log P]``; for the conditional ``p_data`` the conditional entropy of y given x.

    It is Shannon entropy for the (discrete) empirical distribution.
    """

    def __new__(cls, dist: Distribution) -> Entropy:
        return Expr.__new__(cls, dist)

    def definition(self) -> Expr:
        dist = self.args[0]
        return Expectation(-log(dist.density(yv, xv)), dist)

    def _latex(self, printer: LatexPrinter) -> str:
        return rf"H({printer._print(self.args[0])})"


class CrossEntropy(Measure):
    """``H(P, Q) = E_P[-log Q]``."""

    def __new__(cls, p: Distribution, q: Distribution) -> CrossEntropy:
        return Expr.__new__(cls, p, q)

    def definition(self) -> Expr:
        p, q = self.args
        return Expectation(-log(q.density(yv, xv)), p)

    def _latex(self, printer: LatexPrinter) -> str:
        p, q = (printer._print(a) for a in self.args)
        return rf"H({p}, {q})"


class KL(Measure):
    """``D_KL(P ‖ Q) = -E_P[log(Q / P)]``, as the post writes it, for P and Q on one reference
    measure. On different ones (p̂_data's point masses against a density) it is +∞: P has
    atoms where Q has no mass, so P is not absolutely continuous with respect to Q.
    """

    def __new__(cls, p: Distribution, q: Distribution) -> KL:
        return Expr.__new__(cls, p, q)

    def definition(self) -> Expr:
        p, q = self.args
        if self.infinite():
            return oo
        return -Expectation(log(q.density(yv, xv) / p.density(yv, xv)), p)

    def infinite(self) -> str | None:
        """Why the divergence is +∞ whatever the parameters, or None.

        >>> KL(p_data, p_model).infinite() is None
        True
        """
        p, q = self.args
        if p.reference is q.reference:
            return None
        return (
            f"{self} is +∞: {p} is a density against the {p.reference.value} measure and {q} "
            f"against the {q.reference.value} measure, so {p} is not absolutely continuous "
            f"with respect to {q}"
        )

    def _latex(self, printer: LatexPrinter) -> str:
        p, q = (printer._print(a) for a in self.args)
        return rf"D_{{KL}}({p} \| {q})"


class Constant(Measure):
    """A term the derivation declares free of θ; it prints as *constant*.

    The kernel does not take the declaration on trust: it proves the wrapped term free of every
    parameter, or refutes the step with two parameter values where the term differs.
    """

    def __new__(cls, term: Expr) -> Constant:
        return Expr.__new__(cls, term)

    @property
    def term(self) -> Expr:
        return self.args[0]

    def definition(self) -> Expr:
        return self.term

    def _latex(self, printer: LatexPrinter) -> str:
        return r"\mathrm{constant}"


class Law(Expr):
    """The law P of a :class:`Mean` in symbolic dimension: its variable and its parameters."""

    is_commutative = True

    @property
    def variable(self) -> Expr:
        raise NotImplementedError


class DirichletLaw(Law):
    """Dirichlet(alpha) on the simplex of ``x[1..K]``: ``x[k] > 0`` and ``Σ_k x[k] = 1``."""

    def __new__(cls, alpha: IndexedBase, variable: IndexedBase, length: Expr) -> DirichletLaw:
        return Expr.__new__(cls, alpha, variable, length)

    @property
    def alpha(self) -> IndexedBase:
        return self.args[0]

    @property
    def variable(self) -> IndexedBase:
        return self.args[1]

    @property
    def length(self) -> Expr:
        return self.args[2]

    def _sympystr(self, printer: StrPrinter) -> str:
        return f"Dirichlet({printer._print(self.alpha)})"


class NormalLaw(Law):
    """N(mu, Sigma) of the column vector ``x`` (MatrixSymbols of a symbolic dimension)."""

    def __new__(cls, mu: MatrixSymbol, sigma: MatrixSymbol, variable: MatrixSymbol) -> NormalLaw:
        return Expr.__new__(cls, mu, sigma, variable)

    @property
    def mu(self) -> MatrixSymbol:
        return self.args[0]

    @property
    def sigma(self) -> MatrixSymbol:
        return self.args[1]

    @property
    def variable(self) -> MatrixSymbol:
        return self.args[2]

    def _sympystr(self, printer: StrPrinter) -> str:
        return f"Normal({printer._print(self.mu)}, {printer._print(self.sigma)})"


class Mean(Measure):
    """``E_P[body]`` over a law in symbolic dimension (:class:`DirichletLaw`,
    :class:`NormalLaw`). It has no unfolding: the kernel rewrites it by linearity and the
    evaluator integrates it over the law.

    >>> from sympy import latex
    >>> law = DirichletLaw(IndexedBase("alpha"), IndexedBase("x"), Symbol("K"))
    >>> print(latex(Mean(log(Symbol("x")), law)))
    \\mathbb{E}_{P}\\left[\\log{\\left(x \\right)}\\right]
    >>> Mean(log(Symbol("x")), law)
    Mean(log(x))
    """

    def __new__(cls, body: Expr, law: Law) -> Mean:
        return Expr.__new__(cls, body, law)

    @property
    def body(self) -> Expr:
        return self.args[0]

    @property
    def law(self) -> Law:
        return self.args[1]

    def _latex(self, printer: LatexPrinter) -> str:
        return rf"\mathbb{{E}}_{{P}}\left[{printer._print(self.body)}\right]"

    def _sympystr(self, printer: StrPrinter) -> str:
        # The law is the derivation's P: printed once in its title, not in every step.
        return f"Mean({printer._print(self.body)})"


class Defined(Measure):
    """A named abbreviation ``name(args) = body``: it prints by its name and unfolds to its
    body, so the kernel checks the body and the evaluator evaluates it. Unlike the measures it
    is real or positive only where its body is.

    >>> from sympy import Lambda, exp
    >>> z = Symbol("z", real=True)
    >>> sigma = Defined(Str("sigma"), Lambda(z, 1 / (1 + exp(-z))), theta)
    >>> sigma, sigma.definition(), sigma.is_positive
    (sigma(theta), 1/(1 + exp(-theta)), True)
    """

    is_real = None

    def __new__(cls, name: Str, body: Lambda, *args: Expr) -> Defined:
        return Expr.__new__(cls, name, body, *args)

    @property
    def name(self) -> str:
        return str(self.args[0])

    def definition(self) -> Expr:
        return self.args[1](*self.args[2:])

    def _eval_is_real(self) -> bool | None:
        return self.definition().is_real

    def _eval_is_positive(self) -> bool | None:
        return self.definition().is_positive

    def _eval_is_negative(self) -> bool | None:
        return self.definition().is_negative

    def _shown(self, show: object) -> str:
        if not self.args[2:]:
            return self.name
        return f"{self.name}({', '.join(show(a) for a in self.args[2:])})"

    def _sympystr(self, printer: StrPrinter) -> str:
        return self._shown(printer._print)

    def _textstr(self, printer: StrPrinter) -> str:
        return self._shown(printer._print)

    def _latex(self, printer: LatexPrinter) -> str:
        # Printed as a symbol would be, so that sigma is \sigma and mu_1 is \mu_{1}.
        name = printer._print(Symbol(self.name))
        if not self.args[2:]:
            return name
        return rf"{name}\left({', '.join(printer._print(a) for a in self.args[2:])}\right)"


def unfold(expr: Expr) -> Expr:
    """Replace every measure by its definition until none with a definition is left.

    >>> unfold(NLL())
    -log(Product(PModel(y[i], x[i], theta), (i, 1, N)))
    """
    while True:
        new = expr.replace(
            lambda e: isinstance(e, Measure) and e.definition() is not None,
            lambda e: e.definition(),
        )
        if new == expr:
            return expr
        expr = new
