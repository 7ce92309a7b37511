"""The mass-action menu for the selected customers (reference A3 › Mass actions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from custtui.screens.confirm import ConfirmScreen
from custtui.screens.dbwork import in_thread
from custtui.services import mass_actions, permissions
from custtui.services.actor import Actor
from custtui.services.errors import ServiceError
from custtui.services.grid import Selection
from custtui.services.grid_columns import Lookups

ACTIONS = (
    ("delete", "Delete"),
    ("subscribe", "Subscribe to Newsletter"),
    ("unsubscribe", "Unsubscribe from Newsletter"),
    ("assign_group", "Assign a Customer Group"),
    ("unlock", "Unlock"),
)
NEEDS = {
    "delete": permissions.CUSTOMERS_DELETE,
    "subscribe": permissions.CUSTOMERS_NEWSLETTER,
    "unsubscribe": permissions.CUSTOMERS_NEWSLETTER,
    "assign_group": permissions.CUSTOMERS_ASSIGN_GROUP,
    "unlock": permissions.CUSTOMERS_UNLOCK,
}
"""The permission each action needs: one the role lacks stays listed, disabled, with why."""


def action_options(actor: Actor) -> list[Option]:
    options = []
    for key, label in ACTIONS:
        reason = permissions.reason(actor, NEEDS[key])
        text = Text(label)
        if reason:
            text.append(f"\n  {reason}", style="italic")
        options.append(Option(text, id=key, disabled=reason is not None))
    return options


class MassActionScreen(ModalScreen["mass_actions.MassResult | None"]):
    BINDINGS = [Binding("escape", "back", "Back", id="actions.back")]

    DEFAULT_CSS = """
    MassActionScreen { align: center middle; }
    MassActionScreen > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 90%; border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    MassActionScreen #heading { text-style: bold; }
    MassActionScreen OptionList { height: auto; max-height: 20; }
    MassActionScreen #message { height: auto; color: $text-error; }
    """

    def __init__(self, selection: Selection, count: int, lookups: Lookups) -> None:
        super().__init__()
        self.selection = selection
        self.count = count
        self.lookups = lookups
        self.picking_group = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Actions for {mass_actions.describe(self.count)}", id="heading")
            yield OptionList(*action_options(self._actor()), id="menu")
            yield Static("", id="message", markup=False)

    def _actor(self) -> Actor:
        return self.app.actor  # type: ignore[attr-defined, no-any-return]

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_back(self) -> None:
        if self.picking_group:
            self._show_actions()
        else:
            self.dismiss(None)

    def _show_actions(self) -> None:
        self.picking_group = False
        menu = self.query_one(OptionList)
        menu.clear_options()
        menu.add_options(action_options(self._actor()))
        menu.highlighted = 0
        self.query_one("#heading", Static).update(
            f"Actions for {mass_actions.describe(self.count)}"
        )

    def _show_groups(self) -> None:
        self.picking_group = True
        menu = self.query_one(OptionList)
        menu.clear_options()
        menu.add_options(
            [
                Option(Text(name), id=f"group:{gid}")
                for gid, name in self.lookups.groups.items()
                if gid != 0
            ]
        )
        menu.highlighted = 0
        self.query_one("#heading", Static).update("Assign a Customer Group — pick the group")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        key = str(event.option.id)
        who = mass_actions.describe(self.count)
        if key == "assign_group":
            self._show_groups()
        elif key.startswith("group:"):
            group_id = int(key.split(":", 1)[1])
            name = self.lookups.groups.get(group_id, str(group_id))
            self._confirm(
                f"Assign {who} to “{name}”?",
                mass_actions.CONFIRM_ASSIGN_GROUP,
                "Assign",
                lambda actor: mass_actions.assign_group(actor, self.selection, group_id),
            )
        elif key == "delete":
            self._confirm(
                f"Delete {who}?",
                f"{mass_actions.CONFIRM_DELETE} Deleted accounts cannot be restored; their "
                "history stays in the audit log.",
                "Delete",
                lambda actor: mass_actions.delete(actor, self.selection),
                danger=True,
            )
        elif key == "unsubscribe":
            self._confirm(
                f"Unsubscribe {who} from the newsletter?",
                mass_actions.CONFIRM_UNSUBSCRIBE,
                "Unsubscribe",
                lambda actor: mass_actions.unsubscribe(actor, self.selection),
            )
        elif key == "subscribe":
            self._run(lambda actor: mass_actions.subscribe(actor, self.selection))
        elif key == "unlock":
            self._run(lambda actor: mass_actions.unlock(actor, self.selection))

    def _confirm(
        self,
        title: str,
        message: str,
        label: str,
        call: Callable[[Any], Any],
        *,
        danger: bool = False,
    ) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._run(call)

        self.app.push_screen(ConfirmScreen(title, message, label, danger=danger), answered)

    @work(thread=True, exit_on_error=False, exclusive=True)
    def _run(self, call: Callable[[Any], Any]) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        self.app.call_from_thread(self.query_one("#message", Static).update, "Working…")
        try:
            result = in_thread(call, actor)
        except ServiceError as error:
            self.app.call_from_thread(self.query_one("#message", Static).update, str(error))
            return
        self.app.call_from_thread(self.dismiss, result)
