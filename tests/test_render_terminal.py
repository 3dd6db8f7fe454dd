"""The terminal: colour only on a terminal without NO_COLOR, readable at 80 columns, θ not
theta, a verdict per entry as soon as it is checked, a summary table, long formulas elided."""

from __future__ import annotations

import io
import re

from rich.cells import cell_len
from rich.console import Console

from symbolic import cli
from symbolic.catalog import get
from symbolic.kernel import check
from symbolic.outputs import prose, terminal

ANSI = re.compile(r"\x1b\[")


def _shown(c, width=80, **kw):
    buf = io.StringIO()
    terminal.show(terminal.console(buf, width=width), c, **kw)
    return buf.getvalue()


def test_no_colour_when_not_a_terminal(checked_seed):
    assert not ANSI.search(_shown(checked_seed["kl-vs-mle"]))


def test_no_colour_with_no_color_even_on_a_terminal(checked_seed, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    buf = io.StringIO()
    out = terminal.console(buf, width=80)
    out._force_terminal = True
    terminal.show(out, checked_seed["kl-vs-mle"])
    assert not ANSI.search(buf.getvalue())


def test_colour_on_a_terminal(checked_seed, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    buf = io.StringIO()
    out = Console(file=buf, width=80, force_terminal=True, color_system="standard")
    terminal.show(out, checked_seed["kl-vs-mle"])
    assert ANSI.search(buf.getvalue())


def test_readable_at_80_columns_with_theta_as_theta(checked_seed):
    for c in checked_seed.values():
        text = _shown(c)
        lines = text.splitlines()
        assert max(cell_len(line) for line in lines) <= 80
        assert "theta" not in text and "θ" in text
        # The rules are indented under their formulas, not pushed to column 40.
        assert all(not line.startswith(" " * 20) for line in lines)
        # Lines break between words: every word of the rules is whole on some line.
        words = {w.strip(":;,.") for w in " ".join(lines).split()}
        for step in c.steps:
            rule = {w.strip(":;,.") for w in prose.to_unicode(step.rule).split()}
            assert rule <= words, step.rule


def test_long_formulas_are_elided_unless_full():
    c = check(get("mle/multivariate-normal"))
    short, full = _shown(c, width=200), _shown(c, width=200, full=True)
    assert "--full" in short and "--full" not in full
    assert max(map(cell_len, short.splitlines())) <= 200
    assert len(full) > len(short)


def test_check_all_reports_each_entry_as_soon_as_it_is_checked(monkeypatch, capsys):
    order: list[str] = []
    real = cli.check

    def checking(d, config=None):
        order.append(f"check {d.id}")
        return real(d, config)

    monkeypatch.setattr(cli, "ids", lambda: ["cross-entropy-cost", "kl-vs-mle"])
    monkeypatch.setattr(cli, "check", checking)
    real_progress = terminal.progress

    def progress(out, k, total, checked, seconds, lang="en"):
        order.append(f"done {checked.derivation.id}")
        real_progress(out, k, total, checked, seconds, lang)

    monkeypatch.setattr(terminal, "progress", progress)
    assert cli.main(["check", "--all"]) == 0
    out, err = capsys.readouterr()
    assert order == [
        "check cross-entropy-cost", "done cross-entropy-cost", "check kl-vs-mle", "done kl-vs-mle",
    ]
    assert re.search(r"\[1/2\] cross-entropy-cost ✔ proved  \d+\.\d s", err)
    # The summary table, with the totals, and not 800 lines of chains.
    assert "2 entries" in out and "12/12" in out and len(out.splitlines()) < 20
