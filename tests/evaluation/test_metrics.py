"""Metrics on hand-built records whose right answers are known."""

from __future__ import annotations

import math

import pytest

from toolgym.evaluation.metrics import INJECTION_CHECK, pass_hat_k, summarize, wilson_interval

from .eval_records import ENV, event, record


def test_wilson_interval_matches_the_closed_form() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0


def test_pass_hat_k_is_taubench_combinatorial_estimate() -> None:
    # One task with 3 of 4 trials passing: pass^1 = 3/4, pass^2 = C(3,2)/C(4,2) = 1/2,
    # pass^3 = 1/4, pass^4 = 0.
    tasks = [[True, True, True, False]]
    assert [pass_hat_k(tasks, k) for k in (1, 2, 3, 4)] == [0.75, 0.5, 0.25, 0.0]
    # Averaged over tasks; tasks with fewer than k trials are left out.
    assert pass_hat_k([[True, True], [False, True], [True]], 2) == pytest.approx(0.5)
    assert pass_hat_k([[True]], 2) is None


def test_gap_is_paired_on_clean_twins() -> None:
    records = []
    for seed in range(10):
        records.append(record("none", seed, True))
        fired = [event("transient_error", "call")] if seed < 4 else []
        records.append(record("heavy", seed, seed >= 2, events=fired))
    summary = summarize(records)
    clean, heavy = summary.group(ENV, "none"), summary.group(ENV, "heavy")
    assert clean.success.value == 1.0 and heavy.success.value == 0.8
    gap = heavy.paired.gap
    assert gap.n == 10 and gap.value == pytest.approx(0.2)
    low, high = gap.interval
    assert low < 0.2 < high
    assert summary.presets == ["none", "heavy"]
    # Per fault type and axis: only the episodes where it fired.
    fault = summary.fault_types["transient_error"]
    assert (fault.fired, fault.axis) == (4, "call")
    assert fault.recovery.successes == 2 and fault.recovery.n == 4
    assert fault.paired.gap.value == pytest.approx(0.5)
    assert summary.axes["call"].paired.gap.value == pytest.approx(0.5)


def test_unsolvable_episodes_are_counted_apart() -> None:
    records = [
        record("none", 0, True),
        record("none", 1, True),
        record("heavy", 0, False, solvable=False, events=[event("outage", "call")]),
        record("heavy", 1, True, events=[event("outage", "call")]),
    ]
    summary = summarize(records)
    heavy = summary.group(ENV, "heavy")
    assert heavy.episodes == 2 and heavy.unsolvable == 1
    assert heavy.success.n == 1 and heavy.success.value == 1.0
    assert heavy.paired.gap.n == 1 and heavy.paired.gap.value == 0.0
    outage = summary.fault_types["outage"]
    assert outage.unsolvable == 1 and outage.recovery.n == 1


def test_attack_success_rate_reads_the_injection_check() -> None:
    records = [record("none", s, True) for s in range(4)]
    for seed, obeyed in enumerate([True, False, False, False]):
        checks = {"state": not obeyed, INJECTION_CHECK: not obeyed}
        records.append(
            record(
                "injection",
                seed,
                not obeyed,
                checks=checks,
                events=[event("injected_instruction", "result")],
            )
        )
    summary = summarize(records)
    group = summary.group(ENV, "injection")
    assert group.injected == 4 and group.attack_success.value == 0.25
    assert summary.group(ENV, "none").injected == 0


def test_error_rates_and_effort() -> None:
    records = [
        record(
            "none",
            0,
            True,
            tool_calls=4,
            tool_errors=1,
            parse_status=[["ok", "invalid_json"], ["ok", "ok"], []],
        ),
        record("none", 1, False, tool_calls=0, parse_status=[["invalid_action"]]),
    ]
    group = summarize(records).group(ENV, "none")
    assert group.tool_error_rate.value == 0.25
    # Calls, plus one action per turn without calls: 2 + 2 + 1 + 1 = 6, of which 2 failed.
    assert group.parse_error_rate.successes == 2 and group.parse_error_rate.n == 6
    assert group.per_episode(group.turns) == 2.0


def test_pass_k_in_groups_uses_trials_per_task() -> None:
    records = [
        record("none", seed, ok, trial=trial)
        for seed, outcomes in enumerate([[True, True], [True, False]])
        for trial, ok in enumerate(outcomes)
    ]
    group = summarize(records).group(ENV, "none")
    assert group.max_trials == 2
    assert group.pass_k(1) == 0.75 and group.pass_k(2) == 0.5


def test_unpaired_perturbed_episodes_are_flagged() -> None:
    summary = summarize([record("heavy", 0, True, events=[event("x", "tools")])])
    assert summary.unpaired == 1
    assert summary.group(ENV, "heavy").paired.gap.n == 0
    assert math.isclose(summary.group(ENV, "heavy").success.value or 0, 1.0)


def test_per_env_fault_cells_for_the_heatmap() -> None:
    other = "toolgym/Other-v0"
    records = [
        record("none", 0, True),
        record("heavy", 0, False, events=[event("rename", "tools")]),
        record("none", 0, True, env=other),
        record("heavy", 0, True, env=other, events=[event("rename", "tools")]),
    ]
    summary = summarize(records)
    assert summary.envs == [ENV, other]
    assert summary.by_env_fault[(ENV, "rename")].recovery.value == 0.0
    assert summary.by_env_fault[(other, "rename")].recovery.value == 1.0
    assert summary.totals["heavy"].success.value == 0.5
