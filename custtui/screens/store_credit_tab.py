"""The customer page's **Store Credit** tab (Magento Commerce's admin Store Credit tab, A23).

* *Balance*: the customer's store credit on each website, in that website's currency.
* *Update Balance*: website, amount to add (negative to subtract), comment, Notify Customer by
  Email and the store view the email is sent from. ctrl+s (or enter in Amount) saves.
* A chart of the balance over time on the chosen website.
* *Balance History*: Date, Website, Action, Balance Change, Balance, Customer notified,
  More information — newest first, in the SQL-backed grid (an account may have 100,000 rows).

The form's request id is made when the form opens and kept until a save succeeds: pressing
ctrl+s again after a timeout or a "database is busy" error sends the same id, so the
adjustment applies at most once (the service returns the first result). Errors are shown
under the field they belong to and keep what was typed. All database work runs in thread
workers through :func:`custtui.screens.dbwork.in_thread`; the rules live in
:mod:`custtui.services.store_credit`.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from peewee import DatabaseError, InterfaceError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Label, Select, Sparkline, Static

from custtui.screens.dbwork import in_thread
from custtui.services import money, permissions, store_credit
from custtui.services import store_credit_history as credit_history
from custtui.services.errors import ServiceError, ValidationError
from custtui.widgets.inputs import TextInput
from custtui.widgets.sql_grid import GridColumn, GridRow, SqlGrid
from custtui.widgets.text import plain

HISTORY_COLUMNS = (
    GridColumn("date", "Date", 16),
    GridColumn("website", "Website", 13),
    GridColumn("action", "Action", 8),
    GridColumn("delta", "Balance Change", 14, numeric=True),
    GridColumn("balance", "Balance", 12, numeric=True),
    GridColumn("notified", "Customer notified", 17),
    GridColumn("info", "More information", 60),
)
READY = "ctrl+s or enter updates the balance · a negative amount subtracts"
FIELDS = ("website", "amount", "comment", "store_view")
"""Form fields with an error line of their own; anything else goes to the status line."""


SINGLE_WEBSITE_COLUMNS = tuple(c for c in HISTORY_COLUMNS if c.key != "website")
"""Magento hides Balance History's Website column in single-store mode."""


def history_row(
    movement: store_credit.Movement, tz: tzinfo | None, *, website: bool = True
) -> GridRow:
    """One Balance History line (customer text stays plain: the grid never parses markup)."""
    when = movement.created_at.astimezone(tz) if tz else movement.created_at
    cells = (
        when.strftime("%Y-%m-%d %H:%M"),
        *((movement.website_name,) if website else ()),
        movement.action_label,
        movement.delta_shown,
        movement.balance_shown,
        movement.notified_label,
        movement.additional_info or "",
    )
    return GridRow(movement.history_id, cells)


class StoreCreditTab(Vertical):
    """The Store Credit tab; the account editor calls :meth:`load_customer` on every load."""

    BINDINGS = [
        Binding("ctrl+s", "update_balance", "Update Balance", id="credit.update"),
    ]

    DEFAULT_CSS = """
    StoreCreditTab { height: 1fr; }
    StoreCreditTab #sc-balances { height: auto; padding: 0 1; }
    StoreCreditTab .sc-row { height: 1; }
    StoreCreditTab .sc-row Label { width: 10; padding: 0 1; }
    StoreCreditTab .sc-row Label.-narrow { width: auto; padding: 0 1; }
    StoreCreditTab #sc-website { width: 26; }
    StoreCreditTab #sc-store-view { width: 1fr; }
    StoreCreditTab .sc-row TextInput, StoreCreditTab .sc-row Select { background: $boost; }
    StoreCreditTab #sc-amount { width: 1fr; }
    StoreCreditTab #sc-comment { width: 1fr; }
    StoreCreditTab #sc-notify { border: none; padding: 0 1; height: 1; width: auto; }
    StoreCreditTab #sc-save { margin-left: 1; min-width: 16; }
    StoreCreditTab .sc-error { color: $text-error; padding-left: 11; height: auto;
        display: none; }
    StoreCreditTab .sc-error.-shown { display: block; }
    StoreCreditTab #sc-status { height: auto; padding: 0 1; color: $text-muted; }
    StoreCreditTab #sc-status.-error { color: $text-error; }
    StoreCreditTab #sc-chart-row { height: 2; margin-top: 1; }
    StoreCreditTab #sc-chart-label { width: 30; padding: 0 1; color: $text-muted; }
    StoreCreditTab #sc-chart { width: 1fr; height: 2; }
    StoreCreditTab #sc-history-title { height: 1; padding: 0 1; text-style: bold; }
    StoreCreditTab #sc-history { height: 1fr; min-height: 4; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.customer_id: int | None = None
        self.request_id = store_credit.new_request_id()
        self.data: credit_history.StaffStoreCredit | None = None
        self._saving = False
        self._message: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="sc-balances", markup=False)
        with Horizontal(classes="sc-row"):
            yield Label("Website")
            yield Select([], id="sc-website", compact=True, prompt="Choose a website")
            yield Label("Amount", classes="-narrow")
            yield TextInput(
                placeholder="12.50 adds, -5 subtracts",
                id="sc-amount",
                compact=True,
                max_length=32,
            )
        yield Static("", id="sc-err-website", classes="sc-error", markup=False)
        yield Static("", id="sc-err-amount", classes="sc-error", markup=False)
        with Horizontal(classes="sc-row"):
            yield Label("Comment")
            yield TextInput(
                placeholder="shown in More information",
                id="sc-comment",
                compact=True,
                max_length=store_credit.COMMENT_MAX,
            )
        yield Static("", id="sc-err-comment", classes="sc-error", markup=False)
        with Horizontal(classes="sc-row"):
            yield Checkbox("Notify Customer by Email", False, id="sc-notify", compact=True)
            yield Label("From", classes="-narrow")
            yield Select([], id="sc-store-view", compact=True, prompt="Store view")
            yield Button("Update Balance", id="sc-save", compact=True, variant="primary")
        yield Static("", id="sc-err-store_view", classes="sc-error", markup=False)
        yield Static("", id="sc-status", markup=False)
        with Horizontal(id="sc-chart-row"):
            yield Static("", id="sc-chart-label", markup=False)
            yield Sparkline([], id="sc-chart", summary_function=max)
        yield Static("Balance History", id="sc-history-title", markup=False)
        yield SqlGrid(HISTORY_COLUMNS, empty_text="No store credit history yet.", id="sc-history")

    # ---------------------------------------------------------------- loading
    def load_customer(self, customer_id: int | None) -> None:
        """Show *customer_id*'s store credit (a new customer has none: nothing to load)."""
        if customer_id is None:
            return
        if customer_id != self.customer_id:
            self.request_id = store_credit.new_request_id()
        self.customer_id = customer_id
        self.reload()

    def reload(self) -> None:
        if self.customer_id is None:
            return
        website = self.query_one("#sc-website", Select).value
        self._load(self.customer_id, website if isinstance(website, int) else None)

    @work(thread=True, exclusive=True, group="store-credit-load", exit_on_error=False)
    def _load(self, customer_id: int, website_id: int | None) -> None:
        try:
            data = in_thread(credit_history.staff_view, customer_id, website_id)
        except (ServiceError, DatabaseError, InterfaceError) as error:
            self.app.call_from_thread(
                self._status, f"Store credit could not be read: {error}", True
            )
            return
        self.app.call_from_thread(self._show, data)

    def _tz(self) -> tzinfo | None:
        return getattr(self.app, "display_timezone", None)

    def _show(self, data: credit_history.StaffStoreCredit) -> None:
        self.data = data
        balances = Text()
        balances.append("Balance  ", style="bold")
        if not data.balances:
            balances.append("none")
        for n, b in enumerate(data.balances):
            if n:
                balances.append("  ·  ", style="dim")
            balances.append_text(plain(b.website_name))
            balances.append(f" {b.shown}", style="bold")
        self.query_one("#sc-balances", Static).update(balances)
        websites = self.query_one("#sc-website", Select)
        choices = [(Text(f"{name} ({currency})"), wid) for wid, name, currency in data.websites]
        current = websites.value
        with websites.prevent(Select.Changed):
            websites.set_options(choices)
            if data.chart_website is not None:
                ids = [wid for wid, _name, _currency in data.websites]
                websites.value = current if current in ids else data.chart_website
        self._fill_store_views(websites.value)
        self._chart(data)
        grid = self.query_one("#sc-history", SqlGrid)
        tz = self._tz()
        source = data.source

        website = not data.single_website
        grid.set_columns(HISTORY_COLUMNS if website else SINGLE_WEBSITE_COLUMNS)

        def load(offset: int, limit: int) -> list[GridRow]:
            page = in_thread(source.page, offset, limit)
            return [history_row(m, tz, website=website) for m in page]

        grid.reset(data.history_count, load)
        self._lock_form(data)

    def _fill_store_views(self, website_id: Any) -> None:
        views = self.query_one("#sc-store-view", Select)
        data = self.data
        if data is None or not isinstance(website_id, int):
            return
        options = data.store_views.get(website_id, [])
        with views.prevent(Select.Changed):
            views.set_options([(Text(name), vid) for vid, name in options])
            chosen = data.default_view.get(website_id)
            if chosen is not None:
                views.value = chosen

    def _chart(self, data: credit_history.StaffStoreCredit) -> None:
        label = self.query_one("#sc-chart-label", Static)
        site = next((w for w in data.websites if w[0] == data.chart_website), None)
        series = data.series
        if site is None or len(series) < 2:
            label.update(Text("Balance over time: no movements yet"))
            self.query_one("#sc-chart", Sparkline).data = []
            return
        currency = site[2]
        words = Text("Balance over time\n", style="bold")
        words.append(
            f"{money.format_amount(series[-1], currency)} · max "
            f"{money.format_amount(max(series), currency)}"
        )
        label.update(words)
        self.query_one("#sc-chart", Sparkline).data = [float(v) for v in series]

    def _lock_form(self, data: credit_history.StaffStoreCredit) -> None:
        actor = getattr(self.app, "actor", None)
        why = permissions.reason(actor, permissions.STORE_CREDIT_ADJUST) if actor else None
        if not data.enabled:
            why = store_credit.DISABLED
        elif not data.websites:
            why = "This customer has no website to keep store credit on."
        for selector in ("#sc-website", "#sc-amount", "#sc-comment", "#sc-notify", "#sc-save"):
            self.query_one(selector).disabled = why is not None
        self.query_one("#sc-store-view").disabled = why is not None or not self._notify()
        if why is not None:
            self._status(why, True)
        elif not self._saving:
            self._status(self._message or READY, False)

    def _notify(self) -> bool:
        return bool(self.query_one("#sc-notify", Checkbox).value)

    @on(Checkbox.Changed, "#sc-notify")
    def _notify_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#sc-store-view").disabled = not event.value

    @on(Select.Changed, "#sc-website")
    def _website_changed(self, event: Select.Changed) -> None:
        self._fill_store_views(event.value)
        if isinstance(event.value, int) and self.customer_id is not None:
            self._load(self.customer_id, event.value)

    # ---------------------------------------------------------------- saving
    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#sc-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def _errors(self, errors: dict[str, str]) -> None:
        for name in FIELDS:
            line = self.query_one(f"#sc-err-{name}", Static)
            line.update(errors.get(name, ""))
            line.set_class(name in errors, "-shown")
        rest = [text for name, text in errors.items() if name not in FIELDS]
        if rest:
            self._status(" ".join(rest), True)

    def values(self) -> dict[str, Any]:
        website = self.query_one("#sc-website", Select).value
        view = self.query_one("#sc-store-view", Select).value
        return {
            "website_id": website if isinstance(website, int) else None,
            "amount": self.query_one("#sc-amount", TextInput).value,
            "comment": self.query_one("#sc-comment", TextInput).value,
            "notify": self._notify(),
            "store_view_id": view if isinstance(view, int) else None,
        }

    @on(TextInput.Submitted, "#sc-amount")
    @on(TextInput.Submitted, "#sc-comment")
    @on(Button.Pressed, "#sc-save")
    def _submit(self, event: Any) -> None:
        event.stop()
        self.action_update_balance()

    def action_update_balance(self) -> None:
        if self.customer_id is None or self._saving:
            return
        if self.query_one("#sc-save", Button).disabled:
            return
        self._saving = True
        self._status("Saving…", False)
        self._save(self.customer_id, self.request_id, self.values())

    @work(thread=True, exit_on_error=False, group="store-credit-save")
    def _save(self, customer_id: int, request_id: str, values: dict[str, Any]) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            movement = in_thread(
                store_credit.adjust,
                actor,
                customer_id,
                values["website_id"],
                values["amount"],
                request_id=request_id,
                comment=values["comment"],
                notify=values["notify"],
                store_view_id=values["store_view_id"] if values["notify"] else None,
            )
        except ValidationError as error:
            self.app.call_from_thread(self._refused, error.errors)
        except ServiceError as error:
            self.app.call_from_thread(self._refused, {"form": str(error)})
        except (DatabaseError, InterfaceError) as error:
            # Ambiguous: it may or may not have been applied. The same request id goes out
            # again on the next ctrl+s, so a retry can never apply it twice.
            self.app.call_from_thread(
                self._refused,
                {
                    "form": f"Not confirmed ({error}). Press ctrl+s again: the same request is "
                    "sent and applies at most once."
                },
            )
        else:
            self.app.call_from_thread(self._saved, movement)

    def _refused(self, errors: dict[str, str]) -> None:
        self._saving = False
        self._status("Not saved.", True)
        self._errors(errors)
        first = next(
            (f for f in ("website", "amount", "comment", "store_view") if f in errors), None
        )
        target = {"website": "#sc-website", "amount": "#sc-amount", "comment": "#sc-comment",
                  "store_view": "#sc-store-view"}.get(first or "")  # fmt: skip
        if target:
            self.query_one(target).focus()

    def _saved(self, movement: store_credit.Movement) -> None:
        self._saving = False
        self.request_id = store_credit.new_request_id()
        self._errors({})
        self.query_one("#sc-amount", TextInput).value = ""
        self.query_one("#sc-comment", TextInput).value = ""
        self.query_one("#sc-notify", Checkbox).value = False
        prefix = "" if movement.applied else "Already applied earlier: "
        text = (
            f"{prefix}{movement.action_label} {movement.delta_shown} on "
            f"{movement.website_name}; the balance is {movement.balance_shown}."
        )
        if movement.customer_notified:
            text += " The customer will receive an email."
            deliver = getattr(self.app, "deliver_mail", None)
            if deliver is not None:
                deliver()
        self._message = text
        self._status(text, False)
        self.notify(text, markup=False, timeout=4)
        self.reload()
        self.query_one("#sc-amount", TextInput).focus()
