"""Web pages as an agent sees them: HTML parsed into a compact, accessibility-style text view.

The HTML is parsed with the standard library's ``html.parser`` into a small DOM. The view has one
line per block (heading, paragraph, list item, table row, form control) and numbers every
interactive element in document order, so ``[12] link 'Next page'`` can be clicked by its id, the
way accessibility-tree agents (WebArena, BrowserGym) address elements. Form controls keep their
values on the client side, in a :class:`Page`'s ``values``, until the form is submitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

__all__ = ["Control", "Form", "Page", "parse_page"]

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SKIP = frozenset({"head", "script", "style", "template", "noscript", "title", "option"})
_BLOCK = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "ul", "ol",
        "table", "thead", "tbody", "tfoot", "fieldset", "dl", "dt", "dd", "blockquote", "pre",
        "hr", "br", "caption", "legend", "figure", "figcaption", "details", "summary",
    }
)  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SPACE = re.compile(r"\s+")
_SHOWN_VALUE = 120  # longer typed values are cut short in the view (the form keeps them whole)


@dataclass(frozen=True)
class Control:
    """An interactive element: its role, accessible name and what it submits.

    ``value`` is the initial value (for a combobox, the value of the selected option);
    ``field`` is the ``name`` attribute it submits under; ``form`` the id of its form.
    """

    id: int
    role: str
    name: str
    form: int | None = None
    field: str = ""
    value: str = ""
    checked: bool = False
    options: tuple[tuple[str, str], ...] = ()
    href: str = ""

    @property
    def fillable(self) -> bool:
        return self.role in ("textbox", "password", "textarea", "combobox", "checkbox", "radio")


@dataclass(frozen=True)
class Form:
    """A form: where it submits, how, its controls in order, and its hidden fields."""

    id: int
    name: str
    action: str
    method: str
    controls: tuple[int, ...]
    hidden: tuple[tuple[str, str], ...]


@dataclass
class Page:
    """A loaded page: its structure is fixed (and shared), ``values`` holds what was typed."""

    url: str
    status: int
    title: str
    rows: tuple[tuple[int, tuple[str | int, ...]], ...]
    controls: dict[int, Control]
    forms: dict[int, Form]
    values: dict[int, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.values:
            self.values = self.initial_values()

    def initial_values(self) -> dict[int, Any]:
        return {
            c.id: (c.checked if c.role in ("checkbox", "radio") else c.value)
            for c in self.controls.values()
            if c.fillable
        }

    def describe(self, control_id: int) -> str:
        """The text of one control as the view shows it, with its current value."""
        c = self.controls.get(control_id)
        if c is None:
            form = self.forms[control_id]
            return f"[{form.id}] form '{form.name}'"
        text = f"[{c.id}] {c.role} '{c.name}'"
        value = self.values.get(c.id)
        if c.role in ("checkbox", "radio"):
            return f"{text} {'checked' if value else 'unchecked'}"
        if c.role == "combobox":
            label = next((lab for val, lab in c.options if val == value), "")
            choices = ", ".join(f"'{lab}'" for _, lab in c.options)
            return f"{text} value='{label}' options: {choices}"
        if c.role == "password" and value:
            return f"{text} value='{'•' * len(value)}'"
        if c.fillable and value:
            shown = value if len(value) <= _SHOWN_VALUE else value[: _SHOWN_VALUE - 1] + "…"
            return f"{text} value='{shown}'"
        return text

    def lines(self) -> list[str]:
        """The whole page as text, one block per line."""
        out = []
        for indent, segments in self.rows:
            parts = [s if isinstance(s, str) else self.describe(s) for s in segments]
            out.append("  " * indent + " ".join(p for p in parts if p))
        return out

    def form_data(self, form_id: int, submitter: int | None) -> list[tuple[str, str]]:
        """The name/value pairs a submit sends: hidden fields, then the controls in order."""
        form = self.forms[form_id]
        data = list(form.hidden)
        for cid in form.controls:
            c = self.controls[cid]
            if not c.field:
                continue
            value = self.values.get(cid)
            if c.role in ("textbox", "password", "textarea", "combobox"):
                data.append((c.field, str(value)))
            elif c.role in ("checkbox", "radio") and value:
                data.append((c.field, c.value or "on"))
            elif c.role == "button" and cid == submitter:
                data.append((c.field, c.value))
        return data


class _Node:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | str] = []

    def text(self) -> str:
        parts: list[str] = []
        stack: list[_Node | str] = [self]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                parts.append(node)
            elif node.tag == "img":
                parts.append(node.attrs.get("alt", ""))
            elif node.tag not in ("script", "style"):
                stack.extend(reversed(node.children))
        return _SPACE.sub(" ", "".join(parts)).strip()


class _TreeBuilder(HTMLParser):
    """HTML to a tree of ``_Node``; tolerant of void elements and unclosed tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {})
        self.stack = [self.root]
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                if tag == "title":
                    self.title = self.stack[depth].text()
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


class _Renderer:
    """Walks the tree once, numbering controls and emitting rows of text and control ids."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.rows: list[tuple[int, tuple[str | int, ...]]] = []
        self.controls: dict[int, Control] = {}
        self.forms: dict[int, Form] = {}
        self.line: list[str | int] = []
        self.indent = 0
        self.inline = 0  # inside a table cell or nav: blocks do not break the line
        self.form: int | None = None
        self.form_controls: list[int] = []
        self.hidden: list[tuple[str, str]] = []
        self.next_id = 1

    def flush(self) -> None:
        segments = [s for s in self.line if not isinstance(s, str) or s.strip()]
        if segments:
            self.rows.append((self.indent, tuple(_merge(segments))))
        self.line = []

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, control: Control) -> None:
        """Record a control; a form field or button gets a line of its own (outside tables)."""
        self.controls[control.id] = control
        if control.form is not None:
            self.form_controls.append(control.id)
        own_line = control.role != "link" and not self.inline
        if own_line:
            self.flush()
        self.line.append(control.id)
        if own_line:
            self.flush()

    def walk(self, node: _Node, label: str = "") -> None:
        for child in node.children:
            if isinstance(child, str):
                self.line.append(child)
            else:
                self.element(child, label)

    def element(self, node: _Node, label: str) -> None:
        tag, attrs = node.tag, node.attrs
        if tag in _SKIP or attrs.get("hidden") is not None or attrs.get("aria-hidden") == "true":
            return
        if tag == "a":
            name = attrs.get("aria-label") or node.text() or attrs.get("title", "")
            self.add(Control(self.new_id(), "link", name, self.form, href=attrs.get("href", "")))
        elif tag in ("input", "select", "textarea", "button"):
            self.control(node, label)
        elif tag == "form":
            self.form_block(node)
        elif tag == "label":
            if attrs.get("for"):
                return  # its text names the control it points at
            for child in node.children:  # a wrapping label: its text names the control inside
                if isinstance(child, _Node):
                    self.element(child, label or node.text())
        elif tag == "img":
            if attrs.get("alt"):
                self.line.append(f"image '{attrs['alt']}'")
        elif tag in _HEADINGS and not self.inline:
            self.flush()
            self.line.append("#" * _HEADINGS[tag] + " ")
            self.walk(node)
            self.flush()
        elif tag == "tr":
            self.row(node)
        elif tag == "li" and not self.inline:
            self.flush()
            self.indent += 1
            self.line.append("- ")
            self.walk(node)
            self.flush()
            self.indent -= 1
        elif tag == "nav":
            self.flush()
            self.line.append("navigation: ")
            self.inline += 1
            self.walk(node)
            self.inline -= 1
            self.flush()
        elif tag in _BLOCK and not self.inline:
            self.flush()
            self.walk(node)
            self.flush()
        else:
            if tag in _BLOCK or tag in _HEADINGS or tag == "li":
                self.line.append(" ")
            self.walk(node, label)

    def row(self, node: _Node) -> None:
        self.flush()
        self.inline += 1
        self.line.append("| ")
        for cell in node.children:
            if isinstance(cell, _Node) and cell.tag in ("td", "th"):
                self.walk(cell)
                self.line.append(" | ")
        self.inline -= 1
        self.flush()

    def form_block(self, node: _Node) -> None:
        if self.form is not None:  # nested forms are invalid HTML: treat as part of the outer
            self.walk(node)
            return
        attrs = node.attrs
        form_id = self.new_id()
        name = attrs.get("aria-label") or attrs.get("name") or attrs.get("id") or "form"
        self.form, self.form_controls, self.hidden = form_id, [], []
        if self.inline:  # a form in a table cell stays on the row's line
            self.line.append(form_id)
            self.walk(node)
        else:
            self.flush()
            self.rows.append((self.indent, (form_id,)))
            self.indent += 1
            self.walk(node)
            self.flush()
            self.indent -= 1
        method = attrs.get("method", "get").lower()
        self.forms[form_id] = Form(
            form_id,
            name,
            attrs.get("action", ""),
            "post" if method == "post" else "get",
            tuple(self.form_controls),
            tuple(self.hidden),
        )
        self.form = None

    def control(self, node: _Node, label: str) -> None:
        tag, attrs = node.tag, node.attrs
        kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
        field_name = attrs.get("name", "")
        name = (
            attrs.get("aria-label")
            or self.labels.get(attrs.get("id", ""), "")
            or label
            or attrs.get("placeholder", "")
            or attrs.get("title", "")
        )
        if tag == "input" and kind == "hidden":
            if self.form is not None and field_name:
                self.hidden.append((field_name, attrs.get("value", "")))
            return
        common = {"form": self.form, "field": field_name}
        if tag == "button" or (tag == "input" and kind in ("submit", "button", "reset")):
            text = node.text() if tag == "button" else attrs.get("value", "Submit")
            role_name = attrs.get("aria-label") or text or name
            if kind == "submit":
                value = attrs.get("value", "")
                self.add(Control(self.new_id(), "button", role_name, value=value, **common))
            return
        if tag == "select":
            options = tuple(
                (o.attrs.get("value", o.text()), o.text()) for o in _descendants(node, "option")
            )
            chosen = next(
                (
                    o.attrs.get("value", o.text())
                    for o in _descendants(node, "option")
                    if "selected" in o.attrs
                ),
                options[0][0] if options else "",
            )
            self.add(
                Control(
                    self.new_id(),
                    "combobox",
                    name or field_name,
                    value=chosen,
                    options=options,
                    **common,
                )
            )
        elif tag == "textarea":
            value = "".join(c for c in node.children if isinstance(c, str)).strip("\n")
            self.add(Control(self.new_id(), "textarea", name or field_name, value=value, **common))
        elif kind in ("checkbox", "radio"):
            self.add(
                Control(
                    self.new_id(),
                    kind,
                    name or field_name,
                    value=attrs.get("value", "on"),
                    checked="checked" in attrs,
                    **common,
                )
            )
        else:
            role = "password" if kind == "password" else "textbox"
            value = attrs.get("value", "")
            self.add(Control(self.new_id(), role, name or field_name, value=value, **common))


def _descendants(node: _Node, tag: str) -> list[_Node]:
    out: list[_Node] = []
    stack: list[_Node | str] = list(reversed(node.children))
    while stack:
        child = stack.pop()
        if isinstance(child, _Node):
            if child.tag == tag:
                out.append(child)
            stack.extend(reversed(child.children))
    return out


def _merge(segments: list[str | int]) -> list[str | int]:
    """Adjacent text segments joined, whitespace collapsed; control ids kept as they are."""
    out: list[str | int] = []
    for segment in segments:
        if isinstance(segment, str) and out and isinstance(out[-1], str):
            out[-1] += segment
        else:
            out.append(segment)
    return [_SPACE.sub(" ", s).strip() if isinstance(s, str) else s for s in out]


def parse_page(url: str, status: int, html: str) -> Page:
    """Parse ``html`` (served at ``url`` with HTTP ``status``) into a :class:`Page`.

    The structure of a document is cached (it is a pure function of the HTML, and episodes
    revisit the same pages); each call gets a page with its own fresh form values.
    """
    title, rows, controls, forms = _structure(html)
    return Page(url, status, title, rows, controls, forms)


@lru_cache(maxsize=1024)
def _structure(
    html: str,
) -> tuple[str, tuple[tuple[int, tuple[str | int, ...]], ...], dict[int, Control], dict[int, Form]]:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    labels = {
        node.attrs["for"]: node.text()
        for node in _descendants(builder.root, "label")
        if node.attrs.get("for")
    }
    renderer = _Renderer(labels)
    renderer.walk(builder.root)
    renderer.flush()
    return builder.title, tuple(renderer.rows), renderer.controls, renderer.forms
