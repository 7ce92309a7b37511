"""The menu of places (Customers › All Customers) and app-wide actions."""

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

PLACE_PERMISSIONS = {
    "online": permissions.CUSTOMERS_ONLINE,
    "outbox": permissions.EMAIL_OUTBOX,
    "email-templates": permissions.EMAIL_TEMPLATES,
    "audit-log": permissions.AUDIT_VIEW,
    "new-customer": permissions.CUSTOMERS_EDIT,
}
"""What a role needs to open a place. Customer Configuration is absent on purpose: every role
may read it, and the screen says why it is read-only."""


def place_refusal(actor: Actor | None, place: str) -> str | None:
    """Why *actor* cannot open *place* (None when they can): the menu shows it under the
    disabled entry, the palette leaves the place out."""
    permission = PLACE_PERMISSIONS.get(place)
    if permission is None or actor is None:
        return None
    return permissions.reason(actor, permission)


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
            actor = getattr(self.app, "actor", None)
            options = []
            for key, label in MENU:
                why = place_refusal(actor, key)
                if why is None:
                    options.append(Option(label, id=key))
                else:
                    text = Text(label)
                    text.append(f"\n  {why}", style="italic")
                    options.append(Option(text, id=key, disabled=True))
            yield OptionList(*options)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
