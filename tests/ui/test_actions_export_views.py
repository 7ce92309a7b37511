"""Pilot tests: a mass action end to end, export, saved views — as an agent would do them."""

from __future__ import annotations

import csv

from textual.widgets import Input

from custtui.models import AuditLog, Customer
from custtui.screens.confirm import ConfirmScreen
from custtui.screens.customers import CustomersScreen
from custtui.screens.export import ExportScreen
from custtui.screens.mass_action import MassActionScreen
from custtui.screens.saved_views import SavedViewsScreen
from tests.ui.test_customers_screen import grid, settle, visible_ids


async def test_assign_group_to_selection(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "x")
        await settle(pilot)
        assert isinstance(app.screen, MassActionScreen)
        await pilot.press("down", "down", "down", "enter")  # Assign a Customer Group
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")  # General, Wholesale, Retailer, VIP
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Assign 2 customers to “VIP”?" in str(app.screen.query_one("#title").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert {c.group_id for c in Customer.select().where(Customer.id << [1, 2])} == {4}
        rows = AuditLog.select().where(AuditLog.action == "customer_group_changed")
        assert {r.staff_username for r in rows} == {"admin"} and rows.count() == 2
        assert grid(app).selection_count == 0


async def test_delete_asks_first_and_cancel_keeps_everyone(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space", "x")
        await settle(pilot)
        await pilot.press("enter")  # Delete
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete 1 customer?" in str(app.screen.query_one("#title").render())
        await pilot.press("escape")
        await settle(pilot)
        assert Customer.select().count() == 24
        await pilot.press("escape")
        await pilot.press("x", "enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert Customer.select().count() == 23
        assert 1 not in visible_ids(app)


async def test_export_current_result(app, tmp_path):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"example.com", "enter")
        await settle(pilot)
        expected = grid(app).row_count
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        target = tmp_path / "out.csv"
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        with open(target, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0][:3] == ["ID", "Name", "Email"]
        assert len(rows) == expected + 1


async def test_save_and_apply_a_view(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"exemple", "enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, SavedViewsScreen)
        app.screen.query_one("#name", Input).focus()
        await pilot.press(*"French", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.press("slash", "ctrl+a", "backspace", "enter")
        app.screen.query_one("#search", Input).value = ""
        await settle(pilot)
        assert grid(app).row_count == 24
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("down", "enter")  # the saved view below "Default View"
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "exemple"
        assert visible_ids(app) == [15, 17]
        assert "View: French" in str(app.screen.query_one("#status").render())
