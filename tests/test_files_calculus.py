"""Derivation files with data domains, hypotheses, inequalities, derivatives, solve and propto.

Expected verdicts are those of the mathematics (textbook derivatives, known MLEs), not of the
code's route: a wrong derivative, a wrong root, a factor that depends on the parameter and an
unsatisfiable hypothesis must each fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from symbolic.kernel import Status, check
from symbolic.readers import files

EXAMPLES = Path(__file__).resolve().parent.parent / "derivations" / "examples"


def _check(text: str):
    return check(files.load_text(text, "test.toml"))


def _statuses(text: str) -> list[Status]:
    return [s.status for s in _check(text).steps]


def test_undeclared_data_are_real():
    assert _statuses('''
title = "log of exp"
params = ["w"]
start = "Sum(log(exp(-w*x[i])), (i, 1, N))"
[symbols]
w = "real"
[[steps]]
expr = "-w*Sum(x[i], (i, 1, N))"
''') == [Status.PROVED]


def test_count_data_make_the_poisson_log_likelihood_provable():
    text = '''
title = "Poisson log-likelihood"
params = ["lam"]
start = "Sum(log(lam**x[i]*exp(-lam)/factorial(x[i])), (i, 1, N))"
[symbols]
lam = "positive"
[data]
x = "counts"
[[steps]]
expr = "log(lam)*Sum(x[i], (i, 1, N)) - N*lam - Sum(log(factorial(x[i])), (i, 1, N))"
'''
    assert _statuses(text) == [Status.PROVED]


def test_a_declared_vector_is_sampled_with_length_n():
    checked = _check('''
title = "a third data vector"
start = "Sum(t1[i]**2, (i, 1, N))"
[data]
t1 = "positive"
[[steps]]
relation = ">"
expr = "0"
''')
    assert checked.steps[0].status is Status.PROVED
    assert "no values" not in checked.steps[0].detail


def test_an_unsatisfiable_hypothesis_is_not_a_proof():
    checked = _check('''
title = "vacuous"
assume = ["N < 1"]
start = "N"
[[steps]]
relation = "<"
expr = "0"
''')
    step = checked.steps[0]
    assert step.status is Status.UNKNOWN
    assert "no sampled point satisfies the hypotheses" in step.detail


def test_a_hypothesis_is_used_by_the_prover():
    assert _statuses('''
title = "N >= 2"
assume = ["N >= 2"]
start = "N - 1"
[[steps]]
relation = ">"
expr = "0"
''') == [Status.PROVED]


@pytest.mark.parametrize(
    ("relation", "expr", "status"),
    [
        ("<=", "p", Status.PROVED),
        (">=", "p**2", Status.PROVED),
        # Equal sides: rounding cannot show the gap is 0, but the sides expand to the same
        # expression, so p² < p² fails exactly at every point.
        ("<", "p**2", Status.REFUTED),
        (">", "p", Status.REFUTED),
    ],
)
def test_inequalities_in_files(relation, expr, status):
    assert _statuses(f'''
title = "p^2 <= p on (0, 1)"
start = "p**2"
[symbols]
p = "(0, 1)"
[[steps]]
relation = "{relation}"
expr = "{expr}"
''') == [status]


def test_a_wrong_derivative_is_refuted_with_where_it_parts():
    step = _check('''
title = "d/dp log(1 - p)"
params = ["p"]
start = "log(1 - p)"
[symbols]
p = "(0, 1)"
[[steps]]
relation = "differentiate"
wrt = "p"
expr = "1/(1 - p)"
''').steps[0]
    assert step.status is Status.REFUTED
    assert "part at" in step.detail and "simplifies to" in step.detail
    assert set(step.counterexample["point"]) == {"p"}


def test_diff_in_an_expression_is_evaluated_both_ways():
    assert _statuses('''
title = "diff"
params = ["w"]
start = "diff(exp(w**2), w)"
[symbols]
w = "real"
[[steps]]
expr = "2*w*exp(w**2)"
''') == [Status.PROVED]


def test_a_wrong_root_is_refuted():
    assert _statuses('''
title = "a wrong root"
params = ["p"]
start = "k/p - (n - k)/(1 - p)"
assume = ["k < n"]
[symbols]
p = "(0, 1)"
n = "positive integer"
k = "positive integer"
[[steps]]
relation = "solve"
wrt = "p"
expr = "k/(n + 1)"
''') == [Status.REFUTED]


def test_a_root_of_a_quadratic_score_is_unique_by_descartes():
    """sigma^2 = S/N is the only positive root of -N sigma^2 + S (one sign change); the
    negative root of the same quadratic is outside sigma's domain, so it is refuted."""
    checked = check(files.load(EXAMPLES / "normal-sd-known-mean.toml"))
    assert "Descartes' rule of signs" in checked.steps[1].detail
    negative = (EXAMPLES / "normal-sd-known-mean.toml").read_text().replace(
        'expr = "sqrt(', 'expr = "-sqrt('
    )
    assert _statuses(negative)[1] is Status.REFUTED


def test_descartes_counts_a_coefficient_of_unknown_sign_both_ways():
    """v^2 - c v - 1 with c real: signs (+, ?, -) change once whatever c is, so one positive
    root; v^2 - c v + 1 may have two positive roots (c = 3), so uniqueness is not claimed."""
    from sympy import Symbol, sqrt

    from symbolic.kernel.assumptions import Assumptions
    from symbolic.kernel.calculus import unique_root

    v, c = Symbol("v", positive=True), Symbol("c", real=True)
    root = (c + sqrt(c**2 + 4)) / 2
    assert unique_root(v**2 - c * v - 1, v, root, [Assumptions()])[0]
    ok, why = unique_root(v**2 - c * v + 1, v, (c + sqrt(c**2 - 4)) / 2, [Assumptions()])
    assert not ok and "may have 2 positive roots" in why
    # On the whole real line v^2 - 1 has two roots, though its coefficients change sign once.
    w = Symbol("w", real=True)
    assert not unique_root(w**2 - 1, w, 1, [Assumptions()])[0]


def test_a_factor_that_depends_on_the_parameter_is_not_proportional():
    assert _statuses('''
title = "not proportional"
params = ["w"]
start = "exp(-w**2)"
[symbols]
w = "real"
[[steps]]
relation = "propto"
expr = "exp(-w**2 + w)"
''') == [Status.REFUTED]


@pytest.mark.parametrize(
    "name",
    [
        "gaussian-linear-regression",
        "logistic-gradient",
        "bernoulli-score-solved",
        "bernoulli-second-order",
        "normal-sd-known-mean",
        "normal-hessian",
    ],
)
def test_calculus_examples_are_proved(name):
    checked = check(files.load(EXAMPLES / f"{name}.toml"))
    assert [s.status for s in checked.steps] == [Status.PROVED] * len(checked.steps)


def test_the_students_wrong_derivative_is_refuted():
    checked = check(files.load(EXAMPLES / "student-wrong-derivative.toml"))
    assert checked.steps[0].status is Status.REFUTED
    assert "part at -(-k + n)/(1 - p) against (-k + n)/(1 - p)" in checked.steps[0].detail


def test_abbreviations_print_by_name_and_unfold_for_the_kernel():
    checked = check(files.load(EXAMPLES / "logistic-sigma-chains.toml"))
    assert [c.derivation.title for c in checked.chains()] == [
        "Logistic regression, written with sigma: the gradient",
        "the derivative of sigma",
    ]
    assert [s.status for s in checked.all_steps()] == [Status.PROVED, Status.PROVED]
    assert "sigma(w*x[i])" in str(checked.steps[0].rhs)


def test_a_wrong_derivative_of_an_abbreviation_is_refuted():
    assert _statuses('''
title = "sigma' is not sigma"
params = ["w"]
start = "sigma(w)"
[define]
"sigma(z)" = "1/(1 + exp(-z))"
[symbols]
w = "real"
[[steps]]
relation = "differentiate"
wrt = "w"
expr = "sigma(w)"
''') == [Status.REFUTED]


def test_an_error_in_a_second_chain_names_the_chain():
    with pytest.raises(files.FileError, match="chain 2: step 1, column 1: unknown name 'foo'"):
        files.load(Path(__file__).parent / "hostile" / "chain-bad-step.toml")


def test_the_softmax_gradient_with_symbolic_k_is_proved():
    checked = check(files.load(EXAMPLES / "softmax-cross-entropy.toml"))
    assert [s.status for s in checked.all_steps()] == [Status.PROVED, Status.PROVED]


def test_a_wrong_softmax_gradient_is_refuted():
    text = (EXAMPLES / "softmax-cross-entropy.toml").read_text(encoding="utf-8")
    wrong = text.replace('expr = "exp(a[m])/Sum(exp(a[j]), (j, 1, K)) - t[m]"',
                         'expr = "t[m] - exp(a[m])/Sum(exp(a[j]), (j, 1, K))"')
    assert wrong != text
    assert _statuses(wrong)[-1] is Status.REFUTED


TWO_INDICES = '''
title = "two indices"
start = "Sum(t[i, k]*a[k], (k, 1, K), (i, 1, N))"
[symbols]
K = "positive integer"
k = "positive integer"
[vectors]
a = "real[K]"
[data]
t = "onehot[K]"
[[steps]]
expr = "{rhs}"
'''


def test_a_table_of_one_hot_rows_is_sampled_and_read_by_two_indices():
    good = TWO_INDICES
    assert _statuses(good.format(rhs="Sum(a[k]*Sum(t[i, k], (i, 1, N)), (k, 1, K))")) in (
        [Status.PROVED],
        [Status.NUMERIC],
    )
    assert _statuses(good.format(rhs="Sum(a[k]*Sum(t[k, i], (i, 1, N)), (k, 1, K))")) == [
        Status.REFUTED
    ]


def test_renaming_a_bound_index_does_not_capture_an_inner_one():
    # Renaming k to i in the outer sum would capture the inner i and make the two sides alike.
    from sympy import IndexedBase, Sum, Symbol

    from symbolic.kernel import normalize
    from symbolic.kernel.measures import N, i

    a, t = IndexedBase("a"), IndexedBase("t")
    k, j = Symbol("k", integer=True, positive=True), Symbol("j", integer=True, positive=True)
    K = Symbol("K", integer=True, positive=True)
    left = Sum(a[k] * Sum(t[k, i], (i, 1, N)), (k, 1, K))
    right = Sum(a[j] * Sum(t[j, j], (j, 1, N)), (j, 1, K))
    assert normalize(left) != normalize(right)


@pytest.mark.parametrize(
    "name", ["gaussian-regression-model", "logistic-model", "poisson-unconditional"]
)
def test_bound_model_examples_are_proved(name):
    checked = check(files.load(EXAMPLES / f"{name}.toml"))
    assert [s.status for s in checked.steps] == [Status.PROVED] * len(checked.steps)


def test_a_bound_model_is_what_the_likelihood_means():
    # With p_model bound to N(y; w x, 1), the log-likelihood is not that of N(y; w x, 2).
    assert _statuses('''
title = "the wrong variance"
params = ["w"]
start = "LogLikelihood()"
[symbols]
w = "real"
[data]
y = "real"
[model]
p_model = "Normal(y, w*x, 1)"
[[steps]]
expr = "Sum(log(Normal(y[i], w*x[i], 2)), (i, 1, N))"
''') == [Status.REFUTED]


def test_an_unconditional_model_prints_its_one_argument():
    d = files.load(EXAMPLES / "poisson-unconditional.toml")
    assert str(d.steps[0].rhs) == "-Sum(log(p_model(x[i])), (i, 1, N))"


def test_steps_print_as_written_while_the_kernel_checks_their_meaning():
    from symbolic.outputs.render import to_markdown, to_text

    checked = _check('''
title = "as written"
start = "N - N + 1/2*log(N)"
[[steps]]
expr = "log(N)/2"
''')
    assert checked.steps[0].status is Status.PROVED
    shown = to_text(checked)
    assert "N - N + 1/2*log(N)" in shown  # not sympy's log(N)/2
    assert r"N - N" in to_markdown(checked)


def test_the_first_turn_to_argmin_shows_argmax_on_its_left():
    from symbolic.outputs.render import to_text

    shown = to_text(check(files.load(EXAMPLES / "seed-cross-entropy.toml")))
    first = next(line for line in shown.splitlines() if "(1)" in line)
    assert "argmax" in first and "argmin" in first


def test_expectations_and_divergences_between_laws_are_proved():
    checked = check(files.load(EXAMPLES / "laws-bernoulli-poisson.toml"))
    assert [s.status for s in checked.all_steps()] == [Status.PROVED] * 3


NORMALS = '''
title = "KL between two normals"
start = "KL(Normal(mu1, s1), Normal(mu2, s2))"
[symbols]
mu1 = "real"
mu2 = "real"
s1 = "positive"
s2 = "positive"
[[steps]]
expr = "{rhs}"
'''


def test_kl_between_normals_agrees_with_the_closed_form_and_refutes_a_wrong_one():
    from symbolic.kernel import Config

    true = "log(s2/s1)/2 - 1/2 + (s1 + (mu1 - mu2)**2)/(2*s2)"
    fast = Config(budget=5.0, instances=2)
    right = check(files.load_text(NORMALS.format(rhs=true), "n.toml"), fast).steps[0]
    assert right.status in (Status.PROVED, Status.NUMERIC)
    wrong = true.replace(" - 1/2", "")
    refuted = check(files.load_text(NORMALS.format(rhs=wrong), "n.toml"), fast).steps[0]
    assert refuted.status is Status.REFUTED
    cex = refuted.counterexample
    assert abs(float(cex["rhs"]) - float(cex["lhs"]) - 0.5) < 1e-12


def test_the_same_vocabulary_works_from_the_api():
    from sympy import IndexedBase, Sum, Symbol, log

    from symbolic import Derivation, Relation, Step
    from symbolic.kernel.measures import N, i, x

    p = Symbol("p", real=True)
    ones = Sum(x[i], (i, 1, N))
    loglik = Sum(x[i] * log(p) + (1 - x[i]) * log(1 - p), (i, 1, N))
    score = ones / p - (N - ones) / (1 - p)
    d = Derivation(
        "api",
        "Bernoulli score from Python",
        loglik,
        (
            Step(Relation.DIFF, score, "score", wrt=p),
            Step(Relation.SOLVE, ones / N, "score = 0", wrt=p),
        ),
        params=(p,),
        sense=Relation.ARGMAX,
        intervals={p: (0.0, 1.0)},
        data=files._pairs("binary", None),
        domains={x: IndexedBase("x", integer=True, nonnegative=True)},
        hypotheses=(ones > 0, ones < N),
    )
    assert [s.status for s in check(d).steps] == [Status.PROVED, Status.PROVED]


def test_mixed_partials_are_checked_both_ways():
    text = '''
title = "mixed partials"
start = "diff(exp(a*b**2), a, b)"
[symbols]
a = "real"
b = "real"
[[steps]]
expr = "2*b*exp(a*b**2) + 2*a*b**3*exp(a*b**2)"
[[steps]]
expr = "2*b*exp(a*b**2)"
'''
    assert _statuses(text) == [Status.PROVED, Status.REFUTED]


_KL_FROM_DATA = '''
title = "KL from the data to the model"
params = ["w"]
start = "KL(p_data, p_model)"
[symbols]
w = "real"
[data]
y = "{data}"
[model]
p_model = "{model}"
{measure}
[[steps]]
expr = "NLL()/N + constant(Sum(log(p_data(y[i], x[i])), (i, 1, N))/N)"
'''


def _kl_file(model: str, data: str = "binary", measure: str = "") -> str:
    return _KL_FROM_DATA.format(model=model, data=data, measure=measure)


def test_kl_from_the_data_to_a_density_is_infinite_not_the_seed_decomposition():
    checked = _check(_kl_file("Normal(y, w*x, 1)", "real"))
    (step,) = checked.steps
    assert step.status is Status.REFUTED
    assert "is +∞" in step.detail and "Lebesgue" in step.detail
    assert step.counterexample["lhs"] == "+inf"


def test_kl_from_the_data_to_a_mass_is_the_seed_decomposition():
    assert _statuses(_kl_file("Bernoulli(y, 1/(1 + exp(-w*x)))")) == [Status.PROVED]
    written = "exp(w*x*y)/(1 + exp(w*x))"
    assert _statuses(_kl_file(written, measure='measure = "counting"')) == [Status.PROVED]
    assert _statuses(_kl_file(written, measure='measure = "Lebesgue"')) == [Status.REFUTED]


@pytest.mark.parametrize(
    "model, measure, message",
    [
        ("exp(w*x*y)/(1 + exp(w*x))", "", 'measure = "counting"'),
        ("Normal(y, w*x, 1)", 'measure = "counting"', "Lebesgue measure, not counting"),
        ("Normal(y, w*x, 1)", 'measure = "lebesgue"', 'not \'lebesgue\''),
    ],
)
def test_a_bound_model_states_its_reference_measure(model, measure, message):
    with pytest.raises(files.FileError, match=message):
        files.load_text(_kl_file(model, "real", measure), "test.toml")


def test_kl_between_laws_on_different_supports_is_infinite():
    text = '''
title = "laws"
start = "KL(Poisson(lam), Exponential(lam))"
[symbols]
lam = "positive"
[[steps]]
expr = "oo"
'''
    assert _statuses(text) == [Status.PROVED]
    wider = text.replace("KL(Poisson(lam), Exponential(lam))", "KL(Poisson(lam), Bernoulli(1/2))")
    assert _statuses(wider) == [Status.PROVED]
