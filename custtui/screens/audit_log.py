"""System › Audit Log: every recorded change across customers, newest first, with filters.

The filter bar (Staff, Action, Customer, From, To) is checked by
:func:`custtui.services.audit_filters.parse_query` in a worker; each problem appears under its
field and what was typed stays. The result is an :class:`~custtui.services.audit.AuditSource`
behind the SQL grid, so a log of millions of events scrolls like a short one. Enter opens the
event with every change (before → after) and its note; from there ``o`` opens the customer if
the account still exists. Customer text is always plain ``Text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, Select, Static

from custtui.screens.dbwork import in_thread
from custtui.services import audit, audit_filters, permissions
from custtui.services.errors import NotFound, ValidationError
from custtui.widgets.inputs import TextInput
from custtui.widgets.sql_grid import CHECK_WIDTH, GridColumn, GridRow, SqlGrid
from custtui.widgets.text import plain

FILTER_FIELDS = ("staff", "action", "customer", "since", "until")
FIELD_LABELS = {
    "staff": "Staff",
    "action": "Action",
    "customer": "Customer",
    "since": "From",
    "until": "To",
}


def _timezone(app: object) -> tzinfo:
    """The app's display timezone (``general/locale/timezone``, read at start-up)."""
    return getattr(app, "display_timezone", None) or ZoneInfo("UTC")


def event_columns(width: int) -> list[GridColumn]:
    """Time, Staff, Action, Customer and Details; Details takes what is left of *width*."""
    if width >= 110:
        fixed = [("time", "Time", 16), ("staff", "Staff", 12), ("action", "Action", 23)]
        fixed.append(("customer", "Customer", 30))
    else:  # 80 columns: Details keeps a dozen; the event itself shows everything
        fixed = [("time", "Time", 16), ("staff", "Staff", 8), ("action", "Action", 16)]
        fixed.append(("customer", "Customer", 18))
    # The check column, each column and its gap, the scrollbar gutter and the Details gap.
    used = CHECK_WIDTH + sum(w + 1 for _, _, w in fixed) + 3
    columns = [GridColumn(key, label, w) for key, label, w in fixed]
    columns.append(GridColumn("details", "Details", max(10, width - used)))
    return columns


def customer_cell(customer_id: int | None, emails: dict[int, str]) -> str:
    if customer_id is None:
        return ""
    email = emails.get(customer_id)
    return f"#{customer_id} {email}" if email else f"#{customer_id} (deleted)"


def event_cells(entry: audit.AuditEntry, emails: dict[int, str], tz: tzinfo) -> tuple[str, ...]:
    return (
        entry.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        entry.staff_username or "system",
        audit.action_label(entry.action),
        customer_cell(entry.customer_id, emails),
        audit.details(entry),
    )


def load_rows(source: audit.AuditSource, offset: int, limit: int, tz: tzinfo) -> list[GridRow]:
    """One page of the grid (runs in the grid's worker thread)."""

    def fetch() -> list[GridRow]:
        entries = source.page(offset, limit)
        emails = audit.customer_emails(e.customer_id for e in entries if e.customer_id)
        return [GridRow(e.id, event_cells(e, emails, tz)) for e in entries]

    return in_thread(fetch)


class EventGrid(SqlGrid):
    """The SQL grid without selection: events are read, not acted on."""

    BINDINGS = [
        Binding("space", "nothing", show=False),
        Binding("ctrl+a", "nothing", show=False),
        Binding("shift+down", "cursor_down", show=False),
        Binding("shift+up", "cursor_up", show=False),
        Binding("enter", "activate", "Open event", id="audit_log.open"),
    ]

    def action_nothing(self) -> None:
        """Selection keys do nothing here."""


class AuditLogScreen(Screen[None]):
    """The cross-customer audit log."""

    TITLE = "Audit Log"

    BINDINGS = [
        Binding("escape", "back", "Back", id="audit_log.back"),
        Binding("f", "focus_filters", "Filters", id="audit_log.filters"),
        Binding("ctrl+l", "clear_filters", "Clear filters", id="audit_log.clear"),
        Binding("ctrl+r", "reload", "Reload", id="audit_log.reload"),
    ]

    DEFAULT_CSS = """
    AuditLogScreen .bar { height: auto; padding: 0 1; }
    AuditLogScreen .cell { width: 1fr; height: 1; margin-right: 1; }
    AuditLogScreen .cell Label { width: 9; }
    AuditLogScreen .cell Input, AuditLogScreen .cell Select { width: 1fr; }
    AuditLogScreen .cell Input { background: $boost; }
    AuditLogScreen .errors { height: auto; padding: 0 1; }
    AuditLogScreen .error { width: 1fr; height: auto; margin-right: 1; color: $text-error; }
    AuditLogScreen .cell Input.-invalid { background: $error 25%; }
    AuditLogScreen #hint { width: 1fr; height: 1; color: $foreground-muted; }
    AuditLogScreen #count { height: 1; padding: 0 1; color: $text-accent; }
    AuditLogScreen #count.-error { color: $text-error; }
    AuditLogScreen EventGrid { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.source: audit.AuditSource | None = None
        self.query_state = audit.AuditQuery()
        self.errors: dict[str, str] = {}
        self._generation = 0
        self._ready = False

    # --------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="bar"):
            with Horizontal(classes="cell"):
                yield Label("Staff")
                yield Select([], prompt="Any", id="f-staff", compact=True, type_to_search=True)
            with Horizontal(classes="cell"):
                yield Label("Action")
                yield Select([], prompt="Any", id="f-action", compact=True, type_to_search=True)
            with Horizontal(classes="cell"):
                yield Label("Customer")
                yield TextInput(
                    placeholder="email or ID", id="f-customer", compact=True, max_length=255
                )
        yield from self._error_row(("staff", "action", "customer"))
        with Horizontal(classes="bar"):
            with Horizontal(classes="cell"):
                yield Label("From")
                yield TextInput(
                    placeholder=audit_filters.DATE_HINT, id="f-since", compact=True, max_length=40
                )
            with Horizontal(classes="cell"):
                yield Label("To")
                yield TextInput(
                    placeholder=audit_filters.DATE_HINT, id="f-until", compact=True, max_length=40
                )
            yield Static("enter apply · ctrl+l clear", id="hint", classes="cell")
        yield from self._error_row(("since", "until", None))
        yield Static("", id="count", markup=False)
        yield EventGrid(event_columns(self.app.size.width), id="grid")
        yield Footer(compact=True)

    @staticmethod
    def _error_row(fields: Sequence[str | None]) -> ComposeResult:
        """One error cell under each field of the row above, the same width as its field."""
        with Horizontal(classes="errors"):
            for field in fields:
                if field is None:
                    yield Static("", classes="error -spacer")
                else:
                    yield Static("", id=f"e-{field}", classes="error", markup=False)

    @property
    def grid(self) -> EventGrid:
        return self.query_one("#grid", EventGrid)

    def on_mount(self) -> None:
        self._show_errors({})
        self.grid.focus()
        refused = permissions.reason(
            self.app.actor,  # type: ignore[attr-defined]
            permissions.AUDIT_VIEW,
        )
        if refused is not None:
            self._set_count(refused, error=True)
            return
        self._set_count("Loading…")
        self._load_choices()

    def on_resize(self, event: events.Resize) -> None:
        self.grid.set_columns(event_columns(event.size.width))

    @work(thread=True, exit_on_error=False, group="audit-choices")
    def _load_choices(self) -> None:
        staff = in_thread(audit.staff_names)
        actions = in_thread(audit.actions)
        self.app.call_from_thread(self._choices_loaded, staff, actions)

    def _choices_loaded(self, staff: list[str], actions: list[str]) -> None:
        staff_select = self.query_one("#f-staff", Select)
        action_select = self.query_one("#f-action", Select)
        with staff_select.prevent(Select.Changed), action_select.prevent(Select.Changed):
            staff_select.set_options([(Text(name), name) for name in staff])
            action_select.set_options([(Text(audit.action_label(a)), a) for a in actions])
        self._ready = True
        self.apply_filters()

    # ---------------------------------------------------------------- query
    def typed(self) -> dict[str, str]:
        """What is in the filter bar now, as text for the parser."""
        values: dict[str, str] = {}
        for field in ("staff", "action"):
            value = self.query_one(f"#f-{field}", Select).value
            values[field] = "" if value is Select.NULL or value is None else str(value)
        for field in ("customer", "since", "until"):
            values[field] = self.query_one(f"#f-{field}", Input).value
        return values

    def apply_filters(self) -> None:
        self._generation += 1
        if self.source is not None:
            self.source.cancel()
        self._set_count("Counting…")
        self._query_worker(self._generation, self.typed(), _timezone(self.app))

    @work(thread=True, exit_on_error=False, group="audit-query")
    def _query_worker(self, generation: int, typed: dict[str, str], tz: tzinfo) -> None:
        try:
            query = in_thread(audit_filters.parse_query, tz=tz, **typed)
        except ValidationError as error:
            self.app.call_from_thread(self._query_failed, generation, error.errors)
            return
        source = in_thread(audit.AuditSource, query)
        self.app.call_from_thread(self._track, generation, source)
        try:
            total = in_thread(source.count)
        except Exception:
            if source.cancelled:
                return
            raise
        self.app.call_from_thread(self._query_done, generation, source, total, tz)

    def _track(self, generation: int, source: audit.AuditSource) -> None:
        if generation != self._generation:
            source.cancel()
        else:
            self.source = source

    def _query_failed(self, generation: int, errors: dict[str, str]) -> None:
        if generation != self._generation:
            return
        self._show_errors(errors)
        fields = ", ".join(FIELD_LABELS[f] for f in FILTER_FIELDS if f in errors)
        self._set_count(f"Check the filters: {fields}", error=True)

    def _query_done(
        self, generation: int, source: audit.AuditSource, total: int, tz: tzinfo
    ) -> None:
        if generation != self._generation:
            return
        self.source = source
        self.query_state = source.query
        self._show_errors({})

        def loader(offset: int, limit: int) -> list[GridRow]:
            return load_rows(source, offset, limit, tz)

        self.grid.reset(total, loader)
        noun = "event" if total == 1 else "events"
        suffix = " match the filters" if source.query.is_filtered else " in the log"
        self._set_count(f"{total:,} {noun}{suffix} · newest first")

    def _set_count(self, text: str, *, error: bool = False) -> None:
        count = self.query_one("#count", Static)
        count.update(Text(text))
        count.set_class(error, "-error")

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Each message in the cell under its field (the cells of a row keep their widths, so
        an error never appears under a neighbour); a row without errors takes no space."""
        self.errors = dict(errors)
        for field in FILTER_FIELDS:
            message = errors.get(field, "")
            widget = self.query_one(f"#e-{field}", Static)
            widget.update(Text(f"✗ {message}") if message else Text(""))
            self.query_one(f"#f-{field}").set_class(bool(message), "-invalid")
        for row in self.query(".errors"):
            row.display = any(
                errors.get((child.id or "").removeprefix("e-")) for child in row.children
            )
        if errors:
            first = next(f for f in FILTER_FIELDS if f in errors)
            self.query_one(f"#f-{first}").focus()

    # --------------------------------------------------------------- events
    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self._ready:
            self.apply_filters()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        if self._ready:
            self.apply_filters()

    @on(SqlGrid.RowActivated)
    def _open_event(self, event: SqlGrid.RowActivated) -> None:
        self.app.push_screen(AuditEventScreen(event.row_id))

    @on(SqlGrid.PageLoadFailed)
    def _page_failed(self, event: SqlGrid.PageLoadFailed) -> None:
        self.notify(f"Could not load events: {event.error}", severity="error", markup=False)

    # -------------------------------------------------------------- actions
    def _in_filter_bar(self) -> bool:
        focused = self.focused
        return focused is not None and focused.id in {f"f-{f}" for f in FILTER_FIELDS}

    def action_back(self) -> None:
        if self._in_filter_bar():
            self.grid.focus()
        else:
            self.app.pop_screen()

    def action_focus_filters(self) -> None:
        self.query_one("#f-staff", Select).focus()

    def action_clear_filters(self) -> None:
        for field in ("customer", "since", "until"):
            self.query_one(f"#f-{field}", Input).value = ""
        for field in ("staff", "action"):
            select = self.query_one(f"#f-{field}", Select)
            with select.prevent(Select.Changed):
                select.clear()
        self._show_errors({})
        self.grid.focus()
        if self._ready:
            self.apply_filters()

    def action_reload(self) -> None:
        if self._ready:
            self.apply_filters()


class AuditEventScreen(ModalScreen[None]):
    """One event in full: when, who, what, the customer, every change and the note."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="audit_event.back"),
        Binding("o", "open_customer", "Open customer", id="audit_event.open_customer"),
    ]

    DEFAULT_CSS = """
    AuditEventScreen { align: center middle; }
    AuditEventScreen > Vertical {
        width: 96; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface;
    }
    AuditEventScreen #title { padding: 0 1; text-style: bold; height: auto; }
    AuditEventScreen VerticalScroll { height: auto; max-height: 1fr; padding: 0 1; }
    AuditEventScreen #keys { padding: 0 1; height: 1; color: $foreground-muted; }
    """

    def __init__(self, entry_id: int) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.entry: audit.AuditEntry | None = None
        self.customer_email: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Event #{self.entry_id}"), id="title")
            with VerticalScroll():
                yield Static(Text("Loading…"), id="body")
            yield Static(Text("esc back"), id="keys")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False, group="audit-event")
    def _load(self) -> None:
        def fetch() -> tuple[audit.AuditEntry, str | None]:
            entry = audit.get(self.entry_id)
            emails = audit.customer_emails([entry.customer_id] if entry.customer_id else [])
            return entry, emails.get(entry.customer_id) if entry.customer_id else None

        try:
            entry, email = in_thread(fetch)
        except NotFound as error:
            self.app.call_from_thread(self._missing, str(error))
            return
        self.app.call_from_thread(self._loaded, entry, email)

    def _missing(self, message: str) -> None:
        self.query_one("#body", Static).update(Text(message))

    def _loaded(self, entry: audit.AuditEntry, email: str | None) -> None:
        self.entry, self.customer_email = entry, email
        tz = _timezone(self.app)
        self.query_one("#title", Static).update(
            Text(f"Event #{entry.id} — {audit.action_label(entry.action)}")
        )
        self.query_one("#body", Static).update(event_text(entry, email, tz))
        keys = "o open customer · esc back" if self.customer_exists else "esc back"
        self.query_one("#keys", Static).update(Text(keys))
        self.refresh_bindings()

    @property
    def customer_exists(self) -> bool:
        return self.entry is not None and self.customer_email is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_customer":
            return self.customer_exists
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_open_customer(self) -> None:
        if self.entry is None or self.entry.customer_id is None or not self.customer_exists:
            return
        customer_id = self.entry.customer_id
        self.dismiss(None)
        self.app.open_customer(customer_id)  # type: ignore[attr-defined]


def event_text(entry: audit.AuditEntry, email: str | None, tz: tzinfo) -> Text:
    """The event as labelled lines of plain text (nothing in it is read as markup)."""
    local = entry.created_at.astimezone(tz)
    staff = entry.staff_username or "system"
    if entry.staff_id is not None:
        staff = f"{staff} (#{entry.staff_id})"
    if entry.customer_id is None:
        customer = "—"
    elif email:
        customer = f"#{entry.customer_id} {email}"
    else:
        customer = f"#{entry.customer_id} (this account no longer exists)"
    entity = entry.entity_type + (f" #{entry.entity_id}" if entry.entity_id is not None else "")
    out = Text()

    def line(label: str, value: object) -> None:
        if out:
            out.append("\n")
        out.append(f"{label:<10}", style="bold")
        out.append_text(plain(value))

    line("Time", f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".rstrip())
    line("Staff", staff)
    line("Action", f"{audit.action_label(entry.action)} ({entry.action})")
    line("Customer", customer)
    line("Entity", entity)
    changes = audit.change_lines(entry)
    if changes:
        out.append("\n")
        out.append("Changes", style="bold")
        width = min(24, max(len(field) for field, _ in changes))
        for field, shown in changes:
            out.append("\n  ")
            out.append_text(plain(f"{field:<{width}}  "))
            out.append_text(plain(shown))
    else:
        line("Changes", "—")
    line("Note", entry.note or "—")
    return out
