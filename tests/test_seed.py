"""The seed post's two derivations: every step proved, each mutant refuted."""

from __future__ import annotations

import pytest

from symbolic import Relation, Status, get
from symbolic.kernel import check_step
from symbolic.testing.mutants import mutate

SEED = ("cross-entropy-cost", "kl-vs-mle")
# The mistakes issue 2 names: each must be refuted with a counterexample.
ISSUE_OPERATORS = (
    "flip-sign",
    "drop-term",
    "swap-p-data-p-model",
    "n-minus-1",
    "declare-constant",
    "argmin-argmax",
)


@pytest.mark.parametrize("derivation_id", SEED)
def test_every_step_proved(checked_seed, derivation_id):
    checked = checked_seed[derivation_id]
    assert [s.status for s in checked.steps] == [Status.PROVED] * len(checked.steps)
    assert checked.status is Status.PROVED


def test_chains_follow_the_post():
    ce = get("cross-entropy-cost")
    assert [s.relation for s in ce.steps] == [
        Relation.ARGMIN,
        Relation.EQ,
        Relation.ARGMIN,
        Relation.ARGMIN,
        Relation.EQ,
        Relation.EQ,
    ]
    assert type(ce.steps[-1].rhs).__name__ == "CrossEntropy"
    kl = get("kl-vs-mle")
    assert type(kl.start).__name__ == "KL"
    assert kl.steps[-1].relation is Relation.ARGMAX


def _mutant_cases():
    for derivation_id in SEED:
        d = get(derivation_id)
        lhs, sense = d.start, d.sense
        for k, step in enumerate(d.steps, start=1):
            for mutant in mutate(step, sense, d.params, ISSUE_OPERATORS):
                yield pytest.param(lhs, sense, mutant, id=f"{derivation_id}-{k}-{mutant.operator}")
            lhs = step.rhs
            if step.relation is not Relation.EQ:
                sense = step.relation


MUTANTS = list(_mutant_cases())


def test_every_issue_operator_applies_somewhere():
    used = {case.values[2].operator for case in MUTANTS}
    assert used == set(ISSUE_OPERATORS)


@pytest.mark.parametrize(("lhs", "sense", "mutant"), MUTANTS)
def test_mutant_refuted_with_counterexample(lhs, sense, mutant):
    checked = check_step(lhs, sense, mutant.step)
    assert checked.status is Status.REFUTED, (mutant.description, checked.detail)
    cex = checked.counterexample
    assert cex is not None and "point" in cex and "lhs" in cex and "rhs" in cex
    assert "N" in cex["point"] and "x" in cex["point"]


def test_constant_is_minus_entropy_with_multiplicities():
    """The constant E log p_data equals -H(p_data) computed by counting, on data with repeats."""
    import math
    from collections import Counter

    import mpmath

    from symbolic.kernel.measures import Constant
    from symbolic.kernel.numeric import Point, evaluate, sample_instances

    kl = get("kl-vs-mle")
    constant = next(iter(kl.steps[2].rhs.atoms(Constant))).term
    for inst in sample_instances(seed=3, count=5):
        pairs = Counter(zip(inst.xs, inst.ys, strict=True))
        xs = Counter(inst.xs)
        assert inst.n == 1 or max(pairs.values()) >= 2
        entropy = -sum(c / inst.n * math.log(c / xs[x]) for (x, _), c in pairs.items())
        with mpmath.workdps(30):
            value = evaluate(constant, Point(inst, {}))
        assert float(value) == pytest.approx(-entropy, rel=1e-12)
