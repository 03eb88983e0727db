"""Tool results rendered the way other APIs send them: YAML, XML and a Markdown text table.

Each renderer is small, fast and deterministic, and loses nothing a careful reader needs:
YAML quotes every string (so ``"10"`` stays text), XML marks types the way Rails' ``to_xml``
does (``type="integer"``, ``type="array"``, ``nil="true"``), and a table cell holds plain text
unless the text would read as something else, in which case it is written as a JSON string.
:mod:`toolgym.agents.decoding` reads all three back.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["to_table", "to_xml", "to_yaml"]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLAIN_TEXT = re.compile(r"[ !#-\[\]-~]*")  # printable ASCII but for quote and backslash
_JSON_LIKE = re.compile(
    r'-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|["\[{].*', re.S
)
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    return _quoted(str(value))


def _quoted(text: str) -> str:
    """``text`` as a JSON string literal (also a YAML double-quoted scalar)."""
    if _PLAIN_TEXT.fullmatch(text):
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


def _yaml_key(key: Any) -> str:
    text = str(key)
    if _PLAIN_KEY.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return _quoted(text)


def _yaml_lines(value: Any, pad: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list, tuple)) and item:
                out.append(f"{pad}{_yaml_key(key)}:")
                _yaml_lines(item, pad + "  ", out)
            else:
                out.append(f"{pad}{_yaml_key(key)}: {_yaml_scalar(item)}")
    else:
        for item in value:
            if isinstance(item, (dict, list, tuple)) and item:
                start = len(out)
                _yaml_lines(item, pad + "  ", out)
                out[start] = f"{pad}- " + out[start][len(pad) + 2 :]
            else:
                out.append(f"{pad}- {_yaml_scalar(item)}")


def to_yaml(data: Any) -> str:
    """Block-style YAML; ``yaml.safe_load`` gives the data back.

    >>> print(to_yaml({"order_id": "#W1", "total": 19.5, "items": [{"name": "Mat"}]}))
    order_id: "#W1"
    total: 19.5
    items:
      - name: "Mat"
    """
    if isinstance(data, (dict, list, tuple)) and data:
        out: list[str] = []
        _yaml_lines(data, "", out)
        return "\n".join(out)
    return _yaml_scalar(data)


_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_XML_BAD = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    text = _XML_BAD.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")  # a raw CR would be read back as a newline


def _xml(tag: str, value: Any, pad: str, out: list[str]) -> None:
    if _XML_NAME.fullmatch(tag) and not tag.lower().startswith("xml"):
        name, attrs = tag, ""
    else:
        name, attrs = "entry", ' key="' + _xml_text(tag).replace('"', "&quot;") + '"'
    if value is None:
        out.append(f'{pad}<{name}{attrs} nil="true"/>')
    elif value is True or value is False:
        out.append(f'{pad}<{name}{attrs} type="boolean">{str(value).lower()}</{name}>')
    elif isinstance(value, int):
        out.append(f'{pad}<{name}{attrs} type="integer">{value}</{name}>')
    elif isinstance(value, float):
        out.append(f'{pad}<{name}{attrs} type="float">{value!r}</{name}>')
    elif isinstance(value, dict):
        if not value:
            out.append(f'{pad}<{name}{attrs} type="object"/>')
            return
        out.append(f"{pad}<{name}{attrs}>")
        for key, item in value.items():
            _xml(str(key), item, pad + "  ", out)
        out.append(f"{pad}</{name}>")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append(f'{pad}<{name}{attrs} type="array"/>')
            return
        out.append(f'{pad}<{name}{attrs} type="array">')
        for item in value:
            _xml("item", item, pad + "  ", out)
        out.append(f"{pad}</{name}>")
    else:
        out.append(f"{pad}<{name}{attrs}>{_xml_text(str(value))}</{name}>")


def to_xml(data: Any, root: str = "response") -> str:
    """An XML document in the style of Rails' ``to_xml``.

    >>> print(to_xml({"total": 19.5, "tracking": None}))
    <?xml version="1.0" encoding="UTF-8"?>
    <response>
      <total type="float">19.5</total>
      <tracking nil="true"/>
    </response>
    """
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _xml(root, data, "", out)
    return "\n".join(out)


def _cell(value: Any) -> str:
    if isinstance(value, str):
        text = value
        if not value or value != value.strip() or _JSON_LIKE.fullmatch(value):
            text = _quoted(value)
    elif isinstance(value, (dict, list, tuple)):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = _yaml_scalar(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n").replace("\r", "\\r")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def to_table(data: Any) -> str:
    """A Markdown table: a list of objects one row each, an object as field/value rows. An
    empty cell is a field the row does not have; an empty string is ``""``.

    >>> print(to_table([{"id": "P-1", "price": 9.5}, {"id": "P-2", "price": 12.0}]))
    | id | price |
    | --- | --- |
    | P-1 | 9.5 |
    | P-2 | 12.0 |
    """
    rows_of_objects = isinstance(data, (list, tuple)) and all(isinstance(r, dict) for r in data)
    columns = list(dict.fromkeys(k for row in data for k in row)) if rows_of_objects else []
    if columns:
        rows = [[_cell(row.get(c)) if c in row else "" for c in columns] for row in data]
        header = [_cell(str(c)) for c in columns]
    elif isinstance(data, dict):
        header = ["field", "value"]
        rows = [[_cell(str(k)), _cell(v)] for k, v in data.items()]
    elif isinstance(data, (list, tuple)):
        header = ["value"]
        rows = [[_cell(v)] for v in data]
    else:
        header = ["result"]
        rows = [[_cell(data)]]
    lines = [_row(header), _row(["---"] * len(header))]
    lines += [_row(r) for r in rows]
    return "\n".join(lines)
