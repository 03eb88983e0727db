from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

from toolgym.core.errors import ToolError
from toolgym.core.tool import Toolkit, tool


class Shop(Toolkit):
    name = "shop"

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    @tool
    def get_item(
        self,
        item_id: Annotated[str, Field(description="The item's id.")],
        count: int = 1,
        color: Literal["red", "blue"] | None = None,
    ) -> dict:
        """Fetch an item.

        Longer text that is not part of the description.
        """
        self.calls.append((item_id, count, color))
        return {"id": item_id, "count": count, "color": color}

    @tool(name="ping", description="Check the service is up.", mutates=True)
    def _ping(self) -> str:
        return "pong"


class Move(BaseModel):
    src: str
    dst: str


class Files(Toolkit):
    @tool
    def move(self, args: Move) -> str:
        """Move a file."""
        return f"{args.src}->{args.dst}"


def test_schema_is_the_parameter_models_json_schema_cleaned_up() -> None:
    get_item, ping = Shop().tools()
    schema = get_item.schema()
    assert schema["type"] == "function"
    fn = schema["function"]
    assert fn["name"] == "get_item"
    assert fn["description"] == "Fetch an item."
    params = fn["parameters"]
    assert params["type"] == "object"
    assert params["required"] == ["item_id"]
    assert params["properties"]["item_id"] == {"type": "string", "description": "The item's id."}
    assert params["properties"]["count"] == {"type": "integer", "default": 1}
    # Optional[X] = None reads as an optional X, not anyOf [X, null].
    assert params["properties"]["color"] == {"type": "string", "enum": ["red", "blue"]}
    assert "title" not in str(params)
    assert ping.name == "ping" and ping.mutates and ping.description == "Check the service is up."
    assert ping.schema()["function"]["parameters"] == {
        "type": "object",
        "properties": {},
        "additionalProperties": False,
    }
    assert params["additionalProperties"] is False


def test_schema_is_a_copy() -> None:
    get_item = Shop().tools()[0]
    get_item.schema()["function"]["parameters"]["properties"].clear()
    assert get_item.schema()["function"]["parameters"]["properties"]


def test_call_validates_and_runs() -> None:
    shop = Shop()
    get_item = shop.tools()[0]
    assert get_item({"item_id": "a", "count": "3"}) == {"id": "a", "count": 3, "color": None}
    assert shop.calls == [("a", 3, None)]


@pytest.mark.parametrize(
    ("arguments", "fragments"),
    [
        ({}, ["'item_id' is required"]),
        ({"item_id": "a", "count": "many"}, ["'count'", "integer", "'many'"]),
        ({"item_id": "a", "colour": "red"}, ["'colour' is not a parameter", "item_id, count"]),
        ({"item_id": "a", "color": "green"}, ["'color'", "'red' or 'blue'"]),
        ({"item_id": 5}, ["'item_id'", "string"]),
    ],
)
def test_validation_errors_name_the_field_and_expected_type(arguments, fragments) -> None:
    shop = Shop()
    with pytest.raises(ToolError) as info:
        shop.tools()[0](arguments)
    err = info.value
    assert err.code == "invalid_arguments"
    assert not err.retryable
    for fragment in fragments:
        assert fragment in err.message
    assert shop.calls == []


def test_arguments_must_be_an_object() -> None:
    with pytest.raises(ToolError, match="must be a JSON object, got list"):
        Shop().tools()[0]([1, 2])  # type: ignore[arg-type]


def test_model_parameter_style() -> None:
    move = Files().tools()[0]
    assert move.schema()["function"]["parameters"]["required"] == ["src", "dst"]
    assert move({"src": "a", "dst": "b"}) == "a->b"


def test_declaration_errors_are_clear() -> None:
    with pytest.raises(TypeError, match="docstring"):

        class NoDoc(Toolkit):
            @tool
            def f(self, x: int) -> int:
                return x

    with pytest.raises(TypeError, match="type annotation"):

        class NoType(Toolkit):
            @tool
            def f(self, x) -> int:  # type: ignore[no-untyped-def]
                """Doc."""
                return x


def test_tool_error_payload_and_pickle() -> None:
    import pickle

    err = ToolError("rate_limited", "Slow down.", retryable=True, details={"retry_after": 2})
    assert err.to_payload() == {
        "error": {
            "code": "rate_limited",
            "message": "Slow down.",
            "retryable": True,
            "retry_after": 2,
        }
    }
    again = pickle.loads(pickle.dumps(err))
    assert again.to_payload() == err.to_payload()
    with pytest.raises(ValueError, match="non-empty"):
        ToolError("", "x")


def test_snapshot_is_explicitly_unsupported_by_default() -> None:
    with pytest.raises(NotImplementedError, match="Shop"):
        Shop().snapshot()
