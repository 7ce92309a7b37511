"""Shared fixtures: a fresh shop database per test on a fixed clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from custtui.app import CusttuiApp, make_app
from custtui.models import open_database
from custtui.services import clock
from custtui.services.setup import init_shop
from custtui.settings import Settings
from tests.fixture_shop import FIXED_NOW, build_fixture_shop


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock()
    previous = clock.install(fixed)
    yield fixed
    clock.install(previous)


@pytest.fixture
def shop(tmp_path: Path, fixed_clock: clock.FixedClock) -> Iterator[Database]:
    """An initialised, empty shop in a temporary SQLite file (WAL, as in production)."""
    db = open_database(f"sqlite:///{tmp_path / 'shop.db'}")
    init_shop(db)
    yield db
    db.close()


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (see :mod:`tests.pgserver`)."""
    import os

    from tests import pgserver

    server = pgserver.start()
    if server is None:
        if os.environ.get("CUSTTUI_REQUIRE_PG"):
            pytest.fail("PostgreSQL is required ($CUSTTUI_REQUIRE_PG) but not installed")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    yield server
    server.stop()


_pg_counter = 0


@pytest.fixture
def pg_shop(pg_server, fixed_clock) -> Iterator[Database]:
    """An initialised, empty shop in a fresh PostgreSQL database."""
    import psycopg

    global _pg_counter
    _pg_counter += 1
    name = f"custtui_test_{os.getpid()}_{_pg_counter}"
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_server.admin_url.rsplit("/", 1)[0] + f"/{name}"
    db = open_database(url)
    init_shop(db)
    yield db
    db.close()
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def any_shop(request) -> Database:
    """The same test on both supported databases."""
    return request.getfixturevalue("shop" if request.param == "sqlite" else "pg_shop")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "NO_COLOR",
        "TEXTUAL_THEME",
        "TEXTUAL_COLOR_SYSTEM",
        "CUSTTUI_STAFF",
        "CUSTTUI_DB",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fixture_db(tmp_path: Path) -> Iterator[object]:
    db = build_fixture_shop(tmp_path / "fixture.db")
    yield db
    db.close()


@pytest.fixture
def app(fixture_db) -> Iterator[CusttuiApp]:
    previous = clock.current()
    yield make_app(
        fixture_db,
        Settings(staff="admin", theme="textual-dark", cursor_blink=False),
        clock.FixedClock(FIXED_NOW),
    )
    clock.install(previous)
