"""Pilot tests of the editor's Store Credit and Orders tabs: update the balance (and its
errors, retries, notification, permissions), open an order, refund it, cancel one."""

from __future__ import annotations

import io

import pytest
from peewee import OperationalError
from rich.console import Console
from textual.widgets import Checkbox, Static

from custtui.app import make_app
from custtui.models import CreditMemo, Order, OutboxMessage, StoreCreditHistory
from custtui.screens.account_editor import AccountEditorScreen
from custtui.screens.confirm import ConfirmScreen
from custtui.screens.order_view import CreditMemoScreen, OrderScreen
from custtui.screens.orders_tab import OrdersTab
from custtui.screens.store_credit_tab import StoreCreditTab
from custtui.services import clock, orders, store_credit
from custtui.services.actor import STOREFRONT, Actor
from custtui.settings import Settings
from custtui.widgets.inputs import TextInput
from custtui.widgets.sql_grid import SqlGrid
from tests.fixture_shop import FIXED_NOW
from tests.ui.test_customers_screen import settle

ADMIN = Actor(1, "admin", "admin")


def rendered(renderable) -> str:
    console = Console(width=94, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_tab(pilot, customer_id: int, tab: str) -> None:
    await settle(pilot)
    pilot.app.open_customer(customer_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, AccountEditorScreen)
    pilot.app.screen.query_one("#tabs").active = tab
    await settle(pilot)


def credit_tab(app) -> StoreCreditTab:
    return app.screen.query_one(StoreCreditTab)


async def type_into(pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, TextInput)
    field.focus()
    field.value = text
    await pilot.pause()


async def test_update_balance_saves_and_shows_the_history(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, 1, "credit")
        tab = credit_tab(app)
        first_key = tab.request_id
        assert "Main Website $0.00" in text_of(app, "#sc-balances")
        await type_into(pilot, "#sc-amount", "12.50")
        await type_into(pilot, "#sc-comment", "Late [b]parcel[/b]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        row = StoreCreditHistory.get()
        assert (row.delta, row.balance_after, row.request_id) == (1250, 1250, first_key)
        assert row.additional_info == "By admin: admin. (Late [b]parcel[/b])"
        assert tab.request_id != first_key  # the next adjustment is a new request
        assert "Main Website $12.50" in text_of(app, "#sc-balances")
        assert text_of(app, "#sc-status") == (
            "Created +$12.50 on Main Website; the balance is $12.50."
        )
        assert app.screen.query_one("#sc-amount", TextInput).value == ""
        grid = app.screen.query_one("#sc-history", SqlGrid)
        assert grid.row_count == 1
        assert grid.row_at(0).cells[2:5] == ("Created", "+$12.50", "$12.50")
        # Enter in Amount saves too.
        await type_into(pilot, "#sc-amount", "-2.5")
        await pilot.press("enter")
        await settle(pilot)
        assert store_credit.balance_amount(1, 1) == 1000
        assert grid.row_at(0).cells[2:5] == ("Updated", "-$2.50", "$10.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1,000.5.5", "Amount '1,000.5.5' has more than one decimal point."),
        ("", "Amount is required: enter an amount such as 12.50, -5 or +3."),
        ("-5", "The store credit balance on Main Website is $0.00; you cannot subtract $5.00."),
    ],
)
async def test_errors_show_under_the_amount_and_keep_the_request(app, amount, message):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tab(pilot, 1, "credit")
        tab = credit_tab(app)
        key = tab.request_id
        await type_into(pilot, "#sc-amount", amount)
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#sc-err-amount", Static)
        assert error.has_class("-shown") and str(error.render()) == message
        assert text_of(app, "#sc-status") == "Not saved."
        assert app.screen.query_one("#sc-amount", TextInput).value == amount  # kept
        assert app.screen.focused is app.screen.query_one("#sc-amount")
        assert tab.request_id == key
        assert StoreCreditHistory.select().count() == 0
        # Fixing it clears the error.
        await type_into(pilot, "#sc-amount", "3")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not error.has_class("-shown")
        assert store_credit.balance_amount(1, 1) == 300


async def test_a_retry_after_an_unconfirmed_save_applies_once(app, monkeypatch):
    """The first save is committed but its answer is lost (an I/O error after COMMIT): the
    form keeps its request id, and ctrl+s again gets the first result back."""
    real = store_credit.adjust
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        result = real(*args, **kwargs)
        if calls["n"] == 1:
            raise OperationalError("disk I/O error")
        return result

    monkeypatch.setattr(store_credit, "adjust", flaky)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, 1, "credit")
        tab = credit_tab(app)
        key = tab.request_id
        await type_into(pilot, "#sc-amount", "20")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not confirmed (disk I/O error). Press ctrl+s again" in text_of(app, "#sc-status")
        assert tab.request_id == key
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert calls["n"] == 2
        assert StoreCreditHistory.select().count() == 1
        assert store_credit.balance_amount(1, 1) == 2000
        assert text_of(app, "#sc-status").startswith("Already applied earlier: Created +$20.00")


async def test_notify_customer_queues_the_email(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, 1, "credit")
        assert app.screen.query_one("#sc-store-view").disabled
        app.screen.query_one("#sc-notify", Checkbox).value = True
        await pilot.pause()
        assert not app.screen.query_one("#sc-store-view").disabled
        await type_into(pilot, "#sc-amount", "5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = OutboxMessage.get(
            OutboxMessage.template_code == "customer_magento_customerbalance_email_template"
        )
        assert message.recipient_email == "roni_cost@example.com"
        assert StoreCreditHistory.get().customer_notified
        assert "The customer will receive an email." in text_of(app, "#sc-status")
        grid = app.screen.query_one("#sc-history", SqlGrid)
        assert grid.row_at(0).cells[5] == "Notified"


async def test_a_viewer_sees_the_credit_but_cannot_change_it(fixture_db):
    app = make_app(
        fixture_db,
        Settings(theme="textual-dark", cursor_blink=False),
        clock.FixedClock(FIXED_NOW),
        actor=Actor(None, "vic", "viewer"),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, 1, "credit")
        assert app.screen.query_one("#sc-amount").disabled
        assert app.screen.query_one("#sc-save").disabled
        assert "does not allow updating store credit balances" in text_of(app, "#sc-status")


async def test_new_customers_have_no_credit_or_orders_tabs(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.go_to("new-customer")
        await settle(pilot)
        tabs = app.screen.query_one("#tabs")
        for pane in ("credit", "orders"):
            assert tabs.get_tab(pane).display is False


def _orders_for_veronica() -> tuple[int, int]:
    """Veronica (customer 1) with $30 of credit, an invoiced order that used $20 of it and a
    pending one that used $5."""
    store_credit.adjust(ADMIN, 1, 1, "30", request_id=store_credit.new_request_id())
    paid = orders.place_order(
        STOREFRONT, 1, [{"sku": "BAG-1", "name": "Bag [/]", "qty": 1, "price": 4500}],
        use_store_credit=2000,
    )  # fmt: skip
    pending = orders.place_order(
        STOREFRONT, 1, [{"sku": "PEN-2", "name": "Pen", "qty": 3, "price": 300}],
        use_store_credit=500, capture=False,
    )  # fmt: skip
    return paid.id, pending.id


async def test_refund_an_order_to_store_credit(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.install(clock.FixedClock(FIXED_NOW))
        paid, _pending = _orders_for_veronica()
        await open_tab(pilot, 1, "orders")
        grid = app.screen.query_one("#orders-grid", SqlGrid)
        assert grid.row_count == 2
        grid.focus()
        grid.cursor_row = [grid.row_at(0).id, grid.row_at(1).id].index(paid)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        lines = rendered(app.screen.query_one("#order-lines", Static).content)
        assert "BAG-1  Bag [/]" in lines  # customer text shown literally
        assert "Paid with Store Credit  -$20.00" in lines
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, CreditMemoScreen)
        amount = app.screen.query_one("#memo-amount", TextInput)
        assert amount.value == "20.00"  # the part paid with store credit
        amount.value = "50"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        error = app.screen.query_one("#memo-err-amount", Static)
        assert str(error.render()) == (
            "At most $45.00 of order #000000001 can still be refunded; $50.00 is more."
        )
        amount.value = "25"
        app.screen.query_one("#memo-comment", TextInput).value = "Torn strap"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Refund $25.00 to store credit?" in str(app.screen.query_one("#title").render())
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        memo = CreditMemo.get()
        assert (memo.amount, memo.comment, memo.increment_id) == (2500, "Torn strap", "000000001")
        assert store_credit.balance_amount(1, 1) == 3000
        assert "Credit memo #000000001 refunded $25.00 of order #000000001" in text_of(
            app, "#orders-status"
        )
        assert grid.row_at([grid.row_at(0).id, grid.row_at(1).id].index(paid)).cells[6] == (
            "$25.00"
        )
        assert "Main Website $30.00" in text_of(app, "#sc-balances")  # Store Credit reloaded


async def test_cancel_an_order_from_the_grid_gives_back_its_credit(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.install(clock.FixedClock(FIXED_NOW))
        paid, pending = _orders_for_veronica()
        await open_tab(pilot, 1, "orders")
        grid = app.screen.query_one("#orders-grid", SqlGrid)
        grid.focus()
        ids = [grid.row_at(0).id, grid.row_at(1).id]
        grid.cursor_row = ids.index(paid)
        await pilot.press("c")
        await settle(pilot)
        assert "(invoiced); refund it with a credit memo instead (r)" in text_of(
            app, "#orders-status"
        )
        grid.cursor_row = ids.index(pending)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "The $5.00 of store credit it used goes back" in str(
            app.screen.query_one("#message").render()
        )
        await pilot.press("y")
        await settle(pilot)
        assert Order.get_by_id(pending).status == "canceled"
        assert store_credit.balance_amount(1, 1) == 500 + 500
        assert grid.row_at(ids.index(pending)).cells[3] == "Canceled"
        assert text_of(app, "#orders-status") == (
            "Order #000000002 is canceled. +$5.00 store credit given back; the balance is $10.00."
        )


async def test_the_order_view_says_why_an_action_is_not_possible(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.install(clock.FixedClock(FIXED_NOW))
        paid, pending = _orders_for_veronica()
        await open_tab(pilot, 1, "orders")
        tab = app.screen.query_one(OrdersTab)
        tab.open_order(paid)
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)  # nothing asked, nothing done
        assert "(invoiced); refund it with a credit memo instead (r)." in text_of(
            app, "#order-status"
        )
        await pilot.press("escape")
        await settle(pilot)
        tab.open_order(pending)
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert "is not invoiced yet: cancel it instead (c)" in text_of(app, "#order-status")
        assert Order.get_by_id(pending).status == "pending"


async def test_a_single_website_shop_leaves_out_the_website_column(shop, fixed_clock):
    from tests.factories import make_customer

    ada = make_customer()
    store_credit.adjust(ADMIN, ada.id, 1, "12.50", request_id="single-site-1", comment="Hi")
    app = make_app(shop, Settings(staff="admin", theme="textual-dark", cursor_blink=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, ada.id, "credit")
        history = app.screen.query_one("#sc-history", SqlGrid)
        assert [c.label for c in history.columns] == [
            "Date",
            "Action",
            "Balance Change",
            "Balance",
            "Customer notified",
            "More information",
        ]
        assert history.row_at(0).cells[1:3] == ("Created", "+$12.50")


async def test_a_credit_memo_from_the_grid_for_a_pending_order_says_to_cancel(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.install(clock.FixedClock(FIXED_NOW))
        _paid, pending = _orders_for_veronica()
        await open_tab(pilot, 1, "orders")
        grid = app.screen.query_one("#orders-grid", SqlGrid)
        grid.focus()
        grid.cursor_row = [grid.row_at(0).id, grid.row_at(1).id].index(pending)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, CreditMemoScreen)
        assert "is not invoiced yet: cancel it instead (c)" in text_of(app, "#memo-err-form")
        assert app.screen.query_one("#memo-ok").disabled
        assert CreditMemo.select().count() == 0
