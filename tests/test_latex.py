"""The LaTeX reader: what it reads, into which expression, and what it refuses to guess.

Expected values are built with sympy and the measures directly, never through the reader; the
formulas are the notation of textbooks (Goodfellow et al., Bishop) and the peers' known
misreadings (sympy's parse_latex, math-verify).
"""

from __future__ import annotations

import re

import pytest
import sympy
from sympy import Function, Integral, Product, Rational, Sum, Symbol, exp, log, pi, sqrt

from symbolic.kernel.measures import (
    KL,
    NLL,
    BoundModel,
    CrossEntropy,
    Defined,
    DirichletLaw,
    Entropy,
    Expectation,
    Likelihood,
    LogLikelihood,
    Mean,
    N,
    NormalLaw,
    PData,
    PModel,
    Reference,
    i,
    p_data,
    p_data_x,
    p_model,
    theta,
    unfold,
    x,
    xv,
    y,
    yv,
)
from symbolic.readers.latex import (
    Declarations,
    LatexError,
    NamedDistribution,
    read_chain,
    read_expression,
)

a, b, z = (Symbol(n, real=True) for n in "abz")
mu, sigma = Symbol("mu", real=True), Symbol("sigma", positive=True)
REAL = Declarations({"a": "real", "b": "real", "z": "real", "mu": "real", "sigma": "positive"})


def read(text: str, decl: Declarations = REAL) -> sympy.Expr:
    return read_expression(text, decl)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\frac{a}{b}", a / b),
        (r"a \cdot b", a * b),
        (r"a \times b", a * b),
        (r"a b", a * b),
        (r"a^2", a**2),
        (r"a^{b+1}", a ** (b + 1)),
        (r"\left( a + b \right)^2", (a + b) ** 2),
        (r"\big( a + b \big) \Big( a - b \Big)", (a + b) * (a - b)),
        (r"a \enspace + \quad b \, - \! 1", a + b - 1),
        (r"-a - b", -a - b),
        (r"\frac{1}{2} a", a / 2),
        (r"0.25 a", Rational(1, 4) * a),
        (r"a / b", a / b),
        (r"\sqrt{a^2}", sqrt(a**2)),
        (r"\sqrt[3]{a}", sympy.root(a, 3)),
        (r"\pi", pi),
        (r"e", sympy.E),
        (r"e^{-a}", exp(-a)),
        (r"\exp(a) \exp b", exp(a) * exp(b)),
        (r"\log a", log(a)),
        (r"\ln a", log(a)),
        (r"\log_2 a", log(a) / log(2)),
        (r"\log(a b)", log(a * b)),
        (r"\log^2 a", log(a) ** 2),
        (r"\sin(a)^2", sympy.sin(a) ** 2),
        (r"\log \log a", log(log(a))),
        (r"\left| a - b \right|", sympy.Abs(a - b)),
        (r"\binom{5}{2} + 3!", 16),
        (r"\Gamma(a)", sympy.gamma(a)),
        (r"\sin^2 a + \cos^2 a", sympy.sin(a) ** 2 + sympy.cos(a) ** 2),
    ],
)
def test_arithmetic_and_functions(text: str, expected: sympy.Expr) -> None:
    assert read(text) == expected


def test_log_is_natural_not_base_ten() -> None:
    # math-verify reads \log as base 10; in ML (and here) it is the natural log.
    assert read(r"\log e") == 1
    assert read(r"\log_{10} 100") == log(100) / log(10)


def test_case_and_greek_case_are_kept() -> None:
    # math-verify lowercases N to n and \Sigma to \sigma, so K \cdot k = k^2 comes out true.
    K, k = Symbol("K", real=True), Symbol("k", real=True)
    assert read(r"K \cdot k") == K * k != k**2
    assert read(r"N") == N and read(r"n") == Symbol("n", real=True)
    s_up = read(r"\Sigma", Declarations())
    s_low = read(r"\sigma", Declarations())
    assert s_up != s_low and s_up.name == "Sigma" and s_low.name == "sigma"


def test_mathbb_e_is_an_expectation_and_e_is_euler() -> None:
    # parse_latex turns \mathbb{E}[x] into a product of letters and e^{-x} into a symbol e.
    value = read(r"\mathbb{E}_{x \sim \hat{p}_{data}}[x^2]")
    assert value == Expectation(xv**2, p_data_x)
    assert read(r"e^{-x}", Declarations()) == exp(-xv)


def test_e_declared_as_variable_is_a_variable() -> None:
    e = Symbol("e", real=True)
    assert read(r"e^{2}", Declarations({"e": "variable"})) == e**2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\sum_{i=1}^{N} x_i", Sum(x[i], (i, 1, N))),
        (r"\sum_{i=1}^{N} x_{i}^2", Sum(x[i] ** 2, (i, 1, N))),
        (r"\prod_{i=1}^{N} y_i", Product(y[i], (i, 1, N))),
        (r"\frac{1}{N}\sum_{i=1}^{N} (x_i - \mu)^2", Sum((x[i] - mu) ** 2, (i, 1, N)) / N),
        (r"\sum_{i=1}^{N} x_i y_i + 1", Sum(x[i] * y[i], (i, 1, N)) + 1),
        (r"\int_0^1 z^2 \, dz", Integral(z**2, (z, 0, 1))),
        (r"\int_{-\infty}^{\infty} e^{-z^2} dz", Integral(exp(-(z**2)), (z, -sympy.oo, sympy.oo))),
    ],
)
def test_big_operators(text: str, expected: sympy.Expr) -> None:
    assert read(text) == expected


def test_subscripts_are_indices_or_name_parts() -> None:
    t = sympy.IndexedBase("t")
    n, k = Symbol("n", integer=True), Symbol("k", integer=True)
    assert read(r"t_{nk}", Declarations({"t": "data"})) == t[n, k]
    assert read(r"x_i y_{i}") == x[i] * y[i]
    assert read(r"\sigma_1 + \sigma_{2}", Declarations()) == Symbol("sigma_1", real=True) + Symbol(
        "sigma_2", real=True
    )
    assert read(r"p_{model}(y_i \mid x_i, \theta)") == PModel(y[i], x[i], theta)
    assert read(r"\hat{p}_{data}(y_i \mid x_i)") == PData(y[i], x[i])
    assert read(r"\hat p_{data}(y_i | x_i)") == PData(y[i], x[i])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"H(\hat{p}_{data}, p_{model})", CrossEntropy(p_data, p_model)),
        (r"H(\hat{p}_{data})", Entropy(p_data)),
        (r"D_{KL}(\hat{p}_{data} \| p_{model})", KL(p_data, p_model)),
        (r"D_{KL}(\hat{p}_{data} \mid\mid p_{model})", KL(p_data, p_model)),
        (r"D_{KL}(\hat{p}_{data} || p_{model})", KL(p_data, p_model)),
        (r"p_{model}(y \mid x; \theta)", PModel(yv, xv, theta)),
        (r"p_{model}(\mathbb{X}; \theta)", Likelihood()),
        (r"\mathrm{NLL}(\theta)", NLL()),
        (
            r"\mathbb{E}_{x,y \sim \hat{p}_{data}} \log p_{model}(y \mid x, \theta)",
            Expectation(log(PModel(yv, xv, theta)), p_data),
        ),
        (
            r"-\mathbb{E}_{x,y \sim \hat{p}_{data}} \left[\log p_{model}(y \mid x, \theta)\right]",
            -Expectation(log(PModel(yv, xv, theta)), p_data),
        ),
    ],
)
def test_probability(text: str, expected: sympy.Expr) -> None:
    assert read(text) == expected


def test_normal_density_is_bishops_formula() -> None:
    value = read(r"\mathcal{N}(z; \mu, \sigma^2)")
    expected = exp(-((z - mu) ** 2) / (2 * sigma**2)) / sqrt(2 * pi * sigma**2)
    assert sympy.simplify(value - expected) == 0


def test_distributions_named_by_position() -> None:
    chain = read_chain(r"H(p, q) = \mathbb{E}_p[-\log q]")
    p, q = (NamedDistribution(Symbol(n)) for n in "pq")
    assert chain.members[0].value == CrossEntropy(p, q)
    assert chain.members[1].value == Expectation(-log(Function("q", positive=True)(xv)), p)


def test_declared_function() -> None:
    sig = Function("sigma", real=True)
    assert read(r"\sigma(z)", Declarations({"sigma": "function", "z": "real"})) == sig(z)


@pytest.mark.parametrize(
    ("text", "optimize"),
    [
        (r"\arg\min_\theta \theta^2", "argmin"),
        (r"\arg \max _{\theta} \theta", "argmax"),
        (r"\operatorname*{argmin}_{\theta} \theta^2", "argmin"),
        (r"\operatorname{argmax}_\theta \theta", "argmax"),
    ],
)
def test_optimization(text: str, optimize: str) -> None:
    member = read_chain(text).members[0]
    assert member.optimize == optimize


def test_relations_and_positions() -> None:
    chain = read_chain("a = b \\le a\n  \\propto b < a > 1 \\ge 0", REAL, line=10, column=3)
    assert [r[0] for r in chain.relations] == ["=", "le", "propto", "<", ">", "ge"]
    assert chain.relations[0][1:] == (10, 5)
    assert chain.relations[2][1:] == (11, 3)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        (r"\sin x^2", ("sin(x^…)", "(sin x)^…")),
        (r"ab", ("the product a b", "the name ab")),
        (r"p(x)", ("p applied to the bracket", "the product p·(...)")),
        (r"e_i", ("Euler's number with a subscript", "a variable named e_i")),
        (r"e(x)", ("e applied to the bracket", "the product e·(...)")),
        (r"\log x y", ("log of the first factor times the rest", "log of the whole product")),
    ],
)
def test_ambiguity_is_reported_with_its_readings(text: str, readings: tuple[str, ...]) -> None:
    with pytest.raises(LatexError, match="ambiguous") as info:
        read_expression(text, Declarations())
    assert info.value.readings == readings
    assert info.value.line == 1 and info.value.column >= 1


def test_declarations_settle_an_ambiguity() -> None:
    p = Function("p", real=True)
    assert read_expression("p(z)", Declarations({"p": "function", "z": "real"})) == p(z)
    ab = Symbol("ab", real=True)
    assert read_expression("ab", Declarations({"ab": "real"})) == ab
    assert (
        read_expression("p(z)", Declarations({"p": "real", "z": "real"}))
        == Symbol("p", real=True) * z
    )


def test_unknown_command_is_named_with_its_position() -> None:
    with pytest.raises(LatexError) as info:
        read_expression("a +\n  \\foo{b}", REAL, source="note.md")
    assert str(info.value) == "note.md:2:3: unknown command \\foo"


def test_cases_environment_is_a_piecewise_definition() -> None:
    # Bishop-style piecewise definitions: value & condition rows, "otherwise" last.
    text = (
        r"\begin{cases} a - b & \text{for}\: a \geq b \wedge b \leq 2 \\ "
        r"\infty & \text{otherwise} \end{cases}"
    )
    expected = sympy.Piecewise((a - b, sympy.And(a >= b, b <= 2)), (sympy.oo, True))
    assert read(text) == expected
    assert read(r"2 \begin{cases} a & \text{if } a < b \\ b & \text{otherwise} \end{cases}") == (
        2 * sympy.Piecewise((a, a < b), (b, True))
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (r"\begin{cases} a & \text{for } a < b \vee a > 2 \wedge b > 1 \end{cases}", "ambiguous"),
        (r"\begin{cases} a & \text{otherwise} \\ b & \text{otherwise} \end{cases}", "last case"),
        (r"\begin{cases} a & \text{for } a < b", "never closed"),
        (r"a \end{cases}", "closes no"),
        (r"\begin{cases} a & \text{for } a \propto b \end{cases}", "not a condition"),
        (r"\begin{array} a \end{array}", r"\\begin is refused"),
    ],
)
def test_cases_refused_where_it_would_guess(text: str, reason: str) -> None:
    with pytest.raises(LatexError, match=reason):
        read(text)


def test_psi_applied_is_digamma_and_alone_a_variable() -> None:
    # As \Gamma(a) is the gamma function: \psi(a) = Γ'(a)/Γ(a), \psi^{(1)} the trigamma.
    assert read(r"\psi(a)") == sympy.polygamma(0, a)
    assert read(r"\psi^{(1)}(a + 1)") == sympy.polygamma(1, a + 1)
    assert read(r"\log \psi(a)") == log(sympy.polygamma(0, a))
    psi = Symbol("psi", real=True)
    assert read(r"\psi + 1", Declarations()) == psi + 1
    assert read(r"\psi(a)", Declarations({"psi": "real", "a": "real"})) == psi * a
    with pytest.raises(LatexError, match="ambiguous"):
        read(r"\psi^{2}(a)")
    with pytest.raises(LatexError, match="needs its argument"):
        read(r"\psi^{(1)} a")


def test_kronecker_delta_needs_its_comma() -> None:
    k, j = Symbol("k", integer=True), Symbol("j", integer=True)
    decl = Declarations({"k": "integer", "j": "integer"})
    assert read(r"\delta_{k, x_{i}}", decl) == sympy.KroneckerDelta(k, x[i])
    assert read(r"\delta_{j,k}", decl) == sympy.KroneckerDelta(j, k)
    # Without the comma \delta_{jk} is a name, as the families' \sigma_{1} is.
    assert read(r"\delta_{jk}", Declarations()) == Symbol("delta_jk", real=True)
    assert read(r"\delta_{j,k}", Declarations({"delta_j_k": "real"})) == Symbol(
        "delta_j_k", real=True
    )


def test_a_vector_and_a_matrix_by_their_entries() -> None:
    """The printer's sequence notation: (f_j)_{j=1}^{d} is the vector of entries f_j."""
    from symbolic.kernel.matrices import Components

    j, k, d = (Symbol(n, integer=True, positive=True) for n in "jkd")
    decl = Declarations({"j": "positive integer", "k": "positive integer",
                         "d": "positive integer", "w": "data"})
    w = sympy.IndexedBase("w")
    assert read(r"\left(2 w_{j}\right)_{j = 1}^{d}", decl) == Components(2 * w[j], (j, 1, d))
    assert read(r"\left(w_{j} w_{k}\right)_{j, k = 1}^{d}", decl) == Components(
        w[j] * w[k], (j, 1, d), (k, 1, d)
    )
    for bad in (r"\left(w_{j}\right)_{j}^{d}", r"\left(w_{j}\right)_{j, j = 1}^{d}",
                r"\left(w_{j}, w_{k}\right)_{j = 1}^{d}", r"\left(w_{j}\right)_{2 j = 1}^{d}"):
        with pytest.raises(LatexError, match="by its entries"):
            read(bad, decl)
    with pytest.raises(LatexError, match="a subscript on a bracket"):
        read(r"\left(w_{j}\right)_{j = 1}", decl)


def test_euler_gamma_is_gamma_e_and_gamma_a_variable() -> None:
    gamma = Symbol("gamma", real=True)
    assert read(r"\gamma_{E} + \gamma", Declarations()) == sympy.EulerGamma + gamma
    assert read(r"\gamma_E", Declarations({"gamma_E": "positive"})) == Symbol(
        "gamma_E", positive=True
    )


def test_name_parts_with_squares_and_commas() -> None:
    # The MLE checks' score and Hessian symbols: t_σ², s_{σ², μ}.
    assert read(r"t_{\sigma^{2}}", Declarations()) == Symbol("t_sigma2", real=True)
    assert read(r"s_{\sigma^{2},\mu}", Declarations()) == Symbol("s_sigma2_mu", real=True)
    m = Symbol("m", real=True)
    assert read(r"x_{m,2}", Declarations()) == x[m, 2]


def test_marginal_entropy_is_written_with_its_variable() -> None:
    assert read(r"H(\hat{p}_{data}(x))", Declarations()) == Entropy(p_data_x)
    assert read(r"H(\hat{p}_{data}(x), p_{model})", Declarations()) == CrossEntropy(
        p_data_x, p_model
    )


def test_mean_over_a_dirichlet_law() -> None:
    # E over x ~ Dir_K(α): x is the law's vector, x_k its component (not an expectation's x).
    alpha = sympy.IndexedBase(Symbol("alpha", positive=True))
    K, k = Symbol("K", integer=True, positive=True), Symbol("k", integer=True)
    decl = Declarations({"alpha": "positive data", "K": "positive integer", "k": "integer"})
    value = read(r"\mathbb{E}_{x \sim \operatorname{Dir}_{K}(\alpha)}\left[\log x_{k}\right]", decl)
    assert value == Mean(log(x[k]), DirichletLaw(alpha, x, K))
    assert read(r"\alpha_{k}", decl).is_positive
    with pytest.raises(LatexError, match="names a law"):
        read(r"\operatorname{Dir}_{K}(\alpha)", decl)
    with pytest.raises(LatexError, match="dimension"):
        read(r"\mathbb{E}_{x \sim \operatorname{Dir}(\alpha)}\left[x_{k}\right]", decl)


def test_a_sum_index_takes_its_declared_kind() -> None:
    k = Symbol("k", integer=True, positive=True)
    K = Symbol("K", integer=True, positive=True)
    t = sympy.IndexedBase("t")
    decl = Declarations({"k": "positive integer", "K": "positive integer", "t": "data"})
    assert read(r"\sum_{k=1}^{K} t_{k}", decl) == Sum(t[k], (k, 1, K))
    plain = Symbol("k", integer=True)
    assert read(r"\sum_{k=1}^{K} t_{k}", Declarations({"K": "positive integer", "t": "data"})) == (
        Sum(t[plain], (plain, 1, K))
    )


@pytest.mark.parametrize("env", ["matrix", "pmatrix", "bmatrix"])
def test_matrices_read_as_immutable_matrices(env: str) -> None:
    text = rf"\begin{{{env}}} a & b + 1\\ - \frac{{1}}{{2}} & \mu^{{2}} \end{{{env}}}"
    value = read(rf"\left[{text}\right]" if env == "matrix" else text)
    assert isinstance(value, sympy.ImmutableMatrix)
    assert value == sympy.ImmutableMatrix([[a, b + 1], [Rational(-1, 2), mu**2]])
    # sympy's printer writes matrices so; what it writes reads back.
    m = sympy.ImmutableMatrix([[a, 0], [sympy.sqrt(a**2 + 1), -a / b]])
    assert read(sympy.latex(m), REAL) == m
    assert read(sympy.latex(m, mat_delim="("), REAL) == m
    assert read(r"2 \begin{pmatrix} a & b \end{pmatrix}") == sympy.ImmutableMatrix([[2 * a, 2 * b]])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (r"\begin{pmatrix} a & b \\ a \end{pmatrix}", "different numbers of cells"),
        (r"\begin{pmatrix} a & b \end{bmatrix}", "closes the \\\\begin\\{pmatrix\\}"),
        (r"\begin{bmatrix} a", "never closed"),
        (r"\begin{pmatrix} a \end{pmatrix} + 1", "does not build"),
    ],
)
def test_matrices_refused(text: str, reason: str) -> None:
    with pytest.raises(LatexError, match=reason):
        read(text)


s_, w = Symbol("s", positive=True), Symbol("w", real=True)
DIFF = Declarations({"mu": "real", "s": "positive", "w": "real", "f": "function", "a": "real"})


@pytest.mark.parametrize(
    "derivative",
    [
        sympy.Derivative(mu**3 * s_, mu),
        sympy.Derivative(mu**3 * s_, (mu, 2)),
        sympy.Derivative(mu**3 * s_, mu, s_),
        sympy.Derivative(mu**3 * s_, s_, mu),
        sympy.Derivative(mu**3 * s_, (mu, 2), s_),
        sympy.Derivative(mu**3 * s_, s_, (mu, 2)),
        sympy.Derivative(mu * s_, mu, s_, mu),
        sympy.Derivative(sympy.sin(w), w),
        sympy.Derivative(w**2, (w, 3)),
        sympy.Derivative(mu + s_, mu),
        sympy.Derivative(sympy.Sum((i - mu) ** 2, (i, 1, N)) / s_, s_, mu),
    ],
    ids=str,
)
def test_derivatives_as_sympy_prints_them(derivative: sympy.Expr) -> None:
    # sympy writes the variables last first (\partial s\partial \mu for (mu, s)) and d for
    # one variable of an expression of one symbol: the same Derivative, variables in order.
    printed = sympy.latex(derivative)
    back = read(printed, DIFF)
    assert back == derivative
    assert back.variable_count == derivative.variable_count


def test_derivatives_as_people_write_them() -> None:
    f = Function("f", real=True)
    assert read(r"\frac{d}{dw} w^2", DIFF) == sympy.Derivative(w**2, w)
    assert read(r"\frac{d^{2}}{dw^{2}} w^3", DIFF) == sympy.Derivative(w**3, (w, 2))
    assert read(r"\frac{\partial f(w)}{\partial w}", DIFF) == sympy.Derivative(f(w), w)
    assert read(r"\frac{\partial^2}{\partial s \partial \mu} \mu s", DIFF) == (
        sympy.Derivative(mu * s_, mu, s_)
    )
    assert read(r"\frac{d}{dw} \left(w \frac{d}{dw} w^{3}\right)", DIFF) == sympy.Derivative(
        w * sympy.Derivative(w**3, w), w
    )
    assert read(r"2 \frac{\partial}{\partial \mu} \mu^{2} s", DIFF) == (
        2 * sympy.Derivative(mu**2 * s_, mu)
    )
    # d declared as a variable: the fraction d/(d w) and no derivative.
    assert read(r"\frac{d}{d w} w", Declarations({"d": "real", "w": "real"})) == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            r"\frac{\partial^{2}}{\partial \mu} \mu^3",
            "order 2 over variables of orders summing to 1",
        ),
        (r"\frac{\partial}{\partial \mu}", "needs what it differentiates"),
        (r"\frac{d}{d \mu d s} \mu s", "one variable"),
        (r"\frac{\partial}{d \mu} \mu", "denominator of a derivative"),
        (r"\frac{\partial}{\partial 2} \mu", "not a variable"),
        (r"\frac{\partial^{a}}{\partial \mu^{a}} \mu", "order of a derivative"),
        (r"\frac{\partial^{99}}{\partial \mu^{99}} \mu", "order of a derivative"),
        (r"\partial \mu", "stands only in a derivative"),
        (r"\frac{\partial}{\partial \mu}^{2} \mu", "a power of a derivative"),
        (r"\frac{d}{dxy} a", "denominator of a derivative"),
        # sympy's own printing of Derivative(f(w), w) * Derivative(w**2, w): two readings.
        (r"\frac{d}{d w} f{\left(w \right)} \frac{d}{d w} w^{2}", "ambiguous"),
        (r"\frac{\partial}{\partial \mu} \mu^{2} s \sum_{i=1}^{N} \mu", "ambiguous"),
    ],
)
def test_derivatives_refused(text: str, reason: str) -> None:
    with pytest.raises(LatexError, match=reason):
        read(text, DIFF)


dim = Symbol("d", integer=True, positive=True)
S1, S2 = sympy.MatrixSymbol("Sigma_1", dim, dim), sympy.MatrixSymbol("Sigma_2", dim, dim)
m1, xs = sympy.MatrixSymbol("mu_1", dim, 1), sympy.MatrixSymbol("x", dim, 1)
ARRAYS = Declarations({"Sigma_1": "matrix", "Sigma_2": "matrix", "mu_1": "vector", "x": "vector"})


def test_matrix_notation_of_the_multivariate_normal() -> None:
    # Bishop (2.43), the log-density of N(x | mu, Sigma), as a lecturer writes it.
    text = (
        r"- \frac{d}{2} \log(2 \pi) - \frac{1}{2} \log \left|\Sigma_1\right| "
        r"- \frac{1}{2} \operatorname{tr}\left(x^{T} \Sigma_{1}^{-1} x\right)"
    )
    expected = (
        -dim / 2 * log(2 * pi) - log(sympy.Determinant(S1)) / 2 - sympy.Trace(xs.T * S1.I * xs) / 2
    )
    assert read(text, ARRAYS) == expected
    assert read(r"\det\left(\Sigma_{2}^{-1} \Sigma_{1}\right)", ARRAYS) == sympy.Determinant(
        S2.I * S1
    )
    assert read(r"\Sigma_{1}^{2} \mu_1", ARRAYS) == S1**2 * m1
    mean = read(r"\mathbb{E}_{x \sim \mathcal{N}(\mu_1, \Sigma_1)}\left[x^T x\right]", ARRAYS)
    assert mean == Mean(xs.T * xs, NormalLaw(m1, S1, xs))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (r"\left|\mu_1\right|", "a norm is not read"),
        (r"\mu_1^{-1}", "not square"),
        (r"\Sigma_1^{a}", "raised to T or to an integer"),
        (r"\mu_1 + 1", "does not build"),
        (r"\mathbb{E}_{x \sim \mathcal{N}(\Sigma_1, \mu_1)}\left[x\right]", "a declared vector"),
    ],
)
def test_matrix_notation_refused(text: str, reason: str) -> None:
    with pytest.raises(LatexError, match=reason):
        read(text, ARRAYS)


def test_a_fraction_over_a_number_is_no_derivative() -> None:
    d = Symbol("d", real=True)
    assert read(r"\frac{d}{2}", Declarations()) == d / 2


def test_defined_functions_read_as_their_abbreviation() -> None:
    # A [define] of the files, sigma(z) = 1/(1 + e^{-z}), declared with its definition.
    zz = Symbol("z", real=True)
    lam = sympy.Lambda((zz,), 1 / (1 + exp(-zz)))
    w = Symbol("w", real=True)
    decl = Declarations({"sigma": "function", "w": "real"}, defined={"sigma": lam})
    value = read(r"\sigma\left(w x_{i}\right) \left(1 - \sigma(w)\right)", decl)
    sigma_of = [a for a in value.atoms(Defined)]
    assert {d.args[2:] for d in sigma_of} == {(w * x[i],), (w,)}
    assert all(d.name == "sigma" and d.args[1] == lam for d in sigma_of)
    assert sympy.simplify(unfold(value) - 1 / (1 + exp(-w * x[i])) * (1 - 1 / (1 + exp(-w)))) == 0
    with pytest.raises(LatexError, match="takes 1 argument"):
        read(r"\sigma(w, w)", decl)
    # A defined constant stands alone.
    mu_def = Declarations({"m": "function"}, defined={"m": sympy.Lambda((), 2 * pi)})
    assert unfold(read(r"m + 1", mu_def)) == 2 * pi + 1


def test_a_bound_model_reads_with_its_parameters() -> None:
    w, s2 = Symbol("w", real=True), Symbol("sigma2", positive=True)
    body = exp(-((yv - w * xv) ** 2) / (2 * s2)) / sqrt(2 * pi * s2)
    model = BoundModel(body, (w,), True, Reference.LEBESGUE)
    decl = Declarations({"w": "real"}, model=model)
    assert read(r"\log p_{model}(\mathbb{X}; w)", decl) == LogLikelihood(model)
    assert read(r"p_{model}(\mathbb{X}; w)", decl) == Likelihood(model)
    assert read(r"\mathrm{NLL}(w)", decl) == NLL(model)
    assert read(r"p_{model}\left(y_{i}, x_{i}\right)", decl) == model.density(y[i], x[i])
    assert read(r"H(\hat{p}_{data}, p_{model})", decl) == CrossEntropy(p_data, model)
    with pytest.raises(LatexError, match=r"NLL reads as \\mathrm\{NLL\}\(w\)"):
        read(r"\mathrm{NLL}(\theta)", decl)
    with pytest.raises(LatexError, match="a function of w"):
        read(r"p_{model}(\mathbb{X}; \theta)", decl)
    unconditional = BoundModel(w * exp(-w * xv), (w,), False, Reference.LEBESGUE)
    decl = Declarations({"w": "positive"}, model=unconditional)
    assert read(r"p_{model}(x_{i})", decl) == unconditional.density(yv, x[i])
    with pytest.raises(LatexError, match=r"reads as p_\{model\}\(x_i\)"):
        read(r"p_{model}(y_{i}, x_{i})", decl)
    # Without a bound model, the seed's p_model: the log of its likelihood is the
    # log-likelihood.
    assert read(r"\log p_{model}(\mathbb{X}; \theta)", Declarations()) == LogLikelihood()


LAWS = Declarations({"p": "positive", "q": "positive", "lambda": "positive", "mu": "real"})


def test_laws_of_the_catalog_read_as_the_files_write_them() -> None:
    from symbolic.readers import files

    def written(expr: str) -> sympy.Expr:
        text = f'title = "t"\nstart = "{expr}"\n[symbols]\np = "positive"\nq = "positive"\n'
        return files.load_text(text + '[[steps]]\nexpr = "0"\n').start

    kl = read(r"D_{KL}(\operatorname{Bernoulli}(p) \| \operatorname{Bernoulli}(q))", LAWS)
    assert kl == written("KL(Bernoulli(p), Bernoulli(q))")
    assert read(r"H(\operatorname{Bernoulli}(p))", LAWS) == written("H(Bernoulli(p))")
    cross = read(r"H(\mathrm{Bernoulli}(p), \operatorname{Bernoulli}(q))", LAWS)
    assert cross == written("H(Bernoulli(p), Bernoulli(q))")
    p, q = Symbol("p", positive=True), Symbol("q", positive=True)
    # The two-term sum over x = 0, 1, written out by hand.
    by_hand = p * log(p / q) + (1 - p) * log((1 - p) / (1 - q))
    at = {p: Rational(3, 10), q: Rational(3, 5)}
    assert abs(sympy.N((unfold(kl).doit() - by_hand).subs(at), 30)) < 1e-25


def test_a_mean_under_a_law_binds_x() -> None:
    lam = Symbol("lambda", positive=True)
    mean = read(r"\mathbb{E}_{x \sim \operatorname{Poisson}(\lambda)}\left[x\right]", LAWS)
    assert mean.free_symbols == {lam}
    assert sympy.simplify(unfold(mean).doit()) == lam
    density = r"\log \mathcal{N}(x; \mu, \sigma^2)"
    normal = read(rf"\mathbb{{E}}_{{x \sim \mathcal{{N}}(\mu, \sigma^2)}}\left[{density}\right]")
    assert normal.free_symbols == {mu, sigma}


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        (r"2 \operatorname{Bernoulli}(p)", r"the law \operatorname{Bernoulli}(p) is not", 3),
        (r"\log \mathcal{N}(\mu, \sigma^2)", r"the law \mathcal{N}(\mu, \sigma^2) is not", 6),
        (r"\operatorname{Poisson}(\lambda, p)", r"reads as \operatorname{Poisson}(\lambda)", 1),
        (r"D_{KL}(\operatorname{Bernoulli}(p) \| p_{model})", "compares two laws, or two", 1),
        (r"\mathbb{E}_{x,y \sim \operatorname{Poisson}(\lambda)}[x]", "a law's mean reads as", 1),
        (r"H(\mathcal{N}(\mu, 1), \mathcal{N}(\mu, 2), \mathcal{N}(\mu, 3))", "one or two laws", 1),
    ],
)
def test_laws_refused_where_they_are_no_value(text: str, reason: str, column: int) -> None:
    with pytest.raises(LatexError) as err:
        read(text, LAWS)
    assert reason in err.value.detail
    assert (err.value.line, err.value.column) == (1, column)


ARRAYS_AND_F = Declarations(
    {"x": "vector", "mu": "vector", "Sigma": "matrix", "f": "function", "z": "real"}
)


def test_bold_names_the_declared_vector_or_matrix() -> None:
    d = Symbol("d", integer=True, positive=True)
    xs, mus, big = (sympy.MatrixSymbol(n, d, c) for n, c in (("x", 1), ("mu", 1), ("Sigma", d)))
    assert read(r"\mathbf{x}^{T} \boldsymbol{\mu}", ARRAYS_AND_F) == xs.T * mus
    assert read(r"\bm{\Sigma}^{-1} \mathbf{x}", ARRAYS_AND_F) == big.I * xs
    # The same symbol as the plain name: nothing is subtracted away by accident.
    assert read(r"\mathbf{x} - x", ARRAYS_AND_F) == sympy.ZeroMatrix(d, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (r"\mathbf{z}", "bold z names a vector or a matrix: declare z: vector"),
        (r"\boldsymbol{\sigma}", "bold sigma names a vector or a matrix"),
        (r"\mathbf{xy}", "holds one letter or one Greek letter"),
        (r"\mathbf{1}", "holds one letter or one Greek letter"),
    ],
)
def test_bold_refused_unless_declared(text: str, reason: str) -> None:
    with pytest.raises(LatexError, match=re.escape(reason)):
        read(text, ARRAYS_AND_F)


def test_primes_derive_a_declared_function_and_otherwise_name() -> None:
    f = Function("f", real=True)
    assert read("f'(z)", ARRAYS_AND_F) == sympy.Derivative(f(z), z)
    assert read("f''(z)", ARRAYS_AND_F) == sympy.Derivative(f(z), (z, 2))
    t = Symbol("t", real=True)
    sig = Declarations({"sigma": "function"}, defined={"sigma": sympy.Lambda(t, 1 / (1 + exp(-t)))})
    derivative = read(r"\sigma'(z)", sig)
    assert sympy.simplify(unfold(derivative).doit() - exp(-z) / (1 + exp(-z)) ** 2) == 0
    # θ' is a name of its own, not θ: a declared kind is its own.
    other = read(r"\theta' - \theta")
    assert other == Symbol("theta'", real=True) - theta
    assert read(r"\theta'", Declarations({"theta'": "positive"})).is_positive
    # Under an accent as well: the estimate of θ' is another estimate than θ̂.
    assert read(r"\hat\theta' - \hat{\theta}") == Symbol("hat_theta'", real=True) - Symbol(
        "hat_theta", real=True
    )


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        ("g'(z)", "g'(...): g is not declared as a function; declare g: function", 1),
        ("f'(2 z)", "f' is read at a variable only", 1),
        ("f'", "f' needs its arguments in brackets", 1),
        ("f'(z, z)", "f' takes one argument", 1),
        ("x_i' + 1", "a prime stands right after a name", 4),
        ("(z)' + 1", "a prime stands right after a name", 4),
        ("f '(z)", "a prime stands right after a name", 3),
        (r"f^{\prime}(z)", "\\prime is not read: write the prime as '", 4),
    ],
)
def test_primes_refused_where_they_would_guess(text: str, reason: str, column: int) -> None:
    with pytest.raises(LatexError) as err:
        read(text, ARRAYS_AND_F)
    assert reason in err.value.detail
    assert err.value.column == column
