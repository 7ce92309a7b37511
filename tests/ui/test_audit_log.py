"""Pilot tests of System › Audit Log: open it, filter it (and see bad input next to its field),
open an event, open its customer, go back."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static

from custtui.commands import PlaceCommands
from custtui.screens.audit_log import AuditEventScreen, AuditLogScreen
from custtui.screens.customers import CustomersScreen
from custtui.screens.menu import MENU
from custtui.widgets.sql_grid import SqlGrid
from tests.audit_events import EVENT_COUNT, add_audit_events


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def audit_app(fixture_db, app):
    add_audit_events()
    return app


def grid(app) -> SqlGrid:
    return app.screen.query_one(SqlGrid)


def rows(app) -> list[tuple[int, tuple[str, ...]]]:
    g = grid(app)
    found = [g.row_at(i) for i in range(g.row_count)]
    return [(r.id, r.cells) for r in found if r is not None]


def ours(app) -> list[tuple[int, tuple[str, ...]]]:
    """The rows of :mod:`tests.audit_events` (the app may log its own events on start, such
    as the staff sign-in; those come after ours)."""
    return [(row_id, cells) for row_id, cells in rows(app) if row_id <= EVENT_COUNT]


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_audit_log(pilot) -> AuditLogScreen:
    await settle(pilot)
    pilot.app.go_to("audit-log")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AuditLogScreen)
    return pilot.app.screen


async def open_event(pilot, event_id: int) -> AuditEventScreen:
    """Put the cursor on the event's row and press enter, as a person would."""
    g = grid(pilot.app)
    g.focus()
    index = [row_id for row_id, _ in rows(pilot.app)].index(event_id)
    await pilot.press(*["down"] * index, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AuditEventScreen)
    assert pilot.app.screen.entry_id == event_id
    return pilot.app.screen


async def submit(pilot, field: str, value: str) -> None:
    widget = pilot.app.screen.query_one(f"#f-{field}", Input)
    widget.value = value
    widget.focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_menu_and_palette_lead_to_the_audit_log(audit_app):
    assert ("audit-log", "System › Audit Log") in MENU
    assert "audit-log" in [place for _title, _help, place in PlaceCommands.PLACES]
    async with audit_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        keys = [key for key, _label in MENU]
        await pilot.press(*["down"] * keys.index("audit-log"), "enter")
        await settle(pilot)
        assert isinstance(audit_app.screen, AuditLogScreen)
        # Asking again from deeper in the stack goes back to the same screen.
        audit_app.push_screen(AuditEventScreen(1))
        await settle(pilot)
        audit_app.go_to("audit-log")
        await settle(pilot)
        assert isinstance(audit_app.screen, AuditLogScreen)
        assert sum(isinstance(s, AuditLogScreen) for s in audit_app.screen_stack) == 1


async def test_lists_every_event_newest_first_with_readable_columns(audit_app):
    async with audit_app.run_test(size=(120, 40)) as pilot:
        await open_audit_log(pilot)
        shown = ours(audit_app)
        assert [row_id for row_id, _ in shown] == list(range(EVENT_COUNT, 0, -1))
        assert [row_id for row_id, _ in rows(audit_app)][-EVENT_COUNT:] == list(
            range(EVENT_COUNT, 0, -1)
        )
        total = grid(audit_app).row_count
        assert f"{total} events in the log · newest first" == text_of(audit_app, "#count")
        by_id = dict(shown)
        assert by_id[1] == (
            "2026-12-01 08:00",
            "admin",
            "Customer saved",
            "#1 roni_cost@example.com",
            "lastname: Costello → Costello-Smith",
        )
        assert by_id[5][2:4] == ("Customer deleted", "#4 (deleted)")
        assert "[/] [@click=app.quit]" in by_id[5][4]
        assert audit_app.is_running


async def test_times_are_shown_in_the_display_timezone(audit_app):
    from zoneinfo import ZoneInfo

    async with audit_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        audit_app.display_timezone = ZoneInfo("Europe/Berlin")
        await open_audit_log(pilot)
        assert dict(ours(audit_app))[1][0] == "2026-12-01 09:00"
        # "From" is read in that zone too: 09:00 Berlin is 08:00 UTC, the first event.
        await submit(pilot, "since", "2026-12-01 09:00")
        await submit(pilot, "until", "2026-12-01 09:00")
        assert [row_id for row_id, _ in rows(audit_app)] == [1]


async def test_staff_and_action_selects_filter(audit_app):
    async with audit_app.run_test(size=(120, 40)) as pilot:
        screen = await open_audit_log(pilot)
        staff = screen.query_one("#f-staff", Select)
        assert [value for _label, value in staff._options if value is not Select.NULL] == [
            "admin",
            "sam",
        ]
        staff.value = "sam"
        await settle(pilot)
        assert [row_id for row_id, _ in rows(audit_app)] == [4, 3, 2]
        assert "3 events match the filters" in text_of(audit_app, "#count")
        screen.query_one("#f-action", Select).value = "customer_group_changed"
        await settle(pilot)
        assert [row_id for row_id, _ in rows(audit_app)] == [3, 2]
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert len(ours(audit_app)) == EVENT_COUNT
        assert staff.value is Select.NULL


async def test_customer_by_email_finds_a_deleted_customer_and_by_id(audit_app):
    async with audit_app.run_test(size=(120, 40)) as pilot:
        await open_audit_log(pilot)
        await submit(pilot, "customer", "MARKUP@example.com")
        assert [row_id for row_id, _ in rows(audit_app)] == [5]
        await submit(pilot, "customer", "#1")
        assert [row_id for row_id, _ in rows(audit_app)] == [4, 1]


async def test_bad_date_shows_an_inline_error_and_keeps_the_text(audit_app):
    async with audit_app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit_log(pilot)
        await submit(pilot, "since", "2026-02-30")
        error = screen.query_one("#e-since", Static)
        assert error.parent.display
        assert "'2026-02-30' is not a real date" in str(error.render())
        assert screen.query_one("#f-since", Input).value == "2026-02-30"
        assert screen.query_one("#f-since", Input).has_class("-invalid")
        assert audit_app.focused is screen.query_one("#f-since", Input)
        assert "Check the filters: From" in text_of(audit_app, "#count")
        assert str(screen.query_one("#e-until", Static).render()) == ""
        assert not screen.query_one("#e-customer", Static).parent.display  # row without errors

        # Fixed, but now the end is before the start: the error moves to "To".
        await submit(pilot, "since", "2026-12-03")
        await submit(pilot, "until", "2026-12-02")
        assert str(screen.query_one("#e-since", Static).render()) == ""
        assert "is before the start" in str(screen.query_one("#e-until", Static).render())

        await submit(pilot, "until", "2026-12-04")
        assert not screen.query_one("#e-until", Static).parent.display
        assert [row_id for row_id, _ in rows(audit_app)] == [5, 4]  # 12-03 and 12-04


async def test_unknown_customer_email_is_an_error_not_an_empty_list(audit_app):
    async with audit_app.run_test(size=(120, 40)) as pilot:
        screen = await open_audit_log(pilot)
        await submit(pilot, "customer", "nobody@example.com")
        error = screen.query_one("#e-customer", Static)
        message = str(error.render())
        # Under its own field: the cells before it in the row are there, and empty.
        cells = list(error.parent.children)
        assert cells.index(error) == 2 and all(str(c.render()) == "" for c in cells[:2])
        assert "no customer has the email 'nobody@example.com'" in message
        assert screen.query_one("#f-customer", Input).value == "nobody@example.com"


async def test_enter_opens_the_event_and_o_opens_its_customer(audit_app):
    async with audit_app.run_test(size=(120, 40)) as pilot:
        await open_audit_log(pilot)
        modal = await open_event(pilot, 4)  # sam unsubscribed customer #1
        body = str(modal.query_one("#body", Static).render())
        assert "sam (#" in body
        assert "newsletter  Subscribed → Unsubscribed" in body
        assert "mass action: Unsubscribe from Newsletter" in body
        assert "#1 roni_cost@example.com" in body
        assert "o open customer" in str(modal.query_one("#keys", Static).render())
        await pilot.press("o")
        await settle(pilot)
        assert getattr(audit_app.screen, "customer_id", None) == 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(audit_app.screen, AuditLogScreen)


async def test_a_deleted_customers_event_has_no_open_key_and_esc_goes_back(audit_app):
    async with audit_app.run_test(size=(120, 40)) as pilot:
        await open_audit_log(pilot)
        modal = await open_event(pilot, 5)  # customer #4 deleted
        body = str(modal.query_one("#body", Static).render())
        assert "#4 (this account no longer exists)" in body
        assert "[/] [@click=app.quit]" in body
        assert "o open customer" not in str(modal.query_one("#keys", Static).render())
        await pilot.press("o")
        await settle(pilot)
        assert audit_app.screen is modal
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(audit_app.screen, AuditLogScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(audit_app.screen, CustomersScreen)


async def test_escape_in_the_filter_bar_returns_to_the_grid(audit_app):
    async with audit_app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit_log(pilot)
        await pilot.press("f")
        assert audit_app.focused is screen.query_one("#f-staff", Select)
        await pilot.press("tab", "tab")
        assert audit_app.focused is screen.query_one("#f-customer", Input)
        await pilot.press("escape")
        assert isinstance(audit_app.focused, SqlGrid)
        assert audit_app.screen is screen


async def test_a_role_without_audit_view_sees_why_and_no_events(audit_app):
    from custtui.services.actor import Actor

    async with audit_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        audit_app.actor = Actor(None, "guest", "nobody")
        await open_audit_log(pilot)
        assert "does not allow viewing the audit log" in text_of(audit_app, "#count")
        assert grid(audit_app).row_count == 0
