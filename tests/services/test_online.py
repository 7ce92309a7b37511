"""Visits reported by the storefront and the Now Online question built on them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custtui.models import Visit
from custtui.services import online, sessions
from custtui.services.errors import NotFound, ValidationError
from tests.factories import make_customer


def test_page_views_do_not_refresh_activity_but_cart_events_do(shop, fixed_clock) -> None:
    visit = sessions.start_visit(1, url="/", remote_addr="203.0.113.5", user_agent="UA")
    started = fixed_clock.now()
    fixed_clock.advance(minutes=5)
    sessions.record_event(visit, "page_view", url="/shoes")
    row = Visit.get_by_id(visit)
    assert (row.last_visit_at, row.last_url) == (started, "/shoes")
    sessions.record_event(visit, "add_to_cart")
    assert Visit.get_by_id(visit).last_visit_at == fixed_clock.now()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"url": "x" * 2049}, "url"),
        ({"remote_addr": "not-an-ip"}, "remote_addr"),
        ({"user_agent": "bad\x00agent"}, "user_agent"),
        ({"url": 42}, "url"),
    ],
)
def test_bad_visit_input_names_the_field(shop, kwargs, field) -> None:
    with pytest.raises(ValidationError) as error:
        sessions.start_visit(1, **kwargs)
    assert field in error.value.errors


def test_unknown_event_and_visit(shop) -> None:
    visit = sessions.start_visit(1)
    with pytest.raises(ValidationError, match="type must be one of"):
        sessions.record_event(visit, "hack")
    with pytest.raises(NotFound):
        sessions.record_event(visit + 999, "add_to_cart")


def test_now_online_lists_recent_visits_with_customers(shop, fixed_clock) -> None:
    ada = make_customer("Ada", "Lovelace", "ada@example.com")
    now = fixed_clock.now()
    fresh = Visit.create(
        website=1,
        customer=ada,
        created_at=now,
        last_visit_at=now,
        remote_addr="198.51.100.7",
        last_url="/cart",
    )
    Visit.create(website=1, created_at=now, last_visit_at=now - timedelta(minutes=3))
    Visit.create(website=1, created_at=now, last_visit_at=now - timedelta(minutes=16))  # gone
    source = online.OnlineSource(online.OnlineQuery())
    assert source.count() == 2
    assert source.counts() == (1, 1)
    rows = source.page(0, 10)
    assert rows[0].visit_id == fresh.id and rows[0].type == "Customer"
    assert (rows[0].email, rows[0].remote_addr, rows[0].website) == (
        "ada@example.com",
        "198.51.100.7",
        "Main Website",
    )
    assert rows[1].type == "Visitor" and rows[1].email == ""
    only_visitors = online.OnlineSource(online.parse({"type": "visitor"}))
    assert only_visitors.count() == 1
    by_name = online.OnlineSource(online.parse({"lastname": "love"}))
    assert [r.customer_id for r in by_name.page(0, 10)] == [ada.id]
    sorted_by_id = online.OnlineSource(online.OnlineQuery().with_sort("customer_id"))
    assert sorted_by_id.query.descending is False


def test_filter_errors_name_their_field(shop) -> None:
    with pytest.raises(ValidationError) as error:
        online.parse(
            {"type": "robot", "id_from": "ten", "active_from": "2026-13-01", "website": "nowhere"}
        )
    assert set(error.value.errors) == {"type", "id_from", "active_from", "website"}
    with pytest.raises(ValidationError) as error:
        online.parse({"active_from": "2026-12-07 10:00", "active_to": "2026-12-07 09:00"})
    assert "before" in error.value.errors["active_to"]


def test_history_counts_online_per_minute(shop, fixed_clock) -> None:
    now = fixed_clock.now()
    # One visit active for the last 10 minutes; one that ended 40 minutes ago.
    Visit.create(website=1, created_at=now - timedelta(minutes=10), last_visit_at=now)
    Visit.create(
        website=1, created_at=now - timedelta(minutes=50), last_visit_at=now - timedelta(minutes=40)
    )
    counts = online.history(60)
    # counts[k] is the minute now − 59 + k. The old visit is listed from its start (now − 50)
    # until 15 minutes after its last activity (now − 25); the recent one from now − 10.
    assert len(counts) == 60
    expected = [int(-50 <= k - 59 <= -25) + int(k - 59 >= -10) for k in range(60)]
    assert counts == expected
    assert counts[-1] == 1 and counts[59 - 30] == 1 and counts[59 - 20] == 0


def test_purge_keeps_recent_visits(shop, fixed_clock) -> None:
    now = fixed_clock.now()
    Visit.create(website=1, created_at=now, last_visit_at=now - timedelta(hours=26))
    keep = Visit.create(website=1, created_at=now, last_visit_at=now - timedelta(hours=24))
    assert sessions.purge_visits(batch=1) == 1
    assert [v.id for v in Visit.select()] == [keep.id]


def test_open_source_needs_the_online_permission(shop) -> None:
    from custtui.models import AuditLog
    from custtui.services.actor import Actor
    from custtui.services.errors import PermissionDenied

    for role in ("admin", "support", "viewer"):
        assert online.open_source(Actor(None, role, role), online.OnlineQuery()).count() == 0
    with pytest.raises(PermissionDenied, match="seeing who is online"):
        online.open_source(Actor(None, "shop", "storefront"), online.OnlineQuery())
    assert AuditLog.get(AuditLog.action == "permission_denied").note.startswith("Your role")


def test_snapshot_reads_totals_pages_and_chart_at_one_now(any_shop, fixed_clock) -> None:
    from custtui.services.actor import SYSTEM

    now = fixed_clock.now()
    ada = make_customer("Ada", "Lovelace", "ada@example.com")
    for i in range(7):
        Visit.create(
            website=1,
            customer=ada if i == 0 else None,
            created_at=now - timedelta(minutes=30),
            last_visit_at=now - timedelta(minutes=i),
        )
    found = online.snapshot(SYSTEM, online.OnlineQuery(), pages=(0, 1, 2, 9), page_size=3)
    assert (found.total, found.customers, found.visitors, found.minutes) == (7, 1, 6, 15)
    assert sorted(found.pages) == [0, 1, 2]  # page 9 does not exist
    assert [len(rows) for rows in found.pages.values()] == [3, 3, 1]
    assert found.pages[0][0].customer_id == ada.id and found.now == now
    assert found.history[-1] == 7 and len(found.history) == 60
    # Counting with a name filter still joins the customer (and only then).
    by_name = online.snapshot(SYSTEM, online.parse({"lastname": "love"}), history_minutes=0)
    assert (by_name.total, by_name.customers, by_name.visitors, by_name.history) == (1, 1, 0, ())


def test_history_in_sql_matches_the_definition(any_shop, fixed_clock) -> None:
    """The database's per-minute buckets agree with counting each visit in Python, at
    awkward seconds, on both backends (and with SQLite's pre-3.38 spelling)."""
    import random

    rnd = random.Random(5)
    now = fixed_clock.advance(seconds=37)
    for _ in range(300):
        last = now - timedelta(seconds=rnd.randrange(0, 100 * 60))
        Visit.create(
            website=1,
            created_at=last - timedelta(seconds=rnd.randrange(0, 40 * 60)),
            last_visit_at=last,
        )
    expected = online._history_in_python(60, now, 15)
    assert list(online.history(60)) == expected
    assert sum(expected) > 0


def test_history_with_old_sqlite_spelling(shop, fixed_clock, monkeypatch) -> None:
    import sqlite3

    now = fixed_clock.now()
    Visit.create(website=1, created_at=now - timedelta(minutes=10), last_visit_at=now)
    expected = online._history_in_python(60, now, 15)
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    assert list(online.history(60)) == expected


def test_websites_lists_codes_for_the_filter(shop) -> None:
    assert online.websites() == [("base", "Main Website")]
