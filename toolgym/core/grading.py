"""Judging a final answer as a careful grader would.

A grader reads *values*: "$1,234.50", "1234.5" and "one thousand two hundred thirty-four
dollars and fifty cents" are one amount; "March 4", "4 March 2026" and "2026-03-04" one day;
"2:30 PM" and "14:30" one time; ids such as ``#W1234567`` or ``AC-300001`` are not numbers at
all. An answer is right when it states every expected value, states none of the wrong
candidates the world holds (other orders' statuses, other meetings' times, ...), and does not
hedge by carrying many values of its own: a list of every integer, every hour or every status
is not an answer, however many right values it contains.

>>> judge("It comes to $1,234.50.", ["1234.5"])[0]
{'answer': True, 'no_wrong_values': True}
>>> judge("Either pending or shipped.", ["shipped"], ["pending"])[0]
{'answer': True, 'no_wrong_values': False}
>>> judge("It has shipped, not delivered yet.", ["shipped"], ["delivered"])[0]
{'answer': True, 'no_wrong_values': True}
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "MAX_OTHER_VALUES",
    "MAX_RAW_FIELDS",
    "UNIT_WORDS",
    "Values",
    "judge",
    "literal",
    "mentions",
    "normalise",
    "values_in",
]

MAX_OTHER_VALUES = 8
"""How many distinct values an answer may state beyond those the task expects, the request
said and the reference answer states (amounts per order, a count, a date): enough for a
thorough reply, far too few for a list of guesses or a dump of raw results."""

MAX_RAW_FIELDS = 4
"""A reply with this many ``"field":`` pairs is pasted data (a tool's JSON), not an answer."""
_RAW_FIELD = re.compile(r'"[A-Za-z_][\w -]{0,40}"\s*:')

_FOLD = str.maketrans(
    {
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
    }
)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def literal(value: str) -> re.Pattern[str]:
    """``value`` as a whole token: "4" is stated in "4 readings", not in "sensor S4" or
    "24.5"."""
    return re.compile(rf"(?<!\w)(?<!\d[.,]){re.escape(value)}(?!\w)(?![.,]\d)")


def normalise(text: str) -> str:
    """Text as a grader compares it: NFKC, no invisible characters, plain dashes, quotes and
    spaces, case-folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).translate(_FOLD)
    return _SPACE.sub(" ", text.casefold()).strip()


# ------------------------------------------------------------------------ values
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ISO = re.compile(
    r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?"
    r"(?:z|[+-]\d{2}:?\d{2})?)?(?![\w-])"
)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?![a-z])(?:,?\s+(\d{{4}})\b)?"
)
_SLASHED = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\w/])")
_MERIDIEM = r"(a\.?m\.?|p\.?m\.?)(?![a-z])"
_CLOCK = re.compile(rf"(?<![\w:.])(\d{{1,2}}):(\d{{2}})(?::\d{{2}})?(?![\d:])\s*(?:{_MERIDIEM})?")
_HOUR = re.compile(rf"(?<![\w:.])(\d{{1,2}})\s*{_MERIDIEM}")
_NAMED_TIME = re.compile(r"\b(noon|midday|midnight)\b")
_NUMBER = re.compile(
    r"(?<![\w.#/\\-])(?:-\s?)?(?!0\d)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w/\\-]|\.\d|,\d{3})"
    r"(?:\s*(thousand|million|billion)\b)?"
)
_UNIT_TEXT = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
UNIT_WORDS = tuple(_UNIT_TEXT.split())
"""The number words below twenty, by value (``UNIT_WORDS[3] == "three"``)."""
_TENS_TEXT = "twenty thirty forty fifty sixty seventy eighty ninety"
TENS_WORDS = tuple(_TENS_TEXT.split())
_UNITS = {word: value for value, word in enumerate(UNIT_WORDS)}
_TENS = {word: 10 * (k + 2) for k, word in enumerate(TENS_WORDS)}
_WORD_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, *_WORD_SCALES], key=len, reverse=True))
_WORDS = re.compile(rf"\b(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*\b")


@dataclass(frozen=True)
class Values:
    """The values a text states: amounts and counts (absolute, as floats), days as
    ``(year or None, month, day)``, and times of day as ``(hour, minute)``. ``loose`` are
    the numbers said only as a lone "one" (counted as stated, not as a claim of their own)."""

    numbers: frozenset[float]
    dates: frozenset[tuple[int | None, int, int]]
    times: frozenset[tuple[int, int]]
    loose: frozenset[float] = frozenset()
    spots: tuple[tuple[float, int], ...] = ()
    """Each number where it is said: (value, offset in the normalised text)."""
    day_spots: tuple[tuple[tuple[int | None, int, int], int], ...] = ()
    time_spots: tuple[tuple[tuple[int, int], int], ...] = ()
    """Each day and time of day where it is said, likewise (so "not at 14:00" is no claim)."""

    def claims(self) -> set[tuple[object, ...]]:
        """Each distinct value once, a day by month and day whatever its year."""
        out: set[tuple[object, ...]] = {("n", v) for v in self.numbers - self.loose}
        out |= {("d", m, d) for _, m, d in self.dates}
        out |= {("t", h, m) for h, m in self.times}
        return out


def _blank(text: str, match: re.Match[str]) -> str:
    start, end = match.span()
    return text[:start] + " " * (end - start) + text[end:]


def _words_value(phrase: str) -> int | None:
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s-]+", phrase):
        if word == "and":
            continue
        seen = True
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _WORD_SCALES[word]
            current = 0
    return total + current if seen else None


def _valid_date(year: int | None, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31 and (year is None or 1000 <= year <= 2999)


def _meridiem(hour: int, mark: str | None) -> int | None:
    if mark is None:
        return hour if 0 <= hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if mark.startswith("p") else 0)


@lru_cache(maxsize=1024)
def values_in(text: str) -> Values:
    """Every value ``text`` states (see :class:`Values`); ids and codes are not values."""
    text = normalise(text)
    numbers: set[float] = set()
    dates: set[tuple[int | None, int, int]] = set()
    times: set[tuple[int, int]] = set()
    loose: set[float] = set()
    spots: list[tuple[float, int]] = []
    day_spots: list[tuple[tuple[int | None, int, int], int]] = []
    time_spots: list[tuple[tuple[int, int], int]] = []
    for match in list(_ISO.finditer(text)):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        if _valid_date(year, month, day):
            dates.add((year, month, day))
            day_spots.append(((year, month, day), match.start()))
            if match[4] is not None and int(match[4]) <= 23 and int(match[5]) <= 59:
                times.add((int(match[4]), int(match[5])))
                time_spots.append(((int(match[4]), int(match[5])), match.start()))
            text = _blank(text, match)
    for pattern, order in ((_MONTH_DAY, (3, 1, 2)), (_DAY_MONTH, (3, 2, 1))):
        for match in list(pattern.finditer(text)):
            year_text, month_text, day_text = (match[i] for i in order)
            year = int(year_text) if year_text else None
            month, day = _MONTHS[month_text[:3]], int(day_text)
            if _valid_date(year, month, day):
                dates.add((year, month, day))
                day_spots.append(((year, month, day), match.start()))
                text = _blank(text, match)
    for match in list(_SLASHED.finditer(text)):
        month, day, year = int(match[1]), int(match[2]), int(match[3])
        if _valid_date(year, month, day):
            dates.add((year, month, day))
            day_spots.append(((year, month, day), match.start()))
            text = _blank(text, match)
    for match in list(_CLOCK.finditer(text)):
        hour, minute = _meridiem(int(match[1]), match[3]), int(match[2])
        if hour is not None and minute <= 59:
            times.add((hour, minute))
            time_spots.append(((hour, minute), match.start()))
            text = _blank(text, match)
    for match in list(_HOUR.finditer(text)):
        hour = _meridiem(int(match[1]), match[2])
        if hour is not None:
            times.add((hour, 0))
            time_spots.append(((hour, 0), match.start()))
            text = _blank(text, match)
    for match in _NAMED_TIME.finditer(text):
        named = (0, 0) if match[1] == "midnight" else (12, 0)
        times.add(named)
        time_spots.append((named, match.start()))
    for match in list(_NUMBER.finditer(text)):
        value = float(match[1].replace(",", "") + (match[2] or ""))
        if match[3]:
            value *= _WORD_SCALES[match[3]]
        numbers.add(value)
        spots.append((value, match.start()))
        text = _blank(text, match)
    for match in _WORDS.finditer(text):
        value = _words_value(match[0])
        if value is not None:
            numbers.add(float(value))
            spots.append((float(value), match.start()))
            if match[0] == "one":
                loose.add(1.0)
    loose -= {v for v in numbers if v != 1.0}
    return Values(
        frozenset(numbers),
        frozenset(dates),
        frozenset(times),
        frozenset(loose),
        tuple(spots),
        tuple(day_spots),
        tuple(time_spots),
    )


# ----------------------------------------------------------------------- mentions
_AMOUNT = re.compile(r"^[-+]?[$€£]?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?%?$")
_TERM_TIME = re.compile(rf"^(\d{{1,2}}):(\d{{2}})(?::\d{{2}})?\s*(?:{_MERIDIEM})?$")


def _term_number(term: str) -> float | None:
    match = _AMOUNT.match(term.strip())
    if match is None or re.match(r"^0\d", match[1]):  # "0052" is a code, not 52
        return None
    return float(match[1].replace(",", "") + (match[2] or ""))


def _same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


_QUALIFIER = re.compile(
    r"\b(?:not|never|no|nor|neither|than|unlike|instead|rather|versus|vs|isn't|aren't|wasn't|"
    r"weren't|hasn't|haven't|hadn't|doesn't|don't|didn't|won't|cannot|can't|yet to|from|"
    r"previously|formerly|before|will|would|once|until|soon)\b"
)


# For amounts, days and times only a denial or a contrast takes a value back: "it will be
# $40 or $55" and "before 14:00 or 15:00" still claim both values.
_DENIAL = re.compile(
    r"\b(?:not|never|no|nor|neither|than|unlike|instead|rather|versus|vs|isn't|aren't|wasn't|"
    r"weren't|hasn't|haven't|hadn't|doesn't|don't|didn't|won't|cannot|can't|from|previously|"
    r"formerly)\b"
)


_TURN = re.compile(r"\b(?:to|but|now|is|are)\b")


def _qualified(text: str, start: int, qualifier: re.Pattern[str] = _QUALIFIER) -> bool:
    """Whether the words just before ``start`` (same clause, up to four words) deny, contrast
    or date what follows: "not shipped", "older than B", "instead of pending", "raised from
    $500", "will be shipped": none of them claims the value is the answer now."""
    # Only the last four words of the clause matter: look at a bounded stretch before ``start``
    # (a wall of numbers must not make every mention cost the whole text).
    clause = re.split(r"[.;!?,\n]", text[max(0, start - 160) : start])[-1]
    window = " ".join(clause.split()[-4:])
    found = list(qualifier.finditer(window))
    if not found:
        return False
    # "from March 3 to March 5", "not 14:00 but 15:00": the value after the turn is claimed.
    return qualifier is _QUALIFIER or not _TURN.search(window, found[-1].end())


def _text_spans(text: str, term: str) -> list[int]:
    needle = normalise(term)
    if not needle:
        return []
    head = r"(?<!\w)" if needle[0].isalnum() or needle[0] == "_" else ""
    tail = r"(?!\w)" if needle[-1].isalnum() or needle[-1] == "_" else ""
    return [m.start() for m in re.finditer(head + re.escape(needle) + tail, text)]


def mentions(answer: str | None, term: str, *, asserted: bool = False) -> bool:
    """Whether ``answer`` states ``term``: an amount or count by value (in digits or words,
    with ``$`` and thousands separators or not), a day or a time in any common writing, and
    text as a whole word or phrase, whatever its case and spacing. With ``asserted``, a
    text mention that the clause denies or contrasts ("not B", "older than B") does not count.

    >>> mentions("You have three orders.", "3")
    True
    >>> mentions("Friday, March 6 at 2:30 PM", "2026-03-06T14:30")
    True
    >>> mentions("Order #W1234567", "1234567")
    False
    """
    if not answer:
        return False
    found = values_in(answer)
    number = _term_number(term)
    if number is not None:
        if asserted:
            return any(_same_number(v, number) for v in _claimed_in(answer).numbers)
        return any(_same_number(abs(v), number) for v in found.numbers)
    clock = _TERM_TIME.match(normalise(term))
    claimed = _claimed(answer, found) if asserted else found
    if clock is not None:
        hour = _meridiem(int(clock[1]), clock[3])
        return (hour, int(clock[2])) in claimed.times
    day = _ISO.fullmatch(normalise(term))
    if day is not None:
        wanted = values_in(term)
        days_ok = all(
            any(m == mm and d == dd and y in (None, yy) for y, m, d in claimed.dates)
            for yy, mm, dd in wanted.dates
        )
        return days_ok and wanted.times <= claimed.times
    text = normalise(answer)
    spans = _text_spans(text, term)
    if asserted:
        spans = [s for s in spans if not _qualified(text, s)]
    return bool(spans)


def _claimed(answer: str, found: Values) -> Values:
    """``found`` without the days and times the answer denies or contrasts ("not at 14:00",
    "moved from March 3"): what it states as the answer."""
    return _claimed_in(answer)


@lru_cache(maxsize=256)
def _claimed_in(answer: str) -> Values:
    found = values_in(answer)
    text = normalise(answer)
    return Values(
        frozenset(v for v, at in found.spots if not _qualified(text, at, _DENIAL)),
        frozenset(v for v, at in found.day_spots if not _qualified(text, at, _DENIAL)),
        frozenset(v for v, at in found.time_spots if not _qualified(text, at, _DENIAL)),
    )


def _same_term(a: str, b: str) -> bool:
    na, nb = _term_number(a), _term_number(b)
    if na is not None and nb is not None:
        return _same_number(na, nb)
    return normalise(a) == normalise(b)


def judge(
    answer: str | None,
    expect: Sequence[str],
    distractors: Iterable[str] = (),
    *,
    context: Iterable[str] = (),
    max_other_values: int = MAX_OTHER_VALUES,
) -> tuple[dict[str, bool], dict[str, str]]:
    """Named checks and notes for an answer that must state ``expect``.

    ``answer``: every expected term is stated. ``no_wrong_values``: no distractor is asserted
    (one equal to an expected term is not a distractor), the reply is not pasted JSON, and it
    states at most
    ``max_other_values`` distinct values beyond the expected ones and those of ``context``
    (the request, the reference answer): a careful reply may add a few, a hedge adds many.
    """
    notes: dict[str, str] = {}
    missing = [term for term in expect if not mentions(answer, term)]
    if missing:
        notes["answer"] = "missing from the answer: " + ", ".join(map(repr, missing))
    wrong = [
        d
        for d in dict.fromkeys(distractors)
        if d and not any(_same_term(d, e) for e in expect) and mentions(answer, d, asserted=True)
    ]
    allowed: set[tuple[object, ...]] = set()
    for text in (*expect, *context):
        allowed |= values_in(text).claims()
    others = values_in(answer or "").claims() - allowed
    problems = []
    fields = len(_RAW_FIELD.findall(answer or ""))
    if fields >= MAX_RAW_FIELDS:
        problems.append(f"reads as raw data ({fields} quoted fields), not as a reply")
    if wrong:
        problems.append("states wrong candidates: " + ", ".join(map(repr, wrong[:5])))
    if len(others) > max_other_values:
        problems.append(
            f"states {len(others)} other values (at most {max_other_values}): a list of "
            "candidates is not an answer"
        )
    if problems:
        notes["no_wrong_values"] = "; ".join(problems)
    checks = {"answer": not missing, "no_wrong_values": not problems}
    return checks, notes
