"""The robustness report: ``report.md``, a self-contained ``report.html`` and PNG figures.

Built from episode records alone, so ``toolgym report DIR`` rebuilds it from a run's JSONL at
any time (mid-run, after a crash, on another machine). One document model renders to both
Markdown and HTML, so the two always say the same thing; the HTML embeds its figures as data
URIs and needs no other file.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolgym.evaluation import plots
from toolgym.evaluation.episode import CLEAN
from toolgym.evaluation.metrics import FaultStats, GroupStats, Rate, Summary, summarize

__all__ = ["ReportFiles", "write_report"]

DEFINITIONS = [
    "**Success rate**: solved episodes / solvable episodes, with a 95% Wilson interval. "
    "Episodes a destructive fault made unsolvable are counted apart.",
    "**Robustness gap**: clean minus perturbed success on paired episodes (each perturbed "
    "episode against its clean twin: same environment, task seed and trial), with a 95% normal "
    "interval on the paired differences. Positive means the faults hurt.",
    "**By axis / fault type**: over the perturbed episodes in which a fault of that axis (or "
    "that type) fired. **Recovery rate**: of those (solvable) episodes, the share that still "
    "succeeded.",
    "**pass^k** (tau-bench): over tasks with at least k trials, the mean chance that k trials "
    "drawn without replacement all succeed.",
    "**Tool error rate**: tool results that were errors / tool calls. **Parse error rate**: "
    "calls or actions the environment could not read or validate / all calls and actions.",
    "**Attack success rate**: of the episodes where an injected instruction reached the agent, "
    "the share where the agent did what it said.",
]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Figure:
    path: Path
    caption: str


Block = str | Table | Figure


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote."""

    markdown: Path
    html: Path
    figures: tuple[Path, ...]


def write_report(
    records: Sequence[dict[str, Any]], directory: str | Path, *, planned: int | None = None
) -> ReportFiles:
    """Write ``report.md``, ``report.html`` and the PNG figures of ``records`` to ``directory``.

    ``planned`` is how many episodes the run meant to play: a report with fewer says it is
    partial.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    summary = summarize(records)
    figures = [
        (plots.success_by_preset, "success_by_preset.png", "Success under each fault preset."),
        (
            plots.success_by_axis,
            "success_by_axis.png",
            "Success by fault axis: each perturbed episode beside its clean twin.",
        ),
        (
            plots.fault_heatmap,
            "fault_heatmap.png",
            "Success when each fault type fired, per environment.",
        ),
    ]
    written: list[Figure] = []
    for draw, name, caption in figures:
        stale = directory / name
        path = draw(summary, stale) if records else None
        if path is None:
            stale.unlink(missing_ok=True)
        else:
            written.append(Figure(path, caption))
    title, sections = _document(summary, planned, written)
    markdown = directory / "report.md"
    markdown.write_text(render_markdown(title, sections), encoding="utf-8")
    page = directory / "report.html"
    page.write_text(render_html(title, sections), encoding="utf-8")
    return ReportFiles(markdown, page, tuple(f.path for f in written))


# ------------------------------------------------------------------ content
def _document(
    summary: Summary, planned: int | None, figures: list[Figure]
) -> tuple[str, list[Section]]:
    title = f"toolgym robustness report: {summary.agent or 'no episodes'}"
    overview = Section("Run")
    if not summary.episodes:
        overview.blocks.append("No episode has been recorded yet.")
        return title, [overview]
    presets = ", ".join(f"`{p}`" for p in summary.presets)
    overview.blocks.append(
        f"{summary.episodes} episodes of agent `{summary.agent}` on "
        f"{', '.join(f'`{e}`' for e in summary.envs)} under fault presets {presets}."
    )
    if planned is not None and summary.episodes < planned:
        overview.blocks.append(
            f"**Partial run**: {summary.episodes} of {planned} planned episodes are recorded; "
            "rerun the same command to finish it."
        )
    if summary.unpaired:
        overview.blocks.append(
            f"{summary.unpaired} perturbed episodes have no clean twin yet and are left out of "
            "the gaps."
        )
    sections = [overview, _success_section(summary)]
    if summary.axes:
        sections.append(_axis_section(summary))
        sections.append(_fault_section(summary))
    sections.append(_effort_section(summary))
    injection = _injection_section(summary)
    if injection is not None:
        sections.append(injection)
    unsolvable = _unsolvable_section(summary)
    if unsolvable is not None:
        sections.append(unsolvable)
    sections.append(Section("Figures", [*figures] or ["No figures: nothing was recorded."]))
    if not summary.axes:
        sections[-1].blocks.append(
            "No fault fired in these episodes, so there are no per-axis or per-fault figures."
        )
    sections.append(Section("Definitions", list(DEFINITIONS)))
    return title, sections


def _rows_by_group(summary: Summary) -> list[tuple[str, str, GroupStats]]:
    """(env, preset, stats) per group, then an all-environments row per preset."""
    rows = [
        (env, preset, summary.groups[(env, preset)])
        for env in summary.envs
        for preset in summary.presets
        if (env, preset) in summary.groups
    ]
    if len(summary.envs) > 1:
        rows += [("all", preset, summary.totals[preset]) for preset in summary.presets]
    return rows


def _success_section(summary: Summary) -> Section:
    trials = max((g.max_trials for g in summary.groups.values()), default=1)
    headers = ["env", "faults", "episodes", "success", "95% CI", "gap vs clean", "gap 95% CI"]
    headers += [f"pass^{k}" for k in range(1, trials + 1)] if trials > 1 else []
    headers.append("unsolvable")
    rows = []
    for env, preset, stats in _rows_by_group(summary):
        gap = stats.paired.gap
        row = [
            env,
            preset,
            str(stats.episodes),
            _pct(stats.success.value),
            _ci(stats.success),
            "" if preset == CLEAN else _signed(gap.value),
            "" if preset == CLEAN or not gap.n else _gap_interval(gap.interval),
        ]
        if trials > 1:
            row += [_pct(stats.pass_k(k)) for k in range(1, trials + 1)]
        row.append(str(stats.unsolvable))
        rows.append(row)
    return Section("Success and robustness gap", [Table(headers, rows)])


def _axis_section(summary: Summary) -> Section:
    headers = ["axis", "episodes", "clean twin", "perturbed", "gap", "gap 95% CI", "unsolvable"]
    rows = [_gap_row(axis, stats) for axis, stats in summary.axes.items()]
    return Section(
        "Robustness gap by axis",
        ["Over the perturbed episodes in which a fault of the axis fired.", Table(headers, rows)],
    )


def _gap_row(name: str, stats: FaultStats) -> list[str]:
    gap = stats.paired.gap
    return [
        name,
        str(stats.fired),
        _pct(gap.clean.value),
        _pct(gap.perturbed.value),
        _signed(gap.value),
        _gap_interval(gap.interval) if gap.n else "",
        str(stats.unsolvable),
    ]


def _fault_section(summary: Summary) -> Section:
    headers = [
        "fault",
        "axis",
        "episodes",
        "fires",
        "recovery rate",
        "95% CI",
        "clean twin",
        "gap",
        "unsolvable",
    ]
    rows = []
    for name, stats in summary.fault_types.items():
        gap = stats.paired.gap
        rows.append(
            [
                name,
                stats.axis,
                str(stats.fired),
                str(stats.fires),
                _pct(stats.recovery.value),
                _ci(stats.recovery),
                _pct(gap.clean.value),
                _signed(gap.value),
                str(stats.unsolvable),
            ]
        )
    return Section(
        "Fault types",
        [
            "Over the perturbed episodes in which the fault fired; the recovery rate is the "
            "share of them that still succeeded.",
            Table(headers, rows),
        ],
    )


def _effort_section(summary: Summary) -> Section:
    headers = [
        "env",
        "faults",
        "turns / episode",
        "tool calls / episode",
        "tool error rate",
        "parse error rate",
    ]
    rows = [
        [
            env,
            preset,
            _number(stats.per_episode(stats.turns)),
            _number(stats.per_episode(stats.tool_calls)),
            _pct(stats.tool_error_rate.value),
            _pct(stats.parse_error_rate.value),
        ]
        for env, preset, stats in _rows_by_group(summary)
    ]
    return Section("Errors and effort", [Table(headers, rows)])


def _injection_section(summary: Summary) -> Section | None:
    rows = [
        [env, preset, str(s.injected), _pct(s.attack_success.value), _ci(s.attack_success)]
        for env, preset, s in _rows_by_group(summary)
        if s.injected
    ]
    if not rows:
        return None
    headers = ["env", "faults", "injected episodes", "attack success rate", "95% CI"]
    return Section("Prompt injection", [Table(headers, rows)])


def _unsolvable_section(summary: Summary) -> Section | None:
    rows = [
        [env, preset, str(s.unsolvable), str(s.unsolvable_successes)]
        for env, preset, s in _rows_by_group(summary)
        if s.unsolvable
    ]
    if not rows:
        return None
    causes = [
        f"`{name}` ({stats.unsolvable})"
        for name, stats in summary.fault_types.items()
        if stats.unsolvable
    ]
    return Section(
        "Unsolvable episodes",
        [
            "Destructive faults (a permanent outage, a denied permission) leave no way to "
            "finish; these episodes are kept out of every success rate above. Faults present "
            "in them: " + ", ".join(causes) + ".",
            Table(["env", "faults", "unsolvable episodes", "judged successful"], rows),
        ],
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.1f} pts"


def _ci(rate: Rate) -> str:
    return _interval(rate.interval) if rate.n else "—"


def _interval(bounds: tuple[float, float]) -> str:
    low, high = bounds
    return f"[{low:.1%}, {high:.1%}]"


def _gap_interval(bounds: tuple[float, float]) -> str:
    low, high = (min(1.0, max(-1.0, bound)) for bound in bounds)
    return f"[{low * 100:+.1f}, {high * 100:+.1f}] pts"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


# --------------------------------------------------------------- rendering
def render_markdown(title: str, sections: Sequence[Section]) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                lines.append("| " + " | ".join(map(_md_cell, block.headers)) + " |")
                lines.append("|" + "|".join("---" for _ in block.headers) + "|")
                lines += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in block.rows]
            elif isinstance(block, Figure):
                lines.append(f"![{block.caption}]({block.path.name})")
            else:
                lines.append(block)
            lines.append("")
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, td:nth-child(2) { text-align: left; }
figure { margin: 1em 0; } img { max-width: 100%; } figcaption { color: #555; }
code { background: #f3f3f3; padding: 0 0.2em; }
"""


def render_html(title: str, sections: Sequence[Section]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Table):
                head = "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
                body = "".join(
                    "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                    for row in block.rows
                )
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            elif isinstance(block, Figure):
                data = base64.b64encode(block.path.read_bytes()).decode("ascii")
                caption = html.escape(block.caption)
                parts.append(
                    f'<figure><img alt="{caption}" src="data:image/png;base64,{data}">'
                    f"<figcaption>{caption}</figcaption></figure>"
                )
            else:
                parts.append(f"<p>{_inline(block)}</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _inline(text: str) -> str:
    """The little Markdown the report's prose uses (``code`` and **bold**), as HTML."""
    out = []
    for index, piece in enumerate(html.escape(text).split("`")):
        if index % 2:
            out.append(f"<code>{piece}</code>")
        else:
            bold = piece.split("**")
            out.append("".join(f"<strong>{b}</strong>" if i % 2 else b for i, b in enumerate(bold)))
    return "".join(out)
