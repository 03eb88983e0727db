"""``TextActions``: the environment takes the model's raw completion, in one tool-call format.

Most trainers hand the environment a string. This wrapper turns the structured env into a
string-in, string-out one: reset returns the whole prompt in the format's conventions (system
prompt with the tools, the user's request, the opening of the assistant turn), each step parses
the completion into a turn and returns the text to append (the results, framed the same way).
A completion that cannot be read becomes an error the agent reads in that text, with its status
in ``info["parse_status"]``; nothing is raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

from toolgym.core.env import ToolEnv
from toolgym.core.episode import Episode
from toolgym.core.spaces import AnyText
from toolgym.formats import Format, get

__all__ = ["FORMAT_KEY", "TextActions", "draw_format"]

FORMAT_KEY = "format"
"""Key of ``Episode.scratch`` through which a format fault sets the episode's format."""

# Separates the format draw from every other stream derived from the episode seed.
_FORMAT_STREAM = 0x666F726D


def draw_format(choices: Sequence[Format], seed: int) -> Format:
    """One of ``choices``, drawn from ``seed`` alone (same seed, same format, any process)."""
    rng = np.random.default_rng([int(seed) % 2**64, _FORMAT_STREAM])
    return choices[int(rng.integers(len(choices)))]


class TextActions(gym.Wrapper[str, str, str, Any], gym.utils.RecordConstructorArgs):
    """Actions are completion strings; observations are prompt text in one format.

    Args:
        env: a :class:`~toolgym.core.env.ToolEnv`, possibly wrapped.
        format: a format name (see ``toolgym.formats.names()``) or a
            :class:`~toolgym.formats.Format`, or a sequence of them: the episode's format is
            then drawn from its seed at each reset.

    The format of an episode is, in order: the one a format fault put in
    ``episode.scratch["format"]`` during reset (a name or a ``Format``), else the seeded draw,
    else the only one given. ``info["format"]`` names it on every step, so an agent (see
    :class:`~toolgym.agents.TextAgent`) knows which scaffold to speak. A non-string action
    (an ``AgentTurn`` or a message dict) passes through unparsed.

    >>> import gymnasium as gym, toolgym
    >>> env = gym.make("toolgym/Retail-v0", format="hermes")
    >>> prompt, info = env.reset(seed=0)
    >>> prompt.startswith("<|im_start|>system"), info["format"]
    (True, 'hermes')
    >>> text, *_, info = env.step('<tool_call>{"name": "list_categories"}')
    >>> info["parse_status"]
    ['unclosed_block']
    """

    def __init__(self, env: gym.Env, format: str | Format | Sequence[str | Format] = "hermes"):
        gym.utils.RecordConstructorArgs.__init__(self, format=format)
        gym.Wrapper.__init__(self, env)
        if not isinstance(env.unwrapped, ToolEnv):
            raise TypeError(
                f"TextActions wraps a toolgym ToolEnv, got {type(env.unwrapped).__name__}"
            )
        if isinstance(format, (str, Format)):
            choices = [format]
        elif isinstance(format, Sequence) and format:
            choices = list(format)
        else:
            raise ValueError(
                f"format must be a format name, a Format, or a non-empty sequence of them; "
                f"got {format!r}"
            )
        self.choices: tuple[Format, ...] = tuple(get(choice) for choice in choices)
        self.format: Format = self.choices[0]
        env.unwrapped.speak([f.name for f in self.choices])
        self.action_space = AnyText()
        self.observation_space = AnyText()
        self._tools: list[dict[str, Any]] = []

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        _, info = self.env.reset(seed=seed, options=options)
        self.format = self._choose(self.env.unwrapped.episode)
        self._tools = info["tools"]
        info["format"] = self.format.name
        return self.format.render_prompt(info["messages"], info["tools"]), info

    def step(self, action: Any) -> tuple[str, SupportsFloat, bool, bool, dict[str, Any]]:
        if isinstance(action, str):
            action, _ = self.format.parse(action, self._tools, validate=False)
        observation, reward, terminated, truncated, info = self.env.step(action)
        self._tools = info["tools"]
        info["format"] = self.format.name
        if info["messages"]:
            observation = self.format.render_observation(info["messages"])
        return observation, reward, terminated, truncated, info

    def _choose(self, episode: Episode) -> Format:
        chosen = episode.scaffold or episode.scratch.get(FORMAT_KEY)
        if chosen is not None:
            return get(chosen)
        if len(self.choices) == 1:
            return self.choices[0]
        return draw_format(self.choices, episode.seed)
