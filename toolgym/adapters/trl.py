"""TRL's ``environment_factory``: a class whose public methods are the env's tools.

``GRPOTrainer(environment_factory=cls)`` builds instances with no arguments, calls
``reset(**row)`` before each rollout (the returned text is appended to the prompt), offers every
other public method as a tool (its schema read from the type hints and the Google-style
docstring), and scores the rollout with ``get_reward()``. :func:`trl_environment` generates such
a class from an env's tool schemas: one typed, documented method per tool, which runs the call
as one turn of the episode and returns the text the env returns (errors included, as the agent
would read them), plus ``submit_answer`` for the final reply.

TRL shows a model one fixed toolset per environment class, so faults that change the toolset
per episode cannot be shown through it: the ``tools`` axis (renamed or drifting tools,
distractors), and faults of other axes that add a tool or a parameter (a ``read_more`` tool for
truncated output, ``ask_user`` for a withheld fact, a ``page_token`` for pagination). They are
left out of the plan (``cls.plan`` is what runs, ``cls.dropped_faults`` what was left out);
every other fault applies. Use the gym interface or ``toolgym serve`` to train against them.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Callable
from typing import Any, ClassVar, Literal

import gymnasium as gym
import numpy as np

from toolgym.core.env import ToolEnv
from toolgym.faults import FaultPipeline, FaultPlan
from toolgym.serve.session import TaskSession

__all__ = ["ToolEnvironment", "task_rows", "trl_environment"]

_RESERVED = ("reset", "get_reward", "submit_answer")
_FINISH = "When you are done, call submit_answer with your final reply to the user."
_RETURNS = "The service's response as JSON text, or an error body saying what went wrong."


class ToolEnvironment:
    """Base of the classes :func:`trl_environment` makes (one toolgym env per instance).

    The task of a rollout is the dataset row's ``seed`` (give every generation of a prompt the
    same seed, so a GRPO group compares answers to one task); a row without one draws the next
    task of this instance's own seeded sequence. ``family`` and ``difficulty`` in the row
    narrow the draw. The reward is the env's (1.0 on success), computed when the model calls
    ``submit_answer`` or, if it never does, with an empty answer when TRL asks for it.
    """

    env_id: ClassVar[str]
    plan: ClassVar[FaultPlan | None]
    dropped_faults: ClassVar[tuple[str, ...]]
    make_kwargs: ClassVar[dict[str, Any]]
    seed: ClassVar[int]
    _count: ClassVar[itertools.count]

    def __init__(self) -> None:
        index = next(type(self)._count)
        first = int(np.random.SeedSequence([self.seed, index]).generate_state(1)[0])
        self.env = gym.make(self.env_id, faults=self.plan, **self.make_kwargs)
        self._session = TaskSession(self.env, seed=first)

    def reset(self, **row: Any) -> str:
        """Start the row's task; returns its system prompt and request (TRL appends it)."""
        seed = row.get("seed")
        start = self._session.start(
            None if seed is None else int(seed),
            family=row.get("family"),
            difficulty=row.get("difficulty"),
        )
        return f"{start.text()}\n\n{_FINISH}"

    def submit_answer(self, answer: str) -> str:
        """Give your final reply to the user; the task ends and is checked.

        Args:
            answer: Your final reply to the user.

        Returns:
            Whether the task is over, or what the user says next.
        """
        return self._session.submit(answer).text

    def get_reward(self) -> float:
        """The episode's reward; an episode still open is ended with an empty answer."""
        while not self._session.result()["done"]:
            self._session.submit("")
        return float(self._session.result()["reward"])

    @property
    def result(self) -> dict[str, Any]:
        """The current task's state and verdict (see ``TaskSession.result``)."""
        return self._session.result()

    def _call(self, name: str, arguments: dict[str, Any]) -> str:
        return self._session.call(name, arguments).text


def trl_environment(
    env_id: str,
    *,
    faults: Any = None,
    seed: int = 0,
    max_turns: int = 30,
    **make_kwargs: Any,
) -> type[ToolEnvironment]:
    """A ``ToolEnvironment`` subclass for ``env_id``, for ``environment_factory=``.

    Args:
        env_id: a toolgym environment id.
        faults: anything ``gym.make`` takes as ``faults`` (a preset name, a plan file, a
            ``FaultPlan``); faults that change the toolset are left out (module docstring).
        seed: root of the instances' own task sequences (used for rows without a ``seed``).
        max_turns / make_kwargs: passed to ``gym.make``.

    >>> Retail = trl_environment("toolgym/Retail-v0", faults="medium")
    >>> env = Retail()
    >>> prompt = env.reset(seed=3)
    >>> env.list_categories()[:9]
    '["Bags", '
    """
    probe = gym.make(env_id, max_turns=max_turns, **make_kwargs)
    schemas = probe.unwrapped.action_space.tool_schemas
    plan, dropped = _fixed_toolset(probe.unwrapped, FaultPlan.resolve(faults), schemas)
    probe.close()
    methods: dict[str, Any] = {}
    for schema in schemas:
        function = schema["function"]
        if function["name"] in _RESERVED or function["name"].startswith("_"):
            raise ValueError(f"{env_id} has a tool named {function['name']!r}, reserved here")
        methods[function["name"]] = tool_method(function)
    name = re.sub(r"\W", "", env_id.split("/")[-1].split("-")[0]) + "Environment"
    return type(
        name,
        (ToolEnvironment,),
        {
            **methods,
            "env_id": env_id,
            "plan": plan,
            "dropped_faults": dropped,
            "make_kwargs": {"max_turns": max_turns, **make_kwargs},
            "seed": seed,
            "_count": itertools.count(),
            "__doc__": f"TRL environment over {env_id}: one method per tool.",
            "__module__": __name__,
        },
    )


_PROBE_SEEDS = range(12)


def _fixed_toolset(
    env: ToolEnv, plan: FaultPlan | None, schemas: list[dict[str, Any]]
) -> tuple[FaultPlan | None, tuple[str, ...]]:
    """``plan`` without the faults that change the toolset, and their names.

    A fault of another axis than ``tools`` is tried alone on ``env`` (a clean one), made
    certain to fire, over a dozen tasks: if a tool or a parameter name is then not what the
    class offers, it goes.
    """
    if plan is None:
        return None, ()
    shown = _signature(schemas)
    kept, dropped = [], []
    for fault in plan.faults:
        changes = fault.axis == "tools"
        if not changes:
            certain = FaultPlan(faults=[fault.model_copy(update={"probability": 1.0})])
            probe = FaultPipeline(certain)
            env.add_interceptor(probe)
            try:
                changes = any(
                    _signature(env.reset(seed=seed)[1]["tools"]) != shown for seed in _PROBE_SEEDS
                )
            finally:
                env.remove_interceptor(probe)
        (dropped if changes else kept).append(fault)
    return FaultPlan(name=plan.name, faults=kept), tuple(f.name for f in dropped)


def _signature(schemas: list[dict[str, Any]]) -> set[tuple[str, tuple[str, ...]]]:
    """What a fixed toolset pins: tool names and their parameter names."""
    return {
        (s["function"]["name"], tuple(sorted(s["function"]["parameters"].get("properties", {}))))
        for s in schemas
    }


def tool_method(function: dict[str, Any]) -> Callable[..., str]:
    """A method with the tool's name, typed keyword parameters and a Google-style docstring,
    so TRL (through ``transformers.utils.get_json_schema``) shows the model the tool's schema."""
    name = function["name"]
    parameters = function.get("parameters", {})
    required = set(parameters.get("required", ()))
    signature = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {}
    lines = []
    for key, schema in parameters.get("properties", {}).items():
        hint = python_type(schema)
        default: Any = inspect.Parameter.empty
        if key not in required:
            if "default" in schema:
                default = schema["default"]
            else:
                hint, default = hint | None, None
        annotations[key] = hint
        signature.append(
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        )
        lines.append(f"    {key}: {_describe(key, schema)}")
    annotations["return"] = str

    def method(self: ToolEnvironment, **arguments: Any) -> str:
        given = {k: v for k, v in arguments.items() if v is not None or k in required}
        return self._call(name, given)

    description = _one_line(function.get("description") or name.replace("_", " ").capitalize())
    doc = description
    if lines:
        doc += "\n\nArgs:\n" + "\n".join(lines)
    method.__doc__ = f"{doc}\n\nReturns:\n    {_RETURNS}"
    method.__name__ = method.__qualname__ = name
    method.__annotations__ = annotations
    method.__signature__ = inspect.Signature(signature, return_annotation=str)  # type: ignore[attr-defined]
    return method


def python_type(schema: dict[str, Any]) -> Any:
    """The Python type hint whose JSON Schema (as transformers renders hints) is ``schema``'s."""
    if "enum" in schema:
        return Literal[tuple(schema["enum"])]
    if "anyOf" in schema:
        hints = [python_type(branch) for branch in schema["anyOf"]]
        union = hints[0]
        for hint in hints[1:]:
            union = union | hint
        return union
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items")
        return list[python_type(items)] if items else list
    if kind == "object":
        extra = schema.get("additionalProperties")
        return dict[str, python_type(extra)] if isinstance(extra, dict) else dict
    return {
        "string": str,
        "integer": int,
        "number": float,
        "boolean": bool,
        "null": type(None),
    }.get(kind, Any)


_LIMITS = (
    ("minimum", "at least {}"),
    ("exclusiveMinimum", "more than {}"),
    ("maximum", "at most {}"),
    ("exclusiveMaximum", "less than {}"),
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("minItems", "at least {} items"),
    ("maxItems", "at most {} items"),
    ("format", "format: {}"),
    ("pattern", "matching {}"),
)


def _describe(key: str, schema: dict[str, Any]) -> str:
    """The parameter's description, with the constraints type hints cannot carry."""
    text = _one_line(schema.get("description") or key.replace("_", " ").capitalize() + ".")
    limits = [form.format(schema[field]) for field, form in _LIMITS if field in schema]
    if "default" in schema:
        limits.append(f"default {schema['default']!r}")
    return f"{text} ({'; '.join(limits)})" if limits else text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def task_rows(seeds: Any, *, prompt: str = "") -> list[dict[str, Any]]:
    """Dataset rows for TRL, one per task seed (``datasets.Dataset.from_list(rows)``): each
    generation of a row poses the same task."""
    return [{"prompt": [{"role": "user", "content": prompt}], "seed": int(s)} for s in seeds]
