"""An API client on a fresh SQLite shop: a valid token, fast password hashing, and the app
served by uvicorn on a loopback port so every test goes over real HTTP (chunking,
keep-alive, the server's own limits) as the storefront's requests do."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from custtui.services import api_tokens, passwords
from custtui.services.actor import Actor

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


@contextmanager
def served(app: Any) -> Iterator[httpx.Client]:
    """*app* under uvicorn on a free loopback port (its lifespan runs), and a client for it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@pytest.fixture
def anonymous(shop) -> Iterator[httpx.Client]:
    """A client that sends no token, talking HTTP to uvicorn."""
    from custtui.api import create_app

    with served(create_app(threads=2)) as client:
        yield client


@pytest.fixture
def api(anonymous, token) -> httpx.Client:
    anonymous.headers["Authorization"] = f"Bearer {token}"
    return anonymous
