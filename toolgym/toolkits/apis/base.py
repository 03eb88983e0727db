"""What every mock REST-style API shares: a journaled database, money, and uniform errors."""

from __future__ import annotations

import ast
import operator
from typing import Any

from toolgym.core.errors import ToolError
from toolgym.core.state import Change, Database, Record
from toolgym.core.tool import Toolkit

__all__ = ["ApiToolkit", "calculate", "cents", "dollars", "not_found", "public"]


class ApiToolkit(Toolkit):
    """A service over one :class:`Database`. Snapshots are journal marks (see ``core.state``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def snapshot(self) -> int:
        return self.db.mark()

    def restore(self, snapshot: int) -> None:
        self.db.rollback(snapshot)

    def changes_since(self, snapshot: int) -> list[Change]:
        return self.db.changes_since(snapshot)

    def fork(self) -> ApiToolkit:
        """The same service over a copy-on-write fork of its database."""
        return type(self)(self.db.fork())


def not_found(kind: str, key: str, hint: str = "") -> ToolError:
    """The 404 of these APIs: names the kind and the id that was asked for."""
    return ToolError(
        "not_found",
        f"No {kind} with id '{key}'." + (f" {hint}" if hint else ""),
        details={"resource": kind},
    )


def dollars(amount_cents: int) -> float:
    """Cents as the decimal amount an API shows (``1999 -> 19.99``)."""
    return round(amount_cents / 100, 2)


def cents(amount: float, field: str = "amount") -> int:
    """A decimal amount from an agent as exact cents; rejects fractions of a cent."""
    value = round(float(amount) * 100)
    if abs(value - float(amount) * 100) > 1e-6:
        raise ToolError(
            "invalid_arguments",
            f"'{field}' must have at most two decimal places, got {amount}.",
            details={"field": field},
        )
    return int(value)


def public(record: Record, **rename: str) -> dict[str, Any]:
    """A record as JSON-able data, with ``*_cents`` fields shown as decimal amounts."""
    out: dict[str, Any] = {}
    for key, value in record.model_dump(mode="json").items():
        if key.endswith("_cents") and isinstance(value, int):
            out[rename.get(key, key[: -len("_cents")])] = dollars(value)
        else:
            out[rename.get(key, key)] = value
    return out


_OPERATORS: dict[type, Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def calculate(expression: str) -> float:
    """Evaluate ``+ - * /`` arithmetic over numbers, with brackets; nothing else is allowed."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.operand))
        raise ToolError(
            "invalid_arguments",
            "Only numbers, + - * / and brackets are allowed in 'expression'.",
            details={"field": "expression"},
        )

    if len(expression) > 500:
        raise ToolError("invalid_arguments", "'expression' is longer than 500 characters.")
    try:
        tree = ast.parse(expression.replace(",", ""), mode="eval")
        return round(walk(tree), 6)
    except ZeroDivisionError:
        raise ToolError("invalid_arguments", "Division by zero in 'expression'.") from None
    except SyntaxError:
        raise ToolError(
            "invalid_arguments", f"'expression' is not valid arithmetic: {expression!r}."
        ) from None
