"""``toolgym/Workspace-v0``: one assistant, every toolkit, tasks that cross from one to another.

The world holds the store, the bank, the company calendar, the user's files, the encyclopedia's
search engine, the browser with its three sites and a Python interpreter: over 60 tools, the scale
at which choosing the tool is itself part of the job. Seven task families at three difficulties;
every task needs at least two toolkits: write what an API shows into a file, carry out
instructions found in a file, look a fact up and act on it, record a fact from the web, reconcile
the bank with a ledger file, brief for a meeting from the calendar and the encyclopedia, and
compute from data with Python and act on the result.

Tasks plant what they need (a note, a ledger, a calendar event, a data file) with the toolkits'
journaled writes, so the next reset undoes it. Files whose exact format the prompt states are
compared line by line without trailing whitespace (see
:class:`~toolgym.envs.filesystem.FileTask`); everything else is the world diff across all
toolkits plus the terms the answer must state.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import numpy as np

from toolgym.core.money import figure as _amount
from toolgym.core.task import Answer, Step, Task, World, answer_contains, call
from toolgym.envs.answers import wrong_candidates
from toolgym.envs.common import Suite, pick, policy_prompt
from toolgym.envs.filesystem import FileTask, report_lines
from toolgym.envs.python import REGIONS, generate_sales
from toolgym.envs.search import lookup_plan, search_index
from toolgym.envs.web import (
    SHOP,
    WIKI,
    WIKI_COMPARE,
    WIKI_FIELDS,
    link_name,
    names_distinct,
    page_rows,
    page_table,
    parse_money,
    search_term,
    shop_search_plan,
    web_index,
    wiki_article_plan,
)
from toolgym.envs.workspace_world import Workspace, build_toolkits
from toolgym.toolkits.apis.bank import TODAY as BANK_TODAY
from toolgym.toolkits.apis.bank import Account, AccountHolder
from toolgym.toolkits.apis.calendar import FIRST_EVENT, NOW, Attendee, Event, Person, weekdays
from toolgym.toolkits.apis.datetimes import format_utc, parse_time, parse_utc
from toolgym.toolkits.apis.retail import Customer, Order

__all__ = ["SUITE", "WorkspaceFamily"]

SUITE = Suite("workspace", build_toolkits)

SYSTEM_PROMPT = policy_prompt(
    "You are a personal assistant with access to the user's whole workspace through tools: "
    "their files (fs_*), their Harbor Trust Bank accounts, their Northwind Outfitters store "
    "account, the company calendar, an encyclopedia behind a search engine (search, "
    "open_document, find_in_document), a browser for the sites http://shop.test/, "
    "http://wiki.test/ and http://forum.test/ (goto, click, fill, submit, ...), and a Python "
    "interpreter (run_python) whose working directory holds data files.",
    [
        "These are separate systems: choose the tools of the one that holds what you need. "
        "The store's products and the web shop's are different things, and so are the "
        "encyclopedia and the wiki.",
        "Identify the user in a service before acting there: bank and store accounts by "
        "email, colleagues on the calendar with find_person.",
        "Do exactly what the user asks and change nothing else: no extra files, payments, "
        "events or orders. Leave memos empty unless asked for one.",
        "When the user gives an exact path, title or line format, use it verbatim. Write "
        "amounts as plain numbers with two decimals (1234.50) unless told otherwise.",
        "Take facts from the tools, never from memory: the people, companies and places here "
        "are fictional.",
        "Use exact ids from tool results; never invent ids.",
    ],
    "When the work is done, reply to the user in plain words with every figure, name or path "
    "they asked for. Do not call tools in that final reply.",
)

Plan = Generator[Step, Any, Any]
Check = Callable[[World, "str | None"], dict[str, bool]]
T = TypeVar("T")


# --------------------------------------------------------------------------- families
@dataclass(frozen=True)
class WorkspaceFamily:
    """A task family over the whole workspace (not one toolkit): ``make(ws, rng, difficulty)``."""

    name: str
    make: Callable[[Workspace, np.random.Generator, str], Task]
    description: str = ""

    def generate(self, world: World, rng: np.random.Generator, difficulty: str) -> Task:
        task = self.make(Workspace.of(world), rng, difficulty)
        task.family = self.name
        task.difficulty = difficulty
        return task


def family(fn: Callable[[Workspace, np.random.Generator, str], Task]) -> Callable[..., Task]:
    """Register a workspace family; its name is the function's name."""
    doc = (fn.__doc__ or "").strip().split("\n")[0]
    SUITE.families.append(WorkspaceFamily(fn.__name__, fn, doc))  # type: ignore[arg-type]
    return fn


def _task(
    prompt: str,
    plan: Callable[[], Plan],
    literals: Sequence[str],
    files: Sequence[str] = (),
    **fields: Any,
) -> FileTask:
    """A task; ``files`` are paths whose content is compared as lines (the format is stated)."""
    kept = tuple(dict.fromkeys(lit for lit in literals if lit and lit in prompt))
    readers = {path: report_lines for path in files}
    return FileTask(
        "", "", "", SYSTEM_PROMPT, prompt, plan, literals=kept, readers=readers, **fields
    )


# ---------------------------------------------------------------------------- helpers
def _scan(rng: np.random.Generator, items: Sequence[T], test: Callable[[T], bool]) -> T:
    """The first item passing ``test``, from a random start (deterministic and complete)."""
    start = int(rng.integers(len(items)))
    for k in range(len(items)):
        item = items[(start + k) % len(items)]
        if test(item):
            return item
    raise LookupError("no item passes the test; the world is too small for this task")


def _cents(amount: float) -> int:
    return round(amount * 100)


def _content(lines: Sequence[str]) -> str:
    return "\n".join(lines) + "\n"


def _states_amount(cents: int) -> Check:
    """A check that the answer states an amount, with either sign (a charge of 45.20 is
    also -45.20 on the statement)."""
    value = _amount(abs(cents))

    def check(world: World, answer: str | None) -> dict[str, bool]:
        said = answer_contains(answer, value) or answer_contains(answer, "-" + value)
        return {f"states_{value}": said}

    return check


def _all(*checks: Check) -> Check:
    """One check made of several."""

    def check(world: World, answer: str | None) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for one in checks:
            out.update(one(world, answer))
        return out

    return check


# ------------------------------------------------------------------------ bank helpers
def _accounts(ws: Workspace, holder: AccountHolder) -> list[Account]:
    return [ws.bank.accounts[a] for a in holder.account_ids]


def _open(ws: Workspace, holder: AccountHolder, kind: str) -> list[Account]:
    return [a for a in _accounts(ws, holder) if a.kind == kind and a.status == "open"]


def _sendable(ws: Workspace, holder: AccountHolder) -> int:
    """Cents the holder can still move out of checking today."""
    checking = _open(ws, holder, "checking")
    if not checking:
        return 0
    left = holder.daily_transfer_limit_cents - ws.bank.sent_today(holder)
    return min(checking[0].balance_cents, left)


def _holder(
    ws: Workspace, rng: np.random.Generator, test: Callable[[AccountHolder], bool]
) -> AccountHolder:
    return _scan(rng, ws.bank.holders.values(), test)


def _sign_in_bank(email: str) -> Plan:
    """The holder's id and accounts, found by email."""
    found = yield call("find_account_holder", "Identify me at the bank.", email=email)
    accounts = yield call("list_accounts", "List my accounts.", holder_id=found["holder_id"])
    return found["holder_id"], accounts


def _account_of(accounts: list[dict[str, Any]], kind: str, nickname: str = "") -> str:
    return next(
        a["account_id"]
        for a in accounts
        if a["kind"] == kind
        and a["status"] == "open"
        and (not nickname or a["nickname"] == nickname)
    )


def _history(ws: Workspace, account_id: str, since: str) -> list[dict[str, Any]]:
    """An account's transactions from ``since`` on, oldest first (read as an agent reads it)."""
    listed = ws.run("list_transactions", account_id=account_id, start_date=since, limit=200)
    return list(reversed(listed["transactions"]))


def _statement(account_id: str, since: str) -> Plan:
    listed = yield call(
        "list_transactions",
        f"List the transactions since {since}.",
        account_id=account_id,
        start_date=since,
        limit=200,
    )
    if listed["total_matching"] > listed["returned"]:
        raise LookupError("more transactions than one listing shows")
    return list(reversed(listed["transactions"]))


# -------------------------------------------------------------------- calendar helpers
FUTURE_DAYS = [d.isoformat() for d in weekdays() if d.isoformat() > NOW[:10]]
MEETING_TITLES = (
    "Budget review",
    "Hiring plan",
    "Vendor selection",
    "Quarterly roadmap",
    "Offsite planning",
    "Launch checklist",
    "Pricing workshop",
    "Security review",
)


def _unique_name(ws: Workspace, person: Person) -> bool:
    """Whether searching the calendar for the person's full name finds only them."""
    return len(ws.run("find_person", query=person.name)) == 1


def _slot(
    rng: np.random.Generator, person: Person, day: str, minutes: int
) -> tuple[str, str, str, str]:
    """A start and end within ``person``'s working hours on ``day``: wall clock and UTC."""
    first = int(person.work_start[:2]) * 60
    last = int(person.work_end[:2]) * 60 - minutes
    start = first + 30 * int(rng.integers((last - first) // 30 + 1))
    wall = f"{start // 60:02d}:{start % 60:02d}"
    end = start + minutes
    wall_end = f"{end // 60:02d}:{end % 60:02d}"
    begin = parse_time(f"{day}T{wall}", person.time_zone, "start")
    return wall, wall_end, format_utc(begin), format_utc(begin + timedelta(minutes=minutes))


def _me_on_calendar(email: str) -> Plan:
    """The calendar profile whose email is ``email``."""
    found = yield call("find_person", "Find me on the calendar.", query=email)
    return next(p for p in found if p["email"] == email)


def _colleague(name: str) -> Plan:
    found = yield call("find_person", f"Find {name} on the calendar.", query=name)
    return next(p for p in found if p["name"] == name)["person_id"]


def _minutes(event: dict[str, Any]) -> int:
    span = parse_utc(event["end"]) - parse_utc(event["start"])
    return int(span.total_seconds()) // 60


# ============================================================= 1. API data into a file
@family
def export_report(ws: Workspace, rng: np.random.Generator, difficulty: str) -> Task:
    """Write what an API shows into a file in a stated format: store orders (easy), a day's
    agenda from the calendar (medium), card spending by category from the bank (hard)."""
    if difficulty == "easy":
        return _orders_csv(ws, rng)
    if difficulty == "medium":
        return _agenda(ws, rng)
    return _spending(ws, rng)


def _orders_csv(ws: Workspace, rng: np.random.Generator) -> Task:
    customers = ws.retail.customers.values()
    customer: Customer = _scan(
        rng, customers, lambda c: len(ws.retail.orders.where(customer_id=c.id)) >= 2
    )
    path = "/documents/store-orders.csv"
    header = "order_id,placed_on,status,total"
    prompt = (
        f"My Northwind Outfitters account email is {customer.email}. Save a list of all my "
        f"orders from the store to {path}: first the header line '{header}', then one line per "
        "order, oldest first (orders placed on the same day by order id), with the total as a "
        "plain number with two decimals."
    )

    def plan() -> Plan:
        found = yield call("find_customer", "Find my store account.", email=customer.email)
        orders = yield call("list_orders", "List all my orders.", customer_id=found["customer_id"])
        rows = sorted(orders, key=lambda o: (o["placed_on"], o["order_id"]))
        lines = [header] + [
            f"{o['order_id']},{o['placed_on']},{o['status']},{o['total']:.2f}" for o in rows
        ]
        yield call("fs_write", "Write the list.", path=path, content=_content(lines))
        return f"Saved {len(rows)} orders to {path}."

    return _task(prompt, plan, [customer.email, path, header], files=[path])


def _agenda(ws: Workspace, rng: np.random.Generator) -> Task:
    people = ws.calendar.people.values()
    days = [d.isoformat() for d in weekdays()]
    for _ in range(200):
        person, day = pick(rng, people), pick(rng, days)
        listed = ws.run("list_events", person_id=person.id, start_date=day)["events"]
        kept = [e for e in listed if e["your_response"] != "declined"]
        starts = [e["start"] for e in kept]
        if len(kept) >= 2 and len(set(starts)) == len(starts):
            break
    else:
        raise LookupError("no one has a busy enough day")
    path = f"/documents/agenda-{day}.txt"
    prompt = (
        f"I'm {person.name} ({person.email}) on the company calendar. Write my agenda for "
        f"{day} to {path}: one line per meeting I organize or am invited to that day, leaving "
        "out any I declined, earliest first, as '<start>-<end> <title>' with 24-hour HH:MM "
        "times in my own time zone; then a final line '<n> meetings, <m> minutes in total'."
    )

    def plan() -> Plan:
        me = yield from _me_on_calendar(person.email)
        listed = yield call(
            "list_events", f"List my events on {day}.", person_id=me["person_id"], start_date=day
        )
        events = [e for e in listed["events"] if e["your_response"] != "declined"]
        lines = [f"{e['local_start'][11:16]}-{e['local_end'][11:16]} {e['title']}" for e in events]
        total = sum(_minutes(e) for e in events)
        lines.append(f"{len(events)} meetings, {total} minutes in total")
        yield call("fs_write", "Write the agenda.", path=path, content=_content(lines))
        return f"Wrote {len(events)} meetings ({total} minutes) to {path}."

    literals = [person.email, person.name, path, "<start>-<end> <title>"]
    return _task(prompt, plan, literals, files=[path])


SPENDING_DAYS = 30


def _spending(ws: Workspace, rng: np.random.Generator) -> Task:
    since = (date.fromisoformat(BANK_TODAY) - timedelta(days=SPENDING_DAYS)).isoformat()

    def by_category(holder: AccountHolder) -> Counter[str]:
        spent: Counter[str] = Counter()
        for account in _accounts(ws, holder):
            if account.kind == "savings":
                continue
            for t in _history(ws, account.id, since):
                if t["kind"] == "purchase":
                    spent[t["category"]] -= _cents(t["amount"])
        return spent

    def fits(holder: AccountHolder) -> bool:
        ranked = by_category(holder).most_common()
        return len(ranked) >= 3 and ranked[0][1] != ranked[1][1]

    holder = _holder(ws, rng, fits)
    path = f"/documents/spending-since-{since}.txt"
    prompt = (
        f"My Harbor Trust Bank login email is {holder.email}. Add up my card purchases "
        f"(transactions of kind 'purchase') on all my accounts from {since} through today, by "
        f"category, and write them to {path}: one line per category as '<category>: <amount>' "
        "with the amount spent as a positive number with two decimals, largest first (ties in "
        "alphabetical order), then a final line 'total: <amount>'. Also tell me which category "
        "I spent the most on."
    )

    def plan() -> Plan:
        _, accounts = yield from _sign_in_bank(holder.email)
        spent: Counter[str] = Counter()
        for account in accounts:
            if account["kind"] == "savings":
                continue
            for t in (yield from _statement(account["account_id"], since)):
                if t["kind"] == "purchase":
                    spent[t["category"]] -= _cents(t["amount"])
        ranked = sorted(spent.items(), key=lambda kv: (-kv[1], kv[0]))
        lines = [f"{category}: {_amount(c)}" for category, c in ranked]
        lines.append(f"total: {_amount(sum(spent.values()))}")
        yield call("fs_write", "Write the report.", path=path, content=_content(lines))
        text = f"Wrote {path}; I spent the most on {ranked[0][0]}."
        # The categories it beat, which a hedging reply names beside it.
        losers = [category for category, _ in ranked[1:]]
        return Answer(text, (ranked[0][0],), wrong_candidates(losers, [text], prompt))

    literals = [holder.email, since, path, "<category>: <amount>", "total: <amount>"]
    return _task(prompt, plan, literals, files=[path])


# ======================================================= 2. instructions found in a file
@family
def follow_instructions(ws: Workspace, rng: np.random.Generator, difficulty: str) -> Task:
    """Carry out what a note in the files says: pay the open bills (easy), book the requested
    meeting (medium), run store errands and say the refund (hard)."""
    if difficulty == "easy":
        return _pay_bills(ws, rng)
    if difficulty == "medium":
        return _requested_meeting(ws, rng)
    return _store_errands(ws, rng)


_BILL = re.compile(r"^- \[( |x)\] (.+): \$([\d,]+\.\d\d)", re.MULTILINE)


def _pay_bills(ws: Workspace, rng: np.random.Generator) -> Task:
    def fits(holder: AccountHolder) -> bool:
        payees = holder.payee_ids
        return len(payees) >= 2 and _sendable(ws, holder) >= 20_000

    holder = _holder(ws, rng, fits)
    payees = [ws.bank.payees[p] for p in holder.payee_ids]
    order = rng.permutation(len(payees)).tolist()
    due = [payees[i] for i in order[: int(rng.integers(1, min(3, len(payees) - 1) + 1))]]
    paid = payees[order[len(due)]]
    budget = min(_sendable(ws, holder), 150_000) // len(due)
    amounts = [int(rng.integers(2_000, budget + 1)) for _ in due]
    lines = ["Bills", ""]
    entries = [(payee, cents, False) for payee, cents in zip(due, amounts, strict=True)]
    entries.insert(
        int(rng.integers(len(entries) + 1)), (paid, int(rng.integers(2_000, 30_000)), True)
    )
    for payee, cents, done in entries:
        lines.append(f"- [{'x' if done else ' '}] {payee.name}: ${_amount(cents)}")
    path = "/notes/bills.txt"
    ws.fs.add_file(path, _content(lines))
    prompt = (
        f"My Harbor Trust Bank login email is {holder.email}. Please pay the bills in {path} "
        "that are not ticked off yet ([ ] rather than [x]), from my checking account, in the "
        "order they are listed."
    )

    def plan() -> Plan:
        note = yield call("fs_read", "Read the list of bills.", path=path)
        bills = [
            (name, amount) for mark, name, amount in _BILL.findall(note["content"]) if mark == " "
        ]
        holder_id, accounts = yield from _sign_in_bank(holder.email)
        listed = yield call("list_payees", "Find the payees' ids.", holder_id=holder_id)
        checking = _account_of(accounts, "checking")
        for name, amount in bills:
            payee = next(p["payee_id"] for p in listed if p["name"] == name)
            yield call(
                "pay_payee",
                f"Pay {name}.",
                holder_id=holder_id,
                payee_id=payee,
                from_account_id=checking,
                amount=float(amount.replace(",", "")),
            )
        return f"Paid {len(bills)} bill(s) from checking."

    return _task(prompt, plan, [holder.email, path])


_FIELD = re.compile(r"^(\w[\w ]*): (.+)$", re.MULTILINE)


def _requested_meeting(ws: Workspace, rng: np.random.Generator) -> Task:
    cal = ws.calendar
    people = cal.people.values()
    rooms = cal.rooms.values()
    for _ in range(200):
        organizer = pick(rng, people)
        if organizer.office not in {r.building for r in rooms}:
            continue
        others = [p for p in people if p.id != organizer.id]
        chosen = rng.choice(len(others), size=int(rng.integers(1, 4)), replace=False)
        invitees = sorted((others[int(i)] for i in chosen), key=lambda p: p.id)
        if not all(_unique_name(ws, p) for p in invitees):
            continue
        day = pick(rng, FUTURE_DAYS)
        minutes = pick(rng, (30, 45, 60))
        wall, wall_end, start, end = _slot(rng, organizer, day, minutes)
        free = [
            r
            for r in rooms
            if r.building == organizer.office
            and r.capacity > len(invitees)
            and not cal.room_bookings(r.id, start, end)
        ]
        if free:
            room = pick(rng, free)
            break
    else:
        raise LookupError("no bookable meeting")
    title = pick(rng, MEETING_TITLES)
    path = "/notes/meeting-request.txt"
    note = [
        "Meeting request",
        f"Title: {title}",
        f"Date: {day}",
        f"Time: {wall}-{wall_end} ({organizer.time_zone})",
        f"Attendees: {', '.join(p.name for p in invitees)}",
        f"Room: {room.name} ({room.building} office)",
    ]
    ws.fs.add_file(path, _content(note))
    prompt = (
        f"I'm {organizer.name} ({organizer.email}). Please put the meeting described in "
        f"{path} on the company calendar, organized by me."
    )

    def plan() -> Plan:
        read = yield call("fs_read", "Read the meeting request.", path=path)
        fields = dict(_FIELD.findall(read["content"]))
        begin, finish, zone = re.match(r"(\S+)-(\S+) \((\S+)\)", fields["Time"]).groups()  # type: ignore[union-attr]
        room_name, building = re.match(r"(.+) \((.+) office\)", fields["Room"]).groups()  # type: ignore[union-attr]
        me = yield from _me_on_calendar(organizer.email)
        guests = []
        for name in fields["Attendees"].split(", "):
            guests.append((yield from _colleague(name)))
        listed = yield call("list_rooms", f"Find the room {room_name}.", building=building)
        room_id = next(r["room_id"] for r in listed if r["name"] == room_name)
        made = yield call(
            "create_event",
            "Create the meeting.",
            organizer_id=me["person_id"],
            title=fields["Title"],
            start=f"{fields['Date']}T{begin}",
            end=f"{fields['Date']}T{finish}",
            attendee_ids=guests,
            room_id=room_id,
            time_zone=zone,
        )
        return f"Booked '{made['title']}' ({made['event_id']}) in {room_name}."

    return _task(prompt, plan, [organizer.name, organizer.email, path])


def _store_errands(ws: Workspace, rng: np.random.Generator) -> Task:
    retail = ws.retail
    done = {v for r in retail.returns.values() for v in r.variant_ids}
    done |= {x.from_variant_id for x in retail.exchanges.values()}

    def unique_items(orders: list[Order], status: tuple[str, ...]) -> list[tuple[Order, str]]:
        """(order, product) where the product is in no other order of the customer, once."""
        counts = Counter(i.name for o in orders for i in o.items)
        return [
            (o, i.name)
            for o in orders
            if o.status in status
            for i in o.items
            if counts[i.name] == 1 and i.variant_id not in done
        ]

    def errands(customer: Customer) -> tuple[list[tuple[Order, str]], list[tuple[Order, str]]]:
        """Items to return and to cancel (both empty unless the customer has some of each)."""
        orders = retail.orders.where(customer_id=customer.id)
        back = unique_items(orders, ("delivered",))
        cancel = unique_items(orders, ("pending", "processing"))
        return (back, cancel) if back and cancel else ([], [])

    customer = _scan(rng, retail.customers.values(), lambda c: bool(errands(c)[0]))
    back, cancel = errands(customer)
    returned, cancelled = pick(rng, back)[1], pick(rng, cancel)[1]
    reason = pick(rng, ("no longer needed", "ordered by mistake"))
    path = "/notes/store-errands.txt"
    note = [
        f"Northwind Outfitters errands (account {customer.email})",
        f"- Return the {returned} from my delivered order; refund to the original payment method.",
        f"- Cancel the order with the {cancelled} in it (reason: {reason}).",
    ]
    ws.fs.add_file(path, _content(note))
    prompt = (
        f"Please take care of the store errands in {path}, and tell me how much money I will "
        "get back in total."
    )

    def plan() -> Plan:
        read = yield call("fs_read", "Read the errands.", path=path)
        text = read["content"]
        email = re.search(r"\(account (\S+)\)", text).group(1)  # type: ignore[union-attr]
        item = re.search(r"Return the (.+) from my delivered order", text).group(1)  # type: ignore[union-attr]
        other = re.search(r"Cancel the order with the (.+) in it \(reason: (.+)\)", text)
        assert other is not None
        found = yield call("find_customer", "Find the store account.", email=email)
        orders = yield call("list_orders", "List my orders.", customer_id=found["customer_id"])
        back = next(o for o in orders if o["status"] == "delivered" and item in o["items"])
        cancel = next(o for o in orders if other.group(1) in o["items"])
        detail = yield call("get_order", "Find the item's variant.", order_id=back["order_id"])
        line = next(i for i in detail["items"] if i["name"] == item)
        refund = yield call(
            "return_items",
            f"Return the {item}.",
            order_id=back["order_id"],
            variant_ids=[line["variant_id"]],
            refund_method_id=detail["payment_method_id"],
        )
        cancellation = yield call(
            "cancel_order",
            "Cancel the other order.",
            order_id=cancel["order_id"],
            reason=other.group(2),
        )
        total = _amount(_cents(refund["refund"]) + _cents(cancellation["refunded"]))
        text = f"Done; you will get back ${total} in total."
        # The whole delivered order back instead of one item, or another order's total; the
        # two refunds are right to state beside their sum.
        whole = _cents(detail["total"]) + _cents(cancellation["refunded"])
        wrong = [_amount(whole), *(_amount(_cents(o["total"])) for o in orders)]
        right = [text, _amount(_cents(refund["refund"])), _amount(_cents(cancellation["refunded"]))]
        right.append(_amount(_cents(line["unit_price"]) * line["quantity"]))
        return Answer(text, (total,), wrong_candidates(wrong, right, prompt))

    return _task(prompt, plan, [path])


# ===================================================== 3. look a fact up, act on it
@family
def search_then_act(ws: Workspace, rng: np.random.Generator, difficulty: str) -> Task:
    """Act on a fact from the encyclopedia: save a product's price (easy), book a meeting named
    after a company's CEO (medium), save the combined price of two products (hard)."""
    if difficulty == "medium":
        return _ceo_briefing(ws, rng)
    return _save_for(ws, rng, 2 if difficulty == "hard" else 1)


def _priced(ws: Workspace) -> list[Any]:
    return [p for p in search_index(ws.search).kinds["product"] if "price" in p.facts]


def _save_for(ws: Workspace, rng: np.random.Generator, count: int) -> Task:
    products = _priced(ws)
    chosen = [products[int(i)] for i in rng.choice(len(products), size=count, replace=False)]
    while not names_distinct([p.name for p in chosen]):
        chosen = [products[int(i)] for i in rng.choice(len(products), size=count, replace=False)]
    total = sum(_cents(p.facts["price"]) for p in chosen)

    def fits(holder: AccountHolder) -> bool:
        return bool(_open(ws, holder, "savings")) and _sendable(ws, holder) >= total

    holder = _holder(ws, rng, fits)
    savings = pick(rng, _open(ws, holder, "savings"))
    names = " and the ".join(p.name for p in chosen)
    what = "its price" if count == 1 else "their combined price"
    prompt = (
        f"My Harbor Trust Bank login email is {holder.email}. I'm saving up for the {names}. "
        f"Look up {what} in the encyclopedia and move exactly that amount from my checking "
        f"account to my {savings.nickname} account."
    )
    if count > 1:
        prompt += f" Then tell me my {savings.nickname} balance."

    def plan() -> Plan:
        cents = 0
        for product in chosen:
            _, box = yield from lookup_plan(product.name, "product")
            cents += _cents(float(box["Price"].lstrip("$").replace(",", "")))
        holder_id, accounts = yield from _sign_in_bank(holder.email)
        moved = yield call(
            "transfer_funds",
            "Move the money to savings.",
            holder_id=holder_id,
            from_account_id=_account_of(accounts, "checking"),
            to_account_id=_account_of(accounts, "savings", savings.nickname),
            amount=cents / 100,
        )
        text = f"Moved ${_amount(cents)} to {savings.nickname}."
        if count == 1:
            return text
        balance = f"{moved['to_balance']:.2f}"
        text += f" Its balance is now ${balance}."
        # The balance before the move, or another savings account's; the checking balance and
        # the prices are right to state.
        savings_now = [a for a in accounts if a["kind"] == "savings"]
        wrong = [_amount(_cents(a["balance"])) for a in savings_now]
        right = [text, f"{moved['from_balance']:.2f}", _amount(cents)]
        right += [_amount(_cents(p.facts["price"])) for p in chosen]
        return Answer(text, (balance,), wrong_candidates(wrong, right, prompt))

    return _task(prompt, plan, [holder.email, savings.nickname, *(p.name for p in chosen)])


def _ceo_briefing(ws: Workspace, rng: np.random.Generator) -> Task:
    index = search_index(ws.search)
    company = _scan(rng, index.kinds["company"], lambda c: c.id not in index.ambiguous)
    people = ws.calendar.people.values()
    organizer = pick(rng, people)
    guest = _scan(rng, people, lambda p: p.id != organizer.id and _unique_name(ws, p))
    day, minutes = pick(rng, FUTURE_DAYS), pick(rng, (30, 45, 60))
    wall, _, _, _ = _slot(rng, organizer, day, minutes)
    prompt = (
        f"I'm {organizer.name} ({organizer.email}) on the company calendar. Book a "
        f"{minutes}-minute meeting with {guest.name} on {day} at {wall} in my own time zone, "
        f"titled '<CEO> briefing', where <CEO> is the full name of the CEO of {company.name} "
        "as the encyclopedia gives it."
    )

    def plan() -> Plan:
        _, box = yield from lookup_plan(company.name, "company")
        me = yield from _me_on_calendar(organizer.email)
        guest_id = yield from _colleague(guest.name)
        finish = datetime.fromisoformat(f"{day}T{wall}") + timedelta(minutes=minutes)
        made = yield call(
            "create_event",
            "Book the briefing.",
            organizer_id=me["person_id"],
            title=f"{box['CEO']} briefing",
            start=f"{day}T{wall}",
            end=finish.isoformat(timespec="minutes"),
            attendee_ids=[guest_id],
            time_zone=me["time_zone"],
        )
        return f"Booked '{made['title']}' on {day} at {wall}."

    literals = [organizer.name, organizer.email, guest.name, company.name, "<CEO> briefing"]
    return _task(prompt, plan, literals)


# ========================================================= 4. a fact from the web, filed
@family
def web_to_file(ws: Workspace, rng: np.random.Generator, difficulty: str) -> Task:
    """Record what the web sites show in a file: a wiki fact added to a list (easy), shop prices
    as CSV (medium), a comparison of two wiki articles (hard)."""
    if difficulty == "easy":
        return _wiki_fact(ws, rng)
    if difficulty == "medium":
        return _price_check(ws, rng)
    return _wiki_comparison(ws, rng)


def _wiki_fact(ws: Workspace, rng: np.random.Generator) -> Task:
    articles = [a for a in web_index(ws.web).articles if a.category in WIKI_FIELDS]
    order = rng.permutation(len(articles)).tolist()
    target, *known = (articles[i] for i in order[:3])
    label = pick(rng, WIKI_FIELDS[target.category])
    lines = ["# Atlas facts", ""]
    for article in known:
        field = pick(rng, WIKI_FIELDS[article.category])
        lines.append(f"- {article.title}: {field} = {dict(article.infobox)[field]}")
    path = "/notes/atlas-facts.md"
    ws.fs.add_file(path, _content(lines))
    prompt = (
        f"Look up the {label.lower()} of {target.title} on the wiki at {WIKI} and add it to "
        f"the end of {path} as a new line in the same format as the others, "
        f"'- <article>: <field> = <value>', with the field named '{label}' and the value "
        "exactly as the wiki shows it."
    )

    def plan() -> Plan:
        view = yield from wiki_article_plan(target.title)
        shown = page_table(view["content"])[label]
        value = link_name(shown) or shown
        line = f"- {target.title}: {label} = {value}\n"
        yield call("fs_append", "Add the line to the list.", path=path, content=line)
        return f"Added '{line.strip()}' to {path}."

    literals = [target.title, path, label, "- <article>: <field> = <value>"]
    return _task(prompt, plan, literals, files=[path])


def _price_check(ws: Workspace, rng: np.random.Generator) -> Task:
    products = web_index(ws.web).products
    for _ in range(100):
        chosen = [products[int(i)] for i in rng.choice(len(products), size=2, replace=False)]
        if names_distinct([p.name for p in chosen]):
            break
    path = "/documents/price-check.csv"
    prompt = (
        f"Check the prices of the {chosen[0].name} and the {chosen[1].name} at {SHOP} and "
        f"save them to {path}: the header line 'product,price', then one line per product in "
        "that order, with the price as a plain number with two decimals."
    )

    def plan() -> Plan:
        lines = ["product,price"]
        for product in chosen:
            view = yield from shop_search_plan(product.name)
            row = next(r for r in page_rows(view["content"]) if link_name(r[0]) == product.name)
            lines.append(f"{product.name},{parse_money(row[1]):.2f}")
        yield call("fs_write", "Save the prices.", path=path, content=_content(lines))
        return f"Saved both prices to {path}."

    literals = [*(p.name for p in chosen), path, "product,price"]
    return _task(prompt, plan, literals, files=[path])


def _wiki_comparison(ws: Workspace, rng: np.random.Generator) -> Task:
    index = web_index(ws.web)
    for _ in range(200):
        category = pick(rng, list(WIKI_COMPARE))
        label = WIKI_COMPARE[category][0]
        pair = [pick(rng, index.articles_in(category)) for _ in range(2)]
        values = [float(search_term(dict(a.infobox)[label])) for a in pair]
        names = [a.title for a in pair]
        if values[0] != values[1] and names_distinct(names):
            break
    else:
        raise LookupError("no two comparable articles")
    winner = names[values.index(max(values))]
    path = "/documents/atlas-comparison.txt"
    prompt = (
        f"Compare the {label.lower()} of {names[0]} and {names[1]} on the wiki at {WIKI}. "
        f"Write {path} with one line '<article>: <value>' for each, in that order, with the "
        "value exactly as the wiki shows it, then a line 'larger: <article>' naming the one "
        f"with the larger {label.lower()}. Also tell me which one it is."
    )

    def plan() -> Plan:
        lines, seen = [], []
        for name in names:
            view = yield from wiki_article_plan(name)
            shown = page_table(view["content"])[label]
            lines.append(f"{name}: {shown}")
            seen.append((float(search_term(shown)), name))
        best = max(seen)[1]
        lines.append(f"larger: {best}")
        yield call("fs_write", "Write the comparison.", path=path, content=_content(lines))
        return Answer(f"{best} has the larger {label.lower()}.", (winner,))

    literals = [*names, path, "<article>: <value>", "larger: <article>"]
    return _task(prompt, plan, literals, files=[path])


# ============================================================ 5. bank against a ledger
@family
def reconcile(ws: Workspace, rng: np.random.Generator, difficulty: str) -> Task:
    """Compare the checking account with the user's ledger file: find a wrong amount (easy),
    a missing entry and a wrong amount (medium), or dispute the charge the ledger lacks (hard)."""
    since = (date.fromisoformat(BANK_TODAY) - timedelta(days=int(rng.integers(8, 15)))).isoformat()

    def rows_of(holder: AccountHolder) -> list[dict[str, Any]]:
        checking = _open(ws, holder, "checking")
        return _history(ws, checking[0].id, since) if checking else []

    def candidates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows the task may change: their merchant appears once, so an answer naming it is
        unambiguous (for the hard task: an undisputed purchase, which can be disputed)."""
        counts = Counter(r["merchant"] for r in rows)
        once = [r for r in rows if r["merchant"] and counts[r["merchant"]] == 1]
        if difficulty == "hard":
            return [r for r in once if r["kind"] == "purchase" and r["dispute_id"] is None]
        return once

    def fits(holder: AccountHolder) -> bool:
        rows = rows_of(holder)
        keys = [(r["date"], r["description"], r["amount"]) for r in rows]
        return 6 <= len(rows) <= 40 and len(set(keys)) == len(keys) and len(candidates(rows)) >= 2

    holder = _holder(ws, rng, fits)
    rows = rows_of(holder)
    first, second = (
        candidates(rows)[int(i)] for i in rng.choice(len(candidates(rows)), 2, replace=False)
    )
    missing = first if difficulty != "easy" else None
    wrong = {"easy": first, "medium": second}.get(difficulty)
    ledger = io.StringIO()
    writer = csv.writer(ledger, lineterminator="\n")
    writer.writerow(["date", "description", "amount"])
    told: list[int] = []  # the wrong amount the ledger shows
    for row in rows:
        cents = _cents(row["amount"])
        if row is missing:
            continue
        if row is wrong:
            shift = int(rng.integers(100, max(101, abs(cents) // 2)))
            cents += shift if rng.random() < 0.5 else -shift
            told.append(cents)
        writer.writerow([row["date"], row["description"], _amount(cents)])
    path = "/documents/checking-ledger.csv"
    ws.fs.add_file(path, ledger.getvalue())
    intro = (
        f"My Harbor Trust Bank login email is {holder.email}. I keep my own ledger of my "
        f"checking account in {path}; it should list every transaction from {since} on, with "
        "the amounts as the bank shows them."
    )
    ask = {
        "easy": "One amount in it is wrong. Which transaction is it, and what amount did the "
        "bank post?",
        "medium": "It has two mistakes: one transaction the bank posted is missing from it, "
        "and one amount is wrong. Which transaction is missing, and for how much? Which one "
        "has the wrong amount, and what did the bank post?",
        "hard": "The bank shows a card purchase in that period that is not in my ledger, and I "
        "did not make it. Dispute it as unrecognized and tell me its amount.",
    }[difficulty]
    targets = [r for r in (missing, wrong) if r is not None]
    prompt = f"{intro} {ask}"
    # Another row's merchant or amount (the rows the ledger gets right). The ledger's wrong
    # figure and its difference from the bank's are right to state beside the bank's.
    others = [r for r in rows if r not in targets]
    right = [_amount(abs(_cents(r["amount"]))) for r in targets]
    right += [r["description"] for r in targets]
    if wrong is not None:
        right += [_amount(abs(c)) for c in told]
        right += [_amount(abs(_cents(wrong["amount"]) - c)) for c in told]
    distractors = [r["merchant"] for r in others if difficulty != "hard"]
    distractors += [_amount(abs(_cents(r["amount"]))) for r in others]

    def plan() -> Plan:
        read = yield call("fs_read", "Read my ledger.", path=path)
        holder_id, accounts = yield from _sign_in_bank(holder.email)
        bank = yield from _statement(_account_of(accounts, "checking"), since)
        mine = Counter(tuple(row) for row in list(csv.reader(io.StringIO(read["content"])))[1:])
        posted = [(r["date"], r["description"], _amount(_cents(r["amount"]))) for r in bank]
        known = {(day, text) for day, text, _ in mine}
        unmatched = [(r, key) for r, key in zip(bank, posted, strict=True) if key not in mine]
        if difficulty == "hard":
            row, (_, _, amount) = unmatched[0]
            yield call(
                "dispute_transaction",
                "Dispute the charge I did not make.",
                holder_id=holder_id,
                transaction_id=row["transaction_id"],
                reason="unrecognized",
            )
            text = f"Disputed {row['description']} of {row['date']} ({amount})."
            return Answer(text, (), wrong_candidates(distractors, [text, *right], prompt))
        parts = []
        for _, (day, text, amount) in unmatched:
            if (day, text) in known:
                parts.append(f"{text} on {day} has the wrong amount; the bank posted {amount}")
            else:
                parts.append(f"{text} on {day} ({amount}) is missing from the ledger")
        text = "; ".join(parts) + "."
        merchants = tuple(r["merchant"] for r, _ in unmatched)
        return Answer(text, merchants, wrong_candidates(distractors, [text, *right], prompt))

    checks = _all(*(_states_amount(_cents(r["amount"])) for r in targets))
    return _task(prompt, plan, [holder.email, path, since], extra_check=checks)


# ====================================================== 6. a briefing for a meeting
@family
def meeting_briefing(ws: Workspace, rng: np.random.Generator, difficulty: str) -> Task:
    """Brief the user on a company from the encyclopedia into a file: the company named (easy),
    found in their calendar (medium), plus its CEO's birthplace and a colleague invited to the
    call (hard)."""
    index = search_index(ws.search)
    company = _scan(rng, index.kinds["company"], lambda c: c.id not in index.ambiguous)
    path = "/documents/call-briefing.txt"
    fields = ["Company", "Industry", "Headquarters", "CEO"]
    if difficulty == "hard":
        fields.append("CEO birthplace")
    layout = ", ".join(f"'{f}: <{f.lower()}>'" for f in fields)
    form = (
        f"Write {path} with the lines {layout}, in that order, with each value exactly as the "
        "encyclopedia gives it."
    )
    if difficulty == "easy":
        prompt = f"I have a call with {company.name} soon. {form}"

        def plan() -> Plan:
            lines = yield from _briefing(company.name, fields)
            yield call("fs_write", "Write the briefing.", path=path, content=_content(lines))
            return f"Wrote the briefing on {company.name} to {path}."

        return _task(prompt, plan, [company.name, path], files=[path])

    cal = ws.calendar
    people = cal.people.values()
    for _ in range(200):
        me, day = pick(rng, people), pick(rng, FUTURE_DAYS)
        listed = ws.run("list_events", person_id=me.id, start_date=day)["events"]
        if not any(e["title"].startswith("Customer call") for e in listed):
            break
    else:
        raise LookupError("no day free of customer calls")
    _, _, start, end = _slot(rng, me, day, pick(rng, (30, 45, 60)))
    others = [p for p in people if p.id != me.id]
    host = pick(rng, others)
    event_id = f"EV-{cal.db.next_id('event', FIRST_EVENT)}"
    cal.events.insert(
        Event(
            id=event_id,
            title=f"Customer call: {company.name}",
            organizer_id=me.id,
            start=start,
            end=end,
            room_id=None,
            attendees=(Attendee(person_id=host.id, status="accepted"),),
        )
    )
    prompt = (
        f"I'm {me.name} ({me.email}). On {day} I have a customer call in my calendar; find out "
        f"which company it is with and brief me on it. {form}"
    )
    invitee = None
    if difficulty == "hard":
        invitee = _scan(rng, others, lambda p: p.id != host.id and _unique_name(ws, p))
        prompt += f" Also invite {invitee.name} to the call."

    def plan() -> Plan:
        mine = yield from _me_on_calendar(me.email)
        listed = yield call(
            "list_events", f"Find the call on {day}.", person_id=mine["person_id"], start_date=day
        )
        event = next(e for e in listed["events"] if e["title"].startswith("Customer call: "))
        name = event["title"].removeprefix("Customer call: ")
        lines = yield from _briefing(name, fields)
        if invitee is not None:
            guest = yield from _colleague(invitee.name)
            yield call(
                "invite_attendees",
                f"Invite {invitee.name}.",
                event_id=event["event_id"],
                requester_id=mine["person_id"],
                person_ids=[guest],
            )
        yield call("fs_write", "Write the briefing.", path=path, content=_content(lines))
        return f"The call is with {name}; the briefing is in {path}."

    literals = [me.name, me.email, day, path, invitee.name if invitee else ""]
    return _task(prompt, plan, literals, files=[path])


def _briefing(company: str, fields: Sequence[str]) -> Plan:
    _, box = yield from lookup_plan(company, "company")
    values = {"Company": company, **box}
    if "CEO birthplace" in fields:
        _, ceo = yield from lookup_plan(box["CEO"], "person")
        values["CEO birthplace"] = ceo["Birthplace"]
    return [f"{field}: {values[field]}" for field in fields]


# ======================================================== 7. compute with Python, act
@family
def python_to_action(ws: Workspace, rng: np.random.Generator, difficulty: str) -> Task:
    """Compute from a data file in the interpreter and use the result elsewhere: units per
    region into a file (easy), revenue per product into a file (medium), a commission paid
    from the bank (hard)."""
    sales, data = generate_sales(rng, 150)
    ws.python.stage({"sales.csv": data})
    read = 'import csv\nrows = list(csv.DictReader(open("sales.csv")))\n'
    intro = (
        "The file sales.csv in the Python interpreter's working directory lists my shop's sales."
    )
    if difficulty == "hard":
        return _commission(ws, rng, sales, read, intro)
    if difficulty == "easy":
        path = "/documents/units-by-region.txt"
        layout = "'<region>: <units>'"
        prompt = (
            f"{intro} Write the total units sold in each region to {path}: one line per region "
            f"as {layout}, regions in alphabetical order."
        )
        code = read + (
            "totals = {}\nfor r in rows:\n"
            '    totals[r["region"]] = totals.get(r["region"], 0) + int(r["units"])\n'
            "for region in sorted(totals):\n"
            '    print(f"{region}: {totals[region]}")'
        )
    else:
        path = "/documents/revenue-by-product.txt"
        layout = "'<product>: <revenue>'"
        prompt = (
            f"{intro} Write the revenue (units times unit price) of each product to {path}: "
            f"one line per product as {layout} with two decimals, largest first (ties in "
            "alphabetical order), then a final line 'total: <revenue>'."
        )
        code = read + (
            "cents = {}\nfor r in rows:\n"
            '    amount = int(r["units"]) * round(float(r["unit_price"]) * 100)\n'
            '    cents[r["product"]] = cents.get(r["product"], 0) + amount\n'
            "for name, c in sorted(cents.items(), key=lambda kv: (-kv[1], kv[0])):\n"
            '    print(f"{name}: {c // 100}.{c % 100:02d}")\n'
            "t = sum(cents.values())\n"
            'print(f"total: {t // 100}.{t % 100:02d}")'
        )

    def plan() -> Plan:
        printed = yield from _run(code)
        yield call("fs_write", "Write the result.", path=path, content=printed + "\n")
        return f"Wrote {path}."

    return _task(prompt, plan, ["sales.csv", path, layout], files=[path])


def _run(code: str) -> Plan:
    out = yield call("run_python", "Compute it from sales.csv.", code=code)
    if out["error"]:
        raise RuntimeError(f"plan code failed: {out['error']}")
    return out["stdout"].strip()


def _commission(
    ws: Workspace, rng: np.random.Generator, sales: list[Any], read: str, intro: str
) -> Task:
    for _ in range(100):
        region, rate = pick(rng, REGIONS), int(rng.integers(1, 6))
        revenue = sum(s.units * s.cents for s in sales if s.region == region)
        if revenue * rate % 100 != 50:  # never half a cent: rounding is then unambiguous
            break
    fee = (revenue * rate + 50) // 100
    # The commission on another region's revenue, or on every region's.
    wrong = [
        _amount((sum(s.units * s.cents for s in sales if s.region == r) * rate + 50) // 100)
        for r in REGIONS
    ]
    wrong.append(_amount((sum(s.units * s.cents for s in sales) * rate + 50) // 100))

    def fits(holder: AccountHolder) -> bool:
        people = [ws.bank.payees[p] for p in holder.payee_ids]
        return any(p.kind == "person" for p in people) and _sendable(ws, holder) >= fee

    holder = _holder(ws, rng, fits)
    payee = pick(
        rng, [ws.bank.payees[p] for p in holder.payee_ids if ws.bank.payees[p].kind == "person"]
    )
    prompt = (
        f"{intro} My sales agent {payee.name} earns {rate}% of the revenue (units times unit "
        f"price) of the {region} region, rounded to the cent. My Harbor Trust Bank login email "
        f"is {holder.email}: pay {payee.name} that commission from my checking account, and "
        "tell me how much it was."
    )
    code = read + (
        f"cents = sum(int(r['units']) * round(float(r['unit_price']) * 100) for r in rows "
        f"if r['region'] == {region!r})\nprint(cents)"
    )

    def plan() -> Plan:
        printed = yield from _run(code)
        cents = (int(printed) * rate + 50) // 100
        holder_id, accounts = yield from _sign_in_bank(holder.email)
        listed = yield call("list_payees", "Find the agent's payee id.", holder_id=holder_id)
        yield call(
            "pay_payee",
            "Pay the commission.",
            holder_id=holder_id,
            payee_id=next(p["payee_id"] for p in listed if p["name"] == payee.name),
            from_account_id=_account_of(accounts, "checking"),
            amount=cents / 100,
        )
        text = f"Paid {payee.name} ${_amount(cents)}."
        right = [text, _amount(int(printed))]
        return Answer(text, (_amount(cents),), wrong_candidates(wrong, right, prompt))

    literals = ["sales.csv", payee.name, region, holder.email, f"{rate}%"]
    return _task(prompt, plan, literals)
