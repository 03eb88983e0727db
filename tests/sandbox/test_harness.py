"""The call harness's encoding and comparison: what counts as the same outcome."""

from __future__ import annotations

import types

import pytest

from toolgym.sandbox import harness


def outcome(value: object) -> list:
    return harness.outcome(lambda: value, [], {})


def test_values_are_encoded_by_exact_type() -> None:
    class Sneaky(int):
        def __eq__(self, other: object) -> bool:
            return True

    assert outcome(3) == ["ok", ["int", "3"]]
    assert outcome(True) == ["ok", ["bool", True]]
    assert outcome(Sneaky(3)) == ["ok", ["object", "Sneaky"]]
    assert outcome((1, "a")) == ["ok", ["tuple", [["int", "1"], ["str", "a"]]]]
    assert outcome({"k": None}) == ["ok", ["dict", [[["str", "k"], ["none"]]]]]
    assert outcome(list(range(10_000))) == ["too_large"]


def test_exceptions_are_outcomes_with_their_classes() -> None:
    def boom() -> None:
        raise SystemExit(0)

    assert harness.outcome(boom, [], {}) == ["raise", ["SystemExit", "BaseException", "object"]]


@pytest.mark.parametrize(
    ("expected", "got", "same"),
    [
        (1.0, 1, True),  # numbers by value
        (0.1 + 0.2, 0.3, True),
        (4.67, 4.68, False),
        ([1, 2], (1, 2), False),  # a tuple is not a list
        ({"a": 1, "b": 2}, {"b": 2, "a": 1.0}, True),
        ("1", 1, False),
        (True, 1, False),
        (None, 0, False),
        (float("nan"), float("nan"), False),
    ],
)
def test_same_compares_like_a_careful_test(expected: object, got: object, same: bool) -> None:
    assert harness.same(outcome(expected), outcome(got)) is same


def test_an_exception_matches_its_subclasses_only() -> None:
    class QuantityError(ValueError):
        pass

    def raising(kind: type[BaseException]):
        def call() -> None:
            raise kind("x")

        return harness.outcome(call, [], {})

    assert harness.same(raising(ValueError), raising(QuantityError))
    assert not harness.same(raising(ValueError), raising(TypeError))
    assert not harness.same(raising(ValueError), outcome(None))


def test_cents_tolerance_and_malformed_records() -> None:
    assert harness.same(outcome(4.67), outcome(4.68), tolerance=0.01 * (1 + 1e-6))
    for garbage in (None, [], ["ok"], ["ok", ["float", "x"]], ["ok", ["list", "no"]], "ok"):
        assert harness.same(outcome(1.5), garbage) is False
    deep: list = ["ok", ["list", []]]
    for _ in range(5000):
        deep = ["list", [deep]]
    assert harness.same(outcome([[1]]), ["ok", deep]) is False


def test_run_calls_reports_missing_functions_and_import_errors() -> None:
    module = types.ModuleType("m")
    module.double = lambda x: 2 * x  # type: ignore[attr-defined]
    calls = [("m", "double", [2], {}), ("m", "triple", [2], {}), ("n", "f", [], {})]
    modules = {"m": module, "n": ["import_error", "SyntaxError"]}
    assert harness.run_calls(modules, calls) == [
        ["ok", ["int", "4"]],
        ["missing"],
        ["import_error", "SyntaxError"],
    ]
    assert harness.decode([{"$builtin": "abs"}, {"$builtin": "exec"}]) == [
        abs,
        {"$builtin": "exec"},
    ]
