"""Writer processes for the store credit concurrency and crash tests.

Run as ``python -m tests.services.credit_workers writer DB_PATH CUSTOMER_ID SEED``: it prints
``ready`` and then moves store credit on one account in a loop — staff adjustments, orders
paid with credit, credit memos and cancellations — until it is killed. The multi-process test
calls :func:`adjust_many` in worker processes instead.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from peewee import OperationalError

from custtui.models import open_database
from custtui.services import orders, store_credit
from custtui.services.actor import STOREFRONT, Actor
from custtui.services.errors import ServiceError

AGENT = Actor(None, "worker", "admin")


def _retrying(call: Any, *args: Any, **kwargs: Any) -> Any:
    """A call retried after "database is locked" (busy for longer than the timeout), with
    the same arguments — and so the same request id: it applies at most once."""
    for _ in range(1000):
        try:
            return call(*args, **kwargs)
        except OperationalError:
            time.sleep(random.uniform(0, 0.005))
    raise RuntimeError("database stayed locked")


def adjust_many(
    path: str, customer_id: int, process: int, operations: int, kind: str
) -> dict[str, int]:
    """*operations* adjustments on one account; ``kind`` ``mixed`` (credits and smaller
    debits, never refused) or ``overdraft`` (debits of 50, refused once the balance is gone).
    Ends by re-submitting its first request id, which must not apply again."""
    open_database(f"sqlite:///{path}")
    stats = {"applied": 0, "refused": 0, "replayed": 0}
    first = None
    for i in range(operations):
        if kind == "overdraft":
            amount = -50
        else:
            amount = (process + 1) * 100 + i if i % 5 != 4 else -((process + 1) * 10)
        request_id = f"p{process}-op{i:05d}"
        first = first or (request_id, amount)
        try:
            _retrying(store_credit.adjust, AGENT, customer_id, 1, amount, request_id=request_id)
            stats["applied"] += 1
        except store_credit.InsufficientCredit:
            stats["refused"] += 1
    if first is not None:
        try:
            again = _retrying(
                store_credit.adjust, AGENT, customer_id, 1, first[1], request_id=first[0]
            )
            stats["replayed"] += 0 if again.applied else 1
        except store_credit.InsufficientCredit:
            stats["replayed"] += 1  # the first attempt was refused, and so is this one
    return stats


def writer(path: str, customer_id: int, seed: int) -> None:
    """Every kind of movement, forever (until SIGKILL)."""
    rng = random.Random(seed)
    open_database(f"sqlite:///{path}")
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        roll = rng.random()
        try:
            if roll < 0.45:
                amount = rng.randint(-500, 1000) or 1
                _retrying(
                    store_credit.adjust,
                    AGENT,
                    customer_id,
                    1,
                    amount,
                    request_id=f"s{seed}-{n:07d}",
                )
            elif roll < 0.75:
                price = rng.randint(100, 2000)
                _retrying(
                    orders.place_order,
                    STOREFRONT,
                    customer_id,
                    [{"sku": "K9", "name": "Kill test", "qty": 1, "price": price}],
                    use_store_credit=True if rng.random() < 0.5 else rng.randint(1, price),
                    capture=rng.random() < 0.5,
                    request_id=f"o{seed}-{n:07d}",
                )
            else:
                recent = orders.customer_orders(customer_id, limit=5)
                if not recent:
                    continue
                order = rng.choice(recent)
                if order.can_cancel:
                    _retrying(orders.cancel, AGENT, order.id)
                elif order.refundable:
                    _retrying(
                        orders.create_credit_memo,
                        AGENT,
                        order.id,
                        rng.randint(1, order.refundable),
                        request_id=f"m{seed}-{n:07d}",
                    )
        except ServiceError:
            pass  # refused (not enough credit, raced with another movement): nothing applied


if __name__ == "__main__":
    if sys.argv[1] == "writer":
        writer(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
