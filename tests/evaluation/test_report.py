"""The report: the right figures in Markdown and HTML, real PNG plots, HTML that stands alone."""

from __future__ import annotations

import base64
import io
import struct
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

from toolgym.evaluation import write_report

from .eval_records import faulted_records

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def assert_drawn_png(data: bytes) -> None:
    """A PNG that decodes to a real picture: sized, and not one flat colour."""
    import matplotlib.image

    width, height = png_size(data)
    assert width > 200 and height > 150
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (height, width)
    rgb = (pixels[..., :3] * 255).astype(np.uint32)
    assert len(np.unique(rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2])) > 10


class Page(HTMLParser):
    """Collects what a report page shows: headings, table cells, images."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.headings: list[str] = []
        self.cells: list[str] = []
        self._in: str | None = None
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.stack.append(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag in ("h1", "h2", "td", "th"):
            self._in = tag
            (self.headings if tag.startswith("h") else self.cells).append("")

    def handle_endtag(self, tag) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data) -> None:
        if self._in:
            target = self.headings if self._in.startswith("h") else self.cells
            target[-1] += data


def test_report_holds_the_figures_of_a_known_run(tmp_path: Path) -> None:
    files = write_report(faulted_records(), tmp_path, planned=40)
    markdown = files.markdown.read_text()
    # 10 tasks; clean 100%; under 'heavy' the 4 episodes where transient_error fired lost 2.
    assert "| toolgym/Retail-v0 | none | 10 | 100.0% | [72.2%, 100.0%] |" in markdown
    assert "| toolgym/Retail-v0 | heavy | 10 | 77.8% |" in markdown
    assert "+22.2 pts" in markdown
    assert "| transient_error | call | 4 | 4 | 50.0% |" in markdown
    assert "| call | 5 | 100.0% | 50.0% | +50.0 pts |" in markdown
    assert "**Partial run**: 20 of 40 planned episodes" in markdown
    assert "Unsolvable episodes" in markdown and "`outage` (1)" in markdown
    for figure in files.figures:
        assert f"]({figure.name})" in markdown


def test_plots_are_non_empty_png_images(tmp_path: Path) -> None:
    files = write_report(faulted_records(), tmp_path)
    names = sorted(path.name for path in files.figures)
    assert names == ["fault_heatmap.png", "success_by_axis.png", "success_by_preset.png"]
    for path in files.figures:
        assert_drawn_png(path.read_bytes())


def test_html_renders_standalone_with_embedded_images(tmp_path: Path) -> None:
    files = write_report(faulted_records(), tmp_path)
    page = Page()
    page.feed(files.html.read_text())
    page.close()
    assert page.headings[0].startswith("toolgym robustness report: oracle")
    assert "Success and robustness gap" in page.headings
    assert "77.8%" in page.cells and "100.0%" in page.cells
    assert len(page.images) == len(files.figures) == 3
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert_drawn_png(base64.b64decode(src.split(",", 1)[1]))
    # Nothing outside the file: no links to sibling files, scripts or stylesheets.
    html = files.html.read_text()
    assert 'src="success' not in html and "<link" not in html and "<script" not in html


def test_same_records_same_report_bytes(tmp_path: Path) -> None:
    first = write_report(faulted_records(), tmp_path / "a")
    second = write_report(faulted_records(), tmp_path / "b")
    assert first.html.read_bytes() == second.html.read_bytes()
    for a, b in zip(first.figures, second.figures, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_a_clean_only_run_says_no_fault_fired(tmp_path: Path) -> None:
    clean = [r for r in faulted_records() if r["faults"] == "none"]
    files = write_report(clean, tmp_path)
    text = files.markdown.read_text()
    assert "No fault fired" in text and "Fault types" not in text
    assert [p.name for p in files.figures] == ["success_by_preset.png"]


def test_an_empty_run_still_writes_a_report(tmp_path: Path) -> None:
    files = write_report([], tmp_path)
    assert "No episode has been recorded yet" in files.markdown.read_text()
    assert files.figures == ()
