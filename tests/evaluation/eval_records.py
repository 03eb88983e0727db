"""Hand-built episode records for metric and report tests (right answers known by design)."""

from __future__ import annotations

from typing import Any

ENV = "toolgym/Retail-v0"


def record(
    faults: str,
    seed: int,
    success: bool,
    *,
    trial: int = 0,
    env: str = ENV,
    events: list[dict[str, Any]] | None = None,
    solvable: bool = True,
    checks: dict[str, bool] | None = None,
    tool_calls: int = 2,
    tool_errors: int = 0,
    parse_status: list[list[str]] | None = None,
) -> dict[str, Any]:
    statuses = parse_status if parse_status is not None else [["ok"], ["ok"], []]
    return {
        "key": f"{env}|{faults}|{seed}|{trial}",
        "env": env,
        "agent": "test",
        "faults": faults,
        "seed": seed,
        "trial": trial,
        "success": success,
        "solvable": solvable,
        "turns": len(statuses),
        "tool_calls": tool_calls,
        "tool_errors": tool_errors,
        "parse_errors": sum(s != "ok" for step in statuses for s in step),
        "parse_status": statuses,
        "checks": checks if checks is not None else {"state": success},
        "fault_events": events or [],
    }


def event(fault: str, axis: str, step: int = 1) -> dict[str, Any]:
    return {"step": step, "fault": fault, "axis": axis, "target": "get_order", "detail": ""}


def faulted_records() -> list[dict[str, Any]]:
    """10 tasks, clean and under 'heavy': clean all succeed; under 'heavy' a transient error
    fires in tasks 0-3 and tasks 0-1 fail, a rename fires everywhere, and task 9 hits a
    destructive outage (unsolvable)."""
    records = []
    for seed in range(10):
        records.append(record("none", seed, True))
        events = [event("renamed_tool", "tools", 0)]
        if seed < 4:
            events.append(event("transient_error", "call"))
        if seed == 9:
            events.append(event("outage", "call"))
        records.append(
            record(
                "heavy",
                seed,
                seed >= 2 and seed != 9,
                events=events,
                solvable=seed != 9,
                tool_errors=int(seed < 4),
            )
        )
    for r in records:
        r["agent"] = "oracle"
    return records
