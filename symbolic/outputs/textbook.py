"""Textbook forms: each family's results as a textbook prints them, beside the derived ones.

The derivations print what sympy's evaluation gives: the normal log-density expanded into six
terms, the KL of two normals over one denominator. A textbook writes −½ log(2πσ²) − (x−μ)²/(2σ²)
and log(σ₂/σ₁) + (σ₁² + (μ₁−μ₂)²)/(2σ₂²) − ½. This module only proposes such a form; the kernel
checks that it equals the derived expression (:func:`~symbolic.kernel.check_step`), and the
printers show it with that verdict. A form may use names it defines (the sample mean x̄, the
standard deviation σ₁ = √σ₁²): the kernel checks the form with the definitions put in.

>>> (form,) = [f for f in forms("kl/normal")]
>>> form.checked.status.value
'proved'
>>> print(form.standard_text(), "where", *form.definitions_text())
log(σ₂/σ₁) + (σ₁² + (μ₁ - μ₂)²)/(2·σ₂²) - 1/2 where σ₁ = sqrt(σ₁²) σ₂ = sqrt(σ₂²)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sympy import Add, Expr, Indexed, Mul, Pow, Rational, Sum, Symbol, log, pi, sqrt

from symbolic.kernel import CheckedStep, Relation, Step, check_step
from symbolic.kernel.derivation import Derivation

__all__ = ["TextbookForm", "forms", "RULE"]

RULE = "the family's textbook form, proved equal to the derived one"


@dataclass(frozen=True)
class TextbookForm:
    """A named standard form: ``label = derived = standard``, where ``definitions`` give the
    names the standard form uses; ``checked`` is the kernel's verdict on ``derived =
    standard`` with the definitions put in."""

    name: str
    label_tex: str
    label_text: str
    derived: Expr
    standard: Expr
    definitions: tuple[tuple[Symbol, Expr], ...]
    checked: CheckedStep

    def standard_tex(self) -> str:
        """The standard form in LaTeX, in the order its terms are written."""
        from symbolic.outputs.render import tex

        return tex(self.standard, written=True)

    def standard_text(self) -> str:
        """The standard form in Unicode text."""
        from symbolic.outputs.render import text

        return text(self.standard, written=True)

    def definitions_tex(self) -> list[str]:
        """Each defined name as ``name = meaning`` in LaTeX."""
        from symbolic.outputs.render import tex

        return [f"{tex(s)} = {tex(e, written=True)}" for s, e in self.definitions]

    def definitions_text(self) -> list[str]:
        """Each defined name as ``name = meaning`` in Unicode text."""
        from symbolic.outputs.render import text

        return [f"{text(s)} = {text(e, written=True)}" for s, e in self.definitions]


def _symbols(expr: Expr) -> dict[str, Symbol]:
    return {s.name: s for s in expr.free_symbols if isinstance(s, Symbol)}


def _summand(d: Derivation) -> tuple[Expr, Indexed] | None:
    # The chain mle/<family> starts at -Σ_i log p(x_i): the summand is the derived log-density.
    start = -d.start
    if not isinstance(start, Sum):
        return None
    terms = [a for a in start.function.atoms(Indexed) if a.indices == (start.limits[0][0],)]
    return (start.function, terms[0]) if terms else None


# Forms are built unevaluated, in the order a textbook writes their terms: sympy would
# otherwise reorder and expand them.
def _add(*terms: Expr) -> Expr:
    return Add(*terms, evaluate=False)


def _mul(*factors: Expr) -> Expr:
    return Mul(*factors, evaluate=False)


def _over(a: Expr, b: Expr) -> Expr:
    # sympy keeps a quotient of a sum by a product as written; it only moves numbers out.
    return a / b


def _mean_of(body: Expr, i: Symbol, n: Symbol) -> Expr:
    return _mul(Pow(n, -1, evaluate=False), Sum(body, (i, 1, n)))


def _sample_mean(xi: Indexed, n: Symbol) -> tuple[Symbol, Expr]:
    return Symbol("xbar", real=True), _mean_of(xi, xi.indices[0], n)


def _normal_log_density(d: Derivation) -> list[tuple[str, str, str, Expr, Expr, tuple]]:
    found = _summand(d)
    if found is None:
        return []
    derived, xi = found
    names = _symbols(derived)
    mu, s2 = names["mu"], names["sigma2"]
    point = log(xi) if d.id == "mle/lognormal" else xi
    terms = [] if d.id == "mle/normal" else [-log(xi)]
    standard = _add(
        *terms,
        _mul(Rational(-1, 2), log(_mul(2, pi, s2), evaluate=False)),
        -_over(Pow(_add(point, -mu), 2, evaluate=False), _mul(2, s2)),
    )
    label = (r"\log p_{\theta}(x_{i})", "log p_θ(x_i)")
    return [("log-density", *label, derived, standard, ())]


def _estimators(d: Derivation) -> list[tuple[str, str, str, Expr, Expr, tuple]]:
    # Sample means where the estimator is one: μ̂ = x̄, σ̂² = (1/N) Σ (x_i − x̄)², λ̂ = 1/x̄.
    from symbolic.families import FAMILIES
    from symbolic.generators.stationary import solve_family
    from symbolic.outputs.prose import name_tex, name_unicode

    name = d.id.removeprefix("mle/")
    sol = solve_family(FAMILIES[name])
    out = []
    for p, derived in sol.estimators.items():
        if not isinstance(p, Symbol):
            continue
        sums = list(derived.atoms(Sum))
        xs = [a for s in sums for a in s.function.atoms(Indexed)]
        if not xs:
            continue
        n = next(s for s in derived.free_symbols if isinstance(s, Symbol) and s.name == "N")
        xi = xs[0]
        xbar, mean = _sample_mean(xi, n)
        i = xi.indices[0]
        candidates = {
            "mean": xbar,
            "inverse mean": Pow(xbar, -1, evaluate=False),
            "spread": _mean_of(Pow(_add(xi, -xbar), 2, evaluate=False), i, n),
        }
        key = {"mu": "mean", "lam": "inverse mean" if name == "exponential" else "mean",
               "p": "mean", "sigma2": "spread"}.get(p.name)
        if key is None or (key == "spread" and name != "normal"):
            continue
        label = (name_tex(f"{p.name}_hat"), name_unicode(f"{p.name}_hat"))
        out.append((f"estimator {p.name}", *label, derived, candidates[key], ((xbar, mean),)))
    return out


def _kl(d: Derivation, build: Callable[[dict[str, Symbol]], tuple[Expr, tuple]]) -> list:
    derived = d.steps[-1].rhs if d.steps else d.start
    standard, definitions = build(_symbols(derived))
    return [("D_KL", r"D_{KL}(P \| Q)", "D_KL(P ‖ Q)", derived, standard, definitions)]


def _kl_normal(names: dict[str, Symbol]) -> tuple[Expr, tuple]:
    m1, m2, v1, v2 = (names[k] for k in ("mu_1", "mu_2", "sigma2_1", "sigma2_2"))
    s1, s2 = Symbol("sigma_1", positive=True), Symbol("sigma_2", positive=True)
    standard = _add(
        log(_over(s2, s1), evaluate=False),
        _over(_add(s1**2, Pow(_add(m1, -m2), 2, evaluate=False)), _mul(2, s2**2)),
        Rational(-1, 2),
    )
    return standard, ((s1, sqrt(v1)), (s2, sqrt(v2)))


def _kl_exponential(names: dict[str, Symbol]) -> tuple[Expr, tuple]:
    l1, l2 = names["lam_1"], names["lam_2"]
    return _add(log(_over(l1, l2), evaluate=False), _over(l2, l1), -1), ()


def _kl_poisson(names: dict[str, Symbol]) -> tuple[Expr, tuple]:
    l1, l2 = names["lam_1"], names["lam_2"]
    return _add(_mul(l1, log(_over(l1, l2), evaluate=False)), -l1, l2), ()


_FORMS: dict[str, Callable[[Derivation], list]] = {
    "mle/normal": lambda d: _normal_log_density(d) + _estimators(d),
    "mle/lognormal": _normal_log_density,
    "mle/poisson": _estimators,
    "mle/bernoulli": _estimators,
    "mle/exponential": _estimators,
    "kl/normal": lambda d: _kl(d, _kl_normal),
    "kl/exponential": lambda d: _kl(d, _kl_exponential),
    "kl/poisson": lambda d: _kl(d, _kl_poisson),
}


@cache
def forms(derivation_id: str) -> tuple[TextbookForm, ...]:
    """The textbook forms of a catalog entry, each with the kernel's verdict (``()`` if the
    entry has none)."""
    from symbolic.catalog import get

    build = _FORMS.get(derivation_id)
    if build is None:
        return ()
    d = get(derivation_id)
    out = []
    for name, label_tex, label_text, derived, standard, definitions in build(d):
        meaning = standard.xreplace(dict(definitions))
        checked = check_step(
            derived, Relation.EQ, Step(Relation.EQ, meaning, RULE), params=d.params,
            intervals=d.intervals, data=d.data, vectors=d.vectors, domains=d.domains,
            hypotheses=d.hypotheses, sampling=d.sampling,
        )
        out.append(TextbookForm(name, label_tex, label_text, derived, standard,
                                tuple(definitions), checked))
    return tuple(out)
