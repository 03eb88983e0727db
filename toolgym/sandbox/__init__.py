"""Running untrusted code: a workspace, resource limits, namespaces where available.

``LocalSandbox`` (the default) runs processes on this machine under bubblewrap where it is
installed; ``DockerSandbox`` runs them in containers of a Docker engine, chosen explicitly.
"""

from toolgym.sandbox.base import (
    Execution,
    ExecutionError,
    RunResult,
    Sandbox,
    SandboxError,
    TestReport,
    Worker,
)
from toolgym.sandbox.limits import Limits
from toolgym.sandbox.local import NOBODY, LocalSandbox, SandboxWarning, bubblewrap_available
from toolgym.sandbox.workspace import Workspace, WorkspaceError

__all__ = [
    "NOBODY",
    "Execution",
    "ExecutionError",
    "Limits",
    "LocalSandbox",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "SandboxWarning",
    "TestReport",
    "Worker",
    "Workspace",
    "WorkspaceError",
    "bubblewrap_available",
]
