"""The server side of the simulated web: requests, responses, routing and HTML building.

A :class:`Site` is a real implementation of a small web application over a journaled
:class:`~toolgym.core.state.Database`: it answers GET and POST requests with HTML, redirects
after a successful POST (post/redirect/get, as real sites do), and re-renders a form with an
error message when the input is wrong. Sessions are a cookie the browser keeps per host.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

from toolgym.core.state import Database

__all__ = [
    "MemberSite",
    "Request",
    "Response",
    "Site",
    "checkbox",
    "esc",
    "field_row",
    "link",
    "pager",
    "paginate",
    "radio",
    "route",
    "select",
    "table",
    "textarea",
]


@dataclass(frozen=True)
class Request:
    """One HTTP request as a site sees it; ``user`` is the account signed in on this host."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    user: str | None = None

    def arg(self, name: str, default: str = "") -> str:
        """A query or form value, whitespace-trimmed."""
        return (self.form.get(name) or self.query.get(name) or default).strip()

    def page(self) -> int:
        """The ``page`` query parameter as a positive int (1 when absent or malformed)."""
        raw = self.query.get("page", "1")
        return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@dataclass(frozen=True)
class Response:
    """A page (``status`` and ``html``) or a redirect (``location``, status 303).

    ``login`` sets the session cookie to an account; ``logout`` clears it.
    """

    status: int = 200
    html: str = ""
    location: str | None = None
    login: str | None = None
    logout: bool = False


Handler = Callable[..., Response]


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Declare a site method as the handler of ``method`` requests whose path matches."""

    def mark(fn: Handler) -> Handler:
        fn.__route__ = (method, re.compile(pattern + r"/?\Z"))  # type: ignore[attr-defined]
        return fn

    return mark


class Site:
    """A web application on one host. Subclasses declare handlers with :func:`route`."""

    host: ClassVar[str] = ""
    title: ClassVar[str] = ""
    _routes: ClassVar[tuple[tuple[str, re.Pattern[str], str], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        routes: dict[str, tuple[str, re.Pattern[str], str]] = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                spec = getattr(attr, "__route__", None)
                if spec is not None:
                    routes[name] = (spec[0], spec[1], name)
        cls._routes = tuple(routes.values())

    def __init__(self, db: Database) -> None:
        self.db = db

    def handle(self, request: Request) -> Response:
        """Dispatch to the matching handler; 404 and 405 pages otherwise."""
        allowed = []
        for method, pattern, name in self._routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            return getattr(self, name)(request, **match.groupdict())
        if allowed:
            return self.error(request, 405, f"This page does not accept {request.method} requests.")
        return self.error(request, 404, f"There is no page at {request.path} on {self.host}.")

    # ------------------------------------------------------------------ pages
    def nav(self, request: Request) -> list[tuple[str, str]]:
        """The site's navigation links (href, text) for a request."""
        return [("/", "Home")]

    def page(self, request: Request, title: str, body: str, status: int = 200) -> Response:
        links = " ".join(link(href, text) for href, text in self.nav(request))
        account = ""
        if request.user is not None:
            account = (
                f"<p>Signed in as {esc(request.user)}</p>"
                '<form method="post" action="/logout" aria-label="Sign out">'
                '<button type="submit">Sign out</button></form>'
            )
        document = (
            f"<!doctype html><html><head><title>{esc(title)} - {esc(self.title)}</title></head>"
            f"<body><header><p>{esc(self.title)}</p><nav>{links}</nav>{account}</header>"
            f"<main>{body}</main></body></html>"
        )
        return Response(status, document)

    def error(self, request: Request, status: int, message: str) -> Response:
        titles = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Not allowed"}
        title = titles.get(status, "Error")
        body = f"<h1>{status} {title}</h1><p>{esc(message)}</p><p>{link('/', 'Go home')}</p>"
        return self.page(request, title, body, status)

    @staticmethod
    def redirect(location: str, **changes: Any) -> Response:
        return Response(303, location=location, **changes)


class MemberSite(Site):
    """A site with accounts: sign-in and sign-out pages, and a guard for members-only pages.

    ``accounts`` is a table of records with ``id`` (the username) and ``password``.
    """

    home_after_login: ClassVar[str] = "/"

    def __init__(self, db: Database, accounts: str) -> None:
        super().__init__(db)
        self.accounts = db.tables[accounts]

    def require_login(self, request: Request, back_to: str | None = None) -> Response | None:
        """A redirect to the sign-in page when nobody is signed in, else ``None``."""
        if request.user is not None and request.user in self.accounts:
            return None
        target = back_to or request.path
        return self.redirect(f"/login?{urlencode({'next': target})}")

    def login_form(self, request: Request, error: str = "", status: int = 200) -> Response:
        target = request.arg("next") or self.home_after_login
        message = f'<p role="alert">Error: {esc(error)}</p>' if error else ""
        body = (
            f"<h1>Sign in</h1>{message}"
            '<form method="post" action="/login" aria-label="Sign in">'
            f'<input type="hidden" name="next" value="{esc(target)}">'
            + field_row("login", "username", "Username", request.arg("username"))
            + field_row("login", "password", "Password", kind="password")
            + '<button type="submit">Sign in</button></form>'
        )
        return self.page(request, "Sign in", body, status)

    @route("GET", "/login")
    def login_page(self, request: Request) -> Response:
        return self.login_form(request)

    @route("POST", "/login")
    def login(self, request: Request) -> Response:
        account = self.accounts.get(request.arg("username"))
        if account is None or account.password != request.form.get("password", ""):
            return self.login_form(request, "Wrong username or password.", 401)
        target = request.arg("next")
        if not target.startswith("/") or target.startswith("//"):
            target = self.home_after_login
        return self.redirect(target, login=account.id)

    @route("POST", "/logout")
    def logout(self, request: Request) -> Response:
        return self.redirect("/", logout=True)


# --------------------------------------------------------------- HTML pieces
def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "") -> str:
    """A table; cells are HTML (escape text with :func:`esc`)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def field_row(form: str, name: str, label: str, value: str = "", kind: str = "text") -> str:
    """A labelled input; ``form`` keeps element ids unique when a page has several forms."""
    ident = f"{form}-{name}"
    return (
        f'<p><label for="{ident}">{esc(label)}</label> '
        f'<input id="{ident}" type="{kind}" name="{name}" value="{esc(value)}"></p>'
    )


def textarea(form: str, name: str, label: str, value: str = "") -> str:
    ident = f"{form}-{name}"
    return (
        f'<p><label for="{ident}">{esc(label)}</label> '
        f'<textarea id="{ident}" name="{name}">{esc(value)}</textarea></p>'
    )


def select(
    form: str, name: str, label: str, options: Sequence[tuple[str, str]], chosen: str = ""
) -> str:
    ident = f"{form}-{name}"
    items = "".join(
        f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(t)}</option>'
        for v, t in options
    )
    return (
        f'<p><label for="{ident}">{esc(label)}</label> '
        f'<select id="{ident}" name="{name}">{items}</select></p>'
    )


def checkbox(form: str, name: str, label: str, checked: bool, value: str = "on") -> str:
    ident = f"{form}-{name}-{value}"
    mark = " checked" if checked else ""
    return (
        f'<p><input id="{ident}" type="checkbox" name="{name}" value="{esc(value)}"{mark}> '
        f'<label for="{ident}">{esc(label)}</label></p>'
    )


def radio(form: str, name: str, label: str, value: str, checked: bool) -> str:
    ident = f"{form}-{name}-{value}"
    mark = " checked" if checked else ""
    return (
        f'<p><input id="{ident}" type="radio" name="{name}" value="{esc(value)}"{mark}> '
        f'<label for="{ident}">{esc(label)}</label></p>'
    )


def pager(path: str, page: int, pages: int, params: dict[str, str] | None = None) -> str:
    """ "Page 2 of 5" with previous/next links that keep the other query parameters."""
    if pages <= 1:
        return ""
    params = dict(params or {})

    def href(n: int) -> str:
        return f"{path}?{urlencode({**params, 'page': str(n)})}"

    links = []
    if page > 1:
        links.append(link(href(page - 1), "Previous page"))
    if page < pages:
        links.append(link(href(page + 1), "Next page"))
    return f"<p>Page {page} of {pages} {' '.join(links)}</p>"


def paginate(items: Sequence[Any], page: int, per_page: int) -> tuple[list[Any], int, int]:
    """The slice for ``page`` (clamped to the last page), that page, and the page count."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 1), pages)
    return list(items[(page - 1) * per_page : page * per_page]), page, pages
