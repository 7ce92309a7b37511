"""The address book: validation by field, regions from pycountry, defaults, audit, grid."""

from __future__ import annotations

import pytest

from custtui.models import Address, AuditLog, Customer, CustomerGrid, Staff
from custtui.services import accounts, addresses, clock, config
from custtui.services.actor import Actor
from custtui.services.errors import ValidationError

HOME = {
    "firstname": "Ada",
    "lastname": "Lovelace",
    "street": "12 St James's Square",
    "city": "London",
    "country_id": "gb",
    "postcode": "SW1Y 4JH",
    "telephone": "020 7946 0000",
}


@pytest.fixture
def admin(any_shop) -> Actor:
    row = Staff.create(username="alice", role="admin", created_at=clock.now())
    return Actor(row.id, row.username, row.role)


@pytest.fixture
def ada(admin) -> Customer:
    return accounts.create(
        admin,
        {
            "website_id": 1,
            "group_id": 1,
            "firstname": "Ada",
            "lastname": "Lovelace",
            "email": "ada@example.com",
        },
    )


def test_first_address_becomes_both_defaults_and_reaches_the_grid(admin, ada):
    address = addresses.add(admin, ada.id, HOME)
    customer = Customer.get_by_id(ada.id)
    assert customer.default_billing == customer.default_shipping == address.id
    grid = CustomerGrid.get_by_id(ada.id)
    assert grid.billing_country_id == "GB" and grid.billing_city == "London"
    assert AuditLog.select().where(AuditLog.action == "address_added").count() == 1


def test_every_problem_named(admin, ada):
    with pytest.raises(ValidationError) as error:
        addresses.add(admin, ada.id, {"country_id": "XX", "street": "a\nb\nc"})
    assert set(error.value.errors) == {
        "firstname",
        "lastname",
        "city",
        "country_id",
        "street",
        "telephone",
    }


def test_regions_from_pycountry(admin, ada):
    us = {**HOME, "country_id": "US", "city": "Austin", "region": "texas", "postcode": "73301"}
    address = addresses.add(admin, ada.id, us)
    assert (address.region, address.region_id) == ("Texas", "US-TX")
    with pytest.raises(ValidationError) as error:
        addresses.add(admin, ada.id, {**us, "region": "Atlantis"})
    assert error.value.field == "region"


def test_street_lines_follow_configuration(admin, ada):
    config.store("customer/address/street_lines", "1", 1)
    with pytest.raises(ValidationError, match="at most 1 line"):
        addresses.add(admin, ada.id, {**HOME, "street": "Flat 2\n12 Square"})


def test_defaults_edit_and_delete(admin, ada):
    home = addresses.add(admin, ada.id, HOME)
    work = addresses.add(admin, ada.id, {**HOME, "street": "1 Work Road", "company": "Analytical"})
    assert [a.id for a in addresses.book(ada.id)] == [home.id, work.id]
    addresses.make_default(admin, work.id, billing=False, shipping=True)
    customer = Customer.get_by_id(ada.id)
    assert (customer.default_billing, customer.default_shipping) == (home.id, work.id)
    addresses.edit(admin, home.id, {"city": "Cambridge"})
    assert CustomerGrid.get_by_id(ada.id).billing_city == "Cambridge"
    changed = AuditLog.get(AuditLog.action == "address_changed").changes
    assert changed == {"city": ["London", "Cambridge"]}
    addresses.delete(admin, home.id)
    customer = Customer.get_by_id(ada.id)
    assert customer.default_billing is None and customer.default_shipping == work.id
    assert Address.select().count() == 1
    assert CustomerGrid.get_by_id(ada.id).billing_city is None
    assert AuditLog.get(AuditLog.action == "address_deleted").changes["city"] == ["Cambridge", None]
