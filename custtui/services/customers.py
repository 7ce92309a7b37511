"""Reading customers: the Customer View summary and "find" for the palette and scripts.

Finding uses the grid's own search (:mod:`custtui.services.grid`) so that the palette, the CLI
and the All Customers screen can never disagree about what "matches" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from custtui.models import Address, Customer, CustomerGroup, NewsletterSubscriber, StoreView
from custtui.services import clock, config
from custtui.services.countries import country_name
from custtui.services.errors import NotFound, ValidationError
from custtui.services.grid import GridQuery, GridSource, fetch_rows
from custtui.services.grid_columns import GENDERS, Lookups, format_value

NEWSLETTER_STATUS = {1: "Subscribed", 2: "Not Activated", 3: "Unsubscribed", 4: "Unconfirmed"}


@dataclass(frozen=True)
class FoundCustomer:
    id: int
    name: str
    email: str
    website: str
    group: str

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "website": self.website,
            "group": self.group,
        }


def find(text: str, limit: int = 20) -> list[FoundCustomer]:
    """Customers matching *text*: an exact ID (``42`` or ``#42``) first, then keyword search."""
    text = text.strip()
    if not text:
        return []
    if not 1 <= limit <= 10_000:
        raise ValidationError("limit", "must be between 1 and 10,000")
    lookups = Lookups.load()
    rows = []
    bare = text.removeprefix("#")
    if bare.isdigit() and len(bare) <= 18:
        rows.extend(fetch_rows([int(bare)]))
    source = GridSource(GridQuery(search=text), lookups)
    seen = {r["id"] for r in rows}
    rows.extend(r for r in source.page(0, limit).rows if r["id"] not in seen)
    return [
        FoundCustomer(
            id=r["id"],
            name=r["name"],
            email=r["email"],
            website=format_value("website_id", r["website_id"], r, lookups),
            group=format_value("group_id", r["group_id"], r, lookups),
        )
        for r in rows[:limit]
    ]


@dataclass(frozen=True)
class AddressSummary:
    lines: tuple[str, ...]


@dataclass(frozen=True)
class CustomerSummary:
    """Everything the read-only Customer View shows, already in words."""

    id: int
    name: str
    email: str
    website: str
    group: str
    created_at: datetime
    created_in: str
    confirmed_email: str
    account_lock: str
    dob: str
    gender: str
    taxvat: str
    billing: AddressSummary | None
    shipping: AddressSummary | None
    newsletter: tuple[tuple[str, str], ...]
    address_count: int


def full_name(person: Customer | Address) -> str:
    """Prefix, first, middle, last name and suffix, as Magento joins them."""
    parts = (person.prefix, person.firstname, person.middlename, person.lastname, person.suffix)
    return " ".join(p for p in parts if p)


def _address(address: Address | None) -> AddressSummary | None:
    if address is None:
        return None
    name = full_name(address)
    lines = [name]
    if address.company:
        lines.append(address.company)
    lines.extend(line for line in (address.street or "").split("\n") if line)
    city = ", ".join(p for p in (address.city, address.region, address.postcode) if p)
    lines.append(city)
    lines.append(country_name(address.country_id))
    if address.telephone:
        lines.append(f"T: {address.telephone}")
    if address.fax:
        lines.append(f"F: {address.fax}")
    if address.vat_id:
        lines.append(f"VAT: {address.vat_id}")
    return AddressSummary(tuple(lines))


def summary(customer_id: int) -> CustomerSummary:
    """The Customer View of one customer (reference A16 "Customer View" tab)."""
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist (it may have been deleted).")
    lookups = Lookups.load()
    row = {"website_id": customer.website_id}
    addresses = {a.id: a for a in Address.select().where(Address.customer == customer.id)}
    subscriptions = (
        NewsletterSubscriber.select(NewsletterSubscriber, StoreView)
        .join(StoreView)
        .where(NewsletterSubscriber.customer == customer.id)
        .order_by(StoreView.id)
    )
    confirm_required = config.get_flag("customer/create_account/confirm", customer.website_id)
    if not confirm_required:
        confirmed = "Confirmation Not Required"
    else:
        confirmed = "Confirmed" if not customer.confirmation else "Confirmation Required"
    locked = customer.lock_expires is not None and customer.lock_expires > clock.now()
    group = CustomerGroup.get_or_none(CustomerGroup.id == customer.group_id)
    return CustomerSummary(
        id=customer.id,
        name=full_name(customer),
        email=customer.email,
        website=format_value("website_id", customer.website_id, row, lookups),
        group=group.code if group else str(customer.group_id),
        created_at=customer.created_at,
        created_in=customer.created_in or "",
        confirmed_email=confirmed,
        account_lock="Locked" if locked else "Unlocked",
        dob=format_value("dob", customer.dob, row, lookups),
        gender=GENDERS.get(customer.gender, "") if customer.gender is not None else "",
        taxvat=customer.taxvat or "",
        billing=_address(addresses.get(customer.default_billing)),
        shipping=_address(addresses.get(customer.default_shipping)),
        newsletter=tuple(
            (s.store_view.name, NEWSLETTER_STATUS.get(s.status, str(s.status)))
            for s in subscriptions
        ),
        address_count=len(addresses),
    )
