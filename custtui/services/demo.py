"""A demo shop: two websites, four store views and up to millions of invented customers.

The demo is what staff and developers look at before a real shop exists, and what the
benchmarks run on, so it has to be three things at once:

* **Reproducible.** Everything comes from ``random.Random(seed)`` and the injectable clock, and
  pools are fixed tuples (:mod:`custtui.services.demo_data`), so the same seed and count give
  the same rows on every machine: a bug seen on "demo seed 1" is the same customer for everyone.
* **Realistic enough to find bugs.** Native non-ASCII names in fourteen countries, regions with
  ISO codes, 0–3 addresses with differing billing/shipping, unconfirmed and locked accounts,
  newsletter subscribers, a second website with its own currency and confirmation rule.
* **Fast.** A million customers in well under two minutes on a small machine: on SQLite the rows
  go in through the raw ``sqlite3`` connection in large ``executemany`` batches inside one
  transaction, with the search triggers and grid indexes dropped and rebuilt once at the end
  (one sort per index instead of a million B-tree inserts, one FTS build instead of a million
  trigger firings).

The whole build is one transaction, so a cancelled or failed build leaves the database exactly
as it was (SQLite's DDL is transactional: the dropped triggers and indexes come back with the
rollback; a ``finally`` recreates them anyway in case the connection was in a strange state).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

import peewee
from peewee import Database, DatabaseProxy

from custtui.models import (
    Address,
    Customer,
    CustomerGroup,
    NewsletterSubscriber,
    Staff,
    StoreView,
    Website,
)
from custtui.models.db import database, is_postgres, is_sqlite
from custtui.models.migrations import SEARCH_TRIGGER_NAMES, grid_index_sql, search_trigger_sql
from custtui.services import clock, config, demo_sales, grid_index
from custtui.services.demo_data import (
    COUNTRIES,
    WEBSITE_COUNTRIES,
    Country,
    female_surname,
    postcode_pool,
    slug,
)
from custtui.services.setup import init_shop

MAX_CUSTOMERS = 5_000_000
"""The largest demo we agree to build (about 6 GB of SQLite; beyond that use a real import)."""

BATCH_SIZE = 20_000
"""Customers generated and inserted per batch: large enough that ``executemany`` dominates,
small enough that memory stays flat and cancellation is noticed within a fraction of a second."""

PG_CHUNK = 1_000
"""Rows per ``INSERT`` on PostgreSQL, under its 65,535 bind-parameter limit."""

YEARS_OF_HISTORY = 6
"""How far back before "now" the oldest demo account was created."""

ProgressFn = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages: customers, addresses, grid, search index, indexes,
analyze."""

CUSTOMER_COLUMNS: tuple[str, ...] = (
    "id", "website_id", "email", "email_key", "group_id", "store_view_id", "created_at",
    "updated_at", "is_active", "disable_auto_group_change", "created_in", "prefix", "firstname",
    "middlename", "lastname", "dob", "default_billing", "default_shipping", "taxvat",
    "confirmation", "gender", "failures_num", "first_failure", "lock_expires",
    "assistance_allowed", "version",
)  # fmt: skip
ADDRESS_COLUMNS: tuple[str, ...] = (
    "id", "customer_id", "created_at", "updated_at", "firstname", "lastname", "company",
    "street", "city", "country_id", "region", "region_id", "postcode", "telephone", "vat_id",
)  # fmt: skip
SUBSCRIBER_COLUMNS: tuple[str, ...] = ("id", "customer_id", "store_view_id", "status", "changed_at")


class DemoError(ValueError):
    """The demo was refused (bad count, or the shop already has customers)."""


class DemoCancelled(Exception):
    """The build was cancelled; everything it had written was rolled back."""


@dataclass(frozen=True)
class DemoSummary:
    """What a finished build created, and how long it took."""

    customers: int
    addresses: int
    subscribers: int
    seconds: float
    orders: int = 0
    store_credit_balances: int = 0


@dataclass(frozen=True)
class _Plan:
    """The ids of the demo's websites, store views and groups, looked up after setup."""

    base: int
    eu: int
    store_views: dict[str, tuple[int, str]]  # code -> (id, name)
    vip: int
    lockout_failures: int


# --- Shop set-up ------------------------------------------------------------------------------


def _get_or_create(model: type[peewee.Model], key: dict[str, Any], **values: Any) -> Any:
    """An existing row by *key* or a new one: a build after a cancelled build, or on a shop
    someone already configured by hand, must not trip over unique codes."""
    row = model.get_or_none(**key)
    return row if row is not None else model.create(**key, **values)


def _set_up_shop() -> _Plan:
    """The demo's websites, store views, configuration, VIP group and demo staff member."""
    base = Website.get_or_none(code="base")
    default_view = StoreView.get_or_none(code="default")
    if base is None or default_view is None:
        raise DemoError("The shop has no 'base' website or 'default' store view to build on.")
    eu = _get_or_create(
        Website, {"code": "eu"}, name="Europe Website", currency_code="EUR", sort_order=1
    )
    views = {
        "default": default_view,
        "us_es": _get_or_create(
            StoreView, {"code": "us_es"}, name="Spanish Store View", website=base, sort_order=1
        ),
        "de": _get_or_create(
            StoreView, {"code": "de"}, name="German Store View", website=eu, sort_order=0
        ),
        "fr": _get_or_create(
            StoreView, {"code": "fr"}, name="French Store View", website=eu, sort_order=1
        ),
    }
    config.store("customer/create_account/confirm", "1", eu.id)
    vip = _get_or_create(CustomerGroup, {"code": "VIP"}, tax_class=3)
    _get_or_create(
        Staff,
        {"username": "demo"},
        display_name="Demo Agent",
        role="admin",
        os_user=_os_user(),
        created_at=clock.now(),
    )
    return _Plan(
        base=base.id,
        eu=eu.id,
        store_views={code: (view.id, view.name) for code, view in views.items()},
        vip=vip.id,
        lockout_failures=config.get_int("customer/password/lockout_failures"),
    )


def _os_user() -> str | None:
    """The demo opens as its demo agent for whoever built it (unless another account already
    claims this OS user, e.g. a real shop's admin)."""
    from custtui.services.staff_accounts import os_user

    user = os_user()
    if user and Staff.select().where(Staff.os_user == user).exists():
        return None
    return user


# --- Row generation ---------------------------------------------------------------------------


def _phone_slices(groups: Sequence[int]) -> tuple[tuple[int, int], ...]:
    slices, at = [], 0
    for size in groups:
        slices.append((at, at + size))
        at += size
    return tuple(slices)


@dataclass(frozen=True)
class _CountryPools:
    """One country's pools flattened into tuples, so the hot loop only indexes."""

    code: str
    male: tuple[tuple[str, str], ...]  # (name, email slug)
    female: tuple[tuple[str, str], ...]
    last_m: tuple[tuple[str, str], ...]
    last_f: tuple[tuple[str, str], ...]
    cities: tuple[tuple[str, str | None, str | None, tuple[str, ...], str], ...]
    streets: tuple[str, ...]
    street_format: str
    second_lines: tuple[str, ...]
    phone_digits: int
    phone_slices: tuple[tuple[int, int], ...]
    phone_sep: str
    domains: tuple[str, ...]
    companies: tuple[str, ...]
    taxvat_format: str
    taxvat_limit: int


def _pools(country: Country) -> _CountryPools:
    def named(names: Sequence[str]) -> tuple[tuple[str, str], ...]:
        return tuple((name, slug(name)) for name in names)

    female_last = country.female_last or tuple(female_surname(n) for n in country.last)
    prefix, digits, suffix = country.taxvat
    return _CountryPools(
        code=country.code,
        male=named(country.male),
        female=named(country.female),
        last_m=named(country.last),
        last_f=named(female_last if country.code == "PL" else country.last),
        cities=tuple(
            (c.name, c.region, c.region_id, postcode_pool(country, c), c.phone)
            for c in country.cities
        ),
        streets=country.streets,
        street_format=country.street_format,
        second_lines=country.second_lines,
        phone_digits=sum(country.phone_groups),
        phone_slices=_phone_slices(country.phone_groups),
        phone_sep=country.phone_sep,
        domains=country.domains,
        companies=country.companies,
        taxvat_format=prefix + "{:0" + str(digits) + "d}" + suffix,
        taxvat_limit=10**digits,
    )


def _lottery(weights: Sequence[tuple[Any, int]]) -> tuple[Any, ...]:
    """A tuple where each item appears *weight* times: ``lot[int(random() * len(lot))]``
    is a weighted choice for the price of one multiplication."""
    return tuple(item for item, weight in weights for _ in range(weight))


class _Generator:
    """Turns a seed into batches of customer, address and subscriber rows (tuples in the order
    of the ``*_COLUMNS`` constants), with every id assigned here so that default billing and
    shipping can point at addresses before they are inserted."""

    def __init__(self, plan: _Plan, count: int, seed: int, first_ids: tuple[int, int, int]) -> None:
        self.plan = plan
        self.count = count
        self.rng = Random(seed)
        self.seed = seed
        self.sales: demo_sales.SalesGenerator | None = None
        self.first_customer, self.first_address, self.first_subscriber = first_ids
        # Address counts are drawn first so the total (and the "addresses" progress bar) is
        # known before the first row: 10 % none, 55 % one, 25 % two, 10 % three.
        counts = _lottery(((0, 2), (1, 11), (2, 5), (3, 2)))
        rand = self.rng.random
        self.address_counts = bytes(counts[int(rand() * 20)] for _ in range(count))
        self.total_addresses = sum(self.address_counts)

        now = clock.now().astimezone(UTC).replace(microsecond=0)
        self.now_ts = int(now.timestamp())
        self.span = YEARS_OF_HISTORY * 365 * 86_400
        start_ts = self.now_ts - self.span
        self.day0 = start_ts - start_ts % 86_400
        # Text timestamps without strftime per row: a per-day prefix plus a per-second suffix,
        # covering the whole history and ten days into the future (lock expiry).
        first_day = datetime.fromtimestamp(self.day0, UTC)
        n_days = (self.now_ts - self.day0) // 86_400 + 11
        self.days = tuple(
            (first_day + timedelta(days=k)).strftime("%Y-%m-%d ") for k in range(n_days)
        )
        self.times = tuple(
            f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
        )
        # Dates of birth: ages 18 to 80 on the clock's today.
        today = now.date()
        eighteen = date(today.year - 18, today.month, min(today.day, 28))
        self.dobs = tuple((eighteen - timedelta(days=k)).isoformat() for k in range(62 * 365 + 15))
        by_code = {c.code: _pools(c) for c in COUNTRIES}
        self.country_lots = {
            plan.base: _lottery([(by_code[c], w) for c, w in WEBSITE_COUNTRIES["base"]]),
            plan.eu: _lottery([(by_code[c], w) for c, w in WEBSITE_COUNTRIES["eu"]]),
        }
        views = plan.store_views
        self.groups = _lottery(((1, 88), (2, 5), (3, 4), (plan.vip, 3)))

        def view(code: str) -> tuple[int, str]:
            return views[code]

        self.view_for: dict[tuple[int, str], tuple[tuple[int, str], ...]] = {}
        for website, lot in self.country_lots.items():
            for pools in set(lot):
                if website == plan.base:
                    spanish = {"ES": 18, "US": 2}.get(pools.code, 0)
                    weights = [(view("us_es"), spanish), (view("default"), 20 - spanish)]
                elif pools.code in ("DE", "AT"):
                    weights = [(view("de"), 20)]
                elif pools.code == "FR":
                    weights = [(view("fr"), 20)]
                else:
                    weights = [(view("de"), 12), (view("fr"), 8)]
                self.view_for[(website, pools.code)] = _lottery(weights)

    def batches(
        self, size: int
    ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """Yield ``(customers, addresses, subscribers)`` for each batch of *size* customers."""
        rng = self.rng
        r = rng.random
        bits = rng.getrandbits
        plan = self.plan
        base, eu = plan.base, plan.eu
        count, now_ts, span = self.count, self.now_ts, self.span
        start_ts = now_ts - span
        days, times, day0 = self.days, self.times, self.day0
        dobs, n_dobs = self.dobs, len(self.dobs)
        groups, view_for, lots = self.groups, self.view_for, self.country_lots
        address_counts = self.address_counts
        failures = plan.lockout_failures
        address_id = self.first_address
        subscriber_id = self.first_subscriber
        prefixes = ("Dr.", "Prof.")

        def ts(value: int) -> str:
            day, second = divmod(value - day0, 86_400)
            return days[day] + times[second]

        def phone(pools: _CountryPools, prefix: str) -> str:
            digits = pools.phone_digits
            low = 2 * 10 ** (digits - 1)
            number = str(low + int(r() * (10**digits - low)))
            local = pools.phone_sep.join([number[a:b] for a, b in pools.phone_slices])
            return f"{prefix} {local}"

        for start in range(0, count, size):
            customers: list[tuple[Any, ...]] = []
            addresses: list[tuple[Any, ...]] = []
            subscribers: list[tuple[Any, ...]] = []
            for i in range(start, min(count, start + size)):
                cid = self.first_customer + i
                website = base if r() < 0.7 else eu
                lot = lots[website]
                pools = lot[int(r() * len(lot))]
                female = r() < 0.5
                if female:
                    first, first_slug = pools.female[int(r() * len(pools.female))]
                    last, last_slug = pools.last_f[int(r() * len(pools.last_f))]
                else:
                    first, first_slug = pools.male[int(r() * len(pools.male))]
                    last, last_slug = pools.last_m[int(r() * len(pools.last_m))]
                domain = pools.domains[int(r() * len(pools.domains))]
                # The customer number at the end of every email makes it unique (slugs hold
                # no digits), so no uniqueness bookkeeping is needed for a million rows.
                pattern = r()
                if pattern < 0.45:
                    email = f"{first_slug}.{last_slug}{cid}@{domain}"
                elif pattern < 0.65:
                    email = f"{first_slug[0]}{last_slug}{cid}@{domain}"
                elif pattern < 0.80:
                    email = f"{first_slug}_{last_slug}{cid}@{domain}"
                elif pattern < 0.92:
                    email = f"{last_slug}.{first_slug}{cid}@{domain}"
                else:
                    email = f"{first_slug}{cid}@{domain}"
                store_views = view_for[(website, pools.code)]
                store_view, created_in = store_views[int(r() * len(store_views))]
                # Ids follow creation time and sign-ups grow over the years (density ∝ t^0.67).
                created_ts = start_ts + int(span * ((i + r()) / count) ** 0.6)
                updated_ts = (
                    created_ts if r() < 0.45 else created_ts + int((now_ts - created_ts) * r())
                )
                group = groups[int(r() * 100)]
                dob = dobs[int(r() ** 1.3 * n_dobs)] if r() < 0.78 else None
                g = r()
                gender = (2 if female else 1) if g < 0.8 else (3 if g < 0.83 else None)
                taxvat = (
                    pools.taxvat_format.format(int(r() * pools.taxvat_limit))
                    if r() < (0.6 if group == 2 else 0.07)
                    else None
                )
                confirmation = (
                    f"{bits(128):032x}" if r() < (0.12 if website == eu else 0.015) else None
                )
                failures_num, first_failure, lock_expires = 0, None, None
                lock = r()
                if lock < 0.005:
                    failures_num = failures
                    first_failure = ts(max(created_ts, now_ts - int(r() * 3600)))
                    lock_expires = ts(now_ts + 600 + int(r() * 7 * 86_400))
                elif lock < 0.025:
                    failures_num = 1 + int(r() * 3)
                    first_failure = ts(created_ts + int((now_ts - created_ts) * r()))
                middlename = None
                if pools.code in ("US", "GB", "CA", "BR") and r() < 0.08:
                    middlename = "ABCDEFGHJKLMNPRSTW"[int(r() * 18)] + "."
                prefix = prefixes[int(r() * 2)] if r() < 0.01 and pools.code != "JP" else None

                billing = shipping = None
                n_addresses = address_counts[i]
                for j in range(n_addresses):
                    a_pools = pools if r() < 0.92 else lot[int(r() * len(lot))]
                    if a_pools is pools and r() < 0.9:
                        a_first, a_last = first, last
                    else:
                        a_first = a_pools.male[int(r() * len(a_pools.male))][0]
                        a_last = a_pools.last_m[int(r() * len(a_pools.last_m))][0]
                    city, region, region_id, postcodes, dial = a_pools.cities[
                        int(r() * len(a_pools.cities))
                    ]
                    street = a_pools.street_format.format(
                        s=a_pools.streets[int(r() * len(a_pools.streets))],
                        n=1 + int(r() ** 2 * 240),
                        m=1 + int(r() * 9),
                    )
                    if r() < 0.12:
                        line = a_pools.second_lines[int(r() * len(a_pools.second_lines))]
                        street += "\n" + line.format(k=1 + int(r() * 9))
                    company = vat_id = None
                    if r() < 0.12:
                        company = a_pools.companies[int(r() * len(a_pools.companies))].format(
                            l=a_last
                        )
                        if r() < 0.5:
                            vat_id = a_pools.taxvat_format.format(int(r() * a_pools.taxvat_limit))
                    a_ts = created_ts if j == 0 else created_ts + int((now_ts - created_ts) * r())
                    a_time = ts(a_ts)
                    addresses.append(
                        (
                            address_id, cid, a_time, a_time, a_first, a_last, company, street,
                            city, a_pools.code, region, region_id,
                            postcodes[int(r() * len(postcodes))], phone(a_pools, dial), vat_id,
                        )
                    )  # fmt: skip
                    if j == 0:
                        billing = shipping = address_id
                    elif j == 1 and r() < 0.35:
                        shipping = address_id
                    address_id += 1

                customers.append(
                    (
                        cid, website, email, email.casefold(), group, store_view, ts(created_ts),
                        ts(updated_ts), 1, 0, created_in, prefix, first, middlename, last, dob,
                        billing, shipping, taxvat, confirmation, gender, failures_num,
                        first_failure, lock_expires, 1 if r() < 0.2 else 0, 1,
                    )
                )  # fmt: skip
                news = r()
                if news < 0.33:
                    changed = ts(created_ts + int((now_ts - created_ts) * r()))
                    status = 1 if news < 0.30 else 3
                    subscribers.append((subscriber_id, cid, store_view, status, changed))
                    subscriber_id += 1
            yield customers, addresses, subscribers


# --- Loading ------------------------------------------------------------------------------------


def _grid_index_names() -> list[str]:
    """Names of the grid's sort indexes, read from the same statements that create them."""
    names = []
    for sql in grid_index_sql():
        match = re.search(r"CREATE INDEX (?:IF NOT EXISTS )?(\S+) ON", sql)
        if match is None:  # pragma: no cover - guards a change in migrations.py
            raise RuntimeError(f"cannot read an index name from {sql!r}")
        names.append(match.group(1))
    return names


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise DemoCancelled("Demo build cancelled; nothing was kept.")


def _restore_search_machinery(db: Database) -> None:
    """Recreate the FTS triggers and grid indexes if they are missing (idempotent)."""
    for sql in search_trigger_sql() + grid_index_sql():
        db.execute_sql(sql)


@contextmanager
def _sqlite_bulk_session(
    conn: sqlite3.Connection, cancel: threading.Event | None, armed: list[bool]
) -> Iterator[None]:
    """Bulk-load settings around the build transaction, and cancellation that also stops long
    single statements (the FTS rebuild, ``CREATE INDEX``) through SQLite's progress handler.

    An interrupted write makes SQLite roll the whole transaction back by itself, after which
    peewee's own ROLLBACK fails with "no transaction is active"; either error, with *cancel*
    set, means the same thing to the caller: cancelled, nothing kept.
    """
    saved = {
        name: conn.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("synchronous", "cache_size", "threads")
    }
    # No fsync during the load (the file is new, and the final checkpoint runs with the
    # original setting), a 256 MB cache for index builds, and a second sorter thread.
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("PRAGMA threads=2")
    if cancel is not None:
        conn.set_progress_handler(lambda: armed[0] and cancel.is_set(), 20_000)
    try:
        yield
    except (sqlite3.OperationalError, peewee.OperationalError) as exc:
        if cancel is not None and cancel.is_set():
            raise DemoCancelled("Demo build cancelled; nothing was kept.") from exc
        raise
    finally:
        armed[0] = False
        conn.set_progress_handler(None, 0)
        if conn.in_transaction:  # pragma: no cover - only after an unexpected failure
            conn.execute("ROLLBACK")
        for name, value in saved.items():
            conn.execute(f"PRAGMA {name}={int(value)}")


def _load_sqlite(
    db: Database,
    generator: _Generator,
    report: ProgressFn,
    cancel: threading.Event | None,
    armed: list[bool],
) -> tuple[int, int, int]:
    """The fast path: raw ``executemany`` with triggers and indexes out of the way."""
    conn = db.connection()
    for name in SEARCH_TRIGGER_NAMES:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for name in _grid_index_names():
        conn.execute(f"DROP INDEX IF EXISTS {name}")

    def insert_sql(table: str, columns: Sequence[str]) -> str:
        marks = ", ".join("?" * len(columns))
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"

    customer_sql = insert_sql("customer", CUSTOMER_COLUMNS)
    address_sql = insert_sql("address", ADDRESS_COLUMNS)
    subscriber_sql = insert_sql("newsletter_subscriber", SUBSCRIBER_COLUMNS)
    done = addresses = subscribers = 0
    sales = generator.sales = demo_sales.for_demo(generator.seed, generator.now_ts)
    for customer_rows, address_rows, subscriber_rows in generator.batches(BATCH_SIZE):
        _check(cancel)
        conn.executemany(customer_sql, customer_rows)
        conn.executemany(address_sql, address_rows)
        conn.executemany(subscriber_sql, subscriber_rows)
        demo_sales.load_sqlite(conn, sales.batch(customer_rows))
        done += len(customer_rows)
        addresses += len(address_rows)
        subscribers += len(subscriber_rows)
        report("customers", done, generator.count)
        report("addresses", addresses, generator.total_addresses)
    _check(cancel)

    report("grid", 0, 1)
    grid_index.rebuild_all()
    report("grid", 1, 1)
    _check(cancel)
    report("search index", 0, 1)
    conn.execute("INSERT INTO customer_search(customer_search) VALUES('rebuild')")
    report("search index", 1, 1)
    for sql in search_trigger_sql():
        conn.execute(sql)
    statements = grid_index_sql()
    for number, sql in enumerate(statements):
        _check(cancel)
        report("indexes", number, len(statements))
        conn.execute(sql)
    report("indexes", len(statements), len(statements))
    _check(cancel)
    report("analyze", 0, 1)
    conn.execute("ANALYZE")
    report("analyze", 1, 1)
    _check(cancel)
    return done, addresses, subscribers


def _load_portable(
    db: Database, generator: _Generator, report: ProgressFn, cancel: threading.Event | None
) -> tuple[int, int, int]:
    """PostgreSQL (and any other backend): peewee ``insert_many`` in chunks, then the grid."""

    def insert(model: type[peewee.Model], columns: Sequence[str], rows: list[Any]) -> None:
        fields = [model._meta.columns[name] for name in columns]
        for at in range(0, len(rows), PG_CHUNK):
            model.insert_many(rows[at : at + PG_CHUNK], fields=fields).as_rowcount().execute()

    done = addresses = subscribers = 0
    sales = generator.sales = demo_sales.for_demo(generator.seed, generator.now_ts)
    for customer_rows, address_rows, subscriber_rows in generator.batches(BATCH_SIZE):
        _check(cancel)
        insert(Customer, CUSTOMER_COLUMNS, customer_rows)
        insert(Address, ADDRESS_COLUMNS, address_rows)
        insert(NewsletterSubscriber, SUBSCRIBER_COLUMNS, subscriber_rows)
        demo_sales.load_portable(sales.batch(customer_rows), PG_CHUNK)
        done += len(customer_rows)
        addresses += len(address_rows)
        subscribers += len(subscriber_rows)
        report("customers", done, generator.count)
        report("addresses", addresses, generator.total_addresses)
    _check(cancel)
    if is_postgres(db):
        # Ids were explicit: move each serial past them so the next service insert works.
        tables = [m._meta.table_name for m in (Customer, Address, NewsletterSubscriber)]
        for table in tables + list(demo_sales.SEQUENCE_TABLES):
            db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
    report("grid", 0, 1)
    grid_index.rebuild_all()
    report("grid", 1, 1)
    _check(cancel)
    if is_postgres(db):
        report("analyze", 0, 1)
        db.execute_sql("ANALYZE customer, address, newsletter_subscriber, customer_grid")
        report("analyze", 1, 1)
    return done, addresses, subscribers


def _first_ids() -> tuple[int, int, int]:
    """The first free customer, address and subscriber ids (ids are assigned by the generator
    so that default billing and shipping can be filled in before the addresses exist)."""

    def next_id(model: Any) -> int:
        return int(model.select(peewee.fn.MAX(model.id)).scalar() or 0) + 1

    return next_id(Customer), next_id(Address), next_id(NewsletterSubscriber)


def build_demo(
    db: Database,
    customers: int = 10_000,
    seed: int = 1,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> DemoSummary:
    """Fill an empty shop with demo websites, store views and *customers* invented from *seed*.

    Creates the schema and Magento's defaults first if needed. Refuses (:class:`DemoError`) a
    count outside 0..5,000,000 or a shop that already has customers: demo rows mixed into real
    ones could never be told apart again. Raises :class:`DemoCancelled` when *cancel* is set
    during the build, after rolling everything back. *progress* is called from the building
    thread after every batch and stage.
    """
    if isinstance(customers, bool) or not isinstance(customers, int):
        raise DemoError(f"The number of demo customers must be a whole number, not {customers!r}.")
    if not 0 <= customers <= MAX_CUSTOMERS:
        raise DemoError(
            f"The number of demo customers must be between 0 and {MAX_CUSTOMERS:,}, "
            f"not {customers:,}."
        )
    target = db.obj if isinstance(db, DatabaseProxy) else db
    if database.obj is not target:
        raise DemoError("build_demo needs the database the models are bound to (open_database).")
    started = time.perf_counter()
    _check(cancel)
    init_shop(target, admin_os_user=None)  # the demo signs in as its demo agent
    existing = Customer.select().count()
    if existing:
        noun = "customer" if existing == 1 else "customers"
        raise DemoError(
            f"The shop already has {existing:,} {noun}; demo data can only go into an empty shop."
        )
    report: ProgressFn = progress or (lambda stage, done, total: None)

    if is_sqlite(target):
        conn = target.connection()
        armed = [False]
        try:
            with _sqlite_bulk_session(conn, cancel, armed), target.atomic():
                try:
                    armed[0] = True
                    plan = _set_up_shop()
                    generator = _Generator(plan, customers, seed, _first_ids())
                    report("customers", 0, customers)
                    report("addresses", 0, generator.total_addresses)
                    counts = _load_sqlite(target, generator, report, cancel, armed)
                finally:
                    # Never interrupt the COMMIT or ROLLBACK that closes the transaction.
                    armed[0] = False
        finally:
            # The rollback already brought them back; this covers a connection left odd.
            _restore_search_machinery(target)
        # Fold the load into the database file and shrink the WAL back (a reader holding the
        # WAL makes this fail or wait, which is harmless).
        with suppress(sqlite3.Error):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with target.atomic():
            plan = _set_up_shop()
            generator = _Generator(plan, customers, seed, _first_ids())
            report("customers", 0, customers)
            report("addresses", 0, generator.total_addresses)
            counts = _load_portable(target, generator, report, cancel)
    sales = generator.sales
    return DemoSummary(
        *counts,
        seconds=round(time.perf_counter() - started, 3),
        orders=sales.totals["sales_order"] if sales else 0,
        store_credit_balances=sales.totals["store_credit_balance"] if sales else 0,
    )
