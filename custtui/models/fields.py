"""Column types with the project's data rules built in (UTC time, JSON text)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from peewee import DateTimeField, TextField

DB_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
"""How times are written: whole seconds, UTC, sortable as text on SQLite."""


def to_db_time(value: datetime) -> str:
    """An aware (or naive-UTC) datetime as the stored UTC text."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime(DB_TIME_FORMAT)


def from_db_time(value: Any) -> datetime | None:
    """Stored UTC text (or a driver datetime) back to an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = str(value)
    try:
        # fromisoformat reads every stored form and is ~10x quicker than strptime, which
        # was a visible share of each grid and history page.
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    for fmt in (DB_TIME_FORMAT, "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"not a stored time: {text!r}")


class UTCDateTimeField(DateTimeField):
    """A timestamp stored as naive UTC and handed back as an aware UTC datetime.

    All code gets "now" from the injectable clock (aware UTC); this field is the one place
    where time zones are dropped for storage and restored on the way out.
    """

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, datetime):
            return to_db_time(value)
        return value

    def python_value(self, value: Any) -> datetime | None:
        return from_db_time(value)


class JSONTextField(TextField):
    """JSON kept as text so that SQLite and PostgreSQL store it the same way."""

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(value)
