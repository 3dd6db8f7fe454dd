"""Maximum likelihood for a catalog of families: ``mle/<family>``.

Each derivation is the seed's theorem instantiated for one family, with the solver's work in
it: the negative log-likelihood over symbolic N, the parameters pulled out of the sums (the
sums left are the sufficient statistics), ``NLL(θ) = N H(p̂_data, p_θ)`` so that the MLE
minimizes the cross-entropy, and for discrete families ``H(p̂_data, p_θ) = D_KL(p̂_data ‖ p_θ) +
H(p̂_data)`` so that it minimizes the KL divergence too. For linear regression the chain ends
in the mean squared error (Deep Learning, eq. 5.64-5.66). The derivation's parts check the
solver's estimator: the score vanishes there, the NLL is monotone in an edge parameter, and
the Hessian there is negative definite.
"""

from __future__ import annotations

from functools import partial

from sympy import Expr, Indexed, Sum, Symbol, log

from symbolic.catalog import Entry
from symbolic.families import FAMILIES, Family, b_real, pi_, w
from symbolic.generators.mle_checks import pulled_out
from symbolic.generators.mle_report import mle_parts
from symbolic.generators.stationary import plane_solution, separate, solve_family
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.domains import Simplex
from symbolic.kernel.measures import (
    Distribution,
    Entropy,
    Expectation,
    N,
    PData,
    PDataX,
    i,
    p_data,
    p_data_x,
    x,
    xv,
    yv,
)
from symbolic.kernel.measures import y as y_data

TITLE = "Maximum likelihood for the {name} family is minimum cross-entropy"
_CONTINUOUS = (
    "The family is continuous: D_KL(p_data || p_theta) is +infinity for every theta (p_data "
    "is a sum of point masses), so the theorem takes its cross-entropy form."
)


def _estimated(fam: Family) -> tuple[Symbol, ...]:
    # The kernel optimizes over symbols: pi[k] is represented by its base pi.
    return tuple(p.base.label if isinstance(p, Indexed) else p for p in fam.params)


def _empirical(fam: Family) -> Distribution:
    return p_data if fam.regression else p_data_x


def _empirical_log(fam: Family) -> Expr:
    return log(PData(yv, xv)) if fam.regression else log(PDataX(xv))


def mle_derivation(name: str | Family) -> Derivation:
    """The chain for one family (a catalog name, or a :class:`Family` of your own); the solver
    supplies the sufficient-statistics step."""
    fam = name if isinstance(name, Family) else FAMILIES[name]
    name = fam.name
    sol = solve_family(fam)
    parts = mle_parts(sol)
    # Estimates wear hats: mu_hat, pi_hat[k] (the printers typeset them as μ̂, π̂_k).
    shown = "; ".join(
        f"{p.base}_hat[{', '.join(map(str, p.indices))}] = {e}" if isinstance(p, Indexed)
        else f"{p}_hat = {e}"
        for p, e in sol.estimators.items()
    )
    if fam.coordinates is not None:
        # Matrix-form family: the kernel checks the chain written out at d = 2.
        fam = fam.coordinates
        sol = plane_solution(sol)
    point = fam.logp.xreplace({xv: x[i], yv: y_data[i]})
    start = -Sum(point, (i, 1, N))
    dist = _empirical(fam)
    cross = Expectation(-fam.logp, dist)
    steps = []
    if fam.name != "categorical":
        pieces, tangled = separate(fam.logp, fam.params)
        stats = ", ".join(str(Sum(g.xreplace({xv: x[i], yv: y_data[i]}), (i, 1, N)))
                          for _, g in pieces if g != 1) or "none"
        if tangled:
            stats += "; the parameters stay inside the sums of " + ", ".join(map(str, tangled))
        steps.append(Step(
            Relation.EQ,
            -pulled_out(fam.logp),
            "pull every factor free of the data out of the sums: sum_i c(theta) g(x_i) = "
            f"c(theta) sum_i g(x_i); sufficient statistics: {stats}",
        ))
    steps.append(Step(
        Relation.EQ, N * cross,
        "the average over the data is the expectation under p_data, which puts mass count/N "
        "on each distinct point: NLL(theta) = N H(p_data, p_theta)",
    ))
    notes = [
        "Every step is an equality of functions of the parameters, so the NLL, the "
        "cross-entropy H(p_data, p_theta)" + (" and D_KL(p_data || p_theta)" if fam.discrete
                                               else "") + " have the same minimizers."
    ]
    notes += [sol.reason] if sol.reason else []
    if shown and any(p.id.endswith("/stationary") for p in parts):
        notes.append(
            f"The solver's estimators: {shown}. The parts below check that the score vanishes "
            "there and that it is a maximum; `symbolic mle` adds a numeric optimum on data."
        )
    elif shown:
        # The estimator put into the score makes its two sides one expression: nothing to check.
        notes.append(
            f"The solver's estimators: {shown}. Put into the score, they make its positive and "
            "negative terms one expression; the parts below check that it is a maximum, and "
            "`symbolic mle` adds a numeric optimum on data."
        )
    if fam.discrete:
        kl = Expectation(_empirical_log(fam) - fam.logp, dist)
        steps.append(Step(
            Relation.EQ, N * kl + N * Entropy(dist),
            "H(p_data, p_theta) = D_KL(p_data || p_theta) + H(p_data), with repeated points "
            "counted by their multiplicity; H(p_data) does not depend on theta",
        ))
    else:
        notes.append(_CONTINUOUS)
    params = _estimated(fam)
    if fam.name == "linear-regression":
        mse = Sum((y_data[i] - w * x[i] - b_real) ** 2, (i, 1, N)) / N
        steps.append(Step(
            Relation.ARGMIN, mse,
            "for fixed sigma2, N H = N/(2 sigma2) MSE + (N/2) log(2 pi sigma2): over (w, b) the "
            "MLE minimizes the mean squared error",
        ))
        params = (w, b_real)
    return Derivation(
        id=f"mle/{name}",
        title=TITLE.format(name=name),
        start=start,
        steps=tuple(steps),
        params=params,
        sense=Relation.EQ,
        start_label="NLL(theta)",
        intervals=fam.intervals,
        notes=tuple(notes),
        data=fam.sample,
        # The sampled labels are 1, 2, 3: the numeric checks draw pi on that simplex.
        vectors={pi_: (3, Simplex(3))} if fam.name == "categorical" else {},
        parts=parts,
    )


ENTRIES = [
    Entry(f"mle/{name}", TITLE.format(name=name), partial(mle_derivation, name))
    for name in FAMILIES
]
