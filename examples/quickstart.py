"""Play one Retail episode by hand, then let the oracle and two baselines play.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import gymnasium as gym

import toolgym

env = gym.make("toolgym/Retail-v0", max_turns=30)
obs, info = env.reset(seed=7)
print("user:", obs)
print("tools:", [t["function"]["name"] for t in info["tools"]])

# Look the customer up by the email in the request, thinking first.
email = next(word for word in obs.replace(",", " ").split() if "@" in word).rstrip(".")
obs, reward, terminated, truncated, info = env.step(
    {
        "thinking": "The customer gave an email; find them before touching the order.",
        "tool_calls": [{"id": "c1", "name": "find_customer", "arguments": {"email": email}}],
    }
)
print(info["parse_status"], obs)

# A malformed call is an error the agent reads, never an exception.
obs, *_, info = env.step(
    {"tool_calls": [{"id": "c2", "name": "find_customr", "arguments": "{broken"}]}
)
print(info["parse_status"], obs)

for name, agent in [
    ("oracle", toolgym.OracleAgent(env)),
    ("no-tool", toolgym.NoToolAgent()),
    ("random", toolgym.RandomAgent(seed=0)),
]:
    wins = sum(toolgym.run_episode(env, agent, seed=s).success for s in range(50))
    print(f"{name:>8}: {wins}/50 tasks solved")
env.close()
