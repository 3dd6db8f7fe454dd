"""No raw sympy text in any generated document: every formula of the prose is typeset as math,
θ is θ, and the empirical distribution wears its hat (p̂_data; p_data is the true one).

Every entry is printed in every format and language, and the shared pages too; code (which is
Python and may say ``theta``) is left out of the search.
"""

from __future__ import annotations

import json
import re

import pytest
from cheap_catalog import checked

from symbolic.catalog import ids
from symbolic.outputs import docs
from symbolic.outputs.render import to_html, to_latex, to_markdown, to_text
from symbolic.outputs.textbook import forms

RAW = {
    "sympy call": re.compile(r"\b(Sum|Product|Abs|Integral|Maximum|Minimum|Median|Trace)\("),
    "sympy function": re.compile(r"\b(polygamma|loggamma|factorial|binomial)\("),
    "sympy power": re.compile(r"[\w)\]]\*\*[\w(]"),
    "indexing": re.compile(r"\b[a-z]\[[a-z]\]"),
    "spelled σ²": re.compile(r"sigma2"),
    "spelled hat": re.compile(r"_hat\b|_\{hat\}"),
    "spelled θ": re.compile(r"(?<![\\\w])theta(?![\w])"),
    "spelled Greek": re.compile(r"(?<![\\\w])(mu|lam|sigma|alpha|lambda)(_\w+)?(?![\w])"),
    "spelled infinity": re.compile(r"infinity|\+oo\b|무한대"),
    "empirical p_data without its hat": re.compile(r"(?<![\\\w])p_data\b|(?<!\\hat\{)p_\{data\}"),
}

_CODE = [
    re.compile(r"```.*?```", re.S),
    re.compile(r"`[^`]*`"),
    re.compile(r"\\texttt\{(?:[^{}]|\{\})*\}"),
    re.compile(r"<(code|script|style)\b.*?</\1>", re.S),
    re.compile(r"<!--.*?-->", re.S),
]


_IDS = re.compile(r"\b(mle|kl)/[\w/-]+")


def _prose(document: str) -> str:
    for pattern in _CODE:
        document = pattern.sub(" ", document)
    # Ids are names, not prose: mle/uniform/boundary-theta.
    return _IDS.sub(" ", document)


def _raw(document: str) -> list[str]:
    text = _prose(document)
    found = []
    for what, pattern in RAW.items():
        for m in pattern.finditer(text):
            found.append(f"{what}: …{text[max(0, m.start() - 40) : m.end() + 40]}…")
    return found


@pytest.mark.parametrize("derivation_id", ids())
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_raw_sympy_text_in_any_format(derivation_id, lang):
    c = checked(derivation_id)
    for name, document in (
        ("latex", to_latex(c, lang)),
        ("markdown", to_markdown(c, lang)),
        ("html", to_html(c, lang)),
        ("text", to_text(c, lang=lang)),
    ):
        assert not _raw(document), f"{derivation_id} {name} {lang}: {_raw(document)[:5]}"


_INLINE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)


@pytest.mark.parametrize("derivation_id", ids())
def test_markdown_math_is_only_between_dollars_and_each_chain_is_one_aligned_block(
    derivation_id,
):
    c = checked(derivation_id)
    for lang in ("en", "ko"):
        page = to_markdown(c, lang)
        outside = _INLINE.sub(" ", _prose(page))
        assert not re.findall(r"\\[A-Za-z]+", outside), (derivation_id, lang)
        assert not re.search(r"(?<![\\*])\*(?!\*)[^*\n]*[=^]", outside), "emphasis from sympy"
        chains = [ch for ch in c.chains() if ch.steps or ch.derivation.start_label]
        # One block per chain, and one per textbook form beside the derived result.
        assert page.count(r"\begin{aligned}") == len(chains) + len(forms(derivation_id))
        assert not re.search(r"^\$\$ .+ \$\$$", page, re.M), "a one-line $$ block per step"


def test_the_shared_pages_have_no_raw_sympy_text(checked_seed):
    summaries = [docs.Summary.of(checked(i)) for i in ids()]
    pages = docs.shared_pages(summaries, checked_seed)
    for rel, page in pages.items():
        if rel.endswith(".ipynb"):
            cells = json.loads(page)["cells"]
            page = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert not _raw(page), f"{rel}: {_raw(page)[:5]}"


def test_the_grep_finds_what_it_is_for():
    # Material written the way the defects looked, to show each pattern bites.
    for sample in (
        "mu = Sum(x[i], (i, 1, N))/N",
        "H = [[-N/sigma2_hat, 0]]",
        "E_P[x**2] = mu_1**2",
        r"t_{sigma2} and \sigma^{2}_{hat}",
        "for every theta",
        "is +infinity",
        "p_data puts mass 1/N",
    ):
        assert _raw(sample), sample
    assert not _raw(r"$\hat{p}_{data}$ and p̂_data and $\theta$ and `theta` and θ")
