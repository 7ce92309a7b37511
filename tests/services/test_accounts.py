"""Account create/update: validation naming fields, uniqueness by email_key, conflicts, audit."""

from __future__ import annotations

from datetime import date

import pytest

from custtui.models import AuditLog, Customer, CustomerGrid, Staff, StoreView, Website
from custtui.services import accounts, clock, config
from custtui.services.actor import Actor
from custtui.services.errors import PermissionDenied, ValidationError

VALID = {
    "website_id": 1,
    "group_id": 1,
    "firstname": "Ada",
    "lastname": "Lovelace",
    "email": "Ada@Example.com",
}


@pytest.fixture
def admin(any_shop) -> Actor:
    row = Staff.create(username="alice", role="admin", created_at=clock.now())
    return Actor(row.id, row.username, row.role)


def test_create_indexes_audits_and_names_the_store_view(admin):
    customer = accounts.create(admin, VALID)
    assert customer.email == "Ada@example.com"
    assert customer.email_key == "ada@example.com"
    assert customer.created_in == "Default Store View" and customer.password_hash is None
    assert CustomerGrid.get_by_id(customer.id).name == "Ada Lovelace"
    row = AuditLog.get(AuditLog.action == "customer_created")
    assert row.customer_id == customer.id and row.staff_username == "alice"
    assert row.changes["email"] == [None, "Ada@example.com"]


def test_every_problem_is_reported_at_once(admin):
    with pytest.raises(ValidationError) as error:
        accounts.create(
            admin,
            {
                "website_id": 99,
                "group_id": 0,
                "firstname": " ",
                "lastname": "x" * 256,
                "email": "not-an-email",
                "dob": "0000-00-00",
                "taxvat": "9" * 51,
                "gender": 7,
            },
        )
    assert set(error.value.errors) == {
        "website_id",
        "group_id",
        "firstname",
        "lastname",
        "email",
        "dob",
        "taxvat",
        "gender",
    }
    assert "required" in error.value.errors["firstname"]
    assert "255" in error.value.errors["lastname"]


@pytest.mark.parametrize("name", ["Bad\x00Name", "Tab\tName", "Evil\u202eName"])
def test_names_refuse_control_characters(admin, name):
    with pytest.raises(ValidationError) as error:
        accounts.create(admin, {**VALID, "firstname": name})
    assert error.value.field == "firstname"


def test_dob_must_be_in_the_past(admin, fixed_clock):
    with pytest.raises(ValidationError, match="past"):
        accounts.create(admin, {**VALID, "dob": fixed_clock.now().date().isoformat()})
    with pytest.raises(ValidationError, match="after 1900"):
        accounts.create(admin, {**VALID, "dob": "1815-12-10"})
    with pytest.raises(ValidationError, match="real date"):
        accounts.create(admin, {**VALID, "dob": "2001-02-29"})
    assert accounts.create(admin, {**VALID, "dob": date(1990, 2, 28)}).dob == date(1990, 2, 28)


def test_email_unique_per_website_by_casefolded_key(admin):
    accounts.create(admin, VALID)
    with pytest.raises(ValidationError) as error:
        accounts.create(admin, {**VALID, "email": "ADA@EXAMPLE.COM"})
    assert error.value.field == "email" and "already exists" in str(error.value)
    Website.insert(id=2, code="eu", name="Europe Website").execute()
    StoreView.insert(id=2, code="de", name="German Store View", website=2).execute()
    other = accounts.create(admin, {**VALID, "website_id": 2})
    assert other.created_in == "German Store View"
    config.store("customer/account_share/scope", "0")
    with pytest.raises(ValidationError):
        accounts.create(admin, {**VALID, "email": "ada@example.com", "website_id": 2})


def test_prefix_from_configured_options(admin):
    config.store("customer/address/prefix_show", "req", 1)
    config.store("customer/address/prefix_options", "Mr;Ms;Dr", 1)
    with pytest.raises(ValidationError) as error:
        accounts.create(admin, VALID)
    assert error.value.errors == {"prefix": "Name Prefix is required."}
    with pytest.raises(ValidationError, match="one of: Mr, Ms, Dr"):
        accounts.create(admin, {**VALID, "prefix": "Lord"})
    assert accounts.create(admin, {**VALID, "prefix": "Dr"}).prefix == "Dr"


def test_update_writes_only_changes_and_records_before_after(admin):
    customer = accounts.create(admin, VALID)
    result = accounts.update(
        admin, customer.id, customer.version, {"lastname": "Byron", "group_id": 2}
    )
    assert result.changed == {"lastname": ["Lovelace", "Byron"], "group_id": [1, 2]}
    assert result.customer.version == 2
    assert CustomerGrid.get_by_id(customer.id).name == "Ada Byron"
    row = AuditLog.get(AuditLog.action == "customer_saved")
    assert row.changes == {"lastname": ["Lovelace", "Byron"], "group_id": [1, 2]}
    unchanged = accounts.update(admin, customer.id, 2, {"lastname": "Byron"})
    assert unchanged.changed == {} and Customer.get_by_id(customer.id).version == 2


def test_two_agents_one_customer_conflict(admin):
    customer = accounts.create(admin, VALID)
    accounts.update(admin, customer.id, 1, {"firstname": "Augusta"})
    with pytest.raises(accounts.StaleEdit) as error:
        accounts.update(admin, customer.id, 1, {"lastname": "King"})
    assert error.value.theirs["firstname"] == "Augusta"
    assert error.value.version == 2
    assert Customer.get_by_id(customer.id).lastname == "Lovelace"
    again = accounts.update(admin, customer.id, error.value.version, {"lastname": "King"})
    assert again.customer.firstname == "Augusta" and again.customer.lastname == "King"


def test_viewer_cannot_create(any_shop):
    viewer = Staff.create(username="vic", role="viewer", created_at=clock.now())
    with pytest.raises(PermissionDenied):
        accounts.create(Actor(viewer.id, "vic", "viewer"), VALID)


def test_email_key_folds_unicode_and_idna():
    assert accounts.email_key("STRASSE@Bücher.DE") == "strasse@xn--bcher-kva.de"
    assert accounts.email_key("Straße@example.com") == "strasse@example.com"


def test_confirm_email_on_behalf(admin):
    customer = accounts.create(admin, VALID)
    Customer.update(confirmation="a" * 32).where(Customer.id == customer.id).execute()
    assert accounts.confirm_email(admin, customer.id) is True
    assert Customer.get_by_id(customer.id).confirmation is None
    assert accounts.confirm_email(admin, customer.id) is False
    assert AuditLog.select().where(AuditLog.action == "email_confirmed").count() == 1
