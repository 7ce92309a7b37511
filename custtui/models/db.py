"""Opening the shop database from a URL, with the connection settings every caller needs.

All models bind to :data:`database`, a :class:`peewee.DatabaseProxy`, so the CLI, the TUI, the
storefront API and the tests point the same code at different databases by calling
:func:`open_database` once.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from peewee import Database, DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect

DEFAULT_URL = "sqlite:///data/custtui.db"
"""Where the shop lives when neither ``--db`` nor ``$CUSTTUI_DB`` says otherwise."""

database = DatabaseProxy()
"""The one database every model is bound to (initialised by :func:`open_database`)."""

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "full",
    "cache_size": -32_000,  # 32 MB page cache: enough for the grid's indexes, small RSS.
    "temp_store": "memory",
}
"""Per-connection SQLite settings (see DESIGN.md › Data). ``foreign_keys`` is per connection,
which is why it is set by peewee on every connect rather than once in the file."""


def resolve_url(url: str | None = None) -> str:
    """The database URL: the explicit one, else ``$CUSTTUI_DB``, else the default file."""
    return url or os.environ.get("CUSTTUI_DB") or DEFAULT_URL


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or None for other schemes and ``:memory:``."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("sqlite"):
        return None
    path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
    if not path or path == ":memory:":
        return None
    return Path(path)


def open_database(url: str | None = None) -> Database:
    """Open (lazily connect) the database at *url* and bind the models to it.

    SQLite gets WAL, foreign keys, ``synchronous=FULL``, a 10 s busy timeout and
    ``lock_type='IMMEDIATE'`` so that every write transaction starts with ``BEGIN IMMEDIATE``:
    a deferred transaction that reads and then writes fails at once under concurrency,
    whatever the busy timeout (reliability-notes §1.4).
    """
    url = resolve_url(url)
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        db = connect(url, timeout=10, lock_type="IMMEDIATE", pragmas=dict(SQLITE_PRAGMAS))
    else:
        db = connect(url, unquote_password=True, unquote_user=True)
    database.initialize(db)
    return db


def is_sqlite(db: Database | None = None) -> bool:
    """True when the bound database is SQLite (search and bulk paths differ per backend)."""
    target = db if db is not None else database.obj
    return isinstance(target, SqliteDatabase)


def is_postgres(db: Database | None = None) -> bool:
    """True when the bound database is PostgreSQL."""
    target = db if db is not None else database.obj
    return isinstance(target, PostgresqlDatabase)
