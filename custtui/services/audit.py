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
    return [
        AuditEntry(
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
        for row in query
    ]


def count(action: str | None = None) -> int:
    query = AuditLog.select(fn.COUNT(AuditLog.id))
    if action is not None:
        query = query.where(AuditLog.action == action)
    return int(query.scalar() or 0)
