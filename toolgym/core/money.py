"""Money as text, in one place: every env, toolkit and checker writes amounts the same way.

Amounts are integer cents everywhere (no float drift); these functions are the only places
they become text.

>>> figure(-4520), figure(123450), usd(123450), usd(-4520), usd(25000, whole=True)
('-45.20', '1234.50', '$1,234.50', '-$45.20', '$250')
"""

from __future__ import annotations

__all__ = ["figure", "usd"]


def figure(cents: int) -> str:
    """The plain two-decimal figure a prompt asks for and a checker expects: ``-45.20``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def usd(cents: int, *, whole: bool = False) -> str:
    """An amount as a statement or a web page shows it: ``$1,234.50``, ``-$45.20``; with
    ``whole``, whole dollars as a person writes them (``$250``)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    if whole and cents % 100 == 0:
        return f"{sign}${cents // 100:,}"
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"
