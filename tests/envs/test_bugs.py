"""The bug catalogue: hidden inputs that always catch the bug (and only it), reproductions that
fail before the fix and pass after, on every draw of the project's constants.

These run the catalogue's own generated code here, in the test process: it is our trusted
source, the same the checker runs outside the sandbox as the reference.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from toolgym.envs.bugs import CATALOGUE
from toolgym.envs.codebase import build_project, hidden_calls, reference_outcomes
from toolgym.sandbox import harness

SEEDS = range(25)


def planted(project) -> dict[str, str]:
    """The project's modules as shipped (the bug in place)."""
    return {m: project.files[f"{project.package}/{m}.py"].decode() for m in project.reference}


@pytest.mark.parametrize("function", [f.name for f in CATALOGUE])
def test_hidden_inputs_catch_the_bug_in_its_function_only(function: str) -> None:
    entry = next(f for f in CATALOGUE if f.name == function)
    for seed in SEEDS:
        project = build_project(np.random.default_rng(seed), entry.bug.kind, "hard", function)
        calls = hidden_calls(project, seed)
        assert {c[1] for c in calls} >= {function}, "every function is called"
        want = reference_outcomes(project, calls)
        got = reference_outcomes(dataclasses.replace(project, reference=planted(project)), calls)
        wrong = {c[1] for c, w, g in zip(calls, want, got, strict=True) if not harness.same(w, g)}
        assert wrong == {function}, (seed, wrong)
        assert hidden_calls(project, seed) == calls  # a pure function of the seed


def test_hidden_inputs_do_not_repeat_the_visible_tests_literally() -> None:
    """The bug's edge comes with fresh companions on each seed, so answers copied from the
    shipped tests cannot pass it."""
    project = build_project(np.random.default_rng(0), "wrong_operator", "easy", "bulk_price")
    first, second = hidden_calls(project, 1), hidden_calls(project, 2)
    assert first != second
    assert [1.0, project.constants["bulk_min"]] not in [c[2] for c in first]


@pytest.mark.parametrize("function", [f.name for f in CATALOGUE])
def test_the_reproduction_fails_on_the_bug_and_passes_on_the_fix(function: str) -> None:
    entry = next(f for f in CATALOGUE if f.name == function)
    for seed in range(5):
        project = build_project(np.random.default_rng(seed), entry.bug.kind, "hard", function)
        for sources, fails in ((planted(project), True), (project.reference, False)):
            namespace: dict = {}
            exec(compile(sources[entry.module], "module", "exec"), namespace)
            try:
                exec(compile(project.reproduction, "reproduction", "exec"), namespace)
            except Exception:
                failed = True
            else:
                failed = False
            assert failed is fails, (seed, fails)


def test_the_catalogue_defines_inputs_for_every_function() -> None:
    rng = np.random.default_rng(0)
    constants = {"bulk_min": 5, "max_score": 10}
    for entry in CATALOGUE:
        names = {line.split("(")[0][4:] for line in entry.source.splitlines() if line[:4] == "def "}
        assert set(entry.inputs(rng, constants)) == names, entry.name
