"""Where the API's database work runs: a fixed pool of threads, each with its own connection.

Peewee connections are per thread. Opening one per request (``connection_context()``) would
mean a TCP/TLS handshake per request on PostgreSQL and re-running the connection pragmas on
SQLite — a reconnect storm under load. Instead each pool thread opens its connection the
first time it is used and keeps it; a connection that failed (the server went away, a
lock timed out) is closed, so the next call on that thread reconnects. The pool size bounds
how many requests touch the database at once: SQLite has one writer anyway, and bcrypt
(which releases the GIL) gets that many cores at most.

On SQLite the pool's write transactions also queue for one in-process lock before ``BEGIN``.
SQLite itself lets only one of them in; the others would wait in its busy handler, which
polls with sleeps that grow to 100 ms, so under load a few requests waited seconds while
others went by. The lock lets them in one after the other as soon as the previous commits;
SQLite's own lock (and busy timeout) still guards against other processes.
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

from peewee import InterfaceError, OperationalError, SqliteDatabase

from custtui.models.db import database

T = TypeVar("T")


class _WriteQueue:
    """One process-wide lock held from ``BEGIN`` to ``COMMIT``/``ROLLBACK`` on a SQLite
    database (see the module's docstring). Installed on the database object, so every
    thread's transactions on it take part; reads outside a transaction never wait."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.lock = threading.Lock()
        self.held = threading.local()
        self.timeout = float(getattr(db, "_timeout", None) or 10)
        self._begin, self._commit, self._rollback = db.begin, db.commit, db.rollback

    def begin(self, *args: Any, **kwargs: Any) -> None:
        mine = not getattr(self.held, "value", False)
        if mine:
            if not self.lock.acquire(timeout=self.timeout):
                raise OperationalError("database is locked")
            self.held.value = True
        try:
            self._begin(*args, **kwargs)
        except BaseException:
            if mine:
                self._release()
            raise

    def commit(self) -> None:
        try:
            self._commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            self._rollback()
        finally:
            self._release()

    def _release(self) -> None:
        if getattr(self.held, "value", False):
            self.held.value = False
            self.lock.release()


_installing = threading.Lock()


def _queue_writes(db: Any) -> None:
    """Put *db*'s transactions through a :class:`_WriteQueue`, once per database object."""
    if "_custtui_write_queue" in vars(db) or not isinstance(db, SqliteDatabase):
        return
    with _installing:
        if "_custtui_write_queue" not in vars(db):
            queue = _WriteQueue(db)
            db.begin, db.commit, db.rollback = queue.begin, queue.commit, queue.rollback
            db._custtui_write_queue = queue


def _call(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    db = database.obj
    _queue_writes(db)
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
