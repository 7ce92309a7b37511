"""SVG snapshots of Settings › Customer Configuration (every section) and of permission
refusals at 80×24 and 120×40 (look at them)."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, OptionList, Select

from custtui.widgets.inputs import TextInput
from tests.snapshots.test_snapshots import SIZES, settle


async def _open(pilot, section: str, scope: str | None = None) -> None:
    await settle(pilot)
    pilot.app.go_to("config")
    await settle(pilot)
    screen = pilot.app.screen
    if scope is not None:
        screen.query_one("#scope", Select).value = scope
        await settle(pilot)
    sections = screen.query_one("#sections", OptionList)
    sections.highlighted = sections.get_option_index(section)
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_config_default_scope(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await _open(pilot, "address")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_config_website_scope_with_an_error(snap_compare, app, size):
    async def run_before(pilot) -> None:
        await _open(pilot, "address", scope="eu")
        screen = pilot.app.screen
        screen.query_one("#inherit-address-street_lines", Checkbox).value = False
        await settle(pilot)
        screen.query_one("#in-address-street_lines", TextInput).value = "9"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


SECTIONS = [
    "account_share",
    "online_customers",
    "create_account",
    "password",
    "account_information",
    "startup",
    "magento_customerbalance",
]
"""Every Customer Configuration section ("address" is the two above); Store Credit Options
(issue 6) last."""


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("section", SECTIONS)
def test_config_section(snap_compare, app, section, size):
    async def run_before(pilot) -> None:
        await _open(pilot, section)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def _act_as(app, role: str) -> None:
    from custtui.models import Staff
    from custtui.services.actor import Actor
    from tests.fixture_shop import FIXED_NOW

    row = Staff.create(username=f"{role}1", role=role, created_at=FIXED_NOW)
    app.actor = Actor(row.id, row.username, row.role)
    app.sub_title = f"signed in as {row.username} ({row.role})"


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_config_refused_for_support(snap_compare, app, size):
    """A role without configuration rights sees the form read-only and why; ctrl+s refuses."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        _act_as(pilot.app, "support")
        await _open(pilot, "password")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_mass_actions_refused_for_viewer(snap_compare, app, size):
    """Every mass action stays listed for a viewer, disabled, with the reason."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        _act_as(pilot.app, "viewer")
        await pilot.press("space", "x")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
