"""Matrix steps: Hessians as objects, entrywise equality and definiteness (issue 15).

Each matrix below was worked by hand: its entries' derivatives, its minors and its signs.
"""

from __future__ import annotations

import pytest
from sympy import Derivative, ImmutableMatrix, Symbol, exp

from symbolic.kernel import Relation, Status, Step, check_step
from symbolic.kernel.matrices import claims
from symbolic.readers import files

a = Symbol("a", real=True)
b = Symbol("b", real=True)
s = Symbol("s", positive=True)


def _check(lhs: object, relation: Relation, rhs: object) -> object:
    return check_step(lhs, Relation.EQ, Step(relation, rhs, "claim"), params=(a, b))


F = a**2 * b + exp(a * b)
HESSIAN = ImmutableMatrix([[Derivative(F, x, y) for y in (a, b)] for x in (a, b)])
# d²/da² = 2b + b² e^{ab}; d²/dadb = 2a + e^{ab} + ab e^{ab}; d²/db² = a² e^{ab}.
BY_HAND = ImmutableMatrix([
    [2 * b + b**2 * exp(a * b), 2 * a + exp(a * b) * (1 + a * b)],
    [2 * a + exp(a * b) * (1 + a * b), a**2 * exp(a * b)],
])


def test_a_hessian_equals_its_matrix_entrywise() -> None:
    checked = _check(HESSIAN, Relation.EQ, BY_HAND)
    assert checked.status is Status.PROVED, checked.detail
    assert checked.detail.startswith("entrywise: 4 claims proved")


def test_a_wrong_entry_is_refuted_and_named() -> None:
    wrong = BY_HAND.subs(BY_HAND[1, 1], a**2 * exp(a * b) + 1)
    checked = _check(HESSIAN, Relation.EQ, wrong)
    assert checked.status is Status.REFUTED
    assert "entry (2, 2)" in checked.detail
    assert checked.counterexample["claim"] == "entry (2, 2)"


def test_negative_definite_by_sylvester() -> None:
    # diag(-1/s, -2/s): the signed minors are 1/s > 0 and 2/s^2 > 0.
    checked = _check(ImmutableMatrix([[-1 / s, 0], [0, -2 / s]]), Relation.LT, 0)
    assert checked.status is Status.PROVED, checked.detail
    assert "Sylvester" in checked.detail


def test_a_matrix_that_is_not_negative_definite_is_refuted() -> None:
    # [[-1, 2], [2, -1]]: det = 1 - 4 = -3 < 0, so it is indefinite.
    checked = _check(ImmutableMatrix([[-1, 2], [2, -1]]), Relation.LT, 0)
    assert checked.status is Status.REFUTED
    assert "leading minor 2" in checked.detail


def test_an_asymmetric_matrix_has_no_definiteness_claim() -> None:
    # [[-1, 1], [0, -1]] has leading minors -1 and 1 but is not symmetric.
    checked = _check(ImmutableMatrix([[-1, 1], [0, -1]]), Relation.LT, 0)
    assert checked.status is Status.REFUTED
    assert "symmetric" in checked.detail


def test_semidefinite_uses_every_principal_minor() -> None:
    """diag(0, -1): its leading minors are 0 and 0, yet it is not positive semidefinite."""
    m = ImmutableMatrix([[0, 0], [0, -1]])
    labels = [c.label for c in claims(m, Relation.GE, 0)]
    assert "principal minor of rows 2" in labels
    assert _check(m, Relation.GE, 0).status is Status.REFUTED
    assert _check(m, Relation.LE, 0).status is Status.PROVED


def test_a_matrix_against_a_scalar_or_another_shape_is_refused() -> None:
    m = ImmutableMatrix([[a, 0], [0, a]])
    assert _check(m, Relation.EQ, a).status is Status.UNKNOWN
    assert _check(m, Relation.EQ, ImmutableMatrix([[a, 0]])).status is Status.UNKNOWN
    assert "compares only with 0" in _check(m, Relation.LT, 1).detail


def test_hessian_and_matrix_in_files(tmp_path: object) -> None:
    text = '''
title = "a hessian"
params = ["a", "b"]
start = "hessian(a**2*b + log(1 + b**2), (a, b))"
[symbols]
a = "real"
b = "real"
[[steps]]
expr = "Matrix((2*b, 2*a), (2*a, 2/(1 + b**2) - 4*b**2/(1 + b**2)**2))"
'''
    from symbolic import check

    path = tmp_path / "h.toml"
    path.write_text(text)
    assert [st.status for st in check(files.load(path)).steps] == [Status.PROVED]
    path.write_text(text.replace("2/(1 + b**2) -", "1/(1 + b**2) -"))
    assert [st.status for st in check(files.load(path)).steps] == [Status.REFUTED]


@pytest.mark.parametrize(
    "expr,message",
    [
        ("Matrix((1, 2), (3,))", "all of one length"),
        ("hessian(a*b, a)", "tuple of declared symbols"),
        ('grad(a**2, t)"\n[data]\nt = "real[d]', "one length"),
        ("vector(a, (a, 1, d))", "declared integer symbol"),
        ("vector(j, (j, 0, d))", r"\(j, 1, length\)"),
    ],
)
def test_malformed_matrices_in_files_exit_2(tmp_path: object, expr: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'''
title = "bad"
params = ["a"]
start = "{expr}"
[symbols]
a = "real"
b = "real"
d = "positive integer"
j = "positive integer"
[[steps]]
expr = "0"
''')
    with pytest.raises(files.FileError, match=message):
        files.load(path)
