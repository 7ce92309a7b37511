"""Mass actions: effect, Magento's messages, audit rows, permissions, big selections."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custtui.models import Address, AuditLog, Customer, CustomerGrid, NewsletterSubscriber, Staff
from custtui.models.db import database
from custtui.services import clock, mass_actions
from custtui.services.actor import Actor
from custtui.services.errors import PermissionDenied, ValidationError
from custtui.services.grid import GridQuery, Selection
from tests.factories import make_customer


def staff(role: str, name: str | None = None) -> Actor:
    row = Staff.create(username=name or role, role=role, created_at=clock.now())
    return Actor(row.id, row.username, row.role)


@pytest.fixture
def admin(any_shop) -> Actor:
    return staff("admin", "alice")


def audit_rows(action: str) -> list[AuditLog]:
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


def search_ids(text: str) -> list[int]:
    if database.obj.__class__.__name__.startswith("Postgres"):
        return [r.id for r in CustomerGrid.select().where(CustomerGrid.name.contains(text))]
    cursor = database.obj.execute_sql(
        "SELECT rowid FROM customer_search WHERE customer_search MATCH ?", [f'"{text}"']
    )
    return [r[0] for r in cursor]


def test_delete_removes_customer_addresses_subscriptions_and_grid_rows(admin):
    ada = make_customer("Ada", "Lovelace", address={})
    keep = make_customer("Alan", "Turing")
    NewsletterSubscriber.create(customer=ada, store_view=1, status=1, changed_at=clock.now())
    result = mass_actions.delete(admin, Selection.of([ada.id]))
    assert result.count == 1
    assert result.message == "A total of 1 record(s) were deleted."
    assert not Customer.select().where(Customer.id == ada.id).exists()
    assert Address.select().count() == 0 and NewsletterSubscriber.select().count() == 0
    assert [r.id for r in CustomerGrid.select()] == [keep.id]
    assert search_ids("Lovelace") == []
    rows = audit_rows("customer_deleted")
    assert [(r.customer_id, r.staff_username) for r in rows] == [(ada.id, "alice")]
    assert "ada.lovelace" in rows[0].note


def test_audit_log_is_append_only(admin):
    ada = make_customer()
    mass_actions.delete(admin, Selection.of([ada.id]))
    with pytest.raises(Exception, match="append-only"), database.obj.atomic():
        AuditLog.update(note="tampered").execute()
    with pytest.raises(Exception, match="append-only"), database.obj.atomic():
        AuditLog.delete().execute()
    assert AuditLog.select().count() == 1


def test_all_matching_minus_excluded(admin):
    people = [make_customer(f"P{i}", "Same", group=1) for i in range(5)]
    make_customer("Other", "Group", group=2)
    selection = Selection.all_matching(GridQuery(filters={"group_id": 1}), [people[0].id])
    result = mass_actions.assign_group(admin, selection, 3)
    assert result.count == 4
    groups = {c.id: c.group_id for c in Customer.select()}
    assert groups[people[0].id] == 1
    assert all(groups[p.id] == 3 for p in people[1:])
    assert {
        r.group_id
        for r in CustomerGrid.select().where(CustomerGrid.id << [p.id for p in people[1:]])
    } == {3}
    rows = audit_rows("customer_group_changed")
    assert len(rows) == 4 and rows[0].changes == {"group": ["General", "Retailer"]}


def test_assign_group_records_each_old_group_and_skips_members(admin):
    a = make_customer(group=1)
    b = make_customer(group=2)
    c = make_customer(group=3)
    result = mass_actions.assign_group(admin, Selection.of([a.id, b.id, c.id]), 3)
    assert result.count == 2
    changes = sorted(tuple(r.changes["group"]) for r in audit_rows("customer_group_changed"))
    assert changes == [("General", "Retailer"), ("Wholesale", "Retailer")]
    assert Customer.get_by_id(a.id).version == 2


@pytest.mark.parametrize("group", [0, 99])
def test_assign_group_refuses_bad_groups(admin, group):
    a = make_customer()
    with pytest.raises(ValidationError) as error:
        mass_actions.assign_group(admin, Selection.of([a.id]), group)
    assert error.value.field == "group"


def test_subscribe_then_unsubscribe(admin):
    a = make_customer()
    b = make_customer()
    NewsletterSubscriber.create(customer=b, store_view=1, status=1, changed_at=clock.now())
    result = mass_actions.subscribe(admin, Selection.of([a.id, b.id]))
    assert result.count == 1  # b was already subscribed
    assert {(n.customer_id, n.status) for n in NewsletterSubscriber.select()} == {
        (a.id, 1),
        (b.id, 1),
    }
    assert [r.customer_id for r in audit_rows("newsletter_subscribed")] == [a.id]
    result = mass_actions.unsubscribe(admin, Selection.of([a.id, b.id]))
    assert result.count == 2
    assert {n.status for n in NewsletterSubscriber.select()} == {3}
    again = mass_actions.subscribe(admin, Selection.of([a.id]))
    assert again.count == 1
    assert (
        NewsletterSubscriber.select().where(NewsletterSubscriber.customer == a.id).get().status == 1
    )


def test_unlock_only_locked(admin, fixed_clock):
    locked = make_customer(lock_expires=clock.now() + timedelta(minutes=10), failures_num=5)
    expired = make_customer(lock_expires=clock.now() - timedelta(minutes=10))
    free = make_customer()
    result = mass_actions.unlock(admin, Selection.of([locked.id, expired.id, free.id]))
    assert result.count == 1 and "1 record(s) were unlocked" in result.message
    row = Customer.get_by_id(locked.id)
    assert row.lock_expires is None and row.failures_num == 0
    assert CustomerGrid.get_by_id(locked.id).lock_expires is None
    assert [r.customer_id for r in audit_rows("customer_unlocked")] == [locked.id]
    none = mass_actions.unlock(admin, Selection.of([free.id]))
    assert none.message == "None of the selected customers is locked."


def test_large_explicit_selection_is_chunked(admin):
    from custtui.services import grid_index

    ids = [make_customer(f"C{i}", "Bulk", reindex=False).id for i in range(1200)]
    grid_index.reindex(ids)
    result = mass_actions.assign_group(admin, Selection.of(ids), 2)
    assert result.count == 1200
    assert len(audit_rows("customer_group_changed")) == 1200


def test_empty_selection_is_refused(admin):
    with pytest.raises(ValidationError, match="Select at least one customer"):
        mass_actions.subscribe(admin, Selection())


def test_roles_are_enforced_and_refusals_audited(any_shop):
    support = staff("support")
    viewer = staff("viewer")
    a = make_customer()
    with pytest.raises(PermissionDenied, match=r"support\) does not allow deleting"):
        mass_actions.delete(support, Selection.of([a.id]))
    assert Customer.select().count() == 1
    assert mass_actions.unlock(support, Selection.of([a.id])).count == 0
    for action in (mass_actions.subscribe, mass_actions.unsubscribe, mass_actions.unlock):
        with pytest.raises(PermissionDenied):
            action(viewer, Selection.of([a.id]))
    refused = audit_rows("permission_denied")
    assert [r.staff_username for r in refused] == ["support", "viewer", "viewer", "viewer"]
