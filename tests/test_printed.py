"""What a lecturer reads first: what P and Q are, whether the MLE has a closed form, the
estimates with their hats, and no check whose two sides are one expression."""

from __future__ import annotations

import re

import pytest
from cheap_catalog import checked

from symbolic.catalog import ids
from symbolic.outputs import docs
from symbolic.outputs.render import laws, solver_kind, to_html, to_latex, to_markdown, to_text

FORMATS = {"latex": to_latex, "markdown": to_markdown, "html": to_html}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_mle_without_a_closed_form_says_so_in_every_format(lang):
    c = checked("mle/cauchy")
    words = "no closed form" if lang == "en" else "닫힌 형태 없음"
    for name, render in FORMATS.items():
        assert words in render(c, lang), name
    assert words in to_text(c, lang=lang)


def test_the_index_shows_the_solver_status_beside_the_verdict():
    summaries = [docs.Summary.of(checked(i)) for i in ("mle/cauchy", "mle/normal", "mle/laplace")]
    index = docs._index(summaries, "en", [])
    row = next(line for line in index.splitlines() if "`mle/cauchy`" in line)
    assert "no closed form" in row
    normal = next(line for line in index.splitlines() if "`mle/normal`" in line)
    assert "·" not in normal
    assert "not smooth" in next(ln for ln in index.splitlines() if "`mle/laplace`" in ln)


@pytest.mark.parametrize("derivation_id", [i for i in ids() if i.startswith("kl/")])
def test_every_kl_document_says_what_p_and_q_are(derivation_id):
    if laws(checked(derivation_id).derivation) is None:
        pytest.skip("a family of vectors or matrices: its laws are named in its start")
    for lang, words in (("en", "are two laws of the"), ("ko", "분포족의 두 분포")):
        for name, render in FORMATS.items():
            assert words in render(checked(derivation_id), lang), (name, lang)


def test_the_laws_are_the_familys_density_in_ps_and_qs_parameters():
    from sympy import exp, pi, simplify, sqrt

    family, p, q = laws(checked("kl/normal").derivation)
    named = {str(s): s for s in p.free_symbols | q.free_symbols}
    x, mu, s2 = named["x"], named["mu_1"], named["sigma2_1"]
    # The textbook density, written here, not taken from the family's definition.
    textbook = exp(-((x - mu) ** 2) / (2 * s2)) / sqrt(2 * pi * s2)
    assert family == "normal"
    assert simplify(p - textbook) == 0
    assert simplify(q - textbook.subs({mu: named["mu_2"], s2: named["sigma2_2"]})) == 0


def test_the_estimates_wear_hats():
    page = to_markdown(checked("mle/normal"))
    assert r"The solver's estimators: $\hat{\mu} = " in page
    assert r"$\hat{\sigma}^{2} = " in page
    assert r"$\hat{\pi}_{k} = " in to_markdown(checked("mle/categorical"))


def test_solver_kinds():
    assert solver_kind("mle/cauchy") == "no_closed_form"
    assert solver_kind("mle/uniform") == "boundary"
    assert solver_kind("kl/normal") == ""


_BLOCK = re.compile(r"\\begin\{aligned\}\n(.*?)\n\\end\{aligned\}", re.S)


def _equalities(markdown: str) -> list[tuple[str, str]]:
    """(value before, value after) of every = row of the aligned blocks."""
    pairs = []
    for block in _BLOCK.findall(markdown):
        before = ""
        for row in block.split(" \\\\\n"):
            row = re.sub(r" && \(\d+\)$", "", row)
            left, _, rest = row.partition("&")
            left = left.strip()
            before = left or before
            if rest.startswith("= "):
                right = rest[2:].strip()
                pairs.append((before, right))
                before = right
    return pairs


@pytest.mark.parametrize("derivation_id", ids())
def test_no_row_shows_one_expression_equal_to_itself(derivation_id):
    c = checked(derivation_id)
    page = to_markdown(c)
    same = [a for a, b in _equalities(page) if a == b]
    assert not same, same[:2]
    # The step is not dropped: its rule and verdict are still listed.
    assert len(re.findall(r"^\d+\. ", page, re.M)) == len(c.all_steps())


def test_a_tautology_is_caught_by_the_row_reader():
    page = "\\begin{aligned}\nx &= y && (1) \\\\\n &= y && (2)\n\\end{aligned}"
    assert _equalities(page) == [("x", "y"), ("y", "y")]


def test_the_minor_of_the_normal_reads_as_a_textbook_writes_it():
    page = to_markdown(checked("mle/normal"))
    assert r"\frac{N^{2}}{2 \hat{\sigma}^{6}} &> 0 && (1)" in page
    # sympy's determinant is already factored: no step "expand and factor" N²/(2σ̂⁶) = N²/(2σ̂⁶).
    assert "expand the determinant and factor" not in page


@pytest.mark.parametrize("derivation_id", [i for i in ids() if i.startswith("mle/")])
def test_the_solver_offers_no_check_whose_sides_are_one_expression(derivation_id):
    from symbolic.catalog import get

    d = get(derivation_id)
    for part in (d, *d.parts):
        before = part.start
        for step in part.steps:
            assert step.rhs != before, (part.id, step.rule)
            before = step.rhs


def test_the_laplace_scale_has_no_score_check_x_equals_x():
    from symbolic.catalog import get

    parts = {p.id for p in get("mle/laplace").parts}
    assert "mle/laplace/stationary" not in parts and "mle/laplace/hessian" not in parts
    assert "mle/laplace/minor-1" in parts


def _css_rule(page: str, selector: str) -> str:
    styles = "".join(re.findall(r"<style>(.*?)</style>", page, re.S)[1:])
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", styles)
    assert match, selector
    return match[1]


def test_html_sets_each_language_in_its_own_fonts_and_scrolls_wide_formulas():
    c = checked("mle/normal")
    en, ko = to_html(c, "en"), to_html(c, "ko")
    first_en = _css_rule(en, 'html[lang="en"] body').split("font-family:")[1].split(",")[0]
    # A Korean font first sets hyphens like minus signs and ">" as "〉" in English text.
    assert not re.search(r"Nanum|Noto Serif KR|Malgun|Gothic|Myeongjo", first_en), first_en
    assert "word-break: keep-all" in _css_rule(ko, 'html[lang="ko"] body')
    assert 'lang="en"' in en and 'lang="ko"' in ko
    assert "overflow-x: auto" in _css_rule(en, ".math")
    # Every display formula is in a box that scrolls.
    assert en.count('<div class="math"') == len(re.findall(r"<div [^>]*data-tex=", en))


def _catalog_phrases() -> tuple[set[str], set[str]]:
    from symbolic.catalog import get

    titles, phrases = set(), set()
    for i in ids():
        d = get(i)
        for part in (d, *d.parts):
            titles.add(part.title)
            phrases |= {part.title, *(s.rule for s in part.steps), *part.notes}
    return titles, phrases


def test_korean_translates_every_title_and_the_solvers_generated_rules():
    from symbolic.outputs.i18n import translate, untranslated

    titles, phrases = _catalog_phrases()
    assert untranslated(sorted(titles)) == []
    for english in phrases:
        if english.startswith(("the score of the log-likelihood is 0", "The Lagrange condition",
                               "the parameters stay inside the sums", "The support needs")):
            assert translate(english, "ko") != english, english
    assert untranslated(sorted(phrases)) == []


def test_every_english_string_of_the_outputs_has_korean():
    from symbolic.families import FAMILIES
    from symbolic.generators.stationary import solve_family
    from symbolic.outputs import i18n, textbook

    _, phrases = _catalog_phrases()
    for fam in FAMILIES.values():
        sol = solve_family(fam)
        phrases |= set(sol.notes) | ({sol.reason} if sol.reason else set())
    phrases.add(textbook.RULE)
    assert i18n.untranslated(sorted(phrases)) == []
    # Nor half-translated: the routes' words inside a longer rule are Korean too.
    for english in phrases:
        korean = i18n.translate(english, "ko")
        for words in ("sympy integration of", "sympy summation of", "exponential-family identity",
                      " over the support", " is kept"):
            assert words not in korean, (words, korean)
    # The printers' own prose: every key has Korean of its own.
    for key, (english, korean) in i18n._PROSE.items():
        assert korean and korean != english, key
    # A route's note keeps its formula and translates its words.
    note = "E_P[x] = mu_1: sympy integration of p(x)·T(x) over the support."
    assert i18n.translate(note, "ko") == (
        "E_P[x] = mu_1: support 위에서 p(x)·T(x)를 sympy로 적분한다.")


def test_korean_keeps_the_posts_english_terms():
    # The seed post writes negative log-likelihood, cross-entropy, KL Divergence, empirical
    # distribution and parameter in English; the output does not translate them.
    from symbolic.outputs import i18n

    korean = "\n".join([*i18n._KO.values(), *(ko for _, ko in i18n._PROSE.values())])
    for translated in ("음의 로그 우도", "교차 엔트로피", "KL 발산", "경험적 분포", "매개변수",
                       "모수"):
        assert translated not in korean, translated
    for kept in ("negative log-likelihood", "cross-entropy", "KL Divergence",
                 "empirical distribution", "parameter"):
        assert kept in korean, kept


@pytest.mark.parametrize("family", ["normal", "poisson", "categorical", "cauchy", "laplace"])
def test_the_mle_report_prints_formulas_not_sympy_text(family):
    from symbolic.generators.mle_report import report, to_text

    page = to_text(report(family))
    for raw in ("Sum(", "**", "sigma2", "theta", "p_data", "_hat", "pi[k]", "d/d"):
        assert raw not in page, (raw, page)
    assert "minor−" not in page  # ids keep their hyphens
    if family == "normal":
        assert "σ̂² = (N·Σ_{i=1..N} x_i² − (Σ_{i=1..N} x_i)²)/N²" in page


_NORMAL_LOG_DENSITY = (r"- \frac{\log{\left(2 \pi \sigma^{2} \right)}}{2} - "
                       r"\frac{\left(x_{i} - \mu\right)^{2}}{2 \sigma^{2}}")
_KL_NORMALS = (r"\log{\left(\frac{\sigma_{2}}{\sigma_{1}} \right)} + \frac{\sigma_{1}^{2} + "
               r"\left(\mu_{1} - \mu_{2}\right)^{2}}{2 \sigma_{2}^{2}} - \frac{1}{2}")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_textbook_forms_are_shown_beside_the_derived_ones_in_every_format(lang):
    heading = "Textbook forms" if lang == "en" else "교과서의 표준형"
    for derivation_id, form in (("mle/normal", _NORMAL_LOG_DENSITY), ("kl/normal", _KL_NORMALS)):
        c = checked(derivation_id)
        for name, render in FORMATS.items():
            page = render(c, lang)
            assert heading in page, (derivation_id, name)
            shown = page if name != "html" else page.replace("&amp;", "&")
            assert form in shown or form.replace("\\", "\\\\") in shown, (derivation_id, name)
        assert heading in to_text(c, lang=lang)
    page = to_markdown(checked("mle/normal"))
    # Sample means as x̄, defined where they are used.
    assert r"&= \frac{1}{N} \sum_{i=1}^{N} \left(x_{i} - \bar{x}\right)^{2}" in page
    assert r"\bar{x} = \frac{1}{N} \sum_{i=1}^{N} x_{i}" in page
    assert r"\hat{\lambda} &= \frac{N}{\sum_{i=1}^{N} x_{i}} \\" + "\n" + r"&= \frac{1}{\bar{x}}" \
        in to_markdown(checked("mle/exponential"))


def test_the_kernel_decides_a_textbook_form():
    from symbolic.kernel import Status
    from symbolic.outputs import textbook

    forms = textbook.forms("kl/normal")
    assert [f.checked.status for f in forms] == [Status.PROVED]
    assert forms[0].checked.rule == textbook.RULE
    # A wrong form (the ½ dropped) is refuted by the same route, and printed as refuted.
    build = textbook._FORMS["kl/normal"]

    def wrong(d):
        (row,) = build(d)
        return [(*row[:4], row[4] + textbook.Rational(1, 2), row[5])]

    textbook._FORMS["kl/normal"] = wrong
    textbook.forms.cache_clear()
    try:
        (bad,) = textbook.forms("kl/normal")
        assert bad.checked.status is Status.REFUTED
    finally:
        textbook._FORMS["kl/normal"] = build
        textbook.forms.cache_clear()


def test_the_kl_of_normals_form_agrees_with_quadrature():
    # Computed another way: ∫ p log(p/q) by mpmath quadrature at one point.
    import mpmath
    import sympy

    from symbolic.outputs import textbook

    (form,) = textbook.forms("kl/normal")
    meaning = form.standard.xreplace(dict(form.definitions))
    point = {"mu_1": "0.3", "mu_2": "-1.1", "sigma2_1": "0.7", "sigma2_2": "2.5"}
    value = sympy.N(meaning.subs({s: sympy.Rational(point[s.name])
                                  for s in meaning.free_symbols}), 30)

    def logpdf(x, m, v):
        return -mpmath.log(2 * mpmath.pi * v) / 2 - (x - m) ** 2 / (2 * v)

    with mpmath.workdps(30):
        m1, m2, v1, v2 = (mpmath.mpf(point[k]) for k in ("mu_1", "mu_2", "sigma2_1", "sigma2_2"))
        quad = mpmath.quad(lambda x: mpmath.exp(logpdf(x, m1, v1))
                           * (logpdf(x, m1, v1) - logpdf(x, m2, v2)), [-mpmath.inf, m1, mpmath.inf])
        assert abs(quad - mpmath.mpf(str(value))) < mpmath.mpf(10) ** -20


def test_the_kl_report_prints_formulas_and_the_textbook_form():
    from symbolic.generators.divergences import to_text

    out = {"family": "normal", "entropy": "(log(sigma2_1) + log(2) + 1 + log(pi))/2",
           "cross_entropy": "mu_1**2/(2*sigma2_2)", "kl": "(mu_1**2 - 2*mu_1*mu_2)/(2*sigma2_2)",
           "conditions": {"entropy": "differential", "domain": ["sigma2_1 in (0, oo)"],
                          "kl_finite_when": None, "notes": []},
           "checks": {}, "routes": [{"statistic": "x**2", "mean": "mu_1**2 + sigma2_1",
                                     "route": "sympy integration of p(x)·T(x) over the support"}]}
    page = to_text(out)
    for raw in ("sigma2", "**", ", oo)"):
        assert raw not in page, (raw, page)
    assert "E_P[x²] = μ₁² + σ₁²" in page
    assert ("textbook: D_KL(P ‖ Q) = log(σ₂/σ₁) + (σ₁² + (μ₁ - μ₂)²)/(2·σ₂²) - 1/2 where "
            "σ₁ = sqrt(σ₁²), σ₂ = sqrt(σ₂²) [kernel: proved]") in page
