"""Customers › Email Outbox: every email custtui queued, newest first, and what became of it.

A status filter above the SQL grid; enter opens the message as the customer gets it (headers
and plain-text body); ``d`` delivers what is queued now and ``r`` puts a failed email back in
the queue. Rules live in :mod:`custtui.services.mail`; every customer-supplied text is shown
as plain ``Text``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Label, Select, Static

from custtui.screens.dbwork import in_thread
from custtui.services import mail, permissions
from custtui.services.errors import ServiceError
from custtui.widgets.sql_grid import CHECK_WIDTH, GridColumn, GridRow, SqlGrid
from custtui.widgets.text import labelled, plain

STATUS_LABELS = {"queued": "Queued", "sending": "Sending", "sent": "Sent", "failed": "Failed"}


def _timezone(app: object) -> tzinfo:
    return getattr(app, "display_timezone", None) or ZoneInfo("UTC")


def _when(value: datetime | None, tz: tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(tz).strftime(fmt) if value is not None else ""


def outbox_columns(width: int) -> list[GridColumn]:
    """Created, To, Subject, Template, Status, Attempts; Subject takes what is left."""
    wide = width >= 110
    created = 16 if wide else 11
    to, template = (28, 20) if wide else (18, 10)
    attempts = ("Attempts", 8) if wide else ("Try", 3)
    fixed = created + to + template + 7 + attempts[1] + 5  # one space after each column
    subject = max(12, width - CHECK_WIDTH - 3 - fixed - 1)  # scrollbar gutter and a margin
    return [
        GridColumn("created", "Created", created),
        GridColumn("to", "To", to),
        GridColumn("subject", "Subject", subject),
        GridColumn("template", "Template", template),
        GridColumn("status", "Status", 7),
        GridColumn("attempts", attempts[0], attempts[1], numeric=True),
    ]


def message_cells(entry: mail.OutboxEntry, tz: tzinfo, wide: bool) -> tuple[str, ...]:
    return (
        _when(entry.created_at, tz, "%Y-%m-%d %H:%M" if wide else "%m-%d %H:%M"),
        entry.recipient_email,
        entry.subject,
        entry.template_title,
        STATUS_LABELS.get(entry.status, entry.status),
        str(entry.attempts),
    )


class OutboxGrid(SqlGrid):
    """The SQL grid without selection: actions apply to the row under the cursor."""

    BINDINGS = [
        Binding("space", "nothing", show=False),
        Binding("ctrl+a", "nothing", show=False),
        Binding("shift+down", "cursor_down", show=False),
        Binding("shift+up", "cursor_up", show=False),
        Binding("enter", "activate", "Open", id="outbox.open"),
    ]

    def action_nothing(self) -> None:
        """Selection keys do nothing here."""


class OutboxScreen(Screen[None]):
    """The email outbox (needs ``EMAIL_OUTBOX``: support and admin)."""

    TITLE = "Email Outbox"

    BINDINGS = [
        Binding("escape", "back", "Back", id="outbox.back"),
        Binding("d", "deliver", "Deliver now", id="outbox.deliver"),
        Binding("r", "retry", "Retry", id="outbox.retry"),
        Binding("f", "focus_status", "Status", id="outbox.status", show=False),
        Binding("ctrl+r", "reload", "Reload", id="outbox.reload", show=False),
    ]

    DEFAULT_CSS = """
    OutboxScreen #bar { height: 1; padding: 0 1; }
    OutboxScreen #bar Label { width: auto; padding-right: 1; }
    OutboxScreen #status { width: 20; }
    OutboxScreen #hint { width: 1fr; padding-left: 2; color: $foreground-muted; }
    OutboxScreen #count { height: 1; padding: 0 1; color: $text-accent; }
    OutboxScreen #count.-error { color: $text-error; }
    OutboxScreen OutboxGrid { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.status: str | None = None
        self.refused: str | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="bar"):
            yield Label("Status")
            yield Select(
                [(Text(label), key) for key, label in STATUS_LABELS.items()],
                prompt="All",
                id="status",
                compact=True,
            )
            yield Static(Text("enter open · d deliver now · r retry failed"), id="hint")
        yield Static("", id="count", markup=False)
        yield OutboxGrid(
            outbox_columns(self.app.size.width), id="grid", empty_text="No emails here."
        )
        yield Footer(compact=True)

    @property
    def grid(self) -> OutboxGrid:
        return self.query_one("#grid", OutboxGrid)

    def on_mount(self) -> None:
        self.grid.focus()
        self.refused = permissions.reason(
            self.app.actor,  # type: ignore[attr-defined]
            permissions.EMAIL_OUTBOX,
        )
        if self.refused is not None:
            self._set_count(self.refused, error=True)
            self.query_one("#status", Select).disabled = True
            return
        self.run_query()

    def on_resize(self, event: events.Resize) -> None:
        self.grid.set_columns(outbox_columns(event.size.width))

    # ---------------------------------------------------------------- query
    def run_query(self, *, keep_cursor: bool = False) -> None:
        if self.refused is not None:
            return
        self._generation += 1
        self._count_worker(self._generation, self.status, keep_cursor)

    @work(thread=True, exit_on_error=False, group="outbox-count")
    def _count_worker(self, generation: int, status: str | None, keep_cursor: bool) -> None:
        total = in_thread(mail.count, status)
        waiting = in_thread(mail.count, "queued")
        failed = in_thread(mail.count, "failed")
        self.app.call_from_thread(
            self._counted, generation, status, total, waiting, failed, keep_cursor
        )

    def _counted(
        self,
        generation: int,
        status: str | None,
        total: int,
        waiting: int,
        failed: int,
        keep_cursor: bool,
    ) -> None:
        if generation != self._generation:
            return
        tz = _timezone(self.app)

        def loader(offset: int, limit: int) -> list[GridRow]:
            wide = self.app.size.width >= 110
            entries = in_thread(mail.messages, status, None, offset, limit)
            return [GridRow(e.id, message_cells(e, tz, wide)) for e in entries]

        if keep_cursor:
            self.grid.loader = loader
            self.grid.reload(total)
        else:
            self.grid.reset(total, loader)
        noun = "email" if total == 1 else "emails"
        shown = (
            f"{total:,} {STATUS_LABELS[status].lower()} {noun}" if status else f"{total:,} {noun}"
        )
        self._set_count(f"{shown} · {waiting:,} queued · {failed:,} failed · newest first")

    def _set_count(self, text: str, *, error: bool = False) -> None:
        count = self.query_one("#count", Static)
        count.update(Text(text))
        count.set_class(error, "-error")

    # --------------------------------------------------------------- events
    @on(Select.Changed, "#status")
    def _status_changed(self, event: Select.Changed) -> None:
        value = event.value
        self.status = None if value is Select.NULL or value is None else str(value)
        self.run_query()

    @on(SqlGrid.RowActivated)
    def _open(self, event: SqlGrid.RowActivated) -> None:
        self.app.push_screen(MessageScreen(event.row_id), self._message_closed)

    def _message_closed(self, changed: bool | None) -> None:
        if changed:
            self.run_query(keep_cursor=True)

    @on(SqlGrid.PageLoadFailed)
    def _page_failed(self, event: SqlGrid.PageLoadFailed) -> None:
        self.notify(f"Could not load emails: {event.error}", severity="error", markup=False)

    # -------------------------------------------------------------- actions
    def action_back(self) -> None:
        if self.query_one("#status", Select).has_focus:
            self.grid.focus()
        else:
            self.app.pop_screen()

    def action_focus_status(self) -> None:
        self.query_one("#status", Select).focus()

    def action_reload(self) -> None:
        self.run_query(keep_cursor=True)

    def action_deliver(self) -> None:
        if self.refused is not None:
            self.notify(self.refused, severity="warning", markup=False)
            return
        self._set_count("Delivering…")
        self._deliver()

    @work(thread=True, exclusive=True, group="mail-delivery", exit_on_error=False)
    def _deliver(self) -> None:
        try:
            report = in_thread(mail.deliver_pending)
        except ServiceError as error:  # pragma: no cover - deliver raises no service errors
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._delivered, report)

    def _delivered(self, report: mail.DeliveryReport) -> None:
        text = f"Delivered: {report.sent} sent, {report.failed} failed."
        severity = "warning" if report.failed else "information"
        self.notify(text, markup=False, severity=severity, timeout=5)
        self.run_query(keep_cursor=True)

    def _failed(self, message: str) -> None:
        self.notify(message, markup=False, severity="error", timeout=8)
        self.run_query(keep_cursor=True)

    def action_retry(self) -> None:
        if self.refused is not None:
            self.notify(self.refused, severity="warning", markup=False)
            return
        message_id = self.grid.cursor_id
        if message_id is None:
            return
        self._retry(message_id)

    @work(thread=True, exit_on_error=False, group="outbox-retry")
    def _retry(self, message_id: int) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            entry = in_thread(mail.retry, actor, message_id)
        except ServiceError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._retried, entry)

    def _retried(self, entry: mail.OutboxEntry) -> None:
        self.notify(
            f"Email {entry.id} to {entry.recipient_email} is queued again; d delivers it now.",
            markup=False,
            timeout=5,
        )
        self.run_query(keep_cursor=True)


def message_text(entry: mail.OutboxEntry, tz: tzinfo) -> Text:
    """Headers as the customer's mail program shows them, then the delivery facts."""
    status = STATUS_LABELS.get(entry.status, entry.status)
    if entry.status == "sent":
        status += f" via {entry.transport} at {_when(entry.sent_at, tz, '%Y-%m-%d %H:%M:%S')}"
    rows: list[tuple[str, object]] = [
        ("From", f"{entry.sender_name} <{entry.sender_email}>"),
        ("To", f"{entry.recipient_name} <{entry.recipient_email}>"),
        ("Subject", entry.subject),
        ("Created", _when(entry.created_at, tz, "%Y-%m-%d %H:%M:%S")),
        ("Template", f"{entry.template_title} ({entry.template_code})"),
        ("Status", f"{status} · attempts: {entry.attempts}"),
    ]
    if entry.message_id:
        rows.append(("Message-ID", entry.message_id))
    if entry.last_error:
        rows.append(("Error", entry.last_error))
    return labelled(rows, label_width=12)


class MessageScreen(ModalScreen[bool]):
    """One email, read-only: headers and the plain-text body. Answers True after a retry."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="message.back"),
        Binding("r", "retry", "Retry", id="message.retry"),
        Binding("o", "open_customer", "Open customer", id="message.open_customer"),
    ]

    DEFAULT_CSS = """
    MessageScreen { align: center middle; }
    MessageScreen > Vertical {
        width: 100; max-width: 96%; height: 90%;
        border: thick $accent; background: $surface;
    }
    MessageScreen #title { padding: 0 1; text-style: bold; height: 1; }
    MessageScreen #headers { padding: 0 1; height: auto; border-bottom: solid $panel-lighten-2; }
    MessageScreen #headers.-failed { color: $text; }
    MessageScreen VerticalScroll { height: 1fr; padding: 0 1; }
    MessageScreen VerticalScroll:focus { background: $boost; }
    MessageScreen #keys { padding: 0 1; height: 1; color: $foreground-muted; }
    """

    def __init__(self, message_id: int) -> None:
        super().__init__()
        self.message_id = message_id
        self.entry: mail.OutboxEntry | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Email #{self.message_id}"), id="title")
            yield Static(Text("Loading…"), id="headers")
            with VerticalScroll(id="scroll"):
                yield Static(Text(""), id="body")
            yield Static(Text("↑↓ scroll · esc back"), id="keys")

    def on_mount(self) -> None:
        self.query_one("#scroll", VerticalScroll).focus()
        self._load()

    @work(thread=True, exit_on_error=False, group="outbox-message")
    def _load(self) -> None:
        try:
            entry = in_thread(mail.get, self.message_id)
        except ServiceError as error:
            self.app.call_from_thread(self._missing, str(error))
            return
        self.app.call_from_thread(self._loaded, entry)

    def _missing(self, message: str) -> None:
        self.query_one("#headers", Static).update(Text(message))

    def _loaded(self, entry: mail.OutboxEntry) -> None:
        self.entry = entry
        self.query_one("#title", Static).update(
            Text(f"Email #{entry.id} — {STATUS_LABELS.get(entry.status, entry.status)}")
        )
        self.query_one("#headers", Static).update(message_text(entry, _timezone(self.app)))
        self.query_one("#body", Static).update(plain(entry.body))
        keys = ["↑↓ scroll"]
        if entry.status == "failed":
            keys.append("r retry")
        if entry.customer_id is not None:
            keys.append("o open customer")
        keys.append("esc back")
        self.query_one("#keys", Static).update(Text(" · ".join(keys)))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.entry is not None and self.entry.status == "failed"
        if action == "open_customer":
            return self.entry is not None and self.entry.customer_id is not None
        return True

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_retry(self) -> None:
        self._retry()

    @work(thread=True, exit_on_error=False, group="outbox-message-retry")
    def _retry(self) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            entry = in_thread(mail.retry, actor, self.message_id)
        except ServiceError as error:
            self.app.call_from_thread(
                self.notify, str(error), markup=False, severity="error", timeout=8
            )
            return
        self.app.call_from_thread(self._retried, entry)

    def _retried(self, entry: mail.OutboxEntry) -> None:
        self.changed = True
        self.notify(f"Email {entry.id} is queued again.", markup=False, timeout=4)
        self._loaded(entry)

    def action_open_customer(self) -> None:
        if self.entry is None or self.entry.customer_id is None:
            return
        customer_id = self.entry.customer_id
        self.dismiss(self.changed)
        self.app.open_customer(customer_id)  # type: ignore[attr-defined]
