"""Skip logic: the XLSForm ``relevant`` expressions real forms use, read and evaluated safely.

A question of an XLSForm with a ``relevant`` condition is only shown (and, when
``required``, only required) where the condition holds. This module reads the subset
of XPath that KoboToolbox and ODK forms use in practice and evaluates it on one row of
an export, without ``eval``: a tokenizer, a recursive-descent parser into a small tree,
and an evaluator of that tree.

Understood
----------
* references ``${name}`` (the answer to another question, as exported: a code, a number,
  space-separated codes for a select-multiple) and ``.`` (the question itself);
* string literals (``'yes'``, ``"no"``) and numbers (``3``, ``-1``, ``2.5``);
* comparisons ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``; ``and``, ``or``; ``+``, ``-``,
  ``*``, ``div``, ``mod``; parentheses;
* functions ``selected(a, b)``, ``count-selected(a)``, ``not(a)``, ``true()``,
  ``false()``, ``string-length(a)``, ``number(a)``, ``string(a)``, ``int(a)``,
  ``boolean(a)``.

Anything else (``jr:choice-name``, ``indexed-repeat``, ``today()``, ``format-date``,
paths such as ``/data/q1``) raises :class:`UnsupportedExpression` when the expression
is read, so an importer can say once that a condition is not evaluated.

Values follow XPath 1.0: an unanswered question is the empty string; comparing with a
number converts the other side to a number (an empty or non-numeric answer is NaN,
and every comparison with NaN is false except ``!=``); a string is true when not empty.

>>> cond = parse("${age} >= 18 and selected(${help}, 'food')")
>>> sorted(cond.references)
['age', 'help']
>>> cond.evaluate({"age": "20", "help": "food water"})
True
>>> cond.evaluate({"age": "", "help": "food"})
False
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field


class UnsupportedExpression(ValueError):
    """An expression outside the subset this module reads (its message says what)."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][\w.\-]*)\s*\})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<name>[A-Za-z_][\w\-]*(?::[\w\-]+)?)
  | (?P<dot>\.)
  )""",
    re.VERBOSE,
)

FUNCTIONS = {
    "selected": 2,
    "count-selected": 1,
    "not": 1,
    "true": 0,
    "false": 0,
    "string-length": 1,
    "number": 1,
    "string": 1,
    "int": 1,
    "boolean": 1,
}


def tokenize(text: str) -> list[tuple[str, str]]:
    """``(kind, text)`` pairs; kinds: ref, number, string, op, name, dot."""
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            rest = text[pos:].strip()
            if not rest:
                break
            raise UnsupportedExpression(f"cannot read {rest[:20]!r} (position {pos + 1})")
        kind = m.lastgroup if m.lastgroup != "refname" else "ref"
        if m.group("ref"):
            out.append(("ref", m.group("refname")))
        elif m.group("string") is not None:
            out.append(("string", m.group("string")[1:-1]))
        else:
            out.append((kind, m.group(kind).strip() if m.group(kind) else ""))
        pos = m.end()
    return out


@dataclass(frozen=True)
class Node:
    kind: str  # literal, ref, self, call, binary, negate
    value: object = None
    children: tuple = ()


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.i = tokens, 0

    def peek(self, offset: int = 0):
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else ("end", "")

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, kind: str, text: str):
        tok = self.take()
        if tok != (kind, text):
            raise UnsupportedExpression(f"expected {text!r}, found {tok[1] or 'the end'!r}")

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek()[0] != "end":
            raise UnsupportedExpression(f"unexpected {self.peek()[1]!r}")
        return node

    def _binary(self, sub, ops):
        node = sub()
        while self.peek()[0] in ("op", "name") and self.peek()[1] in ops:
            op = self.take()[1]
            node = Node("binary", op, (node, sub()))
        return node

    def or_expr(self):
        return self._binary(self.and_expr, ("or",))

    def and_expr(self):
        return self._binary(self.comparison, ("and",))

    def comparison(self):
        return self._binary(self.additive, ("=", "!=", "<", "<=", ">", ">="))

    def additive(self):
        return self._binary(self.multiplicative, ("+", "-"))

    def multiplicative(self):
        return self._binary(self.unary, ("*", "div", "mod"))

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return Node("negate", None, (self.unary(),))
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if kind == "number":
            return Node("literal", float(text))
        if kind == "string":
            return Node("literal", text)
        if kind == "ref":
            return Node("ref", text)
        if kind == "dot":
            return Node("self")
        if (kind, text) == ("op", "("):
            node = self.or_expr()
            self.expect("op", ")")
            return node
        if kind == "name" and self.peek() == ("op", "("):
            if text not in FUNCTIONS:
                raise UnsupportedExpression(f"the function {text}() is not evaluated")
            self.take()
            args = []
            if self.peek() != ("op", ")"):
                args.append(self.or_expr())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.or_expr())
            self.expect("op", ")")
            if len(args) != FUNCTIONS[text]:
                raise UnsupportedExpression(f"{text}() takes {FUNCTIONS[text]} argument(s), got {len(args)}")
            return Node("call", text, tuple(args))
        if kind == "end":
            raise UnsupportedExpression("the expression ends too early")
        raise UnsupportedExpression(f"{text!r} is not understood (only ${{name}} references, literals and {sorted(FUNCTIONS)})")


def _number(v) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    try:
        return float(str(v).strip())
    except ValueError:
        return math.nan


def _boolean(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not (v == 0 or math.isnan(v))
    return v != ""


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return str(int(v)) if v.is_integer() else repr(v)
    return v


def _compare(op: str, a, b) -> bool:
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            same = _boolean(a) == _boolean(b)
        elif isinstance(a, float) or isinstance(b, float):
            x, y = _number(a), _number(b)
            same = x == y  # NaN equals nothing
            if op == "!=":
                return not same
            return same
        else:
            same = a == b
        return same if op == "=" else not same
    x, y = _number(a), _number(b)
    if math.isnan(x) or math.isnan(y):
        return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _eval(node: Node, row, me):
    k = node.kind
    if k == "literal":
        return node.value
    if k == "ref":
        v = row.get(node.value)
        return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
    if k == "self":
        return me
    if k == "negate":
        return -_number(_eval(node.children[0], row, me))
    if k == "binary":
        op = node.value
        if op == "and":
            return _boolean(_eval(node.children[0], row, me)) and _boolean(_eval(node.children[1], row, me))
        if op == "or":
            return _boolean(_eval(node.children[0], row, me)) or _boolean(_eval(node.children[1], row, me))
        a, b = (_eval(c, row, me) for c in node.children)
        if op in ("+", "-", "*", "div", "mod"):
            x, y = _number(a), _number(b)
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if y == 0 or math.isnan(x) or math.isnan(y):
                return math.nan
            return x / y if op == "div" else math.fmod(x, y)
        return _compare(op, a, b)
    args = [_eval(c, row, me) for c in node.children]
    name = node.value
    if name == "selected":
        return _text(args[1]).strip() in _text(args[0]).split()
    if name == "count-selected":
        return float(len(_text(args[0]).split()))
    if name == "not":
        return not _boolean(args[0])
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "string-length":
        return float(len(_text(args[0])))
    if name == "number":
        return _number(args[0])
    if name == "int":
        x = _number(args[0])
        return x if math.isnan(x) else float(math.trunc(x))
    if name == "boolean":
        return _boolean(args[0])
    return _text(args[0])  # string()


def _references(node: Node, out: set[str]) -> set[str]:
    if node.kind == "ref":
        out.add(str(node.value))
    for c in node.children:
        _references(c, out)
    return out


@dataclass(frozen=True)
class Condition:
    """A parsed ``relevant`` expression."""

    text: str
    tree: Node = field(repr=False)
    references: frozenset[str] = frozenset()

    def evaluate(self, row, me: str = "") -> bool:
        """Whether the condition holds for one row (a mapping name -> exported value)."""
        return _boolean(_eval(self.tree, row, me))


def parse(text: str) -> Condition:
    """Read an expression; :class:`UnsupportedExpression` when it is outside the subset."""
    tokens = tokenize(str(text))
    if not tokens:
        raise UnsupportedExpression("the expression is empty")
    tree = _Parser(tokens).parse()
    return Condition(str(text), tree, frozenset(_references(tree, set())))


def combine(*conditions: str | None) -> str | None:
    """Several conditions (a group's and a question's) as one: ``(a) and (b)``."""
    parts = [c.strip() for c in conditions if c and str(c).strip()]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " and ".join(f"({p})" for p in parts)


def shown(frame, condition: Condition, columns: dict[str, str]):
    """A boolean Series: where ``condition`` holds for each row of ``frame``.

    ``columns`` maps each name the condition references to its column in ``frame``;
    rows are evaluated once per distinct combination of the referenced values.
    """
    import pandas as pd

    cols = [columns[r] for r in sorted(condition.references)]
    names = sorted(condition.references)
    if not cols:
        return pd.Series(condition.evaluate({}), index=frame.index, dtype=bool)
    values = frame[cols].astype("string")
    keys = values.fillna("\x00").agg("\x1f".join, axis=1) if len(cols) > 1 else values[cols[0]].fillna("\x00")
    cache: dict[str, bool] = {}
    out = []
    for key, row in zip(keys, values.itertuples(index=False, name=None)):
        if key not in cache:
            cache[key] = condition.evaluate({n: (None if v is pd.NA else v) for n, v in zip(names, row)})
        out.append(cache[key])
    return pd.Series(out, index=frame.index, dtype=bool)
