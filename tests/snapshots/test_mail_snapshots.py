"""SVG snapshots of Customers › Email Outbox (the list and one message) and of the Email
Templates editor showing an error, at 80×24 and 120×40. The emails are queued with the
services on the fixed clock before the app starts, so every run draws the same."""

from __future__ import annotations

import pytest

from custtui.services import clock
from tests.fixture_shop import FIXED_NOW
from tests.snapshots.test_snapshots import SIZES, settle
from tests.ui.test_mail_screens import seed_outbox


@pytest.fixture
def mail_app(app):
    previous = clock.install(clock.FixedClock(FIXED_NOW))
    try:
        seed_outbox()
    finally:
        clock.install(previous)
    return app


async def open_outbox(pilot) -> None:
    await settle(pilot)
    pilot.app.go_to("outbox")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_outbox(snap_compare, mail_app, size):
    assert snap_compare(mail_app, terminal_size=size, run_before=open_outbox)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_outbox_message(snap_compare, mail_app, size):
    """The failed email to the customer whose name looks like markup."""

    async def run_before(pilot) -> None:
        await open_outbox(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)

    assert snap_compare(mail_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_template_editor_with_an_error(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.go_to("email-templates")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down", "enter")  # Forgot Password
        await settle(pilot)
        await pilot.press("end", *" {{var coupon}}", "ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
