"""The identity assertions and their pytest plugin."""

from __future__ import annotations

import pytest
from sympy import Abs, Lambda, Symbol, atan, cos, exp, log, pi, sin, sqrt

from symbolic.testing import IdentityError, assert_identity

p = Symbol("p", positive=True)
q = Symbol("q", positive=True)
r = Symbol("r", real=True)
t = Symbol("t", real=True)

pytest_plugins = ["pytester"]


def test_true_on_its_domain_is_never_refuted():
    # sympy's Expr.equals answers False here, sampling outside p > 0.
    assert_identity(atan(p) + atan(1 / p), pi / 2, allow_numeric=True)


def test_numeric_only_needs_permission():
    with pytest.raises(IdentityError, match="numeric evidence only"):
        assert_identity(atan(p) + atan(1 / p), pi / 2)


def test_false_somewhere_is_refuted_with_a_point_of_the_domain():
    with pytest.raises(IdentityError) as exc:
        assert_identity(sqrt(r**2), r)
    checked = exc.value.checked
    assert checked.status.value == "refuted"
    assert float(checked.counterexample["point"]["r"]) < 0
    assert "counterexample" in str(exc.value) and "lhs" in str(exc.value)


def test_interval_domain_decides_sampling():
    assert_identity(sqrt(r**2), r, intervals={r: (0.1, 5)}, allow_numeric=True)


def test_identities_proved(identity):
    identity(log(p * q), log(p) + log(q))
    identity(sin(r) ** 2 + cos(r) ** 2, 1)
    identity(exp(log(p)), p)
    identity(Abs(p), p)


def test_text_is_refused():
    with pytest.raises(TypeError, match="sympy expression or a number"):
        assert_identity("__import__('os')", 0)


def test_same_optimizers(same_optimizers):
    same_optimizers((t - 1) ** 2, 3 * (t - 1) ** 2 + 5, (t,))
    u = Symbol("u", real=True)
    bell = exp(-((t - 1) ** 2))
    same_optimizers(
        bell, (t - 1) ** 2, (t,), sense="argmax", g_sense="argmin", witness=Lambda(u, -log(u))
    )
    with pytest.raises(IdentityError, match="numeric evidence only"):
        same_optimizers(bell, (t - 1) ** 2, (t,), sense="argmax", g_sense="argmin")
    with pytest.raises(IdentityError, match="refuted"):
        same_optimizers((t - 1) ** 2, -((t - 1) ** 2), (t,))


def test_plugin_is_registered_by_entry_point(pytester):
    pytester.makepyfile(
        """
        from sympy import Symbol, sqrt
        r = Symbol("r", real=True)

        def test_false(identity):
            identity(sqrt(r**2), r)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*refuted*", "*counterexample*"])
