"""A retail store's customer-service API: customers, products with variants, orders,
payments, returns and exchanges, with the business rules a real store enforces.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Annotated, Any, Literal

import numpy as np
from faker import Faker
from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.state import Database, Record
from toolgym.core.tool import WorldEvent, tool
from toolgym.toolkits.apis.base import ApiToolkit, calculate, dollars, not_found, public

__all__ = [
    "Address",
    "Customer",
    "Order",
    "OrderItem",
    "PaymentMethod",
    "Product",
    "RetailAPI",
    "Variant",
    "build_retail",
]

OrderStatus = Literal["pending", "processing", "shipped", "delivered", "cancelled"]
CancelReason = Literal["no longer needed", "ordered by mistake"]
TODAY = "2026-05-15"


class Address(Record):
    street: str
    city: str
    state: str
    zip: str


class PaymentMethod(Record):
    id: str
    customer_id: str
    kind: Literal["credit_card", "gift_card", "paypal"]
    label: str
    balance_cents: int | None = None


class Customer(Record):
    id: str
    name: str
    email: str
    phone: str
    address: Address
    payment_method_ids: tuple[str, ...]


class Variant(Record):
    id: str
    product_id: str
    options: dict[str, str]
    price_cents: int
    stock: int


class Product(Record):
    id: str
    name: str
    category: str
    variant_ids: tuple[str, ...]


class OrderItem(Record):
    variant_id: str
    product_id: str
    name: str
    options: dict[str, str]
    unit_price_cents: int
    quantity: int = 1


class Order(Record):
    id: str
    customer_id: str
    status: OrderStatus
    placed_on: str
    items: tuple[OrderItem, ...]
    address: Address
    payment_method_id: str
    total_cents: int
    tracking_number: str | None = None
    cancel_reason: str | None = None


class Return(Record):
    id: str
    order_id: str
    variant_ids: tuple[str, ...]
    refund_method_id: str
    refund_cents: int


class Exchange(Record):
    id: str
    order_id: str
    from_variant_id: str
    to_variant_id: str
    payment_method_id: str
    difference_cents: int


class Payment(Record):
    id: str
    order_id: str
    method_id: str
    amount_cents: int
    kind: Literal["charge", "refund"]


Street = Annotated[str, Field(description="Street address, e.g. '12 Main St Apt 4'.")]
City = Annotated[str, Field(description="City.")]
State = Annotated[str, Field(description="Two-letter state code, e.g. 'CA'.")]
Zip = Annotated[str, Field(description="Five-digit ZIP code.")]
OrderId = Annotated[str, Field(description="Order id, e.g. '#W1234567'.")]
_ORDER_ID = re.compile(r"#W\d{7}")
CustomerId = Annotated[str, Field(description="Customer id, e.g. 'C-10234'.")]


class RetailAPI(ApiToolkit):
    """The store's API. Tools read and write ``self.db``; money is shown in dollars."""

    name = "retail"

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.customers = db.tables["customers"]
        self.payment_methods = db.tables["payment_methods"]
        self.products = db.tables["products"]
        self.variants = db.tables["variants"]
        self.orders = db.tables["orders"]
        self.returns = db.tables["returns"]
        self.exchanges = db.tables["exchanges"]
        self.payments = db.tables["payments"]

    # --------------------------------------------------------------- helpers
    def _customer(self, customer_id: str) -> Customer:
        found = self.customers.get(customer_id)
        if found is None:
            raise not_found("customer", customer_id, "Use find_customer to look customers up.")
        return found

    def _order(self, order_id: str) -> Order:
        found = self.orders.get(order_id.strip())
        if found is None:
            raise not_found("order", order_id, "Order ids look like '#W1234567'.")
        return found

    def _method(self, customer: Customer, method_id: str) -> PaymentMethod:
        if method_id not in customer.payment_method_ids:
            raise ToolError(
                "invalid_payment_method",
                f"Payment method '{method_id}' does not belong to customer {customer.id}; "
                f"theirs are: {', '.join(customer.payment_method_ids)}.",
            )
        return self.payment_methods[method_id]

    def _order_summary(self, order: Order) -> dict[str, Any]:
        return {
            "order_id": order.id,
            "status": order.status,
            "placed_on": order.placed_on,
            "total": dollars(order.total_cents),
            "items": [item.name for item in order.items],
        }

    @staticmethod
    def _next_id(prefix: str, order: Order, table: Any) -> str:
        """``PAY-1234567-2``: numbered per order, so the ids an episode creates do not depend
        on the order in which the agent handles several orders."""
        count = len(table.where(order_id=order.id))
        return f"{prefix}-{order.id.removeprefix('#W')}-{count + 1}"

    def _refund(self, order: Order, method_id: str, amount_cents: int) -> None:
        method = self.payment_methods[method_id]
        if method.kind == "gift_card":
            self.payment_methods.update(
                method_id, balance_cents=(method.balance_cents or 0) + amount_cents
            )
        self.payments.insert(
            Payment(
                id=self._next_id("PAY", order, self.payments),
                order_id=order.id,
                method_id=method_id,
                amount_cents=-amount_cents,
                kind="refund",
            )
        )

    def world_events(self, rng: np.random.Generator, seen: str) -> list[WorldEvent]:
        """The warehouse moves an order on (it starts processing, or it ships with a
        tracking number), or a variant's price changes, for orders and variants in ``seen``."""
        events: list[WorldEvent] = []
        for oid in sorted(set(_ORDER_ID.findall(seen))):
            order = self.orders.get(oid)
            if order is None:
                continue
            if order.status in ("pending", "processing"):
                tracking = f"1Z{int(rng.integers(10**9, 10**10))}"
                change = partial(
                    self.orders.update, oid, status="shipped", tracking_number=tracking
                )
                notice = f"Order {oid} has just shipped (tracking number {tracking})."
                events.append(WorldEvent(oid, notice, change))
            if order.status == "pending":
                change = partial(self.orders.update, oid, status="processing")
                events.append(WorldEvent(oid, f"Order {oid} is now being processed.", change))
        for vid in [v for v in self.variants if v in seen]:
            variant = self.variants[vid]
            price = max(100, round(variant.price_cents * float(rng.uniform(0.75, 0.95))))
            name = self.products[variant.product_id].name
            change = partial(self.variants.update, vid, price_cents=price)
            notice = f"The price of {name} ({vid}) just changed to ${dollars(price):.2f}."
            events.append(WorldEvent(vid, notice, change))
        return events

    # ----------------------------------------------------------------- reads
    @tool
    def find_customer(
        self,
        email: Annotated[str | None, Field(description="The customer's email address.")] = None,
        name: Annotated[str | None, Field(description="Full name, used with zip.")] = None,
        zip: Annotated[str | None, Field(description="ZIP code of the customer's address.")] = None,
    ) -> dict[str, Any]:
        """Find a customer by email, or by full name together with ZIP code."""
        if email:
            wanted = email.strip().lower()
            for customer in self.customers.values():
                if customer.email == wanted:
                    return {"customer_id": customer.id, "name": customer.name}
            raise ToolError("not_found", f"No customer with email '{email}'.")
        if name and zip:
            wanted_name = " ".join(name.split()).lower()
            for customer in self.customers.values():
                if customer.name.lower() == wanted_name and customer.address.zip == zip.strip():
                    return {"customer_id": customer.id, "name": customer.name}
            raise ToolError("not_found", f"No customer named '{name}' with ZIP {zip}.")
        raise ToolError(
            "invalid_arguments",
            "Give 'email', or both 'name' and 'zip'.",
            details={"field": "email"},
        )

    @tool
    def get_customer(self, customer_id: CustomerId) -> dict[str, Any]:
        """Get a customer's profile: contact details, address and payment methods."""
        customer = self._customer(customer_id)
        out = public(customer)
        out["payment_methods"] = [
            public(self.payment_methods[m], balance_cents="balance")
            for m in out.pop("payment_method_ids")
        ]
        for method in out["payment_methods"]:
            method.pop("customer_id")
            if method["balance"] is None:
                del method["balance"]
        return out

    @tool
    def list_orders(
        self,
        customer_id: CustomerId,
        status: Annotated[
            OrderStatus | None, Field(description="Only orders in this status.")
        ] = None,
    ) -> list[dict[str, Any]]:
        """List a customer's orders, newest first, optionally filtered by status."""
        self._customer(customer_id)
        orders = [
            o
            for o in self.orders.where(customer_id=customer_id)
            if status is None or o.status == status
        ]
        orders.sort(key=lambda o: (o.placed_on, o.id), reverse=True)
        return [self._order_summary(o) for o in orders]

    @tool
    def get_order(self, order_id: OrderId) -> dict[str, Any]:
        """Get an order's full details: items with variant ids, status, address, payment."""
        order = self._order(order_id)
        out = public(order)
        out["items"] = [public(item) for item in order.items]
        out["returns"] = [public(r) for r in self.returns.where(order_id=order.id)]
        out["exchanges"] = [public(x) for x in self.exchanges.where(order_id=order.id)]
        return out

    @tool
    def search_products(
        self,
        query: Annotated[str, Field(description="Words to look for in product names.")],
        category: Annotated[str | None, Field(description="Only this category.")] = None,
    ) -> list[dict[str, Any]]:
        """Search the catalogue by name; returns products with their price range."""
        words = query.lower().split()
        hits = []
        for product in self.products.values():
            if category and product.category.lower() != category.lower():
                continue
            if all(w in product.name.lower() for w in words):
                prices = [self.variants[v].price_cents for v in product.variant_ids]
                hits.append(
                    {
                        "product_id": product.id,
                        "name": product.name,
                        "category": product.category,
                        "price_from": dollars(min(prices)),
                        "price_to": dollars(max(prices)),
                    }
                )
        return hits

    @tool
    def get_product(
        self, product_id: Annotated[str, Field(description="Product id, e.g. 'P-2001'.")]
    ) -> dict[str, Any]:
        """Get a product and all its variants (options, price, stock)."""
        product = self.products.get(product_id)
        if product is None:
            raise not_found("product", product_id, "Use search_products to find product ids.")
        out = public(product)
        out["variants"] = [
            {
                "variant_id": v.id,
                "options": dict(v.options),
                "price": dollars(v.price_cents),
                "in_stock": v.stock > 0,
            }
            for v in (self.variants[i] for i in out.pop("variant_ids"))
        ]
        return out

    @tool
    def list_categories(self) -> list[str]:
        """List the product categories of the catalogue."""
        return sorted({p.category for p in self.products.values()})

    @tool(name="calculate")
    def calculate_(
        self,
        expression: Annotated[str, Field(description="Arithmetic like '19.99 + 5 * 2'.")],
    ) -> dict[str, float]:
        """Evaluate an arithmetic expression exactly (+ - * / and brackets)."""
        return {"result": calculate(expression)}

    # ---------------------------------------------------------------- writes
    @tool(mutates=True)
    def cancel_order(
        self,
        order_id: OrderId,
        reason: Annotated[CancelReason, Field(description="Why the customer cancels.")],
    ) -> dict[str, Any]:
        """Cancel a pending or processing order; the total is refunded to the original method."""
        order = self._order(order_id)
        if order.status not in ("pending", "processing"):
            raise ToolError(
                "invalid_state",
                f"Order {order.id} is {order.status} and can no longer be cancelled; "
                "only pending or processing orders can.",
            )
        self.orders.update(order.id, status="cancelled", cancel_reason=reason)
        self._refund(order, order.payment_method_id, order.total_cents)
        return {"order_id": order.id, "status": "cancelled", "refunded": dollars(order.total_cents)}

    @tool(mutates=True)
    def modify_order_address(
        self, order_id: OrderId, street: Street, city: City, state: State, zip: Zip
    ) -> dict[str, Any]:
        """Change the shipping address of an order that has not shipped yet."""
        order = self._order(order_id)
        if order.status not in ("pending", "processing"):
            raise ToolError(
                "invalid_state",
                f"Order {order.id} is {order.status}; only pending or processing orders "
                "can change address.",
            )
        address = _address(street, city, state, zip)
        self.orders.update(order.id, address=address)
        return {"order_id": order.id, "address": address.model_dump()}

    @tool(mutates=True)
    def update_customer_address(
        self, customer_id: CustomerId, street: Street, city: City, state: State, zip: Zip
    ) -> dict[str, Any]:
        """Change a customer's default address (existing orders keep theirs)."""
        customer = self._customer(customer_id)
        address = _address(street, city, state, zip)
        self.customers.update(customer.id, address=address)
        return {"customer_id": customer.id, "address": address.model_dump()}

    @tool(mutates=True)
    def return_items(
        self,
        order_id: OrderId,
        variant_ids: Annotated[
            list[str], Field(description="Variant ids of the items to return.", min_length=1)
        ],
        refund_method_id: Annotated[
            str, Field(description="The order's original payment method, or a gift card.")
        ],
    ) -> dict[str, Any]:
        """Return items of a delivered order for a refund."""
        order = self._order(order_id)
        if order.status != "delivered":
            raise ToolError(
                "invalid_state",
                f"Order {order.id} is {order.status}; only delivered orders can be returned.",
            )
        customer = self.customers[order.customer_id]
        method = self._method(customer, refund_method_id)
        if method.id != order.payment_method_id and method.kind != "gift_card":
            raise ToolError(
                "invalid_payment_method",
                "Refunds go to the original payment method or to a gift card.",
            )
        items = {item.variant_id: item for item in order.items}
        already = {v for r in self.returns.where(order_id=order.id) for v in r.variant_ids}
        already |= {x.from_variant_id for x in self.exchanges.where(order_id=order.id)}
        wanted = list(dict.fromkeys(variant_ids))
        for vid in wanted:
            if vid not in items:
                raise ToolError(
                    "invalid_item", f"Variant '{vid}' is not an item of order {order.id}."
                )
            if vid in already:
                raise ToolError(
                    "invalid_item",
                    f"Item '{vid}' of order {order.id} was already returned or exchanged.",
                )
        refund = sum(items[v].unit_price_cents * items[v].quantity for v in wanted)
        rid = self._next_id("RET", order, self.returns)
        self.returns.insert(
            Return(
                id=rid,
                order_id=order.id,
                variant_ids=tuple(wanted),
                refund_method_id=method.id,
                refund_cents=refund,
            )
        )
        self._refund(order, method.id, refund)
        return {
            "return_id": rid,
            "order_id": order.id,
            "refund": dollars(refund),
            "refund_method_id": method.id,
        }

    @tool(mutates=True)
    def exchange_item(
        self,
        order_id: OrderId,
        variant_id: Annotated[str, Field(description="Variant id of the delivered item.")],
        new_variant_id: Annotated[
            str, Field(description="Variant id to receive instead (same product).")
        ],
        payment_method_id: Annotated[
            str, Field(description="Method to charge or refund the price difference.")
        ],
    ) -> dict[str, Any]:
        """Exchange a delivered item for another variant of the same product."""
        order = self._order(order_id)
        if order.status != "delivered":
            raise ToolError(
                "invalid_state",
                f"Order {order.id} is {order.status}; only delivered items can be exchanged.",
            )
        items = {item.variant_id: item for item in order.items}
        if variant_id not in items:
            raise ToolError("invalid_item", f"Variant '{variant_id}' is not in order {order.id}.")
        done = {v for r in self.returns.where(order_id=order.id) for v in r.variant_ids}
        done |= {x.from_variant_id for x in self.exchanges.where(order_id=order.id)}
        if variant_id in done:
            raise ToolError(
                "invalid_item", f"Item '{variant_id}' was already returned or exchanged."
            )
        new = self.variants.get(new_variant_id)
        if new is None:
            raise not_found("variant", new_variant_id, "Use get_product to see variant ids.")
        old = items[variant_id]
        if new.product_id != old.product_id:
            raise ToolError(
                "invalid_item",
                "An exchange must be for a variant of the same product.",
            )
        if new.id == old.variant_id:
            raise ToolError("invalid_item", "The new variant is the same as the old one.")
        if new.stock <= 0:
            raise ToolError("out_of_stock", f"Variant '{new.id}' is out of stock.")
        customer = self.customers[order.customer_id]
        method = self._method(customer, payment_method_id)
        difference = new.price_cents - old.unit_price_cents
        balance = method.balance_cents or 0
        if difference > 0 and method.kind == "gift_card" and balance < difference:
            raise ToolError(
                "insufficient_funds",
                f"Gift card {method.id} has {dollars(method.balance_cents or 0)} but the "
                f"difference is {dollars(difference)}.",
            )
        xid = self._next_id("EXC", order, self.exchanges)
        self.exchanges.insert(
            Exchange(
                id=xid,
                order_id=order.id,
                from_variant_id=old.variant_id,
                to_variant_id=new.id,
                payment_method_id=method.id,
                difference_cents=difference,
            )
        )
        self.variants.update(new.id, stock=new.stock - 1)
        if difference < 0:
            self._refund(order, method.id, -difference)
        elif difference > 0:
            if method.kind == "gift_card":
                self.payment_methods.update(
                    method.id, balance_cents=(method.balance_cents or 0) - difference
                )
            pid = self._next_id("PAY", order, self.payments)
            self.payments.insert(
                Payment(
                    id=pid,
                    order_id=order.id,
                    method_id=method.id,
                    amount_cents=difference,
                    kind="charge",
                )
            )
        return {"exchange_id": xid, "order_id": order.id, "price_difference": dollars(difference)}


def _address(street: str, city: str, state: str, zip_code: str) -> Address:
    state = state.strip().upper()
    zip_code = zip_code.strip()
    if len(state) != 2 or not state.isalpha():
        raise ToolError(
            "invalid_arguments",
            f"'state' must be a two-letter code, got '{state}'.",
            details={"field": "state"},
        )
    if len(zip_code) != 5 or not zip_code.isdigit():
        raise ToolError(
            "invalid_arguments",
            f"'zip' must be five digits, got '{zip_code}'.",
            details={"field": "zip"},
        )
    return Address(
        street=" ".join(street.split()), city=" ".join(city.split()), state=state, zip=zip_code
    )


# ------------------------------------------------------------------ world
CATALOGUE: dict[str, tuple[list[str], dict[str, list[str]], tuple[int, int]]] = {
    "Headphones": (
        ["Studio Headphones", "Noise-Cancelling Headphones", "Sport Earbuds"],
        {"color": ["black", "white", "blue"], "connection": ["wired", "wireless"]},
        (2999, 24999),
    ),
    "Shoes": (
        ["Trail Running Shoes", "Canvas Sneakers", "Leather Boots"],
        {"size": ["7", "8", "9", "10", "11", "12"], "color": ["black", "grey", "red"]},
        (4999, 17999),
    ),
    "Clothing": (
        ["Cotton T-Shirt", "Wool Sweater", "Rain Jacket", "Denim Jeans"],
        {"size": ["S", "M", "L", "XL"], "color": ["navy", "green", "white", "black"]},
        (1499, 12999),
    ),
    "Bags": (
        ["Hiking Backpack", "Laptop Bag", "Travel Duffel"],
        {"color": ["black", "olive", "tan"], "capacity": ["20L", "30L", "40L"]},
        (3999, 15999),
    ),
    "Kitchen": (
        ["Coffee Maker", "Electric Kettle", "Chef Knife"],
        {"color": ["steel", "black", "red"], "size": ["small", "large"]},
        (1999, 19999),
    ),
    "Home": (
        ["Desk Lamp", "Wall Clock", "Throw Blanket"],
        {"color": ["white", "black", "grey", "yellow"], "material": ["metal", "wood"]},
        (1299, 8999),
    ),
    "Fitness": (
        ["Yoga Mat", "Water Bottle", "Resistance Bands"],
        {"color": ["purple", "blue", "black"], "size": ["standard", "large"]},
        (999, 5999),
    ),
}

SIZES = {"small": 20, "default": 60, "large": 400}
_STATUSES: tuple[OrderStatus, ...] = ("pending", "processing", "shipped", "delivered", "cancelled")
_STATUS_WEIGHTS = np.array([0.22, 0.12, 0.18, 0.40, 0.08])


def build_retail(seed: int, size: str = "default") -> RetailAPI:
    """Generate a store from ``seed``: the same seed gives the same store in any process."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(int(rng.integers(2**31)))
    db = Database()
    customers = db.table("customers", Customer)
    methods = db.table("payment_methods", PaymentMethod)
    products = db.table("products", Product)
    variants = db.table("variants", Variant)
    orders = db.table("orders", Order)
    db.table("returns", Return)
    db.table("exchanges", Exchange)
    db.table("payments", Payment)

    pid, vid = 2001, 300001
    for category, (names, option_space, (low, high)) in CATALOGUE.items():
        for name in names:
            keys = list(option_space)
            combos = [(a, b) for a in option_space[keys[0]] for b in option_space[keys[1]]]
            count = min(len(combos), int(rng.integers(3, 7)))
            picks = sorted(rng.choice(len(combos), size=count, replace=False))
            base = int(rng.integers(low, high)) // 100 * 100 + 99
            ids = []
            for k in picks:
                a, b = combos[k]
                price = base + int(rng.integers(0, 4)) * 500
                stock = int(rng.integers(0, 12)) if rng.random() < 0.85 else 0
                variants.insert(
                    Variant(
                        id=f"V-{vid}",
                        product_id=f"P-{pid}",
                        options={keys[0]: a, keys[1]: b},
                        price_cents=price,
                        stock=stock,
                    )
                )
                ids.append(f"V-{vid}")
                vid += 1
            products.insert(
                Product(id=f"P-{pid}", name=name, category=category, variant_ids=tuple(ids))
            )
            pid += 1
    all_variants = variants.values()

    used_emails: set[str] = set()
    used_orders: set[str] = set()
    for c in range(SIZES[size]):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}{int(rng.integers(10, 100))}@{fake.free_email_domain()}".lower()
        while email in used_emails:
            email = email.replace("@", f"{int(rng.integers(10))}@")
        used_emails.add(email)
        cid = f"C-{10001 + c}"
        address = Address(
            street=fake.street_address(),
            city=fake.city(),
            state=fake.state_abbr(include_territories=False),
            zip=fake.zipcode(),
        )
        method_ids = []
        card = f"pm_card_{int(rng.integers(1000, 9999))}{c:03d}"
        methods.insert(
            PaymentMethod(
                id=card,
                customer_id=cid,
                kind="credit_card",
                label=f"{rng.choice(['Visa', 'Mastercard', 'Amex'])} ending "
                f"{int(rng.integers(1000, 9999))}",
            )
        )
        method_ids.append(card)
        if rng.random() < 0.6:
            gift = f"pm_gift_{int(rng.integers(1000, 9999))}{c:03d}"
            methods.insert(
                PaymentMethod(
                    id=gift,
                    customer_id=cid,
                    kind="gift_card",
                    label="Gift card",
                    balance_cents=int(rng.integers(0, 300)) * 100,
                )
            )
            method_ids.append(gift)
        if rng.random() < 0.3:
            paypal = f"pm_paypal_{int(rng.integers(1000, 9999))}{c:03d}"
            methods.insert(
                PaymentMethod(
                    id=paypal,
                    customer_id=cid,
                    kind="paypal",
                    label=f"PayPal {email}",
                )
            )
            method_ids.append(paypal)
        customers.insert(
            Customer(
                id=cid,
                name=f"{first} {last}",
                email=email,
                phone=fake.numerify("###-###-####"),
                address=address,
                payment_method_ids=tuple(method_ids),
            )
        )
        for _ in range(int(rng.integers(2, 6))):
            status: OrderStatus = _STATUSES[int(rng.choice(5, p=_STATUS_WEIGHTS))]
            n_items = int(rng.integers(1, 4))
            chosen = rng.choice(len(all_variants), size=n_items, replace=False)
            seen_products: set[str] = set()
            items = []
            for k in chosen:
                v = all_variants[int(k)]
                if v.product_id in seen_products:
                    continue
                seen_products.add(v.product_id)
                product = products[v.product_id]
                items.append(
                    OrderItem(
                        variant_id=v.id,
                        product_id=v.product_id,
                        name=product.name,
                        options=dict(v.options),
                        unit_price_cents=v.price_cents,
                    )
                )
            day = int(rng.integers(1, 90))
            placed = np.datetime64(TODAY) - np.timedelta64(day, "D")
            oid = f"#W{int(rng.integers(1_000_000, 10_000_000))}"
            while oid in used_orders:
                oid = f"#W{int(rng.integers(1_000_000, 10_000_000))}"
            used_orders.add(oid)
            tracking = (
                f"1Z{int(rng.integers(10**9, 10**10))}"
                if status in ("shipped", "delivered")
                else None
            )
            orders.insert(
                Order(
                    id=oid,
                    customer_id=cid,
                    status=status,
                    placed_on=str(placed),
                    items=tuple(items),
                    address=address,
                    payment_method_id=method_ids[int(rng.integers(len(method_ids)))],
                    total_cents=sum(i.unit_price_cents * i.quantity for i in items),
                    tracking_number=tracking,
                    cancel_reason="no longer needed" if status == "cancelled" else None,
                )
            )
    db.commit()
    return RetailAPI(db)
