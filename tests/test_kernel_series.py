"""The kernel's sums and integrals: values accepted only where their conditions are established."""

from __future__ import annotations

from sympy import (
    Abs,
    Integral,
    Max,
    Min,
    Piecewise,
    Rational,
    S,
    Sum,
    Symbol,
    beta,
    binomial,
    digamma,
    exp,
    factorial,
    gamma,
    log,
    oo,
    pi,
    sqrt,
    tan,
)

from symbolic import Relation, Status, Step, check_step
from symbolic.kernel.closed_forms import domain_facts, holds

lam = Symbol("lam", positive=True)
p = Symbol("p", positive=True)
k = Symbol("k", integer=True, nonnegative=True)
j = Symbol("j", integer=True, positive=True)


def verdict(lhs, rhs, intervals=None):
    return check_step(
        lhs, Relation.EQ, Step(Relation.EQ, rhs, "claim"), params=(), intervals=intervals or {}
    )


def test_a_finite_sum_of_few_terms_is_expanded_and_proved():
    checked = verdict(
        Sum(k**2 * log(p + k), (k, 0, 3)), log(p + 1) + 4 * log(p + 2) + 9 * log(p + 3)
    )
    assert checked.status is Status.PROVED


def test_a_finite_sum_off_by_a_term_is_refuted():
    checked = verdict(Sum(k**2 * log(p + k), (k, 0, 3)), log(p + 1) + 4 * log(p + 2))
    assert checked.status is Status.REFUTED
    assert checked.counterexample is not None


def test_the_poisson_mean_series_is_proved():
    mean = Sum(k * lam**k * exp(-lam) / factorial(k), (k, 0, oo))
    assert verdict(mean, lam, {lam: (0.2, 8.0)}).status is Status.PROVED


def test_a_poisson_series_with_a_wrong_factor_is_refuted():
    mean = Sum(k * lam**k * exp(-lam) / factorial(k), (k, 0, oo))
    checked = verdict(mean, 2 * lam, {lam: (0.2, 8.0)})
    assert checked.status is Status.REFUTED
    assert "lam" in checked.counterexample["point"]


def test_a_geometric_series_needs_its_convergence_condition():
    # With p only known positive, |1 - p| < 1 is not established: the series may diverge. A
    # symbol's interval is part of the claim (its domain), so the interval reaches past 2.
    series = Sum(p * (1 - p) ** (j - 1), (j, 1, oo))
    checked = verdict(series, S.One, {p: (0.1, 2.5)})
    assert checked.status is not Status.PROVED
    # log(1 - p) is real only for p < 1: a claim that takes it holds only there, where the
    # series converges.
    checked = verdict(series * log(1 - p), log(1 - p), {p: (0.1, 0.9)})
    assert checked.status is Status.PROVED


def test_conditions_are_decided_from_assumptions_and_facts_only():
    assert holds(abs(p - 1) < 1, domain_facts(log(1 - p)))
    assert not holds(abs(p - 1) < 1, ())
    assert not holds(abs(p - 1) < 1, domain_facts(Sum(log(1 - p * k), (k, 1, 2))))
    assert holds(lam / p > -1)


def test_a_sum_without_closed_form_must_cancel_syntactically():
    n = Symbol("n", integer=True, positive=True)
    mass = binomial(n, k) * p**k * (1 - p) ** (n - k)
    same = Sum(mass * log(binomial(n, k)), (k, 0, n))
    assert verdict(same + log(p), log(p) + same, {p: (0.1, 0.9)}).status is Status.PROVED


def test_a_gamma_function_integral_after_rewriting_powers():
    u = Symbol("u", real=True)
    c = Symbol("c", positive=True)
    lhs = Integral(exp(c * log(u)) * exp(-u), (u, 0, oo))
    assert verdict(lhs, gamma(c + 1), {c: (0.3, 3.0)}).status is Status.PROVED


def test_binomial_moments_by_the_binomial_theorem():
    n = Symbol("n", integer=True, positive=True)
    mass = binomial(n, k) * p**k * (1 - p) ** (n - k)
    assert verdict(Sum(k * mass, (k, 0, n)), n * p, {p: (0.1, 0.9)}).status is Status.PROVED
    second = Sum(k**2 * mass, (k, 0, n))
    assert verdict(second, n * p * (1 - p) + n**2 * p**2, {p: (0.1, 0.9)}).status is Status.PROVED
    wrong = verdict(second, n * p * (1 - p) + n * p**2, {p: (0.1, 0.9)})
    assert wrong.status is Status.REFUTED


def test_piecewise_sides_are_compared_branch_by_branch():
    n = Symbol("n", integer=True, positive=True)
    mass = binomial(n, k) * p**k * (1 - p) ** (n - k)
    lhs = Piecewise((Sum(k * mass, (k, 0, n)), n <= 3), (oo, True))
    assert verdict(lhs, Piecewise((n * p, n <= 3), (oo, True)), {p: (0.1, 0.9)}).status is (
        Status.PROVED
    )
    assert verdict(lhs, Piecewise((n * p, n <= 4), (oo, True)), {p: (0.1, 0.9)}).status is not (
        Status.PROVED
    )


a_ = Symbol("a", positive=True)
b_ = Symbol("b", positive=True)
xp = Symbol("x", positive=True)
# Exponents above 1 keep the endpoint factors bounded, so quadrature reaches 40 digits.
SMOOTH = {a_: (1.2, 5.0), b_: (1.2, 5.0)}


def test_gamma_and_beta_log_moments_are_proved():
    gamma_density = b_**a_ * xp ** (a_ - 1) * exp(-b_ * xp) / gamma(a_)
    lhs = Integral(gamma_density * log(xp), (xp, 0, oo))
    assert verdict(lhs, digamma(a_) - log(b_), SMOOTH).status is Status.PROVED
    beta_density = xp ** (a_ - 1) * (1 - xp) ** (b_ - 1) / beta(a_, b_)
    lhs = Integral(beta_density * log(1 - xp), (xp, 0, 1))
    assert verdict(lhs, digamma(b_) - digamma(a_ + b_), SMOOTH).status is Status.PROVED
    wrong = verdict(lhs, digamma(a_) - digamma(a_ + b_), SMOOTH)
    assert wrong.status is Status.REFUTED


def test_a_log_moment_whose_parameter_may_be_negative_is_not_proved():
    # ∫_0^1 x^(c-1) log x dx = -1/c^2 only for c > 0; c real may be <= 0, where it diverges.
    c = Symbol("c", real=True)
    lhs = Integral(xp ** (c - 1) * log(xp), (xp, 0, 1))
    checked = verdict(lhs, -1 / c**2, {c: (0.5, 3.0)})
    assert checked.status is not Status.PROVED


def test_pieces_of_one_integral_are_merged_across_a_substitution_and_a_reflection():
    # ∫_0^(1/2) g(x) dx written as w = x^a, and ∫_(1/2)^1 g(x) dx reflected to t = 1 - x.
    w = Symbol("w", positive=True)
    g = xp ** (a_ - 1) * (1 - xp) ** (b_ - 1) * log(xp)
    left = Integral((g / xp ** (a_ - 1)).subs(xp, w ** (1 / a_)) / a_, (w, 0, Rational(1, 2) ** a_))
    right = Integral(g.subs(xp, 1 - xp), (xp, 0, Rational(1, 2)))
    rhs = beta(a_, b_) * (digamma(a_) - digamma(a_ + b_))
    assert verdict(left + right, rhs, {a_: (1.2, 4.0), b_: (1.2, 4.0)}).status is Status.PROVED


def test_an_integral_between_min_and_max_is_split_by_the_order_of_its_ends():
    m = Symbol("m", real=True)
    x = Symbol("x", real=True)
    lhs = Integral(Abs(x - m) * exp(-Abs(x)), (x, Min(0, m), Max(0, m)))
    rhs = Abs(m) - 1 + exp(-Abs(m))
    checked = verdict(lhs, rhs, {m: (-3.0, 3.0)})
    assert checked.status is Status.PROVED
    assert "in each order of" in checked.detail
    assert verdict(lhs, rhs + m / 10, {m: (-3.0, 3.0)}).status is Status.REFUTED


def test_the_cauchy_log_moment_is_proved_where_the_quadratic_has_no_two_real_roots():
    m = Symbol("m", real=True)
    h = Symbol("h", positive=True)
    u = Symbol("u", real=True)
    lhs = Integral(log(tan(u) ** 2 + 2 * m * tan(u) + m**2 + h**2), (u, -pi / 2, pi / 2)) / pi
    rhs = log(m**2 + (1 + h) ** 2)
    where = {m: (-2.0, 2.0), h: (0.3, 3.0)}
    assert verdict(lhs, rhs, where).status is Status.PROVED
    assert verdict(lhs, rhs + log(2) / 10, where).status is Status.REFUTED
    # With c only known real, tan(u)^2 + c may have two real roots: nothing is established (the
    # interval is part of the claim, so it reaches below 0).
    c = Symbol("c", real=True)
    lhs = Integral(log(tan(u) ** 2 + c), (u, -pi / 2, pi / 2)) / pi
    checked = verdict(lhs, 2 * log(1 + sqrt(c)), {c: (-3.0, 3.0)})
    assert checked.status is not Status.PROVED


def test_a_rational_series_that_does_not_fall_faster_than_1_over_k_is_infinite():
    """Σ 1/k and Σ k diverge to +∞, Σ -1/(2k + 1) to -∞ (comparison with the harmonic series);
    Σ 1/k² converges, so = ∞ is not proved, and Σ 1/k = -∞ is not proved either."""
    k = Symbol("k", integer=True, positive=True)
    for series, value in [(Sum(1 / k, (k, 1, oo)), oo), (Sum(k, (k, 1, oo)), oo),
                          (Sum(-1 / (2 * k + 1), (k, 1, oo)), -oo)]:
        checked = verdict(series, value, {})
        assert checked.status is Status.PROVED, (series, checked.detail)
        assert "diverges" in checked.detail
    for series, value in [(Sum(1 / k**2, (k, 1, oo)), oo), (Sum(1 / k, (k, 1, oo)), -oo)]:
        assert verdict(series, value, {}).status is not Status.PROVED


def test_a_rational_integrand_with_a_pole_at_an_end_is_infinite():
    """∫_0^1 dt/t = ∞ and ∫_0^1 -dt/(1 - t)^2 = -∞ (poles of order 1 and 2 at an end); a
    finite value against them is not agreement: the quadrature of a divergent integral gives a
    finite number that grows with the digits, so ∫_0^1 dt/t = 10^6 is never numeric."""
    t = Symbol("t", real=True)
    for integral, value in [(Integral(1 / t, (t, 0, 1)), oo),
                            (Integral(-1 / (1 - t) ** 2, (t, 0, 1)), -oo),
                            (Integral(1 / (t * (1 - t)), (t, 0, 1)), oo)]:
        checked = verdict(integral, value, {})
        assert checked.status is Status.PROVED, (integral, checked.detail)
        assert "pole at an end of the range diverges" in checked.detail
    # 1/t - 1/(1 - t): +∞ at 0 and -∞ at 1, no value; a pole inside (0, 1): no value either.
    for integral in [Integral(1 / t - 1 / (1 - t), (t, 0, 1)),
                     Integral(1 / (t - Rational(1, 2)), (t, 0, 1))]:
        assert verdict(integral, oo, {}).status is not Status.PROVED
    assert verdict(Integral(1 / t, (t, 0, 1)), 10**6, {}).status not in (
        Status.PROVED, Status.NUMERIC)
