"""The browser toolkit: one tab over the simulated web, driven through a text view of each page.

Every page is fetched from a :class:`~toolgym.toolkits.web.server.Site`, parsed from its HTML and
shown as numbered lines (see :mod:`toolgym.toolkits.web.page`). The agent clicks and fills
elements by the ids in that view, scrolls a 30-line window, searches the page, goes back, and
submits forms. The servers' state is one journaled database, so a snapshot is a journal mark
plus the tab's own state (page, typed values, history, cookies, scroll position).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from pydantic import BeforeValidator, Field

from toolgym.core.errors import ToolError
from toolgym.core.state import Change, Database
from toolgym.core.tool import Toolkit, tool
from toolgym.toolkits.web.page import Control, Page, parse_page
from toolgym.toolkits.web.server import Request, Response, Site

__all__ = ["VIEW_LINES", "Browser"]

VIEW_LINES = 30
SCROLL_OVERLAP = 5
MAX_REDIRECTS = 5
MAX_HISTORY = 50
MAX_MATCHES = 20
_ID = re.compile(r"^\s*\[?\s*(\d{1,9})\s*\]?\s*$")
_SPACE = re.compile(r"\s+")
_TRUE = frozenset({"true", "yes", "on", "checked", "check", "1", "x", "selected"})
_FALSE = frozenset({"false", "no", "off", "unchecked", "uncheck", "0", "", "unselected"})
_SERVER_ERROR = (
    "<html><head><title>500 Internal Server Error</title></head><body>"
    "<h1>500 Internal Server Error</h1><p>The server failed to answer this request.</p>"
    "</body></html>"
)


def _as_text(value: Any) -> Any:
    """Numbers and booleans an agent types into a field arrive as the text they spell."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


ElementRef = Annotated[
    int | str,
    Field(
        description="The element's id from the page view (the number in brackets, e.g. 12), or "
        "the exact text of a link or button."
    ),
]
FieldRef = Annotated[
    int | str,
    Field(description="The field's id from the page view (e.g. 7), or its label text."),
]
FormRef = Annotated[
    int | str,
    Field(description="The form's id, the id of any field or button in it, or the form's name."),
]


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


class Browser(Toolkit):
    """A one-tab browser over a fixed set of sites sharing one journaled database."""

    name = "web"

    def __init__(self, db: Database, sites: Sequence[Site]) -> None:
        self.db = db
        self.sites = {site.host: site for site in sites}
        self.page: Page | None = None
        self.history: list[str] = []
        self.cookies: dict[str, str] = {}
        self.top = 0

    # -------------------------------------------------------------- snapshots
    def fork(self) -> Browser:
        """A fresh browser over a copy-on-write fork of the sites' database."""
        db = self.db.fork()
        return Browser(db, [type(site)(db) for site in self.sites.values()])

    def snapshot(self) -> tuple[Any, ...]:
        values = dict(self.page.values) if self.page is not None else None
        return (
            self.db.mark(),
            self.page,
            values,
            tuple(self.history),
            dict(self.cookies),
            self.top,
        )

    def restore(self, snapshot: tuple[Any, ...]) -> None:
        mark, page, values, history, cookies, top = snapshot
        self.db.rollback(mark)
        self.page = page
        if page is not None:
            page.values = dict(values)
        self.history, self.cookies, self.top = list(history), dict(cookies), top

    def changes_since(self, snapshot: tuple[Any, ...]) -> list[Change]:
        return self.db.changes_since(snapshot[0])

    # ------------------------------------------------------------- navigation
    def _load(
        self, method: str, url: str, data: Sequence[tuple[str, str]] = (), push: bool = True
    ) -> None:
        """Request ``url``, follow redirects, and show the final page."""
        form = dict(data)
        for _ in range(MAX_REDIRECTS + 1):
            try:
                parts = urlsplit(url)
                host = parts.hostname or ""
            except ValueError:
                raise ToolError("invalid_arguments", f"'{url}' is not a valid URL.") from None
            site = self.sites.get(host)
            if site is None:
                known = ", ".join(f"http://{h}/" for h in self.sites)
                raise ToolError(
                    "unreachable", f"Cannot reach '{host or url}'. This browser reaches: {known}."
                )
            path = parts.path or "/"
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            request = Request(method, path, query, form, self.cookies.get(host))
            try:
                response = site.handle(request)
            except Exception:  # a server bug becomes a 500 page, as on a real server
                response = Response(500, _SERVER_ERROR)
            if response.login is not None:
                self.cookies[host] = response.login
            if response.logout:
                self.cookies.pop(host, None)
            url = urlunsplit(("http", host, path, parts.query, ""))
            if response.location is None:
                break
            url, method, form = urljoin(url, response.location), "GET", {}
        else:
            response = Response(508, "<h1>Too many redirects</h1>")
        self.page = parse_page(url, response.status, response.html)
        self.top = 0
        if push:
            self.history = [*self.history[-(MAX_HISTORY - 1) :], url]

    def _current(self) -> Page:
        if self.page is None:
            raise ToolError(
                "no_page", "No page is open yet. Use goto with a URL, e.g. 'http://shop.test/'."
            )
        return self.page

    def _view(self, note: str = "") -> dict[str, Any]:
        page = self._current()
        lines = page.lines()
        top = min(self.top, max(0, len(lines) - VIEW_LINES))
        self.top = top
        window = lines[top : top + VIEW_LINES]
        more = []
        if top > 0:
            more.append("scroll up for earlier lines")
        if top + len(window) < len(lines):
            more.append("scroll down for more")
        showing = f"lines {top + 1}-{top + len(window)} of {len(lines)}"
        out: dict[str, Any] = {
            "url": page.url,
            "status": page.status,
            "title": page.title,
            "showing": showing + (f" ({'; '.join(more)})" if more else ""),
            "content": window,
        }
        if note:
            out["note"] = note
        return out

    def _control(self, ref: int | str, roles: tuple[str, ...], what: str) -> Control:
        """The control ``ref`` names: by id, else by its text among controls of ``roles``."""
        page = self._current()
        number = ref if isinstance(ref, int) else None
        if isinstance(ref, str) and (match := _ID.match(ref)):
            number = int(match.group(1))
        if number is not None:
            control = page.controls.get(number)
            if control is not None:
                return control
            if number in page.forms:
                raise ToolError("invalid_element", f"[{number}] is a form: use submit({number}).")
            raise ToolError(
                "not_found",
                f"There is no element [{number}] on this page. Ids change with every page load: "
                "use the ids of the latest view.",
            )
        wanted = _norm(ref)
        if not wanted:
            raise ToolError("invalid_arguments", f"Say which {what}: give its id or its text.")
        candidates = [c for c in page.controls.values() if c.role in roles]
        found = [c for c in candidates if wanted in (_norm(c.name), c.field.casefold())]
        if not found:
            found = [c for c in candidates if wanted in _norm(c.name)]
        if not found:
            raise ToolError(
                "not_found",
                f"No {what} matching '{ref}' on this page. Use an element id from the view, "
                "or find_on_page to look for it.",
            )
        same_link = all(c.role == "link" and c.href == found[0].href for c in found)
        if len(found) > 1 and not same_link:
            listing = "; ".join(page.describe(c.id) for c in found[:6])
            raise ToolError(
                "ambiguous", f"'{ref}' matches several elements: {listing}. Use the element id."
            )
        return found[0]

    def _submit(self, form_id: int, submitter: int | None) -> dict[str, Any]:
        page = self._current()
        form = page.forms[form_id]
        data = page.form_data(form_id, submitter)
        action = urljoin(page.url, form.action) if form.action else page.url
        if form.method == "get":
            parts = urlsplit(action)
            self._load(
                "GET", urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(data), ""))
            )
        else:
            self._load("POST", action, data)
        return self._view(f"Submitted form '{form.name}'.")

    # ------------------------------------------------------------------ tools
    @tool
    def goto(
        self,
        url: Annotated[
            str,
            Field(
                description="Address to open, e.g. 'http://shop.test/' or '/cart'.", max_length=2000
            ),
        ],
    ) -> dict[str, Any]:
        """Open a URL in the tab and show the page."""
        text = url.strip()
        if not text:
            raise ToolError("invalid_arguments", "'url' is empty; give an address to open.")
        if "://" not in text:
            if text.startswith("/"):
                if self.page is None:
                    raise ToolError(
                        "invalid_arguments",
                        f"'{text}' is a path; with no page open, give a full URL such as "
                        f"'http://shop.test{text}'.",
                    )
                text = urljoin(self.page.url, text)
            else:
                text = "http://" + text
        try:
            scheme = urlsplit(text).scheme.lower()
        except ValueError:
            raise ToolError("invalid_arguments", f"'{url}' is not a valid URL.") from None
        if scheme not in ("http", "https"):
            raise ToolError(
                "invalid_arguments", f"Only http and https addresses open here, not '{url}'."
            )
        self._load("GET", text)
        return self._view()

    @tool(mutates=True)
    def click(self, element: ElementRef) -> dict[str, Any]:
        """Click a link or button (which may load a page or submit its form), or a checkbox."""
        page = self._current()
        control = self._control(element, ("link", "button", "checkbox", "radio"), "link or button")
        if control.role == "link":
            href = control.href.strip()
            if not href or href.startswith("#") or href.lower().startswith("javascript:"):
                return self._view(f"{page.describe(control.id)} does not lead to another page.")
            self._load("GET", urljoin(page.url, href))
            return self._view()
        if control.role == "button":
            if control.form is None:
                return self._view(f"{page.describe(control.id)} does nothing on this page.")
            return self._submit(control.form, control.id)
        if control.role in ("checkbox", "radio"):
            self._check(
                control, not page.values[control.id] if control.role == "checkbox" else True
            )
            return {"clicked": page.describe(control.id), "note": "Submit the form to send it."}
        raise ToolError(
            "not_clickable",
            f"{page.describe(control.id)} is a {control.role}: use fill to change it.",
        )

    def _check(self, control: Control, on: bool) -> None:
        page = self._current()
        if control.role == "radio" and on:
            for other in page.controls.values():
                if (
                    other.role == "radio"
                    and other.form == control.form
                    and other.field == control.field
                ):
                    page.values[other.id] = False
        page.values[control.id] = on

    @tool
    def fill(
        self,
        field: FieldRef,
        value: Annotated[
            str,
            BeforeValidator(_as_text),
            Field(
                description="Text to type (replaces what is there); for a drop-down, the option "
                "to choose; for a checkbox, 'true' or 'false'.",
                max_length=10_000,
            ),
        ],
    ) -> dict[str, Any]:
        """Type into a text field, choose a drop-down option, or set a checkbox."""
        page = self._current()
        control = self._control(
            field,
            ("textbox", "password", "textarea", "combobox", "checkbox", "radio"),
            "form field",
        )
        if not control.fillable:
            raise ToolError(
                "not_fillable",
                f"{page.describe(control.id)} is a {control.role}; only text fields, drop-downs, "
                "checkboxes and radio buttons can be filled.",
            )
        if control.role == "combobox":
            page.values[control.id] = self._option(control, value)
        elif control.role in ("checkbox", "radio"):
            wanted = _norm(value)
            if wanted not in _TRUE and wanted not in _FALSE:
                raise ToolError(
                    "invalid_value", f"Use 'true' or 'false' for {page.describe(control.id)}."
                )
            self._check(control, wanted in _TRUE)
        else:
            page.values[control.id] = value
        out: dict[str, Any] = {"filled": page.describe(control.id)}
        if control.form is not None:
            out["form"] = page.describe(control.form)
        out["note"] = "Nothing is sent until the form is submitted."
        return out

    def _option(self, control: Control, value: str) -> str:
        wanted = _norm(value)
        exact = [v for v, label in control.options if wanted in (_norm(label), _norm(v))]
        partial = [v for v, label in control.options if wanted and wanted in _norm(label)]
        chosen = exact or (partial if len(partial) == 1 else [])
        if not chosen:
            options = ", ".join(f"'{label}'" for _, label in control.options)
            raise ToolError(
                "invalid_value",
                f"'{value}' is not an option of {control.role} '{control.name}'; "
                f"choose one of: {options}.",
            )
        return chosen[0]

    @tool(mutates=True)
    def submit(self, form: FormRef) -> dict[str, Any]:
        """Submit a form with the values filled in, as pressing Enter in it would."""
        page = self._current()
        number = form if isinstance(form, int) else None
        if isinstance(form, str) and (match := _ID.match(form)):
            number = int(match.group(1))
        if number is not None:
            if number in page.forms:
                form_id = number
            elif number in page.controls and page.controls[number].form is not None:
                form_id = page.controls[number].form  # type: ignore[assignment]
            else:
                raise ToolError(
                    "not_found", f"[{number}] is not a form or a field of one on this page."
                )
        else:
            wanted = _norm(form)
            found = [f for f in page.forms.values() if _norm(f.name) == wanted] or [
                f for f in page.forms.values() if wanted and wanted in _norm(f.name)
            ]
            if len(found) != 1:
                names = "; ".join(page.describe(f.id) for f in page.forms.values()) or "none"
                problem = "several forms match" if found else "no form matches"
                raise ToolError(
                    "not_found" if not found else "ambiguous",
                    f"{problem} '{form}'. Forms on this page: {names}.",
                )
            form_id = found[0].id
        buttons = [c for c in page.forms[form_id].controls if page.controls[c].role == "button"]
        return self._submit(form_id, buttons[0] if buttons else None)

    @tool
    def find_on_page(
        self,
        text: Annotated[
            str, Field(description="Text to look for (case-insensitive).", max_length=200)
        ],
    ) -> dict[str, Any]:
        """Find the lines of the current page that contain some text; scrolls to the first."""
        page = self._current()
        wanted = _norm(text)
        if not wanted:
            raise ToolError("invalid_arguments", "'text' is empty; say what to look for.")
        lines = page.lines()
        hits = [(i, line) for i, line in enumerate(lines) if wanted in _norm(line)]
        if hits and not self.top <= hits[0][0] < self.top + VIEW_LINES:
            self.top = max(0, hits[0][0] - 2)
        return {
            "url": page.url,
            "text": text,
            "count": len(hits),
            "matches": [{"line": i + 1, "text": line.strip()} for i, line in hits[:MAX_MATCHES]],
        }

    @tool
    def scroll(
        self,
        direction: Annotated[
            Literal["down", "up", "top", "bottom"],
            Field(description="Which way to move the 30-line window over the page."),
        ] = "down",
    ) -> dict[str, Any]:
        """Scroll the page view up or down by most of a screen, or to its top or bottom."""
        page = self._current()
        total = len(page.lines())
        last = max(0, total - VIEW_LINES)
        step = VIEW_LINES - SCROLL_OVERLAP
        before = self.top
        self.top = {
            "down": min(last, self.top + step),
            "up": max(0, self.top - step),
            "top": 0,
            "bottom": last,
        }[direction]
        note = ""
        if self.top == before:
            note = "Already at the " + ("top" if direction in ("up", "top") else "bottom") + "."
        return self._view(note)

    @tool
    def back(self) -> dict[str, Any]:
        """Go back to the previous page in the tab's history (it is loaded again)."""
        self._current()
        if len(self.history) < 2:
            raise ToolError("no_history", "There is no earlier page in this tab's history.")
        self.history.pop()
        self._load("GET", self.history[-1], push=False)
        return self._view()
