"""Roles in the UI (issue 4 item 5): what a role cannot do stays listed, disabled, with the
reason; what slips through (typing into the editor) is refused by the service, said on screen
and audited."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from custtui.models import AuditLog, Customer, Staff
from custtui.screens.account_actions import AccountActionsScreen
from custtui.screens.mass_action import MassActionScreen
from custtui.services.actor import Actor
from tests.fixture_shop import FIXED_NOW
from tests.ui.test_account_editor import choose, open_tab
from tests.ui.test_customers_screen import settle


def act_as(app, role: str) -> Actor:
    row = Staff.create(username=f"{role}1", role=role, created_at=FIXED_NOW)
    app.actor = Actor(row.id, row.username, row.role)
    return app.actor


def menu(app) -> dict[str, tuple[bool, str]]:
    """Each option of the open menu: (disabled, its text)."""
    options = app.screen.query_one(OptionList).options
    return {str(o.id): (o.disabled, str(o.prompt)) for o in options}


EXPECTED_ACCOUNT = {
    "support": {"delete": "Your role (support) does not allow deleting customers."},
    "viewer": {
        "reset_password": "Your role (viewer) does not allow sending password reset emails.",
        "force_sign_in": "Your role (viewer) does not allow signing customers out (Force Sign-In).",
        "unlock": "Your role (viewer) does not allow unlocking accounts.",
        "delete": "Your role (viewer) does not allow deleting customers.",
    },
    "admin": {},
}


@pytest.mark.parametrize("role", sorted(EXPECTED_ACCOUNT))
async def test_account_actions_disable_what_the_role_cannot_do(app, role):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        act_as(app, role)
        app.open_customer(13)  # locked in the fixture shop: Unlock is offered
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, AccountActionsScreen)
        shown = menu(app)
        assert {"reset_password", "force_sign_in", "unlock", "delete"} <= set(shown)
        refused = {key: text for key, (disabled, text) in shown.items() if disabled}
        assert set(refused) == set(EXPECTED_ACCOUNT[role])
        for key, reason in EXPECTED_ACCOUNT[role].items():
            assert reason in refused[key]


async def test_support_unlocks_but_cannot_delete_from_the_editor(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        act_as(app, "support")
        app.open_customer(13)
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("delete")
        await pilot.press("enter")  # a disabled option cannot be chosen
        await settle(pilot)
        assert isinstance(app.screen, AccountActionsScreen)
        await choose(pilot, "unlock")
        assert Customer.get_by_id(13).lock_expires is None
        assert Customer.select().where(Customer.id == 13).exists()


@pytest.mark.parametrize(
    ("role", "disabled"),
    [
        ("admin", set()),
        ("support", {"delete"}),
        ("viewer", {"delete", "subscribe", "unsubscribe", "assign_group", "unlock"}),
    ],
)
async def test_mass_actions_disable_what_the_role_cannot_do(app, role, disabled):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        act_as(app, role)
        await pilot.press("space", "x")
        await settle(pilot)
        assert isinstance(app.screen, MassActionScreen)
        shown = menu(app)
        assert {key for key, (off, _) in shown.items() if off} == disabled
        if "delete" in disabled:
            assert f"Your role ({role}) does not allow deleting customers." in shown["delete"][1]
        await pilot.press("enter")  # the highlighted entry is never a disabled one
        await settle(pilot)
        if role == "viewer":
            assert isinstance(app.screen, MassActionScreen)  # nothing to choose
        assert Customer.select().count() == 24


async def test_a_viewer_saving_the_editor_is_told_why_and_it_is_audited(app):
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = act_as(app, "viewer")
        await open_tab(pilot, 1, "account")
        assert str(app.screen.query_one("#message").render()) == (
            "Read-only: Your role (viewer) does not allow editing customers."
        )
        assert app.screen.query_one("#in-lastname").disabled
        assert app.screen.query_one("#in-group_id").disabled
        app.screen.query_one("#in-lastname").value = "Changed"  # as if it got through
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(app.screen.query_one("#message").render())
        assert "Your role (viewer) does not allow editing customers." in message
        assert Customer.get_by_id(1).lastname != "Changed"
        denied = AuditLog.get(AuditLog.action == "permission_denied")
        assert denied.staff_username == viewer.username
