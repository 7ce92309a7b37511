"""A fixed history for the Audit Log's tests and snapshots, written through the services on a
fixed clock into the fixture shop (so every row, id and time is the same on every run).

Events, oldest first (all 2026-12-0x, UTC):

1. 12-01 08:00 admin  customer_saved          #1 lastname Costello → Costello-Smith
2. 12-02 09:15 sam    customer_group_changed  #2, #3 (mass action to VIP; one row each)
3. 12-03 10:30 sam    newsletter_unsubscribed #1 (mass action)
4. 12-04 11:45 admin  customer_deleted        #4 "[/] [@click=app.quit]" <markup@example.com>
5. 12-05 13:00 admin  customer_unlocked       #13 (mass action)
"""

from __future__ import annotations

from datetime import UTC, datetime

from custtui.models import Customer, Staff
from custtui.services import accounts, clock, mass_actions
from custtui.services.actor import Actor
from custtui.services.grid import Selection

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
EVENT_COUNT = 6
"""Rows written: one per customer touched (the group change touches two)."""


def add_audit_events() -> dict[str, Actor]:
    """Write the history above into the bound fixture shop; returns the actors by username."""
    fixed = clock.FixedClock(START)
    previous = clock.install(fixed)
    try:
        admin_row = Staff.get(Staff.username == "admin")
        admin = Actor(admin_row.id, admin_row.username, admin_row.role)
        sam_id = Staff.insert(
            username="sam", display_name="Sam Support", role="support", created_at=START
        ).execute()
        sam = Actor(sam_id, "sam", "support")

        first = Customer.get_by_id(1)
        accounts.update(admin, 1, first.version, {"lastname": "Costello-Smith"})
        fixed.advance(days=1, minutes=75)
        mass_actions.assign_group(sam, Selection.of([2, 3]), 4)
        fixed.advance(days=1, minutes=75)
        mass_actions.unsubscribe(sam, Selection.of([1]))
        fixed.advance(days=1, minutes=75)
        mass_actions.delete(admin, Selection.of([4]))
        fixed.advance(days=1, minutes=75)
        mass_actions.unlock(admin, Selection.of([13]))
        return {"admin": admin, "sam": sam}
    finally:
        clock.install(previous)
