"""The All Customers query source: search, filters, sort, count and pages over ``customer_grid``.

The grid never loads more than a page. Every query is one statement against the flat grid
table (plus the FTS5 trigram index for substring search), built from whitelisted column
names and bound parameters only. Deep pages use a deferred join (sort the ids through an
index, then fetch the few rows) and, past the middle, walk the index from the other end, so
"jump to the last row" of a million costs what the first page costs.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from custtui.models.db import database, is_postgres
from custtui.models.fields import to_db_time
from custtui.models.migrations import SEARCH_COLUMNS, postgres_search_expression
from custtui.services.errors import ValidationError
from custtui.services.grid_columns import (
    COLUMNS_BY_KEY,
    DEFAULT_COLUMNS,
    RAW_COLUMNS,
    FilterKind,
    Lookups,
    format_value,
)

MAX_SEARCH_LENGTH = 1000
"""Longer keyword text is refused with a message (a 10,000-character paste is a mistake)."""

TRIGRAM = 3
"""The FTS5 trigram index can only match terms of at least three characters."""


@dataclass(frozen=True)
class Sort:
    key: str = "id"
    descending: bool = False


@dataclass(frozen=True)
class GridQuery:
    """What the agent asked for: keyword search, per-column filters and the sort.

    Filters map a column key to: ``(from, to)`` strings for ID and date ranges (either may be
    empty), a string for text filters, and the chosen value for selects.
    """

    search: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    sort: Sort = field(default_factory=Sort)

    def with_search(self, text: str) -> GridQuery:
        return replace(self, search=text)

    def with_sort(self, sort: Sort) -> GridQuery:
        return replace(self, sort=sort)

    def with_filters(self, filters: Mapping[str, Any]) -> GridQuery:
        return replace(self, filters=dict(filters))

    def to_state(self) -> dict[str, Any]:
        """A JSON-friendly form (saved views)."""
        return {
            "search": self.search,
            "filters": {k: list(v) if isinstance(v, tuple) else v for k, v in self.filters.items()},
            "sort": {"key": self.sort.key, "descending": self.sort.descending},
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> GridQuery:
        sort = state.get("sort") or {}
        filters = {
            k: tuple(v) if isinstance(v, list) else v
            for k, v in (state.get("filters") or {}).items()
        }
        key = sort.get("key", "id")
        return cls(
            search=str(state.get("search") or ""),
            filters={k: v for k, v in filters.items() if k in COLUMNS_BY_KEY},
            sort=Sort(key if key in COLUMNS_BY_KEY else "id", bool(sort.get("descending"))),
        )


@dataclass
class Where:
    """A WHERE clause under construction: SQL fragments with their bound parameters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    match: list[str] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_phrase(text: str) -> str:
    """A term as an FTS5 string literal: everything inside is data, never query syntax."""
    return '"' + text.replace('"', '""') + '"'


def _terms(text: str) -> list[str]:
    return [t for t in re.split(r"\s+", text.strip()) if t]


def _param() -> str:
    return database.obj.param


def _like(column_sql: str, text: str, where: Where) -> None:
    p = _param()
    if is_postgres():
        where.add(f"{column_sql} ILIKE {p} ESCAPE '\\'", f"%{_escape_like(text)}%")
    else:
        where.add(f"{column_sql} LIKE {p} ESCAPE '\\'", f"%{_escape_like(text)}%")


def _add_search(text: str, where: Where) -> None:
    if len(text) > MAX_SEARCH_LENGTH:
        raise ValidationError(
            "search", f"is {len(text):,} characters long; search for at most {MAX_SEARCH_LENGTH:,}"
        )
    p = _param()
    for term in _terms(text):
        if is_postgres():
            where.add(
                f"{postgres_search_expression()} LIKE {p} ESCAPE '\\'",
                f"%{_escape_like(term.lower())}%",
            )
        elif len(term) >= TRIGRAM:
            where.match.append(_fts_phrase(term))
        else:
            ors = " OR ".join(f"{c} LIKE {p} ESCAPE '\\'" for c in SEARCH_COLUMNS)
            where.add(f"({ors})", *[f"%{_escape_like(term)}%"] * len(SEARCH_COLUMNS))


def _parse_int(field_name: str, label: str, text: str) -> int | None:
    text = str(text).strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise ValidationError(field_name, f"{label} must be a whole number, not {text[:40]!r}")
    return int(text)


def _parse_date(field_name: str, label: str, text: str) -> date | None:
    text = str(text).strip()
    if not text:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            field_name, f"{label} must be a real date as YYYY-MM-DD, not {text[:40]!r}"
        ) from None


def _range(value: Any) -> tuple[str, str]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[0] or ""), str(value[1] or "")
    raise ValidationError("filters", f"a range needs a from and a to value, not {value!r}")


def _add_filter(key: str, value: Any, where: Where, lookups: Lookups | None) -> None:
    col = COLUMNS_BY_KEY.get(key)
    if col is None:
        raise ValidationError(key, "is not a column of the customer grid")
    p = _param()
    label = col.label
    if col.filter is FilterKind.RANGE:
        low_text, high_text = _range(value)
        low = _parse_int(key, f"{label} from", low_text)
        high = _parse_int(key, f"{label} to", high_text)
        if low is not None and high is not None and low > high:
            raise ValidationError(key, f"{label} from ({low}) is greater than to ({high})")
        if low is not None:
            where.add(f"{key} >= {p}", low)
        if high is not None:
            where.add(f"{key} <= {p}", high)
    elif col.filter is FilterKind.DATE:
        low_text, high_text = _range(value)
        low = _parse_date(key, f"{label} from", low_text)
        high = _parse_date(key, f"{label} to", high_text)
        if low is not None and high is not None and low > high:
            raise ValidationError(key, f"{label} from ({low}) is after to ({high})")
        if key == "created_at":
            tz = lookups.tz if lookups else UTC

            def bound(day: date) -> str:
                return to_db_time(datetime(day.year, day.month, day.day, tzinfo=tz))

            if low is not None:
                where.add(f"{key} >= {p}", bound(low))
            if high is not None:
                where.add(f"{key} < {p}", bound(high + timedelta(days=1)))
        else:
            if low is not None:
                where.add(f"{key} >= {p}", low.isoformat())
            if high is not None:
                where.add(f"{key} <= {p}", high.isoformat())
    elif col.filter is FilterKind.TEXT:
        text = str(value).strip()
        if not text:
            return
        if len(text) > MAX_SEARCH_LENGTH:
            raise ValidationError(
                key, f"{label} filter is too long (at most {MAX_SEARCH_LENGTH:,})"
            )
        if key in SEARCH_COLUMNS and len(text) >= TRIGRAM and not is_postgres():
            where.match.append(f"{key} : {_fts_phrase(text)}")
        else:
            _like(key, text, where)
    elif col.filter is FilterKind.SELECT:
        if value is None or value == "":
            return
        if key == "billing_country_id":
            code = str(value).strip().upper()
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValidationError(key, f"{label} must be a two-letter country code")
            where.add(f"{key} = {p}", code)
        else:
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValidationError(key, f"{label} must be one of the listed choices") from None
            where.add(f"{key} = {p}", number)
    else:
        raise ValidationError(key, f"{label} cannot be filtered")


def build_where(query: GridQuery, lookups: Lookups | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause (without the keyword) and parameters for *query* over customer_grid.

    Raises :class:`ValidationError` naming the field when a filter value is unusable.
    """
    where = Where()
    if query.search.strip():
        _add_search(query.search, where)
    for key, value in query.filters.items():
        _add_filter(key, value, where, lookups)
    clauses = list(where.clauses)
    params = list(where.params)
    if where.match:
        clauses.insert(
            0, f"id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH {_param()})"
        )
        params.insert(0, " AND ".join(where.match))
    return (" AND ".join(clauses) if clauses else "1=1"), params


def order_by(sort: Sort, *, reverse: bool = False) -> str:
    """ORDER BY terms for *sort*; the id tie-break makes every order total (stable paging)."""
    if sort.key not in COLUMNS_BY_KEY:
        raise ValidationError("sort", f"cannot sort by {sort.key!r}")
    descending = sort.descending != reverse
    direction = "DESC" if descending else "ASC"
    keys = ["lastname", "firstname"] if sort.key == "name" else [sort.key]
    if sort.key != "id":
        keys.append("id")
    return ", ".join(f"{k} {direction}" for k in keys)


@dataclass(frozen=True)
class GridPage:
    offset: int
    rows: list[dict[str, Any]]


class GridSource:
    """Answers ``count()`` and ``page(offset, limit)`` for one :class:`GridQuery`.

    The count is cached (the grid asks for it once per query); pages are not, the widget keeps
    its own small LRU cache. Safe to use from a worker thread inside a connection context.
    """

    def __init__(self, query: GridQuery, lookups: Lookups | None = None) -> None:
        self.query = query
        self.lookups = lookups
        self.where_sql, self.params = build_where(query, lookups)
        self._count: int | None = None
        self._connection: Any = None
        self.cancelled = False

    def count(self) -> int:
        if self._count is None:
            self._connection = database.obj.connection()
            sql = f"SELECT count(*) FROM customer_grid WHERE {self.where_sql}"
            self._count = int(database.obj.execute_sql(sql, self.params).fetchone()[0])
        return self._count

    def cancel(self) -> None:
        """Stop a count that is still running (the agent typed on: its answer is not wanted).

        On SQLite the statement is interrupted and raises in its thread; elsewhere the result
        is simply discarded by the caller. Safe to call from any thread.
        """
        self.cancelled = True
        connection = self._connection
        if connection is not None and self._count is None and hasattr(connection, "interrupt"):
            with contextlib.suppress(Exception):  # already closed: nothing left to stop
                connection.interrupt()

    DIRECT_OFFSET = 2000
    """Below this many skipped rows one plain query is cheapest; deeper, the deferred join
    (sort ids through the index, then fetch a page of rows) avoids dragging whole rows past
    the offset."""

    def _window(self, offset: int, limit: int) -> tuple[bool, int, int] | None:
        """(reverse, start, limit) for rows offset…offset+limit, walking the index from the
        nearer end, or None when the window is empty."""
        if limit <= 0 or offset < 0:
            return None
        total = self.count()
        if offset >= total:
            return None
        limit = min(limit, total - offset)
        reverse = offset > total // 2
        return reverse, (total - offset - limit if reverse else offset), limit

    def ids(self, offset: int, limit: int) -> list[int]:
        """The ids of rows offset…offset+limit in order."""
        window = self._window(offset, limit)
        if window is None:
            return []
        reverse, start, limit = window
        p = _param()
        sql = (
            f"SELECT id FROM customer_grid WHERE {self.where_sql} "
            f"ORDER BY {order_by(self.query.sort, reverse=reverse)} LIMIT {p} OFFSET {p}"
        )
        ids = [r[0] for r in database.obj.execute_sql(sql, [*self.params, limit, start])]
        return ids[::-1] if reverse else ids

    def page(self, offset: int, limit: int) -> GridPage:
        """Rows offset…offset+limit as dicts of raw column values."""
        window = self._window(offset, limit)
        if window is None:
            return GridPage(offset, [])
        reverse, start, size = window
        if start >= self.DIRECT_OFFSET:
            return GridPage(offset, fetch_rows(self.ids(offset, limit)))
        p = _param()
        cursor = database.obj.execute_sql(
            f"SELECT {', '.join(RAW_COLUMNS)} FROM customer_grid WHERE {self.where_sql} "
            f"ORDER BY {order_by(self.query.sort, reverse=reverse)} LIMIT {p} OFFSET {p}",
            [*self.params, size, start],
        )
        rows = [dict(zip(RAW_COLUMNS, r, strict=True)) for r in cursor]
        return GridPage(offset, rows[::-1] if reverse else rows)

    def formatted(self, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> list[list[str]]:
        lookups = self.lookups or Lookups.load()
        return [[format_value(k, row.get(k), row, lookups) for k in keys] for row in rows]


def fetch_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Grid rows for *ids*, in the order given."""
    if not ids:
        return []
    marks = ", ".join([_param()] * len(ids))
    cols = ", ".join(RAW_COLUMNS)
    cursor = database.obj.execute_sql(
        f"SELECT {cols} FROM customer_grid WHERE id IN ({marks})", list(ids)
    )
    by_id = {r[0]: dict(zip(RAW_COLUMNS, r, strict=True)) for r in cursor}
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True)
class Selection:
    """Which customers a mass action or export applies to: explicit ids, or every row matching
    a query (optionally minus some the agent unticked)."""

    ids: frozenset[int] = frozenset()
    query: GridQuery | None = None
    excluded: frozenset[int] = frozenset()

    @classmethod
    def of(cls, ids: Sequence[int]) -> Selection:
        return cls(ids=frozenset(int(i) for i in ids))

    @classmethod
    def all_matching(cls, query: GridQuery, excluded: Sequence[int] = ()) -> Selection:
        return cls(query=query, excluded=frozenset(excluded))

    @property
    def is_all_matching(self) -> bool:
        return self.query is not None

    def where(self) -> tuple[str, list[Any]]:
        """SQL over ``customer_grid`` (column ``id``) choosing the selected customers."""
        p = _param()
        if self.query is None:
            if not self.ids:
                return "1=0", []
            ids = sorted(self.ids)
            return f"id IN ({', '.join([p] * len(ids))})", ids
        sql, params = build_where(self.query)
        if self.excluded:
            excluded = sorted(self.excluded)
            sql = f"({sql}) AND id NOT IN ({', '.join([p] * len(excluded))})"
            params = [*params, *excluded]
        return sql, params

    def chunks(self, size: int = 500) -> list[tuple[str, list[Any]]]:
        """:meth:`where` split so no statement binds more than *size* ids (SQLite caps the
        number of parameters; a shift-selected range can hold tens of thousands)."""
        if self.query is not None or len(self.ids) <= size:
            return [self.where()]
        ids = sorted(self.ids)
        p = _param()
        return [
            (f"id IN ({', '.join([p] * len(part))})", part)
            for part in (ids[i : i + size] for i in range(0, len(ids), size))
        ]

    def count(self) -> int:
        if self.query is None:
            return sum(self._count(sql, params) for sql, params in self.chunks())
        sql, params = self.where()
        return self._count(sql, params)

    @staticmethod
    def _count(sql: str, params: list[Any]) -> int:
        return int(
            database.obj.execute_sql(
                f"SELECT count(*) FROM customer_grid WHERE {sql}", params
            ).fetchone()[0]
        )


__all__ = [
    "DEFAULT_COLUMNS",
    "GridPage",
    "GridQuery",
    "GridSource",
    "Selection",
    "Sort",
    "build_where",
    "fetch_rows",
    "order_by",
]
