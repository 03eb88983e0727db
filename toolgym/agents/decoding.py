"""Reading a tool result however it arrives: JSON, YAML, XML or a text table, with camelCase
keys, numbers sent as strings, invisible characters and stray white space.

:func:`decode_result` returns plain Python data: objects as :class:`Fields` (a dict that
answers to a key's snake_case and camelCase spellings alike), text in NFC without zero-width
characters. Strings that spell a number become :class:`Numeric`: a ``str`` that also
does arithmetic and comparisons as the number it spells, so ``"19.99"`` from a lossy format
still sums, compares and formats like ``19.99`` while ``"10"`` (a size) still equals ``"10"``.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from typing import Any

import yaml

from toolgym.core.casing import camel, snake

__all__ = ["Fields", "Numeric", "clean_text", "decode_result", "normalise"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


class Numeric(str):
    """Text that spells a number, usable as either.

    >>> price = Numeric("19.99")
    >>> price == "19.99", price + 0.01, f"{price * 2:.2f}", price < 20
    (True, 20.0, '39.98', True)
    """

    __slots__ = ("value",)
    value: int | float

    def __new__(cls, text: str) -> Numeric:
        self = super().__new__(cls, text)
        number = float(text)
        self.value = int(number) if _is_integer_text(text) else number
        return self

    @staticmethod
    def _other(other: Any) -> Any:
        if isinstance(other, Numeric):
            return other.value
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return other
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Numeric):
            return self.value == other.value
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return self.value == other
        return str.__eq__(self, other)  # type: ignore[return-value]

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    def _compare(self, other: Any, op: Any) -> Any:
        value = self._other(other)
        if value is None:
            return op(str(self), other)
        return op(self.value, value)

    def __lt__(self, other: Any) -> bool:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> bool:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> bool:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> bool:
        return self._compare(other, lambda a, b: a >= b)

    def _arith(self, other: Any, op: Any, reverse: bool = False) -> Any:
        value = self._other(other)
        if value is None:
            return NotImplemented
        return op(value, self.value) if reverse else op(self.value, value)

    def __add__(self, other: Any) -> Any:  # type: ignore[override]
        if isinstance(other, str) and not isinstance(other, Numeric):
            return str(self) + other
        return self._arith(other, lambda a, b: a + b)

    def __radd__(self, other: Any) -> Any:
        if isinstance(other, str):
            return other + str(self)
        return self._arith(other, lambda a, b: a + b, True)

    def __sub__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a - b)

    def __rsub__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a - b, True)

    def __mul__(self, other: Any) -> Any:  # type: ignore[override]
        return self._arith(other, lambda a, b: a * b)

    def __rmul__(self, other: Any) -> Any:  # type: ignore[override]
        return self._arith(other, lambda a, b: a * b, True)

    def __truediv__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a / b)

    def __rtruediv__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a / b, True)

    def __floordiv__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a // b)

    def __mod__(self, other: Any) -> Any:  # type: ignore[override]
        return self._arith(other, lambda a, b: a % b)

    def __neg__(self) -> int | float:
        return -self.value

    def __pos__(self) -> int | float:
        return self.value

    def __abs__(self) -> int | float:
        return abs(self.value)

    def __round__(self, digits: int | None = None) -> int | float:
        return round(self.value, digits)

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __index__(self) -> int:
        if isinstance(self.value, int):
            return self.value
        raise TypeError(f"{str(self)!r} is not an integer")

    def __bool__(self) -> bool:
        return bool(self.value)

    def __format__(self, spec: str) -> str:
        if spec and (spec[-1] in "bcdeEfFgGnoxX%" or spec[-1].isdigit()):
            return format(self.value, spec)
        return str.__format__(self, spec)


class Fields(dict):  # type: ignore[type-arg]
    """An object from a result that answers to ``order_id`` and ``orderId`` alike.

    >>> Fields({"orderId": "#W1"})["order_id"]
    '#W1'
    """

    def _alias(self, key: Any) -> Any:
        if isinstance(key, str):
            for other in (camel(key), snake(key)):
                if other != key and dict.__contains__(self, other):
                    return other
        return key

    def __missing__(self, key: Any) -> Any:
        alias = self._alias(key)
        if alias is key:
            raise KeyError(key)
        return dict.__getitem__(self, alias)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or self._alias(key) is not key

    def get(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        alias = self._alias(key)
        return default if alias is key else dict.__getitem__(self, alias)


def _is_integer_text(text: str) -> bool:
    return not any(c in text for c in ".eE")


def clean_text(text: str) -> str:
    """NFC, no zero-width characters, no-break spaces as spaces."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text)).replace("\u00a0", " ")


def normalise(value: Any) -> Any:
    """:class:`Fields` for objects, clean text, :class:`Numeric` for text that spells a number."""
    if isinstance(value, dict):
        return Fields(
            ((clean_text(k) if isinstance(k, str) else k), normalise(v)) for k, v in value.items()
        )
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str) and not isinstance(value, Numeric):
        text = clean_text(value)
        return Numeric(text) if _NUMBER.fullmatch(text) else text
    return value


# ------------------------------------------------------------------- formats
def _from_xml(text: str) -> Any:
    return _xml_value(ET.fromstring(text.strip().encode("utf-8")))


def _xml_value(node: ET.Element) -> Any:
    kind = node.get("type")
    if node.get("nil") == "true":
        return None
    if kind == "array":
        return [_xml_value(child) for child in node]
    if kind == "object" or (len(node) and kind is None):
        return {(c.get("key") if c.tag == "entry" and c.get("key") is not None else c.tag):
                _xml_value(c) for c in node}  # fmt: skip
    body = node.text or ""
    if kind == "integer":
        return int(body)
    if kind == "float":
        return float(body)
    if kind == "boolean":
        return body.strip() == "true"
    return body


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row, honouring ``\\|`` escapes."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    cells, cell, i = [], [], 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            cell.append(c + line[i + 1])
            i += 2
            continue
        if c == "|":
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(c)
        i += 1
    if "".join(cell).strip():
        cells.append("".join(cell))
    return [_unescape(c.strip()) for c in cells]


def _unescape(cell: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), cell)


def _cell_value(cell: str) -> Any:
    try:
        return json.loads(cell)
    except ValueError:
        return cell


def _header(cell: str) -> str:
    value = _cell_value(cell)
    return value if isinstance(value, str) else cell


def _from_table(text: str) -> Any:
    lines = [line for line in text.strip().split("\n") if line.strip()]
    if len(lines) < 2 or set(lines[1].replace("|", " ").split()) != {"---"}:
        raise ValueError("a table needs a header row and a '| --- |' separator row")
    header = [_header(c) for c in _cells(lines[0])]
    rows = [_cells(line) for line in lines[2:]]
    if header == ["field", "value"]:
        return {_header(r[0]): _cell_value(r[1]) for r in rows}
    if header == ["result"]:
        return _cell_value(rows[0][0]) if rows else None
    if header == ["value"]:
        return [_cell_value(r[0]) for r in rows]
    return [
        {h: _cell_value(c) for h, c in zip(header, row, strict=False) if c != ""} for row in rows
    ]


def decode_result(content: str) -> Any:
    """The data a tool message carries, in whatever format it came; ``ValueError`` if none.

    >>> decode_result('{"orderId": "#W1", "total": "19.50"}')["total"] + 0.5
    20.0
    >>> decode_result('order_id: "#W1"\\ntotal: 19.5')
    {'order_id': '#W1', 'total': 19.5}
    """
    text = content.strip()
    try:
        if text.startswith("<"):
            data = _from_xml(text)
        elif text.startswith("| "):
            data = _from_table(text)
        else:
            try:
                data = json.loads(text)
            except ValueError:
                data = yaml.load(text, Loader=_Loader)
    except (ET.ParseError, yaml.YAMLError, IndexError, KeyError) as exc:
        raise ValueError(f"not JSON, YAML, XML or a table: {exc}") from exc
    return normalise(data)
