"""The append-only audit log: every change is written in the same transaction as the row that
records it, so history and data can never disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import Value, fn

from custtui.models import AuditLog
from custtui.services import clock
from custtui.services.actor import Actor


def record(
    actor: Actor,
    action: str,
    *,
    entity_type: str = "customer",
    entity_id: int | None = None,
    customer_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> int:
    """Append one audit row; call inside the transaction of the change it describes."""
    return AuditLog.insert(
        created_at=clock.now(),
        staff_id=actor.staff_id,
        staff_username=actor.username,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        customer_id=customer_id,
        changes=dict(changes) if changes is not None else None,
        note=note,
    ).execute()


def record_for_selection(
    actor: Actor,
    action: str,
    where: Any,
    *,
    note: str | None = None,
    changes: Mapping[str, Any] | None = None,
) -> int:
    """Append one row per customer of the grid matching *where* with a single
    ``INSERT … SELECT``: a mass action over a million customers stays one statement, yet each
    customer's timeline shows it. Returns the number of rows written."""
    from custtui.models import CustomerGrid

    now = AuditLog.created_at.db_value(clock.now())
    changes_text = AuditLog.changes.db_value(dict(changes)) if changes is not None else None
    select = CustomerGrid.select(
        Value(now),
        Value(actor.staff_id),
        Value(actor.username),
        Value(action),
        Value("customer"),
        CustomerGrid.id,
        CustomerGrid.id,
        Value(changes_text),
        Value(note),
    ).where(where)
    cursor = (
        AuditLog.insert_from(
            select,
            [
                AuditLog.created_at,
                AuditLog.staff_id,
                AuditLog.staff_username,
                AuditLog.action,
                AuditLog.entity_type,
                AuditLog.entity_id,
                AuditLog.customer_id,
                AuditLog.changes,
                AuditLog.note,
            ],
        )
        .as_rowcount()
        .execute()
    )
    return int(cursor)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    created_at: datetime
    staff_username: str | None
    action: str
    entity_type: str
    entity_id: int | None
    customer_id: int | None
    changes: dict[str, Any] | None
    note: str | None


def entries(customer_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
    """Newest first; optionally one customer's history."""
    query = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
    if customer_id is not None:
        query = query.where(AuditLog.customer_id == customer_id)
    return [_entry(row) for row in query]


def count(action: str | None = None) -> int:
    query = AuditLog.select(fn.COUNT(AuditLog.id))
    if action is not None:
        query = query.where(AuditLog.action == action)
    return int(query.scalar() or 0)


def search(
    *,
    customer_email: str | None = None,
    customer_id: int | None = None,
    staff: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    """Events across customers, newest first, for the Audit Log screen and ``custtui audit``.

    A customer email matches by ``email_key`` (the account may since have been deleted, so
    deleted customers are found through their ``customer_deleted`` note as well).
    """
    from custtui.models import Customer

    query = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
    if customer_email:
        from custtui.services.accounts import email_key

        ids = [
            c.id
            for c in Customer.select(Customer.id).where(
                Customer.email_key == email_key(customer_email.strip())
            )
        ]
        gone = AuditLog.select(AuditLog.customer_id).where(
            (AuditLog.action == "customer_deleted") & AuditLog.note.contains(customer_email.strip())
        )
        query = query.where(AuditLog.customer_id.in_(ids) | AuditLog.customer_id.in_(gone))
    if customer_id is not None:
        query = query.where(AuditLog.customer_id == customer_id)
    if staff:
        query = query.where(AuditLog.staff_username == staff)
    if action:
        query = query.where(AuditLog.action == action)
    if since is not None:
        query = query.where(AuditLog.created_at >= since)
    if until is not None:
        query = query.where(AuditLog.created_at < until)
    return [_entry(row) for row in query]


def _entry(row: AuditLog) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        created_at=row.created_at,
        staff_username=row.staff_username,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        customer_id=row.customer_id,
        changes=row.changes,
        note=row.note,
    )


def describe(entry: AuditEntry) -> str:
    """One line a person reads on a timeline: what happened and which fields changed how."""
    words = entry.action.replace("_", " ").capitalize()
    parts = [words]
    if entry.changes:
        changes = "; ".join(
            f"{field}: {_shown(pair[0])} → {_shown(pair[1])}"
            if isinstance(pair, list | tuple) and len(pair) == 2
            else f"{field}: {_shown(pair)}"
            for field, pair in entry.changes.items()
        )
        parts.append(changes)
    if entry.note:
        parts.append(entry.note)
    return " — ".join(parts)


def _shown(value: Any) -> str:
    return "(empty)" if value in (None, "") else str(value)
