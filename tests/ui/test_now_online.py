"""Pilot tests of Customers › Now Online: filters, sort, live refresh, pause, open."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Select

from custtui.models import Visit
from custtui.screens.account_editor import AccountEditorScreen
from custtui.screens.now_online import NowOnlineScreen, OnlineFilterScreen
from custtui.services import clock
from custtui.widgets.inputs import TextInput
from custtui.widgets.sql_grid import SqlGrid
from tests.fixture_shop import FIXED_NOW
from tests.ui.test_customers_screen import settle


def add_visits() -> list[int]:
    """Five visits, newest first: customers 1, 3, 5 signed in, two visitors; plus one that
    left 20 minutes ago (not online)."""
    ids = []
    for i in range(5):
        ids.append(
            Visit.create(
                website=1,
                customer=i + 1 if i % 2 == 0 else None,
                created_at=FIXED_NOW - timedelta(minutes=20 + i),
                last_visit_at=FIXED_NOW - timedelta(minutes=i),
                remote_addr=f"203.0.113.{i + 1}",
                last_url=f"/catalog/product/{i + 1}",
            ).id
        )
    Visit.create(
        website=1,
        created_at=FIXED_NOW - timedelta(minutes=50),
        last_visit_at=FIXED_NOW - timedelta(minutes=20),
    )
    return ids


async def open_online(pilot) -> NowOnlineScreen:
    await settle(pilot)
    pilot.app.go_to("online")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, NowOnlineScreen)
    return screen


def grid(app) -> SqlGrid:
    return app.screen.query_one(SqlGrid)


def visit_ids(app) -> list[int]:
    g = grid(app)
    return [g.row_at(i).id for i in range(g.row_count) if g.row_at(i) is not None]


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_lists_visits_with_totals_chart_and_freshness(app):
    ids = add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_online(pilot)
        assert visit_ids(app) == ids  # newest activity first
        summary = text_of(app, "#summary")
        assert "3 customers · 2 visitors online (last 15 minutes)" in summary
        assert "updated 09:30:00" in summary
        # The one that left at 09:10 overlapped the five for a while (09:10–09:25).
        assert text_of(app, "#chart-range") == "min 0 · max 6"
        first = grid(app).row_at(0)
        assert first.cells[:6] == (
            "1",
            "Veronica",
            "Costello",
            "roni_cost@example.com",
            "2026-12-06 09:30:00",
            "Customer",
        )
        assert grid(app).row_at(1).cells[5] == "Visitor"
        assert app.screen._timer is not None  # the next refresh is armed


async def test_filter_errors_name_the_field_and_keep_what_was_typed(app):
    add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_online(pilot)
        await pilot.press("f")
        await settle(pilot)
        panel = app.screen
        assert isinstance(panel, OnlineFilterScreen)
        panel.query_one("#f-id_from", TextInput).value = "ten"
        panel.query_one("#f-active_from", TextInput).value = "yesterday"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is panel
        assert "ID from must be a whole number." in text_of(app, "#e-id")
        assert "Last Activity from must be a time" in text_of(app, "#e-active")
        assert text_of(app, "#e-email") == ""
        assert panel.query_one("#f-id_from", TextInput).value == "ten"
        assert panel.query_one("#f-active_from", TextInput).value == "yesterday"
        # Fix it: visitors only, active since 09:27 (display timezone UTC).
        panel.query_one("#f-id_from", TextInput).value = ""
        panel.query_one("#f-active_from", TextInput).value = "2026-12-06 09:27"
        panel.query_one("#f-type", Select).value = "visitor"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NowOnlineScreen)
        assert [grid(app).row_at(i).cells[5] for i in range(grid(app).row_count)] == [
            "Visitor",
            "Visitor",
        ]
        assert "Filters: Type: Visitor · Last Activity: 2026-12-06 09:27–…" in text_of(
            app, "#status"
        )
        # The totals ignore the Type filter (so both kinds show) but not the others.
        assert "2 customers · 2 visitors" in text_of(app, "#summary")
        await pilot.press("F")
        await settle(pilot)
        assert grid(app).row_count == 5


async def test_sort_by_the_current_column(app):
    ids = add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_online(pilot)
        await pilot.press("right", "s")  # First Name, ascending
        await settle(pilot)
        names = [grid(app).row_at(i).cells[1] for i in range(5)]
        # Visitors have no name ("" sorts first on SQLite: NULL first ascending).
        assert names == ["", "", "Veronica", "Zoë", "Łukasz"]
        assert "Sort: First Name ▲" in text_of(app, "#status")
        await pilot.press("left", "s")  # ID ascending (a new column sorts ascending)
        await settle(pilot)
        assert visit_ids(app)[2:] == [ids[0], ids[2], ids[4]]


async def test_refresh_picks_up_a_new_visit_and_keeps_cursor_and_selection(app):
    ids = add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_online(pilot)
        await pilot.press("down", "space")  # cursor to row 1, select it, cursor moves to row 2
        await settle(pilot)
        assert grid(app).cursor_id == ids[2]
        assert grid(app).selected == {ids[1]}
        # Twelve minutes later someone new has arrived and the visit last active at 09:26
        # has dropped out of the 15 minutes; the visit under the cursor stays under it.
        fixed = clock.current()
        fixed.advance(minutes=12)
        new = Visit.create(
            website=1, created_at=fixed.now(), last_visit_at=fixed.now(), last_url="/new"
        ).id
        screen.refresh_now()
        await settle(pilot)
        assert visit_ids(app)[0] == new
        assert visit_ids(app) == [new, *ids[:4]]
        assert grid(app).cursor_id == ids[2] and grid(app).cursor_row == 3
        assert grid(app).selected == {ids[1]}
        assert "updated 09:42:00" in text_of(app, "#summary")
        assert "2 customers · 3 visitors" in text_of(app, "#summary")


async def test_the_re_armed_timer_refreshes_by_itself(app):
    ids = add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = NowOnlineScreen(refresh_seconds=0.05)
        app.push_screen(screen)
        await settle(pilot)
        Visit.update(last_visit_at=FIXED_NOW + timedelta(seconds=30)).where(
            Visit.id == ids[4]
        ).execute()
        clock.current().advance(seconds=30)
        for _ in range(200):  # wait for the timer (bounded, not timed)
            await pilot.pause(0.02)
            if visit_ids(app)[:1] == [ids[4]]:
                break
        assert visit_ids(app)[0] == ids[4]
        assert "updated 09:30:30" in text_of(app, "#summary")


async def test_pauses_while_hidden_and_refreshes_on_return(app):
    ids = add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_online(pilot)
        await pilot.press("enter")  # Veronica's visit: opens her account
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        assert screen._timer is None  # nothing polls behind the editor
        screen.refresh_now()  # as a refresh that was still running when the agent left
        await settle(pilot)
        assert screen._timer is None  # finishing it while hidden does not re-arm
        Visit.update(last_visit_at=FIXED_NOW + timedelta(seconds=1)).where(
            Visit.id == ids[3]
        ).execute()
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert visit_ids(app)[0] == ids[3]  # refreshed at once on return
        assert screen._timer is not None


async def test_p_pauses_and_resumes_and_says_so(app):
    add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_online(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert screen.paused and screen._timer is None
        assert text_of(app, "#status").startswith("Auto-refresh paused (p resumes) · Sort:")
        assert "resume" in [b.binding.action for b in app.active_bindings.values()]
        await pilot.press("ctrl+r")  # a manual refresh works while paused…
        await settle(pilot)
        assert screen._timer is None  # …and does not restart the timer
        await pilot.press("p")
        await settle(pilot)
        assert not screen.paused and screen._timer is not None
        assert text_of(app, "#status").startswith("Sort:")


async def test_enter_on_customer_opens_it_and_on_visitor_explains(app):
    add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_online(pilot)
        await pilot.press("down", "enter")  # a visitor
        await settle(pilot)
        assert isinstance(app.screen, NowOnlineScreen)
        assert any(
            "visitors have no customer account" in str(n.message) for n in app._notifications
        )
        await pilot.press("down", "enter")  # Zoë, customer 3
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        assert app.screen.customer_id == 3


async def test_followed_row_keeps_its_screen_line_when_scrolled_but_top_shows_arrivals(app):
    for i in range(60):
        Visit.create(
            website=1,
            created_at=FIXED_NOW - timedelta(minutes=14),
            last_visit_at=FIXED_NOW - timedelta(seconds=10 * i),
        )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_online(pilot)
        g = grid(app)
        assert g.scroll_y == 0
        clock.current().advance(seconds=5)
        arrived = Visit.create(
            website=1, created_at=clock.current().now(), last_visit_at=clock.current().now()
        ).id
        screen.refresh_now()
        await settle(pilot)
        assert g.scroll_y == 0 and g.row_at(0).id == arrived  # at the top: arrivals show
        assert g.cursor_row == 1  # and the cursor stayed on its visit, one line down
        await pilot.press(*["down"] * 40, *["up"] * 6)  # scrolled, cursor mid-screen
        await settle(pilot)
        followed, row, line = g.cursor_id, g.cursor_row, g.cursor_row - g.scroll_y
        assert g.scroll_y > 0
        for _ in range(2):
            now = clock.current().advance(seconds=5)
            Visit.create(website=1, created_at=now, last_visit_at=now)
        screen.refresh_now()
        await settle(pilot)
        assert g.cursor_id == followed and g.cursor_row == row + 2
        assert g.cursor_row - g.scroll_y == line  # same screen line, list moved under it


async def test_without_the_permission_it_says_so_and_stops_asking(app):
    from custtui.models import AuditLog
    from custtui.services.actor import Actor

    add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.actor = Actor(None, "kiosk", "storefront")
        app.go_to("online")
        await settle(pilot)
        screen = app.screen
        assert "does not allow seeing who is online now" in text_of(app, "#status")
        assert screen.paused and screen._timer is None  # each refusal is an audit row
        assert grid(app).row_count == 0
        assert AuditLog.select().where(AuditLog.action == "permission_denied").count() == 1


async def test_clear_empties_the_filters_and_enter_applies(app):
    add_visits()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_online(pilot)
        await pilot.press("f")
        await settle(pilot)
        panel = app.screen
        panel.query_one("#f-id_from", TextInput).value = "ten"
        panel.query_one("#f-type", Select).value = "visitor"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "ID from must be a whole number." in text_of(app, "#e-id")
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert panel.query_one("#f-id_from", TextInput).value == ""
        assert panel.query_one("#f-type", Select).value is Select.NULL
        assert text_of(app, "#e-id") == ""
        field = panel.query_one("#f-email", TextInput)
        field.focus()
        field.value = "example"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NowOnlineScreen)
        assert "Email: example" in text_of(app, "#status")
