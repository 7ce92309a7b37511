"""Where the API's database work runs: a fixed pool of threads, each with its own connection.

Peewee connections are per thread. Opening one per request (``connection_context()``) would
mean a TCP/TLS handshake per request on PostgreSQL and re-running the connection pragmas on
SQLite — a reconnect storm under load. Instead each pool thread opens its connection the
first time it is used and keeps it; a connection that failed (the server went away, a
lock timed out) is closed, so the next call on that thread reconnects. The pool size bounds
how many requests touch the database at once: SQLite has one writer anyway, and bcrypt
(which releases the GIL) gets that many cores at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from typing import Any, TypeVar

from peewee import InterfaceError, OperationalError

from custtui.models.db import database

T = TypeVar("T")


def _call(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    db = database.obj
    db.connect(reuse_if_open=True)
    try:
        return fn(*args, **kwargs)
    except (InterfaceError, OperationalError):
        # The connection may be unusable now; drop it (a transaction was rolled back by
        # ``atomic()`` already) and let the next call on this thread start afresh.
        with contextlib.suppress(Exception):
            db.close()
        raise


class DbThreads:
    """Run blocking service calls off the event loop, with a connection per thread."""

    def __init__(self, threads: int = 8) -> None:
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self.threads = threads
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="custtui-db")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``await`` *fn(*args, **kwargs)* on a pool thread inside its connection."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(_call, fn, args, kwargs)
        )

    def close(self, timeout: float = 5.0) -> None:
        """Close every thread's connection, then stop the pool. One closing task per thread:
        the barrier holds each task until all are running, so no thread runs two of them."""
        barrier = threading.Barrier(self.threads, timeout=timeout)

        def close_mine() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            with contextlib.suppress(Exception):
                if not database.obj.is_closed():
                    database.obj.close()

        futures = [self._executor.submit(close_mine) for _ in range(self.threads)]
        wait_all(futures, timeout=timeout + 1)
        self._executor.shutdown(wait=False, cancel_futures=True)
