"""The trusted kernel: everything a verdict depends on, and nothing else.

Trust boundary. The modules of this subpackage are the trusted base:

* :mod:`~symbolic.kernel.checker` turns a step into a checked step (it alone gives a verdict);
* :mod:`~symbolic.kernel.closed_forms` holds the rules for definite sums and integrals;
* :mod:`~symbolic.kernel.numeric` evaluates both sides by the measures' semantic definitions;
* :mod:`~symbolic.kernel.measures` defines the measures (NLL, cross-entropy, KL, ...);
* :mod:`~symbolic.kernel.domains` says what a value may be: assumptions, exact membership
  (data validation) and the samplers of the numeric checks;
* :mod:`~symbolic.kernel.derivation` is the data type of a step and a chain;
* :mod:`~symbolic.kernel.budget` bounds every attempt in time.

Everything outside this subpackage only proposes: the families and the generators (the MLE
solver, the divergence derivations) build derivations and witnesses, the readers turn text into
expressions, and the outputs print checked results. A bug there can make a derivation fail or
print badly; it cannot make the kernel say ``proved`` for a false step, because every step,
witness and closed form passes through :func:`check_step` here.

>>> from symbolic.kernel import Relation, Step, check_step
>>> from symbolic.kernel.measures import NLL, N, CrossEntropy, p_data, p_model
>>> check_step(NLL() / N, Relation.EQ,
...            Step(Relation.EQ, CrossEntropy(p_data, p_model), "definition")).status.value
'proved'
"""

from symbolic.kernel.checker import (
    CheckedDerivation,
    CheckedStep,
    Config,
    Status,
    check,
    check_in,
    check_step,
    normalize,
    worst,
)
from symbolic.kernel.derivation import Derivation, Relation, Step

__all__ = [
    "CheckedDerivation",
    "CheckedStep",
    "Config",
    "Derivation",
    "Relation",
    "Status",
    "Step",
    "check",
    "check_in",
    "check_step",
    "normalize",
    "worst",
]
