"""Pilot tests of the All Customers screen: search, filter, sort, select, columns, open."""

from __future__ import annotations

from textual.widgets import Input, Select, SelectionList

from custtui.screens.account_editor import AccountEditorScreen
from custtui.screens.columns import ColumnChooser
from custtui.screens.customers import CustomersScreen
from custtui.screens.filters import FilterScreen
from custtui.widgets.sql_grid import SqlGrid


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def grid(app) -> SqlGrid:
    return app.screen.query_one(SqlGrid)


def visible_ids(app) -> list[int]:
    g = grid(app)
    return [g.row_at(i).id for i in range(g.row_count) if g.row_at(i) is not None]


async def test_opens_on_all_customers_with_count(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert grid(app).row_count == 24
        assert "24 records found" in str(app.screen.query_one("#count").render())
        assert visible_ids(app)[:3] == [1, 2, 3]


async def test_slash_focuses_search_and_typing_filters(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"müll")
        await settle(pilot)
        assert visible_ids(app) == [2]
        await pilot.press("enter")
        assert isinstance(app.focused, SqlGrid)


async def test_hostile_search_text_is_harmless(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        app.focused.value = "[@click=app.quit]"
        await settle(pilot)
        assert app.is_running
        assert visible_ids(app) == [4]
        app.focused.value = "x" * 1500
        await settle(pilot)
        status = str(app.screen.query_one("#status").render())
        assert "search" in status and "1,500" in status
        app.focused.value = "100%_"
        await settle(pilot)
        assert visible_ids(app) == [22]


async def test_sort_by_column_both_ways(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right")  # Name column
        await pilot.press("s")
        await settle(pilot)
        ascending = visible_ids(app)
        await pilot.press("s")
        await settle(pilot)
        assert visible_ids(app) == ascending[::-1]
        assert app.screen.query_state.sort.key == "name"
        assert app.screen.query_state.sort.descending


async def test_filter_panel_applies_and_reports_bad_values(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#f-id-from", Input).value = "abc"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        assert "whole number" in str(app.screen.query_one("#e-id").render())
        app.screen.query_one("#f-id-from", Input).value = "3"
        app.screen.query_one("#f-group_id", Select).value = 4
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert visible_ids(app) == [5, 10, 15, 20]
        assert "Group: VIP" in str(app.screen.query_one("#status").render())
        await pilot.press("F")
        await settle(pilot)
        assert grid(app).row_count == 24


async def test_select_rows_range_and_all_matching(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space")
        assert grid(app).selection_count == 2
        await pilot.press("shift+down", "shift+down")
        assert grid(app).selection_count == 5
        await pilot.press("ctrl+a")
        assert grid(app).all_matching and grid(app).selection_count == 24
        await pilot.press("home", "space")
        assert grid(app).selection_count == 23
        assert "23 selected" in str(app.screen.query_one("#status").render())
        selection = app.screen.selection()
        assert selection.is_all_matching and selection.excluded == frozenset({1})
        await pilot.press("escape")
        assert grid(app).selection_count == 0


async def test_column_chooser_changes_columns(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ColumnChooser)
        chooser = app.screen.query_one(SelectionList)
        chooser.select("billing_company")
        chooser.deselect("email")
        await pilot.press("ctrl+s")
        await settle(pilot)
        keys = [c.key for c in grid(app).columns]
        assert "billing_company" in keys and "email" not in keys


async def test_enter_opens_customer_view_and_escape_returns(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        assert app.screen.customer_id == 4
        name = str(app.screen.query_one("#name").render())
        assert "[/] [@click=app.quit]" in name
        await pilot.press("escape")
        assert isinstance(app.screen, CustomersScreen)


async def test_scrolling_keeps_cursor_visible(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        g = grid(app)
        assert g.cursor_row == 23
        assert g.cursor_id == 24
        await pilot.press("home")
        assert g.cursor_row == 0 and g.scroll_y == 0


async def test_palette_goes_to_customer(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"lovelace")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        assert app.screen.customer_id == 11


async def test_menu_and_theme(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # All Customers
        await pilot.pause()
        assert isinstance(app.screen, CustomersScreen)
