"""Account actions from the editor: Delete Customer, Unlock, Confirm email."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

ACTIONS = (
    ("delete", "Delete Customer"),
    ("unlock", "Unlock"),
    ("confirm", "Confirm email on the customer's behalf"),
)


class AccountActionsScreen(ModalScreen[str | None]):
    """Returns the chosen action key (the editor confirms and runs it)."""

    BINDINGS = [Binding("escape", "close", "Close", id="account_actions.close")]

    DEFAULT_CSS = """
    AccountActionsScreen { align: center middle; }
    AccountActionsScreen > Vertical {
        width: 50; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    AccountActionsScreen #heading { text-style: bold; }
    AccountActionsScreen OptionList { height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Account actions", id="heading")
            yield OptionList(*(Option(label, id=key) for key, label in ACTIONS))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
