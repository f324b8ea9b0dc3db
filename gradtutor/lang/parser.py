"""The expression language: a tokenizer and a precedence-climbing parser into `expr` trees.

Nothing here runs user text. The parser accepts only the grammar below, bounds the text's
length, its nesting depth and its node count, and estimates every power's size before
anything computes it.

    program    := statement ((";" | newline) statement)*
    statement  := NAME "=" expr | expr
    expr       := term (("+" | "-") term)*
    term       := unary (("*" | "/" | "@") unary)*
    unary      := "-" unary | "+" unary | power
    power      := postfix (("**" | "^") unary)?          right-associative; -x**2 = -(x**2)
    postfix    := atom (".T")*
    atom       := NUMBER | NAME | NAME "(" expr ("," expr)* ")" | "(" expr ")"
    value      := "[" value ("," value)* "]" | expr      (for --at and YAML values)
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..base import limits
from ..base.errors import ExpressionError, LimitError, ParseError
from ..ops.specs import (
    BINARY_OPS,
    CONSTANTS,
    FUNCTIONS,
    OPS,
    Option,
    op_for_call,
    option_of,
)
from .expr import (
    Assignment,
    Binary,
    Call,
    Const,
    Expr,
    Name,
    Num,
    Program,
    Transpose,
    Unary,
    children,
    free_names,
)

MAX_LITERAL_CHARS = 40  # digits of a literal kept exactly (0.1 is 1/10 in formulas)

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\f\v]+|\#[^\n]*)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<transpose>\.T(?![A-Za-z0-9_]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^@(),=;\[\]])
  | (?P<newline>\n)
    """,
    re.VERBOSE,
)
_BINARY_STRENGTH = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2}
# What people type, and gradtutor itself prints, read as the language's own characters: the
# minus sign and the dashes a word processor puts in its place (hyphen, non-breaking hyphen,
# figure dash, en dash, small and fullwidth hyphen-minus), times and dot operators, the
# partial-derivative sign of a step's name, and no-break spaces.
TYPED = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-",
                       "\u2013": "-", "\ufe63": "-", "\uff0d": "-",
                       "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2202": "d",
                       "\u00a0": " ", "\u202f": " "})


class NodeFacts:
    """A number known about tree nodes, by identity. The nodes are kept alive here, so an id
    can never be reused by a later node (which would silently inherit the fact)."""

    def __init__(self) -> None:
        self._facts: dict[int, tuple[Expr, float]] = {}

    def get(self, node: Expr) -> float | None:
        fact = self._facts.get(id(node))
        return fact[1] if fact is not None and fact[0] is node else None

    def set(self, node: Expr, value: float) -> None:
        self._facts[id(node)] = (node, value)


@dataclass(frozen=True)
class Token:
    kind: str  # number, name, op, sep, end
    text: str
    pos: int  # 1-based offset into the source


def tokenize(source: str) -> list[Token]:
    source = source.translate(TYPED)
    tokens: list[Token] = []
    depth = 0
    index = 0
    while index < len(source):
        match = _TOKEN.match(source, index)
        if match is None:
            char = source[index]
            raise ParseError(_unexpected(char), column=index + 1, source=source)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "op" and text in "([":
            depth += 1
        elif kind == "op" and text in ")]":
            depth -= 1
        if kind == "newline" and depth <= 0 or kind == "op" and text == ";":
            tokens.append(Token("sep", text, index + 1))
        elif kind == "name" and text.startswith("__"):
            raise ParseError("names may not start with two underscores",
                             column=index + 1, source=source)
        elif kind not in ("space", "newline"):
            tokens.append(Token(kind, text, index + 1))
        index = match.end()
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str, max_chars: int) -> None:
        if len(source) > max_chars:
            raise LimitError(f"expression is {len(source):,} characters long; "
                             f"the limit is {max_chars:,}")
        self.source = source.translate(TYPED)
        self.tokens = tokenize(self.source)
        self.index = 0
        self.depth = 0
        self.nodes = 0
        self.consts = NodeFacts()  # the value of each constant sub-expression
        self.degree = NodeFacts()  # the power a variable is raised to
        self.height = NodeFacts()  # operations from a node down to its deepest leaf
        self.assigned: set[str] = set()  # names assigned so far: `e = ...` shadows the constant

    # -- tokens --------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, *texts: str) -> bool:
        return self.token.kind == "op" and self.token.text in texts

    def expect(self, text: str) -> Token:
        if not self.at(text):
            self.fail(f"expected '{text}'")
        return self.advance()

    def fail(self, message: str, token: Token | None = None) -> None:
        """Raise a ParseError at the token; with no message, only for a decimal comma."""
        token = token or self.token
        if self.decimal_comma(token):
            at = self.tokens.index(token)
            whole, part = self.tokens[at - 1].text, self.tokens[at + 1].text
            raise ParseError(f"use a decimal point: write {whole}.{part}, not {whole},{part}",
                             column=token.pos, source=self.source)
        if not message:
            return
        found = "end of input" if token.kind == "end" else f"'{token.text}'"
        if token.kind == "sep" and token.text == "\n":
            found = "end of line"
        raise ParseError(f"{message}, found {found}", column=token.pos, source=self.source)

    def decimal_comma(self, token: Token) -> bool:
        """A ',' between two numbers where no list or call expects one: `0,73`."""
        at = self.tokens.index(token) if token in self.tokens else -1
        return token.text == "," and 0 < at < len(self.tokens) - 1 and \
            self.tokens[at - 1].kind == "number" and self.tokens[at + 1].kind == "number"

    # -- bookkeeping ---------------------------------------------------------------------
    def enter(self) -> None:
        self.depth += 1
        if self.depth > limits.MAX_DEPTH:
            raise LimitError(f"expression is nested more than {limits.MAX_DEPTH} levels deep",
                             column=self.token.pos, source=self.source)

    def made(self, node: Expr) -> Expr:
        self.nodes += 1
        if self.nodes > limits.MAX_NODES:
            raise LimitError(f"expression has more than {limits.MAX_NODES:,} parts",
                             column=self.token.pos, source=self.source)
        # a chain a + b + c + ... parses in a loop but is a tree as deep as it is long
        height = 1 + max((self.height.get(child) or 0 for child in children(node)), default=0)
        if height > limits.MAX_HEIGHT:
            raise LimitError(f"expression is more than {limits.MAX_HEIGHT} operations deep; "
                             "split it into named steps (q = ...; f = ...)",
                             column=self.token.pos, source=self.source)
        self.height.set(node, height)
        return node

    # -- grammar -------------------------------------------------------------------------
    def program(self) -> Program:
        statements: list[Assignment] = []
        while True:
            while self.token.kind == "sep":
                self.advance()
            if self.token.kind == "end":
                break
            statement = self.statement()
            if statement.name is not None:
                if statement.name in self.assigned:
                    raise ExpressionError(f"'{statement.name}' is assigned twice",
                                          column=statement.pos, source=self.source)
                self.assigned.add(statement.name)
            statements.append(statement)
            if self.token.kind not in ("sep", "end"):
                self.fail("expected an operator, ';' or a new line")
        if not statements:
            raise ParseError("empty expression", column=1, source=self.source)
        return Program(tuple(statements), self.source)

    def statement(self) -> Assignment:
        start = self.token
        following = self.tokens[self.index + 1]
        if start.kind == "name" and following.kind == "op" and following.text == "=":
            if start.text in FUNCTIONS:
                raise ExpressionError(f"'{start.text}' is a function and cannot be assigned",
                                      column=start.pos, source=self.source)
            self.index += 2
            return Assignment(start.text, self.expression(), start.pos)
        return Assignment(None, self.expression(), start.pos)

    def expression(self, strength: int = 1) -> Expr:
        self.enter()
        left = self.unary()
        while self.token.kind == "op" and _BINARY_STRENGTH.get(self.token.text, 0) >= strength:
            op = self.advance()
            right = self.expression(_BINARY_STRENGTH[op.text] + 1)
            left = self.binary(op.text, left, right, op.pos)
        self.depth -= 1
        return left

    def unary(self) -> Expr:
        if self.at("-", "+"):
            sign = self.advance()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if sign.text == "+":
                return operand
            if isinstance(operand, Num) and not operand.text.startswith("-"):
                return self.note_const(self.made(Num(-operand.value, "-" + operand.text, sign.pos)))
            return self.note_const(self.made(Unary("-", operand, sign.pos)))
        return self.power()

    def power(self) -> Expr:
        base = self.postfix()
        if self.at("**", "^"):
            op = self.advance()
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return self.binary("**", base, exponent, op.pos)
        return base

    def postfix(self) -> Expr:
        node = self.atom()
        while self.token.kind == "transpose":
            node = self.note_const(self.made(Transpose(node, self.advance().pos)))
        return node

    def atom(self) -> Expr:
        token = self.token
        if token.kind == "number":
            self.advance()
            return self.note_const(self.made(self.number(token)))
        if token.kind == "name":
            self.advance()
            if self.at("("):
                return self.call(token)
            if token.text in CONSTANTS and token.text not in self.assigned:
                return self.note_const(self.made(Const(token.text, token.pos)))
            if token.text in FUNCTIONS:
                raise ExpressionError(f"'{token.text}' is a function: write {token.text}(...)",
                                      column=token.pos, source=self.source)
            return self.made(Name(token.text, token.pos))
        if self.at("("):
            self.advance()
            inner = self.expression()
            self.expect(")")
            return inner
        if self.at("["):
            self.fail("a list of values is not an expression here")
        self.fail("expected a number, a name or '('")
        raise AssertionError  # fail() always raises

    def call(self, name: Token) -> Expr:
        if name.text not in FUNCTIONS:
            raise ExpressionError(_unknown_function(name.text), column=name.pos,
                                  source=self.source)
        self.expect("(")
        args = [self.expression()]
        commas = []
        while self.at(","):
            commas.append(self.advance())
            args.append(self.expression())
        self.expect(")")
        fewest, most = FUNCTIONS[name.text]
        if not fewest <= len(args) <= most:
            if commas and self.tokens[self.tokens.index(commas[0]) - 2].text == "(":
                self.fail("", commas[0])  # a decimal comma, `log(0,66)`, gets its message
            wanted = str(fewest) if fewest == most else f"{fewest} or {most}"
            raise ExpressionError(f"{name.text}() takes {wanted} argument(s), got {len(args)}",
                                  column=name.pos, source=self.source)
        option = option_of(name.text, len(args))
        if option is not None:
            self.check_option(name, option, args[-1])
        return self.note_const(self.made(Call(name.text, tuple(args), name.pos)))

    def check_option(self, name: Token, option: Option, arg: Expr) -> None:
        """An axis or a slope is a literal number, kept as an attribute of the node."""
        if not (isinstance(arg, Num) and option.accepts(arg.value)):
            raise ExpressionError(f"the second argument of {name.text}() is {option.what}",
                                  column=name.pos, source=self.source)

    def number(self, token: Token) -> Num:
        value = float(token.text)
        if math.isinf(value):
            raise LimitError(f"number {token.text[:20]} is too large for a float",
                             column=token.pos, source=self.source)
        mantissa = token.text.partition("e")[0].partition("E")[0]
        if value == 0 and mantissa.strip("0."):
            raise LimitError(f"number {token.text[:20]} is too small for a float (it would be 0)",
                             column=token.pos, source=self.source)
        # a long literal is kept as its float, so that no exact giant is built from it later
        text = token.text if len(token.text) <= MAX_LITERAL_CHARS else repr(value)
        return Num(value, text, token.pos)

    def binary(self, op: str, left: Expr, right: Expr, pos: int) -> Expr:
        node = self.made(Binary(op, left, right, pos))
        if op == "**":
            self.check_power(left, right, node, pos)
        return self.note_const(node)

    # -- bounds on powers ----------------------------------------------------------------
    def note_const(self, node: Expr) -> Expr:
        """Record the float value of a constant sub-expression (an estimate of its size)."""
        value = _constant_value(node, self.consts)
        if value is not None:
            self.consts.set(node, value)
        return node

    def check_power(self, base: Expr, exponent: Expr, node: Expr, pos: int) -> None:
        """Refuse a power whose result would be too large, before anything computes it."""
        power = self.consts.get(exponent)
        if power is None or math.isnan(power):
            return
        base_value = self.consts.get(base)
        if base_value is not None:
            finite = math.isfinite(base_value) and base_value != 0.0
            digits = power * math.log10(abs(base_value)) if finite else 0.0
            if digits > math.log10(limits.MAX_CONSTANT):
                raise LimitError(f"power too large: about 10^{digits:.3g}, beyond the limit "
                                 f"of {limits.MAX_CONSTANT:.0e}", column=pos,
                                 source=self.source)
            return
        degree = (self.degree.get(base) or 1.0) * abs(power)
        if degree > limits.MAX_EXPONENT:
            raise LimitError(f"power too large: exponent {degree:.6g} exceeds the limit of "
                             f"{limits.MAX_EXPONENT:,}", column=pos, source=self.source)
        self.degree.set(node, degree)


def _constant_value(node: Expr, consts: NodeFacts) -> float | None:
    """The float64 value of a node whose children are all constant, or None.

    Computed with the engine's own operations on float64 scalars, so it means exactly what
    the engine would compute; a float overflows to inf instead of growing without bound.
    """
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Const):
        return CONSTANTS[node.name]
    if isinstance(node, Name | Transpose) or isinstance(node, Binary) and node.op == "@":
        if isinstance(node, Transpose):
            return consts.get(node.operand)
        return None
    known = [consts.get(child) for child in children(node)]
    kids = [k for k in known if k is not None]
    if len(kids) < len(known):
        return None
    attrs: dict[str, Any] = {}
    if isinstance(node, Unary):
        op_name = "neg"
    elif isinstance(node, Binary):
        op_name = BINARY_OPS[node.op]
    else:
        assert isinstance(node, Call)
        option = option_of(node.func, len(kids))
        op_name = op_for_call(node.func, len(kids))
        if option is not None:  # a literal axis or slope: an attribute, not an operand
            attrs = {option.name: option.convert(kids[-1])}
            kids = kids[:-1]
    with np.errstate(all="ignore"):
        value = OPS[op_name].forward([np.asarray(k, dtype=np.float64) for k in kids], attrs)
    return float(value)


def _unexpected(char: str) -> str:
    """The message for a character the language has no use for."""
    if char == "%":
        return "a percent sign is not part of a number: write 0.73 for 73%"
    shown = repr(char) if not char.isprintable() or char.isspace() else f"'{char}'"
    return f"unexpected character {shown}"


def _unknown_function(name: str) -> str:
    close = difflib.get_close_matches(name, FUNCTIONS, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    known = ", ".join(sorted(FUNCTIONS))
    return f"unknown function '{name}'{hint}; known functions: {known}"


def parse_program(source: str, *, max_chars: int = limits.MAX_EXPRESSION_CHARS) -> Program:
    """Parse assignments separated by ';' or new lines (a bare expression is one statement)."""
    if not isinstance(source, str):
        raise ParseError(f"expected text, got {type(source).__name__}")
    return _Parser(source, max_chars).program()


def parse_expression(source: str, *, max_chars: int = limits.MAX_EXPRESSION_CHARS) -> Expr:
    """Parse a single expression (no assignments)."""
    program = parse_program(source, max_chars=max_chars)
    if len(program.statements) != 1 or program.statements[0].name is not None:
        raise ParseError("expected a single expression, not assignments", column=1,
                         source=source)
    return program.statements[0].expr


def parse_value_text(source: str, *, max_chars: int = limits.MAX_EXPRESSION_CHARS) -> object:
    """Parse a value: a constant expression, or nested '[...]' lists of them.

    Returns a float or nested lists of floats. Names are not allowed.
    """
    if not isinstance(source, str):
        raise ParseError(f"expected text, got {type(source).__name__}")
    parser = _Parser(source, max_chars)
    value = _value(parser)
    if parser.token.kind != "end":
        parser.fail("unexpected text after the value")
    return value


def _value(parser: _Parser) -> object:
    if parser.at("["):
        parser.advance()
        parser.enter()
        items = [_value(parser)]
        while parser.at(","):
            parser.advance()
            items.append(_value(parser))
        parser.expect("]")
        parser.depth -= 1
        return items
    start = parser.token
    node = parser.expression()
    value = parser.consts.get(node)
    if value is None:
        names = free_names(node)
        what = f"name '{names[0]}'" if names else "expression"
        raise ExpressionError(f"a value must be a number, found {what}", column=start.pos,
                              source=parser.source)
    return value


