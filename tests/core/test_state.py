from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.core.state import Database, Record


class Item(Record):
    id: str
    qty: int


def make() -> tuple[Database, object]:
    db = Database()
    items = db.table("items", Item)
    for i in range(3):
        items.insert(Item(id=f"i{i}", qty=i))
    db.commit()
    return db, items


def test_records_are_immutable() -> None:
    with pytest.raises(ValueError):
        Item(id="a", qty=1).qty = 2  # type: ignore[misc]


def test_rollback_undoes_every_kind_of_write() -> None:
    db, items = make()
    before = items.items()
    mark = db.mark()
    items.update("i0", qty=10)
    items.insert(Item(id="new", qty=1))
    items.delete("i1")
    items.replace(Item(id="i2", qty=99))
    assert db.next_id("order", 100) == 100 and db.next_id("order", 100) == 101
    db.rollback(mark)
    assert items.items() == before
    assert db.next_id("order", 100) == 100


def test_changes_since_reports_net_changes_once() -> None:
    db, items = make()
    mark = db.mark()
    items.update("i0", qty=5)
    items.update("i0", qty=7)
    items.update("i1", qty=9)
    items.update("i1", qty=1)  # back to where it was: no net change
    items.insert(Item(id="n", qty=0))
    changes = db.changes_since(mark)
    assert [(t, k) for t, k, _, _ in changes] == [("items", "i0"), ("items", "n")]
    assert changes[0][2].qty == 0 and changes[0][3].qty == 7
    assert changes[1][2] is None


def test_errors() -> None:
    db, items = make()
    with pytest.raises(KeyError, match="duplicate"):
        items.insert(Item(id="i0", qty=0))
    with pytest.raises(ValueError, match="outside the journal"):
        db.rollback(5)
    with pytest.raises(ValueError, match="already exists"):
        db.table("items", Item)


ops = st.lists(
    st.tuples(
        st.sampled_from(["update", "insert", "delete"]), st.integers(0, 5), st.integers(-5, 5)
    ),
    max_size=30,
)


@given(ops)
def test_any_sequence_of_writes_rolls_back_exactly(sequence) -> None:
    db, items = make()
    original = items.items()
    mark = db.mark()
    for op, key, value in sequence:
        k = f"i{key}"
        if op == "update" and k in items:
            items.update(k, qty=value)
        elif op == "insert" and k not in items:
            items.insert(Item(id=k, qty=value))
        elif op == "delete" and k in items:
            items.delete(k)
    changed = {k for _, k, _, _ in db.changes_since(mark)}
    assert changed == {k for k, v in items.items() if (k, v) not in original} | {
        k for k, _ in original if k not in items
    }
    db.rollback(mark)
    assert items.items() == original
