"""The menu of places (Customers › All Customers) and app-wide actions."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

MENU = (
    ("customers", "Customers › All Customers"),
    ("online", "Customers › Now Online"),
    ("outbox", "Customers › Email Outbox"),
    ("email-templates", "Marketing › Email Templates"),
    ("config", "Settings › Customer Configuration"),
    ("audit-log", "System › Audit Log"),
    ("palette", "Command palette…  (ctrl+p)"),
    ("theme", "Switch light/dark theme  (ctrl+t)"),
    ("keys", "Keys and help  (f1)"),
    ("quit", "Quit  (ctrl+q)"),
)


class MenuScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "close", "Close", id="menu.close")]

    DEFAULT_CSS = """
    MenuScreen { align: left top; }
    MenuScreen > Vertical {
        width: 44; height: auto; margin: 1 0 0 1; border: thick $accent; background: $surface;
    }
    MenuScreen #heading { padding: 0 1; text-style: bold; }
    MenuScreen OptionList { height: auto; border: none; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Menu", id="heading")
            yield OptionList(*(Option(label, id=key) for key, label in MENU))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
