"""``toolgym generate``: oracle trajectories under fault plans, as chat-format JSONL for SFT.

Each task seed is played once by the oracle under one of the given fault plans (in turn), with
every assistant turn's thinking narrated (see :mod:`toolgym.evaluation.narration`): what it saw,
what went wrong, how it recovers, why it acts. Only solved episodes are written; episodes a
destructive fault made unsolvable, and any the oracle failed, are counted in the manifest.
Samples are deduplicated by task seed, also against what the output already holds, so a rerun
over an overlapping seed range adds only new tasks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.agents.oracle import OracleAgent
from toolgym.core.rollout import run_episode
from toolgym.envs.registry import env_ids
from toolgym.evaluation.episode import CLEAN, fault_plans, make_eval_env
from toolgym.evaluation.narration import Narrator
from toolgym.evaluation.store import cut_torn_tail, dump_record

__all__ = ["THINKING_STYLES", "GenerateConfig", "generate"]

THINKING_STYLES = ("field", "tags")
SAMPLES = "train.jsonl"
MANIFEST = "manifest.json"


@dataclass
class GenerateConfig:
    """What to generate.

    Args:
        envs: environment ids (``"all"`` for every one).
        faults: fault presets or plan files; task ``i`` of the range uses ``faults[i % n]``.
        episodes: task seeds per environment, ``seed .. seed + episodes - 1``.
        thinking: ``"field"`` puts thoughts in ``reasoning_content``; ``"tags"`` writes them
            as ``<think>...</think>`` at the start of the assistant's content.
    """

    envs: Sequence[str] = ("toolgym/Retail-v0",)
    faults: Sequence[str] = ("medium",)
    episodes: int = 100
    seed: int = 0
    max_turns: int = 30
    thinking: str = "field"
    plans: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.episodes, int) or self.episodes < 1:
            raise ValueError(f"episodes must be an int >= 1, got {self.episodes!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {self.seed!r}")
        if self.thinking not in THINKING_STYLES:
            raise ValueError(f"thinking must be one of {THINKING_STYLES}, got {self.thinking!r}")
        known = env_ids()
        envs = [e for env in self.envs for e in (known if env == "all" else [env])]
        for env in envs:
            if env not in known:
                raise ValueError(f"unknown env {env!r}; choose from {known} or 'all'")
        self.envs = list(dict.fromkeys(envs))
        if not self.faults:
            raise ValueError("faults is empty: name at least one preset (or 'none')")
        self.plans = fault_plans(self.faults)


def generate(
    config: GenerateConfig, out: str | Path, *, on_episode: Callable[[bool], None] | None = None
) -> dict[str, Any]:
    """Write ``out/train.jsonl`` (appending) and ``out/manifest.json``; returns the manifest.

    ``on_episode`` is called after each episode with whether it was written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / SAMPLES
    cut_torn_tail(path)
    seen = {(s["meta"]["env"], s["meta"]["task_seed"]) for s in _samples(path)}
    labels = list(config.plans)
    run = Counter[str]()
    with path.open("a", encoding="utf-8") as handle:
        for env_id in config.envs:
            envs = {
                label: make_eval_env(env_id, source, max_turns=config.max_turns)
                for label, source in config.plans.items()
            }
            for index in range(config.episodes):
                seed = config.seed + index
                label = labels[index % len(labels)]
                sample, outcome = _episode(envs[label], env_id, label, seed, config.thinking)
                run["attempted"] += 1
                if sample is not None and (env_id, sample["meta"]["task_seed"]) in seen:
                    outcome = "duplicates"
                run[outcome] += 1
                if outcome == "written":
                    assert sample is not None
                    seen.add((env_id, sample["meta"]["task_seed"]))
                    handle.write(dump_record(sample) + "\n")
                    handle.flush()
                if on_episode is not None:
                    on_episode(outcome == "written")
            for env in envs.values():
                env.close()
    manifest = {
        "envs": list(config.envs),
        "plans": {label: _describe_plan(source) for label, source in config.plans.items()},
        "seed_range": [config.seed, config.seed + config.episodes],
        "max_turns": config.max_turns,
        "thinking": config.thinking,
        "last_run": {
            key: run[key] for key in ("attempted", "written", "duplicates", "unsolvable", "failed")
        },
        "dataset": _counts(_samples(path)),
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


def _episode(
    env: Any, env_id: str, label: str, seed: int, thinking: str
) -> tuple[dict[str, Any] | None, str]:
    """One narrated oracle episode: ``(sample, "written")`` or ``(None, why not)``."""
    result = run_episode(env, Narrator(OracleAgent(env), seed), seed=seed)
    if not result.solvable:
        return None, "unsolvable"
    if not result.success:
        return None, "failed"
    messages = [_message(m.to_openai(), thinking) for m in result.history]
    sample = {
        "messages": messages,
        "tools": result.infos[0]["tools"],
        "meta": {
            "env": env_id,
            "task_id": result.task_id,
            "task_seed": int(result.task_id.rsplit("/", 1)[-1]),
            "seed": seed,
            "family": result.infos[0]["family"],
            "difficulty": result.infos[0]["difficulty"],
            "faults": label,
            "fault_events": result.faults,
            "turns": result.turns,
            "tool_calls": result.tool_calls,
        },
    }
    return sample, "written"


def _message(message: dict[str, Any], thinking: str) -> dict[str, Any]:
    if thinking == "tags" and message.get("reasoning_content"):
        thought = message.pop("reasoning_content")
        message["content"] = f"<think>\n{thought}\n</think>\n\n{message['content']}".rstrip()
    return message


def _samples(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _counts(samples: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the dataset on disk holds, by plan, env, family, difficulty and fault type."""
    metas = [s["meta"] for s in samples]
    faults = Counter(event.get("fault", "?") for m in metas for event in m["fault_events"])
    return {
        "samples": len(metas),
        "by_plan": dict(Counter(m["faults"] for m in metas)),
        "by_env": dict(Counter(m["env"] for m in metas)),
        "by_family": dict(Counter(m["family"] for m in metas)),
        "by_difficulty": dict(Counter(m["difficulty"] for m in metas)),
        "fault_events": dict(sorted(faults.items())),
        "with_faults": sum(bool(m["fault_events"]) for m in metas),
        "assistant_turns": sum(
            1 for s in samples for m in s["messages"] if m["role"] == "assistant"
        ),
    }


def _describe_plan(source: str) -> dict[str, Any]:
    """The plan as data for the manifest: every fault a preset or file configures."""
    if source == CLEAN:
        return {"name": CLEAN, "faults": []}
    from toolgym.faults import FaultPlan

    plan = FaultPlan.resolve(source)
    assert plan is not None
    return {"source": source, **plan.model_dump(mode="json")}
