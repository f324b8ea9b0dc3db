"""Untrusted text (a student's keys, names and answers; an author's titles, descriptions and
hints; file names) made safe for the format it is written into.

Every format shares one rule: a character that does not show as itself (a control
character, a terminal escape, a bidi override, a zero-width or other invisible character)
is shown as a visible escape (`\\x1b`, `\\u202e`), so that nothing a file holds can move the
cursor, reorder what a reader sees, hide text or forge a line of a report. On top of it,
one function per format: `visible`, `one_line` and `prose` (a terminal or a message: one line),
`visible_lines` (a terminal: text whose line breaks are kept), `csv_cell`, `yaml_quoted`,
`yaml_text` and `yaml_comment`. Markdown, LaTeX and dot escape in their renderers
(render/markdown.py, render/latex.py, render/dot.py), on top of these.
"""

from __future__ import annotations

import re

# Characters that are not shown as themselves: C0 and C1 controls, DEL, line and paragraph
# separators, soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul and
# Mongolian fillers, zero-width characters and directional marks, bidi embeddings,
# overrides and isolates, invisible operators, deprecated format characters, the BOM,
# interlinear annotations, tag characters and variation selectors.
_HIDDEN = ("\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
           "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
           "\ufff0-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef\ud800-\udfff")
_CONTROL = re.compile(f"[{_HIDDEN}]")
_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_PARTIAL_ESCAPE = re.compile(r"\\(x[0-9a-f]?|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})?$")  # cut short
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)", re.IGNORECASE)


def escape_char(char: str) -> str:
    """One hidden character as a visible escape: `\\n`, `\\x1b`, `\\u202e`, `\\U000e0041`."""
    code = ord(char)
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: object, limit: int = 200) -> str:
    """`text` on one line, hidden characters (line breaks too) escaped, cut to `limit`
    characters."""
    shown = _CONTROL.sub(lambda m: escape_char(m.group()), str(text))
    if len(shown) <= limit:
        return shown
    return _PARTIAL_ESCAPE.sub("", shown[: limit - 3]) + "..."


def one_line(text: object) -> str:
    """`text` on one line, hidden characters (line breaks too) escaped; not cut."""
    return _CONTROL.sub(lambda m: escape_char(m.group()), str(text))


def prose(text: object) -> str:
    """Prose on one line: a line break (as Markdown reads one) is a space, every other
    hidden character is escaped; not cut."""
    return one_line(_LINE_BREAK.sub(" ", str(text)))


def visible_lines(text: object) -> str:
    """`text` with its line breaks kept (a `\\r\\n` read as one), every other hidden
    character escaped; not cut."""
    lines = str(text).replace("\r\n", "\n").split("\n")
    return "\n".join(_CONTROL.sub(lambda m: escape_char(m.group()), line) for line in lines)


def csv_cell(text: object) -> str:
    """A CSV cell: on one line, hidden characters escaped, and never a formula a
    spreadsheet would run (a cell starting with = + - @ gets a leading ', a number stays)."""
    shown = visible(text, 10_000)
    if shown[:1] in FORMULA_START and not _NUMBER.fullmatch(shown):
        return "'" + shown
    return shown


def yaml_quoted(text: object) -> str:
    """A double-quoted YAML scalar that reads back as `text` (hidden characters escaped,
    so the file shows them and no line break can start a key)."""
    body = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _CONTROL.sub(lambda m: escape_char(m.group()), body) + '"'


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./@\-]*")
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "~"}


def yaml_text(text: str) -> str:
    """A key or a value: as it is when YAML reads it back unchanged as that text (a name
    such as df/dx), else quoted."""
    if _PLAIN_KEY.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return yaml_quoted(text)


def yaml_comment(text: object) -> list[str]:
    """Text as YAML comment lines (`# ...`): every line break YAML knows starts a new
    comment line, so nothing in it can become a key; hidden characters escaped."""
    return [f"# {visible(line, 10_000)}".rstrip() for line in str(text).splitlines()] or ["#"]
