"""What a sandboxed process may consume: the numbers every backend enforces."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox.

    ``cpu_seconds``, ``memory_bytes`` (address space), ``processes``, ``file_size_bytes`` and
    ``open_files`` are kernel limits on each sandboxed process (``setrlimit``; cgroups in the
    docker backend). ``timeout_seconds`` is wall-clock time per run, after which everything the
    run started is killed; ``output_bytes`` caps the captured stdout and stderr of a run;
    ``disk_bytes`` caps what the workspace may hold.

    >>> Limits(timeout_seconds=2).timeout_seconds
    2
    """

    cpu_seconds: int = 60
    memory_bytes: int = 1 << 30
    processes: int = 64
    file_size_bytes: int = 64 << 20
    open_files: int = 256
    disk_bytes: int = 256 << 20
    timeout_seconds: float = 30.0
    output_bytes: int = 32 << 10

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"Limits.{spec.name} must be a positive number, got {value!r}")
        if self.processes < 8:
            raise ValueError(
                f"Limits.processes must be at least 8 (the sandbox itself needs a few), "
                f"got {self.processes}"
            )
        if self.memory_bytes < 64 << 20:
            raise ValueError(
                f"Limits.memory_bytes must be at least 64 MiB for Python to start, "
                f"got {self.memory_bytes}"
            )
