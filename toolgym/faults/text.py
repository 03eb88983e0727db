"""Text helpers the prompt, tool and response faults share: casing, protected spans, sentences.

Prompt faults must leave a task's literals (ids, emails, exact values) verbatim;
:func:`protect` swaps them for private-use placeholders that no rewrite touches, and the
returned function puts them back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = [
    "camel",
    "is_protected",
    "lower_first",
    "protect",
    "sentences",
    "snake",
    "upper_first",
]

_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def camel(name: str) -> str:
    """``order_id`` -> ``orderId``; names that would not come back unchanged stay as they are.

    >>> camel("price_from"), camel("line_1"), camel("id")
    ('priceFrom', 'line_1', 'id')
    """
    parts = name.split("_")
    if len(parts) < 2 or not all(p and p[0].isalpha() and p.islower() for p in parts):
        return name
    return parts[0] + "".join(p[0].upper() + p[1:] for p in parts[1:])


def snake(name: str) -> str:
    """``orderId`` -> ``order_id`` (the inverse of :func:`camel`).

    >>> snake("nextPageToken"), snake("C-10001")
    ('next_page_token', 'C-10001')
    """
    if not name[:1].islower() or not name.isalnum():
        return name
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower the first letter unless the first word is an acronym or a name like ``ZIP``."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def protect(text: str, terms: Iterable[str]) -> tuple[str, Callable[[str], str]]:
    """Replace each of ``terms`` in ``text`` with a placeholder; returns the masked text and the
    function that restores them. Longer terms win where terms overlap.

    >>> masked, restore = protect("Cancel order #W12, thanks.", ["#W12"])
    >>> restore(masked.upper())
    'CANCEL ORDER #W12, THANKS.'
    """
    spans = sorted({t for t in terms if t and t in text}, key=lambda t: (-len(t), t))
    found: list[str] = []
    for term in spans:
        if term in text:
            text = text.replace(term, f"{_OPEN}{len(found)}{_CLOSE}")
            found.append(term)

    def restore(masked: str) -> str:
        return _PLACEHOLDER.sub(lambda m: found[int(m.group(1))], masked)

    return text, restore


def is_protected(token: str) -> bool:
    return _OPEN in token


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def sentences(text: str) -> list[str]:
    """``text`` split after ``.``, ``!`` or ``?`` followed by white space."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]
