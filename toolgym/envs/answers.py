"""Answer checks beyond :func:`~toolgym.core.task.answer_contains`.

An answer that must name one option of several fails if it also names another ("A or B" is not
an answer), and a question the world cannot answer is passed by saying so without making a value
up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from toolgym.core.task import answer_contains

__all__ = ["answer_abstains", "answer_asserts", "answer_excludes"]

_NEGATION = r"(?:\b(?:not|never|no|nothing|nowhere|unable|cannot|neither|nor)\b|n't|n’t)"
_VERB = (
    r"\b(?:state|states|stated|say|says|said|mention|mentions|mentioned|list|lists|listed|give|"
    r"gives|given|provide|provides|provided|include|includes|included|specify|specifies|"
    r"specified|available|known|found|find|information|info|data|record|records|recorded|"
    r"documented|contain|contains|report|reports|reported|disclose|discloses|disclosed|appear|"
    r"appears|figure|number|answer|detail|details|mentioning|shown|show|shows)\b"
)
_ABSTAIN = re.compile(
    rf"{_NEGATION}[^.!?\n]{{0,80}}?{_VERB}|\b(?:unknown|unstated|unspecified|unavailable|"
    r"undisclosed|unlisted|unreported|not\s+available)\b",
    re.IGNORECASE,
)


def answer_abstains(answer: str | None) -> bool:
    """Whether the answer says the information is not known or not given.

    >>> answer_abstains("The encyclopedia doesn't state how many employees it has.")
    True
    >>> answer_abstains("Its head count is unknown.")
    True
    >>> answer_abstains("It has 1,200 employees.")
    False
    """
    return bool(answer) and _ABSTAIN.search(answer) is not None  # type: ignore[arg-type]


def answer_excludes(answer: str | None, terms: Iterable[str]) -> bool:
    """Whether the answer names none of ``terms`` (same matching as ``answer_contains``)."""
    return not any(answer_contains(answer, term) for term in terms)


def answer_asserts(answer: str | None, pattern: str) -> bool:
    """Whether the answer states a value in the shape of ``pattern`` (a case-blind regex).

    >>> answer_asserts("It has about 300 employees.", r"\\d[\\d,]*\\s+employees")
    True
    """
    return bool(answer) and re.search(pattern, answer, re.IGNORECASE) is not None  # type: ignore[arg-type]
