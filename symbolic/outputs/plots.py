"""Pictures of the catalog's theorems, drawn with matplotlib (imported only when drawing).

* ``cross-entropy-cost``, ``kl-vs-mle``: on a small data set with repeated points (study hours
  and exam results of 20 students), ``NLL(θ)/N`` and ``D_KL(p̂_data ‖ p_θ)`` over θ: two curves
  a constant ``H(p̂_data)`` apart with the same minimizer, marked.
* ``mle/<family>``: the NLL over the parameter with the estimate marked (a contour plot for two).
* ``kl/<family>``: ``D_KL(P ‖ Q)`` as Q's parameter moves, with its zero at Q = P.

The pictures are illustrations, not verdicts: they evaluate the expressions numerically on a
grid and never stand in for the kernel.

**Protocol for catalog modules.** A picture is a :class:`NLLPlot`, a :class:`KLPlot` or a
:class:`GapPlot`. An entry gets one from a factory registered by id prefix (the longest prefix
wins)::

    from symbolic.outputs.plots import KLPlot, register
    register("kl/", lambda derivation_id: KLPlot(...))

Registering where the entries are defined (a ``derivations/*.py`` module) is enough: the catalog
imports those modules before a picture is looked up. Without a registered factory:

* ``mle/<name>`` reads ``symbolic.families.FAMILIES[name]`` (``logp`` in ``xv``/``yv``,
  ``params`` as symbols, ``known``, ``intervals``, ``support``, ``sample``), draws data with
  ``sample``, and marks the estimate of ``symbolic.generators.stationary.solve_family`` (its
  ``estimators``, one per parameter: closed forms, max/min or the median, evaluated at the data
  by ``evaluate_estimator``) or else the numeric MLE of ``symbolic mle`` (Newton's method from
  several starts), a minimizer on a grid only where that finds none; the legend says which;
* ``kl/<name>`` reads ``symbolic.generators.divergences.divergence(name)`` (``kl`` in closed
  form, ``p`` and ``q`` the parameters of P and Q, ``intervals``), puts P at the middle of the
  intervals and moves Q's first parameter, the others equal to P's.

``kl/categorical``, ``kl/dirichlet`` and ``kl/multivariate-normal`` (symbolic dimension) are drawn
from the same closed forms at K = 3 or d = 2, and ``mle/categorical`` over the simplex at K = 3.
``mle/multivariate-normal`` has no picture until a factory is registered.

>>> spec = plot_spec("kl-vs-mle")
>>> round(spec.entropy(), 4)
0.3932
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
from sympy import Expr, Float, Rational, Symbol, exp, lambdify, latex, log

from symbolic.catalog import entries
from symbolic.kernel.measures import theta, xv, yv
from symbolic.outputs.i18n import family_name

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "NLLPlot",
    "KLPlot",
    "GapPlot",
    "NoPlot",
    "register",
    "plot_spec",
    "figure",
    "save",
    "family_nll_plot",
    "family_kl_plot",
    "FORMATS",
]

FORMATS = ("png", "svg")
DPI = 200


class NoPlot(LookupError):
    """No picture is defined for this catalog id."""


Data = tuple[tuple[float, float], ...]


def _vectorized(f: Callable[..., float]) -> Callable[..., Any]:
    return np.vectorize(f, otypes=[float])


def _lbeta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


# numpy has no gamma or beta function, and math's take scalars only.
def _gamma(a: float) -> float:
    try:
        return math.gamma(a)
    except (OverflowError, ValueError):
        return math.inf


_SPECIAL = {
    "gamma": _vectorized(_gamma),
    "digamma": _vectorized(lambda a: float(mpmath.digamma(a))),
    "polygamma": _vectorized(lambda n, a: float(mpmath.polygamma(n, a))),
    "loggamma": _vectorized(math.lgamma),
    "beta": _vectorized(lambda a, b: math.exp(min(_lbeta(a, b), 700.0))),
}


def _numeric(expr: Expr, params: Sequence[Symbol]) -> Callable[..., Any]:
    """``expr`` as a numpy function of ``params``."""
    # Plain argument names: a parameter may be named like a function (the beta family's beta).
    args = [Symbol(f"arg{k}") for k in range(len(params))]
    body = expr.xreplace(dict(zip(params, args, strict=True)))
    return lambdify(args, body, modules=[_SPECIAL, "numpy"])


def _mean_nll(
    logp: Expr,
    params: Sequence[Symbol],
    data: Data,
    fixed: Mapping,
    support: Mapping[Symbol, str] | None = None,
) -> Callable:
    """NLL(θ)/N as a numpy function of the parameters (arrays broadcast).

    ``support`` maps a parameter to ``"max"`` (it must be at least every data point) or
    ``"min"`` (at most): off the support the likelihood is 0 and the NLL +oo, which the
    log-density alone does not say.
    """
    # Substituting the data first leaves only parameters: factorials of counts become numbers.
    body = logp.subs(dict(fixed))
    total = sum(body.subs({xv: a, yv: b}) for a, b in data)
    f = _numeric(-total / len(data), params)
    xs = [a for a, _ in data]
    bounds = [
        (k, side) for k, p in enumerate(params) for q, side in (support or {}).items() if p == q
    ]

    def nll(*values: Any) -> Any:
        with np.errstate(all="ignore"):
            out = np.asarray(f(*values), dtype=float) + np.zeros(np.shape(values[0]))
        for k, side in bounds:
            outside = values[k] < max(xs) if side == "max" else values[k] > min(xs)
            out = np.where(outside, np.inf, out)
        return out

    return nll


def _search_axis(p: Symbol, ranges: Mapping[Symbol, tuple[float, float]], n: int) -> np.ndarray:
    if p in ranges:
        return np.linspace(*ranges[p], n)
    if p.is_positive:
        return np.geomspace(1e-3, 1e3, n)
    return np.linspace(-100.0, 100.0, n)


def _minimizer(nll: Callable, params: Sequence[Symbol], ranges: Mapping) -> dict[Symbol, float]:
    """The grid point of least NLL, refined by zooming in: robust where Newton's method is not
    (no starting point, parameters on very different scales), and plenty for a marker."""
    n = {1: 801, 2: 161}.get(len(params), 41)
    axes = [_search_axis(p, ranges, n) for p in params]
    for _ in range(14):
        grid = np.meshgrid(*axes, indexing="ij")
        values = np.where(np.isfinite(v := nll(*grid)), v, np.inf)
        if not np.isfinite(values).any():
            raise NoPlot("the NLL is not finite anywhere on the search grid")
        idx = np.unravel_index(np.argmin(values), values.shape)
        # A window of several cells: a narrow tilted valley can put the minimum beyond the next.
        axes = [
            np.linspace(ax[max(k - 4, 0)], ax[min(k + 4, len(ax) - 1)], 41)
            for ax, k in zip(axes, idx, strict=True)
        ]
    return {p: float(g[idx]) for p, g in zip(params, grid, strict=True)}


@dataclass(frozen=True)
class NLLPlot:
    """The NLL per point over one parameter (a curve) or two (contours), estimate marked.

    ``logp`` is the log-density (or log-mass) in :data:`~symbolic.kernel.measures.xv` (and
    :data:`~symbolic.kernel.measures.yv`) and the parameters; ``fixed`` gives every other symbol a
    value (known parameters, and estimated ones not on the axes); ``ranges`` the axes' spans, else
    chosen around the estimate; ``support`` as in the families (``"max"``: the parameter is at
    least every data point, ``"min"``: at most).
    """

    title: str
    logp: Expr
    params: tuple[Symbol, ...]
    data: Data
    estimate: Mapping[Symbol, float]
    fixed: Mapping[Symbol, float] = field(default_factory=dict)
    estimate_label: str = "closed-form estimate"
    ranges: Mapping[Symbol, tuple[float, float]] = field(default_factory=dict)
    support: Mapping[Symbol, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KLPlot:
    """``D_KL(P ‖ Q)`` in closed form as Q's parameter ``param`` moves; zero where it is ``at``.

    ``kl`` is a sympy expression; ``fixed`` gives every other symbol of it a value.
    """

    title: str
    kl: Expr
    param: Symbol
    at: float
    fixed: Mapping[Symbol, float] = field(default_factory=dict)
    span: tuple[float, float] | None = None


@dataclass(frozen=True)
class GapPlot:
    """The seed's picture: a one-parameter conditional model on discrete data, NLL/N and KL."""

    title: str
    logp: Expr
    data: Data
    span: tuple[float, float]
    param: Symbol = theta

    def entropy(self) -> float:
        """``H(p̂_data)``: the mean of ``-log p̂_data(y | x)``, with ``p̂ = count(x, y)/count(x)``."""
        pairs = Counter(self.data)
        xs = Counter(a for a, _ in self.data)
        return -sum(c * math.log(c / xs[a]) for (a, _), c in pairs.items()) / len(self.data)


_FACTORIES: dict[str, Callable[[str], NLLPlot | KLPlot | GapPlot]] = {}


def register(prefix: str, factory: Callable[[str], NLLPlot | KLPlot | GapPlot]) -> None:
    """Make ``factory(id)`` the picture of every catalog id starting with ``prefix``."""
    _FACTORIES[prefix] = factory


def plot_spec(derivation_id: str) -> NLLPlot | KLPlot | GapPlot:
    """The picture of a catalog entry; :class:`NoPlot` if none is defined for it."""
    entries()  # the catalog modules register their factories when they are imported
    matches = [p for p in _FACTORIES if derivation_id.startswith(p)]
    if not matches:
        raise NoPlot(f"no plot is defined for {derivation_id!r}")
    return _FACTORIES[max(matches, key=len)](derivation_id)


# --- the seed's picture ----------------------------------------------------------------------

# Study hours (x) of 20 students and whether they passed (y); repeated points on purpose.
_PASSED = {1: (0, 3), 2: (1, 4), 3: (3, 5), 4: (3, 4), 5: (4, 4)}  # hours: (passed, students)
STUDY_DATA: Data = tuple(
    (float(h), float(k < passed)) for h, (passed, total) in _PASSED.items() for k in range(total)
)


# mathtext spellings of the post's notation, for titles, labels and legends.
_NLL = r"$\mathrm{NLL}(\theta)/N = H(\hat{p}_{data}, p_\theta)$"
_KL = r"$D_{KL}(\hat{p}_{data} \,\Vert\, p_\theta)$"
_H = r"$H(\hat{p}_{data})$"


def _seed_plot(derivation_id: str) -> GapPlot:
    # p_θ(y = 1 | x) = σ(θ (x - 3)): a logistic model with one parameter, so θ is one axis.
    z = theta * (xv - 3)
    logp = yv * log(1 / (1 + exp(-z))) + (1 - yv) * log(1 / (1 + exp(z)))
    title = {
        "cross-entropy-cost": (
            r"$\mathrm{NLL}(\theta)/N = H(\hat{p}_{data}, p_\theta)"
            r" = D_{KL}(\hat{p}_{data} \,\Vert\, p_\theta) + H(\hat{p}_{data})$"
        ),
        "kl-vs-mle": (
            r"$\arg\min_\theta D_{KL}(\hat{p}_{data} \,\Vert\, p_\theta)"
            r" = \arg\min_\theta \mathrm{NLL}(\theta)/N = \hat{\theta}_{MLE}$"
        ),
    }[derivation_id]
    return GapPlot(title=title, logp=logp, data=STUDY_DATA, span=(-0.6, 3.6))


for _seed_id in ("cross-entropy-cost", "kl-vs-mle"):
    register(_seed_id, _seed_plot)


# --- mle/ default: a family of symbolic.families on sampled data -----------------------------


def family_nll_plot(derivation_id: str, size: int = 30, seed: int = 0) -> NLLPlot:
    """The NLL of the family named after ``mle/`` on data drawn by the family's sampler.

    The estimate marked is the solver's closed form where it has one, else the numeric MLE
    (a grid's minimizer only where Newton's method finds none), and the legend says which.
    With more than two parameters the first two are the
    axes and the others stay at the estimate.
    """
    from symbolic.families import FAMILIES

    name = derivation_id.split("/", 1)[1]
    if name not in FAMILIES:
        raise NoPlot(f"{derivation_id!r}: no family {name!r} in symbolic.families")
    fam = FAMILIES[name]
    if not all(isinstance(p, Symbol) for p in fam.params):
        raise NoPlot(f"{derivation_id!r}: non-scalar parameters need a registered plot factory")
    rng = random.Random(seed)
    data = tuple((float(a), float(b)) for a, b in fam.sample(rng, size))
    fixed = {k: _middle(fam.intervals.get(k)) for k in fam.known}
    # The sampling intervals make good axes, except for a parameter the data bound.
    ranges = {
        p: fam.intervals[p] for p in fam.params if p in fam.intervals and p not in fam.support
    }
    found = _closed_form(fam, data, fixed)
    label = "closed-form estimate"
    if found is None:
        found, label = _numeric_estimate(fam, data, fixed), NUMERIC_LABEL
    if found is None:
        nll = _mean_nll(fam.logp, fam.params, data, fixed, fam.support)
        found, label = _minimizer(nll, fam.params, ranges), "minimizer on a grid (no closed form)"
    return NLLPlot(
        title=f"NLL per point of the {name} family, {size} sampled points",
        logp=fam.logp,
        params=tuple(fam.params),
        data=data,
        estimate=found,
        fixed=fixed,
        estimate_label=label,
        ranges=ranges,
        support=dict(fam.support),
    )


def _closed_form(fam: Any, data: Data, fixed: Mapping[Symbol, float]) -> dict | None:
    """The solver's closed-form estimate at the data, or None where it has none."""
    try:
        from symbolic.generators.mle_checks import evaluate_estimator
        from symbolic.generators.stationary import solve_family

        sol = solve_family(fam)
        # A boundary (max x) or non-smooth (median) estimator is a closed form too.
        if set(sol.estimators) != set(fam.params):
            return None
        known = {k: Float(v) for k, v in fixed.items()}
        return {p: float(evaluate_estimator(e, data, known)) for p, e in sol.estimators.items()}
    except Exception:  # noqa: BLE001 -- another module's solver; failing costs only the label
        return None


NUMERIC_LABEL = "numeric MLE (no closed form)"


def _numeric_estimate(fam: Any, data: Data, fixed: Mapping[Symbol, float]) -> dict | None:
    """The MLE that ``symbolic mle`` reports for data without a closed form (Newton's method
    from several starts, keeping the best local maximum); None if it finds no maximizer. A grid
    search zoomed into the wrong basin for the Cauchy family."""
    from symbolic.generators.optimize import numeric_mle

    known = {k: Float(v) for k, v in fixed.items()}
    try:
        found = numeric_mle(fam, data, known, dps=15)
    except Exception:  # noqa: BLE001 -- another module's solver; the grid stays the fallback
        return None
    by_name = {p.name: p for p in fam.params}
    if not found.exists or set(found.values) != set(by_name):
        return None
    return {by_name[k]: float(v) for k, v in found.values.items()}


def _middle(interval: tuple[float, float] | None) -> float:
    return 1.0 if interval is None else (interval[0] + interval[1]) / 2


register("mle/", family_nll_plot)


def family_kl_plot(derivation_id: str) -> KLPlot:
    """``D_KL(P ‖ Q)`` of the family named after ``kl/``, from its closed form in
    ``symbolic.generators.divergences``: P in the middle of the sampling intervals, Q's first
    parameter moving, Q's others equal to P's."""
    from symbolic.generators.divergences import divergence

    name = derivation_id.split("/", 1)[1]
    try:
        r = divergence(name)
    except KeyError:
        raise NoPlot(
            f"{derivation_id!r}: no family {name!r} in symbolic.generators.divergences"
        ) from None
    if not r.q or not all(isinstance(q, Symbol) for q in (*r.p, *r.q)):
        raise NoPlot(f"{derivation_id!r}: parameters in symbolic dimension need a plot factory")
    at = {p: _middle(r.intervals.get(p)) for p in r.p}
    moving, twin = r.q[0], r.p[0]
    fixed = {**at, **{q: at[p] for p, q in zip(r.p[1:], r.q[1:], strict=True)}}
    shared = r.kl.free_symbols - {moving, *fixed}
    fixed.update({s: _middle(r.intervals.get(s)) for s in shared if isinstance(s, Symbol)})
    return KLPlot(
        title=f"$D_{{KL}}(P \\,\\Vert\\, Q)$ of two {name} laws, Q's {_math(moving)} moving",
        kl=r.kl,
        param=moving,
        at=at[twin],
        fixed=fixed,
        span=r.intervals.get(moving),
    )


register("kl/", family_kl_plot)


# Families in symbolic dimension (K labels, d-vectors) are drawn at a concrete dimension: P fixed,
# one coordinate of Q moving (the others following as the family's constraints require).
_MOVING = {
    "categorical": Symbol("pi_Q1", positive=True),
    "dirichlet": Symbol("alpha_Q1", positive=True),
    "multivariate-normal": Symbol("mu_Q1", real=True),
}


def _concrete_kl_plot(derivation_id: str) -> KLPlot:
    """``D_KL(P ‖ Q)`` of ``symbolic.generators.divergences`` at K = 3 labels or d = 2
    dimensions."""
    from sympy import Matrix

    from symbolic.generators.divergences import divergence

    name = derivation_id.split("/", 1)[1]
    r = divergence(name)
    t = _MOVING[name]
    size = {s.name: s for s in r.kl.free_symbols if isinstance(s, Symbol) and s.name in "Kd"}
    if name == "multivariate-normal":
        d = size["d"]
        (m1, s1), (m2, s2) = ([a.subs(d, 2) for a in side] for side in (r.p, r.q))
        cov = Matrix([[1, Rational(1, 2)], [Rational(1, 2), 2]])
        values = {m1: Matrix([0, 0]), s1: cov, m2: Matrix([t, 0]), s2: cov}
        kl, at, span = r.kl.subs(d, 2).subs(values).doit(), 0.0, (-3.0, 3.0)
    else:
        kl = r.kl.subs(size["K"], 3).doit()
        p, q = r.p[0], r.q[0]
        if name == "categorical":
            # Q keeps the simplex: the other two masses share 1 - t in P's proportions.
            values = {p[1]: 0.5, p[2]: 0.3, p[3]: 0.2, q[1]: t, q[2]: 0.6 * (1 - t)}
            values[q[3]] = 0.4 * (1 - t)
            at, span = 0.5, (0.02, 0.98)
        else:
            values = {p[1]: 2.0, p[2]: 3.0, p[3]: 4.0, q[1]: t, q[2]: 3.0, q[3]: 4.0}
            at, span = 2.0, (0.3, 8.0)
        kl = kl.xreplace(values)
    dim = "d = 2" if name == "multivariate-normal" else "K = 3"
    return KLPlot(
        title=f"$D_{{KL}}(P \\,\\Vert\\, Q)$ of two {name} laws at {dim}, Q's {_math(t)} moving",
        kl=kl,
        param=t,
        at=at,
        span=span,
    )


for _name in ("categorical", "dirichlet", "multivariate-normal"):
    register(f"kl/{_name}", _concrete_kl_plot)


def categorical_nll_plot(derivation_id: str, size: int = 30, seed: int = 0) -> NLLPlot:
    """The NLL of K = 3 label probabilities over (π_1, π_2), π_3 = 1 − π_1 − π_2, on labels drawn
    by the family's sampler; the closed form π̂_k = n_k / N marked."""
    from sympy import Eq, Piecewise

    from symbolic.families import FAMILIES

    labels = [int(a) for a, _ in FAMILIES["categorical"].sample(random.Random(seed), size)]
    p1, p2 = Symbol("pi_1", positive=True), Symbol("pi_2", positive=True)
    logp = Piecewise((log(p1), Eq(xv, 1)), (log(p2), Eq(xv, 2)), (log(1 - p1 - p2), True))
    counts = Counter(labels)
    return NLLPlot(
        title=f"NLL per point of the categorical family (K = 3), {size} sampled labels",
        logp=logp,
        params=(p1, p2),
        data=tuple((float(a), 0.0) for a in labels),
        estimate={p1: counts[1] / size, p2: counts[2] / size},
        estimate_label="closed form: n_k / N",
        ranges={p1: (0.01, 0.99), p2: (0.01, 0.99)},
    )


register("mle/categorical", categorical_nll_plot)


# --- drawing ---------------------------------------------------------------------------------


def _span(p: Symbol, at: float, ranges: Mapping[Symbol, tuple[float, float]]) -> np.ndarray:
    if p in ranges:
        lo, hi = ranges[p]
    elif p.is_positive:
        lo, hi = at / 4, at * 3
    else:
        lo, hi = at - max(1.0, abs(at)), at + max(1.0, abs(at))
    return np.linspace(lo, hi, 400)


def _new_figure() -> Figure:
    from matplotlib.figure import Figure

    # 8 in at 200 dpi: 1600 px wide, sharp on a projector and in a document at full width.
    fig = Figure(figsize=(8, 5), dpi=DPI, layout="constrained")
    return fig


def _kl_curve(spec: GapPlot) -> Callable[..., Any]:
    """``D_KL(p̂_data ‖ p_θ)`` from its definition, ``E_p̂[log p̂(y|x) − log p_θ(y|x)]`` over the
    distinct points with weights count/N: computed apart from the NLL, so that the constant gap
    in the picture is a finding, not an assumption."""
    pairs = Counter(spec.data)
    xs = Counter(a for a, _ in spec.data)
    n = len(spec.data)
    kl = sum(
        Rational(c, n) * (log(Rational(c, xs[a])) - spec.logp.subs({xv: a, yv: b}))
        for (a, b), c in pairs.items()
    )
    f = _numeric(kl, (spec.param,))

    def curve(values: Any) -> Any:
        with np.errstate(all="ignore"):
            return np.asarray(f(values), dtype=float) + np.zeros(np.shape(values))

    return curve


def _draw_gap(spec: GapPlot, lang: str = "en") -> Figure:
    nll = _mean_nll(spec.logp, (spec.param,), spec.data, {})
    kl = _kl_curve(spec)
    h = spec.entropy()
    ts = np.linspace(*spec.span, 400)
    best = _minimizer(nll, (spec.param,), {spec.param: spec.span})[spec.param]
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.plot(ts, nll(ts), color="tab:blue", lw=2, label=_NLL)
    ax.plot(ts, kl(ts), color="tab:orange", lw=2, label=_KL)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(best, color="0.3", ls=":", lw=1)
    top, bottom = float(nll(best)), float(kl(best))
    ax.plot([best, best], [top, bottom], "o", color="black", zorder=5)
    ax.text(
        best - 0.05,
        0.92 * float(nll(ts[0])),
        rf"$\hat{{\theta}}_{{MLE}} = {best:.3f}$" + "\n" + _words("minimizes both curves", lang),
        ha="right",
    )
    # The gap is the same everywhere; show it where the curves are far from the text above.
    gap_at = spec.span[0] + 0.2 * (spec.span[1] - spec.span[0])
    upper, lower = float(nll(gap_at)), float(kl(gap_at))
    ax.annotate(
        "", (gap_at, lower), (gap_at, upper), arrowprops={"arrowstyle": "<->", "color": "0.2"}
    )
    ax.text(gap_at + 0.06, (upper + lower) / 2,
            f"{_H} = {h:.3f} nats\n" + _words("at every θ", lang), va="center")
    counts = ", ".join(f"{h_} h: {p}/{t}" for h_, (p, t) in _PASSED.items())
    ax.set_title(_words(spec.title, lang), fontsize=12)
    ax.set_xlabel(r"$\theta$   (" + _words("model", lang)
                  + r": $p_\theta(\mathrm{pass} \mid x) = \sigma(\theta\,(x - 3))$)")
    ax.set_ylabel("nats")
    ax.set_ylim(bottom=-0.08)
    ax.legend(
        loc="upper right",
        title=_words("{n} students, hours: passed/total", lang).format(n=len(spec.data))
        + f"\n{counts}",
        title_fontsize=8,
    )
    return fig


# The families spell σ² and λ as sigma2 and lam, which sympy would print as σ_2 and l·a·m.
_SPELLED = {"sigma2": r"\sigma^2", "lam": r"\lambda"}


def _shade_infinite(ax: Any, ts: np.ndarray, values: np.ndarray, label: str) -> None:
    """Grey out where the curve is +oo, so a cut-off curve does not read as a missing one."""
    inf = ~np.isfinite(values)
    if not inf.any():
        return
    step = ts[1] - ts[0]
    edges = np.flatnonzero(np.diff(np.concatenate(([0], inf.astype(int), [0]))))
    for k, (a, b) in enumerate(zip(edges[::2], edges[1::2], strict=True)):
        ax.axvspan(
            ts[a] - step / 2, ts[b - 1] + step / 2, color="0.88", label=label if k == 0 else None
        )


def _math(p: Symbol) -> str:
    from symbolic.outputs.prose import name_tex

    if p.name in _SPELLED:
        return f"${_SPELLED[p.name]}$"
    return f"${name_tex(p.name) if '_' in p.name or len(p.name) > 1 else latex(p)}$"


def contour_levels(values: np.ndarray, count: int = 12) -> np.ndarray:
    """Round contour levels from the minimum up to where most of the picture lies: steps of
    1, 2 or 5 times a power of ten, so that the colour bar reads 2.4, 2.6, 2.8, not 2.4137.

    >>> [float(round(v, 6)) for v in contour_levels(np.array([2.366, 2.5, 3.1, 4.0, 9.0]))[:4]]
    [2.2, 2.4, 2.6, 2.8]
    """
    from matplotlib.ticker import MaxNLocator

    lo, hi = float(values.min()), float(np.quantile(values, 0.7))
    if hi <= lo:
        hi = lo + 1.0
    levels = MaxNLocator(nbins=count, steps=[1, 2, 5, 10]).tick_values(lo, hi)
    return levels[levels <= hi + (levels[1] - levels[0])]


def _tick_format(levels: np.ndarray) -> Any:
    from matplotlib.ticker import FormatStrFormatter

    step = float(levels[1] - levels[0]) if len(levels) > 1 else 1.0
    digits = max(0, -math.floor(math.log10(step)) if step > 0 else 0)
    return FormatStrFormatter(f"%.{digits}f")


def _data_panel(ax: Any, spec: NLLPlot, lang: str) -> None:
    """The data the NLL is computed on, in a strip under the picture: x_i (and y_i)."""
    xs = [a for a, _ in spec.data]
    ys = [b for _, b in spec.data]
    if any(ys):
        ax.plot(xs, ys, "o", ms=3, color="0.25")
        ax.set_ylabel("$y_i$")
    else:
        jitter = random.Random(0)
        ax.plot(xs, [jitter.uniform(-1, 1) for _ in xs], "|", ms=10, color="0.25")
        ax.set_yticks([])
    ax.set_xlabel(_words("the data $x_i$ ({n} points)", lang).format(n=len(xs)))


def _draw_nll(spec: NLLPlot, lang: str = "en") -> Figure:
    axes = spec.params[:2]
    # Parameters beyond the two axes stay at the estimate: the picture is a slice through it.
    rest = {p: spec.estimate[p] for p in spec.params[2:]}
    nll = _mean_nll(spec.logp, axes, spec.data, {**spec.fixed, **rest}, spec.support)
    est = [spec.estimate[p] for p in axes]
    fig = _new_figure()
    ax, strip = fig.subplots(2, 1, height_ratios=[5, 1])
    _data_panel(strip, spec, lang)
    if len(axes) == 1:
        (p,) = axes
        ts = _span(p, est[0], spec.ranges)
        ax.plot(ts, nll(ts), lw=2, label=r"$\mathrm{NLL}/N$")
        _shade_infinite(ax, ts, nll(ts), _words("NLL = +∞: a data point is off the support",
                                                lang))
        ax.plot(est, nll(np.array(est)), "o", color="black",
                label=_words(spec.estimate_label, lang))
        ax.axvline(est[0], color="0.3", ls=":", lw=1)
        ax.annotate(
            f"{_math(p)} = {est[0]:.4g}",
            (est[0], float(nll(np.array(est))[0])),
            xytext=(8, 10),
            textcoords="offset points",
        )
        ax.set_xlabel(_math(p))
        ax.set_ylabel(_words("NLL per point (nats)", lang))
    else:
        p, q = axes
        gp, gq = np.meshgrid(_span(p, est[0], spec.ranges), _span(q, est[1], spec.ranges))
        values = nll(gp, gq)
        finite = values[np.isfinite(values)]
        if not finite.size:
            raise NoPlot("the NLL is not finite anywhere on the plotted grid")
        levels = contour_levels(finite)
        # Values above the last level take its colour (extend): no blank bands at the rim.
        filled = ax.contourf(gp, gq, values, levels=levels, cmap="viridis_r", extend="max")
        ax.contour(
            gp,
            gq,
            values,
            levels=levels,
            colors="white",
            linewidths=0.5,
            negative_linestyles="solid",
        )
        bar = fig.colorbar(filled, ax=ax, label=_words("NLL per point (nats)", lang))
        bar.set_ticks(levels[:: max(1, len(levels) // 8)])
        bar.ax.yaxis.set_major_formatter(_tick_format(levels))
        ax.plot(*est, "o", color="red", label=_words(spec.estimate_label, lang))
        ax.annotate(
            f"({est[0]:.4g}, {est[1]:.4g})",
            est,
            xytext=(8, 8),
            textcoords="offset points",
            color="red",
        )
        ax.set_xlabel(_math(p))
        ax.set_ylabel(_math(q))
    if rest:
        fixed = ", ".join(f"{_math(k)} = {v:.4g}" for k, v in rest.items())
        ax.text(0.01, 0.01, f"{_words('slice at', lang)} {fixed}", transform=ax.transAxes,
                fontsize=8)
    ax.set_title(_words(spec.title, lang), fontsize=11)
    ax.legend(loc="upper right")
    return fig


def _draw_kl(spec: KLPlot, lang: str = "en") -> Figure:
    f = _numeric(spec.kl.subs(dict(spec.fixed)), (spec.param,))
    ts = np.linspace(*spec.span, 400) if spec.span else _span(spec.param, spec.at, {})
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(f(ts), dtype=float), ts.shape)
        at_p = float(f(spec.at))
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.plot(ts, values, lw=2, label=r"$D_{KL}(P \,\Vert\, Q)$")
    _shade_infinite(ax, ts, values, _words("D_KL = +∞: supp P is not inside supp Q", lang))
    ax.axhline(0, color="0.6", lw=0.8)
    ax.plot(
        [spec.at], [at_p], "o", color="black", label=f"Q = P: {_math(spec.param)} = {spec.at:.4g}"
    )
    ax.set_xlabel(_words("{p}, the parameter of Q", lang).format(p=_math(spec.param)))
    ax.set_ylabel("nats")
    ax.set_title(_words(spec.title, lang), fontsize=11)
    # Every parameter held fixed, so that the curve can be reproduced: μ₁, σ²₁ and σ²₂ of normals.
    held = ", ".join(f"{_math(k)} = {v:.4g}" for k, v in sorted(
        spec.fixed.items(), key=lambda kv: kv[0].name) if isinstance(k, Symbol))
    if held:
        ax.text(0.01, 0.98, f"{_words('held', lang)}: {held}", transform=ax.transAxes,
                va="top", fontsize=9)
    ax.legend(loc="upper center")
    return fig


def figure(derivation_id: str, lang: str = "en") -> Figure:
    """The matplotlib figure of a catalog entry's picture, its words in ``lang``;
    :class:`NoPlot` if it has none. Draw and save it inside :func:`style` for Korean glyphs."""
    spec = plot_spec(derivation_id)
    if isinstance(spec, GapPlot):
        return _draw_gap(spec, lang)
    if isinstance(spec, KLPlot):
        return _draw_kl(spec, lang)
    return _draw_nll(spec, lang)


# Fonts with Hangul, best first (Debian's fonts-nanum has the first); DejaVu for the rest.
KOREAN_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Malgun Gothic")


def style(lang: str) -> dict[str, object]:
    """matplotlib settings for ``lang``: a Korean font first for ``ko`` (Hangul has no glyphs in
    DejaVu Sans), with ASCII minus signs, which Nanum fonts lack."""
    rc: dict[str, object] = {"svg.hashsalt": "symbolic"}
    if lang == "ko":
        rc.update({"font.family": "sans-serif",
                   "font.sans-serif": [*KOREAN_FONTS, "DejaVu Sans"],
                   "axes.unicode_minus": False})
    return rc


def save(derivation_id: str, path: str | Path, lang: str = "en") -> Path:
    """Draw an entry's picture to a ``.png`` (1600 px wide) or ``.svg`` file, reproducibly (no
    timestamps), its words in ``lang``."""
    import matplotlib

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"{path.name}: a plot is written as .png or .svg")
    with matplotlib.rc_context(style(lang)):
        fig = figure(derivation_id, lang)
        metadata = {"Date": None} if fmt == "svg" else {}
        fig.savefig(path, format=fmt, metadata=metadata)
    return path


# The pictures' words in Korean, in the documents' register; titles by their shape.
_KO_WORDS = {
    "NLL per point (nats)": "점당 NLL (nats)",
    "closed-form estimate": "닫힌 형태의 추정값",
    NUMERIC_LABEL: "수치 MLE (닫힌 형태 없음)",
    "minimizer on a grid (no closed form)": "격자에서 찾은 최소점 (닫힌 형태 없음)",
    "closed form: n_k / N": "닫힌 형태: n_k / N",
    "closed form: the sample mean (covariance at its estimate)": (
        "닫힌 형태: 표본평균 (공분산은 추정값에 고정)"),
    "NLL = +∞: a data point is off the support": "NLL = +∞: 데이터 점이 support 밖에 있다",
    "D_KL = +∞: supp P is not inside supp Q": "D_KL = +∞: supp P가 supp Q 안에 있지 않다",
    "slice at": "단면:",
    "held": "고정",
    "{p}, the parameter of Q": "Q의 parameter {p}",
    "the data $x_i$ ({n} points)": "데이터 $x_i$ ({n}개의 점)",
    "minimizes both curves": "두 곡선을 모두 최소화한다",
    "at every θ": "모든 θ에서",
    "model": "모형",
    "{n} students, hours: passed/total": "학생 {n}명, 공부 시간: 합격/전체",
}
_KO_TITLES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"NLL per point of the (.+?) family(?: \((K = \d)\))?, (\d+) sampled "
                r"(points|labels)"),
     lambda m: f"{family_name(m[1])} 분포족의 점당 NLL{f' ({m[2]})' if m[2] else ''}, "
               f"표본 {m[3]}개"),
    (re.compile(r"NLL per point of the bivariate normal over its mean, (\d+) sampled points"),
     lambda m: f"이변량 정규 분포의 평균에 대한 점당 NLL, 표본 {m[1]}개"),
    (re.compile(r"(\$D_\{KL\}.*?\$) of two (.+?) laws(?: at (.+?))?, Q's (.+) moving"),
     lambda m: f"두 {family_name(m[2])} 분포의 {m[1]}{f' ({m[3]})' if m[3] else ''}, "
               f"Q의 {m[4]}가 움직인다"),
]


def _words(english: str, lang: str) -> str:
    """A picture's English words in ``lang`` (English where none is known)."""
    if lang != "ko":
        return english
    if english in _KO_WORDS:
        return _KO_WORDS[english]
    for pattern, make in _KO_TITLES:
        match = pattern.fullmatch(english)
        if match:
            return make(match)
    return english


def multivariate_normal_nll_plot(derivation_id: str, size: int = 30, seed: int = 0) -> NLLPlot:
    """The NLL of the bivariate normal over the mean (μ₁, μ₂), the covariance held at its
    closed-form estimate: the family written out at d = 2, with the solver's estimate marked."""
    from symbolic.families import FAMILIES
    from symbolic.generators.mle_checks import evaluate_estimator
    from symbolic.generators.stationary import plane_solution, solve_family

    family = FAMILIES["multivariate-normal"]
    plane = family.coordinates
    solution = plane_solution(solve_family(family))
    data = tuple((float(a), float(b)) for a, b in plane.sample(random.Random(seed), size))
    estimate = {
        p: float(evaluate_estimator(e, data, {})) for p, e in solution.estimators.items()
    }
    return NLLPlot(
        title=f"NLL per point of the bivariate normal over its mean, {size} sampled points",
        logp=plane.logp,
        params=tuple(plane.params),
        data=data,
        estimate=estimate,
        estimate_label="closed form: the sample mean (covariance at its estimate)",
    )


register("mle/multivariate-normal", multivariate_normal_nll_plot)
