"""The report's figures as PNG files, drawn with matplotlib's Agg backend (no display needed).

Each function returns the path it wrote, or ``None`` when the run has nothing to show in that
figure (no fault fired, say); the report then says so instead of embedding an empty chart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolgym.evaluation.metrics import Rate, Summary

__all__ = ["fault_heatmap", "success_by_axis", "success_by_preset"]

_CLEAN_COLOR = "#4c72b0"
_PERTURBED_COLOR = "#dd8452"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _errors(rates: list[Rate]) -> list[list[float]]:
    """Asymmetric error bars (below, above) from each rate's Wilson interval."""
    low, high = [], []
    for rate in rates:
        value = rate.value or 0.0
        lo, hi = rate.interval if rate.n else (value, value)
        low.append(max(0.0, value - lo))
        high.append(max(0.0, hi - value))
    return [low, high]


def _bars(ax: Any, labels: list[str], series: list[tuple[str, str, list[Rate]]]) -> None:
    """Grouped bars with 95% intervals and ``n`` under each group."""
    width = min(0.35, 0.8 / len(series))
    for index, (name, color, rates) in enumerate(series):
        xs = [i + (index - (len(series) - 1) / 2) * width for i in range(len(labels))]
        values = [rate.value or 0.0 for rate in rates]
        ax.bar(xs, values, width, label=name, color=color, yerr=_errors(rates), capsize=3)
    counts = [max(rates[i].n for _, _, rates in series) for i in range(len(labels))]
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels([f"{label}\nn={n}" for label, n in zip(labels, counts, strict=True)])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("success rate")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower right")


def success_by_axis(summary: Summary, path: Path) -> Path | None:
    """Clean-twin vs perturbed success for the episodes where each axis's faults fired."""
    if not summary.axes:
        return None
    plt = _pyplot()
    labels = list(summary.axes)
    gaps = [summary.axes[axis].paired.gap for axis in labels]
    fig, ax = plt.subplots(figsize=(max(5.0, 1.4 * len(labels) + 2), 4))
    _bars(
        ax,
        labels,
        [
            ("clean twin", _CLEAN_COLOR, [gap.clean for gap in gaps]),
            ("perturbed", _PERTURBED_COLOR, [gap.perturbed for gap in gaps]),
        ],
    )
    ax.set_title(f"{summary.agent}: success by fault axis (95% CI)")
    return _save(fig, plt, path)


def success_by_preset(summary: Summary, path: Path) -> Path | None:
    """Success under each preset, one group of bars per environment."""
    if not summary.groups:
        return None
    plt = _pyplot()
    envs = summary.envs
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3"]
    series = [
        (preset, palette[i % len(palette)], [summary.group(env, preset).success for env in envs])
        for i, preset in enumerate(summary.presets)
    ]
    labels = [env.removeprefix("toolgym/") for env in summary.envs]
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 * len(labels) * len(series) + 2), 4))
    _bars(ax, labels, series)
    ax.set_title(f"{summary.agent}: success by fault preset (95% CI)")
    return _save(fig, plt, path)


def fault_heatmap(summary: Summary, path: Path) -> Path | None:
    """Success when each fault type fired, per environment (blank: never fired there)."""
    if not summary.by_env_fault:
        return None
    plt = _pyplot()
    faults = list(summary.fault_types)
    envs = summary.envs
    grid: list[list[float]] = []
    for name in faults:
        row = []
        for env in envs:
            cell = summary.by_env_fault.get((env, name))
            value = cell.recovery.value if cell is not None else None
            row.append(float("nan") if value is None else value)
        grid.append(row)
    height = max(3.0, 0.35 * len(faults) + 1.5)
    fig, ax = plt.subplots(figsize=(max(4.5, 1.6 * len(envs) + 3.5), height))
    image = ax.imshow(grid, cmap="RdYlGn", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(envs)))
    ax.set_xticklabels([env.removeprefix("toolgym/") for env in envs])
    ax.set_yticks(range(len(faults)))
    ax.set_yticklabels([f"{name} ({summary.fault_types[name].axis})" for name in faults])
    for i, name in enumerate(faults):
        for j, env in enumerate(envs):
            cell = summary.by_env_fault.get((env, name))
            if cell is None:
                continue
            if cell.recovery.n:
                text = f"{cell.recovery.value:.0%}\nn={cell.recovery.n}"
            else:
                text = f"unsolvable\nn={cell.unsolvable}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="success when the fault fired")
    ax.set_title(f"{summary.agent}: fault type x environment")
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: Path) -> Path:
    fig.tight_layout()
    # No timestamps or software tags: the same records give the same bytes.
    fig.savefig(path, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path
