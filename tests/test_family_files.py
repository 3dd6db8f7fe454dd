"""Families of your own, from files and from the API: the three worked files of
docs/families.md against textbook results computed another way, and bad files exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest
from sympy import exp, pi, sqrt

from symbolic import POSITIVE, Family, divergence, load_family, parameter, solve_family
from symbolic.readers.family_files import FamilyFileError, load_family_text

EXAMPLES = Path(__file__).resolve().parent.parent / "derivations" / "examples" / "families"


def script(*argv: str) -> tuple[int, dict, str]:
    """Run the command as a script would, reading its stdout with json.loads."""
    proc = subprocess.run([sys.executable, "-m", "symbolic", *argv], capture_output=True,
                          text=True, timeout=900, check=False)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}, proc.stderr


def csv(tmp_path: Path, values: list[str]) -> str:
    path = tmp_path / "data.csv"
    path.write_text("x\n" + "\n".join(values) + "\n")
    return str(path)


def test_maxwell_boltzmann_from_its_file(tmp_path: Path) -> None:
    data = ["0.7", "1.3", "2.1", "1.3", "0.4"]
    code, out, err = script("mle", str(EXAMPLES / "maxwell-boltzmann.toml"), "--json",
                            "--data", csv(tmp_path, data), "--dps", "30")
    assert code == 0, err
    assert out["status"] == "closed_form"
    # Σ x_i² = 3N â² with â put in is one expression: no check X = X is offered.
    assert out["checks"]["stationary"] is None
    assert out["second_order"]["status"] == "proved"
    # Textbook: E[x^2] = 3 a^2, so a = sqrt(mean(x^2) / 3).
    with mpmath.workdps(40):
        expected = mpmath.sqrt(mpmath.fsum(mpmath.mpf(v) ** 2 for v in data) / len(data) / 3)
        assert abs(mpmath.mpf(out["values"]["a"]) - expected) < mpmath.mpf(10) ** -25


def test_zero_truncated_poisson_is_closed_through_lambert_w(tmp_path: Path) -> None:
    data = ["1", "2", "2", "3", "1", "5"]
    code, out, err = script("mle", str(EXAMPLES / "zero-truncated-poisson.toml"), "--json",
                            "--data", csv(tmp_path, data), "--dps", "30")
    assert code in (0, 3), err
    assert out["status"] == "closed_form" and "LambertW" in out["estimators"]["lam"]
    assert out["checks"]["numeric_optimum"]["status"] == "numeric"
    # The score equation mean = lam / (1 - exp(-lam)), solved by mpmath's root finder.
    with mpmath.workdps(40):
        mean = mpmath.mpf(sum(int(v) for v in data)) / len(data)
        root = mpmath.findroot(lambda t: t / (1 - mpmath.exp(-t)) - mean, 1)
        assert abs(mpmath.mpf(out["values"]["lam"]) - root) < mpmath.mpf(10) ** -25


def test_zero_truncated_poisson_all_ones_has_no_maximizer(tmp_path: Path) -> None:
    # Every count 1: the likelihood lam e^-lam / (1 - e^-lam) increases as lam -> 0.
    code, out, err = script("mle", str(EXAMPLES / "zero-truncated-poisson.toml"), "--json",
                            "--data", csv(tmp_path, ["1", "1", "1"]))
    assert code != 2, err
    assert out["values"] == {"lam": None} and "no maximizer" in out["values_note"]


def test_zero_truncated_poisson_rejects_a_zero(tmp_path: Path) -> None:
    code, _, err = script("mle", str(EXAMPLES / "zero-truncated-poisson.toml"),
                          "--data", csv(tmp_path, ["1", "0"]))
    assert code == 2 and "x = 0 is not in {1, 2, ...}: the positive integers" in err


@pytest.mark.costly
def test_von_mises_location_is_atan2_of_the_mean_sine_and_cosine(tmp_path: Path) -> None:
    data = ["0.3", "-2.9", "2.5", "0.3", "1.1", "-0.4"]
    code, out, err = script("mle", str(EXAMPLES / "von-mises-location.toml"), "--json",
                            "--known", "kappa=2", "--data", csv(tmp_path, data), "--dps", "30")
    assert code in (0, 3), err
    assert out["status"] == "closed_form" and "atan" in out["estimators"]["mu"]
    assert out["parameters"] == {"estimated": ["mu"], "known": ["kappa"]}
    with mpmath.workdps(40):
        s = mpmath.fsum(mpmath.sin(mpmath.mpf(v)) for v in data)
        c = mpmath.fsum(mpmath.cos(mpmath.mpf(v)) for v in data)
        assert abs(mpmath.mpf(out["values"]["mu"]) - mpmath.atan2(s, c)) < mpmath.mpf(10) ** -25


def _mb_api() -> Family:
    a = parameter("a", POSITIVE)
    x = POSITIVE.symbol("x")
    return Family("maxwell-boltzmann", (a,), x, POSITIVE,
                  sqrt(2 / pi) * x**2 * exp(-(x**2) / (2 * a.symbol**2)) / a.symbol**3)


def test_the_api_and_the_file_define_the_same_family() -> None:
    api, file = _mb_api(), load_family(EXAMPLES / "maxwell-boltzmann.toml")
    assert api.logp == file.logp and api.discrete is False
    assert solve_family(api).estimators == solve_family(file).estimators


def test_maxwell_boltzmann_kl_matches_the_textbook_form() -> None:
    r = divergence(_mb_api())
    a1, a2 = r.p[0], r.q[0]
    # D_KL = 3 log(a2/a1) + (3/2)(a1^2/a2^2 - 1), written independently of the routes.
    textbook = 3 * (mpmath.log(1.7) - mpmath.log(0.6)) + mpmath.mpf(3) / 2 * (0.36 / 2.89 - 1)
    assert abs(float(r.kl.subs({a1: 0.6, a2: 1.7})) - float(textbook)) < 1e-12


@pytest.mark.parametrize("name", ["maxwell-boltzmann", "zero-truncated-poisson"])
def test_kl_of_a_file_is_checked_by_the_kernel(name: str) -> None:
    code, out, err = script("kl", str(EXAMPLES / f"{name}.toml"), "--json")
    assert code == 0, err
    assert out["family"] == name
    checks = out["checks"]
    assert checks["kl_self_zero"]["status"] == checks["decomposition"]["status"] == "proved"
    # Proved when the machine is idle (about 10 s); the defining integrals run under the
    # kernel's wall-clock budget, and on a loaded machine one may end numeric, never worse.
    assert {c["status"] for c in checks.values()} <= {"proved", "numeric"}


GOOD = """
name = "mb"
support = "(0, oo)"
density = "sqrt(2/pi) * x**2 * exp(-x**2/(2*a**2)) / a**3"
[parameters]
a = "(0, oo)"
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("sqrt(2/pi) * x**2", "x**2", "does not integrate to 1 on its support (0, oo)"),
        ("sqrt(2/pi) * x**2", "sqrt(2/pi) * x**2 * b", "unknown name 'b'"),
        ('a = "(0, oo)"', 'a = "positive reals"', "unknown domain 'positive reals'"),
        ('support = "(0, oo)"', 'support = "[0 oo)"', "unknown domain '[0 oo)'"),
        ("sqrt(2/pi)", "__import__('os')", "density"),
        ("sqrt(2/pi)", "x.__class__", "density"),
        ('name = "mb"', 'name = "mb"\nknown = ["c"]', "known: 'c' is not a declared parameter"),
        ('support = "(0, oo)"', 'support = "{0, 1, 2, ...}"', "does not integrate to 1"),
    ],
)
def test_bad_files_are_refused_with_the_reason(old: str, new: str, message: str) -> None:
    with pytest.raises(FamilyFileError, match=None) as err:
        load_family_text(GOOD.replace(old, new), "bad.toml")
    assert str(err.value).startswith("bad.toml")
    assert message in str(err.value)


def test_a_bad_file_exits_2_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("sqrt(2/pi) * x**2", "x**2"))
    for cmd in ("mle", "kl"):
        code, out, err = script(cmd, str(path))
        assert code == 2 and out == {}
        assert "does not integrate to 1" in err and "checked numerically" in err
