"""Answer checks beyond :func:`~toolgym.core.task.answer_contains`, and the wrong candidates
a reference answer declares.

An answer that must name one option of several fails if it also names another ("A or B" is not
an answer), and a question the world cannot answer is passed by saying so without making a value
up. :func:`wrong_candidates` is the one filter every env passes its distractors through, so none
is a value a correct reply may state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from toolgym.core.grading import mentions
from toolgym.core.task import answer_contains

__all__ = ["answer_abstains", "answer_asserts", "answer_excludes", "wrong_candidates"]

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


_ZERO = re.compile(r"-?0+(?:\.0+)?")


def wrong_candidates(
    candidates: Iterable[str], right: Iterable[str], said: str = ""
) -> tuple[str, ...]:
    """The wrong candidates a careless reply would state, each once: none empty or zero (too
    common to be a claim), equal to or contained in a right value, or stated in the request
    ``said`` (a correct reply may repeat what the user said).

    >>> wrong_candidates(["14:00", "09:30", "", "0", "10:00"], ["10:00"], "after 9:30 AM")
    ('14:00',)
    """
    right = tuple(right)
    out = []
    for term in dict.fromkeys(candidates):
        if not term or _ZERO.fullmatch(term) or mentions(said, term):
            continue
        if not any(mentions(value, term) for value in right):
            out.append(term)
    return tuple(out)
