"""The All Customers mass actions (reference A3): delete, newsletter, assign group, unlock.

Each action checks the staff member's permission first, then runs as ONE transaction that
changes the rows, keeps ``customer_grid`` in step and appends one audit row per customer —
all as set-based statements, so "all 1,000,000 matching" costs a few statements, not a loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import SQL

from custtui.models import CustomerGroup
from custtui.models.db import database
from custtui.models.fields import to_db_time
from custtui.services import audit, clock, permissions
from custtui.services.actor import Actor
from custtui.services.errors import ValidationError
from custtui.services.grid import Selection

CONFIRM_DELETE = "Are you sure to delete selected customers?"
CONFIRM_UNSUBSCRIBE = "Are you sure to unsubscribe selected customers from newsletter?"
CONFIRM_ASSIGN_GROUP = "Are you sure to assign selected customers to new group?"

SUBSCRIBED, UNSUBSCRIBED = 1, 3


@dataclass(frozen=True)
class MassResult:
    action: str
    count: int
    message: str


def describe(count: int) -> str:
    return f"{count:,} customer{'s' if count != 1 else ''}"


def _records(count: int, verb: str) -> str:
    return f"A total of {count:,} record(s) were {verb}."


def _execute(sql: str, params: list[Any]) -> int:
    return int(database.obj.execute_sql(sql, params).rowcount or 0)


def _count(where: str, params: list[Any]) -> int:
    return int(
        database.obj.execute_sql(
            f"SELECT count(*) FROM customer_grid WHERE {where}", params
        ).fetchone()[0]
    )


def _require_some(selection: Selection) -> None:
    if not selection.is_all_matching and not selection.ids:
        raise ValidationError("selection", "Select at least one customer.")


def delete(actor: Actor, selection: Selection) -> MassResult:
    """Delete the customers; addresses and subscriptions go with them (foreign keys), their
    history stays in the audit log (written first, naming each email)."""
    _require_some(selection)
    permissions.require(actor, permissions.CUSTOMERS_DELETE)
    p = database.obj.param
    total = 0
    with database.obj.atomic():
        for where, params in selection.chunks():
            ids_sql = f"SELECT id FROM customer_grid WHERE {where}"
            # One history row per customer, naming the account that is about to vanish.
            _execute(
                "INSERT INTO audit_log (created_at, staff_id, staff_username, action, "
                "entity_type, entity_id, customer_id, changes, note) "
                f"SELECT {p}, {p}, {p}, 'customer_deleted', 'customer', id, id, NULL, "
                f"'mass action: Delete — ' || email || ' (' || name || ')' "
                f"FROM customer_grid WHERE {where}",
                [to_db_time(clock.now()), actor.staff_id, actor.username, *params],
            )
            _execute(f"DELETE FROM newsletter_subscriber WHERE customer_id IN ({ids_sql})", params)
            _execute(f"DELETE FROM address WHERE customer_id IN ({ids_sql})", params)
            count = _execute(f"DELETE FROM customer WHERE id IN ({ids_sql})", params)
            _execute(f"DELETE FROM customer_grid WHERE {where}", params)
            total += count
    return MassResult("delete", total, _records(total, "deleted"))


def subscribe(actor: Actor, selection: Selection) -> MassResult:
    """Subscribe each customer for their own store view (the website's first one if none)."""
    _require_some(selection)
    permissions.require(actor, permissions.CUSTOMERS_NEWSLETTER)
    p = database.obj.param
    now = to_db_time(clock.now())
    total = 0
    store_view = (
        "COALESCE(c.store_view_id, (SELECT min(s.id) FROM store_view s "
        "WHERE s.website_id = c.website_id), 1)"
    )
    with database.obj.atomic():
        for where, params in selection.chunks():
            ids_sql = f"SELECT id FROM customer_grid WHERE {where}"
            changed = f"(c.id IN ({ids_sql}))"
            # Only customers not already subscribed there are changed (and audited).
            pending = (
                f"{changed} AND NOT EXISTS (SELECT 1 FROM newsletter_subscriber n "
                f"WHERE n.customer_id = c.id AND n.store_view_id = {store_view} "
                f"AND n.status = {SUBSCRIBED})"
            )
            count = int(
                database.obj.execute_sql(
                    f"SELECT count(*) FROM customer c WHERE {pending}", params
                ).fetchone()[0]
            )
            audit.record_for_selection(
                actor,
                "newsletter_subscribed",
                SQL(f"id IN (SELECT c.id FROM customer c WHERE {pending})", params),
                changes={"newsletter": [None, "Subscribed"]},
                note="mass action: Subscribe to Newsletter",
            )
            _execute(
                f"UPDATE newsletter_subscriber SET status = {SUBSCRIBED}, changed_at = {p} "
                f"WHERE status <> {SUBSCRIBED} AND customer_id IN ({ids_sql}) AND "
                f"store_view_id = (SELECT {store_view} FROM customer c "
                "WHERE c.id = newsletter_subscriber.customer_id)",
                [now, *params],
            )
            _execute(
                "INSERT INTO newsletter_subscriber (customer_id, store_view_id, status, changed_at) "
                f"SELECT c.id, {store_view}, {SUBSCRIBED}, {p} FROM customer c WHERE {changed} "
                "AND NOT EXISTS (SELECT 1 FROM newsletter_subscriber n WHERE n.customer_id = c.id "
                f"AND n.store_view_id = {store_view})",
                [now, *params],
            )
            total += count
    return MassResult("subscribe", total, _records(total, "updated"))


def unsubscribe(actor: Actor, selection: Selection) -> MassResult:
    """Remove every active subscription of the selected customers (status → Unsubscribed)."""
    _require_some(selection)
    permissions.require(actor, permissions.CUSTOMERS_NEWSLETTER)
    p = database.obj.param
    now = to_db_time(clock.now())
    total = 0
    with database.obj.atomic():
        for where, params in selection.chunks():
            ids_sql = f"SELECT id FROM customer_grid WHERE {where}"
            active = f"customer_id IN ({ids_sql}) AND status = {SUBSCRIBED}"
            audit.record_for_selection(
                actor,
                "newsletter_unsubscribed",
                SQL(
                    f"id IN (SELECT customer_id FROM newsletter_subscriber WHERE {active})",
                    params,
                ),
                changes={"newsletter": ["Subscribed", "Unsubscribed"]},
                note="mass action: Unsubscribe from Newsletter",
            )
            total += _count(
                f"id IN (SELECT customer_id FROM newsletter_subscriber WHERE {active})", params
            )
            _execute(
                f"UPDATE newsletter_subscriber SET status = {UNSUBSCRIBED}, changed_at = {p} "
                f"WHERE {active}",
                [now, *params],
            )
    return MassResult("unsubscribe", total, _records(total, "updated"))


def assign_group(actor: Actor, selection: Selection, group_id: int) -> MassResult:
    """Move the customers to *group_id*, recording each one's old and new group."""
    _require_some(selection)
    group = CustomerGroup.get_or_none(CustomerGroup.id == group_id)
    if group is None:
        raise ValidationError("group", f"Customer group {group_id} does not exist.")
    if group.id == 0:
        raise ValidationError(
            "group", "NOT LOGGED IN is the group of guests; a customer account cannot join it."
        )
    permissions.require(actor, permissions.CUSTOMERS_ASSIGN_GROUP)
    p = database.obj.param
    now = to_db_time(clock.now())
    names = {g.id: g.code for g in CustomerGroup.select()}
    total = 0
    with database.obj.atomic():
        for where, params in selection.chunks():
            moving = f"({where}) AND group_id <> {p}"
            old_groups = [
                row[0]
                for row in database.obj.execute_sql(
                    f"SELECT DISTINCT group_id FROM customer_grid WHERE {moving}",
                    [*params, group.id],
                )
            ]
            for old in old_groups:
                audit.record_for_selection(
                    actor,
                    "customer_group_changed",
                    SQL(f"{moving} AND group_id = {p}", [*params, group.id, old]),
                    changes={"group": [names.get(old, str(old)), group.code]},
                    note="mass action: Assign a Customer Group",
                )
            ids_sql = f"SELECT id FROM customer_grid WHERE {moving}"
            count = _execute(
                f"UPDATE customer SET group_id = {p}, updated_at = {p}, version = version + 1 "
                f"WHERE id IN ({ids_sql})",
                [group.id, now, *params, group.id],
            )
            _execute(
                f"UPDATE customer_grid SET group_id = {p} WHERE {moving}",
                [group.id, *params, group.id],
            )
            total += count
    return MassResult("assign_group", total, _records(total, "updated"))


def unlock(actor: Actor, selection: Selection) -> MassResult:
    """Clear the lock (and the failure count) of the selected customers that are locked."""
    _require_some(selection)
    permissions.require(actor, permissions.CUSTOMERS_UNLOCK)
    p = database.obj.param
    now = to_db_time(clock.now())
    total = 0
    with database.obj.atomic():
        for where, params in selection.chunks():
            locked = f"({where}) AND lock_expires > {p}"
            audit.record_for_selection(
                actor,
                "customer_unlocked",
                SQL(locked, [*params, now]),
                changes={"account_lock": ["Locked", "Unlocked"]},
                note="mass action: Unlock",
            )
            ids_sql = f"SELECT id FROM customer_grid WHERE {locked}"
            count = _execute(
                "UPDATE customer SET lock_expires = NULL, failures_num = 0, first_failure = NULL, "
                f"updated_at = {p}, version = version + 1 WHERE id IN ({ids_sql})",
                [now, *params, now],
            )
            _execute(f"UPDATE customer_grid SET lock_expires = NULL WHERE {locked}", [*params, now])
            total += count
    if total == 0:
        return MassResult("unlock", 0, "None of the selected customers is locked.")
    return MassResult("unlock", total, _records(total, "unlocked"))
