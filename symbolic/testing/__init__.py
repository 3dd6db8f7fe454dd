"""Test support: identity assertions for a user's test suite, the pytest plugin, and the
mutation self-test of the catalog.

>>> from sympy import log, symbols
>>> from symbolic.testing import assert_identity
>>> a, b = symbols("a b", positive=True)
>>> assert_identity(log(a * b), log(a) + log(b))
"""

from symbolic.testing.identities import IdentityError, assert_identity, assert_same_optimizers

__all__ = ["IdentityError", "assert_identity", "assert_same_optimizers"]
