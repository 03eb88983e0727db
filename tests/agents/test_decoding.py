"""Reading results in any rendering: numbers as text, camelCase keys, invisible characters."""

from __future__ import annotations

import pytest

from toolgym.agents.decoding import Fields, Numeric, clean_text, decode_result


def test_numeric_text_is_a_string_and_a_number() -> None:
    price, size = Numeric("19.99"), Numeric("10")
    assert price == "19.99" and price == 19.99 and isinstance(price, str)
    assert size == "10" and size == 10 and {"size": size} == {"size": "10"}
    assert price + 0.01 == 20.0 and 0 + price == 19.99 and sum([price, size]) == 29.99
    assert price * 2 == 39.98 and 2 * size == 20 and abs(Numeric("-3.5")) == 3.5
    assert price < 20 and max([price, Numeric("5")]) == price and round(price, 1) == 20.0
    assert f"{price:.2f}" == "19.99" and f"{price}" == "19.99" and str(size) == "10"
    assert list(range(3))[Numeric("1")] == 1 and int(size) == 10 and float(price) == 19.99
    assert size + " items" == "10 items"
    with pytest.raises(TypeError):
        [][Numeric("1.5")]


def test_fields_answer_to_both_spellings() -> None:
    fields = Fields({"orderId": "#W1", "status": "shipped"})
    assert fields["order_id"] == fields["orderId"] == "#W1"
    assert "order_id" in fields and fields.get("order_id") == "#W1"
    assert fields.get("missing", 3) == 3 and "missing" not in fields
    with pytest.raises(KeyError):
        fields["missing"]


def test_clean_text_undoes_unicode_noise() -> None:
    assert clean_text("Jane\u200b\u00a0Doe") == "Jane Doe"
    assert clean_text("Cafe\u0301") == "Café"


def test_every_format_decodes() -> None:
    assert decode_result('{"a": 1}') == {"a": 1}
    assert decode_result("a: 1\nb: [x, y]") == {"a": 1, "b": ["x", "y"]}
    xml = '<response><a type="integer">1</a><b type="array"><item>x</item></b></response>'
    assert decode_result(xml) == {"a": 1, "b": ["x"]}
    assert decode_result("| a | b |\n| --- | --- |\n| 1 | x |") == [{"a": 1, "b": "x"}]
    assert decode_result("  \n\t[1, 2]  \n") == [1, 2]


@pytest.mark.parametrize("text", ["<a><b></a>", "| a |\n", "a: [1, 2", "{'a': 1,"])
def test_unreadable_results_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        decode_result(text)
