"""The customer page's **Orders** tab: the customer's orders, newest first, in the SQL-backed
grid. enter opens an order (items, totals, credit memos); from there — or straight from the
grid — r issues a credit memo that refunds to store credit and c cancels an order that was
not invoiced, giving back the store credit it used. Both ask first. The rules are in
:mod:`custtui.services.orders`.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from peewee import DatabaseError, InterfaceError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from custtui.screens.dbwork import in_thread
from custtui.services import orders
from custtui.services.errors import ServiceError
from custtui.widgets.sql_grid import GridColumn, GridRow, SqlGrid

ORDER_COLUMNS = (
    GridColumn("increment_id", "Order #", 10),
    GridColumn("created_at", "Purchased", 16),
    GridColumn("website", "Website", 14),
    GridColumn("status", "Status", 10),
    GridColumn("grand_total", "Grand Total", 12, numeric=True),
    GridColumn("store_credit", "Store Credit", 12, numeric=True),
    GridColumn("refunded", "Refunded", 12, numeric=True),
)


def order_row(order: orders.OrderView, tz: tzinfo | None) -> GridRow:
    when = order.created_at.astimezone(tz) if tz else order.created_at
    return GridRow(
        order.id,
        (
            order.increment_id,
            when.strftime("%Y-%m-%d %H:%M"),
            order.website_name,
            order.status_label,
            order.shown(order.grand_total),
            order.shown(order.store_credit_used),
            order.shown(order.total_refunded),
        ),
    )


class OrdersTab(Vertical):
    """The Orders tab; the account editor calls :meth:`load_customer` on every load."""

    BINDINGS = [
        Binding("r", "credit_memo", "Credit Memo", id="orders.credit_memo"),
        Binding("c", "cancel_order", "Cancel Order", id="orders.cancel"),
    ]

    DEFAULT_CSS = """
    OrdersTab { height: 1fr; }
    OrdersTab #orders-hint { height: 1; padding: 0 1; color: $text-muted; }
    OrdersTab #orders-status { height: auto; padding: 0 1; }
    OrdersTab #orders-status.-error { color: $text-error; }
    OrdersTab #orders-grid { height: 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.customer_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            "enter opens an order · r credit memo (refund to store credit) · c cancel",
            id="orders-hint",
            markup=False,
        )
        yield SqlGrid(ORDER_COLUMNS, empty_text="The customer has no orders.", id="orders-grid")
        yield Static("", id="orders-status", markup=False)

    def load_customer(self, customer_id: int | None) -> None:
        if customer_id is None:
            return
        self.customer_id = customer_id
        self.reload()

    def reload(self) -> None:
        if self.customer_id is not None:
            self._load(self.customer_id)

    @work(thread=True, exclusive=True, group="orders-load", exit_on_error=False)
    def _load(self, customer_id: int) -> None:
        source = orders.OrderSource(customer_id)
        try:
            total = in_thread(source.count)
        except (ServiceError, DatabaseError, InterfaceError) as error:
            self.app.call_from_thread(self.say, f"Orders could not be read: {error}", True)
            return
        self.app.call_from_thread(self._show, source, total)

    def _show(self, source: orders.OrderSource, total: int) -> None:
        tz = getattr(self.app, "display_timezone", None)

        def load(offset: int, limit: int) -> list[GridRow]:
            return [order_row(o, tz) for o in in_thread(source.page, offset, limit)]

        grid = self.query_one("#orders-grid", SqlGrid)
        if grid.loader is None:
            grid.reset(total, load)
        else:
            grid.loader = load
            grid.reload(total)

    def say(self, text: str, error: bool = False) -> None:
        status = self.query_one("#orders-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def _cursor_order(self) -> int | None:
        return self.query_one("#orders-grid", SqlGrid).cursor_id

    @on(SqlGrid.RowActivated)
    def _open(self, event: SqlGrid.RowActivated) -> None:
        event.stop()
        self.open_order(event.row_id)

    def open_order(self, order_id: int) -> None:
        from custtui.screens.order_view import OrderScreen

        self.app.push_screen(OrderScreen(order_id), self._after)

    def action_credit_memo(self) -> None:
        from custtui.screens.order_view import CreditMemoScreen

        order_id = self._cursor_order()
        if order_id is not None:
            self.app.push_screen(CreditMemoScreen(order_id), self._after)

    def action_cancel_order(self) -> None:
        order_id = self._cursor_order()
        if order_id is not None:
            self._cancel_from_grid(order_id)

    @work(thread=True, exit_on_error=False, group="orders-cancel")
    def _cancel_from_grid(self, order_id: int) -> None:
        from custtui.screens.order_view import confirm_cancel

        try:
            order = in_thread(orders.get, order_id)
        except (ServiceError, DatabaseError, InterfaceError) as error:
            self.app.call_from_thread(self.say, str(error), True)
            return
        if order.cancel_refusal is not None:
            self.app.call_from_thread(self.say, order.cancel_refusal, True)
            return
        self.app.call_from_thread(confirm_cancel, self.app, order, self._after)

    def _after(self, message: str | None) -> None:
        """An order action finished (or the order view closed): refresh both money tabs."""
        if not message:
            return
        from custtui.screens.store_credit_tab import StoreCreditTab

        self.say(message)
        self.notify(message, markup=False, timeout=5)
        self.reload()
        for tab in self.screen.query(StoreCreditTab):
            tab.reload()
