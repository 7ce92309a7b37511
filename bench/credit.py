"""Benchmark of the store credit ledger (run by hand, never part of the test suite).

    .venv/bin/python bench/credit.py [--db PATH] [--rounds 200] [--history 100000]
                                     [--writers 8] [--ops 200] [--repeat 31]

Store credit is money the shop owes its customers. Every movement goes through
:func:`custtui.services.store_credit.adjust` / ``apply_movement``: one ``BEGIN IMMEDIATE``
transaction with an idempotent history insert (unique ``request_id``) and a relative, guarded
``UPDATE … SET amount = amount + ? WHERE … AND amount + ? >= 0`` (reliability-notes §2.2,
§2.6). This measures what that safety costs and shows that it holds under load, on a file
SQLite database with the app's own connection settings (WAL, ``synchronous=FULL``, so every
commit is an fsync):

1. **One adjustment**: the median of ``adjust`` with a fresh request id each time, against raw
   ``sqlite3`` doing the minimum equivalent (``BEGIN IMMEDIATE``; INSERT the history row;
   guarded relative UPDATE of the balance; ``COMMIT``) with the same pragmas, interleaved in
   the same run so both see the same disk. The service does more on purpose: the replay
   lookup of the request id, permission, website and staff-limit checks, config reads, the
   ``INSERT … ON CONFLICT DO NOTHING`` of the balance row, reading the new balance back, and
   the audit row in the same transaction. Both commit once, so the fsync dominates.
2. **Balance History** (the ``HistorySource`` the Store Credit tab scrolls, pages of 100 as
   the grid asks for them) on one account with ``--history`` entries: the count the tab shows,
   the first page, a deep page (the middle) and the last page, each against the raw query a
   hand-written tool would run. The entries are bulk-inserted in one transaction with their
   running ``balance_after`` and the balance moved by their sum, so ``credit verify`` is exact.
3. **Concurrency**: ``--writers`` processes released together by a barrier, each doing
   ``--ops`` adjustments on one shared account through the service, retrying "database is
   locked" with the *same* request id (so a retry applies at most once) and finally
   re-submitting its first request id, which must not apply again. Prints the aggregate
   adjustments/s and the per-adjustment latency under contention, then checks that the final
   balance is exactly the intended sum and runs ``store_credit_verify.verify`` (the logic
   behind ``custtui credit verify``) over the whole database. Exits 1 if anything is not exact.

Without ``--db`` the shop is built in a temporary directory (on the same disk as ``/tmp``)
and removed afterwards. With ``--db PATH`` the file is created if missing and reused
otherwise: each run adds its own customers, and the history account is built once and
reused. Point it at a scratch file, not at a real shop.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from peewee import Database, OperationalError  # noqa: E402

from custtui.models import (  # noqa: E402
    Customer,
    StoreCreditBalance,
    StoreCreditHistory,
    Website,
    open_database,
)
from custtui.models.db import SQLITE_PRAGMAS  # noqa: E402
from custtui.models.fields import to_db_time  # noqa: E402
from custtui.services import accounts, store_credit  # noqa: E402
from custtui.services import store_credit_history as credit_history  # noqa: E402
from custtui.services.actor import Actor  # noqa: E402
from custtui.services.setup import init_shop  # noqa: E402
from custtui.services.store_credit_verify import verify  # noqa: E402

ADMIN = Actor(1, "admin", "admin")
"""The shop's first staff member (``init_shop`` creates it as id 1)."""
WEBSITE = 1
PAGE = 100
"""Rows per Balance History page (``custtui.widgets.sql_grid.PAGE_SIZE``)."""
WARMUP = 10
T = TypeVar("T")

HISTORY_COLUMNS = (
    "balance_id, customer_id, created_at, action, delta, balance_after, additional_info, "
    "customer_notified, request_id, staff_id, staff_username"
)
RAW_INSERT = (
    f"INSERT INTO store_credit_history ({HISTORY_COLUMNS}) "
    "SELECT id, customer_id, ?, 1, ?, amount + ?, ?, 0, ?, ?, ? "
    "FROM store_credit_balance WHERE id = ?"
)
RAW_UPDATE = "UPDATE store_credit_balance SET amount = amount + ? WHERE id = ? AND amount + ? >= 0"
RAW_PAGE = (
    "SELECT h.*, b.website_id FROM store_credit_history h "
    "JOIN store_credit_balance b ON b.id = h.balance_id "
    "WHERE h.customer_id = ? ORDER BY h.id DESC LIMIT ? OFFSET ?"
)


# ------------------------------------------------------------------------------ helpers
def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm the page cache the way a second look at the screen would
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "nan"


def row(name: str, ours: float, theirs: float) -> None:
    print(f"{name:<34}{ours:>12.3f}{theirs:>12.3f}{ratio(ours, theirs):>8}")


def header(title: str) -> None:
    print(f"\n{title}\n{'operation':<34}{'custtui ms':>12}{'sqlite3 ms':>12}{'ratio':>8}")


def raw_connection(path: Path) -> sqlite3.Connection:
    """A hand-written tool's connection: autocommit (explicit BEGIN), the app's busy timeout
    and the app's pragmas, so the ratio compares work, not settings."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    for name, value in SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    return conn


def new_customer(tag: str, role: str) -> Customer:
    """A customer on the default website, created by the real staff service."""
    return accounts.create(
        ADMIN,
        {
            "website_id": WEBSITE,
            "group_id": 1,
            "firstname": "Bench",
            "lastname": role.title(),
            "email": f"bench.{role}.{tag}@example.com",
        },
    )


def intended_amount(process: int, i: int) -> int:
    """Mostly credits and every fifth a smaller debit: never refused, known total."""
    return (process + 1) * 100 + i if i % 5 != 4 else -((process + 1) * 10)


# ------------------------------------------------------------------------------ 1. adjust
def raw_adjust(
    conn: sqlite3.Connection, balance_id: int, delta: int, request_id: str, info: str
) -> None:
    """The minimum correct ledger write, by hand."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        now = to_db_time(datetime.now(UTC))
        conn.execute(
            RAW_INSERT,
            (now, delta, delta, info, request_id, ADMIN.staff_id, ADMIN.username, balance_id),
        )
        if conn.execute(RAW_UPDATE, (delta, balance_id, delta)).rowcount != 1:
            raise RuntimeError("raw debit refused")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def bench_adjust(conn: sqlite3.Connection, tag: str, rounds: int) -> tuple[float, float]:
    """Median ms of one service adjustment and of one raw one, interleaved round by round
    (alternating which goes first) so that disk noise falls on both alike."""
    ours = new_customer(tag, "adjust")
    theirs = new_customer(tag, "raw")
    # The raw account's balance row (and its Created row) come from the service as well.
    store_credit.adjust(ADMIN, theirs.id, WEBSITE, 10_000, request_id=store_credit.new_request_id())
    balance_id = StoreCreditBalance.get(
        (StoreCreditBalance.customer == theirs.id) & (StoreCreditBalance.website == WEBSITE)
    ).id
    info = store_credit.admin_info(ADMIN.username, None)

    def service(amount: int) -> float:
        request_id = store_credit.new_request_id()
        start = time.perf_counter()
        store_credit.adjust(ADMIN, ours.id, WEBSITE, amount, request_id=request_id)
        return (time.perf_counter() - start) * 1000

    def raw(amount: int) -> float:
        request_id = uuid.uuid4().hex
        start = time.perf_counter()
        raw_adjust(conn, balance_id, amount, request_id, info)
        return (time.perf_counter() - start) * 1000

    mine: list[float] = []
    hand: list[float] = []
    for i in range(WARMUP + rounds):
        amount = intended_amount(0, i)
        if i % 2:
            a, b = service(amount), raw(amount)
        else:
            b, a = raw(amount), service(amount)
        if i >= WARMUP:
            mine.append(a)
            hand.append(b)
    return statistics.median(mine), statistics.median(hand)


# ------------------------------------------------------------------------------ 2. history
def ensure_history(db: Database, entries: int) -> int:
    """The id of a customer whose one balance has exactly *entries* history rows, building
    it (in one transaction) when this database has none yet."""
    email = f"bench.history.{entries}@example.com"
    customer = Customer.get_or_none(Customer.email_key == email)
    if customer is None:
        customer = new_customer(str(entries), "history")
    have = StoreCreditHistory.select().where(StoreCreditHistory.customer == customer.id).count()
    if have == entries:
        print(f"Reusing {entries:,} history entries of customer {customer.id}", flush=True)
        return int(customer.id)
    if have:
        raise SystemExit(f"customer {customer.id} has {have:,} history entries, not {entries:,}")
    started = time.perf_counter()
    currency = Website.get_by_id(WEBSITE).currency_code
    first = datetime.now(UTC) - timedelta(minutes=entries)
    info = store_credit.admin_info(ADMIN.username, None)
    with db.atomic():
        balance = StoreCreditBalance.create(
            customer=customer.id, website=WEBSITE, amount=0, currency_code=currency
        )
        running = 0
        rows: list[tuple[Any, ...]] = []
        for i in range(entries):
            delta = -50 if i % 7 == 6 else 100 + (i * 37) % 900
            running += delta
            action = store_credit.ACTION_CREATED if i == 0 else store_credit.ACTION_UPDATED
            when = to_db_time(first + timedelta(minutes=i))
            rows.append(
                (balance.id, customer.id, when, action, delta, running, info, 0,
                 f"bench-h{customer.id}-{i:07d}", ADMIN.staff_id, ADMIN.username)
            )  # fmt: skip
        placeholders = ", ".join("?" * len(rows[0]))
        db.cursor().executemany(
            f"INSERT INTO store_credit_history ({HISTORY_COLUMNS}) VALUES ({placeholders})", rows
        )
        # The same relative UPDATE the service uses: the balance moves by what history adds.
        StoreCreditBalance.update(amount=StoreCreditBalance.amount + running).where(
            StoreCreditBalance.id == balance.id
        ).execute()
    took = time.perf_counter() - started
    print(f"Built {entries:,} history entries for customer {customer.id} in {took:.1f} s")
    return int(customer.id)


def bench_history(conn: sqlite3.Connection, customer_id: int, repeat: int) -> None:
    source = credit_history.HistorySource(customer_id)
    total = source.count()
    deep, last = total // 2, max(0, total - PAGE)

    def raw_page(offset: int) -> Callable[[], Any]:
        return lambda: conn.execute(RAW_PAGE, (customer_id, PAGE, offset)).fetchall()

    def our_page(offset: int) -> Callable[[], Any]:
        return lambda: source.page(offset, PAGE)

    header(f"2. Balance History of one account ({total:,} entries, pages of {PAGE})")
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (
            "count (the tab's load)",
            lambda: credit_history.HistorySource(customer_id).count(),
            lambda: conn.execute(
                "SELECT count(*) FROM store_credit_history WHERE customer_id = ?", (customer_id,)
            ).fetchone(),
        ),
        ("first page (offset 0)", our_page(0), raw_page(0)),
        (f"deep page (offset {deep:,})", our_page(deep), raw_page(deep)),
        (f"last page (offset {last:,})", our_page(last), raw_page(last)),
    ]
    for name, mine, theirs in cases:
        row(name, median_ms(mine, repeat), median_ms(theirs, repeat))
    newest = source.page(0, PAGE)
    oldest = source.page(last, PAGE)
    assert len(newest) == PAGE and newest[0].history_id > newest[-1].history_id
    assert oldest[-1].action_label == "Created", oldest[-1]


# ------------------------------------------------------------------------------ 3. writers
def retrying(call: Callable[[], T]) -> tuple[T, int]:
    """*call* retried while the database is locked (busy past the 10 s timeout); the caller
    passes the same request id each time, so the movement applies at most once."""
    for attempt in range(1000):
        try:
            return call(), attempt
        except OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            time.sleep(random.uniform(0, 0.005))
    raise RuntimeError("database stayed locked")


def writer(
    path: str,
    customer_id: int,
    process: int,
    ops: int,
    barrier: Barrier,
    results: Queue[dict[str, Any]],
) -> None:
    """One writer process: *ops* adjustments on the shared account, then one replay."""
    open_database(f"sqlite:///{path}")
    store_credit.balance_amount(customer_id, WEBSITE)  # connect before the start line
    tag = uuid.uuid4().hex[:12]
    latencies: list[float] = []
    retries = applied = 0
    barrier.wait(timeout=120)
    started = time.time()
    for i in range(ops):
        request_id = f"bench-w{tag}-p{process}-{i:05d}"
        amount = intended_amount(process, i)
        t0 = time.perf_counter()
        movement, again = retrying(
            lambda rid=request_id, amount=amount: store_credit.adjust(
                ADMIN, customer_id, WEBSITE, amount, request_id=rid
            )
        )
        latencies.append((time.perf_counter() - t0) * 1000)
        retries += again
        applied += 1 if movement.applied else 0
    finished = time.time()
    first_id = f"bench-w{tag}-p{process}-{0:05d}"
    replay, _ = retrying(
        lambda: store_credit.adjust(
            ADMIN, customer_id, WEBSITE, intended_amount(process, 0), request_id=first_id
        )
    )
    results.put(
        {
            "process": process,
            "started": started,
            "finished": finished,
            "applied": applied,
            "retries": retries,
            "replay_applied": replay.applied,
            "latencies": latencies,
        }
    )


def bench_writers(db: Database, path: Path, tag: str, writers: int, ops: int) -> bool:
    """Run the writers on one fresh account; True when the result is exact."""
    customer = new_customer(tag, "shared")
    db.close()  # the spawned writers open their own connections
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(writers)
    results: Queue[dict[str, Any]] = context.Queue()
    procs = [
        context.Process(
            target=writer, args=(str(path), customer.id, p, ops, barrier, results), daemon=True
        )
        for p in range(writers)
    ]
    for proc in procs:
        proc.start()
    done: list[dict[str, Any]] = []
    try:
        for _ in procs:
            done.append(results.get(timeout=300))
    finally:
        for proc in procs:
            proc.join(timeout=30)
    crashed = [p.exitcode for p in procs if p.exitcode != 0]
    db.connect(reuse_if_open=True)

    span = max(d["finished"] for d in done) - min(d["started"] for d in done)
    applied = sum(d["applied"] for d in done)
    retries = sum(d["retries"] for d in done)
    replays = sum(1 for d in done if d["replay_applied"])
    latencies: list[float] = sorted(x for d in done for x in d["latencies"])
    expected = sum(intended_amount(p, i) for p in range(writers) for i in range(ops))
    balance = store_credit.balance_amount(customer.id, WEBSITE)
    rows = StoreCreditHistory.select().where(StoreCreditHistory.customer == customer.id).count()

    print(f"\n3. {writers} writer processes x {ops} adjustments on one account (spawn, barrier)")
    print(f"  aggregate                        {applied / span:>10,.0f} adjustments/s")
    print(f"  wall time                        {span:>10.2f} s for {applied:,} adjustments")
    print(f"  latency under contention median  {statistics.median(latencies):>10.3f} ms")
    print(f"  latency under contention p95     {percentile(latencies, 0.95):>10.3f} ms")
    print(f"  'database is locked' retries     {retries:>10,}")
    print(f"  replayed first request ids       {writers - replays:>10} of {writers} not re-applied")
    print(f"  final balance                    {balance:>10,} (intended {expected:,})")
    print(f"  history rows                     {rows:>10,} (intended {writers * ops:,})")
    exact = (
        not crashed
        and len(done) == writers
        and applied == writers * ops
        and replays == 0
        and balance == expected
        and rows == writers * ops
    )
    if crashed:
        print(f"  writer processes failed with exit codes {crashed}")
    return exact


def percentile(values: Sequence[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


# ------------------------------------------------------------------------------ main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temp dir)")
    parser.add_argument("--rounds", type=int, default=200, help="adjustments timed per side")
    parser.add_argument("--history", type=int, default=100_000, help="entries on one account")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writer processes")
    parser.add_argument("--ops", type=int, default=200, help="adjustments per writer")
    parser.add_argument("--repeat", type=int, default=31, help="samples per history query")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-credit-") as scratch:
        path = args.db or Path(scratch) / "credit.db"
        return run(path, args)


def run(path: Path, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    db = open_database(f"sqlite:///{path}")
    init_shop(db)
    tag = uuid.uuid4().hex[:10]
    print(f"Database: {path} (WAL, synchronous=FULL, lock_type=IMMEDIATE)", flush=True)
    history_customer = ensure_history(db, args.history)
    conn = raw_connection(path)

    ours, theirs = bench_adjust(conn, tag, args.rounds)
    header(f"1. One store credit adjustment (median of {args.rounds}, interleaved)")
    row("adjust() vs BEGIN IMMEDIATE…COMMIT", ours, theirs)

    bench_history(conn, history_customer, args.repeat)
    conn.close()

    exact = bench_writers(db, path, tag, args.writers, args.ops)

    t0 = time.perf_counter()
    report = verify()
    took = (time.perf_counter() - t0) * 1000
    integrity = db.execute_sql("PRAGMA integrity_check").fetchone()[0]
    print(
        f"\ncredit verify: {'exact' if report.ok else 'NOT EXACT'} — {report.balances:,} "
        f"balances, {report.history_rows:,} history rows, {report.orders:,} orders "
        f"({took:.0f} ms); integrity_check: {integrity}"
    )
    for problem in report.problems[:20]:
        print(f"  {problem.kind}: {problem.detail}")
    db.close()
    ok = exact and report.ok and integrity == "ok"
    print(f"{'OK' if ok else 'FAILED'} in {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
