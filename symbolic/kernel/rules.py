"""The kernel's rules in one place: each rule's name, its statement and its side conditions.

A rule is a general theorem. The kernel applies it only where every side condition is
discharged (by the symbols' assumptions, by an established closed form, or by another rule);
where one is not, the rule is not applied, or the step stays unproved and its detail names the
open obligation. Nothing here decides anything: :mod:`~symbolic.kernel.checker` and
:mod:`~symbolic.kernel.closed_forms` implement the rules, and ``docs/kernel.md`` lists them.

>>> RULES["split-integral"].conditions
('each piece has an established finite value (∫ f and ∫ g converge)',)
>>> len(RULES) >= 15
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Rule", "RULES", "explain"]


@dataclass(frozen=True)
class Rule:
    """A rewrite or evaluation rule: ``statement`` holds whenever every one of ``conditions``
    does; ``marks`` are the phrases of a step's detail that say it was used."""

    name: str
    statement: str
    conditions: tuple[str, ...]
    marks: tuple[str, ...] = ()


_RULES = (
    Rule(
        "unfold",
        "a measure (NLL, H, KL, E over p̂_data) equals its definition",
        ("the definition's data index is fresh: not free or bound in the body",),
        ("normalize", "both sides"),
    ),
    Rule(
        "log-product",
        "log ∏_i f_i = Σ_i log f_i; log(a b) = log a + log b",
        ("every factor is positive under the assumptions",),
        ("normalize",),
    ),
    Rule(
        "split-finite-sum",
        "Σ_{k=a}^{b} (f + g) = Σ f + Σ g over a finite range; a summand c free of k gives "
        "c (b - a + 1)",
        ("the count b - a + 1 is proved >= 0 (hi < lo is the empty sum, 0)",),
        ("linearity", "normalize"),
    ),
    Rule(
        "split-series",
        "Σ_{k=a}^{∞} (f + g) = Σ f + Σ g",
        (
            "each piece converges: sympy's convergence tests, or the ratio test with the limit "
            "below 1 under the claim's domain facts",
        ),
        ("linearity of convergent series",),
    ),
    Rule(
        "split-integral",
        "∫ (f + g) = ∫ f + ∫ g, ∫ c f = c ∫ f",
        ("each piece has an established finite value (∫ f and ∫ g converge)",),
        ("linearity",),
    ),
    Rule(
        "split-mean",
        "E_P[f + g] = E_P[f] + E_P[g], E_P[c f] = c E_P[f], E_P[Σ_k f_k] = Σ_k E_P[f_k]",
        (
            "each piece has a mean (a moment rule derives it, e.g. a + p > 0 for E[x^p])",
            "a sum swapped with E has a finite range free of the law's variable",
        ),
        ("linearity",),
    ),
    Rule(
        "rename-index",
        "a bound index may be renamed (alpha-conversion)",
        (
            "the new name is not free or bound in the summand",
            "the new name's assumptions (i > 0) hold on the range",
        ),
        ("normalize",),
    ),
    Rule(
        "index-assumptions",
        "a sum built from a declared index means what its range says",
        ("the index's declared sign (positive, nonnegative, ...) holds on its whole range",),
        ("the index",),
    ),
    Rule(
        "drop-zero-end",
        "a term that is exactly 0 at an end of the range may be dropped",
        ("none: for hi < lo both ranges are empty",),
        ("normalize",),
    ),
    Rule(
        "few-terms",
        "a sum with concrete bounds and at most 32 terms is its terms added",
        ("every term is defined (no division by 0)", "a reversed range is empty"),
        ("a sum of few terms",),
    ),
    Rule(
        "certified-sum",
        "Σ_{k=lo}^{hi} f(k) = F(hi) for sympy's proposed antidifference F",
        (
            "F(m) - F(m - 1) = f(m) symbolically, for an integer m",
            "F(lo - 1) = 0 (the base case, the empty sum)",
            "hi >= lo - 1 is proved",
            "f does not mention hi, and no denominator of f vanishes on [lo, hi]",
        ),
        ("certified",),
    ),
    Rule(
        "convergent-series",
        "Σ_{k=lo}^{∞} f(k) = sympy's value",
        (
            "the series converges (sympy's convergence test)",
            "the value is finite, and every condition sympy states is established",
            "no denominator of f vanishes on the range",
        ),
        ("convergent series",),
    ),
    Rule(
        "binomial-theorem",
        "Σ_{x=0}^{n} C(n, x) a^x b^(n-x) x^m = (a d/da)^m (a + b)^n",
        ("n is an integer >= 0",),
        ("binomial theorem",),
    ),
    Rule(
        "sympy-integral",
        "∫_a^b f = sympy's value",
        (
            "every condition sympy states is established from the assumptions",
            "the value is finite (an infinite value is a divergent integral)",
            "mpmath's quadrature at a point of the other symbols agrees to 20 digits",
        ),
        ("sympy's integration",),
    ),
    Rule(
        "euler-integrals",
        "∫_0^1 v^(p-1) (1-v)^(q-1) log^m v log^k(1-v) dv = ∂_p^m ∂_q^k B(p, q); "
        "∫_0^∞ v^(p-1) e^(-cv) log^m v dv = ∂_p^m Γ(p) c^(-p)",
        ("p > 0, q > 0, c > 0 established",),
        ("Euler's beta or gamma",),
    ),
    Rule(
        "cauchy-log",
        "∫_(-π/2)^(π/2) log(a tan²u + b tan u + c) du = π (log a + log(r² + (1 + s)²))",
        ("a > 0 and b² <= 4ac established",),
        ("Cauchy law",),
    ),
    Rule(
        "dirichlet-moment",
        "E[c x_k^p log^m x_k] under Dirichlet(α): the m-th s-derivative of "
        "B(α_k + p + s, α_0 - α_k) / B(α_k, α_0 - α_k) at s = 0",
        ("α_k + p > 0 proved (else the moment is infinite)",),
        ("the marginal of",),
    ),
    Rule(
        "normal-moment",
        "E[tr M(x)] under N(μ, Σ) for M of degree <= 2 in x, from x = μ + L z",
        ("M is a product of degree <= 2 in x",),
        ("L z with L L^T",),
    ),
    Rule(
        "order-cases",
        "an identity proved for s = a + d, s = a - d (d > 0) and s = a holds for every real s",
        ("s is a real symbol not in a",),
        ("in each order of",),
    ),
    Rule(
        "same-domain",
        "an identity proved by simplification holds where both sides are defined",
        (
            "every denominator that may vanish is a denominator of both sides "
            "(else the sides are defined on different sets)",
        ),
        ("obligations are open", "not an identity"),
    ),
    Rule(
        "affine-argopt",
        "argmin g = argmin f when g = a f + c, a > 0, c free of θ (a < 0: argmax)",
        ("a is proved > 0 (< 0) and free of θ", "c is free of θ", "c is proved finite"),
        ("g = a*f + c",),
    ),
    Rule(
        "monotone-witness",
        "argmin h(f) = argmin f for h strictly increasing on the range of f",
        (
            "h does not mention θ",
            "h is continuous on the range of f (no Piecewise, floor, sign, ... and sympy's "
            "continuous domain is the whole range)",
            "h'(u) > 0 (or < 0 when the sense flips) on the range of f",
        ),
        ("h(u) =",),
    ),
    Rule(
        "divergent-series",
        "Σ_{k=a}^{∞} P(k)/Q(k) = ±∞ when deg P >= deg Q - 1, with the sign of lc(P)/lc(Q)",
        (
            "P/Q is defined at every integer of the range",
            "the sign of lc(P)/lc(Q) is proved",
        ),
        ("diverges",),
    ),
    Rule(
        "divergent-integral",
        "∫_a^b P(t)/Q(t) dt = ±∞ when Q has a zero of order m >= 1 at an end e, P(e) != 0",
        (
            "the ends are numbers and Q has no zero strictly inside (a, b)",
            "where both ends diverge, they diverge with one sign (∞ - ∞ is no value)",
        ),
        ("pole at an end of the range diverges",),
    ),
    Rule(
        "unique-root",
        "s is the only root of f = 0 in the domain of v: f(s) = 0, s lies in the domain, and "
        "the numerator of f is of degree 1 in v, or has at most one root there by Descartes' "
        "rule of signs",
        (
            "f(s) = 0 is proved",
            "s is proved to lie in the domain (its interval, else its sign)",
            "degree 1: the leading coefficient is proved nonzero",
            "Descartes: every coefficient's sign is proved, or counted with every sign it "
            "could have; the sign changes (of p(v) and, on the reals, p(-v)) total at most one",
        ),
        ("only root", "Descartes' rule of signs"),
    ),
    Rule(
        "matrix-entrywise",
        "two matrices of one shape are equal when every pair of entries is",
        ("each entry's equality is a step of its own, with its own obligations",),
        ("entrywise",),
    ),
    Rule(
        "vector-entrywise",
        "two vectors (matrices) whose entries are formulas in an index j = lo..hi (and k) are "
        "equal when the entries are, at one fresh integer index with lo <= j <= hi",
        (
            "the two sides have the same index ranges",
            "the index is fresh: no symbol of either side, bound or free, has its name",
            "the entry equality is a step of its own, under lo <= j <= hi",
            "a definiteness claim of symbolic size is not decided",
        ),
        (", for every ",),
    ),
    Rule(
        "bound-renaming",
        "a bound index (of a sum, product or integral) may be renamed to a fresh name "
        "(alpha-conversion)",
        (
            "every bound index named like a free symbol of the step, or like the variable of a "
            "derivative over it, is renamed before any other rule or substitution applies",
        ),
    ),
    Rule(
        "sylvester",
        "a symmetric matrix is negative (positive) definite when its leading principal minors "
        "satisfy (-1)^k det H_k > 0 (det H_k > 0); semidefinite when every principal minor does, "
        "with >= 0",
        (
            "the matrix is proved symmetric, entry by entry",
            "each minor's inequality is a step of its own",
        ),
        ("Sylvester's criterion",),
    ),
    Rule(
        "declared-constant",
        "a term declared constant is free of the parameters",
        ("no parameter appears after normalization, or the numeric route saw it vary",),
        ("free of the parameters",),
    ),
    Rule(
        "opaque-pieces",
        "a sum, integral or expectation left without an established value must cancel as it is",
        ("simplify never sees inside it (it would merge ∫ f - ∫ g or sum by Karr's rule)",),
        ("simplify",),
    ),
)

RULES: dict[str, Rule] = {rule.name: rule for rule in _RULES}


def explain(detail: str) -> list[Rule]:
    """The rules a step's detail says were used (or left open), in the order of ``RULES``.

    >>> [r.name for r in explain("g = a*f + c with a = 2 > 0 and c = 0 free of the parameters")]
    ['affine-argopt', 'declared-constant']
    """
    return [rule for rule in _RULES if any(mark in detail for mark in rule.marks)]
