"""The filter panel: one field per filterable grid column, of the right kind.

ID and date columns get from/to inputs, text columns a text input, group, country, website and
gender a select. Apply checks the values with the grid service and shows every problem next to
its field; nothing typed is lost.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from custtui.services.errors import ValidationError
from custtui.services.grid import GridQuery, build_where
from custtui.services.grid_columns import COLUMNS, FilterKind, Lookups
from custtui.widgets.inputs import TextInput

T = TypeVar("T")

FILTER_COLUMNS = [c for c in COLUMNS if c.filter is not FilterKind.NONE]


class FilterDialog(ModalScreen[T]):
    """What the filter dialogs share: enter in a field applies, ctrl+l or Clear empties every
    field and its error, escape or Cancel closes; buttons ``apply``, ``clear``, ``cancel``."""

    def show_errors(self, errors: dict[str, str]) -> None:
        raise NotImplementedError

    def action_apply(self) -> None:
        raise NotImplementedError

    def action_clear(self) -> None:
        for widget in self.query(Input):
            widget.value = ""
        for select in self.query(Select):
            select.clear()
        self.show_errors({})

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        {"apply": self.action_apply, "clear": self.action_clear, "cancel": self.action_cancel}[
            str(event.button.id)
        ]()


class FilterScreen(FilterDialog[dict[str, Any] | None]):
    """Returns the new filters, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filters.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filters.apply"),
        Binding("ctrl+l", "clear", "Clear all", id="filters.clear"),
    ]

    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > Vertical {
        width: 80; max-width: 100%; height: 90%; border: thick $accent; background: $surface;
    }
    FilterScreen #heading { padding: 0 1; text-style: bold; height: 1; }
    FilterScreen VerticalScroll { height: 1fr; padding: 0 1; }
    FilterScreen .row { height: 1; }
    FilterScreen Input, FilterScreen Select { background: $boost; }
    FilterScreen .row Label { width: 20; padding: 0 1 0 0; }
    FilterScreen .row Input { width: 1fr; }
    FilterScreen .row Select { width: 1fr; }
    FilterScreen .dash { width: 3; padding: 0 1; }
    FilterScreen .error { color: $text-error; padding-left: 20; height: 1; }
    FilterScreen #buttons { height: 1; align-horizontal: right; padding-right: 1; }
    FilterScreen #buttons Button { margin-left: 1; }
    """

    def __init__(self, filters: dict[str, Any], lookups: Lookups) -> None:
        super().__init__()
        self.filters = dict(filters)
        self.lookups = lookups

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Filters — ctrl+s apply · ctrl+l clear · esc cancel", id="heading")
            with VerticalScroll():
                for col in FILTER_COLUMNS:
                    value = self.filters.get(col.key)
                    with Horizontal(classes="row"):
                        yield Label(col.label)
                        if col.filter in (FilterKind.RANGE, FilterKind.DATE):
                            low, high = value if isinstance(value, tuple | list) else ("", "")
                            hint = "YYYY-MM-DD" if col.filter is FilterKind.DATE else ""
                            yield TextInput(
                                str(low or ""),
                                placeholder=f"from {hint}".strip(),
                                id=f"f-{col.key}-from",
                                compact=True,
                            )
                            yield Static("–", classes="dash")
                            yield TextInput(
                                str(high or ""),
                                placeholder=f"to {hint}".strip(),
                                id=f"f-{col.key}-to",
                                compact=True,
                            )
                        elif col.filter is FilterKind.SELECT:
                            options = [
                                (Text(label), v)
                                for label, v in self.lookups.select_options(col.key)
                            ]
                            yield Select(
                                options,
                                value=value if value is not None else Select.NULL,
                                prompt="Any",
                                id=f"f-{col.key}",
                                type_to_search=True,
                                compact=True,
                            )
                        else:
                            yield TextInput(str(value or ""), id=f"f-{col.key}", compact=True)
                    yield Static("", classes="error -empty", id=f"e-{col.key}", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Clear all", id="clear", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Apply", id="apply", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def collect(self) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        for col in FILTER_COLUMNS:
            if col.filter in (FilterKind.RANGE, FilterKind.DATE):
                low = self.query_one(f"#f-{col.key}-from", Input).value.strip()
                high = self.query_one(f"#f-{col.key}-to", Input).value.strip()
                if low or high:
                    filters[col.key] = (low, high)
            elif col.filter is FilterKind.SELECT:
                value = self.query_one(f"#f-{col.key}", Select).value
                if value is not Select.NULL and value is not None:
                    filters[col.key] = value
            else:
                text = self.query_one(f"#f-{col.key}", Input).value.strip()
                if text:
                    filters[col.key] = text
        return filters

    def show_errors(self, errors: dict[str, str]) -> None:
        for col in FILTER_COLUMNS:
            widget = self.query_one(f"#e-{col.key}", Static)
            message = errors.get(col.key, "")
            widget.update(message)
            widget.set_class(not message, "-empty")

    def validate(self, filters: dict[str, Any]) -> dict[str, str]:
        """Every problem at once, each under its field (checked one filter at a time)."""
        errors: dict[str, str] = {}
        for key, value in filters.items():
            try:
                build_where(GridQuery(filters={key: value}), self.lookups)
            except ValidationError as error:
                errors.update(error.errors)
        return errors

    def action_apply(self) -> None:
        filters = self.collect()
        errors = self.validate(filters)
        self.show_errors(errors)
        if errors:
            first = next(iter(errors))
            target = self.query(f"#f-{first}-from, #f-{first}")
            if target:
                target.first().focus()
            return
        self.dismiss(filters)
