"""Untrusted text (a student's keys, names and answers; an author's titles) made safe to
print: one line, with control characters such as line breaks and terminal escapes shown as
escapes, so that nothing a file holds can forge a line of a report or move the cursor."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: object, limit: int = 200) -> str:
    """`text` on one line, control characters escaped, cut to `limit` characters."""
    shown = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
