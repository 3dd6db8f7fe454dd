"""Gradients and Hessians in a vector of symbolic length, as objects (issue 15).

The entries below were worked by hand: for the mean squared error of least squares,
d/dw_j (1/N) Σ_i (Σ_k X_ik w_k − y_i)² = (2/N) Σ_i (Σ_k X_ik w_k − y_i) X_ij and
d²/(dw_j dw_k) = (2/N) Σ_i X_ij X_ik (Deep Learning §5.1.4, in index form).
"""

from __future__ import annotations

from pathlib import Path

import mpmath
import pytest
from sympy import (
    Derivative,
    ImmutableMatrix,
    IndexedBase,
    Integer,
    KroneckerDelta,
    Le,
    Sum,
    Symbol,
    Tuple,
    exp,
    latex,
)

from symbolic import check
from symbolic.kernel import Relation, Status, Step, check_step
from symbolic.kernel.assumptions import rename_apart
from symbolic.kernel.domains import REALS, DataVectors, Vectors
from symbolic.kernel.matrices import Components, claims, gradient
from symbolic.kernel.measures import N, i
from symbolic.kernel.numeric import Instance, Point, evaluate
from symbolic.readers import files

EXAMPLES = Path(__file__).parent.parent / "derivations" / "examples"

d = Symbol("d", integer=True, positive=True)
j = Symbol("j", integer=True, positive=True)
k = Symbol("k", integer=True, positive=True)
w = IndexedBase("w", real=True)
X = IndexedBase("X", real=True)
y = IndexedBase("y", real=True)
a = Symbol("a", real=True)
b = Symbol("b", real=True)

FIT = Sum(X[i, k] * w[k], (k, 1, d))
MSE = Sum((FIT - y[i]) ** 2, (i, 1, N)) / N
BY_HAND = Components(2 * Sum((FIT - y[i]) * X[i, j], (i, 1, N)) / N, (j, 1, d))
def _vectors() -> dict:
    return {
        w: (d, Vectors(REALS, d)),
        X: (Tuple(N, d), DataVectors(REALS, d)),
        y: (N, DataVectors(REALS, N)),
    }


def _check(lhs: object, step: Step) -> object:
    return check_step(lhs, Relation.EQ, step, params=(), vectors=_vectors())


def test_the_gradient_of_least_squares_is_proved_entry_by_entry() -> None:
    checked = _check(MSE, Step(Relation.DIFF, BY_HAND, "chain rule", wrt=w))
    assert checked.status is Status.PROVED, checked.detail
    assert "entry j, for every j = 1..d" in checked.detail


def test_a_gradient_missing_its_factor_2_is_refuted_at_an_entry() -> None:
    wrong = Components(Sum((FIT - y[i]) * X[i, j], (i, 1, N)) / N, (j, 1, d))
    checked = _check(MSE, Step(Relation.DIFF, wrong, "forgot the 2", wrt=w))
    assert checked.status is Status.REFUTED
    assert "entry j" in checked.detail
    assert checked.counterexample["claim"].startswith("entry j")


def test_a_gradient_object_equals_its_entries() -> None:
    checked = _check(gradient(MSE, w, d), Step(Relation.EQ, BY_HAND, "chain rule"))
    assert checked.status is Status.PROVED, checked.detail


def test_the_hessian_of_least_squares_and_its_diagonal() -> None:
    """At j = k the entry is a second derivative in one weight: the numeric route must move
    that one entry twice, not two copies of it once each (which gave 0)."""
    hessian = Components(Derivative(MSE, w[j], w[k]), (j, 1, d), (k, 1, d))
    right = Components(2 * Sum(X[i, j] * X[i, k], (i, 1, N)) / N, (j, 1, d), (k, 1, d))
    assert _check(hessian, Step(Relation.EQ, right, "linear")).status is Status.PROVED
    wrong = Components(2 * Sum(X[i, j] * X[i, k], (i, 1, N)) / N + 1, (j, 1, d), (k, 1, d))
    assert _check(hessian, Step(Relation.EQ, wrong, "off by one")).status is Status.REFUTED


def test_the_numeric_second_derivative_in_one_entry_twice() -> None:
    """d²/dw_1² of w_1³ at w_1 = 2 is 6·2 = 12; as Derivative(f, w[j], w[k]) at j = k = 1."""
    def at(values: dict, entries: tuple) -> Point:
        mp = {s: mpmath.mpf(v) for s, v in values.items()}
        return Point(Instance(1, (), (), None, mp, {w: tuple(map(mpmath.mpf, entries))}), {})

    assert evaluate(Derivative(w[1] ** 3, w[j], w[k]), at({j: 1, k: 1}, (2,))) == pytest.approx(12)
    # The mixed one, d²/(dw_1 dw_2) of w_1² w_2 = 2 w_1 = 4.
    mixed = Derivative(w[1] ** 2 * w[2], w[j], w[k])
    assert evaluate(mixed, at({j: 1, k: 2}, (2, 5))) == pytest.approx(4)


def test_renaming_the_index_never_captures_an_inner_one() -> None:
    """(Σ_j w_k w_j)_k is w_k Σ w, not Σ_j w_j²: renaming its k to the left side's j would put
    it inside the inner sum over j, and the false claim (Σ_k w_k²)_j = (w_k Σ_j w_j)_k would
    pass."""
    left = Components(Sum(w[k] ** 2, (k, 1, d)), (j, 1, d))
    right = Components(Sum(w[j] * w[k], (j, 1, d)), (k, 1, d))
    (made,) = claims(left, Relation.EQ, right)
    index = made.hypotheses[0].lhs
    assert made.rhs.has(w[index]) and not made.lhs.has(index)
    checked = _check(left, Step(Relation.EQ, right, "capture"))
    assert checked.status is Status.REFUTED, checked.detail


def test_alpha_renamed_vectors_are_equal() -> None:
    left = Components(w[j] * Sum(w[k], (k, 1, d)), (j, 1, d))
    right = Components(w[k] * Sum(w[j], (j, 1, d)), (k, 1, d))
    assert _check(left, Step(Relation.EQ, right, "rename")).status is Status.PROVED


def test_a_gradient_in_a_tuple_is_a_column() -> None:
    f = a**2 * b + exp(a * b)
    column = ImmutableMatrix([[2 * a * b + b * exp(a * b)], [a**2 + a * exp(a * b)]])
    checked = check_step(f, Relation.EQ, Step(Relation.DIFF, column, "d", wrt=(a, b)),
                         params=(a, b))
    assert checked.status is Status.PROVED, checked.detail
    wrong = ImmutableMatrix([[2 * a * b + b * exp(a * b)], [a**2 + exp(a * b)]])
    checked = check_step(f, Relation.EQ, Step(Relation.DIFF, wrong, "d", wrt=(a, b)),
                         params=(a, b))
    assert checked.status is Status.REFUTED
    assert "entry (2, 1)" in checked.detail


def test_a_gradient_set_to_zero_is_a_claim_per_entry() -> None:
    column = gradient(a**2 + (b - 1) ** 2, (a, b))
    assert check_step(column, Relation.EQ, Step(Relation.EQ, 0, "stationary"), params=(a, b)
                      ).status is Status.REFUTED
    zero = ImmutableMatrix([[a * (b - 1) - a * b + a], [0]])
    assert check_step(zero, Relation.EQ, Step(Relation.EQ, 0, "zero"), params=()
                      ).status is Status.PROVED


def test_definiteness_of_a_symbolic_size_is_unknown_with_its_reason() -> None:
    right = Components(2 * Sum(X[i, j] * X[i, k], (i, 1, N)) / N, (j, 1, d), (k, 1, d))
    checked = _check(right, Step(Relation.GE, 0, "a Gram matrix"))
    assert checked.status is Status.UNKNOWN
    assert "symbolic size" in checked.detail


def test_vectors_of_different_lengths_are_refused() -> None:
    e = Symbol("e", integer=True, positive=True)
    other = Components(w[j], (j, 1, e))
    checked = _check(Components(w[j], (j, 1, d)), Step(Relation.EQ, other, "?"))
    assert checked.status is Status.UNKNOWN
    assert "same length" in checked.detail


def test_a_vector_of_numeric_length_is_its_column() -> None:
    column = ImmutableMatrix([[w[1] ** 2], [w[2] ** 2]])
    assert Components(w[j] ** 2, (j, 1, 2)).as_matrix() == column
    checked = _check(
        Components(w[j] ** 2, (j, 1, 2)),
        Step(Relation.EQ, ImmutableMatrix([[w[1] ** 2], [w[2] ** 2 + 1]]), "?"),
    )
    assert checked.status is Status.REFUTED
    assert "entry (2, 1)" in checked.detail


def test_entries_print_as_a_sequence() -> None:
    assert latex(Components(w[j], (j, 1, d))) == r"\left({w}_{j}\right)_{j = 1}^{d}"
    assert latex(Components(w[j] * w[k], (j, 1, d), (k, 1, d))) == (
        r"\left({w}_{j} {w}_{k}\right)_{j, k = 1}^{d}"
    )


@pytest.mark.parametrize("name", ["least-squares-gradient", "logistic-gradient-features"])
def test_the_examples_in_d_features_are_proved(name: str) -> None:
    checked = check(files.load(EXAMPLES / f"{name}.toml"))
    assert checked.status is Status.PROVED, [s.detail for s in checked.all_steps()]


def test_grad_and_vector_in_files_and_a_wrong_entry() -> None:
    text = '''
title = "a gradient"
start = "grad(Sum(w[k]**2, (k, 1, d)), w)"
[symbols]
d = "positive integer"
j = "positive integer"
k = "positive integer"
[vectors]
w = "real[d]"
[[steps]]
expr = "vector(2*w[j], (j, 1, d))"
'''
    wrong = "2*w[j] + KroneckerDelta(j, 1)"
    for body, verdict in (("2*w[j]", Status.PROVED), (wrong, Status.REFUTED)):
        checked = check(files.load_text(text.replace("2*w[j]", body)))
        assert [s.status for s in checked.steps] == [verdict]


def test_integer_entry_indices_are_exact() -> None:
    assert Components(w[j], (j, 1, 3)).entry(Integer(2)) == w[2]


def test_a_derivative_in_an_entry_named_like_a_bound_index() -> None:
    """sympy reads d/dw_k Σ_k X_1k w_k as Σ_k X_1k (the bound k taken for the free one): the
    kernel renames the bound index first. Each route alone: the symbolic rule gives X_1k, and
    the whole check proves the true value and refutes sympy's."""
    f = Sum(X[1, k] * w[k], (k, 1, d))
    k1 = Symbol("k1", integer=True, positive=True)
    assert rename_apart(Derivative(f, w[k])).doit() == Sum(KroneckerDelta(k, k1) * X[1, k1],
                                                           (k1, 1, d))
    hypotheses = (Le(k, d),)
    true = check_step(Derivative(f, w[k]), Relation.EQ, Step(Relation.EQ, X[1, k], "d"),
                      params=(), vectors=_vectors(), hypotheses=hypotheses)
    assert true.status is Status.PROVED, true.detail
    captured = check_step(Derivative(f, w[k]), Relation.EQ,
                          Step(Relation.EQ, Sum(X[1, k], (k, 1, d)), "sympy's"),
                          params=(), vectors=_vectors(), hypotheses=hypotheses)
    assert captured.status is Status.REFUTED, captured.detail


def test_a_hypothesis_on_a_free_index_never_reaches_a_bound_one() -> None:
    """k <= d is used as k = d - h; the sum over its own k keeps its range (sympy's subs
    raised 'Invalid limits' on it, and the symbolic route gave up)."""
    claim = k + Sum(w[k], (k, 1, d))
    checked = check_step(claim, Relation.EQ, Step(Relation.EQ, Sum(w[j], (j, 1, d)) + k, "="),
                         params=(), vectors=_vectors(), hypotheses=(Le(k, d),))
    assert checked.status is Status.PROVED, checked.detail
