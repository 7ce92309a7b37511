"""Benchmark of the Audit Log on a big log (run by hand, never part of the test suite).

    .venv/bin/python bench/audit.py [--customers 100000] [--rounds 12] [--db PATH] [--repeat 15]

Builds the demo database if the file does not exist yet and fills its audit log through the
real mass actions (``--rounds`` of them over every customer, by three staff members, three days
apart: about 100 k events each), then prints for each Audit Log operation the median latency
through custtui's query layer, the median of raw ``sqlite3`` running what a hand-written tool
would run on the same file in the same run (count, then ``LIMIT/OFFSET``), and their ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from custtui.models import AuditLog, open_database  # noqa: E402
from custtui.models.db import SQLITE_PRAGMAS  # noqa: E402
from custtui.models.fields import to_db_time  # noqa: E402
from custtui.services import audit, clock  # noqa: E402
from custtui.services.audit import AuditQuery, AuditSource  # noqa: E402
from custtui.services.setup import init_shop  # noqa: E402

PAGE = 100
START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm the page cache the way a second look at the screen would
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def ensure_database(path: Path, customers: int, rounds: int) -> None:
    """The demo shop plus *rounds* mass actions over every customer (one audit row each)."""
    from custtui.services import demo, mass_actions
    from custtui.services.actor import Actor
    from custtui.services.grid import GridQuery, Selection

    db = open_database(f"sqlite:///{path}")
    if not path.exists() or path.stat().st_size == 0:
        print(f"Building {customers:,} demo customers into {path} …", flush=True)
        demo.build_demo(db, customers=customers)
    db.connect(reuse_if_open=True)
    init_shop(db)
    if AuditLog.select().where(AuditLog.action == "customer_group_changed").exists():
        return
    fixed = clock.FixedClock(START)
    previous = clock.install(fixed)
    staff = [Actor(1, "admin", "admin"), Actor(2, "alice", "admin"), Actor(3, "bob", "admin")]
    everyone = Selection.all_matching(GridQuery())
    try:
        for n in range(rounds):
            started = time.perf_counter()
            who = staff[n % 3]
            if n % 4 == 3:
                mass_actions.subscribe(who, everyone)
                result = mass_actions.unsubscribe(who, everyone)
            else:
                result = mass_actions.assign_group(who, everyone, (2, 3, 1)[n % 3])
            fixed.advance(days=3, hours=5)
            took = time.perf_counter() - started
            print(f"  mass action {n + 1}/{rounds}: {result.message} ({took:.1f} s)", flush=True)
    finally:
        clock.install(previous)
    db.execute_sql("ANALYZE")


def ours(query: AuditQuery, offset: Callable[[int], int]) -> Callable[[], Any]:
    """What the screen does for a new filter: a fresh source, its count, then one page."""

    def run() -> Any:
        source = AuditSource(query)
        total = source.count()
        return source.page(offset(total), PAGE)

    return run


def raw_page(
    conn: sqlite3.Connection, where: str, params: list[Any], offset: Callable[[int], int]
) -> Callable[[], Any]:
    """What a hand-written tool would do: count, then the page with LIMIT/OFFSET."""

    clause = f" WHERE {where}" if where else ""  # a bare count(*) has SQLite's fast path

    def run() -> Any:
        total = conn.execute(f"SELECT count(*) FROM audit_log{clause}", params).fetchone()[0]
        return conn.execute(
            f"SELECT * FROM audit_log{clause} ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, PAGE, offset(total)],
        ).fetchall()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    path = args.db or Path(f"/tmp/audit{args.customers // 1000}k-{args.rounds}.db")
    ensure_database(path, args.customers, args.rounds)

    conn = sqlite3.connect(path)
    # The same page cache and temp store as custtui's connections, so the ratio compares
    # queries, not cache sizes.
    for name, value in SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    total = audit.count()
    some = conn.execute(
        "SELECT email FROM customer WHERE id = (SELECT max(id) / 2 FROM customer)"
    ).fetchone()[0]
    since, until = START + timedelta(days=15), START + timedelta(days=30)
    window = [to_db_time(since), to_db_time(until)]
    print(f"Database: {path} — {total:,} audit events; customer {some}\n")

    def top(_n: int) -> int:
        return 0

    def middle(n: int) -> int:
        return n // 2

    def last(n: int) -> int:
        return max(0, n - PAGE)

    def deep(n: int) -> int:
        return min(300_000, max(0, n - PAGE))

    def raw_customer() -> Any:
        """The hand-written way: the account's id by email, then its rows."""
        (customer_id,) = conn.execute(
            "SELECT id FROM customer WHERE email_key = ?", [some.casefold()]
        ).fetchone()
        return raw_page(conn, "customer_id = ?", [customer_id], top)()

    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (
            "count of the whole log",
            lambda: audit.count(),
            lambda: conn.execute("SELECT count(*) FROM audit_log").fetchone(),
        ),
        ("first page", ours(AuditQuery(), top), raw_page(conn, "", [], top)),
        ("deep page (the middle)", ours(AuditQuery(), middle), raw_page(conn, "", [], middle)),
        ("last page", ours(AuditQuery(), last), raw_page(conn, "", [], last)),
        (
            "staff + 15 days, first page",
            ours(AuditQuery(staff="alice", since=since, until=until), top),
            raw_page(
                conn,
                "staff_username = ? AND created_at >= ? AND created_at < ?",
                ["alice", *window],
                top,
            ),
        ),
        (
            "15 days, deep page",
            ours(AuditQuery(since=since, until=until), middle),
            raw_page(conn, "created_at >= ? AND created_at < ?", window, middle),
        ),
        (
            "action, page at 300,000",
            ours(AuditQuery(action="customer_group_changed"), deep),
            raw_page(conn, "action = ?", ["customer_group_changed"], deep),
        ),
        (
            "one customer by email",
            ours(AuditQuery(customer_email=some), top),
            raw_customer,
        ),
        (
            "staff and action lists",
            lambda: (audit.staff_names(), audit.actions()),
            lambda: (
                conn.execute("SELECT DISTINCT staff_username FROM audit_log").fetchall(),
                conn.execute("SELECT DISTINCT action FROM audit_log").fetchall(),
            ),
        ),
    ]
    print(f"{'operation':<30}{'custtui ms':>12}{'sqlite3 ms':>12}{'ratio':>8}")
    for name, mine, theirs in cases:
        a = median_ms(mine, args.repeat)
        b = median_ms(theirs, args.repeat)
        print(f"{name:<30}{a:>12.2f}{b:>12.2f}{a / b if b else float('nan'):>8.2f}")

    source = AuditSource(AuditQuery(staff="alice"))
    source.count()
    offsets = iter(range(200_000, 10**9, PAGE))
    scroll = median_ms(lambda: source.page(next(offsets), PAGE), args.repeat)
    print(f"(scrolling on from row 200,000 with staff = alice, page after page: {scroll:.2f} ms)")


if __name__ == "__main__":
    main()
