"""Serve an environment over the Model Context Protocol (``toolgym serve``).

Needs the ``mcp`` extra: ``pip install 'toolgym[mcp]'``. See ``docs/serve.md``.
"""

from toolgym.serve.session import CallReply, TaskSession, TaskStart

__all__ = ["CallReply", "TaskSession", "TaskStart"]
