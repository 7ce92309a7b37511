"""Pilot tests of the account editor: edit and save, inline errors, unsaved-changes guard."""

from __future__ import annotations

from custtui.models import AuditLog, Customer
from custtui.screens.account_editor import AccountEditorScreen
from custtui.screens.confirm import ConfirmScreen
from custtui.screens.customer_view import CustomerViewScreen
from custtui.screens.customers import CustomersScreen
from custtui.widgets.inputs import TextInput
from tests.ui.test_customers_screen import settle


def toasts(app) -> list[str]:
    """The notifications shown (each was rendered: a crash would have stopped the app)."""
    return [str(n.message) for n in app._notifications]


async def open_editor(pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerViewScreen)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AccountEditorScreen)


async def test_edit_and_save_shows_a_toast_and_audits(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(pilot)
        app.screen.query_one("#in-lastname", TextInput).value = "Costello-Smith"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.pause(0.2)
        assert app.is_running and app._exception is None
        assert any("Saved: Last Name." in t for t in toasts(app))
        assert Customer.get_by_id(1).lastname == "Costello-Smith"
        entry = AuditLog.get(AuditLog.action == "customer_saved")
        assert entry.changes == {"lastname": ["Costello", "Costello-Smith"]}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomerViewScreen)


async def test_errors_show_next_to_fields_and_nothing_is_lost(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(pilot)
        app.screen.query_one("#in-email", TextInput).value = "bad@"
        app.screen.query_one("#in-dob", TextInput).value = "2999-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Email is not valid" in str(app.screen.query_one("#err-email").render())
        assert "past" in str(app.screen.query_one("#err-dob").render())
        assert app.screen.query_one("#in-email", TextInput).value == "bad@"
        assert Customer.get_by_id(1).email == "roni_cost@example.com"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CustomerViewScreen)


async def test_add_new_customer_from_the_grid(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        app.screen.query_one("#in-firstname", TextInput).value = "Hedy"
        app.screen.query_one("#in-lastname", TextInput).value = "Lamarr"
        app.screen.query_one("#in-email", TextInput).value = "hedy@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        hedy = Customer.get(Customer.email == "hedy@example.com")
        assert hedy.password_hash is None and hedy.created_in == "Default Store View"
        assert app.screen.customer_id == hedy.id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)


async def test_account_actions_unlock_and_delete(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_customer(13)  # Grace Hopper is locked in the fixture shop
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("down", "enter")  # Unlock
        await settle(pilot)
        assert "unlocked" in str(app.screen.query_one("#message").render()), (
            str(app.screen),
            str(app.screen.query_one("#message").render()),
        )
        assert Customer.get_by_id(13).lock_expires is None
        assert "unlocked" in str(app.screen.query_one("#message").render())
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")  # Delete Customer
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert not Customer.select().where(Customer.id == 13).exists()
        assert isinstance(app.screen, CustomersScreen)
        assert (
            AuditLog.select()
            .where((AuditLog.action == "customer_deleted") & (AuditLog.customer_id == 13))
            .exists()
        )
