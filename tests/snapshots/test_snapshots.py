"""SVG snapshots of every screen at 80×24 and 120×40 on the fixed shop, clock and theme.

Plain ``def`` tests: ``snap_compare`` runs the app itself. Update with
``pytest tests/snapshots --snapshot-update`` and look at the SVGs before committing.
"""

from __future__ import annotations

import pytest

SIZES = [(80, 24), (120, 40)]


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_all_customers(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_all_customers_selected_and_sorted(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("right", "s")
        await settle(pilot)
        await pilot.press("space", "shift+down", "shift+down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_filter_panel(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        pilot.app.screen.query_one("#f-id-from").value = "ten"
        pilot.app.screen.query_one("#f-created_at-to").value = "2026-02-30"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_column_chooser(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_delete_confirmation(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("space", "space", "space", "x")
        await settle(pilot)
        await pilot.press("enter")  # Delete
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_customer_view(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("key", ["x", "v", "e", "m"], ids=["actions", "views", "export", "menu"])
def test_dialogs(snap_compare, app, size, key):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("space", key)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_account_editor_with_errors(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)
        await pilot.press("ctrl+pagedown")
        await settle(pilot)
        pilot.app.screen.query_one("#in-email").value = "not-an-email"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_account_editor_timeline(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+pagedown")
        await settle(pilot)
        pilot.app.screen.query_one("#in-lastname").value = "Costello-Smith"
        await pilot.press("ctrl+s")
        await settle(pilot)
        pilot.app.screen.query_one("#tabs").active = "timeline"
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def open_customer_tab(pilot, customer_id: int, tab: str) -> None:
    await settle(pilot)
    pilot.app.open_customer(customer_id)
    await settle(pilot)
    pilot.app.screen.query_one("#tabs").active = tab
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("tab", ["addresses", "newsletter"])
def test_editor_tabs(snap_compare, app, size, tab):
    async def run_before(pilot) -> None:
        await open_customer_tab(pilot, 1, tab)
        pilot.app.screen.query_one("#book" if tab == "addresses" else "#news").focus()
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_address_form_with_errors(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await open_customer_tab(pilot, 1, "addresses")
        pilot.app.screen.query_one("#book").focus()
        await pilot.press("n")
        await settle(pilot)
        pilot.app.screen.query_one("#a-firstname").value = "Ada [/]"
        pilot.app.screen.query_one("#a-city").value = "Austin"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_account_actions(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await open_customer_tab(pilot, 13, "view")  # locked: Unlock is offered
        await pilot.press("ctrl+o")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_editor_conflict(snap_compare, app, size):
    async def run_before(pilot) -> None:
        from custtui.models import Customer
        from custtui.services import accounts
        from custtui.services.actor import Actor

        await open_customer_tab(pilot, 1, "account")
        # Another agent saves the same customer after this editor loaded it.
        other = Actor(None, "sam", "support")
        version = Customer.get_by_id(1).version
        accounts.update(other, 1, version, {"lastname": "Costello-Jones", "taxvat": "GB123"})
        pilot.app.screen.query_one("#in-lastname").value = "Costello-Smith"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_sign_in(snap_compare, fixture_db, size):
    from custtui.app import make_app
    from custtui.models import Staff
    from custtui.services import clock
    from custtui.settings import Settings
    from tests.fixture_shop import FIXED_NOW

    Staff.update(os_user=None).execute()  # nobody mapped: the app asks
    app = make_app(
        fixture_db, Settings(staff="sam", cursor_blink=False), clock.FixedClock(FIXED_NOW)
    )

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#password").value = "secret"
        pilot.app.screen._say(
            "The username or password is not correct, or the account is disabled.", True
        )
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
