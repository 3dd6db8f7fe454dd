"""Entropy, cross-entropy and KL divergence between two members of each family (issue 4).

Each ``kl/<family>`` starts from the definition of D_KL(P‖Q) — the integral or sum of
``p log(p/q)`` over supp P, +oo when supp P is not inside supp Q — and reaches the closed form by
the route :mod:`symbolic.generators.divergences` states for the family. Building is lazy:
deriving runs sympy under time budgets.
"""

from __future__ import annotations

from functools import partial

from symbolic.catalog import Entry
from symbolic.generators.divergences import kl_derivation, names

ENTRIES = [
    Entry(
        f"kl/{name}",
        f"Entropy, cross-entropy and KL divergence of two {name} laws",
        partial(kl_derivation, name),
    )
    for name in names()
]
