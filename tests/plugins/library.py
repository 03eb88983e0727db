"""A pytest plugin that adds one entry of each kind, as a user's package would: the env suite
of examples/custom_env.py, a fault type and a tool-call format. ``pytest -p
tests.plugins.library`` then runs the contract tests on each of them too."""

import os
import sys
from pathlib import Path
from typing import ClassVar

from pydantic import Field

import toolgym
from toolgym import formats
from toolgym.faults.responses import NoiseFields
from toolgym.formats.hermes import HermesFormat

# An installed package would be importable everywhere; this example is, once on the path of
# this process and of those it starts.
EXAMPLES = str(Path(__file__).resolve().parents[2] / "examples")
sys.path.insert(0, EXAMPLES)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [EXAMPLES, os.environ.get("PYTHONPATH")]))
toolgym.register_suite("Library", "custom_env:SUITE")


class ExtraNoiseFields(NoiseFields):
    """A fault type of one's own (here: more noise fields than ``noise_fields`` adds)."""

    name: ClassVar = "extra_noise_fields"

    count: int = Field(4, ge=1, le=5, description="How many noise fields to add.")


class PluginHermesFormat(HermesFormat):
    """A tool-call format of one's own (here: Hermes under another name)."""

    name = "plugin_hermes"


formats.register(PluginHermesFormat)
