"""Read YAML from untrusted files: safe, bounded, and with a line for every value.

Every loader in gradtutor reads YAML through `load_yaml` or `read_yaml_file`. They take the
event stream of PyYAML's safe parser (libyaml when it is installed, else pure Python) and
build plain Python values from it themselves, in a loop rather than by recursion:

- Nothing is ever constructed from a tag, so no code can run. Every explicit tag is refused,
  the standard ones (`!!str`, `!!int`, `!!float`, `!!binary`, `!!set`, ...) and the
  non-specific `!` included: to make a value text, quote it.
- Anchors (`&name`) and aliases (`*name`) are both refused, so an alias bomb is refused at
  its first anchor, before anything could be expanded. Merge keys (`<<:`) are refused too.
- Nesting depth and the number of values are bounded (`limits.MAX_YAML_DEPTH`,
  `limits.MAX_YAML_NODES`) and checked as the events arrive; the file's size
  (`limits.MAX_FILE_BYTES`) is checked before it is parsed, or read.
- Every problem is one exception of the class the caller passes, with the file and the line.

Values: mapping keys are always strings, exactly as written (keys `on`, `1` and `null` are
"on", "1" and "null"). Plain scalars resolve as `yaml.SafeLoader` resolves them (YAML 1.1:
int, float, bool, null, else str), except that
- numbers are read as a person writes them, in decimal: `010` is ten (YAML 1.1 reads eight),
  and the spellings no student means as a number (`0b11`, `0x1F`, `1:30`, which YAML 1.1
  reads as 3, 31 and 90) stay text, so an answer written that way is no number rather
  than a number nobody wrote;
- a timestamp stays the text as written;
- a float may also be written without a dot (`1e-3`, `2E+5`, `-.5`: YAML 1.2 style, which
  SafeLoader leaves as text);
- a number written with more than 4,300 characters stays text.
"""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from ..base import limits
from ..base.errors import GradtutorError

# Only the parser of this class is used: nothing is ever handed to a constructor.
_PARSER_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters outside YAML 1.1's printable set (tab, line breaks, \x20-\x7e, \x85, \xa0 and
# up, minus surrogates and \ufffe-\uffff) mean the file is not text. Written as the small
# ranges it excludes: the negated class over all of Unicode takes 5 ms to compile.
_NOT_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_NUMBER_START = frozenset("-+0123456789.")
# The common spellings, which int() and float() read exactly as YAML 1.1 means them.
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_POINT = re.compile(r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?")
_INT = re.compile(r"[-+]?[0-9][0-9_]*")  # decimal only, leading zeros and all
_FLOAT = re.compile(
    r"""[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?
      | \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
      | [-+]?\.(?:inf|Inf|INF)
      | \.(?:nan|NaN|NAN)
      | [-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+
      | [-+]\.[0-9]+""",
    re.VERBOSE,
)
# Python's default int-string conversion limit.
_MAX_NUMBER_CHARS = 4300
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset({"!", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!seq", "!!map"})


@dataclass
class Loaded:
    """A parsed YAML document with the position of every value in it."""

    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    key_lines: dict[tuple, int] = field(default_factory=dict)
    texts: dict[tuple, str] = field(default_factory=dict)
    file: str = ""

    def line(self, *path: str | int) -> int | None:
        """The line of the value at `path`, else of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


def read_yaml_file(path: str | os.PathLike, *, error: type[GradtutorError] = GradtutorError,
                   display: str | None = None) -> Loaded:
    """Read and load a YAML file, refusing it before reading when it is too large."""
    name = display if display is not None else os.fsdecode(path)
    return load_yaml(_read_bounded(path, name, error), file=name, error=error)


def load_yaml(source: str | bytes, *, file: str,
              error: type[GradtutorError] = GradtutorError) -> Loaded:
    """Load one YAML document from untrusted text; every problem raises `error`."""
    text = _decode(source, file, error)
    builder = _Builder(file, error)
    try:
        for event in yaml.parse(text, Loader=_PARSER_LOADER):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file, error) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise error(f"YAML syntax error: {message}", file=file) from None
    except RecursionError:
        raise error(_too_deep(), file=file) from None
    return builder.loaded


def _read_bounded(path: str | os.PathLike, name: str, error: type[GradtutorError]) -> bytes:
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise error("cannot read the file: it is a directory", file=name)
        if not stat.S_ISREG(info.st_mode):  # a named pipe or a device could block forever
            raise error("cannot read the file: it is not a regular file (a named pipe or a "
                        "device)", file=name)
        if info.st_size > limits.MAX_FILE_BYTES:
            raise error(_too_large(f"{info.st_size:,} bytes"), file=name)
        with open(path, "rb") as handle:
            raw = handle.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise error(f"cannot read the file: {_os_problem(exc)}", file=name) from None
    except ValueError:  # a NUL in the path
        raise error("cannot read the file: invalid file name", file=name) from None
    if len(raw) > limits.MAX_FILE_BYTES:
        raise error(_too_large(f"more than {limits.MAX_FILE_BYTES:,} bytes"), file=name)
    return raw


def _os_problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def _too_large(size: str) -> str:
    return f"file is too large: {size} (the limit is {limits.MAX_FILE_BYTES:,} bytes)"


def _too_deep() -> str:
    return f"YAML is nested more than {limits.MAX_YAML_DEPTH} levels deep"


def _decode(source: str | bytes, file: str, error: type[GradtutorError]) -> str:
    """The source as text without a BOM; binary data and oversized input are refused."""
    if isinstance(source, str):
        if len(source) > limits.MAX_FILE_BYTES:
            raise error(_too_large(f"{len(source):,} characters"), file=file)
        text, unit = source, "character"
    else:
        text, unit = _utf8(bytes(source), file, error), "byte"
    bom = 1 if text.startswith("\ufeff") else 0
    bad = _NOT_PRINTABLE.search(text, bom)
    if bad is not None:
        raise _binary_error(text, bad.start(), unit, file, error)
    return text[bom:]


def _utf8(raw: bytes, file: str, error: type[GradtutorError]) -> str:
    if len(raw) > limits.MAX_FILE_BYTES:
        raise error(_too_large(f"{len(raw):,} bytes"), file=file)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error("not a text file: it starts with a UTF-16 byte-order mark "
                    "(save it as UTF-8)", file=file, line=1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error(f"not a text file: invalid UTF-8 at byte offset {exc.start}",
                    file=file, line=line) from None


def _binary_error(text: str, index: int, unit: str, file: str,
                  error: type[GradtutorError]) -> GradtutorError:
    code = ord(text[index])
    if code == 0:
        what = "a NUL byte"
    elif code < 0x20 or 0x7F <= code < 0xA0:
        what = f"control character U+{code:04X}"
    else:
        what = f"character U+{code:04X}"
    offset = len(text[:index].encode("utf-8")) if unit == "byte" else index
    return error(f"not a text file: {what} at {unit} offset {offset}",
                 file=file, line=text.count("\n", 0, index) + 1)


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str,
                  error: type[GradtutorError]) -> GradtutorError:
    """One line from PyYAML's marks: the problem, its line and column, and the context."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    if "maximum nesting depth" in problem:
        # libyaml 0.2.6 (PyYAML 6.0.4) refuses deep flow nesting while scanning, before
        # our own depth check sees the events: one message for both
        return error(_too_deep(), file=file, line=mark.line + 1 if mark else None)
    message = "YAML syntax error: " + _one_line(problem)
    if mark is None:
        return error(message, file=file)
    line, column = mark.line + 1, mark.column + 1
    message += f" (column {column})"
    if _is_tab(text, mark.line, mark.column) or "tab character" in message:
        message += "; indent with spaces, not tabs"
    context = exc.context_mark
    if exc.context and context is not None and context.line != mark.line:
        message += f", {_one_line(exc.context)} at line {context.line + 1}"
    return error(message, file=file, line=line, column=column)


def _is_tab(text: str, line: int, column: int) -> bool:
    # splitlines breaks where YAML does, once the other control characters are refused.
    lines = text.splitlines()
    return line < len(lines) and lines[line][column:column + 1] == "\t"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shown(text: str, limit: int = 60) -> str:
    """A key or tag quoted for a one-line message, escaped and shortened."""
    short = text if len(text) <= limit else text[:limit] + "..."
    return repr(short)


def _field(path: tuple) -> str | None:
    """`answers.df/dW[1]` for a path, or None for the document itself."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    if not out:
        return None
    out = out if out.isprintable() else repr(out)[1:-1]
    return out if len(out) <= 100 else out[:100] + "..."


class _Frame:
    """An open mapping or sequence, and for a mapping the key waiting for its value."""

    __slots__ = ("container", "path", "is_map", "key")

    def __init__(self, container: dict | list, path: tuple, is_map: bool) -> None:
        self.container = container
        self.path = path
        self.is_map = is_map
        self.key: str | None = None


class _Builder:
    """Builds plain values from parser events, checking every rule as the events arrive."""

    def __init__(self, file: str, error: type[GradtutorError]) -> None:
        self.loaded = Loaded(None, {}, {}, {}, file)
        self.error = error
        self.stack: list[_Frame] = []
        self.nodes = 0
        self.documents = 0

    def feed(self, event: Event) -> None:
        if isinstance(event, ScalarEvent):
            self._scalar(event)
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            self._start(event)
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            self.stack.pop()
        elif isinstance(event, AliasEvent):
            raise self._fail(f"YAML aliases are not allowed (found {_shown(f'*{event.anchor}')}); "
                             "write the value out in full", event, self._here())
        elif isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self._fail("more than one YAML document in the file "
                                 "(a second one starts here)", event)

    def _fail(self, message: str, event: Event, path: tuple = ()) -> GradtutorError:
        return self.error(message, file=self.loaded.file, line=_line(event),
                          column=event.start_mark.column + 1 if event.start_mark else None,
                          field=_field(path))

    def _check_node(self, event: ScalarEvent | CollectionStartEvent, path: tuple) -> None:
        if event.anchor is not None:
            raise self._fail(f"YAML anchors are not allowed (found {_shown('&' + event.anchor)}); "
                             "write the value out in full", event, path)
        if event.tag is not None:
            raise self._fail(_tag_message(event.tag), event, path)
        self.nodes += 1
        if self.nodes > limits.MAX_YAML_NODES:
            raise self._fail(f"YAML has more than {limits.MAX_YAML_NODES:,} values", event)

    def _path(self) -> tuple:
        """The path of the next value; () when there is no open collection."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if frame.is_map:
            return (*frame.path, frame.key)
        return (*frame.path, len(frame.container))

    def _here(self) -> tuple:
        """The path of the next value, or of the mapping whose key comes next."""
        return self.stack[-1].path if self._expects_key() else self._path()

    def _expects_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].is_map and self.stack[-1].key is None

    def _scalar(self, event: ScalarEvent) -> None:
        if self._expects_key():
            self._check_node(event, self.stack[-1].path)
            self._key(event)
            return
        path = self._path()
        self._check_node(event, path)
        text = event.value
        self.loaded.texts[path] = text
        self._attach(path, _resolve(text) if event.implicit[0] else text, event)

    def _key(self, event: ScalarEvent) -> None:
        frame = self.stack[-1]
        key = event.value
        path = (*frame.path, key)
        if key == "<<" and event.implicit[0]:
            raise self._fail("YAML merge keys ('<<') are not allowed", event, frame.path)
        if key in frame.container:
            first = self.loaded.key_lines[path]
            raise self._fail(f"duplicate key {_shown(key)} (first at line {first})",
                             event, frame.path)
        self.loaded.key_lines[path] = _line(event)
        frame.key = key

    def _start(self, event: MappingStartEvent | SequenceStartEvent) -> None:
        is_map = type(event) is MappingStartEvent
        if self._expects_key():
            kind = "a mapping" if is_map else "a list"
            raise self._fail(f"a mapping key must be a plain value, not {kind}",
                             event, self.stack[-1].path)
        path = self._path()
        self._check_node(event, path)
        if len(self.stack) >= limits.MAX_YAML_DEPTH:
            raise self._fail(_too_deep(), event)
        container: dict | list = {} if is_map else []
        self._attach(path, container, event)
        self.stack.append(_Frame(container, path, is_map))

    def _attach(self, path: tuple, value: Any, event: NodeEvent) -> None:
        self.loaded.lines[path] = _line(event)
        if not self.stack:
            self.loaded.data = value
            return
        frame = self.stack[-1]
        if isinstance(frame.container, dict):
            frame.container[frame.key] = value
            frame.key = None
        else:
            frame.container.append(value)


def _line(event: Event) -> int:
    """The 1-based line an event starts on (PyYAML's parser always sets the mark)."""
    return event.start_mark.line + 1 if event.start_mark else 0


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(_YAML_TAG_PREFIX):] if tag.startswith(_YAML_TAG_PREFIX) else tag
    message = f"YAML tags are not allowed (found {_shown(shown)})"
    if shown in _PLAIN_TAGS:
        message += "; write the value without the tag, quoted if it should be text"
    return message


def _resolve(text: str) -> Any:
    """A plain scalar's value, as yaml.SafeLoader would resolve it (see the module doc)."""
    if text in _NULLS:
        return None
    flag = _BOOLS.get(text)
    if flag is not None:
        return flag
    if text[0] not in _NUMBER_START or len(text) > _MAX_NUMBER_CHARS:
        return text
    if _INT.fullmatch(text):
        return _to_int(text)
    if _DECIMAL_POINT.fullmatch(text):
        return float(text)
    if _FLOAT.fullmatch(text):
        return _to_float(text)
    return text


def _split_sign(text: str, lower: bool = False) -> tuple[int, str]:
    value = text.replace("_", "")
    if lower:
        value = value.lower()
    if value[:1] in ("-", "+"):
        return (-1 if value[0] == "-" else 1), value[1:]
    return 1, value


def _to_int(text: str) -> int | str:
    if _DECIMAL.fullmatch(text):
        return int(text)
    sign, digits = _split_sign(text)
    try:
        return sign * int(digits, 10)  # "010" is ten; the underscores are gone
    except ValueError:  # past a lowered int-string conversion limit
        return text


def _to_float(text: str) -> float | str:
    sign, value = _split_sign(text, lower=True)
    if value == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return text
    return sign * number
