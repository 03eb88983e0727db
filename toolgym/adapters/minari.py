"""Minari datasets of toolgym episodes: its space serializers learn toolgym's text spaces.

Import this module before ``DataCollector.create_dataset`` or ``minari.load_dataset``; raw-text
envs (``gym.make(..., format="hermes")``) store observations and completions as text. For
structured actions (turn dicts), collect with :data:`JsonActions` as the step callback: each
action is stored as its JSON text, which :func:`toolgym.core.messages.coerce_turn` reads back.

>>> import gymnasium as gym, toolgym
>>> from minari import DataCollector
>>> import toolgym.adapters.minari  # noqa: F401
>>> env = DataCollector(gym.make("toolgym/Retail-v0", format="hermes"), record_infos=False)
"""

from __future__ import annotations

import json
from typing import Any

from minari import StepDataCallback
from minari.serialization import deserialize_space, serialize_space

from toolgym.core.messages import coerce_turn
from toolgym.core.spaces import AnyText, ToolActionSpace

__all__ = ["JsonActions"]


@serialize_space.register(AnyText)
def _serialize_text(space: AnyText, to_string: bool = True) -> dict[str, Any] | str:
    data = {"type": "toolgym.AnyText", "max_length": space.max_length}
    return json.dumps(data) if to_string else data


@deserialize_space.register("toolgym.AnyText")
def _deserialize_text(space_dict: dict[str, Any]) -> AnyText:
    return AnyText(max_length=int(space_dict["max_length"]))


@serialize_space.register(ToolActionSpace)
def _serialize_turns(space: ToolActionSpace, to_string: bool = True) -> dict[str, Any] | str:
    data = {"type": "toolgym.ToolActionSpace", "tool_schemas": space.tool_schemas}
    return json.dumps(data) if to_string else data


@deserialize_space.register("toolgym.ToolActionSpace")
def _deserialize_turns(space_dict: dict[str, Any]) -> ToolActionSpace:
    return ToolActionSpace(space_dict["tool_schemas"])


class JsonActions(StepDataCallback):
    """Stores each structured action (an ``AgentTurn`` or a turn dict) as its JSON text."""

    def __call__(self, env: Any, **kwargs: Any) -> dict[str, Any]:
        data = super().__call__(env, **kwargs)
        action = data.get("action")
        if action is not None and not isinstance(action, str):
            turn, _ = coerce_turn(action, 0)
            data["action"] = json.dumps(
                turn.to_message().to_openai() if turn is not None else action, default=str
            )
        return data
