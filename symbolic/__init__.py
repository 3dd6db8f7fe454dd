"""symbolic: derive and proof-check the mathematics behind the cross-entropy cost.

Every step of a derivation is checked by a small kernel, symbolically with sympy and numerically
with mpmath, and gets an honest verdict: proved, numeric (evidence only), refuted (with a
counterexample) or unknown (with the reason).

>>> from symbolic import check, get
>>> check(get("cross-entropy-cost")).status.value
'proved'
"""

from symbolic.catalog import Entry, UnknownDerivation, entries, get, ids
from symbolic.kernel import (
    CheckedDerivation,
    CheckedStep,
    Config,
    Status,
    check,
    check_step,
    normalize,
)
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.measures import (
    KL,
    NLL,
    Constant,
    CrossEntropy,
    EmpiricalDistribution,
    Entropy,
    Expectation,
    Likelihood,
    LogLikelihood,
    ModelDistribution,
    N,
    PData,
    PModel,
    i,
    p_data,
    p_model,
    theta,
    unfold,
    x,
    xv,
    y,
    yv,
)
from symbolic.outputs.render import text, to_latex, to_markdown, to_text

__version__ = "0.1.0"

__all__ = [
    "Entry",
    "UnknownDerivation",
    "entries",
    "get",
    "ids",
    "Derivation",
    "Relation",
    "Step",
    "CheckedDerivation",
    "CheckedStep",
    "Config",
    "Status",
    "check",
    "check_step",
    "normalize",
    "KL",
    "NLL",
    "Constant",
    "CrossEntropy",
    "EmpiricalDistribution",
    "Entropy",
    "Expectation",
    "Likelihood",
    "LogLikelihood",
    "ModelDistribution",
    "N",
    "PData",
    "PModel",
    "i",
    "p_data",
    "p_model",
    "theta",
    "unfold",
    "x",
    "xv",
    "y",
    "yv",
    "text",
    "to_latex",
    "to_markdown",
    "to_text",
]
