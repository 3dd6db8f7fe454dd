"""`symbolic mle`: the JSON contract, values at data for every family, and bad input."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest
import sympy

from symbolic.cli import main
from symbolic.families import FAMILIES
from symbolic.generators.optimize import numeric_mle

KEYS = {"family", "parameters", "status", "estimators", "stationary_equations", "second_order",
        "checks"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, header: str, rows: list[tuple[str, ...]]) -> str:
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    return str(path)


def test_json_contract_for_normal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "mle", "normal", "--json")
    obj = json.loads(out)
    assert code == 0
    assert KEYS <= set(obj)
    assert obj["family"] == "normal" and obj["status"] == "closed_form"
    assert obj["estimators"]["mu"] == "Sum(x[i], (i, 1, N))/N"
    assert set(obj["stationary_equations"]) == {"mu", "sigma2"}
    assert obj["checks"]["derivation"]["status"] == "proved"
    assert obj["checks"]["stationary"]["status"] == "proved"
    assert obj["second_order"]["status"] == "proved"
    assert "values" not in obj


def test_known_values_are_substituted(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "mle", "binomial", "--json", "--known", "n=10")
    assert code == 0
    assert json.loads(out)["estimators"]["p"] == "Sum(x[i], (i, 1, N))/(10*N)"


@pytest.mark.parametrize(
    ("name", "status"),
    [("gamma", "no_closed_form"), ("uniform", "boundary"), ("laplace", "non_smooth"),
     ("categorical", "closed_form")],
)
def test_statuses_on_the_command_line(
    capsys: pytest.CaptureFixture[str], name: str, status: str
) -> None:
    code, out, _ = run(capsys, "mle", name, "--json")
    obj = json.loads(out)
    assert code == 0 and obj["status"] == status
    if status == "no_closed_form":
        assert obj["estimators"] == {} and "transcendental" in obj["reason"]


def script(*argv: str) -> tuple[int, dict, str]:
    """Run the command as a script would: a separate process, its stdout read by json.loads."""
    proc = subprocess.run([sys.executable, "-m", "symbolic", *argv], capture_output=True,
                          text=True, timeout=600, check=False)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}, proc.stderr


def _rows(name: str) -> list[tuple[str, ...]]:
    fam = FAMILIES[name]
    points = fam.sample(random.Random(9), 9)
    points[-1] = points[0]
    if name in ("poisson", "binomial", "bernoulli"):
        # Counts of 0 are data like any other.
        points[1] = points[2] = (mpmath.mpf(0), mpmath.mpf(0))
    if name == "categorical":
        # Label 2 is never seen: its count is 0, and only seen labels get a value.
        points = [(mpmath.mpf(1 if a == 2 else a), b) for a, b in points]
    if name == "logistic-regression":
        points = [(-1.5, 0), (-0.5, 1), (0.2, 0), (0.7, 1), (1.1, 1), (-0.9, 0), (0.7, 1)]
    if name == "cauchy":
        points = [(-2.5, 0), (-0.4, 0), (0.1, 0), (0.1, 0), (0.9, 0), (1.7, 0), (3.2, 0)]
    text = [(mpmath.nstr(mpmath.mpf(a), 12), mpmath.nstr(mpmath.mpf(b), 12)) for a, b in points]
    return text if fam.regression or name == "multivariate-normal" else [(a,) for a, _ in text]


KNOWN = {
    "binomial": ["n=3"],
    "normal-known-variance": ["sigma2=2"],
    "normal-known-mean": ["mu=0.5"],
    "gamma-known-shape": ["alpha=2.5"],
    "weibull-known-shape": ["k=1.5"],
    "pareto-known-scale": ["x_m=1/4"],
    "laplace-known-location": ["mu=-0.25"],
}


@pytest.mark.parametrize("name", list(FAMILIES))
def test_values_at_data_match_an_independent_maximization(tmp_path: Path, name: str) -> None:
    fam = FAMILIES[name]
    rows = _rows(name)
    header = "x,y" if len(rows[0]) == 2 else "x"
    path = write_csv(tmp_path / "data.csv", header, rows)
    known = [a for k in KNOWN.get(name, []) for a in ("--known", k)]
    code, obj, err = script("mle", name, "--json", "--data", path, "--dps", "40", *known)
    assert code == 0, err
    # The contract: "values" maps each estimated parameter (each seen label) to a string.
    values = obj["values"]
    assert all(isinstance(v, str) for v in values.values())
    if name == "categorical":
        assert sorted(values) == ["pi[1]", "pi[3]"]
    elif name != "multivariate-normal":
        assert list(values) == [str(p) for p in fam.params]
    known_values = {}
    for item in KNOWN.get(name, []):
        key, text = item.split("=")
        sym = next(s for s in fam.known if str(s) == key)
        known_values[sym] = sympy.Rational(text)
    with mpmath.workdps(60):
        data = [(mpmath.mpf(r[0]), mpmath.mpf(r[1]) if len(r) > 1 else 0) for r in rows]
        found = numeric_mle(fam, data, known_values, dps=45).values
        if name == "multivariate-normal":
            found = {"mu[1]": found["mu1"], "mu[2]": found["mu2"], "Sigma[1,1]": found["s11"],
                     "Sigma[1,2]": found["s12"], "Sigma[2,1]": found["s12"],
                     "Sigma[2,2]": found["s22"]}
        assert set(values) == set(found)
        for key, text in values.items():
            assert len(text.replace("-", "").replace(".", "").lstrip("0")) >= 35
            assert abs(mpmath.mpf(text) - found[key]) <= mpmath.mpf(10) ** -30 * abs(found[key])


def test_separable_logistic_data_has_no_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "d.csv", "x,y", [("-1", "0"), ("0.5", "1"), ("2", "1")])
    code, out, _ = run(capsys, "mle", "logistic-regression", "--json", "--data", path)
    obj = json.loads(out)
    assert code == 0 and obj["values"] == {"w": None, "b": None}
    assert "separable" in obj["values_note"]


@pytest.mark.parametrize(("name", "rows"), [("poisson", ["0", "0", "0"]), ("binomial", ["0"])])
def test_all_zero_counts_are_data(tmp_path: Path, name: str, rows: list[str]) -> None:
    # x = 0 in every row: the MLE is on the edge of the parameter space, and the data are valid.
    path = write_csv(tmp_path / "zeros.csv", "x", [(r,) for r in rows])
    known = ["--known", "n=4"] if name == "binomial" else []
    code, obj, err = script("mle", name, "--json", "--data", path, *known)
    assert code != 2, err
    # The closed form gives 0, outside the open parameter domain: no maximizer, said so.
    assert obj["values"] == {str(FAMILIES[name].params[0]): None}
    assert "outside (0, " in obj["values_note"] and "no maximizer" in obj["values_note"]


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "mle", "exponential")
    assert code == 0 and out.startswith("exponential: closed_form")
    assert "λ̂ = N/Σ_{i=1..N} x_i" in out  # formulas in Unicode, as every terminal output


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mle", "binomial", "--known", "n=abc"], "--known n: 'abc' is not a number"),
        (["mle", "binomial", "--known", "n=2.5"], "n must be in {1, 2, ...}: the positive int"),
        (["mle", "binomial", "--known", "p=0.5"], "no known parameter 'p'"),
        (["mle", "binomial", "--known", "n"], "expected NAME=VALUE"),
        (["mle", "normal-known-mean", "--known", "mu=__import__('os')"], "is not a number"),
        (["mle", "normal-known-variance", "--known", "sigma2=-1"],
         "sigma2 must be in (0, oo): the positive real numbers"),
        (["mle", "no-such-family"], "unknown family"),
        (["mle", "normal", "--dps", "5"], "too low"),
    ],
)
def test_bad_known_values_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err


@pytest.mark.parametrize(
    ("name", "header", "rows", "message"),
    [
        ("poisson", "x", [("1",), ("2..5",)], "data.csv:3: column 'x': '2..5' is not a number"),
        ("poisson", "x", [("1",), ("nan",)], "data.csv:3: column 'x'"),
        ("poisson", "value", [("1",)], "lacks the column(s) x"),
        ("linear-regression", "x,y", [("1", "2"), ("3",)], "data.csv:3: no value in column 'y'"),
        ("bernoulli", "x", [("1",), ("2",)], "data row 2 (line 3): x = 2 is not in {0, 1}: 0 or 1"),
        ("exponential", "x", [("1",), ("-2",)], "x = -2 is not in (0, oo): the positive real"),
        ("exponential", "x", [("0",)], "data row 1 (line 2): x = 0 is not in (0, oo)"),
        ("binomial", "x", [("1",), ("4",)], "x = 4 is not in {0, ..., n} with n = 3"),
        ("poisson", "x", [("1.5",)], "x = 3/2 is not in {0, 1, 2, ...}: the non-negative int"),
        ("poisson", "x", [("-1",)], "x = -1 is not in {0, 1, 2, ...}"),
        ("geometric", "x", [("0",)], "x = 0 is not in {1, 2, ...}: the positive integers"),
        ("categorical", "x", [("0",)], "x = 0 is not in labels {1, ..., K}"),
        ("beta", "x", [("1",)], "x = 1 is not in (0, 1)"),
        ("pareto-known-scale", "x", [("0.2",)], "x = 1/5 is not in [x_m, oo) with x_m = 1/4"),
        ("logistic-regression", "x,y", [("1", "2")], "y = 2 is not in {0, 1}: 0 or 1"),
    ],
)
def test_bad_csv_exits_2_naming_the_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, header: str,
    rows: list[tuple[str, ...]], message: str,
) -> None:
    path = write_csv(tmp_path / "data.csv", header, rows)
    known = {"binomial": ["--known", "n=3"], "pareto-known-scale": ["--known", "x_m=1/4"]}
    code, out, err = run(capsys, "mle", name, "--data", path, *known.get(name, []))
    assert code == 2 and out == ""
    assert message in err


def test_missing_known_value_with_data_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "d.csv", "x", [("1",), ("2",)])
    code, _, err = run(capsys, "mle", "binomial", "--data", path)
    assert code == 2 and "--known n=VALUE" in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "mle", "poisson", "--data", str(tmp_path / "none.csv"))
    assert code == 2 and "none.csv" in err
