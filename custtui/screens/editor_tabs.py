"""The account editor's list tabs: the address book and the newsletter subscriptions.

Each is an OptionList with its own keys; the actions call back into the editor, which runs
the service in a worker and reloads. Customer text is always plain Text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from custtui.widgets.text import plain

if TYPE_CHECKING:
    from custtui.services.newsletter import Subscription


@dataclass(frozen=True)
class BookEntry:
    """One address as the Addresses tab lists it, with its values for the form."""

    id: int
    billing: bool
    shipping: bool
    line: str
    values: dict[str, Any]


class AddressBook(OptionList):
    """Default billing and shipping first; n add, enter edit, b/s make default, d delete."""

    BINDINGS = [
        Binding("n", "add", "Add New Address", id="addresses.add"),
        Binding("b", "billing", "Default billing", id="addresses.billing"),
        Binding("s", "shipping", "Default shipping", id="addresses.shipping"),
        Binding("d,delete", "delete", "Delete", id="addresses.delete"),
    ]

    DEFAULT_CSS = "AddressBook { height: auto; max-height: 1fr; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[BookEntry] = []

    def show(self, entries: list[BookEntry]) -> None:
        """Replace the list, keeping the cursor on the same address (defaults move first)."""
        previous = self.current()
        keep = self.highlighted
        ids = [e.id for e in entries]
        if previous is not None and previous.id in ids:
            keep = ids.index(previous.id)
        self.entries = entries
        self.clear_options()
        if not entries:
            self.add_option(
                Option(Text("The customer has no addresses yet — n adds one."), disabled=True)
            )
            return
        for entry in entries:
            label = Text()
            label.append(f"#{entry.id} ", style="bold")
            label.append_text(plain(entry.line))
            tags = [
                t
                for t, on in (
                    ("default billing", entry.billing),
                    ("default shipping", entry.shipping),
                )
                if on
            ]
            if tags:
                label.append(f"  [{' · '.join(tags)}]", style="italic")
            self.add_option(Option(label, id=str(entry.id)))
        self.highlighted = min(keep or 0, len(entries) - 1)

    def current(self) -> BookEntry | None:
        if not self.entries or self.highlighted is None:
            return None
        return self.entries[self.highlighted]

    def _editor(self) -> Any:
        return self.screen

    def action_add(self) -> None:
        self._editor().open_address_form(None)

    def action_billing(self) -> None:
        if entry := self.current():
            self._editor().address_action("billing", entry)

    def action_shipping(self) -> None:
        if entry := self.current():
            self._editor().address_action("shipping", entry)

    def action_delete(self) -> None:
        if entry := self.current():
            self._editor().address_action("delete", entry)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if entry := self.current():
            self._editor().open_address_form(entry)


class NewsletterList(OptionList):
    """One line per store view of the customer's website; space or enter toggles."""

    BINDINGS = [Binding("space", "toggle", "Subscribe/unsubscribe", id="newsletter.toggle")]

    DEFAULT_CSS = "NewsletterList { height: auto; max-height: 1fr; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[Subscription] = []

    def show(self, rows: list[Subscription], when: Any) -> None:
        keep = self.highlighted
        self.rows = rows
        self.clear_options()
        for row in rows:
            label = Text()
            label.append("[x] " if row.subscribed else "[ ] ", style="bold")
            label.append_text(plain(row.store_view))
            label.append(f"  {row.status}", style="italic")
            if row.changed_at is not None:
                label.append(f"  (changed {when(row.changed_at)})", style="dim")
            self.add_option(Option(label, id=str(row.store_view_id)))
        if rows:
            self.highlighted = min(keep or 0, len(rows) - 1)

    def action_toggle(self) -> None:
        if self.rows and self.highlighted is not None:
            row = self.rows[self.highlighted]
            self.screen.toggle_newsletter(row)  # type: ignore[attr-defined]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle()
