"""Text helpers the prompt, tool and response faults share: casing, protected spans, sentences.

Prompt faults must leave a task's literals (ids, emails, exact values) verbatim;
:func:`protect` swaps them for private-use placeholders that no rewrite touches, and the
returned function puts them back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from toolgym.core.casing import camel, snake

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
