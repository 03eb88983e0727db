"""A string-in, string-out rollout loop, as verifiers- and GEM-style trainers run one.

The model reads text and writes a completion; the env parses the completion in one tool-call
format (Hermes here), runs the calls and answers with text to append. The rollout is the
concatenation; only the completions are trained on, so each piece carries a loss-mask flag.
A scripted model stands in for the LLM: replace ``generate`` with your sampler.

Run: python examples/string_loop.py
"""

from __future__ import annotations

import gymnasium as gym

import toolgym

env = gym.make("toolgym/Retail-v0", format="hermes", faults="medium", max_turns=20)
stand_in = toolgym.TextAgent(toolgym.OracleAgent(env))  # writes completions as an LLM would


def generate(context: str, observation: str, info: dict) -> str:
    """Your model: sample a completion for ``context`` (the stand-in reads the env's info)."""
    return stand_in.act(observation, info)


def rollout(seed: int) -> tuple[list[tuple[str, bool]], float]:
    """One episode as (text, trained-on) pieces, and its reward."""
    prompt, info = env.reset(seed=seed)
    stand_in.reset(prompt, info)
    pieces = [(prompt, False)]
    observation, reward, done = prompt, 0.0, False
    while not done:
        context = "".join(text for text, _ in pieces)
        completion = generate(context, observation, info)
        observation, reward, terminated, truncated, info = env.step(completion)
        pieces += [(completion, True), (observation, False)]
        done = terminated or truncated
    return pieces, float(reward)


pieces, reward = rollout(seed=4)
trained = sum(len(text) for text, mask in pieces if mask)
total = sum(len(text) for text, _ in pieces)
print(
    f"one rollout: {len(pieces) // 2} completions, reward {reward}, {trained}/{total} chars trained"
)
print("".join(text for text, _ in pieces[:3])[-600:])

# A completion the parser cannot read is answered with an error the model reads, never raised.
prompt, info = env.reset(seed=5)
feedback, *_, info = env.step('<tool_call>{"name": "find_customer", "arguments": {')
print(info["parse_status"], feedback[:200])

rewards = [rollout(seed)[1] for seed in range(10, 20)]
print(f"mean reward over 10 tasks under faults 'medium': {sum(rewards) / len(rewards):.2f}")
env.close()
