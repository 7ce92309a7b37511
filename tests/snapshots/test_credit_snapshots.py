"""SVG snapshots of the editor's Store Credit and Orders tabs and the order view, at 80×24
and 120×40, on the fixed shop and clock (look at them)."""

from __future__ import annotations

import pytest

from custtui.services import orders, store_credit
from custtui.services.actor import STOREFRONT, Actor
from custtui.widgets.inputs import TextInput
from tests.snapshots.test_snapshots import SIZES, open_customer_tab, settle

SAM = Actor(None, "sam", "support")


def _history(app) -> None:
    """Veronica's money over a few days: credit, two orders, a refund and a cancellation."""
    tick = app.clock

    def adjust(amount: str, comment: str | None = None, notify: bool = False) -> None:
        store_credit.adjust(
            SAM, 1, 1, amount, request_id=store_credit.new_request_id(), comment=comment,
            notify=notify,
        )  # fmt: skip
        tick.advance(hours=7)

    tick.advance(days=-10)
    adjust("50", "Welcome to the loyalty club", notify=True)
    paid = orders.place_order(
        STOREFRONT, 1,
        [{"sku": "BAG-1", "name": "Leather bag [/]", "qty": 1, "price": "45.00"},
         {"sku": "SOCK-2", "name": "Wool socks", "qty": 3, "price": "4.50"}],
        use_store_credit=2000,
    )  # fmt: skip
    tick.advance(days=1)
    orders.create_credit_memo(
        SAM, paid.id, "12.50", request_id=store_credit.new_request_id(), comment="Torn strap"
    )
    tick.advance(days=1)
    pending = orders.place_order(
        STOREFRONT, 1, [{"sku": "PEN-3", "name": "Fountain pen", "qty": 1, "price": "30.00"}],
        use_store_credit=1500, capture=False,
    )  # fmt: skip
    tick.advance(hours=3)
    orders.place_order(
        STOREFRONT, 1, [{"sku": "INK-4", "name": "Ink", "qty": 2, "price": "6.00"}],
        use_store_credit=500, capture=False,
    )  # fmt: skip
    tick.advance(days=1)
    orders.cancel(SAM, pending.id)
    tick.advance(days=2)
    adjust("-7.25", "Goodwill reversed: duplicate ticket")
    tick.advance(days=4)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_store_credit_tab(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        _history(pilot.app)
        await open_customer_tab(pilot, 1, "credit")
        pilot.app.screen.query_one("#sc-amount").focus()
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_store_credit_tab_with_an_error(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        _history(pilot.app)
        await open_customer_tab(pilot, 1, "credit")
        amount = pilot.app.screen.query_one("#sc-amount", TextInput)
        amount.focus()
        amount.value = "-500"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_orders_tab(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        _history(pilot.app)
        await open_customer_tab(pilot, 1, "orders")
        pilot.app.screen.query_one("#orders-grid").focus()
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_order_view(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        _history(pilot.app)
        await open_customer_tab(pilot, 1, "orders")
        grid = pilot.app.screen.query_one("#orders-grid")
        grid.focus()
        grid.cursor_row = 2  # the oldest: invoiced, partly refunded
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
