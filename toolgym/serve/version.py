"""The version servers announce (read from the installed package, not ``toolgym.__version__``,
which would import the whole package from below)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["package_version"]


def package_version() -> str:
    try:
        return version("toolgym")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0"
