"""The Bank API: every tool's happy path, every business rule, argument validation, rollback
and cross-process determinism of the generated world."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from toolgym.core.errors import ToolError
from toolgym.toolkits.apis.bank import (
    TODAY,
    Account,
    AccountHolder,
    BankAPI,
    Card,
    Transaction,
    build_bank,
)
from toolgym.toolkits.apis.retail import build_retail

WORLD_SEED = 7  # a small world that has every fixture below (closed accounts, frozen cards...)


@pytest.fixture(scope="module")
def world() -> BankAPI:
    return build_bank(WORLD_SEED, "small")


@pytest.fixture
def bank(world: BankAPI) -> Iterator[BankAPI]:
    """The shared world, rolled back after each test."""
    mark = world.snapshot()
    yield world
    world.restore(mark)


def run(api: BankAPI, tool_name: str, /, **arguments: Any) -> Any:
    tools = {t.name: t for t in api.tools()}
    return tools[tool_name](arguments)


def fails(api: BankAPI, tool_name: str, code: str, /, **arguments: Any) -> ToolError:
    with pytest.raises(ToolError) as caught:
        run(api, tool_name, **arguments)
    assert caught.value.code == code, caught.value
    return caught.value


def invalid(api: BankAPI, tool_name: str, field: str, /, **arguments: Any) -> ToolError:
    """The call fails validation, and the message and details name ``field``."""
    err = fails(api, tool_name, "invalid_arguments", **arguments)
    assert f"'{field}'" in err.message
    assert field in err.details.get("fields", [err.details.get("field")])
    return err


def dump(api: BankAPI) -> str:
    """Every record of the world, as canonical JSON."""
    return json.dumps(
        {
            name: [row.model_dump(mode="json") for row in table.values()]
            for name, table in api.db.tables.items()
        },
        sort_keys=True,
    )


# ---------------------------------------------------------------- finders
def holder_where(api: BankAPI, test) -> AccountHolder:
    return next(h for h in api.holders.values() if test(h))


def accounts(api: BankAPI, holder: AccountHolder, kind: str) -> list[Account]:
    return [
        api.accounts[a]
        for a in holder.account_ids
        if api.accounts[a].kind == kind and api.accounts[a].status == "open"
    ]


def saver(api: BankAPI) -> tuple[AccountHolder, Account, Account]:
    """A holder with checking and a funded savings account."""
    holder = holder_where(
        api, lambda h: any(a.balance_cents > 100000 for a in accounts(api, h, "savings"))
    )
    return holder, accounts(api, holder, "checking")[0], accounts(api, holder, "savings")[0]


def card_where(api: BankAPI, test) -> Card:
    return next(c for c in api.cards.values() if test(c))


def purchase_where(api: BankAPI, test) -> Transaction:
    return next(t for t in api.transactions.values() if t.kind == "purchase" and test(t))


def twins(api: BankAPI) -> tuple[Transaction, Transaction]:
    """The original and the later copy of a charge posted twice, inside the dispute window."""
    key = lambda t: (t.account_id, t.merchant, t.posted_on, t.amount_cents)  # noqa: E731
    recent = [
        t
        for t in api.transactions.values()
        if t.kind == "purchase" and t.posted_on >= "2026-03-20" and t.dispute_id is None
    ]
    counts = Counter(key(t) for t in recent)
    pair = sorted((t for t in recent if counts[key(t)] == 2), key=lambda t: (key(t), t.id))
    return pair[0], pair[1]


# ---------------------------------------------------------------- toolset
def test_toolset_is_large_and_does_not_collide_with_retail(world: BankAPI) -> None:
    names = [t.name for t in world.tools()]
    assert len(names) >= 10
    assert not set(names) & {t.name for t in build_retail(0, "small").tools()}
    writes = {t.name for t in world.tools() if t.mutates}
    assert writes == {
        "transfer_funds",
        "pay_payee",
        "freeze_card",
        "unfreeze_card",
        "replace_card",
        "set_card_limit",
        "dispute_transaction",
    }
    for t in world.tools():
        assert t.description
        assert t.schema()["function"]["parameters"]["type"] == "object"


def test_build_rejects_unknown_size() -> None:
    with pytest.raises(ValueError, match="size must be one of"):
        build_bank(0, "huge")


def test_world_is_consistent(world: BankAPI) -> None:
    for account in world.accounts.values():
        seqs = [t for t in world.transactions.values() if t.account_id == account.id]
        assert len(seqs) == account.transaction_count
        dates = [t.posted_on for t in seqs]
        assert dates == sorted(dates) and all(d <= TODAY for d in dates)
        if account.kind == "credit":
            assert account.credit_limit_cents is not None
            assert -account.credit_limit_cents <= account.balance_cents <= 0
        else:
            assert account.balance_cents >= 0
    for dispute in world.disputes.values():
        assert world.transactions[dispute.transaction_id].dispute_id == dispute.id
    for holder in world.holders.values():
        for table, ids in (
            (world.accounts, holder.account_ids),
            (world.cards, holder.card_ids),
            (world.payees, holder.payee_ids),
        ):
            assert all(table[i].holder_id == holder.id for i in ids)


# ------------------------------------------------------------------ reads
def test_find_account_holder(bank: BankAPI) -> None:
    holder = bank.holders.values()[3]
    found = run(bank, "find_account_holder", email=holder.email.upper())
    assert found == {"holder_id": holder.id, "name": holder.name}
    by_birth = run(
        bank,
        "find_account_holder",
        name=f"  {holder.name.lower()} ",
        date_of_birth=holder.date_of_birth,
    )
    assert by_birth["holder_id"] == holder.id
    fails(bank, "find_account_holder", "not_found", email="nobody@example.com")
    fails(bank, "find_account_holder", "not_found", name=holder.name, date_of_birth="1900-01-01")
    fails(bank, "find_account_holder", "invalid_arguments", name=holder.name)
    invalid(bank, "find_account_holder", "date_of_birth", name="A", date_of_birth="12/31/1990")


def test_get_account_holder_reports_transfer_allowance(bank: BankAPI) -> None:
    holder = bank.holders.values()[0]
    profile = run(bank, "get_account_holder", holder_id=holder.id)
    assert profile["holder_id"] == holder.id and profile["email"] == holder.email
    assert profile["daily_transfer_limit"] == holder.daily_transfer_limit_cents / 100
    assert profile["remaining_transfer_limit_today"] == pytest.approx(
        profile["daily_transfer_limit"] - profile["transferred_today"]
    )
    fails(bank, "get_account_holder", "not_found", holder_id="H-1")
    invalid(bank, "get_account_holder", "holder_id")


def test_list_and_get_accounts(bank: BankAPI) -> None:
    holder = holder_where(bank, lambda h: accounts(bank, h, "credit"))
    listed = run(bank, "list_accounts", holder_id=holder.id)
    assert [a["account_id"] for a in listed] == list(holder.account_ids)
    credit = next(a for a in listed if a["kind"] == "credit")
    assert credit["available_credit"] == pytest.approx(credit["credit_limit"] + credit["balance"])
    detail = run(bank, "get_account", account_id=credit["account_id"])
    assert detail["holder_id"] == holder.id
    assert detail["card_ids"] and all(
        bank.cards[c].account_id == credit["account_id"] for c in detail["card_ids"]
    )
    fails(bank, "get_account", "not_found", account_id="AC-1")
    fails(bank, "list_accounts", "not_found", holder_id="H-nope")


def test_list_transactions_filters(bank: BankAPI) -> None:
    account = bank.accounts.values()[0]
    everything = run(bank, "list_transactions", account_id=account.id, limit=200)
    rows = everything["transactions"]
    assert everything["total_matching"] == account.transaction_count == len(rows)
    assert [r["date"] for r in rows] == sorted((r["date"] for r in rows), reverse=True)
    assert rows[0]["transaction_id"].startswith("TX-")

    window = run(
        bank,
        "list_transactions",
        account_id=account.id,
        start_date="2026-04-01",
        end_date="2026-04-30",
        limit=200,
    )["transactions"]
    assert window and all("2026-04-01" <= r["date"] <= "2026-04-30" for r in window)
    assert len(window) == sum("2026-04-01" <= r["date"] <= "2026-04-30" for r in rows)

    groceries = run(bank, "list_transactions", account_id=account.id, category="Groceries")
    assert all(r["category"] == "groceries" for r in groceries["transactions"])
    merchant = next(r["merchant"] for r in rows if r["kind"] == "purchase")
    found = run(bank, "list_transactions", account_id=account.id, merchant=merchant.upper()[:4])
    assert any(r["merchant"] == merchant for r in found["transactions"])

    few = run(bank, "list_transactions", account_id=account.id, limit=3)
    assert few["returned"] == 3 and few["total_matching"] == account.transaction_count
    assert few["transactions"] == rows[:3]


def test_list_transactions_validates(bank: BankAPI) -> None:
    account_id = bank.accounts.values()[0].id
    err = fails(
        bank,
        "list_transactions",
        "invalid_arguments",
        account_id=account_id,
        start_date="2026-05-01",
        end_date="2026-04-01",
    )
    assert err.details["field"] == "start_date"
    invalid(bank, "list_transactions", "limit", account_id=account_id, limit=0)
    invalid(bank, "list_transactions", "limit", account_id=account_id, limit=500)
    invalid(bank, "list_transactions", "start_date", account_id=account_id, start_date="May 1")
    invalid(bank, "list_transactions", "colour", account_id=account_id, colour="red")
    fails(bank, "list_transactions", "not_found", account_id="AC-0")


def test_get_transaction(bank: BankAPI) -> None:
    disputed = next(iter(bank.disputes.values()))
    detail = run(bank, "get_transaction", transaction_id=disputed.transaction_id)
    assert detail["dispute"]["id"] == disputed.id and detail["dispute"]["status"] == "open"
    plain = purchase_where(bank, lambda t: t.dispute_id is None)
    detail = run(bank, "get_transaction", transaction_id=plain.id)
    assert "dispute" not in detail and detail["amount"] == plain.amount_cents / 100
    fails(bank, "get_transaction", "not_found", transaction_id="TX-0-0")


def test_list_cards_and_payees(bank: BankAPI) -> None:
    holder = bank.holders.values()[0]
    cards = run(bank, "list_cards", holder_id=holder.id)
    assert [c["card_id"] for c in cards] == list(holder.card_ids)
    assert all(c["daily_limit"] <= c["max_daily_limit"] for c in cards)
    payees = run(bank, "list_payees", holder_id=holder.id)
    assert [p["payee_id"] for p in payees] == list(holder.payee_ids)
    assert {p["kind"] for p in payees} <= {"biller", "person"}


# -------------------------------------------------------------- transfers
def test_transfer_funds_moves_money_and_records_it(bank: BankAPI) -> None:
    holder, checking, savings = saver(bank)
    before = bank.sent_today(holder)
    done = run(
        bank,
        "transfer_funds",
        holder_id=holder.id,
        from_account_id=savings.id,
        to_account_id=checking.id,
        amount=125.5,
        memo="  rent   top-up ",
    )
    assert done["amount"] == 125.5 and done["date"] == TODAY
    assert bank.accounts[savings.id].balance_cents == savings.balance_cents - 12550
    assert bank.accounts[checking.id].balance_cents == checking.balance_cents + 12550
    assert done["from_balance"] == bank.accounts[savings.id].balance_cents / 100
    transfer = bank.transfers[done["transfer_id"]]
    assert transfer.memo == "rent top-up" and transfer.kind == "internal"
    newest = run(bank, "list_transactions", account_id=checking.id, limit=1)["transactions"][0]
    assert newest["amount"] == 125.5 and newest["transfer_id"] == transfer.id
    assert bank.sent_today(holder) == before + 12550


def test_transfer_rules(bank: BankAPI) -> None:
    holder, checking, savings = saver(bank)
    mark = bank.snapshot()
    args = {"holder_id": holder.id, "from_account_id": checking.id, "to_account_id": savings.id}
    fails(
        bank, "transfer_funds", "same_account", **{**args, "to_account_id": checking.id}, amount=1
    )
    err = fails(
        bank,
        "transfer_funds",
        "insufficient_funds",
        **args,
        amount=checking.balance_cents / 100 + 1,
    )
    assert err.details["available"] == checking.balance_cents / 100
    other = next(h for h in bank.holders.values() if h.id != holder.id)
    err = fails(
        bank,
        "transfer_funds",
        "forbidden",
        **{**args, "to_account_id": other.account_ids[0]},
        amount=1,
    )
    assert err.details["field"] == "to_account_id"
    invalid(bank, "transfer_funds", "amount", **args, amount=0)
    invalid(bank, "transfer_funds", "amount", **args, amount=-5)
    invalid(bank, "transfer_funds", "amount", **args, amount=1.005)
    invalid(bank, "transfer_funds", "amount", **args, amount="lots")
    invalid(
        bank,
        "transfer_funds",
        "to_account_id",
        holder_id=holder.id,
        amount=1,
        from_account_id=checking.id,
    )
    assert bank.changes_since(mark) == []  # failed calls change nothing


def test_transfer_daily_limit(bank: BankAPI) -> None:
    holder, checking, savings = saver(bank)
    remaining = holder.daily_transfer_limit_cents - bank.sent_today(holder)
    args = {"holder_id": holder.id, "from_account_id": savings.id, "to_account_id": checking.id}
    assert savings.balance_cents > remaining, "the fixture world should allow this test"
    err = fails(bank, "transfer_funds", "daily_limit_exceeded", **args, amount=remaining / 100 + 1)
    assert err.details["remaining_today"] == remaining / 100
    run(bank, "transfer_funds", **args, amount=remaining / 100)
    fails(bank, "transfer_funds", "daily_limit_exceeded", **args, amount=0.01)


def test_transfer_closed_and_credit_accounts(bank: BankAPI) -> None:
    holder = holder_where(
        bank, lambda h: any(bank.accounts[a].status == "closed" for a in h.account_ids)
    )
    closed = next(a for a in holder.account_ids if bank.accounts[a].status == "closed")
    checking = accounts(bank, holder, "checking")[0]
    fails(
        bank,
        "transfer_funds",
        "account_closed",
        holder_id=holder.id,
        from_account_id=checking.id,
        to_account_id=closed,
        amount=1,
    )
    holder = holder_where(
        bank, lambda h: any(a.balance_cents < -1000 for a in accounts(bank, h, "credit"))
    )
    checking, credit = accounts(bank, holder, "checking")[0], accounts(bank, holder, "credit")[0]
    fails(
        bank,
        "transfer_funds",
        "invalid_source",
        holder_id=holder.id,
        from_account_id=credit.id,
        to_account_id=checking.id,
        amount=1,
    )
    err = fails(
        bank,
        "transfer_funds",
        "overpayment",
        holder_id=holder.id,
        from_account_id=checking.id,
        to_account_id=credit.id,
        amount=-credit.balance_cents / 100 + 0.01,
    )
    assert err.details["owed"] == -credit.balance_cents / 100
    done = run(
        bank,
        "transfer_funds",
        holder_id=holder.id,
        from_account_id=checking.id,
        to_account_id=credit.id,
        amount=10,
    )
    assert done["to_balance"] == (credit.balance_cents + 1000) / 100


def test_pay_payee(bank: BankAPI) -> None:
    holder, checking, savings = saver(bank)
    payee = bank.payees[holder.payee_ids[0]]
    args = {"holder_id": holder.id, "payee_id": payee.id, "from_account_id": checking.id}
    done = run(bank, "pay_payee", **args, amount=42.1)
    assert done["payee"] == payee.name and done["amount"] == 42.1
    assert bank.accounts[checking.id].balance_cents == checking.balance_cents - 4210
    newest = run(bank, "list_transactions", account_id=checking.id, limit=1)["transactions"][0]
    assert (newest["kind"], newest["merchant"], newest["category"]) == (
        "payment",
        payee.name,
        payee.category,
    )
    assert bank.transfers[done["payment_id"]].payee_id == payee.id

    fails(bank, "pay_payee", "invalid_source", **{**args, "from_account_id": savings.id}, amount=1)
    stranger = next(p for p in bank.payees.values() if p.holder_id != holder.id)
    fails(bank, "pay_payee", "forbidden", **{**args, "payee_id": stranger.id}, amount=1)
    fails(bank, "pay_payee", "not_found", **{**args, "payee_id": "PY-1"}, amount=1)
    balance = bank.accounts[checking.id].balance_cents
    fails(bank, "pay_payee", "insufficient_funds", **args, amount=balance / 100 + 0.01)
    invalid(bank, "pay_payee", "amount", **args, amount=0)


def test_transfers_and_payments_share_the_daily_limit(bank: BankAPI) -> None:
    holder, checking, savings = saver(bank)
    remaining = holder.daily_transfer_limit_cents - bank.sent_today(holder)
    assert savings.balance_cents >= remaining, "the fixture world should allow this test"
    move = min(savings.balance_cents, remaining - 100)
    run(
        bank,
        "transfer_funds",
        holder_id=holder.id,
        from_account_id=savings.id,
        to_account_id=checking.id,
        amount=move / 100,
    )
    args = {"holder_id": holder.id, "payee_id": holder.payee_ids[0], "from_account_id": checking.id}
    left = remaining - move
    fails(bank, "pay_payee", "daily_limit_exceeded", **args, amount=(left + 1) / 100)
    run(bank, "pay_payee", **args, amount=left / 100)
    assert bank.sent_today(holder) == holder.daily_transfer_limit_cents


# ------------------------------------------------------------------ cards
def test_freeze_and_unfreeze(bank: BankAPI) -> None:
    card = card_where(bank, lambda c: c.status == "active")
    args = {"holder_id": card.holder_id, "card_id": card.id}
    done = run(bank, "freeze_card", **args, reason="temporary")
    assert done["status"] == "frozen" and bank.cards[card.id].frozen_reason == "temporary"
    fails(bank, "freeze_card", "invalid_state", **args, reason="lost")
    run(bank, "unfreeze_card", **args)
    assert bank.cards[card.id].status == "active" and bank.cards[card.id].frozen_reason is None
    fails(bank, "unfreeze_card", "invalid_state", **args)
    invalid(bank, "freeze_card", "reason", **args, reason="bored")
    other = next(h for h in bank.holders.values() if h.id != card.holder_id)
    fails(bank, "freeze_card", "forbidden", holder_id=other.id, card_id=card.id, reason="lost")
    fails(bank, "freeze_card", "not_found", holder_id=card.holder_id, card_id="CD-1", reason="lost")


def test_lost_card_cannot_be_unfrozen_only_replaced(bank: BankAPI) -> None:
    card = card_where(bank, lambda c: c.frozen_reason == "lost")
    args = {"holder_id": card.holder_id, "card_id": card.id}
    err = fails(bank, "unfreeze_card", "card_reported_lost", **args)
    assert "replace_card" in err.message
    new = run(bank, "replace_card", **args)
    fresh = bank.cards[new["new_card_id"]]
    assert fresh.status == "active" and fresh.frozen_reason is None
    assert (fresh.account_id, fresh.kind, fresh.max_daily_limit_cents) == (
        card.account_id,
        card.kind,
        card.max_daily_limit_cents,
    )
    assert new["last4"] == fresh.last4 and len(fresh.last4) == 4
    assert bank.cards[card.id].status == "closed"
    assert bank.holders[card.holder_id].card_ids[-1] == fresh.id
    fails(bank, "replace_card", "card_closed", **args)
    fails(bank, "freeze_card", "card_closed", **args, reason="lost")


def test_set_card_limit(bank: BankAPI) -> None:
    card = card_where(
        bank, lambda c: c.status == "active" and c.daily_limit_cents < c.max_daily_limit_cents
    )
    args = {"holder_id": card.holder_id, "card_id": card.id}
    top = card.max_daily_limit_cents / 100
    done = run(bank, "set_card_limit", **args, daily_limit=top)
    assert done == {"card_id": card.id, "daily_limit": top, "max_daily_limit": top}
    err = fails(bank, "set_card_limit", "limit_too_high", **args, daily_limit=top + 1)
    assert err.details["max"] == top
    invalid(bank, "set_card_limit", "daily_limit", **args, daily_limit=0)
    invalid(bank, "set_card_limit", "daily_limit", **args, daily_limit=10.001)
    frozen = card_where(bank, lambda c: c.status == "frozen")
    fails(
        bank,
        "set_card_limit",
        "card_frozen",
        holder_id=frozen.holder_id,
        card_id=frozen.id,
        daily_limit=100,
    )
    closed = card_where(bank, lambda c: c.status == "closed")
    fails(
        bank,
        "set_card_limit",
        "card_closed",
        holder_id=closed.holder_id,
        card_id=closed.id,
        daily_limit=100,
    )


# --------------------------------------------------------------- disputes
def holder_of(api: BankAPI, txn: Transaction) -> str:
    return api.accounts[txn.account_id].holder_id


def test_dispute_transaction(bank: BankAPI) -> None:
    txn = purchase_where(bank, lambda t: t.posted_on >= "2026-04-01" and t.dispute_id is None)
    args = {"holder_id": holder_of(bank, txn), "transaction_id": txn.id}
    done = run(bank, "dispute_transaction", **args, reason="incorrect_amount")
    assert done["amount"] == -txn.amount_cents / 100 and done["status"] == "open"
    dispute = bank.disputes[done["dispute_id"]]
    assert (dispute.transaction_id, dispute.opened_on) == (txn.id, TODAY)
    assert bank.transactions[txn.id].dispute_id == dispute.id
    fails(bank, "dispute_transaction", "already_disputed", **args, reason="unrecognized")
    invalid(bank, "dispute_transaction", "reason", **args, reason="fraud")


def test_dispute_rules(bank: BankAPI) -> None:
    old = purchase_where(bank, lambda t: t.posted_on < "2026-03-10")
    err = fails(
        bank,
        "dispute_transaction",
        "dispute_window_closed",
        holder_id=holder_of(bank, old),
        transaction_id=old.id,
        reason="unrecognized",
    )
    assert "60 days" in err.message
    deposit = next(t for t in bank.transactions.values() if t.kind == "deposit")
    fails(
        bank,
        "dispute_transaction",
        "not_disputable",
        holder_id=holder_of(bank, deposit),
        transaction_id=deposit.id,
        reason="unrecognized",
    )
    recent = purchase_where(bank, lambda t: t.posted_on >= "2026-04-01")
    stranger = next(h for h in bank.holders.values() if h.id != holder_of(bank, recent))
    fails(
        bank,
        "dispute_transaction",
        "forbidden",
        holder_id=stranger.id,
        transaction_id=recent.id,
        reason="unrecognized",
    )


def test_duplicate_disputes_need_the_later_copy(bank: BankAPI) -> None:
    original, copy = twins(bank)
    holder_id = holder_of(bank, original)
    err = fails(
        bank,
        "dispute_transaction",
        "not_a_duplicate",
        holder_id=holder_id,
        transaction_id=original.id,
        reason="duplicate",
    )
    assert copy.id in err.message
    run(
        bank,
        "dispute_transaction",
        holder_id=holder_id,
        transaction_id=copy.id,
        reason="duplicate",
    )
    single = purchase_where(
        bank,
        lambda t: (
            t.posted_on >= "2026-04-01"
            and t.dispute_id is None
            and t.account_id != original.account_id
        ),
    )
    fails(
        bank,
        "dispute_transaction",
        "not_a_duplicate",
        holder_id=holder_of(bank, single),
        transaction_id=single.id,
        reason="duplicate",
    )


def test_dispute_ids_do_not_depend_on_order(world: BankAPI) -> None:
    holder = holder_where(world, lambda h: True)
    charges = [
        t
        for t in world.transactions.values()
        if t.account_id in holder.account_ids
        and t.kind == "purchase"
        and t.posted_on >= "2026-04-01"
        and t.dispute_id is None
    ][:3]
    outcomes = []
    for order in (charges, charges[::-1]):
        mark = world.snapshot()
        for t in order:
            run(
                world,
                "dispute_transaction",
                holder_id=holder.id,
                transaction_id=t.id,
                reason="unrecognized",
            )
        outcomes.append(sorted(map(repr, world.changes_since(mark))))
        world.restore(mark)
    assert len(charges) == 3 and outcomes[0] == outcomes[1]


# ------------------------------------------------------- state and seeds
def test_rollback_restores_the_world_exactly(world: BankAPI) -> None:
    clean = dump(world)
    mark = world.snapshot()
    holder, checking, savings = saver(world)
    run(
        world,
        "transfer_funds",
        holder_id=holder.id,
        from_account_id=savings.id,
        to_account_id=checking.id,
        amount=10,
    )
    card = next(world.cards[c] for c in holder.card_ids if world.cards[c].status != "closed")
    run(world, "replace_card", holder_id=holder.id, card_id=card.id)
    assert len(world.changes_since(mark)) >= 6
    world.restore(mark)
    assert dump(world) == clean and world.changes_since(mark) == []
    again = run(world, "replace_card", holder_id=holder.id, card_id=card.id)
    world.restore(mark)
    assert again["new_card_id"] == f"CD-{len(world.cards) + 400001}"


def test_same_seed_same_world_and_different_seed_different_world() -> None:
    assert dump(build_bank(3, "small")) == dump(build_bank(3, "small"))
    assert dump(build_bank(3, "small")) != dump(build_bank(4, "small"))


_DIGEST = (
    "import hashlib, json; from toolgym.toolkits.apis.bank import build_bank; "
    "api = build_bank(11, 'small'); "
    "data = json.dumps({n: [r.model_dump(mode='json') for r in t.values()] "
    "for n, t in api.db.tables.items()}, sort_keys=True); "
    "print(hashlib.sha256(data.encode()).hexdigest())"
)


def test_build_is_identical_across_processes() -> None:
    digests = set()
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    local = hashlib.sha256(dump(build_bank(11, "small")).encode()).hexdigest()
    assert digests == {local}


def test_sizes_scale_the_world() -> None:
    small, default = build_bank(1, "small"), build_bank(1, "default")
    assert len(small.holders) == 20 and len(default.holders) == 60
    assert len(default.transactions) > len(small.transactions)
