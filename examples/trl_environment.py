"""Train with TRL's GRPOTrainer on a toolgym env: ``environment_factory`` from the tool schemas.

``trl_environment`` makes a class with one typed, documented method per tool. TRL offers those
methods to the model as tools, calls ``reset(**row)`` before each rollout and
``get_reward()`` after it. TRL itself needs torch and a GPU to train, so this example plays a
rollout the way GRPOTrainer would, with a scripted model; the training call is at the end.

Run: python examples/trl_environment.py
"""

from __future__ import annotations

import inspect

import gymnasium as gym

import toolgym
from toolgym.adapters import task_rows, trl_environment

RetailEnvironment = trl_environment("toolgym/Retail-v0", faults="medium")
print("faults that change the toolset, left out:", ", ".join(RetailEnvironment.dropped_faults))

env = RetailEnvironment()  # what GRPOTrainer does: a zero-argument factory
tools = {
    name: method
    for name, method in inspect.getmembers(env, predicate=inspect.ismethod)
    if name not in ("reset", "get_reward") and not name.startswith("_")
}
print(f"{len(tools)} tools, e.g. list_orders{inspect.signature(tools['list_orders'])}")
print(inspect.getdoc(tools["list_orders"]))

# One rollout as the trainer runs it: reset with the dataset row, tool calls, reward.
rows = task_rows(range(100, 104))  # every generation of a row poses the same task
prompt = env.reset(**rows[0])
print(prompt.splitlines()[-3])

# The scripted model: the oracle's calls, played on a twin env, sent through the methods.
twin = gym.make("toolgym/Retail-v0", faults=RetailEnvironment.plan)
oracle = toolgym.OracleAgent(twin)
observation, info = twin.reset(seed=rows[0]["seed"])
oracle.reset(observation, info)
done = False
while not done:
    turn = oracle.act(observation, info)
    if turn.tool_calls:
        call = turn.tool_calls[0]
        tools[call.name](**call.arguments)  # how TRL calls a tool: keyword arguments
    else:
        print("submit_answer:", env.submit_answer(turn.content))
    observation, _, terminated, truncated, info = twin.step(turn)
    done = terminated or truncated
print("reward:", env.get_reward())

# With TRL installed (pip install trl; needs torch):
#
#   from datasets import Dataset
#   from trl import GRPOConfig, GRPOTrainer
#
#   trainer = GRPOTrainer(
#       model="Qwen/Qwen3-0.6B",
#       args=GRPOConfig(num_generations=8, max_completion_length=2048),
#       train_dataset=Dataset.from_list(task_rows(range(1000))),
#       environment_factory=RetailEnvironment,
#   )
#   trainer.train()
