"""Safe parser for user-written math expressions: user text is data, never code.

The text is parsed with ``ast.parse(text, mode="eval")`` and the tree is checked against a
whitelist before sympy objects are built from it directly.  Nothing in the text is ever run
by Python (no eval/exec) or by sympy (no sympify/parse_expr).

Grammar (a subset of Python expression syntax)::

    expr  := number | name | name "(" [arg ("," arg)*] ")" | name "[" expr ("," expr)* "]"
           | ("+" | "-") expr | expr ("+" | "-" | "*" | "/" | "**") expr | "(" expr ")"
    arg   := expr | "(" expr ("," expr)* ")"

* number: integer and float literals.  A float literal becomes the exact ``sympy.Rational``
  of its decimal text, so ``0.1`` is ``Rational(1, 10)`` rather than a binary float.
* name: a key of the caller's ``names`` mapping; its value is used as-is (Symbol,
  IndexedBase, constant, sympy Function class, python function).  Only names bound to
  callables may be called and only names bound to subscriptable objects may be indexed.
  Names starting with ``_`` are refused even when present in ``names``.
* Tuples are admitted only as call arguments (``Sum(f, (i, 1, N))``) and as indices.

Everything else is refused with a ParseError naming the construct: attribute access, string,
bytes and f-string literals, complex literals, True/None/..., list/dict/set literals,
comprehensions, lambda, keyword and starred arguments, comparisons, and/or/not, ``~``,
``^`` (use ``**``), ``%``, ``//``, ``@``, bit shifts, ``:=``, ``a if b else c``,
yield/await, slices, and calls of anything but a name.

Limits bound the text, the tree, the literals and the work sympy does eagerly while
building: numeric powers, ``exp`` (sympy rewrites ``exp(k*log(b))`` as ``b**k``),
factorial-like functions of numbers, numbers of more than 4000 digits (1000 under a root or
inside a function), and functions or powers nested more than two deep around a pure number
(sympy's numeric assumption checks on those take exponential time).  These bounds keep
hostile 2000-character inputs to about a second; sympy has more corners, so a service taking
untrusted text should still run it under a wall-clock limit.  The trust boundary is
``names``: bind only callables that do not evaluate their arguments as code.
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import sympy

__all__ = ["Limits", "ParseError", "parse_expression", "parse_relation"]

# str() of an int above 4300 digits raises in Python >= 3.11, so results stay below that.
_MAX_DIGITS = 4000
# sympy factors numbers under roots and inside function arguments; the cost grows steeply.
_MAX_ARG_DIGITS = 1000
# sympy's assumption queries evaluate symbol-free operands numerically, at a cost exponential in
# how deeply functions and powers nest in them: log(log(log(log(-2)))) already takes seconds.
_MAX_NUMERIC_NESTING = 2
# sympy evaluates these eagerly on numbers, at a cost that grows with the argument.
_FACTORIAL_LIKE = frozenset(
    "factorial factorial2 subfactorial gamma loggamma binomial rf ff RisingFactorial "
    "FallingFactorial harmonic fibonacci lucas bernoulli".split()
)
_BINOPS: dict[type[ast.operator], tuple[str, Callable[[object, object], object]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}
_REFUSED_OPS = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
}
_REFUSED: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda expressions",
    ast.ListComp: "list comprehensions",
    ast.SetComp: "set comprehensions",
    ast.DictComp: "dict comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.List: "list literals",
    ast.Set: "set literals",
    ast.Dict: "dict literals",
    ast.NamedExpr: "walrus assignments (:=)",
    ast.IfExp: "conditional expressions",
    ast.Await: "await expressions",
    ast.Yield: "yield expressions",
    ast.YieldFrom: "yield expressions",
    ast.Compare: "comparisons",
    ast.BoolOp: "boolean operators (and/or)",
    ast.Starred: "starred arguments (*args)",
    ast.JoinedStr: "f-strings",
    ast.Slice: "slices",
}
_LITERAL_KINDS = {str: "string literals", bytes: "bytes literals", complex: "complex literals"}
# Format and separator characters can hide text from a reviewer ("trojan source").
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_BUILD_ERRORS = (
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    AttributeError,
    NotImplementedError,
)
_Context = Literal["value", "func", "arg", "base", "index"]


class ParseError(ValueError):
    """A refused or malformed expression.

    ``message`` (also ``str(err)``) starts with ``where`` and the position, e.g.
    ``"step 3, column 5: unknown name 'foo'"``; ``detail`` is the bare reason.  ``lineno`` and
    ``col`` are 1-based (``col`` counts characters) or None; ``text`` is the expression with
    line endings normalized to ``\\n``.
    """

    def __init__(
        self,
        detail: str,
        *,
        text: object = "",
        lineno: int | None = None,
        col: int | None = None,
        where: str = "",
        syntax: bool = False,
    ) -> None:
        head = ""
        if col is not None:
            multiline = isinstance(text, str) and "\n" in text
            head = f"line {lineno}, column {col}" if multiline else f"column {col}"
        if syntax:
            head = f"syntax error at {head}" if head else "syntax error"
        prefix = ", ".join(part for part in (where, head) if part)
        self.message = f"{prefix}: {detail}" if prefix else detail
        self.detail, self.text, self.where = detail, text, where
        self.lineno, self.col = lineno, col
        super().__init__(self.message)


@dataclass(frozen=True)
class Limits:
    """Bounds on one expression.

    A left-associative chain such as ``a + b - c`` counts as one level of depth.  Numeric
    exponents bound their numerator; float literals must satisfy |x| < 10**max_int_digits
    and, unless zero, |x| >= 10**-max_power_exponent.
    """

    max_length: int = 2000
    max_depth: int = 40
    max_nodes: int = 2000
    max_int_digits: int = 12
    max_power_exponent: int = 1000
    max_factorial_arg: int = 1000


def parse_expression(
    text: str, names: Mapping[str, object], *, where: str = "", limits: Limits = Limits()
) -> sympy.Expr:
    """Build the sympy expression written in ``text`` from the values bound in ``names``.

    Raises ParseError, whose message starts with ``where`` (e.g. ``"step 3"``), for any
    syntax error, refused construct, unknown name or exceeded limit.
    """
    if not isinstance(text, str):
        raise ParseError(
            f"expression must be a str, not {type(text).__name__}", text=text, where=where
        )
    if len(text) > limits.max_length:
        raise ParseError(
            f"expression is too long: {len(text)} characters; the limit is {limits.max_length}",
            text=text,
            where=where,
        )
    return _Parser(text, names, where, limits).parse()


_COMPARISONS: dict[type[ast.cmpop], Callable[[object, object], object]] = {
    ast.Lt: sympy.StrictLessThan,
    ast.LtE: sympy.LessThan,
    ast.Gt: sympy.StrictGreaterThan,
    ast.GtE: sympy.GreaterThan,
    ast.Eq: sympy.Eq,
}


def parse_relation(
    text: str, names: Mapping[str, object], *, where: str = "", limits: Limits = Limits()
) -> sympy.core.relational.Relational:
    """Parse ``a < b`` (``<=``, ``>``, ``>=``, ``==``): one comparison at the top, each side an
    expression under :func:`parse_expression`'s rules; the relation is built unevaluated.

    >>> from sympy import Symbol
    >>> parse_relation("N >= 2", {"N": Symbol("N", integer=True, positive=True)})
    N >= 2
    """
    if not isinstance(text, str):
        raise ParseError(
            f"a relation must be a str, not {type(text).__name__}", text=text, where=where
        )
    if len(text) > limits.max_length:
        raise ParseError(
            f"relation is too long: {len(text)} characters; the limit is {limits.max_length}",
            text=text,
            where=where,
        )
    return _Parser(text, names, where, limits).parse_relation()


def _numbers(value: object) -> Iterator[sympy.Rational]:
    if isinstance(value, tuple):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, int):
        yield sympy.Integer(value)
    elif isinstance(value, sympy.Basic):
        yield from value.atoms(sympy.Rational)


def _nesting(expr: sympy.Basic) -> int:
    """How deeply function applications and powers nest in ``expr``."""
    inner = max((_nesting(arg) for arg in expr.args), default=0)
    return inner + isinstance(expr, sympy.Pow | sympy.core.function.Application)


def _digits(value: object) -> int:
    """Decimal digits of the largest numerator or denominator inside ``value``."""
    bits = max((max(abs(r.p), r.q).bit_length() for r in _numbers(value)), default=0)
    return math.ceil(bits * math.log10(2))


class _Parser:
    def __init__(self, text: str, names: Mapping[str, object], where: str, limits: Limits) -> None:
        # Positions are reported in this text, where every line ends with "\n".
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.body = self.text.lstrip()
        # ast offsets are relative to body: leading blanks would be an IndentationError.
        self.start = len(self.text) - len(self.body)
        self.names, self.where, self.limits = names, where, limits

    def error(self, detail: str, index: int | None = None, *, syntax: bool = False) -> ParseError:
        lineno = col = None
        if index is not None:
            lineno = self.text.count("\n", 0, index) + 1
            col = index - self.text.rfind("\n", 0, index)
        return ParseError(
            detail, text=self.text, lineno=lineno, col=col, where=self.where, syntax=syntax
        )

    def index(self, lineno: int, col: int | None, *, col_is_bytes: bool = True) -> int:
        """Index in self.text of a body position.  ast columns count UTF-8 bytes; no column
        (a SyntaxError at the end of the input) means the end of the line."""
        line_start = 0
        for _ in range(lineno - 1):
            line_start = self.body.find("\n", line_start) + 1 or len(self.body)
        line = self.body[line_start:].split("\n", 1)[0]
        if col is None:
            col = len(line)
        elif col_is_bytes:
            col = len(line.encode()[:col].decode("utf-8", "ignore"))
        return self.start + line_start + col

    def node_error(self, node: ast.AST, detail: str) -> ParseError:
        return self.error(detail, self.index(node.lineno, node.col_offset))

    def parse(self) -> sympy.Expr:
        self.scan()
        if not self.body:
            raise self.error("empty expression")
        try:
            tree = ast.parse(self.body, mode="eval")
        except SyntaxError as exc:
            col = exc.offset - 1 if exc.offset else None
            index = self.index(exc.lineno or 1, col, col_is_bytes=False)
            raise self.error(exc.msg, index, syntax=True) from None
        except (RecursionError, MemoryError):
            raise self.error("expression is too deeply nested") from None
        self.check(tree.body)
        try:
            result = self.build(tree.body)
        except RecursionError:
            raise self.error("expression is too deeply nested") from None
        if not isinstance(result, sympy.Expr):
            raise self.node_error(
                tree.body, f"expression must denote a sympy expression, not {type(result).__name__}"
            )
        if _digits(result) > _MAX_DIGITS:
            raise self.node_error(
                tree.body, f"expression contains a number with more than {_MAX_DIGITS} digits"
            )
        return result

    def tree(self) -> ast.expr:
        self.scan()
        if not self.body:
            raise self.error("empty expression")
        try:
            return ast.parse(self.body, mode="eval").body
        except SyntaxError as exc:
            col = exc.offset - 1 if exc.offset else None
            index = self.index(exc.lineno or 1, col, col_is_bytes=False)
            raise self.error(exc.msg, index, syntax=True) from None
        except (RecursionError, MemoryError):
            raise self.error("expression is too deeply nested") from None

    def parse_relation(self) -> sympy.core.relational.Relational:
        root = self.tree()
        if not (isinstance(root, ast.Compare) and len(root.ops) == 1):
            raise self.node_error(
                root, "expected one comparison a < b, a <= b, a > b, a >= b or a == b"
            )
        make = _COMPARISONS.get(type(root.ops[0]))
        if make is None:
            raise self.node_error(root, "only <, <=, >, >= and == compare; != does not")
        sides = []
        for side in (root.left, root.comparators[0]):
            self.check(side)
            try:
                value = self.build(side)
            except RecursionError:
                raise self.error("expression is too deeply nested") from None
            if not isinstance(value, sympy.Expr):
                raise self.node_error(side, "each side of a relation must be an expression")
            if _digits(value) > _MAX_DIGITS:
                raise self.node_error(
                    side, f"expression contains a number with more than {_MAX_DIGITS} digits"
                )
            sides.append(value)
        return make(*sides, evaluate=False)

    def scan(self) -> None:
        """Refuse hidden characters, and deep brackets before the C parser recurses on them."""
        depth = 0
        for index, char in enumerate(self.text):
            if char in "([{":
                depth += 1
                if depth > self.limits.max_depth:
                    raise self.error(
                        f"brackets are nested deeper than {self.limits.max_depth}", index
                    )
            elif char in ")]}":
                depth -= 1
            elif char not in "\t\n" and unicodedata.category(char) in _INVISIBLE:
                raise self.error(
                    f"invisible or control character U+{ord(char):04X} is not allowed", index
                )

    def check(self, root: ast.expr) -> None:
        """Refuse the first non-whitelisted node in source order, before anything is built."""
        # A reserved name anywhere is the clearest sign of an escape attempt: report it first.
        reserved = [
            node
            for node in ast.walk(root)
            if isinstance(node, ast.Name) and node.id.startswith("_")
        ]
        if reserved:
            first = min(reserved, key=lambda name: (name.lineno, name.col_offset))
            raise self.node_error(
                first, f"name {first.id!r} is not allowed: names starting with '_' are reserved"
            )
        stack: list[tuple[ast.AST, _Context, int]] = [(root, "value", 1)]
        count = 0
        while stack:
            node, context, depth = stack.pop()
            count += 1
            if depth > self.limits.max_depth:
                raise self.node_error(
                    node, f"expression is nested deeper than {self.limits.max_depth}"
                )
            if count > self.limits.max_nodes:
                raise self.node_error(
                    node, f"expression has more than {self.limits.max_nodes} nodes"
                )
            children = self.check_node(node, context)
            # A left operand continues a chain like a + b + c, which reads as flat text.
            stack.extend(
                (child, ctx, depth + (child is not getattr(node, "left", None)))
                for child, ctx in reversed(children)
            )

    def check_node(self, node: ast.AST, context: _Context) -> list[tuple[ast.AST, _Context]]:
        if isinstance(node, ast.Constant):
            self.check_constant(node)
            return []
        if isinstance(node, ast.Name):
            self.check_name(node, context)
            return []
        if isinstance(node, ast.Attribute):
            raise self.node_error(node, f"attribute access '.{node.attr}' is not allowed")
        if isinstance(node, ast.keyword):
            raise self.node_error(node, "keyword arguments are not allowed")
        if not isinstance(node, (ast.UnaryOp, ast.BinOp, ast.Call, ast.Subscript, ast.Tuple)):
            kind = _REFUSED.get(type(node), f"{type(node).__name__} expressions")
            raise self.node_error(node, f"{kind} are not allowed")
        if context == "func":
            raise self.node_error(node, "only named functions can be called")
        if context == "base":
            raise self.node_error(node, "only names can be subscripted")
        if isinstance(node, ast.Tuple):
            if context == "value":
                raise self.node_error(
                    node, "tuples are only allowed as function arguments or indices"
                )
            return [(elt, "value") for elt in node.elts]
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                raise self.node_error(node, "'not' is not allowed")
            if isinstance(node.op, ast.Invert):
                raise self.node_error(node, "operator '~' is not allowed")
            return [(node.operand, "value")]
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                raise self.node_error(node, "operator '^' is not allowed; use '**' for powers")
            if type(node.op) not in _BINOPS:
                symbol = _REFUSED_OPS.get(type(node.op), type(node.op).__name__)
                raise self.node_error(node, f"operator '{symbol}' is not allowed")
            return [(node.left, "value"), (node.right, "value")]
        if isinstance(node, ast.Subscript):
            return [(node.value, "base"), (node.slice, "index")]
        return [
            (node.func, "func"),
            *((arg, "arg") for arg in node.args),
            *((keyword, "value") for keyword in node.keywords),
        ]

    def check_constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = _LITERAL_KINDS.get(type(value))
            raise self.node_error(
                node,
                f"{kind} are not allowed" if kind else f"the constant {value!r} is not allowed",
            )
        digits = self.limits.max_int_digits
        if isinstance(value, int) and abs(value) >= 10**digits:
            raise self.node_error(node, f"integer literal has more than {digits} digits")
        if isinstance(value, float):
            decimal = self.decimal(node)
            low = -self.limits.max_power_exponent
            if not decimal.is_zero() and not low <= decimal.adjusted() < digits:
                raise self.node_error(
                    node,
                    f"float literal {decimal} is out of range: its "
                    f"power of ten must be between {low} and {digits - 1}",
                )

    def check_name(self, node: ast.Name, context: _Context) -> None:
        name = node.id
        if name not in self.names:
            known = [key for key in self.names if isinstance(key, str) and key[:1] != "_"]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise self.node_error(node, f"unknown name {name!r}{hint}")
        value = self.names[name]
        if context == "func" and not callable(value):
            raise self.node_error(node, f"{name!r} is not a function")
        if context == "base" and not hasattr(type(value), "__getitem__"):
            raise self.node_error(node, f"{name!r} cannot be subscripted")

    def decimal(self, node: ast.Constant) -> Decimal:
        # The literal's own text, so 0.1 stays one tenth instead of the nearest binary float.
        return Decimal((ast.get_source_segment(self.body, node) or "").replace("_", ""))

    def build(self, node: ast.expr) -> object:
        """Build the value of a node that check() admitted."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int):
                return sympy.Integer(node.value)
            return sympy.Rational(*self.decimal(node).as_integer_ratio())
        if isinstance(node, ast.Name):
            return self.names[node.id]
        if isinstance(node, ast.Tuple):
            return tuple(self.build(elt) for elt in node.elts)
        if isinstance(node, ast.UnaryOp):
            negate = isinstance(node.op, ast.USub)
            function = operator.neg if negate else operator.pos
            return self.apply(
                node, f"apply unary '{'-' if negate else '+'}'", function, self.build(node.operand)
            )
        if isinstance(node, ast.BinOp):
            # Walk the left spine iteratively: long chains like a + b + ... are not nesting.
            spine: list[ast.BinOp] = []
            while isinstance(node, ast.BinOp):
                spine.append(node)
                node = node.left
            value = self.build(node)
            for op_node in reversed(spine):
                symbol, function = _BINOPS[type(op_node.op)]
                right = self.build(op_node.right)
                if symbol == "**":
                    self.check_numeric(op_node, [value, right])
                    if isinstance(right, int | sympy.Rational):
                        exponent = sympy.Rational(right)
                        self.check_power(op_node, value, abs(exponent.p), exponent.q != 1)
                value = self.apply(op_node, f"apply '{symbol}'", function, value, right)
            return value
        if isinstance(node, ast.Subscript):
            assert isinstance(node.value, ast.Name)  # check() admits only names here
            name = node.value.id
            index = self.build(node.slice)
            return self.apply(node, f"index {name!r}", operator.getitem, self.names[name], index)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        name = node.func.id
        function = self.names[name]
        args = [self.build(arg) for arg in node.args]
        self.check_call(node, name, function, args)
        return self.apply(node, f"call {name!r}", function, *args)

    def check_power(self, node: ast.AST, base: object, exponent: int, root: bool) -> None:
        """Refuse numeric powers that sympy would compute eagerly into huge numbers.

        The bound holds for any base: sympy distributes integer powers over numeric
        coefficients, so (2*x)**k computes 2**k.
        """
        limit = self.limits.max_power_exponent
        if exponent > limit:
            raise self.node_error(
                node, f"power with exponent {exponent} exceeds the limit of {limit}"
            )
        digits = _digits(base)
        if root and digits > _MAX_ARG_DIGITS:
            raise self.node_error(
                node, f"root of a number with {digits} digits; the limit is {_MAX_ARG_DIGITS}"
            )
        if exponent * digits > _MAX_DIGITS:
            raise self.node_error(
                node,
                f"power would have up to {exponent * digits} digits; the limit is {_MAX_DIGITS}",
            )

    def check_call(self, node: ast.Call, name: str, function: object, args: list[object]) -> None:
        digits = max(map(_digits, args), default=0)
        if digits > _MAX_ARG_DIGITS:
            raise self.node_error(
                node,
                f"argument of {name}() has a number with {digits} "
                f"digits; the limit is {_MAX_ARG_DIGITS}",
            )
        self.check_numeric(node, args)
        labels = {name, getattr(function, "__name__", "")}
        if "exp" in labels:
            for arg in args:
                self.check_power(
                    node, arg, max((abs(r.p) for r in _numbers(arg)), default=0), root=False
                )
        if labels & _FACTORIAL_LIKE:
            limit = self.limits.max_factorial_arg
            for arg in args:
                number = sympy.Rational(arg) if isinstance(arg, int) else arg
                if isinstance(number, sympy.Rational) and abs(number.p) > limit * number.q:
                    raise self.node_error(node, f"{name}({arg}) exceeds the limit of {limit}")

    def check_numeric(self, node: ast.AST, operands: list[object]) -> None:
        for operand in operands:
            if isinstance(operand, sympy.Expr) and operand.is_number:
                if _nesting(operand) > _MAX_NUMERIC_NESTING:
                    raise self.node_error(
                        node,
                        f"functions and powers nest more than {_MAX_NUMERIC_NESTING} deep "
                        "around a pure number; sympy would take too long to evaluate it",
                    )

    def apply(
        self, node: ast.AST, what: str, function: Callable[..., object], *args: object
    ) -> object:
        try:
            return function(*args)
        except _BUILD_ERRORS as exc:
            raise self.node_error(node, f"cannot {what}: {exc}") from None
