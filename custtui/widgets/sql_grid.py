"""A grid over a result of any size: a Line-API view that renders only the visible rows.

The widget knows nothing about databases. It is given a row count and a ``loader`` that returns
rows ``offset…offset+limit`` (called in a thread worker), keeps a small LRU cache of pages,
draws "loading" lines until a page arrives, and owns the cursor, the column cursor, the sticky
header and the selection (explicit ids, or "all matching" minus exclusions, so selecting a
million rows costs nothing). Every cell is drawn as plain text: customer data is never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAGE_SIZE = 100
CACHE_PAGES = 12
CHECK_WIDTH = 2


@dataclass(frozen=True)
class GridColumn:
    key: str
    label: str
    width: int
    numeric: bool = False


@dataclass(frozen=True)
class GridRow:
    """One row as shown: its id (the customer's) and one display string per column."""

    id: int
    cells: tuple[str, ...]


Loader = Callable[[int, int], Sequence[GridRow]]
"""``loader(offset, limit)`` → rows; runs in a worker thread."""


def _clean(text: str) -> str:
    """One terminal line of plain text: control characters (ANSI escapes, newlines) shown as
    visible symbols so data can never move the cursor or restyle the terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ("⏎" if ch == "\n" else "�") for ch in text)


def _fit(text: str, width: int, right: bool = False) -> str:
    from rich.cells import cell_len, set_cell_size

    text = _clean(text)
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return (" " * (width - cell_len(text)) + text) if right else set_cell_size(text, width)


class SqlGrid(ScrollView, can_focus=True):
    """The SQL-backed grid (DESIGN.md › The grid)."""

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("left", "column_left", "Column left", show=False),
        Binding("right", "column_right", "Column right", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First row", show=False),
        Binding("end", "last", "Last row", show=False),
        Binding("space", "toggle_row", "Select", id="grid.select"),
        Binding("shift+down", "extend_down", "Select range", show=False),
        Binding("shift+up", "extend_up", "Select range", show=False),
        Binding("ctrl+a", "select_all", "All", id="grid.select_all", show=False),
        Binding("s", "sort", "Sort", id="grid.sort", show=False),
        Binding("enter", "activate", "Open", id="grid.open"),
    ]

    COMPONENT_CLASSES = {
        "sql-grid--header",
        "sql-grid--header-sorted",
        "sql-grid--cursor",
        "sql-grid--cursor-cell",
        "sql-grid--selected",
        "sql-grid--loading",
        "sql-grid--empty",
    }

    DEFAULT_CSS = """
    SqlGrid {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
    }
    SqlGrid > .sql-grid--header { background: $panel; color: $foreground; text-style: bold; }
    SqlGrid > .sql-grid--header-sorted { background: $panel; color: $accent; text-style: bold; }
    SqlGrid > .sql-grid--cursor { background: $block-cursor-blurred-background; }
    SqlGrid:focus > .sql-grid--cursor { background: $block-cursor-background;
        color: $block-cursor-foreground; }
    SqlGrid > .sql-grid--cursor-cell { background: $block-cursor-blurred-background;
        text-style: bold; }
    SqlGrid:focus > .sql-grid--cursor-cell { background: $accent; color: $text;
        text-style: bold; }
    SqlGrid > .sql-grid--selected { background: $secondary 30%; }
    SqlGrid > .sql-grid--loading { color: $foreground-muted; }
    SqlGrid > .sql-grid--empty { color: $foreground-muted; text-style: italic; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)
    cursor_column: reactive[int] = reactive(0)

    class RowActivated(Message):
        """Enter on a row."""

        def __init__(self, row_id: int) -> None:
            self.row_id = row_id
            super().__init__()

    class SelectionChanged(Message):
        def __init__(self, grid: SqlGrid) -> None:
            self.grid = grid
            super().__init__()

    class SortRequested(Message):
        """The agent asked to sort by a column (the screen re-queries)."""

        def __init__(self, key: str) -> None:
            self.key = key
            super().__init__()

    class PageLoadFailed(Message):
        def __init__(self, error: Exception) -> None:
            self.error = error
            super().__init__()

    def __init__(
        self,
        columns: Sequence[GridColumn],
        *,
        empty_text: str = "No records found.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: list[GridColumn] = list(columns)
        self.row_count = 0
        self.loader: Loader | None = None
        self.empty_text = empty_text
        self.sort_key: str | None = None
        self.sort_descending = False
        self.selected: set[int] = set()
        self.all_matching = False
        self.excluded: set[int] = set()
        self._pages: LRUCache[int, Sequence[GridRow]] = LRUCache(CACHE_PAGES)
        self._pending: set[int] = set()
        self._generation = 0
        self._anchor: int | None = None
        self._update_virtual_size()

    # ----------------------------------------------------------------- data
    def reset(self, row_count: int, loader: Loader, *, keep_selection: bool = False) -> None:
        """Show a new result (new search, filter or sort): drop cached pages, go to the top."""
        self._generation += 1
        self.row_count = row_count
        self.loader = loader
        self._pages.clear()
        self._pending.clear()
        if not keep_selection:
            self.clear_selection(notify=False)
        self.cursor_row = 0
        self.scroll_to(y=0, animate=False)
        self._update_virtual_size()
        self.refresh()
        self.post_message(self.SelectionChanged(self))

    def reload(self, row_count: int) -> None:
        """Same result, fresh data (after a mass action): keep the cursor where it was."""
        self._generation += 1
        self.row_count = row_count
        self._pages.clear()
        self._pending.clear()
        self.cursor_row = min(self.cursor_row, max(0, row_count - 1))
        self._update_virtual_size()
        self.refresh()

    def set_columns(self, columns: Sequence[GridColumn]) -> None:
        current = self.current_column_key
        self.columns = list(columns)
        keys = [c.key for c in self.columns]
        self.cursor_column = keys.index(current) if current in keys else 0
        self._update_virtual_size()
        self.refresh()

    def set_sort(self, key: str | None, descending: bool) -> None:
        self.sort_key, self.sort_descending = key, descending
        self.refresh_line(0)

    @property
    def current_column_key(self) -> str | None:
        if not self.columns:
            return None
        return self.columns[min(self.cursor_column, len(self.columns) - 1)].key

    def row_at(self, index: int) -> GridRow | None:
        """The row at *index* if its page is loaded (never blocks)."""
        page = self._pages.get(index // PAGE_SIZE)
        if page is None:
            return None
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    @property
    def cursor_id(self) -> int | None:
        row = self.row_at(self.cursor_row)
        return row.id if row else None

    def _update_virtual_size(self) -> None:
        width = CHECK_WIDTH + sum(c.width + 1 for c in self.columns)
        self.virtual_size = Size(width, self.row_count + 1)

    def _request(self, page_no: int) -> None:
        if self.loader is None or page_no in self._pending or page_no in self._pages:
            return
        self._pending.add(page_no)
        generation, loader = self._generation, self.loader

        def load() -> None:
            try:
                rows = loader(page_no * PAGE_SIZE, PAGE_SIZE)
            except Exception as error:  # shown to the agent, never a crash
                self.app.call_from_thread(self._failed, generation, page_no, error)
                return
            self.app.call_from_thread(self._loaded, generation, page_no, rows)

        self.run_worker(load, thread=True, group="sql-grid-page", exit_on_error=False)

    def _loaded(self, generation: int, page_no: int, rows: Sequence[GridRow]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page_no)
        self._pages[page_no] = rows
        self.refresh()
        if page_no == self.cursor_row // PAGE_SIZE:
            self.post_message(self.SelectionChanged(self))

    def _failed(self, generation: int, page_no: int, error: Exception) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page_no)
        self.post_message(self.PageLoadFailed(error))

    # ------------------------------------------------------------ selection
    @property
    def selection_count(self) -> int:
        if self.all_matching:
            return self.row_count - len(self.excluded)
        return len(self.selected)

    def is_selected(self, row_id: int) -> bool:
        if self.all_matching:
            return row_id not in self.excluded
        return row_id in self.selected

    def clear_selection(self, notify: bool = True) -> None:
        self.selected.clear()
        self.excluded.clear()
        self.all_matching = False
        self._anchor = None
        self.refresh()
        if notify:
            self.post_message(self.SelectionChanged(self))

    def _set_selected(self, row_id: int, value: bool) -> None:
        if self.all_matching:
            (self.excluded.discard if value else self.excluded.add)(row_id)
        else:
            (self.selected.add if value else self.selected.discard)(row_id)

    def action_toggle_row(self) -> None:
        row = self.row_at(self.cursor_row)
        if row is None:
            return
        self._set_selected(row.id, not self.is_selected(row.id))
        self._anchor = self.cursor_row
        self.refresh_line(self._screen_y(self.cursor_row))
        self.post_message(self.SelectionChanged(self))
        self.action_cursor_down()

    def _extend(self, step: int) -> None:
        row = self.row_at(self.cursor_row)
        if row is None:
            return
        if self._anchor is None:
            self._anchor = self.cursor_row
        self._set_selected(row.id, True)
        self.cursor_row = max(0, min(self.row_count - 1, self.cursor_row + step))
        after = self.row_at(self.cursor_row)
        if after is not None:
            self._set_selected(after.id, True)
        self.refresh()
        self.post_message(self.SelectionChanged(self))

    def action_extend_down(self) -> None:
        self._extend(1)

    def action_extend_up(self) -> None:
        self._extend(-1)

    def action_select_all(self) -> None:
        """Toggle "all matching rows" (every row of the result, loaded or not)."""
        if self.all_matching and not self.excluded:
            self.clear_selection()
            return
        self.selected.clear()
        self.excluded.clear()
        self.all_matching = self.row_count > 0
        self.refresh()
        self.post_message(self.SelectionChanged(self))

    # --------------------------------------------------------------- cursor
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _screen_y(self, index: int) -> int:
        return index - int(self.scroll_y) + 1

    def watch_cursor_row(self, old: int, new: int) -> None:
        if self.row_count == 0:
            return
        top = int(self.scroll_y)
        height = self._body_height()
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self.refresh()
        self.post_message(self.SelectionChanged(self))

    def watch_cursor_column(self, old: int, new: int) -> None:
        left = CHECK_WIDTH + sum(c.width + 1 for c in self.columns[:new])
        width = self.columns[new].width + 1 if self.columns else 0
        view = self.scrollable_content_region.width
        x = int(self.scroll_x)
        if left < x:
            self.scroll_to(x=max(0, left - CHECK_WIDTH), animate=False)
        elif left + width > x + view:
            self.scroll_to(x=left + width - view, animate=False)
        self.refresh()

    def _move(self, index: int) -> None:
        if self.row_count:
            self._anchor = None
            self.cursor_row = max(0, min(self.row_count - 1, index))

    def action_cursor_up(self) -> None:
        self._move(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor_row - self._body_height())

    def action_page_down(self) -> None:
        self._move(self.cursor_row + self._body_height())

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.row_count - 1)

    def action_column_left(self) -> None:
        self.cursor_column = max(0, self.cursor_column - 1)

    def action_column_right(self) -> None:
        self.cursor_column = min(len(self.columns) - 1, self.cursor_column + 1)

    def action_sort(self) -> None:
        if self.current_column_key is not None:
            self.post_message(self.SortRequested(self.current_column_key))

    def action_activate(self) -> None:
        row = self.row_at(self.cursor_row)
        if row is not None:
            self.post_message(self.RowActivated(row.id))

    def on_click(self, event: events.Click) -> None:
        y = event.y
        if y == 0:
            x = event.x + int(self.scroll_x) - CHECK_WIDTH
            for index, col in enumerate(self.columns):
                if 0 <= x < col.width + 1:
                    self.cursor_column = index
                    self.post_message(self.SortRequested(col.key))
                    return
                x -= col.width + 1
            return
        index = int(self.scroll_y) + y - 1
        if 0 <= index < self.row_count:
            self._move(index)

    # -------------------------------------------------------------- drawing
    def _header_text(self) -> list[Segment]:
        header = self.get_component_rich_style("sql-grid--header")
        sorted_style = self.get_component_rich_style("sql-grid--header-sorted")
        segments = [Segment(" " * CHECK_WIDTH, header)]
        for col in self.columns:
            label = col.label
            style = header
            if col.key == self.sort_key:
                label = f"{label} {'▼' if self.sort_descending else '▲'}"
                style = sorted_style
            segments.append(Segment(_fit(label, col.width, col.numeric) + " ", style))
        return segments

    def _row_segments(self, row: GridRow, index: int) -> list[Segment]:
        base = self.rich_style
        selected = self.is_selected(row.id)
        if index == self.cursor_row:
            style = base + self.get_component_rich_style("sql-grid--cursor")
        elif selected:
            style = base + self.get_component_rich_style("sql-grid--selected")
        else:
            style = base
        cell_style = base + self.get_component_rich_style("sql-grid--cursor-cell")
        segments = [Segment("✓ " if selected else "  ", style)]
        for col_index, (col, value) in enumerate(zip(self.columns, row.cells, strict=False)):
            on_cursor = index == self.cursor_row and col_index == self.cursor_column
            segments.append(
                Segment(_fit(value, col.width, col.numeric), cell_style if on_cursor else style)
            )
            segments.append(Segment(" ", style))
        return segments

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        x = int(self.scroll_x)
        total = CHECK_WIDTH + sum(c.width + 1 for c in self.columns)
        end = max(total, x + width)
        if y == 0:
            header = self.get_component_rich_style("sql-grid--header")
            return Strip(self._header_text()).extend_cell_length(end, header).crop(x, x + width)
        index = int(self.scroll_y) + y - 1
        if self.row_count == 0:
            if y == 1 and self.loader is not None:
                style = self.get_component_rich_style("sql-grid--empty")
                return Strip([Segment(" " + self.empty_text, style)]).extend_cell_length(width)
            return Strip.blank(width, self.rich_style)
        if index >= self.row_count:
            return Strip.blank(width, self.rich_style)
        row = self.row_at(index)
        if row is None:
            self._request(index // PAGE_SIZE)
            style: Style = self.get_component_rich_style("sql-grid--loading")
            if index == self.cursor_row:
                style = style + self.get_component_rich_style("sql-grid--cursor")
            return (
                Strip([Segment("  loading…", style)])
                .extend_cell_length(end, style)
                .crop(x, x + width)
            )
        return (
            Strip(self._row_segments(row, index))
            .extend_cell_length(end, self.rich_style)
            .crop(x, x + width)
        )
