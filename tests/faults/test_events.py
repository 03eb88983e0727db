"""World events: another actor changes what the task is about mid-episode; a careful agent
reads again and succeeds, one that acts on what it read before fails, and the checker follows
the new truth."""

from __future__ import annotations

import gymnasium as gym
import pytest

import toolgym
from toolgym.agents.oracle import OracleAgent
from toolgym.core.env import NOTICE_PREFIX

EVENTS = {"faults": [{"fault": "world_event"}]}
ENVS = ["toolgym/Retail-v0", "toolgym/Bank-v0", "toolgym/Calendar-v0", "toolgym/Filesystem-v0"]


class StaleAgent(OracleAgent):
    """The oracle, deaf to notifications: it acts on what it read before the change."""

    def _on_notice(self) -> bool:
        return False


def _happened(result: toolgym.EpisodeResult) -> bool:
    return any(e["detail"].startswith("happened") for e in result.faults)


@pytest.mark.parametrize("env_id", ENVS)
def test_a_careful_agent_reads_again_and_a_stale_one_fails(env_id: str) -> None:
    env = gym.make(env_id, faults=EVENTS)
    happened = 0
    for seed in range(30):
        careful = toolgym.run_episode(env, OracleAgent(env), seed=seed)
        assert careful.success, careful.task_id
        stale = toolgym.run_episode(env, StaleAgent(env), seed=seed)
        if _happened(stale):
            happened += 1
            assert not stale.success, stale.task_id
            notices = [m for m in stale.history if m.content.startswith(NOTICE_PREFIX)]
            assert len(notices) == 1 and notices[0].role == "user"
    env.close()
    assert happened >= 3, f"only {happened} events in 30 episodes"


def test_the_event_comes_before_any_write_and_reset_undoes_it() -> None:
    env = gym.make("toolgym/Retail-v0", faults=EVENTS)
    for seed in range(30):
        result = toolgym.run_episode(env, OracleAgent(env), seed=seed)
        if not _happened(result):
            continue
        episode = env.unwrapped.episode
        planned = next(e for e in result.faults if e["detail"].startswith("planned"))
        assert planned["step"] == 0 and planned["axis"] == "world"
        target = planned["target"]
        changed = dict(((t, k), a) for t, k, _, a in episode.world.changes_since(episode.start))
        assert ("orders", target) in changed or ("variants", target) in changed
        env.reset(seed=seed)
        clean = env.unwrapped.episode.world.toolkit("retail")
        assert target not in clean.orders or clean.orders[target] != changed.get(("orders", target))
        return
    pytest.fail("no event happened in 30 episodes")


def test_events_replay_identically() -> None:
    def run() -> list[object]:
        env = gym.make("toolgym/Bank-v0", faults=EVENTS)
        out = [toolgym.run_episode(env, OracleAgent(env), seed=s).faults for s in range(12)]
        env.close()
        return out

    first = run()
    assert first == run() and any(first)
