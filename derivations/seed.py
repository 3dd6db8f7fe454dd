"""The seed post's two derivations, general: an abstract conditional model, symbolic N.

The post glosses over one point that these notes do not: the KL form needs a model that puts
mass on the data points. For a continuous ``p_model`` (a density), ``p_data`` is not absolutely
continuous with respect to it and ``D_KL(p_data || p_model)`` is +infinity for every θ; what
holds there is the cross-entropy form, ``NLL(θ)/N = H(p_data, p_model)``.
"""

from __future__ import annotations

from sympy import Lambda, Product, Sum, Symbol, exp, log

from symbolic.catalog import Entry
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.measures import (
    KL,
    Constant,
    CrossEntropy,
    Entropy,
    Expectation,
    Likelihood,
    N,
    PData,
    PModel,
    i,
    p_data,
    p_model,
    theta,
    x,
    xv,
    y,
    yv,
)

CROSS_ENTROPY_TITLE = "Minimizing the negative log-likelihood is minimizing the cross-entropy"
KL_TITLE = "Minimizing the KL divergence from the empirical distribution is maximum likelihood"
CONTINUOUS_CAVEAT = (
    "For a continuous model the KL form fails: p_data is a sum of point masses, not absolutely "
    "continuous with respect to a density, so D_KL(p_data || p_model) is +infinity for every "
    "theta. The cross-entropy form NLL(theta)/N = H(p_data, p_model) still holds, and it is the "
    "one that carries over; the KL form needs a discrete model (a probability mass function)."
)

u = Symbol("u", real=True)
_log_model = log(PModel(yv, xv, theta))
_log_data = log(PData(yv, xv))


def cross_entropy_cost() -> Derivation:
    """θ_MLE = argmin −p_model(𝕏; θ) = … = argmin H(p_data, p_model), as in the post."""
    point_log = log(PModel(y[i], x[i], theta))
    steps = (
        Step(Relation.ARGMIN, -Likelihood(), "argmax of f is argmin of -f"),
        Step(
            Relation.EQ,
            -Product(PModel(y[i], x[i], theta), (i, 1, N)),
            "the likelihood of i.i.d. data is the product of the points' probabilities",
        ),
        Step(
            Relation.ARGMIN,
            -Sum(point_log, (i, 1, N)),
            "log is strictly increasing: -log(-u) keeps the order of negative u",
            witness=Lambda(u, -log(-u)),
        ),
        Step(Relation.ARGMIN, -Sum(point_log, (i, 1, N)) / N, "divide by N > 0"),
        Step(
            Relation.EQ,
            -Expectation(_log_model, p_data),
            "definition of the empirical expectation: p_data puts mass 1/N on each data point",
        ),
        Step(
            Relation.EQ,
            CrossEntropy(p_data, p_model),
            "definition of cross-entropy: H(p, q) = E_p[-log q]",
        ),
    )
    return Derivation(
        id="cross-entropy-cost",
        title=CROSS_ENTROPY_TITLE,
        start=Likelihood(),
        steps=steps,
        sense=Relation.ARGMAX,
        start_label="theta_MLE",
        notes=(CONTINUOUS_CAVEAT,),
    )


def kl_vs_mle() -> Derivation:
    """D_KL(p_data ‖ p_model) = −E log p_model + constant, so argmin D_KL = θ_MLE."""
    steps = (
        Step(
            Relation.EQ,
            -Expectation(log(PModel(yv, xv, theta) / PData(yv, xv)), p_data),
            "definition of the KL divergence: D_KL(P || Q) = -E_P log(Q/P)",
        ),
        Step(
            Relation.EQ,
            -Expectation(_log_model, p_data) + Expectation(_log_data, p_data),
            "log of a quotient, then linearity of expectation",
        ),
        Step(
            Relation.EQ,
            -Expectation(_log_model, p_data) + Constant(Expectation(_log_data, p_data)),
            "p_data is fixed by the data: E log p_data does not depend on theta",
        ),
        Step(
            Relation.EQ,
            -Expectation(_log_model, p_data) - Entropy(p_data),
            "the constant is -H(p_data), the entropy of the empirical distribution "
            "(repeated points counted with their multiplicity)",
        ),
        Step(
            Relation.ARGMIN,
            -Expectation(_log_model, p_data),
            "drop a theta-free constant",
        ),
        Step(
            Relation.ARGMAX,
            Likelihood(),
            "exp(-N u) is strictly decreasing: minimizing -E log p_model maximizes the "
            "likelihood, so the minimizer is the MLE",
            witness=Lambda(u, exp(-N * u)),
        ),
    )
    return Derivation(
        id="kl-vs-mle",
        title=KL_TITLE,
        start=KL(p_data, p_model),
        steps=steps,
        # The equalities hold as values; the chain is about argmin over theta, as in the post.
        sense=Relation.ARGMIN,
        end_label="theta_MLE",
        notes=(CONTINUOUS_CAVEAT,),
    )


ORDER = 0
ENTRIES = [
    Entry("cross-entropy-cost", CROSS_ENTROPY_TITLE, cross_entropy_cost),
    Entry("kl-vs-mle", KL_TITLE, kl_vs_mle),
]
