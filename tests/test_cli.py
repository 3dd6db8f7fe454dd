"""The command line: list, check, render; JSON contract and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from symbolic.cli import main

SNAPSHOTS = Path(__file__).parent / "snapshots"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(capsys):
    code, out, _ = run(capsys, "list", "--json")
    ids = [e["id"] for e in json.loads(out)]
    assert code == 0 and "cross-entropy-cost" in ids and "kl-vs-mle" in ids


@pytest.mark.parametrize("derivation_id", ["cross-entropy-cost", "kl-vs-mle"])
def test_check_json_contract(capsys, derivation_id):
    code, out, _ = run(capsys, "check", derivation_id, "--json")
    obj = json.loads(out)
    assert code == 0
    assert set(obj) == {"id", "title", "status", "steps", "parts"}
    assert obj["id"] == derivation_id and obj["status"] == "proved"
    for k, step in enumerate(obj["steps"], start=1):
        assert set(step) == {
            "index",
            "relation",
            "rule",
            "status",
            "lhs",
            "rhs",
            "detail",
            "counterexample",
            "obligations",
        }
        assert step["index"] == k and step["status"] == "proved"
        assert step["obligations"] == []
        assert step["relation"] in ("=", "argmin", "argmax")


def test_check_several_prints_an_array(capsys):
    code, out, _ = run(capsys, "check", "cross-entropy-cost", "kl-vs-mle", "--json", "--dps", "30")
    assert code == 0 and [o["id"] for o in json.loads(out)] == ["cross-entropy-cost", "kl-vs-mle"]


def test_check_text_marks_verdicts(capsys):
    code, out, _ = run(capsys, "check", "kl-vs-mle")
    assert code == 0 and "✔" in out and "6 of 6 steps proved symbolically" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "no-such-derivation"], "unknown derivation id 'no-such-derivation'"),
        (["check"], "give at least one derivation id"),
        (["check", "kl-vs-mle", "--dps", "5"], "--dps 5 is too low"),
        (["render", "nope"], "unknown derivation id"),
    ],
)
def test_bad_usage_exits_2(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_argparse_errors_exit_2():
    with pytest.raises(SystemExit) as exc:
        main(["check", "--dps", "many"])
    assert exc.value.code == 2


@pytest.mark.parametrize("derivation_id", ["cross-entropy-cost", "kl-vs-mle"])
def test_latex_matches_the_reviewed_snapshot(capsys, tmp_path, derivation_id):
    target = tmp_path / "out.tex"
    code, _, _ = run(capsys, "render", derivation_id, "--format", "latex", "-o", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8") == (SNAPSHOTS / f"{derivation_id}.tex").read_text(
        encoding="utf-8"
    )


def test_markdown(capsys):
    code, out, _ = run(capsys, "render", "cross-entropy-cost", "--format", "markdown")
    assert code == 0 and out.startswith("# ") and "6. " in out and r"\begin{aligned}" in out


def test_python_dash_m_runs_the_same_command():
    proc = subprocess.run(
        [sys.executable, "-m", "symbolic", "list"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and "kl-vs-mle" in proc.stdout
