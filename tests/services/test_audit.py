"""The cross-customer audit query: each filter, combinations, paging at any depth against a full
scan, deleted customers still found by email, and what bad filter text says."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custtui.models import AuditLog, Staff
from custtui.models.db import database
from custtui.services import audit, clock, mass_actions
from custtui.services.actor import Actor
from custtui.services.audit import AuditQuery, AuditSource
from custtui.services.audit_filters import parse_query
from custtui.services.errors import NotFound, ValidationError
from custtui.services.grid import Selection
from tests.factories import make_customer

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def actor(name: str, role: str = "admin") -> Actor:
    row = Staff.get_or_none(Staff.username == name)
    if row is None:
        row = Staff.create(username=name, role=role, created_at=clock.now())
    return Actor(row.id, row.username, row.role)


@pytest.fixture
def people(any_shop, fixed_clock):
    """Three customers, and a deleted fourth, with a history by two staff members."""
    fixed_clock.current = T0
    alice, bob = actor("alice"), actor("bob", "support")
    ada = make_customer("Ada", "Lovelace", "Ada@Example.com")
    alan = make_customer("Alan", "Turing", "alan@example.com")
    # Not the newest: SQLite hands a deleted highest id to the next new customer.
    gone = make_customer("Gone", "Away", "gone@example.com")
    grace = make_customer("Grace", "Hopper", "grace@example.com")
    with database.obj.atomic():
        audit.record(alice, "customer_saved", customer_id=ada.id, changes={"lastname": ["A", "B"]})
    fixed_clock.advance(days=1)
    mass_actions.assign_group(bob, Selection.of([ada.id, alan.id, grace.id]), 2)
    fixed_clock.advance(days=1)
    with database.obj.atomic():
        audit.record(bob, "customer_saved", customer_id=alan.id, note="phoned in")
    fixed_clock.advance(days=1)
    mass_actions.delete(alice, Selection.of([gone.id]))
    return {"alice": alice, "bob": bob, "ada": ada, "alan": alan, "grace": grace, "gone": gone}


def ids(query: AuditQuery) -> list[int]:
    return [e.id for e in audit.page(query, 0, 1000)]


def scan(predicate) -> list[int]:
    """The answer by brute force: every row, newest first, filtered in Python."""
    return [r.id for r in AuditLog.select().order_by(AuditLog.id.desc()) if predicate(r)]


def test_each_filter_alone(people):
    ada, alan, gone = people["ada"], people["alan"], people["gone"]
    assert ids(AuditQuery()) == scan(lambda r: True)
    assert len(ids(AuditQuery())) == 6
    assert ids(AuditQuery(staff="bob")) == scan(lambda r: r.staff_username == "bob")
    assert len(ids(AuditQuery(staff="bob"))) == 4
    assert ids(AuditQuery(action="customer_group_changed")) == scan(
        lambda r: r.action == "customer_group_changed"
    )
    assert ids(AuditQuery(customer_id=ada.id)) == scan(lambda r: r.customer_id == ada.id)
    assert ids(AuditQuery(customer_email="ada@EXAMPLE.com")) == scan(
        lambda r: r.customer_id == ada.id
    )
    assert ids(AuditQuery(customer_email="gone@example.com")) == scan(
        lambda r: r.customer_id == gone.id
    )
    day2 = T0 + timedelta(days=1)
    assert ids(AuditQuery(since=day2)) == scan(lambda r: r.created_at >= day2)
    assert ids(AuditQuery(until=day2)) == scan(lambda r: r.created_at < day2)
    assert ids(AuditQuery(customer_id=alan.id, staff="bob", action="customer_saved")) == scan(
        lambda r: r.customer_id == alan.id and r.action == "customer_saved"
    )


def test_filters_combine(people):
    day2, day3 = T0 + timedelta(days=1), T0 + timedelta(days=2)
    query = AuditQuery(staff="bob", since=day2, until=day3 + timedelta(hours=1))
    assert ids(query) == scan(
        lambda r: r.staff_username == "bob" and day2 <= r.created_at < day3 + timedelta(hours=1)
    )
    assert audit.count(query) == 4
    assert ids(AuditQuery(staff="alice", action="customer_group_changed")) == []
    assert audit.count(AuditQuery(customer_email="nobody@example.com")) == 0


def test_deleted_customer_is_found_by_email_but_not_by_a_longer_one(people):
    gone = people["gone"]
    make_customer("Other", "Person", "xgone@example.com")  # contains the email as a substring
    found = audit.customer_ids_for_email("GONE@example.com")
    assert found == [gone.id]
    assert audit.customer_emails([gone.id, people["ada"].id]) == {
        people["ada"].id: "Ada@Example.com"
    }
    deleted = audit.page(AuditQuery(customer_email="gone@example.com"))
    assert [e.action for e in deleted] == ["customer_deleted"]


def test_actions_and_staff_names_list_what_is_in_the_log(people):
    assert audit.actions() == ["customer_deleted", "customer_group_changed", "customer_saved"]
    assert audit.staff_names() == ["alice", "bob"]


def test_search_is_the_same_query(people):
    assert [e.id for e in audit.search(staff="bob", limit=2)] == ids(AuditQuery(staff="bob"))[:2]
    assert audit.search(customer_email="nobody@example.com") == []


def test_get_and_describe(people):
    first = audit.page(AuditQuery(action="customer_saved", staff="alice"))[0]
    assert audit.get(first.id) == first
    assert audit.describe(first) == "Customer saved — lastname: A → B"
    assert audit.details(first) == "lastname: A → B"
    assert audit.change_lines(first) == [("lastname", "A → B")]
    assert audit.action_label("customer_group_changed") == "Customer group changed"
    with pytest.raises(NotFound):
        audit.get(10_000)


def test_staff_index_exists(people):
    indexes = {index.name for index in database.obj.get_indexes("audit_log")}
    assert "audit_log_staff_username" in indexes


# ----------------------------------------------------------------------------- paging
def _big_log(fixed_clock, rows: int, *, shuffle_times: bool) -> None:
    """*rows* events by three staff, four actions and forty customers; with *shuffle_times*
    the clock also jumps backwards now and then, so time order and id order disagree."""
    rng = random.Random(7)
    staff = [actor("alice"), actor("bob", "support"), actor("carol", "viewer")]
    actions = ["customer_saved", "customer_group_changed", "newsletter_subscribed", "x_other"]
    with database.obj.atomic():
        for n in range(rows):
            step = rng.choice([-3, 1, 1, 2]) if shuffle_times else 1
            fixed_clock.advance(minutes=step)
            audit.record(
                rng.choice(staff),
                rng.choice(actions),
                customer_id=rng.randrange(1, 41) if n % 9 else None,
                note=f"event {n}",
            )


QUERIES = {
    "everything": AuditQuery(),
    "staff": AuditQuery(staff="bob"),
    "action": AuditQuery(action="customer_saved"),
    "customer": AuditQuery(customer_id=7),
    "date range": AuditQuery(since=T0 + timedelta(minutes=200), until=T0 + timedelta(hours=12)),
    "staff and dates": AuditQuery(staff="alice", since=T0 + timedelta(minutes=90)),
}


def _expected(query: AuditQuery) -> list[int]:
    def keep(r: AuditLog) -> bool:
        return (
            (query.staff is None or r.staff_username == query.staff)
            and (query.action is None or r.action == query.action)
            and (query.customer_id is None or r.customer_id == query.customer_id)
            and (query.since is None or r.created_at >= query.since)
            and (query.until is None or r.created_at < query.until)
        )

    return scan(keep)


@pytest.mark.parametrize("shuffle_times", [False, True], ids=["ordered", "clock-jumps"])
@pytest.mark.parametrize("name", list(QUERIES))
def test_pages_match_a_full_scan_in_any_order(shop, fixed_clock, name, shuffle_times):
    fixed_clock.current = T0
    _big_log(fixed_clock, 1500, shuffle_times=shuffle_times)
    query = QUERIES[name]
    expected = _expected(query)
    source = AuditSource(query)
    assert source.count() == len(expected)
    # Jumps (the end, the middle, back to the top), scrolling on and back, odd limits.
    rng = random.Random(3)
    last = max(0, len(expected) - 100)
    offsets = [0, last, len(expected) // 2, 100, 200, 150, 7, max(0, len(expected) - 1)]
    offsets += [rng.randrange(0, max(1, len(expected))) for _ in range(25)]
    for offset in offsets:
        for limit in (100, 37):
            got = [e.id for e in source.page(offset, limit)]
            assert got == expected[offset : offset + limit], (offset, limit)
    # A new source (no remembered rows) answers the same.
    assert [e.id for e in audit.page(query, 333, 50)] == expected[333:383]
    assert source.page(len(expected), 10) == []
    assert source.page(-1, 10) == []


def test_pages_match_on_postgresql_too(any_shop, fixed_clock):
    fixed_clock.current = T0
    _big_log(fixed_clock, 400, shuffle_times=True)
    for query in QUERIES.values():
        expected = _expected(query)
        source = AuditSource(query)
        for offset in (0, max(0, len(expected) - 30), len(expected) // 2, 40):
            assert [e.id for e in source.page(offset, 30)] == expected[offset : offset + 30]


def test_whole_log_pages_are_computed_from_ids_when_there_are_no_holes(shop, fixed_clock):
    fixed_clock.current = T0
    _big_log(fixed_clock, 300, shuffle_times=False)
    source = AuditSource(AuditQuery())
    source.count()
    assert source.contiguous
    assert [e.id for e in source.page(120, 5)] == [180, 179, 178, 177, 176]
    assert not AuditSource(AuditQuery(staff="bob")).contiguous


def test_a_source_is_a_snapshot_while_new_events_arrive(shop, fixed_clock):
    fixed_clock.current = T0
    _big_log(fixed_clock, 250, shuffle_times=False)
    for query in (AuditQuery(), AuditQuery(staff="bob"), AuditQuery(since=T0)):
        before = _expected(query)
        source = AuditSource(query)
        assert source.count() == len(before)
        _big_log(fixed_clock, 20, shuffle_times=False)  # newer events, after the count
        assert [e.id for e in source.page(0, 50)] == before[:50]
        assert [e.id for e in source.page(len(before) - 50, 50)] == before[-50:]
        assert [e.id for e in source.page(100, 50)] == before[100:150]


# ------------------------------------------------------------------- parsing filter text
def test_parse_reads_dates_in_the_display_timezone_and_until_includes_its_day(shop):
    berlin = ZoneInfo("Europe/Berlin")
    query = parse_query(since="2026-03-01", until="2026-03-01", tz=berlin)
    assert query.since == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert query.until == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    minute = parse_query(since="2026-07-01 09:30", until="2026-07-01T09:30", tz=berlin)
    assert minute.since == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    assert minute.until == datetime(2026, 7, 1, 7, 31, tzinfo=UTC)
    # The last Sunday of March has 23 hours in Berlin.
    dst = parse_query(since="2026-03-29", until="2026-03-29", tz=berlin)
    assert dst.until - dst.since == timedelta(hours=23)
    assert parse_query() == AuditQuery()
    assert parse_query(since="  ", customer="") == AuditQuery()


def test_parse_uses_the_configured_timezone_by_default(shop):
    from custtui.services import config

    config.store("general/locale/timezone", "America/New_York")
    assert parse_query(since="2026-01-15").since == datetime(2026, 1, 15, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        ({"since": "2026-02-30"}, "since", "'2026-02-30' is not a real date"),
        ({"until": "2026-13-01"}, "until", "is not a real date"),
        ({"since": "yesterday"}, "since", "must be a date as YYYY-MM-DD [HH:MM], not 'yesterday'"),
        ({"since": "2026-03-01 25:00"}, "since", "is not a real date or time"),
        (
            {"since": "2026-03-02", "until": "2026-03-01"},
            "until",
            "is before the start (2026-03-01 is before 2026-03-02)",
        ),
        (
            {"customer": "nobody@example.com"},
            "customer",
            "no customer has the email 'nobody@example.com', and no deleted customer had it",
        ),
        ({"customer": "ada lovelace"}, "customer", "must be an email address or a customer ID"),
        ({"customer": "#999"}, "customer", "no customer #999, and no events about one"),
        ({"staff": "zed"}, "staff", "no staff account and no events by 'zed'"),
        ({"staff": "x" * 65}, "staff", "at most 64 characters"),
        ({"action": "customer_exploded"}, "action", "no events with the action"),
    ],
)
def test_parse_names_the_field_of_bad_input(people, typed, field, words):
    with pytest.raises(ValidationError) as raised:
        parse_query(**typed)
    assert list(raised.value.errors) == [field]
    assert words in raised.value.errors[field]
    assert str(raised.value).startswith(f"{field}: ")


def test_parse_reports_every_bad_field_at_once(people):
    with pytest.raises(ValidationError) as raised:
        parse_query(staff="zed", since="2026-02-30", customer="nope")
    assert list(raised.value.errors) == ["staff", "since", "customer"]


def test_parse_accepts_what_people_type(people):
    ada, gone = people["ada"], people["gone"]
    assert parse_query(customer=f"#{ada.id}").customer_id == ada.id
    assert parse_query(customer=str(gone.id)).customer_id == gone.id  # history of a deleted one
    assert parse_query(customer=" ADA@example.com ").customer_email == "ADA@example.com"
    assert parse_query(customer="gone@example.com").customer_email == "gone@example.com"
    assert parse_query(action="Customer group changed").action == "customer_group_changed"
    assert parse_query(staff="BOB").staff == "bob"
    # A staff member with an account but no events yet is a valid (empty) answer.
    actor("dora", "viewer")
    assert audit.count(parse_query(staff="dora")) == 0
