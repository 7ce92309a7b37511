"""The demo shop builder: reproducible, realistic, indexed, refuses misuse, cancels cleanly."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from peewee import Database

from custtui.models import (
    Address,
    Customer,
    CustomerGrid,
    CustomerGroup,
    NewsletterSubscriber,
    Staff,
    StoreView,
    Website,
    database,
    open_database,
)
from custtui.models.migrations import SEARCH_TRIGGER_NAMES, grid_index_sql
from custtui.services import clock, config, countries, demo, grid_index
from custtui.services.demo import DemoCancelled, DemoError, DemoSummary, build_demo
from tests.factories import make_customer

SIZE = 1_500


def _open(path: Path) -> Database:
    return open_database(f"sqlite:///{path}")


def _table_hash(db: Database, table: str) -> str:
    digest = hashlib.sha256()
    for row in db.execute_sql(f"SELECT * FROM {table} ORDER BY id"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _search(db: Database, text: str) -> set[int]:
    phrase = '"' + text.replace('"', '""') + '"'
    rows = db.execute_sql(
        "SELECT rowid FROM customer_search WHERE customer_search MATCH ?", (phrase,)
    )
    return {row[0] for row in rows}


def _sqlite_objects(db: Database, kind: str) -> set[str]:
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = ?", (kind,))
    return {row[0] for row in rows}


def _grid_index_names() -> set[str]:
    return {sql.split(" IF NOT EXISTS ")[1].split(" ON ")[0] for sql in grid_index_sql()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    """One demo shared by the read-only tests (built on a fixed clock)."""
    previous = clock.install(clock.FixedClock())
    try:
        db = _open(tmp_path_factory.mktemp("demo") / "demo.db")
        summary = build_demo(db, SIZE, seed=3)
    finally:
        clock.install(previous)
    yield db, summary
    db.close()


@pytest.fixture
def demo_db(built: tuple[Database, DemoSummary], fixed_clock: clock.FixedClock) -> Database:
    """The shared demo, re-bound as *the* database (other tests rebind the proxy)."""
    db, _ = built
    database.initialize(db)
    return db


def test_same_seed_and_count_give_identical_rows(tmp_path: Path, fixed_clock) -> None:
    hashes = []
    for name, seed in (("a.db", 11), ("b.db", 11), ("c.db", 12)):
        db = _open(tmp_path / name)
        build_demo(db, 800, seed=seed)
        hashes.append(
            tuple(
                _table_hash(db, t)
                for t in ("customer", "address", "newsletter_subscriber", "customer_grid")
            )
        )
        db.close()
    assert hashes[0] == hashes[1]
    assert hashes[0][0] != hashes[2][0]


def test_summary_matches_the_tables(demo_db: Database, built) -> None:
    _, summary = built
    assert summary.customers == SIZE == Customer.select().count()
    assert summary.addresses == Address.select().count()
    assert summary.subscribers == NewsletterSubscriber.select().count()
    assert CustomerGrid.select().count() == SIZE
    assert summary.seconds >= 0


def test_shop_setup(demo_db: Database) -> None:
    eu = Website.get(code="eu")
    assert (eu.name, eu.currency_code) == ("Europe Website", "EUR")
    assert Website.select().count() == 2
    views = {v.code: (v.name, v.website_id) for v in StoreView.select()}
    base = Website.get(code="base").id
    assert views == {
        "default": ("Default Store View", base),
        "us_es": ("Spanish Store View", base),
        "de": ("German Store View", eu.id),
        "fr": ("French Store View", eu.id),
    }
    assert config.get_flag("customer/create_account/confirm", eu.id)
    assert not config.get_flag("customer/create_account/confirm", base)
    vip = CustomerGroup.get(code="VIP")
    assert vip.tax_class_id == 3
    assert Customer.select().where(Customer.group == vip).count() > 0
    staff = Staff.get(username="demo")
    assert (staff.display_name, staff.role) == ("Demo Agent", "admin")
    assert Staff.get_or_none(username="admin") is not None


def test_customers_look_real(demo_db: Database) -> None:
    now = clock.now()
    people = list(Customer.select())
    names = [c.firstname + " " + c.lastname for c in people]
    assert any(not n.isascii() for n in names)
    assert any("\u4e00" <= ch <= "\u9fff" for n in names for ch in n)  # CJK (山田 …)
    emails = [c.email for c in people]
    assert len(set(emails)) == len(emails)
    assert all(c.email_key == c.email.casefold() and c.email.isascii() for c in people)
    assert all(e.rsplit("@", 1)[1].endswith((".example", "example.com", "example.net",
                                            "example.org")) for e in emails)  # fmt: skip

    eu = Website.get(code="eu").id
    share_eu = sum(c.website_id == eu for c in people) / len(people)
    assert 0.22 < share_eu < 0.38
    views = {v.id: v for v in StoreView.select()}
    for c in people:
        assert views[c.store_view_id].website_id == c.website_id
        assert c.created_in == views[c.store_view_id].name
        assert now - timedelta(days=6 * 365 + 1) <= c.created_at <= now
        assert c.created_at <= c.updated_at <= now
    assert {c.gender for c in people} == {1, 2, 3, None}
    assert any(c.dob is None for c in people) and any(c.dob is not None for c in people)
    assert any(c.taxvat for c in people)

    unconfirmed = [c for c in people if c.confirmation]
    assert unconfirmed
    assert all(len(c.confirmation) == 32 and int(c.confirmation, 16) >= 0 for c in unconfirmed)
    assert all(c.confirmation == c.confirmation.lower() for c in unconfirmed)
    assert sum(c.website_id == eu for c in unconfirmed) > len(unconfirmed) / 2

    locked = [c for c in people if c.lock_expires is not None]
    assert locked and len(locked) < len(people) * 0.02
    assert all(c.lock_expires > now and c.failures_num > 0 for c in locked)
    groups = {c.group_id for c in people}
    assert {1, 2, 3} <= groups


def test_addresses_look_real(demo_db: Database) -> None:
    people = {c.id: c for c in Customer.select()}
    addresses = list(Address.select())
    assert len({a.country_id for a in addresses}) >= 10
    by_customer: dict[int, list[Address]] = {}
    for a in addresses:
        by_customer.setdefault(a.customer_id, []).append(a)
    counts = [len(by_customer.get(cid, [])) for cid in people]
    assert set(counts) == {0, 1, 2, 3}
    assert 0.05 < counts.count(0) / len(counts) < 0.15
    for cid, c in people.items():
        own = {a.id for a in by_customer.get(cid, [])}
        if own:
            assert c.default_billing in own and c.default_shipping in own
        else:
            assert c.default_billing is None and c.default_shipping is None
    assert any(c.default_billing != c.default_shipping for c in people.values())
    assert any(a.company for a in addresses) and any(a.vat_id for a in addresses)
    assert all(a.telephone and a.postcode and a.city and a.street for a in addresses)
    for a in addresses:
        if a.region_id is not None:
            assert a.region_id in countries.regions(a.country_id), a.region_id
    us = [a for a in addresses if a.country_id in ("US", "CA")]
    assert us and all(a.region and a.region_id for a in us)
    assert any("\n" in a.street for a in addresses)


def test_newsletter_subscribers(demo_db: Database) -> None:
    people = {c.id: c for c in Customer.select()}
    rows = list(NewsletterSubscriber.select())
    assert 0.2 < len(rows) / len(people) < 0.45
    assert {r.status for r in rows} == {1, 3}
    assert sum(r.status == 1 for r in rows) > 5 * sum(r.status == 3 for r in rows)
    for r in rows:
        assert r.store_view_id == people[r.customer_id].store_view_id
        assert r.changed_at >= people[r.customer_id].created_at


def test_grid_and_search_index_are_built(demo_db: Database) -> None:
    grid = {g.id: g for g in CustomerGrid.select()}
    assert len(grid) == SIZE
    customer = Customer.get_by_id(SIZE // 2)
    row = grid[customer.id]
    assert row.email == customer.email
    assert row.name == " ".join(
        p for p in (customer.prefix, customer.firstname, customer.middlename, customer.lastname)
        if p
    )  # fmt: skip
    if customer.default_billing:
        assert row.billing_city == Address.get_by_id(customer.default_billing).city

    local = customer.email.split("@")[0]
    assert customer.id in _search(demo_db, local[1:8])
    foreign = next(c for c in Customer.select() if not c.lastname.isascii() and len(c.lastname) > 3)
    assert foreign.id in _search(demo_db, foreign.lastname[:4].lower())
    assert _grid_index_names() <= _sqlite_objects(demo_db, "index")
    assert set(SEARCH_TRIGGER_NAMES) <= _sqlite_objects(demo_db, "trigger")


def test_database_is_consistent(demo_db: Database) -> None:
    assert demo_db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert demo_db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    demo_db.execute_sql("INSERT INTO customer_search(customer_search) VALUES('integrity-check')")
    assert demo_db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL restored


def test_triggers_work_after_a_build(demo_db: Database) -> None:
    with demo_db.atomic() as txn:
        customer = make_customer("Quirinus", "Zwölfhaupt", "q.zwoelf@example.com")
        assert _search(demo_db, "zwölfh") == {customer.id}
        txn.rollback()


def test_progress_reports_every_stage(tmp_path: Path, fixed_clock, monkeypatch) -> None:
    monkeypatch.setattr(demo, "BATCH_SIZE", 200)
    seen: list[tuple[str, int, int]] = []
    db = _open(tmp_path / "p.db")
    summary = build_demo(db, 1_000, progress=lambda *args: seen.append(args))
    stages = [s for s, _, _ in seen]
    for stage in ("customers", "addresses", "grid", "search index", "indexes", "analyze"):
        assert stage in stages
    assert all(0 <= done <= total for _, done, total in seen)
    assert [d for s, d, _ in seen if s == "customers"] == [0, 200, 400, 600, 800, 1000]
    assert ("addresses", summary.addresses, summary.addresses) in seen
    db.close()


def test_zero_customers_builds_the_shop_only(tmp_path: Path, fixed_clock) -> None:
    db = _open(tmp_path / "z.db")
    summary = build_demo(db, 0)
    assert (summary.customers, summary.addresses, summary.subscribers) == (0, 0, 0)
    assert Website.get_or_none(code="eu") is not None
    db.close()


def test_refuses_a_shop_with_customers(shop: Database) -> None:
    make_customer()
    with pytest.raises(DemoError, match="already has 1 customer;"):
        build_demo(shop, 10)
    assert Customer.select().count() == 1
    assert Website.get_or_none(code="eu") is None


@pytest.mark.parametrize("count", [-1, 5_000_001, 10**9])
def test_refuses_counts_out_of_range(shop: Database, count: int) -> None:
    with pytest.raises(DemoError, match="between 0 and 5,000,000"):
        build_demo(shop, count)


@pytest.mark.parametrize("count", [True, 12.0, "100"])
def test_refuses_counts_that_are_not_whole_numbers(shop: Database, count) -> None:
    with pytest.raises(DemoError, match="whole number"):
        build_demo(shop, count)


def _assert_rolled_back(db: Database) -> None:
    assert Customer.select().count() == 0
    assert Address.select().count() == 0
    assert NewsletterSubscriber.select().count() == 0
    assert CustomerGrid.select().count() == 0
    assert Website.get_or_none(code="eu") is None
    assert set(SEARCH_TRIGGER_NAMES) <= _sqlite_objects(db, "trigger")
    assert _grid_index_names() <= _sqlite_objects(db, "index")
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
    assert not db.connection().in_transaction
    # The restored triggers keep search in step with the grid again.
    customer = make_customer("Theodora", "Wunderlich", "theo@example.com")
    assert _search(db, "wunderl") == {customer.id}
    Customer.delete_by_id(customer.id)
    grid_index.reindex([customer.id])
    assert _search(db, "wunderl") == set()
    assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]


@pytest.mark.parametrize("stage", ["customers", "grid", "search index", "indexes"])
def test_cancel_rolls_everything_back(shop: Database, monkeypatch, stage: str) -> None:
    """Cancelled between batches ("customers") or inside one long statement (the rest, which
    SQLite's progress handler interrupts): no demo rows, search machinery intact."""
    monkeypatch.setattr(demo, "BATCH_SIZE", 300)
    cancel = threading.Event()
    calls: list[str] = []

    def progress(name: str, done: int, total: int) -> None:
        calls.append(name)
        if name == stage and (done > 0 or stage != "customers"):
            cancel.set()

    with pytest.raises(DemoCancelled):
        build_demo(shop, 1_200, progress=progress, cancel=cancel)
    assert stage in calls
    _assert_rolled_back(shop)
    # A new build after a cancelled one works (the set-up is idempotent).
    summary = build_demo(shop, 50, seed=2)
    assert summary.customers == 50 == CustomerGrid.select().count()


def test_cancel_before_start(shop: Database) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DemoCancelled):
        build_demo(shop, 100, cancel=cancel)
    assert Customer.select().count() == 0


def test_times_are_utc_text(demo_db: Database) -> None:
    created = demo_db.execute_sql("SELECT created_at FROM customer WHERE id = 1").fetchone()[0]
    assert datetime.strptime(created, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) == (
        Customer.get_by_id(1).created_at
    )


def test_demo_does_not_import_textual() -> None:
    code = "import sys, custtui.services.demo; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_grid_rebuild_after_demo_is_stable(demo_db: Database) -> None:
    before = _table_hash(demo_db, "customer_grid")
    with demo_db.atomic() as txn:
        grid_index.rebuild_all()
        assert _table_hash(demo_db, "customer_grid") == before
        txn.rollback()


def test_demo_builds_on_postgresql(pg_shop):
    """The PostgreSQL path (batched inserts, sequence reset, grid rebuild) gives a searchable
    shop whose grid agrees with its customers."""
    from custtui.models import Customer, CustomerGrid
    from custtui.services.grid import GridQuery, GridSource

    summary = build_demo(pg_shop, customers=300, seed=3)
    assert summary.customers == 300
    assert Customer.select().count() == CustomerGrid.select().count() == 300
    someone = Customer.select().order_by(Customer.id).offset(150).first()
    found = GridSource(GridQuery(someone.email[2:9])).page(0, 50).rows
    assert someone.id in [r["id"] for r in found]
    later = make_customer("After", "Demo")
    assert later.id > max(c.id for c in Customer.select(Customer.id).where(Customer.id != later.id))
