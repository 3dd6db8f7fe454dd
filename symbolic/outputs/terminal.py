"""Checked derivations on a terminal, through ``rich``: colour where the output is a terminal
and ``NO_COLOR`` is not set, lines wrapped to the terminal's width at word boundaries with the
rules indented under their formulas, and long formulas elided unless ``full``.

>>> from io import StringIO
>>> from rich.cells import cell_len
>>> from symbolic.catalog import get
>>> from symbolic.kernel import check
>>> out = StringIO()
>>> show(console(out, width=80), check(get("cross-entropy-cost")))
>>> text = out.getvalue()
>>> "θ" in text and "theta" not in text and max(map(cell_len, text.splitlines())) <= 80
True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from symbolic.kernel import CheckedDerivation, CheckedStep, Status, worst
from symbolic.kernel.derivation import Derivation
from symbolic.outputs import prose
from symbolic.outputs.i18n import phrase, translate
from symbolic.outputs.render import (
    MARKS,
    _counterexample,
    _lines,
    _rel,
    _solver_line,
    _summary,
    _textbook_rows,
    _textbook_why,
    same_sides,
)

__all__ = ["console", "show", "progress", "summary_table", "elide", "STYLES", "LIMIT"]

STYLES = {
    Status.PROVED: "bold green",
    Status.WHERE_DEFINED: "bold yellow",
    Status.NUMERIC: "bold yellow",
    Status.REFUTED: "bold red",
    Status.UNKNOWN: "bold magenta",
}
LIMIT = 400
"""Characters of a formula shown before it is elided (``--full`` shows it all)."""


def console(file: IO[str] | None = None, width: int | None = None) -> Console:
    """A console on ``file`` (stdout): colour only on a terminal and without ``NO_COLOR``."""
    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=file,
        width=width,
        no_color=no_color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )


def elide(formula: str, full: bool = False, limit: int = LIMIT) -> str:
    """The formula, or its two ends around a note of how much was left out.

    >>> elide("x" * 1000, limit=40)[:20], len(elide("x" * 1000, limit=40)) < 100
    ('xxxxxxxxxxxxxxxxxxxx', True)
    """
    if full or len(formula) <= limit:
        return formula
    head, tail = formula[: limit * 3 // 4], formula[-limit // 4 :]
    return f"{head} … [{len(formula) - len(head) - len(tail)} characters; --full] … {tail}"


def _emit(out: Console, text: Text, indent: int, hang: int) -> None:
    """Print ``text`` wrapped at word boundaries to the console's width: its first line after
    ``indent`` spaces, the others after ``hang``."""
    lines = text.wrap(out, max(20, out.width - hang))
    for k, line in enumerate(lines):
        line.rstrip()
        out.print(Text(" " * (indent if k == 0 else hang)) + line, no_wrap=True, crop=False)


def _verdict(status: Status, lang: str) -> Text:
    return Text(f"{MARKS[status]} {phrase(status.value, lang)}", style=STYLES[status])


def show(
    out: Console, checked: CheckedDerivation, lang: str = "en", full: bool = False
) -> None:
    """Print the chains of a checked derivation, each step with its rule and verdict."""
    for k, chain in enumerate(checked.chains()):
        if k:
            out.print()
        d = chain.derivation
        head = Text.assemble(
            (d.id, "bold"), ": ", prose.to_unicode(translate(d.title, lang)), "  "
        )
        # The chain's own verdict: the first chain's status would include the others'.
        head.append_text(_verdict(worst(s.status for s in chain.steps), lang))
        _emit(out, head, 0, 4)
        solver = _solver_line(d, lang) if k == 0 else ""
        if solver:
            _emit(out, Text(solver, style="bold"), 2, 4)
        for left, right, step in _lines(d, chain.steps, "text"):
            line = Text("  ")
            if isinstance(step, CheckedStep):
                line.append(f"{MARKS[step.status]} ({step.index}) ", style=STYLES[step.status])
            else:
                line.append("      ")
            alike = same_sides((left, right, step))
            formula = f"{left} {_rel(step)} {right}" if left else f"{_rel(step)} {right}"
            if not alike or left:
                line.append(elide(left if alike else formula, full))
            _emit(out, line, 0, 10)
            if not isinstance(step, CheckedStep):
                continue
            rule = prose.to_unicode(translate(step.rule, lang))
            if alike:
                rule += f" ({phrase('same_sides', lang)})"
            why = Text(f"{phrase('by', lang)} {rule}: ")
            why.append_text(_verdict(step.status, lang))
            _emit(out, why, 8, 8)
            if step.status is not Status.PROVED:
                _emit(out, Text(prose.to_unicode(step.detail), style="dim"), 8, 8)
            if step.counterexample:
                for ln in _counterexample(step.counterexample):
                    _emit(out, Text(ln, style="red"), 10, 12)
        if k == 0:
            _textbook(out, d, lang)
    _emit(out, Text("; ".join(_summary(checked, lang)) + "."), 2, 2)


def _textbook(out: Console, d: Derivation, lang: str) -> None:
    # Each form the kernel checked against the derived one, with its verdict.
    rows = _textbook_rows(d, "text")
    if rows:
        _emit(out, Text(f"{phrase('textbook', lang)}:", style="bold"), 2, 4)
    for form, label, derived, standard, defs in rows:
        status = form.checked.status
        line = Text("  ")
        line.append(f"{MARKS[status]} ", style=STYLES[status])
        line.append(f"{label} = {derived} = {standard}")
        _emit(out, line, 0, 10)
        why = Text(_textbook_why(form, defs, lang, lambda t: t, lambda t: t) + ": ")
        why.append_text(_verdict(status, lang))
        _emit(out, why, 8, 8)


def progress(
    out: Console, k: int, total: int, checked: CheckedDerivation, seconds: float, lang: str = "en"
) -> None:
    """One line as soon as an entry is checked: its place, id, verdict and time."""
    line = Text(f"[{k}/{total}] ")
    line.append(checked.derivation.id, style="bold")
    line.append(" ")
    line.append_text(_verdict(checked.status, lang))
    line.append(f"  {seconds:.1f} s", style="dim")
    out.print(line)


def summary_table(
    results: Sequence[tuple[CheckedDerivation, float]], lang: str = "en"
) -> Table:
    """Every entry with its verdict, steps proved and time, then the totals."""
    table = Table(title="symbolic check", show_lines=False)
    for name in ("id", "verdict", "proved", "time"):
        table.add_column(name, justify="right" if name in ("proved", "time") else "left")
    total_steps = total_proved = 0
    for checked, seconds in results:
        steps = checked.all_steps()
        proved = sum(1 for s in steps if s.status is Status.PROVED)
        total_steps, total_proved = total_steps + len(steps), total_proved + proved
        table.add_row(
            checked.derivation.id,
            _verdict(checked.status, lang),
            f"{proved}/{len(steps)}",
            f"{seconds:.1f} s",
        )
    counts = {s: sum(1 for c, _ in results if c.status is s) for s in Status}
    verdicts = ", ".join(f"{n} {phrase(s.value, lang)}" for s, n in counts.items() if n)
    seconds = sum(t for _, t in results)
    table.add_section()
    table.add_row(f"{len(results)} entries", verdicts, f"{total_proved}/{total_steps}",
                  f"{seconds:.1f} s")
    return table
