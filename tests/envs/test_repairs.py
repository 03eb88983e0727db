"""The oracle's repair toolbox: the right fix is among a few candidates derived from the text."""

from __future__ import annotations

import numpy as np
import pytest

from toolgym.envs import repairs
from toolgym.envs.bugs import CATALOGUE
from toolgym.envs.codebase import build_project


@pytest.mark.parametrize("function", [f.name for f in CATALOGUE])
def test_the_fix_is_among_a_few_candidates_of_the_bugs_kind(function: str) -> None:
    entry = next(f for f in CATALOGUE if f.name == function)
    for seed in range(4):
        project = build_project(np.random.default_rng(seed), entry.bug.kind, "hard", function)
        source = project.files[project.module_path].decode()
        span = repairs.function_span(source, function)
        assert span is not None
        edits = repairs.candidates(entry.bug.kind, source[span[0] : span[1]], source)
        assert 0 < len(edits) <= 80
        reference = project.reference[entry.module]
        head, function_text, tail = source[: span[0]], source[span[0] : span[1]], source[span[1] :]
        fixes = [e for e in edits if head + repairs.apply(function_text, e) + tail == reference]
        assert fixes, seed
        old, new = repairs.changed_lines(source, span, fixes[0])
        assert source.count(old) == 1 and source.replace(old, new) == reference


def test_the_scripts_report_after_their_mark() -> None:
    assert repairs.result_of('noise\nREPAIR-RESULT {"fix": 2}\n') == {"fix": 2}
    assert repairs.result_of("nothing") is None
    assert repairs.called_names("x = g(f(1))\nf(2)\nh.y(3)") == ["g", "f"]
    script = repairs.tests_script("pkg", ["tests/test_a.py"])
    compile(script, "tests_script", "exec")
