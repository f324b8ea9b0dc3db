"""A strict parser for the DOT subset the walkthroughs write, shared by the tests of every
`explain --format dot` (graph walkthroughs in test_documents.py, perceptron walkthroughs in
test_perceptron_explain.py)."""

from __future__ import annotations

import re


class DotError(Exception):
    pass


_DOT_TOKEN = re.compile(r'\s*(?:(->|--|[{}\[\];,=])|("(?:[^"\\]|\\.)*")|([A-Za-z_0-9.]+))')


def dot_tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        if text[position] == "<":  # an HTML-like label: up to its matching >
            end = _html_end(text, position)
            tokens.append(text[position:end])
            position = end
            continue
        match = _DOT_TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise DotError(f"bad character at {position}: {text[position:position + 20]!r}")
        tokens.append(match.group(match.lastindex))
        position = match.end()
    return tokens


def _html_end(text: str, start: int) -> int:
    depth = 0
    for position in range(start, len(text)):
        if text[position] == "\n":
            raise DotError("a line break inside an HTML-like label")
        depth += {"<": 1, ">": -1}.get(text[position], 0)
        if depth == 0:
            return position + 1
    raise DotError("an HTML-like label left open")


def html_label(label: str) -> dict:
    """An HTML-like label (`<<TABLE>...</TABLE>>`) as data: its heading, its rows (name,
    cells of the value's grid) and the fill of each row; it must be well-formed XML."""
    import xml.etree.ElementTree as ET

    assert label.startswith("<") and label.endswith(">"), label
    root = ET.fromstring(label[1:-1])
    rows = root.findall("TR")
    heading = "".join(rows[0].itertext())
    found = []
    for row in rows[1:]:
        cells = row.findall("TD")
        if len(cells) < 2:
            continue
        inner = cells[1].find("TABLE")
        grid = [["".join(td.itertext()) for td in tr.findall("TD")]
                for tr in inner.findall("TR")] if inner is not None else [[cells[1].text or ""]]
        found.append({"name": cells[0].text or "", "grid": grid,
                      "fill": cells[0].get("BGCOLOR"),
                      "note": "".join(cells[2].itertext()) if len(cells) > 2 else ""})
    return {"heading": heading, "rows": found, "border": root.get("BORDER"),
            "color": root.get("COLOR"), "texts": ["".join(r.itertext()) for r in rows[1:]]}


def unquote(token: str) -> str:
    if token.startswith("<"):
        return token  # an HTML-like label, kept with its <>
    return token[1:-1].replace('\\"', '"') if token.startswith('"') else token


def parse_dot(text: str) -> dict:
    """A strict parser for the DOT subset the walkthrough writes: `digraph ID { ... }` with
    graph attributes, default node/edge attributes, node statements and `a -> b` edges, each
    with an optional [k=v, ...] list, every statement ended by `;`."""
    tokens = dot_tokens(text)
    if tokens[:1] != ["digraph"] or tokens[2:3] != ["{"] or tokens[-1] != "}":
        raise DotError("not `digraph ID { ... }`")
    body = tokens[3:-1]
    nodes: dict[str, dict] = {}
    edges: list[tuple[str, str, dict]] = []
    i = 0

    def attributes() -> dict:
        nonlocal i
        found: dict[str, str] = {}
        if i < len(body) and body[i] == "[":
            i += 1
            while body[i] != "]":
                key, equals, value = body[i:i + 3]
                if equals != "=":
                    raise DotError(f"expected = after {key}")
                found[key] = unquote(value)
                i += 3
                if body[i] == ",":
                    i += 1
            i += 1
        return found

    while i < len(body):
        first = body[i]
        if first in ("node", "edge", "graph"):
            i += 1
            attributes()
        elif i + 1 < len(body) and body[i + 1] == "=":
            i += 3
        elif i + 1 < len(body) and body[i + 1] == "->":
            source, target = unquote(first), unquote(body[i + 2])
            i += 3
            edges.append((source, target, attributes()))
        elif i + 1 < len(body) and body[i + 1] == "--":
            raise DotError("an undirected edge in a digraph")
        else:
            i += 1
            nodes[unquote(first)] = attributes()
        if i >= len(body) or body[i] != ";":
            raise DotError(f"expected ; at token {i}")
        i += 1
    for source, target, _ in edges:
        if source not in nodes or target not in nodes:
            raise DotError(f"edge {source} -> {target} to an undeclared node")
    return {"nodes": nodes, "edges": edges}


def record_fields(label: str) -> list[str]:
    """The fields of a record label `{ a | b | c }`; escaped characters stay inside a field."""
    assert label.startswith("{ ") and label.endswith(" }"), label
    fields, current, escaped = [], "", False
    for char in label[2:-2]:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "{}<>":
            raise DotError(f"unescaped {char} in a record")
        elif char == "|":
            fields.append(current.strip())
            current = ""
        else:
            current += char
    return [*fields, current.strip()]
