"""``toolgym/Bank-v0``: customer service for a retail bank.

Seven task families, each at three difficulties: easy tasks name the account or card, medium
ones make the agent find it or compute a figure, hard ones identify the holder by name and date
of birth and combine several records, a conditional, or an aggregate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np

from toolgym.core.money import figure as _figure
from toolgym.core.money import usd
from toolgym.core.task import Answer, Task, call
from toolgym.envs.answers import wrong_candidates
from toolgym.envs.common import Suite, clean_index, make_task, pick, policy_prompt
from toolgym.toolkits.apis.bank import (
    DISPUTE_WINDOW_DAYS,
    TODAY,
    Account,
    AccountHolder,
    BankAPI,
    Card,
    Payee,
    Transaction,
    build_bank,
)

__all__ = ["SUITE"]

SUITE = Suite(
    "bank",
    lambda seed, size: [build_bank(seed, size)],
    identity=("email", "name", "date_of_birth"),
)

SYSTEM_PROMPT = policy_prompt(
    "You are a customer service agent for Harbor Trust Bank. You help account holders with "
    "balances, transactions, transfers, bill payments, cards and disputes by calling the "
    f"bank's tools. Today is {TODAY}.",
    [
        "Identify the account holder before anything else: look them up by email, or by full "
        "name together with date of birth.",
        "Only read or change the accounts, cards and payees of the holder you are talking to.",
        "Make only the changes the holder asked for, and nothing else.",
        "Amounts are in dollars. A credit account's balance is negative by what is owed.",
        "Transfers and bill payments together may not exceed the holder's daily transfer limit.",
        f"Card purchases can be disputed within {DISPUTE_WINDOW_DAYS} days of posting. When a "
        "charge posted twice, dispute the later copy (the higher transaction id) as a duplicate "
        "and leave the original alone.",
        "A card reported lost or stolen cannot be unfrozen; it has to be replaced.",
        "Spending means money going out (negative amounts) of checking and credit accounts, "
        "not counting transfers between accounts or payments to people (category 'transfer').",
        "Use exact ids from tool results; never invent ids.",
    ],
    "When the request is done, reply to the holder with the outcome in plain words, including "
    "every figure they asked for. Do not call tools in that final reply.",
)

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_TODAY = date.fromisoformat(TODAY)
_WINDOW_START = (_TODAY - timedelta(days=DISPUTE_WINDOW_DAYS)).isoformat()
_NOT_SPENDING = ("transfer", "income")
T = TypeVar("T")


# ------------------------------------------------------------------ words
def _usd(amount_cents: int) -> str:
    """An amount as a person writes it: ``$250`` or ``$1,250.40``."""
    return usd(amount_cents, whole=True)


def _spoken(day: str) -> str:
    """``2026-05-03`` as ``May 3`` (the year is today's)."""
    when = date.fromisoformat(day)
    return f"{_MONTHS[when.month - 1]} {when.day}"


def _days_ago(days: int) -> str:
    return (_TODAY - timedelta(days=days)).isoformat()


def _full_months(count: int = 3) -> list[tuple[str, str, str]]:
    """The last ``count`` whole months before today's: (``"April 2026"``, first, last day)."""
    out = []
    first = _TODAY.replace(day=1)
    for _ in range(count):
        end = first - timedelta(days=1)
        first = end.replace(day=1)
        out.append((f"{_MONTHS[first.month - 1]} {first.year}", first.isoformat(), end.isoformat()))
    return out


def _c(amount: float) -> int:
    """A dollar amount read from a tool result, as exact cents."""
    return round(amount * 100)


def _balances(rows: Iterable[dict[str, Any]], *skip: str) -> list[str]:
    """The balances of the listed accounts other than ``skip`` (ids), as figures."""
    return [_figure(abs(_c(a["balance"]))) for a in rows if a["account_id"] not in skip]


# ------------------------------------------------------------------ index
class _Index:
    """Clean-world lookups the families need, built once per world (the clean world never
    changes; an episode's writes are rolled back before the next task is drawn)."""

    def __init__(self, api: BankAPI) -> None:
        self.holders = api.holders.values()
        self.accounts_of = {h.id: [api.accounts[a] for a in h.account_ids] for h in self.holders}
        self.cards_of = {h.id: [api.cards[c] for c in h.card_ids] for h in self.holders}
        self.payees_of = {h.id: [api.payees[p] for p in h.payee_ids] for h in self.holders}
        self.remaining = {
            h.id: h.daily_transfer_limit_cents - api.sent_today(h) for h in self.holders
        }
        self.transactions_of: dict[str, list[Transaction]] = defaultdict(list)
        for txn in api.transactions.values():
            self.transactions_of[txn.account_id].append(txn)

    def open_accounts(self, holder: AccountHolder, *kinds: str) -> list[Account]:
        return [a for a in self.accounts_of[holder.id] if a.status == "open" and a.kind in kinds]


def _index(api: BankAPI) -> _Index:
    return clean_index(api, _Index)


def _holder_with(
    api: BankAPI, rng: np.random.Generator, find: Callable[[AccountHolder], T | None]
) -> tuple[AccountHolder, T]:
    """A random holder for whom ``find`` returns something, and what it returned."""
    holders = _index(api).holders
    start = int(rng.integers(len(holders)))
    for k in range(len(holders)):
        holder = holders[(start + k) % len(holders)]
        found = find(holder)
        if found is not None:
            return holder, found
    raise LookupError("no account holder matches")


def _any(rng: np.random.Generator, items: list[T]) -> T | None:
    """One of ``items``, or ``None`` when there are none (so the search moves on)."""
    return pick(rng, items) if items else None


def _who(
    rng: np.random.Generator, holder: AccountHolder, by_birth: bool
) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """How the holder introduces themself, the facts they hold, and the literals said."""
    facts = {"email": holder.email, "name": holder.name, "date_of_birth": holder.date_of_birth}
    if by_birth:
        text = pick(
            rng,
            [
                f"I'm {holder.name}, born {holder.date_of_birth}.",
                f"My name is {holder.name} and my date of birth is {holder.date_of_birth}.",
            ],
        )
    else:
        text = pick(
            rng,
            [
                f"I'm {holder.name}, my email is {holder.email}.",
                f"Hi, this is {holder.name} ({holder.email}).",
                f"My email is {holder.email}.",
            ],
        )
    said = (holder.name, holder.email, holder.date_of_birth)
    return text, facts, tuple(words for words in said if words in text)


def _identify(holder: AccountHolder, by_birth: bool):
    """Plan steps that find the holder the way they introduced themself."""
    if by_birth:
        found = yield call(
            "find_account_holder",
            "Find the holder by name and date of birth.",
            name=holder.name,
            date_of_birth=holder.date_of_birth,
        )
    else:
        found = yield call(
            "find_account_holder", "Find the holder by email first.", email=holder.email
        )
    return found["holder_id"]


def _list_accounts(holder_id: str):
    listed = yield call("list_accounts", "See the holder's accounts.", holder_id=holder_id)
    return listed


def _named(rows: list[dict[str, Any]], key: str, value: Any) -> dict[str, Any]:
    return next(row for row in rows if row[key] == value)


def _spenders(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The open accounts money is spent from, as listed."""
    return [a for a in listed if a["status"] == "open" and a["kind"] in ("checking", "credit")]


def _charge_values(row: dict[str, Any]) -> tuple[str, str]:
    """A listed charge's amount and day, the values a reply about it states."""
    return _figure(abs(_c(row["amount"]))), row["date"]


def _card_words(card: Card) -> str:
    return f"{card.kind} card ending {card.last4}"


# --------------------------------------------------------------- families
@SUITE.family("bank")
def balance_inquiry(api: BankAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Tell the holder a balance, a combined balance, or their last paycheck."""
    index = _index(api)
    by_birth = difficulty == "hard"
    if difficulty == "easy":
        holder, account = _holder_with(
            api, rng, lambda h: pick(rng, index.open_accounts(h, "checking", "savings"))
        )
        ask = pick(
            rng,
            [
                f"What's the balance of my {account.nickname}?",
                f"How much money is in my {account.nickname} right now?",
                f"Can you tell me my {account.nickname} balance?",
            ],
        )
        literals: tuple[str, ...] = (account.nickname,)
    elif difficulty == "medium":
        holder, _ = _holder_with(api, rng, lambda h: index.open_accounts(h, "savings") or None)
        ask = pick(
            rng,
            [
                "How much do I have in total across my checking and savings accounts?",
                "What's the combined balance of all my checking and savings accounts?",
            ],
        )
        literals = ()
    else:
        # A holder with other accounts, whose balances are the wrong ones to report.
        holder, account = _holder_with(
            api,
            rng,
            lambda h: (
                index.open_accounts(h, "checking")[0]
                if len(index.open_accounts(h, "checking", "savings", "credit")) > 1
                else None
            ),
        )
        ask = pick(
            rng,
            [
                f"How much was the last paycheck deposited into my {account.nickname}, and "
                "what's the balance there now?",
                f"What's my {account.nickname} balance, and how much was my most recent paycheck?",
            ],
        )
        literals = (account.nickname,)
    intro, facts, said = _who(rng, holder, by_birth)

    def plan():
        hid = yield from _identify(holder, by_birth)
        listed = yield from _list_accounts(hid)
        if difficulty == "medium":
            deposits = [
                a for a in listed if a["status"] == "open" and a["kind"] in ("checking", "savings")
            ]
            cents = sum(_c(a["balance"]) for a in deposits)
            total = _figure(cents)
            # The wrong set: the credit accounts counted in (each balance is a fair breakdown).
            owed = sum(_c(a["balance"]) for a in listed if a["kind"] == "credit")
            right = (total, *_balances(deposits))
            return Answer(
                f"Together your checking and savings hold ${total}.",
                (total,),
                wrong_candidates([_figure(cents + owed), _figure(cents - owed)], right, prompt),
            )
        row = _named(listed, "nickname", account.nickname)
        balance = _figure(_c(row["balance"]))
        others = _balances(listed, row["account_id"])
        if difficulty == "easy":
            return Answer(
                f"Your {account.nickname} balance is ${balance}.",
                (balance,),
                wrong_candidates(others, [balance], prompt),
            )
        found = yield call(
            "list_transactions",
            "Find the most recent payroll deposit.",
            account_id=row["account_id"],
            category="income",
            limit=1,
        )
        last = found["transactions"][0]
        paid = _figure(_c(last["amount"]))
        # Older paychecks, and the other accounts' balances.
        older = [
            _figure(t.amount_cents)
            for t in index.transactions_of[account.id]
            if t.category == "income" and t.id != last["transaction_id"]
        ]
        return Answer(
            f"Your last paycheck of ${paid} arrived on {last['date']}; "
            f"the {account.nickname} balance is ${balance}.",
            (paid, balance),
            wrong_candidates([*others, *older], (paid, balance), prompt),
        )

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=(*literals, *said))


@SUITE.family("bank")
def transfer_between_accounts(api: BankAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Move money between the holder's own accounts, or pay a credit card off."""
    index = _index(api)
    by_birth = difficulty == "hard"

    def setup(h: AccountHolder) -> tuple[Account, Account, int] | None:
        checking = index.open_accounts(h, "checking")[0]
        room = index.remaining[h.id]
        if difficulty == "easy":
            savings = index.open_accounts(h, "savings")
            top = min(checking.balance_cents, room, 200000) // 5000  # in $50 steps
            if not savings or top < 1:
                return None
            return checking, pick(rng, savings), int(rng.integers(1, top + 1)) * 5000
        if difficulty == "medium":
            credit = index.open_accounts(h, "credit")
            if not credit or not 0 < -credit[0].balance_cents <= min(checking.balance_cents, room):
                return None
            return checking, credit[0], -credit[0].balance_cents
        savings = [a for a in index.open_accounts(h, "savings") if a.balance_cents > 20000]
        if not savings:
            return None
        source = pick(rng, savings)
        most = min(source.balance_cents, room * 3 // 2)  # sometimes more than the limit allows
        if most <= 10000:
            return None
        need = int(rng.integers(10000, most + 1))
        target = -(-(checking.balance_cents + need) // 10000) * 10000  # round up to $100
        if target - checking.balance_cents > source.balance_cents:
            return None
        return source, checking, target

    holder, (first, second, amount) = _holder_with(api, rng, setup)
    intro, facts, said = _who(rng, holder, by_birth)
    if difficulty == "easy":
        ask = pick(
            rng,
            [
                f"Please move {_usd(amount)} from my {first.nickname} to my {second.nickname}.",
                f"Can you transfer {_usd(amount)} from {first.nickname} into {second.nickname}?",
                f"I'd like {_usd(amount)} moved over to my {second.nickname} from my "
                f"{first.nickname}.",
            ],
        )
        literals: tuple[str, ...] = (_usd(amount), first.nickname, second.nickname)
        facts["amount"] = _usd(amount)
    elif difficulty == "medium":
        ask = pick(
            rng,
            [
                f"Please pay off the full balance on my {second.nickname} from my "
                f"{first.nickname}. How much was it?",
                f"I want my {second.nickname} paid in full using my {first.nickname}; "
                "tell me the amount.",
            ],
        )
        literals = (first.nickname, second.nickname)
    else:
        ask = (
            f"Please bring my {second.nickname} up to {_usd(amount)} using money from my "
            f"{first.nickname}. If my daily transfer limit doesn't allow all of it, move as "
            "much as it allows today. How much did you move?"
        )
        literals = (_usd(amount), first.nickname, second.nickname)
        facts["target_balance"] = _usd(amount)

    def plan():
        hid = yield from _identify(holder, by_birth)
        listed = yield from _list_accounts(hid)
        source = _named(listed, "nickname", first.nickname)
        target = _named(listed, "nickname", second.nickname)
        if difficulty == "easy":
            move = amount
        elif difficulty == "medium":
            move = -_c(target["balance"])
        else:
            profile = yield call(
                "get_account_holder", "Check today's transfer allowance.", holder_id=hid
            )
            need = amount - _c(target["balance"])
            move = min(need, _c(profile["remaining_transfer_limit_today"]))
        done = yield call(
            "transfer_funds",
            "Make the transfer.",
            holder_id=hid,
            from_account_id=source["account_id"],
            to_account_id=target["account_id"],
            amount=move / 100,
        )
        moved = _figure(_c(done["amount"]))
        text = f"Transferred ${moved} from {first.nickname} to {second.nickname}."
        # The two accounts' balances before and after are fair to state; the others' are not.
        ends = (source["account_id"], target["account_id"])
        right = (moved, *_balances([source, target]), _figure(abs(_c(done["from_balance"]))))
        right += (_figure(abs(_c(done["to_balance"]))),)
        return Answer(
            text,
            () if difficulty == "easy" else (moved,),
            wrong_candidates(_balances(listed, *ends), right, prompt),
        )

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=(*literals, *said))


@SUITE.family("bank")
def pay_bill(api: BankAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Pay a payee: a given amount, last month's amount again, or covering a shortfall."""
    index = _index(api)
    by_birth = difficulty == "hard"

    def setup(h: AccountHolder) -> tuple[Payee, int, Account | None] | None:
        checking = index.open_accounts(h, "checking")[0]
        room = min(index.remaining[h.id], checking.balance_cents)
        payees = index.payees_of[h.id]
        if difficulty == "easy":
            if room < 2000:
                return None
            return (
                pick(rng, payees),
                int(rng.integers(20, min(room, 150000) // 100 + 1)) * 100,
                None,
            )
        if difficulty == "medium":
            billers = [p for p in payees if p.kind == "biller"]
            payee = pick(rng, billers)
            last = next(
                (
                    t
                    for t in reversed(index.transactions_of[checking.id])
                    if t.merchant == payee.name and t.kind == "payment"
                ),
                None,
            )
            if last is None or -last.amount_cents > room:
                return None
            return payee, -last.amount_cents, None
        savings = [a for a in index.open_accounts(h, "savings") if a.balance_cents > 60000]
        if not savings:
            return None
        source = pick(rng, savings)
        short = int(rng.integers(5000, 50000))
        amount = -(-(checking.balance_cents + short) // 1000) * 1000  # round up to $10
        shortfall = amount - checking.balance_cents
        if shortfall > source.balance_cents or amount + shortfall > index.remaining[h.id]:
            return None
        large = [p for p in payees if p.kind == "person" or p.category == "housing"]
        return (pick(rng, large), amount, source) if large else None

    holder, (payee, amount, source) = _holder_with(api, rng, setup)
    intro, facts, said = _who(rng, holder, by_birth)
    checking = index.open_accounts(holder, "checking")[0]
    facts["payee"] = payee.name
    if difficulty == "easy":
        ask = pick(
            rng,
            [
                f"Please pay {_usd(amount)} to {payee.name} from my {checking.nickname}.",
                f"Can you send {payee.name} {_usd(amount)} from my {checking.nickname}?",
            ],
        )
        literals: tuple[str, ...] = (_usd(amount), payee.name, checking.nickname)
    elif difficulty == "medium":
        ask = pick(
            rng,
            [
                f"Please pay my {payee.name} bill from checking, the same amount as my last "
                "payment to them.",
                f"Pay {payee.name} again from my checking account: same amount as last time.",
            ],
        )
        literals = (payee.name,)
    else:
        assert source is not None
        ask = (
            f"Please pay {_usd(amount)} to {payee.name} from my {checking.nickname}. If the "
            f"checking account doesn't have enough, first move just the shortfall over from "
            f"my {source.nickname}."
        )
        literals = (_usd(amount), payee.name, checking.nickname, source.nickname)
    if difficulty != "medium":
        facts["amount"] = _usd(amount)

    def plan():
        hid = yield from _identify(holder, by_birth)
        payees = yield call("list_payees", "Find the payee's id.", holder_id=hid)
        payee_id = _named(payees, "name", payee.name)["payee_id"]
        listed = yield from _list_accounts(hid)
        account = _named(listed, "kind", "checking")
        pay = amount
        ends = [account["account_id"]]
        right: list[str] = [_figure(_c(account["balance"]))]
        wrong: list[str] = []
        if difficulty == "medium":
            found = yield call(
                "list_transactions",
                "Find the last payment to this payee.",
                account_id=account["account_id"],
                merchant=payee.name,
                limit=5,
            )
            last = next(t for t in found["transactions"] if t["merchant"] == payee.name)
            pay = -_c(last["amount"])
            # The payments before the last one are the wrong amounts to repeat.
            wrong += [
                _figure(-t.amount_cents)
                for t in index.transactions_of[checking.id]
                if t.merchant == payee.name and t.kind == "payment"
            ]
        elif difficulty == "hard":
            assert source is not None
            shortfall = amount - _c(account["balance"])
            if shortfall > 0:
                savings = _named(listed, "nickname", source.nickname)
                moved = yield call(
                    "transfer_funds",
                    "Cover the shortfall from savings first.",
                    holder_id=hid,
                    from_account_id=savings["account_id"],
                    to_account_id=account["account_id"],
                    amount=shortfall / 100,
                )
                ends.append(savings["account_id"])
                right += [_figure(shortfall), _figure(_c(savings["balance"]))]
                right += [_figure(_c(moved["from_balance"])), _figure(_c(moved["to_balance"]))]
        done = yield call(
            "pay_payee",
            "Pay the payee.",
            holder_id=hid,
            payee_id=payee_id,
            from_account_id=account["account_id"],
            amount=pay / 100,
        )
        paid = _figure(_c(done["amount"]))
        right += [paid, _figure(_c(done["balance"]))]
        # The balances of the accounts the payment did not touch are no part of the reply.
        wrong += _balances(listed, *ends)
        return Answer(
            f"Paid ${paid} to {payee.name} (payment {done['payment_id']}).",
            distractors=wrong_candidates(wrong, right, prompt),
        )

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=(*literals, *said))


@SUITE.family("bank")
def lost_card(api: BankAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Freeze a lost or stolen card, replace it, or freeze the card behind a fraudulent charge."""
    index = _index(api)
    by_birth = difficulty == "hard"
    charge: Transaction | None = None
    if difficulty in ("easy", "medium"):
        # A medium task makes the agent tell the card from the holder's others.
        fewest = 1 if difficulty == "easy" else 2

        def active(h: AccountHolder) -> Card | None:
            if len(index.cards_of[h.id]) < fewest:
                return None
            return _any(rng, [c for c in index.cards_of[h.id] if c.status == "active"])

        holder, card = _holder_with(api, rng, active)
    else:

        def fraud(h: AccountHolder) -> tuple[Card, Transaction] | None:
            active = {c.id: c for c in index.cards_of[h.id] if c.status == "active"}
            purchases = [
                t
                for a in index.open_accounts(h, "checking", "credit")
                for t in index.transactions_of[a.id]
                if t.kind == "purchase" and t.posted_on >= _WINDOW_START
            ]
            charges = [t for t in purchases if t.card_id in active and t.dispute_id is None]
            if not charges:
                return None
            chosen = pick(rng, charges)
            same = (chosen.merchant, chosen.posted_on, chosen.amount_cents)
            if sum((t.merchant, t.posted_on, t.amount_cents) == same for t in purchases) > 1:
                return None
            return active[str(chosen.card_id)], chosen

        holder, (card, charge) = _holder_with(api, rng, fraud)
    intro, facts, said = _who(rng, holder, by_birth)
    reason = pick(rng, ["lost", "stolen"])
    facts["card_last4"] = card.last4
    if difficulty == "easy":
        ask = pick(
            rng,
            {
                "lost": [
                    f"I lost my {_card_words(card)}. Please freeze it.",
                    f"I can't find my {_card_words(card)} anywhere; can you freeze it?",
                ],
                "stolen": [
                    f"My {_card_words(card)} was stolen. Please freeze it right away.",
                    f"Someone stole my wallet with my {_card_words(card)}. Freeze it please.",
                ],
            }[reason],
        )
        literals: tuple[str, ...] = (card.last4,)
    elif difficulty == "medium":
        what = (
            f"I lost my {_card_words(card)}."
            if reason == "lost"
            else f"My {_card_words(card)} was stolen."
        )
        ask = (
            f"{what} Please freeze it and send me a replacement. "
            "What are the last four digits of the new card?"
        )
        literals = (card.last4,)
    else:
        assert charge is not None
        ask = pick(
            rng,
            [
                f"There's a {_usd(-charge.amount_cents)} charge from {charge.merchant} on "
                f"{_spoken(charge.posted_on)} that I didn't make. Please freeze the card it was "
                "charged to and dispute the charge.",
                f"I don't recognise a {_usd(-charge.amount_cents)} purchase at {charge.merchant} "
                f"on {_spoken(charge.posted_on)}. Freeze whichever card was used and dispute it.",
            ],
        )
        literals = (_usd(-charge.amount_cents), str(charge.merchant), _spoken(charge.posted_on))
        facts.update(merchant=str(charge.merchant), date=charge.posted_on)
        reason = "suspected_fraud"
    facts["reason"] = reason

    def plan():
        hid = yield from _identify(holder, by_birth)
        if difficulty == "hard":
            assert charge is not None
            listed = yield from _list_accounts(hid)
            match = None
            seen: list[dict[str, Any]] = []
            for account in _spenders(listed):
                found = yield call(
                    "list_transactions",
                    f"Look for the {charge.merchant} charges in {account['nickname']}.",
                    account_id=account["account_id"],
                    merchant=charge.merchant,
                    start_date=_WINDOW_START,
                )
                seen += found["transactions"]
                match = next(
                    (
                        t
                        for t in found["transactions"]
                        if _c(t["amount"]) == charge.amount_cents
                        and t["date"] == charge.posted_on
                        and t["kind"] == "purchase"
                    ),
                    None,
                )
                if match is not None:
                    break
            assert match is not None
            card_id = match["card_id"]
        else:
            cards = yield call(
                "list_cards", "Find the card by its last four digits.", holder_id=hid
            )
            card_id = next(
                c["card_id"]
                for c in cards
                if (c["kind"], c["last4"], c["status"]) == (card.kind, card.last4, "active")
            )
        frozen = yield call(
            "freeze_card", "Freeze the card.", holder_id=hid, card_id=card_id, reason=reason
        )
        # The holder's other cards: a reply naming one of them froze the wrong card.
        others = [c.last4 for c in index.cards_of[holder.id] if c.id != card_id]
        if difficulty == "easy":
            return Answer(
                f"Your card ending {card.last4} is frozen.",
                distractors=wrong_candidates(others, [frozen["last4"]], prompt),
            )
        if difficulty == "medium":
            new = yield call("replace_card", "Issue a replacement.", holder_id=hid, card_id=card_id)
            return Answer(
                f"The card ending {card.last4} is frozen and a replacement ending "
                f"{new['last4']} is on its way.",
                (new["last4"],),
                wrong_candidates(others, [new["last4"], frozen["last4"]], prompt),
            )
        opened = yield call(
            "dispute_transaction",
            "Dispute the charge.",
            holder_id=hid,
            transaction_id=match["transaction_id"],
            reason="unrecognized",
        )
        # The merchant's other charges: disputing one of them is disputing the wrong charge.
        amiss = [_charge_values(t) for t in seen if t["transaction_id"] != match["transaction_id"]]
        return Answer(
            f"The card ending {frozen['last4']} is frozen and dispute {opened['dispute_id']} "
            "is open.",
            distractors=wrong_candidates(
                [*others, *(v for pair in amiss for v in pair)], [frozen["last4"]], prompt
            ),
        )

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=(*literals, *said))


_REASONS = {
    "unrecognized": "I don't recognise it",
    "incorrect_amount": "the amount charged is wrong",
    "not_received": "I paid but never received the order",
    "cancelled_service": "I had cancelled that membership before I was charged",
}


def _reasons_for(category: str) -> list[str]:
    """The dispute reasons a holder could plausibly give for a charge of this category."""
    fitting = ["unrecognized", "incorrect_amount"]
    if category == "shopping":
        fitting.append("not_received")
    if category in ("entertainment", "health"):
        fitting.append("cancelled_service")
    return fitting


@SUITE.family("bank")
def dispute_charge(api: BankAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Dispute a charge by id, a duplicate found by merchant and date, or every charge from a
    merchant still inside the dispute window."""
    index = _index(api)
    by_birth = difficulty == "hard"

    def disputable(t: Transaction) -> bool:
        return t.kind == "purchase" and t.posted_on >= _WINDOW_START and t.dispute_id is None

    def spending(h: AccountHolder) -> list[Account]:
        return index.open_accounts(h, "checking", "credit")

    if difficulty == "easy":
        holder, charge = _holder_with(
            api,
            rng,
            lambda h: _any(
                rng, [t for a in spending(h) for t in index.transactions_of[a.id] if disputable(t)]
            ),
        )
        reason = pick(rng, _reasons_for(charge.category))
        intro, facts, said = _who(rng, holder, by_birth)
        ask = pick(
            rng,
            [
                f"Please dispute transaction {charge.id}: {_REASONS[reason]}.",
                f"I want to dispute {charge.id} because {_REASONS[reason]}.",
            ],
        )
        facts.update(transaction_id=charge.id, reason=reason)
        literals: tuple[str, ...] = (charge.id,)
    elif difficulty == "medium":

        def duplicate(h: AccountHolder) -> Transaction | None:
            for account in spending(h):
                seen: dict[tuple[Any, ...], list[Transaction]] = defaultdict(list)
                for t in index.transactions_of[account.id]:
                    if t.kind == "purchase" and t.posted_on >= _WINDOW_START:
                        seen[(t.merchant, t.posted_on, t.amount_cents)].append(t)
                for twins in seen.values():
                    if len(twins) == 2 and twins[1].dispute_id is None:
                        return twins[1]
            return None

        def single(h: AccountHolder) -> Transaction | None:
            purchases = [
                t
                for a in spending(h)
                for t in index.transactions_of[a.id]
                if t.kind == "purchase" and t.posted_on >= _WINDOW_START
            ]
            seen = Counter((t.merchant, t.posted_on, t.amount_cents) for t in purchases)
            unique = [
                t
                for t in purchases
                if seen[(t.merchant, t.posted_on, t.amount_cents)] == 1 and disputable(t)
            ]
            return _any(rng, unique)

        reason = "duplicate" if rng.random() < 0.7 else "incorrect_amount"
        try:
            holder, charge = _holder_with(api, rng, duplicate if reason == "duplicate" else single)
        except LookupError:  # a world without a double charge
            reason = "incorrect_amount"
            holder, charge = _holder_with(api, rng, single)
        intro, facts, said = _who(rng, holder, by_birth)
        money, day = _usd(-charge.amount_cents), _spoken(charge.posted_on)
        if reason == "duplicate":
            ask = pick(
                rng,
                [
                    f"I was charged twice by {charge.merchant} on {day}, {money} each time. "
                    "Please dispute the duplicate.",
                    f"{charge.merchant} billed me {money} two times on {day}. Can you dispute "
                    "the extra charge?",
                ],
            )
        else:
            ask = pick(
                rng,
                [
                    f"The {money} charge from {charge.merchant} on {day} is wrong, that's not "
                    "what I agreed to pay. Please dispute the amount.",
                    f"{charge.merchant} charged me {money} on {day} but the amount is "
                    "incorrect. Can you dispute it?",
                ],
            )
        facts.update(merchant=str(charge.merchant), date=charge.posted_on, amount=money)
        literals = (str(charge.merchant), day, money)
    else:
        since = _days_ago(90)

        def merchant_charges(h: AccountHolder) -> tuple[Account, str] | None:
            options = []
            for account in spending(h):
                counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
                for t in index.transactions_of[account.id]:
                    if t.kind == "purchase" and t.posted_on >= since:
                        counts[str(t.merchant)][disputable(t)] += 1
                options += [
                    (old > 0, account, m) for m, (old, new) in counts.items() if 1 <= new <= 5
                ]
            if not options:
                return None
            with_old = [o for o in options if o[0]] or options
            _, account, merchant = pick(rng, with_old)
            return account, merchant

        holder, (account, merchant) = _holder_with(api, rng, merchant_charges)
        intro, facts, said = _who(rng, holder, by_birth)
        ask = pick(
            rng,
            [
                f"I don't recognise any of the {merchant} charges on my {account.nickname} "
                f"since {_spoken(since)}. Please dispute every one that can still be disputed.",
                f"Someone has been using my {account.nickname} at {merchant}. Dispute all the "
                f"{merchant} charges since {_spoken(since)} that are still disputable.",
            ],
        )
        reason = "unrecognized"
        facts.update(merchant=merchant, account=account.nickname)
        literals = (merchant, account.nickname, _spoken(since))

    def plan():
        hid = yield from _identify(holder, by_birth)
        wrong: list[str] = []
        if difficulty == "easy":
            detail = yield call(
                "get_transaction", "Check the charge first.", transaction_id=charge.id
            )
            targets = [detail["transaction_id"]]
        elif difficulty == "medium":
            listed = yield from _list_accounts(hid)
            targets: list[str] = []
            seen: list[dict[str, Any]] = []
            for row in _spenders(listed):
                found = yield call(
                    "list_transactions",
                    f"Look for the {charge.merchant} charges in {row['nickname']}.",
                    account_id=row["account_id"],
                    merchant=charge.merchant,
                    start_date=_WINDOW_START,
                )
                seen += found["transactions"]
                same = [
                    t["transaction_id"]
                    for t in seen
                    if _c(t["amount"]) == charge.amount_cents
                    and t["date"] == charge.posted_on
                    and t["kind"] == "purchase"
                ]
                if len(same) >= (2 if reason == "duplicate" else 1):
                    targets = [max(same)]  # a duplicate is the later copy
                    break
            # The merchant's other charges are the wrong ones to name.
            others = [_charge_values(t) for t in seen if t["transaction_id"] not in same]
            wrong += [value for pair in others for value in pair]
        else:
            listed = yield from _list_accounts(hid)
            row = _named(listed, "nickname", account.nickname)
            found = yield call(
                "list_transactions",
                f"Find the {merchant} charges.",
                account_id=row["account_id"],
                merchant=merchant,
                start_date=since,
                limit=200,
            )
            targets = [
                t["transaction_id"]
                for t in reversed(found["transactions"])
                if t["merchant"] == merchant
                and t["kind"] == "purchase"
                and t["date"] >= _WINDOW_START
                and t["dispute_id"] is None
            ]
        opened = []
        for tid in targets:
            done = yield call(
                "dispute_transaction",
                f"Dispute {tid}.",
                holder_id=hid,
                transaction_id=tid,
                reason=reason,
            )
            opened.append(done["dispute_id"])
        return Answer(
            f"Opened {len(opened)} dispute(s): {', '.join(opened)}.",
            distractors=wrong_candidates(wrong, [], prompt),
        )

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=(*literals, *said))


@SUITE.family("bank")
def raise_card_limit(api: BankAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Raise a card's daily limit: to an amount, to its maximum, or on every card, capped."""
    index = _index(api)
    by_birth = difficulty == "hard"
    step = 50000
    if difficulty == "easy":

        def raisable(h: AccountHolder) -> tuple[Card, int] | None:
            cards = [
                c
                for c in index.cards_of[h.id]
                if c.status == "active" and c.daily_limit_cents + step <= c.max_daily_limit_cents
            ]
            if not cards:
                return None
            card = pick(rng, cards)
            low = card.daily_limit_cents // step + 1
            return card, int(rng.integers(low, card.max_daily_limit_cents // step + 1)) * step

        holder, (card, amount) = _holder_with(api, rng, raisable)
        cards = [card]
        ask = pick(
            rng,
            [
                f"Please raise the daily limit on my {_card_words(card)} to {_usd(amount)}.",
                f"Can you set the daily spending limit of my {_card_words(card)} to "
                f"{_usd(amount)}?",
            ],
        )
        literals: tuple[str, ...] = (card.last4, _usd(amount))
    elif difficulty == "medium":
        # The holder has another card, so the agent must tell them apart (and the other
        # card's limits are the wrong answer).
        def paused(h: AccountHolder) -> Card | None:
            found = [
                c
                for c in index.cards_of[h.id]
                if c.status == "frozen"
                and c.frozen_reason == "temporary"
                and c.daily_limit_cents < c.max_daily_limit_cents
            ]
            return found[0] if found and len(index.cards_of[h.id]) > 1 else None

        def below_max(h: AccountHolder) -> Card | None:
            if len(index.cards_of[h.id]) < 2:
                return None
            found = [
                c
                for c in index.cards_of[h.id]
                if c.status == "active" and c.daily_limit_cents < c.max_daily_limit_cents
            ]
            return _any(rng, found)

        want_paused = rng.random() < 0.5
        try:
            holder, card = _holder_with(api, rng, paused if want_paused else below_max)
        except LookupError:
            holder, card = _holder_with(api, rng, below_max)
        cards, amount = [card], card.max_daily_limit_cents
        if card.status == "frozen":
            ask = (
                f"I paused my {_card_words(card)} a while ago but I'm using it again. Please "
                "unfreeze it and set its daily limit as high as it can go. What's the new limit?"
            )
        else:
            ask = pick(
                rng,
                [
                    f"Please set the daily limit on my {_card_words(card)} as high as it can "
                    "go. What is the new limit?",
                    f"What's the highest daily limit my {_card_words(card)} allows? Please set "
                    "it to that.",
                ],
            )
        literals = (card.last4,)
    else:

        def several(h: AccountHolder, idle: int = 0) -> tuple[list[Card], int] | None:
            active = [c for c in index.cards_of[h.id] if c.status == "active"]
            if len(active) < 2 or len(index.cards_of[h.id]) - len(active) < idle:
                return None
            floor = max(c.daily_limit_cents for c in active) // step + 1
            ceiling = max(c.max_daily_limit_cents for c in active) // step
            if floor > ceiling:
                return None
            amount = int(rng.integers(floor, ceiling + 1)) * step
            if any(c.daily_limit_cents >= min(amount, c.max_daily_limit_cents) for c in active):
                return None
            return active, amount

        try:
            # "Active" bites when the holder also has a card that is not (its limits are then
            # the wrong answer).
            holder, (cards, amount) = _holder_with(api, rng, lambda h: several(h, 1))
        except LookupError:
            holder, (cards, amount) = _holder_with(api, rng, several)
        ask = (
            f"Please raise the daily limit on all my active cards to {_usd(amount)}. If a card "
            "doesn't allow that much, set it to that card's maximum instead. What are the new "
            "limits?"
        )
        literals = (_usd(amount),)
    intro, facts, said = _who(rng, holder, by_birth)
    facts["cards"] = ", ".join(c.last4 for c in cards)

    def plan():
        hid = yield from _identify(holder, by_birth)
        listed = yield call("list_cards", "See the cards and their limits.", holder_id=hid)
        if difficulty == "hard":
            targets = [c for c in listed if c["status"] == "active"]
        else:
            targets = [
                next(
                    c
                    for c in listed
                    if (c["kind"], c["last4"]) == (card.kind, card.last4)
                    and c["status"] != "closed"
                )
            ]
        limits = []
        for row in targets:
            if row["status"] == "frozen":
                yield call(
                    "unfreeze_card", "Unfreeze it first.", holder_id=hid, card_id=row["card_id"]
                )
            want = amount if difficulty != "medium" else _c(row["max_daily_limit"])
            want = min(want, _c(row["max_daily_limit"]))
            done = yield call(
                "set_card_limit",
                f"Set the limit of the card ending {row['last4']}.",
                holder_id=hid,
                card_id=row["card_id"],
                daily_limit=want / 100,
            )
            limits.append((row["last4"], _figure(_c(done["daily_limit"]))))
        text = "; ".join(f"card ending {last4}: ${limit} a day" for last4, limit in limits)
        expect = tuple(limit for _, limit in limits) if difficulty != "easy" else ()
        # The changed cards' old limits and maximums are fair to state ("from $500 to $3,000");
        # the limits of the cards left alone are not the new ones.
        changed = {row["card_id"] for row in targets}
        right = [limit for _, limit in limits]
        right += [
            _figure(_c(row[k])) for row in targets for k in ("daily_limit", "max_daily_limit")
        ]
        wrong = [
            _figure(_c(row[k]))
            for row in listed
            if row["card_id"] not in changed
            for k in ("daily_limit", "max_daily_limit")
        ]
        return Answer(f"New daily limits: {text}.", expect, wrong_candidates(wrong, right, prompt))

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=(*literals, *said))


@SUITE.family("bank")
def spending_by_category(api: BankAPI, rng: np.random.Generator, difficulty: str) -> Task:
    """Sum spending in a category over a period, or find the biggest category of a month."""
    index = _index(api)
    by_birth = difficulty == "hard"
    month, first, last = pick(rng, _full_months())

    def spent(h: AccountHolder, start: str, end: str, accounts: list[Account]) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for account in accounts:
            for t in index.transactions_of[account.id]:
                if (
                    start <= t.posted_on <= end
                    and t.amount_cents < 0
                    and t.category not in _NOT_SPENDING
                ):
                    totals[t.category] -= t.amount_cents
        return totals

    if difficulty == "easy":
        since = _days_ago(int(rng.integers(14, 61)))

        def easy(h: AccountHolder) -> tuple[Account, str] | None:
            account = pick(rng, index.open_accounts(h, "checking", "credit"))
            totals = spent(h, since, TODAY, [account])
            return (account, pick(rng, sorted(totals))) if totals else None

        holder, (account, category) = _holder_with(api, rng, easy)
        ask = pick(
            rng,
            [
                f"How much have I spent on {category} with my {account.nickname} since "
                f"{_spoken(since)}?",
                f"What's my total {category} spending on my {account.nickname} since "
                f"{_spoken(since)}?",
            ],
        )
        literals: tuple[str, ...] = (category, account.nickname, _spoken(since))
        first, last = since, TODAY
    elif difficulty == "medium":

        def medium(h: AccountHolder) -> str | None:
            totals = spent(h, first, last, index.open_accounts(h, "checking", "credit"))
            return pick(rng, sorted(totals)) if totals else None

        holder, category = _holder_with(api, rng, medium)
        ask = pick(
            rng,
            [
                f"How much did I spend on {category} in {month}, across all my accounts?",
                f"What was my total {category} spending in {month} over all my accounts?",
            ],
        )
        literals = (category, month)
    else:

        def top(h: AccountHolder) -> str | None:
            totals = spent(h, first, last, index.open_accounts(h, "checking", "credit"))
            ranked = sorted(totals.values(), reverse=True)
            if not ranked or (len(ranked) > 1 and ranked[0] == ranked[1]):
                return None
            return max(totals, key=totals.__getitem__)

        holder, category = _holder_with(api, rng, top)
        ask = pick(
            rng,
            [
                f"Which category did I spend the most on in {month}, across all my accounts, "
                "and how much was it?",
                f"Where did most of my money go in {month}? Tell me the top spending category "
                "and the amount.",
            ],
        )
        literals = (month,)
    intro, facts, said = _who(rng, holder, by_birth)

    def plan():
        hid = yield from _identify(holder, by_birth)
        listed = yield from _list_accounts(hid)
        rows = (
            [_named(listed, "nickname", account.nickname)]
            if difficulty == "easy"
            else _spenders(listed)
        )
        totals: dict[str, int] = defaultdict(int)
        # Per charge and per account: a fair breakdown of a category's figure.
        breakdown: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            found = yield call(
                "list_transactions",
                f"Read {row['nickname']}'s transactions for the period.",
                account_id=row["account_id"],
                start_date=first,
                end_date=last,
                limit=200,
                **({} if difficulty == "hard" else {"category": category}),
            )
            here: dict[str, int] = defaultdict(int)
            for t in found["transactions"]:
                if t["amount"] < 0 and t["category"] not in _NOT_SPENDING:
                    totals[t["category"]] -= _c(t["amount"])
                    here[t["category"]] -= _c(t["amount"])
                    breakdown[t["category"]].append(_figure(-_c(t["amount"])))
            for name, cents in here.items():
                breakdown[name].append(_figure(cents))
        spenders = index.open_accounts(holder, "checking", "credit")
        if difficulty == "hard":
            best = max(totals, key=totals.__getitem__)
            amount = _figure(totals[best])
            right = [best, amount, *breakdown[best]]
            # The losers and their totals.
            wrong = [name for name in totals if name != best]
            wrong += [_figure(cents) for cents in totals.values()]
            return Answer(
                f"Your top category was {best}, at ${amount}.",
                (best, amount),
                wrong_candidates(wrong, right, prompt),
            )
        amount = _figure(totals[category])
        right = [amount, *breakdown[category]]
        # Other categories over the same period and accounts, the category over every spending
        # account (easy) or in the other months (medium).
        scope = [account] if difficulty == "easy" else spenders
        wrong = [
            _figure(c) for name, c in spent(holder, first, last, scope).items() if name != category
        ]
        if difficulty == "easy":
            wrong.append(_figure(spent(holder, first, last, spenders)[category]))
        else:
            wrong += [
                _figure(spent(holder, start, end, spenders)[category])
                for name, start, end in _full_months()
                if name != month
            ]
        return Answer(
            f"You spent ${amount} on {category}.", (amount,), wrong_candidates(wrong, right, prompt)
        )

    prompt = f"{intro} {ask}"
    return make_task(SYSTEM_PROMPT, prompt, plan, facts=facts, literals=(*literals, *said))
