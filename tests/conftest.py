"""Shared fixtures: a fresh shop database per test on a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from custtui.models import open_database
from custtui.services import clock
from custtui.services.setup import init_shop


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
