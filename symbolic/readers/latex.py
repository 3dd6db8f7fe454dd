r"""LaTeX as people write it, read into the expressions of the derivation files, without guessing.

The text is data: a lexer of our own turns it into tokens, knowing every command by name and
refusing the rest (``\input``, ``\def``, ``\write18`` and any command it does not know are errors
naming the command and its position); the LALR grammar ``latex.lark`` (lark) combines the
tokens; this module builds sympy objects from the tree directly. Nothing is evaluated, sympified
or handed to ``parse_latex``.

>>> read_expression(r"H(\hat{p}_{data}, p_{model})")
CrossEntropy(p_data, p_model)
>>> read_expression(r"- \frac{1}{N} \sum_{i=1}^{N} \log p_{model}(y_i \mid x_i, \theta)")
-Sum(log(PModel(y[i], x[i], theta)), (i, 1, N))/N
>>> read_expression(r"e^{-x^2}", Declarations(symbols={"x": "real"}))
exp(-x**2)

Where notation has two readings the reader says so, with both readings, instead of picking:

>>> try:
...     read_expression(r"\sin x^2")
... except LatexError as err:
...     print(err.line, err.column, err.readings)
1 6 ('sin(x^…)', '(sin x)^…')

What it accepts, in full, is in ``docs/latex.md``.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

import sympy
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer
from sympy import Expr, Function, IndexedBase, Lambda, Symbol
from sympy.core.symbol import Str

from symbolic.kernel.budget import BudgetExceeded, time_budget
from symbolic.kernel.matrices import Components
from symbolic.kernel.measures import (
    KL,
    NLL,
    BoundModel,
    CrossEntropy,
    Defined,
    DirichletLaw,
    Distribution,
    Entropy,
    Expectation,
    Law,
    Likelihood,
    LogLikelihood,
    Mean,
    ModelDistribution,
    N,
    NormalLaw,
    PData,
    PDataX,
    PModel,
    i,
    p_data,
    p_data_x,
    p_model,
    theta,
    x,
    xv,
    y,
    yv,
)
from symbolic.readers.laws import (
    FAMILIES,
    CatalogLaw,
    LawDivergence,
    LawEntropy,
    LawExpectation,
    law,
)

__all__ = [
    "LatexError",
    "LatexLimits",
    "Declarations",
    "Member",
    "Chain",
    "NamedDistribution",
    "CONSTANT",
    "EXTRA_KINDS",
    "read_chain",
    "read_expression",
    "symbol_for",
]

#: The word "constant" of ``+ constant``: a term the chain builder replaces by ``Constant(...)``.
CONSTANT = Symbol("constant_term", real=True)


class LatexError(ValueError):
    """LaTeX the reader refuses: ``source:line:column: reason``; ``readings`` lists the
    possible meanings when the reason is an ambiguity."""

    def __init__(
        self, detail: str, source: str, line: int, column: int, readings: Sequence[str] = ()
    ) -> None:
        self.detail, self.source, self.line, self.column = detail, source, line, column
        self.readings = tuple(readings)
        super().__init__(f"{source}:{line}:{column}: {detail}")


@dataclass(frozen=True)
class LatexLimits:
    """Bounds on one display-math block: characters, tokens, bracket depth, digits of a
    literal, numeric exponents and wall time (seconds) spent building."""

    max_length: int = 8000
    max_tokens: int = 3000
    max_depth: int = 40
    max_digits: int = 12
    max_exponent: int = 1000
    seconds: float = 5.0


_KINDS: dict[str, dict[str, bool]] = {
    "real": {"real": True},
    "positive": {"positive": True},
    "negative": {"negative": True},
    "nonnegative": {"nonnegative": True},
    "integer": {"integer": True},
    "positive integer": {"integer": True, "positive": True},
    "nonnegative integer": {"integer": True, "nonnegative": True},
}
#: Kinds a declaration may give besides the TOML files' symbol kinds.
EXTRA_KINDS = (
    "data",
    "positive data",
    "function",
    "distribution",
    "variable",
    "vector",
    "matrix",
)
_ARRAYS = ("vector", "matrix")
_DATA = ("data", "positive data")


@dataclass(frozen=True)
class Declarations:
    """What a document declares: ``symbols`` maps a name (``sigma``, ``x``, ``p_model``,
    ``hat_theta``; a subscript that is part of a name joins with ``_``) to a kind: one of the
    TOML files' kinds (``real``, ``positive``, ...), ``data`` (indexed by a subscript),
    ``positive data`` (so, with positive entries: a Dirichlet law's α), ``function``,
    ``distribution`` or ``variable`` (a real symbol; ``e`` declared so is no longer Euler's
    number), ``vector`` (a column of ``dimension`` entries, a sympy MatrixSymbol) or
    ``matrix`` (square, ``dimension`` by ``dimension``); the dimension is a positive integer
    unless declared otherwise. ``params`` are the symbols argmin/argmax range over; the
    likelihood and the NLL are over the bound ``model``'s parameters when it has them."""

    symbols: Mapping[str, str] = field(default_factory=dict)
    params: tuple[str, ...] = ("theta",)
    dimension: str = "d"
    #: What a declared function stands for (a [define] of the derivation files): applied, it
    #: reads as the abbreviation, :class:`~symbolic.kernel.measures.Defined`.
    defined: Mapping[str, Lambda] = field(default_factory=dict)
    #: The model p_model is bound to (a [model] of the files), instead of the seed's p_model.
    model: BoundModel | None = None
    #: The bases of data declared as the files declare them ([data] t = "onehot[K]",
    #: [vectors] a = "real[K]"): t_k is then t[k] with the files' assumptions on t.
    bases: Mapping[str, IndexedBase] = field(default_factory=dict)

    def kind(self, name: str) -> str | None:
        return self.symbols.get(name)


class NamedDistribution(Distribution):
    """A distribution the text names without defining (``p`` and ``q`` of ``H(p, q)``): its
    density at ``(y, x)`` is an undefined positive function of ``x`` alone."""

    def __new__(cls, name: Symbol) -> NamedDistribution:
        return Expr.__new__(cls, name)

    @property
    def name(self) -> str:
        return self.args[0].name

    def density(self, yy: Expr, xx: Expr) -> Expr:
        return Function(self.name, positive=True)(xx)

    def _latex(self, printer: object) -> str:
        return self.name

    def _sympystr(self, printer: object) -> str:
        return self.name


@dataclass(frozen=True)
class Member:
    """One side of a relation in a chain: its value (None for the label ``\\hat\\theta_{MLE}``),
    whether it is an objective (``argmin``/``argmax``), and where it starts."""

    value: Expr | None
    optimize: str | None
    label: str | None
    line: int
    column: int


@dataclass(frozen=True)
class Chain:
    """A chain ``m0 R1 m1 R2 m2 ...`` as written; ``leading`` is the relation a block opens
    with when it continues the one before (``= ...``). ``relations`` hold (relation, line,
    column); ``notes`` say what loose notation was read as."""

    members: tuple[Member, ...]
    relations: tuple[tuple[str, int, int], ...]
    leading: tuple[str, int, int] | None
    notes: tuple[str, ...]


# --- the lexer ------------------------------------------------------------------------------

_GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)
_FUNCS = frozenset("log ln exp sin cos tan sinh cosh tanh arcsin arccos arctan".split())
_SPACES = frozenset(
    "quad qquad enspace thinspace medspace thickspace negthinspace , ! ; : > ".split()
)
_SPACES = _SPACES | {" ", "\n", "\t", "displaystyle", "textstyle", "nonumber", "notag"}
_SIZES = frozenset(
    "left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr".split()
)
_ACCENTS = frozenset("hat widehat bar overline tilde widetilde".split())
_BOLD = frozenset(("mathbf", "boldsymbol", "bm"))
_WORD_COMMANDS = frozenset("mathrm text textrm textit mathit operatorname mathsf".split())
_RELATIONS = {
    "le": "le",
    "leq": "le",
    "leqslant": "le",
    "ge": "ge",
    "geq": "ge",
    "geqslant": "ge",
    "propto": "propto",
    "ne": "ne",
    "neq": "ne",
    "approx": "approx",
}
_LOGIC = {"wedge": "and", "land": "and", "vee": "or", "lor": "or"}
_SEPARATORS = {"mid": "mid", "vert": "mid", "|": "parallel", "parallel": "parallel", "sim": "sim"}
# Commands that make TeX read, write, define or run something: named with why they are refused.
_HOSTILE = {
    "input": "would read a file",
    "include": "would read a file",
    "InputIfFileExists": "would read a file",
    "openin": "would read a file",
    "read": "would read a file",
    "readline": "would read a file",
    "write": "would write a file or run a shell command",
    "immediate": "would write a file",
    "openout": "would write a file",
    "special": "would pass commands to the driver",
    "directlua": "would run Lua code",
    "luaexec": "would run Lua code",
    "def": "would define a macro",
    "edef": "would define a macro",
    "gdef": "would define a macro",
    "xdef": "would define a macro",
    "let": "would define a macro",
    "futurelet": "would define a macro",
    "newcommand": "would define a macro",
    "renewcommand": "would define a macro",
    "providecommand": "would define a macro",
    "DeclareMathOperator": "would define a macro",
    "csname": "would build a command from text",
    "endcsname": "would build a command from text",
    "expandafter": "would expand macros",
    "catcode": "would change how TeX reads characters",
    "makeatletter": "would change how TeX reads characters",
    "usepackage": "would load a package",
    "documentclass": "would start a document",
    "begin": "would open an environment inside math",
    "end": "would close an environment inside math",
    "verb": "would read verbatim text",
    "href": "would make a link",
    "url": "would make a link",
    "includegraphics": "would read a file",
}


@dataclass
class _Scan:
    """The lexer's state: the text, its place in the document and the tokens so far."""

    text: str
    source: str
    line0: int
    col0: int
    limits: LatexLimits
    tokens: list[Token] = field(default_factory=list)
    # The open environments of cells (cases, matrices), with where each began: inside them
    # & and \\ separate cells and rows.
    cells: list[tuple[str, int]] = field(default_factory=list)

    def where(self, index: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, index)
        col = index - (self.text.rfind("\n", 0, index) + 1) + 1
        return self.line0 + line, (self.col0 - 1 + col) if line == 0 else col

    def error(self, detail: str, index: int, readings: Sequence[str] = ()) -> LatexError:
        line, col = self.where(index)
        return LatexError(detail, self.source, line, col, readings)

    def emit(self, kind: str, value: str, start: int, end: int) -> None:
        line, col = self.where(start)
        self.tokens.append(Token(kind, value, start, line, col, line, col, end))


def _letters(text: str, k: int) -> int:
    while k < len(text) and text[k].isascii() and text[k].isalpha():
        k += 1
    return k


def _braced_word(scan: _Scan, k: int, command: str) -> tuple[str, int]:
    """The word in ``{...}`` after ``\\mathbb``, ``\\text``, ``\\operatorname``: letters,
    digits and spaces only."""
    text = scan.text
    while k < len(text) and text[k] in " \t\n":
        k += 1
    if k >= len(text) or text[k] != "{":
        raise scan.error(f"\\{command} needs a braced argument", k)
    end = k + 1
    while end < len(text) and (text[end].isascii() and text[end].isalnum() or text[end] in " -"):
        end += 1
    if end >= len(text) or text[end] != "}":
        raise scan.error(f"\\{command}{{...}} holds letters and digits only", end)
    return text[k + 1 : end].strip(), end + 1


def _bold_name(scan: _Scan, start: int, k: int, command: str) -> tuple[str, int]:
    """The letter or Greek letter in ``{...}`` after ``\\mathbf``, ``\\boldsymbol`` or
    ``\\bm``: ``x`` of ``\\mathbf{x}``, ``mu`` of ``\\boldsymbol{\\mu}``."""
    found = re.match(r"\s*\{\s*(\\?)([A-Za-z]+)\s*\}", scan.text[k:])
    named = found is not None and (found[2] in _GREEK if found[1] else len(found[2]) == 1)
    if not named:
        raise scan.error(
            f"\\{command}{{...}} holds one letter or one Greek letter: a vector's name", start
        )
    return found[2], k + found.end()  # type: ignore[index]


def _command(scan: _Scan, start: int) -> int:
    """Lex the command at ``start`` (a backslash); return where the next token begins."""
    text = scan.text
    k = _letters(text, start + 1)
    if k == start + 1:
        if k >= len(text):
            raise scan.error("a lone backslash ends the formula", start)
        name, k = text[k], k + 1
    else:
        name = text[start + 1 : k]
    if k < len(text) and text[k] == "*" and name == "operatorname":
        k += 1
    env = re.match(r"\s*\{(cases|matrix|pmatrix|bmatrix)\}", text[k:])
    if name in ("begin", "end") and env:
        # The environments read inside math: cases, a piecewise definition, and matrices.
        end = k + env.end()
        kind = "CASES" if env[1] == "cases" else "MATRIX"
        if name == "begin":
            scan.cells.append((env[1], start))
        elif not scan.cells:
            raise scan.error(f"\\end{{{env[1]}}} closes no \\begin{{{env[1]}}}", start)
        elif scan.cells[-1][0] != env[1]:
            line, col = scan.where(scan.cells[-1][1])
            raise scan.error(
                f"\\end{{{env[1]}}} closes the \\begin{{{scan.cells[-1][0]}}} of line {line}, "
                f"column {col}",
                start,
            )
        else:
            scan.cells.pop()
        scan.emit(("BEGIN" if name == "begin" else "END") + kind, env[1], start, end)
        return end
    if name in _HOSTILE:
        raise scan.error(
            f"\\{name} is refused: it {_HOSTILE[name]}; the reader never runs TeX", start
        )
    if name == "\\" and scan.cells:
        scan.emit("ROWSEP", name, start, k)
        return k
    if name in _SPACES or name == "\\":
        return k
    if name in _LOGIC:
        scan.emit("LOGIC", _LOGIC[name], start, k)
        return k
    if name in _SIZES:
        j = k
        while j < len(text) and text[j] in " \t\n":
            j += 1
        if name in ("left", "right") and text[j : j + 1] == "|":
            # \left| ... \right| is an absolute value; a bare | is a bar of p(y | x).
            scan.emit("LABS" if name == "left" else "RABS", "|", start, j + 1)
            return j + 1
        return k
    if name in ("limits", "nolimits"):
        return k
    if name in _GREEK:
        scan.emit("GREEK", name, start, k)
    elif name in _FUNCS:
        scan.emit("FUNC", name, start, k)
    elif name in ("frac", "dfrac", "tfrac"):
        scan.emit("FRAC", name, start, k)
    elif name == "sqrt":
        scan.emit("SQRT", name, start, k)
    elif name in ("binom", "dbinom", "tbinom"):
        scan.emit("BINOM", name, start, k)
    elif name == "partial":
        scan.emit("PARTIAL", name, start, k)
    elif name in ("sum", "prod", "int"):
        scan.emit("BIG", name, start, k)
    elif name in ("cdot", "times", "ast"):
        scan.emit("CDOT", name, start, k)
    elif name == "infty":
        scan.emit("INFTY", name, start, k)
    elif name in _ACCENTS:
        scan.emit("ACCENT", "bar" if name == "overline" else name.removeprefix("wide"), start, k)
    elif name in _RELATIONS:
        scan.emit("REL", _RELATIONS[name], start, k)
    elif name in _SEPARATORS:
        value = _SEPARATORS[name]
        last = scan.tokens[-1] if scan.tokens else None
        if value == "mid" and last is not None and last.type == "SEP" and last.value == "mid":
            # \mid \mid, as the seed writes D_KL(P \mid \mid Q), is \|.
            scan.tokens[-1] = Token("SEP", "parallel", last.start_pos, last.line, last.column)
        else:
            scan.emit("SEP", value, start, k)
    elif name in ("argmin", "argmax"):
        scan.emit("OPT", name, start, k)
    elif name == "arg":
        j = k
        while j < len(text) and text[j] in " \t\n":
            j += 1
        end = _letters(text, j + 1) if text[j : j + 1] == "\\" else j
        follow = text[j + 1 : end]
        if follow not in ("min", "max"):
            raise scan.error("\\arg is read only as \\arg\\min or \\arg\\max", start)
        scan.emit("OPT", "arg" + follow, start, end)
        return end
    elif name == "det":
        scan.emit("TEXTWORD", name, start, k)
    elif name in ("min", "max"):
        j = k
        while j < len(text) and text[j] in " \t\n":
            j += 1
        if text[j : j + 1] == "_":
            raise scan.error(f"\\{name} alone is not read: write \\arg\\{name}_\\theta", start)
        scan.emit("TEXTWORD", name, start, k)
    elif name in _BOLD:
        word, k = _bold_name(scan, start, k, name)
        scan.emit("BOLD", word, start, k)
    elif name in ("mathbb", "mathcal"):
        word, k = _braced_word(scan, k, name)
        if len(word) != 1 or not word.isalpha():
            raise scan.error(f"\\{name}{{{word}}}: one letter expected", start)
        kind = "EXPECT" if (name, word) == ("mathbb", "E") else name.upper()
        scan.emit(kind, word, start, k)
    elif name in _WORD_COMMANDS or name == "operatorname*":
        word, k = _braced_word(scan, k, name)
        if word in ("argmin", "argmax", "arg min", "arg max"):
            scan.emit("OPT", word.replace(" ", ""), start, k)
        elif not word or not word.replace(" ", "").isalnum():
            raise scan.error(f"\\{name}{{{word}}}: a word of letters expected", start)
        else:
            scan.emit("TEXTWORD", word, start, k)
    elif name == "{" or name == "}":
        raise scan.error(f"\\{name}: sets in braces are not read", start)
    elif name == "prime":
        raise scan.error("\\prime is not read: write the prime as ', f'(z)", start)
    else:
        raise scan.error(f"unknown command \\{name}", start)
    return k


_CHARS = {
    "+": ("PLUS", "+"),
    "-": ("MINUS", "-"),
    "*": ("CDOT", "ast"),
    "/": ("SLASH", "/"),
    "_": ("SUB", "_"),
    "^": ("SUP", "^"),
    "=": ("REL", "="),
    "<": ("REL", "<"),
    ">": ("REL", ">"),
    ",": ("SEP", "comma"),
    ";": ("SEP", "semi"),
    ":": ("SEP", "colon"),
    "(": ("LPAR", "("),
    ")": ("RPAR", ")"),
    "[": ("LBRACK", "["),
    "]": ("RBRACK", "]"),
    "{": ("LBRACE", "{"),
    "}": ("RBRACE", "}"),
}
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_REFUSED_CHARS = {
    "$": "a math delimiter $ inside display math",
    "#": "# is a macro parameter; the reader never runs TeX",
}


def _lex(scan: _Scan) -> list[Token]:
    text, limits = scan.text, scan.limits
    stack: list[tuple[str, int]] = []
    k = 0
    while k < len(text):
        c = text[k]
        if c == "&" and scan.cells:
            scan.emit("AMP", c, k, k + 1)
            k += 1
        elif c in " \t\n\r~&":
            k += 1
        elif c == "%":
            end = text.find("\n", k)
            k = len(text) if end < 0 else end
        elif c == "\\":
            k = _command(scan, k)
        elif c.isascii() and c.isalpha():
            # After _ or ^ TeX takes one character: x_ij is x_i j.
            single = bool(scan.tokens) and scan.tokens[-1].type in ("SUB", "SUP")
            end = k + 1 if single else _letters(text, k)
            scan.emit("WORD", text[k:end], k, end)
            k = end
        elif c.isdigit():
            single = bool(scan.tokens) and scan.tokens[-1].type in ("SUB", "SUP", "FRAC")
            end = k + 1
            if not single:
                while end < len(text) and text[end].isdigit():
                    end += 1
                if text[end : end + 1] == "." and text[end + 1 : end + 2].isdigit():
                    end += 1
                    while end < len(text) and text[end].isdigit():
                        end += 1
            digits = sum(ch.isdigit() for ch in text[k:end])
            if digits > limits.max_digits:
                raise scan.error(f"a number of {digits} digits; at most {limits.max_digits}", k)
            scan.emit("NUMBER", text[k:end], k, end)
            k = end
        elif c == "|":
            if text[k + 1 : k + 2] == "|":
                scan.emit("SEP", "parallel", k, k + 2)
                k += 2
            else:
                scan.emit("SEP", "mid", k, k + 1)
                k += 1
        elif c in _CHARS:
            kind, value = _CHARS[c]
            if c in _CLOSE:
                stack.append((c, k))
                if len(stack) > limits.max_depth:
                    raise scan.error(f"brackets nest deeper than {limits.max_depth}", k)
            elif c in ")]}":
                if not stack:
                    raise scan.error(f"unbalanced {c}: nothing opened it", k)
                opened, at = stack.pop()
                if _CLOSE[opened] != c:
                    line, col = scan.where(at)
                    raise scan.error(
                        f"unbalanced {c}: it closes the {opened} of line {line}, column {col}", k
                    )
            scan.emit(kind, value, k, k + 1)
            k += 1
        elif c == "!":
            scan.emit("BANG", "!", k, k + 1)
            k += 1
        elif c == "'":
            _prime(scan, k)
            k += 1
        elif c == "." and text[k + 1 :].strip() == "":
            k += 1  # the full stop ending a displayed sentence
        elif c in _REFUSED_CHARS:
            raise scan.error(_REFUSED_CHARS[c], k)
        else:
            raise scan.error(f"unexpected character {c!r} (U+{ord(c):04X})", k)
        if len(scan.tokens) > limits.max_tokens:
            raise scan.error(f"more than {limits.max_tokens} tokens", k)
    if stack:
        opened, at = stack[-1]
        raise scan.error(f"unbalanced {opened}: it is never closed", at)
    if scan.cells:
        env, at = scan.cells[-1]
        raise scan.error(f"\\begin{{{env}}} is never closed", at)
    tokens = scan.tokens
    if tokens and tokens[-1].type == "SEP" and tokens[-1].value == "comma":
        tokens.pop()  # the comma ending a displayed clause
    return tokens


def _prime(scan: _Scan, k: int) -> None:
    """``f'``, ``\\theta''``: a prime joins the name it follows (the reader decides later
    whether it is a derivative or part of a name). It follows a name directly, never a
    subscript, a bracket or a space."""
    tokens = scan.tokens
    last = tokens[-1] if tokens else None
    scripted = len(tokens) > 1 and tokens[-2].type in ("SUB", "SUP")
    if last is None or last.type not in ("WORD", "GREEK") or last.end_pos != k or scripted:
        raise scan.error("a prime stands right after a name: f'(x), \\theta'", k)
    tokens[-1] = Token(
        last.type, last.value + "'", last.start_pos, last.line, last.column, end_pos=k + 1
    )


class _TokenLexer(Lexer):
    """Hands lark the tokens :func:`_lex` made."""

    def __init__(self, conf: object) -> None:
        pass

    def lex(self, data: list[Token]) -> Iterator[Token]:  # type: ignore[override]
        return iter(data)


@cache
def _parser() -> Lark:
    grammar = resources.files("symbolic.readers").joinpath("latex.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", lexer=_TokenLexer, propagate_positions=False)


# --- building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """A factor of a product before applications are settled."""

    kind: str  # value, func, callable, paren, free, dist, word, psi
    value: object
    token: Token
    power: Expr | None = None  # a superscript waiting for the application it belongs to
    sub: Expr | None = None  # a function's subscript: the base of \log_2
    items: tuple[Expr, ...] = ()
    seps: tuple[str, ...] = ()
    braced: bool = False
    raised: bool = False  # written with a superscript (\sin x^2 is ambiguous)


@dataclass
class _Context:
    """What names mean where the reader is: bound variables of a sum, an expectation's."""

    bound: dict[str, Expr] = field(default_factory=dict)
    expectation: bool = False
    want_dist: bool = False


class _Builder:
    def __init__(self, scan: _Scan, decl: Declarations, dists: dict[str, Distribution]) -> None:
        self.scan, self.decl, self.dists = scan, decl, dists
        self.notes: list[str] = []
        self.laws_at: dict[CatalogLaw, Token] = {}

    # errors and notes
    def error(self, detail: str, token: Token, readings: Sequence[str] = ()) -> LatexError:
        return LatexError(detail, self.scan.source, token.line, token.column, readings)

    def ambiguous(self, what: str, token: Token, readings: Sequence[str], fix: str) -> LatexError:
        said = " or as ".join(readings)
        return self.error(f"ambiguous: {what} reads as {said}; {fix}", token, readings)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # the chain
    def chain(self, tree: Tree) -> Chain:
        members: list[Member] = []
        relations: list[tuple[str, int, int]] = []
        leading = None
        for child in tree.children:
            if isinstance(child, Token):
                entry = (child.value, child.line, child.column)
                if members:
                    relations.append(entry)
                else:
                    leading = entry
            else:
                members.append(self.member(child))
        return Chain(tuple(members), tuple(relations), leading, tuple(self.notes))

    def member(self, tree: Tree) -> Member:
        first = _first_token(tree)
        optimize = None
        children = list(tree.children)
        if isinstance(children[0], Token) and children[0].type == "OPT":
            optimize = children[0].value
            if len(children) == 4:
                over = self.script(children[2], _Context())
                params = [sympy.Symbol(p) for p in self.decl.params]
                if not any(over == self.resolve_param(p) for p in params):
                    raise self.error(
                        f"\\arg\\{optimize[3:]} over {over}: the parameters are "
                        f"{', '.join(self.decl.params)} (declare params to change them)",
                        children[0],
                    )
            body = children[-1]
        else:
            body = children[0]
        label = _label(body)
        if label is not None:
            return Member(None, optimize, label, first.line, first.column)
        value = self.expr(body, _Context())
        stray = _stray_law(value)
        if stray is not None:
            family = stray.family
            raise self.error(
                f"the law {family.written()} is not a value: it stands in "
                f"\\mathbb{{E}}_{{x \\sim {family.tex}(...)}}, H or D_{{KL}}; its density at x is "
                f"{family.written('x')}",
                self.laws_at.get(stray, first),
            )
        return Member(value, optimize, None, first.line, first.column)

    def resolve_param(self, name: Symbol) -> Expr:
        if name.name == "theta":
            return theta
        return self.symbol(name.name, None)

    # sums and products
    def expr(self, tree: Tree, ctx: _Context) -> Expr:
        terms: list[Expr] = []
        negative = False
        for child in tree.children:
            if child.data == "sign":
                negative = child.children[0].type == "MINUS"
            else:
                value = self.term(child, ctx)
                terms.append(-value if negative else value)
                negative = False
        if any(isinstance(t, _MATRICES) for t in terms):
            return functools.reduce(operator.add, terms)
        # One Add for the whole sum: adding term by term is quadratic in sympy.
        return sympy.Add(*terms)

    def term(self, tree: Tree, ctx: _Context) -> Expr:
        groups: list[list[tuple[Token | None, _Piece]]] = []
        pending: Token | None = None
        for child in tree.children:
            if isinstance(child, Token):
                pending = child
                continue
            piece = self.factor(child, ctx)
            if pending is None and groups:
                groups[-1].append((None, piece))
            else:
                groups.append([(pending, piece)])
            pending = None
        result: Expr = sympy.S.One
        for group in groups:
            op = group[0][0]
            pieces = [p for _, p in group]
            value = self.juxtaposed(pieces, ctx)
            if op is not None and op.type == "SLASH":
                result = result / value
            else:
                result = result * value
        return result

    def juxtaposed(self, pieces: list[_Piece], ctx: _Context) -> Expr:
        """The product of factors written side by side, applications settled first."""
        pieces = [
            self.psi(p, pieces[k + 1] if k + 1 < len(pieces) else None) if p.kind == "psi" else p
            for k, p in enumerate(pieces)
        ]
        values: list[Expr] = []
        k = 0
        while k < len(pieces):
            piece = pieces[k]
            nxt = pieces[k + 1] if k + 1 < len(pieces) else None
            if piece.kind == "func":
                value, k = self.apply_function(pieces, k)
                values.append(value)
                continue
            if piece.kind == "deriv":
                # As sympy prints it and as \sum's body: the operator takes the rest.
                if nxt is None:
                    raise self.error("a derivative needs what it differentiates", piece.token)
                later = pieces[k + 2 :]
                if any(p.kind == "deriv" or p.token.type in ("BIG", "EXPECT") for p in later):
                    # sympy prints D(f)·D(g) as \frac{d}{dx} f \frac{d}{dx} g, and D(f)·Σ so too.
                    raise self.ambiguous(
                        "a derivative followed by factors and another operator",
                        piece.token,
                        (
                            "the derivative of the whole product",
                            "the derivative of the factors before the operator, times the rest",
                        ),
                        "write the brackets",
                    )
                body = self.juxtaposed(pieces[k + 1 :], ctx)
                values.append(self.derivative_of(body, piece))
                break
            if piece.kind in ("callable", "dist") and nxt is not None and nxt.kind == "paren":
                values.append(self.power(self.apply(piece, nxt, ctx), nxt))
                k += 2
                continue
            euler = piece.value is sympy.E and piece.token.value == "e" and not piece.raised
            primed = piece.kind == "free" and str(piece.value).endswith("'")
            if primed and nxt is not None and nxt.kind == "paren":
                plain = str(piece.value).rstrip("'")
                raise self.error(
                    f"{piece.value}(...): {plain} is not declared as a function; declare "
                    f"{plain}: function to read {piece.value} as its derivative, or "
                    f"{piece.value}: real for a product",
                    piece.token,
                )
            if (piece.kind == "free" or euler) and nxt is not None and nxt.kind == "paren":
                name = "e" if euler else piece.value
                raise self.ambiguous(
                    f"{name}(...)",
                    piece.token,
                    (f"{name} applied to the bracket", f"the product {name}·(...)"),
                    f"declare {name} as a function or as a variable",
                )
            values.append(self.as_value(piece, ctx))
            k += 1
        return _product(values)

    def power(self, value: Expr, piece: _Piece) -> Expr:
        return value if piece.power is None else self.pow(value, piece.power, piece.token)

    def pow(self, base: Expr, exponent: Expr, token: Token) -> Expr:
        if isinstance(base, _MATRICES):
            return self.matrix_power(base, exponent, token)
        self.bound_nesting(base, token)
        self.bound_nesting(exponent, token)
        if exponent.is_Rational:
            if abs(exponent.p) > self.scan.limits.max_exponent:
                raise self.error(
                    f"exponent {exponent} exceeds the limit of {self.scan.limits.max_exponent}",
                    token,
                )
            if abs(exponent.p) * _digits(base) > _MAX_DIGITS:
                raise self.error(f"the power would have more than {_MAX_DIGITS} digits", token)
        if base.is_number and exponent.is_number and not exponent.is_Rational:
            raise self.error("a power of numbers with a non-rational exponent is not read", token)
        return base**exponent

    def matrix_power(self, base: Expr, exponent: Expr, token: Token) -> Expr:
        """``A^{T}`` is the transpose, ``A^{-1}`` the inverse, ``A^{n}`` a power."""
        if isinstance(exponent, Symbol) and exponent.name == "T":
            return base.T
        rows, cols = base.shape
        if not (exponent.is_Integer and abs(exponent) <= self.scan.limits.max_exponent):
            raise self.error("a matrix is raised to T or to an integer", token)
        if rows != cols:
            raise self.error("a power of a matrix that is not square", token)
        return base.I if exponent == -1 else base**exponent

    def psi(self, piece: _Piece, nxt: _Piece | None) -> _Piece:
        """An undeclared ``\\psi`` applied to a bracket is the digamma function, and
        ``\\psi^{(n)}`` the polygamma of order n, as \\Gamma is the gamma function; ``\\psi``
        standing alone is a variable."""
        order, plain = piece.value  # type: ignore[misc]
        if nxt is not None and nxt.kind == "paren":
            return _Piece("callable", ("polygamma", order), piece.token)
        if piece.raised:
            raise self.error(f"\\psi^{{({order})}} needs its argument in brackets", piece.token)
        return plain

    def as_value(self, piece: _Piece, ctx: _Context) -> Expr:
        if piece.kind == "psi":
            piece = self.psi(piece, None)
        if piece.kind == "paren":
            if len(piece.items) != 1:
                raise self.error("a list in brackets is not a value", piece.token)
            return self.power(piece.items[0], piece)
        if piece.kind == "callable":
            raise self.error(f"{_called(piece.value)} needs its arguments in brackets", piece.token)
        if piece.kind in ("value", "free", "dist"):
            value = piece.value if piece.kind != "free" else self.symbol(piece.value, piece.token)
            return self.power(value, piece)
        raise self.error("this cannot stand here", piece.token)

    def apply_function(self, pieces: list[_Piece], k: int) -> tuple[Expr, int]:
        """``\\log x``, ``\\log(x)``, ``\\log p(y|x)``, ``\\sin^2 x``: the argument is the bracket
        or the single factor that follows."""
        func = pieces[k]
        name = func.value
        if k + 1 >= len(pieces):
            raise self.error(f"\\{name} without an argument", func.token)
        arg_piece = pieces[k + 1]
        if arg_piece.kind == "func":
            # \log \log x is log(log x): the inner function takes its own argument first.
            inner, end = self.apply_function(pieces, k + 1)
            value = self.elementary(name, inner, func)
            if func.power is not None:
                value = self.pow(value, func.power, func.token)
            return value, end
        if arg_piece.kind == "paren" or arg_piece.braced:
            arg = (
                arg_piece.value
                if arg_piece.braced
                else self.as_value(
                    _Piece("paren", None, arg_piece.token, None, None, arg_piece.items), _Context()
                )
            )
            end = k + 2
            outer = arg_piece.power
        else:
            if arg_piece.power is not None or arg_piece.raised:
                raise self.ambiguous(
                    f"\\{name} {arg_piece.token.value}^…",
                    arg_piece.token,
                    (
                        f"{name}({arg_piece.token.value}^…)",
                        f"({name} {arg_piece.token.value})^…",
                    ),
                    "write the brackets",
                )
            end = k + 2
            after = pieces[k + 2] if k + 2 < len(pieces) else None
            if (
                arg_piece.kind in ("callable", "dist")
                and after is not None
                and after.kind == "paren"
            ):
                arg = self.power(self.apply(arg_piece, after, _Context()), after)
                end = k + 3
            elif arg_piece.kind == "free" and after is not None and after.kind == "paren":
                raise self.ambiguous(
                    f"{arg_piece.value}(...)",
                    arg_piece.token,
                    (
                        f"{arg_piece.value} applied to the bracket",
                        f"the product {arg_piece.value}·(...)",
                    ),
                    f"declare {arg_piece.value} as a function or as a variable",
                )
            else:
                arg = self.as_value(arg_piece, _Context())
            following = pieces[end] if end < len(pieces) else None
            if following is not None and following.kind in ("value", "free", "paren", "dist"):
                raise self.ambiguous(
                    f"\\{name} followed by a product",
                    func.token,
                    (f"{name} of the first factor times the rest", f"{name} of the whole product"),
                    "write the brackets",
                )
            outer = None
        value = self.elementary(name, arg, func)
        if func.power is not None:
            value = self.pow(value, func.power, func.token)
        if outer is not None:
            value = self.pow(value, outer, arg_piece.token)
        return value, end

    def elementary(self, name: str, arg: Expr, func: _Piece) -> Expr:
        if name in ("log", "ln") and func.sub is None and isinstance(arg, Likelihood):
            # As the printer writes LogLikelihood: \log p_{model}(\mathbb{X}; \theta).
            return LogLikelihood(arg.args[0])
        arg = _densities(arg)
        self.bound_nesting(arg, func.token)
        if name in ("log", "ln"):
            if func.sub is None:
                return sympy.log(arg)
            if name == "ln" or not (func.sub.is_Integer and func.sub > 1):
                raise self.error("a log's base must be an integer above 1", func.token)
            return sympy.log(arg) / sympy.log(func.sub)
        if func.sub is not None:
            raise self.error(f"\\{name} takes no subscript", func.token)
        if name == "exp":
            self.bound_exp(arg, func.token)
            return sympy.exp(arg)
        return getattr(
            sympy, {"arcsin": "asin", "arccos": "acos", "arctan": "atan"}.get(name, name)
        )(arg)

    def bound_exp(self, arg: Expr, token: Token) -> None:
        self.bound_nesting(arg, token)
        biggest = max((abs(r.p) for r in arg.atoms(sympy.Rational)), default=0)
        if biggest > self.scan.limits.max_exponent:
            raise self.error(f"exp of {biggest} exceeds the limit", token)

    # applications: distributions, measures, declared functions, families
    def apply(self, piece: _Piece, paren: _Piece, ctx: _Context) -> Expr:
        items, seps, what = paren.items, paren.seps, piece.value
        token = piece.token
        if piece.kind == "dist":
            return self.density(what, items, seps, token, ctx)
        if what == "H":
            self.only_commas(seps, token, "H")
            laws = self.laws(items, token, "H")
            if laws:
                if len(laws) > 2:
                    raise self.error("H takes one or two laws", token)
                return LawEntropy(*laws)
            dists = [self.distribution(v, token) for v in items]
            if len(dists) == 1:
                return Entropy(dists[0])
            if len(dists) == 2:
                return CrossEntropy(*dists)
            raise self.error("H takes one or two distributions", token)
        if what == "D_KL":
            if len(items) != 2 or seps != ("parallel",):
                raise self.error("D_{KL} reads as D_{KL}(P \\| Q)", token)
            laws = self.laws(items, token, "D_{KL}")
            if laws:
                return LawDivergence(*laws)
            return KL(*(self.distribution(v, token) for v in items))
        if what == "NLL":
            model = self.decl.model or p_model
            if len(items) != 1 or items[0] != model.param:
                raise self.error(f"NLL reads as \\mathrm{{NLL}}({model.param})", token)
            return NLL(model)
        if what == "normal":
            return self.normal(items, seps, token)
        if isinstance(what, tuple) and what[0] == "law":
            return self.family(what[1], items, seps, token)
        if isinstance(what, tuple) and what[0] == "prime":
            return self.derivative_at(what[1], what[2], items, seps, token)
        if isinstance(what, tuple) and what[0] == "Dir":
            if len(items) != 1 or seps or not isinstance(items[0], Symbol | IndexedBase):
                raise self.error("\\operatorname{Dir}_{K}(\\alpha) takes one named vector", token)
            name = items[0].name if isinstance(items[0], Symbol) else items[0].label.name
            return DirichletLaw(self.vector(name), self.vector("x"), what[1])
        if isinstance(what, tuple):
            self.only_commas(seps, token, "\\psi")
            if len(items) != 1:
                raise self.error("\\psi takes one argument", token)
            return sympy.polygamma(what[1], items[0])
        if what in _SPECIAL and self.decl.kind(what) is None:
            function, arity = _SPECIAL[what]
            self.only_commas(seps, token, what)
            if arity and len(items) != arity:
                raise self.error(f"{what} takes {arity} argument(s)", token)
            for item in items:
                self.bound_factorial(item, token)
            return function(*items)
        if isinstance(what, str) and self.decl.kind(what) == "function":
            return self.declared_function(what, items, seps, token)
        raise self.error(f"{what} cannot be applied", token)

    def declared_function(
        self, name: str, items: tuple[Expr, ...], seps: tuple[str, ...], token: Token
    ) -> Expr:
        """A declared function applied: its definition's abbreviation, or an unknown f."""
        self.only_commas(seps, token, name)
        lam = self.decl.defined.get(name)
        if lam is None:
            return Function(name, real=True)(*items)
        if len(items) != len(lam.variables):
            raise self.error(f"{name} takes {len(lam.variables)} argument(s)", token)
        return Defined(Str(name), lam, *items)

    def derivative_at(
        self, name: str, order: int, items: tuple[Expr, ...], seps: tuple[str, ...], token: Token
    ) -> Expr:
        """``f'(z)``: the derivative of the declared function f at the variable z."""
        primes = "'" * order
        if len(items) != 1 or seps:
            raise self.error(f"{name}{primes} takes one argument: {name}{primes}(z)", token)
        (at,) = items
        if not isinstance(at, Symbol):
            # f'(2z) would be a derivative evaluated at a point, which the kernel cannot check.
            raise self.error(
                f"{name}{primes} is read at a variable only, {name}{primes}(z), not at {at}",
                token,
            )
        return sympy.Derivative(self.declared_function(name, items, seps, token), (at, order))

    def laws(self, items: tuple[Expr, ...], token: Token, name: str) -> tuple[CatalogLaw, ...]:
        """The catalog laws ``H`` or ``D_{KL}`` compares; none when it compares distributions
        (a law among distributions is refused, as in the files)."""
        found = [isinstance(v, CatalogLaw) for v in items]
        if not any(found):
            return ()
        if not all(found):
            raise self.error(f"{name} compares two laws, or two distributions", token)
        return tuple(items)

    def family(
        self, name: str, items: tuple[Expr, ...], seps: tuple[str, ...], token: Token
    ) -> Expr:
        """``\\operatorname{Poisson}(\\lambda)``, the law, or ``\\operatorname{Poisson}(x;
        \\lambda)``, its mass at x (as ``\\mathcal{N}(x; \\mu, \\sigma^2)``)."""
        family = FAMILIES[name]
        if len(items) == family.arity and all(s == "comma" for s in seps):
            return self.law(law(name, *items), token)
        if (
            len(items) == family.arity + 1
            and seps[0] in ("semi", "mid")
            and all(s == "comma" for s in seps[1:])
        ):
            return family.density(*items)
        raise self.error(
            f"{family.tex} reads as {family.written()}, the law, or {family.written('x')}, its "
            "density at x",
            token,
        )

    def law(self, made: CatalogLaw, token: Token) -> CatalogLaw:
        # Where each law is written: an error about a law standing as a value names it.
        self.laws_at[made] = token
        return made

    def only_commas(self, seps: tuple[str, ...], token: Token, name: str) -> None:
        if any(s != "comma" for s in seps):
            raise self.error(f"{name}(...) takes arguments separated by commas", token)

    def normal(self, items: tuple[Expr, ...], seps: tuple[str, ...], token: Token) -> Expr:
        arrays = [isinstance(v, _MATRICES) for v in items]
        if len(items) == 2 and seps == ("comma",) and all(arrays):
            return self.normal_law(*items, token)
        if len(items) == 2 and seps == ("comma",) and not any(arrays):
            # \mathcal{N}(\mu, \sigma^2), the law of one real variable of E, H and D_KL.
            return self.law(law("Normal", *items), token)
        if len(items) != 3 or seps[0] not in ("semi", "mid") or seps[1] != "comma":
            raise self.error(
                "\\mathcal{N} reads as \\mathcal{N}(x; \\mu, \\sigma^2), the density, or "
                "\\mathcal{N}(\\mu, \\sigma^2), the law",
                token,
            )
        return FAMILIES["Normal"].density(*items)

    def normal_law(self, mean: Expr, cov: Expr, token: Token) -> Law:
        """``x \\sim \\mathcal{N}(\\mu, \\Sigma)``: the law of the declared vector x."""
        if self.decl.kind("x") != "vector":
            raise self.error(
                "\\mathcal{N}(\\mu, \\Sigma) is the law of x: declare x a vector", token
            )
        variable = self.declared("x", "vector", None, token).value
        if not (
            isinstance(mean, sympy.MatrixSymbol)
            and isinstance(cov, sympy.MatrixSymbol)
            and mean.shape == variable.shape
            and cov.shape == (variable.shape[0],) * 2
        ):
            raise self.error(
                "\\mathcal{N}(\\mu, \\Sigma) takes a declared vector and a declared matrix", token
            )
        return NormalLaw(mean, cov, variable)

    def density(
        self,
        dist: Distribution,
        items: tuple[Expr, ...],
        seps: tuple[str, ...],
        token: Token,
        ctx: _Context,
    ) -> Expr:
        if isinstance(dist, BoundModel):
            return self.bound_density(dist, items, seps, token)
        if isinstance(dist, ModelDistribution):
            if len(items) == 2 and seps == ("colon",) or seps == ("semi",):
                if items[0] == _DATASET and items[1] == dist.param:
                    if seps == ("colon",):
                        self.note(
                            "p_model(\\mathbb{X}:\\theta) read as the likelihood "
                            "p_model(\\mathbb{X}; \\theta)"
                        )
                    return Likelihood(dist)
            if len(items) == 3 and seps in (("mid", "comma"), ("mid", "semi")):
                return PModel(*items)
            raise self.error(
                "p_{model} reads as p_{model}(y \\mid x, \\theta) "
                "or p_{model}(\\mathbb{X}; \\theta)",
                token,
            )
        if dist is p_data or dist is p_data_x:
            if len(items) == 2 and seps == ("mid",):
                return PData(*items)
            if len(items) == 1:
                return PDataX(items[0])
            raise self.error("\\hat{p}_{data} reads as \\hat{p}_{data}(y \\mid x)", token)
        if len(items) == 2 and seps == ("mid",):
            return dist.density(*items)
        if len(items) == 1:
            return dist.density(yv, items[0])
        raise self.error(f"{dist}(...) reads as {dist}(x) or {dist}(y \\mid x)", token)

    def bound_density(
        self, model: BoundModel, items: tuple[Expr, ...], seps: tuple[str, ...], token: Token
    ) -> Expr:
        """The bound model's density as the files write it, ``p_{model}(y_i, x_i)`` (or
        ``y_i \\mid x_i``), ``p_{model}(x_i)`` when unconditional; and its likelihood
        ``p_{model}(\\mathbb{X}; w)``."""
        if seps in (("semi",), ("colon",)) and items[0] == _DATASET:
            if items[1] != model.param:
                raise self.error(f"the likelihood is a function of {model.param}", token)
            return Likelihood(model)
        if model.conditional and len(items) == 2 and seps in (("comma",), ("mid",)):
            return model.density(*items)
        if not model.conditional and len(items) == 1:
            return model.density(yv, items[0])
        shape = "y_i, x_i" if model.conditional else "x_i"
        raise self.error(f"the bound p_{{model}} reads as p_{{model}}({shape})", token)

    def distribution(self, value: object, token: Token) -> Distribution:
        if isinstance(value, Distribution):
            return value
        if value == PDataX(xv):
            # H(\hat{p}_{data}(x)): p̂_data over x alone (H(\hat{p}_{data}) is over y given x).
            return p_data_x
        if isinstance(value, str):
            return self.named_distribution(value)
        if (
            isinstance(value, Symbol)
            and value not in (theta, N, i)
            and self.decl.kind(value.name) in (None, "distribution")
        ):
            # H(p, q) and D_KL(P || Q) take distributions: an undeclared letter there names one.
            return self.named_distribution(value.name)
        raise self.error(f"{value} is not a distribution", token)

    # factors
    def factor(self, tree: Tree, ctx: _Context) -> _Piece:
        head = tree.children[0]
        if head.data == "big":
            return _Piece("value", self.big(head, ctx), _first_token(head))
        if head.data == "expect":
            return _Piece("value", self.expectation(head, ctx), _first_token(head))
        if len(tree.children) == 3:
            return self.factorial(tree, ctx)
        atom, scripts = tree.children
        subs = [s for s in scripts.children[1::2]] if scripts.children else []
        kinds = [t.type for t in scripts.children[0::2]]
        sub_trees = [s for s, kd in zip(subs, kinds, strict=True) if kd == "SUB"]
        sup_trees = [s for s, kd in zip(subs, kinds, strict=True) if kd == "SUP"]
        if len(sub_trees) > 1 or len(sup_trees) > 1:
            raise self.error("a double subscript or superscript", _first_token(tree))
        sub = sub_trees[0] if sub_trees else None
        sup = self.script(sup_trees[0], ctx) if sup_trees else None
        token = _first_token(atom)
        kind = atom.data
        if kind == "func":
            base = self.script(sub, ctx) if sub is not None else None
            return _Piece("func", token.value, token, sup, base)
        if kind == "group" and sub is not None:
            inner_key = _group_name(atom)
            if inner_key is None or self.decl.kind(inner_key) not in _DATA:
                raise self.error("a subscript on a bracket", token)
            value = self.data(inner_key, sub, ctx, token)
            return _Piece("value", self.power_of(value, sup, token), token)
        if kind == "group" and sup is None and sub is None:
            wrapped = _braced_bracket(atom)
            if wrapped is not None:
                # sympy prints \log{\left(x \right)}: braces around a bracket change nothing.
                return self.factor(wrapped, ctx)
        if kind == "paren" and sub is not None and sup is not None:
            return _Piece("value", self.components(atom, sub, sup, ctx, token), token)
        if kind in ("paren", "bracket", "group"):
            if sub is not None:
                raise self.error("a subscript on a bracket", token)
            items, seps = self.inner(atom.children[1], ctx)
            if kind == "group":
                if seps:
                    raise self.error("a list in braces is not a value", token)
                value = self.power_of(items[0], sup, token)
                return _Piece("value", value, token, braced=sup is None)
            return _Piece("paren", None, token, sup, None, items, seps)
        if kind == "number":
            self.no_sub(sub, token)
            return _Piece("value", self.power_of(_number(token.value), sup, token), token)
        if kind == "frac":
            self.no_sub(sub, token)
            operator_ = self.derivative(atom, ctx)
            if operator_ is not None:
                if sup is not None:
                    raise self.error("a power of a derivative", token)
                return operator_
            num = self.script(atom.children[1], ctx)
            den = self.script(atom.children[2], ctx)
            self.no_sub(sub, token)
            return _Piece("value", self.power_of(num / den, sup, token), token)
        if kind == "sqrt":
            parts = atom.children
            radicand = self.script(parts[-1], ctx)
            if len(parts) > 2:
                items, seps = self.inner(parts[2], ctx)
                order = items[0]
                if seps or not (order.is_Integer and order > 1):
                    raise self.error("\\sqrt[n]: n must be an integer above 1", token)
                value = sympy.root(radicand, order)
            else:
                value = sympy.sqrt(radicand)
            self.no_sub(sub, token)
            return _Piece("value", self.power_of(value, sup, token), token)
        if kind == "infty":
            self.no_sub(sub, token)
            return _Piece("value", self.power_of(sympy.oo, sup, token), token)
        if kind == "abs":
            items, seps = self.inner(atom.children[1], ctx)
            if seps:
                raise self.error("a list between bars is not a value", token)
            self.no_sub(sub, token)
            return _Piece("value", self.power_of(self.bars(items[0], token), sup, token), token)
        if kind == "partial":
            raise self.error(
                "\\partial stands only in a derivative: \\frac{\\partial}{\\partial x} f", token
            )
        if kind == "matrix":
            self.no_sub(sub, token)
            if sup is not None:
                raise self.error("a power of a matrix is written outside its brackets", token)
            return _Piece("value", self.matrix(atom, ctx), token)
        if kind == "cases":
            self.no_sub(sub, token)
            return _Piece("value", self.power_of(self.cases(atom, ctx), sup, token), token)
        if kind == "binom":
            n, k = (self.script(t, ctx) for t in atom.children[1:])
            self.no_sub(sub, token)
            self.bound_factorial(n, token)
            return _Piece("value", self.power_of(sympy.binomial(n, k), sup, token), token)
        piece = replace(self.name(atom, sub, sup, ctx), raised=sup is not None)
        if kind == "greek" and token.value == "psi" and sub is None and not self.decl.kind("psi"):
            order = _derivative_order(sup_trees[0]) if sup_trees else 0
            if order is not None:
                return _Piece("psi", (order, piece), token, raised=bool(sup_trees))
        return piece

    def bars(self, value: Expr, token: Token) -> Expr:
        """``|a|`` is the absolute value of a number, ``\\left|\\Sigma\\right|`` the
        determinant of a square matrix; of a vector it would be a norm, which is not read."""
        if not isinstance(value, _MATRICES):
            return sympy.Abs(value)
        rows, cols = value.shape
        if rows != cols:
            raise self.error("bars around a matrix that is not square: a norm is not read", token)
        return sympy.Determinant(value)

    def matrix(self, atom: Tree, ctx: _Context) -> Expr:
        """``\\begin{matrix} a & b \\\\ c & d \\end{matrix}`` (pmatrix, bmatrix alike)."""
        rows = [
            [self.expr(cell, ctx) for cell in row.children if isinstance(cell, Tree)]
            for row in atom.children
            if isinstance(row, Tree)
        ]
        if len({len(row) for row in rows}) != 1:
            raise self.error(
                "the rows of a matrix have different numbers of cells", _first_token(atom)
            )
        return sympy.ImmutableMatrix(rows)

    def derivative(self, atom: Tree, ctx: _Context) -> _Piece | None:
        """``\\frac{\\partial^{2}}{\\partial s \\partial \\mu}``, ``\\frac{d}{dw}``,
        ``\\frac{\\partial f}{\\partial x}``: a derivative, or None for another fraction.
        The denominator is read as sympy prints it, the last variable first."""
        num, den = _script_factors(atom.children[1]), _script_factors(atom.children[2])
        if not num or not den:
            return None
        head = num[0]
        mark = _derivative_mark(head)
        if mark is None or (mark == "d" and self.decl.kind("d") is not None):
            return None
        first = den[0].children[0]
        if mark == "d" and not (first.data == "word" and first.children[0].value[0] == "d"):
            return None  # \frac{d}{2}
        token = _first_token(atom)
        order = self.derivative_order(head.children[1], ctx, token)
        written: list[tuple[Expr, int]] = []
        k = 0
        while k < len(den):
            factor = den[k]
            atom_ = factor.children[0]
            value = atom_.children[0].value if atom_.data == "word" else None
            if atom_.data == "partial" if mark == "partial" else value == "d":
                if factor.children[1].children or k + 1 >= len(den):
                    raise self.error(f"\\frac{{{mark}}}{{...}}: {mark} then a variable", token)
                written.append(self.derivative_variable(den[k + 1], ctx, token))
                k += 2
            elif mark == "d" and value is not None and len(value) == 2 and value[0] == "d":
                # dw, lexed as one word, is d w.
                letter = Token(
                    "WORD",
                    value[1],
                    atom_.children[0].start_pos,
                    atom_.children[0].line,
                    atom_.children[0].column,
                )
                variable = Tree("factor", [Tree("word", [letter]), factor.children[1]])
                written.append(self.derivative_variable(variable, ctx, token))
                k += 1
            else:
                raise self.error(
                    f"the denominator of a derivative reads as {mark} x {mark} y ...", token
                )
        if mark == "d" and len(written) > 1:
            raise self.error("d/dx takes one variable; write \\partial for several", token)
        if sum(n for _, n in written) != order:
            raise self.error(
                f"a derivative of order {order} over variables of orders summing to "
                f"{sum(n for _, n in written)}",
                token,
            )
        piece = _Piece("deriv", tuple(reversed(written)), token)
        if len(num) == 1:
            return piece
        body = self.juxtaposed([self.factor(f, ctx) for f in num[1:]], ctx)
        return _Piece("value", self.derivative_of(body, piece), token)

    def derivative_order(self, scripts: Tree, ctx: _Context, token: Token) -> int:
        marks = scripts.children
        if not marks:
            return 1
        if len(marks) != 2 or marks[0].type != "SUP":
            raise self.error("the order of a derivative is a superscript", token)
        order = self.script(marks[1], ctx)
        if not (order.is_Integer and 0 < order <= _MAX_DERIVATIVE_ORDER):
            raise self.error(
                f"the order of a derivative is an integer from 1 to {_MAX_DERIVATIVE_ORDER}",
                token,
            )
        return int(order)

    def derivative_variable(self, factor: Tree, ctx: _Context, token: Token) -> tuple[Expr, int]:
        """The variable of ``\\partial \\mu^{2}`` and its order."""
        if factor.data != "factor" or len(factor.children) != 2:
            raise self.error("a derivative is taken with respect to a variable", token)
        atom, scripts = factor.children
        marks = scripts.children
        sups = [k for k in range(0, len(marks), 2) if marks[k].type == "SUP"]
        order = 1
        if sups:
            power = Tree("scripts", marks[sups[0] : sups[0] + 2])
            order = self.derivative_order(power, ctx, token)
            marks = marks[: sups[0]] + marks[sups[0] + 2 :]
        variable = self.as_value(
            self.factor(Tree("factor", [atom, Tree("scripts", marks)]), ctx), ctx
        )
        if not isinstance(variable, Symbol | sympy.Indexed):
            raise self.error(f"a derivative with respect to {variable}, not a variable", token)
        return variable, order

    def derivative_of(self, body: Expr, piece: _Piece) -> Expr:
        variables = piece.value  # type: ignore[assignment]
        if isinstance(body, _MATRICES):
            raise self.error("a derivative of a matrix is not read", piece.token)
        return sympy.Derivative(body, *variables)

    def cases(self, atom: Tree, ctx: _Context) -> Expr:
        """``\\begin{cases} a & \\text{for } c \\\\ b & \\text{otherwise} \\end{cases}``."""
        rows = [c for c in atom.children if isinstance(c, Tree)]
        pairs: list[tuple[Expr, sympy.Basic]] = []
        for k, row in enumerate(rows):
            value, word = self.expr(row.children[0], ctx), row.children[2]
            if word.value == "otherwise":
                if len(row.children) > 3 or k != len(rows) - 1:
                    raise self.error("\\text{otherwise} is the last case, with no condition", word)
                pairs.append((value, sympy.true))
            elif word.value in ("for", "if") and len(row.children) == 4:
                pairs.append((value, self.condition(row.children[3], ctx, word)))
            else:
                raise self.error(
                    "a case reads as value & \\text{for} condition or value & \\text{otherwise}",
                    word,
                )
        return sympy.Piecewise(*pairs)

    def condition(self, tree: Tree, ctx: _Context, token: Token) -> sympy.Basic:
        links = [c.value for c in tree.children if isinstance(c, Token)]
        if len(set(links)) > 1:
            raise self.ambiguous(
                "\\wedge and \\vee together",
                token,
                ("(a ∧ b) ∨ c", "a ∧ (b ∨ c)"),
                "write one of them, or the cases apart",
            )
        parts = [self.comparison(c, ctx) for c in tree.children if isinstance(c, Tree)]
        return sympy.Or(*parts) if links == ["or"] * len(links) and links else sympy.And(*parts)

    def comparison(self, tree: Tree, ctx: _Context) -> sympy.Basic:
        sides = [self.expr(c, ctx) for c in tree.children if isinstance(c, Tree)]
        signs = [c for c in tree.children if isinstance(c, Token)]
        made = []
        for sign, a, b in zip(signs, sides, sides[1:], strict=False):
            relation = _CONDITIONS.get(sign.value)
            if relation is None:
                raise self.error(f"{sign.value} is not a condition of a case", sign)
            made.append(relation(a, b))
        return sympy.And(*made)

    def bound_nesting(self, arg: Expr, token: Token) -> None:
        # sympy's assumption queries on a pure number cost exponential time in how deeply
        # functions and powers nest in it: \log(\log(\log(\log 2))) already takes seconds.
        if arg.is_number and _nesting(arg) > _MAX_NUMERIC_NESTING:
            raise self.error(
                f"functions nest more than {_MAX_NUMERIC_NESTING} deep around a number", token
            )

    def factorial(self, tree: Tree, ctx: _Context) -> _Piece:
        token = _first_token(tree)
        value = self.as_value(self.factor(Tree("factor", tree.children[:2]), ctx), ctx)
        self.bound_factorial(value, token)
        return _Piece("value", sympy.factorial(value), token)

    def bound_factorial(self, value: Expr, token: Token) -> None:
        # sympy computes the factorial of a number eagerly: its size grows with the number.
        if value.is_Number and abs(value) > _MAX_FACTORIAL:
            raise self.error(
                f"the factorial of {value} exceeds the limit of {_MAX_FACTORIAL}", token
            )

    def no_sub(self, sub: Tree | None, token: Token) -> None:
        if sub is not None:
            raise self.error("a subscript here is not read", token)

    def power_of(self, value: Expr, sup: Expr | None, token: Token) -> Expr:
        return value if sup is None else self.pow(value, sup, token)

    def script(self, tree: Tree, ctx: _Context) -> Expr:
        """The value of a subscript or superscript (``{...}`` or one token)."""
        head = tree.children[0]
        if isinstance(head, Token) and head.type == "LBRACE":
            items, seps = self.inner(tree.children[1], ctx)
            if seps:
                raise self.error("a list is not a value here", head)
            return items[0]
        fake = Tree(
            "factor", [Tree(_SCRIPT_ATOM[head.type], list(tree.children)), Tree("scripts", [])]
        )
        return self.as_value(self.factor(fake, ctx), ctx)

    def inner(self, tree: Tree, ctx: _Context) -> tuple[tuple[Expr, ...], tuple[str, ...]]:
        items: list[Expr] = []
        seps: list[str] = []
        for child in tree.children:
            if isinstance(child, Token):
                seps.append(child.value)
                continue
            if not child.children:
                raise self.error("an empty place in brackets", _first_token(tree) or self.at0())
            items.append(self.item(child.children[0], ctx))
        if not items:
            raise self.error("empty brackets", self.at0())
        return tuple(items), tuple(seps)

    def at0(self) -> Token:
        return Token("X", "", 0, self.scan.line0, self.scan.col0)

    def item(self, tree: Tree, ctx: _Context) -> object:
        """An expression in a bracket; a bare distribution stays a distribution."""
        if _bare_name_tree(tree):
            piece = self.factor(tree.children[0].children[0], ctx)
            if piece.kind == "dist":
                return piece.value
            if piece.kind == "free" and ctx.want_dist:
                return piece.value
        return self.expr(tree, ctx)

    def name(self, atom: Tree, sub: Tree | None, sup: Expr | None, ctx: _Context) -> _Piece:
        token = _first_token(atom)
        key = _name_key(atom)
        if key is None:
            raise self.error("this cannot be a name", token)
        if key.endswith("'"):
            return self.primed(key, sub, sup, token)
        kind = self.decl.kind(key)
        indexed = kind in _DATA or (kind is None and key in ("x", "y"))
        part = _spelled(sub) if sub is not None else None
        if key == "Dir" and kind is None and atom.data == "textword":
            return self.dirichlet(sub, sup, ctx, token)
        if key in FAMILIES and kind is None and atom.data == "textword" and sub is None:
            # \operatorname{Bernoulli}: a catalog family, spelled out as a word.
            if sup is not None:
                raise self.error(f"a power of {key} before its arguments", token)
            return _Piece("callable", ("law", key), token)
        if key == "delta" and kind is None and sub is not None:
            pair = self.kronecker(sub, part, ctx)
            if pair is not None:
                return _Piece("value", self.power_of(pair, sup, token), token)
        if indexed and part is not None and self.decl.kind(f"{key}_{part}") is not None:
            # A declared x_m is a name even though x is data: the declaration settles it.
            indexed = False
        if sub is not None and not indexed:
            if part is None:
                raise self.error(
                    f"the subscript of {key} is neither an index nor a name part", token
                )
            key = f"{key}_{part}"
            kind = self.decl.kind(key)
            sub = None
        if atom.data == "bold" and kind not in _ARRAYS:
            # Bold is how a vector or matrix is named, never a reading of its own.
            raise self.error(
                f"bold {key} names a vector or a matrix: declare {key}: vector (or matrix)",
                token,
            )
        if key in ctx.bound:
            if sub is not None and ctx.expectation and indexed:
                return _Piece(
                    "value", self.power_of(self.data(key, sub, ctx, token), sup, token), token
                )
            if sub is not None:
                raise self.error(f"the bound variable {key} takes no subscript", token)
            return _Piece("value", self.power_of(ctx.bound[key], sup, token), token)
        if indexed:
            return _Piece(
                "value", self.power_of(self.data(key, sub, ctx, token), sup, token), token
            )
        if kind is not None:
            return self.declared(key, kind, sup, token)
        return self.default(key, sup, token, ctx)

    def primed(self, key: str, sub: Tree | None, sup: Expr | None, token: Token) -> _Piece:
        """``f'`` of a declared function is its derivative (``f''`` the second); any other
        ``\\theta'`` is a name of its own, ``theta'``, of its declared kind or real."""
        plain = key.rstrip("'")
        if sub is not None:
            raise self.error(f"a subscript after the prime of {plain}", token)
        if self.decl.kind(plain) == "function":
            if sup is not None:
                raise self.error(f"a power of {key} before its argument", token)
            return _Piece("callable", ("prime", plain, len(key) - len(plain)), token)
        self.one_name(plain, token)
        kind = self.decl.kind(key)
        if kind is not None:
            return self.declared(key, kind, sup, token)
        return _Piece("free", key, token, sup)

    def dirichlet(self, sub: Tree | None, sup: Expr | None, ctx: _Context, token: Token) -> _Piece:
        """``\\operatorname{Dir}_{K}(\\alpha)``: the Dirichlet law of the vector x of K
        components, as the subscript of an expectation."""
        if not ctx.want_dist:
            raise self.error(
                "\\operatorname{Dir} names a law: it stands in "
                "\\mathbb{E}_{x \\sim \\operatorname{Dir}_{K}(\\alpha)}",
                token,
            )
        if sub is None or sup is not None:
            raise self.error(
                "\\operatorname{Dir} takes its dimension: \\operatorname{Dir}_{K}", token
            )
        return _Piece("callable", ("Dir", self.script(sub, _Context())), token)

    def kronecker(self, sub: Tree, part: str | None, ctx: _Context) -> Expr | None:
        """``\\delta_{j, k}``, two indices between commas, is Kronecker's delta unless the
        name ``delta_j_k`` is declared (``\\delta_{jk}`` stays a name: no comma, no pair)."""
        head = sub.children[0]
        if not (isinstance(head, Token) and head.type == "LBRACE"):
            return None
        if part is not None and self.decl.kind(f"delta_{part}") is not None:
            return None
        marks = [c.value for c in sub.children[1].children if isinstance(c, Token)]
        if marks != ["comma"]:
            return None
        items, _ = self.inner(sub.children[1], ctx)
        return sympy.KroneckerDelta(*items)

    def data(self, key: str, sub: Tree | None, ctx: _Context, token: Token) -> Expr:
        if ctx.expectation and key in ("x", "y"):
            if sub is not None:
                written = _spelled(sub) or "i"
                self.note(
                    f"{key}_{written} inside the expectation over (x, y) read as its "
                    f"bound variable {key}"
                )
            return xv if key == "x" else yv
        base = self.vector(key)
        if sub is None:
            if key in ("x", "y"):
                # Bare x and y are plain variables, the ones an expectation binds.
                return xv if key == "x" else yv
            if ctx.want_dist:
                return base  # the parameter vector of a law, \operatorname{Dir}_{K}(\alpha)
            raise self.error(f"the data {key} needs an index: {key}_i", token)
        letters = _spelled(sub)
        if letters is not None and len(letters) > 1 and letters.isalpha():
            # t_{nk}: a data symbol's subscript of letters is one index per letter.
            return base[tuple(self.index_symbol(c, ctx) for c in letters)]
        head = sub.children[0]
        if isinstance(head, Token) and head.type == "LBRACE":
            items, seps = self.inner(sub.children[1], ctx)
            if seps and set(seps) == {"comma"}:
                # x_{m,2}: one index per place, as sympy's x[m, 2].
                return base[items]
        index = self.script(sub, ctx)
        return base[index]

    def vector(self, key: str) -> IndexedBase:
        """The data named ``key``: positive where declared so (a law's parameters)."""
        if key in self.decl.bases:
            return self.decl.bases[key]
        if self.decl.kind(key) == "positive data":
            return IndexedBase(Symbol(key, positive=True))
        return IndexedBase(key) if key not in ("x", "y") else (x if key == "x" else y)

    def index_symbol(self, letter: str, ctx: _Context) -> Expr:
        if letter in ctx.bound:
            return ctx.bound[letter]
        return i if letter == "i" else Symbol(letter, integer=True)

    def declared(self, key: str, kind: str, sup: Expr | None, token: Token) -> _Piece:
        if kind == "function":
            lam = self.decl.defined.get(key)
            if lam is not None and not lam.variables:
                # A defined constant, [define] mu = "...": it stands alone.
                return _Piece("value", self.power_of(Defined(Str(key), lam), sup, token), token)
            if sup is not None:
                raise self.error(f"a power of the function {key} before its argument", token)
            return _Piece("callable", key, token)
        if kind == "distribution":
            return _Piece("dist", self.named_distribution(key), token, sup)
        if kind in _ARRAYS:
            side = symbol_for(self.decl.dimension, self.decl)
            array = sympy.MatrixSymbol(key, side, 1 if kind == "vector" else side)
            return _Piece("value", self.power_of(array, sup, token), token)
        return _Piece("value", self.power_of(self.symbol(key, token), sup, token), token)

    def named_distribution(self, key: str) -> Distribution:
        if key not in self.dists:
            self.dists[key] = NamedDistribution(Symbol(key))
        return self.dists[key]

    def symbol(self, key: str, token: Token | None) -> Expr:
        if key in self.dists:
            return self.dists[key]
        return symbol_for(key, self.decl)

    def default(self, key: str, sup: Expr | None, token: Token, ctx: _Context) -> _Piece:
        """Names nobody declared: the seed's vocabulary, constants, and plain letters."""
        if key == "p_model":
            return _Piece("dist", self.decl.model or p_model, token, sup)
        if key == "hat_p_data":
            return _Piece("dist", p_data, token, sup)
        if key in self.dists:
            return _Piece("dist", self.dists[key], token, sup)
        if key in ("H", "D_KL", "NLL", "normal") or key in _SPECIAL:
            if sup is not None:
                raise self.error(f"a power of {key} before its arguments", token)
            return _Piece("callable", key, token)
        if key in ("constant", "const"):
            self.no_power(sup, token)
            return _Piece("value", CONSTANT, token)
        if key == "X":
            return _Piece("value", _DATASET, token)
        if key == "e":
            if ctx.want_dist:
                return _Piece("free", key, token, sup)
            if sup is not None:
                self.bound_exp(sup, token)
                return _Piece("value", sympy.exp(sup), token)
            return _Piece("value", sympy.E, token)
        if key.startswith("e_"):
            raise self.ambiguous(
                key,
                token,
                ("Euler's number with a subscript", f"a variable named {key}"),
                "declare e_... as a variable",
            )
        if key == "pi":
            return _Piece("value", self.power_of(sympy.pi, sup, token), token)
        if key == "gamma_E":
            # \gamma alone is a variable; \gamma_E, as e, is the constant unless declared.
            return _Piece("value", self.power_of(sympy.EulerGamma, sup, token), token)
        if key in ("theta", "N", "i") or key in self.decl.params:
            return _Piece("value", self.power_of(self.symbol(key, token), sup, token), token)
        self.one_name(key, token)
        if ctx.want_dist:
            return _Piece("dist", self.named_distribution(key), token, sup)
        return _Piece("free", key, token, sup)

    def one_name(self, key: str, token: Token) -> None:
        """Letters side by side nobody declared (``ab``) are a product or a name: refused."""
        base = key.split("_", 1)[0]
        if len(base) > 1 and base not in _GREEK and not base.startswith(("hat", "bar", "tilde")):
            spaced = " ".join(base)
            raise self.ambiguous(
                base,
                token,
                (f"the product {spaced}", f"the name {base}"),
                f"declare {base} in the front matter, or write {spaced} with \\cdot",
            )

    def no_power(self, sup: Expr | None, token: Token) -> None:
        if sup is not None:
            raise self.error("a power here is not read", token)

    # big operators and expectations
    def bounds(self, scripts: Tree) -> tuple[Tree | None, Tree | None]:
        lower = upper = None
        children = scripts.children
        for mark, tree in zip(children[0::2], children[1::2], strict=True):
            if mark.type == "SUB" and lower is None:
                lower = tree
            elif mark.type == "SUP" and upper is None:
                upper = tree
            else:
                raise self.error("a double bound", mark)
        return lower, upper

    def big(self, tree: Tree, ctx: _Context) -> Expr:
        op, scripts, body = tree.children
        lower, upper = self.bounds(scripts)
        if op.value == "int":
            return self.integral(op, lower, upper, body, ctx)
        if lower is None:
            raise self.error(f"\\{op.value} needs its index: \\{op.value}_{{i=1}}^{{N}}", op)
        var, start = self.binding(lower, op)
        if start is None:
            if upper is not None or op.value != "sum":
                raise self.error(f"\\{op.value}_{{{var}}}: give the range {var}=1 .. N", op)
            return self.support_sum(var, body, ctx, op)
        if upper is None:
            raise self.error(f"\\{op.value} needs its upper bound ^{{N}}", op)
        index = self.index(var)
        lo = self.expr(start, ctx)
        hi = self.script(upper, ctx)
        inner = _Context({**ctx.bound, var: index}, ctx.expectation, False)
        value = self.bigbody(body, inner)
        cls = sympy.Sum if op.value == "sum" else sympy.Product
        return cls(value, (index, lo, hi))

    def components(
        self, atom: Tree, sub: Tree, upper: Expr, ctx: _Context, token: Token
    ) -> Expr:
        """``\\left(f_j\\right)_{j=1}^{d}``, a vector by its entries, and
        ``(h_{jk})_{j, k = 1}^{d}`` a matrix: the printer's sequence notation."""
        shape = "a vector by its entries reads (f_j)_{j=1}^{d}, a matrix (h_{jk})_{j, k=1}^{d}"
        head = sub.children[0]
        if not (isinstance(head, Token) and head.type == "LBRACE"):
            raise self.error(shape, token)
        parts = sub.children[1].children
        if len(parts) < 3 or not (isinstance(parts[-2], Token) and parts[-2].value == "="):
            raise self.error(shape, token)
        names: list[str] = []
        for k, part in enumerate(parts[:-2]):
            if k % 2:
                if not (isinstance(part, Token) and part.value == "comma"):
                    raise self.error(shape, token)
                continue
            expr = part.children[0] if part.children else None
            name = (
                _name_key(expr.children[0].children[0].children[0])
                if expr is not None and _bare_name_tree(expr) else None
            )
            if name is None or "_" in name or name in names:
                raise self.error(shape, token)
            names.append(name)
        if len(names) > 2:
            raise self.error(shape, token)
        lo = self.expr(parts[-1].children[0], ctx)
        indices = [self.index(name) for name in names]
        inner = _Context(
            {**ctx.bound, **dict(zip(names, indices, strict=True))}, ctx.expectation, False
        )
        items, seps = self.inner(atom.children[1], inner)
        if seps or len(items) != 1:
            raise self.error(shape, token)
        return Components(items[0], *((index, lo, upper) for index in indices))

    def index(self, var: str) -> Symbol:
        """The index of a sum or product: an integer, of the kind declared for it (a positive
        integer k of \\sum_{k=1}^{K}), else the seed's i or a plain integer."""
        if self.decl.kind(var) in ("integer", "positive integer", "nonnegative integer"):
            return symbol_for(var, self.decl)
        return i if var == "i" else Symbol(var, integer=True)

    def binding(self, lower: Tree, op: Token) -> tuple[str, Tree | None]:
        """``{i=1}`` gives ("i", tree of 1); ``{x}`` or ``x`` gives ("x", None)."""
        head = lower.children[0]
        if isinstance(head, Token) and head.type == "WORD" and len(head.value) == 1:
            return head.value, None
        if not (isinstance(head, Token) and head.type == "LBRACE"):
            raise self.error("the index of a sum is a letter", op)
        parts = lower.children[1].children
        first = parts[0]
        if not (_bare_name_tree(first.children[0]) if first.children else False):
            raise self.error("the index of a sum is a letter", op)
        name = _name_key(first.children[0].children[0].children[0].children[0])
        if name is None or "_" in name:
            raise self.error("the index of a sum is a letter", op)
        if len(parts) == 1:
            return name, None
        if len(parts) == 3 and isinstance(parts[1], Token) and parts[1].value == "=":
            return name, parts[2].children[0]
        raise self.error("the bounds of a sum read as {i=1}^{N}", op)

    def bigbody(self, body: Tree, ctx: _Context) -> Expr:
        sign, term = (-1, body.children[1]) if len(body.children) == 2 else (1, body.children[0])
        return sign * self.term(term, ctx)

    def support_sum(self, var: str, body: Tree, ctx: _Context, op: Token) -> Expr:
        """``\\sum_x P(x) f(x)``, a sum over the support of P, is E_P[f]."""
        value = self.bigbody(body, _Context({**ctx.bound, var: xv}, True, False))
        weights = [d for d in self.dists.values() if value.has(d.density(yv, xv))] + [
            d for d in (p_data_x,) if value.has(PDataX(xv))
        ]
        for dist in weights:
            density = dist.density(yv, xv)
            factors = list(sympy.Mul.make_args(value))
            if density in factors:
                factors.remove(density)
                rest = sympy.Mul(*factors)
                self.note(
                    f"\\sum_{{{var}}} {dist}({var}) f({var}) read as the expectation "
                    f"E_{dist}[f] (a sum over the support of {dist})"
                )
                return Expectation(rest, dist)
        raise self.error(
            f"\\sum_{{{var}}} without bounds reads only as a sum over a distribution's support, "
            f"with the weight P({var}) as a factor",
            op,
        )

    def integral(
        self, op: Token, lower: Tree | None, upper: Tree | None, body: Tree, ctx: _Context
    ) -> Expr:
        term = body.children[-1]
        last = term.children[-1] if term.children else None
        var = _differential(last)
        if var is None:
            raise self.error("an integral ends with its differential: \\, dx", op)
        term.children = term.children[:-1]
        if not term.children:
            raise self.error("an integral needs an integrand", op)
        symbol = symbol_for(var, self.decl) if self.decl.kind(var) else Symbol(var, real=True)
        inner = _Context({**ctx.bound, var: symbol}, ctx.expectation, False)
        value = self.bigbody(body, inner)
        if lower is None and upper is None:
            raise self.error("an integral needs its bounds: \\int_a^b", op)
        if lower is None or upper is None:
            raise self.error("an integral needs both bounds", op)
        return sympy.Integral(value, (symbol, self.script(lower, ctx), self.script(upper, ctx)))

    def expectation(self, tree: Tree, ctx: _Context) -> Expr:
        op, scripts, body = tree.children
        lower, upper = self.bounds(scripts)
        if upper is not None:
            raise self.error("\\mathbb{E} takes no superscript", op)
        names = ("x", "y")
        dist: Distribution | Law | CatalogLaw | None = None
        if lower is not None:
            names, dist = self.expect_sub(lower, op)
        if isinstance(dist, CatalogLaw):
            if names != ("x",):
                raise self.error("a law's mean reads as \\mathbb{E}_{x \\sim law}", op)
            inner = _Context({**ctx.bound, "x": xv}, True, False)
            return LawExpectation.of(_densities(self.bigbody(body, inner)), dist)
        if isinstance(dist, Law):
            if names != ("x",):
                raise self.error("a law's mean reads as \\mathbb{E}_{x \\sim law}", op)
            # The law's variable is the vector x itself: x_k in the body is its component.
            return Mean(self.bigbody(body, ctx), dist)
        bound = {n: (xv if n == "x" else yv) for n in names}
        inner = _Context({**ctx.bound, **bound}, True, False)
        if dist is None:
            leading = self.leading_distribution(body)
            if leading is None:
                raise self.error("\\mathbb{E} needs its distribution: \\mathbb{E}_{x \\sim p}", op)
            dist = leading
            self.note(f"\\mathbb{{E}}{dist} read as \\mathbb{{E}}_{{{dist}}}")
            value = self.bigbody(body, inner)
        else:
            value = self.bigbody(body, inner)
        if dist is p_data and names == ("x",):
            dist = p_data_x
        return Expectation(_densities(value), dist)

    def leading_distribution(self, body: Tree) -> Distribution | None:
        term = body.children[-1]
        first = term.children[0]
        if (
            isinstance(first, Tree)
            and first.data == "factor"
            and first.children[0].data in ("word", "accent")
            and not first.children[1].children
        ):
            key = _name_key(first.children[0])
            if key in self.dists:
                term.children = term.children[1:]
                return self.dists[key]
        return None

    def expect_sub(
        self, lower: Tree, op: Token
    ) -> tuple[tuple[str, ...], Distribution | Law | CatalogLaw]:
        head = lower.children[0]
        ctx = _Context(want_dist=True)
        if not (isinstance(head, Token) and head.type == "LBRACE"):
            piece = self.as_dist(self.script_piece(lower, ctx), op)
            return ("x", "y"), piece
        items = lower.children[1].children
        tokens = [c for c in items if isinstance(c, Token)]
        trees = [c for c in items if isinstance(c, Tree)]
        if not tokens:
            return ("x", "y"), self.as_dist(self.item(trees[0].children[0], ctx), op)
        if tokens[-1].value != "sim" or any(t.value != "comma" for t in tokens[:-1]):
            raise self.error(
                "\\mathbb{E}_{x,y \\sim p}: variables, then \\sim and a distribution", op
            )
        names = []
        for t in trees[:-1]:
            if not t.children or not _bare_name_tree(t.children[0]):
                raise self.error("the variables of an expectation are letters", op)
            names.append(_name_key(t.children[0].children[0].children[0].children[0]))
        if not set(names) <= {"x", "y"} or not names:
            raise self.error("an expectation binds x, y or both", op)
        return tuple(names), self.as_dist(self.item(trees[-1].children[0], ctx), op)

    def script_piece(self, tree: Tree, ctx: _Context) -> object:
        fake = Tree(
            "factor",
            [Tree(_SCRIPT_ATOM[tree.children[0].type], list(tree.children)), Tree("scripts", [])],
        )
        piece = self.factor(fake, ctx)
        return piece.value

    def as_dist(self, value: object, op: Token) -> Distribution | Law | CatalogLaw:
        if isinstance(value, Distribution | Law | CatalogLaw):
            return value
        if isinstance(value, str):
            return self.named_distribution(value)
        raise self.error(f"{value} is not a distribution", op)


_SCRIPT_ATOM = {
    "NUMBER": "number",
    "WORD": "word",
    "GREEK": "greek",
    "INFTY": "infty",
    "MATHBB": "mathbb",
    "MATHCAL": "mathcal",
    "ACCENT": "accent",
    "TEXTWORD": "textword",
    "BOLD": "bold",
}
_CONDITIONS = {
    "=": sympy.Eq,
    "ne": sympy.Ne,
    "<": sympy.Lt,
    ">": sympy.Gt,
    "le": sympy.Le,
    "ge": sympy.Ge,
}
_DATASET = Symbol("dataset_X")
# str() of an int above 4300 digits raises in Python >= 3.11: results stay below that.
_MAX_DIGITS = 4000
_MAX_FACTORIAL = 1000
_MAX_NUMERIC_NESTING = 2
_MAX_DERIVATIVE_ORDER = 20
_MATRICES = (sympy.MatrixBase, sympy.MatrixExpr)
# Special functions by the names the literature (and sympy's printer) gives them.
_SPECIAL = {
    "Gamma": (sympy.gamma, 1),
    "loggamma": (sympy.loggamma, 1),
    "digamma": (sympy.digamma, 1),
    "polygamma": (sympy.polygamma, 2),
    "B": (sympy.beta, 2),
    "Beta": (sympy.beta, 2),
    "atan": (sympy.atan, 1),
    "min": (sympy.Min, 0),
    "max": (sympy.Max, 0),
    "tr": (sympy.Trace, 1),
    "det": (sympy.Determinant, 1),
}
_LABELS = {"hat_theta_MLE": "theta_MLE", "hat_theta": "theta_MLE"}


def _called(what: object) -> str:
    """How a callable piece is written: ``f'`` for the derivative of f, ``Poisson``."""
    if isinstance(what, tuple) and what[0] == "prime":
        return what[1] + "'" * what[2]
    if isinstance(what, tuple):
        return str(what[1]) if what[0] == "law" else str(what[0])
    return str(what)


def _product(values: list[Expr]) -> Expr:
    """The product of factors side by side; a matrix among them multiplies as a matrix."""
    if any(isinstance(v, _MATRICES) for v in values):
        return functools.reduce(operator.mul, values)
    return sympy.Mul(*values)


def _script_factors(script: Tree) -> list[Tree] | None:
    """The factors of a braced script holding one product and nothing else, in order."""
    head = script.children[0]
    if not (isinstance(head, Token) and head.type == "LBRACE"):
        return None
    items = script.children[1].children
    if len(items) != 1 or not items[0].children:
        return None
    expr = items[0].children[0]
    if len(expr.children) != 1:
        return None
    factors = expr.children[0].children
    if not all(isinstance(f, Tree) and f.data == "factor" for f in factors):
        return None
    return list(factors)


def _derivative_mark(factor: Tree) -> str | None:
    """``partial`` or ``d`` when a factor is the \\partial or d of a derivative's numerator."""
    if len(factor.children) != 2:
        return None
    atom = factor.children[0]
    if atom.data == "partial":
        return "partial"
    if atom.data == "word" and atom.children[0].value == "d":
        return "d"
    return None


def _nesting(expr: sympy.Basic) -> int:
    """How deeply function applications and powers nest in ``expr``."""
    inner = max((_nesting(arg) for arg in expr.args), default=0)
    return inner + isinstance(expr, sympy.Pow | sympy.core.function.Application)


def symbol_for(name: str, decl: Declarations) -> Symbol:
    """The symbol a name stands for: its declared kind, else the seed's θ, N and i, else a
    real symbol.

    >>> symbol_for("sigma", Declarations({"sigma": "positive"})).is_positive
    True
    """
    kind = decl.kind(name)
    if kind in _KINDS:
        return Symbol(name, **_KINDS[kind])
    if kind is None and name == decl.dimension and set(decl.symbols.values()) & set(_ARRAYS):
        # The length of the declared vectors and matrices.
        return Symbol(name, integer=True, positive=True)
    if kind is None:
        defaults = {"theta": theta, "N": N, "i": i}
        if name in defaults:
            return defaults[name]
    return Symbol(name, real=True)


def _number(text: str) -> Expr:
    whole, _, frac = text.partition(".")
    if not frac:
        return sympy.Integer(int(whole))
    return sympy.Rational(int(whole + frac), 10 ** len(frac))


def _first_token(tree: Tree | Token) -> Token:
    if isinstance(tree, Token):
        return tree
    for child in tree.children:
        found = _first_token(child)
        if found is not None:
            return found
    return None  # type: ignore[return-value]


def _name_key(atom: Tree) -> str | None:
    """``p`` for p, ``sigma`` for \\sigma, ``hat_p`` for \\hat{p}, ``normal`` for
    \\mathcal{N}, ``X`` for \\mathbb{X}, ``NLL`` for \\mathrm{NLL}."""
    kind = atom.data
    if kind in ("word", "greek", "textword", "mathbb", "bold"):
        return str(atom.children[0].value)
    if kind == "mathcal":
        return "normal" if atom.children[0].value == "N" else None
    if kind == "accent":
        inner = atom.children[1]
        head = inner.children[0]
        if isinstance(head, Token) and head.type == "LBRACE":
            items = inner.children[1].children
            if (
                len(items) != 1
                or not items[0].children
                or not _bare_name_tree(items[0].children[0])
            ):
                return None
            base = _name_key(items[0].children[0].children[0].children[0].children[0])
        elif head.type in ("WORD", "GREEK"):
            base = head.value
        else:
            return None
        return None if base is None else f"{atom.children[0].value}_{base}"
    return None


def _bare_name_tree(expr: Tree) -> bool:
    """Whether an ``expr`` tree is one name with no sign, script or operation."""
    if len(expr.children) != 1:
        return False
    term = expr.children[0]
    if len(term.children) != 1:
        return False
    factor = term.children[0]
    return (
        isinstance(factor, Tree)
        and factor.data == "factor"
        and len(factor.children) == 2
        and factor.children[0].data in ("word", "greek", "accent", "textword", "mathcal", "bold")
        and not factor.children[1].children
    )


def _spelled(script: Tree) -> str | None:
    """The letters of a subscript that is part of a name (``model``, ``KL``, ``1``,
    ``sigma2``): one token, or braces holding letters, digits and Greek side by side; a
    squared letter spells its square (``t_{\\sigma^{2}}`` is ``t_sigma2``, the families'
    name for σ²) and commas separate parts (``s_{\\sigma^{2},\\mu}`` is ``s_sigma2_mu``)."""
    head = script.children[0]
    if isinstance(head, Token) and head.type in ("WORD", "NUMBER", "GREEK", "TEXTWORD"):
        return head.value
    if not (isinstance(head, Token) and head.type == "LBRACE"):
        return None
    children = script.children[1].children
    items = [c for c in children if isinstance(c, Tree)]
    if any(c.value != "comma" for c in children if isinstance(c, Token)):
        return None
    parts = [_spelled_item(item) for item in items]
    return None if None in parts else "_".join(parts)  # type: ignore[arg-type]


def _spelled_item(item: Tree) -> str | None:
    if not item.children or len(item.children[0].children) != 1:
        return None
    parts = []
    for factor in item.children[0].children[0].children:
        if not isinstance(factor, Tree) or factor.data != "factor" or len(factor.children) != 2:
            return None
        atom, scripts = factor.children
        if atom.data not in ("word", "greek", "textword", "number"):
            return None
        marks = scripts.children
        if marks and not (
            atom.data == "greek"
            and len(marks) == 2
            and marks[0].type == "SUP"
            and _script_token(marks[1]) == "2"
        ):
            return None
        parts.append(str(atom.children[0].value) + ("2" if marks else ""))
    return "".join(parts)


def _script_token(script: Tree) -> str | None:
    """The single token of a script, bare or in braces: ``2`` of ``^2`` and of ``^{2}``."""
    head = script.children[0]
    if isinstance(head, Token) and head.type != "LBRACE":
        return head.value
    items = script.children[1].children
    if len(items) != 1 or not items[0].children or not _bare_number(items[0].children[0]):
        return None
    return _first_token(items[0].children[0]).value


def _derivative_order(script: Tree) -> int | None:
    """n of the superscript ``{(n)}``, the order of a derivative (``\\psi^{(1)}``)."""
    head = script.children[0]
    if not (isinstance(head, Token) and head.type == "LBRACE"):
        return None
    items = script.children[1].children
    if len(items) != 1 or not items[0].children:
        return None
    factor = _lone_factor(items[0].children[0])
    if factor is None:
        return None
    atom, scripts = factor.children
    if atom.data != "paren" or scripts.children:
        return None
    inner = atom.children[1].children
    if len(inner) != 1 or not inner[0].children or not _bare_number(inner[0].children[0]):
        return None
    digits = _first_token(inner[0].children[0]).value
    return int(digits) if digits.isdigit() else None


def _lone_factor(expr: Tree) -> Tree | None:
    """The factor (an atom and its scripts) of an expression of one term of one factor."""
    if len(expr.children) != 1 or len(expr.children[0].children) != 1:
        return None
    factor = expr.children[0].children[0]
    if isinstance(factor, Tree) and factor.data == "factor" and len(factor.children) == 2:
        return factor
    return None


def _bare_number(expr: Tree) -> bool:
    factor = _lone_factor(expr)
    return (
        factor is not None
        and factor.children[0].data == "number"
        and not factor.children[1].children
    )


def _braced_bracket(atom: Tree) -> Tree | None:
    """The factor ``(...)`` when a group is ``{(...)}`` and nothing else."""
    items = atom.children[1].children
    if len(items) != 1 or not items[0].children:
        return None
    factor = _lone_factor(items[0].children[0])
    return factor if factor is not None and factor.children[0].data == "paren" else None


def _group_name(atom: Tree) -> str | None:
    """The name in braces of ``{\\pi_{1}}_{k}``: ``pi_1``."""
    items = atom.children[1].children
    if (
        len(items) != 1
        or not items[0].children
        or not _bare_name_tree_scripted(items[0].children[0])
    ):
        return None
    factor = items[0].children[0].children[0].children[0]
    key = _name_key(factor.children[0])
    marks = factor.children[1].children
    if key is None or len(marks) > 2:
        return None
    if marks:
        part = _spelled(marks[1]) if marks[0].type == "SUB" else None
        return None if part is None else f"{key}_{part}"
    return key


def _bare_name_tree_scripted(expr: Tree) -> bool:
    factor = _lone_factor(expr)
    return factor is not None and factor.children[0].data in ("word", "greek", "accent")


def _differential(factor: object) -> str | None:
    """``dx`` (or ``\\mathrm{d}x`` read as two factors is not supported): the variable."""
    if not (isinstance(factor, Tree) and factor.data == "factor"):
        return None
    atom = factor.children[0]
    if atom.data != "word" or factor.children[1].children:
        return None
    word = atom.children[0].value
    if len(word) == 2 and word[0] == "d":
        return word[1]
    return None


def _label(expr: Tree) -> str | None:
    """``\\hat{\\theta}_{MLE}`` standing alone names the MLE."""
    factor = _lone_factor(expr)
    if factor is None:
        return None
    atom, scripts = factor.children
    if atom.data != "accent":
        return None
    key = _name_key(atom)
    marks = scripts.children
    if len(marks) == 2 and marks[0].type == "SUB":
        part = _spelled(marks[1])
        key = f"{key}_{part}" if part else None
    elif marks:
        return None
    return _LABELS.get(key or "")


def _stray_law(expr: sympy.Basic) -> CatalogLaw | None:
    """A catalog law standing where a value belongs (outside E, H and D_KL of laws)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, CatalogLaw):
            return node
        held = isinstance(node, LawExpectation | LawEntropy | LawDivergence)
        stack.extend(a for a in node.args if not (held and isinstance(a, CatalogLaw)))
    return None


def _densities(expr: object) -> Expr:
    """A distribution written bare where a number belongs (``\\log q`` in E_p[-\\log q]) is
    its density at the expectation's bound point."""
    if isinstance(expr, Distribution):
        return expr.density(yv, xv)
    if not isinstance(expr, Expr):
        raise TypeError(f"not an expression: {expr!r}")
    found = {a for a in sympy.preorder_traversal(expr) if isinstance(a, Distribution)}
    if not found:
        return expr
    return expr.xreplace({d: d.density(yv, xv) for d in found})


def _parse(scan: _Scan) -> Tree:
    tokens = _lex(scan)
    if not tokens:
        raise scan.error("empty formula", 0)
    try:
        return _parser().parse(tokens)
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        if token is None or token.type == "$END":
            raise scan.error("the formula ends too early", len(scan.text.rstrip())) from None
        spelled = scan.text[token.start_pos : token.end_pos]
        raise LatexError(
            f"unexpected {spelled!r} here", scan.source, token.line, token.column
        ) from None


def read_chain(
    text: str,
    decl: Declarations | None = None,
    *,
    source: str = "<latex>",
    line: int = 1,
    column: int = 1,
    dists: dict[str, Distribution] | None = None,
    limits: LatexLimits = LatexLimits(),
) -> Chain:
    """Read one display-math block as a chain of members and relations.

    ``line`` and ``column`` place the text in its document, so that errors name document
    positions; ``dists`` are the distributions the document has named so far (shared by the
    blocks of one document).

    >>> c = read_chain(r"H(p,q)=\\mathbb{E}_p [-\\log q]")
    >>> c.members[0].value, c.members[1].value
    (CrossEntropy(p, q), Expectation(-log(q(x)), p))
    """
    if len(text) > limits.max_length:
        raise LatexError(
            f"a formula of {len(text)} characters; at most {limits.max_length}",
            source,
            line,
            column,
        )
    scan = _Scan(text, source, line, column, limits)
    builder = _Builder(scan, decl or Declarations(), {} if dists is None else dists)
    try:
        with time_budget(limits.seconds):
            tree = _parse(scan)
            return builder.chain(tree.children[0])
    except BudgetExceeded:
        raise scan.error(f"reading took longer than {limits.seconds:g} s", 0) from None
    except RecursionError:
        raise scan.error("the formula nests too deeply", 0) from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        if isinstance(exc, LatexError):
            raise
        raise scan.error(f"the formula does not build: {exc}", 0) from None


def read_expression(
    text: str,
    decl: Declarations | None = None,
    *,
    source: str = "<latex>",
    limits: LatexLimits = LatexLimits(),
) -> Expr:
    """Read LaTeX holding one expression (no relation) into a sympy expression."""
    chain = read_chain(text, decl, source=source, limits=limits)
    if chain.relations or chain.leading or len(chain.members) != 1:
        raise LatexError("one expression expected, not a chain", source, 1, 1)
    member = chain.members[0]
    if member.value is None or member.optimize:
        raise LatexError("one expression expected, not an objective or a label", source, 1, 1)
    return member.value


def _digits(value: Expr) -> int:
    """Decimal digits of the largest rational in ``value`` (for the callers' limits)."""
    bits = max((max(abs(r.p), r.q).bit_length() for r in value.atoms(sympy.Rational)), default=0)
    return math.ceil(bits * math.log10(2))
