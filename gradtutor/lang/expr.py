"""The expression tree the parser builds: plain frozen dataclasses, compared by structure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Num:
    value: float
    text: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Const:
    """A named constant: `e` or `pi`."""

    name: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Name:
    id: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # "-" (a unary "+" is dropped by the parser)
    operand: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/", "**", "@"
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Transpose:
    operand: Expr
    pos: int = field(default=0, compare=False)


Expr = Num | Const | Name | Unary | Binary | Call | Transpose


@dataclass(frozen=True)
class Assignment:
    name: str | None  # None for a bare expression
    expr: Expr
    pos: int = 0  # 1-based offset of the statement in the source


@dataclass(frozen=True)
class Program:
    statements: tuple[Assignment, ...]
    source: str = ""


def children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Unary | Transpose):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children (iteratively: trees can be deep)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def free_names(node: Expr) -> list[str]:
    """Names the expression reads, in order of first appearance."""
    seen: dict[str, None] = {}
    for sub in walk(node):
        if isinstance(sub, Name):
            seen.setdefault(sub.id)
    return list(seen)


# Binding strength, loosest first; used by to_text to place only the parentheses needed.
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "neg": 3, "**": 4}
_ATOM = 5


def _strength(node: Expr) -> int:
    if isinstance(node, Binary):
        return PRECEDENCE[node.op]
    if isinstance(node, Unary):
        return PRECEDENCE["neg"]
    if isinstance(node, Num) and node.text.startswith("-"):
        return PRECEDENCE["neg"]
    return _ATOM


def to_text(node: Expr) -> str:
    """The expression in the language's own syntax, with as few parentheses as it needs."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Const):
        return node.name
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, Transpose):
        return f"{_wrap(node.operand, _ATOM)}.T"
    if isinstance(node, Unary):
        return f"-{_wrap(node.operand, PRECEDENCE['neg'])}"
    strength = PRECEDENCE[node.op]
    if node.op == "**":  # right-associative, binds tighter than unary minus on its left
        return f"{_wrap(node.left, strength + 1)}**{_wrap(node.right, PRECEDENCE['neg'])}"
    left = _wrap(node.left, strength)
    right = _wrap(node.right, strength + 1)
    return f"{left} {node.op} {right}"


def _wrap(node: Expr, needed: int) -> str:
    text = to_text(node)
    return f"({text})" if _strength(node) < needed else text
