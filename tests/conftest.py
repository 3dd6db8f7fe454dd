"""Shared fixtures: the seed derivations are built and checked once per session."""

from __future__ import annotations

import pytest

from symbolic import check, get
from symbolic.kernel import CheckedDerivation


@pytest.fixture(scope="session")
def checked_seed() -> dict[str, CheckedDerivation]:
    return {d: check(get(d)) for d in ("cross-entropy-cost", "kl-vs-mle")}
