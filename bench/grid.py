"""Benchmark of the All Customers grid at scale (run by hand, never part of the test suite).

    .venv/bin/python bench/grid.py --customers 1000000 [--db /tmp/demo1m.db] [--repeat 15]

Builds the demo database if the file does not exist yet, then prints for each grid operation
the median latency through custtui's query layer, the median of raw ``sqlite3`` running the
equivalent SQL on the same file in the same run, and their ratio; then the headless app's time
to first painted grid, keystroke → refreshed grid, and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from custtui.models import open_database  # noqa: E402
from custtui.services import clock  # noqa: E402
from custtui.services.grid import GridQuery, GridSource, Sort  # noqa: E402
from custtui.services.grid_columns import DEFAULT_COLUMNS, RAW_COLUMNS, Lookups  # noqa: E402

PAGE = 100


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm the page cache the way a second look at the screen would
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


LOOKUPS: Lookups | None = None


def app_page(query: GridQuery, offset: int | None = 0) -> Callable[[], Any]:
    """Through the app's layer: count (as the screen does for a new query) + one page,
    formatted for display with the screen's cached lookups."""

    def run() -> Any:
        source = GridSource(query, LOOKUPS)
        total = source.count()
        start = total - PAGE if offset is None else offset
        return source.page(max(0, start), PAGE).rows

    return run


def app_count(query: GridQuery) -> Callable[[], Any]:
    return lambda: GridSource(query).count()


def raw(conn: sqlite3.Connection, sql: str, params: list[Any]) -> Callable[[], Any]:
    return lambda: conn.execute(sql, params).fetchall()


def raw_page(
    conn: sqlite3.Connection, where: str, params: list[Any], order: str, offset: int | None
) -> Callable[[], Any]:
    """What a hand-written tool would do: count, then the page with LIMIT/OFFSET."""
    cols = ", ".join(RAW_COLUMNS)

    def run() -> Any:
        total = conn.execute(
            f"SELECT count(*) FROM customer_grid WHERE {where}", params
        ).fetchone()[0]
        start = total - PAGE if offset is None else offset
        return conn.execute(
            f"SELECT {cols} FROM customer_grid WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, PAGE, max(0, start)],
        ).fetchall()

    return run


def ensure_database(path: Path, customers: int) -> None:
    if path.exists():
        return
    from custtui.services import demo

    print(f"Building {customers:,} demo customers into {path} …", flush=True)
    db = open_database(f"sqlite:///{path}")
    summary = demo.build_demo(db, customers=customers)
    print(f"  built in {summary.seconds:.1f} s", flush=True)
    db.close()


async def ui_timings(db: Any) -> tuple[float, float]:
    from textual.widgets import Input

    from custtui.app import make_app
    from custtui.settings import Settings
    from custtui.widgets.sql_grid import SqlGrid

    app = make_app(db, Settings(cursor_blink=False), clock.SystemClock())
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        while True:
            grids = app.screen.query(SqlGrid)
            if grids and grids.first().row_at(0) is not None:
                break
            await asyncio.sleep(0.002)
        await pilot.pause()
        first_paint = (time.perf_counter() - start) * 1000
        search = app.screen.query_one("#search", Input)
        samples = []
        for text in ("mül", "smith", "gmail", "berl", "yama", "ana@"):
            grid = app.screen.query_one(SqlGrid)
            search.focus()
            search.value = text[:-1]
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            generation = grid._generation
            start = time.perf_counter()
            search.insert_text_at_cursor(text[-1])  # what Input does with a key press
            while grid._generation == generation or (grid.row_count and grid.row_at(0) is None):
                await asyncio.sleep(0.001)
            await asyncio.sleep(0)  # let the refresh paint
            samples.append((time.perf_counter() - start) * 1000)
        return first_paint, statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    path = args.db or Path(f"/tmp/demo{args.customers // 1000}k.db")
    if args.customers == 1_000_000 and args.db is None:
        path = Path("/tmp/demo1m.db")
    ensure_database(path, args.customers)

    db = open_database(f"sqlite:///{path}")
    db.connect(reuse_if_open=True)
    conn = sqlite3.connect(path)
    global LOOKUPS
    LOOKUPS = Lookups.load()
    total = GridSource(GridQuery()).count()
    email, last_name = conn.execute(
        "SELECT email, lastname FROM customer_grid WHERE id = ?", [total // 2]
    ).fetchone()
    email_part = email.split("@")[0][2:7]
    print(f"Database: {path} — {total:,} customers; searching for {email_part!r}, {last_name!r}")

    fts = "id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)"
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("first page (sort ID)", app_page(GridQuery()), raw_page(conn, "1=1", [], "id", 0)),
        (
            "search: part of an email",
            app_page(GridQuery(email_part)),
            raw_page(conn, fts, [f'"{email_part}"'], "id", 0),
        ),
        (
            "search: a last name",
            app_page(GridQuery(last_name)),
            raw_page(conn, fts, [f'"{last_name}"'], "id", 0),
        ),
        (
            "filter group + country",
            app_page(GridQuery(filters={"group_id": 2, "billing_country_id": "DE"})),
            raw_page(conn, "group_id = ? AND billing_country_id = ?", [2, "DE"], "id", 0),
        ),
        (
            "sort last name descending",
            app_page(GridQuery(sort=Sort("name", True))),
            raw_page(conn, "1=1", [], "lastname DESC, firstname DESC, id DESC", 0),
        ),
        (
            "jump to the last row",
            app_page(GridQuery(), None),
            raw_page(conn, "1=1", [], "id", None),
        ),
        (
            "count of a filtered set",
            app_count(GridQuery(filters={"website_id": 2, "group_id": 1})),
            raw(
                conn,
                "SELECT count(*) FROM customer_grid WHERE website_id = ? AND group_id = ?",
                [2, 1],
            ),
        ),
    ]
    print(f"\n{'operation':<28}{'custtui ms':>12}{'sqlite3 ms':>12}{'ratio':>8}")
    for name, ours, theirs in cases:
        a = median_ms(ours, args.repeat)
        b = median_ms(theirs, args.repeat)
        print(f"{name:<28}{a:>12.2f}{b:>12.2f}{a / b if b else float('nan'):>8.2f}")

    rows = GridSource(GridQuery(), LOOKUPS).page(0, PAGE).rows
    source = GridSource(GridQuery(), LOOKUPS)
    shown = median_ms(lambda: source.formatted(rows, DEFAULT_COLUMNS), args.repeat)
    print(f"(display formatting of a {PAGE}-row page, not in the ratios: {shown:.2f} ms)")

    first_paint, keystroke = asyncio.run(ui_timings(db))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nheadless app: first painted grid {first_paint:.0f} ms; "
        f"keystroke → refreshed grid {keystroke:.0f} ms (median)"
    )
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
