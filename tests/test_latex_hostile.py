"""Hostile and malformed LaTeX: every document of tests/hostile_latex/ exits 2 with the file,
line, column and reason its ``expect:`` comment states, before the kernel runs or anything is
written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from symbolic.cli import main

HOSTILE = Path(__file__).parent / "hostile_latex"
CASES = sorted([*HOSTILE.glob("*.md"), *HOSTILE.glob("*.tex")])
SENTINEL = Path("/tmp/symbolic-pwned")


def _expected(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if "expect: " in line:
            text = line.split("expect: ", 1)[1]
            return text.removesuffix(" -->")
    raise AssertionError(f"{path} states no expectation")


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_hostile_latex_is_refused_cleanly(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the kernel ran on a document that should have been refused")

    monkeypatch.setattr("symbolic.readers.documents.check_step", never)
    before = sorted(os.listdir(tmp_path))
    code = main(["check", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    assert f"{path}:{_expected(path)}" in err, err
    assert sorted(os.listdir(tmp_path)) == before
    assert not SENTINEL.exists()
