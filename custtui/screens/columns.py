"""The column chooser: which grid columns show, in Magento's order."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, SelectionList, Static
from textual.widgets.selection_list import Selection

from custtui.services.grid_columns import COLUMNS, DEFAULT_COLUMNS


class ColumnChooser(ModalScreen[list[str] | None]):
    """Returns the chosen column keys (at least one), or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="columns.apply"),
        Binding("ctrl+d", "defaults", "Defaults", id="columns.defaults"),
    ]

    DEFAULT_CSS = """
    ColumnChooser { align: center middle; }
    ColumnChooser > Vertical {
        width: 48; height: 90%; border: thick $accent; background: $surface;
    }
    ColumnChooser #heading { padding: 0 1; text-style: bold; }
    ColumnChooser #hint { padding: 0 1; color: $foreground-muted; }
    ColumnChooser SelectionList { height: 1fr; border: none; }
    ColumnChooser #buttons { height: 1; align-horizontal: right; }
    ColumnChooser #buttons Button { margin-left: 1; min-width: 10; }
    """

    def __init__(self, visible: list[str]) -> None:
        super().__init__()
        self.initial = list(visible)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Columns", id="heading")
            yield Static("space toggle · ctrl+s apply", id="hint")
            yield SelectionList[str](
                *(Selection(c.label, c.key, c.key in self.initial) for c in COLUMNS),
                id="columns",
            )
            with Horizontal(id="buttons"):
                yield Button("Defaults", id="defaults", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Apply", id="apply", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_apply(self) -> None:
        chosen = set(self.query_one(SelectionList).selected)
        keys = [c.key for c in COLUMNS if c.key in chosen]
        if not keys:
            self.notify("Choose at least one column.", severity="warning", markup=False)
            return
        self.dismiss(keys)

    def action_defaults(self) -> None:
        selection = self.query_one(SelectionList)
        selection.deselect_all()
        for key in DEFAULT_COLUMNS:
            selection.select(key)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        {
            "apply": self.action_apply,
            "defaults": self.action_defaults,
            "cancel": self.action_cancel,
        }[str(event.button.id)]()
