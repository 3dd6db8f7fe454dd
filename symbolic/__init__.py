"""symbolic: derive and proof-check the mathematics behind the cross-entropy cost.

Every step of a derivation is checked by a small kernel, symbolically with sympy and numerically
with mpmath, and gets an honest verdict: proved, numeric (evidence only), refuted (with a
counterexample) or unknown (with the reason).

>>> from symbolic import check, get
>>> check(get("cross-entropy-cost")).status.value
'proved'

A family of your own (docs/families.md), defined once and used by every generator:

>>> from sympy import exp, pi, sqrt
>>> from symbolic import POSITIVE, Family, parameter, solve_family
>>> a = parameter("a", POSITIVE)
>>> x = POSITIVE.symbol("x")
>>> mb = Family("maxwell-boltzmann", (a,), x, POSITIVE,
...             sqrt(2 / pi) * x**2 * exp(-x**2 / (2 * a.symbol**2)) / a.symbol**3)
>>> solve_family(mb).estimators
{a: sqrt(3)*sqrt(Sum(x[i]**2, (i, 1, N)))/(3*sqrt(N))}
"""

from importlib import import_module

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
from symbolic.kernel.domains import (
    BITS,
    POSITIVE,
    REALS,
    SPD,
    UNIT,
    Domain,
    Integers,
    Interval,
    Labels,
    Simplex,
    Vectors,
)
from symbolic.kernel.matrices import Components, gradient
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

# The catalog, the families, the generators and the printers load on first use: `import
# symbolic` costs the kernel only.
_LAZY = {
    **dict.fromkeys(("Entry", "UnknownDerivation", "entries", "get", "ids"), "symbolic.catalog"),
    **dict.fromkeys(("text", "to_latex", "to_markdown", "to_text"), "symbolic.outputs.render"),
    **dict.fromkeys(
        ("FAMILIES", "Family", "Parameter", "check_normalized", "parameter"), "symbolic.families"
    ),
    "divergence": "symbolic.generators.divergences",
    "solve_family": "symbolic.generators.stationary",
    **dict.fromkeys(("FamilyFileError", "load_family"), "symbolic.readers.family_files"),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'symbolic' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def _repr_latex_(self: object) -> str | None:
    """Jupyter's display hook until the printers load: loading them installs their own."""
    import_module("symbolic.outputs.render")
    hook = type(self)._repr_latex_
    return None if hook is _repr_latex_ else hook(self)


for _shown in (CheckedDerivation, CheckedStep, Derivation):
    if "_repr_latex_" not in vars(_shown):
        _shown._repr_latex_ = _repr_latex_  # type: ignore[attr-defined]
del _shown

__version__ = "0.1.0"

__all__ = [
    "Entry",
    "UnknownDerivation",
    "entries",
    "get",
    "ids",
    "Derivation",
    "Components",
    "gradient",
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
    "FAMILIES",
    "Family",
    "Parameter",
    "parameter",
    "check_normalized",
    "solve_family",
    "divergence",
    "load_family",
    "FamilyFileError",
    "Domain",
    "Interval",
    "Integers",
    "Labels",
    "Simplex",
    "Vectors",
    "SPD",
    "REALS",
    "POSITIVE",
    "UNIT",
    "BITS",
]
