"""``custtui credit verify``: every invariant of the store credit ledger, checked in SQL.

Read-only and safe while the shop runs: each check is one statement, so each reads one
consistent snapshot on SQLite and PostgreSQL without taking the write lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from custtui.models import Order, StoreCreditBalance, StoreCreditHistory
from custtui.models.db import database
from custtui.services.store_credit import ACTION_REFUNDED, ACTION_REVERTED, ACTION_USED


@dataclass(frozen=True)
class Problem:
    """One broken invariant found by :func:`verify`."""

    kind: str
    """``balance`` (amount ≠ sum of history), ``running`` (a row's balance_after ≠ the sum up
    to it), ``negative`` or ``order`` (an order's credit columns ≠ its history)."""
    detail: str
    customer_id: int | None = None
    balance_id: int | None = None
    order_id: int | None = None


@dataclass(frozen=True)
class VerifyReport:
    balances: int
    history_rows: int
    orders: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


VERIFY_LIMIT = 1_000
"""Problems reported per kind; past that the database needs a person, not a longer list."""


def verify() -> VerifyReport:
    """Check every invariant of the ledger (read-only; safe while the shop runs):

    * every balance equals the sum of its history, and none is negative;
    * every history row's ``balance_after`` equals the sum of its balance's deltas up to it;
    * every order's ``store_credit_used`` matches its Used rows, its Reverted rows give back
      exactly that when canceled (nothing otherwise), and its Refunded rows match
      ``total_refunded`` and its credit memos (orders whose customer was deleted are skipped:
      their history went with the account).
    """
    db = database.obj
    p = db.param
    problems: list[Problem] = []
    # Each check is one statement, so each reads one consistent snapshot on both backends
    # without taking the write lock (a transaction here would be BEGIN IMMEDIATE on SQLite).
    n_balances = int(StoreCreditBalance.select().count())
    n_history = int(StoreCreditHistory.select().count())
    n_orders = int(Order.select().count())
    rows = db.execute_sql(
        "SELECT b.id, b.customer_id, b.website_id, b.amount, COALESCE(h.total, 0) "
        "FROM store_credit_balance b LEFT JOIN (SELECT balance_id, SUM(delta) AS total "
        "FROM store_credit_history GROUP BY balance_id) h ON h.balance_id = b.id "
        f"WHERE b.amount <> COALESCE(h.total, 0) OR b.amount < 0 LIMIT {p}",
        (VERIFY_LIMIT,),
    )
    for bid, cid, wid, amount, total in rows:
        kind = "negative" if amount < 0 else "balance"
        problems.append(
            Problem(
                kind,
                f"balance #{bid} (customer {cid}, website {wid}) is {amount} but its "
                f"history sums to {total} (minor units)",
                customer_id=cid,
                balance_id=bid,
            )
        )
    rows = db.execute_sql(
        "SELECT id, balance_id, customer_id, balance_after, running FROM ("
        "SELECT id, balance_id, customer_id, balance_after, SUM(delta) OVER "
        "(PARTITION BY balance_id ORDER BY id ROWS UNBOUNDED PRECEDING) AS running "
        f"FROM store_credit_history) r WHERE balance_after <> running OR running < 0 "
        f"LIMIT {p}",
        (VERIFY_LIMIT,),
    )
    for hid, bid, cid, after, running in rows:
        problems.append(
            Problem(
                "running",
                f"history #{hid} of balance #{bid} says {after} but the deltas up to it sum "
                f"to {running} (minor units)",
                customer_id=cid,
                balance_id=bid,
            )
        )
    rows = db.execute_sql(
        "SELECT o.id, o.increment_id, o.customer_id, o.status, o.store_credit_used, "
        "o.total_refunded, COALESCE(h.used, 0), COALESCE(h.refunded, 0), "
        "COALESCE(h.reverted, 0), COALESCE(m.memos, 0) FROM sales_order o "
        "LEFT JOIN (SELECT order_id, "
        f"SUM(CASE WHEN action = {ACTION_USED} THEN -delta ELSE 0 END) AS used, "
        f"SUM(CASE WHEN action = {ACTION_REFUNDED} THEN delta ELSE 0 END) AS refunded, "
        f"SUM(CASE WHEN action = {ACTION_REVERTED} THEN delta ELSE 0 END) AS reverted "
        "FROM store_credit_history WHERE order_id IS NOT NULL GROUP BY order_id) h "
        "ON h.order_id = o.id LEFT JOIN (SELECT order_id, SUM(amount) AS memos "
        "FROM sales_creditmemo GROUP BY order_id) m ON m.order_id = o.id "
        "WHERE o.customer_id IS NOT NULL AND (o.store_credit_used <> COALESCE(h.used, 0) "
        "OR o.total_refunded <> COALESCE(h.refunded, 0) "
        "OR o.total_refunded <> COALESCE(m.memos, 0) "
        "OR COALESCE(h.reverted, 0) <> CASE WHEN o.status = 'canceled' "
        f"THEN o.store_credit_used ELSE 0 END) LIMIT {p}",
        (VERIFY_LIMIT,),
    )
    for oid, inc, cid, status, used, refunded, h_used, h_ref, h_rev, memos in rows:
        problems.append(
            Problem(
                "order",
                f"order #{inc} ({status}): store credit used {used} vs history {h_used}, "
                f"refunded {refunded} vs history {h_ref} and credit memos {memos}, "
                f"reverted {h_rev} (minor units)",
                customer_id=cid,
                order_id=oid,
            )
        )
    return VerifyReport(n_balances, n_history, n_orders, problems)


def total_outstanding() -> dict[str, int]:
    """What the shop owes in store credit, per currency (minor units)."""
    rows = (
        StoreCreditBalance.select(
            StoreCreditBalance.currency_code, fn.SUM(StoreCreditBalance.amount).alias("total")
        )
        .group_by(StoreCreditBalance.currency_code)
        .tuples()
    )
    return {code: int(total or 0) for code, total in rows}
