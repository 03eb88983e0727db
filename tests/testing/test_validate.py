"""``toolgym validate``: the sensitivity matrix, and the claim it is for: every fault type's
probe loses on it and the oracle does not."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest

from toolgym.cli import main
from toolgym.testing import validate as validate_module
from toolgym.testing.probes import FAULT_PROBES, PROBES
from toolgym.testing.validate import Cell, ValidateConfig, is_sandboxed, planned_cells, validate

BAR = 0.20
"""How much a fault's probe must lose (in rate, from its clean rate) for the fault to count."""

SEEDS = 10

# (env, fault) pairs whose probe loses less than BAR at p=1 over seeds 0-9 on this branch,
# though the fault fires: measured, reported to the lead, to be tightened as faults bite harder.
# Every other pair where the fault fires must reach BAR; the oracle must lose nothing on any.
# The sandboxed envs (Python, Codebase, Workspace) are left to `toolgym validate --env ...`:
# five seeds of Codebase alone take minutes here.
BELOW_BAR: dict[str, set[str]] = {
    "toolgym/Retail-v0": {"changed_types", "date_format", "id_format", "split_request"},
    "toolgym/Bank-v0": {"id_format", "near_duplicate_records"},
    "toolgym/Calendar-v0": {"id_format", "near_duplicate_records"},
    "toolgym/Filesystem-v0": {"stale_value"},
    "toolgym/Search-v0": {"pagination", "split_request"},
    "toolgym/Web-v0": {"date_format", "near_duplicate_records", "split_request",
                       "synonym_tool_names"},
}  # fmt: skip


def test_module_doctests() -> None:
    assert doctest.testmod(validate_module).failed == 0


def test_a_cell_reports_its_drop_and_interval() -> None:
    cell = Cell(successes=3, n=10, clean=0.9, fired=10)
    assert cell.rate == 0.3 and round(cell.drop, 6) == 0.6
    low, high = cell.interval
    assert low < 0.3 < high
    assert cell.as_dict()["drop"] == 0.6 and cell.as_dict()["fired"] == 10


def test_settings_are_checked_before_anything_runs() -> None:
    with pytest.raises(ValueError, match="unknown env"):
        ValidateConfig("toolgym/Nope-v0")
    with pytest.raises(ValueError, match="Did you mean 'pagination'"):
        ValidateConfig("toolgym/Retail-v0", faults=["paginaton"])
    with pytest.raises(ValueError, match="seeds"):
        ValidateConfig("toolgym/Retail-v0", seeds=0)
    with pytest.raises(ValueError, match="unknown probe"):
        ValidateConfig("toolgym/Retail-v0", agents=["careless"])
    config = ValidateConfig("toolgym/Retail-v0", faults=["timeout"], agents=["no_retry"])
    assert config.agents == ["oracle", "no_retry"]
    assert config.columns[:2] == ["none", "timeout"] and config.columns[-1] == "axis:scaffold"


def test_a_diagonal_run_plays_each_fault_with_its_probe_only() -> None:
    config = ValidateConfig(
        "toolgym/Retail-v0", seeds=2, faults=["timeout", "typos"], axes=False, diagonal=True
    )
    matrix = validate(config)
    assert planned_cells(config) == len(PROBES) + 2 + 1
    assert set(matrix.cells["no_retry"]) == {"none", "timeout"}
    assert set(matrix.cells["oracle"]) == {"none", "timeout", "typos"}
    assert matrix.cell("no_retry", "timeout").fired == 2


def test_only_the_sandboxed_envs_are_left_out_by_default() -> None:
    assert is_sandboxed("toolgym/Python-v0") and not is_sandboxed("toolgym/Retail-v0")


def test_the_cli_writes_the_matrix_as_json_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sensitivity" / "retail.json"
    code = main(["validate", "--env", "toolgym/Retail-v0", "--seeds", "2", "--faults",
                 "transient_error,yaml_rendering", "--faults", "typos", "--out", str(out),
                 "--no-progress", "--width", "200"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "transient_error" in printed and "no_retry" in printed
    (data,) = json.loads(out.read_text())
    assert data["env"] == "toolgym/Retail-v0" and data["seeds"] == [0, 1]
    assert data["columns"][:4] == ["none", "transient_error", "yaml_rendering", "typos"]
    assert "axis:errors" in data["columns"] and "typos" in data["unmeasured"]
    assert data["probe_for"] == {"transient_error": "no_retry", "yaml_rendering": "strict_parser"}
    cells = data["cells"]
    assert set(cells) == set(PROBES)
    assert cells["no_retry"]["transient_error"]["rate"] == 0.0
    assert cells["oracle"]["transient_error"]["rate"] == 1.0
    assert cells["strict_parser"]["yaml_rendering"]["drop"] == 1.0
    markdown = out.with_suffix(".md").read_text()
    assert "| `transient_error` | `no_retry` | 100% | 0% (0%-66%) | -100 | 0 |" in markdown
    assert "| `typos` | unmeasured |" in markdown


def test_the_cli_refuses_an_unknown_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--env", "toolgym/Retail-v0", "--faults", "nope"]) == 2
    assert "unknown fault 'nope'" in capsys.readouterr().out


def _check_sensitivity(env_id: str) -> None:
    config = ValidateConfig(
        env_id, seeds=SEEDS, faults=list(FAULT_PROBES), axes=False, diagonal=True
    )
    matrix = validate(config)
    assert {a: matrix.cell(a, "none").rate for a in PROBES} == dict.fromkeys(PROBES, 1.0)
    oracle_lost = {f: matrix.cell("oracle", f).drop for f in FAULT_PROBES}
    assert {f: d for f, d in oracle_lost.items() if d > 0} == {}
    measured = {
        fault: matrix.cell(probe, fault)
        for fault, probe in FAULT_PROBES.items()
        if matrix.cell(probe, fault).fired
    }
    weak = {f for f, cell in measured.items() if round(cell.drop, 9) < BAR}
    expected_weak = BELOW_BAR.get(env_id, set()) & set(measured)
    assert weak <= expected_weak, f"now below {BAR:.0%}: {sorted(weak - expected_weak)}"


def test_every_fault_defeats_its_probe_and_spares_the_oracle_on_retail() -> None:
    _check_sensitivity("toolgym/Retail-v0")


@pytest.mark.slow
@pytest.mark.parametrize("env_id", sorted(set(BELOW_BAR) - {"toolgym/Retail-v0"}))
def test_every_fault_defeats_its_probe_and_spares_the_oracle(env_id: str) -> None:
    _check_sensitivity(env_id)
