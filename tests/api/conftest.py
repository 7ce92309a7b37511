"""An API client on a fresh SQLite shop: a valid token, fast password hashing."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from custtui.services import api_tokens, passwords
from custtui.services.actor import Actor

with warnings.catch_warnings():  # starlette would rather have httpx2; httpx is what we ship
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ADMIN = Actor(1, "admin", "admin")


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "custtui.key"))
    passwords._secret_at.cache_clear()
    monkeypatch.setattr(passwords, "COST", 4)  # speed; the scheme is tested elsewhere
    yield
    passwords._secret_at.cache_clear()


@pytest.fixture
def token(shop) -> str:
    return api_tokens.create(ADMIN, "shop")


@pytest.fixture
def anonymous(shop) -> Iterator[TestClient]:
    """A client that sends no token (the app's lifespan runs, as under uvicorn)."""
    from custtui.api import create_app

    with TestClient(create_app(threads=2), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def api(anonymous, token) -> TestClient:
    anonymous.headers["Authorization"] = f"Bearer {token}"
    return anonymous
