"""SVG snapshots of System › Audit Log at 80×24 and 120×40: the whole log, a filtered log, a
filter error shown under its field, and one event in full.

The history comes from :mod:`tests.audit_events` (services on a fixed clock) and is written
into the fixture shop before the app starts. Update with
``pytest tests/snapshots/test_audit_snapshots.py --snapshot-update`` and look at every SVG.
"""

from __future__ import annotations

import pytest

from tests.audit_events import add_audit_events

SIZES = [(80, 24), (120, 40)]
IDS = ["80x24", "120x40"]


@pytest.fixture
def audit_app(fixture_db, app):
    add_audit_events()
    return app


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_audit_log(pilot) -> None:
    await settle(pilot)
    pilot.app.go_to("audit-log")
    await settle(pilot)


async def type_into(pilot, field: str, value: str) -> None:
    widget = pilot.app.screen.query_one(f"#f-{field}")
    widget.value = value
    widget.focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_audit_log(snap_compare, audit_app, size):
    assert snap_compare(audit_app, terminal_size=size, run_before=open_audit_log)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_audit_log_filtered(snap_compare, audit_app, size):
    async def run_before(pilot) -> None:
        await open_audit_log(pilot)
        pilot.app.screen.query_one("#f-staff").value = "sam"
        await settle(pilot)
        await type_into(pilot, "since", "2026-12-02")

    assert snap_compare(audit_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_audit_log_filter_error(snap_compare, audit_app, size):
    async def run_before(pilot) -> None:
        await open_audit_log(pilot)
        await type_into(pilot, "customer", "nobody@example.com")
        await type_into(pilot, "since", "2026-02-30")

    assert snap_compare(audit_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
@pytest.mark.parametrize("event_id", [4, 5], ids=["changes", "deleted-customer"])
def test_audit_event_detail(snap_compare, audit_app, size, event_id):
    async def run_before(pilot) -> None:
        from custtui.screens.audit_log import AuditEventScreen

        await open_audit_log(pilot)
        pilot.app.push_screen(AuditEventScreen(event_id))
        await settle(pilot)

    assert snap_compare(audit_app, terminal_size=size, run_before=run_before)
