"""The catalog checked once per test session with a cheap configuration.

Printers are tested over every entry; they need checked derivations, not the kernel's best
verdicts, so a few points at 20 digits and short symbolic budgets are enough.
"""

from __future__ import annotations

from functools import cache

from symbolic import check, get
from symbolic.kernel import CheckedDerivation, Config

CHEAP = Config(dps=20, instances=1, param_points=2, budget=0.5)


@cache
def checked(derivation_id: str) -> CheckedDerivation:
    """The entry checked with :data:`CHEAP`, once per session."""
    return check(get(derivation_id), CHEAP)
