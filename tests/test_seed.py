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


# --- the Markdown documents are read as the post writes them ------------------------------


def _expected_chains():
    """The two chains built directly with the measures API, as derivations/seed.py did."""
    from sympy import Product, Sum, log

    from symbolic.kernel.measures import (
        KL,
        Constant,
        CrossEntropy,
        Entropy,
        Expectation,
        Likelihood,
        N,
        PData,
        PModel,
        i,
        p_data,
        p_model,
        theta,
        x,
        xv,
        y,
        yv,
    )

    point_log = log(PModel(y[i], x[i], theta))
    log_model = log(PModel(yv, xv, theta))
    log_data = log(PData(yv, xv))
    cross_entropy = (
        Likelihood(),
        Relation.ARGMAX,
        [
            (Relation.ARGMIN, -Likelihood()),
            (Relation.EQ, -Product(PModel(y[i], x[i], theta), (i, 1, N))),
            (Relation.ARGMIN, -Sum(point_log, (i, 1, N))),
            (Relation.ARGMIN, -Sum(point_log, (i, 1, N)) / N),
            (Relation.EQ, -Expectation(log_model, p_data)),
            (Relation.EQ, CrossEntropy(p_data, p_model)),
        ],
    )
    kl = (
        KL(p_data, p_model),
        Relation.ARGMIN,
        [
            (Relation.EQ, -Expectation(log(PModel(yv, xv, theta) / PData(yv, xv)), p_data)),
            (Relation.EQ, -Expectation(log_model, p_data) + Expectation(log_data, p_data)),
            (
                Relation.EQ,
                -Expectation(log_model, p_data) + Constant(Expectation(log_data, p_data)),
            ),
            (Relation.EQ, -Expectation(log_model, p_data) - Entropy(p_data)),
            (Relation.ARGMIN, -Expectation(log_model, p_data)),
            (Relation.ARGMAX, Likelihood()),
        ],
    )
    return {"cross-entropy-cost": cross_entropy, "kl-vs-mle": kl}


@pytest.mark.parametrize("derivation_id", SEED)
def test_document_reads_as_the_measures(derivation_id):
    """Each step of the Markdown is the expression built with the measures API, identically:
    a misread bracket, sign, bound variable or relation changes the tree."""
    start, sense, steps = _expected_chains()[derivation_id]
    d = get(derivation_id)
    assert d.start == start and d.sense is sense
    assert [(s.relation, s.rhs) for s in d.steps] == steps


RULES = {
    "cross-entropy-cost": [
        "argmax of f is argmin of -f",
        "the likelihood of i.i.d. data is the product of the points' probabilities",
        "log is strictly increasing: -log(-u) keeps the order of negative u",
        "divide by N > 0",
        "definition of the empirical expectation: p_data puts mass 1/N on each data point",
        "definition of cross-entropy: H(p, q) = E_p[-log q]",
    ],
    "kl-vs-mle": [
        "definition of the KL divergence: D_KL(P || Q) = -E_P log(Q/P)",
        "log of a quotient, then linearity of expectation",
        "p_data is fixed by the data: E log p_data does not depend on theta",
        "the constant is -H(p_data), the entropy of the empirical distribution "
        "(repeated points counted with their multiplicity)",
        "drop a theta-free constant",
        "exp(-N u) is strictly decreasing: minimizing -E log p_model maximizes the "
        "likelihood, so the minimizer is the MLE",
    ],
}


@pytest.mark.parametrize("derivation_id", SEED)
def test_document_carries_title_rules_labels_and_caveat(derivation_id):
    """Title from the front matter, each rule from the prose before its block (the Korean
    render looks these strings up verbatim), the caveat from the block quote."""
    from symbolic.catalog import entries
    from symbolic.outputs.i18n import untranslated

    d = get(derivation_id)
    (entry,) = [e for e in entries() if e.id == derivation_id]
    assert entry.title == d.title
    assert [s.rule for s in d.steps] == RULES[derivation_id]
    assert len(d.notes) == 1 and d.notes[0].startswith("For a continuous model the KL form fails")
    assert untranslated([d.title, *RULES[derivation_id], *d.notes]) == []
    labels = {"cross-entropy-cost": ("theta_MLE", ""), "kl-vs-mle": ("", "theta_MLE")}
    assert (d.start_label, d.end_label) == labels[derivation_id]


def test_witnesses_are_the_rules_maps():
    """The non-affine argmin/argmax steps carry the monotone map their rule names."""
    from sympy import Symbol, exp, log

    from symbolic.kernel.measures import N

    u = Symbol("u", real=True)
    assert get("cross-entropy-cost").steps[2].witness(u) == -log(-u)
    assert get("kl-vs-mle").steps[5].witness(u) == exp(-N * u)


def test_documents_are_the_catalogs_only_definition():
    """One definition per entry: the Markdown, shipped as package data."""
    import tomllib

    from symbolic.catalog import catalog_dir

    folder = catalog_dir()
    assert {p.stem for p in folder.glob("*.md")} >= set(SEED)
    assert not (folder / "seed.py").exists()
    pyproject = tomllib.loads((folder.parent / "pyproject.toml").read_text())
    data = pyproject["tool"]["setuptools"]["package-data"]["symbolic.derivations"]
    assert "*.md" in data


def _document(name: str):
    from symbolic.catalog import catalog_dir

    return (catalog_dir() / f"{name}.md").read_text(encoding="utf-8")


def test_a_slip_in_the_document_is_refuted():
    """The post's chain with 1/(N-1) for 1/N: read into a different step, and refuted."""
    from symbolic.kernel import check
    from symbolic.readers import documents

    text = _document("cross-entropy-cost").replace(r"- \frac{1}{N} \sum", r"- \frac{1}{N-1} \sum")
    assert r"\frac{1}{N-1}" in text
    d = documents.catalog_derivation(documents.read_text(text, "slip.md"), "slip")
    statuses = [s.status for s in check(d).steps]
    assert statuses[4] is Status.REFUTED, statuses


def test_catalog_document_refusals():
    """A step without prose before its own block has no rule; a catalog document is one chain."""
    from symbolic.readers import documents

    no_rule = "---\ntitle: t\n---\n$$\nH(p, q) = \\mathbb{E}_p[-\\log q]\n$$\n"
    with pytest.raises(documents.DocumentError, match="needs its rule"):
        documents.catalog_derivation(documents.read_text(no_rule, "r.md"), "r")
    two = (
        "$$\nH(p, q)\n$$\n\ndefinition\n\n$$\n= \\mathbb{E}_p[-\\log q]\n$$\n\n"
        "$$\nH(p)\n$$\n\ndefinition\n\n$$\n= \\mathbb{E}_p[-\\log p]\n$$\n"
    )
    with pytest.raises(documents.DocumentError, match="one chain, not 2"):
        documents.catalog_derivation(documents.read_text(two, "two.md"), "two")


def test_objectives_equal_as_values_only_when_proved():
    """``=`` between objectives is an equality only where the kernel proves the values equal:
    argmin 2f = argmin f stays an argmin step."""
    from symbolic.readers import documents

    text = (
        "$$\n\\arg\\min_\\theta (\\theta - 1)^2\n$$\n\nexpand the square\n\n"
        "$$\n= \\arg\\min_\\theta \\theta^2 - 2 \\theta + 1\n$$\n\nscale by 2\n\n"
        "$$\n= \\arg\\min_\\theta 2 \\theta^2 - 4 \\theta + 2\n$$\n"
    )
    d = documents.catalog_derivation(documents.read_text(text, "o.md"), "o")
    assert [s.relation for s in d.steps] == [Relation.EQ, Relation.ARGMIN]
    assert [s.rule for s in d.steps] == ["expand the square", "scale by 2"]
    assert d.sense is Relation.ARGMIN
