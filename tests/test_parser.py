"""The expression language: grammar, printing, errors with columns, and bounds."""

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradtutor.base import limits
from gradtutor.base.errors import ExpressionError, GradtutorError, LimitError, ParseError
from gradtutor.lang.expr import (
    Binary,
    Call,
    Const,
    Name,
    Num,
    Transpose,
    Unary,
    free_names,
    to_text,
)
from gradtutor.lang.parser import parse_expression, parse_program, parse_value_text

from bounds import HANG_SECONDS


@pytest.mark.parametrize(("text", "printed"), [
    ("(x+y)*z", "(x + y) * z"),
    ("x + y*z", "x + y * z"),
    ("-x**2", "-x**2"),
    ("(-x)**2", "(-x)**2"),
    ("x^2^3", "x**2**3"),
    ("(x**2)**3", "(x**2)**3"),
    ("a - (b - c)", "a - (b - c)"),
    ("a - b - c", "a - b - c"),
    ("a/(b*c)", "a / (b * c)"),
    ("W@x.T", "W @ x.T"),
    ("(W@x).T", "(W @ x).T"),
    ("sum((W@x)**2)", "sum((W @ x)**2)"),
    ("2*(x*y + max(z, w))", "2 * (x * y + max(z, w))"),
    ("x**-1", "x**-1"),
    ("-2**2", "-2**2"),
    ("1e-3 * x", "1e-3 * x"),
    ("sum(x, 0)", "sum(x, 0)"),
    ("+x", "x"),
])
def test_precedence_and_printing(text: str, printed: str) -> None:
    assert to_text(parse_expression(text)) == printed
    assert parse_expression(printed) == parse_expression(text)


def test_caret_is_power_and_binds_tighter_than_unary_minus() -> None:
    assert parse_expression("x^2") == parse_expression("x**2")
    tree = parse_expression("-x^2")
    assert isinstance(tree, Unary) and isinstance(tree.operand, Binary)
    assert tree.operand.op == "**"


def test_tree_shapes() -> None:
    tree = parse_expression("sigmoid(W @ x + b).T")
    assert isinstance(tree, Transpose)
    call = tree.operand
    assert isinstance(call, Call) and call.func == "sigmoid"
    assert free_names(tree) == ["W", "x", "b"]
    assert parse_expression("pi * e") == Binary("*", Const("pi"), Const("e"))
    assert parse_expression("-2.5") == Num(-2.5, "-2.5")


def test_programs_with_semicolons_newlines_and_comments() -> None:
    program = parse_program("q = x + y; f = q*z")
    assert [s.name for s in program.statements] == ["q", "f"]
    program = parse_program("# the notes' example\nq = x + y\n\nf = q*z  # output\n")
    assert [s.name for s in program.statements] == ["q", "f"]
    assert to_text(program.statements[1].expr) == "q * z"


def test_newlines_inside_parentheses_continue_the_statement() -> None:
    program = parse_program("f = (x +\n     y) * z")
    assert len(program.statements) == 1


def test_e_is_a_constant_until_assigned() -> None:
    program = parse_program("a = e; e = a * 2; f = e + 1")
    assert program.statements[0].expr == Const("e")
    assert program.statements[2].expr == Binary("+", Name("e"), Num(1.0, "1"))


@pytest.mark.parametrize(("text", "message", "column"), [
    ("(x+y", "expected ')', found end of input", 5),
    ("x + ", "expected a number, a name or '(', found end of input", 5),
    ("x y", "expected an operator, ';' or a new line, found 'y'", 3),
    ("x $ y", "unexpected character '$'", 3),
    ("__import__('os')", "names may not start with two underscores", 1),
    ("().__class__", "unexpected character '.'", 3),
    ("lambda: 1", "unexpected character ':'", 7),
    ("x = 1; x = 2", "'x' is assigned twice", 8),
    ("exp = 2", "'exp' is a function and cannot be assigned", 1),
    ("exp + 1", "'exp' is a function: write exp(...)", 1),
    ("sum(x, 3)", "the second argument of sum() is an axis: 0, 1, -1 or -2", 1),
    ("sigmoid(x, y)", "sigmoid() takes 1 argument(s), got 2", 1),
    ("", "empty expression", 1),
])
def test_errors_name_the_column(text: str, message: str, column: int) -> None:
    with pytest.raises(GradtutorError) as caught:
        parse_program(text)
    assert caught.value.message == message
    assert caught.value.column == column
    caret = caught.value.caret()
    assert caret is not None and caret.splitlines()[1].index("^") == column + 1


def test_unknown_function_suggests_the_closest() -> None:
    with pytest.raises(ExpressionError, match=r"unknown function 'sigmod' \(did you mean "
                       r"sigmoid\?\)"):
        parse_expression("sigmod(x)")


@pytest.mark.parametrize("text", [
    "9**9**9**9", "2**2**2**2**2", "x**9**9", "(x**100)**1000", "0.5**-2000", "10**400",
    "exp(1)**1e6", "x^99999",
])
def test_power_size_is_estimated_before_computing(text: str) -> None:
    start = time.monotonic()
    with pytest.raises(LimitError, match="power too large"):
        parse_expression(text)
    assert time.monotonic() - start < HANG_SECONDS


def test_powers_within_the_bounds_are_fine() -> None:
    for text in ("x**1000", "2**900 * x", "(-2)**3", "2**-50", "x**0.5", "9**x"):
        parse_expression(text)


def test_nesting_depth_length_and_size_are_bounded() -> None:
    with pytest.raises(LimitError, match="nested more than"):
        parse_expression("(" * 5000 + "x" + ")" * 5000)
    with pytest.raises(LimitError, match="nested more than"):
        parse_expression("-" * 5000 + "x")
    with pytest.raises(LimitError, match="characters long"):
        parse_expression("x+" * limits.MAX_EXPRESSION_CHARS + "x")
    with pytest.raises(LimitError, match="characters long"):
        parse_expression("x" * 100, max_chars=50)


def test_numbers_too_large_for_a_float() -> None:
    with pytest.raises(LimitError, match="too large"):
        parse_expression("1e999")


@pytest.mark.parametrize(("text", "value"), [
    ("3", 3.0), ("-2.5", -2.5), ("1e-3", 0.001), ("-1/2", -0.5), ("(-2)**3", -8.0),
    ("pi", 3.141592653589793), ("[0.2, 0.4]", [0.2, 0.4]),
    ("[[0.1,0.5],[-0.3,0.8]]", [[0.1, 0.5], [-0.3, 0.8]]),
])
def test_values(text: str, value: object) -> None:
    assert parse_value_text(text) == value


def test_values_reject_names() -> None:
    with pytest.raises(ExpressionError, match="a value must be a number, found name 'foo'"):
        parse_value_text("[1, foo]")


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from(["x", "y", "z", "2", "0.5", "1e-3", "pi"]))
    kind = draw(st.sampled_from(["bin", "neg", "call", "paren"]))
    if kind == "bin":
        op = draw(st.sampled_from(["+", "-", "*", "/", "**", "^"]))
        return f"{draw(expressions(depth + 1))} {op} {draw(expressions(depth + 1))}"
    if kind == "neg":
        return f"-{draw(expressions(depth + 1))}"
    if kind == "call":
        func = draw(st.sampled_from(["exp", "sigmoid", "tanh", "relu", "abs"]))
        return f"{func}({draw(expressions(depth + 1))})"
    return f"({draw(expressions(depth + 1))})"


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_printing_round_trips(text: str) -> None:
    try:
        tree = parse_expression(text)
    except LimitError:
        return  # e.g. a power tower of constants: refused before it is computed
    assert parse_expression(to_text(tree)) == tree


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_a_gradtutor_error(text: str) -> None:
    with contextlib.suppress(ParseError, ExpressionError, LimitError):
        parse_program(text)


@pytest.mark.parametrize(("typed", "value"), [
    ("\u22120.25", -0.25), ("2\u00d73", 6.0), ("2\u00b73", 6.0), ("1 \u2212 3 \u00d7 2", -5.0),
    # a word processor's dashes for a minus, and its no-break spaces
    ("\u20130.5", -0.5), ("\u20103", -3.0), ("\u20114", -4.0), ("\u20125", -5.0),
    ("\ufe636", -6.0), ("\uff0d7", -7.0), ("1\u00a0\u2013\u202f3", -2.0),
])
def test_the_characters_people_type_read_as_the_language_s_own(typed: str, value: float
                                                               ) -> None:
    from gradtutor.lang.values import to_array

    assert float(to_array(typed)) == value


@pytest.mark.parametrize(("typed", "message"), [
    ("0,73", "use a decimal point: write 0.73, not 0,73"),
    ("-0,5 * x", "use a decimal point: write 0.5, not 0,5"),
    ("log(0,66)", "use a decimal point: write 0.66, not 0,66"),
    ("73%", "a percent sign is not part of a number: write 0.73 for 73%"),
])
def test_a_decimal_comma_or_a_percent_gets_a_plain_message(typed: str, message: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_expression(typed)
    assert error.value.message == message
