"""SVG snapshots of Settings › Customer Configuration at 80×24 and 120×40 (look at them)."""

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
