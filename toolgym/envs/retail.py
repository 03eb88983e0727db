"""``toolgym/Retail-v0``: customer service for an online store.

Seven task families, each at three difficulties: easy tasks name the order, medium ones make
the agent find it, hard ones identify the customer by name and ZIP and act on several records
or compute a figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from toolgym.core.money import figure as _money
from toolgym.core.task import Answer, Task, call
from toolgym.envs.answers import wrong_candidates
from toolgym.envs.common import Suite, clean_index, make_task, pick, policy_prompt
from toolgym.toolkits.apis.retail import Customer, Order, RetailAPI, build_retail

__all__ = ["SUITE"]

SUITE = Suite(
    "retail", lambda seed, size: [build_retail(seed, size)], identity=("email", "name", "zip")
)

SYSTEM_PROMPT = policy_prompt(
    "You are a customer service agent for Northwind Outfitters, an online store. "
    "You help customers with orders, returns, exchanges and product questions by calling "
    "the store's tools.",
    [
        "Identify the customer before anything else: look them up by email, or by full name "
        "together with ZIP code.",
        "Only read or change the orders of the customer you are talking to.",
        "Make only the changes the customer asked for, and nothing else.",
        "Refunds go to the order's original payment method unless the customer asks for "
        "their gift card.",
        "Use exact ids from tool results; never invent ids.",
    ],
    "When the request is done, reply to the customer with the outcome in plain words, "
    "including every figure they asked for. Do not call tools in that final reply.",
)


class _Index:
    """Clean-world lookups a family needs, built once per world (the clean world never changes)."""

    def __init__(self, api: RetailAPI) -> None:
        self.customers = api.customers.values()
        self.orders_of: dict[str, list[Order]] = defaultdict(list)
        for order in api.orders.values():
            self.orders_of[order.customer_id].append(order)


def _index(api: RetailAPI) -> _Index:
    return clean_index(api, _Index)


def _cents(amount: float) -> int:
    """A dollar amount read from a tool result, as exact cents."""
    return round(amount * 100)


def _who(rng: np.random.Generator, customer: Customer, by_name: bool) -> tuple[str, dict[str, str]]:
    """How the user introduces themself, and the facts they hold."""
    facts = {"email": customer.email, "name": customer.name, "zip": customer.address.zip}
    if by_name:
        text = pick(
            rng,
            [
                f"I'm {customer.name}, ZIP code {customer.address.zip}.",
                f"My name is {customer.name} and my zip is {customer.address.zip}.",
            ],
        )
    else:
        text = pick(
            rng,
            [
                f"I'm {customer.name}, my email is {customer.email}.",
                f"Hi, this is {customer.name} ({customer.email}).",
                f"My account email is {customer.email}.",
            ],
        )
    return text, facts


def _identify(customer: Customer, by_name: bool):
    """Plan steps that find the customer the way the user introduced themself."""
    if by_name:
        found = yield call(
            "find_customer",
            "Find the customer by name and ZIP code.",
            name=customer.name,
            zip=customer.address.zip,
        )
    else:
        found = yield call(
            "find_customer", "Find the customer by email first.", email=customer.email
        )
    return found["customer_id"]


def _customers_with(
    api: RetailAPI, rng: np.random.Generator, test, least: int = 1
) -> tuple[Customer, list[Order]]:
    """A random customer with at least ``least`` orders passing ``test``, and those orders."""
    index = _index(api)
    start = int(rng.integers(len(index.customers)))
    for k in range(len(index.customers)):
        customer = index.customers[(start + k) % len(index.customers)]
        orders = [o for o in index.orders_of[customer.id] if test(o)]
        if len(orders) >= least:
            return customer, orders
    raise LookupError("no customer matches")


def _unique_product_order(orders: list[Order], candidates: list[Order], rng) -> tuple[Order, str]:
    """An order among ``candidates`` with a product no other of the customer's orders has."""
    for order in sorted(candidates, key=lambda o: o.id):
        for item in order.items:
            if sum(item.name in [i.name for i in o.items] for o in orders) == 1:
                return order, item.name
    order = pick(rng, candidates)
    return order, ""


def _find_order_by_product(cid_box: list[str], product: str, status: str | None = None):
    orders = yield call(
        "list_orders",
        f"List the orders to find the one with the {product}.",
        customer_id=cid_box[0],
        **({"status": status} if status else {}),
    )
    return next(o["order_id"] for o in orders if product in o["items"])


_STAGES = ("pending", "processing", "shipped", "delivered")


def _contradicting(status: str, others: Iterable[str]) -> list[str]:
    """The statuses among ``others`` that a reply about an order in ``status`` must not claim:
    not the stages it may still reach ("it will be shipped soon"), nor "shipped" for a
    delivered order (it was)."""
    later = _STAGES[_STAGES.index(status) + 1 :] if status in _STAGES else ()
    told = {status, *later, *(("shipped",) if status == "delivered" else ())}
    return [s for s in others if s not in told]


@SUITE.family("retail")
def order_status(api: RetailAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Tell the customer where an order stands (and its tracking number once shipped)."""
    customer, orders = _customers_with(api, rng, lambda o: o.status != "cancelled")
    all_orders = _index(api).orders_of[customer.id]
    by_name = difficulty == "hard"
    intro, facts = _who(rng, customer, by_name)
    if difficulty == "easy":
        order = pick(rng, orders)
        ask = f"What's the status of order {order.id}?"
        literals = (order.id, customer.email)
    elif difficulty == "medium":
        order, product = _unique_product_order(all_orders, orders, rng)
        if not product:
            order, product = pick(rng, orders), ""
        ask = (
            f"Where is my order with the {product}?"
            if product
            else f"Where is my order {order.id}?"
        )
        literals = (product or order.id, customer.email)
    else:
        recent = sorted(all_orders, key=lambda o: (o.placed_on, o.id), reverse=True)
        open_orders = [o for o in recent if o.status in ("pending", "processing", "shipped")]
        if not open_orders:
            return order_status(api, rng, "medium")
        order = open_orders[0]
        ask = "What's happening with my most recent order that hasn't arrived yet?"
        literals = (customer.name, customer.address.zip)
    facts["order_id"] = order.id

    def plan():
        cid = yield from _identify(customer, by_name)
        if difficulty == "easy":
            oid = order.id
        elif difficulty == "medium" and product:
            oid = yield from _find_order_by_product([cid], product)
        elif difficulty == "medium":
            oid = order.id
        else:
            listed = yield call(
                "list_orders", "List the orders to find the newest open one.", customer_id=cid
            )
            oid = next(
                o["order_id"] for o in listed if o["status"] in ("pending", "processing", "shipped")
            )
        detail = yield call("get_order", "Read the order's status.", order_id=oid)
        status, tracking = detail["status"], detail["tracking_number"]
        text = f"Order {oid} is {status}."
        expect: tuple[str, ...] = (status,)
        if tracking:
            text += f" Tracking number: {tracking}."
            expect += (tracking,)
        others = [o for o in all_orders if o.id != oid]
        wrong = _contradicting(status, [o.status for o in others])
        wrong += [o.tracking_number or "" for o in others]
        return Answer(text, expect, wrong_candidates(wrong, expect, prompt))

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)


@SUITE.family("retail")
def cancel_order(api: RetailAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Cancel an order that has not shipped, with the customer's reason."""
    open_status = ("pending", "processing")
    customer, orders = _customers_with(api, rng, lambda o: o.status in open_status)
    all_orders = _index(api).orders_of[customer.id]
    reason = pick(rng, ["no longer needed", "ordered by mistake"])
    why = {
        "no longer needed": "I don't need it anymore",
        "ordered by mistake": "I ordered it by mistake",
    }[reason]
    by_name = difficulty == "hard"
    intro, facts = _who(rng, customer, by_name)
    product = ""
    if difficulty == "easy":
        order = pick(rng, orders)
        ask = f"Please cancel order {order.id}, {why}."
        literals: tuple[str, ...] = (order.id, customer.email)
    elif difficulty == "medium":
        order, product = _unique_product_order(all_orders, orders, rng)
        ask = (
            f"Please cancel my order with the {product}, {why}."
            if product
            else f"Please cancel order {order.id}, {why}."
        )
        literals = (product or order.id, customer.email)
    else:
        order = orders[0]
        ask = (
            f"Please cancel all my orders that haven't shipped yet, {why}. "
            "How much will I get back in total?"
        )
        literals = (customer.name, customer.address.zip)
    facts.update(order_id=order.id, reason=reason)

    def plan():
        cid = yield from _identify(customer, by_name)
        if difficulty == "hard":
            listed = yield call("list_orders", "Find the orders not shipped yet.", customer_id=cid)
            targets = [o["order_id"] for o in listed if o["status"] in open_status]
            refunds = []
            for oid in targets:
                done = yield call("cancel_order", f"Cancel {oid}.", order_id=oid, reason=reason)
                refunds.append(_cents(done["refunded"]))
            total = _money(sum(refunds))

            def summed(*statuses: str) -> str:
                return _money(sum(_cents(o["total"]) for o in listed if o["status"] in statuses))

            # Wrong sets: one status only, or orders already on their way (or there) counted in.
            gone = ("shipped", "delivered")
            wrong = [summed(s) for s in open_status]
            wrong += [summed(*open_status, "shipped"), summed(*open_status, *gone)]
            wrong += [_money(_cents(o["total"])) for o in listed if o["status"] in gone]
            right = (total, *map(_money, refunds))
            return Answer(
                f"Cancelled {len(targets)} orders; ${total} will be refunded.",
                (total,),
                wrong_candidates(wrong, right, prompt),
            )
        oid = order.id
        if product:
            oid = yield from _find_order_by_product([cid], product)
        else:
            yield call("get_order", "Check the order can still be cancelled.", order_id=oid)
        done = yield call(
            "cancel_order", "Cancel it with the customer's reason.", order_id=oid, reason=reason
        )
        refund = f"{done['refunded']:.2f}"
        # The refund a careless reply would misstate: another order's total.
        mine = next(o for o in all_orders if o.id == oid)
        right = (refund, *(_money(i.unit_price_cents * i.quantity) for i in mine.items))
        wrong = [_money(o.total_cents) for o in all_orders if o.id != oid]
        return Answer(
            f"Order {oid} is cancelled and ${refund} will be refunded.",
            distractors=wrong_candidates(wrong, right, prompt),
        )

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)


@SUITE.family("retail")
def change_address(api: RetailAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Move unshipped orders (and the default address) to a new address."""
    open_status = ("pending", "processing")
    customer, orders = _customers_with(api, rng, lambda o: o.status in open_status)
    index = _index(api)
    donor = pick(rng, [c for c in index.customers[:50] if c.id != customer.id])
    new = donor.address
    where = f"{new.street}, {new.city}, {new.state} {new.zip}"
    by_name = difficulty == "hard"
    intro, facts = _who(rng, customer, by_name)
    order = pick(rng, orders)
    if difficulty == "easy":
        ask = f"Please ship order {order.id} to {where} instead."
    elif difficulty == "medium":
        ask = f"I've moved to {where}. Please update my default address and order {order.id}."
    else:
        ask = (
            f"I've moved to {where}. Update my default address and every order of mine "
            "that hasn't shipped yet."
        )
    facts.update(order_id=order.id, new_address=where)
    address = {"street": new.street, "city": new.city, "state": new.state, "zip": new.zip}

    def plan():
        cid = yield from _identify(customer, by_name)
        # Read the address being replaced (the order's, or the default one): a reply saying
        # the orders still ship there is wrong.
        if difficulty == "hard":
            profile = yield call("get_customer", "Read the address on file.", customer_id=cid)
            old = profile["address"]["street"]
        else:
            detail = yield call(
                "get_order", "Check the order is theirs and not shipped yet.", order_id=order.id
            )
            old = detail["address"]["street"]
        if difficulty != "easy":
            yield call(
                "update_customer_address", "Update the default address.", customer_id=cid, **address
            )
        targets = [order.id]
        if difficulty == "hard":
            targets = []
            for status in open_status:
                listed = yield call(
                    "list_orders", f"Find the {status} orders.", customer_id=cid, status=status
                )
                targets += [o["order_id"] for o in listed]
        for oid in targets:
            yield call(
                "modify_order_address", f"Move {oid} to the new address.", order_id=oid, **address
            )
        return Answer(
            f"Done: {len(targets)} order(s) will ship to {where} instead of {old}.",
            distractors=wrong_candidates([old], [new.street], prompt),
        )

    prompt = f"{intro} {ask}"
    literals = (order.id, new.street, new.city, new.zip, customer.email, customer.name)
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)


@SUITE.family("retail")
def return_items(api: RetailAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Return delivered items for a refund to the original method or a gift card."""
    needs_gift = difficulty == "medium"

    def eligible(o: Order, least: int = 1) -> bool:
        if o.status != "delivered" or len(o.items) < least:
            return False
        if not needs_gift:
            return True
        methods = api.customers[o.customer_id].payment_method_ids
        return any(api.payment_methods[m].kind == "gift_card" for m in methods)

    try:
        # Beyond easy the order holds other items, so the agent must pick the right ones; a
        # hard return keeps one, so the refund is a figure to compute, not the order's total
        # (which is then the wrong set a careless reply states).
        least = 1 if difficulty == "easy" else 2
        customer, orders = _customers_with(api, rng, lambda o: eligible(o, least))
    except LookupError:
        customer, orders = _customers_with(api, rng, eligible)
    by_name = difficulty == "hard"
    intro, facts = _who(rng, customer, by_name)
    order = pick(rng, orders)
    items = list(order.items)
    if difficulty == "hard" and len(items) > 1:
        keep = int(rng.integers(len(items)))
        chosen = [item for k, item in enumerate(items) if k != keep]
        what = " and ".join(f"the {i.name}" for i in chosen) + f" from my order {order.id}"
    else:
        chosen = [pick(rng, items)]
        what = f"the {chosen[0].name} from order {order.id}"
    names = [i.name for i in chosen]
    if needs_gift:
        ask = f"I'd like to return {what}. Please refund it to my gift card."
    else:
        ask = f"I'd like to return {what} for a refund to my original payment method."
    if difficulty == "hard":
        ask += " How much will I get back?"
    facts.update(order_id=order.id, items=", ".join(names))

    def plan():
        cid = yield from _identify(customer, by_name)
        detail = yield call("get_order", "Read the order's items and payment.", order_id=order.id)
        vids = [i["variant_id"] for i in detail["items"] if i["name"] in names]
        method = detail["payment_method_id"]
        if needs_gift:
            profile = yield call("get_customer", "Find the customer's gift card.", customer_id=cid)
            method = next(m["id"] for m in profile["payment_methods"] if m["kind"] == "gift_card")
        done = yield call(
            "return_items",
            "Return the items.",
            order_id=order.id,
            variant_ids=vids,
            refund_method_id=method,
        )
        refund = f"{done['refund']:.2f}"
        # The refund over the wrong set: the items kept, or the whole order.
        lines = {
            i["name"]: _money(_cents(i["unit_price"]) * i["quantity"]) for i in detail["items"]
        }
        kept = [line for name, line in lines.items() if name not in names]
        returned = [line for name, line in lines.items() if name in names]
        wrong = [*kept, *([f"{detail['total']:.2f}"] if kept else [])]
        return Answer(
            f"Return {done['return_id']} created; ${refund} will be refunded.",
            (refund,) if difficulty == "hard" else (),
            wrong_candidates(wrong, (refund, *returned), prompt),
        )

    prompt = f"{intro} {ask}"
    literals = (order.id, *names, customer.email, customer.name)
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)


@SUITE.family("retail")
def exchange_item(api: RetailAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Exchange a delivered item for another in-stock variant of the same product."""

    def options_for(item) -> list[Any]:
        product = api.products[item.product_id]
        return [
            api.variants[v]
            for v in product.variant_ids
            if v != item.variant_id and api.variants[v].stock > 0
        ]

    customer, orders = _customers_with(
        api, rng, lambda o: o.status == "delivered" and any(options_for(i) for i in o.items)
    )
    order = pick(rng, orders)
    item = pick(rng, [i for i in order.items if options_for(i)])
    target = pick(rng, options_for(item))
    wanted = ", ".join(f"{k} {v}" for k, v in target.options.items())
    by_name = difficulty == "hard"
    intro, facts = _who(rng, customer, by_name)
    all_orders = _index(api).orders_of[customer.id]
    unique = sum(item.name in [i.name for i in o.items] for o in all_orders) == 1
    search = difficulty != "easy" and unique
    if difficulty == "easy":
        ask = (
            f"I'd like to exchange the {item.name} from order {order.id} for the one with {wanted}."
        )
    else:
        place = "" if unique else f" from order {order.id}"
        ask = f"Can I swap the {item.name} I received{place} for the {wanted} version?"
    ask += " Use my original payment method for any difference."
    if difficulty == "hard":
        ask += " What's the price difference?"
    facts.update(order_id=order.id, item=item.name, wanted=wanted)

    def plan():
        cid = yield from _identify(customer, by_name)
        oid = order.id
        if search:
            listed = yield call(
                "list_orders",
                "Find the delivered order with that item.",
                customer_id=cid,
                status="delivered",
            )
            oid = next(o["order_id"] for o in listed if item.name in o["items"])
        detail = yield call(
            "get_order", "Read the item's variant and the payment method.", order_id=oid
        )
        line = next(i for i in detail["items"] if i["name"] == item.name)
        product = yield call(
            "get_product", "Find the variant the customer wants.", product_id=line["product_id"]
        )
        new = next(
            v["variant_id"]
            for v in product["variants"]
            if v["options"] == target.options and v["in_stock"]
        )
        done = yield call(
            "exchange_item",
            "Exchange the item.",
            order_id=oid,
            variant_id=line["variant_id"],
            new_variant_id=new,
            payment_method_id=detail["payment_method_id"],
        )
        diff = f"{abs(done['price_difference']):.2f}"
        # Prices a careless reply would give: the product's other variants, the other items.
        paid = f"{line['unit_price']:.2f}"
        chosen = next(f"{v['price']:.2f}" for v in product["variants"] if v["variant_id"] == new)
        wrong = [f"{v['price']:.2f}" for v in product["variants"]]
        wrong += [f"{i['unit_price']:.2f}" for i in detail["items"] if i["name"] != item.name]
        return Answer(
            f"Exchange {done['exchange_id']} is placed; price difference ${diff}.",
            (diff,) if difficulty == "hard" else (),
            wrong_candidates(wrong, (diff, paid, chosen), prompt),
        )

    prompt = f"{intro} {ask}"
    literals = (order.id, item.name, *target.options.values(), customer.email, customer.name)
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)


@SUITE.family("retail")
def product_info(api: RetailAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Answer a price or availability question from the catalogue."""
    products = api.products.values()
    product = pick(rng, products)
    variants = [api.variants[v] for v in product.variant_ids]
    if difficulty == "easy":
        variant = pick(rng, variants)
        spec = " and ".join(f"{k} {v}" for k, v in variant.options.items())
        ask = f"How much is the {product.name} with {spec}?"
        literals: tuple[str, ...] = (product.name, *variant.options.values())
    elif difficulty == "medium":
        stocked = [v for v in variants if v.stock > 0]
        if not stocked:
            return product_info(api, rng, "easy")
        ask = f"What's the cheapest {product.name} you have in stock right now?"
        literals = (product.name,)
    else:
        category = product.category
        ask = (
            f"Across all your {category} products, which in-stock item is the cheapest, "
            "and what does it cost?"
        )
        in_category = [p for p in products if p.category == category]
        stocked_prices = {
            (api.variants[v].price_cents, p.name)
            for p in in_category
            for v in p.variant_ids
            if api.variants[v].stock > 0
        }
        cheapest = min((price for price, _ in stocked_prices), default=None)
        tied = {name for price, name in stocked_prices if price == cheapest}
        if len(tied) != 1:  # no answer, or two right ones: ask something else
            return product_info(api, rng, "easy")
        literals = (category,)

    def plan():
        if difficulty == "hard":
            hits = yield call(
                "search_products",
                f"List the {product.category} products.",
                query="",
                category=product.category,
            )
            best_price, best_name = None, ""
            names, prices = [], []
            for hit in hits:
                detail = yield call(
                    "get_product", f"Check {hit['name']}'s variants.", product_id=hit["product_id"]
                )
                names.append(detail["name"])
                for v in detail["variants"]:
                    prices.append(f"{v['price']:.2f}")
                    if v["in_stock"] and (best_price is None or v["price"] < best_price):
                        best_price, best_name = v["price"], detail["name"]
            price = f"{best_price:.2f}"
            # The losers: the other products, and every other price seen (out of stock too).
            return Answer(
                f"The cheapest in-stock item is the {best_name} at ${price}.",
                (price, best_name),
                wrong_candidates([*names, *prices], (price, best_name), ask),
            )
        hits = yield call("search_products", "Find the product.", query=product.name)
        pid = next(h["product_id"] for h in hits if h["name"] == product.name)
        detail = yield call("get_product", "Read its variants.", product_id=pid)
        if difficulty == "easy":
            price = next(v["price"] for v in detail["variants"] if v["options"] == variant.options)
        else:
            price = min(v["price"] for v in detail["variants"] if v["in_stock"])
        # The other variants' prices (cheaper ones out of stock included).
        others = [f"{v['price']:.2f}" for v in detail["variants"]]
        return Answer(
            f"It costs ${price:.2f}.",
            (f"{price:.2f}",),
            wrong_candidates(others, [f"{price:.2f}"], ask),
        )

    return make_task(SYSTEM_PROMPT, ask, plan, literals=literals)


@SUITE.family("retail")
def spending_summary(api: RetailAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Report counts and totals over the customer's orders."""

    def arrived(o: Order) -> bool:
        return o.status == "delivered"

    try:
        # A medium total adds several orders up (one order's total is read, not computed).
        least = 2 if difficulty == "medium" else 1
        customer, delivered = _customers_with(api, rng, arrived, least)
    except LookupError:
        customer, delivered = _customers_with(api, rng, arrived)
    by_name = difficulty == "hard"
    intro, facts = _who(rng, customer, by_name)
    category = api.products[pick(rng, delivered).items[0].product_id].category
    if difficulty == "easy":
        ask = "How many orders have I placed with you, and how many were delivered?"
    elif difficulty == "medium":
        ask = "How much have I spent in total on orders that were delivered?"
    else:
        ask = f"How much did I spend on {category} items across my delivered orders?"

    def plan():
        cid = yield from _identify(customer, by_name)
        if difficulty == "easy":
            listed = yield call("list_orders", "Count the orders.", customer_id=cid)
            n, d = len(listed), sum(o["status"] == "delivered" for o in listed)
            return Answer(f"You have placed {n} orders; {d} were delivered.", (str(n), str(d)))
        listed = yield call(
            "list_orders", "List the delivered orders.", customer_id=cid, status="delivered"
        )
        mine = _index(api).orders_of[customer.id]
        if difficulty == "medium":
            totals = [_cents(o["total"]) for o in listed]
            total = _money(sum(totals))
            # Wrong sets: every order, or every order not cancelled (each delivered order's
            # total is a fair breakdown).
            wrong = [
                _money(sum(o.total_cents for o in mine)),
                _money(sum(o.total_cents for o in mine if o.status != "cancelled")),
            ]
            return Answer(
                f"You spent ${total} on delivered orders.",
                (total,),
                wrong_candidates(wrong, (total, *map(_money, totals)), prompt),
            )
        hits = yield call(
            "search_products", f"Which products are {category}?", query="", category=category
        )
        in_category = {h["product_id"] for h in hits}
        spent = 0
        right: list[str] = []  # per order and per item: a fair breakdown of the figure
        wrong: list[str] = []
        for o in listed:
            detail = yield call(
                "get_order", f"Read the items of {o['order_id']}.", order_id=o["order_id"]
            )
            lines = [
                (i["product_id"] in in_category, _cents(i["unit_price"]) * i["quantity"])
                for i in detail["items"]
            ]
            part = sum(amount for inside, amount in lines if inside)
            spent += part
            right += [_money(part), *(_money(a) for inside, a in lines if inside)]
            # Items of other categories, and whole orders, are the wrong set.
            wrong += [_money(a) for inside, a in lines if not inside]
            wrong.append(_money(_cents(o["total"])))
        total = _money(spent)
        # The delivered orders in full, and the category over every order not cancelled.
        wrong.append(_money(sum(_cents(o["total"]) for o in listed)))
        wrong.append(
            _money(
                sum(
                    i.unit_price_cents * i.quantity
                    for o in mine
                    if o.status != "cancelled"
                    for i in o.items
                    if i.product_id in in_category
                )
            )
        )
        return Answer(
            f"You spent ${total} on {category} items.",
            (total,),
            wrong_candidates(wrong, (total, *right), prompt),
        )

    prompt = f"{intro} {ask}"
    literals = (customer.email, customer.name, customer.address.zip, category)
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=literals)
