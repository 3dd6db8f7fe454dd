"""High-precision evaluation of expressions at concrete points, for the kernel's numeric checks.

The evaluator reads the measures by their *semantic* definitions, not by the symbolic unfolding
the kernel proves with: an expectation under ``p_data`` is a sum over the distinct observed
points weighted by ``count / N``, and ``p_data(y | x)`` is ``count(x, y) / count(x)``. Agreement
between the two routes is evidence; disagreement is a counterexample.

Every symbol is sampled from its own domain (positive, negative, integer, an interval given by
the caller), with full-precision random digits so that cancellation cannot fake agreement.

>>> from sympy import log
>>> from symbolic.kernel.measures import CrossEntropy, NLL, N, p_data, p_model, theta
>>> inst = sample_instances(seed=1)[2]
>>> env = Point(inst, {theta: mpmath.mpf("0.3")})
>>> with mpmath.workdps(50):
...     lhs = evaluate(CrossEntropy(p_data, p_model), env)
...     rhs = evaluate(NLL() / N, env)
>>> abs(lhs - rhs) < mpmath.mpf(10) ** -45
True
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import mpmath
import sympy
from sympy import Expr, Indexed, MatrixSymbol, Symbol
from sympy.matrices.expressions import (
    Determinant,
    Identity,
    Inverse,
    MatAdd,
    MatMul,
    MatPow,
    MatrixExpr,
    Trace,
    Transpose,
    ZeroMatrix,
)

from symbolic.kernel.domains import VectorDomain
from symbolic.kernel.measures import (
    Constant,
    Defined,
    DirichletLaw,
    EmpiricalDistribution,
    EmpiricalMarginal,
    Expectation,
    Mean,
    Measure,
    ModelDistribution,
    N,
    NormalLaw,
    PData,
    PDataX,
    PModel,
    xv,
    yv,
)

__all__ = [
    "Undefined",
    "Unsupported",
    "ConditionalModel",
    "Instance",
    "Point",
    "evaluate",
    "sample_instances",
    "sample_value",
    "tolerance",
    "close",
    "random_mpf",
    "show",
    "sample_vector",
    "vector_length",
    "VectorSpec",
    "DataSampler",
    "labelled_points",
    "polynomial_degree",
    "mean_semantics",
    "satisfies",
    "sample_entries",
    "evaluate_traced",
]


class Undefined(ArithmeticError):
    """The expression has no real value at this point (log of a non-positive number, 1/0, ...)."""


class Unsupported(Exception):
    """The evaluator has no semantics for a construct: a gap in this module, not in the math."""


def random_mpf(rng: random.Random, lo: float, hi: float) -> mpmath.mpf:
    """A uniform value in (lo, hi) with 256 random bits, never a short decimal."""
    u = mpmath.mpf(rng.getrandbits(256) | 1) / mpmath.mpf(2) ** 256
    return mpmath.mpf(lo) + (mpmath.mpf(hi) - mpmath.mpf(lo)) * u


@dataclass(frozen=True)
class ConditionalModel:
    """A concrete ``p_model(y | x, θ)``: a softmax over the labels of ``a θ x + b θ² + c``.

    The coefficients are random per (label), so the model depends on θ in a way no derivation
    could anticipate. A model with a ``fit`` puts all its mass on the label ``fit`` gives each
    of its features, whatever θ: a perfect fit of consistent data, where the NLL and the KL
    from p̂_data are 0 and the likelihood is 1, so that no property of the softmax family
    (NLL > 0, KL > 0) passes as a theorem.
    """

    labels: tuple[int, ...]
    coefficients: tuple[tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf], ...]
    fit: tuple[tuple[mpmath.mpf, int], ...] = ()

    def prob(self, label: mpmath.mpf, feature: mpmath.mpf, param: mpmath.mpf) -> mpmath.mpf:
        fitted = dict(self.fit)
        if feature in fitted:
            return mpmath.mpf(1) if label == fitted[feature] else mpmath.mpf(0)
        logits = [a * param * feature + b * param**2 + c for a, b, c in self.coefficients]
        top = max(logits)
        weights = [mpmath.exp(v - top) for v in logits]
        index = self.labels.index(int(label)) if int(label) in self.labels else None
        if index is None or label != int(label):
            return mpmath.mpf(0)
        return weights[index] / mpmath.fsum(weights)

    def describe(self) -> str:
        if self.fit:
            table = ", ".join(f"y={lab} at x={mpmath.nstr(a, 12)}" for a, lab in self.fit)
            return f"a perfect fit, probability 1 for [{table}]"
        terms = ", ".join(
            f"y={lab}: ({mpmath.nstr(a, 8)})*theta*x + ({mpmath.nstr(b, 8)})*theta^2"
            f" + ({mpmath.nstr(c, 8)})"
            for lab, (a, b, c) in zip(self.labels, self.coefficients, strict=True)
        )
        return f"softmax over labels of [{terms}]"


@dataclass(frozen=True)
class Instance:
    """Concrete data, a concrete model, and values for the symbols other than the parameters."""

    n: int
    xs: tuple[mpmath.mpf, ...]
    ys: tuple[mpmath.mpf, ...]
    model: ConditionalModel
    values: Mapping[Symbol, mpmath.mpf] = field(default_factory=dict)
    vectors: Mapping[Expr, tuple[mpmath.mpf, ...]] = field(default_factory=dict)

    @property
    def pairs(self) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        return list(zip(self.xs, self.ys, strict=True))

    @property
    def key(self) -> tuple:
        """Everything that decides a value at this instance, as a hashable tuple."""
        values = tuple(sorted((str(k), v) for k, v in self.values.items()))
        vectors = tuple(sorted((str(k), v) for k, v in self.vectors.items()))
        return (self.n, self.xs, self.ys, self.model, values, vectors)

    def counts(self) -> Counter:
        return Counter(self.pairs)

    def describe(self) -> dict[str, object]:
        out: dict[str, object] = {
            "N": self.n,
            "x": [mpmath.nstr(v, 12) for v in self.xs],
            "y": [mpmath.nstr(v, 12) for v in self.ys],
            "p_model": self.model.describe(),
        }
        out.update({str(k): mpmath.nstr(v, 30) for k, v in self.values.items()})
        out.update({str(k): show(v) for k, v in self.vectors.items()})
        return out


@dataclass
class Point:
    """An instance plus the parameter values and any bound variables in scope."""

    instance: Instance
    params: Mapping[Symbol, mpmath.mpf]
    bound: dict[Expr, mpmath.mpf] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        """A hashable fingerprint of the point, for caching values computed at it."""
        params = tuple(sorted((str(k), v) for k, v in self.params.items()))
        bound = tuple(sorted((str(k), v) for k, v in self.bound.items()))
        return (self.instance.key, params, bound)

    def with_bound(self, extra: Mapping[Expr, mpmath.mpf]) -> Point:
        return Point(self.instance, self.params, {**self.bound, **extra})

    def describe(self) -> dict[str, object]:
        out = self.instance.describe()
        out.update({str(k): show(v) for k, v in self.params.items()})
        return out


def show(value: mpmath.mpf | tuple) -> str | list:
    """A sampled value (a number or a vector) as text with 30 significant digits."""
    if isinstance(value, tuple):
        return [show(c) for c in value]
    return mpmath.nstr(value, 30)


def tolerance(dps: int) -> mpmath.mpf:
    """Relative tolerance at ``dps`` digits: ten digits of head-room for rounding."""
    return mpmath.mpf(10) ** (-(dps - 10))


def close(a: mpmath.mpf, b: mpmath.mpf, dps: int) -> bool:
    """Equal to within :func:`tolerance`, relative to the larger magnitude.

    There is no absolute floor: two likelihoods of 1e-43 and 1e-70 are different numbers.
    """
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= tolerance(dps) * max(abs(a), abs(b))


# Set while a point with complex sampled values is evaluated: values may then be complex, and
# log and powers take sympy's principal branches.
_COMPLEX_MODE = [False]


class complex_mode:  # noqa: N801 - used as a context manager, like mpmath.workdps
    """Within this block values may be complex (a symbol without assumptions is complex)."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def __enter__(self) -> None:
        self.saved = _COMPLEX_MODE[0]
        _COMPLEX_MODE[0] = self.on

    def __exit__(self, *exc: object) -> None:
        _COMPLEX_MODE[0] = self.saved


def _real(value: object) -> mpmath.mpf:
    if isinstance(value, mpmath.mpc):
        if mpmath.isnan(value.real) or mpmath.isnan(value.imag):
            raise Undefined("not a number")
        if value.imag != 0:
            if _COMPLEX_MODE[0]:
                return value
            raise Undefined(f"complex value {mpmath.nstr(value, 10)}")
        value = value.real
    if mpmath.isnan(value):
        raise Undefined("not a number")
    return value


def _log(v: mpmath.mpf) -> mpmath.mpf:
    if v == 0:
        raise Undefined("log of 0")
    if _COMPLEX_MODE[0]:
        return _real(mpmath.log(v))
    if v < 0:
        raise Undefined(f"log of the non-positive number {mpmath.nstr(v, 10)}")
    return mpmath.log(v)


def _pow(base: mpmath.mpf, exponent: mpmath.mpf) -> mpmath.mpf:
    if base == 0 and (exponent.real < 0 if isinstance(exponent, mpmath.mpc) else exponent < 0):
        raise Undefined("division by zero")
    if _COMPLEX_MODE[0]:
        return _real(mpmath.power(base, exponent))
    if base < 0 and exponent != int(exponent):
        raise Undefined("fractional power of a negative number")
    return _real(mpmath.power(base, exponent))


_HALF = mpmath.mpf(1) / 2
_ZERO = mpmath.mpf(0)


def _heaviside(x: mpmath.mpf, at_zero: mpmath.mpf = _HALF) -> mpmath.mpf:
    if x == 0:
        return at_zero
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)


def _lambertw(x: mpmath.mpf, branch: mpmath.mpf = _ZERO) -> mpmath.mpf:
    if branch != int(branch):
        raise Undefined("a non-integer branch of LambertW")
    return mpmath.lambertw(x, int(branch))


def _atan2(y: mpmath.mpf, x: mpmath.mpf) -> mpmath.mpf:
    if x == 0 and y == 0:
        raise Undefined("atan2(0, 0)")
    return mpmath.atan2(y, x)


def _zeta(s: mpmath.mpf, a: mpmath.mpf | None = None) -> mpmath.mpf:
    if s == 1:
        raise Undefined("the pole of zeta at 1")
    return mpmath.zeta(s) if a is None else mpmath.zeta(s, a)


def _polygamma(n: mpmath.mpf, x: mpmath.mpf) -> mpmath.mpf:
    if n != int(n) or n < 0:
        raise Unsupported("polygamma of a non-integer or negative order")
    if x == int(x) and x <= 0:
        raise Undefined(f"polygamma at the pole {mpmath.nstr(x, 10)}")
    return mpmath.polygamma(int(n), x)


def _gamma(x: mpmath.mpf) -> mpmath.mpf:
    if x == int(x) and x <= 0:
        raise Undefined(f"gamma at the pole {mpmath.nstr(x, 10)}")
    return mpmath.gamma(x)


MAX_TERMS = 10**5


def _lambertw(z: mpmath.mpf, branch: object = 0) -> mpmath.mpf:
    # Real branches only: off the real domain of the branch (z < -1/e) the value is complex.
    w = mpmath.lambertw(z, int(branch))  # type: ignore[call-overload]
    if mpmath.im(w) != 0:
        raise Undefined(f"LambertW({mpmath.nstr(z, 10)}) is not real on branch {branch}")
    return mpmath.re(w)


_FUNCTIONS: dict[type, Callable[..., mpmath.mpf]] = {
    sympy.log: _log,
    sympy.exp: mpmath.exp,
    sympy.gamma: _gamma,
    sympy.loggamma: mpmath.loggamma,
    sympy.factorial: mpmath.factorial,
    sympy.binomial: mpmath.binomial,
    sympy.beta: mpmath.beta,
    sympy.digamma: lambda x: _polygamma(mpmath.mpf(0), x),
    sympy.KroneckerDelta: lambda a, b: mpmath.mpf(a == b),
    sympy.polygamma: _polygamma,
    sympy.zeta: _zeta,
    sympy.erf: mpmath.erf,
    sympy.erfc: mpmath.erfc,
    sympy.LambertW: _lambertw,
    sympy.Heaviside: _heaviside,
    sympy.floor: mpmath.floor,
    sympy.ceiling: mpmath.ceil,
    sympy.Abs: abs,
    sympy.sign: mpmath.sign,
    sympy.atan: mpmath.atan,
    sympy.asin: mpmath.asin,
    sympy.acos: mpmath.acos,
    sympy.atan2: _atan2,
    sympy.asinh: mpmath.asinh,
    sympy.acosh: mpmath.acosh,
    sympy.atanh: mpmath.atanh,
    sympy.sin: mpmath.sin,
    sympy.tan: mpmath.tan,
    sympy.cos: mpmath.cos,
    sympy.cot: mpmath.cot,
    sympy.sec: mpmath.sec,
    sympy.csc: mpmath.csc,
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.Max: max,
    sympy.Min: min,
    sympy.LambertW: _lambertw,
    sympy.besseli: mpmath.besseli,
}

# Terms evaluated (across nested sums and products) in one evaluation of one expression: the
# cost of a sum is bounded before its terms are computed.
MAX_WORK = 200_000
_WORK = [0]


def _range(limits: tuple, env: Point) -> tuple[Symbol, range]:
    var, lo, hi = limits
    a, b = evaluate(lo, env), evaluate(hi, env)
    if a != int(a) or b != int(b):
        raise Undefined("non-integer summation bound")
    if b - a > MAX_TERMS:
        # A finite sum is evaluated term by term: bound the work, whoever wrote the bounds.
        raise Unsupported(f"a sum or product of more than {MAX_TERMS} terms")
    return var, range(int(a), int(b) + 1)


def _inner_nodes(expr: Expr) -> list[sympy.Sum | sympy.Product]:
    """The sums and products of ``expr`` not inside another one."""
    found: list[sympy.Sum | sympy.Product] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (sympy.Sum, sympy.Product)):
            found.append(node)
        else:
            stack.extend(a for a in node.args if isinstance(a, sympy.Basic))
    return found


def _cost(node: sympy.Sum | sympy.Product, env: Point) -> int:
    """Terms a finite sum or product costs, its nested sums counted at the outer index's ends
    (where bounds that grow with it are largest); a bound without a value yet counts as one."""
    total = 1
    for var, lo, hi in reversed(node.limits):
        try:
            a, b = evaluate(lo, env), evaluate(hi, env)
        except (Undefined, Unsupported):
            return total
        if mpmath.isinf(a) or mpmath.isinf(b) or a != int(a) or b != int(b):
            return total
        count = max(int(b) - int(a) + 1, 0)
        inner = 0
        for end in {a, b} if count else set():
            bound = env.with_bound({var: end})
            inner = max(inner, sum(_cost(n, bound) for n in _inner_nodes(node.function)))
        total *= count * (1 + inner) if count else 1
    return total


def _charge(terms: int) -> None:
    _WORK[0] += terms
    if _WORK[0] > MAX_WORK:
        raise Unsupported(f"more than {MAX_WORK} terms of sums and products in one evaluation")


def _expectation(node: Expectation, env: Point) -> mpmath.mpf:
    inst = env.instance
    if isinstance(node.dist, EmpiricalDistribution):
        total = mpmath.mpf(0)
        for (a, b), count in inst.counts().items():
            total += (
                mpmath.mpf(count) / inst.n * evaluate(node.body, env.with_bound({xv: a, yv: b}))
            )
        return total
    if isinstance(node.dist, EmpiricalMarginal):
        total = mpmath.mpf(0)
        for a, count in Counter(inst.xs).items():
            total += mpmath.mpf(count) / inst.n * evaluate(node.body, env.with_bound({xv: a}))
        return total
    if isinstance(node.dist, ModelDistribution):
        param = evaluate(node.dist.param, env)
        total = mpmath.mpf(0)
        for a, count in Counter(inst.xs).items():
            for label in inst.model.labels:
                mass = inst.model.prob(mpmath.mpf(label), a, param)
                if mass == 0:
                    # Outside the model's support a point carries no weight: 0 · log 0 is no term.
                    continue
                value = evaluate(node.body, env.with_bound({xv: a, yv: mpmath.mpf(label)}))
                total += mpmath.mpf(count) / inst.n * mass * value
        return total
    raise Unsupported(f"no numeric semantics for expectations under {node.dist}")


def _p_data(label: mpmath.mpf, feature: mpmath.mpf, inst: Instance) -> mpmath.mpf:
    joint = inst.counts()[(feature, label)]
    marginal = Counter(inst.xs)[feature]
    if marginal == 0:
        raise Undefined(f"p_data(y | x) at x = {mpmath.nstr(feature, 10)}, which was not observed")
    return mpmath.mpf(joint) / marginal


def evaluate(expr: Expr, env: Point) -> mpmath.mpf:
    """The real value of ``expr`` at ``env`` at the current mpmath precision.

    Raises :class:`Undefined` where the expression has no real value.
    """
    if _DEPTH[0] == 0:
        _WORK[0] = 0
    _DEPTH[0] += 1
    try:
        return _compiled(expr)(env)
    finally:
        _DEPTH[0] -= 1


_DEPTH = [0]

Compiled = Callable[[Point], mpmath.mpf]


def _call(func: Callable[..., mpmath.mpf], name: object, args: list[Compiled]) -> Compiled:
    def run(env: Point) -> mpmath.mpf:
        try:
            return _real(func(*(a(env) for a in args)))
        except (ValueError, ZeroDivisionError) as exc:
            raise Undefined(f"{name}: {exc}") from exc

    return run


def _compile_pow(expr: sympy.Pow) -> Compiled:
    base = _compiled(expr.base)
    if expr.exp.is_Integer and expr.exp >= 0:
        k = int(expr.exp)
        return lambda env: base(env) ** k
    exponent = _compiled(expr.exp)
    return lambda env: _pow(base(env), exponent(env))


def _compile_sum(args: list[Compiled]) -> Compiled:
    return lambda env: mpmath.fsum(a(env) for a in args)


def _compile_product(args: list[Compiled]) -> Compiled:
    def run(env: Point) -> mpmath.mpf:
        value = mpmath.mpf(1)
        for a in args:
            value *= a(env)
        return value

    return run


@lru_cache(maxsize=8192)
def _compiled(expr: Expr) -> Compiled:
    """``expr`` turned once into nested closures, so that a quadrature's hundreds of calls do
    not walk the sympy tree again; what has no closure form is interpreted node by node."""
    if isinstance(expr, Symbol):
        return lambda env: _symbol(expr, env)
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return lambda env: mpmath.mpf(p) / q
    if expr.is_Add:
        return _compile_sum([_compiled(a) for a in expr.args])
    if expr.is_Mul:
        return _compile_product([_compiled(a) for a in expr.args])
    if expr.is_Pow:
        return _compile_pow(expr)
    if isinstance(expr, Defined):
        # An abbreviation (a catalog density, a declared function) is its body: applying the
        # Lambda at every quadrature node would rebuild the body each time.
        return _compiled(expr.definition())
    func = _FUNCTIONS.get(expr.func)
    if func is not None and expr.args:
        return _call(func, expr.func, [_compiled(a) for a in expr.args])
    return lambda env: _interpret(expr, env)


def _interpret(expr: Expr, env: Point) -> mpmath.mpf:
    if expr is sympy.nan or expr is sympy.zoo:
        raise Undefined(f"the undefined constant {expr}")
    if expr.is_Number:
        if expr.is_Rational:
            return mpmath.mpf(int(expr.p)) / int(expr.q)
        if expr.is_infinite:
            # oo is only *extended* positive in sympy: is_positive is False for it.
            return mpmath.inf if expr.is_extended_positive else -mpmath.inf
        return mpmath.mpf(expr._mpf_)
    if expr is sympy.pi:
        return +mpmath.pi
    if expr is sympy.E:
        return +mpmath.e
    if expr is sympy.EulerGamma:
        return +mpmath.euler
    if isinstance(expr, Symbol):
        return _symbol(expr, env)
    if isinstance(expr, Indexed):
        return _indexed(expr, env)
    if expr.is_Add:
        return mpmath.fsum(evaluate(a, env) for a in expr.args)
    if expr.is_Mul:
        value = mpmath.mpf(1)
        for a in expr.args:
            value *= evaluate(a, env)
        return value
    if expr.is_Pow:
        return _pow(evaluate(expr.base, env), evaluate(expr.exp, env))
    if isinstance(expr, sympy.Sum) and _infinite(expr):
        return _series(expr, env)
    if isinstance(expr, sympy.Sum):
        return _fold(expr, env, mpmath.mpf(0), lambda acc, v: acc + v)
    if isinstance(expr, sympy.Integral):
        return _integral(expr, env)
    if isinstance(expr, sympy.Product):
        return _fold(expr, env, mpmath.mpf(1), lambda acc, v: acc * v)
    if isinstance(expr, PModel):
        label, feature, param = (evaluate(a, env) for a in expr.args)
        return env.instance.model.prob(label, feature, param)
    if isinstance(expr, PData):
        label, feature = (evaluate(a, env) for a in expr.args)
        return _p_data(label, feature, env.instance)
    if isinstance(expr, PDataX):
        return mpmath.mpf(Counter(env.instance.xs)[evaluate(expr.args[0], env)]) / env.instance.n
    if isinstance(expr, Expectation):
        return _expectation(expr, env)
    if isinstance(expr, Constant):
        return evaluate(expr.term, env)
    if isinstance(expr, Mean):
        return _mean(expr, env)
    if isinstance(expr, Trace):
        m = _matrix(expr.arg, env)
        if m.rows != m.cols:
            raise Unsupported(f"the trace of a {m.rows} x {m.cols} matrix")
        return mpmath.fsum(m[k, k] for k in range(m.rows))
    if isinstance(expr, Determinant):
        m = _matrix(expr.arg, env)
        if m.rows != m.cols:
            raise Unsupported(f"the determinant of a {m.rows} x {m.cols} matrix")
        return mpmath.det(m)
    if isinstance(expr, sympy.Derivative):
        return _derivative(expr, env)
    if isinstance(expr, Measure):
        unfolded = expr.definition()
        if unfolded is None:
            raise Unsupported(f"no numeric semantics for {expr}")
        return evaluate(unfolded, env)
    if isinstance(expr, sympy.Piecewise):
        for value, cond in expr.args:
            if _truth(cond, env):
                return evaluate(value, env)
        raise Undefined("no branch of the piecewise expression applies")
    func = _FUNCTIONS.get(expr.func)
    if func is None:
        raise Unsupported(f"no numeric semantics for the function {expr.func}")
    try:
        return _real(func(*(evaluate(a, env) for a in expr.args)))
    except (ValueError, ZeroDivisionError) as exc:
        raise Undefined(f"{expr.func}: {exc}") from exc


def _derivative(node: sympy.Derivative, env: Point) -> mpmath.mpf:
    """A derivative by mpmath's finite differences at the working precision (mpmath raises the
    precision and picks the step itself): a route independent of symbolic differentiation."""
    counts: dict[sympy.Expr, int] = {}
    for var, count in node.variable_count:
        if isinstance(var, Indexed):
            # d/d a[k] moves the one entry a[k] names at this point.
            indices = [evaluate(ix, env) for ix in var.indices]
            if any(k != int(k) for k in indices):
                raise Undefined(f"non-integer index in {var}")
            var = var.base[tuple(sympy.Integer(int(k)) for k in indices)]
        elif not isinstance(var, Symbol):
            raise Unsupported(f"derivatives with respect to {var}: only symbols and entries")
        # d²/(dw_j dw_k) at j = k is the second derivative in that one entry, not a mixed one.
        counts[var] = counts.get(var, 0) + int(count)
    variables = list(counts)
    orders = tuple(counts.values())
    at = tuple(_symbol(v, env) if isinstance(v, Symbol) else _indexed(v, env) for v in variables)
    body = _compiled(node.expr)

    def f(*values: mpmath.mpf) -> mpmath.mpf:
        return body(env.with_bound(dict(zip(variables, values, strict=True))))

    return _real(mpmath.diff(f, at, orders))


def satisfies(conditions: tuple[sympy.Basic, ...], env: Point) -> bool:
    """Whether every condition (a relation such as ``N >= 2``) holds at ``env``; a condition
    without a value there, or that the evaluator cannot evaluate, does not hold (so a point is
    never used on the strength of a hypothesis nobody checked)."""
    try:
        return all(_truth(c, env) for c in conditions)
    except (Undefined, Unsupported):
        return False


def _infinite(node: sympy.Sum) -> bool:
    return any(lim.is_infinite for _, lo, hi in node.limits for lim in (lo, hi))


# How far a series is summed term by term before its tail must be extrapolated.
_DIRECT_TERMS = 4000


def _series(node: sympy.Sum, env: Point) -> mpmath.mpf:
    """An infinite series, only where it visibly converges.

    Terms are summed until they have fallen below the working precision with a ratio below
    0.9 at the end (a geometric tail bound); a slower series is extrapolated by ``nsum`` only
    when its terms have one sign or alternate, and decay faster than 1/k^1.2. Anything else
    (Grandi's series, the harmonic series) is unsupported, never given a value.
    """
    if len(node.limits) != 1:
        raise Unsupported("infinite sums over several indices")
    var, lo, hi = node.limits[0]
    term = _compiled(node.function)

    def at(k: mpmath.mpf, sign: int) -> mpmath.mpf:
        return _real(term(env.with_bound({var: sign * k})))

    if lo.is_infinite and hi.is_infinite:
        return _one_sided(lambda k: at(k, 1), mpmath.mpf(0)) + _one_sided(
            lambda k: at(k, -1), mpmath.mpf(1)
        )
    if lo.is_infinite:
        return _one_sided(lambda k: at(k, -1), -evaluate(hi, env))
    start = evaluate(lo, env)
    if start != int(start):
        raise Undefined("non-integer summation bound")
    return _one_sided(lambda k: at(k, 1), start)


def _one_sided(term: Callable[[mpmath.mpf], mpmath.mpf], start: mpmath.mpf) -> mpmath.mpf:
    eps = mpmath.mpf(2) ** (-mpmath.mp.prec - 10)
    total = mpmath.mpf(0)
    recent: list[mpmath.mpf] = []
    for j in range(_DIRECT_TERMS):
        value = term(start + j)
        total += value
        recent = [*recent[-11:], abs(value)]
        if len(recent) == 12 and all(v <= eps * max(abs(total), eps) for v in recent[-4:]):
            ratios = [b / a for a, b in itertools.pairwise(recent) if a != 0]
            if all(v == 0 for v in recent[-4:]) or (ratios and max(ratios) < 0.9):
                # Beyond here the terms fall faster than 0.9^k: the tail is below |last| * 10.
                return total
    _charge(_DIRECT_TERMS)
    probes = [start + 2**j for j in range(12, 24)]
    values = [term(k) for k in probes]
    sizes = [abs(v) for v in values]
    growing = any(b >= a for a, b in itertools.pairwise(sizes) if a != 0)
    if growing or sizes[-1] == 0 and any(sizes):
        raise Unsupported("the series' terms do not visibly tend to 0")
    decay = mpmath.log(sizes[-2] / sizes[-1], 2)
    alternating = all(term(k) * term(k + 1) < 0 for k in probes[-3:])
    one_sign = all(v > 0 for v in values) or all(v < 0 for v in values)
    if not alternating and not (one_sign and decay > 1.2):
        raise Unsupported(
            f"the series converges too slowly or not at all (terms ~ k^-{mpmath.nstr(decay, 3)})"
        )
    _EXTRAPOLATED[0] = True
    return _real(mpmath.nsum(term, [start, mpmath.inf]))


# Set when a value used nsum's or quadosc's extrapolation, which has no error bound.
_EXTRAPOLATED = [False]


def evaluate_traced(expr: Expr, env: Point) -> tuple[mpmath.mpf, bool]:
    """:func:`evaluate`, and whether the value used an extrapolated series or integral (rather
    than terms summed to the precision, or quadrature with its error estimate): known from the
    one evaluation, where asking afterwards would evaluate again.

    Raises :class:`Undefined` where the expression has no real value.
    """
    saved, _EXTRAPOLATED[0] = _EXTRAPOLATED[0], False
    try:
        value = evaluate(expr, env)
        return value, _EXTRAPOLATED[0]
    finally:
        _EXTRAPOLATED[0] = saved or _EXTRAPOLATED[0]


def _integral(node: sympy.Integral, env: Point) -> mpmath.mpf:
    """A definite integral by mpmath's tanh-sinh quadrature, one variable at a time, split at
    the integrand's kinks and jumps, and only where the quadrature's error estimate shows it
    converged; an oscillating integrand on an infinite range is summed period by period."""
    if any(len(lim) != 3 for lim in node.limits):
        raise Unsupported("indefinite integrals")
    # The last limit is the outermost integral.
    var, lo, hi = node.limits[-1]
    inner = (
        node.function if len(node.limits) == 1 else sympy.Integral(node.function, *node.limits[:-1])
    )
    a = -mpmath.inf if lo is sympy.S.NegativeInfinity else evaluate(lo, env)
    b = mpmath.inf if hi is sympy.S.Infinity else evaluate(hi, env)
    if a == b:
        return mpmath.mpf(0)
    if a > b:
        raise Unsupported("an integral with its bounds reversed")
    folded = _fold_constants(inner, var, env)
    integrand = _compiled(folded)

    def f(t: mpmath.mpf) -> mpmath.mpf:
        try:
            return integrand(env.with_bound({var: t}))
        except Undefined as exc:
            where = f"{var} = {mpmath.nstr(t, 10)}"
            raise Unsupported(f"the integrand has no value at {where}") from exc

    cuts = [a, *_breakpoints(folded, var, a, b), b]
    zeros = _oscillation(folded, var) if mpmath.isinf(b) and not mpmath.isinf(a) else None
    if zeros is not None:
        head = mpmath.quad(f, cuts[:-1], error=True) if len(cuts) > 2 else (0, 0)
        last = cuts[-2]
        # Beyond the last cut the integral is summed between consecutive zeros and extrapolated.
        value = mpmath.quadosc(f, [last, mpmath.inf], zeros=zeros)
        _EXTRAPOLATED[0] = True
        _require_converged(head[0], head[1], "the quadrature")
        return _real(head[0] + value)
    value, error = mpmath.quad(f, cuts, error=True, maxdegree=8)
    _require_converged(value, error, "the quadrature")
    return _real(value)


def _breakpoints(body: Expr, var: Symbol, a: mpmath.mpf, b: mpmath.mpf) -> list[mpmath.mpf]:
    """Points of (a, b) where the integrand may have a kink or a jump: zeros of the arguments
    of |.|, sign, Heaviside, max/min and root bases, and the edges of piecewise conditions.

    Found by sympy on the folded integrand within a small budget; a missed point only costs
    accuracy, which the quadrature's error estimate then reports."""
    edges: list[Expr] = []
    for node in sympy.preorder_traversal(body):
        if isinstance(node, (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.floor, sympy.ceiling)):
            edges.append(node.args[0])
        elif isinstance(node, (sympy.Max, sympy.Min)):
            edges += [x - y for x, y in itertools.combinations(node.args, 2)]
        elif isinstance(node, sympy.Pow) and not node.exp.is_integer:
            edges.append(node.base)
        elif isinstance(node, sympy.core.relational.Relational):
            edges.append(node.lhs - node.rhs)
    found: set[mpmath.mpf] = set()
    lo = sympy.Float(a, mpmath.mp.dps) if not mpmath.isinf(a) else sympy.S.NegativeInfinity
    hi = sympy.Float(b, mpmath.mp.dps) if not mpmath.isinf(b) else sympy.S.Infinity
    for edge in edges:
        if not edge.has(var):
            continue
        for r in _roots(edge, var, lo, hi):
            v = mpmath.mpf(r._mpf_)
            if a < v < b:
                found.add(v)
    return sorted(found)


@lru_cache(maxsize=1024)
def _roots(edge: Expr, var: Symbol, lo: Expr, hi: Expr) -> tuple[sympy.Float, ...]:
    from symbolic.kernel.budget import BudgetExceeded, time_budget

    try:
        with time_budget(2.0):
            roots = sympy.solveset(edge, var, sympy.Interval.open(lo, hi))
            if not isinstance(roots, sympy.FiniteSet) or len(roots) > 50:
                return ()
            return tuple(
                r.evalf(mpmath.mp.dps + 10) for r in roots if r.is_real is True
            )
    except (BudgetExceeded, Exception):
        return ()


def _oscillation(body: Expr, var: Symbol) -> Callable[[int], mpmath.mpf] | None:
    """The zeros of sin(c t^m) or cos(c t^m) in the integrand, n -> t_n, if it has one."""
    for node in sympy.preorder_traversal(body):
        if isinstance(node, (sympy.sin, sympy.cos)) and node.args[0].has(var):
            arg = node.args[0]
            coeff, power = arg.as_coeff_exponent(var)
            if coeff.has(var) or not coeff.is_number or not power.is_number or power <= 0:
                return None
            c, m = mpmath.mpf(abs(sympy.Float(coeff, 30))), mpmath.mpf(sympy.Float(power, 30))
            return lambda n: (n * mpmath.pi / c) ** (1 / m)
    return None


def _fold_constants(body: Expr, var: Symbol, env: Point) -> Expr:
    """The integrand with every other plain symbol replaced by its value, so that sympy folds
    what does not depend on the variable once instead of at each of the quadrature's nodes."""
    digits = mpmath.mp.dps + 10
    values = {}
    for sym in body.free_symbols - {var}:
        if not isinstance(sym, Symbol) or body.has(sympy.Indexed):
            return body
        try:
            values[sym] = sympy.Float(_symbol(sym, env), digits)
        except Unsupported:
            return body
    return body.xreplace(values)


def _truth(cond: sympy.Basic, env: Point) -> bool:
    if cond is sympy.true:
        return True
    if cond is sympy.false:
        return False
    if isinstance(cond, sympy.And):
        return all(_truth(c, env) for c in cond.args)
    if isinstance(cond, sympy.Or):
        return any(_truth(c, env) for c in cond.args)
    if isinstance(cond, sympy.Not):
        return not _truth(cond.args[0], env)
    ops: dict[type, Callable[[mpmath.mpf, mpmath.mpf], bool]] = {
        sympy.StrictLessThan: lambda a, b: a < b,
        sympy.LessThan: lambda a, b: a <= b,
        sympy.StrictGreaterThan: lambda a, b: a > b,
        sympy.GreaterThan: lambda a, b: a >= b,
        sympy.Eq: lambda a, b: a == b,
        sympy.Ne: lambda a, b: a != b,
    }
    op = ops.get(type(cond))
    if op is None:
        raise Unsupported(f"no numeric semantics for the condition {cond}")
    return op(evaluate(cond.lhs, env), evaluate(cond.rhs, env))


def _fold(
    node: sympy.Sum | sympy.Product,
    env: Point,
    start: mpmath.mpf,
    combine: Callable[[mpmath.mpf, mpmath.mpf], mpmath.mpf],
) -> mpmath.mpf:
    return _fold_limits(node.function, node.limits, env, start, combine, node)


def _fold_limits(
    function: Expr,
    limits: tuple,
    env: Point,
    start: mpmath.mpf,
    combine: Callable[[mpmath.mpf, mpmath.mpf], mpmath.mpf],
    node: sympy.Sum | sympy.Product | None = None,
) -> mpmath.mpf:
    # The last limit is the outermost; sympy would flatten a rebuilt Sum(Sum(f, a), b) again,
    # so the inner limits are folded here rather than by building a node for them.
    var, indices = _range(limits[-1], env)
    if node is not None and _FOLDING[0] == 0:
        # The outermost sum pays for its nested ones before any term is computed.
        _charge(_cost(node, env))
    _FOLDING[0] += 1
    try:
        acc = start
        for k in indices:
            inner = env.with_bound({var: mpmath.mpf(k)})
            value = (
                evaluate(function, inner)
                if len(limits) == 1
                else _fold_limits(function, limits[:-1], inner, start, combine)
            )
            acc = combine(acc, value)
    finally:
        _FOLDING[0] -= 1
    return acc


_FOLDING = [0]


def _symbol(sym: Symbol, env: Point) -> mpmath.mpf:
    for table in (env.bound, env.params, env.instance.values):
        if sym in table:
            return table[sym]
    if sym == N:
        return mpmath.mpf(env.instance.n)
    raise Unsupported(f"no value for the symbol {sym}")


def _indexed(node: Indexed, env: Point) -> mpmath.mpf:
    # The label's name, not its printed form: printing costs more than the whole lookup.
    name = getattr(node.base.label, "name", None) or str(node.base.label)
    data = {"x": env.instance.xs, "y": env.instance.ys}.get(name)
    if data is None:
        data = env.params.get(node.base, env.instance.vectors.get(node.base))
    if data is None:
        raise Unsupported(f"no values for the vector {name}")
    # A table t[n, k] is stored row by row as nested tuples.
    at = []
    for index in node.indices:
        if not isinstance(data, tuple):
            raise Unsupported(f"{name} has fewer indices than {node}")
        k = evaluate(index, env)
        if k != int(k) or not 1 <= k <= len(data):
            raise Undefined(f"index {mpmath.nstr(k, 10)} outside 1..{len(data)}")
        at.append(int(k))
        data = data[int(k) - 1]
    if isinstance(data, tuple):
        raise Unsupported(f"{name} has more indices than {node}")
    if env.bound and any(isinstance(key, Indexed) for key in env.bound):
        # An entry moved by a derivative in it (see _derivative).
        return env.bound.get(node.base[tuple(sympy.Integer(k) for k in at)], data)
    return data


# --- matrices and expectations over laws in symbolic dimension ------------------------------


def _vector_values(base: Expr, env: Point) -> tuple[mpmath.mpf, ...]:
    for table in (env.bound, env.params, env.instance.vectors):
        if base in table:
            return table[base]
    raise Unsupported(f"no values for {base}")


def _matrix(expr: Expr, env: Point) -> mpmath.matrix:
    """A matrix expression's value, entries at the working precision."""
    if isinstance(expr, MatrixSymbol):
        rows, cols = (int(evaluate(n, env)) for n in expr.shape)
        values = _vector_values(expr, env)
        if len(values) != rows * cols:
            raise Unsupported(f"{expr} has {len(values)} values for a {rows} x {cols} shape")
        return mpmath.matrix([list(values[r * cols : (r + 1) * cols]) for r in range(rows)])
    if isinstance(expr, Transpose):
        return _matrix(expr.arg, env).T
    if isinstance(expr, Inverse):
        return _inverse(_matrix(expr.arg, env))
    if isinstance(expr, (MatMul, MatAdd)):
        parts = [
            _matrix(a, env) if isinstance(a, MatrixExpr) else evaluate(a, env) for a in expr.args
        ]
        value = parts[0]
        try:
            for part in parts[1:]:
                value = value * part if isinstance(expr, MatMul) else value + part
        except ValueError as exc:
            raise Unsupported(f"shapes that do not fit in {expr}: {exc}") from exc
        return value
    if isinstance(expr, MatPow) and expr.exp.is_Integer:
        base = _matrix(expr.base, env)
        if expr.exp < 0:
            base = _inverse(base)
        value = mpmath.eye(base.rows)
        for _ in range(abs(int(expr.exp))):
            value = value * base
        return value
    if isinstance(expr, Identity):
        return mpmath.eye(int(evaluate(expr.rows, env)))
    if isinstance(expr, ZeroMatrix):
        return mpmath.zeros(*(int(evaluate(n, env)) for n in expr.shape))
    raise Unsupported(f"no numeric semantics for the matrix expression {expr}")


def _inverse(m: mpmath.matrix) -> mpmath.matrix:
    if m.rows != m.cols:
        raise Unsupported(f"the inverse of a {m.rows} x {m.cols} matrix")
    try:
        return mpmath.inverse(m)
    except ZeroDivisionError as exc:
        raise Undefined("the inverse of a singular matrix") from exc


def _mean(node: Mean, env: Point) -> mpmath.mpf:
    if isinstance(node.law, DirichletLaw):
        return _dirichlet_mean(node.body, node.law, env)
    if isinstance(node.law, NormalLaw):
        return _normal_mean(node.body, node.law, env)
    raise Unsupported(f"no numeric semantics for expectations under {node.law}")


def mean_semantics(exprs: tuple[Expr, ...], instances: list[Instance]) -> str:
    """How the evaluator integrated the expectations over laws in ``exprs``, and at which
    dimensions: the numeric evidence is only as good as this, so verdicts say it.

    Empty when there is no such expectation.
    """
    notes = []
    for law in sorted({m.law for e in exprs for m in e.atoms(Mean)}, key=str):
        if isinstance(law, DirichletLaw):
            size, how = (
                law.length,
                (
                    "quadrature over the segment at K = 2; above, sums of one-coordinate "
                    "terms, each by quadrature over its marginal Beta(alpha_k, alpha_0 - alpha_k)"
                ),
            )
        elif isinstance(law, NormalLaw):
            size, how = law.variable.shape[0], "exact Gauss-Hermite quadrature in x = mu + L z"
        else:
            continue
        seen = sorted({int(i.values[size]) for i in instances if size in i.values})
        at = f" at {size} = {', '.join(map(str, seen))}" if isinstance(size, Symbol) else ""
        notes.append(f"E_P over {law}: {how}{at}")
    return "; ".join(notes)


# The coordinate x[j] of a Dirichlet marginal and its complement 1 - x[j]; fixed symbols keep
# the compiled integrands' cache warm across points.
_COORDINATE = sympy.Dummy("t", positive=True)
_COMPLEMENT = sympy.Dummy("u", positive=True)


def _dirichlet_mean(body: Expr, law: DirichletLaw, env: Point) -> mpmath.mpf:
    """E over Dirichlet(alpha) for integrands that are sums of functions of one coordinate (any
    integrand at K = 2).

    Sums over the coordinates are unrolled at the sampled K; each additive term depends on at
    most one x[j], whose marginal law is Beta(alpha_j, alpha_0 - alpha_j) (aggregation of the
    other coordinates), so its mean is a one-dimensional quadrature at the working precision.
    Terms that couple coordinates would need the full (K-1)-dimensional integral: they are
    unsupported rather than approximated.
    """
    var = law.variable
    alpha = _vector_values(law.alpha, env)
    if len(alpha) != int(evaluate(law.length, env)):
        raise Unsupported(f"{law.alpha} has {len(alpha)} values for K = {law.length}")
    total_alpha = mpmath.fsum(alpha)
    unrolled = body.replace(
        lambda n: isinstance(n, sympy.Sum) and n.function.has(var), lambda n: _unroll(n, env)
    )
    if len(alpha) == 2:
        return _dirichlet_mean_k2(unrolled, var, alpha, env)
    total = mpmath.mpf(0)
    for term in sympy.Add.make_args(sympy.expand(unrolled)):
        coords = {c for c in term.atoms(Indexed) if c.base == var}
        if not term.has(var):
            total += evaluate(term, env)
            continue
        slots = {_coordinate_index(c, env, len(alpha)) for c in coords}
        if len(slots) != 1 or term.xreplace({c: _COORDINATE for c in coords}).has(var):
            raise Unsupported(
                f"E over Dirichlet of {term}: only sums of functions of one coordinate x[j] "
                "are evaluated"
            )
        j = slots.pop()
        # Near x[j] = 1 the integrand is written in u = 1 - x[j], so that 1 - x[j] keeps its
        # digits there (sympy folds 1 - (1 - u) to u).
        near0 = _compiled(term.xreplace({c: _COORDINATE for c in coords}))
        near1 = _compiled(term.xreplace({c: 1 - _COMPLEMENT for c in coords}))
        total += _beta_mean(near0, near1, alpha[j - 1], total_alpha - alpha[j - 1], env)
    return total


def _dirichlet_mean_k2(
    body: Expr, var: Expr, alpha: tuple[mpmath.mpf, ...], env: Point
) -> mpmath.mpf:
    """At K = 2 the simplex is the segment x[2] = 1 - x[1]: the whole integrand is integrated
    against the density of x[1], Beta(alpha_1, alpha_2), without splitting it into terms."""
    coords = {c for c in body.atoms(Indexed) if c.base == var}
    slots = {c: _coordinate_index(c, env, 2) for c in coords}
    near0 = body.xreplace({c: _COORDINATE if j == 1 else 1 - _COORDINATE for c, j in slots.items()})
    near1 = body.xreplace({c: 1 - _COMPLEMENT if j == 1 else _COMPLEMENT for c, j in slots.items()})
    if near0.has(var) or near1.has(var):
        raise Unsupported(f"E over Dirichlet of {body}: x appears other than as x[j]")
    return _beta_mean(_compiled(near0), _compiled(near1), alpha[0], alpha[1], env)


def _unroll(node: sympy.Sum, env: Point) -> Expr:
    if len(node.limits) != 1:
        inner = sympy.Sum(node.function, *node.limits[:-1])
        return _unroll(sympy.Sum(inner, node.limits[-1]), env)
    var, indices = _range(node.limits[0], env)
    return sympy.Add(*(node.function.xreplace({var: sympy.Integer(k)}) for k in indices))


def _coordinate_index(coord: Indexed, env: Point, length: int) -> int:
    if len(coord.indices) != 1:
        raise Unsupported(f"the coordinate {coord} has more than one index")
    k = evaluate(coord.indices[0], env)
    if k != int(k) or not 1 <= k <= length:
        raise Undefined(f"coordinate index {mpmath.nstr(k, 10)} outside 1..{length}")
    return int(k)


def _beta_mean(
    near0: Compiled, near1: Compiled, a: mpmath.mpf, b: mpmath.mpf, env: Point
) -> mpmath.mpf:
    """E[g(t)] for t ~ Beta(a, b) by tanh-sinh quadrature, split at 1/2; ``near0`` is g in t,
    ``near1`` is g in u = 1 - t.

    t = w^(1/a) near 0 and u = w^(1/b) near 1 absorb the factors t^(a-1) and u^(b-1), which
    are singular when a or b < 1, into the measure dw: what is left is smooth up to a
    logarithm, which tanh-sinh integrates to full precision.
    """

    def at(g: Compiled, symbol: Symbol, v: mpmath.mpf) -> mpmath.mpf:
        try:
            return g(env.with_bound({symbol: v}))
        except Undefined as exc:
            # An integrand without a value inside the support is not a verdict on the step.
            raise Unsupported(
                f"the integrand has no value at {symbol} = {mpmath.nstr(v, 10)}"
            ) from exc

    if b == 0:
        # K = 1: the simplex is the point x[1] = 1.
        return at(near1, _COMPLEMENT, mpmath.mpf(0))
    half = mpmath.mpf(1) / 2
    lower, e1 = mpmath.quad(
        lambda w: (1 - w ** (1 / a)) ** (b - 1) * at(near0, _COORDINATE, w ** (1 / a)),
        [0, half**a],
        error=True,
    )
    upper, e2 = mpmath.quad(
        lambda w: (1 - w ** (1 / b)) ** (a - 1) * at(near1, _COMPLEMENT, w ** (1 / b)),
        [0, half**b],
        error=True,
    )
    value = (lower / a + upper / b) / mpmath.beta(a, b)
    _require_converged(value, e1 / a + e2 / b, "the Beta-marginal quadrature")
    return value


def _require_converged(value: mpmath.mpf, error: mpmath.mpf, what: str) -> None:
    if error > tolerance(mpmath.mp.dps) * max(abs(value), 1) / 100:
        raise Unsupported(f"{what} did not reach the working precision")


# Tensor Gauss–Hermite rules grow as n^d: past this many nodes the evaluation is refused.
MAX_NODES = 20_000


def _normal_mean(body: Expr, law: NormalLaw, env: Point) -> mpmath.mpf:
    """E over N(mu, Sigma) of a polynomial in x by exact Gauss–Hermite quadrature.

    x = mu + L z with L the Cholesky factor of Sigma and z standard normal; the tensor rule with
    n nodes per axis integrates every polynomial of degree <= 2n - 1 in z exactly, so n is
    chosen from a proved bound on the degree in x. Anything not polynomial is unsupported.
    """
    degree = polynomial_degree(body, law.variable)
    if degree is None:
        raise Unsupported(f"E over a normal law of {body}, which is not a polynomial in x")
    mu, sigma = _matrix(law.mu, env), _matrix(law.sigma, env)
    n, d = degree // 2 + 1, mu.rows
    if mu.cols != 1 or sigma.rows != sigma.cols or sigma.rows != mu.rows:
        raise Unsupported("mu must be a column and Sigma a square matrix of its length")
    scale = max(abs(v) for v in sigma)
    if any(
        abs(sigma[r, c] - sigma[c, r]) > tolerance(mpmath.mp.dps) * scale for r, c in _grid(d, 2)
    ):
        # mpmath's Cholesky reads one triangle only: a non-symmetric Sigma is no covariance.
        raise Undefined("Sigma is not symmetric")
    try:
        chol = mpmath.cholesky(sigma)
    except ValueError as exc:
        raise Undefined("Sigma is not positive definite") from exc
    if n**d > MAX_NODES:
        raise Unsupported(f"a Gauss–Hermite rule of {n}^{d} nodes")
    nodes, weights = _hermite_rule(n, mpmath.mp.prec)
    integrand = _compiled(body)
    total = mpmath.mpf(0)
    for combo in _grid(n, d):
        z = mpmath.matrix([nodes[c] for c in combo])
        x = mu + chol * z
        weight = mpmath.fprod(weights[c] for c in combo)
        total += weight * integrand(env.with_bound({law.variable: tuple(x)}))
    return total


def _grid(n: int, d: int) -> list[tuple[int, ...]]:
    combos: list[tuple[int, ...]] = [()]
    for _ in range(d):
        combos = [c + (k,) for c in combos for k in range(n)]
    return combos


@lru_cache(maxsize=64)
def _hermite_rule(n: int, prec: int) -> tuple[tuple[mpmath.mpf, ...], tuple[mpmath.mpf, ...]]:
    """Nodes and weights of the n-point Gauss rule for the standard normal density.

    The nodes are the roots of the probabilists' Hermite polynomial He_n, the weights
    n! / (n He_(n-1)(z))^2 (they sum to 1).
    """
    z = sympy.Symbol("z")
    he = sympy.Poly(sympy.hermite_prob(n, z), z)
    previous = sympy.Poly(sympy.hermite_prob(n - 1, z), z)
    with mpmath.workprec(prec + 30):
        roots = mpmath.polyroots([int(c) for c in he.all_coeffs()], maxsteps=200, extraprec=prec)
        nodes = sorted(mpmath.re(r) for r in roots)
        weights = [
            mpmath.factorial(n)
            / (n * mpmath.polyval([int(c) for c in previous.all_coeffs()], r)) ** 2
            for r in nodes
        ]
    return tuple(+v for v in nodes), tuple(+w for w in weights)


def polynomial_degree(expr: Expr, var: MatrixSymbol) -> int | None:
    """An upper bound on the degree of ``expr`` as a polynomial in the entries of ``var``, or
    None when it is not visibly a polynomial (``var`` under a log, an inverse, a determinant).

    >>> d = Symbol("d", integer=True, positive=True)
    >>> x, a = MatrixSymbol("x", d, 1), MatrixSymbol("A", d, d)
    >>> polynomial_degree(Trace(x.T * a * x) / 2 + 3, x)
    2
    >>> polynomial_degree(sympy.log(Trace(x.T * x)), x) is None
    True
    """
    if not expr.has(var):
        return 0
    if expr == var:
        return 1
    if isinstance(expr, (Transpose, Trace)):
        return polynomial_degree(expr.arg, var)
    if isinstance(expr, (MatMul, sympy.Mul)):
        degrees = [polynomial_degree(a, var) for a in expr.args]
        return None if None in degrees else sum(degrees)
    if isinstance(expr, (MatAdd, sympy.Add)):
        degrees = [polynomial_degree(a, var) for a in expr.args]
        return None if None in degrees else max(degrees)
    if isinstance(expr, (MatPow, sympy.Pow)) and expr.exp.is_Integer and expr.exp >= 0:
        base = polynomial_degree(expr.base, var)
        return None if base is None else base * int(expr.exp)
    return None


VectorSpec = tuple[Expr, VectorDomain]
"""A vector's length (an integer or an integer symbol, ``N`` for one value per data point), or
the shape ``Tuple(rows, cols)`` of a table, and its domain: the simplex, one-hot, positive or
real vectors, data vectors; or a square matrix's side and the SPD matrices (entries row by
row)."""


def sample_vector(length: int, kind: VectorDomain, rng: random.Random) -> tuple[mpmath.mpf, ...]:
    """A random member of the domain ``kind`` at the given length, by its own sampler."""
    return kind.draw(length, rng)


def sample_entries(
    spec: VectorSpec, values: Mapping[Symbol, mpmath.mpf], rng: random.Random
) -> tuple:
    """A vector of ``spec``, or for a shape ``(rows, cols)`` a table of rows, each a vector of
    the kind (one-hot rows for targets t[n, k], simplex rows for probabilities)."""
    shape, kind = spec
    if isinstance(shape, sympy.Tuple):
        rows, cols = (vector_length((n, kind), values) for n in shape)
        return tuple(sample_vector(cols, kind, rng) for _ in range(rows))
    return sample_vector(vector_length(spec, values), kind, rng)


def vector_length(spec: VectorSpec, values: Mapping[Symbol, mpmath.mpf]) -> int:
    """The length a spec asks for, reading an integer symbol from the sampled values."""
    length = spec[0]
    if isinstance(length, Symbol):
        if length not in values:
            raise Unsupported(f"no value for the length {length}")
        return int(values[length])
    return int(length)


def sample_value(
    sym: Symbol,
    rng: random.Random,
    interval: tuple[float, float] | None = None,
    *,
    far: bool = False,
    complex_ok: bool = False,
    nice: bool = False,
    winding: bool = False,
) -> mpmath.mpf | mpmath.mpc:
    """A random value from the symbol's domain: its (open) interval if given, else its
    assumptions, the whole of them: an even integer is even, a nonpositive real is <= 0.

    ``far`` draws far out (|value| up to 10^6, or down to 10^-6 for a positive symbol, on a
    log scale) or, inside an interval, near its ends; ``complex_ok`` draws a symbol with no
    assumptions in the complex plane, which is its domain in sympy, and with ``winding`` its
    imaginary part past ±π, where principal branches wrap (log(exp(z)) is not z there)."""
    if interval is not None and sym.is_integer:
        lo, hi = int(mpmath.floor(interval[0])) + 1, int(mpmath.ceil(interval[1])) - 1
        if lo > hi:
            lo, hi = int(mpmath.ceil(interval[0])), int(interval[1])
        return mpmath.mpf(rng.choice((lo, hi)) if far else rng.randint(lo, hi))
    if interval is not None:
        if far:
            width = mpmath.mpf(interval[1]) - mpmath.mpf(interval[0])
            near = width * mpmath.mpf(10) ** -random_mpf(rng, 3, 7)
            return interval[0] + near if rng.random() < 0.5 else interval[1] - near
        return random_mpf(rng, *interval)
    if sym.is_integer:
        return mpmath.mpf(_sample_integer(sym, rng, far))
    if nice and sym.is_extended_real:
        # Small integers and halves: where powers of negative numbers are real.
        options = [v for v in _NICE if _in_sign(sym, v)]
        return mpmath.mpf(rng.choice(options)) if options else random_mpf(rng, -3, 3)
    if far:
        size = mpmath.mpf(10) ** random_mpf(rng, 1, 6)
        small = mpmath.mpf(10) ** -random_mpf(rng, 1, 6)
    else:
        size = small = mpmath.exp(random_mpf(rng, -2.5, 2.5))
    if sym.is_positive:
        return size if not far or rng.random() < 0.5 else small
    if sym.is_negative:
        return -(size if not far or rng.random() < 0.5 else small)
    if sym.is_nonnegative:
        return size
    if sym.is_nonpositive:
        return -size
    if sym.is_extended_real is None and complex_ok:
        if winding:
            imag = random_mpf(rng, 3.5, 8) * (1 if rng.random() < 0.5 else -1)
        else:
            imag = random_mpf(rng, -3, 3)
        return mpmath.mpc(random_mpf(rng, -3, 3), imag)
    if far:
        return size if rng.random() < 0.5 else -size
    return random_mpf(rng, -3, 3)


_NICE = (-2, -1, mpmath.mpf(-1) / 2, mpmath.mpf(1) / 2, 1, 2, 3)


def _in_sign(sym: Symbol, v: object) -> bool:
    return not (
        (sym.is_positive or sym.is_nonnegative) and v < 0
        or (sym.is_negative or sym.is_nonpositive) and v > 0
    )


def _sample_integer(sym: Symbol, rng: random.Random, far: bool) -> int:
    reach = 60 if far else 9
    lo = 1 if sym.is_positive else 0 if sym.is_nonnegative else -reach
    hi = -1 if sym.is_negative else 0 if sym.is_nonpositive else reach
    parity = 0 if sym.is_even else 1 if sym.is_odd else None
    choices = [k for k in range(lo, hi + 1) if parity is None or k % 2 == parity]
    if sym.is_zero is False:
        choices = [k for k in choices if k != 0] or choices
    if far:
        choices = [k for k in choices if abs(k) >= reach // 2] or choices
    return rng.choice(choices)


_SIZES = (1, 4, 7, 12, 19)
# The instance whose model fits its data perfectly (the third: 7 points, one repeated).
_PERFECT_FIT = 2


DataSampler = Callable[[random.Random, int], list[tuple[mpmath.mpf, mpmath.mpf]]]
"""Draws ``n`` data points ``(x, y)`` from a data domain (``y`` may be a dummy 0)."""


def labelled_points(rng: random.Random, n: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
    """The default data: three random features, labels 0, 1, 2, so points repeat."""
    features = [random_mpf(rng, -2, 2) for _ in range(3)]
    return [(rng.choice(features), mpmath.mpf(rng.choice((0, 1, 2)))) for _ in range(n)]


def sample_instances(
    seed: int = 0,
    count: int = 5,
    symbols: tuple[Symbol, ...] = (),
    intervals: Mapping[Symbol, tuple[float, float]] | None = None,
    data: DataSampler | None = None,
    vectors: Mapping[Expr, VectorSpec] | None = None,
    *,
    far: int = 0,
    complex_ok: bool = False,
    nice: int = 0,
) -> list[Instance]:
    """``count`` concrete instances: data of sizes 1, 4, 7, ... with a repeated point, a random
    model over three labels (in the third, a model that fits the data perfectly), and a value
    for each of ``symbols`` from its domain.

    ``data`` draws points from the data's own domain (counts, positive reals, ...); by default
    a feature and one of three labels. ``vectors`` are sampled after the symbols, so that a
    vector's length may be one of them (``K``). ``far`` more instances draw the symbols far
    out or near their intervals' ends; with ``complex_ok`` every other instance draws the
    symbols without assumptions in the complex plane (every fourth past ±π in its imaginary
    part); ``nice`` more draw real symbols among small integers and halves."""
    rng = random.Random(seed)
    intervals = intervals or {}
    draw = data or labelled_points
    labels = (0, 1, 2)
    instances = []
    for k in range(count + far + nice):
        n = _SIZES[k % len(_SIZES)] + 6 * (k // len(_SIZES))
        # A sampler may return more points than asked where its domain needs them (data with
        # two distinct values cannot have one point).
        points = draw(rng, n)
        n = len(points)
        if n >= 2:
            # Repeated points are where multiplicities matter: make sure there is one.
            points[-1] = points[rng.randrange(n - 1)]
        coefficients = tuple(
            (random_mpf(rng, -2, 2), random_mpf(rng, -1, 1), random_mpf(rng, -1, 1)) for _ in labels
        )
        fit: tuple[tuple[mpmath.mpf, int], ...] = ()
        if data is None and k == _PERFECT_FIT and k < count:
            # Consistent data (one label per feature) and the model that fits them exactly.
            first = {a: b for a, b in reversed(points)}
            points = [(a, first[a]) for a, _ in points]
            fit = tuple(sorted((a, int(b)) for a, b in first.items()))
        values = {
            s: sample_value(
                s,
                rng,
                intervals.get(s),
                far=count <= k < count + far,
                complex_ok=complex_ok and k % 2 == 1,
                winding=k % 4 == 3,
                nice=k >= count + far,
            )
            for s in symbols
        }
        for length, _ in (vectors or {}).values():
            # A dimension may be named only in the shapes of matrix symbols (d in Sigma).
            for side in length if isinstance(length, sympy.Tuple) else (length,):
                if isinstance(side, Symbol) and side not in values and side != N:
                    values[side] = sample_value(side, rng, intervals.get(side))
        # A data vector other than x and y has one value per data point: its length is N.
        lengths = {**values, N: mpmath.mpf(n)}
        sampled = {
            base: sample_entries(spec, lengths, rng)
            for base, spec in (vectors or {}).items()
        }
        instances.append(
            Instance(
                n=n,
                xs=tuple(p[0] for p in points),
                ys=tuple(p[1] for p in points),
                model=ConditionalModel(labels, coefficients, fit),
                values=values,
                vectors=sampled,
            )
        )
    return instances
