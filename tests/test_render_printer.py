"""The LaTeX printer writes what the expression means: fractions before sums, the sense of a
restated objective. Expected strings are written by hand from the mathematics."""

from __future__ import annotations

import dataclasses

import pytest
from sympy import (
    EulerGamma,
    IndexedBase,
    KroneckerDelta,
    Mul,
    Pow,
    Sum,
    Symbol,
    gamma,
    log,
    loggamma,
    symbols,
)

from symbolic.catalog import get
from symbolic.kernel import check, measures
from symbolic.kernel.measures import KL, DirichletLaw, Entropy, Mean, N, p_data_x, p_model
from symbolic.outputs.render import tex, to_latex, to_markdown, to_text
from symbolic.readers.latex import Declarations, read_expression

i = Symbol("i", integer=True)
x = IndexedBase("x")
mu, s2 = symbols("mu sigma2", positive=True)
S1 = Sum(x[i], (i, 1, N))
S2 = Sum(x[i] ** 2, (i, 1, N))
SX = r"\sum_{i=1}^{N} x_{i}"
SXX = r"\sum_{i=1}^{N} x_{i}^{2}"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # (N Σx² − (Σx)²)/N: the whole numerator is divided, so it is bracketed.
        (
            Mul(Pow(N, -1), N * S2 - S1**2, evaluate=False),
            rf"\frac{{1}}{{N}} \left(N {SXX} - \left({SX}\right)^{{2}}\right)",
        ),
        ((N * S2 - S1**2) / N, rf"\frac{{1}}{{N}} \left(N {SXX} - \left({SX}\right)^{{2}}\right)"),
        # A coefficient joins the fraction instead of standing between 1/N and the sum.
        (2 * S1**2 / N, rf"\frac{{2}}{{N}} \left({SX}\right)^{{2}}"),
        (-mu * S1 / s2, rf"- \frac{{\mu}}{{\sigma^{{2}}}} {SX}"),
        (S1 / N, rf"\frac{{1}}{{N}} {SX}"),
        # A product of sums: the first is bracketed, or it would swallow the second.
        (S1 * S2 / N, rf"\frac{{1}}{{N}} \left({SXX}\right) {SX}"),
    ],
)
def test_fractions_times_sums_print_what_they_mean(expr, expected):
    assert tex(expr) == expected


def test_a_sum_divided_by_a_sum_stays_a_fraction():
    assert tex(S2 / S1).startswith(r"\frac{")


def test_a_bare_sum_of_terms_after_a_fraction_is_never_printed():
    # The defect: \frac{1}{N} N \sum x_i^2 - (\sum x_i)^2, which reads as Σx² − (Σx)².
    for e in [(N * S2 - S1**2) / N, (S2 - S1 / N) / N, (mu * S1 - S2) / (2 * N)]:
        out = tex(e)
        assert r"\frac{1}{N} N" not in out
        if out.startswith(r"\frac{1}{N}") or out.startswith(r"- \frac{1}{N}"):
            assert r"\frac{1}{N} \left(" in out or out.count(r"\sum") == 1


def test_a_restated_argmax_keeps_its_sense():
    # Without a label the chain opens with its objective; the first step turns argmax into
    # argmin, so the left side is the argmax (argmin f = argmin -f would be false).
    d = dataclasses.replace(get("cross-entropy-cost"), start_label="")
    checked = check(d)
    first = to_text(checked).splitlines()[1]
    assert "argmax_θ" in first and first.index("argmax") < first.index("argmin")
    latex = to_latex(checked)
    assert r"\arg\max_{\theta} \; p_{model}(\mathbb{X}; \theta) &= \arg\min_{\theta}" in latex
    assert r"\arg\max_{\theta}" in to_markdown(checked).split("\\arg\\min")[0]


p, k = Symbol("p", positive=True), Symbol("k", integer=True)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # \log p x_{i} would read as log(p x_i): a log with a factor after it is bracketed.
        (log(p) * x[i], r"\log{\left(p \right)} x_{i}"),
        (-log(p) * S1, rf"- \log{{\left(p \right)}} {SX}"),
        # A log standing last, or alone over a number, needs no bracket.
        (2 * log(p), r"2 \log p"),
        (log(p) / mu, r"\frac{\log p}{\mu}"),
        # \log \sigma^{2} reads as log(σ²) or (log σ)²; \log{(x_i)}^{2} as log(x_i²).
        (log(s2) / 2, r"\frac{\log{\left(\sigma^{2} \right)}}{2}"),
        (log(x[i]) ** 2, r"\left(\log x_{i}\right)^{2}"),
        # \gamma alone is a variable; Euler's constant is written \gamma_{E}.
        (EulerGamma * mu, r"\gamma_{E} \mu"),
        # \delta_{k x_{i}} reads as a name; the comma makes it Kronecker's two indices.
        (KroneckerDelta(k, x[i]), r"\delta_{k, x_{i}}"),
        # H(p̂_data) is the conditional entropy of y given x; the marginal's keeps its x.
        (Entropy(p_data_x), r"H(\hat{p}_{data}(x))"),
        (KL(p_data_x, p_model), r"D_{KL}(\hat{p}_{data}(x) \| p_{model})"),
        # A Mean names its law: E over x ~ Dir_K(α), not E_P.
        (
            Mean(log(x[k]), DirichletLaw(IndexedBase("alpha"), x, N)),
            r"\mathbb{E}_{x \sim \operatorname{Dir}_{N}(\alpha)}\left[\log x_{k}\right]",
        ),
        # log Γ(a) is log(Γ(a)); the log-gamma function, equal only where a > 0, is named.
        (log(gamma(mu)), r"\log \Gamma\left(\mu\right)"),
        (loggamma(mu), r"\operatorname{loggamma}\left(\mu\right)"),
    ],
)
def test_printed_latex_has_one_reading(expr, expected):
    assert tex(expr) == expected


def test_the_one_reading_is_the_expression():
    decl = Declarations({"p": "positive", "mu": "positive", "sigma": "positive", "k": "integer"})
    sigma = Symbol("sigma", positive=True)
    xi = measures.x[measures.i]  # the data x_i as the reader knows it
    cases = [
        (log(p) * xi, log(p) * xi),
        (log(s2) / 2, log(sigma**2) / 2),
        (log(xi) ** 2, log(xi) ** 2),
        (EulerGamma * mu, EulerGamma * Symbol("mu", positive=True)),
        (KroneckerDelta(k, xi), KroneckerDelta(k, xi)),
        (Entropy(p_data_x), Entropy(p_data_x)),
    ]
    for expr, meant in cases:
        assert read_expression(tex(expr), decl) == meant
