"""Roles named after Magento's ACL, enforced by the services themselves (issue 4 item 5):
``admin`` everything; ``support`` views and edits customers and addresses, sends password
resets and unlocks — no delete, configuration or staff management; ``viewer`` reads only.
Every refusal names the role and what it does not allow, changes nothing and is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from custtui.models import AuditLog, Customer, Staff
from custtui.services import (
    accounts,
    addresses,
    clock,
    config,
    export,
    mass_actions,
    newsletter,
    password_reset,
    permissions,
    sessions,
    staff_accounts,
)
from custtui.services.actor import Actor
from custtui.services.errors import PermissionDenied
from custtui.services.grid import Selection
from tests.factories import make_customer

ADDRESS = {
    "firstname": "Ada",
    "lastname": "Lovelace",
    "street": ["1 Main Street"],
    "city": "Springfield",
    "country_id": "US",
    "region": "Illinois",
    "postcode": "62701",
    "telephone": "555-0100",
}


def _edit(actor: Actor, c: Customer, _tmp: Any) -> Any:
    return accounts.update(actor, c.id, Customer.get_by_id(c.id).version, {"lastname": "Byron"})


OPERATIONS: dict[str, Callable[[Actor, Customer, Any], Any]] = {
    "edit customer": _edit,
    "confirm email": lambda a, c, _t: accounts.confirm_email(a, c.id),
    "add address": lambda a, c, _t: addresses.add(a, c.id, ADDRESS),
    "newsletter": lambda a, c, _t: newsletter.set_subscribed(a, c.id, 1, True),
    "assign group": lambda a, c, _t: mass_actions.assign_group(a, Selection.of([c.id]), 2),
    "unlock": lambda a, c, _t: mass_actions.unlock(a, Selection.of([c.id])),
    "reset password": lambda a, c, _t: password_reset.send_by_staff(a, c.id),
    "force sign-in": lambda a, c, _t: sessions.force_sign_in(a, c.id),
    "export": lambda a, c, t: export.export_csv(a, Selection.of([c.id]), ["id"], t / "x.csv"),
    "delete customer": lambda a, c, _t: mass_actions.delete(a, Selection.of([c.id])),
    "change configuration": lambda a, c, _t: config.set_value(
        a, "customer/address/street_lines", "3"
    ),
    "manage staff": lambda a, c, _t: staff_accounts.add(
        a, "newbie", "viewer", password="a long enough password"
    ),
}
SUPPORT_MAY = {
    "edit customer",
    "confirm email",
    "add address",
    "newsletter",
    "assign group",
    "unlock",
    "reset password",
    "force sign-in",
    "export",
}
ALLOWED = {
    "admin": set(OPERATIONS),
    "support": SUPPORT_MAY,
    "viewer": set(),
}
CASES = [(role, op) for role in ALLOWED for op in OPERATIONS]


@pytest.mark.parametrize(("role", "operation"), CASES, ids=[f"{r}-{o}" for r, o in CASES])
def test_each_role_may_do_what_its_role_allows(shop, tmp_path, role, operation) -> None:
    row = Staff.create(username=f"{role}1", role=role, created_at=clock.now())
    actor = Actor(row.id, row.username, row.role)
    customer = make_customer(confirmation="pending", lock_expires=clock.now())
    before = Customer.get_by_id(customer.id).version
    call = OPERATIONS[operation]
    if operation in ALLOWED[role]:
        call(actor, customer, tmp_path)
        assert not AuditLog.select().where(AuditLog.action == "permission_denied").exists()
        return
    with pytest.raises(PermissionDenied) as refused:
        call(actor, customer, tmp_path)
    assert str(refused.value).startswith(f"Your role ({role}) does not allow ")
    assert Customer.get_by_id(customer.id).version == before  # nothing changed
    denied = AuditLog.get(AuditLog.action == "permission_denied")
    assert (denied.staff_id, denied.staff_username, denied.note) == (
        row.id,
        row.username,
        str(refused.value),
    )
    assert Staff.select().count() == 2  # (admin from init and this one) no staff added


def test_the_role_table_matches_the_issue() -> None:
    admin, support, viewer = (Actor(None, r, r) for r in ("admin", "support", "viewer"))
    assert all(permissions.can(admin, p) for p in permissions.WHAT)
    for p in (
        permissions.CUSTOMERS_DELETE,
        permissions.CONFIG_EDIT,
        permissions.STAFF_MANAGE,
    ):
        assert not permissions.can(support, p)
    assert {p for p in permissions.WHAT if permissions.can(viewer, p)} == {
        permissions.CUSTOMERS_VIEW,
        permissions.CUSTOMERS_ONLINE,
        permissions.AUDIT_VIEW,
    }
    assert permissions.reason(support, permissions.CUSTOMERS_DELETE) == (
        "Your role (support) does not allow deleting customers."
    )
    assert permissions.reason(Actor(None, "x", "unknown-role"), permissions.CUSTOMERS_VIEW)
