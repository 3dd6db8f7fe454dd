"""Printing checked derivations: LaTeX documents, Markdown, and aligned text for terminals.

Printers only read what the kernel decided; they never decide anything themselves.

>>> from symbolic.catalog import get
>>> from symbolic.kernel import check
>>> doc = to_latex(check(get("kl-vs-mle")))
>>> doc.startswith(r"\\documentclass")
True
"""

from __future__ import annotations

from sympy import Expr, Function, Indexed, Product, Sum, Symbol, fraction
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from symbolic.derivation import Relation
from symbolic.kernel import CheckedDerivation, CheckedStep, Status

__all__ = ["to_latex", "to_markdown", "to_text", "text", "tex", "MARKS"]

MARKS = {Status.PROVED: "✔", Status.NUMERIC: "≈", Status.REFUTED: "✘", Status.UNKNOWN: "?"}
_WORDS = {
    Status.PROVED: "proved",
    Status.NUMERIC: "numeric only",
    Status.REFUTED: "refuted",
    Status.UNKNOWN: "unknown",
}


class _TextPrinter(StrPrinter):
    # Not "_sympystr": the measures' own str forms are for JSON, this printer is for people.
    printmethod = "_textstr"

    def _print_PModel(self, e: Expr) -> str:
        a, b, t = (self._print(v) for v in e.args)
        return f"p_model({a}|{b}, {t})"

    def _print_PData(self, e: Expr) -> str:
        a, b = (self._print(v) for v in e.args)
        return f"p̂_data({a}|{b})"

    def _print_EmpiricalDistribution(self, e: Expr) -> str:
        return "p̂_data"

    def _print_ModelDistribution(self, e: Expr) -> str:
        return "p_model"

    def _print_Expectation(self, e: Expr) -> str:
        return f"E[x,y~{self._print(e.dist)}][{self._print(e.body)}]"

    def _print_Likelihood(self, e: Expr) -> str:
        return f"p_model(X; {self._print(e.args[0].param)})"

    def _print_LogLikelihood(self, e: Expr) -> str:
        return f"log p_model(X; {self._print(e.args[0].param)})"

    def _print_NLL(self, e: Expr) -> str:
        return f"NLL({self._print(e.args[0].param)})"

    def _print_Entropy(self, e: Expr) -> str:
        return f"H({self._print(e.args[0])})"

    def _print_CrossEntropy(self, e: Expr) -> str:
        return f"H({self._print(e.args[0])}, {self._print(e.args[1])})"

    def _print_KL(self, e: Expr) -> str:
        return f"D_KL({self._print(e.args[0])} ‖ {self._print(e.args[1])})"

    def _print_Constant(self, e: Expr) -> str:
        return "constant"

    def _print_Sum(self, e: Expr) -> str:
        return self._big("Σ", e)

    def _print_Product(self, e: Expr) -> str:
        return self._big("∏", e)

    def _big(self, sign: str, e: Expr) -> str:
        var, lo, hi = e.limits[0]
        body = self.parenthesize(e.function, 100)
        return f"{sign}_{{{var}={self._print(lo)}..{self._print(hi)}}} {body}"


class _PostLatexPrinter(LatexPrinter):
    """sympy's LaTeX, spelled as the post writes: ``\\frac{1}{N} \\sum``, ``\\log p(y_i)``."""

    def _print_Indexed(self, e: Indexed) -> str:
        return f"{self._print(e.base.label)}_{{{','.join(self._print(k) for k in e.indices)}}}"

    def _print_log(self, e: Expr, exp: str | None = None) -> str:
        arg = e.args[0]
        if isinstance(arg, Function | Symbol | Indexed) and exp is None:
            return rf"\log {self._print(arg)}"
        return super()._print_log(e, exp)

    def _print_Mul(self, e: Expr) -> str:
        numer, denom = fraction(e)
        if denom != 1 and denom.is_Symbol and numer.has(Sum, Product):
            sign = "- " if numer.could_extract_minus_sign() else ""
            body = -numer if sign else numer
            return rf"{sign}\frac{{1}}{{{self._print(denom)}}} {self._print(body)}"
        return super()._print_Mul(e)


def tex(expr: Expr) -> str:
    r"""LaTeX of an expression in the post's notation.

    >>> from symbolic.measures import NLL, N
    >>> from symbolic.kernel import normalize
    >>> print(tex(normalize(NLL() / N)))
    - \frac{1}{N} \sum_{i=1}^{N} \log p_{model}(y_{i} \mid x_{i}, \theta)
    """
    return _PostLatexPrinter().doprint(expr)


def text(expr: Expr) -> str:
    """One-line text form of an expression, in the post's notation.

    >>> from symbolic.measures import KL, p_data, p_model
    >>> text(KL(p_data, p_model))
    'D_KL(p̂_data ‖ p_model)'
    """
    return _TextPrinter().doprint(expr)


# Derivations name their labels in plain words; each format spells them its own way.
_LABELS = {"theta_MLE": (r"\hat{\theta}_{MLE}", "θ̂_MLE")}


def _label(name: str, latex_mode: bool) -> str:
    spelled = _LABELS.get(name)
    if spelled is None:
        return name
    return spelled[0] if latex_mode else spelled[1]


def _opt(sense: Relation, body: str, latex_mode: bool) -> str:
    if sense is Relation.EQ:
        return body
    if latex_mode:
        return rf"\arg\{sense.value[3:]}_{{\theta}} \; {body}"
    return f"{sense.value}_θ {body}"


def _lines(checked: CheckedDerivation, fmt: str) -> list[tuple[str, str, CheckedStep | None]]:
    """(left, right, step) triples: the left cell is empty where the chain simply continues."""
    show = tex if fmt == "latex" else text
    d = checked.derivation
    # Without a label the chain opens with plain values; leading equalities are shown as such
    # and the objective is restated where the first argmin/argmax step turns to optimizers.
    sense = d.sense if d.start_label else Relation.EQ
    start = _opt(sense, show(d.start), fmt == "latex")
    rows: list[tuple[str, str, CheckedStep | None]] = []
    left = _label(d.start_label, fmt == "latex") if d.start_label else start
    first_right = start if d.start_label else ""
    if first_right:
        rows.append((left, first_right, None))
        left = ""
    for step in checked.steps:
        new_sense = sense if step.relation is Relation.EQ else step.relation
        if sense is Relation.EQ and new_sense is not Relation.EQ:
            # The chain turns from values into optimizers: restate the left side as one.
            left = _opt(new_sense, show(step.lhs), fmt == "latex")
        rows.append((left, _opt(new_sense, show(step.rhs), fmt == "latex"), step))
        left = ""
        sense = new_sense
    if d.end_label:
        rows.append(("", _label(d.end_label, fmt == "latex"), None))
    return rows


def _summary(checked: CheckedDerivation) -> list[str]:
    counts = {s: sum(1 for st in checked.steps if st.status is s) for s in Status}
    total = len(checked.steps)
    out = [f"{counts[Status.PROVED]} of {total} steps proved symbolically"]
    if counts[Status.NUMERIC]:
        out.append(f"{counts[Status.NUMERIC]} rest on high-precision numeric evidence only")
    if counts[Status.REFUTED]:
        out.append(f"{counts[Status.REFUTED]} refuted")
    if counts[Status.UNKNOWN]:
        out.append(f"{counts[Status.UNKNOWN]} undecided")
    return out


def _tex_escape(s: str) -> str:
    table = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\^{}",
    }
    return "".join(table.get(c, c) for c in s)


def to_latex(checked: CheckedDerivation) -> str:
    """A standalone LaTeX document: one ``align*`` line per step, with rule and verdict."""
    d = checked.derivation
    body = []
    for left, right, step in _lines(checked, "latex"):
        note = ""
        if step is not None:
            note = (
                rf" && \text{{({step.index}) {_tex_escape(step.rule)} "
                rf"--- \textbf{{{_WORDS[step.status]}}}}}"
            )
        body.append(rf"{left} &= {right}{note}")
    notes = "\n".join(rf"\paragraph{{Note.}} {_tex_escape(n)}" for n in d.notes)
    summary = "; ".join(_summary(checked))
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage[margin=2cm,landscape]{geometry}",
            r"\usepackage{amsmath,amssymb}",
            rf"\title{{{_tex_escape(d.title)}}}",
            r"\date{}",
            r"\begin{document}",
            r"\maketitle",
            rf"\noindent Derivation \texttt{{{_tex_escape(d.id)}}}, checked by the kernel.",
            r"\begin{align*}",
            " \\\\\n".join(body),
            r"\end{align*}",
            rf"\paragraph{{Summary.}} {_tex_escape(summary)}.",
            notes,
            r"\end{document}",
            "",
        ]
    )


def to_markdown(checked: CheckedDerivation) -> str:
    """Markdown with the math in ``$$`` blocks, one per step, and each step's verdict."""
    d = checked.derivation
    out = [f"# {d.title}", "", f"Derivation `{d.id}`.", ""]
    for left, right, step in _lines(checked, "latex"):
        if step is None:
            out += [f"$$ {left} = {right} $$" if left else f"$$ = {right} $$", ""]
            continue
        out += [
            f"**Step {step.index}** — {step.rule} — *{_WORDS[step.status]}*",
            "",
            f"$$ {left + ' ' if left else ''}= {right} $$",
            "",
        ]
    out += ["**Summary:** " + "; ".join(_summary(checked)) + ".", ""]
    out += [f"> **Note.** {n}\n" for n in d.notes]
    return "\n".join(out)


def to_text(checked: CheckedDerivation, width: int = 120) -> str:
    """Aligned text for terminals: the chain, then each step's rule and verdict."""
    d = checked.derivation
    out = [f"{d.id}: {d.title}  [{checked.status.value}]"]
    rows = _lines(checked, "text")
    pad = min(max((len(left) for left, _, _ in rows), default=0), width // 4)
    for left, right, step in rows:
        mark = f"{MARKS[step.status]} " if step is not None else "  "
        label = f"({step.index})" if step is not None else "   "
        if len(left) > pad:
            # A long left side (an objective restated) gets a line of its own.
            out.append(f"  {mark}{label:>4} {left}")
            mark, label, left = "  ", "", ""
        out.append(f"  {mark}{label:>4} {left:>{pad}} = {right}")
        if step is not None:
            out.append(f"{'':>{pad + 10}}  by {step.rule}: {_WORDS[step.status]}")
            if step.status is not Status.PROVED:
                out.append(f"{'':>{pad + 10}}  {step.detail}")
    out.append("  " + "; ".join(_summary(checked)) + ".")
    return "\n".join(out)
