"""Rewordings of a correct answer that a careful grader must still accept.

A checker that pays only for one phrasing teaches an agent to imitate the reference instead of
answering; :func:`rephrasings` draws equivalent writings of a reply (amounts with or without a
currency sign and thousands separators, small counts in words, days and times as a person
writes them, a friendly preamble and sign-off, other letter case), for a property test that
every family's right answer passes however it is phrased.

>>> from hypothesis import given, settings
>>> from toolgym.core.grading import judge
>>> @settings(max_examples=20)
... @given(rephrasings("Order #W1234567 ships on 2026-03-04; $1234.50 was charged for 3 items."))
... def test_still_right(text):
...     checks, _ = judge(text, ["2026-03-04", "1234.50", "3"])
...     assert checks["answer"], text
>>> test_still_right()
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from hypothesis import strategies as st

from toolgym.core.grading import UNIT_WORDS

__all__ = ["rephrasings", "reword"]

_MONTHS = tuple(calendar.month_name)[1:]
_WEEKDAYS = tuple(calendar.day_name)
_SMALL = (*UNIT_WORDS, "twenty")
_OPENERS = ("", "Sure! ", "Thanks for waiting. ", "I checked for you. ", "Good news: ")
_CLOSERS = ("", " Let me know if there is anything else.", " Have a great day!")

_ISO_DAY = re.compile(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::\d{2})?)?(?![\w-])")
_CLOCK = re.compile(r"(?<![\w:.-])([01]\d|2[0-3]):([0-5]\d)(?![\w:])")
_MONEY = re.compile(r"(?<![\w.,#/-])\$?(\d+)\.(\d{2})(?![\w.]|\d)")
_COUNT = re.compile(r"(?<![\w.:#/$,-])(\d{1,2})(?=\s[a-z])")


def _day(match: re.Match[str], style: int) -> str:
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    try:
        weekday = _WEEKDAYS[date(year, month, day).weekday()]
    except ValueError:
        return match[0]
    name = _MONTHS[month - 1]
    text = (
        f"{name} {day}, {year}",
        f"{day} {name} {year}",
        f"{weekday}, {name} {day}",
        f"{month:02d}/{day:02d}/{year}",
        match[0][:10],
    )[style % 5]
    if match[4] is not None:
        text += " at " + _twelve_hour(int(match[4]), int(match[5]))
    return text


def _twelve_hour(hour: int, minute: int) -> str:
    suffix = "AM" if hour < 12 else "PM"
    return f"{hour % 12 or 12}:{minute:02d} {suffix}"


def _money(match: re.Match[str], style: int) -> str:
    whole, cents = int(match[1]), match[2]
    return (
        f"${whole:,}.{cents}",
        f"{whole}.{cents}",
        f"{whole:,}.{cents} dollars",
        f"USD {whole:,}.{cents}",
    )[style % 4]


def reword(text: str, style: int) -> str:
    """``text`` written in the ``style``-th way (any int; the same style, the same text)."""
    if style % 4 == 2:
        text = _COUNT.sub(lambda m: _SMALL[int(m[1])] if int(m[1]) <= 20 else m[1], text)
    text = _ISO_DAY.sub(lambda m: _day(m, style), text)
    if style % 3 == 1:
        text = _CLOCK.sub(lambda m: _twelve_hour(int(m[1]), int(m[2])), text)
    text = _MONEY.sub(lambda m: _money(m, style // 3), text)
    text = _OPENERS[style % len(_OPENERS)] + text + _CLOSERS[style % len(_CLOSERS)]
    if style % 7 == 3:
        text = text.upper()
    elif style % 7 == 5:
        text = text.lower()
    return text


def rephrasings(text: str) -> st.SearchStrategy[str]:
    """Equivalent writings of ``text`` (see the module docstring); shrinks to ``text``."""
    return st.integers(0, 419).map(lambda style: reword(text, style))
