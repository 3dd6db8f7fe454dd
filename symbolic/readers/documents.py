r"""Markdown and .tex documents: every display-math chain, each relation a step for the kernel.

A chain is a display block (``$$ … $$``, ``\[ … \]``, ``equation``, ``align``/``align*`` with
``&=`` rows), continued by the next display block when that one opens with a relation
(``$$ = … $$``). Declarations come from the YAML front matter's ``symbolic:`` key (Markdown) or
a ``% symbolic:`` comment block (.tex); without them θ is the parameter, N the sample size and
x_i, y_i the data. Steps keep the line of their relation, so verdicts point into the source.

>>> doc = read_text("---\ntitle: demo\n---\n$$\nH(p, q) = \\mathbb{E}_p[-\\log q]\n$$\n", "d.md")
>>> report = check_document(doc)
>>> [(s.line, s.status) for c in report.chains for s in c.steps]
[(5, 'proved')]
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from sympy import Add, Basic, Expr, IndexedBase, Lambda, Symbol, exp, log

from symbolic.kernel import (
    CheckedStep,
    Config,
    Relation,
    Status,
    Step,
    check_in,
    check_step,
    worst,
)
from symbolic.kernel.derivation import Derivation
from symbolic.kernel.measures import BoundModel, Constant, Defined, Likelihood, N
from symbolic.kernel.numeric import DataSampler, VectorSpec
from symbolic.readers import files
from symbolic.readers.latex import (
    CONSTANT,
    EXTRA_KINDS,
    Chain,
    Declarations,
    LatexError,
    Member,
    read_chain,
    symbol_for,
)

__all__ = [
    "DocumentError",
    "Block",
    "Document",
    "StepReport",
    "ChainReport",
    "DocumentReport",
    "is_document",
    "read",
    "read_text",
    "check_document",
    "report_json",
    "report_text",
    "annotate",
    "catalog_derivation",
    "MAX_DOCUMENT_BYTES",
]

MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_BLOCKS = 500
_MARKDOWN = (".md", ".markdown", ".txt")
_TEX = (".tex",)
_MATH_ENVS = ("equation", "equation*", "align", "align*")
_REFUSED_ENVS = (
    "gather",
    "gather*",
    "multline",
    "multline*",
    "eqnarray",
    "eqnarray*",
    "flalign",
    "flalign*",
    "alignat",
    "alignat*",
    "displaymath",
    "math",
)
_TOML_KINDS = (
    "real",
    "positive",
    "negative",
    "nonnegative",
    "integer",
    "positive integer",
    "nonnegative integer",
)
_RELATIONS = {"=": Relation.EQ, "<": Relation.LT, ">": Relation.GT}
_UNCHECKED = {
    "le": "≤",
    "ge": "≥",
    "propto": "∝",
    "ne": "≠",
    "approx": "≈",
}
_MARKS = {"proved": "✔", "numeric": "≈", "refuted": "✘", "unknown": "?"}


class DocumentError(ValueError):
    """A document that cannot be read: ``file:line:column: reason``."""

    def __init__(self, detail: str, source: str, line: int, column: int = 1) -> None:
        self.detail, self.source, self.line, self.column = detail, source, line, column
        super().__init__(f"{source}:{line}:{column}: {detail}")


@dataclass(frozen=True)
class Block:
    """One display-math block: its LaTeX and where it starts in the document."""

    text: str
    line: int
    column: int
    end_line: int


@dataclass(frozen=True)
class Document:
    """A document's title, declarations, sampling intervals and display blocks."""

    source: str
    title: str
    declarations: Declarations
    intervals: dict[Symbol, tuple[float, float]]
    blocks: tuple[Block, ...]
    text: str
    #: The data's domains (x and y) for the proofs, and the numeric checks' sampler of them.
    domains: dict[IndexedBase, IndexedBase] = field(default_factory=dict)
    data: DataSampler | None = None
    #: Relations the proofs assume (``assume: [N >= 2]``), as the files' ``assume``.
    hypotheses: tuple[Basic, ...] = ()
    #: The declared vectors' lengths and domains (``t: onehot[K]``), for the numeric checks.
    vectors: dict[IndexedBase, VectorSpec] = field(default_factory=dict)


def is_document(target: str) -> bool:
    """Whether a ``check`` target names a Markdown or .tex document."""
    return target.lower().endswith(_MARKDOWN + _TEX)


# --- declarations -------------------------------------------------------------------------


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _without_comment(line: str) -> str:
    """The line without its YAML comment: ``#`` at the start or after a space, outside
    quotes."""
    quote = None
    for k, c in enumerate(line):
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"" and (k == 0 or line[k - 1] in " :["):
            quote = c
        elif c == "#" and (k == 0 or line[k - 1] in " \t"):
            return line[:k].rstrip()
    return line


def _list(value: str, source: str, line: int) -> list[str]:
    """``[a, b]``; a comma inside brackets belongs to its item (``[Sum(t[k], (k, 1, K)) == 1]``)."""
    value = value.strip()
    if not (value.startswith("[") and value.endswith("]")):
        raise DocumentError("a list is written [a, b]", source, line)
    items, depth, start = [], 0, 1
    for k, c in enumerate(value[:-1]):
        depth += (c in "([{") - (c in ")]}")
        if c == "," and depth == 1:
            items.append(value[start:k])
            start = k + 1
    items.append(value[start:-1])
    return [_scalar(v) for v in items if v.strip()]


_T = TypeVar("_T")
_SECTIONS = ("params", "assume", "symbols", "vectors", "data", "define", "model")
_MODEL_KEYS = ("p_model", "params", "measure")


@dataclass(frozen=True)
class _Declared:
    """What a declaration block gives: the reader's declarations, the symbols' intervals, and
    the data's domains (for the proofs) and sampler (for the numeric checks)."""

    declarations: Declarations
    intervals: dict[Symbol, tuple[float, float]]
    domains: dict[IndexedBase, IndexedBase] = field(default_factory=dict)
    data: DataSampler | None = None
    hypotheses: tuple[Basic, ...] = ()
    vectors: dict[IndexedBase, VectorSpec] = field(default_factory=dict)


def _declarations(lines: Sequence[tuple[int, str]], source: str) -> _Declared:
    """The ``symbolic:`` block: ``params: [theta]``; ``symbols:`` with ``name: kind`` rows;
    ``data:`` with the domains of x and y (``y: binary``); ``define:`` with ``sigma(z): 1/(1 +
    exp(-z))`` rows and ``model:`` with ``p_model:`` (and optionally ``params:`` and
    ``measure:``) rows, written as in the TOML files' [data], [define] and [model]."""
    symbols: dict[str, str] = {}
    intervals: dict[Symbol, tuple[float, float]] = {}
    params: tuple[str, ...] = ("theta",)
    data: dict[str, tuple[int, str]] = {}
    vectors: dict[str, tuple[int, str]] = {}
    assumed: tuple[int, list[str]] | None = None
    definitions: list[tuple[int, str, str]] = []
    model: dict[str, tuple[int, str]] = {}
    section = None
    for number, line in lines:
        raw = _without_comment(line)
        if not raw.strip():
            continue
        depth = len(raw) - len(raw.lstrip(" "))
        key, colon, value = raw.strip().partition(":")
        if not colon:
            raise DocumentError(f"expected 'key: value', found {raw.strip()!r}", source, number)
        key = _scalar(key)
        if depth <= 2 and key in _SECTIONS:
            section = key
            if key == "params":
                params = tuple(_list(value, source, number))
            elif key == "assume":
                assumed = (number, _list(value, source, number))
            elif value.strip():
                raise DocumentError(f"{key}: takes indented rows", source, number)
            continue
        if depth <= 2:
            known = ", ".join(_SECTIONS)
            raise DocumentError(
                f"unknown declaration {key!r}; use one of: {known}", source, number
            )
        if section == "define":
            definitions.append((number, key, _scalar(value)))
            continue
        if section in ("data", "vectors"):
            (data if section == "data" else vectors)[key] = (number, _scalar(value))
            continue
        if section == "model":
            if key not in _MODEL_KEYS:
                known = ", ".join(_MODEL_KEYS)
                raise DocumentError(f"model: {key!r} is not one of {known}", source, number)
            model[key] = (number, value)
            continue
        if section != "symbols":
            raise DocumentError(f"{key!r} is not under symbols:", source, number)
        kind = _scalar(value)
        # A name may end in primes: theta' is a name of its own.
        if not key.rstrip("'").replace("_", "").isalnum() or not key[0].isalpha():
            raise DocumentError(f"{key!r} is not a name", source, number)
        if kind.startswith("("):
            lo, comma, hi = kind.strip("()").partition(",")
            try:
                bounds = (float(lo), float(hi))
            except ValueError:
                bounds = (1.0, 0.0)
            if not comma or not bounds[0] < bounds[1]:
                raise DocumentError(
                    f"{kind!r} is not an interval (a, b) with a < b", source, number
                )
            intervals[Symbol(key, real=True)] = bounds
            kind = "real"
        elif kind not in _TOML_KINDS + EXTRA_KINDS:
            known = ", ".join([*_TOML_KINDS, *EXTRA_KINDS, "(a, b)"])
            raise DocumentError(f"unknown kind {kind!r}; use one of: {known}", source, number)
        symbols[key] = kind
    for name in params:
        if name != "theta" and symbols.get(name) not in _TOML_KINDS:
            raise DocumentError(f"params: {name!r} is not declared as a symbol", source, 1)
    declared = Declarations(symbols, params)
    if not (data or vectors or definitions or model or assumed):
        return _Declared(declared, intervals)
    names = files._predeclared()
    for name, kind in symbols.items():
        if kind in _TOML_KINDS:
            names[name] = symbol_for(name, declared)
    own = _from_files(files._vectors, vectors, names, source)
    domains, sampler, specs = {}, None, {}
    if data:
        domains, sampler, specs = _from_files(files._data, data, names, source)
    specs = {**specs, **own}
    for base in specs:
        # The reader's x_i of such data is the files' x[i], with the files' assumptions.
        symbols[str(base.label)] = "data"
    defined, bound = _abbreviations(definitions, model, names, source)
    hypotheses: tuple[Basic, ...] = ()
    if assumed is not None:
        try:
            hypotheses = files._hypotheses(_PLACE, assumed[1], names)
        except files.FileError as exc:
            detail = str(exc).removeprefix(f"{_PLACE}: ")
            raise DocumentError(detail, source, assumed[0]) from None
    symbols.update(dict.fromkeys(defined, "function"))
    bases = {str(base.label): base for base in specs}
    declared = Declarations(symbols, params, defined=defined, model=bound, bases=bases)
    return _Declared(declared, intervals, domains, sampler, hypotheses, specs)


# The files' messages start with the place they are given; a document's say line and column.
_PLACE = "declarations"


def _from_files(
    read: Callable[[str, dict[str, str], dict[str, object]], _T],
    rows: dict[str, tuple[int, str]],
    names: dict[str, object],
    source: str,
) -> _T:
    """A table of the files' ([data], [vectors]) read by the files' own function; its errors
    at the first row's line."""
    try:
        return read(_PLACE, {k: v for k, (_, v) in rows.items()}, names)
    except files.FileError as exc:
        first = min((number for number, _ in rows.values()), default=1)
        raise DocumentError(str(exc).removeprefix(f"{_PLACE}: "), source, first) from None


def _abbreviations(
    definitions: Sequence[tuple[int, str, str]],
    model: dict[str, tuple[int, str]],
    names: dict[str, object],
    source: str,
) -> tuple[dict[str, Lambda], BoundModel | None]:
    """The definitions and the model, read by the TOML files' own reader (the same names,
    functions and densities), in the document's declared symbols."""
    place = _PLACE
    defined: dict[str, Lambda] = {}
    for number, key, body in definitions:
        try:
            files._define(place, {key: body}, names)
        except files.FileError as exc:
            raise DocumentError(str(exc).removeprefix(f"{place}: "), source, number) from None
        name, arglist = files._SIGNATURE.fullmatch(key).groups()
        made = names[name]
        if not isinstance(made, Defined):
            # Applied to its own arguments, a definition shows its Lambda.
            made = made(*(Symbol(a.strip(), real=True) for a in arglist.split(",")))
        defined[name] = made.args[1]
    if not model:
        return defined, None
    if "p_model" not in model:
        first = min(number for number, _ in model.values())
        raise DocumentError("model: needs its p_model: row", source, first)
    raw: dict[str, object] = {"p_model": _scalar(model["p_model"][1])}
    for key in ("params", "measure"):
        if key in model:
            number, value = model[key]
            raw[key] = _list(value, source, number) if key == "params" else _scalar(value)
    try:
        files._model(place, raw, names)
    except files.FileError as exc:
        raise DocumentError(
            str(exc).removeprefix(f"{place}: "), source, model["p_model"][0]
        ) from None
    return defined, names["p_model"]


# --- finding the math ---------------------------------------------------------------------


def _front_matter(lines: list[str], source: str) -> tuple[str, list[tuple[int, str]], int]:
    """The title, the ``symbolic:`` block's lines and the first line after the front matter."""
    if not lines or lines[0].strip() != "---":
        return "", [], 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise DocumentError("the front matter is never closed with ---", source, 1)
    title, block, inside = "", [], False
    for k in range(1, end):
        line = lines[k]
        if line and not line[0].isspace():
            key, _, value = line.partition(":")
            inside = key.strip() == "symbolic"
            if key.strip() == "title":
                title = _scalar(value)
            if inside and value.strip():
                raise DocumentError("symbolic: takes indented declarations", source, k + 1)
        elif inside:
            block.append((k + 1, line))
    return title, block, end + 1


def _markdown_blocks(lines: list[str], first: int, source: str) -> list[Block]:
    blocks: list[Block] = []
    k = first
    fenced = False
    while k < len(lines):
        line = lines[k]
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            k += 1
            continue
        if fenced:
            k += 1
            continue
        for opener, closer in (("$$", "$$"), ("\\[", "\\]")):
            if stripped.startswith(opener):
                blocks.append(_delimited(lines, k, opener, closer, source))
                k = blocks[-1].end_line
                break
        else:
            k += 1
    return blocks


def _delimited(lines: list[str], k: int, opener: str, closer: str, source: str) -> Block:
    """The block opening at line ``k`` (0-based) with ``opener``; ``end_line`` is 1-based."""
    line = lines[k]
    start_col = line.index(opener) + len(opener)
    rest = line[start_col:]
    if closer in rest:
        inner = rest[: rest.index(closer)]
        return Block(inner, k + 1, start_col + 1, k + 1)
    parts = [rest]
    for j in range(k + 1, len(lines)):
        if closer in lines[j]:
            parts.append(lines[j][: lines[j].index(closer)])
            return Block("\n".join(parts), k + 1, start_col + 1, j + 1)
        parts.append(lines[j])
    raise DocumentError(f"display math opened with {opener} is never closed", source, k + 1)


def _tex_blocks(lines: list[str], source: str) -> list[Block]:
    blocks: list[Block] = []
    k = 0
    while k < len(lines):
        code = _uncomment(lines[k])
        stripped = code.strip()
        env = _environment(stripped, "\\begin{")
        if env in _REFUSED_ENVS:
            raise DocumentError(
                f"unsupported environment {env}: use equation or align",
                source,
                k + 1,
                code.index("\\begin") + 1,
            )
        if env in _MATH_ENVS:
            blocks.append(_environment_block(lines, k, env, source))
            k = blocks[-1].end_line
            continue
        for opener, closer in (("$$", "$$"), ("\\[", "\\]")):
            if stripped.startswith(opener):
                blocks.append(_delimited(lines, k, opener, closer, source))
                k = blocks[-1].end_line
                break
        else:
            k += 1
    return blocks


def _uncomment(line: str) -> str:
    out = []
    for k, c in enumerate(line):
        if c == "%" and (k == 0 or line[k - 1] != "\\"):
            break
        out.append(c)
    return "".join(out)


def _environment(text: str, prefix: str) -> str | None:
    if not text.startswith(prefix):
        return None
    end = text.find("}")
    return text[len(prefix) : end] if end > 0 else None


def _environment_block(lines: list[str], k: int, env: str, source: str) -> Block:
    opener, closer = f"\\begin{{{env}}}", f"\\end{{{env}}}"
    start_col = lines[k].index(opener) + len(opener)
    parts: list[str] = []
    for j in range(k, len(lines)):
        segment = lines[j][start_col:] if j == k else lines[j]
        if closer in segment:
            parts.append(segment[: segment.index(closer)])
            text = "\n".join(_blank_markup(_uncomment(p)) for p in parts)
            return Block(text, k + 1, start_col + 1, j + 1)
        parts.append(segment)
    raise DocumentError(f"\\begin{{{env}}} is never closed", source, k + 1)


def _blank_markup(line: str) -> str:
    """Blank ``\\label{…}`` and ``\\tag{…}`` so that columns stay where they were."""
    for command in ("\\label{", "\\tag{", "\\tag*{"):
        while command in line:
            start = line.index(command)
            end = line.find("}", start)
            end = len(line) if end < 0 else end + 1
            line = line[:start] + " " * (end - start) + line[end:]
    return line


def _tex_declarations(lines: list[str]) -> list[tuple[int, str]]:
    """The comment lines after ``% symbolic:``, without their ``%``."""
    found: list[tuple[int, str]] = []
    inside = False
    for k, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("%") and stripped[1:].strip() == "symbolic:":
            inside = True
            continue
        if inside:
            if not stripped.startswith("%") or not stripped[1:].strip():
                inside = False
                continue
            found.append((k + 1, stripped[1:].removeprefix(" ")))
    return found


def read_text(text: str, source: str = "<document>") -> Document:
    """Find the declarations and display blocks of a Markdown (or, by name, .tex) document."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if source.lower().endswith(_TEX):
        title = ""
        decl_lines = _tex_declarations(lines)
        blocks = _tex_blocks(lines, source)
    else:
        title, decl_lines, first = _front_matter(lines, source)
        blocks = _markdown_blocks(lines, first, source)
    if len(blocks) > MAX_BLOCKS:
        raise DocumentError(f"{len(blocks)} display blocks; at most {MAX_BLOCKS}", source, 1)
    declared = _declarations(decl_lines, source)
    return Document(
        source,
        title or Path(source).stem,
        declared.declarations,
        declared.intervals,
        tuple(blocks),
        text,
        declared.domains,
        declared.data,
        declared.hypotheses,
        declared.vectors,
    )


def read(path: str | Path) -> Document:
    """Read a document file: UTF-8, at most :data:`MAX_DOCUMENT_BYTES` bytes."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"{size} bytes; at most {MAX_DOCUMENT_BYTES}", str(path), 1)
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror}", str(path), 1) from None
    if b"\x00" in data:
        raise DocumentError("a binary file, not text", str(path), 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(f"not UTF-8 text (byte {exc.start})", str(path), line) from None
    return read_text(text, str(path))


# --- checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepReport:
    """A step's verdict at its source line; ``checked`` is the kernel's step (None when the
    kernel has no such relation, and ``detail`` says so)."""

    index: int
    line: int
    column: int
    relation: str
    status: str
    detail: str
    rule: str
    checked: CheckedStep | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChainReport:
    """The steps of one chain, its derivation as read, and what loose notation was read as."""

    line: int
    derivation: Derivation
    steps: tuple[StepReport, ...]
    notes: tuple[str, ...]

    @property
    def status(self) -> str:
        return worst(Status(s.status) for s in self.steps).value


@dataclass(frozen=True)
class DocumentReport:
    source: str
    title: str
    chains: tuple[ChainReport, ...]

    @property
    def status(self) -> str:
        return worst(Status(s.status) for c in self.chains for s in c.steps).value


@dataclass
class _Run:
    """Blocks joined into one chain: members, relations and notes from every block."""

    line: int
    members: list[Member] = field(default_factory=list)
    relations: list[tuple[str, int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _runs(doc: Document) -> list[_Run]:
    runs: list[_Run] = []
    dists: dict = {}
    for block in doc.blocks:
        if not block.text.strip():
            continue
        try:
            chain: Chain = read_chain(
                block.text,
                doc.declarations,
                source=doc.source,
                line=block.line,
                column=block.column,
                dists=dists,
            )
        except LatexError:
            raise
        if chain.leading is not None:
            if not runs or not runs[-1].members:
                _, line, col = chain.leading
                raise LatexError(
                    "the block opens with a relation but continues nothing", doc.source, line, col
                )
            run = runs[-1]
            run.relations.append(chain.leading)
        else:
            run = _Run(block.line)
            runs.append(run)
        run.members.extend(chain.members)
        run.relations.extend(chain.relations)
        run.notes.extend(n for n in chain.notes if n not in run.notes)
    return runs


_LABEL_NOTE = (
    "\\hat{\\theta}_{MLE} read as its definition, the maximizer of the likelihood "
    "p_model(\\mathbb{X}; \\theta)"
)


def _witnesses(lhs: Expr) -> list[Lambda]:
    """Strictly monotone maps the reader offers the kernel for an argmin/argmax step that is
    not affine; the kernel proves the one it uses monotone and relating both sides."""
    u = Symbol("u", real=True)
    return [Lambda(u, -log(-u)), Lambda(u, log(u)), Lambda(u, exp(-N * u)), Lambda(u, exp(-u))]


def _context(doc: Document) -> dict[str, object]:
    """What the kernel needs of the document for every step: parameters, intervals, data."""
    return {
        "params": _params(doc),
        "intervals": doc.intervals,
        "data": doc.data,
        "domains": doc.domains,
        "hypotheses": doc.hypotheses,
        "vectors": doc.vectors,
    }


def _params(doc: Document) -> tuple[Symbol, ...]:
    return tuple(symbol_for(name, doc.declarations) for name in doc.declarations.params)


def _with_constant(value: Expr, previous: Expr | None, notes: list[str], where: str) -> Expr:
    """``… + constant``: the constant is what the previous member has beyond the rest."""
    if not value.has(CONSTANT):
        return value
    rest = value.subs(CONSTANT, 0)
    if previous is None or value - rest != CONSTANT:
        raise ValueError(f"{where}: 'constant' is read only as a term added to the rest")
    notes.append(
        "'+ constant' read as the difference from the previous member; the kernel checks "
        "that it does not depend on the parameters"
    )
    return rest + Constant(Add(previous, -rest))


def _chain_report(run: _Run, doc: Document, index: int, config: Config) -> ChainReport:
    params = _params(doc)
    notes = list(run.notes)
    first = run.members[0]
    start_label = end_label = ""
    if first.label is not None:
        start, sense, start_label = Likelihood(), Relation.ARGMAX, first.label
        notes.append(_LABEL_NOTE)
    else:
        start = first.value
        sense = Relation(first.optimize) if first.optimize else Relation.EQ
        start = (
            _with_constant(start, None, notes, f"line {first.line}")
            if start.has(CONSTANT)
            else start
        )
    lhs, lhs_sense = start, sense
    steps: list[Step] = []
    reports: list[StepReport] = []
    previous: Expr | None = start
    for k, (member, (rel, line, col)) in enumerate(
        zip(run.members[1:], run.relations, strict=True), start=1
    ):
        step_notes: list[str] = []
        if rel in _UNCHECKED:
            reports.append(
                StepReport(
                    k,
                    line,
                    col,
                    _UNCHECKED[rel],
                    "unknown",
                    f"the kernel checks =, <, > and argmin/argmax steps, not {_UNCHECKED[rel]}",
                    "",
                )
            )
            lhs = member.value if member.value is not None else lhs
            previous = lhs
            continue
        if member.label is not None:
            if rel != "=":
                raise LatexError("the MLE label follows =", doc.source, line, col)
            step = Step(Relation.ARGMAX, Likelihood(), "the MLE maximizes the likelihood")
            end_label = member.label
            step_notes.append(_LABEL_NOTE)
        else:
            value = _with_constant(member.value, previous, step_notes, f"line {line}")
            if member.optimize:
                if rel != "=":
                    raise LatexError("objectives are related by =", doc.source, line, col)
                relation = Relation(member.optimize)
            elif lhs_sense.optimizes:
                raise LatexError(
                    "an argmin/argmax set is set equal to a value; write \\arg\\min on both sides",
                    doc.source,
                    line,
                    col,
                )
            else:
                relation = _RELATIONS[rel]
            step = Step(relation, value, "as written")
        checked = check_step(lhs, lhs_sense, step, index=k, config=config, **_context(doc))
        if step.relation.optimizes and checked.status is not Status.PROVED:
            for witness in _witnesses(lhs):
                trial = Step(step.relation, step.rhs, step.rule, witness)
                attempt = check_step(
                    lhs, lhs_sense, trial, index=k, config=config, **_context(doc)
                )
                if attempt.status is Status.PROVED:
                    step, checked = trial, attempt
                    step_notes.append(
                        f"the reader offered the monotone witness "
                        f"h(u) = {witness(Symbol('u', real=True))}"
                    )
                    break
        steps.append(step)
        reports.append(
            StepReport(
                k,
                line,
                col,
                step.relation.value,
                checked.status.value,
                checked.detail,
                step.rule,
                checked,
                tuple(step_notes),
            )
        )
        lhs = step.rhs
        previous = lhs
        if step.relation.optimizes:
            lhs_sense = step.relation
    derivation = Derivation(
        id=f"{Path(doc.source).stem}:{run.line}",
        title=f"{doc.title}, chain {index} (line {run.line})",
        start=start,
        steps=tuple(steps),
        params=params,
        sense=sense,
        intervals=doc.intervals,
        notes=tuple(notes),
        start_label=start_label,
        end_label=end_label,
        data=doc.data,
        domains=doc.domains,
        hypotheses=doc.hypotheses,
        vectors=doc.vectors,
    )
    return ChainReport(run.line, derivation, tuple(reports), tuple(notes))


def check_document(doc: Document, config: Config | None = None) -> DocumentReport:
    """Check every step of every chain; a block with one member and no relation is not a step.

    Raises :class:`~symbolic.readers.latex.LatexError` for LaTeX the reader refuses."""
    config = config or Config()
    chains = []
    for run in _runs(doc):
        if len(run.members) < 2:
            continue
        try:
            chains.append(_chain_report(run, doc, len(chains) + 1, config))
        except ValueError as exc:
            if isinstance(exc, LatexError):
                raise
            raise LatexError(str(exc), doc.source, run.line, 1) from None
    return DocumentReport(doc.source, doc.title, tuple(chains))


# --- catalog documents --------------------------------------------------------------------


def _block_of(doc: Document, line: int) -> int:
    return next(k for k, b in enumerate(doc.blocks) if b.line <= line <= b.end_line)


def _prose(lines: list[str]) -> str:
    """A paragraph's words on one line; headings and block quotes are not part of it."""
    kept = [ln.strip() for ln in lines if not ln.lstrip().startswith(("#", ">"))]
    return " ".join(ln for ln in kept if ln)


def _rule(doc: Document, line: int) -> str:
    """The prose between the block holding ``line`` and the block before it."""
    lines = doc.text.replace("\r\n", "\n").split("\n")
    k = _block_of(doc, line)
    rule = _prose(lines[doc.blocks[k - 1].end_line : doc.blocks[k].line - 1]) if k else ""
    if not rule:
        raise DocumentError(
            "a catalog step needs its rule: the prose before its own block", doc.source, line
        )
    return rule


def _quotes(doc: Document) -> list[str]:
    """Each block quote (``> …`` lines) outside the display math, as one line of text."""
    inside = {n for b in doc.blocks for n in range(b.line, b.end_line + 1)}
    found: list[str] = []
    current: list[str] = []
    for number, line in enumerate(doc.text.replace("\r\n", "\n").split("\n"), start=1):
        quoted = number not in inside and line.lstrip().startswith(">")
        if quoted:
            current.append(line.lstrip()[1:].strip())
        elif current:
            found.append(" ".join(c for c in current if c))
            current = []
    if current:
        found.append(" ".join(c for c in current if c))
    return found


def catalog_derivation(
    doc: Document, derivation_id: str, config: Config | None = None
) -> Derivation:
    """A document holding one chain, as a catalog derivation: a proposal that ``check`` then
    checks like any other.

    The prose before a block is the rule of the steps it holds; block quotes are the notes.
    Reading asks the kernel, as :func:`check_document` does, which monotone witness proves an
    argmin/argmax step, and offers ``=`` between objectives as an equality of values first
    (the stronger claim), kept as the argmin/argmax step when the kernel does not prove it. A
    chain of values that turns into an objective (``… = \\arg\\min_\\theta …``) is about that
    objective from its start, as the seed post's KL chain is."""
    config = config or Config()
    report = check_document(doc, config)
    if len(report.chains) != 1:
        raise DocumentError(
            f"a catalog document holds one chain, not {len(report.chains)}", doc.source, 1
        )
    chain = report.chains[0]
    d = chain.derivation
    lhs, sense = d.start, d.sense
    steps: list[Step] = []
    for k, (step, where) in enumerate(zip(d.steps, chain.steps, strict=True), start=1):
        labelled = bool(d.end_label) and k == len(d.steps)
        step = replace(step, rule=_rule(doc, where.line))
        if step.relation.optimizes and sense.optimizes and not labelled:
            value = Step(Relation.EQ, step.rhs, step.rule)
            proved = check_in(d, lhs, sense, value, index=k, config=config)
            if proved.status is Status.PROVED:
                step = value
        steps.append(step)
        lhs = step.rhs
        if step.relation.optimizes:
            sense = step.relation
    first = next((s.relation for s in steps if s.relation.optimizes), d.sense)
    notes = _quotes(doc) + [n for n in chain.notes if n != _LABEL_NOTE]
    return replace(
        d,
        id=derivation_id,
        title=doc.title,
        steps=tuple(steps),
        sense=d.sense if d.sense.optimizes else first,
        notes=tuple(notes),
    )


# --- output -------------------------------------------------------------------------------


def _step_json(step: StepReport) -> dict[str, object]:
    checked = step.checked
    return {
        "index": step.index,
        "line": step.line,
        "column": step.column,
        "relation": step.relation,
        "rule": step.rule,
        "status": step.status,
        "lhs": str(checked.lhs) if checked else None,
        "rhs": str(checked.rhs) if checked else None,
        "detail": step.detail,
        "counterexample": checked.counterexample if checked else None,
        "obligations": list(checked.obligations) if checked else [],
        "notes": list(step.notes),
    }


def report_json(report: DocumentReport) -> dict[str, object]:
    """The JSON of a checked document: the derivation schema per chain, each step with
    its ``line``."""
    return {
        "source": report.source,
        "title": report.title,
        "status": report.status,
        "chains": [
            {
                "id": c.derivation.id,
                "title": c.derivation.title,
                "line": c.line,
                "status": c.status,
                "steps": [_step_json(s) for s in c.steps],
                "notes": list(c.notes),
                "parts": [],
            }
            for c in report.chains
        ],
    }


def report_text(report: DocumentReport) -> str:
    """One line per step: ``FILE:LINE: mark status relation — detail``; notes below."""
    out = [f"{report.title} ({report.source}): {report.status}"]
    for c in report.chains:
        out.append(f"chain {c.derivation.id}: {c.status}")
        for s in c.steps:
            out.append(
                f"  {report.source}:{s.line}: {_MARKS[s.status]} step {s.index} "
                f"({s.relation}) {s.status}: {s.detail}"
            )
            if s.checked is not None and s.checked.counterexample:
                out.append(f"      counterexample: {_counterexample(s.checked.counterexample)}")
            out += [f"      note: {n}" for n in s.notes]
        out += [f"  note: {n}" for n in c.notes]
    if not report.chains:
        out.append("no display-math chain found")
    return "\n".join(out)


def _counterexample(cex: dict[str, object]) -> str:
    return "; ".join(f"{key} = {value}" for key, value in cex.items())


def _marks_by_block(doc: Document, report: DocumentReport) -> dict[int, list[StepReport]]:
    """The steps of each block, keyed by the block's last line."""
    found: dict[int, list[StepReport]] = {}
    for c in report.chains:
        for s in c.steps:
            for block in doc.blocks:
                if block.line <= s.line <= block.end_line:
                    found.setdefault(block.end_line, []).append(s)
                    break
    return found


def annotate(doc: Document, report: DocumentReport, fmt: str) -> str:
    """A copy of the document with each step's verdict beside it: Markdown (``md``) or a
    self-contained HTML page rendered with KaTeX (``html``)."""
    lines = doc.text.replace("\r\n", "\n").split("\n")
    marks = _marks_by_block(doc, report)
    if fmt == "md":
        out: list[str] = []
        for number, line in enumerate(lines, start=1):
            out.append(line)
            for s in marks.get(number, []):
                cex = s.checked.counterexample if s.checked else None
                where = f" ({_counterexample(cex)})" if cex else ""
                out.append(
                    f"> {_MARKS[s.status]} step {s.index} (line {s.line}): {s.status}"
                    f" — {s.detail}{where}"
                )
        return "\n".join(out)
    if fmt != "html":
        raise ValueError(f"annotate writes md or html, not {fmt!r}")
    from symbolic.outputs.render import _katex

    css, js = _katex()
    body: list[str] = []
    starts = {b.line: b for b in doc.blocks}
    number = 1
    while number <= len(lines):
        block = starts.get(number)
        if block is None:
            body.append(
                f"<p>{html.escape(lines[number - 1])}</p>" if lines[number - 1].strip() else ""
            )
            number += 1
            continue
        tex = html.escape(block.text)
        body.append(f'<div class="math" data-tex="{tex}">{tex}</div>')
        for s in marks.get(block.end_line, []):
            body.append(
                f'<p class="{s.status}">{_MARKS[s.status]} step {s.index} '
                f"(line {s.line}): {html.escape(s.status)} — {html.escape(s.detail)}</p>"
            )
        number = block.end_line + 1
    script = (
        'document.querySelectorAll("[data-tex]").forEach(function (e) {'
        'katex.render(e.getAttribute("data-tex"), e, {displayMode: true, '
        "throwOnError: false});});"
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(report.title)}</title><style>{css}</style>"
        "<style>.proved{color:#2a7}.numeric{color:#d90}.refuted{color:#c22}"
        ".unknown{color:#888}</style></head><body>"
        + "\n".join(body)
        + f"<script>{js}</script><script>{script}</script></body></html>\n"
    )
