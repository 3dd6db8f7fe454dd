"""What a notebook shows, without a Jupyter kernel: the display hooks of the printer.

JupyterLab and VS Code prefer text/markdown to text/latex; MathJax 3 and KaTeX typeset the math
between dollars, and show text-mode macros (\\textbf, \\_) raw. A rule in a \\text column beside
a formula is not wrapped, so the rules go under the formulas.
"""

from __future__ import annotations

import re

import pytest
from cheap_catalog import CHEAP, checked

from symbolic import NLL, CrossEntropy, Derivation, N, Relation, Status, Step, check, get
from symbolic.kernel.measures import p_data, p_model
from symbolic.outputs import render  # noqa: F401  (attaches the display hooks)
from symbolic.outputs.render import to_text

pretty = pytest.importorskip("IPython.lib.pretty").pretty

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
# What MathJax and KaTeX print raw, as the reader of an annotation saw it.
_RAW_TEX = re.compile(r"\\textbf|\\_|\\texttt|\\emph")


def _outside_math(markdown: str) -> str:
    return _MATH.sub(" ", markdown)


def test_a_status_shows_as_its_word():
    assert pretty(Status.PROVED) == "✔ proved"
    assert "Status." not in pretty((Status.REFUTED, Status.NUMERIC))
    assert Status.PROVED._repr_markdown_() == "**✔ proved**"


@pytest.mark.parametrize("derivation_id", ["kl-vs-mle", "kl/normal", "mle/normal"])
def test_annotations_are_text_not_tex_macros(derivation_id):
    c = checked(derivation_id)
    for shown in (c._repr_latex_(), c.derivation._repr_latex_(), c.steps[0]._repr_latex_()):
        assert not _RAW_TEX.search(shown), shown[:300]


def test_an_unchecked_derivation_lists_its_rules_under_the_chain():
    d = get("kl-vs-mle")
    shown = d._repr_markdown_()
    assert shown.count(r"\begin{aligned}") == 1
    assert r"\text{" not in shown, "a rule in a column is cut where the cell ends"
    rules = re.findall(r"^(\d+)\. ", shown, re.M)
    assert rules == [str(k) for k in range(1, len(d.steps) + 1)]
    # The long rule of step 6 is whole, outside the formula block.
    assert "so the minimizer is the MLE" in _outside_math(shown)


def test_a_refuted_step_shows_its_counterexample_readably():
    wrong = Derivation(
        id="wrong-sign",
        title="A step with the wrong sign",
        start=NLL() / N,
        steps=(Step(Relation.EQ, -CrossEntropy(p_data, p_model), "a careless sign"),),
    )
    step = check(wrong, CHEAP).steps[0]
    shown = step._repr_markdown_()
    assert step.status is Status.REFUTED
    assert "✘ refuted" in shown and "counterexample at" in shown
    assert "left side =" in shown and "right side =" in shown
    assert "['" not in shown and "Status." not in shown
    assert not _RAW_TEX.search(shown)


def test_the_korean_text_names_the_verdict_in_korean():
    head = to_text(checked("kl-vs-mle"), lang="ko").splitlines()[0]
    assert head.endswith("[증명됨]"), head
