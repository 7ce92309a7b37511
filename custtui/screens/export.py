"""Export the current result or the selection to CSV (safe against formula injection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from custtui.screens.dbwork import in_thread
from custtui.services import export
from custtui.services.errors import ServiceError
from custtui.services.grid import GridQuery, Selection
from custtui.widgets.inputs import TextInput


class ExportScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.run"),
    ]

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 70; max-width: 100%; height: auto; border: thick $accent; background: $surface;
        padding: 0 1;
    }
    ExportScreen #heading { text-style: bold; }
    ExportScreen RadioSet { width: 1fr; margin: 1 0; }
    ExportScreen #message { height: auto; color: $text-error; }
    ExportScreen #buttons { height: 1; align-horizontal: right; }
    ExportScreen #buttons Button { margin-left: 1; }
    """

    def __init__(
        self, query: GridQuery, selection: Selection, selected: int, total: int, columns: list[str]
    ) -> None:
        super().__init__()
        self.grid_query = query
        self.selection = selection
        self.selected = selected
        self.total = total
        self.columns = columns
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Export to CSV", id="heading")
            with RadioSet(id="what"):
                yield RadioButton(
                    f"Current result ({self.total:,} rows)", value=not self.selected, id="result"
                )
                yield RadioButton(
                    f"Selected rows ({self.selected:,})",
                    value=bool(self.selected),
                    disabled=not self.selected,
                    id="selected",
                )
            yield Static("File (empty: data/exports/customers-<time>.csv)")
            yield TextInput(placeholder="data/exports/customers-….csv", id="path")
            yield Static("", id="message", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Export", id="export", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def action_export(self) -> None:
        if self.running:
            return
        use_selection = self.query_one("#selected", RadioButton).value
        target: Any = self.selection if use_selection else self.grid_query
        text = self.query_one("#path", Input).value.strip()
        self.running = True
        self.query_one("#message", Static).update("Exporting…")
        self._run(target, Path(text).expanduser() if text else None)

    @work(thread=True, exit_on_error=False)
    def _run(self, target: Any, path: Path | None) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            result = in_thread(export.export_csv, actor, target, self.columns, path)
        except (ServiceError, OSError) as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._done, result)

    def _failed(self, message: str) -> None:
        self.running = False
        self.query_one("#message", Static).update(message)

    def _done(self, result: Any) -> None:
        self.notify(f"Exported {result.rows:,} rows to {result.path}", markup=False, timeout=8)
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_export()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.action_export()
        else:
            self.action_cancel()
