"""A retail bank's customer-service API: account holders, checking, savings and credit
accounts, their transactions, transfers, bill payments, cards and disputes, with the rules a real
bank enforces.

The bank lives on a fixed simulated day, :data:`TODAY`; every date in the world is relative to
it, so nothing depends on the wall clock. Each account's transactions are keyed by the account
and a sequence number (``TX-300001-0042``) and its record counts them, so an account's history
is read newest-first in time proportional to what is read, and the count rolls back with the
journal like everything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from faker import Faker
from pydantic import Field

from toolgym.core.errors import ToolError
from toolgym.core.money import usd as _money
from toolgym.core.state import Database, Record
from toolgym.core.tool import WorldEvent, tool
from toolgym.toolkits.apis.base import ApiToolkit, cents, dollars, not_found, public

__all__ = [
    "DISPUTE_WINDOW_DAYS",
    "TODAY",
    "Account",
    "AccountHolder",
    "BankAPI",
    "Card",
    "Dispute",
    "Payee",
    "Transaction",
    "Transfer",
    "build_bank",
]

TODAY = "2026-05-15"
DISPUTE_WINDOW_DAYS = 60
HISTORY_DAYS = 120

AccountKind = Literal["checking", "savings", "credit"]
TransactionKind = Literal["purchase", "deposit", "transfer", "payment", "interest"]
CardStatus = Literal["active", "frozen", "closed"]
FreezeReason = Literal["lost", "stolen", "suspected_fraud", "temporary"]
DisputeReason = Literal[
    "unrecognized", "duplicate", "incorrect_amount", "not_received", "cancelled_service"
]


class Address(Record):
    street: str
    city: str
    state: str
    zip: str


class AccountHolder(Record):
    id: str
    name: str
    email: str
    phone: str
    date_of_birth: str
    address: Address
    daily_transfer_limit_cents: int
    account_ids: tuple[str, ...]
    card_ids: tuple[str, ...]
    payee_ids: tuple[str, ...]


class Account(Record):
    id: str
    holder_id: str
    kind: AccountKind
    nickname: str
    number_last4: str
    status: Literal["open", "closed"]
    opened_on: str
    balance_cents: int
    """Money held; for a credit account, minus what is owed (``-12000`` owes 120.00)."""
    credit_limit_cents: int | None = None
    interest_rate: float
    transaction_count: int = 0


class Transaction(Record):
    id: str
    account_id: str
    posted_on: str
    amount_cents: int
    """Signed: negative moves money out of the account (or adds to a credit balance)."""
    kind: TransactionKind
    category: str
    description: str
    merchant: str | None = None
    card_id: str | None = None
    transfer_id: str | None = None
    dispute_id: str | None = None


class Transfer(Record):
    id: str
    holder_id: str
    kind: Literal["internal", "bill_payment"]
    from_account_id: str
    to_account_id: str | None = None
    payee_id: str | None = None
    amount_cents: int
    date: str
    memo: str = ""

    free_fields: ClassVar[frozenset[str]] = frozenset({"memo"})


class Card(Record):
    id: str
    holder_id: str
    account_id: str
    kind: Literal["debit", "credit"]
    network: str
    last4: str
    status: CardStatus
    frozen_reason: FreezeReason | None = None
    daily_limit_cents: int
    max_daily_limit_cents: int
    expires: str


class Payee(Record):
    id: str
    holder_id: str
    name: str
    kind: Literal["biller", "person"]
    category: str
    account_ref: str


class Dispute(Record):
    id: str
    holder_id: str
    transaction_id: str
    account_id: str
    reason: DisputeReason
    amount_cents: int
    opened_on: str
    status: Literal["open", "resolved"]


HolderId = Annotated[str, Field(description="Account holder id, e.g. 'H-20001'.")]
AccountId = Annotated[str, Field(description="Account id, e.g. 'AC-300001'.")]
_ACCOUNT_ID = re.compile(r"AC-\d{6}")
CardId = Annotated[str, Field(description="Card id, e.g. 'CD-400001'.")]
TransactionId = Annotated[str, Field(description="Transaction id, e.g. 'TX-300001-0042'.")]
Amount = Annotated[
    float, Field(gt=0, description="Amount in dollars, at most two decimals, e.g. 125.50.")
]
Memo = Annotated[str, Field(max_length=140, description="Optional note shown on the transfer.")]


def _transaction_id(account_id: str, seq: int) -> str:
    return f"TX-{account_id.removeprefix('AC-')}-{seq:04d}"


def _dispute_id(transaction_id: str) -> str:
    """One dispute per transaction, so its id follows from the transaction's (and does not
    depend on the order an agent opens several disputes in)."""
    return "DSP-" + transaction_id.removeprefix("TX-")


def _days_before(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()


class BankAPI(ApiToolkit):
    """The bank's API. Tools read and write ``self.db``; money is shown in dollars.

    Every write acts on behalf of an identified account holder (``holder_id``) and may only
    touch that holder's accounts, cards and payees.
    """

    name = "bank"

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.holders = db.tables["holders"]
        self.accounts = db.tables["accounts"]
        self.transactions = db.tables["transactions"]
        self.transfers = db.tables["transfers"]
        self.cards = db.tables["cards"]
        self.payees = db.tables["payees"]
        self.disputes = db.tables["disputes"]

    # --------------------------------------------------------------- helpers
    def _holder(self, holder_id: str) -> AccountHolder:
        found = self.holders.get(holder_id.strip())
        if found is None:
            raise not_found(
                "account holder", holder_id, "Use find_account_holder to look holders up."
            )
        return found

    def _account(self, account_id: str) -> Account:
        found = self.accounts.get(account_id.strip())
        if found is None:
            raise not_found("account", account_id, "Use list_accounts to see a holder's accounts.")
        return found

    def _owned_account(self, holder: AccountHolder, account_id: str, param: str) -> Account:
        account = self._account(account_id)
        if account.holder_id != holder.id:
            raise ToolError(
                "forbidden",
                f"Account {account.id} does not belong to holder {holder.id}; "
                f"theirs are: {', '.join(holder.account_ids)}.",
                details={"field": param},
            )
        if account.status != "open":
            raise ToolError(
                "account_closed",
                f"Account {account.id} ({account.nickname}) is closed and cannot move money.",
                details={"field": param},
            )
        return account

    def _owned_card(self, holder: AccountHolder, card_id: str) -> Card:
        card = self.cards.get(card_id.strip())
        if card is None:
            raise not_found("card", card_id, "Use list_cards to see a holder's cards.")
        if card.holder_id != holder.id:
            raise ToolError(
                "forbidden",
                f"Card {card.id} does not belong to holder {holder.id}.",
                details={"field": "card_id"},
            )
        if card.status == "closed":
            raise ToolError(
                "card_closed",
                f"Card {card.id} (ending {card.last4}) is closed and can no longer be changed.",
            )
        return card

    def _history(self, account: Account) -> Iterator[Transaction]:
        """The account's transactions, newest first."""
        for seq in range(account.transaction_count, 0, -1):
            yield self.transactions[_transaction_id(account.id, seq)]

    def sent_today(self, holder: AccountHolder) -> int:
        """Cents ``holder`` moved out today by transfers and bill payments (the daily limit)."""
        total = 0
        for account_id in holder.account_ids:
            account = self.accounts[account_id]
            if account.kind == "credit":
                continue
            for txn in self._history(account):
                if txn.posted_on != TODAY:
                    break
                if txn.kind in ("transfer", "payment") and txn.amount_cents < 0:
                    total -= txn.amount_cents
        return total

    def _check_funds(self, holder: AccountHolder, source: Account, amount: int) -> None:
        if source.balance_cents < amount:
            raise ToolError(
                "insufficient_funds",
                f"Account {source.id} ({source.nickname}) has {_money(source.balance_cents)} "
                f"available, less than {_money(amount)}.",
                details={"available": dollars(source.balance_cents)},
            )
        remaining = holder.daily_transfer_limit_cents - self.sent_today(holder)
        if amount > remaining:
            raise ToolError(
                "daily_limit_exceeded",
                f"Holder {holder.id} may move {_money(holder.daily_transfer_limit_cents)} a day "
                f"by transfer or bill payment and has {_money(max(remaining, 0))} left today.",
                details={"remaining_today": dollars(max(remaining, 0))},
            )

    def _post(
        self,
        account: Account,
        amount: int,
        kind: TransactionKind,
        category: str,
        text: str,
        **ref: str,
    ) -> Transaction:
        """Post a transaction dated today and move the account's balance by ``amount``."""
        seq = account.transaction_count + 1
        txn = Transaction(
            id=_transaction_id(account.id, seq),
            account_id=account.id,
            posted_on=TODAY,
            amount_cents=amount,
            kind=kind,
            category=category,
            description=text,
            **ref,
        )
        self.transactions.insert(txn)
        self.accounts.update(
            account.id, balance_cents=account.balance_cents + amount, transaction_count=seq
        )
        return txn

    def world_events(self, rng: np.random.Generator, seen: str) -> list[WorldEvent]:
        """A card purchase posts to an open account named in ``seen`` (the holder is out
        shopping while the agent works)."""
        events: list[WorldEvent] = []
        for aid in sorted(set(_ACCOUNT_ID.findall(seen))):
            account = self.accounts.get(aid)
            if account is None or account.status != "open" or account.kind == "savings":
                continue
            card = next(
                (c for c in self.cards.values() if c.account_id == aid and c.status == "active"),
                None,
            )
            if card is None:
                continue
            category = SPENDING_CATEGORIES[int(rng.integers(len(SPENDING_CATEGORIES)))]
            merchant, low, high = MERCHANTS[category][int(rng.integers(len(MERCHANTS[category])))]
            amount = int(rng.integers(low, high + 1))

            def post(account_id: str = aid, **line: Any) -> None:
                self._post(self.accounts[account_id], **line)

            change = partial(
                post,
                amount=-amount,
                kind="purchase",
                category=category,
                text=f"Card purchase {merchant}",
                merchant=merchant,
                card_id=card.id,
            )
            notice = (
                f"A card purchase of {_money(amount)} at {merchant} just posted to "
                f"{account.nickname} ••{account.number_last4}."
            )
            events.append(WorldEvent(aid, notice, change))
        return events

    def _account_summary(self, account: Account) -> dict[str, Any]:
        out: dict[str, Any] = {
            "account_id": account.id,
            "kind": account.kind,
            "nickname": account.nickname,
            "last4": account.number_last4,
            "status": account.status,
            "balance": dollars(account.balance_cents),
        }
        if account.credit_limit_cents is not None:
            out["credit_limit"] = dollars(account.credit_limit_cents)
            out["available_credit"] = dollars(account.credit_limit_cents + account.balance_cents)
        return out

    def _transaction_view(self, txn: Transaction) -> dict[str, Any]:
        out = public(txn, posted_on="date")
        return {"transaction_id": out.pop("id"), **out}

    def _card_view(self, card: Card) -> dict[str, Any]:
        out = public(card)
        out.pop("holder_id")
        return {"card_id": out.pop("id"), **out}

    # ----------------------------------------------------------------- reads
    @tool
    def find_account_holder(
        self,
        email: Annotated[str | None, Field(description="The holder's email address.")] = None,
        name: Annotated[
            str | None, Field(description="Full name, used with date_of_birth.")
        ] = None,
        date_of_birth: Annotated[
            date | None, Field(description="Date of birth (YYYY-MM-DD), used with name.")
        ] = None,
    ) -> dict[str, Any]:
        """Find an account holder by email, or by full name together with date of birth."""
        if email:
            wanted = email.strip().lower()
            for holder in self.holders.values():
                if holder.email == wanted:
                    return {"holder_id": holder.id, "name": holder.name}
            raise ToolError("not_found", f"No account holder with email '{email}'.")
        if name and date_of_birth:
            wanted_name = " ".join(name.split()).lower()
            born = date_of_birth.isoformat()
            for holder in self.holders.values():
                if holder.name.lower() == wanted_name and holder.date_of_birth == born:
                    return {"holder_id": holder.id, "name": holder.name}
            raise ToolError("not_found", f"No account holder named '{name}' born {born}.")
        raise ToolError(
            "invalid_arguments",
            "Give 'email', or both 'name' and 'date_of_birth'.",
            details={"field": "email"},
        )

    @tool
    def get_account_holder(self, holder_id: HolderId) -> dict[str, Any]:
        """Get a holder's profile: contact details, accounts, and today's transfer allowance."""
        holder = self._holder(holder_id)
        sent = self.sent_today(holder)
        out = public(holder)
        out = {"holder_id": out.pop("id"), **out}
        out.pop("card_ids")
        out.pop("payee_ids")
        out["transferred_today"] = dollars(sent)
        out["remaining_transfer_limit_today"] = dollars(
            max(holder.daily_transfer_limit_cents - sent, 0)
        )
        return out

    @tool
    def list_accounts(self, holder_id: HolderId) -> list[dict[str, Any]]:
        """List a holder's accounts with kind, nickname, status and current balance (a credit
        account's balance is negative by what is owed)."""
        holder = self._holder(holder_id)
        return [self._account_summary(self.accounts[a]) for a in holder.account_ids]

    @tool
    def get_account(self, account_id: AccountId) -> dict[str, Any]:
        """Get an account's full details: balance, rates, limits and the cards linked to it."""
        account = self._account(account_id)
        out = self._account_summary(account)
        out.update(
            holder_id=account.holder_id,
            opened_on=account.opened_on,
            interest_rate=account.interest_rate,
            transaction_count=account.transaction_count,
        )
        holder = self.holders[account.holder_id]
        out["card_ids"] = [c for c in holder.card_ids if self.cards[c].account_id == account.id]
        return out

    @tool
    def list_transactions(
        self,
        account_id: AccountId,
        start_date: Annotated[
            date | None, Field(description="Only transactions on or after this date (YYYY-MM-DD).")
        ] = None,
        end_date: Annotated[
            date | None, Field(description="Only transactions on or before this date (YYYY-MM-DD).")
        ] = None,
        category: Annotated[
            str | None, Field(description="Only this category, e.g. 'groceries'.")
        ] = None,
        merchant: Annotated[
            str | None, Field(description="Only merchants or descriptions containing this text.")
        ] = None,
        limit: Annotated[
            int, Field(ge=1, le=200, description="At most this many, newest first.")
        ] = 50,
    ) -> dict[str, Any]:
        """List an account's transactions, newest first, with optional filters. Amounts are
        signed (negative is money out); total_matching says how many matched before the limit."""
        account = self._account(account_id)
        start = start_date.isoformat() if start_date else None
        end = end_date.isoformat() if end_date else None
        if start and end and start > end:
            raise ToolError(
                "invalid_arguments",
                f"'start_date' {start} is after 'end_date' {end}.",
                details={"field": "start_date"},
            )
        wanted_category = category.strip().lower() if category else None
        wanted_text = merchant.strip().lower() if merchant else None
        matched = []
        for txn in self._history(account):
            if start and txn.posted_on < start:
                break
            if end and txn.posted_on > end:
                continue
            if wanted_category and txn.category != wanted_category:
                continue
            if wanted_text and not (
                wanted_text in (txn.merchant or "").lower()
                or wanted_text in txn.description.lower()
            ):
                continue
            matched.append(txn)
        shown = [self._transaction_view(t) for t in matched[:limit]]
        for row in shown:
            row.pop("account_id")
        return {
            "account_id": account.id,
            "transactions": shown,
            "returned": len(shown),
            "total_matching": len(matched),
        }

    @tool
    def get_transaction(self, transaction_id: TransactionId) -> dict[str, Any]:
        """Get one transaction, with its dispute if one was opened."""
        txn = self.transactions.get(transaction_id.strip())
        if txn is None:
            raise not_found(
                "transaction", transaction_id, "Use list_transactions to find transaction ids."
            )
        out = self._transaction_view(txn)
        if txn.dispute_id is not None:
            dispute = public(self.disputes[txn.dispute_id])
            out["dispute"] = {k: dispute[k] for k in ("id", "reason", "status", "opened_on")}
        return out

    @tool
    def list_cards(self, holder_id: HolderId) -> list[dict[str, Any]]:
        """List a holder's debit and credit cards: status, daily limit and the maximum allowed."""
        holder = self._holder(holder_id)
        return [self._card_view(self.cards[c]) for c in holder.card_ids]

    @tool
    def list_payees(self, holder_id: HolderId) -> list[dict[str, Any]]:
        """List the billers and people a holder has set up for bill payments."""
        holder = self._holder(holder_id)
        out = []
        for payee_id in holder.payee_ids:
            row = public(self.payees[payee_id])
            row.pop("holder_id")
            out.append({"payee_id": row.pop("id"), **row})
        return out

    # ---------------------------------------------------------------- writes
    @tool(mutates=True)
    def transfer_funds(
        self,
        holder_id: HolderId,
        from_account_id: Annotated[str, Field(description="Account the money leaves.")],
        to_account_id: Annotated[
            str, Field(description="Account the money goes to (a credit account is paid down).")
        ],
        amount: Amount,
        memo: Memo = "",
    ) -> dict[str, Any]:
        """Move money between two of the holder's own open accounts, posted today."""
        holder = self._holder(holder_id)
        amount_cents = cents(amount)
        if from_account_id.strip() == to_account_id.strip():
            raise ToolError(
                "same_account",
                "'from_account_id' and 'to_account_id' are the same account.",
                details={"field": "to_account_id"},
            )
        source = self._owned_account(holder, from_account_id, "from_account_id")
        target = self._owned_account(holder, to_account_id, "to_account_id")
        if source.kind == "credit":
            raise ToolError(
                "invalid_source",
                f"Account {source.id} is a credit account; transfers must come from "
                "checking or savings.",
                details={"field": "from_account_id"},
            )
        if target.kind == "credit" and amount_cents > -target.balance_cents:
            raise ToolError(
                "overpayment",
                f"Credit account {target.id} owes {_money(max(-target.balance_cents, 0))}; "
                "a payment cannot exceed what is owed.",
                details={"owed": dollars(max(-target.balance_cents, 0))},
            )
        self._check_funds(holder, source, amount_cents)
        tid = f"TR-{self.db.next_id('transfer', 700001)}"
        memo = " ".join(memo.split())
        self.transfers.insert(
            Transfer(
                id=tid,
                holder_id=holder.id,
                kind="internal",
                from_account_id=source.id,
                to_account_id=target.id,
                amount_cents=amount_cents,
                date=TODAY,
                memo=memo,
            )
        )
        into = "Payment to" if target.kind == "credit" else "Transfer to"
        self._post(
            source,
            -amount_cents,
            "transfer",
            "transfer",
            f"{into} {target.nickname} ••{target.number_last4}",
            transfer_id=tid,
        )
        self._post(
            target,
            amount_cents,
            "transfer",
            "transfer",
            f"Transfer from {source.nickname} ••{source.number_last4}",
            transfer_id=tid,
        )
        return {
            "transfer_id": tid,
            "from_account_id": source.id,
            "to_account_id": target.id,
            "amount": dollars(amount_cents),
            "date": TODAY,
            "from_balance": dollars(self.accounts[source.id].balance_cents),
            "to_balance": dollars(self.accounts[target.id].balance_cents),
        }

    @tool(mutates=True)
    def pay_payee(
        self,
        holder_id: HolderId,
        payee_id: Annotated[str, Field(description="Payee id from list_payees, e.g. 'PY-500001'.")],
        from_account_id: Annotated[str, Field(description="Checking account to pay from.")],
        amount: Amount,
        memo: Memo = "",
    ) -> dict[str, Any]:
        """Pay one of the holder's payees from a checking account, posted today."""
        holder = self._holder(holder_id)
        amount_cents = cents(amount)
        payee = self.payees.get(payee_id.strip())
        if payee is None:
            raise not_found("payee", payee_id, "Use list_payees to see the holder's payees.")
        if payee.holder_id != holder.id:
            raise ToolError(
                "forbidden",
                f"Payee {payee.id} is not set up for holder {holder.id}.",
                details={"field": "payee_id"},
            )
        source = self._owned_account(holder, from_account_id, "from_account_id")
        if source.kind != "checking":
            raise ToolError(
                "invalid_source",
                f"Account {source.id} is a {source.kind} account; bills are paid from checking.",
                details={"field": "from_account_id"},
            )
        self._check_funds(holder, source, amount_cents)
        tid = f"TR-{self.db.next_id('transfer', 700001)}"
        self.transfers.insert(
            Transfer(
                id=tid,
                holder_id=holder.id,
                kind="bill_payment",
                from_account_id=source.id,
                payee_id=payee.id,
                amount_cents=amount_cents,
                date=TODAY,
                memo=" ".join(memo.split()),
            )
        )
        self._post(
            source,
            -amount_cents,
            "payment",
            payee.category,
            f"Bill payment to {payee.name}",
            merchant=payee.name,
            transfer_id=tid,
        )
        return {
            "payment_id": tid,
            "payee_id": payee.id,
            "payee": payee.name,
            "from_account_id": source.id,
            "amount": dollars(amount_cents),
            "date": TODAY,
            "balance": dollars(self.accounts[source.id].balance_cents),
        }

    @tool(mutates=True)
    def freeze_card(
        self,
        holder_id: HolderId,
        card_id: CardId,
        reason: Annotated[FreezeReason, Field(description="Why the card is being frozen.")],
    ) -> dict[str, Any]:
        """Freeze a card so no new charges go through (lost, stolen, fraud, or just paused)."""
        holder = self._holder(holder_id)
        card = self._owned_card(holder, card_id)
        if card.status == "frozen":
            raise ToolError(
                "invalid_state",
                f"Card {card.id} (ending {card.last4}) is already frozen ({card.frozen_reason}).",
            )
        self.cards.update(card.id, status="frozen", frozen_reason=reason)
        return {"card_id": card.id, "last4": card.last4, "status": "frozen", "reason": reason}

    @tool(mutates=True)
    def unfreeze_card(self, holder_id: HolderId, card_id: CardId) -> dict[str, Any]:
        """Unfreeze a card frozen temporarily or for suspected fraud."""
        holder = self._holder(holder_id)
        card = self._owned_card(holder, card_id)
        if card.status != "frozen":
            raise ToolError("invalid_state", f"Card {card.id} (ending {card.last4}) is not frozen.")
        if card.frozen_reason in ("lost", "stolen"):
            raise ToolError(
                "card_reported_lost",
                f"Card {card.id} was reported {card.frozen_reason} and cannot be unfrozen; "
                "use replace_card to issue a new one.",
            )
        self.cards.update(card.id, status="active", frozen_reason=None)
        return {"card_id": card.id, "last4": card.last4, "status": "active"}

    @tool(mutates=True)
    def replace_card(self, holder_id: HolderId, card_id: CardId) -> dict[str, Any]:
        """Close a card and issue a new one on the same account with the same limits."""
        holder = self._holder(holder_id)
        card = self._owned_card(holder, card_id)
        number = self.db.next_id("card", 400001)
        new_id = f"CD-{number}"
        last4 = f"{(number * 7919 + int(card.last4)) % 10000:04d}"
        expires = f"{int(TODAY[:4]) + 4}{TODAY[4:7]}"
        self.cards.update(card.id, status="closed")
        self.cards.insert(
            card.model_copy(
                update={
                    "id": new_id,
                    "last4": last4,
                    "status": "active",
                    "frozen_reason": None,
                    "expires": expires,
                }
            )
        )
        self.holders.update(holder.id, card_ids=(*holder.card_ids, new_id))
        return {
            "old_card_id": card.id,
            "new_card_id": new_id,
            "last4": last4,
            "expires": expires,
            "status": "active",
        }

    @tool(mutates=True)
    def set_card_limit(
        self,
        holder_id: HolderId,
        card_id: CardId,
        daily_limit: Annotated[
            float, Field(gt=0, description="New daily spending limit in dollars.")
        ],
    ) -> dict[str, Any]:
        """Set an active card's daily spending limit, up to the card's maximum."""
        holder = self._holder(holder_id)
        card = self._owned_card(holder, card_id)
        limit = cents(daily_limit, "daily_limit")
        if card.status == "frozen":
            raise ToolError(
                "card_frozen",
                f"Card {card.id} (ending {card.last4}) is frozen; unfreeze it before changing "
                "its limit.",
            )
        if limit > card.max_daily_limit_cents:
            raise ToolError(
                "limit_too_high",
                f"Card {card.id} allows a daily limit of at most "
                f"{_money(card.max_daily_limit_cents)}.",
                details={"field": "daily_limit", "max": dollars(card.max_daily_limit_cents)},
            )
        self.cards.update(card.id, daily_limit_cents=limit)
        return {
            "card_id": card.id,
            "daily_limit": dollars(limit),
            "max_daily_limit": dollars(card.max_daily_limit_cents),
        }

    @tool(mutates=True)
    def dispute_transaction(
        self,
        holder_id: HolderId,
        transaction_id: TransactionId,
        reason: Annotated[DisputeReason, Field(description="Why the charge is disputed.")],
    ) -> dict[str, Any]:
        """Open a dispute on a card purchase posted in the last 60 days; a duplicate dispute
        names the later copy of two identical charges."""
        holder = self._holder(holder_id)
        txn = self.transactions.get(transaction_id.strip())
        if txn is None:
            raise not_found(
                "transaction", transaction_id, "Use list_transactions to find transaction ids."
            )
        account = self.accounts[txn.account_id]
        if account.holder_id != holder.id:
            raise ToolError(
                "forbidden",
                f"Transaction {txn.id} is not on an account of holder {holder.id}.",
                details={"field": "transaction_id"},
            )
        if txn.kind != "purchase":
            raise ToolError(
                "not_disputable",
                f"Transaction {txn.id} is a {txn.kind}; only card purchases can be disputed.",
            )
        if txn.dispute_id is not None:
            raise ToolError(
                "already_disputed", f"Transaction {txn.id} is already disputed ({txn.dispute_id})."
            )
        if txn.posted_on < _days_before(TODAY, DISPUTE_WINDOW_DAYS):
            raise ToolError(
                "dispute_window_closed",
                f"Transaction {txn.id} posted on {txn.posted_on}; charges can be disputed only "
                f"within {DISPUTE_WINDOW_DAYS} days of posting.",
            )
        if reason == "duplicate":
            self._check_duplicate(account, txn)
        did = _dispute_id(txn.id)
        self.disputes.insert(
            Dispute(
                id=did,
                holder_id=holder.id,
                transaction_id=txn.id,
                account_id=account.id,
                reason=reason,
                amount_cents=-txn.amount_cents,
                opened_on=TODAY,
                status="open",
            )
        )
        self.transactions.update(txn.id, dispute_id=did)
        return {
            "dispute_id": did,
            "transaction_id": txn.id,
            "amount": dollars(-txn.amount_cents),
            "reason": reason,
            "status": "open",
        }

    def _check_duplicate(self, account: Account, txn: Transaction) -> None:
        """A duplicate needs an earlier identical charge, which stays as the original."""
        twins = []
        for t in self._history(account):
            if t.posted_on < txn.posted_on:
                break
            if (t.posted_on, t.merchant, t.amount_cents, t.kind) == (
                txn.posted_on,
                txn.merchant,
                txn.amount_cents,
                "purchase",
            ):
                twins.append(t)
        if len(twins) < 2:
            raise ToolError(
                "not_a_duplicate",
                f"No other charge from {txn.merchant} for {_money(-txn.amount_cents)} on "
                f"{txn.posted_on}; choose another reason.",
                details={"field": "reason"},
            )
        original = min(twins, key=lambda t: t.id)
        if original.id == txn.id:
            later = ", ".join(t.id for t in sorted(twins, key=lambda t: t.id)[1:])
            raise ToolError(
                "not_a_duplicate",
                f"Transaction {txn.id} is the original charge; dispute the later copy ({later}).",
                details={"field": "transaction_id"},
            )


# ------------------------------------------------------------------ world
MERCHANTS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "groceries": (
        ("Whole Foods Market", 1800, 16000),
        ("Trader Joe's", 1500, 9000),
        ("Safeway", 1200, 12000),
        ("Kroger", 1000, 11000),
    ),
    "dining": (
        ("Starbucks", 450, 1800),
        ("Chipotle", 1100, 3200),
        ("Olive Garden", 3500, 11000),
        ("Sweetgreen", 1200, 2600),
    ),
    "transport": (
        ("Uber", 900, 5500),
        ("Lyft", 800, 4800),
        ("Shell", 3000, 8500),
        ("Chevron", 2800, 9000),
    ),
    "shopping": (
        ("Amazon", 1200, 22000),
        ("Target", 1500, 14000),
        ("Best Buy", 2500, 60000),
        ("IKEA", 3000, 45000),
    ),
    "entertainment": (
        ("Netflix", 1549, 2299),
        ("Spotify", 1199, 1699),
        ("AMC Theatres", 1400, 6000),
        ("Steam Games", 500, 7000),
    ),
    "travel": (
        ("Delta Air Lines", 18000, 90000),
        ("Marriott Hotels", 15000, 70000),
        ("Airbnb", 12000, 95000),
    ),
    "health": (
        ("CVS Pharmacy", 600, 6500),
        ("Walgreens", 700, 5500),
        ("Planet Fitness", 2499, 2499),
    ),
}
SPENDING_CATEGORIES = tuple(MERCHANTS)
_CATEGORY_WEIGHTS = np.array([0.24, 0.24, 0.14, 0.18, 0.08, 0.04, 0.08])

BILLERS: tuple[tuple[str, str, int, int], ...] = (
    ("Pacific Gas & Electric", "utilities", 6000, 22000),
    ("City Water Utility", "utilities", 3000, 9000),
    ("Comcast Xfinity", "utilities", 7000, 12000),
    ("Verizon Wireless", "utilities", 5500, 11000),
    ("State Farm Insurance", "insurance", 9000, 19000),
    ("Geico Auto Insurance", "insurance", 8000, 16000),
    ("Greenway Property Management", "housing", 140000, 260000),
)
NICKNAMES = {
    "checking": ("Everyday Checking", "Premier Checking"),
    "savings": ("High-Yield Savings", "Rainy Day Savings", "Vacation Fund", "Emergency Fund"),
    "credit": ("Cashback Visa", "Travel Rewards Mastercard"),
}

SIZES = {"small": 20, "default": 60, "large": 400}


@dataclass
class _Books:
    """One holder's world while it is generated; written to the database at the end."""

    holder_id: str
    opened_on: str
    accounts: list[Account] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    payees: list[Payee] = field(default_factory=list)
    lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    moves: list[dict[str, Any]] = field(default_factory=list)

    def add(self, account: Account, day: str, amount: int, **fields: Any) -> dict[str, Any]:
        line = {"posted_on": day, "amount_cents": amount, **fields}
        self.lines.setdefault(account.id, []).append(line)
        return line


class _Builder:
    """Generates a bank holder by holder: identity, accounts, cards, payees, then history."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(int(self.rng.integers(2**31)))
        self.db = Database()
        for name, record in (
            ("holders", AccountHolder),
            ("accounts", Account),
            ("transactions", Transaction),
            ("transfers", Transfer),
            ("cards", Card),
            ("payees", Payee),
            ("disputes", Dispute),
        ):
            self.db.table(name, record)
        today = date.fromisoformat(TODAY)
        self.days = [(today - timedelta(days=d)).isoformat() for d in range(HISTORY_DAYS + 1)]
        self.emails: set[str] = set()
        self.account_no = 300001

    def holder(self, index: int) -> None:
        rng, fake = self.rng, self.fake
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}{int(rng.integers(10, 100))}@{fake.free_email_domain()}".lower()
        while email in self.emails:
            email = email.replace("@", f"{int(rng.integers(10))}@")
        self.emails.add(email)
        born = date(1950, 1, 1) + timedelta(days=int(rng.integers(0, 53 * 365)))
        address = Address(
            street=fake.street_address(),
            city=fake.city(),
            state=fake.state_abbr(include_territories=False),
            zip=fake.zipcode(),
        )
        employer = fake.company()
        opened = born + timedelta(days=int(rng.integers(18 * 365, 30 * 365)))
        books = _Books(f"H-{20001 + index}", min(opened.isoformat(), self.days[HISTORY_DAYS]))

        checking = self.account(books, "checking", _nickname(rng, "checking"), 0.01)
        names = rng.permutation(NICKNAMES["savings"])
        savings = [
            self.account(books, "savings", str(names[k]), float(rng.choice([3.5, 4.0, 4.25])))
            for k in range(int(rng.choice([0, 1, 1, 1, 2])))
        ]
        if rng.random() < 0.1:
            self.account(books, "savings", "Old Savings", 0.5, status="closed")
        credit = None
        if rng.random() < 0.7:
            credit = self.account(
                books,
                "credit",
                _nickname(rng, "credit"),
                float(rng.choice([19.99, 22.49, 24.99])),
                credit_limit_cents=int(rng.integers(6, 41)) * 50000,
            )
        if rng.random() < 0.2:
            self.card(books, checking, "closed")
        self.card(books, checking, "frozen" if rng.random() < 0.12 else "active")
        if credit is not None:
            self.card(books, credit, "frozen" if rng.random() < 0.12 else "active")
        self.payees(books)

        self.income(books, checking, employer)
        for account in (checking, credit):
            if account is not None:
                self.purchases(books, account)
        self.bills(books)
        self.savings_and_card_payments(books, [*savings, *([credit] if credit else [])])
        self.post_moves(books, checking)
        self.oddities(books, [a for a in (checking, credit) if a is not None])
        self.write(books)
        self.db.tables["holders"].insert(
            AccountHolder(
                id=books.holder_id,
                name=f"{first} {last}",
                email=email,
                phone=fake.numerify("###-###-####"),
                date_of_birth=born.isoformat(),
                address=address,
                daily_transfer_limit_cents=int(rng.choice([250000, 500000, 1000000])),
                account_ids=tuple(a.id for a in books.accounts),
                card_ids=tuple(c.id for c in books.cards),
                payee_ids=tuple(p.id for p in books.payees),
            )
        )

    def account(
        self,
        books: _Books,
        kind: AccountKind,
        nickname: str,
        rate: float,
        *,
        status: Literal["open", "closed"] = "open",
        credit_limit_cents: int | None = None,
    ) -> Account:
        account = Account(
            id=f"AC-{self.account_no}",
            holder_id=books.holder_id,
            kind=kind,
            nickname=nickname,
            number_last4=f"{int(self.rng.integers(10000)):04d}",
            status=status,
            opened_on=books.opened_on,
            balance_cents=0,
            credit_limit_cents=credit_limit_cents,
            interest_rate=rate,
        )
        self.account_no += 1
        books.accounts.append(account)
        return account

    def card(self, books: _Books, account: Account, status: CardStatus) -> Card:
        rng = self.rng
        if account.credit_limit_cents is None:
            kind: Literal["debit", "credit"] = "debit"
            max_limit = int(rng.choice([300000, 500000]))
            limit = int(rng.choice([50000, 100000, 150000, 200000, 250000]))
            network = "Visa"
        else:
            kind, max_limit = "credit", account.credit_limit_cents
            limit = min(max_limit, int(rng.choice([100000, 200000, 300000])))
            network = "Visa" if "Visa" in account.nickname else "Mastercard"
        reason: FreezeReason | None = None
        if status == "frozen":
            reason = "temporary" if rng.random() < 0.7 else "lost"
        card = Card(
            id=f"CD-{self.db.next_id('card', 400001)}",
            holder_id=books.holder_id,
            account_id=account.id,
            kind=kind,
            network=network,
            last4=f"{int(rng.integers(10000)):04d}",
            status=status,
            frozen_reason=reason,
            daily_limit_cents=limit,
            max_daily_limit_cents=max_limit,
            expires=f"{int(rng.integers(2027, 2031))}-{int(rng.integers(1, 13)):02d}",
        )
        books.cards.append(card)
        return card

    def payees(self, books: _Books) -> None:
        """Billers paid monthly, and people paid now and then."""
        rng = self.rng
        for k in rng.choice(len(BILLERS), size=int(rng.integers(2, 4)), replace=False):
            name, category, _, _ = BILLERS[int(k)]
            books.payees.append(self.payee(books, name, "biller", category))
        for _ in range(int(rng.integers(0, 3))):
            person = self.fake.name()
            if all(p.name != person for p in books.payees):
                books.payees.append(self.payee(books, person, "person", "transfer"))

    def payee(
        self, books: _Books, name: str, kind: Literal["biller", "person"], category: str
    ) -> Payee:
        return Payee(
            id=f"PY-{self.db.next_id('payee', 500001)}",
            holder_id=books.holder_id,
            name=name,
            kind=kind,
            category=category,
            account_ref=f"{int(self.rng.integers(10**7, 10**8))}",
        )

    def income(self, books: _Books, checking: Account, employer: str) -> None:
        pay = int(self.rng.integers(120, 420)) * 1000
        for d in range(int(self.rng.integers(1, 14)), HISTORY_DAYS, 14):
            books.add(
                checking,
                self.days[d],
                pay + int(self.rng.integers(-2000, 2000)),
                kind="deposit",
                category="income",
                description=f"Payroll deposit {employer}",
                merchant=employer,
            )

    def purchases(self, books: _Books, account: Account) -> None:
        """Card purchases on every day before today, drawn in bulk."""
        rng = self.rng
        card = next(c for c in books.cards if c.account_id == account.id and c.status != "closed")
        count = int(rng.poisson((0.7 if account.kind == "checking" else 0.6) * HISTORY_DAYS))
        when = np.sort(rng.integers(1, HISTORY_DAYS + 1, size=count))
        categories = rng.choice(len(SPENDING_CATEGORIES), size=count, p=_CATEGORY_WEIGHTS)
        for d, c, pick, fraction in zip(
            when, categories, rng.random(count), rng.random(count), strict=True
        ):
            choices = MERCHANTS[SPENDING_CATEGORIES[c]]
            merchant, low, high = choices[int(pick * len(choices))]
            books.add(
                account,
                self.days[int(d)],
                -(low + round(fraction * (high - low))),
                kind="purchase",
                category=SPENDING_CATEGORIES[c],
                description=f"Card purchase {merchant}",
                merchant=merchant,
                card_id=card.id,
            )

    def bills(self, books: _Books) -> None:
        rng = self.rng
        for payee in books.payees:
            if payee.kind == "biller":
                low, high = next((b[2], b[3]) for b in BILLERS if b[0] == payee.name)
                base, fixed = int(rng.integers(low, high)), payee.category != "utilities"
                offsets = range(int(rng.integers(2, 28)), HISTORY_DAYS, 30)
            else:
                base, fixed = int(rng.integers(20, 300)) * 100, True
                offsets = range(int(rng.integers(1, 60)), HISTORY_DAYS, int(rng.integers(25, 60)))
            for d in offsets:
                amount = base if fixed else base + int(rng.integers(-base // 5, base // 5))
                books.moves.append(
                    {"day": self.days[d], "payee": payee, "to": None, "amount": amount}
                )

    def savings_and_card_payments(self, books: _Books, targets: list[Account]) -> None:
        rng = self.rng
        for target in targets:
            amount = int(rng.integers(5, 60)) * 1000
            for d in range(int(rng.integers(3, 28)), HISTORY_DAYS, 30):
                if target.kind == "credit":
                    amount = int(rng.integers(100, 1500)) * 100
                books.moves.append(
                    {"day": self.days[d], "payee": None, "to": target, "amount": amount}
                )
            if target.kind == "savings":
                for d in range(int(rng.integers(1, 31)), HISTORY_DAYS, 30):
                    books.add(
                        target,
                        self.days[d],
                        int(rng.integers(200, 3000)),
                        kind="interest",
                        category="income",
                        description="Interest paid",
                    )
        savings = [t for t in targets if t.kind == "savings"]
        if savings and rng.random() < 0.3:  # part of today's transfer allowance already used
            amount = int(rng.integers(1, 25)) * 10000
            books.moves.append({"day": TODAY, "payee": None, "to": savings[0], "amount": amount})

    def post_moves(self, books: _Books, checking: Account) -> None:
        """Transfers and bill payments out of checking, with ids in date order."""
        for move in sorted(books.moves, key=lambda m: m["day"]):
            tid = f"TR-{self.db.next_id('transfer', 700001)}"
            day, amount, payee, target = move["day"], move["amount"], move["payee"], move["to"]
            self.db.tables["transfers"].insert(
                Transfer(
                    id=tid,
                    holder_id=books.holder_id,
                    kind="bill_payment" if payee else "internal",
                    from_account_id=checking.id,
                    to_account_id=target.id if target else None,
                    payee_id=payee.id if payee else None,
                    amount_cents=amount,
                    date=day,
                )
            )
            if payee is not None:
                books.add(
                    checking,
                    day,
                    -amount,
                    kind="payment",
                    category=payee.category,
                    description=f"Bill payment to {payee.name}",
                    merchant=payee.name,
                    transfer_id=tid,
                )
                continue
            into = "Payment to" if target.kind == "credit" else "Transfer to"
            books.add(
                checking,
                day,
                -amount,
                kind="transfer",
                category="transfer",
                description=f"{into} {target.nickname} ••{target.number_last4}",
                transfer_id=tid,
            )
            books.add(
                target,
                day,
                amount,
                kind="transfer",
                category="transfer",
                description=f"Transfer from {checking.nickname} ••{checking.number_last4}",
                transfer_id=tid,
            )

    def oddities(self, books: _Books, spenders: list[Account]) -> None:
        """Sometimes a charge posted twice, sometimes a charge already under dispute."""
        rng = self.rng
        recent = [
            (account, line)
            for account in spenders
            for line in books.lines.get(account.id, [])
            if line["kind"] == "purchase" and line["posted_on"] > self.days[DISPUTE_WINDOW_DAYS - 5]
        ]
        if not recent:
            return
        if rng.random() < 0.35:
            account, line = recent[int(rng.integers(len(recent)))]
            lines = books.lines[account.id]
            lines.insert(next(k for k, x in enumerate(lines) if x is line) + 1, dict(line))
        if rng.random() < 0.15:
            account, line = recent[int(rng.integers(len(recent)))]
            opened = date.fromisoformat(line["posted_on"]) + timedelta(days=3)
            line["_disputed_on"] = min(opened.isoformat(), TODAY)

    def write(self, books: _Books) -> None:
        """Insert the holder's records; final balances are drawn, openings follow from them."""
        rng, tables = self.rng, self.db.tables
        for account in books.accounts:
            lines = sorted(books.lines.get(account.id, []), key=lambda x: x["posted_on"])
            for seq, line in enumerate(lines, start=1):
                disputed_on = line.pop("_disputed_on", None)
                tid = _transaction_id(account.id, seq)
                if disputed_on is not None:
                    line["dispute_id"] = _dispute_id(tid)
                    tables["disputes"].insert(
                        Dispute(
                            id=line["dispute_id"],
                            holder_id=books.holder_id,
                            transaction_id=tid,
                            account_id=account.id,
                            reason="unrecognized",
                            amount_cents=-line["amount_cents"],
                            opened_on=disputed_on,
                            status="open",
                        )
                    )
                tables["transactions"].insert(Transaction(id=tid, account_id=account.id, **line))
            if account.status == "closed":
                balance = 0
            elif account.kind == "checking":
                balance = int(rng.integers(300, 9000)) * 100 + int(rng.integers(100))
            elif account.kind == "savings":
                balance = int(rng.integers(1000, 40000)) * 100 + int(rng.integers(100))
            else:
                assert account.credit_limit_cents is not None
                balance = -int(rng.integers(0, account.credit_limit_cents * 6 // 10))
            tables["accounts"].insert(
                account.model_copy(
                    update={"balance_cents": balance, "transaction_count": len(lines)}
                )
            )
        for card in books.cards:
            tables["cards"].insert(card)
        for payee in books.payees:
            tables["payees"].insert(payee)


def _nickname(rng: np.random.Generator, kind: AccountKind) -> str:
    names = NICKNAMES[kind]
    return names[int(rng.integers(len(names)))]


def build_bank(seed: int, size: str = "default") -> BankAPI:
    """Generate a bank from ``seed``: the same seed gives the same bank in any process."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    builder = _Builder(seed)
    for index in range(SIZES[size]):
        builder.holder(index)
    builder.db.commit()
    return BankAPI(builder.db)
