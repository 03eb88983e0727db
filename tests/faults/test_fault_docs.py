"""docs/faults.md is what scripts/gen_fault_docs.py writes: never edited by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_catalogue_matches_the_generator() -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_fault_docs", ROOT / "scripts/gen_fault_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.generate()
    committed = (ROOT / "docs" / "faults.md").read_text(encoding="utf-8")
    assert committed == expected, "run: python scripts/gen_fault_docs.py"
    from toolgym.faults import names

    for name in names():
        assert f"| `{name}` |" in committed
