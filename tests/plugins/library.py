"""A pytest plugin that registers examples/custom_env.py's suite, as a user's package would:
``pytest -p tests.plugins.library`` then runs every contract test on toolgym/Library-v0 too."""

import os
import sys
from pathlib import Path

import toolgym

# An installed package would be importable everywhere; this example is, once on the path of
# this process and of those it starts.
EXAMPLES = str(Path(__file__).resolve().parents[2] / "examples")
sys.path.insert(0, EXAMPLES)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [EXAMPLES, os.environ.get("PYTHONPATH")]))
toolgym.register_suite("Library", "custom_env:SUITE")
