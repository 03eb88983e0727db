"""Identifier casing both sides need: faults write camelCase keys and names, agents read them.

>>> camel("order_id"), snake("orderId")
('orderId', 'order_id')
"""

from __future__ import annotations

import re

__all__ = ["camel", "snake"]

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
