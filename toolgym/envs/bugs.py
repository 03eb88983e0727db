"""The catalogue the Codebase env builds projects from: functions, their tests, and bugs.

Each :class:`Function` is real, tested library code (a template: ``$name`` placeholders are
filled per project) with visible tests that pass whether or not its bug is planted, and a
seeded generator of *hidden inputs* for every function it defines: the calls on which a fix is
judged against the correct code (edge cases the bug is about included), which no agent sees.
Its :class:`Bug` turns one exact fragment of the source into a plausible mistake of one of
eight kinds, and brings a test that catches it (shipped as the failing test of easy tasks), how
a user would report it (naming the function, ``issue``, or only describing what goes wrong,
``symptom``), and the ``reproduction`` an engineer would write from that report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["BUG_KINDS", "CATALOGUE", "MODULE_DOCS", "Bug", "Call", "Function", "Inputs"]

BUG_KINDS = (
    "off_by_one",
    "wrong_operator",
    "wrong_default",
    "swapped_arguments",
    "missing_none_check",
    "wrong_exception",
    "stale_variable",
    "wrong_key",
)

Call = tuple[list[Any], dict[str, Any]]
"""Positional and keyword arguments of one call, as JSON (``{"$builtin": "abs"}`` for a
builtin function)."""

Inputs = Callable[[np.random.Generator, Mapping[str, Any]], dict[str, list[Call]]]
"""Hidden inputs: (generator, the project's constants) -> calls per function name."""

CENTS = 0.01 * (1 + 1e-6)
"""Tolerance for results rounded to the cent: a correct fix that multiplies in another order
may round a half-cent tie the other way."""


@dataclass(frozen=True)
class Bug:
    """A mistake planted by replacing ``correct`` with ``buggy`` in the function's module."""

    kind: str
    correct: str
    buggy: str
    test: str
    issue: str
    symptom: str
    reproduction: str


@dataclass(frozen=True)
class Function:
    """Module-level code for one function (with its helpers), its visible tests, its bug,
    and the hidden inputs of every function it defines (``tolerance`` for float results)."""

    name: str
    module: str
    source: str
    visible: str
    bug: Bug
    inputs: Inputs
    tolerance: float = 1e-9


MODULE_DOCS = {
    "pricing": "Prices, discounts, taxes and growth figures.",
    "inventory": "Stock records: totals, lookups, parsing and ratings.",
    "text": "Cleaning and formatting text for display.",
    "utils": "Small helpers shared by the rest of the package.",
}


# Hidden inputs. Each generator covers every function its catalogue entry defines, with the
# edge its bug is about always drawn (with random companions, so no visible test's literal
# call gives it away) and the ordinary cases around it, so a fix must keep both.


def _money(rng: np.random.Generator, low: float = 1.0, high: float = 500.0) -> float:
    return round(float(rng.uniform(low, high)), 2)


def _int(rng: np.random.Generator, low: int, high: int) -> int:
    """An integer in [low, high]."""
    return int(rng.integers(low, high + 1))


def _word(rng: np.random.Generator, words: tuple[str, ...]) -> str:
    return words[int(rng.integers(len(words)))]


_WORDS = ("summer", "sale", "garden", "tools", "winter", "coats", "kitchen", "deals")
_FIRST = ("ada", "grace", "alan", "edsger", "barbara", "donald", "frances", "ken")
_LAST = ("lovelace", "hopper", "turing", "dijkstra", "liskov", "knuth", "allen", "thompson")


def _apply_discount_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = [
        ([_money(rng), round(float(rng.uniform(0.05, 0.95)), 2)], {}) for _ in range(5)
    ]
    calls += [([_money(rng), 0], {}), ([_money(rng), 1], {}), ([_money(rng), 0.5], {})]
    calls += [([_money(rng), 1.5], {}), ([_money(rng), -0.1], {})]
    return {"apply_discount": calls}


def _add_tax_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = [([_money(rng, 10.0)], {}) for _ in range(5)]
    calls += [([_money(rng), round(float(rng.uniform(0, 0.3)), 2)], {}) for _ in range(3)]
    calls += [([0.0], {}), ([_money(rng)], {"rate": 0.0})]
    return {"add_tax": calls}


def _growth_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    changes: list[Call] = [([_int(rng, 1, 500), _int(rng, 0, 500)], {}) for _ in range(4)]
    changes += [([0, _int(rng, 1, 50)], {}), ([_int(rng, -100, -1), _int(rng, 1, 100)], {})]
    reports: list[Call] = []
    for _ in range(5):
        previous = _int(rng, 1, 400)
        reports.append(
            ([previous, previous + _int(rng, 1, 200) * (1 if rng.random() < 0.5 else -1)], {})
        )
    same = _int(rng, 1, 400)
    reports += [([same, same], {}), ([0, _int(rng, 1, 50)], {})]
    return {"percent_change": changes, "growth_report": reports}


def _bulk_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    low = int(k["bulk_min"])
    quantities = [low, low, low - 1, low + 1, 1, _int(rng, 1, 3 * low), _int(rng, low, 4 * low)]
    return {"bulk_price": [([_money(rng, 0.5, 50.0), q], {}) for q in quantities]}


def _records(rng: np.random.Generator, count: int) -> list[dict[str, Any]]:
    letters = "ABCDEFGHJK"
    skus = [f"{letters[i]}-{_int(rng, 1, 99)}" for i in rng.permutation(len(letters))[:count]]
    out = []
    for sku in skus:
        quantity = _int(rng, 1, 60)
        out.append({"sku": sku, "quantity": quantity, "reserved": _int(rng, 0, quantity - 1)})
    return out


def _total_stock_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = [([_records(rng, _int(rng, 1, 5))], {}) for _ in range(5)]
    return {"total_stock": [*calls, ([[]], {})]}


def _stock_of_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    finds: list[Call] = []
    stocks: list[Call] = []
    for _ in range(4):
        records = _records(rng, _int(rng, 1, 4))
        known = records[int(rng.integers(len(records)))]["sku"]
        unknown = f"Z-{_int(rng, 100, 999)}"
        finds += [([records, known], {}), ([records, unknown], {})]
        stocks += [([records, known], {}), ([records, unknown], {})]
    stocks.append(([[], f"A-{_int(rng, 1, 99)}"], {}))
    return {"find_item": finds, "stock_of": stocks}


_NOT_QUANTITIES = ("a dozen", "", "   ", "twelve", "x12", "-3", "12.5", "many units", "?", "1e3")


def _parse_quantity_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    good = [
        f"{_int(rng, 0, 999)}",
        f"{_int(rng, 1, 99)} units",
        f"  {_int(rng, 1, 99)} ",
        f"{_int(rng, 1, 500)} boxes",
    ]
    bad = [_NOT_QUANTITIES[int(i)] for i in rng.permutation(len(_NOT_QUANTITIES))[:4]]
    bad.append(_word(rng, _WORDS) + " " + str(_int(rng, 1, 9)))
    return {"parse_quantity": [([text], {}) for text in good + bad]}


def _ratings_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = []
    for _ in range(4):
        ratings: list[int | None] = [_int(rng, 1, 5) for _ in range(_int(rng, 1, 5))]
        for _ in range(_int(rng, 1, 3)):
            ratings.insert(int(rng.integers(len(ratings) + 1)), None)
        calls.append(([ratings], {}))
    calls += [([[_int(rng, 1, 5) for _ in range(3)]], {}), ([[None, None]], {}), ([[]], {})]
    return {"average_rating": calls}


def _name(rng: np.random.Generator, messy: bool) -> str:
    first, last = _word(rng, _FIRST), _word(rng, _LAST)
    if rng.random() < 0.5:
        first = first.upper()
    if not messy:
        return f"{first} {last}"
    return " " * _int(rng, 0, 2) + first + " " * _int(rng, 2, 4) + last + " " * _int(rng, 1, 3)


def _names_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = [([[_name(rng, True)]], {})]
    calls += [([[_name(rng, rng.random() < 0.5) for _ in range(3)]], {}) for _ in range(3)]
    calls += [([[_name(rng, False)]], {}), ([[]], {})]
    return {"normalize_names": calls}


def _title(rng: np.random.Generator) -> str:
    words = [_word(rng, _WORDS).title() for _ in range(_int(rng, 2, 4))]
    marks = (": ", " - ", ", ", "! ", " & ", "  ")
    return "".join(
        w + (marks[int(rng.integers(len(marks)))] if i < len(words) - 1 else "!")
        for i, w in enumerate(words)
    )


def _slugify_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = [([_title(rng)], {}) for _ in range(4)]
    calls += [([_title(rng)], {"sep": "+"}), ([_title(rng), "_"], {}), ([_title(rng)], {"sep": ""})]
    return {"slugify": [*calls, (["!!"], {})]}


def _text(rng: np.random.Generator, length: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz "
    return "".join(letters[int(i)] for i in rng.integers(0, len(letters), size=length))


def _truncate_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = []
    for _ in range(3):
        text = _text(rng, _int(rng, 6, 30))
        calls += [([text, len(text)], {}), ([text, len(text) - 1], {})]
    text = _text(rng, _int(rng, 10, 30))
    calls += [([text, len(text) + _int(rng, 1, 5)], {}), ([text, _int(rng, 4, len(text) - 1)], {})]
    return {"truncate": calls}


def _chunk_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = []
    for _ in range(4):
        size = _int(rng, 1, 4)
        count = size * _int(rng, 0, 3) + 1  # the last chunk holds one element
        calls.append(([[_int(rng, 0, 99) for _ in range(count)], size], {}))
    size = _int(rng, 2, 4)
    calls.append(([[_int(rng, 0, 99) for _ in range(size * _int(rng, 1, 3))], size], {}))
    calls += [([[], _int(rng, 1, 4)], {}), ([[1, 2], 0], {})]
    return {"chunk": calls}


def _best_item_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = []
    for _ in range(4):
        items = [_int(rng, -9, 9) for _ in range(_int(rng, 3, 6))]
        items[int(rng.integers(len(items) - 1))] = _int(rng, 10, 30) * (
            1 if rng.random() < 0.5 else -1
        )
        calls.append(([items, {"$builtin": "abs"}], {}))
    words = [_word(rng, _WORDS) for _ in range(_int(rng, 3, 5))]
    words[int(rng.integers(len(words) - 1))] = "x" * 12
    calls += [([words, {"$builtin": "len"}], {}), ([[_int(rng, -5, 5)], {"$builtin": "abs"}], {})]
    calls += [([[2, -2, 1], {"$builtin": "abs"}], {}), ([[], {"$builtin": "len"}], {})]
    return {"best_item": calls}


def _safe_ratio_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    calls: list[Call] = [([_int(rng, -50, 50), _int(rng, 1, 20)], {}) for _ in range(4)]
    calls += [([_int(rng, 1, 50), 0], {}), ([_money(rng), 0], {}), ([0, _int(rng, 1, 9)], {})]
    return {"safe_ratio": calls}


def _scale_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    top = int(k["max_score"])
    clamps: list[Call] = []
    for _ in range(4):
        low = _int(rng, -20, 20)
        clamps.append(([_int(rng, -40, 60), low, low + _int(rng, 1, 30)], {}))
    raws = [
        top + _int(rng, 1, 3 * top),
        top + _int(rng, 1, 3 * top),
        -_int(rng, 1, 2 * top),
        _int(rng, 0, top),
        top,
        0,
        round(float(rng.uniform(0, top)), 2),
    ]
    return {"clamp": clamps, "scale_score": [([raw], {}) for raw in raws]}


def _page_size_inputs(rng: np.random.Generator, k: Mapping[str, Any]) -> dict[str, list[Call]]:
    size, pages = _int(rng, 1, 200), _int(rng, 1, 20)
    settings: list[dict[str, Any]] = [{}, {"max_pages": pages}, {"theme": "dark"}]
    settings += [{"page_size": size}, {"page_size": size, "max_pages": pages}]
    settings.append({"page_size": _int(rng, 1, 200)})
    return {"page_size": [([s], {}) for s in settings]}


CATALOGUE = (
    Function(
        "apply_discount",
        "pricing",
        '''
def apply_discount(price: float, rate: float) -> float:
    """The price after a fractional discount (0.25 takes 25% off), to the cent."""
    if not 0 <= rate <= 1:
        raise ValueError(f"discount rate must be between 0 and 1, got {rate}")
    return round(price * (1 - rate), 2)
''',
        """
def test_apply_discount_zero_rate_keeps_price():
    assert apply_discount(19.99, 0) == 19.99


def test_apply_discount_rejects_bad_rate():
    with pytest.raises(ValueError):
        apply_discount(10.0, 1.5)
""",
        Bug(
            "wrong_operator",
            "round(price * (1 - rate), 2)",
            "round(price * (1 + rate), 2)",
            """
def test_apply_discount_takes_the_rate_off():
    assert apply_discount(100.0, 0.25) == 75.0
    assert apply_discount(80.0, 0.5) == 40.0
""",
            "`apply_discount` in `$pkg/pricing.py` raises prices instead of lowering them: "
            "`apply_discount(100.0, 0.25)` returns 125.0, but it should return 75.0.",
            "Discounts make things more expensive: taking 25% off a 100.00 item gives 125.00 "
            "instead of 75.00.",
            "assert apply_discount(100.0, 0.25) == 75.0\n",
        ),
        _apply_discount_inputs,
        CENTS,
    ),
    Function(
        "add_tax",
        "pricing",
        '''
TAX_RATE = $tax


def add_tax(amount: float, rate: float = TAX_RATE) -> float:
    """The amount with sales tax added, to the cent; the standard rate is TAX_RATE."""
    return round(amount * (1 + rate), 2)
''',
        """
def test_add_tax_with_explicit_rate():
    assert add_tax(100.0, 0.1) == 110.0


def test_add_tax_on_nothing_is_nothing():
    assert add_tax(0.0) == 0.0
""",
        Bug(
            "wrong_default",
            "rate: float = TAX_RATE)",
            "rate: float = $bad_tax)",
            """
def test_add_tax_uses_the_standard_rate_by_default():
    assert add_tax(100.0) == $taxed
""",
            "`add_tax` in `$pkg/pricing.py` does not use the standard rate by default: "
            "`add_tax(100.0)` returns $bad_taxed but should return $taxed (TAX_RATE is $tax).",
            "When no rate is given, tax is computed at the wrong rate: 100.00 before tax becomes "
            "$bad_taxed, not $taxed (our standard rate is $tax_pct%).",
            "assert add_tax(100.0) == $taxed\n",
        ),
        _add_tax_inputs,
        CENTS,
    ),
    Function(
        "growth_report",
        "pricing",
        '''
def percent_change(old: float, new: float) -> float:
    """How much ``new`` differs from ``old``, in percent of ``old``."""
    if old == 0:
        raise ValueError("percent change from zero is undefined")
    return (new - old) / old * 100


def growth_report(previous: float, current: float) -> str:
    """Growth from the previous period to the current one, like '+12.5%'."""
    return f"{percent_change(previous, current):+.1f}%"
''',
        """
def test_percent_change():
    assert percent_change(50, 75) == 50.0


def test_growth_report_flat():
    assert growth_report(80, 80) == "+0.0%"
""",
        Bug(
            "swapped_arguments",
            "percent_change(previous, current)",
            "percent_change(current, previous)",
            """
def test_growth_report_direction():
    assert growth_report(100, 150) == "+50.0%"
    assert growth_report(200, 150) == "-25.0%"
""",
            "`growth_report(100, 150)` in `$pkg/pricing.py` returns '-33.3%', but going from "
            "100 to 150 is growth of '+50.0%'.",
            "The growth report is wrong: sales going from 100 to 150 are reported as -33.3% "
            "instead of +50.0%.",
            'assert growth_report(100, 150) == "+50.0%"\n',
        ),
        _growth_inputs,
    ),
    Function(
        "bulk_price",
        "pricing",
        '''
BULK_MINIMUM = $bulk_min
BULK_DISCOUNT = $bulk_rate


def bulk_price(unit_price: float, quantity: int) -> float:
    """Total for ``quantity`` units; BULK_MINIMUM units or more get BULK_DISCOUNT off."""
    total = unit_price * quantity
    if quantity >= BULK_MINIMUM:
        total *= 1 - BULK_DISCOUNT
    return round(total, 2)
''',
        """
def test_bulk_price_small_order():
    assert bulk_price(2.0, 1) == 2.0


def test_bulk_price_large_order():
    assert bulk_price(1.0, $bulk_big) == $bulk_big_total
""",
        Bug(
            "wrong_operator",
            "if quantity >= BULK_MINIMUM:",
            "if quantity > BULK_MINIMUM:",
            """
def test_bulk_price_at_the_minimum():
    assert bulk_price(1.0, $bulk_min) == $bulk_edge_total
""",
            "`bulk_price` in `$pkg/pricing.py` gives no bulk discount for exactly $bulk_min "
            "units: `bulk_price(1.0, $bulk_min)` returns $bulk_min_plain but should return "
            "$bulk_edge_total.",
            "An order of exactly $bulk_min units (our bulk minimum) is charged full price; the "
            "bulk discount only starts at $bulk_min_next units.",
            "full = round(BULK_MINIMUM * (1 - BULK_DISCOUNT), 2)\n"
            "assert bulk_price(1.0, BULK_MINIMUM) == full\n",
        ),
        _bulk_inputs,
        CENTS,
    ),
    Function(
        "total_stock",
        "inventory",
        '''
def total_stock(records: list[dict]) -> int:
    """Units on hand over all records (each has 'sku', 'quantity' and 'reserved')."""
    return sum(record["quantity"] for record in records)
''',
        """
def test_total_stock_of_nothing():
    assert total_stock([]) == 0
""",
        Bug(
            "wrong_key",
            'sum(record["quantity"] for record in records)',
            'sum(record["reserved"] for record in records)',
            """
def test_total_stock_adds_quantities():
    records = [
        {"sku": "A-1", "quantity": 5, "reserved": 2},
        {"sku": "B-2", "quantity": 7, "reserved": 0},
    ]
    assert total_stock(records) == 12
""",
            "`total_stock` in `$pkg/inventory.py` returns 2 for two records with quantities 5 "
            "and 7 (2 and 0 reserved); it should return 12, the units on hand.",
            "The total stock figure is wrong: for records holding 5 and 7 units (2 and 0 of "
            "them reserved) it reports 2 instead of 12.",
            'first = {"sku": "A", "quantity": 5, "reserved": 2}\n'
            'second = {"sku": "B", "quantity": 7, "reserved": 0}\n'
            "assert total_stock([first, second]) == 12\n",
        ),
        _total_stock_inputs,
    ),
    Function(
        "stock_of",
        "inventory",
        '''
def find_item(records: list[dict], sku: str) -> dict | None:
    """The record with this SKU, or None."""
    for record in records:
        if record["sku"] == sku:
            return record
    return None


def stock_of(records: list[dict], sku: str) -> int:
    """Units on hand of one SKU; 0 when the SKU is unknown."""
    item = find_item(records, sku)
    if item is None:
        return 0
    return item["quantity"]
''',
        """
def test_stock_of_known_sku():
    assert stock_of([{"sku": "A-1", "quantity": 3, "reserved": 0}], "A-1") == 3
""",
        Bug(
            "missing_none_check",
            "    item = find_item(records, sku)\n    if item is None:\n        return 0\n",
            "    item = find_item(records, sku)\n",
            """
def test_stock_of_unknown_sku_is_zero():
    assert stock_of([{"sku": "A-1", "quantity": 3, "reserved": 0}], "Z-9") == 0
    assert stock_of([], "A-1") == 0
""",
            "`stock_of` in `$pkg/inventory.py` crashes with TypeError for an unknown SKU; it "
            "should return 0.",
            "Asking for the stock of a SKU we don't carry crashes with \"TypeError: 'NoneType' "
            'object is not subscriptable" instead of answering 0.',
            'assert stock_of([{"sku": "A-1", "quantity": 3, "reserved": 0}], "Z-9") == 0\n',
        ),
        _stock_of_inputs,
    ),
    Function(
        "parse_quantity",
        "inventory",
        '''
def parse_quantity(text: str) -> int:
    """'12' or '12 units' as 12; anything else raises ValueError."""
    words = text.split()
    if not words or not words[0].isdigit():
        raise ValueError(f"invalid quantity: {text!r}")
    return int(words[0])
''',
        """
def test_parse_quantity():
    assert parse_quantity("12 units") == 12
    assert parse_quantity(" 7 ") == 7
""",
        Bug(
            "wrong_exception",
            'raise ValueError(f"invalid quantity',
            'raise TypeError(f"invalid quantity',
            """
def test_parse_quantity_rejects_words_with_value_error():
    with pytest.raises(ValueError):
        parse_quantity("a dozen")
    with pytest.raises(ValueError):
        parse_quantity("")
""",
            "`parse_quantity('a dozen')` in `$pkg/inventory.py` raises TypeError, but it is "
            "documented (and relied on) to raise ValueError for invalid input.",
            "Invalid quantities such as 'a dozen' raise TypeError, so callers that handle "
            "ValueError crash; invalid input must raise ValueError.",
            "try:\n    parse_quantity('a dozen')\nexcept ValueError:\n    pass\nelse:\n"
            "    raise AssertionError('a dozen was accepted')\n",
        ),
        _parse_quantity_inputs,
    ),
    Function(
        "average_rating",
        "inventory",
        '''
def average_rating(ratings: list[int | None]) -> float | None:
    """Mean of the ratings, skipping None (not rated), to 2 places; None if none are given."""
    given = [r for r in ratings if r is not None]
    if not given:
        return None
    return round(sum(given) / len(given), 2)
''',
        """
def test_average_rating():
    assert average_rating([4, 5]) == 4.5


def test_average_rating_of_nothing():
    assert average_rating([]) is None
""",
        Bug(
            "missing_none_check",
            "given = [r for r in ratings if r is not None]",
            "given = [r for r in ratings]",
            """
def test_average_rating_skips_unrated():
    assert average_rating([4, None, 2]) == 3.0
    assert average_rating([None]) is None
""",
            "`average_rating([4, None, 2])` in `$pkg/inventory.py` raises TypeError; None "
            "means 'not rated' and must be skipped (expected 3.0).",
            "Ratings that include unrated entries (None) make the average crash with TypeError "
            "instead of skipping them: [4, None, 2] should average 3.0.",
            "assert average_rating([4, None, 2]) == 3.0\n",
        ),
        _ratings_inputs,
        CENTS,
    ),
    Function(
        "normalize_names",
        "text",
        '''
def normalize_names(names: list[str]) -> list[str]:
    """Names with runs of whitespace collapsed and each word capitalised."""
    result = []
    for name in names:
        cleaned = " ".join(name.split())
        result.append(cleaned.title())
    return result
''',
        """
def test_normalize_names():
    assert normalize_names(["ada lovelace"]) == ["Ada Lovelace"]
""",
        Bug(
            "stale_variable",
            "result.append(cleaned.title())",
            "result.append(name.title())",
            """
def test_normalize_names_collapses_whitespace():
    assert normalize_names(["  grace   hopper "]) == ["Grace Hopper"]
""",
            "`normalize_names` in `$pkg/text.py` does not collapse whitespace: "
            "`normalize_names(['  grace   hopper '])` returns ['  Grace   Hopper '] instead of "
            "['Grace Hopper'].",
            "Name clean-up leaves the extra spaces in: '  grace   hopper ' comes out as "
            "'  Grace   Hopper ' instead of 'Grace Hopper'.",
            "assert normalize_names(['  grace   hopper ']) == ['Grace Hopper']\n",
        ),
        _names_inputs,
    ),
    Function(
        "slugify",
        "text",
        '''
def slugify(title: str, sep: str = "-") -> str:
    """A URL slug: lowercase words joined by ``sep`` (a hyphen by default)."""
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return sep.join(words)
''',
        """
def test_slugify_with_separator():
    assert slugify("Hello, World!", sep="+") == "hello+world"
""",
        Bug(
            "wrong_default",
            'sep: str = "-"',
            'sep: str = "_"',
            """
def test_slugify_uses_hyphens_by_default():
    assert slugify("Hello, World!") == "hello-world"
""",
            "`slugify('Hello, World!')` in `$pkg/text.py` returns 'hello_world'; by default "
            "words must be joined with a hyphen ('hello-world').",
            "Default URL slugs come out with underscores ('hello_world') instead of hyphens "
            "('hello-world').",
            "assert slugify('Hello World') == 'hello-world'\n",
        ),
        _slugify_inputs,
    ),
    Function(
        "truncate",
        "text",
        '''
def truncate(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` characters, else cut to ``width`` ending in '...'."""
    if len(text) <= width:
        return text
    return text[: width - 3] + "..."
''',
        """
def test_truncate_short_text():
    assert truncate("hi", 10) == "hi"


def test_truncate_long_text():
    assert truncate("abcdefghij", 6) == "abc..."
""",
        Bug(
            "off_by_one",
            "if len(text) <= width:",
            "if len(text) < width:",
            """
def test_truncate_keeps_text_that_fits_exactly():
    assert truncate("abcde", 5) == "abcde"
""",
            "`truncate('abcde', 5)` in `$pkg/text.py` returns 'ab...' although the text fits "
            "in exactly 5 characters.",
            "Text that fits the width exactly is still shortened: 'abcde' with a width of 5 "
            "becomes 'ab...'.",
            "assert truncate('abcde', 5) == 'abcde'\n",
        ),
        _truncate_inputs,
    ),
    Function(
        "chunk",
        "utils",
        '''
def chunk(items: list, size: int) -> list[list]:
    """``items`` split into consecutive lists of ``size`` (the last may be shorter)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    return [items[i : i + size] for i in range(0, len(items), size)]
''',
        """
def test_chunk_even():
    assert chunk([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]


def test_chunk_empty():
    assert chunk([], 3) == []
""",
        Bug(
            "off_by_one",
            "range(0, len(items), size)",
            "range(0, len(items) - 1, size)",
            """
def test_chunk_keeps_the_last_element():
    assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert chunk([1], 1) == [[1]]
""",
            "`chunk([1, 2, 3, 4, 5], 2)` in `$pkg/utils.py` drops the last element: it returns "
            "[[1, 2], [3, 4]] instead of [[1, 2], [3, 4], [5]].",
            "Splitting a list into chunks sometimes loses the final element: [1, 2, 3, 4, 5] in "
            "chunks of 2 gives [[1, 2], [3, 4]].",
            "assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]\n",
        ),
        _chunk_inputs,
    ),
    Function(
        "best_item",
        "utils",
        '''
def best_item(items: list, score) -> object:
    """The item with the highest ``score(item)`` (the first on ties); None if empty."""
    best, best_score = None, None
    for item in items:
        value = score(item)
        if best_score is None or value > best_score:
            best, best_score = item, value
    return best
''',
        """
def test_best_item_single():
    assert best_item([7], abs) == 7


def test_best_item_empty():
    assert best_item([], abs) is None
""",
        Bug(
            "stale_variable",
            "best, best_score = item, value",
            "best = item",
            """
def test_best_item_picks_the_highest_score():
    assert best_item([3, -9, 2], abs) == -9
    assert best_item(["bb", "a", "ccc", "dd"], len) == "ccc"
""",
            "`best_item([3, -9, 2], abs)` in `$pkg/utils.py` returns 2 instead of -9: it returns "
            "the last item, not the best one.",
            "Picking the best item by a score returns the last item instead: scored by absolute "
            "value, [3, -9, 2] gives 2 rather than -9.",
            "assert best_item([3, -9, 2], abs) == -9\n",
        ),
        _best_item_inputs,
    ),
    Function(
        "safe_ratio",
        "utils",
        '''
def safe_ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or 0.0 when the denominator is zero."""
    try:
        return numerator / denominator
    except ZeroDivisionError:
        return 0.0
''',
        """
def test_safe_ratio():
    assert safe_ratio(3, 4) == 0.75
""",
        Bug(
            "wrong_exception",
            "except ZeroDivisionError:",
            "except ValueError:",
            """
def test_safe_ratio_of_zero_denominator():
    assert safe_ratio(5, 0) == 0.0
""",
            "`safe_ratio(5, 0)` in `$pkg/utils.py` raises ZeroDivisionError; it should return "
            "0.0 when the denominator is zero.",
            "Ratios with a zero denominator crash with ZeroDivisionError instead of giving 0.0.",
            "assert safe_ratio(5, 0) == 0.0\n",
        ),
        _safe_ratio_inputs,
    ),
    Function(
        "scale_score",
        "utils",
        '''
MAX_SCORE = $max_score


def clamp(value: float, low: float, high: float) -> float:
    """``value`` limited to the range [low, high]."""
    return max(low, min(value, high))


def scale_score(raw: float) -> float:
    """A raw score limited to 0..MAX_SCORE."""
    return clamp(raw, 0, MAX_SCORE)
''',
        """
def test_clamp():
    assert clamp(5, 0, 3) == 3


def test_scale_score_in_range():
    assert scale_score($half_score) == $half_score
""",
        Bug(
            "swapped_arguments",
            "clamp(raw, 0, MAX_SCORE)",
            "clamp(0, raw, MAX_SCORE)",
            """
def test_scale_score_caps_high_scores():
    assert scale_score($over_score) == $max_score
    assert scale_score(-1) == 0
""",
            "`scale_score($over_score)` in `$pkg/utils.py` returns $over_score; scores must be "
            "limited to the range 0..$max_score.",
            "Scores above the maximum are not capped: a raw score of $over_score stays "
            "$over_score instead of becoming $max_score.",
            "assert scale_score($over_score) == $max_score\n",
        ),
        _scale_inputs,
    ),
    Function(
        "page_size",
        "utils",
        '''
DEFAULTS = {"page_size": $page_size, "max_pages": $max_pages}


def page_size(settings: dict) -> int:
    """The configured page size, or the default one."""
    return settings.get("page_size", DEFAULTS["page_size"])
''',
        """
def test_page_size_from_settings():
    assert page_size({"page_size": 50}) == 50
""",
        Bug(
            "wrong_key",
            'DEFAULTS["page_size"])',
            'DEFAULTS["max_pages"])',
            """
def test_page_size_default():
    assert page_size({}) == $page_size
""",
            "`page_size({})` in `$pkg/utils.py` returns $max_pages; without a setting it must "
            "fall back to the default page size, $page_size.",
            "Without a page_size setting we get pages of $max_pages items instead of the "
            "default $page_size.",
            "assert page_size({}) == $page_size\n",
        ),
        _page_size_inputs,
    ),
)
