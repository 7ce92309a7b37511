"""UI fixtures: the fixed shop, a fixed clock and theme, and an environment that cannot leak
into pixels (NO_COLOR, TEXTUAL_THEME)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from custtui.app import CusttuiApp, make_app
from custtui.services import clock
from custtui.settings import Settings
from tests.fixture_shop import FIXED_NOW, build_fixture_shop


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
