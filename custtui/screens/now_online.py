"""Customers › Now Online: who is on the shop right now, refreshing itself (reference A4, B8).

The screen asks :func:`custtui.services.online.snapshot` for the totals, the pages around the
cursor and the last hour's chart in a thread worker, then re-arms a ONE-SHOT timer when that
refresh has finished — never an interval, so a slow database can't pile refreshes up
(textual-notes §4). The grid is reloaded in place: the row under the cursor is followed by its
visit id, the selection stays, and the pages just read are handed to the grid so nothing
flashes "loading…" between refreshes. Refreshing stops while another screen is on top and
runs at once when the agent comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Label, Select, Sparkline, Static
from textual.worker import Worker, WorkerState

from custtui.screens.dbwork import in_thread
from custtui.screens.filters import FilterDialog
from custtui.services import online
from custtui.services.errors import PermissionDenied, ServiceError, ValidationError
from custtui.widgets.inputs import TextInput
from custtui.widgets.sql_grid import PAGE_SIZE, GridColumn, GridRow, SqlGrid

REFRESH_SECONDS = 5.0
"""Default auto-refresh interval (``Settings.online_refresh_seconds`` overrides it)."""

# Widths chosen so that at 80 columns a person sees who (ID, names, email) and when (Last
# Activity) without scrolling; the rest is one `right` away.

WIDTHS = {
    "customer_id": 6,
    "firstname": 11,
    "lastname": 11,
    "email": 22,
    "last_visit_at": 19,
    "type": 8,
    "created_at": 19,
    "remote_addr": 15,
    "last_url": 30,
    "website": 16,
}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
GROUP = "now-online-refresh"
EDGE = 20
"""Rows from a page edge within which a refresh also reads the neighbouring page."""


def grid_columns() -> list[GridColumn]:
    return [
        GridColumn(key, label, WIDTHS[key], key == "customer_id") for key, label in online.COLUMNS
    ]


def row_cells(row: online.OnlineRow, tz: tzinfo | None) -> GridRow:
    """One visit as grid text, times in the shop's display timezone."""

    def when(moment: datetime) -> str:
        return (moment.astimezone(tz) if tz else moment).strftime(TIME_FORMAT)

    return GridRow(
        row.visit_id,
        (
            str(row.customer_id) if row.customer_id else "",
            row.firstname,
            row.lastname,
            row.email,
            when(row.last_visit_at),
            row.type,
            when(row.created_at),
            row.remote_addr,
            row.last_url,
            row.website,
        ),
    )


def describe_filters(values: dict[str, str], websites: dict[str, str]) -> str:
    """The filter form in words, e.g. ``Type: Customer · Email: gmail``."""
    parts = []
    if values.get("type"):
        parts.append(f"Type: {online.TYPES.get(values['type'], values['type'])}")
    low, high = values.get("id_from", ""), values.get("id_to", "")
    if low or high:
        parts.append(f"ID: {low or '…'}–{high or '…'}")
    for key in ("firstname", "lastname", "email"):
        if values.get(key):
            parts.append(f"{online.LABELS[key]}: {values[key]}")
    low, high = values.get("active_from", ""), values.get("active_to", "")
    if low or high:
        parts.append(f"Last Activity: {low or '…'}–{high or '…'}")
    if values.get("website"):
        parts.append(f"Web Site: {websites.get(values['website'], values['website'])}")
    return " · ".join(parts)


class OnlineGrid(SqlGrid):
    """The SQL grid, plus taking a refresh's pages as they are (no second read, no flash)."""

    def show(
        self,
        row_count: int,
        loader: Any,
        pages: dict[int, Sequence[GridRow]],
        *,
        reset: bool,
        cursor_row: int | None = None,
    ) -> None:
        if reset:
            self.reset(row_count, loader, keep_selection=True)
        else:
            self.loader = loader
            before = self.cursor_row
            self.reload(row_count)
            if cursor_row is not None and row_count:
                cursor_row = max(0, min(cursor_row, row_count - 1))
                # Scrolled down: keep the followed row on the same screen line while the list
                # shifts. At the top: stay there, so new arrivals come into view.
                if self.scroll_y > 0:
                    self.scroll_to(y=self.scroll_y + (cursor_row - before), animate=False)
                self.cursor_row = cursor_row
        for number, rows in pages.items():
            self._pages[number] = rows  # the grid's page cache (same shape its loader fills)
        self.refresh()


class NowOnlineScreen(Screen[None]):
    """Customers and visitors with activity inside the Online Minutes Interval."""

    TITLE = "Now Online"

    BINDINGS = [
        Binding("f", "filters", "Filters", id="online.filters"),
        Binding("F", "clear_filters", "Clear filters", id="online.clear_filters", show=False),
        Binding("p", "pause", "Pause", id="online.pause"),
        Binding("p", "resume", "Resume", id="online.resume"),
        Binding("ctrl+r", "refresh_now", "Refresh", id="online.refresh"),
        Binding("escape", "back", "Back", id="online.back", show=False),
    ]

    DEFAULT_CSS = """
    NowOnlineScreen #summary { height: 1; padding: 0 1; }
    NowOnlineScreen #chart { height: 1; padding: 0 1; }
    NowOnlineScreen #chart-label { width: auto; color: $foreground-muted; }
    NowOnlineScreen #spark { width: 1fr; margin: 0 1; }
    NowOnlineScreen #chart-range { width: auto; color: $foreground-muted; }
    NowOnlineScreen #status { height: 1; padding: 0 1; color: $foreground-muted; }
    NowOnlineScreen #status.-error { color: $text-error; }
    NowOnlineScreen OnlineGrid { height: 1fr; }
    """

    def __init__(self, refresh_seconds: float | None = None) -> None:
        super().__init__()
        self._refresh_seconds = refresh_seconds
        self.query_state = online.OnlineQuery()
        self.filter_values: dict[str, str] = {}
        self.websites: list[tuple[str, str]] | None = None
        self.paused = False
        self.last_snapshot: online.OnlineSnapshot | None = None
        self._suspended = True  # until the first on_screen_resume
        self._timer: Timer | None = None
        self._refreshing = False
        self._again: bool | None = None  # a refresh asked for while one runs (True = reset)
        self._who: dict[int, int | None] = {}  # visit id → customer id (None: a visitor)
        self._error: str | None = None

    @property
    def refresh_seconds(self) -> float:
        if self._refresh_seconds is not None:
            return self._refresh_seconds
        settings = getattr(self.app, "settings", None)
        return float(getattr(settings, "online_refresh_seconds", REFRESH_SECONDS))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="summary", markup=False)
        with Horizontal(id="chart"):
            yield Static("Online, last hour", id="chart-label", markup=False)
            yield Sparkline([], id="spark", summary_function=max)
            yield Static("", id="chart-range", markup=False)
        yield Static("", id="status", markup=False)
        yield OnlineGrid(grid_columns(), id="grid", empty_text="Nobody is online right now.")
        yield Footer(compact=True)

    @property
    def grid(self) -> OnlineGrid:
        return self.query_one("#grid", OnlineGrid)

    def on_mount(self) -> None:
        self.grid.set_sort(self.query_state.sort, self.query_state.descending)
        self.grid.focus()
        self._update_summary()
        self._update_status()

    # -------------------------------------------------------------- refresh
    def on_screen_suspend(self) -> None:
        """Nobody is looking: stop asking the database."""
        self._suspended = True
        self._stop_timer()

    def on_screen_resume(self) -> None:
        self._suspended = False
        self.refresh_now()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def refresh_now(self, *, reset: bool = False) -> None:
        """Ask again now (*reset*: a new question, so go to the top). While a refresh is
        running the request is remembered and made when it finishes — never two at once."""
        if self._refreshing:
            self._again = bool(self._again) or reset
            return
        self._stop_timer()
        self._refreshing = True
        grid = self.grid
        height = max(1, grid.size.height - 1)
        top = 0 if reset else int(grid.scroll_y)
        cursor = 0 if reset else grid.cursor_row
        # The first page (where active visits jump to), the visible ones and the cursor's,
        # plus its neighbour when the cursor is near a page edge: enough to follow the row
        # and to repaint without "loading…", without reading pages nobody looks at.
        pages = {0, top // PAGE_SIZE, (top + height) // PAGE_SIZE, cursor // PAGE_SIZE}
        if cursor % PAGE_SIZE < EDGE:
            pages.add(cursor // PAGE_SIZE - 1)
        if cursor % PAGE_SIZE >= PAGE_SIZE - EDGE:
            pages.add(cursor // PAGE_SIZE + 1)
        self._refresh_worker(self.query_state, sorted(p for p in pages if p >= 0), reset)

    @work(thread=True, exit_on_error=False, group=GROUP)
    def _refresh_worker(self, query: online.OnlineQuery, pages: list[int], reset: bool) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]

        tz = getattr(self.app, "display_timezone", None)

        def read() -> tuple[online.OnlineSnapshot, list[tuple[str, str]] | None]:
            found = online.snapshot(actor, query, pages=pages, page_size=PAGE_SIZE)
            return found, online.websites() if self.websites is None else None

        try:
            found, websites = in_thread(read)
            # Grid text is made here, not on the UI thread.
            shown = {n: [row_cells(r, tz) for r in rows] for n, rows in found.pages.items()}
        except PermissionDenied as error:
            self.app.call_from_thread(self._denied, str(error))
            return
        except Exception as error:  # a locked or lost database: say so, try again later
            self.app.call_from_thread(self._failed, f"Refresh failed: {error}")
            return
        self.app.call_from_thread(self._apply, found, shown, websites, reset)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Re-arm the one-shot timer when a refresh has finished (the only place it is armed)."""
        if event.worker.group != GROUP or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        self._refreshing = False
        if event.state is WorkerState.ERROR:
            self._failed(f"Refresh failed: {event.worker.error}")
        if self._again is not None:
            reset, self._again = self._again, None
            if not self._suspended:
                self.refresh_now(reset=reset)
                return
        self._arm()

    def _arm(self) -> None:
        self._stop_timer()
        if not (self.paused or self._suspended or self._refreshing):
            self._timer = self.set_timer(self.refresh_seconds, self._tick, name="now-online")

    def _tick(self) -> None:
        self._timer = None
        self.refresh_now()

    def _denied(self, message: str) -> None:
        """No permission: stop refreshing (each refusal is an audit row)."""
        self.paused = True
        self._failed(message)
        self.refresh_bindings()

    def _failed(self, message: str) -> None:
        self._error = message
        self._update_status()

    def _apply(
        self,
        found: online.OnlineSnapshot,
        pages: dict[int, list[GridRow]],
        websites: list[tuple[str, str]] | None,
        reset: bool,
    ) -> None:
        if websites is not None:
            self.websites = websites
        if found.source.query != self.query_state:
            return  # the question changed meanwhile; the refresh queued for it follows
        self.last_snapshot = found
        self._error = None
        # Visit → customer for the rows on screen (rebuilt each refresh so it never grows).
        self._who = {row.visit_id: row.customer_id for rows in found.pages.values() for row in rows}
        grid = self.grid
        cursor_row = None
        if not reset:
            followed = grid.cursor_id
            for number, rows in pages.items():
                for offset, row in enumerate(rows):
                    if row.id == followed:
                        cursor_row = number * PAGE_SIZE + offset
            if cursor_row is None:
                cursor_row = grid.cursor_row
        grid.set_sort(found.source.query.sort, found.source.query.descending)
        grid.show(
            found.total, self._loader(found.source), pages, reset=reset, cursor_row=cursor_row
        )
        self._update_summary()
        self._update_chart(found.history)
        self._update_status()

    def _loader(self, source: online.OnlineSource) -> Any:
        """Pages the grid asks for beyond the refreshed ones, read at the refresh's "now"."""
        tz = getattr(self.app, "display_timezone", None)
        who = self._who

        def load(offset: int, limit: int) -> list[GridRow]:
            rows = in_thread(source.page, offset, limit)
            who.update((row.visit_id, row.customer_id) for row in rows)
            return [row_cells(row, tz) for row in rows]

        return load

    # -------------------------------------------------------------- display
    def _update_summary(self) -> None:
        found = self.last_snapshot
        text = Text()
        if found is None:
            text.append("Loading who is online…", style="italic")
        else:
            text.append(f"{found.customers:,}", style="bold")
            text.append(f" customer{'s' if found.customers != 1 else ''} · ")
            text.append(f"{found.visitors:,}", style="bold")
            text.append(f" visitor{'s' if found.visitors != 1 else ''} online ")
            text.append(f"(last {found.minutes} minutes)")
            tz = getattr(self.app, "display_timezone", None)
            stamp = (found.now.astimezone(tz) if tz else found.now).strftime("%H:%M:%S")
            text.append(f"   updated {stamp}", style="dim")
        self.query_one("#summary", Static).update(text)

    def _update_chart(self, history: Sequence[int]) -> None:
        self.query_one("#spark", Sparkline).data = list(history)
        label = f"min {min(history):,} · max {max(history):,}" if history else ""
        self.query_one("#chart-range", Static).update(label)

    def _update_status(self) -> None:
        status = self.query_one("#status", Static)
        status.set_class(self._error is not None, "-error")
        if self._error is not None:
            status.update(self._error)
            return
        query = self.query_state
        parts = ["Auto-refresh paused (p resumes)"] if self.paused else []
        parts.append(f"Sort: {online.LABELS[query.sort]} {'▼' if query.descending else '▲'}")
        filters = describe_filters(self.filter_values, dict(self.websites or []))
        if filters:
            parts.append(f"Filters: {filters}")
        found = self.last_snapshot
        if found is not None and filters:
            parts.append(f"{found.total:,} shown")
        if self.grid.selection_count:
            parts.append(f"{self.grid.selection_count:,} selected")
        status.update(" · ".join(parts))

    # --------------------------------------------------------------- events
    @on(SqlGrid.SortRequested)
    def _sort(self, event: SqlGrid.SortRequested) -> None:
        self.query_state = self.query_state.with_sort(event.key)
        self.grid.set_sort(self.query_state.sort, self.query_state.descending)
        self._update_status()
        self.refresh_now(reset=True)

    @on(SqlGrid.SelectionChanged)
    def _selection_changed(self) -> None:
        self._update_status()

    @on(SqlGrid.PageLoadFailed)
    def _page_failed(self, event: SqlGrid.PageLoadFailed) -> None:
        self.notify(f"Could not load rows: {event.error}", severity="error", markup=False)

    @on(SqlGrid.RowActivated)
    def _open(self, event: SqlGrid.RowActivated) -> None:
        customer_id = self._who.get(event.row_id)
        if customer_id:
            self.app.open_customer(customer_id)  # type: ignore[attr-defined]
        else:
            self.notify(
                "This is a visitor who has not signed in: visitors have no customer account "
                "to open.",
                markup=False,
                timeout=5,
            )

    # -------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pause":
            return not self.paused
        if action == "resume":
            return self.paused
        return True

    def action_pause(self) -> None:
        self.paused = True
        self._stop_timer()
        self.refresh_bindings()
        self._update_status()

    def action_resume(self) -> None:
        self.paused = False
        self._error = None
        self.refresh_bindings()
        self._update_status()
        self.refresh_now()

    def action_refresh_now(self) -> None:
        self.refresh_now()

    def action_back(self) -> None:
        if self.grid.selection_count:
            self.grid.clear_selection()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_filters(self) -> None:
        def done(result: tuple[dict[str, str], online.OnlineQuery] | None) -> None:
            if result is None:
                return
            values, query = result
            self.filter_values = values
            self.query_state = replace(
                query, sort=self.query_state.sort, descending=self.query_state.descending
            )
            self._update_status()
            self.refresh_now(reset=True)

        tz = getattr(self.app, "display_timezone", None)
        self.app.push_screen(OnlineFilterScreen(self.filter_values, self.websites or [], tz), done)

    def action_clear_filters(self) -> None:
        if self.filter_values:
            self.filter_values = {}
            self.query_state = online.OnlineQuery(
                sort=self.query_state.sort, descending=self.query_state.descending
            )
            self._update_status()
            self.refresh_now(reset=True)


FIELD_ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("id", "ID", ("id_from", "id_to")),
    ("firstname", "First Name", ("firstname",)),
    ("lastname", "Last Name", ("lastname",)),
    ("email", "Email", ("email",)),
    ("active", "Last Activity", ("active_from", "active_to")),
    ("type", "Type", ("type",)),
    ("website", "Web Site", ("website",)),
)
"""Filter panel rows: (row id, label, the form keys of :func:`online.parse` it holds)."""


class OnlineFilterScreen(FilterDialog[tuple[dict[str, str], online.OnlineQuery] | None]):
    """Now Online filters; returns (the values as typed, the parsed query) or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="online_filters.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="online_filters.apply"),
        Binding("ctrl+l", "clear", "Clear all", id="online_filters.clear"),
    ]

    DEFAULT_CSS = """
    OnlineFilterScreen { align: center middle; }
    OnlineFilterScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface;
    }
    OnlineFilterScreen #heading { padding: 0 1; text-style: bold; height: 1; }
    OnlineFilterScreen #fields { height: auto; padding: 0 1; }
    OnlineFilterScreen .row { height: 1; }
    OnlineFilterScreen Input, OnlineFilterScreen Select { background: $boost; }
    OnlineFilterScreen .row Label { width: 15; padding: 0 1 0 0; }
    OnlineFilterScreen .row Input, OnlineFilterScreen .row Select { width: 1fr; }
    OnlineFilterScreen .dash { width: 3; padding: 0 1; }
    OnlineFilterScreen .error { color: $text-error; padding-left: 15; height: auto; }
    OnlineFilterScreen .error.-empty { display: none; }
    OnlineFilterScreen #buttons { height: 1; align-horizontal: right; padding-right: 1; }
    OnlineFilterScreen #buttons Button { margin-left: 1; }
    """

    def __init__(
        self, values: dict[str, str], websites: list[tuple[str, str]], tz: tzinfo | None
    ) -> None:
        super().__init__()
        self.values = dict(values)
        self.websites = websites
        self.tz = tz

    def compose(self) -> ComposeResult:
        get = self.values.get
        with Vertical():
            yield Static("Now Online filters — ctrl+s apply · ctrl+l clear · esc", id="heading")
            with Vertical(id="fields"):
                for row, label, keys in FIELD_ROWS:
                    with Horizontal(classes="row"):
                        yield Label(label)
                        if row == "type":
                            yield Select(
                                [(Text(name), key) for key, name in online.TYPES.items()],
                                value=get("type") or Select.NULL,
                                prompt="Any",
                                id="f-type",
                                compact=True,
                            )
                        elif row == "website":
                            yield Select(
                                [(Text(name), code) for code, name in self.websites],
                                value=get("website") or Select.NULL,
                                prompt="Any",
                                id="f-website",
                                compact=True,
                            )
                        elif len(keys) == 2:
                            hint = " YYYY-MM-DD HH:MM" if row == "active" else ""
                            yield TextInput(
                                get(keys[0], ""),
                                placeholder=f"from{hint}",
                                id=f"f-{keys[0]}",
                                compact=True,
                            )
                            yield Static("–", classes="dash")
                            yield TextInput(
                                get(keys[1], ""),
                                placeholder=f"to{hint}",
                                id=f"f-{keys[1]}",
                                compact=True,
                            )
                        else:
                            yield TextInput(
                                get(keys[0], ""), id=f"f-{keys[0]}", compact=True, max_length=300
                            )
                    yield Static("", classes="error -empty", id=f"e-{row}", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Clear all", id="clear", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Apply", id="apply", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def collect(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for select_id in ("type", "website"):
            value = self.query_one(f"#f-{select_id}", Select).value
            if value is not Select.NULL and value is not None and value is not False:
                values[select_id] = str(value)
        for widget in self.query(Input):
            text = widget.value.strip()
            if text and widget.id:
                values[widget.id.removeprefix("f-")] = text
        return values

    def show_errors(self, errors: dict[str, str]) -> None:
        for row, _label, keys in FIELD_ROWS:
            message = " ".join(errors[k] for k in keys if k in errors)
            widget = self.query_one(f"#e-{row}", Static)
            widget.update(message)
            widget.set_class(not message, "-empty")
        for key in (k for _r, _l, keys in FIELD_ROWS for k in keys):
            if key in errors:
                self.query_one(f"#f-{key}").focus()
                break

    def action_apply(self) -> None:
        self._check(self.collect())

    @work(thread=True, exit_on_error=False, group="now-online-filters")
    def _check(self, values: dict[str, str]) -> None:
        """Validate with the service (it looks the website up) off the UI thread."""
        try:
            query = in_thread(online.parse, values, self.tz)
        except ValidationError as error:
            self.app.call_from_thread(self.show_errors, error.errors)
            return
        except ServiceError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.app.call_from_thread(self.dismiss, (values, query))
