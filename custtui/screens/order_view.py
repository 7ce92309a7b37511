"""One order: its items and totals, its credit memos, and the two things staff do with it —
a credit memo that refunds to store credit, and canceling an order that was not invoiced
(which gives back the store credit it used). Both confirm first, naming the amount.

Each screen answers with a message for the Orders tab (or None when nothing happened), so
the tab can refresh itself and the Store Credit tab.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peewee import DatabaseError, InterfaceError
from rich.align import Align
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from custtui.screens.confirm import ConfirmScreen
from custtui.screens.dbwork import in_thread
from custtui.services import money, orders, store_credit
from custtui.services.errors import ServiceError, ValidationError
from custtui.widgets.inputs import TextInput
from custtui.widgets.text import plain

Done = Callable[[str | None], None]


def _when(app: App[Any], moment: Any) -> str:
    tz = getattr(app, "display_timezone", None)
    return (moment.astimezone(tz) if tz else moment).strftime("%Y-%m-%d %H:%M")


def order_text(app: App[Any], order: orders.OrderView) -> Table:
    """Items, totals and credit memos of *order* as one table (customer text stays plain)."""
    outer = Table.grid(expand=True)
    outer.add_column()
    items = Table(box=None, expand=True, header_style="bold", pad_edge=False)
    items.add_column("SKU", no_wrap=True)
    items.add_column("Product", ratio=1)
    items.add_column("Qty", justify="right")
    items.add_column("Price", justify="right", no_wrap=True)
    items.add_column("Row Total", justify="right", no_wrap=True)
    for item in order.items:
        items.add_row(
            plain(item.sku),
            plain(item.name),
            str(item.qty),
            order.shown(item.price),
            order.shown(item.row_total),
        )
    outer.add_row(items)
    totals = Table.grid(padding=(0, 2))
    totals.add_column(justify="right", style="bold")
    totals.add_column(justify="right", no_wrap=True)
    totals.add_row("Subtotal", order.shown(order.subtotal))
    totals.add_row("Paid with Store Credit", order.shown(-order.store_credit_used))
    totals.add_row("Grand Total", order.shown(order.grand_total))
    totals.add_row("Refunded to Store Credit", order.shown(order.total_refunded))
    outer.add_row(Text(""))
    outer.add_row(Align.right(totals))
    if order.credit_memos:
        memos = Table(box=None, expand=True, header_style="bold", pad_edge=False, title=None)
        memos.add_column("Credit Memo", no_wrap=True)
        memos.add_column("Created", no_wrap=True)
        memos.add_column("Refunded", justify="right", no_wrap=True)
        memos.add_column("By", no_wrap=True)
        memos.add_column("Comment", ratio=1)
        for memo in order.credit_memos:
            memos.add_row(
                f"#{memo.increment_id}",
                _when(app, memo.created_at),
                order.shown(memo.amount),
                plain(memo.staff_username or ""),
                plain(memo.comment or ""),
            )
        outer.add_row(Text(""))
        outer.add_row(memos)
    return outer


def _heading(app: App[Any], order: orders.OrderView) -> Text:
    text = Text()
    text.append(f"Order #{order.increment_id}", style="bold")
    text.append(f" · {order.status_label}\n")
    text.append(f"Purchased {_when(app, order.created_at)} · ")
    text.append_text(plain(order.website_name))
    text.append(f" · {order.currency_code}")
    return text


class OrderScreen(ModalScreen[str | None]):
    """The order view: r credit memo, c cancel, escape closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="order.close"),
        Binding("r", "credit_memo", "Credit Memo", id="order.credit_memo"),
        Binding("c", "cancel_order", "Cancel Order", id="order.cancel"),
    ]

    DEFAULT_CSS = """
    OrderScreen { align: center middle; }
    OrderScreen > Vertical { width: 96; max-width: 98%; height: auto; max-height: 95%;
        padding: 0 1; border: thick $primary; background: $surface; }
    OrderScreen #order-heading { height: auto; margin-bottom: 1; }
    OrderScreen #order-body { height: auto; max-height: 1fr; }
    OrderScreen #order-status { height: auto; color: $text-muted; }
    OrderScreen #order-status.-error { color: $text-error; }
    OrderScreen #order-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    OrderScreen Button { margin-left: 2; }
    """

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.order: orders.OrderView | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Loading…", id="order-heading", markup=False)
            with VerticalScroll(id="order-body"):
                yield Static("", id="order-lines", markup=False)
            yield Static("", id="order-status", markup=False)
            with Horizontal(id="order-buttons"):
                yield Button("Credit Memo (r)", id="order-memo", compact=True, disabled=True)
                yield Button("Cancel Order (c)", id="order-cancel", compact=True, disabled=True)
                yield Button("Close", id="order-close", compact=True, variant="primary")

    def on_mount(self) -> None:
        self.query_one("#order-close", Button).focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        try:
            order = in_thread(orders.get, self.order_id)
        except (ServiceError, DatabaseError, InterfaceError) as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._show, order)

    def _say(self, text: str, error: bool = False) -> None:
        status = self.query_one("#order-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def _show(self, order: orders.OrderView) -> None:
        self.order = order
        self.query_one("#order-heading", Static).update(_heading(self.app, order))
        self.query_one("#order-lines", Static).update(order_text(self.app, order))
        self.query_one("#order-memo", Button).disabled = order.refundable <= 0
        self.query_one("#order-cancel", Button).disabled = not order.can_cancel
        if order.refundable > 0:
            hint = f"{order.shown(order.refundable)} can still be refunded to store credit."
        elif order.can_cancel:
            hint = "Not invoiced yet: canceling gives back the store credit it used."
        else:
            hint = f"The order is {order.status_label.lower()}; nothing more can be done."
        self._say(hint)

    @on(Button.Pressed, "#order-close")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#order-memo")
    def action_credit_memo(self) -> None:
        if self.order is None:
            return
        if self.order.refund_refusal is not None:
            self._say(self.order.refund_refusal, True)
            return

        def done(message: str | None) -> None:
            if message:
                self.dismiss(message)

        self.app.push_screen(CreditMemoScreen(self.order_id), done)

    @on(Button.Pressed, "#order-cancel")
    def action_cancel_order(self) -> None:
        if self.order is None:
            return
        if self.order.cancel_refusal is not None:
            self._say(self.order.cancel_refusal, True)
            return

        def done(message: str | None) -> None:
            if message:
                self.dismiss(message)

        confirm_cancel(self.app, self.order, done)


class CreditMemoScreen(ModalScreen[str | None]):
    """New Credit Memo: the amount to refund to store credit (offered: see
    :func:`custtui.services.orders.default_refund`) and a comment; asks before refunding.
    The request id is made when the screen opens and reused if the refund is retried."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="creditmemo.close"),
        Binding("ctrl+s", "refund", "Refund", id="creditmemo.refund"),
    ]

    DEFAULT_CSS = """
    CreditMemoScreen { align: center middle; }
    CreditMemoScreen > Vertical { width: 72; max-width: 98%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface; }
    CreditMemoScreen #memo-heading { height: auto; margin-bottom: 1; }
    CreditMemoScreen .row { height: 1; }
    CreditMemoScreen .row Label { width: 24; }
    CreditMemoScreen .row TextInput { width: 1fr; background: $boost; }
    CreditMemoScreen .error { color: $text-error; padding-left: 24; height: auto; display: none; }
    CreditMemoScreen .error.-shown { display: block; }
    CreditMemoScreen #memo-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    CreditMemoScreen Button { margin-left: 2; }
    """

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.order: orders.OrderView | None = None
        self.request_id = store_credit.new_request_id()
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Loading…", id="memo-heading", markup=False)
            with Horizontal(classes="row"):
                yield Label("Refund to Store Credit")
                yield TextInput(id="memo-amount", compact=True, max_length=32)
            yield Static("", id="memo-err-amount", classes="error", markup=False)
            with Horizontal(classes="row"):
                yield Label("Comment")
                yield TextInput(
                    id="memo-comment", compact=True, max_length=store_credit.COMMENT_MAX
                )
            yield Static("", id="memo-err-comment", classes="error", markup=False)
            yield Static("", id="memo-err-form", classes="error", markup=False)
            with Horizontal(id="memo-buttons"):
                yield Button("Cancel", id="memo-close", compact=True)
                yield Button(
                    "Refund to Store Credit", id="memo-ok", compact=True, variant="warning"
                )

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        try:
            order = in_thread(orders.get, self.order_id)
            offered = in_thread(orders.default_refund, order)
        except (ServiceError, DatabaseError, InterfaceError) as error:
            self.app.call_from_thread(self._errors, {"form": str(error)})
            return
        self.app.call_from_thread(self._show, order, offered)

    def _show(self, order: orders.OrderView, offered: int) -> None:
        self.order = order
        heading = _heading(self.app, order)
        heading.append(
            f"\nPaid {order.shown(order.subtotal)} ({order.shown(order.store_credit_used)} "
            f"with store credit); {order.shown(order.refundable)} can still be refunded."
        )
        self.query_one("#memo-heading", Static).update(heading)
        amount = self.query_one("#memo-amount", TextInput)
        amount.value = money.to_text(offered, order.currency_code, grouping=False)
        amount.cursor_position = len(amount.value)
        amount.focus()
        if order.refund_refusal is not None:
            self.query_one("#memo-ok", Button).disabled = True
            self._errors({"form": order.refund_refusal})

    def _errors(self, errors: dict[str, str]) -> None:
        for name in ("amount", "comment", "form"):
            line = self.query_one(f"#memo-err-{name}", Static)
            line.update(errors.get(name, ""))
            line.set_class(name in errors, "-shown")

    @on(Button.Pressed, "#memo-close")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(TextInput.Submitted)
    @on(Button.Pressed, "#memo-ok")
    def _submit(self, event: Any) -> None:
        event.stop()
        self.action_refund()

    def action_refund(self) -> None:
        order = self.order
        if order is None or self._busy or self.query_one("#memo-ok", Button).disabled:
            return
        text = self.query_one("#memo-amount", TextInput).value
        comment = self.query_one("#memo-comment", TextInput).value
        try:  # only to name the amount in the question; the service checks everything
            minor = money.parse(
                text, order.currency_code, label="Refund to Store Credit", signed=False
            )
        except ValidationError as error:
            self._errors(error.errors)
            return
        self._errors({})
        shown = order.shown(minor)

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy = True
                self._refund(text, comment)

        self.app.push_screen(
            ConfirmScreen(
                f"Refund {shown} to store credit?",
                f"A credit memo for order #{order.increment_id} refunds {shown} to the "
                f"customer's store credit on {order.website_name}.",
                "Refund",
                danger=True,
            ),
            answered,
        )

    @work(thread=True, exit_on_error=False, group="credit-memo")
    def _refund(self, amount: str, comment: str) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            result = in_thread(
                orders.create_credit_memo,
                actor,
                self.order_id,
                amount,
                request_id=self.request_id,
                comment=comment,
            )
        except ValidationError as error:
            self.app.call_from_thread(self._failed, error.errors)
            return
        except ServiceError as error:
            self.app.call_from_thread(self._failed, {"form": str(error)})
            return
        except (DatabaseError, InterfaceError) as error:
            self.app.call_from_thread(
                self._failed,
                {
                    "form": f"Not confirmed ({error}). Press Refund again: the same request is "
                    "sent and refunds at most once."
                },
            )
            return
        balance = result.movement.balance_shown if result.movement else ""
        message = (
            f"Credit memo #{result.memo.increment_id} refunded "
            f"{result.order.shown(result.memo.amount)} of order #{result.order.increment_id} "
            f"to store credit; the balance is {balance}."
        )
        if not result.applied:
            message = "Already refunded earlier: " + message
        self.app.call_from_thread(self.dismiss, message)

    def _failed(self, errors: dict[str, str]) -> None:
        self._busy = False
        self._errors(errors)


def confirm_cancel(app: App[Any], order: orders.OrderView, done: Done) -> None:
    """Ask "Cancel order #…?" naming the store credit that goes back, then cancel it in a
    worker and call *done* with the outcome (None when refused or answered No)."""
    given_back = (
        f" The {order.shown(order.store_credit_used)} of store credit it used goes back to "
        "the customer."
        if order.store_credit_used
        else " It used no store credit."
    )

    def answered(yes: bool | None) -> None:
        if yes:
            app.run_worker(
                lambda: _cancel(app, order.id, done),
                thread=True,
                exit_on_error=False,
                group="order-cancel",
            )

    app.push_screen(
        ConfirmScreen(
            f"Cancel order #{order.increment_id}?",
            f"The order is canceled and cannot be invoiced any more.{given_back}",
            "Yes, cancel it",
            danger=True,
        ),
        answered,
    )


def _cancel(app: App[Any], order_id: int, done: Done) -> None:
    actor = app.actor  # type: ignore[attr-defined]
    try:
        result = in_thread(orders.cancel, actor, order_id)
    except (ServiceError, DatabaseError, InterfaceError) as error:
        app.call_from_thread(
            app.notify, f"Not canceled: {error}", markup=False, severity="error", timeout=8
        )
        return
    text = f"Order #{result.order.increment_id} is canceled."
    if result.movement is not None:
        text += (
            f" {result.movement.delta_shown} store credit given back; the balance is "
            f"{result.movement.balance_shown}."
        )
    if not result.applied:
        text = f"Order #{result.order.increment_id} was already canceled."
    app.call_from_thread(done, text)
