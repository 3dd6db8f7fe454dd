"""The kernel's verdicts on hand-made steps: proved, numeric, refuted and unknown."""

from __future__ import annotations

import pytest
import sympy
from sympy import Lambda, Symbol, atan, exp, log, pi

from symbolic import (
    NLL,
    Config,
    Constant,
    CrossEntropy,
    Expectation,
    Likelihood,
    N,
    PModel,
    Relation,
    Status,
    Step,
    check_step,
    p_data,
    p_model,
    theta,
    xv,
    yv,
)
from symbolic.kernel import CheckedStep
from symbolic.kernel.domains import POSITIVE, REALS, SPD, Vectors

LOG_P = log(PModel(yv, xv, theta))


def test_checked_steps_only_come_from_the_kernel():
    with pytest.raises(TypeError):
        CheckedStep(1, N, Relation.EQ, Relation.EQ, N, "r", Status.PROVED, "forged")


def test_numeric_only_identity_says_so():
    p = Symbol("p", positive=True)
    checked = check_step(
        atan(p) + atan(1 / p), Relation.EQ, Step(Relation.EQ, pi / 2, "identity"), params=()
    )
    assert checked.status in (Status.PROVED, Status.NUMERIC)
    if checked.status is Status.NUMERIC:
        assert "numeric only" in checked.detail


def test_identity_false_on_the_domain_is_refuted_with_a_point_in_the_domain():
    p = Symbol("p", positive=True)
    checked = check_step(
        atan(p) + atan(1 / p), Relation.EQ, Step(Relation.EQ, pi / 3, "wrong"), params=()
    )
    assert checked.status is Status.REFUTED
    assert float(checked.counterexample["point"]["p"]) > 0


def test_interval_domains_are_respected():
    q = Symbol("q", real=True)
    # sqrt(q^2) = q holds on (0, 1) only; sampling from the interval must not refute it.
    checked = check_step(
        sympy.sqrt(q**2),
        Relation.EQ,
        Step(Relation.EQ, sympy.Abs(q), "abs"),
        params=(),
        intervals={q: (0, 1)},
    )
    assert checked.status is not Status.REFUTED


def test_theta_dependent_term_declared_constant_is_refuted():
    lhs = -Expectation(LOG_P, p_data)
    rhs = Constant(-Expectation(LOG_P, p_data))
    checked = check_step(lhs, Relation.EQ, Step(Relation.EQ, rhs, "declared constant"))
    assert checked.status is Status.REFUTED
    assert "depends on the parameters" in checked.detail
    assert checked.counterexample["theta_1"] != checked.counterexample["theta_2"]


def test_argmin_with_negative_factor_is_refuted():
    lhs = NLL()
    checked = check_step(lhs, Relation.ARGMIN, Step(Relation.ARGMIN, -NLL() / N, "wrong sign"))
    assert checked.status is Status.REFUTED
    assert set(checked.counterexample) >= {"theta_1", "theta_2", "lhs", "rhs"}


def test_argmin_to_argmax_with_negative_factor_is_proved():
    checked = check_step(NLL(), Relation.ARGMIN, Step(Relation.ARGMAX, -NLL() / N, "negate"))
    assert checked.status is Status.PROVED


def test_wrong_witness_is_not_taken_on_trust():
    u = Symbol("u", real=True)
    step = Step(Relation.ARGMIN, Likelihood() ** 2, "bogus", witness=Lambda(u, u**2))
    checked = check_step(-Likelihood(), Relation.ARGMIN, step)
    # u^2 is decreasing on the negative range of -L, so L^2 = h(-L) reverses the order.
    assert checked.status is Status.REFUTED


def test_composed_witness_is_proved():
    u = Symbol("u", real=True)
    # -L^2 = -h(-L) with h(u) = u^2 decreasing on the negatives: the order is kept.
    step = Step(Relation.ARGMIN, -(Likelihood() ** 2), "square", witness=Lambda(u, u**2))
    assert check_step(-Likelihood(), Relation.ARGMIN, step).status is Status.PROVED


def test_monotone_witness_through_exp():
    u = Symbol("u", real=True)
    step = Step(Relation.ARGMAX, Likelihood(), "exp", witness=Lambda(u, exp(-N * u)))
    checked = check_step(NLL() / N, Relation.ARGMIN, step)
    assert checked.status is Status.PROVED


def test_cross_entropy_is_nll_over_n():
    checked = check_step(
        NLL() / N, Relation.EQ, Step(Relation.EQ, CrossEntropy(p_data, p_model), "definition")
    )
    assert checked.status is Status.PROVED


def test_budget_exhaustion_is_unknown_not_a_hang():
    # A true identity the normalizer cannot see, with no time to simplify and no numeric
    # semantics for the unknown function: the honest verdict is unknown.
    f = sympy.Function("f")
    lhs = sympy.sin(f(theta)) ** 2 + sympy.cos(f(theta)) ** 2
    checked = check_step(
        lhs,
        Relation.EQ,
        Step(Relation.EQ, sympy.Integer(1), "pythagoras"),
        config=Config(budget=1e-6),
    )
    assert checked.status is Status.UNKNOWN
    assert "budget" in checked.detail or "numeric check impossible" in checked.detail


def test_more_digits_change_nothing():
    step = Step(Relation.EQ, CrossEntropy(p_data, p_model), "definition")
    checked = check_step(NLL() / N, Relation.EQ, step, config=Config(dps=120, seed=7))
    assert checked.status is Status.PROVED


def test_an_exact_zero_side_is_not_refuted_by_rounding_noise():
    p = Symbol("p", positive=True)
    lhs = log(p * (p + 1)) - log(p) - log(p + 1)
    step = Step(Relation.EQ, sympy.S.Zero, "zero")
    assert check_step(lhs, Relation.EQ, step, params=()).status is Status.PROVED
    tiny = Step(Relation.EQ, sympy.Rational(1, 10**30), "not zero")
    assert check_step(lhs, Relation.EQ, tiny, params=()).status is Status.REFUTED


# --- expectations over laws in symbolic dimension (Mean) -------------------------------------

_K = Symbol("K", integer=True, positive=True)
_ALPHA = sympy.IndexedBase("alpha", positive=True)
_X = sympy.IndexedBase("x", positive=True)
_D = Symbol("d", integer=True, positive=True)
_MU, _SIGMA = sympy.MatrixSymbol("mu", _D, 1), sympy.MatrixSymbol("Sigma", _D, _D)
_XV, _A = sympy.MatrixSymbol("x", _D, 1), sympy.MatrixSymbol("A", _D, _D)


def _dirichlet_step(lhs, rhs, intervals=None) -> CheckedStep:
    return check_step(
        lhs,
        Relation.EQ,
        Step(Relation.EQ, rhs, "moment"),
        params=(),
        intervals=intervals,
        vectors={_ALPHA: (_K, Vectors(POSITIVE, _K))},
    )


def _normal_step(lhs, rhs) -> CheckedStep:
    vectors = {_MU: (_D, Vectors(REALS, _D)), _SIGMA: (_D, SPD(_D)), _A: (_D, SPD(_D))}
    return check_step(
        lhs,
        Relation.EQ,
        Step(Relation.EQ, rhs, "moment"),
        params=(),
        intervals={_D: (1, 4)},
        vectors=vectors,
    )


def test_dirichlet_moments_are_derived_from_the_beta_marginal():
    from symbolic.kernel.measures import DirichletLaw, Mean

    law = DirichletLaw(_ALPHA, _X, _K)
    k = Symbol("k", integer=True, positive=True)
    a, a0 = _ALPHA[2], sympy.Sum(_ALPHA[k], (k, 1, _K))
    square = _dirichlet_step(Mean(_X[2] ** 2, law), a * (a + 1) / (a0 * (a0 + 1)), {_K: (2, 6)})
    assert square.status is Status.PROVED, square.detail
    assert "Beta" in square.detail
    # A plausible slip, digamma(alpha_0 - alpha_k) for digamma(alpha_0), is refuted.
    wrong = _dirichlet_step(
        Mean(log(_X[2]), law), sympy.digamma(a) - sympy.digamma(a0 - a), {_K: (2, 6)}
    )
    assert wrong.status is Status.REFUTED and wrong.counterexample


def test_a_dirichlet_mean_without_a_rule_is_numeric_and_says_how():
    from symbolic.kernel.measures import DirichletLaw, Mean

    law = DirichletLaw(_ALPHA, _X, _K)
    k = Symbol("k", integer=True, positive=True)
    a0 = sympy.Sum(_ALPHA[k], (k, 1, _K))
    # E[log(1 - x_1)] = psi(alpha_0 - alpha_1) - psi(alpha_0): no symbolic rule derives it.
    rhs = sympy.digamma(a0 - _ALPHA[1]) - sympy.digamma(a0)
    checked = _dirichlet_step(Mean(log(1 - _X[1]), law), rhs, {_K: (2, 6)})
    assert checked.status is Status.NUMERIC, checked.detail
    assert "Beta(alpha_k, alpha_0 - alpha_k)" in checked.detail and "K = " in checked.detail


def test_normal_quadratic_moment_is_derived_and_a_wrong_one_refuted():
    from symbolic.kernel.measures import Mean, NormalLaw

    law = NormalLaw(_MU, _SIGMA, _XV)
    lhs = Mean(sympy.Trace(_XV.T * _A * _XV), law)
    right = sympy.Trace(_A * _SIGMA) + sympy.Trace(_MU.T * _A * _MU)
    proved = _normal_step(lhs, right)
    assert proved.status is Status.PROVED and proved.evaluated, proved.detail
    assert "L z" in proved.detail
    # Forgetting the covariance term, E[x^T A x] = mu^T A mu, is refuted.
    wrong = _normal_step(lhs, sympy.Trace(_MU.T * _A * _MU))
    assert wrong.status is Status.REFUTED and wrong.counterexample


def test_normal_mean_outside_the_rules_is_not_claimed():
    from symbolic.kernel.measures import Mean, NormalLaw

    law = NormalLaw(_MU, _SIGMA, _XV)
    lhs = Mean(log(1 + sympy.Trace(_XV.T * _XV)), law)
    checked = _normal_step(lhs, log(1 + sympy.Trace(_MU.T * _MU)))
    assert checked.status is Status.UNKNOWN, checked.detail
    assert "not a polynomial" in checked.detail


def test_the_rule_list_is_documented():
    from pathlib import Path

    from symbolic.kernel.rules import RULES

    text = (Path(__file__).parent.parent / "docs" / "kernel.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"`{rule.name}`" in text
        assert all(condition in text for condition in rule.conditions)


def test_python_numbers_are_sides():
    assert check_step(0, Relation.EQ, Step(Relation.EQ, 0, "zero"), params=()).status is (
        Status.PROVED
    )
    with pytest.raises(TypeError):
        check_step("0", Relation.EQ, Step(Relation.EQ, 0, "text"), params=())


@pytest.mark.parametrize(
    "kwargs", [{"dps": 10}, {"budget": 0}, {"budget": -1.0}, {"instances": 1, "param_points": 1}]
)
def test_config_is_validated(kwargs):
    with pytest.raises(ValueError):
        Config(**kwargs)


def test_the_symbolic_route_runs_when_the_numeric_route_refutes():
    t = Symbol("t", real=True)
    checked = check_step(t + 1, Relation.EQ, Step(Relation.EQ, t + 2, "wrong"), params=())
    assert checked.status is Status.REFUTED
    assert "kernel bug" not in checked.detail


def test_a_witness_that_mentions_the_parameter_is_refused():
    u = Symbol("u", real=True)
    f = (theta - 1) ** 2
    step = Step(Relation.ARGMIN, f + exp(theta - 50), "w", witness=Lambda(u, u + exp(theta - 50)))
    checked = check_step(f, Relation.ARGMIN, step)
    assert checked.status is not Status.PROVED
    assert "mentions the parameters" in checked.detail


def test_open_obligations_are_named():
    t = Symbol("t", real=True)
    checked = check_step(
        (t**2 - 1) / (t - 1), Relation.EQ, Step(Relation.EQ, t + 1, "c"), params=()
    )
    assert checked.status is Status.WHERE_DEFINED
    assert "undefined where t - 1 = 0 (t = 1)" in checked.detail


def test_sides_defined_on_different_sets_are_equal_only_where_both_are():
    from symbolic.testing import IdentityError, assert_identity

    t = Symbol("t", real=True)
    tp = Symbol("t", positive=True)
    with pytest.raises(IdentityError, match="where defined"):
        assert_identity((t**2 - t) / t, t - 1)
    assert_identity((t**2 - t) / t, t - 1, allow_where_defined=True)
    # A refusal is not a grant: a false claim with a mismatched domain stays refuted.
    with pytest.raises(IdentityError, match="refuted"):
        assert_identity((t**2 - t) / t, t + 1, allow_where_defined=True)
    # Control: where the denominator cannot vanish the identity is proved outright.
    assert_identity((tp**2 - tp) / tp, tp - 1)
    # The same denominator on both sides is the same domain: an identity where it holds.
    same = check_step(
        (t**2 - t) / t, Relation.EQ, Step(Relation.EQ, (t**2 - 1) / t - (t - 1) / t, "c"),
        params=(),
    )
    assert same.status is Status.PROVED, same.detail


def test_explain_lists_the_open_obligations_of_a_step(capsys, tmp_path):
    from symbolic.cli import main

    path = tmp_path / "cancel.toml"
    path.write_text(
        'title = "cancel"\nstart = "(t**2 - t)/t"\n[symbols]\nt = "real"\n'
        '[[steps]]\nexpr = "t - 1"\n',
        encoding="utf-8",
    )
    assert main(["check", str(path), "--explain"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "where defined" in out
    assert "rule same-domain:" in out
    assert "open: the left side is undefined where t = 0 and the right side is not" in out


def test_check_explain_prints_rules_and_conditions(capsys):
    from symbolic.cli import main

    assert main(["check", "cross-entropy-cost", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "Rules and obligations:" in out
    assert "rule unfold:" in out and "if the definition's data index is fresh" in out
