"""Rollouts on a Ray cluster: the same episodes, the same records, more machines.

>>> from toolgym.distributed import RolloutPool, rollout_specs  # doctest: +SKIP
>>> with RolloutPool(Settings("oracle"), workers=4) as pool:  # doctest: +SKIP
...     records = pool.map(rollout_specs("toolgym/Retail-v0", range(100), faults="medium"))

Needs the ``ray`` extra: ``pip install 'toolgym[ray]'``. See ``docs/distributed.md``.
"""

from toolgym.distributed.pool import RolloutPool, rollout_specs

__all__ = ["RolloutPool", "rollout_specs"]
