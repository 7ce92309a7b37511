"""The menu and the palette follow the staff member's role: a place the role cannot open stays
in the menu, disabled, with the reason under it; the palette leaves it out."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import OptionList

from custtui.screens.menu import MenuScreen
from custtui.services.actor import Actor
from tests.ui.test_customers_screen import settle


async def open_menu(pilot) -> dict[str, tuple[bool, str]]:
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MenuScreen)
    options = pilot.app.screen.query_one(OptionList).options
    return {str(o.id): (o.disabled, str(o.prompt)) for o in options}


async def test_a_viewer_sees_why_places_are_closed(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.actor = Actor(None, "vera", "viewer")
        shown = await open_menu(pilot)
        assert shown["email-templates"] == (
            True,
            "Marketing › Email Templates\n  Your role (viewer) does not allow editing email "
            "templates.",
        )
        assert shown["outbox"][0] is True and "viewing and re-sending" in shown["outbox"][1]
        for open_to_all in ("customers", "online", "config", "audit-log", "quit"):
            assert shown[open_to_all][0] is False, open_to_all


async def test_admins_have_every_place(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = await open_menu(pilot)
        assert not any(disabled for disabled, _ in shown.values())


async def test_the_palette_leaves_out_what_the_role_cannot_open(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.actor = Actor(None, "sam", "support")
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Email")
        await settle(pilot)
        await pilot.pause(0.3)
        hits = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert any("Email Outbox" in h for h in hits), hits
        assert not any("Email Templates" in h for h in hits), hits
