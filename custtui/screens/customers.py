"""Customers › All Customers: keyword search, filters, sort, columns, views, export, mass actions.

The screen only wires widgets to services: queries run in thread workers, results come back as
row counts and page loaders for the grid, and every action goes through a service that checks
the staff member's permission and writes the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from custtui.screens.dbwork import in_thread
from custtui.services.errors import ValidationError
from custtui.services.grid import GridQuery, GridSource, Selection, Sort
from custtui.services.grid_columns import COLUMNS_BY_KEY, DEFAULT_COLUMNS, FilterKind, Lookups
from custtui.widgets.inputs import TextInput
from custtui.widgets.sql_grid import GridColumn, GridRow, SqlGrid

if TYPE_CHECKING:
    from custtui.services import mass_actions

SCREEN_KEY = "customers"


def grid_columns_for(keys: Sequence[str]) -> list[GridColumn]:
    return [
        GridColumn(k, COLUMNS_BY_KEY[k].label, COLUMNS_BY_KEY[k].width, COLUMNS_BY_KEY[k].numeric)
        for k in keys
    ]


def describe_filters(filters: dict[str, Any], lookups: Lookups | None) -> str:
    """The active filters in words, e.g. ``Group: General · ID: 10–20``."""
    parts = []
    for key, value in filters.items():
        col = COLUMNS_BY_KEY[key]
        if col.filter in (FilterKind.RANGE, FilterKind.DATE):
            low, high = value
            shown = f"{low or '…'}–{high or '…'}"
        elif col.filter is FilterKind.SELECT and lookups is not None:
            options = dict((v, label) for label, v in lookups.select_options(key))
            shown = options.get(value, str(value))
        else:
            shown = str(value)
        parts.append(f"{col.label}: {shown}")
    return " · ".join(parts)


class CustomersScreen(Screen[None]):
    """The All Customers grid (reference A3)."""

    TITLE = "All Customers"

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="customers.search", show=False),
        Binding("f", "filters", "Filters", id="customers.filters"),
        Binding("F", "clear_filters", "Clear filters", id="customers.clear_filters", show=False),
        Binding("c", "columns", "Columns", id="customers.columns"),
        Binding("v", "views", "Views", id="customers.views"),
        Binding("e", "export", "Export", id="customers.export"),
        Binding("x", "actions", "Actions", id="customers.actions"),
        Binding("a", "add", "Add New Customer", id="customers.add", show=False),
        Binding("escape", "escape", "Clear selection", id="customers.escape", show=False),
        Binding("ctrl+r", "reload", "Reload", id="customers.reload", show=False),
    ]

    DEFAULT_CSS = """
    CustomersScreen #toolbar { height: 1; }
    CustomersScreen #search { border: none; height: 1; width: 1fr; padding: 0 1; }
    CustomersScreen #search:focus { border: none; background: $boost; }
    CustomersScreen #count { width: auto; padding: 0 1; color: $text-accent; }
    CustomersScreen #status { height: 1; padding: 0 1; color: $foreground-muted; }
    CustomersScreen #status.-error { color: $text-error; }
    CustomersScreen SqlGrid { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keep_cursor = False
        self.query_state = GridQuery()
        self.column_keys: list[str] = list(DEFAULT_COLUMNS)
        self.view_name: str | None = None
        self.lookups: Lookups | None = None
        self.source: GridSource | None = None
        self._pending: GridSource | None = None
        self._generation = 0
        self._error: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="toolbar"):
            yield TextInput(
                placeholder="Search by keyword (/)   ·   s sort · ctrl+a all · a add · m menu · f1 keys",
                id="search",
                max_length=2000,
            )
            yield Static("", id="count")
        yield Static("", id="status", markup=False)
        yield SqlGrid(grid_columns_for(self.column_keys), id="grid")
        yield Footer(compact=True)

    @property
    def grid(self) -> SqlGrid:
        return self.query_one("#grid", SqlGrid)

    def on_mount(self) -> None:
        self.grid.focus()
        self._load_start()

    @work(thread=True, exit_on_error=False, group="customers-start")
    def _load_start(self) -> None:
        """Lookups and the staff member's default view, then the first result."""
        from custtui.services import views

        actor = self.app.actor  # type: ignore[attr-defined]
        lookups = in_thread(Lookups.load)
        default = None
        if actor.staff_id is not None:
            default = in_thread(views.default_view, actor, SCREEN_KEY)
        self.app.call_from_thread(self._started, lookups, default)

    def _started(self, lookups: Lookups, default: Any) -> None:
        self.lookups = lookups
        if default is not None:
            self.apply_view(default.name, default.state, notify=False)
        else:
            self.run_query()

    # ---------------------------------------------------------------- query
    def run_query(self, *, keep_selection: bool = False, keep_cursor: bool = False) -> None:
        """Ask the grid's question again; *keep_cursor* after an edit elsewhere, so the agent
        comes back to the row they left."""
        self._generation += 1
        self._keep_cursor = keep_cursor
        if self._pending is not None:
            self._pending.cancel()  # a newer question supersedes a slow count
            self._pending = None
        self._query_worker(self._generation, self.query_state, keep_selection)

    @work(thread=True, exit_on_error=False, group="customers-query")
    def _query_worker(self, generation: int, query: GridQuery, keep_selection: bool) -> None:
        try:
            source = GridSource(query, self.lookups)
        except ValidationError as error:
            self.app.call_from_thread(self._query_failed, generation, str(error))
            return
        self.app.call_from_thread(self._track, generation, source)
        try:
            total = in_thread(source.count)
        except Exception:
            if source.cancelled:
                return
            raise
        self.app.call_from_thread(self._query_done, generation, source, total, keep_selection)

    def _track(self, generation: int, source: GridSource) -> None:
        if generation == self._generation:
            self._pending = source
        else:
            source.cancel()

    def _query_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._error = message
            self._update_status()

    def _query_done(
        self, generation: int, source: GridSource, total: int, keep_selection: bool
    ) -> None:
        if generation != self._generation:
            return
        self._pending = None
        self._error = None
        self.source = source
        keys = tuple(self.column_keys)

        def loader(offset: int, limit: int) -> list[GridRow]:
            def fetch() -> list[GridRow]:
                rows = source.page(offset, limit).rows
                cells = source.formatted(rows, keys)
                return [GridRow(r["id"], tuple(c)) for r, c in zip(rows, cells, strict=True)]

            return in_thread(fetch)

        self.grid.set_sort(self.query_state.sort.key, self.query_state.sort.descending)
        if self._keep_cursor:
            self.grid.loader = loader
            self.grid.reload(total)
        else:
            self.grid.reset(total, loader, keep_selection=keep_selection)
        self.query_one("#count", Static).update(
            Text(f"{total:,} record{'s' if total != 1 else ''} found")
        )
        self._update_status()

    def _update_status(self) -> None:
        status = self.query_one("#status", Static)
        status.set_class(self._error is not None, "-error")
        if self._error is not None:
            status.update(self._error)
            return
        parts = []
        if self.view_name:
            parts.append(f"View: {self.view_name}")
        sort = self.query_state.sort
        parts.append(f"Sort: {COLUMNS_BY_KEY[sort.key].label} {'▼' if sort.descending else '▲'}")
        filters = describe_filters(dict(self.query_state.filters), self.lookups)
        if filters:
            parts.append(f"Filters: {filters}")
        grid = self.grid
        if grid.selection_count:
            parts.append(f"{grid.selection_count:,} selected")
        status.update(" · ".join(parts))

    # ------------------------------------------------------------- events
    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_state = self.query_state.with_search(event.value)
        self.run_query()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.grid.focus()

    @on(SqlGrid.SortRequested)
    def _sort(self, event: SqlGrid.SortRequested) -> None:
        current = self.query_state.sort
        descending = not current.descending if current.key == event.key else False
        self.query_state = self.query_state.with_sort(Sort(event.key, descending))
        self.run_query(keep_selection=True)

    @on(SqlGrid.SelectionChanged)
    def _selection_changed(self) -> None:
        self._update_status()

    @on(SqlGrid.PageLoadFailed)
    def _page_failed(self, event: SqlGrid.PageLoadFailed) -> None:
        self.notify(f"Could not load rows: {event.error}", severity="error", markup=False)

    @on(SqlGrid.RowActivated)
    def _open(self, event: SqlGrid.RowActivated) -> None:
        self.app.open_customer(event.row_id)  # type: ignore[attr-defined]

    # ------------------------------------------------------------- actions
    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_escape(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            self.grid.focus()
        elif self.grid.selection_count:
            self.grid.clear_selection()

    def action_add(self) -> None:
        from custtui.screens.account_editor import AccountEditorScreen

        self.app.push_screen(AccountEditorScreen())

    def action_reload(self) -> None:
        self.run_query(keep_selection=True)

    def action_filters(self) -> None:
        from custtui.screens.filters import FilterScreen

        if self.lookups is None:
            return

        def done(filters: dict[str, Any] | None) -> None:
            if filters is not None:
                self.query_state = self.query_state.with_filters(filters)
                self.run_query()

        self.app.push_screen(FilterScreen(dict(self.query_state.filters), self.lookups), done)

    def action_clear_filters(self) -> None:
        if self.query_state.filters:
            self.query_state = self.query_state.with_filters({})
            self.run_query()

    def action_columns(self) -> None:
        from custtui.screens.columns import ColumnChooser

        def done(keys: list[str] | None) -> None:
            if keys:
                self.column_keys = keys
                self.grid.set_columns(grid_columns_for(keys))
                self.run_query(keep_selection=True)

        self.app.push_screen(ColumnChooser(self.column_keys), done)

    def current_state(self) -> dict[str, Any]:
        return {"columns": list(self.column_keys), **self.query_state.to_state()}

    def apply_view(self, name: str | None, state: dict[str, Any], *, notify: bool = True) -> None:
        keys = [k for k in state.get("columns") or [] if k in COLUMNS_BY_KEY] or list(
            DEFAULT_COLUMNS
        )
        self.view_name = name
        self.column_keys = keys
        self.query_state = GridQuery.from_state(state)
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = self.query_state.search
        self.grid.set_columns(grid_columns_for(keys))
        self.run_query()
        if notify and name:
            self.notify(f"View “{name}” applied", markup=False, timeout=3)

    def action_views(self) -> None:
        from custtui.screens.saved_views import SavedViewsScreen

        self.app.push_screen(SavedViewsScreen(SCREEN_KEY, self))

    def selection(self) -> Selection:
        grid = self.grid
        if grid.all_matching:
            return Selection.all_matching(self.query_state, sorted(grid.excluded))
        return Selection.of(sorted(grid.selected))

    def action_export(self) -> None:
        from custtui.screens.export import ExportScreen

        total = self.grid.row_count
        self.app.push_screen(
            ExportScreen(
                self.query_state,
                self.selection(),
                self.grid.selection_count,
                total,
                list(self.column_keys),
            )
        )

    def action_actions(self) -> None:
        from custtui.screens.mass_action import MassActionScreen

        count = self.grid.selection_count
        if count == 0 and self.grid.cursor_id is not None:
            selection, count = Selection.of([self.grid.cursor_id]), 1
        elif count == 0:
            self.notify("Select at least one customer.", severity="warning", markup=False)
            return
        else:
            selection = self.selection()
        self.app.push_screen(
            MassActionScreen(selection, count, self.lookups or Lookups()), self._action_done
        )

    def _action_done(self, result: mass_actions.MassResult | None) -> None:
        if result is None:
            return
        self.notify(result.message, markup=False, timeout=5)
        self.grid.clear_selection(notify=False)
        self._refresh_lookups_and_query()

    @work(thread=True, exit_on_error=False, group="customers-lookups")
    def _refresh_lookups_and_query(self) -> None:
        lookups = in_thread(Lookups.load)

        def apply() -> None:
            self.lookups = lookups
            self.run_query()

        self.app.call_from_thread(apply)
