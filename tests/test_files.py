"""Derivation files: the examples check as expected; hostile files fail cleanly with exit 2."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from symbolic.cli import main
from symbolic.kernel import checker as kernel
from symbolic.readers import files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "derivations" / "examples"
HOSTILE = Path(__file__).parent / "hostile"
SENTINEL = Path("/tmp/symbolic-pwned")
# Files that cannot carry their expectation in a comment.
EXPECT = {
    "empty.toml": "the file is empty",
    "binary.toml": "a binary file",
    "not-utf8.toml": "not UTF-8",
}


def _expected(path: Path) -> str:
    if path.name in EXPECT:
        return EXPECT[path.name]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


HOSTILE_FILES = sorted(HOSTILE.glob("*.toml"))


def test_the_corpus_is_large_enough():
    assert len(HOSTILE_FILES) >= 40


@pytest.mark.parametrize("path", HOSTILE_FILES, ids=lambda p: p.stem)
def test_hostile_file_is_refused_cleanly(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)

    def never(*args, **kwargs):
        raise AssertionError("the kernel ran on a file that should have been refused")

    monkeypatch.setattr("symbolic.cli.check", never)
    before = sorted(os.listdir(tmp_path))
    code = main(["check", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert _expected(path) in err, err
    assert str(path) in err  # the error says which file
    assert sorted(os.listdir(tmp_path)) == before
    assert not SENTINEL.exists()


def test_errors_name_the_step_and_column(capsys):
    main(["check", str(HOSTILE / "unknown-name.toml")])
    err = capsys.readouterr().err
    assert "step 1" in err and "column" in err


def test_oversized_file_is_refused(tmp_path, capsys):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (files.MAX_FILE_BYTES + 10) + "\n", encoding="utf-8")
    assert main(["check", str(big)]) == 2
    assert "at most" in capsys.readouterr().err


def test_missing_file(capsys):
    assert main(["check", "no/such/file.toml"]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["seed-cross-entropy", "seed-kl-vs-mle", "mle-bernoulli"])
def test_examples_are_proved(name, capsys):
    code = main(["check", str(EXAMPLES / f"{name}.toml"), "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 0, obj
    assert {s["status"] for s in obj["steps"]} == {"proved"}


def test_the_student_mistake_is_caught(capsys):
    code = main(["check", str(EXAMPLES / "student-mistake.toml"), "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 1
    statuses = [s["status"] for s in obj["steps"]]
    assert statuses[:2] == ["proved", "proved"] and statuses[2] == "refuted"
    cex = obj["steps"][2]["counterexample"]
    assert cex["lhs"] != cex["rhs"] and "N" in cex["point"]


def test_a_file_derivation_is_the_same_as_the_catalog_one():
    from symbolic import get

    by_hand = files.load(EXAMPLES / "seed-cross-entropy.toml")
    catalog = get("cross-entropy-cost")
    assert [s.rhs for s in by_hand.steps] == [s.rhs for s in catalog.steps]
    assert kernel.check(by_hand).status.value == "proved"


def test_a_huge_sum_is_bounded_work(tmp_path, capsys):
    path = tmp_path / "huge.toml"
    path.write_text(
        'title = "t"\nstart = "Sum(1, (i, 1, 10**900))"\n'
        '[[steps]]\nrelation = "="\nexpr = "10**900"\nrule = "count"\n',
        encoding="utf-8",
    )
    assert main(["check", str(path), "--json"]) == 0
    step = json.loads(capsys.readouterr().out)["steps"][0]
    assert step["status"] == "proved" and re.search(r"more than \d+ terms", step["detail"])


# The students' files are refuted at their wrong step; every other example is proved.
REFUTED_AT = {"student-mistake": 3, "student-wrong-derivative": 1}


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_is_proved_or_refuted_where_it_is_wrong(path):
    checked = kernel.check(files.load(path))
    steps = checked.all_steps()
    wrong = REFUTED_AT.get(path.stem)
    if wrong is None:
        assert [s.status.value for s in steps] == ["proved"] * len(steps)
    else:
        assert steps[wrong - 1].status.value == "refuted"
        assert all(s.status.value == "proved" for s in steps[: wrong - 1])
