"""Running service calls off the UI thread.

Every blocking call goes through :func:`in_thread`: it opens the worker thread's own
connection (peewee connections are per thread) and closes it afterwards, so workers never
share a SQLite connection with the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from custtui.models.db import database

T = TypeVar("T")


def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call *fn* inside a connection context (use only from worker threads)."""
    with database.obj.connection_context():
        return fn(*args, **kwargs)
