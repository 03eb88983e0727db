"""``shop.test``: an electronics store with a paginated catalogue, product pages with reviews, a
cart, checkout with coupons, order history and a newsletter.

Members-only actions (cart, checkout, orders, reviews) send a signed-out visitor to the sign-in
page and back. Every write goes through the journaled database, so an episode's purchases,
cancellations and reviews are exactly what ``changes_since`` reports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, TypeVar

import numpy as np
from faker import Faker

from toolgym.core.money import usd as money
from toolgym.core.state import Database, Record
from toolgym.toolkits.web.server import (
    MemberSite,
    Request,
    Response,
    checkbox,
    esc,
    field_row,
    link,
    pager,
    paginate,
    radio,
    route,
    select,
    table,
    textarea,
)

__all__ = [
    "Account",
    "CartItem",
    "Coupon",
    "Order",
    "OrderLine",
    "Product",
    "Review",
    "ShopSite",
    "Subscriber",
    "populate_shop",
]

TODAY = "2026-05-15"
PER_PAGE = 10
ORDERS_PER_PAGE = 5
REVIEWS_PER_PAGE = 5
SHIPPING = {"standard": ("Standard (3-5 days)", 499), "express": ("Express (1-2 days)", 1499)}
TOPICS = {"deals": "Deals", "new": "New arrivals", "reviews": "Reviews"}
FREQUENCIES = ("daily", "weekly", "monthly")
FORMATS = {"html": "HTML", "text": "Plain text"}
MAX_QUANTITY = 10
T = TypeVar("T")

CATEGORIES = {
    "laptops": ("Laptops", ("Book", "Slate", "Note"), ("Screen", ('13.3"', '14"', '15.6"'))),
    "phones": ("Phones", ("Edge", "Pixel", "Nova"), ("Storage", ("128 GB", "256 GB", "512 GB"))),
    "headphones": ("Headphones", ("Buds", "Studio", "Pods"), ("Battery life", ("20 h", "30 h"))),
    "cameras": ("Cameras", ("Shot", "Lens", "Frame"), ("Sensor", ("24 MP", "33 MP", "45 MP"))),
    "monitors": ("Monitors", ("View", "Panel", "Vista"), ("Refresh rate", ("60 Hz", "144 Hz"))),
    "keyboards": ("Keyboards", ("Keys", "Type", "Board"), ("Switches", ("linear", "tactile"))),
}
BRANDS = ("Aero", "Brightline", "Corvid", "Dynamo", "Everest", "Fjord", "Granite", "Helix")
COLORS = ("black", "silver", "white", "blue", "graphite")
REVIEW_TITLES = (
    "Great value", "Does the job", "Disappointed", "Better than expected", "Solid build",
    "Would buy again", "Not for me", "Excellent", "Average at best", "Love it",
)  # fmt: skip


class Product(Record):
    id: str
    name: str
    brand: str
    category: str
    price_cents: int
    stock: int
    specs: tuple[tuple[str, str], ...]
    description: str


class Review(Record):
    id: str
    product_id: str
    author: str
    rating: int
    title: str
    body: str
    date: str


class Account(Record):
    id: str
    password: str
    full_name: str
    email: str
    street: str
    city: str
    zip: str


class CartItem(Record):
    id: str
    user: str
    product_id: str
    quantity: int


class OrderLine(Record):
    product_id: str
    name: str
    quantity: int
    unit_price_cents: int


class Order(Record):
    id: str
    user: str
    placed_on: str
    status: Literal["placed", "shipped", "delivered", "cancelled"]
    lines: tuple[OrderLine, ...]
    shipping: str
    shipping_cents: int
    coupon: str
    discount_cents: int
    total_cents: int
    full_name: str
    street: str
    city: str
    zip: str


class Coupon(Record):
    id: str
    percent: int
    active: bool


class Subscriber(Record):
    id: str
    topics: tuple[str, ...]
    frequency: str
    format: str


def order_number(order_id: str) -> int:
    return int(order_id.split("-")[1])


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


class ShopSite(MemberSite):
    """The store. Prices are kept in cents and shown in dollars."""

    host = "shop.test"
    title = "Gadget Grove"
    home_after_login = "/account"

    def __init__(self, db: Database) -> None:
        super().__init__(db, "shop_accounts")
        self.products = db.tables["shop_products"]
        self.reviews = db.tables["shop_reviews"]
        self.cart = db.tables["shop_cart"]
        self.orders = db.tables["shop_orders"]
        self.coupons = db.tables["shop_coupons"]
        self.subscribers = db.tables["shop_subscribers"]

    def nav(self, request: Request) -> list[tuple[str, str]]:
        links = [("/", "Home")]
        links += [(f"/category/{slug}", name) for slug, (name, _, _) in CATEGORIES.items()]
        if request.user is None:
            return [*links, ("/login", "Sign in")]
        return [*links, ("/cart", "Cart"), ("/orders", "Orders"), ("/account", "Account")]

    # --------------------------------------------------------------- browsing
    @route("GET", "/")
    def home(self, request: Request) -> Response:
        categories = "".join(
            f"<li>{link(f'/category/{slug}', name)}</li>"
            for slug, (name, _, _) in CATEGORIES.items()
        )
        body = (
            f"<h1>Welcome to {esc(self.title)}</h1>"
            "<p>Laptops, phones, audio and more, shipped fast.</p>"
            '<form method="get" action="/search" aria-label="Search products">'
            + field_row("search", "q", "Search products")
            + '<button type="submit">Search</button></form>'
            f"<h2>Shop by category</h2><ul>{categories}</ul>"
            "<h2>Newsletter</h2><p>Deals and new arrivals in your inbox every week. "
            f"{link('/newsletter', 'Choose your newsletter options')}</p>"
            '<form method="post" action="/newsletter" aria-label="Quick newsletter signup">'
            '<input type="hidden" name="topic_deals" value="on">'
            '<input type="hidden" name="topic_new" value="on">'
            '<input type="hidden" name="frequency" value="weekly">'
            '<input type="hidden" name="format" value="html">'
            + field_row("quick", "email", "Email address", kind="email")
            + '<button type="submit">Subscribe</button></form>'
        )
        return self.page(request, "Home", body)

    def _ratings(self, product_ids: list[str]) -> dict[str, tuple[float | None, int]]:
        """Average rating (one decimal) and review count per product, in one pass."""
        given: dict[str, list[int]] = {pid: [] for pid in product_ids}
        for review in self.reviews.values():
            if review.product_id in given:
                given[review.product_id].append(review.rating)
        return {pid: (round(sum(r) / len(r), 1) if r else None, len(r)) for pid, r in given.items()}

    def _listing(self, products: list[Product]) -> str:
        ratings = self._ratings([p.id for p in products])
        rows = []
        for product in products:
            rating, count = ratings[product.id]
            rows.append(
                (
                    link(f"/product/{product.id}", product.name),
                    money(product.price_cents),
                    f"{rating} ({count})" if rating is not None else "no reviews",
                    "In stock" if product.stock > 0 else "Out of stock",
                )
            )
        return table(("Product", "Price", "Rating", "Availability"), rows)

    @route("GET", r"/category/(?P<slug>[a-z]+)")
    def category(self, request: Request, slug: str) -> Response:
        if slug not in CATEGORIES:
            return self.error(request, 404, f"There is no category called '{slug}'.")
        name = CATEGORIES[slug][0]
        sort = request.query.get("sort", "name")
        keys = {
            "name": lambda p: (p.name,),
            "price_asc": lambda p: (p.price_cents, p.name),
            "price_desc": lambda p: (-p.price_cents, p.name),
        }
        products = sorted(self.products.where(category=slug), key=keys.get(sort, keys["name"]))
        shown, page, pages = paginate(products, request.page(), PER_PAGE)
        path = f"/category/{slug}"
        sorts = " ".join(
            link(f"{path}?sort={key}", text)
            for key, text in (
                ("name", "Sort by name"),
                ("price_asc", "Price: low to high"),
                ("price_desc", "Price: high to low"),
            )
        )
        body = (
            f"<h1>{esc(name)}</h1><p>{len(products)} products. {sorts}</p>"
            + self._listing(shown)
            + pager(path, page, pages, {"sort": sort} if sort != "name" else {})
        )
        return self.page(request, name, body)

    @route("GET", "/search")
    def search(self, request: Request) -> Response:
        query = request.arg("q")
        terms = query.casefold().split()
        hits = [
            p
            for p in self.products.values()
            if terms and all(t in f"{p.name} {p.category}".casefold() for t in terms)
        ]
        hits.sort(key=lambda p: p.name)
        shown, page, pages = paginate(hits, request.page(), PER_PAGE)
        body = (
            f"<h1>Search results for '{esc(query)}'</h1><p>{len(hits)} products found.</p>"
            + (self._listing(shown) if hits else "<p>Try another search.</p>")
            + pager("/search", page, pages, {"q": query})
        )
        return self.page(request, "Search", body)

    @route("GET", r"/product/(?P<pid>p\d+)")
    def product(self, request: Request, pid: str, error: str = "", status: int = 200) -> Response:
        product = self.products.get(pid)
        if product is None:
            return self.error(request, 404, f"No product with id '{pid}'.")
        rating, count = self._ratings([pid])[pid]
        stock = f"In stock ({product.stock} left)" if product.stock > 0 else "Out of stock"
        specs = table(("Specification", "Value"), [(esc(k), esc(v)) for k, v in product.specs])
        reviews = sorted(self.reviews.where(product_id=pid), key=lambda r: r.id, reverse=True)
        latest = "".join(self._review(r) for r in reviews[:2])
        alert = f'<p role="alert">Error: {esc(error)}</p>' if error else ""
        body = (
            f"<h1>{esc(product.name)}</h1>{alert}"
            f"<p>Price: {money(product.price_cents)}</p><p>Availability: {stock}</p>"
            + (f"<p>Rating: {rating} out of 5 ({count} reviews)</p>" if count else "")
            + f"<p>{esc(product.description)}</p>"
            f'<form method="post" action="/product/{pid}/cart" aria-label="Add to cart">'
            + field_row("cart", "quantity", "Quantity", "1", "number")
            + '<button type="submit">Add to cart</button></form>'
            + f"<h2>Specifications</h2>{specs}<h2>Reviews</h2>"
            + (latest or "<p>No reviews yet.</p>")
            + (
                f"<p>{link(f'/product/{pid}/reviews', f'See all {count} reviews')}</p>"
                if count
                else ""
            )
            + self._review_form(request, pid)
        )
        return self.page(request, product.name, body, status)

    @staticmethod
    def _review(review: Review) -> str:
        return (
            f"<article><h3>{esc(review.title)}</h3>"
            f"<p>{review.rating} out of 5 stars, by {esc(review.author)} on {review.date}</p>"
            f"<p>{esc(review.body)}</p></article>"
        )

    def _review_form(self, request: Request, pid: str) -> str:
        if request.user is None:
            return f"<p>{link(f'/login?next=/product/{pid}', 'Sign in to write a review')}</p>"
        stars = [(str(n), f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)]
        return (
            f'<h2>Write a review</h2><form method="post" action="/product/{pid}/reviews" '
            'aria-label="Write a review">'
            + select("review", "rating", "Rating", stars, "5")
            + field_row("review", "title", "Title")
            + textarea("review", "body", "Review")
            + '<button type="submit">Post review</button></form>'
        )

    @route("GET", r"/product/(?P<pid>p\d+)/reviews")
    def all_reviews(self, request: Request, pid: str) -> Response:
        product = self.products.get(pid)
        if product is None:
            return self.error(request, 404, f"No product with id '{pid}'.")
        reviews = sorted(self.reviews.where(product_id=pid), key=lambda r: r.id, reverse=True)
        shown, page, pages = paginate(reviews, request.page(), REVIEWS_PER_PAGE)
        body = (
            f"<h1>Reviews of {esc(product.name)}</h1>"
            f"<p>{link(f'/product/{pid}', 'Back to the product')}</p>"
            + ("".join(self._review(r) for r in shown) or "<p>No reviews yet.</p>")
            + pager(f"/product/{pid}/reviews", page, pages)
        )
        return self.page(request, "Reviews", body)

    # ------------------------------------------------------------- members
    @route("POST", r"/product/(?P<pid>p\d+)/reviews")
    def post_review(self, request: Request, pid: str) -> Response:
        if (guard := self.require_login(request, f"/product/{pid}")) is not None:
            return guard
        if pid not in self.products:
            return self.error(request, 404, f"No product with id '{pid}'.")
        rating, title, text = request.arg("rating"), request.arg("title"), request.arg("body")
        if rating not in ("1", "2", "3", "4", "5"):
            return self.product(request, pid, "Choose a rating from 1 to 5 stars.", 400)
        if not title or not text:
            return self.product(request, pid, "A review needs a title and some text.", 400)
        number = self.db.next_id("shop_review", 90001)
        author = self.accounts[request.user].full_name  # type: ignore[index]
        self.reviews.insert(
            Review(
                id=f"r{number}",
                product_id=pid,
                author=author,
                rating=int(rating),
                title=" ".join(title.split()),
                body=" ".join(text.split()),
                date=TODAY,
            )
        )
        return self.redirect(f"/product/{pid}/reviews")

    @route("POST", r"/product/(?P<pid>p\d+)/cart")
    def add_to_cart(self, request: Request, pid: str) -> Response:
        if (guard := self.require_login(request, f"/product/{pid}")) is not None:
            return guard
        product = self.products.get(pid)
        if product is None:
            return self.error(request, 404, f"No product with id '{pid}'.")
        quantity = request.arg("quantity")
        if not quantity.isdigit() or not 1 <= int(quantity) <= MAX_QUANTITY:
            return self.product(request, pid, f"Quantity must be 1 to {MAX_QUANTITY}.", 400)
        key = f"{request.user}/{pid}"
        held = self.cart.get(key)
        total = int(quantity) + (held.quantity if held else 0)
        if total > product.stock:
            return self.product(
                request, pid, f"Only {product.stock} in stock; your cart cannot hold {total}.", 400
            )
        if held:
            self.cart.update(key, quantity=total)
        else:
            self.cart.insert(CartItem(id=key, user=request.user, product_id=pid, quantity=total))  # type: ignore[arg-type]
        return self.redirect("/cart")

    def _cart_lines(self, user: str) -> list[tuple[CartItem, Product]]:
        return [(item, self.products[item.product_id]) for item in self.cart.where(user=user)]

    @route("GET", "/cart")
    def cart_page(self, request: Request) -> Response:
        if (guard := self.require_login(request)) is not None:
            return guard
        lines = self._cart_lines(request.user)  # type: ignore[arg-type]
        if not lines:
            body = f"<h1>Your cart</h1><p>Your cart is empty. {link('/', 'Keep shopping')}</p>"
            return self.page(request, "Cart", body)
        rows = []
        for item, product in lines:
            update = (
                f'<form method="post" action="/cart/{product.id}" '
                f'aria-label="Update {esc(product.name)}">'
                + field_row(
                    f"qty-{product.id}", "quantity", "Quantity", str(item.quantity), "number"
                )
                + '<button type="submit" name="action" value="update">Update</button>'
                '<button type="submit" name="action" value="remove">Remove</button></form>'
            )
            rows.append(
                (
                    link(f"/product/{product.id}", product.name),
                    money(product.price_cents),
                    str(item.quantity),
                    money(product.price_cents * item.quantity),
                    update,
                )
            )
        subtotal = sum(p.price_cents * i.quantity for i, p in lines)
        body = (
            "<h1>Your cart</h1>"
            + table(("Product", "Price", "Quantity", "Subtotal", "Change"), rows)
            + f"<p>Subtotal: {money(subtotal)}</p><p>{link('/checkout', 'Proceed to checkout')}</p>"
        )
        return self.page(request, "Cart", body)

    @route("POST", r"/cart/(?P<pid>p\d+)")
    def change_cart(self, request: Request, pid: str) -> Response:
        if (guard := self.require_login(request, "/cart")) is not None:
            return guard
        key = f"{request.user}/{pid}"
        item = self.cart.get(key)
        if item is None:
            return self.error(request, 404, "That product is not in your cart.")
        if request.arg("action") == "remove":
            self.cart.delete(key)
            return self.redirect("/cart")
        quantity = request.arg("quantity")
        if not quantity.isdigit() or int(quantity) > MAX_QUANTITY:
            return self.error(request, 400, f"Quantity must be 0 to {MAX_QUANTITY}.")
        if int(quantity) > self.products[pid].stock:
            return self.error(request, 400, f"Only {self.products[pid].stock} in stock.")
        if int(quantity) == 0:
            self.cart.delete(key)
        else:
            self.cart.update(key, quantity=int(quantity))
        return self.redirect("/cart")

    def _checkout_form(self, request: Request, error: str = "", status: int = 200) -> Response:
        account = self.accounts[request.user]  # type: ignore[index]
        lines = self._cart_lines(account.id)
        if not lines:
            body = f"<h1>Checkout</h1><p>Your cart is empty. {link('/', 'Keep shopping')}</p>"
            return self.page(request, "Checkout", body)
        rows = [(esc(p.name), str(i.quantity), money(p.price_cents * i.quantity)) for i, p in lines]
        subtotal = sum(p.price_cents * i.quantity for i, p in lines)
        values = {
            key: request.arg(key, getattr(account, key))
            for key in ("full_name", "street", "city", "zip")
        }
        shipping = [(key, f"{text}: {money(cents)}") for key, (text, cents) in SHIPPING.items()]
        alert = f'<p role="alert">Error: {esc(error)}</p>' if error else ""
        body = (
            f"<h1>Checkout</h1>{alert}"
            + table(("Product", "Quantity", "Amount"), rows)
            + f"<p>Subtotal: {money(subtotal)}</p>"
            '<form method="post" action="/checkout" aria-label="Place order">'
            + field_row("checkout", "full_name", "Full name", values["full_name"])
            + field_row("checkout", "street", "Street", values["street"])
            + field_row("checkout", "city", "City", values["city"])
            + field_row("checkout", "zip", "ZIP code", values["zip"])
            + select("checkout", "shipping", "Shipping", shipping, request.arg("shipping"))
            + field_row("checkout", "coupon", "Coupon code", request.arg("coupon"))
            + '<button type="submit">Place order</button></form>'
        )
        return self.page(request, "Checkout", body, status)

    @route("GET", "/checkout")
    def checkout_page(self, request: Request) -> Response:
        if (guard := self.require_login(request)) is not None:
            return guard
        return self._checkout_form(request)

    @route("POST", "/checkout")
    def checkout(self, request: Request) -> Response:
        if (guard := self.require_login(request)) is not None:
            return guard
        lines = self._cart_lines(request.user)  # type: ignore[arg-type]
        if not lines:
            return self._checkout_form(request)
        address = {
            key: " ".join(request.arg(key).split())
            for key in ("full_name", "street", "city", "zip")
        }
        if not all(address.values()):
            return self._checkout_form(request, "Fill in the name and the full address.", 400)
        if not re.fullmatch(r"\d{5}", address["zip"]):
            return self._checkout_form(request, "The ZIP code must be five digits.", 400)
        shipping = request.arg("shipping")
        if shipping not in SHIPPING:
            return self._checkout_form(request, "Choose a shipping method.", 400)
        code = request.arg("coupon").upper()
        coupon = self.coupons.get(code) if code else None
        if code and (coupon is None or not coupon.active):
            return self._checkout_form(request, f"The coupon '{code}' is not valid.", 400)
        for item, product in lines:
            if item.quantity > product.stock:
                return self._checkout_form(
                    request, f"Only {product.stock} of {product.name} left in stock.", 400
                )
        subtotal = sum(p.price_cents * i.quantity for i, p in lines)
        discount = subtotal * coupon.percent // 100 if coupon else 0
        shipping_cents = SHIPPING[shipping][1]
        number = self.db.next_id("shop_order", 50001)
        order = Order(
            id=f"SO-{number}",
            user=request.user,  # type: ignore[arg-type]
            placed_on=TODAY,
            status="placed",
            lines=tuple(
                OrderLine(
                    product_id=p.id,
                    name=p.name,
                    quantity=i.quantity,
                    unit_price_cents=p.price_cents,
                )
                for i, p in lines
            ),
            shipping=shipping,
            shipping_cents=shipping_cents,
            coupon=code if coupon else "",
            discount_cents=discount,
            total_cents=subtotal - discount + shipping_cents,
            **address,
        )
        self.orders.insert(order)
        for item, product in lines:
            self.products.update(product.id, stock=product.stock - item.quantity)
            self.cart.delete(item.id)
        return self.redirect(f"/orders/{order.id}")

    @route("GET", "/orders")
    def order_list(self, request: Request) -> Response:
        if (guard := self.require_login(request)) is not None:
            return guard
        orders = sorted(
            self.orders.where(user=request.user),
            key=lambda o: (o.placed_on, order_number(o.id)),
            reverse=True,
        )
        shown, page, pages = paginate(orders, request.page(), ORDERS_PER_PAGE)
        rows = [
            (link(f"/orders/{o.id}", o.id), o.placed_on, o.status, money(o.total_cents))
            for o in shown
        ]
        body = (
            f"<h1>Your orders</h1><p>{len(orders)} orders, newest first.</p>"
            + (table(("Order", "Placed on", "Status", "Total"), rows) if orders else "")
            + pager("/orders", page, pages)
        )
        return self.page(request, "Orders", body)

    @route("GET", r"/orders/(?P<oid>SO-\d+)")
    def order_page(self, request: Request, oid: str) -> Response:
        if (guard := self.require_login(request)) is not None:
            return guard
        order = self.orders.get(oid)
        if order is None or order.user != request.user:
            return self.error(request, 404, f"You have no order {oid}.")
        rows = [
            (esc(line.name), str(line.quantity), money(line.unit_price_cents * line.quantity))
            for line in order.lines
        ]
        cancel = ""
        if order.status == "placed":
            cancel = (
                f'<form method="post" action="/orders/{oid}/cancel" aria-label="Cancel order">'
                '<button type="submit">Cancel this order</button></form>'
            )
        summary = [
            ("Status", order.status),
            ("Placed on", order.placed_on),
            ("Shipping", f"{SHIPPING[order.shipping][0]}: {money(order.shipping_cents)}"),
            (
                "Discount",
                f"{money(order.discount_cents)}" + (f" ({order.coupon})" if order.coupon else ""),
            ),
            ("Total", money(order.total_cents)),
            ("Ship to", f"{order.full_name}, {order.street}, {order.city} {order.zip}"),
        ]
        body = (
            f"<h1>Order {oid}</h1>"
            + table(("Item", "Quantity", "Amount"), rows)
            + table(("Detail", "Value"), [(k, esc(v)) for k, v in summary])
            + cancel
        )
        return self.page(request, f"Order {oid}", body)

    @route("POST", r"/orders/(?P<oid>SO-\d+)/cancel")
    def cancel_order(self, request: Request, oid: str) -> Response:
        if (guard := self.require_login(request, f"/orders/{oid}")) is not None:
            return guard
        order = self.orders.get(oid)
        if order is None or order.user != request.user:
            return self.error(request, 404, f"You have no order {oid}.")
        if order.status != "placed":
            return self.error(
                request, 400, f"Order {oid} is {order.status} and cannot be cancelled."
            )
        self.orders.update(oid, status="cancelled")
        for line in order.lines:
            product = self.products[line.product_id]
            self.products.update(product.id, stock=product.stock + line.quantity)
        return self.redirect(f"/orders/{oid}")

    @route("GET", "/account")
    def account(self, request: Request) -> Response:
        if (guard := self.require_login(request)) is not None:
            return guard
        me = self.accounts[request.user]  # type: ignore[index]
        details = [
            ("Username", me.id),
            ("Name", me.full_name),
            ("Email", me.email),
            ("Address", f"{me.street}, {me.city} {me.zip}"),
        ]
        body = (
            "<h1>Your account</h1>"
            + table(("Detail", "Value"), [(k, esc(v)) for k, v in details])
            + f"<p>{link('/orders', 'See your orders')}</p>"
        )
        return self.page(request, "Account", body)

    # ------------------------------------------------------------ newsletter
    @route("GET", "/newsletter")
    def newsletter_page(self, request: Request, error: str = "", status: int = 200) -> Response:
        done = request.query.get("subscribed", "")
        notice = f"<p>Thank you! {esc(done)} is subscribed.</p>" if done else ""
        alert = f'<p role="alert">Error: {esc(error)}</p>' if error else ""
        body = (
            f"<h1>Newsletter</h1>{notice}{alert}"
            '<form method="post" action="/newsletter" aria-label="Newsletter options">'
            + field_row("news", "email", "Email address", request.arg("email"), "email")
            + "<fieldset><legend>Topics</legend>"
            + checkbox("news", "topic_deals", TOPICS["deals"], True)
            + checkbox("news", "topic_new", TOPICS["new"], True)
            + checkbox("news", "topic_reviews", TOPICS["reviews"], False)
            + "</fieldset><fieldset><legend>How often</legend>"
            + "".join(
                radio("news", "frequency", f.capitalize(), f, f == "weekly") for f in FREQUENCIES
            )
            + "</fieldset>"
            + select("news", "format", "Format", list(FORMATS.items()), "html")
            + '<button type="submit">Save subscription</button></form>'
        )
        return self.page(request, "Newsletter", body, status)

    @route("POST", "/newsletter")
    def subscribe(self, request: Request) -> Response:
        email = request.arg("email").lower()
        if not _EMAIL.match(email):
            return self.newsletter_page(request, "Enter a valid email address.", 400)
        topics = tuple(key for key in TOPICS if request.form.get(f"topic_{key}"))
        if not topics:
            return self.newsletter_page(request, "Choose at least one topic.", 400)
        frequency, kind = request.arg("frequency"), request.arg("format")
        if frequency not in FREQUENCIES or kind not in FORMATS:
            return self.newsletter_page(request, "Choose how often and in which format.", 400)
        self.subscribers.replace(
            Subscriber(id=email, topics=topics, frequency=frequency, format=kind)
        )
        return self.redirect(f"/newsletter?subscribed={email}")


def populate_shop(
    db: Database, rng: np.random.Generator, fake: Faker, size: dict[str, int]
) -> None:
    """Fill the shop's tables: catalogue, reviews, accounts with order histories, coupons."""
    products = db.table("shop_products", Product)
    reviews = db.table("shop_reviews", Review)
    accounts = db.table("shop_accounts", Account)
    db.table("shop_cart", CartItem)
    orders = db.table("shop_orders", Order)
    coupons = db.table("shop_coupons", Coupon)
    db.table("shop_subscribers", Subscriber)

    def pick(items: Sequence[T]) -> T:
        return items[int(rng.integers(len(items)))]

    def date(max_days: int) -> str:
        return str(np.datetime64(TODAY) - np.timedelta64(int(rng.integers(1, max_days)), "D"))

    names: set[str] = set()
    number = 1001
    for slug, (_, lines, (spec, values)) in CATEGORIES.items():
        for _ in range(int(rng.integers(size["products_min"], size["products_max"] + 1))):
            name = ""
            while not name or name in names:
                name = f"{pick(BRANDS)} {pick(lines)} {int(rng.integers(2, 99))}"
            names.add(name)
            brand = name.split()[0]
            price = int(rng.integers(20, 2400)) * 100 + 99
            stock = 0 if rng.random() < 0.2 else int(rng.integers(1, 25))
            specs = (
                ("Brand", brand),
                (spec, pick(values)),
                ("Color", pick(COLORS)),
                ("Weight", f"{int(rng.integers(80, 2400))} g"),
                ("Warranty", f"{int(rng.integers(1, 4))} years"),
            )
            description = f"The {name} from {brand}. {fake.sentence(nb_words=10)}"
            pid = f"p{number}"
            number += 1
            products.insert(
                Product(
                    id=pid,
                    name=name,
                    brand=brand,
                    category=slug,
                    price_cents=price,
                    stock=stock,
                    specs=specs,
                    description=description,
                )
            )
    review_number = 70001
    for product in products.values():
        for _ in range(int(rng.integers(0, size["reviews_max"] + 1))):
            reviews.insert(
                Review(
                    id=f"r{review_number}",
                    product_id=product.id,
                    author=f"{fake.first_name()} {fake.last_name()[0]}.",
                    rating=int(rng.integers(1, 6)),
                    title=pick(REVIEW_TITLES),
                    body=fake.sentence(nb_words=12),
                    date=date(700),
                )
            )
            review_number += 1

    # One live partner code and one that has ended; the forum announces both.
    words = rng.permutation(["SPRING", "SUMMER", "GROVE", "HELLO", "FRESH"])
    for word, percent, active in zip(words, (15, 20), (True, False), strict=False):
        coupons.insert(Coupon(id=f"{word}{percent}", percent=percent, active=active))

    catalogue = products.values()
    order_number_ = 40001
    usernames: set[str] = set()
    statuses = ("placed", "shipped", "delivered", "cancelled")
    for _ in range(size["accounts"]):
        username = ""
        while not username or username in usernames:
            username = f"{fake.user_name()}{int(rng.integers(10, 100))}"
        usernames.add(username)
        first, last = fake.first_name(), fake.last_name()
        account = Account(
            id=username,
            password=f"{fake.word()}{int(rng.integers(1000, 10000))}",
            full_name=f"{first} {last}",
            email=f"{first}.{last}@{fake.free_email_domain()}".lower(),
            street=fake.street_address(),
            city=fake.city(),
            zip=fake.zipcode(),
        )
        accounts.insert(account)
        for _ in range(int(rng.integers(2, size["orders_max"] + 1))):
            chosen = rng.choice(len(catalogue), size=int(rng.integers(1, 4)), replace=False)
            lines = tuple(
                OrderLine(
                    product_id=catalogue[int(i)].id,
                    name=catalogue[int(i)].name,
                    quantity=int(rng.integers(1, 3)),
                    unit_price_cents=catalogue[int(i)].price_cents,
                )
                for i in chosen
            )
            shipping = pick(tuple(SHIPPING))
            subtotal = sum(line.unit_price_cents * line.quantity for line in lines)
            status = statuses[int(rng.choice(4, p=[0.2, 0.2, 0.5, 0.1]))]
            orders.insert(
                Order(
                    id=f"SO-{order_number_}",
                    user=username,
                    placed_on=date(400),
                    status=status,
                    lines=lines,
                    shipping=shipping,
                    shipping_cents=SHIPPING[shipping][1],
                    coupon="",
                    discount_cents=0,
                    total_cents=subtotal + SHIPPING[shipping][1],
                    full_name=account.full_name,
                    street=account.street,
                    city=account.city,
                    zip=account.zip,
                )
            )
            order_number_ += 1
