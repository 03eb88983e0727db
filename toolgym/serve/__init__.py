"""Serve an environment over the Model Context Protocol or as an OpenEnv server
(``toolgym serve``), one isolated episode per client.

The servers need the ``mcp`` or ``openenv`` extra. See ``docs/scale.md``.
"""

from toolgym.serve.session import CallReply, TaskSession, TaskStart

__all__ = ["CallReply", "TaskSession", "TaskStart"]
