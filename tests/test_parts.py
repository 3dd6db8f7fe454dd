"""Derivations with parts, and the kernel's inequality steps (issue 3: `check mle/FAMILY` shows
the whole derivation, the estimator's checks included)."""

from __future__ import annotations

import json

import pytest
from sympy import S, Sum, Symbol

from symbolic.catalog import get
from symbolic.cli import main
from symbolic.kernel import Status, check, check_step
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.measures import N, i, x
from symbolic.outputs.render import to_html, to_latex, to_markdown, to_text
from symbolic.testing.selftest import run

s2 = Symbol("sigma2_hat", positive=True)
w = Symbol("w", real=True)


@pytest.mark.parametrize(
    ("lhs", "relation", "rhs", "status"),
    [
        (-N / s2, Relation.LT, S.Zero, Status.PROVED),
        (N**2 / (2 * s2**3), Relation.GT, S.Zero, Status.PROVED),
        (N / s2, Relation.LT, S.Zero, Status.REFUTED),
        (-N / s2, Relation.GT, S.Zero, Status.REFUTED),
        # w**2 > 0 fails only at w = 0: the sampled points cannot see it, no proof exists.
        (w**2, Relation.GT, S.Zero, Status.NUMERIC),
        # Equal sides are not strictly ordered.
        (N / s2, Relation.GT, N / s2, Status.REFUTED),
    ],
)
def test_inequality_steps(lhs, relation, rhs, status):
    checked = check_step(lhs, Relation.EQ, Step(relation, rhs, "sign"), params=())
    assert checked.status is status, checked.detail
    if status is Status.REFUTED:
        cex = checked.counterexample
        assert cex is not None and {"point", "lhs", "rhs"} <= set(cex)


def test_inequality_between_objectives_is_not_a_claim_about_optimizers():
    theta = Symbol("theta", real=True)
    checked = check_step(theta**2, Relation.ARGMIN, Step(Relation.LT, theta**2 + 1, "bigger"),
                         params=(theta,))
    assert checked.status is Status.UNKNOWN
    assert "optimizers" in checked.detail


def test_bound_indices_are_renamed():
    j = Symbol("j", integer=True, positive=True)
    lhs = N * Sum(x[i] ** 2, (i, 1, N)) - Sum(x[j], (j, 1, N)) ** 2
    rhs = N * Sum((x[i] - Sum(x[j], (j, 1, N)) / N) ** 2, (i, 1, N))
    assert check_step(lhs, Relation.EQ, Step(Relation.EQ, rhs, "spread"), params=()).status \
        is Status.PROVED
    wrong = N * Sum((x[i] - Sum(x[j], (j, 1, N)) / (N + 1)) ** 2, (i, 1, N))
    assert check_step(lhs, Relation.EQ, Step(Relation.EQ, wrong, "spread"), params=()).status \
        is Status.REFUTED


def test_a_refuted_part_makes_the_derivation_refuted():
    part = Derivation("demo/part", "a wrong sign", -N / s2, (Step(Relation.GT, S.Zero, "no"),),
                      params=())
    whole = Derivation("demo", "fine", N, (Step(Relation.EQ, N, "same"),), params=(),
                       parts=(part,))
    checked = check(whole)
    assert checked.steps[0].status is Status.PROVED
    assert checked.parts[0].status is Status.REFUTED
    assert checked.status is Status.REFUTED
    assert len(checked.all_steps()) == 2


def test_mle_check_shows_the_estimator_checks(capsys):
    assert main(["check", "mle/normal", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    ids = [p["id"] for p in obj["parts"]]
    assert ids == ["mle/normal/stationary", "mle/normal/hessian", "mle/normal/minor-1",
                   "mle/normal/minor-2"]
    assert all(p["status"] == "proved" for p in obj["parts"])
    minor = obj["parts"][2]["steps"][-1]
    assert (minor["relation"], minor["rhs"]) == ("<", "0")


def test_boundary_families_carry_the_monotone_argument(capsys):
    assert main(["check", "mle/uniform", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in obj["parts"]] == ["mle/uniform/boundary-theta"]


def test_renderers_show_parts_and_inequalities():
    checked = check(get("mle/normal"))
    latex = to_latex(checked)
    assert r"\subsection*{The score vanishes at the estimator (normal)}" in latex
    assert "&< 0" in latex
    assert "## The leading principal minor of order 1" in to_markdown(checked)
    assert "<h2>The Hessian of the log-likelihood" in to_html(checked)
    text = to_text(checked)
    assert "mle/normal/minor-1" in text and "< 0" in text
    assert "6 of 6 steps proved" in text


def test_weibull_known_shape_is_proved_with_positive_data():
    checked = check(get("mle/weibull-known-shape"))
    assert checked.status is Status.PROVED
    assert [p.derivation.id.rsplit("/", 1)[1] for p in checked.parts] == [
        "hessian", "minor-1"]


def test_linear_regression_signs_rest_on_two_distinct_x():
    checked = check(get("mle/linear-regression"))
    minors = [p for p in checked.parts if "minor" in p.derivation.id]
    assert [p.status for p in minors] == [Status.NUMERIC] * 3
    # The rewriting into the spread N Sum((x[i] - xbar)**2) is proved; only its sign is not.
    assert minors[1].steps[0].status is Status.PROVED
    assert any("two distinct" in n for n in minors[1].derivation.notes)


def test_selftest_mutates_the_parts():
    report = run(["mle/exponential"]).derivations
    by_id = {r.id: r for r in report}
    assert "mle/exponential/minor-1" in by_id
    flipped = [m for m in by_id["mle/exponential/minor-1"].mutants if m.operator == "argmin-argmax"]
    assert flipped and all(m.outcome == "refuted" for m in flipped)
    assert all(m.outcome != "wrongly_accepted" for r in report for m in r.mutants)


def test_multivariate_normal_minors_are_proved_through_cholesky():
    parts = get("mle/multivariate-normal").parts
    minors = [p for p in parts if "/minor-" in p.id]
    assert len(minors) == 5
    for part in minors:
        assert check(part).status is Status.PROVED, part.id
    assert any("Cholesky" in n for n in minors[0].notes)


def test_an_inequality_says_nothing_where_a_side_has_no_value():
    count = Sum(x[i] * 0, (i, 1, N))  # 0 at every point: -N**2/count has no value anywhere
    checked = check_step(-N**2 / count, Relation.EQ, Step(Relation.LT, S.Zero, "sign"),
                         params=())
    assert checked.status is Status.UNKNOWN
    assert "neither side has a value" in checked.detail


def test_categorical_second_order_is_checked_by_the_kernel():
    checked = check(get("mle/categorical"))
    (hessian,) = [p for p in checked.parts if p.derivation.id.endswith("/hessian")]
    assert hessian.steps[0].relation is Relation.LT
    assert hessian.status is Status.NUMERIC
