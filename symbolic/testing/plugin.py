"""pytest plugin (registered through the ``pytest11`` entry point): identity fixtures.

>>> from symbolic.testing import assert_identity
>>> assert_identity(2, 2)

In a test::

    def test_log_rule(identity):
        identity(log(p * q), log(p) + log(q))
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from symbolic.testing import assert_identity, assert_same_optimizers

__all__ = ["identity", "same_optimizers"]


@pytest.fixture
def identity() -> Callable[..., None]:
    """:func:`symbolic.testing.assert_identity`, ready to call."""
    return assert_identity


@pytest.fixture
def same_optimizers() -> Callable[..., None]:
    """:func:`symbolic.testing.assert_same_optimizers`, ready to call."""
    return assert_same_optimizers
