"""Who is on the shop right now (Magento's Now Online grid, reference A4 and B8).

One question, three readers: the Now Online screen (paged, through the SQL grid), ``custtui
online`` and the HTTP API. Rows are visits with activity inside the Online Minutes Interval,
joined to the signed-in customer when there is one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from peewee import JOIN, SQL, Case, fn

from custtui.models import Customer, Visit, Website
from custtui.models.db import is_postgres, is_sqlite
from custtui.services import clock, permissions, sessions
from custtui.services.actor import Actor
from custtui.services.errors import ValidationError

COLUMNS: tuple[tuple[str, str], ...] = (
    ("customer_id", "ID"),
    ("firstname", "First Name"),
    ("lastname", "Last Name"),
    ("email", "Email"),
    ("last_visit_at", "Last Activity"),
    ("type", "Type"),
    ("created_at", "Session Start"),
    ("remote_addr", "IP Address"),
    ("last_url", "Last URL"),
    ("website", "Web Site"),
)
LABELS = dict(COLUMNS)
TYPES = {"customer": "Customer", "visitor": "Visitor"}


@dataclass(frozen=True)
class OnlineQuery:
    """Filters and sort of the Now Online grid; every value already validated."""

    type: str | None = None
    id_from: int | None = None
    id_to: int | None = None
    firstname: str | None = None
    lastname: str | None = None
    email: str | None = None
    active_from: datetime | None = None
    active_to: datetime | None = None
    website_id: int | None = None
    sort: str = "last_visit_at"
    descending: bool = True
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def with_sort(self, key: str) -> OnlineQuery:
        if key not in LABELS:
            raise ValidationError("sort", f"Cannot sort by {key!r}.")
        descending = not self.descending if key == self.sort else key == "last_visit_at"
        return replace(self, sort=key, descending=descending)


@dataclass(frozen=True)
class OnlineRow:
    visit_id: int
    customer_id: int | None
    firstname: str
    lastname: str
    email: str
    last_visit_at: datetime
    type: str
    created_at: datetime
    remote_addr: str
    last_url: str
    website: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "visit_id": self.visit_id,
            "customer_id": self.customer_id,
            "firstname": self.firstname,
            "lastname": self.lastname,
            "email": self.email,
            "last_activity": self.last_visit_at.isoformat(),
            "type": self.type,
            "session_start": self.created_at.isoformat(),
            "ip_address": self.remote_addr,
            "last_url": self.last_url,
            "website": self.website,
        }


def parse(values: dict[str, str], tz: Any = None) -> OnlineQuery:
    """Turn the filter form (or CLI flags) into a query; errors name their field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    kind = (values.get("type") or "").strip().lower()
    if kind:
        if kind not in TYPES:
            errors["type"] = "Type must be Customer or Visitor."
        out["type"] = kind
    for key in ("id_from", "id_to"):
        text = (values.get(key) or "").strip()
        if text:
            if not text.isdigit() or len(text) > 18:
                errors[key] = f"ID {'from' if key == 'id_from' else 'to'} must be a whole number."
            else:
                out[key] = int(text)
    for key in ("firstname", "lastname", "email"):
        text = (values.get(key) or "").strip()
        if len(text) > 255:
            errors[key] = f"{LABELS[key]} is longer than 255 characters."
        elif text:
            out[key] = text
    for key in ("active_from", "active_to"):
        text = (values.get(key) or "").strip()
        if text:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                errors[key] = (
                    f"Last Activity {'from' if key == 'active_from' else 'to'} must be a time "
                    "like 2026-12-07 14:30."
                )
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz or clock.now().tzinfo)
            out[key] = moment
    if "active_from" in out and "active_to" in out and out["active_to"] < out["active_from"]:
        errors["active_to"] = "Last Activity to is before Last Activity from."
    website = (values.get("website") or "").strip()
    if website:
        site = Website.get_or_none(Website.code == website)
        if site is None:
            errors["website"] = f"Unknown website {website[:64]!r}."
        else:
            out["website_id"] = site.id
    if errors:
        raise ValidationError(errors)
    return OnlineQuery(**out)


def _where(query: OnlineQuery, since: datetime) -> Any:
    condition = Visit.last_visit_at >= since
    if query.type == "customer":
        condition &= Visit.customer.is_null(False)
    elif query.type == "visitor":
        condition &= Visit.customer.is_null(True)
    if query.id_from is not None:
        condition &= Visit.customer >= query.id_from
    if query.id_to is not None:
        condition &= Visit.customer <= query.id_to
    for key in ("firstname", "lastname", "email"):
        text = getattr(query, key)
        if text:
            condition &= getattr(Customer, key).contains(text)
    if query.active_from is not None:
        condition &= Visit.last_visit_at >= query.active_from
    if query.active_to is not None:
        condition &= Visit.last_visit_at <= query.active_to
    if query.website_id is not None:
        condition &= Visit.website == query.website_id
    return condition


def _needs_customer(query: OnlineQuery) -> bool:
    """Counting needs the customer table only for name and email filters; joining it anyway
    costs one primary-key lookup per online visit (35 ms for 20,000 visits on a 1 M shop)."""
    return bool(query.firstname or query.lastname or query.email)


def _order(query: OnlineQuery) -> list[Any]:
    column = {
        "customer_id": Visit.customer,
        "firstname": Customer.firstname,
        "lastname": Customer.lastname,
        "email": Customer.email,
        "last_visit_at": Visit.last_visit_at,
        "type": Case(None, [(Visit.customer.is_null(True), 1)], 0),
        "created_at": Visit.created_at,
        "remote_addr": Visit.remote_addr,
        "last_url": Visit.last_url,
        "website": Visit.website,
    }[query.sort]
    first = column.desc() if query.descending else column.asc()
    tie = Visit.id.desc() if query.descending else Visit.id.asc()
    return [first, tie]


class OnlineSource:
    """Count and pages of one question, at one "now" (so paging is consistent)."""

    def __init__(self, query: OnlineQuery, now: datetime | None = None) -> None:
        self.query = query
        self.now = now or clock.now()
        self.minutes = sessions.online_minutes()
        self.since = self.now - timedelta(minutes=self.minutes)
        self._sites = {w.id: w.name for w in Website.select(Website.id, Website.name)}

    def _base(self, *columns: Any, query: OnlineQuery | None = None, join: bool = True) -> Any:
        query = query or self.query
        select = Visit.select(*columns)
        if join or _needs_customer(query):
            select = select.join(Customer, JOIN.LEFT_OUTER, on=(Visit.customer == Customer.id))
        return select.where(_where(query, self.since))

    def count(self) -> int:
        return int(self._base(fn.COUNT(Visit.id), join=False).scalar() or 0)

    def counts(self) -> tuple[int, int]:
        """(customers, visitors) online, ignoring the type filter (one pass, no grouping:
        with the visit index on (last_visit_at, customer_id, created_at) it reads the index
        only)."""
        plain = replace(self.query, type=None)
        total, customers = self._base(
            fn.COUNT(Visit.id), fn.COUNT(Visit.customer), query=plain, join=False
        ).tuples()[0]
        return int(customers or 0), int(total or 0) - int(customers or 0)

    def page(self, offset: int, limit: int) -> list[OnlineRow]:
        rows = (
            self._base(
                Visit.id,
                Visit.customer,
                Customer.firstname,
                Customer.lastname,
                Customer.email,
                Visit.last_visit_at,
                Visit.created_at,
                Visit.remote_addr,
                Visit.last_url,
                Visit.website,
            )
            .order_by(*_order(self.query))
            .offset(offset)
            .limit(limit)
            .objects()
        )
        out = []
        for row in rows:
            customer_id = row.customer_id  # the raw id: ``row.customer`` would query per row
            out.append(
                OnlineRow(
                    visit_id=row.id,
                    customer_id=customer_id,
                    firstname=getattr(row, "firstname", None) or "",
                    lastname=getattr(row, "lastname", None) or "",
                    email=getattr(row, "email", None) or "",
                    last_visit_at=row.last_visit_at,
                    type=TYPES["customer" if customer_id else "visitor"],
                    created_at=row.created_at,
                    remote_addr=row.remote_addr or "",
                    last_url=row.last_url or "",
                    website=self._sites.get(row.website_id, str(row.website_id)),
                )
            )
        return out


def websites() -> list[tuple[str, str]]:
    """(code, name) of every website, for the Web Site filter (codes are what ``parse`` takes)."""
    return [
        (w.code, w.name)
        for w in Website.select(Website.code, Website.name).order_by(Website.sort_order, Website.id)
    ]


def open_source(actor: Actor, query: OnlineQuery, now: datetime | None = None) -> OnlineSource:
    """The Now Online question as *actor* may ask it (Magento_Customer::online)."""
    permissions.require(actor, permissions.CUSTOMERS_ONLINE)
    return OnlineSource(query, now)


@dataclass(frozen=True)
class OnlineSnapshot:
    """One refresh of Now Online: the totals, the pages asked for and the last hour, all read
    for the same "now"."""

    source: OnlineSource
    total: int
    customers: int
    visitors: int
    pages: dict[int, list[OnlineRow]]
    """Page number → rows, for the pages the caller asked for that exist."""
    history: tuple[int, ...]

    @property
    def now(self) -> datetime:
        return self.source.now

    @property
    def minutes(self) -> int:
        """The Online Minutes Interval the rows were chosen with."""
        return self.source.minutes


def snapshot(
    actor: Actor,
    query: OnlineQuery,
    *,
    pages: Sequence[int] = (0,),
    page_size: int = 100,
    history_minutes: int = 60,
    now: datetime | None = None,
) -> OnlineSnapshot:
    """Everything the Now Online screen shows after one refresh, in one call (so the screen,
    the CLI and the benchmark measure the same thing).

    *pages* are page numbers of *page_size* rows (the screen asks for the pages around its
    cursor so it can find the row it was on). The reads are not one transaction — a write
    transaction would block the shop — so the total is lowered when a page comes back short.
    """
    source = open_source(actor, query, now)
    total = source.count()
    customers, visitors = source.counts()
    fetched: dict[int, list[OnlineRow]] = {}
    for number in sorted(set(pages)):
        if number < 0 or (number and number * page_size >= total):
            continue
        rows = source.page(number * page_size, page_size)
        fetched[number] = rows
        if len(rows) < page_size:
            total = min(total, number * page_size + len(rows))
    chart = tuple(history(history_minutes, source.now)) if history_minutes > 0 else ()
    return OnlineSnapshot(source, total, customers, visitors, fetched, chart)


def history(minutes: int = 60, now: datetime | None = None) -> Sequence[int]:
    """How many were online at each minute of the last *minutes* (oldest first).

    A visit counts at minute *t* when it had started by *t* and its last activity is within the
    online interval before *t* — what Now Online would have listed then, as far as the visit
    table still knows (activity between start and last activity is not stored).

    Since last activity ≥ start of a visit, "last < t − window" implies "started by t", so the
    count at *t* is #(started by t) − #(last activity before t − window). Both are prefix sums
    over per-minute buckets, which the database computes (two grouped index scans, about
    10 ms for 20,000 online visits) instead of handing every visit to Python.
    """
    now = now or clock.now()
    window = sessions.online_minutes()
    start = now - timedelta(minutes=minutes)
    epoch = _epoch_seconds()
    if epoch is None:
        return _history_in_python(minutes, now, window)
    base = int(start.timestamp())
    # Started at s (seconds after `start`): counted from mark k = ceil(s / 60) on; anything
    # started before `start` (s ≤ 0, bucket ≤ 0) at every mark.
    started = (epoch(Visit.created_at) - base + 59) / 60
    # Last activity at l: no longer counted from mark k = (l − start + window) // 60 + 1 on.
    ended = (epoch(Visit.last_visit_at) - base + window * 60) / 60 + 1
    since = start - timedelta(minutes=window)
    started_rows = (
        Visit.select(started.alias("b"), fn.COUNT(Visit.id))
        .where(Visit.last_visit_at >= since)
        .group_by(SQL("b"))
        .tuples()
    )
    ended_rows = (
        Visit.select(ended.alias("b"), fn.COUNT(Visit.id))
        .where(
            (Visit.last_visit_at >= since) & (Visit.last_visit_at < now - timedelta(minutes=window))
        )
        .group_by(SQL("b"))
        .tuples()
    )
    steps = [0] * (minutes + 2)
    for bucket, number in started_rows:
        steps[min(max(int(bucket), 0), minutes + 1)] += int(number)
    for bucket, number in ended_rows:
        steps[min(max(int(bucket), 0), minutes + 1)] -= int(number)
    out, running = [], steps[0]
    for k in range(1, minutes + 1):
        running += steps[k]
        out.append(running)
    return out


def _epoch_seconds() -> Any:
    """``column → whole seconds since 1970`` in SQL for this database, or None when the
    backend has no known spelling (then history is counted in Python)."""
    if is_sqlite():
        import sqlite3

        if sqlite3.sqlite_version_info >= (3, 38, 0):
            return lambda column: fn.unixepoch(column)
        return lambda column: fn.strftime("%s", column).cast("INTEGER")
    if is_postgres():
        return lambda column: fn.date_part(SQL("'epoch'"), column).cast("BIGINT")
    return None


def _history_in_python(minutes: int, now: datetime, window_minutes: int) -> list[int]:
    window = timedelta(minutes=window_minutes)
    start = now - timedelta(minutes=minutes)
    spans = list(
        Visit.select(Visit.created_at, Visit.last_visit_at)
        .where(Visit.last_visit_at >= start - window)
        .tuples()
    )
    started = sorted(created for created, _ in spans)
    last = sorted(seen for _, seen in spans)
    marks = [start + timedelta(minutes=i + 1) for i in range(minutes)]
    return [bisect_right(started, t) - bisect_left(last, t - window) for t in marks]
