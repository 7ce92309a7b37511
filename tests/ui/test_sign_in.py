"""The app opens on staff sign-in unless the OS user is mapped; the idle timeout locks it."""

from __future__ import annotations

import pytest

from custtui.app import make_app
from custtui.models import Staff
from custtui.screens.customers import CustomersScreen
from custtui.screens.sign_in import SignInScreen
from custtui.services import clock, passwords, staff_accounts
from custtui.services.actor import SYSTEM
from custtui.settings import Settings
from tests.fixture_shop import FIXED_NOW
from tests.ui.test_customers_screen import settle


@pytest.fixture
def unmapped_app(fixture_db, tmp_path, monkeypatch):
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "custtui.key"))
    passwords._secret_at.cache_clear()
    monkeypatch.setattr(passwords, "COST", 4)
    Staff.update(os_user=None).execute()
    staff_accounts.add(SYSTEM, "sam", "support", password="correct horse battery")
    previous = clock.current()
    yield make_app(
        fixture_db, Settings(staff="sam", cursor_blink=False), clock.FixedClock(FIXED_NOW)
    )
    clock.install(previous)
    passwords._secret_at.cache_clear()


async def test_sign_in_wrong_then_right(unmapped_app):
    app = unmapped_app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#username").value == "sam"  # from --staff
        app.screen.query_one("#password").value = "wrong"
        await pilot.press("enter")
        await settle(pilot)
        assert "not correct" in str(app.screen.query_one("#sign-in-message").render())
        assert app.screen.query_one("#password").value == ""
        app.screen.query_one("#password").value = "correct horse battery"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert app.actor.username == "sam" and app.actor.role == "support"


async def test_idle_timeout_locks_until_the_password_is_given(unmapped_app):
    app = unmapped_app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one("#password").value = "correct horse battery"
        await pilot.press("enter")
        await settle(pilot)
        app._last_input -= staff_accounts.idle_timeout_seconds() + 1
        app._check_idle()
        await settle(pilot)
        locked = app.screen
        assert isinstance(locked, SignInScreen) and locked.locked_for.username == "sam"
        assert locked.query_one("#username").disabled
        await pilot.press("escape")  # cannot be dismissed
        assert app.screen is locked
        locked.query_one("#password").value = "correct horse battery"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)


async def test_os_mapped_staff_open_straight_away(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert app.actor.username == "admin"
