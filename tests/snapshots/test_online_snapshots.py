"""SVG snapshots of Customers › Now Online at 80×24 and 120×40: the live grid with its
totals and chart, and the filter panel showing errors. The visits are written before the app
starts and "updated hh:mm:ss" comes from the fixed clock, so every run draws the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custtui.models import Visit
from tests.fixture_shop import FIXED_NOW
from tests.snapshots.test_snapshots import SIZES, settle

VISITS = [
    # (customer id or None, minutes since last activity, session minutes, ip, url)
    (1, 0, 25, "203.0.113.10", "/checkout/cart/add"),
    (None, 1, 3, "198.51.100.23", "/catalog/product/view/id/42"),
    (4, 2, 48, "2001:db8::7334", "/customer/account/[/]"),  # markup-like name and URL
    (6, 4, 9, "203.0.113.77", "/wishlist/index/add"),
    (None, 6, 30, "192.0.2.1", "/checkout/onepage/success"),
    (14, 9, 55, "203.0.113.9", "/cart?\x1b[31mred"),  # control characters shown as �
    (None, 13, 14, "198.51.100.99", "/"),
]


@pytest.fixture
def online_app(app):
    for customer, idle, length, ip, url in VISITS:
        last = FIXED_NOW - timedelta(minutes=idle)
        Visit.create(
            website=2 if customer == 6 else 1,
            customer=customer,
            created_at=last - timedelta(minutes=length),
            last_visit_at=last,
            remote_addr=ip,
            last_url=url,
        )
    # Earlier in the hour: visits that have left (they shape the chart, not the grid).
    for minutes in range(20, 60, 4):
        Visit.create(
            website=1,
            created_at=FIXED_NOW - timedelta(minutes=minutes + 10),
            last_visit_at=FIXED_NOW - timedelta(minutes=minutes),
        )
    return app


async def open_online(pilot) -> None:
    await settle(pilot)
    pilot.app.go_to("online")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_now_online(snap_compare, online_app, size):
    async def run_before(pilot) -> None:
        await open_online(pilot)
        await pilot.press("down", "space")  # one visit selected, cursor on the next
        await settle(pilot)

    assert snap_compare(online_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_now_online_filter_errors(snap_compare, online_app, size):
    async def run_before(pilot) -> None:
        await open_online(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#f-id_from").value = "ten"
        screen.query_one("#f-email").value = "example"
        screen.query_one("#f-active_from").value = "2026-12-06 10:00"
        screen.query_one("#f-active_to").value = "2026-12-06 09:00"
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(online_app, terminal_size=size, run_before=run_before)
