"""Building test customers directly (the customer service arrives with the account editor);
every row goes through :func:`grid_index.reindex` exactly as a service would."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from custtui.models import Address, Customer
from custtui.services import clock, grid_index

_counter = 0


def make_customer(
    firstname: str = "Ada",
    lastname: str = "Lovelace",
    email: str | None = None,
    *,
    website: int = 1,
    group: int = 1,
    address: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    reindex: bool = True,
    **fields: Any,
) -> Customer:
    """A customer (and optionally a default billing/shipping address), indexed for the grid."""
    global _counter
    _counter += 1
    now = clock.now()
    email = email or f"{firstname}.{lastname}.{_counter}@example.com".lower()
    values: dict[str, Any] = {"store_view": 1, "created_in": "Default Store View"}
    values.update(fields)
    customer = Customer.create(
        website=website,
        email=email,
        email_key=email.casefold(),
        group=group,
        created_at=created_at or now - timedelta(days=_counter),
        updated_at=now,
        firstname=firstname,
        lastname=lastname,
        **values,
    )
    if address is not None:
        values = {
            "firstname": firstname,
            "lastname": lastname,
            "street": "1 Main Street",
            "city": "Springfield",
            "country_id": "US",
            "region": "Illinois",
            "postcode": "62701",
            "telephone": "555-0100",
        }
        values.update(address)
        row = Address.create(customer=customer, created_at=now, updated_at=now, **values)
        customer.default_billing = row.id
        customer.default_shipping = row.id
        customer.save()
    if reindex:
        grid_index.reindex([customer.id])
    return customer
