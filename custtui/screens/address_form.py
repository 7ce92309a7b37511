"""Add or edit one address of a customer (the Addresses tab's form).

Which fields show and which are required follows the website's Name and Address Options
(:class:`custtui.services.addresses.AddressForm`); street lines are one input each; State/Province
is a list for countries that have regions (pycountry) and free text otherwise. Every problem is
shown next to its field and nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Label, Select, Static

from custtui.screens.confirm import ConfirmScreen
from custtui.screens.dbwork import in_thread
from custtui.services import addresses
from custtui.services.countries import country_names, regions
from custtui.services.errors import ServiceError, ValidationError
from custtui.widgets.inputs import TextInput

TEXT_FIELDS = addresses.FIELDS
"""The form's fields, in Magento's order (the service's list)."""


def save_address(
    actor: Any,
    customer_id: int,
    address_id: int | None,
    values: dict[str, Any],
    billing: bool,
    shipping: bool,
) -> int:
    """Add or edit, then apply the default flags (one service call each, in a worker)."""
    if address_id is None:
        address = addresses.add(
            actor, customer_id, values, default_billing=billing, default_shipping=shipping
        )
        return address.id
    addresses.edit(actor, address_id, values)
    if billing or shipping:
        addresses.make_default(actor, address_id, billing=billing, shipping=shipping)
    return address_id


class AddressFormScreen(ModalScreen[int | None]):
    """Dismisses with the saved address id, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save Address", id="address.save"),
        Binding("escape", "cancel", "Cancel", id="address.cancel"),
    ]

    DEFAULT_CSS = """
    AddressFormScreen { align: center middle; }
    AddressFormScreen > Vertical {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface;
    }
    AddressFormScreen #address-fields { height: auto; max-height: 1fr; }
    AddressFormScreen #heading { text-style: bold; padding: 0 1; }
    AddressFormScreen .row { height: 1; }
    AddressFormScreen .row Label { width: 26; padding: 0 1; }
    AddressFormScreen .row TextInput, AddressFormScreen .row Select { width: 1fr;
        background: $boost; }
    AddressFormScreen .row Checkbox { border: none; padding: 0; height: 1; width: 5; }
    AddressFormScreen .error { color: $text-error; padding-left: 27; height: auto;
        display: none; }
    AddressFormScreen .error.-shown { display: block; }
    AddressFormScreen #region-box { height: auto; }
    AddressFormScreen #address-message { padding: 0 1; background: $panel; height: auto; }
    AddressFormScreen #address-message.-error { color: $text-error; }
    """

    def __init__(
        self,
        customer_id: int,
        website_id: int | None,
        address: dict[str, Any] | None = None,
        *,
        is_billing: bool = False,
        is_shipping: bool = False,
    ) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.address_id: int | None = address.get("id") if address else None
        self.form = addresses.AddressForm.for_website(website_id)
        self.initial: dict[str, Any] = dict(address or {})
        self.is_billing = is_billing
        self.is_shipping = is_shipping
        self._country = (self.initial.get("country_id") or "US").upper()

    # -- building -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        heading = "Edit Address" if self.address_id else "Add New Address"
        with Vertical():
            yield Static(heading, id="heading")
            with VerticalScroll(id="address-fields"):
                yield from self._check(
                    "default_billing", "Default Billing Address", self.is_billing
                )
                yield from self._check(
                    "default_shipping", "Default Shipping Address", self.is_shipping
                )
                for field in TEXT_FIELDS:
                    if field == "street":
                        yield from self._street()
                    elif field == "country_id":
                        yield from self._country_row()
                    elif field == "region":
                        yield Vertical(*self._region_row(self._country), id="region-box")
                    elif self.form.shown(field):
                        yield from self._text_row(field)
            yield Static("ctrl+s save · esc cancel", id="address-message", markup=False)

    def _label(self, field: str, text: str | None = None) -> Label:
        words = text or addresses.LABELS[field]
        return Label(Text(words + (" *" if self.form.required(field) else "")))

    def _error(self, field: str) -> Static:
        return Static("", classes="error", id=f"aerr-{field}", markup=False)

    def _check(self, field: str, label: str, value: bool) -> ComposeResult:
        # A default cannot be un-set here: another address must become the default instead.
        box = Checkbox("", value, id=f"a-{field}", compact=True, disabled=value)
        yield Horizontal(Label(Text(label)), box, classes="row")

    def _text_row(self, field: str) -> ComposeResult:
        value = self.initial.get(field) or ""
        options = self.form.options(field)
        if options:
            control: Any = Select(
                [(Text(o or "(none)"), o) for o in options],
                value=value if value in options else Select.NULL,
                id=f"a-{field}",
                compact=True,
                allow_blank=not self.form.required(field),
            )
        else:
            control = TextInput(str(value), id=f"a-{field}", compact=True)
        yield Horizontal(self._label(field), control, classes="row")
        yield self._error(field)

    def _street(self) -> ComposeResult:
        lines = (self.initial.get("street") or "").split("\n")
        for index in range(self.form.street_lines):
            label = "Street Address" if index == 0 else f"Street Address line {index + 1}"
            value = lines[index] if index < len(lines) else ""
            yield Horizontal(
                Label(Text(label + (" *" if index == 0 else ""))),
                TextInput(value, id=f"a-street-{index}", compact=True),
                classes="row",
            )
        yield self._error("street")

    def _country_row(self) -> ComposeResult:
        options = [(Text(name), code) for code, name in country_names().items()]
        yield Horizontal(
            self._label("country_id"),
            Select(
                options, value=self._country, id="a-country_id", compact=True, allow_blank=False
            ),
            classes="row",
        )
        yield self._error("country_id")

    def _region_row(self, country: str) -> list[Any]:
        known = regions(country)
        value = self.initial.get("region") or ""
        if known:
            names = list(known.values())
            control: Any = Select(
                [(Text(name), name) for name in names],
                value=value if value in names else Select.NULL,
                id="a-region",
                compact=True,
            )
        else:
            control = TextInput(str(value), id="a-region", compact=True)
        return [Horizontal(self._label("region"), control, classes="row"), self._error("region")]

    def on_mount(self) -> None:
        self.query_one("#a-firstname").focus()

    @on(Select.Changed, "#a-country_id")
    async def _country_changed(self, event: Select.Changed) -> None:
        """Swap State/Province between a list and free text when the country changes."""
        country = str(event.value) if event.value is not Select.NULL else ""
        if country == self._country:
            return
        self._country = country
        self.initial["region"] = None
        box = self.query_one("#region-box", Vertical)
        await box.remove_children()
        await box.mount_all(self._region_row(country))

    # -- reading ------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in TEXT_FIELDS:
            if field == "street":
                out["street"] = [
                    self.query_one(f"#a-street-{i}", TextInput).value
                    for i in range(self.form.street_lines)
                ]
                continue
            found = self.query(f"#a-{field}")
            if not found:
                continue
            widget = found.first()
            value = widget.value  # type: ignore[attr-defined]
            if isinstance(widget, Select):
                out[field] = None if value is Select.NULL else value
            else:
                out[field] = value.strip() or None
        return out

    def flags(self) -> tuple[bool, bool]:
        billing = self.query_one("#a-default_billing", Checkbox).value
        shipping = self.query_one("#a-default_shipping", Checkbox).value
        return (billing and not self.is_billing, shipping and not self.is_shipping)

    def dirty(self) -> bool:
        current = self.values()
        street = "\n".join(line for line in current.pop("street") if line.strip())
        if street != (self.initial.get("street") or ""):
            return True
        if any(self.flags()):
            return True
        return any(
            (current.get(f) or None) != (self.initial.get(f) or None)
            for f in current
            if f != "country_id"
        ) or current.get("country_id") != (self.initial.get("country_id") or "US")

    # -- saving -------------------------------------------------------------------------
    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#address-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def action_save(self) -> None:
        billing, shipping = self.flags()
        self._save(self.values(), billing, shipping)

    @work(thread=True, exit_on_error=False, exclusive=True, group="address-save")
    def _save(self, values: dict[str, Any], billing: bool, shipping: bool) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            saved = in_thread(
                save_address, actor, self.customer_id, self.address_id, values, billing, shipping
            )
        except ValidationError as error:
            self.app.call_from_thread(self._invalid, error.errors)
            return
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self.dismiss, saved)

    def _invalid(self, errors: dict[str, str]) -> None:
        for widget in self.query(".error"):
            field = (widget.id or "").removeprefix("aerr-")
            widget.update(errors.get(field, ""))  # type: ignore[attr-defined]
            widget.set_class(field in errors, "-shown")
        self._say(f"Not saved: {len(errors)} field(s) need attention.", True)
        for field in TEXT_FIELDS:
            if field in errors:
                target = "#a-street-0" if field == "street" else f"#a-{field}"
                if self.query(target):
                    self.query_one(target).focus()
                break

    def action_cancel(self) -> None:
        if not self.dirty():
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard this address?", "What you typed will be lost.", "Discard", danger=True
            ),
            answered,
        )
