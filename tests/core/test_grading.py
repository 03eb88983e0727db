"""The answer grader: values read as a careful grader reads them; hedges and wrong candidates
rejected; correct answers in other words accepted."""

from __future__ import annotations

import doctest

import pytest

from toolgym.core import grading
from toolgym.core.grading import MAX_OTHER_VALUES, judge, mentions, values_in


def test_module_doctests() -> None:
    assert doctest.testmod(grading).failed == 0


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("Your refund is $1,234.50.", "1234.5"),
        ("It comes to 1234.50 dollars", "$1,234.50"),
        ("You have three orders", "3"),
        ("twenty-one items", "21"),
        ("one hundred and five", "105"),
        ("about 1.2 million people", "1200000"),
        ("You owe $120.00", "-120.00"),
        ("It grew 12.5%", "12.5"),
        ("on March 4, 2026", "2026-03-04"),
        ("on 4 March", "2026-03-04"),
        ("on 03/04/2026", "2026-03-04"),
        ("Wednesday, March 4th at 2:30 PM", "2026-03-04T14:30"),
        ("at 2 pm", "14:00"),
        ("at noon", "12:00"),
        ("Status: SHIPPED.", "shipped"),
        ("the file /docs/Plan.md", "/docs/plan.md"),
    ],
)
def test_right_values_in_other_words_are_stated(answer: str, term: str) -> None:
    assert mentions(answer, term)


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("Order #W1234567", "1234567"),
        ("Account AC-300001", "300001"),
        ("call 555-123-4567", "555"),
        ("It is unshipped", "shipped"),
        ("12345", "234"),
        ("on March 5, 2026", "2026-03-04"),
        ("at 2:30 AM", "14:30"),
    ],
)
def test_ids_parts_and_near_misses_are_not_stated(answer: str, term: str) -> None:
    assert not mentions(answer, term)


def test_a_denied_or_contrasted_candidate_is_not_asserted() -> None:
    assert mentions("It has not shipped yet.", "shipped")
    assert not mentions("It has not shipped yet.", "shipped", asserted=True)
    assert not mentions("Acme is older than Globex.", "Globex", asserted=True)
    assert mentions("Acme or Globex.", "Globex", asserted=True)


def test_hedges_fail_and_thorough_answers_pass() -> None:
    wall = " ".join(str(i) for i in range(50))
    assert judge(wall, ["42"])[0] == {"answer": True, "no_wrong_values": False}
    thorough = (
        "I cancelled your 2 unshipped orders, #W1234567 ($45.00, placed 2026-01-03) and "
        "#W7654321 ($30.00, placed 2026-01-09). You'll get $75.00 back within 5-7 days."
    )
    checks, notes = judge(thorough, ["75.00"], context=["Cancel my unshipped orders."])
    assert checks == {"answer": True, "no_wrong_values": True}, notes
    many = " ".join(f"${i}.00" for i in range(MAX_OTHER_VALUES + 2))
    assert not judge(many, [])[0]["no_wrong_values"]


def test_values_of_the_request_and_the_reference_are_context() -> None:
    reply = "Moved $250.00 from checking; your new balances are $1,000.00 and $2,000.00."
    checks, _ = judge(reply, ["1000.00"], ["750.00"], context=["Move $250 to savings."])
    assert checks == {"answer": True, "no_wrong_values": True}
    assert not judge("It is $750.00, or $1,000.00", ["1000.00"], ["750.00"])[0]["no_wrong_values"]
    assert values_in("Move $250 to savings.").claims() == {("n", 250.0)}


@pytest.mark.parametrize(
    ("reply", "expect", "wrong"),
    [
        ("Your new limit is $3,000, not $500.", "3000", "500"),
        ("Raised from $500 to $3,000.", "3000", "500"),
        ("I moved it from 445 Jerome Point to 12 Main St.", "12 Main St", "445 Jerome Point"),
        ("Your order is pending and will be shipped tomorrow.", "pending", "shipped"),
        ("I paid $52.00.", "52.00", "0052"),
    ],
)
def test_old_future_and_denied_values_are_not_claims(reply: str, expect: str, wrong: str) -> None:
    assert judge(reply, [expect], [wrong])[0] == {"answer": True, "no_wrong_values": True}


def test_codes_with_leading_zeros_are_not_amounts() -> None:
    assert values_in("card 0052, ZIP 01234").numbers == frozenset()
    assert mentions("It costs 0.50", "0.5")


def test_pasted_tool_output_is_no_reply() -> None:
    raw = '{"order_id": "#W1234567", "status": "shipped", "total": 45.0, "items": ["Mat"]}'
    assert judge(raw, ["shipped"])[0] == {"answer": True, "no_wrong_values": False}
    assert judge('Your order #W1234567 is "shipped".', ["shipped"])[0]["no_wrong_values"]


@pytest.mark.parametrize(
    ("text", "stated"),
    [("4 readings", True), ("answer: 4.", True), ("sensor S4", False), ("24.4 degrees", False)],
)
def test_a_literal_is_a_whole_token(text: str, stated: bool) -> None:
    """What a request "says" (for the simulated user, for withholding) is a whole token: the
    request naming sensor S4 or 24.4 degrees has not told anyone the answer 4."""
    assert bool(grading.literal("4").search(text)) is stated


@pytest.mark.parametrize(
    ("answer", "term", "claimed"),
    [
        ("It is at 3:00 PM, not 2:00 PM.", "14:00", False),  # a denied time is no claim
        ("It is not at 14:00 but at 15:00.", "15:00", True),
        ("It moved from March 3 to March 5.", "2026-03-03", False),
        ("It moved from March 3 to March 5.", "2026-03-05", True),
        ("It will be at 14:00 or 15:00.", "14:00", True),  # a hedge about the future claims both
        ("The refund will be $40 or $55.", "55", True),
        ("Raised from $500 to $600.", "600", True),
        ("Raised from $500 to $600.", "500", False),
    ],
)
def test_only_denials_and_contrasts_take_back_an_amount_day_or_time(
    answer: str, term: str, claimed: bool
) -> None:
    assert mentions(answer, term, asserted=True) is claimed
