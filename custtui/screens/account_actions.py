"""Account actions from the editor: the button bar of Magento's customer page as a menu.

Only actions that make sense right now are offered (Unlock only while locked, Confirm email
only while confirmation is pending); an action the staff member's role does not allow stays
listed, disabled, with the reason — so nobody wonders where it went.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from custtui.services import permissions
from custtui.services.actor import Actor

ACTIONS = (
    ("reset_password", "Reset Password (email a reset link)", permissions.CUSTOMERS_RESET_PASSWORD),
    (
        "force_sign_in",
        "Force Sign-In (end the customer's sessions)",
        permissions.CUSTOMERS_FORCE_SIGN_IN,
    ),
    ("unlock", "Unlock", permissions.CUSTOMERS_UNLOCK),
    ("confirm", "Confirm email on the customer's behalf", permissions.CUSTOMERS_EDIT),
    ("delete", "Delete Customer", permissions.CUSTOMERS_DELETE),
)


def available(
    actor: Actor, *, locked: bool, unconfirmed: bool
) -> list[tuple[str, str, str | None]]:
    """(key, label, reason-if-not-allowed) for the actions that apply to this account."""
    out = []
    for key, label, permission in ACTIONS:
        if key == "unlock" and not locked:
            continue
        if key == "confirm" and not unconfirmed:
            continue
        out.append((key, label, permissions.reason(actor, permission)))
    return out


class AccountActionsScreen(ModalScreen[str | None]):
    """Returns the chosen action key (the editor confirms and runs it)."""

    BINDINGS = [Binding("escape", "close", "Close", id="account_actions.close")]

    DEFAULT_CSS = """
    AccountActionsScreen { align: center middle; }
    AccountActionsScreen > Vertical {
        width: 60; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    AccountActionsScreen #heading { text-style: bold; }
    AccountActionsScreen OptionList { height: auto; width: 1fr; }
    """

    def __init__(self, actions: list[tuple[str, str, str | None]]) -> None:
        super().__init__()
        self.actions = actions

    def compose(self) -> ComposeResult:
        options = []
        for key, label, reason in self.actions:
            text = Text(label)
            if reason:
                text.append(f"\n  {reason}", style="italic")
            options.append(Option(text, id=key, disabled=reason is not None))
        with Vertical():
            yield Static("Account actions", id="heading")
            yield OptionList(*options)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
