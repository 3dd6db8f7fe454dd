"""Printing checked derivations: LaTeX, PDF, HTML, Markdown, and aligned text for terminals.

Printers only read what the kernel decided; they never decide anything themselves. Every
document exists in English and in Korean (``lang="ko"``), the language of the seed post: the
surrounding prose comes from :mod:`symbolic.outputs.i18n`, and authors' rules are translated where a
translation is known.

HTML pages are self-contained: KaTeX (shipped in ``symbolic/static/katex``) is inlined, its
fonts as ``data:`` URIs, and typesets the math in the browser with no network. PDFs are the
LaTeX documents compiled by XeLaTeX (or LuaLaTeX) in a temporary folder.

>>> from symbolic.catalog import get
>>> from symbolic.kernel import check
>>> doc = to_latex(check(get("kl-vs-mle")))
>>> doc.startswith(r"\\documentclass")
True
"""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from sympy import (
    Add,
    Expr,
    Function,
    Indexed,
    IndexedBase,
    Integral,
    Mul,
    Piecewise,
    Product,
    S,
    Sum,
    Symbol,
    Tuple,
    fraction,
    log,
)
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from symbolic.kernel import CheckedDerivation, CheckedStep, Status
from symbolic.kernel.derivation import Derivation, Relation
from symbolic.kernel.measures import (
    KL,
    CrossEntropy,
    DirichletLaw,
    Entropy,
    Mean,
    NormalLaw,
    p_data_x,
    theta,
)
from symbolic.outputs import prose, textbook
from symbolic.outputs.i18n import family_name, phrase, translate
from symbolic.outputs.textbook import TextbookForm

__all__ = [
    "to_latex",
    "to_markdown",
    "to_text",
    "to_html",
    "to_pdf",
    "compile_latex",
    "tex_engine",
    "TexError",
    "TexEngineMissing",
    "RENDERERS",
    "text",
    "tex",
    "MARKS",
]

MARKS = {
    Status.PROVED: "✔",
    Status.WHERE_DEFINED: "◐",
    Status.NUMERIC: "≈",
    Status.REFUTED: "✘",
    Status.UNKNOWN: "?",
}


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*")


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))


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

    def _print_EmpiricalMarginal(self, e: Expr) -> str:
        return "p̂_data"

    def _print_Indexed(self, e: Indexed) -> str:
        # sympy spells x[i] through Indexed._sympystr, which a printmethod of our own bypasses.
        return f"{self._print(e.base.label)}_{','.join(self._print(k) for k in e.indices)}"

    def _print_Symbol(self, e: Symbol) -> str:
        return prose.name_unicode(e.name) if _IDENTIFIER.fullmatch(e.name) else e.name

    def _print_Pow(self, e: Expr, rational: bool = False) -> str:
        exp = e.exp
        if exp.is_Integer and exp > 1:
            if isinstance(e.base, Symbol) and e.base.name.split("_")[0] == "sigma2":
                # (σ̂²)³ is σ̂⁶.
                return self._print(e.base).replace("²", _superscript(2 * int(exp)))
            base = self._print(e.base)
            if not (e.base.is_Atom or isinstance(e.base, Indexed | Function)):
                # (Σ x_i)²: a sum or product raised to a power keeps its brackets.
                base = f"({base})"
            return base + _superscript(int(exp))
        return super()._print_Pow(e, rational).replace("**", "^")

    def _print_Mul(self, e: Expr) -> str:
        return re.sub(r"(?<!\*)\*(?!\*)", "·", super()._print_Mul(e))

    def _print_Inverse(self, e: Expr) -> str:
        return f"{self.parenthesize(e.arg, PRECEDENCE['Pow'], strict=True)}⁻¹"

    def _print_Pi(self, e: Expr) -> str:
        return "π"

    def _print_MatrixSymbol(self, e: Expr) -> str:
        return prose.name_unicode(e.name) if _IDENTIFIER.fullmatch(e.name) else e.name

    def _print_MatMul(self, e: Expr) -> str:
        return "·".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in e.args)

    def _print_MatPow(self, e: Expr) -> str:
        base = self.parenthesize(e.base, PRECEDENCE["Pow"], strict=True)
        return f"{base}^({self._print(e.exp)})" if e.exp == -1 else f"{base}^{self._print(e.exp)}"

    def _print_Transpose(self, e: Expr) -> str:
        return f"{self.parenthesize(e.arg, PRECEDENCE['Pow'], strict=True)}ᵀ"

    def _print_Trace(self, e: Expr) -> str:
        return f"tr({self._print(e.arg)})"

    def _print_Determinant(self, e: Expr) -> str:
        return f"det({self._print(e.arg)})"

    def _print_Integral(self, e: Expr) -> str:
        body = self.parenthesize(e.function, PRECEDENCE["Mul"])
        bounds = ""
        for limit in e.limits:
            var = self._print(limit[0])
            if len(limit) == 3:
                bounds = f"_{{{self._print(limit[1])}}}^{{{self._print(limit[2])}}}"
            body = f"{body} d{var}"
        return f"∫{bounds} {body}"

    def _print_Abs(self, e: Expr) -> str:
        return f"|{self._print(e.args[0])}|"

    def _print_factorial(self, e: Expr) -> str:
        arg = e.args[0]
        inner = self._print(arg)
        return f"{inner}!" if arg.is_Atom or isinstance(arg, Indexed) else f"({inner})!"

    def _print_gamma(self, e: Expr) -> str:
        return f"Γ({self._print(e.args[0])})"

    def _print_loggamma(self, e: Expr) -> str:
        return f"log Γ({self._print(e.args[0])})"

    def _print_polygamma(self, e: Expr) -> str:
        order, arg = e.args
        return f"ψ{'' if order == 0 else f'^({self._print(order)})'}({self._print(arg)})"

    def _print_binomial(self, e: Expr) -> str:
        return f"C({self._print(e.args[0])}, {self._print(e.args[1])})"

    def _print_beta(self, e: Expr) -> str:
        return f"B({', '.join(self._print(a) for a in e.args)})"

    def _print_Min(self, e: Expr) -> str:
        return f"min({', '.join(self._print(a) for a in e.args)})"

    def _print_Max(self, e: Expr) -> str:
        return f"max({', '.join(self._print(a) for a in e.args)})"

    def _print_Piecewise(self, e: Expr) -> str:
        cases = [
            self._print(v) if c is True or c == True else f"{self._print(v)} if {self._print(c)}"  # noqa: E712
            for v, c in e.args
        ]
        return "{" + "; ".join(cases) + "}"

    def _print_Infinity(self, e: Expr) -> str:
        return "∞"

    def _print_NegativeInfinity(self, e: Expr) -> str:
        return "-∞"

    def _print_IndexedBase(self, e: Expr) -> str:
        return self._print(e.label)

    def _print_ModelDistribution(self, e: Expr) -> str:
        return "p_model"

    def _print_Expectation(self, e: Expr) -> str:
        bound = "x" if type(e.dist).__name__ == "EmpiricalMarginal" else "x,y"
        return f"E[{bound}~{self._print(e.dist)}][{self._print(e.body)}]"

    def _print_Mean(self, e: Expr) -> str:
        # The law is the derivation's P, named in its title.
        return f"Mean({self._print(e.body)})"

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
        # The last limit is the outermost sum: printed first, so no limit goes unprinted.
        signs = " ".join(
            f"{sign}_{{{var}={self._print(lo)}..{self._print(hi)}}}"
            for var, lo, hi in reversed(e.limits)
        )
        return f"{signs} {self.parenthesize(e.function, 100)}"


class _PostLatexPrinter(LatexPrinter):
    """sympy's LaTeX, spelled as the post writes: ``\\frac{1}{N} \\sum``, ``\\log p(y_i)``."""

    #: The logarithms printed where factors follow them (see _print_Mul).
    _led: frozenset[Expr] = frozenset()

    def _print_Symbol(self, e: Symbol, style: str = "plain") -> str:
        # The families name σ² and λ sigma2 and lam (sympy would print σ_2 and l a m); P's and
        # Q's copies carry a suffix, sigma2_1.
        if _IDENTIFIER.fullmatch(e.name) and e.name != "theta_MLE":
            return prose.name_tex(e.name)
        return super()._print_Symbol(e, style)

    def _print_Pow(self, e: Expr) -> str:
        if isinstance(e.base, Symbol) and e.base.name.split("_")[0] == "sigma2":
            if e.exp.is_Integer and e.exp > 1:
                # (σ̂²)³ is σ̂⁶, not a bracketed power of a power.
                return self._print(e.base).replace("^{2}", f"^{{{2 * int(e.exp)}}}", 1)
        return super()._print_Pow(e)

    def _print_Derivative(self, e: Expr) -> str:
        # sympy brackets only a sum: ∂/∂w (1/N) Σ ... would read as (∂/∂w 1/N) times the sum.
        out = super()._print_Derivative(e)
        if isinstance(e.expr, Mul) and not out.endswith(r"\right)"):
            head, _, _ = out.partition(self._print(e.expr))
            return rf"{head}\left({self._print(e.expr)}\right)"
        return out

    def _print_polygamma(self, e: Expr, exp: str | None = None) -> str:
        order, arg = e.args
        head = r"\psi" if order == 0 else rf"\psi^{{({self._print(order)})}}"
        out = rf"{head}\left({self._print(arg)}\right)"
        return rf"\left({out}\right)^{{{exp}}}" if exp else out

    def _print_KroneckerDelta(self, e: Expr, exp: str | None = None) -> str:
        # sympy writes \delta_{k x_{i}} when both are atoms: a name δ_{kx_i} or δ(k, x_i)?
        out = rf"\delta_{{{self._print(e.args[0])}, {self._print(e.args[1])}}}"
        return rf"\left({out}\right)^{{{exp}}}" if exp else out

    def _print_beta(self, e: Expr, exp: str | None = None) -> str:
        out = rf"\mathrm{{B}}\left({', '.join(self._print(a) for a in e.args)}\right)"
        return rf"{out}^{{{exp}}}" if exp else out

    def _print_loggamma(self, e: Expr, exp: str | None = None) -> str:
        # Not \log \Gamma(a), which is log(Γ(a)): equal to the log-gamma function only where
        # a > 0, and the kernel keeps the two apart.
        out = rf"\operatorname{{loggamma}}\left({self._print(e.args[0])}\right)"
        return rf"\left({out}\right)^{{{exp}}}" if exp else out

    def _print_Indexed(self, e: Indexed) -> str:
        base = self._print(e.base.label)
        if "_" in base or "^" in base:
            # alpha_1[k]: the label's own subscript must not meet the index's (a TeX error).
            base = f"{{{base}}}"
        return f"{base}_{{{','.join(self._print(k) for k in e.indices)}}}"

    def _print_log(self, e: Expr, exp: str | None = None) -> str:
        arg = e.args[0]
        if isinstance(arg, Function | Symbol | Indexed) and exp is None and e not in self._led:
            shown = self._print(arg)
            # \log \sigma^{2} reads as log(σ²) or (log σ)²: a power keeps its brackets.
            if "^" not in shown:
                return rf"\log {shown}"
        if exp is not None:
            # Not \log{\left(x \right)}^{2}, which reads as log(x²).
            return rf"\left({self._print_log(e)}\right)^{{{exp}}}"
        return super()._print_log(e, exp)

    def _print(self, expr: object, **kwargs: object) -> str:
        # These outrank the objects' own _latex methods, which a _print_ method does not.
        if expr is S.EulerGamma:
            # Not \gamma: \gamma alone is a variable, a discount factor or a law's shape.
            return r"\gamma_{E}"
        if isinstance(expr, Entropy | CrossEntropy | KL) and p_data_x in expr.args:
            # p̂_data over x alone, as an argument, is written with its variable: H(p̂_data)
            # is the conditional entropy of y given x.
            shown = [r"\hat{p}_{data}(x)" if a == p_data_x else self._print(a) for a in expr.args]
            if isinstance(expr, KL):
                return rf"D_{{KL}}({shown[0]} \| {shown[1]})"
            return f"H({', '.join(shown)})"
        if isinstance(expr, Mean) and isinstance(expr.law, DirichletLaw):
            # Not \mathbb{E}_{P}: the law is what the mean is over, with its dimension K.
            law = expr.law
            x, k, alpha = (self._print(a) for a in (law.variable, law.length, law.alpha))
            over = rf"{x} \sim \operatorname{{Dir}}_{{{k}}}({alpha})"
            return rf"\mathbb{{E}}_{{{over}}}\left[{self._print(expr.body)}\right]"
        if isinstance(expr, Mean) and isinstance(expr.law, NormalLaw):
            # Not \mathbb{E}_{P}: the normal law of x, with its mean and covariance.
            x, mu, sigma = (
                self._print(a) for a in (expr.law.variable, expr.law.mu, expr.law.sigma)
            )
            over = rf"{x} \sim \mathcal{{N}}({mu}, {sigma})"
            return rf"\mathbb{{E}}_{{{over}}}\left[{self._print(expr.body)}\right]"
        return super()._print(expr, **kwargs)

    def _print_Mul(self, e: Expr) -> str:
        # \log p x_{i} reads as log(p)·x_i or log(p x_i): a log with factors after it keeps
        # its brackets, \log{\left(p \right)} x_{i}.
        outer = self._led
        self._led = outer | _leading_logs(e)
        try:
            return self._print_product(e)
        finally:
            self._led = outer

    def _print_product(self, e: Expr) -> str:
        # A quotient with sums upstairs is printed as the post does, the factors free of the
        # sums in one fraction before them: \frac{\mu}{\sigma^2} \sum x_i. A sum of terms
        # after that fraction is bracketed: \frac{1}{N} a - b would read as (a/N) - b.
        numer, denom = fraction(e)
        if denom == 1 or denom.has(Sum, Product) or not numer.has(Sum, Product):
            return super()._print_Mul(e)
        sign = "- " if numer.could_extract_minus_sign() else ""
        numer = -numer if sign else numer
        factors = Mul.make_args(numer)
        summed = [f for f in factors if f.has(Sum, Product)]
        free = Mul(*(f for f in factors if not f.has(Sum, Product)))
        # A sum not last would take the factors after it into its body: bracket it.
        body = " ".join(
            rf"\left({self._print(f)}\right)"
            if isinstance(f, Add) or (k < len(summed) - 1 and isinstance(f, Sum | Product))
            else self._print(f)
            if isinstance(f, Sum | Product)
            else self.parenthesize(f, PRECEDENCE["Mul"])
            for k, f in enumerate(summed)
        )
        return rf"{sign}\frac{{{self._print(free)}}}{{{self._print(denom)}}} {body}"


def _leading_logs(e: Expr) -> frozenset[Expr]:
    """The logarithms among the factors of ``e`` that sympy prints before another factor of
    the numerator or denominator they stand in."""
    if e.could_extract_minus_sign():
        e = -e
    led = set()
    for part in fraction(e, exact=True):
        # The sorted order of the post's printer and the written order of the author's.
        for factors in (part.as_ordered_factors(), Mul.make_args(part)):
            shown = [f for f in factors if not f.is_Number]
            led |= {f for f in shown[:-1] if isinstance(f, log)}
    return frozenset(led)


class _WrittenLatexPrinter(_PostLatexPrinter):
    """For expressions built without evaluation: the factor 1 that an unevaluated Sum puts in
    front of its summand is not printed."""

    def _print_Mul(self, e: Expr) -> str:
        factors = [a for a in e.args if a != 1]
        if len(factors) != len(e.args):
            if len(factors) == 1:
                return self._print(factors[0])
            e = Mul(*factors, evaluate=False)
        return super()._print_Mul(e)


def tex(expr: Expr, written: bool = False) -> str:
    r"""LaTeX of an expression in the post's notation (``written``: in the order of its terms).

    >>> from symbolic.kernel.measures import NLL, N
    >>> from symbolic.kernel import normalize
    >>> print(tex(normalize(NLL() / N)))
    - \frac{1}{N} \sum_{i=1}^{N} \log p_{model}(y_{i} \mid x_{i}, \theta)
    """
    if written:
        # An expression built without evaluation keeps its terms in the author's order.
        return _WrittenLatexPrinter({"order": "none"}).doprint(expr)
    return _PostLatexPrinter().doprint(expr)


def text(expr: Expr, written: bool = False) -> str:
    """One-line text form of an expression, in the post's notation (``written``: in the order
    of its terms).

    >>> from symbolic.kernel.measures import KL, p_data, p_model
    >>> text(KL(p_data, p_model))
    'D_KL(p̂_data ‖ p_model)'
    """
    return _TextPrinter({"order": "none"} if written else {}).doprint(expr)


# Derivations name their labels in plain words; each format spells them its own way.
_LABELS = {
    "theta_MLE": (r"\hat{\theta}_{MLE}", "θ̂_MLE"),
    "D_KL(P || Q)": (r"D_{KL}(P \| Q)", "D_KL(P ‖ Q)"),
    "NLL(theta)": (r"\mathrm{NLL}(\theta)", "NLL(θ)"),
}


def _label(name: str, latex_mode: bool) -> str:
    spelled = _LABELS.get(name)
    if spelled is None:
        # An unknown label is words, not math: in LaTeX its underscores must not subscript.
        return rf"\text{{{_tex_escape(name)}}}" if latex_mode else name
    return spelled[0] if latex_mode else spelled[1]


def _opt(sense: Relation, body: str, latex_mode: bool, params: Sequence[Expr] = (theta,)) -> str:
    """``body`` as an objective optimized over ``params`` (a plain value otherwise)."""
    if not sense.optimizes:
        return body
    if latex_mode:
        over = ", ".join(tex(p) for p in params)
        return rf"\arg\{sense.value[3:]}_{{{over}}} \; {body}"
    over = "θ" if tuple(params) == (theta,) else "(" + ", ".join(text(p) for p in params) + ")"
    return f"{sense.value}_{over} {body}"


class _Link(NamedTuple):
    """A step of an unchecked derivation with its left-hand side: what a row needs to print."""

    index: int
    lhs: Expr
    relation: Relation
    rhs: Expr
    rule: str


def _links(d: Derivation) -> list[_Link]:
    links, lhs = [], d.start
    for k, step in enumerate(d.steps, start=1):
        links.append(_Link(k, lhs, step.relation, step.rhs, step.rule))
        lhs = step.rhs
    return links


_Row = tuple[str, str, "CheckedStep | _Link | None"]


def _lines(d: Derivation, steps: Sequence[CheckedStep | _Link], fmt: str) -> list[_Row]:
    """(left, right, step) triples: the left cell is empty where the chain simply continues."""
    show = tex if fmt == "latex" else text
    # Without a label the chain opens with plain values; leading equalities are shown as such
    # and the objective is restated where the first argmin/argmax step turns to optimizers.
    sense = d.sense if d.start_label else Relation.EQ
    # A step prints as its author wrote it where the derivation keeps that (a file does).
    forms = [(d.start, d.start_written, d.start_shown)]
    forms += [(st.rhs, st.written, st.shown) for st in d.steps]

    def shown(k: int, value: Expr) -> str:
        checked, written, tree = forms[k] if k < len(forms) else (None, "", None)
        if checked == value:
            if fmt != "latex" and written:
                return " ".join(written.split())
            if fmt == "latex" and tree is not None:
                return tex(tree, written=True)
        return show(value)

    start = _opt(sense, shown(0, d.start), fmt == "latex", d.params)
    rows: list[_Row] = []
    left = _label(d.start_label, fmt == "latex") if d.start_label else start
    first_right = start if d.start_label else ""
    if first_right:
        rows.append((left, first_right, None))
        left = ""
    # The sense the left side was read in (the start's, then the last argmin/argmax).
    read = d.sense
    for step in steps:
        new_sense = step.relation if step.relation.optimizes else sense
        if step.relation in (Relation.DIFF, Relation.SOLVE):
            # A derivative or a solution is a value, not an objective.
            new_sense = read = Relation.EQ
        if sense is Relation.EQ and new_sense is not Relation.EQ:
            # The chain turns from values into optimizers: restate the left side as one, in
            # the sense it was read (argmax L, before argmin -L).
            was = read if read.optimizes else new_sense
            left = _opt(was, shown(step.index - 1, step.lhs), fmt == "latex", d.params)
        right = shown(step.index, step.rhs)
        if step.relation is Relation.EQ and right == shown(step.index - 1, step.lhs):
            # Both sides print alike (sympy evaluated them to one expression): a row X = X
            # shows the reader nothing, so the step keeps only its rule and verdict; the left
            # side waits for the next row.
            rows.append(("", "", step))
            continue
        rows.append((left, _opt(new_sense, right, fmt == "latex", d.params), step))
        left = ""
        sense = new_sense
        if step.relation.optimizes:
            read = step.relation
    if d.end_label:
        rows.append((left, _label(d.end_label, fmt == "latex"), None))
        left = ""
    if left and rows and not rows[-1][1]:
        # Only steps that print alike follow: the expression is shown once, alone.
        rows[-1] = (left, "", rows[-1][2])
    return rows


def _alike(d: Derivation, steps: Sequence[CheckedStep | _Link]) -> set[int]:
    """The indices of the steps whose sides print alike."""
    return {row[2].index for row in _lines(d, steps, "latex") if same_sides(row)}


def same_sides(row: _Row) -> bool:
    """Whether a row of :func:`_lines` stands for a step whose sides print alike: its left
    cell holds the expression when nothing else shows it, its right cell is empty."""
    return row[1] == "" and row[2] is not None


_TEXT_SIGNS = {Relation.LE: "≤", Relation.GE: "≥", Relation.PROPTO: "∝"}
_TEX_SIGNS = {Relation.LE: r"\le", Relation.GE: r"\ge", Relation.PROPTO: r"\propto"}


def _rel(step: CheckedStep | _Link | None, latex: bool = False) -> str:
    """The sign between a row's sides: a value chain relates by =, <, >, ≤, ≥ or ∝; an optimizer
    chain is shown as equal argmin/argmax sets; a derivative step by d/d(var), a solve step by
    "= 0 ⇔ var =" (the previous line set to 0 holds exactly at the right side)."""
    relation = getattr(step, "relation", Relation.EQ)
    wrt = getattr(step, "wrt", None)
    if relation is Relation.DIFF and isinstance(wrt, IndexedBase | Tuple):
        # A gradient: in a vector w, or in a tuple of symbols (a, b).
        return rf"\xrightarrow{{\nabla_{{{tex(wrt)}}}}}" if latex else f"→ ∇_{text(wrt)}:"
    if relation is Relation.DIFF and wrt is not None:
        return rf"\xrightarrow{{\partial/\partial {tex(wrt)}}}" if latex else f"→ ∂/∂{text(wrt)}:"
    if relation is Relation.SOLVE and wrt is not None:
        return rf"= 0 \iff {tex(wrt)} =" if latex else f"= 0 ⇔ {text(wrt)} ="
    if relation in (Relation.LT, Relation.GT):
        return relation.value
    return (_TEX_SIGNS if latex else _TEXT_SIGNS).get(relation, "=")


_SOLVER_KINDS = {
    "no_closed_form": ("no closed form", "닫힌 형태 없음"),
    "boundary": ("at the edge of the support", "support의 경계"),
    "non_smooth": ("not smooth: the median", "매끄럽지 않음: 중앙값"),
    "unknown": ("solver gave up", "solver가 답을 내지 못함"),
}


def solver_kind(derivation_id: str) -> str:
    """What the MLE solver found for an ``mle/`` entry (``""`` for other entries).

    >>> solver_kind("mle/cauchy"), solver_kind("mle/normal"), solver_kind("kl/normal")
    ('no_closed_form', 'closed_form', '')
    """
    from symbolic.families import FAMILIES
    from symbolic.generators.stationary import solve_family

    name = derivation_id.removeprefix("mle/")
    if not derivation_id.startswith("mle/") or name not in FAMILIES:
        return ""
    return solve_family(FAMILIES[name]).status


def solver_words(kind: str, lang: str) -> str:
    """The solver's status in words; "" for a closed form, which needs no saying."""
    words = _SOLVER_KINDS.get(kind)
    return "" if words is None else words[lang == "ko"]


def _solver_line(d: Derivation, lang: str) -> str:
    # Every document of an entry without a closed-form MLE says so, beside the verdicts that
    # are all proved: what is proved is the cross-entropy form, not an estimator.
    kind = solver_kind(d.id)
    words = solver_words(kind, lang)
    if not words:
        return ""
    line = phrase("solver", lang, kind=words)
    return f"{line} {phrase('solver_numeric', lang)}" if kind == "no_closed_form" else line


def laws(d: Derivation) -> tuple[str, Expr, Expr] | None:
    """For a ``kl/`` entry of a one-dimensional family: the family and the densities (or
    probabilities) of P and Q, in the parameters the derivation names P's and Q's.

    >>> from symbolic.catalog import get
    >>> family, p, q = laws(get("kl/exponential"))
    >>> family, p
    ('exponential', lam_1*exp(-lam_1*x))
    """
    from symbolic.generators.divergences import _BUILDERS, DIVERGENCE_FAMILIES

    name = d.id.removeprefix("kl/")
    if not d.id.startswith("kl/") or name not in DIVERGENCE_FAMILIES or name in _BUILDERS:
        return None
    fam = DIVERGENCE_FAMILIES[name]
    x = fam.variable
    return name, fam.density_at(x, fam.theta(1)), fam.density_at(x, fam.theta(2))


def _laws_note(d: Derivation, lang: str, math: Callable[[str], str]) -> str:
    """What P and Q are, in words and ``math`` (which wraps TeX for the format); "" if the
    derivation is not between two laws of one family."""
    found = laws(d)
    if found is None:
        return ""
    name, p, q = found
    from symbolic.generators.divergences import DIVERGENCE_FAMILIES

    x = tex(DIVERGENCE_FAMILIES[name].variable)
    kind = "mass" if DIVERGENCE_FAMILIES[name].discrete else "density"
    return phrase(
        f"laws_{kind}", lang, family=family_name(name, lang),
        P=math("P"), Q=math("Q"), p=math(rf"p({x}) = {tex(p)}"), q=math(rf"q({x}) = {tex(q)}"),
    )


def _textbook_rows(d: Derivation, fmt: str) -> list[tuple[TextbookForm, str, str, str, str]]:
    """Each textbook form of the entry: (form, label, derived, standard, definitions) in the
    format's math (LaTeX for every format but text)."""
    from symbolic.catalog import get, ids

    # The forms are the catalog entry's: a derivation of a file that reuses an id has none.
    if d.id not in ids() or get(d.id) is not d:
        return []
    rows = []
    for form in textbook.forms(d.id):
        if fmt == "text":
            rows.append((form, form.label_text, text(form.derived), form.standard_text(),
                         ", ".join(form.definitions_text())))
        else:
            rows.append((form, form.label_tex, tex(form.derived), form.standard_tex(),
                         ", ".join(form.definitions_tex())))
    return rows


def _textbook_why(form: TextbookForm, defs: str, lang: str, math: Callable[[str], str],
                  words: Callable[[str], str]) -> str:
    where = words(phrase("textbook_where", lang, defs="\0")).replace("\0", math(defs))
    rule = words(translate(textbook.RULE, lang))
    return f"{where + '; ' if defs else ''}{rule}"


def _word(status: Status, lang: str) -> str:
    return phrase(status.value, lang)


def _summary(checked: CheckedDerivation, lang: str = "en") -> list[str]:
    steps = checked.all_steps()
    counts = {s: sum(1 for st in steps if st.status is s) for s in Status}
    total = len(steps)
    out = [phrase("sum_proved", lang, n=counts[Status.PROVED], total=total)]
    for status, key in (
        (Status.WHERE_DEFINED, "sum_where_defined"),
        (Status.NUMERIC, "sum_numeric"),
        (Status.REFUTED, "sum_refuted"),
        (Status.UNKNOWN, "sum_unknown"),
    ):
        if counts[status]:
            out.append(phrase(key, lang, n=counts[status]))
    return out


def _unproved(checked: CheckedDerivation) -> list[CheckedStep]:
    return [s for s in checked.steps if s.status is not Status.PROVED]


# --- LaTeX and PDF ---------------------------------------------------------------------------

_TEX_SPECIALS = {
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
# Authors write rules in Unicode; Latin Modern has no Greek or math glyphs, so these become math.
_TEX_SYMBOLS = {
    "‖": r"$\|$",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "≠": r"$\ne$",
    "≈": r"$\approx$",
    "→": r"$\to$",
    "∞": r"$\infty$",
    "∑": r"$\sum$",
    "∏": r"$\prod$",
    "·": r"$\cdot$",
    "×": r"$\times$",
    "∈": r"$\in$",
    "∂": r"$\partial$",
    "∝": r"$\propto$",
    "√": r"$\surd$",
    "∫": r"$\int$",
    "∇": r"$\nabla$",
    "±": r"$\pm$",
    "≡": r"$\equiv$",
    "∼": r"$\sim$",
    "⊆": r"$\subseteq$",
    "⊂": r"$\subset$",
    "∀": r"$\forall$",
    "∃": r"$\exists$",
    "∩": r"$\cap$",
    "∪": r"$\cup$",
    "∅": r"$\emptyset$",
    "⇒": r"$\Rightarrow$",
    "⇔": r"$\Leftrightarrow$",
    "↦": r"$\mapsto$",
    "∘": r"$\circ$",
    "′": r"$'$",
    "ℝ": r"$\mathbb{R}$",
    "ℕ": r"$\mathbb{N}$",
    "−": "-",
}
_TEX_GREEK_CAPITALS = {"gamma", "delta", "theta", "lambda", "xi", "pi", "sigma", "phi", "psi"}
_GREEK = re.compile(r"GREEK (SMALL|CAPITAL) LETTER (\w+)")


def _tex_char(c: str) -> str:
    if c in _TEX_SPECIALS:
        return _TEX_SPECIALS[c]
    if c in _TEX_SYMBOLS:
        return _TEX_SYMBOLS[c]
    script = unicodedata.decomposition(c).split()
    if len(script) == 2 and script[0] in ("<super>", "<sub>"):
        # x² and x₁: the digit or letter raised or lowered in math.
        mark = "^" if script[0] == "<super>" else "_"
        return f"${mark}{{{_tex_char(chr(int(script[1], 16))).strip('$')}}}$"
    greek = _GREEK.fullmatch(unicodedata.name(c, ""))
    if greek is None:
        return c
    name = greek[2].lower().replace("lamda", "lambda")
    if greek[1] == "SMALL":
        return "o" if name == "omicron" else rf"$\{name}$"
    if name in _TEX_GREEK_CAPITALS | {"omega", "upsilon"}:
        return rf"$\{name.capitalize()}$"
    # The other capitals look like Latin letters (Alpha is A); Latin Modern has those.
    return unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode() or c


def _tex_escape(s: str) -> str:
    r"""Text for LaTeX's text mode: specials escaped, Greek and math symbols as math.

    >>> print(_tex_escape("p̂_θ ≥ 0 & ‖P‖ σ² ∫"))
    \^{p}\_$\theta$ $\ge$ 0 \& $\|$P$\|$ $\sigma$$^{2}$ $\int$
    """
    out: list[str] = []
    for c in unicodedata.normalize("NFC", s):
        if unicodedata.combining(c) and out:
            # A hat or bar over the previous letter: the post's p̂.
            accent = {"\u0302": ("\\^", r"\hat"), "\u0304": ("\\=", r"\bar")}.get(c)
            if accent is not None:
                prev = out.pop()
                math = prev.startswith("$")
                out.append(f"${accent[1]}{{{prev[1:-1]}}}$" if math else f"{accent[0]}{{{prev}}}")
            continue
        out.append(_tex_char(c))
    return "".join(out)


def _tex_id(derivation_id: str) -> str:
    # An id may break after its slashes, where a reader sees where its parts are.
    return r"/\allowbreak{}".join(_tex_escape(part) for part in derivation_id.split("/"))


def _tex_prose(s: str) -> str:
    """Prose for LaTeX's text mode: its formulas typeset as math, its words escaped; a formula
    wider than the line (a matrix written out) scaled down to it."""
    return re.sub(
        r"\$([^$]+)\$",
        # On a line of its own: \par may not stand inside an align's \shortintertext.
        lambda m: rf"\hfil\break\fitto{{\linewidth}}{{{m[0]}}}\hfil\break{{}}"
        if _width(m[1]) > 2 * _LINE else m[0],
        prose.to_tex(s, _tex_escape),
    )


_MD_SPECIALS = re.compile(r"([*_\\<>\[\]])")


def _md_words(s: str) -> str:
    # Words stay words: * and _ would start emphasis, < an HTML tag. Code spans keep theirs.
    parts = s.split("`")
    return "`".join(p if k % 2 else _MD_SPECIALS.sub(r"\\\1", p) for k, p in enumerate(parts))


def _md_prose(s: str) -> str:
    """Prose for Markdown: formulas as inline ``$…$`` TeX, words escaped."""
    return prose.to_tex(s, _md_words)


def _html_inline(tex_source: str) -> str:
    quoted = html.escape(tex_source)
    return f'<span class="tex" data-tex="{quoted}">{quoted}</span>'


def _html_prose(s: str) -> str:
    """Prose for HTML: formulas as inline KaTeX elements (in Unicode until KaTeX has run),
    words escaped."""
    return "".join(
        f'<span class="tex" data-tex="{html.escape(prose.to_tex(p.text, open_="", close=""))}">'
        f"{html.escape(prose.to_unicode(p.text))}</span>"
        if p.math
        else html.escape(p.text)
        for p in prose.pieces(s)
    )


_KO_PREAMBLE = [
    # kotex under XeLaTeX (xetexko) or LuaLaTeX (luatexko); the Nanum fonts where installed.
    r"\usepackage{kotex}",
    r"\IfFontExistsTF{NanumMyeongjo}{\setmainhangulfont{NanumMyeongjo}}{}",
    r"\IfFontExistsTF{NanumGothic}{\setsanshangulfont{NanumGothic}}{}",
    r"\IfFontExistsTF{NanumGothicCoding}{\setmonohangulfont{NanumGothicCoding}}{}",
]


def _latex_note(step: CheckedStep | _Link, lang: str, verdict: bool) -> str:
    # Notebooks typeset these with MathJax or KaTeX: plain \text with inline math only, no
    # text-mode macros (\textbf, \_) that they show raw.
    rule = prose.to_tex(translate(step.rule, lang), _plain_text)
    if not verdict or not isinstance(step, CheckedStep):
        return rf" && \text{{({step.index}) {rule}}}"
    return rf" && \text{{({step.index}) {rule} — {MARKS[step.status]} {_word(step.status, lang)}}}"


def _plain_text(s: str) -> str:
    """Words for a \\text{} that MathJax and KaTeX read: braces and specials dropped."""
    return re.sub(r"[{}\\$&%#^_~]", " ", s)


# What fits on a line of A4 with 2 cm margins, in characters of typeset math (an estimate: TeX
# commands, braces and scripts take no room; a fraction counts its numerator and denominator).
_LINE = 54


def _width(tex_source: str) -> int:
    visible = re.sub(r"\\(left|right|mathrm|operatorname|frac|limits|mathbb|hat|bar)\b", "",
                     tex_source)
    visible = re.sub(r"\\[A-Za-z]+", "x", visible)
    # Binary signs take the room of about three characters with their spacing.
    signs = len(re.findall(r" [-+=<>] ", tex_source))
    return len(re.sub(r"[{}_^\s&]|\\[,;!]", "", visible)) + 2 * signs


def _pieces(expr: Expr) -> list[str]:
    """The expression as signed pieces that may each start a line: the terms of a sum; inside
    a product, the terms of its widest sum between \\left( and \\right); a wide numerator as
    \\frac{1}{den} times its bracketed terms."""
    if isinstance(expr, Add):
        out = []
        for k, term in enumerate(_PostLatexPrinter()._as_ordered_terms(expr, order=None)):
            negative = term.could_extract_minus_sign()
            body = _pieces(-term if negative else term)
            if body[0].startswith("- "):
                # -term may still print with a sign of its own: - (-a) is + a, not "- - a".
                negative, body[0] = not negative, body[0][2:]
            sign = "- " if negative else ("+ " if k else "")
            out += [sign + body[0], *body[1:]]
        return out
    if _width(tex(expr)) <= _LINE:
        return [tex(expr)]
    if isinstance(expr, Integral | Sum) and len(expr.limits) == 1 and len(expr.limits[0]) == 3:
        return _big_pieces(expr)
    if isinstance(expr, Piecewise):
        return [_cases(expr)]
    if isinstance(expr, Mean) and isinstance(expr.body, Add):
        whole, inner = tex(expr), r"\left[" + tex(expr.body) + r"\right]"
        if whole.endswith(inner):
            pieces = _pieces(expr.body)
            pieces[0] = whole[: -len(inner)] + r"\left[" + pieces[0]
            pieces[-1] += r"\right]"
            return pieces
    numer, denom = fraction(expr)
    if denom != 1 and _width(tex(numer)) > _LINE:
        return _bracketed(rf"\frac{{1}}{{{tex(denom)}}} ", numer)
    if isinstance(expr, Mul):
        sums = sorted((f for f in expr.args if isinstance(f, Add)), key=lambda f: -len(tex(f)))
        if sums:
            rest = Mul(*(f for f in expr.args if f is not sums[0]))
            head = "" if rest == 1 else ("- " if rest == -1 else tex(rest) + " ")
            return _bracketed(head, sums[0])
        big = [f for f in expr.args if isinstance(f, Integral | Sum)
               and len(f.limits) == 1 and len(f.limits[0]) == 3]
        if len(big) == 1 and expr.args[-1] is big[0]:
            # The series or integral last, as the printer puts it: -Σ_i (…) broken inside.
            rest = Mul(*(f for f in expr.args if f is not big[0]))
            pieces = _big_pieces(big[0])
            pieces[0] = ("- " if rest == -1 else tex(rest) + " ") + pieces[0]
            return pieces
    return [tex(expr)]


def _fitted(piece: str) -> str:
    """A piece no break between terms can split, scaled down to the line if it is wider
    (\\fitto only ever shrinks)."""
    if _width(piece) <= _LINE * 5 // 4:
        return piece
    return rf"\fitto{{\dimexpr\linewidth-6em\relax}}{{$\displaystyle {piece}$}}"


def _cases(expr: Piecewise) -> str:
    """Cases whose values are too wide: each value broken on lines of its own (mathtools'
    multlined), its condition after it."""
    printer = _PostLatexPrinter()
    rows = []
    for value, cond in expr.args:
        lines = _broken(value)
        shown = lines[0] if len(lines) == 1 else (
            r"\begin{multlined}[t] " + r" \\ ".join(lines) + r" \end{multlined}")
        when = r"\text{otherwise}" if cond is S.true else rf"\text{{for}}\: {printer._print(cond)}"
        rows.append(f"{shown} & {when}")
    return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


def _big_pieces(expr: Integral | Sum) -> list[str]:
    """An integral or a series whose body is too wide: the sign and its limits, then the terms
    of the body's widest sum in brackets, then its other factors (and the dx)."""
    var, lo, hi = expr.limits[0]
    if isinstance(expr, Integral):
        head, tail = rf"\int\limits_{{{tex(lo)}}}^{{{tex(hi)}}} ", rf"\, d{tex(var)}"
    else:
        head, tail = rf"\sum_{{{tex(var)}={tex(lo)}}}^{{{tex(hi)}}} ", ""
    factors = Mul.make_args(expr.function)
    sums = sorted((f for f in factors if isinstance(f, Add)), key=lambda f: -len(tex(f)))
    if not sums:
        return [tex(expr)]
    rest = Mul(*(f for f in factors if f is not sums[0]))
    if rest.could_extract_minus_sign():
        # ∫ -f is -∫ f: the sign goes before the integral, not between the bracket and f.
        head, rest = "- " + head, -rest
    pieces = _bracketed(head, sums[0])
    pieces[-1] += ("" if rest == 1 else " " + _PostLatexPrinter().parenthesize(
        rest, PRECEDENCE["Mul"])) + tail
    return pieces


def _bracketed(head: str, inner: Expr) -> list[str]:
    pieces = _pieces(inner) if isinstance(inner, Add) else _pieces(inner)
    pieces[0] = head + r"\left(" + pieces[0]
    pieces[-1] += r"\right)"
    return pieces


def _broken(expr: Expr, head: str = "", tail: str = "") -> list[str]:
    """The expression on as many lines as its width needs, each line a group of pieces; an
    open bracket is closed with \\right. at a line's end and reopened with \\left. after."""
    pieces = _pieces(expr)
    pieces[0] = head + pieces[0]
    pieces[-1] = pieces[-1] + tail
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and _width(current + piece) > _LINE:
            lines.append(current)
            current = piece
        else:
            current = f"{current} {piece}".strip()
    lines.append(current)
    return _balance(lines)


def _balance(lines: list[str]) -> list[str]:
    out, depth = [], 0
    for line in lines:
        opened = line.count(r"\left") - line.count(r"\right")
        text = r"\left. " * depth + line
        depth += opened
        out.append(_fitted(text + r" \right." * depth))
    return out


def _latex_rows(
    left: str, right: str, step: CheckedStep | _Link | None, d: Derivation, params: Sequence[Expr]
) -> list[str]:
    """One aligned row, or several when it is wider than the page: the sides broken between
    terms, continuation lines indented after the relation sign."""
    rel = _rel(step, True)
    if _width(f"{left} {rel} {right}") <= _LINE + 8:
        return [rf"{left} &{rel} {right}"]
    if isinstance(step, CheckedStep):
        rhs, lhs = step.rhs, step.lhs
        sense = step.relation if step.relation.optimizes else Relation.EQ
    elif step is None and right == _opt(d.sense, tex(d.start), True, params):
        rhs, lhs, sense = d.start, None, d.sense
    else:
        return [rf"{left} &{rel} {right}"]
    rights = _optimized(rhs, sense, params)
    if lhs is not None and left and _width(left) > _LINE // 2:
        # The left side as the row restates it: argmin or argmax, or a plain value.
        shown = next((r for r in (Relation.ARGMIN, Relation.ARGMAX)
                      if left.startswith(rf"\arg\{r.value[3:]}")), Relation.EQ)
        lefts = _optimized(lhs, shown, params)
        rows = [rf"& {lefts[0]}", *(rf"&\quad {part}" for part in lefts[1:])]
        rows.append(rf"&{rel} {rights[0]}")
    else:
        rows = [rf"{left} &{rel} {rights[0]}"]
    rows += [rf"&\quad {part}" for part in rights[1:]]
    return rows


def _optimized(expr: Expr, sense: Relation, params: Sequence[Expr]) -> list[str]:
    if not sense.optimizes:
        return _broken(expr)
    # argmin over a broken objective: the objective in brackets, so that it is all optimized.
    return _broken(expr, _opt(sense, r"\left[", True, params), r"\right]")


def _latex_body(d: Derivation, steps: Sequence[CheckedStep], lang: str) -> str:
    # Each step's justification is a full-width line under its formula: in a column beside the
    # formulas, long rules ran off the page and took the verdicts with them.
    out = []
    rows = _lines(d, steps, "latex")
    for k, (left, right, step) in enumerate(rows):
        alike = same_sides((left, right, step))
        if alike and not left:
            line = ""
        elif alike:
            line = rf"{left} &"
        else:
            line = " \\\\\n".join(_latex_rows(left, right, step, d, d.params))
        if isinstance(step, CheckedStep):
            rule = _tex_prose(translate(step.rule, lang))
            if alike:
                rule += rf" ({_tex_escape(phrase('same_sides', lang))})"
            tag = rf" \tag*{{({step.index})}} \\" + "\n" if line else ""
            line += (
                tag + rf"\shortintertext{{\small ({step.index}) {rule} --- "
                rf"\textbf{{{_word(step.status, lang)}}}}}"
            )
        elif k < len(rows) - 1:
            line += r" \\"
        out.append(line)
    return "\n".join(out)


def _latex_chain(checked: CheckedDerivation, lang: str, heading: bool) -> list[str]:
    d = checked.derivation
    out = []
    if heading:
        out += [
            rf"\subsection*{{{_tex_prose(translate(d.title, lang))}}}",
            r"\noindent " + phrase("checked_by", lang, id=rf"\texttt{{{_tex_id(d.id)}}}"),
        ]
    out += [r"\begin{align*}", _latex_body(d, checked.steps, lang), r"\end{align*}"]
    out += [
        rf"\paragraph{{({s.index}) {_word(s.status, lang)}.}} {_tex_prose(s.detail)}"
        for s in _unproved(checked)
    ]
    out += [
        rf"\paragraph{{{phrase('note', lang)}.}} {_tex_prose(translate(n, lang))}" for n in d.notes
    ]
    return out


def _latex_textbook(d: Derivation, lang: str) -> list[str]:
    rows = _textbook_rows(d, "latex")
    if not rows:
        return []
    out = [rf"\paragraph{{{phrase('textbook', lang)}.}}"]
    for form, label, derived, standard, defs in rows:
        why = _textbook_why(form, defs, lang, lambda t: f"${t}$", _tex_escape)
        out += [r"\begin{align*}", rf"{label} &= {derived} \\", rf"&= {standard}",
                r"\end{align*}",
                rf"\noindent{{\small {why} --- \textbf{{{_word(form.checked.status, lang)}}}}}"]
    return out


def to_latex(checked: CheckedDerivation, lang: str = "en") -> str:
    """A standalone LaTeX document: one ``align*`` line per step, with rule and verdict, then
    each part of the derivation in a section of its own.

    Korean documents (``lang="ko"``) use kotex and need XeLaTeX or LuaLaTeX.
    """
    d = checked.derivation
    own, *parts = checked.chains()
    summary = "; ".join(_summary(checked, lang))
    solver = _solver_line(d, lang)
    laws_note = _laws_note(d, lang, lambda t: f"${t}$")
    # The summary follows the derivation's own chain, before its reasons, notes and parts.
    body = _latex_chain(own, lang, False)
    rest = [line for c in parts for line in _latex_chain(c, lang, True)]
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage[a4paper,margin=2cm]{geometry}",
            r"\usepackage{amsmath,amssymb,mathtools}",
            r"\usepackage{graphicx}",
            # A box scaled down to a width only if it is wider (graphicx is in every TeX).
            r"\newsavebox\fitbox",
            r"\newcommand{\fitto}[2]{\sbox\fitbox{#2}\ifdim\wd\fitbox>#1\relax"
            r"\resizebox{#1}{!}{\usebox\fitbox}\else\usebox\fitbox\fi}",
            # Prose with formulas in it: stretch the spaces before a line sticks out.
            r"\setlength{\emergencystretch}{3em}",
            r"\allowdisplaybreaks",
            *(_KO_PREAMBLE if lang == "ko" else []),
            rf"\title{{{_tex_prose(translate(d.title, lang))}}}",
            r"\date{}",
            r"\begin{document}",
            r"\maketitle",
            r"\noindent " + phrase("checked_by", lang, id=rf"\texttt{{{_tex_id(d.id)}}}"),
            *([rf"\par\noindent\textbf{{{_tex_escape(solver)}}}"] if solver else []),
            *([r"\par\noindent " + laws_note] if laws_note else []),
            *body[:3],
            rf"\paragraph{{{phrase('summary', lang)}.}} {_tex_escape(summary)}.",
            *_latex_textbook(d, lang),
            *body[3:],
            *rest,
            r"\end{document}",
            "",
        ]
    )


class TexEngineMissing(RuntimeError):
    """No TeX engine able to compile the documents is installed."""


class TexError(RuntimeError):
    """The TeX engine failed on a document; the message holds the log's error lines."""


_ENGINES = ("xelatex", "lualatex")


def tex_engine() -> str:
    """The path of the TeX engine PDFs are compiled with: XeLaTeX, else LuaLaTeX.

    Both read UTF-8 and handle Korean through kotex; pdfLaTeX does neither well enough.
    """
    for name in _ENGINES:
        found = shutil.which(name)
        if found:
            return found
    raise TexEngineMissing(
        "no TeX engine found (looked for xelatex and lualatex on PATH); on Debian or Ubuntu: "
        "apt-get install texlive-xetex texlive-lang-korean fonts-nanum"
    )


def compile_latex(source: str, engine: str | None = None, timeout: float = 300) -> bytes:
    """Compile a LaTeX document in a temporary folder and return the PDF's bytes.

    A missing glyph is an error, not a warning: a teaching document must not drop characters.
    """
    return compile_latex_log(source, engine, timeout)[0]


_OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)", re.M)


def overfull(log: str) -> list[float]:
    r"""The widths (pt) by which boxes stick out, from a TeX log.

    >>> overfull("Overfull \\hbox (91.2pt too wide) in alignment at lines 9--10")
    [91.2]
    """
    return [float(w) for w in _OVERFULL.findall(log)]


def compile_latex_log(
    source: str, engine: str | None = None, timeout: float = 300
) -> tuple[bytes, str]:
    """:func:`compile_latex`, with the engine's log."""
    engine = engine or tex_engine()
    with tempfile.TemporaryDirectory(prefix="symbolic-tex-") as tmp:
        (Path(tmp) / "doc.tex").write_text(source, encoding="utf-8")
        proc = subprocess.run(
            [
                engine,
                "-interaction=nonstopmode",
                "-halt-on-error",
                "-no-shell-escape",
                "-jobname=doc",
                r"\tracinglostchars=3\input{doc.tex}",
            ],
            cwd=tmp,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        pdf = Path(tmp) / "doc.pdf"
        log_file = Path(tmp) / "doc.log"
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
        if proc.returncode != 0 or not pdf.exists():
            errors = [ln for ln in log.splitlines() if ln.startswith("!")] or log.splitlines()[-20:]
            raise TexError(f"{Path(engine).name} failed:\n" + "\n".join(errors))
        return pdf.read_bytes(), log


def to_pdf(checked: CheckedDerivation, lang: str = "en", engine: str | None = None) -> bytes:
    """The LaTeX document of :func:`to_latex` compiled to PDF by a TeX engine."""
    return compile_latex(to_latex(checked, lang), engine)


# --- Markdown and text -----------------------------------------------------------------------


def to_markdown(checked: CheckedDerivation, lang: str = "en", reasons: bool = True) -> str:
    """Markdown: each chain in one ``$$\\begin{aligned}…$$`` block, its steps numbered, then
    each step's rule and verdict by number. Math appears only between ``$``.

    ``reasons`` adds the kernel's reason under each step it did not prove.
    """
    out = []
    for k, chain in enumerate(checked.chains()):
        d = chain.derivation
        checked_by = phrase("checked_by", lang, id=f"`{d.id}`")
        out += [f"{'##' if k else '#'} {_md_prose(translate(d.title, lang))}", "", checked_by, ""]
        solver = _solver_line(d, lang) if k == 0 else ""
        if solver:
            out += [f"**{_md_words(solver)}**", ""]
        block = _aligned_markdown(d, chain.steps)
        if block:
            out += [block, ""]
        alike = _alike(d, chain.steps)
        for step in chain.steps:
            same = f" ({_md_words(phrase('same_sides', lang))})" if step.index in alike else ""
            out.append(
                f"{step.index}. {_md_prose(translate(step.rule, lang))}{same} — "
                f"*{_word(step.status, lang)}*"
            )
            if reasons and step.status is not Status.PROVED:
                out.append(f"   {phrase('detail', lang)}: {_md_prose(step.detail)}")
        if chain.steps:
            out.append("")
        if k == 0:
            out += [f"**{phrase('summary', lang)}:** " + "; ".join(_summary(checked, lang)) + ".",
                    ""]
            out += _markdown_textbook(d, lang)
        laws_note = _laws_note(d, lang, lambda t: f"${t}$") if k == 0 else ""
        if laws_note:
            out.append(f"> {laws_note}\n")
        out += [f"> **{phrase('note', lang)}.** {_md_prose(translate(n, lang))}\n" for n in d.notes]
    return "\n".join(out)


def _markdown_textbook(d: Derivation, lang: str) -> list[str]:
    rows = _textbook_rows(d, "markdown")
    if not rows:
        return []
    out = [f"**{phrase('textbook', lang)}:**", ""]
    for form, label, derived, standard, defs in rows:
        why = _textbook_why(form, defs, lang, lambda t: f"${t}$", _md_words)
        out += ["$$", r"\begin{aligned}", rf"{label} &= {derived} \\", rf"&= {standard}",
                r"\end{aligned}", "$$", "",
                f"{why} — *{_word(form.checked.status, lang)}*", ""]
    return out


def _aligned_markdown(d: Derivation, steps: Sequence[CheckedStep | _Link]) -> str:
    """The chain as one ``$$\\begin{aligned}`` block, each step numbered ("" if it has no rows)."""
    rows = []
    for left, right, step in _lines(d, steps, "latex"):
        number = rf" && ({step.index})" if step is not None else ""
        if same_sides((left, right, step)):
            if left:
                rows.append(rf"{left} &{number}")
            continue
        rows.append(rf"{left} &{_rel(step, True)} {right}{number}")
    if not rows:
        return ""
    return "\n".join(["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$"])


def to_text(checked: CheckedDerivation, width: int = 120, lang: str = "en") -> str:
    """Aligned text for terminals: the chain, then each step's rule and verdict."""
    out = []
    for k, chain in enumerate(checked.chains()):
        if k:
            out.append("")
        out += _text_chain(chain, width, lang)
        if k == 0 and _solver_line(chain.derivation, lang):
            out.append("  " + _solver_line(chain.derivation, lang))
        if k == 0:
            out += _text_textbook(chain.derivation, lang)
    out.append("  " + "; ".join(_summary(checked, lang)) + ".")
    return "\n".join(out)


def _text_textbook(d: Derivation, lang: str) -> list[str]:
    rows = _textbook_rows(d, "text")
    if not rows:
        return []
    out = [f"  {phrase('textbook', lang)}:"]
    for form, label, derived, standard, defs in rows:
        why = _textbook_why(form, defs, lang, lambda t: t, lambda t: t)
        mark = MARKS[form.checked.status]
        out += [f"  {mark}   {label} = {derived}", f"        = {standard}",
                f"        {why}: {_word(form.checked.status, lang)}"]
    return out


def _text_chain(checked: CheckedDerivation, width: int, lang: str) -> list[str]:
    d = checked.derivation
    title = prose.to_unicode(translate(d.title, lang))
    out = [f"{d.id}: {title}  [{_word(checked.status, lang)}]"]
    rows = _lines(d, checked.steps, "text")
    pad = min(max((len(left) for left, _, _ in rows), default=0), width // 4)
    for left, right, step in rows:
        mark = f"{MARKS[step.status]} " if isinstance(step, CheckedStep) else "  "
        label = f"({step.index})" if step is not None else "   "
        alike = same_sides((left, right, step))
        if alike:
            if left:
                out.append(f"  {mark}{label:>4} {left}")
        else:
            if len(left) > pad:
                # A long left side (an objective restated) gets a line of its own.
                out.append(f"  {mark}{label:>4} {left}")
                mark, label, left = "  ", "", ""
            out.append(f"  {mark}{label:>4} {left:>{pad}} {_rel(step)} {right}")
        if isinstance(step, CheckedStep):
            rule = prose.to_unicode(translate(step.rule, lang))
            if alike:
                rule += f" ({phrase('same_sides', lang)})"
            out.append(f"{'':>{pad + 10}}  {phrase('by', lang)} {rule}: {_word(step.status, lang)}")
            if step.status is not Status.PROVED:
                out.append(f"{'':>{pad + 10}}  {prose.to_unicode(step.detail)}")
            if step.counterexample:
                indent = " " * (pad + 12)
                out += [indent + line for line in _counterexample(step.counterexample)]
    return out


def _value(v: object) -> str:
    # The data of a counterexample are lists of numbers: a tuple, not Python's ['1.87'].
    if isinstance(v, list | tuple):
        return "(" + ", ".join(_value(a) for a in v) + ")"
    return str(v)


def _counterexample(cex: dict[str, object]) -> list[str]:
    """The point and both sides' values, one line each, the model's long description left out."""
    point = cex.get("point", {})
    shown = ", ".join(
        f"{prose.name_unicode(str(k))} = {_value(v)}" for k, v in point.items() if k != "p_model"
    )
    lines = [f"counterexample at {shown}"]
    names = {"theta_1": "θ₁", "theta_2": "θ₂", "lhs": "left side", "rhs": "right side"}
    for key, name in names.items():
        if key in cex:
            lines.append(f"  {name} = {cex[key]}")
    return lines


# --- HTML ------------------------------------------------------------------------------------

_KATEX = "static/katex"
_FONT_SRC = re.compile(
    r'src:url\(fonts/([\w-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("\w+"\))*'
)


@cache
def _katex() -> tuple[str, str]:
    """KaTeX's CSS, with its woff2 fonts inlined as data: URIs, and its script."""
    root = resources.files("symbolic.outputs") / _KATEX

    def inline(match: re.Match[str]) -> str:
        font = (root / "fonts" / f"{match[1]}.woff2").read_bytes()
        data = base64.b64encode(font).decode("ascii")
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    css = _FONT_SRC.sub(inline, (root / "katex.min.css").read_text(encoding="utf-8"))
    js = (root / "katex.min.js").read_text(encoding="utf-8")
    # An inline script ends at the first "</script"; KaTeX has none today, keep it that way.
    return css, js.replace("</script", "<\\/script")


_PAGE_CSS = """
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
html[lang="en"] body { font-family: Georgia, "Times New Roman", "DejaVu Serif", serif; }
html[lang="ko"] body { font-family: "Noto Serif KR", "Nanum Myeongjo", "NanumMyeongjo",
  "Apple SD Gothic Neo", "Malgun Gothic", serif; word-break: keep-all; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; }
ol.chain { list-style: none; padding: 0; }
ol.chain li { margin: 0.4rem 0 1rem; border-left: 4px solid #ccc; padding-left: 0.8rem; }
li.proved { border-color: #2a7 !important; } li.numeric { border-color: #d90 !important; }
li.refuted { border-color: #c22 !important; } li.unknown { border-color: #888 !important; }
/* A formula wider than the page scrolls, and the scrollbar shows that it does. */
.math { overflow-x: auto; overflow-y: hidden; max-width: 100%; padding-bottom: 0.3rem;
  scrollbar-width: thin; scrollbar-color: #9ab #eef; }
.math::-webkit-scrollbar { height: 8px; } .math::-webkit-scrollbar-thumb { background: #9ab; }
.katex-display { text-align: left; margin: 0.3rem 0; }
.katex-display > .katex { text-align: left; }
.why { margin: 0; font-size: 0.95rem; } .detail { color: #555; font-size: 0.9rem; }
.verdict { font-weight: bold; } .summary { font-weight: bold; }
blockquote { border-left: 4px solid #9ab; margin-left: 0; padding-left: 0.8rem; color: #444; }
"""

_RENDER_MATH = """
document.querySelectorAll("[data-tex]").forEach(function (e) {
  var display = e.tagName !== "SPAN";
  katex.render(e.getAttribute("data-tex"), e, {displayMode: display, throwOnError: false});
});
"""


def _html_math(tex_source: str) -> str:
    # The TeX stays readable as the element's text until (or unless) KaTeX replaces it.
    quoted = html.escape(tex_source)
    return f'<div class="math" data-tex="{quoted}">{quoted}</div>'


def to_html(checked: CheckedDerivation, lang: str = "en") -> str:
    """A self-contained HTML page: KaTeX inlined, no network needed to view it.

    >>> from symbolic.catalog import get
    >>> from symbolic.kernel import check
    >>> page = to_html(check(get("kl-vs-mle")), lang="ko")
    >>> "empirical distribution" in page and "http" not in page.split("<script>")[0]
    True
    """
    d = checked.derivation
    esc = html.escape
    body = []
    for k, chain in enumerate(checked.chains()):
        if k:
            part = chain.derivation
            body += [f"<h2>{_html_prose(translate(part.title, lang))}</h2>",
                     f"<p>{phrase('checked_by', lang, id=f'<code>{esc(part.id)}</code>')}</p>"]
        body += ['<ol class="chain">', *_html_items(chain, lang), "</ol>"]
        if k == 0:
            body += _html_textbook(d, lang)
        body += [
            f"<blockquote><strong>{esc(phrase('note', lang))}.</strong> "
            f"{_html_prose(translate(n, lang))}</blockquote>"
            for n in chain.derivation.notes
        ]
    return _page(d, body, "; ".join(_summary(checked, lang)), lang)


def _html_textbook(d: Derivation, lang: str) -> list[str]:
    rows = _textbook_rows(d, "html")
    if not rows:
        return []
    out = [f"<h2>{html.escape(phrase('textbook', lang))}</h2>", '<ol class="chain">']
    for form, label, derived, standard, defs in rows:
        why = _textbook_why(form, defs, lang, _html_inline, html.escape)
        status = form.checked.status
        math = _html_math(rf"\begin{{aligned}} {label} &= {derived} \\ &= {standard}"
                          r" \end{aligned}")
        out.append(f'<li class="{status.value}">{math}<p class="why">{why} — <span '
                   f'class="verdict">{MARKS[status]} {html.escape(_word(status, lang))}</span>'
                   "</p></li>")
    return out + ["</ol>"]


def _html_items(checked: CheckedDerivation, lang: str) -> list[str]:
    esc = html.escape
    items = []
    for left, right, step in _lines(checked.derivation, checked.steps, "latex"):
        rel = _rel(step, True)
        alike = same_sides((left, right, step))
        if alike:
            math = _html_math(left) if left else ""
        else:
            math = _html_math(f"{left} {rel} {right}" if left else f"{rel} {right}")
        if not isinstance(step, CheckedStep):
            items.append(f"<li>{math}</li>")
            continue
        same = f" ({esc(phrase('same_sides', lang))})" if alike else ""
        why = (
            f'<p class="why">({step.index}) {_html_prose(translate(step.rule, lang))}{same} — '
            f'<span class="verdict">{MARKS[step.status]} {esc(_word(step.status, lang))}</span></p>'
        )
        if step.status is not Status.PROVED:
            why += (
                f'<p class="detail">{esc(phrase("detail", lang))}: {_html_prose(step.detail)}</p>'
            )
            if step.counterexample:
                why += (
                    f'<p class="detail">{esc(phrase("counterexample", lang))}: '
                    + "<br>".join(esc(ln) for ln in _counterexample(step.counterexample))
                    + "</p>"
                )
        items.append(f'<li class="{step.status.value}">{math}{why}</li>')
    return items


def _page(d: Derivation, body: list[str], summary: str, lang: str) -> str:
    esc = html.escape
    css, js = _katex()
    title = esc(prose.to_unicode(translate(d.title, lang)))
    heading = _html_prose(translate(d.title, lang))
    checked_by = phrase("checked_by", lang, id=f"<code>{esc(d.id)}</code>")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{lang}">',
            '<head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{title}</title>",
            f"<style>{css}</style>",
            f"<style>{_PAGE_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{heading}</h1>",
            f"<p>{checked_by}</p>",
            *([f'<p class="summary">{esc(_solver_line(d, lang))}</p>'] if _solver_line(d, lang)
              else []),
            *([f"<p>{_laws_note(d, lang, _html_inline)}</p>"] if _laws_note(d, lang, str) else []),
            *body,
            f'<p class="summary">{esc(phrase("summary", lang))}: {esc(summary)}.</p>',
            f"<script>{js}</script>",
            f"<script>{_RENDER_MATH}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


RENDERERS: dict[str, Callable[[CheckedDerivation, str], str]] = {
    "latex": to_latex,
    "markdown": to_markdown,
    "html": to_html,
}
"""The text formats by name, each taking a checked derivation and a language."""


# --- Jupyter ---------------------------------------------------------------------------------


def _aligned(d: Derivation, steps: Sequence[CheckedStep | _Link], verdicts: bool) -> str:
    rows = []
    for left, right, step in _lines(d, steps, "latex"):
        note = "" if step is None else _latex_note(step, "en", verdicts)
        if same_sides((left, right, step)):
            # The rule still shows, beside the expression or on a row of its own.
            rows.append(rf"{left} &{note}")
            continue
        rows.append(rf"{left} &{_rel(step, True)} {right}{note}")
    return "$$\\begin{aligned}" + " \\\\\n".join(rows) + r"\end{aligned}$$"


def _checked_derivation_latex(self: CheckedDerivation) -> str:
    return "\n".join(_aligned(c.derivation, c.steps, verdicts=True) for c in self.chains())


def _derivation_latex(self: Derivation) -> str:
    return _aligned(self, _links(self), verdicts=False)


def _checked_step_latex(self: CheckedStep) -> str:
    # An equality relates values; an argmin/argmax step relates the two optimizer sets.
    optimizers = self.relation.optimizes
    lhs = _opt(self.lhs_sense if optimizers else Relation.EQ, tex(self.lhs), True)
    rhs = _opt(self.relation if optimizers else Relation.EQ, tex(self.rhs), True)
    note = _latex_note(self, "en", True).replace("&&", r"\qquad")
    return f"$$ {lhs} {_rel(self, True)} {rhs}{note} $$"


def _checked_derivation_markdown(self: CheckedDerivation) -> str:
    return to_markdown(self)


def _derivation_markdown(self: Derivation) -> str:
    # The rules under the chain, not in a column beside it: MathJax does not wrap a \text, so a
    # long rule ran off the cell and took the rest of the line with it.
    out = [_aligned_markdown(self, _links(self))]
    out += ["", *(f"{link.index}. {_md_prose(link.rule)}" for link in _links(self))]
    return "\n".join(out) + "\n"


def _checked_step_markdown(self: CheckedStep) -> str:
    optimizers = self.relation.optimizes
    lhs = _opt(self.lhs_sense if optimizers else Relation.EQ, tex(self.lhs), True)
    rhs = _opt(self.relation if optimizers else Relation.EQ, tex(self.rhs), True)
    out = [
        f"$$ {lhs} {_rel(self, True)} {rhs} $$",
        "",
        f"({self.index}) {_md_prose(self.rule)} — **{MARKS[self.status]} {self.status.value}**",
    ]
    if self.status is not Status.PROVED:
        out += ["", f"{phrase('detail', 'en')}: {_md_prose(self.detail)}"]
    if self.counterexample:
        out += ["", *(f"- {_md_prose(line.strip())}" for line in
                      _counterexample(self.counterexample))]
    return "\n".join(out) + "\n"


def _status_markdown(self: Status) -> str:
    return f"**{MARKS[self]} {self.value}**"


def _status_pretty(self: Status, p: object, cycle: bool) -> None:
    p.text(f"{MARKS[self]} {self.value}")  # type: ignore[attr-defined]


# Jupyter shows objects through a `_repr_latex_` method. The kernel and the derivations stay free
# of printing code, so the printer attaches the hooks; the measures get theirs from sympy.
CheckedDerivation._repr_latex_ = _checked_derivation_latex  # type: ignore[attr-defined]
Derivation._repr_latex_ = _derivation_latex  # type: ignore[attr-defined]
CheckedStep._repr_latex_ = _checked_step_latex  # type: ignore[attr-defined]
CheckedDerivation._repr_markdown_ = _checked_derivation_markdown  # type: ignore[attr-defined]
Derivation._repr_markdown_ = _derivation_markdown  # type: ignore[attr-defined]
CheckedStep._repr_markdown_ = _checked_step_markdown  # type: ignore[attr-defined]
Status._repr_markdown_ = _status_markdown  # type: ignore[attr-defined]
Status._repr_pretty_ = _status_pretty  # type: ignore[attr-defined]
