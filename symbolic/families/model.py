"""What a distribution family is: parameters with typed domains, a support, one density.

Everything else is derived from that definition: the log-density expanded in statistics (the
form the MLE solver and the divergence routes work with), the sampling intervals, which
parameter bounds the support, whether the data are positive, and the exponential-family form
(:meth:`Family.exponential_family`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import mpmath
import sympy
from sympy import Add, Expr, Indexed, Symbol, expand, expand_log, log
from sympy.logic.boolalg import Boolean

from symbolic.kernel.domains import Domain, Integers, Interval
from symbolic.kernel.measures import xv, yv
from symbolic.kernel.numeric import DataSampler, random_mpf

__all__ = [
    "Parameter",
    "parameter",
    "Family",
    "DivergenceHints",
    "Param",
    "ExponentialForm",
    "NotNormalized",
    "check_normalized",
    "support_sampler",
]

Param = Symbol | Indexed
"""An estimated parameter: a symbol, or ``pi[k]`` for the categorical family."""

Theta = Mapping[str, Expr]


@dataclass(frozen=True)
class Parameter:
    """A parameter: its symbol (whose assumptions come from ``domain``), its printed names, and
    optionally the interval the numeric checks sample it from when the domain's assumptions
    are too wide (a probability in (0, 1), a scale kept away from 0)."""

    symbol: Expr
    domain: Domain
    latex: str = ""
    text: str = ""
    interval: tuple[float, float] | None = None

    @property
    def name(self) -> str:
        base = self.symbol.base.label if isinstance(self.symbol, Indexed) else self.symbol
        return str(base)


def parameter(
    name: str, domain: Domain, latex: str = "", text: str = "", **kw: object
) -> Parameter:
    """A scalar parameter named ``name`` ranging over ``domain``.

    >>> from symbolic.kernel.domains import UNIT
    >>> parameter("p", UNIT).symbol.is_positive
    True
    """
    return Parameter(domain.symbol(name), domain, latex or name, text or name, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DivergenceHints:
    """How the divergence routes (:mod:`symbolic.generators.divergences`) take the family's
    expectations: the routes tried in order, the parameters the exponential-family route
    differentiates, where quadrature splits, changes of variables, and sampling intervals for
    the checks (away from where quadrature needs more than 50 digits). Hints only propose
    routes: the kernel checks every result against the defining integral or sum."""

    routes: tuple[str, ...] = ("integrate",)
    natural: tuple[str, ...] = ()
    intervals: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    same_support: bool = False
    splits: Callable[[Theta], tuple[Expr, ...]] = lambda th: ()
    substitution: Callable[[Theta, Symbol], Expr] | None = None
    quadrature_map: Callable[[Theta, Symbol], tuple[Expr, Expr, Expr, Expr]] | None = None
    unmap: Callable[[Theta, Expr], Expr] | None = None
    endpoint_powers: Callable[[Theta], tuple[Expr | None, Expr | None]] | None = None
    relations: Callable[[Theta], tuple[Boolean, ...]] = lambda th: ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExponentialForm:
    """``log p(x) = Σ_k η_k(θ) T_k(x) + rest(θ) + log h(x)``: natural parameters η keyed by
    their statistic T, and the θ-dependent rest, ``-A(θ)``."""

    natural: Mapping[Expr, Expr]
    rest: Expr
    base: Expr


@dataclass(frozen=True, eq=False)
class Family:
    """A parametric family: parameters (estimated ones first, then ``known`` ones), a support
    that may depend on the parameters, and the density or mass as one sympy expression in
    ``variable`` (and ``response`` for a regression of y on x).

    ``discrete`` and ``sample`` (data points in the support, for the numeric checks) follow
    from the support when left out; ``start`` gives a
    rough starting point for the numeric maximization; ``coordinates`` is a family in matrix
    form written out at a fixed dimension; ``log_density`` overrides the derived expansion
    only where a hand-kept form is the point (the log-determinant kept whole).

    >>> from symbolic.families import FAMILIES
    >>> FAMILIES["uniform"].support
    {theta: 'max'}
    >>> FAMILIES["poisson"].support_domain.text()
    '{0, 1, 2, ...}'
    """

    name: str
    parameters: tuple[Parameter, ...]
    variable: Expr
    support_domain: Domain
    density: Expr
    discrete: bool = None  # type: ignore[assignment]
    sample: DataSampler = None  # type: ignore[assignment]
    known_names: tuple[str, ...] = ()
    response: Symbol | None = None
    response_domain: Domain | None = None
    start: Callable[[list[tuple[float, float]]], dict[Param, float]] | None = None
    coordinates: Family | None = None
    log_density: Expr | None = None
    hints: DivergenceHints | None = None

    def __post_init__(self) -> None:
        # Left out, discreteness and the data sampler follow from the support.
        if self.discrete is None:
            counted = isinstance(self.support_domain, Integers) or isinstance(
                self.response_domain, Integers)
            object.__setattr__(self, "discrete", counted)
        if self.sample is None:
            object.__setattr__(self, "sample", support_sampler(self.support_domain))

    # --- the parameters -----------------------------------------------------------------

    @property
    def params(self) -> tuple[Param, ...]:
        """The estimated parameters' symbols."""
        return tuple(p.symbol for p in self.parameters if p.name not in self.known_names)

    @property
    def known(self) -> tuple[Symbol, ...]:
        """The known parameters' symbols."""
        return tuple(p.symbol for p in self.parameters if p.name in self.known_names)

    @property
    def symbols(self) -> tuple[Param, ...]:
        """Estimated and known parameters, in that order."""
        return (*self.params, *self.known)

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    @cached_property
    def intervals(self) -> dict[Symbol, tuple[float, float]]:
        """Sampling intervals of the parameters whose assumptions are too wide."""
        return {p.symbol: p.interval for p in self.parameters if p.interval is not None}

    # --- derived from the support ------------------------------------------------------------

    @cached_property
    def support(self) -> dict[Symbol, str]:
        """Estimated parameters that bound the support: ``"max"`` (at least every data point)
        or ``"min"`` (at most)."""
        out: dict[Symbol, str] = {}
        if not isinstance(self.support_domain, Interval):
            return out
        lo, hi = self.support_domain.bounds()
        for p in self.params:
            if hi.has(p):
                out[p] = "max"
            elif lo.has(p):
                out[p] = "min"
        return out

    @property
    def regression(self) -> bool:
        return self.response is not None

    @property
    def positive_data(self) -> bool:
        """The data lie in (0, oo), which the kernel may assume of them."""
        return bool(self.support_domain.assumptions().get("positive")) and not self.discrete

    @cached_property
    def logp(self) -> Expr:
        """The log-density in the bound variables ``xv`` (and ``yv``), expanded in statistics.

        ``force=True`` is sound: every factor of every density is positive on its support and
        parameter domains (1 - p with p in (0, 1) is the one sympy cannot see).
        """
        if self.log_density is not None:
            return self.log_density
        out = expand(expand_log(log(self.density), force=True))
        return out.xreplace(self._bound_variables())

    def _bound_variables(self) -> dict[Expr, Expr]:
        subs: dict[Expr, Expr] = {self.variable: xv}
        if self.response is not None:
            subs[self.response] = yv
        return subs

    def exponential_family(self, natural: tuple[Param, ...] | None = None) -> ExponentialForm:
        """The log-density split into statistics: each x-dependent factor's coefficient (the
        natural parameter when it depends on θ), the θ-dependent rest and the base measure.

        >>> from symbolic.families import FAMILIES
        >>> form = FAMILIES["poisson"].exponential_family()
        >>> dict(form.natural), form.rest, form.base
        ({x: log(lam)}, -lam, -log(factorial(x)))
        """
        thetas = set(natural or self.symbols)
        natural_: dict[Expr, Expr] = {}
        rest, base = sympy.S.Zero, sympy.S.Zero
        lp = self.logp
        for term in Add.make_args(expand(lp)):
            coeff, dependent = term.as_independent(xv, yv, as_Add=False)
            if dependent == 1:
                rest += coeff
            elif coeff.free_symbols & thetas:
                natural_[dependent] = natural_.get(dependent, sympy.S.Zero) + coeff
            else:
                base += term
        return ExponentialForm(natural_, rest, base)

    # --- variants ----------------------------------------------------------------------------

    def fix(self, name: str, *known: str, **changes: object) -> Family:
        """The same distribution with the parameters ``known`` given rather than estimated."""
        return replace(self, name=name, known_names=known, **changes)  # type: ignore[arg-type]

    def restrict(
        self, name: str, values: Mapping[str, Expr], renamed: Mapping[str, Parameter],
        **changes: object,
    ) -> Family:
        """The sub-family with the parameters ``values`` set and ``renamed`` ones replaced by
        new parameters (the uniform law on (0, theta] from the one on (a, b])."""
        subs: dict[Expr, Expr] = {self.parameter(k).symbol: v for k, v in values.items()}
        subs.update({self.parameter(k).symbol: p.symbol for k, p in renamed.items()})
        params = tuple(
            renamed.get(p.name, p) for p in self.parameters if p.name not in values
        )
        dom = self.support_domain
        if isinstance(dom, Interval):
            dom = replace(dom, lo=dom.lo.xreplace(subs), hi=dom.hi.xreplace(subs))
        variable = dom.symbol(str(self.variable))
        density = self.density.xreplace({**subs, self.variable: variable})
        return replace(
            self, name=name, parameters=params, variable=variable, support_domain=dom,
            density=density, **changes,  # type: ignore[arg-type]
        )

    # --- for the divergences ---------------------------------------------------------------

    @property
    def kind(self) -> str:
        return "shannon" if self.discrete else "differential"

    def theta(self, side: int) -> dict[str, Expr]:
        """The parameter symbols of P (side 1) or Q (side 2); known ones are shared, unsuffixed."""
        return {
            p.name: p.symbol if p.name in self.known_names
            else Symbol(f"{p.name}_{side}", **p.domain.assumptions())
            for p in self.parameters
        }

    def density_at(self, x: Expr, th: Theta) -> Expr:
        """The density at ``x`` with the parameters ``th`` (by name)."""
        subs = {p.symbol: th[p.name] for p in self.parameters}
        return self.density.xreplace({**subs, self.variable: x})

    def support_at(self, th: Theta) -> tuple[Expr, Expr]:
        """The support's end points with the parameters ``th``."""
        subs = {p.symbol: th[p.name] for p in self.parameters}
        lo, hi = self.support_domain.bounds()
        return lo.xreplace(subs), hi.xreplace(subs)

    def contained(self, p: Theta, q: Theta) -> Boolean | None:
        """The condition supp P ⊆ supp Q, derived from the parameter-dependent support ends;
        None when the support does not depend on a parameter."""
        (plo, phi), (qlo, qhi) = self.support_at(p), self.support_at(q)
        conds = []
        if plo != qlo:
            conds.append(qlo <= plo)
        if phi != qhi:
            conds.append(phi <= qhi)
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else sympy.And(*conds)


def support_sampler(support: Domain, distinct: int = 5) -> DataSampler:
    """Data drawn from a pool of ``distinct`` points inside the support (so points repeat),
    away from its ends where a density may vanish or blow up."""

    def draw(rng: random.Random, size: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        pool = [_inside(support, rng) for _ in range(distinct)]
        return [(rng.choice(pool), mpmath.mpf(0)) for _ in range(size)]

    return draw


def _inside(support: Domain, rng: random.Random) -> mpmath.mpf:
    if isinstance(support, Integers):
        lo = support.start
        hi = support.stop if support.stop is not None and support.stop.is_number else lo + 6
        return mpmath.mpf(rng.randint(int(lo), int(hi)))
    if not isinstance(support, Interval):
        raise TypeError(f"no default data sampler for {support}")
    lo, hi = support.bounds()
    a = float(lo) if lo.is_number and lo.is_finite else None
    b = float(hi) if hi.is_number and hi.is_finite else None
    if a is not None and b is not None:
        return mpmath.mpf(a) + (mpmath.mpf(b) - a) * random_mpf(rng, 0.1, 0.9)
    if a is not None:
        return mpmath.mpf(a) + random_mpf(rng, 0.2, 3)
    if b is not None:
        return mpmath.mpf(b) - random_mpf(rng, 0.2, 3)
    return random_mpf(rng, -3, 3)


class NotNormalized(ValueError):
    """The density does not integrate (or sum) to 1 on its support."""


def _sample_parameters(params: tuple[Parameter, ...], rng: random.Random) -> dict[Expr, float]:
    out: dict[Expr, float] = {}
    for p in params:
        dom = p.domain
        if p.interval is not None:
            out[p.symbol] = rng.uniform(*p.interval)
        elif isinstance(dom, Interval) and not dom.free_symbols():
            lo, hi = dom.bounds()
            a = float(lo) if lo.is_finite else None
            b = float(hi) if hi.is_finite else None
            if a is not None and b is not None:
                out[p.symbol] = rng.uniform(a + (b - a) / 10, b - (b - a) / 10)
            elif a is not None:
                out[p.symbol] = a + rng.uniform(0.5, 3)
            elif b is not None:
                out[p.symbol] = b - rng.uniform(0.5, 3)
            else:
                out[p.symbol] = rng.uniform(-2, 2)
        elif isinstance(dom, Integers):
            out[p.symbol] = float(int(dom.start) + rng.randint(1, 5))
        else:
            raise NotNormalized(f"parameter {p.name}: cannot sample {dom.text()}")
    return out


def _mp(end: Expr) -> mpmath.mpf:
    if end == sympy.oo:
        return mpmath.inf
    if end == -sympy.oo:
        return -mpmath.inf
    return mpmath.mpf(str(sympy.N(end, 40)))


def check_normalized(fam: Family, points: int = 3, seed: int = 7) -> None:
    """Raise :class:`NotNormalized` unless the density integrates (or sums) to 1 on the
    support at ``points`` sampled parameter values: mpmath quadrature or summation at 30
    digits, to 1e-10. Numeric evidence, and said so: it catches a wrong constant.

    >>> from symbolic.families import FAMILIES
    >>> check_normalized(FAMILIES["poisson"])
    """
    rng = random.Random(seed)
    for _ in range(points):
        values = _sample_parameters(fam.parameters, rng)
        at = {s: sympy.Float(v, 30) for s, v in values.items()}
        density = fam.density.xreplace(at)
        lo, hi = (e.xreplace(at) for e in fam.support_domain.bounds())
        f = sympy.lambdify(fam.variable, density, modules="mpmath")
        how = "summation" if fam.discrete else "quadrature"
        with mpmath.workdps(30):
            try:
                ends = [_mp(lo), _mp(hi)]
                total = mpmath.nsum(f, ends) if fam.discrete else mpmath.quad(f, ends)
            except (ValueError, TypeError, ZeroDivisionError, OverflowError) as exc:
                raise NotNormalized(f"the density could not be integrated numerically ({exc})"
                                    ) from None
            total = mpmath.re(total)
            if not mpmath.isfinite(total) or abs(total - 1) > mpmath.mpf(10) ** -10:
                shown = ", ".join(f"{s} = {v:.6g}" for s, v in values.items())
                raise NotNormalized(
                    f"the density does not integrate to 1 on its support {fam.support_domain}: "
                    f"it {'sums' if fam.discrete else 'integrates'} to {mpmath.nstr(total, 12)} "
                    f"at {shown} (checked numerically, by mpmath {how})"
                )
