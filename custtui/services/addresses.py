"""A customer's address book: add, edit, delete, make default billing/shipping.

Fields and required/optional rules follow Magento (reference A9, A16); countries and regions
come from pycountry. Every change updates the grid row (default addresses are folded into it)
and appends an audit row in the same transaction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from custtui.models import Address, Customer
from custtui.models.db import database
from custtui.services import audit, clock, config, grid_index, permissions
from custtui.services.actor import Actor
from custtui.services.countries import country_names, regions
from custtui.services.errors import NotFound, ValidationError

FIELDS = (
    "prefix",
    "firstname",
    "middlename",
    "lastname",
    "suffix",
    "company",
    "street",
    "city",
    "country_id",
    "region",
    "postcode",
    "telephone",
    "fax",
    "vat_id",
)
LABELS = {
    "prefix": "Name Prefix",
    "firstname": "First Name",
    "middlename": "Middle Name/Initial",
    "lastname": "Last Name",
    "suffix": "Name Suffix",
    "company": "Company",
    "street": "Street Address",
    "city": "City",
    "country_id": "Country",
    "region": "State/Province",
    "postcode": "Zip/Postal Code",
    "telephone": "Phone Number",
    "fax": "Fax",
    "vat_id": "VAT Number",
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def street_lines(website_id: int | None) -> int:
    """How many street lines the website's address form has (1–4, Magento default 2)."""
    try:
        lines = int(config.get("customer/address/street_lines", website_id) or 2)
    except ValueError:
        lines = 2
    return min(4, max(1, lines))


@dataclass(frozen=True)
class AddressForm:
    """Which address fields a website shows and requires (Name and Address Options, A9):
    the address form and :func:`clean` read the same answer."""

    street_lines: int
    show: dict[str, str]
    prefix_options: tuple[str, ...]
    suffix_options: tuple[str, ...]

    @classmethod
    def for_website(cls, website_id: int | None) -> AddressForm:
        from custtui.services.accounts import AccountForm

        names = AccountForm.for_website(website_id)
        show = {field: "req" for field in ("firstname", "lastname", "street", "city", "country_id")}
        show.update(
            prefix=names.prefix,
            middlename="opt" if names.middlename else "",
            suffix=names.suffix,
            region="opt",
            postcode="opt",
            vat_id="opt",
        )
        for field in ("telephone", "company", "fax"):
            show[field] = config.get(f"customer/address/{field}_show", website_id).strip()
        return cls(street_lines(website_id), show, names.prefix_options, names.suffix_options)

    def shown(self, field: str) -> bool:
        return self.show.get(field, "") in ("opt", "req", "1")

    def required(self, field: str) -> bool:
        return self.show.get(field, "") == "req"

    def options(self, field: str) -> tuple[str, ...]:
        return {"prefix": self.prefix_options, "suffix": self.suffix_options}.get(field, ())


def clean(values: Mapping[str, Any], website_id: int | None) -> dict[str, Any]:
    """Validate an address; one ValidationError listing every problem by field."""
    form = AddressForm.for_website(website_id)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for field in FIELDS:
        if field == "street":
            continue
        value = _text(values.get(field))
        if value is not None and len(value) > 255:
            errors[field] = f"{LABELS[field]} is longer than 255 characters."
        elif value is not None and not value.isprintable():
            errors[field] = f"{LABELS[field]} must not contain control characters."
        out[field] = value
    raw_street = values.get("street") or ""
    lines = raw_street if isinstance(raw_street, list | tuple) else str(raw_street).split("\n")
    lines = [t for t in (_text(x) for x in lines) if t]
    if not lines:
        errors["street"] = "Street Address is required."
    elif len(lines) > street_lines(website_id):
        errors["street"] = f"Street Address has at most {street_lines(website_id)} line(s)."
    elif any(not line.isprintable() or len(line) > 255 for line in lines):
        errors["street"] = "Street Address lines must be printable and at most 255 characters."
    out["street"] = "\n".join(lines)
    for field in ("firstname", "lastname", "city", "country_id"):
        if out.get(field) is None and field not in errors:
            errors[field] = f"{LABELS[field]} is required."
    country = (out.get("country_id") or "").upper()
    if country and country not in country_names():
        errors["country_id"] = f"{country!r} is not a country code."
    out["country_id"] = country or None
    known = regions(country) if country in country_names() else {}
    region = out.get("region")
    if known and region is not None:
        by_name = {name.casefold(): code for code, name in known.items()}
        code = region if region in known else by_name.get(region.casefold())
        if code is None:
            errors["region"] = f"Choose a State/Province of {country_names()[country]}."
        else:
            out["region"], out["region_id"] = known[code], code
    out.setdefault("region_id", None)
    for field in ("prefix", "suffix", "telephone", "company", "fax"):
        if form.required(field) and out.get(field) is None and field not in errors:
            errors[field] = f"{LABELS[field]} is required."
        choices = form.options(field)
        value = out.get(field)
        if value is not None and choices and value not in choices and field not in errors:
            errors[field] = f"{LABELS[field]} must be one of: {', '.join(c for c in choices if c)}."
    if errors:
        raise ValidationError(errors)
    return out


def _customer(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist (it may have been deleted).")
    return customer


def book(customer_id: int) -> list[Address]:
    """The address book, default billing then default shipping first."""
    customer = _customer(customer_id)
    rows = list(Address.select().where(Address.customer == customer_id).order_by(Address.id))
    first = [customer.default_billing, customer.default_shipping]
    return sorted(
        rows, key=lambda a: (a.id not in first, first.index(a.id) if a.id in first else 0, a.id)
    )


def add(
    actor: Actor,
    customer_id: int,
    values: Mapping[str, Any],
    *,
    default_billing: bool = False,
    default_shipping: bool = False,
) -> Address:
    permissions.require(actor, permissions.CUSTOMERS_EDIT)
    customer = _customer(customer_id)
    data = clean(values, customer.website_id)
    with database.obj.atomic():
        now = clock.now()
        address = Address.create(customer=customer_id, created_at=now, updated_at=now, **data)
        first = (
            not Address.select()
            .where((Address.customer == customer_id) & (Address.id != address.id))
            .exists()
        )
        _set_defaults(customer, address.id, default_billing or first, default_shipping or first)
        grid_index.reindex([customer_id])
        audit.record(
            actor,
            "address_added",
            entity_type="address",
            entity_id=address.id,
            customer_id=customer_id,
            changes={k: [None, v] for k, v in data.items() if v},
        )
    return address


def _set_defaults(customer: Customer, address_id: int, billing: bool, shipping: bool) -> None:
    values: dict[Any, Any] = {}
    if billing:
        values[Customer.default_billing] = address_id
    if shipping:
        values[Customer.default_shipping] = address_id
    if values:
        values[Customer.version] = Customer.version + 1
        values[Customer.updated_at] = clock.now()
        Customer.update(values).where(Customer.id == customer.id).execute()


def edit(actor: Actor, address_id: int, values: Mapping[str, Any]) -> Address:
    permissions.require(actor, permissions.CUSTOMERS_EDIT)
    address = Address.get_or_none(Address.id == address_id)
    if address is None:
        raise NotFound(f"Address {address_id} does not exist.")
    customer = _customer(address.customer_id)
    before = {f: getattr(address, f) for f in (*FIELDS, "region_id")}
    data = clean({**before, **values}, customer.website_id)
    changed = {k: [before.get(k), v] for k, v in data.items() if before.get(k) != v}
    if not changed:
        return address
    with database.obj.atomic():
        Address.update(**{k: data[k] for k in changed}, updated_at=clock.now()).where(
            Address.id == address_id
        ).execute()
        grid_index.reindex([customer.id])
        audit.record(
            actor,
            "address_changed",
            entity_type="address",
            entity_id=address_id,
            customer_id=customer.id,
            changes=changed,
        )
    return Address.get_by_id(address_id)


def make_default(actor: Actor, address_id: int, *, billing: bool, shipping: bool) -> None:
    permissions.require(actor, permissions.CUSTOMERS_EDIT)
    address = Address.get_or_none(Address.id == address_id)
    if address is None:
        raise NotFound(f"Address {address_id} does not exist.")
    customer = _customer(address.customer_id)
    with database.obj.atomic():
        _set_defaults(customer, address_id, billing, shipping)
        grid_index.reindex([customer.id])
        which = [w for w, on in (("billing", billing), ("shipping", shipping)) if on]
        audit.record(
            actor,
            "address_made_default",
            entity_type="address",
            entity_id=address_id,
            customer_id=customer.id,
            note=f"default {' and '.join(which)}",
        )


def delete(actor: Actor, address_id: int) -> None:
    """Delete an address; a default it was stops being one (the customer has no default)."""
    permissions.require(actor, permissions.CUSTOMERS_EDIT)
    address = Address.get_or_none(Address.id == address_id)
    if address is None:
        raise NotFound(f"Address {address_id} does not exist.")
    customer = _customer(address.customer_id)
    with database.obj.atomic():
        values: dict[Any, Any] = {}
        if customer.default_billing == address_id:
            values[Customer.default_billing] = None
        if customer.default_shipping == address_id:
            values[Customer.default_shipping] = None
        if values:
            Customer.update(values).where(Customer.id == customer.id).execute()
        audit.record(
            actor,
            "address_deleted",
            entity_type="address",
            entity_id=address_id,
            customer_id=customer.id,
            changes={f: [getattr(address, f), None] for f in FIELDS if getattr(address, f)},
        )
        address.delete_instance()
        grid_index.reindex([customer.id])
