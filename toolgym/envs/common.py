"""What every environment definition shares: task families as functions, and the suite."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from toolgym.core.task import Task, World
from toolgym.core.tool import Toolkit

__all__ = ["FunctionFamily", "Suite", "clean_index", "make_task", "pick", "policy_prompt"]

T = TypeVar("T")
Index = TypeVar("Index")

_INDEXES: weakref.WeakKeyDictionary[Any, dict[Callable[[Any], Any], Any]] = (
    weakref.WeakKeyDictionary()
)


def clean_index(toolkit: T, build: Callable[[T], Index]) -> Index:
    """``build(toolkit)``, computed once per toolkit instance: the lookups a family needs over
    the clean world (families generate tasks right after the world is rolled back to it, and
    the clean world never changes). Forks and copies build their own."""
    built = _INDEXES.setdefault(toolkit, {})
    found = built.get(build)
    if found is None:
        found = built[build] = build(toolkit)
    return found


def pick(rng: np.random.Generator, items: Sequence[T]) -> T:
    """One element, drawn with the episode's generator (never global ``random``)."""
    if not items:
        raise ValueError("cannot pick from an empty sequence")
    return items[int(rng.integers(len(items)))]


@dataclass(frozen=True)
class FunctionFamily:
    """A task family written as one function of (toolkit, rng, difficulty) -> Task."""

    name: str
    toolkit: str
    make: Callable[[Any, np.random.Generator, str], Task]
    description: str = ""
    identity: tuple[str, ...] = ()

    def generate(self, world: World, rng: np.random.Generator, difficulty: str) -> Task:
        task = self.make(world.toolkit(self.toolkit), rng, difficulty)
        task.family = self.name
        task.difficulty = difficulty
        task.identity = self.identity
        return task


class Suite:
    """An environment id's world builder plus its task families.

    ``builder(seed, size)`` returns the toolkits of a fresh world; families register with
    :meth:`family`. ``identity`` names the facts that say who the user is (email, name, ...):
    a simulated user tells those whether or not the request did.
    """

    def __init__(
        self,
        name: str,
        builder: Callable[[int, str], Sequence[Toolkit]],
        *,
        identity: Sequence[str] = (),
    ) -> None:
        self.name = name
        self._builder = builder
        self.identity = tuple(identity)
        self.families: list[FunctionFamily] = []

    def __reduce_ex__(self, protocol: Any) -> Any:
        """A registered suite pickles as its name (its builder may be a lambda)."""
        from toolgym.envs.registry import SUITES, suite

        for name in SUITES:
            if name.lower() == self.name and suite(name) is self:
                return suite, (name,)
        return super().__reduce_ex__(protocol)

    def build_world(self, seed: int, size: str) -> World:
        return World(self._builder(seed, size))

    def family(self, toolkit: str) -> Callable[[Callable[..., Task]], Callable[..., Task]]:
        """Register a task-family function; its name is the function's name."""

        def register(fn: Callable[..., Task]) -> Callable[..., Task]:
            doc = (fn.__doc__ or "").strip().split("\n")[0]
            family = FunctionFamily(fn.__name__, toolkit, fn, doc, self.identity)
            self.families.append(family)
            return fn

        return register


def policy_prompt(role: str, rules: Sequence[str], closing: str) -> str:
    """A system prompt in three sections: who the agent is, the rules, how to finish."""
    lines = [role, "", "# Rules"]
    lines += [f"- {rule}" for rule in rules]
    lines += ["", "# Finishing", closing]
    return "\n".join(lines)


def make_task(system_prompt: str, user_prompt: str, plan: Any, **fields: Any) -> Task:
    """A task whose id, family and difficulty the family and the env fill in.

    ``literals`` may name candidates freely: only those the user prompt really contains are
    kept, since a literal is a piece of the prompt that rewording must leave intact.
    """
    if "literals" in fields:
        fields["literals"] = tuple(
            dict.fromkeys(lit for lit in fields["literals"] if lit and lit in user_prompt)
        )
    return Task("", "", "", system_prompt, user_prompt, plan, **fields)
