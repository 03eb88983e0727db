"""The web toolkit: HTML to text view, the browser's tools, and the three sites' behaviour."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolgym.core.errors import ToolError
from toolgym.toolkits.web import Browser, build_web, parse_page
from toolgym.toolkits.web.browser import VIEW_LINES


@pytest.fixture
def web() -> Browser:
    return build_web(7, "small")


class Tab:
    """Calls the browser's tools by name, and finds element ids in what they return."""

    def __init__(self, web: Browser) -> None:
        self.web = web
        self.tools = {t.name: t for t in web.tools()}
        self.view: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        def run(**arguments: Any) -> Any:
            result = self.tools[name](arguments)
            if "content" in result:
                self.view = result
            return result

        return run

    def lines(self) -> list[str]:
        return self.web.page.lines()  # type: ignore[union-attr]

    def id(self, role: str, name: str) -> int:
        pattern = re.compile(rf"\[(\d+)\] {role} '{re.escape(name)}'")
        found = [int(m.group(1)) for line in self.lines() for m in pattern.finditer(line)]
        assert found, (role, name, self.lines())
        return found[0]

    def sign_in(self, host: str, username: str, password: str) -> None:
        self.goto(url=f"http://{host}/login")
        self.fill(field="Username", value=username)
        self.fill(field="Password", value=password)
        self.submit(form="Sign in")


@pytest.fixture
def tab(web: Browser) -> Tab:
    return Tab(web)


# ------------------------------------------------------------------ page view
PAGE = """<!doctype html><html><head><title>Demo &amp; co</title><style>p{}</style></head>
<body><nav><a href="/">Home</a> <a href="/b">Boards</a></nav>
<h1>Hello &amp; welcome</h1><p>Some <b>bold</b> text and a <a href="/x">link</a>.</p>
<script>var x = "<p>not shown</p>";</script>
<ul><li>One</li><li>Two <a href="/two">more</a></li></ul>
<table><tr><th>Name</th><th>Price</th></tr>
<tr><td><a href="/p/1">Lamp</a></td><td>$5</td></tr></table>
<form action="/save" method="post" aria-label="Profile">
<input type="hidden" name="token" value="t1">
<label for="n">Name</label><input id="n" name="name" value="Ann">
<label>Password <input type="password" name="pw" value="secret"></label>
<label for="c">Colour</label><select id="c" name="colour"><option value="r">Red</option>
<option value="g" selected>Green</option></select>
<input type="checkbox" id="k" name="keep" checked><label for="k">Keep me</label>
<input type="radio" id="a" name="size" value="s"><label for="a">Small</label>
<input type="radio" id="b" name="size" value="l" checked><label for="b">Large</label>
<label for="m">Message</label><textarea id="m" name="msg">Hi there</textarea>
<button type="submit" name="go" value="1">Save</button><button type="button">Noop</button>
</form><p hidden>secret</p><p>Unclosed <i>tags
</body></html>"""


def test_page_view_has_one_line_per_block_and_numbered_controls() -> None:
    page = parse_page("http://x.test/", 200, PAGE)
    assert page.title == "Demo & co"
    assert page.lines() == [
        "navigation: [1] link 'Home' [2] link 'Boards'",
        "# Hello & welcome",
        "Some bold text and a [3] link 'link' .",
        "  - One",
        "  - Two [4] link 'more'",
        "| Name | Price |",
        "| [5] link 'Lamp' | $5 |",
        "[6] form 'Profile'",
        "  [7] textbox 'Name' value='Ann'",
        "  [8] password 'Password' value='••••••'",
        "  [9] combobox 'Colour' value='Green' options: 'Red', 'Green'",
        "  [10] checkbox 'Keep me' checked",
        "  [11] radio 'Small' unchecked",
        "  [12] radio 'Large' checked",
        "  [13] textarea 'Message' value='Hi there'",
        "  [14] button 'Save'",
        "Unclosed tags",
    ]
    assert page.controls[5].href == "/p/1"
    assert page.forms[6].method == "post" and page.forms[6].action == "/save"


def test_form_data_is_what_a_browser_sends() -> None:
    page = parse_page("http://x.test/", 200, PAGE)
    assert page.form_data(6, submitter=14) == [
        ("token", "t1"),
        ("name", "Ann"),
        ("pw", "secret"),
        ("colour", "g"),
        ("keep", "on"),
        ("size", "l"),
        ("msg", "Hi there"),
        ("go", "1"),
    ]
    page.values[10] = False
    assert ("keep", "on") not in page.form_data(6, submitter=None)


def test_pages_share_structure_but_not_typed_values() -> None:
    first = parse_page("http://x.test/", 200, PAGE)
    second = parse_page("http://x.test/", 200, PAGE)
    first.values[7] = "Bob"
    assert second.values[7] == "Ann" and first.controls is second.controls


# -------------------------------------------------------------------- browser
def test_goto_forms_of_address(tab: Tab) -> None:
    assert tab.goto(url="shop.test")["url"] == "http://shop.test/"
    assert tab.goto(url="/category/phones")["url"] == "http://shop.test/category/phones"
    assert tab.goto(url="https://wiki.test/")["title"].endswith("Open Atlas Wiki")
    missing = tab.goto(url="http://wiki.test/nowhere")
    assert missing["status"] == 404 and "404 Not found" in missing["content"][2]
    for url, code in [
        ("http://evil.test/", "unreachable"),
        ("ftp://shop.test/", "invalid_arguments"),
        ("   ", "invalid_arguments"),
        ("http://[::1", "invalid_arguments"),
    ]:
        with pytest.raises(ToolError) as err:
            tab.goto(url=url)
        assert err.value.code == code, url


def test_tools_need_an_open_page(tab: Tab) -> None:
    for name, arguments in [
        ("click", {"element": 1}),
        ("fill", {"field": 1, "value": "x"}),
        ("submit", {"form": 1}),
        ("scroll", {}),
        ("back", {}),
        ("find_on_page", {"text": "x"}),
    ]:
        with pytest.raises(ToolError) as err:
            getattr(tab, name)(**arguments)
        assert err.value.code == "no_page"
    with pytest.raises(ToolError, match="give a full URL"):
        tab.goto(url="/cart")


def test_click_by_id_or_text_and_its_errors(tab: Tab) -> None:
    tab.goto(url="http://wiki.test/")
    by_text = tab.click(element="Mountains")
    assert by_text["url"] == "http://wiki.test/category/Mountains"
    first = tab.id("link", tab.view["content"][4].split("'")[1])
    assert tab.click(element=f"[{first}]")["url"].startswith("http://wiki.test/wiki/Mount_")
    with pytest.raises(ToolError, match="no element \\[999\\]"):
        tab.click(element=999)
    with pytest.raises(ToolError) as err:
        tab.click(element="no such link at all")
    assert err.value.code == "not_found"
    tab.goto(url="http://shop.test/")
    with pytest.raises(ToolError) as err:
        tab.click(element=tab.id("textbox", "Search products"))
    assert err.value.code == "not_clickable"
    with pytest.raises(ToolError) as err:
        tab.click(element=tab.id("textbox", "Search products") - 1)  # the form itself
    assert err.value.code == "invalid_element"


def test_click_text_that_matches_different_things_is_ambiguous(tab: Tab) -> None:
    tab.goto(url="http://shop.test/")
    assert tab.click(element="Laptops")["url"].endswith("/category/laptops")  # same link twice
    tab.goto(url="http://wiki.test/category/Mountains")
    with pytest.raises(ToolError) as err:
        tab.click(element="Mount")
    assert err.value.code == "ambiguous" and "Use the element id" in err.value.message


def test_fill_and_submit_a_get_form(tab: Tab) -> None:
    tab.goto(url="http://wiki.test/")
    assert tab.fill(field="q", value=3)["filled"].endswith("value='3'")  # by field name
    filled = tab.fill(field="Search the wiki", value="Lake")
    assert filled["filled"].endswith("value='Lake'") and "form" in filled
    result = tab.submit(form=tab.id("textbox", "Search the wiki"))
    assert result["url"] == "http://wiki.test/search?q=Lake"
    assert result["content"][2] == "# Search results for 'Lake'"


def test_fill_choices_checkboxes_and_radios(tab: Tab) -> None:
    tab.goto(url="http://shop.test/newsletter")
    assert "value='Plain text'" in tab.fill(field="Format", value="plain text")["filled"]
    assert "value='HTML'" in tab.fill(field="Format", value="html")["filled"]
    with pytest.raises(ToolError, match="choose one of: 'HTML', 'Plain text'"):
        tab.fill(field="Format", value="PDF")
    assert tab.fill(field="Deals", value=False)["filled"].endswith("unchecked")
    assert tab.click(element="Reviews")["clicked"].endswith("checked")
    with pytest.raises(ToolError) as err:
        tab.fill(field="Deals", value="maybe")
    assert err.value.code == "invalid_value"
    tab.click(element=tab.id("radio", "Daily"))
    assert "radio 'Daily' checked" in "\n".join(tab.lines())
    assert "radio 'Weekly' unchecked" in "\n".join(tab.lines())
    with pytest.raises(ToolError) as err:
        tab.fill(field=tab.id("link", "Home"), value="x")
    assert err.value.code == "not_fillable"


def test_submit_by_name_and_unknown_forms(tab: Tab) -> None:
    tab.goto(url="http://shop.test/")
    with pytest.raises(ToolError, match="Forms on this page"):
        tab.submit(form="no such form")
    with pytest.raises(ToolError) as err:
        tab.submit(form=tab.id("link", "Home"))
    assert err.value.code == "not_found"
    tab.fill(field="Search products", value="aero")
    assert tab.submit(form="Search products")["url"] == "http://shop.test/search?q=aero"


def test_find_scroll_and_the_view_window(tab: Tab, web: Browser) -> None:
    thread = max(web.db.tables["forum_threads"].values(), key=lambda t: len(t.title))
    user = next(iter(web.db.tables["forum_users"].values()))
    tab.sign_in("forum.test", user.id, user.password)
    tab.goto(url="http://forum.test/b/" + thread.board)
    long = tab.lines()
    assert len(tab.view["content"]) == min(VIEW_LINES, len(long))
    found = tab.find_on_page(text="create THREAD")
    assert found["count"] == 1 and "button 'Create thread'" in found["matches"][0]["text"]
    with pytest.raises(ToolError):
        tab.find_on_page(text="  ")
    assert tab.find_on_page(text="zzzz")["count"] == 0
    top = tab.scroll(direction="top")
    assert top["showing"].startswith("lines 1-")
    assert tab.scroll(direction="up")["note"] == "Already at the top."
    if len(long) > VIEW_LINES:
        down = tab.scroll(direction="down")
        assert down["content"][0] == long[VIEW_LINES - 5]
        assert tab.scroll(direction="bottom")["content"][-1] == long[-1]


def test_back_reloads_the_previous_page(tab: Tab) -> None:
    tab.goto(url="http://wiki.test/")
    with pytest.raises(ToolError) as err:
        tab.back()
    assert err.value.code == "no_history"
    tab.click(element="Lakes")
    assert tab.back()["url"] == "http://wiki.test/"


# ------------------------------------------------------------------- the shop
def test_members_only_pages_send_you_to_sign_in_and_back(tab: Tab, web: Browser) -> None:
    account = next(iter(web.db.tables["shop_accounts"].values()))
    product = next(p for p in web.db.tables["shop_products"].values() if p.stock > 2)
    tab.goto(url=f"http://shop.test/product/{product.id}")
    assert tab.click(element="Add to cart")["url"].startswith("http://shop.test/login?next=")
    tab.fill(field="Username", value=account.id)
    tab.fill(field="Password", value="wrong")
    refused = tab.submit(form="Sign in")
    assert refused["status"] == 401 and "Error: Wrong username or password." in refused["content"]
    tab.fill(field="Username", value=account.id)
    tab.fill(field="Password", value=account.password)
    back = tab.submit(form="Sign in")
    assert back["url"] == f"http://shop.test/product/{product.id}"
    assert f"Signed in as {account.id}" in back["content"]
    tab.click(element="Sign out")
    assert "Signed in as" not in "\n".join(tab.lines())


def test_cart_checkout_with_coupon_and_cancel(tab: Tab, web: Browser) -> None:
    tables = web.db.tables
    account = next(iter(tables["shop_accounts"].values()))
    product = next(p for p in tables["shop_products"].values() if p.stock >= 3)
    coupons = {c.active: c for c in tables["shop_coupons"].values()}
    tab.sign_in("shop.test", account.id, account.password)
    tab.goto(url=f"http://shop.test/product/{product.id}")
    for bad in ("0", "11", "two", str(product.stock + 1)):
        tab.fill(field="Quantity", value=bad)
        assert tab.click(element="Add to cart")["status"] == 400, bad
    tab.fill(field="Quantity", value=2)
    cart = tab.click(element="Add to cart")
    assert cart["url"] == "http://shop.test/cart"
    assert tables["shop_cart"][f"{account.id}/{product.id}"].quantity == 2
    tab.click(element="Proceed to checkout")
    tab.fill(field="ZIP code", value="12")
    assert "Error: The ZIP code must be five digits." in tab.click(element="Place order")["content"]
    assert tab.fill(field="ZIP code", value=account.zip)["filled"]  # the form kept what was sent
    tab.fill(field="Coupon code", value=coupons[False].id)
    assert "is not valid" in " ".join(tab.click(element="Place order")["content"])
    tab.fill(field="Coupon code", value=coupons[True].id.lower())
    tab.fill(field="Shipping", value="Express")
    placed = tab.click(element="Place order")
    order = tables["shop_orders"][placed["url"].rsplit("/", 1)[1]]
    subtotal = 2 * product.price_cents
    assert order.total_cents == subtotal - subtotal * coupons[True].percent // 100 + 1499
    assert order.zip == account.zip and order.coupon == coupons[True].id
    assert tables["shop_products"][product.id].stock == product.stock - 2
    assert len(tables["shop_cart"]) == 0
    tab.click(element="Cancel this order")
    assert tables["shop_orders"][order.id].status == "cancelled"
    assert tables["shop_products"][product.id].stock == product.stock
    assert not any("Cancel this order" in line for line in tab.lines())


def test_cart_update_and_remove(tab: Tab, web: Browser) -> None:
    account = next(iter(web.db.tables["shop_accounts"].values()))
    product = next(p for p in web.db.tables["shop_products"].values() if p.stock >= 3)
    tab.sign_in("shop.test", account.id, account.password)
    tab.goto(url=f"http://shop.test/product/{product.id}")
    tab.click(element="Add to cart")
    tab.fill(field="Quantity", value="3")
    tab.click(element="Update")
    assert web.db.tables["shop_cart"][f"{account.id}/{product.id}"].quantity == 3
    tab.click(element="Remove")
    assert "Your cart is empty." in " ".join(tab.lines())


def test_newsletter_validation_and_record(tab: Tab, web: Browser) -> None:
    tab.goto(url="http://shop.test/newsletter")
    tab.fill(field="Email address", value="not-an-email")
    assert tab.click(element="Save subscription")["status"] == 400
    tab.fill(field="Email address", value="Ann@Example.com")
    tab.fill(field="Deals", value="false")
    tab.fill(field="New arrivals", value="false")
    assert "Choose at least one topic." in " ".join(
        tab.click(element="Save subscription")["content"]
    )
    tab.fill(field="Email address", value="Ann@Example.com")
    tab.fill(field="Deals", value="false")
    tab.fill(field="New arrivals", value="false")
    tab.fill(field="Reviews", value="true")
    tab.click(element=tab.id("radio", "Monthly"))
    tab.fill(field="Format", value="Plain text")
    done = tab.click(element="Save subscription")
    assert "Thank you! ann@example.com is subscribed." in done["content"]
    record = web.db.tables["shop_subscribers"]["ann@example.com"]
    assert (record.topics, record.frequency, record.format) == (("reviews",), "monthly", "text")


def test_review_posting(tab: Tab, web: Browser) -> None:
    account = next(iter(web.db.tables["shop_accounts"].values()))
    product = next(iter(web.db.tables["shop_products"].values()))
    tab.sign_in("shop.test", account.id, account.password)
    tab.goto(url=f"http://shop.test/product/{product.id}")
    assert tab.click(element="Post review")["status"] == 400
    tab.fill(field="Rating", value="2 stars")
    tab.fill(field="Title", value="Meh")
    tab.fill(field="Review", value="  It  broke. ")
    tab.click(element="Post review")
    review = web.db.tables["shop_reviews"]["r90001"]
    assert (review.rating, review.title, review.body) == (2, "Meh", "It broke.")
    assert review.author == account.full_name


# ------------------------------------------------------------------- the wiki
def test_wiki_edit_makes_a_revision(tab: Tab, web: Browser) -> None:
    article = next(a for a in web.db.tables["wiki_articles"].values() if a.category == "Lakes")
    tab.goto(url="http://wiki.test/wiki/" + article.title.replace(" ", "_"))
    assert f"| Area | {dict(article.infobox)['Area']} |" in tab.lines()
    tab.click(element="Edit this article")
    assert "Nothing was changed." in " ".join(tab.click(element="Save changes")["content"])
    tab.fill(field="Max depth", value="99 m")
    assert "edit summary" in " ".join(tab.click(element="Save changes")["content"])
    tab.fill(field="Max depth", value="99 m")
    tab.fill(field="Edit summary", value="Fix depth")
    saved = tab.click(element="Save changes")
    assert "Your edit was saved." in saved["content"] and "| Max depth | 99 m |" in saved["content"]
    revision = web.db.tables["wiki_revisions"][f"{article.id}#2"]
    assert revision.summary == "Fix depth" and revision.changes[0][0] == "Max depth"
    history = tab.click(element="View history")
    assert "| 2 | anonymous | Fix depth |" in history["content"]


def test_wiki_links_and_category_paging(tab: Tab, web: Browser) -> None:
    river = next(a for a in web.db.tables["wiki_articles"].values() if a.category == "Rivers")
    mouth = dict(river.infobox)["Mouth"]
    tab.goto(url="http://wiki.test/wiki/" + river.title.replace(" ", "_"))
    assert tab.click(element=mouth)["title"].startswith(mouth)
    tab.goto(url="http://wiki.test/category/Lakes?page=999")  # clamps to the last page
    lakes = sorted(
        a.title for a in web.db.tables["wiki_articles"].values() if a.category == "Lakes"
    )
    last = -(-len(lakes) // 10)
    shown = [line.split("'")[1] for line in tab.lines() if line.startswith("  - ")]
    assert shown == lakes[(last - 1) * 10 :]


# ------------------------------------------------------------------ the forum
def test_forum_reply_like_settings_and_new_thread(tab: Tab, web: Browser) -> None:
    tables = web.db.tables
    user = next(iter(tables["forum_users"].values()))
    thread = next(t for t in tables["forum_threads"].values() if t.board == "help")
    tab.goto(url=f"http://forum.test/t/{thread.id}")
    assert tab.click(element="Sign in to reply")["url"].endswith(f"next=/t/{thread.id}")
    tab.sign_in("forum.test", user.id, user.password)
    tab.goto(url=f"http://forum.test/t/{thread.id}")
    assert tab.click(element="Post reply")["status"] == 400
    tab.fill(field="Your reply", value="Same here.")
    posted = tab.click(element="Post reply")
    assert "Same here." in posted["content"]
    assert tables["forum_posts"]["900001"].body == "Same here."
    likes = len(tables["forum_likes"])
    tab.click(element=tab.id("button", "Like"))
    tab.click(element=tab.id("button", "Unlike"))
    assert len(tables["forum_likes"]) == likes
    tab.goto(url="http://forum.test/settings")
    tab.fill(field="Email", value="nope")
    assert tab.click(element="Save settings")["status"] == 400
    tab.fill(field="Signature", value="Bye")
    tab.fill(field="Time zone", value="Asia/Tokyo")
    tab.fill(field="Email me about replies", value=not user.notify)
    tab.click(element="Save settings")
    saved = tables["forum_users"][user.id]
    assert (saved.signature, saved.timezone, saved.notify) == ("Bye", "Asia/Tokyo", not user.notify)
    tab.goto(url="http://forum.test/b/general")
    tab.fill(field="Thread title", value="Brand new")
    tab.fill(field="Message", value="First!")
    started = tab.click(element="Create thread")
    assert started["title"].startswith("Brand new") and "First!" in started["content"]


def test_board_lists_pinned_threads_first(tab: Tab, web: Browser) -> None:
    tab.goto(url="http://forum.test/b/announcements")
    rows = [line for line in tab.lines() if line.startswith("| ") and "link" in line]
    pinned = [row.startswith("| Pinned:") for row in rows]
    assert pinned == sorted(pinned, reverse=True) and any(pinned)


# --------------------------------------------------------------- state, world
def test_snapshot_restores_server_and_tab(tab: Tab, web: Browser) -> None:
    tab.goto(url="http://shop.test/newsletter")
    mark = web.snapshot()
    user = next(iter(web.db.tables["forum_users"].values()))
    tab.sign_in("forum.test", user.id, user.password)
    tab.goto(url="http://forum.test/settings")
    tab.fill(field="Signature", value="changed")
    tab.click(element="Save settings")
    changes = web.changes_since(mark)
    assert [(t, k) for t, k, _, _ in changes] == [("forum_users", user.id)]
    assert changes[0][3].signature == "changed"
    web.restore(mark)
    assert web.changes_since(mark) == []
    assert web.page.url == "http://shop.test/newsletter" and web.cookies == {}
    assert web.history == ["http://shop.test/newsletter"]


def test_world_sizes_and_errors() -> None:
    small, default = build_web(1, "small"), build_web(1)
    assert len(small.db.tables["shop_products"]) < len(default.db.tables["shop_products"])
    with pytest.raises(ValueError, match="size must be one of"):
        build_web(1, "gigantic")


_DIGEST = """
import hashlib, json
from toolgym.toolkits.web import build_web
web = build_web(5, "small")
tools = {t.name: t for t in web.tools()}
out = {n: [r.model_dump(mode="json") for r in t.values()] for n, t in web.db.tables.items()}
out["pages"] = [tools["goto"]({"url": u}) for u in
                ["http://forum.test/b/help", "http://shop.test/category/laptops", "http://wiki.test/"]]
print(hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest())
"""


def test_same_seed_same_web_in_any_process() -> None:
    here = io.StringIO()
    with contextlib.redirect_stdout(here):
        exec(_DIGEST, {})
    digests = {here.getvalue().strip()}
    for hash_seed in ("0", "777"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1


def test_random_browsing_never_breaks_a_server(web: Browser) -> None:
    """A monkey clicks, types and submits at random (signing in now and then): every page it
    reaches is a real answer (no 500), and every problem is a ToolError."""
    tab = Tab(web)
    rng = np.random.default_rng(0)
    shop = next(iter(web.db.tables["shop_accounts"].values()))
    member = next(iter(web.db.tables["forum_users"].values()))
    texts = ["", "1", "0", "-3", "99", "true", "a@b.co", "<b>x</b>", "€", "GROVE15", "x" * 300]
    starts = ["shop.test", "forum.test", "wiki.test", "shop.test/cart", "forum.test/settings"]
    statuses: Counter[int] = Counter()
    tab.goto(url=starts[0])
    for _ in range(3000):
        page = web.page
        action = int(rng.integers(10))
        try:
            sign_in = [f for f in page.forms.values() if f.name == "Sign in"]
            if sign_in and rng.random() < 0.5:
                who = shop if "shop" in page.url else member
                tab.fill(field="Username", value=who.id)
                tab.fill(field="Password", value=who.password)
                tab.submit(form=sign_in[0].id)
            elif action == 0:
                tab.goto(url=starts[int(rng.integers(len(starts)))])
            elif action <= 4 and page.controls:
                control = page.controls[list(page.controls)[int(rng.integers(len(page.controls)))]]
                if control.role == "combobox" and rng.random() < 0.8:
                    tab.fill(field=control.id, value=control.options[0][1])
                elif control.fillable:
                    tab.fill(field=control.id, value=texts[int(rng.integers(len(texts)))])
                else:
                    tab.click(element=control.id)
            elif action <= 6 and page.forms:
                tab.submit(form=list(page.forms)[int(rng.integers(len(page.forms)))])
            elif action == 7:
                tab.back()
            else:
                tab.scroll(direction=["up", "down", "top", "bottom"][int(rng.integers(4))])
        except ToolError:
            pass
        statuses[web.page.status] += 1
    assert 500 not in statuses
    assert statuses[200] > 2000 and web.db.mark() > 10  # it got far enough to write


@pytest.fixture(scope="module")
def shared_web() -> Browser:
    return build_web(11, "small")


def _dump(web: Browser) -> tuple[Any, ...]:
    tables = {n: [r.model_dump() for r in t.values()] for n, t in web.db.tables.items()}
    values = dict(web.page.values) if web.page is not None else None
    return tables, values, list(web.history), dict(web.cookies), web.top, web.db.counters


ACTIONS = st.lists(
    st.tuples(
        st.integers(0, 7),
        st.integers(0, 10_000),
        st.sampled_from(["", "2", "true", "a@b.co", "Express", "SPRING15", "x" * 50]),
    ),
    max_size=40,
)


@settings(max_examples=40)
@given(actions=ACTIONS)
def test_restore_undoes_any_browsing(shared_web: Browser, actions: list) -> None:
    """Whatever a session does (signing in, buying, posting), restoring the snapshot brings the
    servers and the tab back exactly."""
    web = shared_web
    tab = Tab(web)
    tab.goto(url="http://shop.test/")
    mark, before = web.snapshot(), _dump(web)
    member = next(iter(web.db.tables["shop_accounts"].values()))
    for kind, n, text in actions:
        page = web.page
        controls, forms = list(page.controls), list(page.forms)
        try:
            if kind == 0:
                tab.sign_in("shop.test", member.id, member.password)
            elif kind in (1, 2) and controls:
                tab.click(element=controls[n % len(controls)])
            elif kind == 3 and controls:
                tab.fill(field=controls[n % len(controls)], value=text)
            elif kind == 4 and forms:
                tab.submit(form=forms[n % len(forms)])
            elif kind == 5:
                tab.back()
            elif kind == 6:
                tab.goto(url=["forum.test", "wiki.test", "shop.test/cart"][n % 3])
            else:
                tab.scroll(direction="down")
        except ToolError:
            pass
        assert web.page.status != 500
    web.restore(mark)
    assert _dump(web) == before
    assert web.changes_since(mark) == []
