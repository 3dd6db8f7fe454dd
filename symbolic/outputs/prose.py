"""Math inside prose: rules, notes and titles carry formulas written in sympy's text form
(``Sum(x[i]**2, (i, 1, N))``, ``sigma2_hat``, ``E_P[x**2] = mu_1**2 + sigma2_1``); the printers
typeset them as math.

The prose is cut into words and formulas by a small parser of that text form. It only reads:
nothing is evaluated, and a piece it cannot read stays words. Each formula is printed as LaTeX
(for LaTeX, Markdown and HTML) or as Unicode (for terminals).

>>> [(p.math, p.text) for p in pieces("sufficient statistics: Sum(x[i]**2, (i, 1, N))")]
[(False, 'sufficient statistics: '), (True, 'Sum(x[i]**2, (i, 1, N))')]
>>> print(to_tex("E_P[x**2] = mu_1**2 + sigma2_1"))
$\\mathbb{E}_{P}\\left[x^{2}\\right] = \\mu_{1}^{2} + \\sigma^{2}_{1}$
>>> print(to_unicode("the entry of H = [[-N/sigma2_hat]] at theta"))
the entry of H = [[−N/σ̂²]] at θ
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Piece", "pieces", "to_tex", "to_unicode", "name_tex", "name_unicode"]

_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<word>i\.i\.d\.|e\.g\.|i\.e\.|[A-Za-z]+(?:-[A-Za-z]+)+)"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_\u0370-\u03a2\u03a4-\u03ff∂][A-Za-z0-9_\u0370-\u03a2\u03a4-\u03ff]*)"
    r"|(?P<op>\*\*|<=|>=|\|\||->|!=|==|[-+*/^()\[\],=<>|!&~·.∫Σ∏−])"
    r"|(?P<other>.)",
    re.S,
)

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega",
}
_GREEK_CHARS = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "η": "eta",
    "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi",
    "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Σ": "Sigma", "Φ": "Phi",
    "Ψ": "Psi", "Ω": "Omega",
}
_UNICODE_GREEK = {v: k for k, v in _GREEK_CHARS.items()}
# Words of the prose that are never a formula on their own.
_WORDS = {"a", "A", "I"}
# Function names written before their argument without brackets: "log p", "max x[i]".
_PREFIX = {"log", "exp", "min", "max", "tr", "det", "Im", "Re", "sqrt"}
_RELATIONS = {"=", "<", ">", "<=", ">=", "!=", "==", "->", "~", "||", "&"}


@dataclass(frozen=True)
class Piece:
    """A run of the prose: words (``math`` false) or one formula in sympy's text form."""

    math: bool
    text: str
    tree: object = None


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int


class _Fail(Exception):
    pass


# --- names ---------------------------------------------------------------------------------

_SPECIAL_TEX = {
    "p_data": r"\hat{p}_{data}",
    "p_model": r"p_{model}",
    "D_KL": r"D_{KL}",
    "theta_MLE": r"\hat{\theta}_{MLE}",
    "oo": r"\infty",
    "infinity": r"\infty",
    "EulerGamma": r"\gamma_{E}",
    "lam": r"\lambda",
    "xbar": r"\bar{x}",
    "E": r"\mathbb{E}",
}
_SPECIAL_UNICODE = {
    "p_data": "p̂_data",
    "theta_MLE": "θ̂_MLE",
    "oo": "∞",
    "infinity": "∞",
    "EulerGamma": "γ_E",
    "lam": "λ",
    "xbar": "x̄",
}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _is_math_name(name: str) -> bool:
    if name in _WORDS:
        return False
    if name in _SPECIAL_TEX or "_" in name.strip("_") or any(c.isdigit() for c in name):
        return True
    if name in _GREEK or all(c in _GREEK_CHARS or c == "∂" for c in name):
        return True
    return len(name) == 1


def _split_name(name: str) -> tuple[str, list[str], bool]:
    """(base, subscripts, hat): ``sigma2_hat`` → ("sigma2", [], True), ``x_m_1`` →
    ("x", ["m", "1"], False), ``s11`` → ("s", ["11"], False)."""
    parts = [p for p in name.split("_") if p]
    hat = len(parts) > 1 and parts[-1] == "hat"
    if hat:
        parts = parts[:-1]
    base, subs = parts[0], parts[1:]
    digits = re.fullmatch(r"([A-Za-z]+?)(\d+)", base)
    if digits and digits[1] != "sigma" and base != "sigma2":
        base, subs = digits[1], [digits[2], *subs]
    return base, subs, hat


def name_tex(name: str) -> str:
    """LaTeX of a name of the prose: Greek spelled out, subscripts, hats.

    >>> name_tex("sigma2_hat"), name_tex("x_m_1"), name_tex("mu_hat"), name_tex("s12_hat")
    ('\\\\hat{\\\\sigma}^{2}', 'x_{m,1}', '\\\\hat{\\\\mu}', '\\\\hat{s}_{12}')
    """
    if name in _SPECIAL_TEX:
        return _SPECIAL_TEX[name]
    if name.startswith("sum_"):
        return rf"\sum_{{{name_tex(name[4:])}}}"
    if name.startswith("E_") and len(name) > 2:
        return rf"\mathbb{{E}}_{{{name_tex(name[2:])}}}"
    base, subs, hat = _split_name(name)

    def one(b: str) -> str:
        if len(b) > 1 and b[0] == "d" and (b[1:] in _GREEK or len(b) == 2):
            return "d" + one(b[1:])  # dx, dalpha: a differential
        if b.startswith("∂") and len(b) > 1:
            return r"\partial " + one(b[1:])
        if b == "sigma2":
            return r"\sigma"
        if b in _GREEK:
            return "\\" + b
        if b == "lam":
            return r"\lambda"
        if all(c in _GREEK_CHARS or c == "∂" for c in b):
            return "".join(r"\partial " if c == "∂" else "\\" + _GREEK_CHARS[c] + " " for c in b)
        return b if len(b) == 1 else rf"\mathrm{{{b}}}"

    out = one(base)
    if hat:
        out = rf"\hat{{{out}}}"
    if base == "sigma2":
        out += "^{2}"
    if subs:
        out += "_{" + ",".join(_sub_tex(s) for s in subs) + "}"
    return out


def _sub_tex(sub: str) -> str:
    if sub.startswith("sigma2"):
        return r"\sigma^{2}"
    if sub in _GREEK or sub == "lam":
        return r"\lambda" if sub == "lam" else "\\" + sub
    return sub


def name_unicode(name: str) -> str:
    """Unicode of a name of the prose.

    >>> name_unicode("sigma2_hat"), name_unicode("theta"), name_unicode("mu_1")
    ('σ̂²', 'θ', 'μ₁')
    """
    if name in _SPECIAL_UNICODE:
        return _SPECIAL_UNICODE[name]
    if name.startswith("sum_"):
        return "Σ_" + name_unicode(name[4:])
    base, subs, hat = _split_name(name)
    greek = "sigma" if base == "sigma2" else ("lambda" if base == "lam" else base)
    out = _UNICODE_GREEK.get(greek, greek)
    if hat:
        out += "\u0302"
    if subs and all(s.isdigit() for s in subs):
        out += "".join(subs).translate(_SUBSCRIPT)
    elif subs:
        out += "_" + ",".join(
            "σ²" if s == "sigma2" else _UNICODE_GREEK.get("lambda" if s == "lam" else s, s)
            for s in subs
        )
    if base == "sigma2":
        out += "²"
    return out


# --- parsing -------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over sympy's text form; trees are tuples (kind, ...)."""

    def __init__(self, toks: list[_Tok], pos: int) -> None:
        self.toks, self.pos = toks, pos

    def peek(self, k: int = 0) -> _Tok | None:
        j = self.pos
        while j < len(self.toks):
            if self.toks[j].kind != "ws":
                if k == 0:
                    return self.toks[j]
                k -= 1
            j += 1
        return None

    def adjacent(self) -> bool:
        """The next token follows without a space."""
        return self.pos < len(self.toks) and self.toks[self.pos].kind != "ws"

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise _Fail
        while self.toks[self.pos] is not tok:
            self.pos += 1
        self.pos += 1
        return tok

    def expect(self, text: str) -> None:
        if self.take().text != text:
            raise _Fail

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "op" and tok.text in texts

    def relation(self) -> object:
        left = self.arith()
        while self.at(*_RELATIONS):
            saved = self.pos
            op = self.take().text
            try:
                left = ("rel", op, left, self.arith())
            except _Fail:
                # "theta >= every x[i]": the formula ends before the relation.
                self.pos = saved
                return left
        return left

    def arith(self) -> object:
        left = self.term()
        while self.at("+", "-", "−"):
            op = self.take().text
            left = ("add", "-" if op == "−" else op, left, self.term())
        return left

    def term(self) -> object:
        left = self.unary()
        while True:
            if self.at("*", "/", "·"):
                op = self.take().text
                left = ("mul" if op != "/" else "div", left, self.unary())
            elif self._starts_factor():
                saved = self.pos
                try:
                    left = ("mul", left, self.unary(), " ")
                except _Fail:
                    self.pos = saved
                    return left
            else:
                return left

    def _word_in_formula(self) -> bool:
        """A word is part of a formula when it is called or an operand: count/N, H(p)."""
        return self.adjacent() and self.at("(", "[", "*", "/", "**", "^")

    def _starts_factor(self) -> bool:
        # Juxtaposition ("N u", "2 mu_1", "c(theta) g(x_i)") only with a factor that is math
        # by itself: a word of the prose ends the formula.
        tok = self.peek()
        if tok is None:
            return False
        if tok.kind == "name":
            return _is_math_name(tok.text) or tok.text in _PREFIX or self._is_call(1)
        return tok.kind == "op" and tok.text in ("∫", "Σ", "∏", "∂", "(") or tok.kind == "num"

    def _is_call(self, k: int) -> bool:
        nxt = self.peek(k)
        return nxt is not None and nxt.text in ("(", "[") and self._no_space_before(k)

    def _no_space_before(self, k: int) -> bool:
        j, seen = self.pos, -1
        while j < len(self.toks):
            if self.toks[j].kind != "ws":
                seen += 1
                if seen == k:
                    return self.toks[j - 1].kind != "ws"
            j += 1
        return False

    def unary(self) -> object:
        if self.at("-", "+", "−"):
            op = self.take().text
            return ("neg" if op != "+" else "pos", self.unary())
        if self.at("∫", "Σ", "∏"):
            sign = self.take().text
            sub = None
            tok = self.peek()
            if tok is not None and tok.kind == "name" and tok.text.startswith("_"):
                sub = self.take().text[1:]
            return ("big", sign, sub, self.unary())
        return self.power()

    def power(self) -> object:
        base = self.postfix()
        if self.at("**", "^"):
            self.take()
            return ("pow", base, self.unary())
        return base

    def postfix(self) -> object:
        node = self.atom()
        while True:
            if self.at("(") and self.adjacent():
                self.take()
                node = ("call", node, self.args(")"))
            elif self.at("[") and self.adjacent():
                self.take()
                node = ("index", node, self.args("]"))
            elif self.at("!") and self.adjacent():
                self.take()
                node = ("fact", node)
            elif self.at(".") and self.adjacent():
                nxt = self.peek(1)
                if nxt is None or nxt.text != "T":
                    return node
                self.take()
                self.take()
                node = ("transpose", node)
            else:
                return node

    def args(self, close: str) -> list[object]:
        out: list[object] = []
        if self.at(close):
            self.take()
            return out
        while True:
            out.append(self.relation())
            if self.at(","):
                self.take()
                continue
            self.expect(close)
            return out

    def atom(self) -> object:
        tok = self.take()
        if tok.kind == "num":
            return ("num", tok.text)
        if tok.kind == "name":
            if tok.text in _PREFIX and not (self.at("(") and self.adjacent()):
                # "log p_data", "max x[i]": a function applied without brackets.
                if self._starts_factor() or self.at("|"):
                    return ("call", ("name", tok.text), [self.power()], "bare")
            if not (_is_math_name(tok.text) or self._word_in_formula()):
                raise _Fail
            return ("name", tok.text)
        if tok.text == "(":
            items = self.args(")")
            return ("paren", items[0]) if len(items) == 1 else ("tuple", items)
        if tok.text == "[":
            return ("list", self.args("]"))
        if tok.text == "|":
            inner = self.arith()
            self.expect("|")
            return ("abs", inner)
        if tok.text == "∂":
            return ("name", "∂")
        raise _Fail


def _is_math_tree(node: object) -> bool:
    """A formula, not a word that happens to parse: something beyond a plain English word."""
    if not isinstance(node, tuple):
        return False
    if node[0] == "name":
        return _is_math_name(node[1])
    if node[0] == "num":
        return False
    if node[0] == "paren":
        return _is_math_tree(node[1])
    if node[0] == "tuple":
        return any(_is_math_tree(n) for n in node[1])
    return True


def pieces(prose: str) -> list[Piece]:
    """The prose cut into words and formulas."""
    toks = [
        _Tok(m.lastgroup or "other", m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(prose)
    ]
    out: list[Piece] = []
    words: list[str] = []
    k = 0
    while k < len(toks):
        tok = toks[k]
        starts = (tok.kind == "name" and _opens(toks, k)) or tok.kind == "num" or (
            tok.kind == "op" and tok.text in ("(", "[", "-", "+", "−", "|", "∫", "Σ", "∏", "∂")
        )
        if starts:
            parser = _Parser(toks, k)
            try:
                tree = parser.relation()
            except (_Fail, RecursionError):
                tree = None
            if tree is not None and _is_math_tree(tree) and _balanced(toks, k, parser.pos):
                end = parser.pos
                if words:
                    out.append(Piece(False, "".join(words)))
                    words = []
                out.append(Piece(True, prose[tok.start : toks[end - 1].end], tree))
                k = end
                continue
        word = _greek_word(tok.text) if tok.kind == "word" else tok.text
        words.append(_WORD_SIGNS.get(word, word))
        k += 1
    if words:
        out.append(Piece(False, "".join(words)))
    return _merge(out)


def _greek_word(word: str) -> str:
    # "theta-free": the Greek part of a hyphenated word is a letter, not a spelled-out name.
    return "-".join(
        _UNICODE_GREEK.get(part, part) if part in ("theta", "mu", "sigma", "lambda") else part
        for part in word.split("-")
    )


# Signs left among the words when the formula around them could not be read.
_WORD_SIGNS = {">=": "≥", "<=": "≤", "!=": "≠", "->": "→", "||": "‖", "**": "^"}
# Families named after Greek letters: the word, not the letter, in "the beta family".
_FAMILY_WORDS = {"beta", "gamma"}


def _names_a_family(toks: list[_Tok], k: int) -> bool:
    after = [t.text for t in toks[k + 1 : k + 3]]
    before = toks[k - 1].text if k else ""
    return (len(after) == 2 and after[1] in ("family", "laws", "law")) or (
        before == "(" and after[:1] == [")"]
    )


def _opens(toks: list[_Tok], k: int) -> bool:
    """A name opens a formula when it is math itself, is called, or is a function name applied
    to math ("log p_data"); a word of the prose never does ("of f" is a word, then f)."""
    name = toks[k].text
    prev = toks[k - 1].text if k else ""
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    if prev in ("'", "’"):
        return False  # the solver's
    if name in _FAMILY_WORDS and _names_a_family(toks, k):
        return False
    if _is_math_name(name):
        return True
    if nxt is not None and nxt.text in ("(", "["):
        return True
    if name in _PREFIX and nxt is not None and nxt.kind == "ws" and k + 2 < len(toks):
        after = toks[k + 2]
        return (after.kind == "name" and _is_math_name(after.text)) or after.text == "|"
    return False


def _balanced(toks: list[_Tok], start: int, end: int) -> bool:
    text = "".join(t.text for t in toks[start:end])
    return text.count("(") == text.count(")") and text.count("[") == text.count("]")


def _merge(out: list[Piece]) -> list[Piece]:
    # A formula that ends in a space gives the space back to the words.
    merged: list[Piece] = []
    for p in out:
        if p.math and p.text != p.text.rstrip():
            merged.append(Piece(True, p.text.rstrip(), p.tree))
            merged.append(Piece(False, p.text[len(p.text.rstrip()) :]))
        else:
            merged.append(p)
    joined: list[Piece] = []
    for p in merged:
        if joined and not p.math and not joined[-1].math:
            joined[-1] = Piece(False, joined[-1].text + p.text)
        else:
            joined.append(p)
    return joined


# --- printing ------------------------------------------------------------------------------

_TEX_FUNCS = {
    "log": r"\log", "exp": r"\exp", "sqrt": r"\sqrt", "tr": r"\operatorname{tr}",
    "det": r"\det", "min": r"\min", "max": r"\max", "Im": r"\operatorname{Im}",
    "Re": r"\operatorname{Re}", "gamma": r"\Gamma", "Gamma": r"\Gamma",
    "loggamma": r"\log\Gamma", "Exp": r"\mathrm{Exp}", "Beta": r"\mathrm{Beta}",
}
_TEX_OPS = {
    "=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "!=": r"\ne", "==": "=",
    "->": r"\to", "~": r"\sim", "||": r"\,\|\,", "&": r"\;\text{and}\;",
}
_PREC = {"rel": 0, "add": 1, "mul": 2, "div": 2, "neg": 3, "pos": 3, "big": 3, "pow": 4}


def _prec(node: object) -> int:
    return _PREC.get(node[0], 5) if isinstance(node, tuple) else 5


class _TexOut:
    def __call__(self, node: object) -> str:
        return getattr(self, "_" + node[0])(*node[1:])

    def wrap(self, node: object, level: int) -> str:
        body = self(node)
        return rf"\left({body}\right)" if _prec(node) < level else body

    def _num(self, text: str) -> str:
        return text

    def _paren(self, a: object) -> str:
        return rf"\left({self(a)}\right)"

    def _name(self, text: str) -> str:
        return name_tex(text)

    def _rel(self, op: str, a: object, b: object) -> str:
        return f"{self(a)} {_TEX_OPS[op]} {self(b)}"

    def _add(self, op: str, a: object, b: object) -> str:
        return f"{self(a)} {op} {self.wrap(b, 2)}"

    def _mul(self, a: object, b: object, sep: str = "*") -> str:
        if sep == "*" and _prec(b) == 5 and b[0] == "num":
            return rf"{self.wrap(a, 2)} \cdot {self(b)}"
        return f"{self.wrap(a, 2)} {self.wrap(b, 3)}"

    def _div(self, a: object, b: object) -> str:
        a, b = _bare(a), _bare(b)
        negative, a = _pull_neg(a)
        if negative:
            return rf"-\frac{{{self(a)}}}{{{self(b)}}}"
        return rf"\frac{{{self(a)}}}{{{self(b)}}}"

    def _neg(self, a: object) -> str:
        return f"-{self.wrap(a, 3)}"

    def _pos(self, a: object) -> str:
        return f"+{self.wrap(a, 3)}"

    def _big(self, sign: str, sub: str | None, a: object) -> str:
        op = {"∫": r"\int", "Σ": r"\sum", "∏": r"\prod"}[sign]
        under = f"_{{{name_tex(sub)}}}" if sub else ""
        return f"{op}{under} {self.wrap(a, 2)}"

    def _pow(self, a: object, b: object) -> str:
        b = _bare(b)
        doubled = _squared_name(a, b)
        if doubled is not None:
            # (σ̂²)² is σ̂⁴.
            return name_tex(a[1]).replace("^{2}", f"^{{{doubled}}}")
        base = self(a)
        if _prec(a) < 5 or (isinstance(a, tuple) and a[0] == "call" and a[1][1] != "Abs"):
            base = rf"\left({base}\right)"
        elif isinstance(a, tuple) and a[0] == "name" and "^" in base:
            base = f"{{{base}}}"
        return f"{base}^{{{self(b)}}}"

    def _fact(self, a: object) -> str:
        return f"{self.wrap(a, 5)}!"

    def _transpose(self, a: object) -> str:
        return rf"{self.wrap(a, 5)}^{{\top}}"

    def _abs(self, a: object) -> str:
        return rf"\left|{self(a)}\right|"

    def _tuple(self, items: list[object]) -> str:
        return r"\left(" + ", ".join(self(i) for i in items) + r"\right)"

    def _list(self, items: list[object]) -> str:
        if items and all(isinstance(i, tuple) and i[0] == "list" for i in items):
            rows = [" & ".join(self(c) for c in row[1]) for row in items]
            return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"
        return r"\left[" + ", ".join(self(i) for i in items) + r"\right]"

    def _index(self, base: object, idx: list[object]) -> str:
        if isinstance(base, tuple) and base[0] == "name" and base[1].startswith("E"):
            head = name_tex(base[1]) if base[1] != "E" else r"\mathbb{E}"
            return rf"{head}\left[{', '.join(self(i) for i in idx)}\right]"
        head = self(base)
        if "_" in head or "^" in head:
            head = f"{{{head}}}"
        return f"{head}_{{{','.join(self(i) for i in idx)}}}"

    def _call(self, fn: object, args: list[object], bare: str = "") -> str:
        name = fn[1] if isinstance(fn, tuple) and fn[0] == "name" else None
        special = _tex_call(self, name, args) if name else None
        if special is not None:
            return special
        head = _TEX_FUNCS.get(name, None) if name else None
        if head is None:
            head = self(fn)
        inner = ", ".join(self(a) for a in args)
        if name == "sqrt":
            return rf"\sqrt{{{inner}}}"
        if bare or (name in ("log", "exp") and len(args) == 1 and _prec(args[0]) == 5
                    and args[0][0] in ("name", "index", "num")):
            return f"{head} {inner}"
        return rf"{head}\left({inner}\right)"


def _pull_neg(node: object) -> tuple[bool, object]:
    """(True, a b) for -a b: the sign of a product's first factor, taken out."""
    if isinstance(node, tuple) and node[0] == "neg":
        return True, node[1]
    if isinstance(node, tuple) and node[0] == "mul":
        negative, first = _pull_neg(node[1])
        return negative, (node[0], first, *node[2:])
    return False, node


def _bare(node: object) -> object:
    return node[1] if isinstance(node, tuple) and node[0] == "paren" else node


def _squared_name(a: object, b: object) -> int | None:
    """2k when ``a`` is a name of σ² and ``b`` the integer k."""
    if not (isinstance(a, tuple) and a[0] == "name" and a[1].split("_")[0] == "sigma2"):
        return None
    if isinstance(b, tuple) and b[0] == "num" and b[1].isdigit():
        return 2 * int(b[1])
    return None


def _limits(args: list[object]) -> tuple[object, object, object] | None:
    if len(args) == 2 and isinstance(args[1], tuple) and args[1][0] == "tuple":
        if len(args[1][1]) == 3:
            return tuple(args[1][1])  # type: ignore[return-value]
    if len(args) == 4:
        return args[1], args[2], args[3]
    return None


def _tex_call(out: _TexOut, name: str, args: list[object]) -> str | None:
    if name in ("Sum", "Product", "Integral"):
        sign = {"Sum": r"\sum", "Product": r"\prod", "Integral": r"\int"}[name]
        lim = _limits(args)
        body = out.wrap(args[0], 2)
        if lim is None:
            return f"{sign} {body}"
        var, lo, hi = (out(v) for v in lim)
        if name == "Integral":
            return rf"\int_{{{lo}}}^{{{hi}}} {body} \, d{var}"
        return rf"{sign}_{{{var}={lo}}}^{{{hi}}} {body}"
    if name in ("Maximum", "Minimum", "Median") and len(args) == 4:
        op = {"Maximum": r"\max", "Minimum": r"\min", "Median": r"\operatorname{median}"}[name]
        return rf"{op}_{{{out(args[1])}}} {out(args[0])}"
    if name == "Abs" and len(args) == 1:
        return rf"\left|{out(args[0])}\right|"
    if name == "polygamma" and len(args) == 2:
        order = out(args[0])
        head = r"\psi" if order == "0" else rf"\psi^{{({order})}}"
        return rf"{head}\left({out(args[1])}\right)"
    if name == "binomial" and len(args) == 2:
        return rf"\binom{{{out(args[0])}}}{{{out(args[1])}}}"
    if name == "factorial" and len(args) == 1:
        return f"{out.wrap(args[0], 5)}!"
    if name == "Trace" and len(args) == 1:
        return rf"\operatorname{{tr}}\left({out(args[0])}\right)"
    if name == "KroneckerDelta" and len(args) == 2:
        return rf"\delta_{{{out(args[0])},{out(args[1])}}}"
    if name in ("H", "D_KL", "NLL", "C") and args:
        head = {"H": "H", "D_KL": r"D_{KL}", "NLL": r"\mathrm{NLL}", "C": "C"}[name]
        return rf"{head}\left({', '.join(out(a) for a in args)}\right)"
    return None


class _UnicodeOut(_TexOut):
    def wrap(self, node: object, level: int) -> str:
        body = self(node)
        return f"({body})" if _prec(node) < level else body

    def _name(self, text: str) -> str:
        return name_unicode(text)

    def _rel(self, op: str, a: object, b: object) -> str:
        sign = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "->": "→", "||": "‖",
                "&": "and"}.get(op, op)
        return f"{self(a)} {sign} {self(b)}"

    def _add(self, op: str, a: object, b: object) -> str:
        return f"{self(a)} {'−' if op == '-' else op} {self.wrap(b, 2)}"

    def _mul(self, a: object, b: object, sep: str = "*") -> str:
        # 2σ², not 2·σ²: a number is juxtaposed with what follows it.
        join = "" if isinstance(a, tuple) and a[0] == "num" else ("·" if sep == "*" else " ")
        return f"{self.wrap(a, 2)}{join}{self.wrap(b, 3)}"

    def _div(self, a: object, b: object) -> str:
        b = b if _prec(_bare(b)) >= 4 else ("paren", _bare(b))
        return f"{self.wrap(a, 2)}/{self(b) if b[0] == 'paren' else self.wrap(b, 3)}"

    def _neg(self, a: object) -> str:
        return f"−{self.wrap(a, 3)}"

    def _big(self, sign: str, sub: str | None, a: object) -> str:
        return f"{sign}{'_' + name_unicode(sub) if sub else ''} {self.wrap(a, 2)}"

    def _paren(self, a: object) -> str:
        return f"({self(a)})"

    def _pow(self, a: object, b: object) -> str:
        b = _bare(b)
        doubled = _squared_name(a, b)
        if doubled is not None:
            return name_unicode(a[1]).replace("²", str(doubled).translate(_SUPERSCRIPT))
        base = self.wrap(a, 5)
        if _prec(a) == 5 and a[0] == "call":
            base = f"({base})" if not base.startswith("|") else base
        if isinstance(b, tuple) and b[0] == "num" and b[1].isdigit():
            return base + b[1].translate(_SUPERSCRIPT)
        return f"{base}^{self.wrap(b, 5)}"

    def _transpose(self, a: object) -> str:
        return f"{self.wrap(a, 5)}ᵀ"

    def _abs(self, a: object) -> str:
        return f"|{self(a)}|"

    def _tuple(self, items: list[object]) -> str:
        return "(" + ", ".join(self(i) for i in items) + ")"

    def _list(self, items: list[object]) -> str:
        return "[" + ", ".join(self(i) for i in items) + "]"

    def _index(self, base: object, idx: list[object]) -> str:
        if isinstance(base, tuple) and base[0] == "name" and base[1].startswith("E"):
            return f"{base[1]}[{', '.join(self(i) for i in idx)}]"
        return f"{self(base)}_{','.join(self(i) for i in idx)}"

    def _call(self, fn: object, args: list[object], bare: str = "") -> str:
        name = fn[1] if isinstance(fn, tuple) and fn[0] == "name" else None
        lim = _limits(args)
        if name in ("Sum", "Product") and lim is not None:
            var, lo, hi = (self(v) for v in lim)
            sign = "Σ" if name == "Sum" else "∏"
            return f"{sign}_{{{var}={lo}..{hi}}} {self.wrap(args[0], 2)}"
        if name in ("Sum", "Product"):
            return f"{'Σ' if name == 'Sum' else '∏'} {self.wrap(args[0], 2)}"
        if name in ("Maximum", "Minimum", "Median") and len(args) == 4:
            op = {"Maximum": "max", "Minimum": "min", "Median": "median"}[name]
            return f"{op}_{self(args[1])} {self(args[0])}"
        if name == "Abs" and len(args) == 1:
            return f"|{self(args[0])}|"
        if name == "polygamma" and len(args) == 2:
            order = self(args[0])
            return f"ψ{'' if order == '0' else '^(' + order + ')'}({self(args[1])})"
        if name == "factorial" and len(args) == 1:
            return f"{self.wrap(args[0], 5)}!"
        if name == "sqrt" and len(args) == 1:
            return f"√({self(args[0])})"
        if name == "binomial" and len(args) == 2:
            return f"C({self(args[0])}, {self(args[1])})"
        if name == "Trace" and len(args) == 1:
            return f"tr({self(args[0])})"
        if name == "KroneckerDelta" and len(args) == 2:
            return f"δ_{self(args[0])},{self(args[1])}"
        head = {"gamma": "Γ", "loggamma": "log Γ"}.get(name or "", None) or self(fn)
        inner = ", ".join(self(a) for a in args)
        return f"{head} {inner}" if bare else f"{head}({inner})"


def _render(prose: str, math: Callable[[Piece], str], words: Callable[[str], str]) -> str:
    return "".join(math(p) if p.math else words(p.text) for p in pieces(prose))


def to_tex(prose: str, words: Callable[[str], str] = lambda s: s, open_: str = "$",
           close: str = "$") -> str:
    """The prose with every formula as inline LaTeX between ``open_`` and ``close``; the words
    pass through ``words`` (an escape for the target format)."""
    printer = _TexOut()
    return _render(prose, lambda p: f"{open_}{printer(p.tree)}{close}", words)


def to_unicode(prose: str) -> str:
    """The prose with every formula in Unicode, for terminals."""
    printer = _UnicodeOut()
    return _render(prose, lambda p: printer(p.tree), lambda s: s)
