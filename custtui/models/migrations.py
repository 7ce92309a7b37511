"""Numbered schema migrations and the search index the grid relies on.

A new database is created from the current models and stamped with the latest version
(the "create all, stamp head" approach); an existing one gets each pending migration in order,
each in its own transaction. A released migration is never edited: a schema change adds a
function to :data:`MIGRATIONS` that uses :mod:`playhouse.migrate`.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database

from custtui.models.db import is_postgres, is_sqlite
from custtui.models.schema import ALL_MODELS, GRID_SORT_INDEXES, CustomerGrid, SchemaVersion

SEARCH_COLUMNS: tuple[str, ...] = (
    "name",
    "email",
    "billing_telephone",
    "billing_postcode",
    "billing_city",
    "taxvat",
    "billing_company",
)
"""What keyword search looks in (DESIGN.md › The grid): name, email, phone, postcode, city,
tax/VAT and company, all columns of ``customer_grid``."""

Migration = Callable[[Database], None]


def _sqlite_search_sql() -> list[str]:
    cols = ", ".join(SEARCH_COLUMNS)
    return [
        # Trigram tokenizer = substring search on every column; external content keeps one copy
        # of the text (the grid row) and the index only.
        f"CREATE VIRTUAL TABLE IF NOT EXISTS customer_search USING fts5({cols}, "
        "content='customer_grid', content_rowid='id', tokenize='trigram case_sensitive 0')",
        *search_trigger_sql(),
    ]


def search_trigger_sql() -> list[str]:
    """Triggers that keep ``customer_search`` in step with ``customer_grid`` (SQLite).

    Exposed so the demo builder can drop them for a bulk load and rebuild the index at once.
    """
    cols = ", ".join(SEARCH_COLUMNS)
    new = ", ".join(f"new.{c}" for c in SEARCH_COLUMNS)
    old = ", ".join(f"old.{c}" for c in SEARCH_COLUMNS)
    return [
        "CREATE TRIGGER IF NOT EXISTS customer_grid_ai AFTER INSERT ON customer_grid BEGIN "
        f"INSERT INTO customer_search(rowid, {cols}) VALUES (new.id, {new}); END",
        "CREATE TRIGGER IF NOT EXISTS customer_grid_ad AFTER DELETE ON customer_grid BEGIN "
        f"INSERT INTO customer_search(customer_search, rowid, {cols}) "
        f"VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS customer_grid_au AFTER UPDATE OF {cols} ON customer_grid "
        f"BEGIN INSERT INTO customer_search(customer_search, rowid, {cols}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO customer_search(rowid, {cols}) VALUES (new.id, {new}); END",
    ]


SEARCH_TRIGGER_NAMES = ("customer_grid_ai", "customer_grid_ad", "customer_grid_au")


def postgres_search_expression() -> str:
    """The text that ``pg_trgm`` indexes on PostgreSQL (the same columns as FTS5 on SQLite)."""
    parts = " || ' ' || ".join(f"coalesce({c}, '')" for c in SEARCH_COLUMNS)
    return f"lower({parts})"


def _postgres_search_sql() -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS customer_grid_search_trgm ON customer_grid "
        f"USING gin (({postgres_search_expression()}) gin_trgm_ops)",
    ]


def _audit_guard_sql(db: Database) -> list[str]:
    if is_postgres(db):
        return [
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
            "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        ]
    return [
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ]


def grid_index_sql() -> list[str]:
    """``CREATE INDEX`` statements for the grid's sort and filter paths."""
    table = CustomerGrid._meta.table_name
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_{'_'.join(cols)} ON {table} ({', '.join(cols)})"
        for cols in GRID_SORT_INDEXES
    ]


def _create_schema(db: Database) -> None:
    db.create_tables(ALL_MODELS)
    statements = grid_index_sql() + _audit_guard_sql(db)
    if is_sqlite(db):
        statements += _sqlite_search_sql()
    elif is_postgres(db):
        statements += _postgres_search_sql()
    for sql in statements:
        db.execute_sql(sql)


def _sessions_and_mail(db: Database) -> None:
    """Version 2: storefront visits and sign-in log, password-reset tokens and requests,
    editable email templates and the outbox."""
    from custtui.models.schema import (
        CustomerLog,
        EmailTemplate,
        OutboxMessage,
        PasswordResetRequest,
        PasswordResetToken,
        Visit,
    )

    db.create_tables(
        [
            Visit,
            CustomerLog,
            PasswordResetToken,
            PasswordResetRequest,
            EmailTemplate,
            OutboxMessage,
        ],
        safe=True,
    )


def _audit_staff_index(db: Database) -> None:
    """Version 3: index ``audit_log.staff_username``. The Audit Log filters and lists by staff;
    without it "events by alice" counts by scanning the whole log (120 ms → 16 ms on 1.5 M
    events) and the staff list is a full-table DISTINCT instead of a few index seeks."""
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS audit_log_staff_username ON audit_log (staff_username)"
    )


def _staff_sign_in(db: Database) -> None:
    """Version 4: what staff sign-in needs to lock an account after repeated failures."""
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

    from custtui.models.schema import Staff

    migrator = PostgresqlMigrator(db) if is_postgres(db) else SqliteMigrator(db)
    existing = {c.name for c in db.get_columns(Staff._meta.table_name)}
    steps = [
        migrator.add_column(Staff._meta.table_name, name, field)
        for name, field in (
            ("failures_num", Staff.failures_num),
            ("lock_expires", Staff.lock_expires),
            ("last_login_at", Staff.last_login_at),
        )
        if name not in existing
    ]
    migrate(*steps)


def _visit_online_index(db: Database) -> None:
    """Version 5: index ``visit (last_visit_at, customer_id, created_at)``. Now Online's count,
    customers/visitors split and last-hour chart then read only this index; through the plain
    ``last_visit_at`` index each online visit costs a table lookup (20,000 online visits:
    counts 13.7 → 0.8 ms, chart buckets 2× faster)."""
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS visit_last_visit_at_customer_id_created_at "
        "ON visit (last_visit_at, customer_id, created_at)"
    )


def _api_tokens(db: Database) -> None:
    """Version 6: bearer tokens for the storefront HTTP API (only their SHA-256 is stored)."""
    from custtui.models.schema import ApiToken

    db.create_tables([ApiToken], safe=True)


def _store_credit_and_orders(db: Database) -> None:
    """Version 7: store credit (balances and their history, the ledger) and the minimal sales
    model it moves with: orders, their items and credit memos."""
    from custtui.models.schema import (
        CreditMemo,
        Order,
        OrderItem,
        StoreCreditBalance,
        StoreCreditHistory,
    )

    db.create_tables(
        [Order, OrderItem, CreditMemo, StoreCreditBalance, StoreCreditHistory], safe=True
    )


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "initial schema", _create_schema),
    (2, "visits, sign-in log, password resets, email templates and outbox", _sessions_and_mail),
    (3, "audit log index on staff", _audit_staff_index),
    (4, "staff sign-in: failures, lock, last sign-in", _staff_sign_in),
    (5, "visit index for Now Online", _visit_online_index),
    (6, "storefront API tokens", _api_tokens),
    (7, "store credit, orders and credit memos", _store_credit_and_orders),
]
"""Every migration, in order. Append; never edit a released entry."""

LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(db: Database) -> int:
    """The schema version stored in *db*, or 0 for a database custtui never touched."""
    if not db.table_exists(SchemaVersion._meta.table_name):
        return 0
    row = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def migrate(db: Database) -> int:
    """Bring *db* to the latest schema; returns the version it is at afterwards."""
    version = current_version(db)
    if version == 0:
        with db.atomic():
            _create_schema(db)
            SchemaVersion.create(version=LATEST_VERSION)
        return LATEST_VERSION
    for number, _title, step in MIGRATIONS:
        if number <= version:
            continue
        with db.atomic():
            step(db)
            SchemaVersion.update(version=number).execute()
    return max(version, LATEST_VERSION)
