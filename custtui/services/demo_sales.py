"""Orders and store credit for the demo shop, generated alongside each batch of customers.

About one customer in eight has orders (a few items each, from a small catalogue) and about
one in fourteen holds store credit: a welcome credit from the demo agent, some of it used on
orders, refunds to store credit by credit memo, cancellations that give the credit back and
the odd staff correction. Each customer's story is simulated in time order in Python, so
every balance is exactly the sum of its history and ``custtui credit verify`` is exact on a
fresh demo.

Rows come out as tuples in the order of the ``*_COLUMNS`` constants, with every id assigned
here (the order's number is ``000000123`` of its id), so the demo builder can ``executemany``
them batch by batch like the customers. The generator has its own ``Random``, so adding sales
changes none of the customer rows a seed produced before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from random import Random
from typing import Any

from custtui.services import money

ORDER_COLUMNS: tuple[str, ...] = (
    "id", "increment_id", "customer_id", "website_id", "store_view_id", "status", "created_at",
    "updated_at", "currency_code", "subtotal", "grand_total", "store_credit_used",
    "total_refunded", "request_id",
)  # fmt: skip
ITEM_COLUMNS: tuple[str, ...] = ("id", "order_id", "sku", "name", "qty", "price")
MEMO_COLUMNS: tuple[str, ...] = (
    "id", "increment_id", "order_id", "amount", "comment", "created_at", "staff_username",
    "request_id",
)  # fmt: skip
BALANCE_COLUMNS: tuple[str, ...] = ("id", "customer_id", "website_id", "amount", "currency_code")
HISTORY_COLUMNS: tuple[str, ...] = (
    "id", "balance_id", "customer_id", "created_at", "action", "delta", "balance_after",
    "additional_info", "customer_notified", "request_id", "staff_id", "staff_username",
    "order_id", "creditmemo_id",
)  # fmt: skip

TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sales_order", ORDER_COLUMNS),
    ("sales_order_item", ITEM_COLUMNS),
    ("sales_creditmemo", MEMO_COLUMNS),
    ("store_credit_balance", BALANCE_COLUMNS),
    ("store_credit_history", HISTORY_COLUMNS),
)
"""Insert order: parents before children (foreign keys are checked on SQLite)."""

CATALOGUE: tuple[tuple[str, str, int], ...] = (
    ("MH01", "Chaz Kangeroo Hoodie", 5200),
    ("MJ01", "Beaumont Summit Kit", 4200),
    ("MS04", "Gobi HeatTec® Tee", 2900),
    ("MP06", "Mithra Warmup Pant", 3400),
    ("WB04", "Olivia 1/4 Zip Light Jacket", 7700),
    ("WS03", "Iris Workout Top", 2900),
    ("WSH02", "Gwen Drawstring Bike Short", 5000),
    ("24-MB01", "Joust Duffle Bag", 3400),
    ("24-MB04", "Strive Shoulder Pack", 3200),
    ("24-UG06", "Affirm Water Bottle", 700),
    ("24-UG01", "Quest Lumaflex™ Band", 1900),
    ("24-WG02", "Didi Sport Watch", 9200),
    ("24-WG085", "Sprite Yoga Strap 6 foot", 1400),
    ("24-UB02", "Impulse Duffle", 7400),
    ("MT07", "Argus All-Weather Tank", 2200),
    ("WT08", "Antonia Racer Tank", 3400),
)
"""Products from Magento's sample data: (SKU, name, price in cents of a 2-decimal currency)."""

WELCOME = ("Welcome gift", "Loyalty reward", "Sorry for the delay", None, "Price match")
CORRECTIONS = ("Goodwill", "Correction", "Duplicate refund", None)
MEMO_COMMENTS = ("Damaged in transit", "Wrong size", None, "Late delivery", None)
DAY = 86_400


def _ts(value: int) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _parse(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@dataclass
class SalesRows:
    """One batch of rows per table (see :data:`TABLES`)."""

    rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {table: [] for table, _ in TABLES}
    )

    def count(self, table: str) -> int:
        return len(self.rows[table])


class SalesGenerator:
    """Turns batches of demo customer rows into their orders and store credit."""

    ORDER_SHARE = 0.125
    CREDIT_SHARE = 0.07

    def __init__(
        self,
        seed: int,
        now_ts: int,
        currencies: dict[int, str],
        first_ids: Sequence[int],
        agent: str = "demo",
    ) -> None:
        self.rng = Random(seed * 7_919 + 17)
        self.now_ts = now_ts
        self.currencies = currencies
        self.agent = agent
        self.next_order, self.next_item, self.next_memo, self.next_balance, self.next_history = (
            first_ids
        )
        self.totals = {table: 0 for table, _ in TABLES}

    def batch(self, customers: Sequence[Sequence[Any]]) -> SalesRows:
        """Rows for *customers* (tuples in ``demo.CUSTOMER_COLUMNS`` order: id, website_id,
        …, store_view_id at 5, created_at at 6)."""
        out = SalesRows()
        r = self.rng.random
        for customer in customers:
            roll = r()
            if roll >= self.ORDER_SHARE:
                continue
            self._customer(customer, roll < self.CREDIT_SHARE, out)
        for table, _ in TABLES:
            self.totals[table] += out.count(table)
        return out

    def _customer(self, customer: Sequence[Any], has_credit: bool, out: SalesRows) -> None:
        rng = self.rng
        r = rng.random
        cid, website, store_view, created = customer[0], customer[1], customer[5], customer[6]
        currency = self.currencies[website]
        scale = 10 ** money.minor_units(currency)
        start = _parse(created)
        now = self.now_ts
        life = max(1, now - start)
        balance = 0
        balance_id: int | None = None
        rows = out.rows

        def move(at: int, action: int, delta: int, info: str | None, **extra: Any) -> None:
            nonlocal balance, balance_id
            if balance_id is None:
                balance_id = self.next_balance
                self.next_balance += 1
            balance += delta
            hid = self.next_history
            self.next_history += 1
            staff = self.agent if action in (1, 2, 4, 5) else "storefront"
            rows["store_credit_history"].append(
                (
                    hid, balance_id, cid, _ts(at), action, delta, balance, info,
                    1 if extra.get("notified") else 0, f"demo:{hid:012d}", None, staff,
                    extra.get("order_id"), extra.get("memo_id"),
                )
            )  # fmt: skip

        at = start + int(life * r() * 0.3)
        if has_credit:
            grant = (1 + int(r() * 10)) * 5 * scale
            comment = WELCOME[int(r() * len(WELCOME))]
            info = f"By admin: {self.agent}." + (f" ({comment})" if comment else "")
            move(at, 2, grant, info, notified=r() < 0.4)
        n_orders = 1 + int(r() ** 2 * 4)
        for _ in range(n_orders):
            at += int((now - at) * r() * 0.6) + 60
            if at >= now:
                break
            order_id = self.next_order
            self.next_order += 1
            number = f"{order_id:09d}"
            subtotal = 0
            for _line in range(1 + int(r() ** 1.5 * 3)):
                sku, name, cents = CATALOGUE[int(r() * len(CATALOGUE))]
                qty = 1 + int(r() ** 3 * 3)
                price = cents * scale // 100
                subtotal += qty * price
                rows["sales_order_item"].append((self.next_item, order_id, sku, name, qty, price))
                self.next_item += 1
            used = 0
            if balance > 0 and r() < 0.6:
                used = min(balance, subtotal if r() < 0.5 else max(1, int(subtotal * r())))
                move(at, 3, -used, f"Order #{number}", order_id=order_id)
            age = now - at
            refunded = 0
            updated = at
            if age < 7 * DAY:
                status = "pending" if r() < 0.5 and used < subtotal else "processing"
            else:
                status = "complete"
            if status == "pending" and r() < 0.3:
                status = "canceled"
                updated = at + int(min(age, DAY) * r())
                if used:
                    move(updated, 5, used, f"Order #{number}", order_id=order_id)
            elif status in ("processing", "complete") and r() < 0.12:
                memo_id = self.next_memo
                self.next_memo += 1
                full = r() < 0.4
                refunded = subtotal if full else max(1, int(subtotal * r() * 0.8))
                updated = at + int(min(age, 14 * DAY) * r())
                memo_number = f"{memo_id:09d}"
                comment = MEMO_COMMENTS[int(r() * len(MEMO_COMMENTS))]
                rows["sales_creditmemo"].append(
                    (memo_id, memo_number, order_id, refunded, comment, _ts(updated),
                     self.agent, f"demo-memo:{memo_id:010d}")
                )  # fmt: skip
                move(
                    updated,
                    4,
                    refunded,
                    f"Order #{number}, creditmemo #{memo_number}",
                    order_id=order_id,
                    memo_id=memo_id,
                )
                if full:
                    status = "closed"
            rows["sales_order"].append(
                (order_id, number, cid, website, store_view, status, _ts(at), _ts(updated),
                 currency, subtotal, subtotal - used, used, refunded, None)
            )  # fmt: skip
            at = max(at, updated)
        if balance_id is not None and balance > 0 and r() < 0.2:
            delta = -max(1, int(balance * r() * 0.5)) if r() < 0.5 else (1 + int(r() * 4)) * scale
            comment = CORRECTIONS[int(r() * len(CORRECTIONS))]
            info = f"By admin: {self.agent}." + (f" ({comment})" if comment else "")
            move(min(now, at + 3600), 1, delta, info)
        if balance_id is not None:
            rows["store_credit_balance"].append((balance_id, cid, website, balance, currency))


def for_demo(seed: int, now_ts: int) -> SalesGenerator:
    """A generator for the shop being built: websites' currencies and the first free ids."""
    from peewee import fn

    from custtui.models import (
        CreditMemo,
        Order,
        OrderItem,
        StoreCreditBalance,
        StoreCreditHistory,
        Website,
    )

    def next_id(model: Any) -> int:
        return int(model.select(fn.MAX(model.id)).scalar() or 0) + 1

    currencies = {w.id: w.currency_code for w in Website.select()}
    models = (Order, OrderItem, CreditMemo, StoreCreditBalance, StoreCreditHistory)
    return SalesGenerator(seed, now_ts, currencies, [next_id(m) for m in models])


def insert_sql(table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def load_sqlite(conn: Any, rows: SalesRows) -> None:
    """One batch through the raw ``sqlite3`` connection (the demo's fast path)."""
    for table, columns in TABLES:
        if rows.rows[table]:
            conn.executemany(insert_sql(table, columns), rows.rows[table])


def load_portable(rows: SalesRows, chunk: int) -> None:
    """One batch through peewee ``insert_many`` (PostgreSQL and any other backend)."""
    from custtui.models import (
        CreditMemo,
        Order,
        OrderItem,
        StoreCreditBalance,
        StoreCreditHistory,
    )

    models = dict(
        zip(
            [t for t, _ in TABLES],
            (Order, OrderItem, CreditMemo, StoreCreditBalance, StoreCreditHistory),
            strict=True,
        )
    )
    for table, columns in TABLES:
        model = models[table]
        fields = [model._meta.columns[name] for name in columns]
        data = rows.rows[table]
        for at in range(0, len(data), chunk):
            model.insert_many(data[at : at + chunk], fields=fields).as_rowcount().execute()


SEQUENCE_TABLES = tuple(table for table, _ in TABLES)
"""Tables whose serial a PostgreSQL build moves past the demo's explicit ids."""
