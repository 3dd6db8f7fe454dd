"""LaTeX, Markdown, HTML and PDF documents in English and Korean, for every catalog entry."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cheap_catalog import checked

from symbolic.catalog import ids
from symbolic.cli import main
from symbolic.outputs import render
from symbolic.outputs.i18n import translate, untranslated
from symbolic.outputs.prose import pieces
from symbolic.outputs.render import (
    TexEngineMissing,
    TexError,
    compile_latex,
    tex_engine,
    to_html,
    to_latex,
    to_markdown,
    to_pdf,
    to_text,
)

LANGS = ("en", "ko")
HAS_TEX = any(shutil.which(e) for e in ("xelatex", "lualatex"))
needs_tex = pytest.mark.skipif(
    not HAS_TEX,
    reason="no TeX engine (xelatex or lualatex): apt-get install texlive-xetex "
    "texlive-lang-korean fonts-nanum; CI installs them",
)


@pytest.mark.parametrize("derivation_id", ids())
def test_every_entry_renders_in_every_text_format_and_language(derivation_id):
    c = checked(derivation_id)
    for lang in LANGS:
        latex = to_latex(c, lang)
        assert latex.startswith(r"\documentclass") and latex.rstrip().endswith(r"\end{document}")
        # Every step of the chain and of its parts, once each.
        assert latex.count(r"\shortintertext") == len(c.all_steps())
        markdown = to_markdown(c, lang)
        # One aligned block per chain, every step listed with its rule, and numbered in the
        # block unless both its sides print alike (a row X = X is not shown).
        numbered = re.findall(r"&& \((\d+)\)", markdown)
        hidden = sum(len(render._alike(ch.derivation, ch.steps)) for ch in c.chains())
        shown_alone = len(re.findall(r" & && \(\d+\)", markdown))
        assert len(numbered) == len(c.all_steps()) - hidden + shown_alone
        assert len(re.findall(r"^\d+\. ", markdown, re.M)) == len(c.all_steps())
        page = to_html(c, lang)
        assert page.count('class="math"') >= len(c.all_steps()) - hidden
        assert to_text(c, lang=lang).startswith(derivation_id)


@pytest.mark.parametrize("lang", LANGS)
def test_every_step_shows_its_rule_and_the_kernels_verdict(checked_seed, lang):
    c = checked_seed["kl-vs-mle"]
    latex, markdown, page = to_latex(c, lang), to_markdown(c, lang), to_html(c, lang)
    word = "proved" if lang == "en" else "증명됨"
    for step in c.steps:
        rule = translate(step.rule, lang)
        assert f"({step.index}) " in latex and word in latex
        # Rules are printed with their formulas typeset: compare the words around them.
        words = [p.text.strip() for p in pieces(rule) if not p.math and len(p.text.strip()) > 3]
        for w in words:
            assert w in markdown.replace("\\", "") and w in page.replace("&#x27;", "'")


def test_the_summary_says_what_rests_on_numeric_evidence():
    numeric = [i for i in ids() if any(s.status.value == "numeric" for s in checked(i).steps)]
    if not numeric:
        pytest.skip("no entry has a numeric-only step under the cheap configuration")
    c = checked(numeric[0])
    assert "high-precision numeric evidence only" in to_latex(c)
    assert "고정밀 수치 증거에만 의존함" in to_latex(c, "ko")
    assert "numeric only" in to_markdown(c)


def test_korean_uses_the_posts_terms(checked_seed):
    ko = to_latex(checked_seed["cross-entropy-cost"], "ko") + to_latex(
        checked_seed["kl-vs-mle"], "ko"
    )
    # The post keeps these terms in English inside its Korean sentences.
    kept = ("cross-entropy", "negative log-likelihood", "empirical distribution", "KL Divergence")
    for term in kept:
        assert term in ko
    for translated in ("교차 엔트로피", "음의 로그 우도", "경험적 분포", "KL 발산"):
        assert translated not in ko
    assert r"\usepackage{kotex}" in ko
    assert not untranslated([s.rule for c in checked_seed.values() for s in c.steps])


def test_an_unknown_rule_stays_english_inside_korean_prose():
    assert translate("a rule no one translated", "ko") == "a rule no one translated"


def test_html_is_self_contained(checked_seed):
    page = to_html(checked_seed["kl-vs-mle"], "ko")
    # Nothing is fetched when the page is opened: no external scripts, sheets or fonts.
    assert not re.search(r"<script[^>]+src=|<link\b|url\((?!data:)", page)
    assert "katex.render" in page and "data:font/woff2;base64," in page
    assert '<html lang="ko">' in page


def test_tex_escape_turns_unicode_math_into_tex():
    assert render._tex_escape("θ ≥ 0, ∫ p = 1, x₁ & 50%") == (
        r"$\theta$ $\ge$ 0, $\int$ p = 1, x$_{1}$ \& 50\%"
    )


def test_a_missing_engine_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(TexEngineMissing, match="apt-get install texlive-xetex"):
        tex_engine()


def test_pdf_without_an_engine_exits_2_with_the_reason(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code = main(["render", "kl-vs-mle", "--format", "pdf", "-o", str(tmp_path / "x.pdf")])
    assert code == 2 and "no TeX engine found" in capsys.readouterr().err


@needs_tex
@pytest.mark.parametrize("derivation_id", ["cross-entropy-cost", "kl-vs-mle"])
@pytest.mark.parametrize("lang", LANGS)
def test_the_seed_compiles_to_pdf(checked_seed, derivation_id, lang):
    pdf = to_pdf(checked_seed[derivation_id], lang)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000


@needs_tex
def test_a_tex_error_is_reported_with_the_log_line():
    with pytest.raises(TexError, match="Undefined control sequence"):
        compile_latex("\\documentclass{article}\\begin{document}\\nosuchmacro\\end{document}")


@needs_tex
def test_a_missing_glyph_is_an_error_not_a_silent_gap():
    with pytest.raises(TexError, match="Missing character"):
        compile_latex("\\documentclass{article}\\begin{document}∮\\end{document}")


@pytest.mark.parametrize(
    ("fmt", "lang", "expect"),
    [
        ("html", "ko", "<!DOCTYPE html>"),
        ("markdown", "ko", "# empirical distribution"),
        ("latex", "en", "\\doc"),
    ],
)
def test_render_command(capsys, tmp_path, fmt, lang, expect):
    target = tmp_path / "out"
    code = main(["render", "kl-vs-mle", "--format", fmt, "--lang", lang, "-o", str(target)])
    assert code == 0 and target.read_text(encoding="utf-8").startswith(expect)


@needs_tex
def test_render_pdf_command(tmp_path):
    target = tmp_path / "kl.pdf"
    assert main(["render", "kl-vs-mle", "--format", "pdf", "--lang", "ko", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_jupyter_displays_derivations_and_steps_as_latex(checked_seed):
    c = checked_seed["kl-vs-mle"]
    shown = c._repr_latex_()
    assert shown.startswith("$$\\begin{aligned}") and "proved" in shown
    assert "proved" not in c.derivation._repr_latex_()
    assert c.steps[0]._repr_latex_().startswith("$$ D_{KL}")
    assert c.steps[4]._repr_latex_().startswith("$$ \\arg\\min_{\\theta}")
    assert c.steps[0].rhs._repr_latex_().startswith("$\\displaystyle")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run KaTeX")
def test_katex_typesets_every_formula_of_every_entry():
    formulas = []
    for derivation_id in ids():
        page = to_html(checked(derivation_id), "en")
        formulas += [html.unescape(t) for t in re.findall(r'data-tex="([^"]*)"', page)]
    katex = Path(render.__file__).parent / "static" / "katex" / "katex.min.js"
    proc = subprocess.run(
        ["node", str(Path(__file__).parent / "support" / "katex_check.js"), str(katex)],
        input=json.dumps(formulas),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout) == []
