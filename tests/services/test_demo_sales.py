"""Demo orders and store credit: realistic, reproducible, and exact for ``credit verify``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from peewee import Database

from custtui.models import (
    CreditMemo,
    Order,
    OrderItem,
    StoreCreditBalance,
    StoreCreditHistory,
    open_database,
)
from custtui.services import orders, store_credit
from custtui.services.actor import STOREFRONT, Actor
from custtui.services.demo import build_demo
from custtui.services.store_credit_verify import verify


def _hash(db: Database, table: str) -> str:
    digest = hashlib.sha256()
    for row in db.execute_sql(f"SELECT * FROM {table} ORDER BY id"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _build(path: Path, count: int = 2_000, seed: int = 3) -> tuple[Database, object]:
    db = open_database(f"sqlite:///{path}")
    return db, build_demo(db, count, seed=seed)


def test_demo_has_orders_and_exact_store_credit(tmp_path: Path, fixed_clock) -> None:
    db, summary = _build(tmp_path / "d.db")
    assert summary.orders == Order.select().count() > 200
    assert summary.store_credit_balances == StoreCreditBalance.select().count() > 80
    assert OrderItem.select().count() > summary.orders
    assert CreditMemo.select().count() > 10
    statuses = {o.status for o in Order.select(Order.status).distinct()}
    assert {"complete", "closed"} <= statuses
    actions = {h.action for h in StoreCreditHistory.select(StoreCreditHistory.action).distinct()}
    assert {1, 2, 3, 4} <= actions
    first = Order.get_by_id(1)
    assert first.increment_id == "000000001"
    assert first.currency_code == ("EUR" if first.website_id != 1 else "USD")
    report = verify()
    assert report.ok, report.problems[:5]
    db.close()


def test_same_seed_gives_the_same_sales(tmp_path: Path, fixed_clock) -> None:
    hashes = []
    for name in ("a.db", "b.db"):
        db, _ = _build(tmp_path / name, 800, seed=5)
        hashes.append([_hash(db, t) for t in ("sales_order", "store_credit_history")])
        db.close()
    assert hashes[0] == hashes[1]


def test_services_work_on_top_of_the_demo(tmp_path: Path, fixed_clock) -> None:
    """Ids continue after the demo's explicit ones; new movements keep the ledger exact."""
    db, _ = _build(tmp_path / "d.db", 600)
    balance = StoreCreditBalance.select().order_by(StoreCreditBalance.id).first()
    admin = Actor(None, "admin", "admin")
    store_credit.adjust(
        admin, balance.customer_id, balance.website_id, 500,
        request_id=store_credit.new_request_id(),
    )  # fmt: skip
    order = orders.place_order(
        STOREFRONT, balance.customer_id, [{"sku": "X", "name": "X", "qty": 1, "price": 900}],
        use_store_credit=True,
    )  # fmt: skip
    assert int(order.increment_id) == Order.select().count()
    assert verify().ok
    db.close()


def test_demo_sales_on_postgresql(pg_shop) -> None:
    summary = build_demo(pg_shop, customers=400, seed=3)
    assert summary.orders == Order.select().count() > 0
    assert verify().ok
    balance = StoreCreditBalance.select().order_by(StoreCreditBalance.id).first()
    movement = store_credit.adjust(
        Actor(None, "admin", "admin"), balance.customer_id, balance.website_id, 100,
        request_id=store_credit.new_request_id(),
    )  # fmt: skip
    assert movement.history_id == StoreCreditHistory.select().count()
    assert verify().ok
