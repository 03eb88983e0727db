"""Running untrusted code: a workspace, resource limits, namespaces where available.

``LocalSandbox`` (the default) runs processes on this machine under bubblewrap where it is
installed; ``DockerSandbox`` runs them in containers of a Docker engine, chosen explicitly:
pass it to a toolkit, or set ``TOOLGYM_SANDBOX=docker`` and ``TOOLGYM_DOCKER_IMAGE`` so every
toolkit's default sandbox (:func:`make_sandbox`) uses it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from toolgym.sandbox.base import (
    Execution,
    ExecutionError,
    RunResult,
    Sandbox,
    SandboxError,
    TestReport,
    Worker,
)
from toolgym.sandbox.docker import DockerSandbox
from toolgym.sandbox.limits import Limits
from toolgym.sandbox.local import NOBODY, LocalSandbox, SandboxWarning, bubblewrap_available
from toolgym.sandbox.workspace import Workspace, WorkspaceError

__all__ = [
    "NOBODY",
    "DockerSandbox",
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
    "make_sandbox",
]


def make_sandbox(
    limits: Limits | None = None, *, preload: Sequence[str] = (), backend: str | None = None
) -> Sandbox:
    """A sandbox of the chosen backend: ``"local"`` (default) or ``"docker"``.

    ``backend`` defaults to the ``TOOLGYM_SANDBOX`` environment variable; the docker backend
    takes its image from ``TOOLGYM_DOCKER_IMAGE`` and its engine from ``DOCKER_HOST``.
    """
    choice = backend or os.environ.get("TOOLGYM_SANDBOX", "local")
    if choice == "local":
        return LocalSandbox(limits, preload=preload)
    if choice == "docker":
        image = os.environ.get("TOOLGYM_DOCKER_IMAGE")
        if not image:
            raise SandboxError(
                "the docker sandbox needs an image: set TOOLGYM_DOCKER_IMAGE to an image with "
                "Python 3 (and pytest for the Codebase env)"
            )
        return DockerSandbox(image, limits, preload=preload)
    raise SandboxError(f"unknown sandbox backend {choice!r}; use 'local' or 'docker'")
