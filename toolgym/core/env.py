"""``ToolEnv``: a Gymnasium environment in which the agent acts by calling tools.

An action is one assistant turn; the observation is the environment's new text (the user's
request at reset, rendered tool results after a step); ``info`` carries the structured view with
the same keys on every step. The environment never raises on what an agent sends: every
malformed action or call becomes an error the agent reads, with a status in
``info["parse_status"]``.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import weakref
from collections.abc import Sequence
from typing import Any, ClassVar, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec

from toolgym.core.episode import Episode, Interceptor, Invocation
from toolgym.core.errors import ToolError
from toolgym.core.messages import Message, coerce_turn, decode_arguments
from toolgym.core.spaces import AnyText, ToolActionSpace
from toolgym.core.task import DIFFICULTIES, CheckResult, Reference, TaskSuite, World, run_plan
from toolgym.core.view import ToolView

__all__ = ["INFO_KEYS", "NOTICE_PREFIX", "ToolEnv", "render_results", "transcript"]

INFO_KEYS = (
    "messages",
    "tools",
    "parse_status",
    "faults",
    "task_id",
    "family",
    "difficulty",
    "turn",
    "success",
    "checks",
    "solvable",
)
REWARD_MODES = ("binary", "partial")
NOTICE_PREFIX = "Notification: "
"""How a message about a change in the world (``Episode.notices``) begins: after the tool
results of the turn in which another actor changed something, as a user-role message."""
_SEED_BOUND = 2**63 - 1


class ToolEnv(gym.Env[str, Any]):
    """A tool-use environment over one :class:`~toolgym.core.task.TaskSuite`.

    Args:
        suite: builds the world and generates the tasks (one per environment id).
        max_turns: agent turns before the episode is truncated, plus one for each recoverable
            fault that fires or acts on a call (``Episode.extra_turns``): a retry, a further
            page or a question to the user never eats the budget of the task itself.
        reward_mode: ``"binary"`` (1.0 on success, else 0.0) or ``"partial"`` (the fraction of
            the sub-checks that doing nothing fails which passed, scaled by the fraction of
            the others kept: no credit for a check that holds without any work).
        family / difficulty: restrict the tasks drawn (default: any).
        world_seed / num_worlds: worlds are generated once, from ``world_seed``, and each reset
            draws one of ``num_worlds`` and rolls back what the last episode wrote, so a reset
            costs what the episode changed, not what the world holds.
        size: world size preset of the suite (``"small"``, ``"default"``, ``"large"``).
        interceptors: hooks that change the episode (faults); see
            :class:`~toolgym.core.episode.Interceptor`.

    Reset options: ``family``, ``difficulty`` and ``episode_seed`` (replay a task by the seed in
    its ``task_id``).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi", "human"], "render_fps": 1}
    _spec: EnvSpec | None = None

    def __init__(
        self,
        suite: TaskSuite,
        *,
        max_turns: int = 30,
        reward_mode: str = "binary",
        family: str | None = None,
        difficulty: str | None = None,
        world_seed: int = 0,
        num_worlds: int = 1,
        size: str = "default",
        interceptors: Sequence[Interceptor] = (),
        render_mode: str | None = None,
    ) -> None:
        if not isinstance(max_turns, int) or max_turns < 1:
            raise ValueError(f"max_turns must be an int >= 1, got {max_turns!r}")
        if reward_mode not in REWARD_MODES:
            raise ValueError(f"reward_mode must be one of {REWARD_MODES}, got {reward_mode!r}")
        self._families = {f.name: f for f in suite.families}
        if family is not None and family not in self._families:
            raise ValueError(
                f"unknown family {family!r} for {suite.name}; choose from {sorted(self._families)}"
            )
        if difficulty is not None and difficulty not in DIFFICULTIES:
            raise ValueError(f"difficulty must be one of {DIFFICULTIES}, got {difficulty!r}")
        if not isinstance(num_worlds, int) or num_worlds < 1:
            raise ValueError(f"num_worlds must be an int >= 1, got {num_worlds!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}"
            )
        self.suite = suite
        self.max_turns = max_turns
        self.reward_mode = reward_mode
        self.family = family
        self.difficulty = difficulty
        self.world_seed = int(world_seed)
        self.num_worlds = num_worlds
        self.size = size
        self.interceptors = list(interceptors)
        self.render_mode = render_mode
        self.scaffolds: tuple[str, ...] = ()  # set by TextActions: the formats the agent speaks

        self._worlds: dict[int, tuple[World, Any]] = {}
        first = self._world(0)[0]
        self.observation_space = AnyText()
        self.action_space = ToolActionSpace([t.schema() for t in first.tools.values()])
        self.episode: Episode | None = None
        self.history: list[Message] = []
        self._done = True
        self._result: CheckResult | None = None
        self._made = {
            "suite": suite,
            "max_turns": max_turns,
            "reward_mode": reward_mode,
            "family": family,
            "difficulty": difficulty,
            "world_seed": world_seed,
            "num_worlds": num_worlds,
            "size": size,
            "interceptors": tuple(interceptors),
            "render_mode": render_mode,
        }
        self._replay: tuple[dict[str, Any], list[tuple[Any, str | None]]] | None = None

    # ------------------------------------------------------------------ worlds
    def _world(self, index: int) -> tuple[World, Any]:
        """World ``index``, built on first use from ``(world_seed, index)``, and its clean mark.

        Envs of one process that ask for the same world share one clean copy of it and each
        keep only what their episodes write (copy-on-write forks; see :meth:`World.fork`).
        """
        entry = self._worlds.get(index)
        if entry is None:
            seed = int(np.random.SeedSequence([self.world_seed, index]).generate_state(1)[0])
            world = _shared_world(self.suite, seed, self.size)
            entry = (world, world.snapshot())
            self._worlds[index] = entry
        return entry

    # ------------------------------------------------------------- extending
    def add_interceptor(self, hook: Interceptor) -> None:
        """Let ``hook`` (a fault pipeline, an observer) see every episode from the next reset
        on, after those already there. Copies and pickles of the env keep it."""
        self.interceptors.append(hook)
        self._made["interceptors"] = tuple(self.interceptors)

    def remove_interceptor(self, hook: Interceptor) -> None:
        """Stop ``hook`` from seeing later episodes (a ``ValueError`` if it is not there)."""
        self.interceptors.remove(hook)
        self._made["interceptors"] = tuple(self.interceptors)

    def speak(self, formats: Sequence[str]) -> None:
        """Record the tool-call formats the agent is asked to speak (what
        :class:`~toolgym.wrappers.TextActions` sets): the scaffold fault draws from them."""
        self.scaffolds = tuple(formats)

    # ------------------------------------------------------------------- reset
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        options = dict(options or {})
        episode_seed = int(self.np_random.integers(_SEED_BOUND))
        if "episode_seed" in options:
            episode_seed = int(options.pop("episode_seed"))
        family_name = options.pop("family", self.family)
        difficulty = options.pop("difficulty", self.difficulty)
        if options:
            raise ValueError(
                f"unknown reset options {sorted(options)}; known: family, difficulty, episode_seed"
            )
        replay = {"episode_seed": episode_seed, "family": family_name, "difficulty": difficulty}
        self._replay = (replay, [])
        rng = np.random.default_rng(episode_seed)
        names = list(self._families)
        drawn_family = names[int(rng.integers(len(names)))]
        drawn_difficulty = DIFFICULTIES[int(rng.integers(len(DIFFICULTIES)))]
        world_index = int(rng.integers(self.num_worlds))
        family = self._families.get(family_name or drawn_family)
        if family is None:
            raise ValueError(f"unknown family {family_name!r}; choose from {sorted(names)}")
        difficulty = difficulty or drawn_difficulty
        if difficulty not in DIFFICULTIES:
            raise ValueError(f"difficulty must be one of {DIFFICULTIES}, got {difficulty!r}")

        world, clean = self._world(world_index)
        world.restore(clean)
        task = family.generate(world, rng, difficulty)
        task.id = f"{self.suite.name}/{family.name}/{difficulty}/{episode_seed}"
        episode = Episode(
            seed=episode_seed,
            task=task,
            world=world,
            view=ToolView(world.tools.values()),
            system_prompt=task.system_prompt,
            user_prompt=task.user_prompt,
            scaffolds=self.scaffolds,
        )
        self.episode = episode
        for hook in self.interceptors:
            hook.on_reset(episode)
        episode.start = world.snapshot()
        for toolkit in world.toolkits:
            toolkit.rehearsing = True
        try:
            answer, calls = run_plan(task.plan, world.tools)
        except Exception as exc:  # a generator bug, not an agent error: fail loudly
            raise RuntimeError(f"reference run of task {task.id} failed: {exc!r}") from exc
        finally:
            for toolkit in world.toolkits:
                toolkit.rehearsing = False
        episode.reference = Reference(tuple(world.changes_since(episode.start)), answer, calls)
        world.restore(episode.start)
        if self.reward_mode == "partial":
            # What doing nothing passes is no work: only the checks it fails earn credit.
            idle = task.check(world, episode.start, None, episode.reference)
            episode.work_checks = frozenset(name for name, ok in idle.checks.items() if not ok)

        self.history = [
            Message("system", episode.system_prompt),
            Message("user", episode.user_prompt),
        ]
        self._done = False
        self._result = None
        info = self._info([m.to_openai() for m in self.history], [])
        if self.render_mode == "human":
            self.render()
        return episode.user_prompt, info

    # -------------------------------------------------------------------- step
    def step(self, action: Any) -> tuple[str, SupportsFloat, bool, bool, dict[str, Any]]:
        episode = self.episode
        if episode is None or self._done:
            info = self._info([], ["episode_over"])
            text = "The episode has ended; call reset() to start a new one."
            return text, 0.0, True, False, info

        turn, problem = coerce_turn(action, episode.turn + 1)
        assert self._replay is not None
        self._replay[1].append((turn, problem))
        return self._play(episode, turn, problem)

    def _play(
        self, episode: Episode, turn: Any, problem: str | None
    ) -> tuple[str, SupportsFloat, bool, bool, dict[str, Any]]:
        """One normalised turn (what :meth:`step` does once the action is read)."""
        episode.turn += 1
        episode.step_events = []
        for hook in self.interceptors:
            hook.on_turn(episode)

        new: list[Message] = []
        statuses: list[str] = []
        terminated = False
        if turn is None:
            statuses.append("invalid_action")
            new.append(Message("user", f"Error: {problem}"))
            self.history.extend(new)
        elif turn.is_final:
            self.history.append(turn.to_message())
            if episode.pending_user:
                new.append(Message("user", episode.pending_user.pop(0)))
                self.history.extend(new)
            else:
                terminated = True
        else:
            self.history.append(turn.to_message())
            for call in turn.tool_calls:
                if call.parse_error is not None:
                    code, problem = call.parse_error
                    message, status = self._error(
                        call.id, call.name, code, ToolError(code, problem)
                    )
                else:
                    message, status = self._run_call(episode, call.id, call.name, call.arguments)
                new.append(message)
                statuses.append(status)
            while episode.notices:  # the world changed under the agent: it hears about it
                new.append(Message("user", NOTICE_PREFIX + episode.notices.pop(0)))
            self.history.extend(new)

        truncated = not terminated and episode.turn >= self.max_turns + episode.extra_turns
        reward = 0.0
        if terminated or truncated:
            reward = self._finish(episode, turn.content if terminated and turn else None)
        observation = render_results(new)
        info = self._info([m.to_openai() for m in new], statuses)
        if self.render_mode == "human":
            self.render()
        return observation, reward, terminated, truncated, info

    def _run_call(
        self, episode: Episode, call_id: str, name: str, raw_arguments: Any
    ) -> tuple[Message, str]:
        """Resolve, validate and run one call; always returns the tool message and a status."""
        if not name:
            return self._error(
                call_id,
                name,
                "missing_name",
                ToolError("missing_name", "Tool call has no name: say which tool to run."),
            )
        entry = episode.view.find(name)
        if entry is None:
            retired = episode.view.retired.get(name)
            return self._error(call_id, name, "unknown_tool", retired or _unknown(name, episode))
        arguments, status, problem = decode_arguments(raw_arguments)
        if arguments is None:
            return self._error(call_id, name, status, ToolError("invalid_arguments", problem))
        invocation = Invocation(call_id, name, entry, arguments)
        try:
            invocation.arguments = entry.canonical_arguments(arguments)
        except ToolError as err:
            invocation.error = err
        for hook in self.interceptors:
            if invocation.error is None:
                hook.on_call(episode, invocation)
        if invocation.error is None:
            invocation.ran = True
            try:
                if entry.handler is not None:
                    invocation.result = entry.handler(invocation.arguments)
                else:
                    invocation.result = episode.world.tools[entry.target](invocation.arguments)  # type: ignore[index]
            except ToolError as err:
                invocation.error = err
            except Exception as exc:  # a bug in a simulated service: a 500, not a crash
                invocation.error = _internal_error(invocation.name, exc)
        for hook in self.interceptors:
            hook.on_result(episode, invocation)
        status = "ok"
        if invocation.error is not None and invocation.error.code == "invalid_arguments":
            status = "schema_violation"
        content = invocation.content
        if content is None:
            payload = (
                invocation.error.to_payload() if invocation.error is not None else invocation.result
            )
            content = json.dumps(payload, ensure_ascii=False, default=str)
        return Message("tool", content, tool_call_id=call_id, name=name), status

    @staticmethod
    def _error(call_id: str, name: str, status: str, error: ToolError) -> tuple[Message, str]:
        content = json.dumps(error.to_payload(), ensure_ascii=False)
        return Message("tool", content, tool_call_id=call_id, name=name), status

    # ------------------------------------------------------------------ finish
    def _finish(self, episode: Episode, answer: str | None) -> float:
        assert episode.reference is not None
        result = episode.task.check(episode.world, episode.start, answer, episode.reference)
        checks = dict(result.checks)
        for hook in self.interceptors:
            hook.on_finish(episode, answer, checks)
        guards = frozenset(checks) - episode.work_checks if self.reward_mode == "partial" else ()
        self._result = CheckResult(checks, result.notes, frozenset(guards))
        self._done = True
        if self.reward_mode == "partial":
            return self._result.score
        return 1.0 if self._result.success else 0.0

    @property
    def result(self) -> CheckResult | None:
        """The checker's verdict once the episode has ended (``None`` before)."""
        return self._result

    def _info(self, messages: list[dict[str, Any]], statuses: list[str]) -> dict[str, Any]:
        episode = self.episode
        assert episode is not None
        result = self._result
        return {
            "messages": messages,
            "tools": episode.view.schemas(),
            "parse_status": statuses,
            "faults": list(episode.step_events),
            "task_id": episode.task.id,
            "family": episode.task.family,
            "difficulty": episode.task.difficulty,
            "turn": episode.turn,
            "success": bool(result is not None and result.success),
            "checks": dict(result.checks) if result is not None else {},
            "solvable": episode.solvable,
        }

    def close(self) -> None:
        """Release every world's resources (sandbox processes, temporary directories)."""
        for world, _ in self._worlds.values():
            world.close()
        self._worlds.clear()
        super().close()

    # ------------------------------------------------------------------ render
    def render(self) -> str | None:
        """The conversation as text (``"ansi"``), printed (``"human"``), or ``None`` when no
        render mode was chosen, as Gymnasium's own environments do."""
        if self.render_mode is None:
            gym.logger.warn(
                "render() was called without a render_mode; make the env with "
                'render_mode="ansi" to get the transcript.'
            )
            return None
        text = transcript(self.history)
        if self.render_mode == "human":
            print(text)
            return None
        return text

    # ------------------------------------------------------------ copy, pickle
    @property  # type: ignore[override]
    def spec(self) -> EnvSpec | None:
        return self._spec

    @spec.setter
    def spec(self, value: EnvSpec | None) -> None:
        """The spec with configuration objects (a fault plan) in their JSON form, so that
        ``spec.to_json()`` and ``gym.make(spec)`` work whatever ``gym.make`` was given."""
        if value is not None and any(hasattr(v, "model_dump") for v in value.kwargs.values()):
            kwargs = {
                k: v.model_dump(mode="json") if hasattr(v, "model_dump") else v
                for k, v in value.kwargs.items()
            }
            value = dataclasses.replace(value, kwargs=kwargs)
        self._spec = value

    def __getstate__(self) -> dict[str, Any]:
        """What rebuilds this env exactly: how it was made, its random state, and the episode
        so far as its reset and its turns. Worlds, sandboxes and plans are not copied: the
        copy builds its own and replays the episode, which is deterministic, so it continues
        byte for byte as this env would (a sandboxed interpreter is restarted and its code
        run again)."""
        return {
            "made": self._made,
            "scaffolds": self.scaffolds,
            "spec": self._spec,
            "replay": self._replay,
            "rng": _generator_state(self._np_random),
            "rng_seed": self._np_random_seed,
            "action_rng": _generator_state(getattr(self.action_space, "_np_random", None)),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        made = dict(state["made"])
        self.__init__(made.pop("suite"), **made)  # type: ignore[misc]
        self.scaffolds = state["scaffolds"]
        self._spec = state["spec"]
        replay = state["replay"]
        if replay is not None:
            options, turns = replay
            self.reset(options=dict(options))
            assert self.episode is not None
            for turn, problem in turns:
                self._play(self.episode, turn, problem)
            self._replay = (options, list(turns))
        self._np_random = _generator(state["rng"])
        self._np_random_seed = state["rng_seed"]
        if state["action_rng"] is not None:
            self.action_space._np_random = _generator(state["action_rng"])


_CLEAN_WORLDS: weakref.WeakValueDictionary[tuple[int, int, str], World] = (
    weakref.WeakValueDictionary()
)


def _shared_world(suite: TaskSuite, seed: int, size: str) -> World:
    """A fork of the clean world ``(suite, seed, size)``, built once per process while any
    fork of it lives; a fresh world where the suite's toolkits cannot fork."""
    key = (id(suite), seed, size)
    clean = _CLEAN_WORLDS.get(key)
    if clean is None:
        clean = suite.build_world(seed, size)
        fork = clean.fork()
        if fork is None:
            return clean
        _CLEAN_WORLDS[key] = clean
        return fork
    fork = clean.fork()
    assert fork is not None
    return fork


def _generator_state(rng: np.random.Generator | None) -> dict[str, Any] | None:
    return None if rng is None else rng.bit_generator.state


def _generator(state: dict[str, Any] | None) -> np.random.Generator | None:
    if state is None:
        return None
    bits = getattr(np.random, state["bit_generator"])()
    bits.state = state
    return np.random.Generator(bits)


def _internal_error(name: str, exc: Exception) -> ToolError:
    """What a real API answers when its own code fails: an opaque server error. The test
    suites fail on any ``internal_error``, so a service bug is found rather than hidden."""
    return ToolError(
        "internal_error",
        f"The {name} service failed unexpectedly ({type(exc).__name__}). Try another approach.",
    )


def _unknown(name: str, episode: Episode) -> ToolError:
    names = episode.view.names()
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return ToolError(
        "unknown_tool",
        f"Unknown tool '{name}'.{hint} Available tools: {', '.join(names)}.",
    )


def render_results(messages: Sequence[Message]) -> str:
    """The observation text for a step's new messages."""
    parts = []
    for m in messages:
        if m.role == "tool":
            parts.append(f"Result of {m.name or '?'} (call {m.tool_call_id}):\n{m.content}")
        else:
            parts.append(m.content if m.role != "user" or not m.content else f"User: {m.content}")
    return "\n\n".join(parts)


def transcript(history: Sequence[Message]) -> str:
    """The conversation as plain text, thinking in place."""
    lines = []
    for m in history:
        if m.role == "assistant":
            if m.thinking:
                lines.append(f"[assistant thinking] {m.thinking}")
            if m.content:
                lines.append(f"[assistant] {m.content}")
            for c in m.tool_calls:
                args = c.arguments if isinstance(c.arguments, str) else json.dumps(c.arguments)
                lines.append(f"[assistant calls] {c.name}({args}) #{c.id}")
        elif m.role == "tool":
            lines.append(f"[tool {m.name} #{m.tool_call_id}] {m.content}")
        else:
            lines.append(f"[{m.role}] {m.content}")
    return "\n".join(lines)
