"""Saved views: a staff member's named combinations of columns, filters, search and sort."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from custtui.screens.dbwork import in_thread
from custtui.services import views
from custtui.services.errors import ServiceError
from custtui.widgets.inputs import TextInput

if TYPE_CHECKING:
    from custtui.screens.customers import CustomersScreen


class SavedViewsScreen(ModalScreen[None]):
    """Enter applies a view; type a name and press enter in the box to save the current one."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="views.close"),
        Binding("delete", "delete", "Delete view", id="views.delete"),
        Binding("ctrl+d", "make_default", "Make default", id="views.default"),
    ]

    DEFAULT_CSS = """
    SavedViewsScreen { align: center middle; }
    SavedViewsScreen > Vertical {
        width: 60; max-width: 100%; height: 80%; border: thick $accent; background: $surface;
        padding: 0 1;
    }
    SavedViewsScreen #heading { text-style: bold; }
    SavedViewsScreen #hint { color: $foreground-muted; }
    SavedViewsScreen OptionList { height: 1fr; }
    SavedViewsScreen #message { height: auto; color: $text-error; }
    """

    def __init__(self, screen_key: str, owner: CustomersScreen) -> None:
        super().__init__()
        self.screen_key = screen_key
        self.owner = owner
        self.saved: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Saved views", id="heading")
            yield Static(
                "enter apply · del delete · ctrl+d make default · type a name below to save",
                id="hint",
            )
            yield OptionList(id="views")
            yield TextInput(placeholder="Save current view as…", id="name", max_length=64)
            yield Static("", id="message", markup=False)

    @property
    def actor(self) -> Any:
        return self.app.actor  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    @work(thread=True, exit_on_error=False, exclusive=True)
    def reload(self) -> None:
        try:
            saved = in_thread(views.list_views, self.actor, self.screen_key)
        except ServiceError as error:
            self.app.call_from_thread(self._message, str(error))
            return
        self.app.call_from_thread(self._show, saved)

    def _show(self, saved: list[Any]) -> None:
        self.saved = saved
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_option(Option(Text("Default View (all customers, default columns)"), id=""))
        for view in saved:
            label = Text(view.name)
            if view.is_default:
                label.append("  (default)", style="italic")
            options.add_option(Option(label, id=view.name))
        options.highlighted = 0

    def _message(self, text: str) -> None:
        self.query_one("#message", Static).update(text)

    @on(OptionList.OptionSelected)
    def _apply(self, event: OptionList.OptionSelected) -> None:
        name = event.option.id or ""
        if not name:
            self.owner.apply_view(None, {})
        else:
            view = next(v for v in self.saved if v.name == name)
            self.owner.apply_view(view.name, view.state)
        self.dismiss(None)

    @on(Input.Submitted, "#name")
    def _save(self, event: Input.Submitted) -> None:
        self._save_worker(event.value, self.owner.current_state())

    @work(thread=True, exit_on_error=False)
    def _save_worker(self, name: str, state: dict[str, Any]) -> None:
        try:
            in_thread(views.save_view, self.actor, self.screen_key, name, state)
        except ServiceError as error:
            self.app.call_from_thread(self._message, str(error))
            return
        self.app.call_from_thread(self._saved, name.strip())

    def _saved(self, name: str) -> None:
        self.owner.view_name = name
        self.owner._update_status()
        self.query_one("#name", Input).value = ""
        self._message("")
        self.notify(f"View “{name}” saved", markup=False, timeout=3)
        self.reload()

    def _highlighted(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id or None

    def action_delete(self) -> None:
        name = self._highlighted()
        if name:
            self._call(views.delete_view, name)

    def action_make_default(self) -> None:
        self._call(views.set_default, self._highlighted())

    @work(thread=True, exit_on_error=False)
    def _call(self, fn: Any, name: str | None) -> None:
        try:
            in_thread(fn, self.actor, self.screen_key, name)
        except ServiceError as error:
            self.app.call_from_thread(self._message, str(error))
            return
        self.app.call_from_thread(self.reload)

    def action_close(self) -> None:
        self.dismiss(None)
