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

from peewee import JOIN, Case, fn

from custtui.models import Customer, Visit, Website
from custtui.services import clock, sessions
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
        self.since = self.now - timedelta(minutes=sessions.online_minutes())
        self._sites = {w.id: w.name for w in Website.select(Website.id, Website.name)}

    def _base(self, *columns: Any) -> Any:
        return (
            Visit.select(*columns)
            .join(Customer, JOIN.LEFT_OUTER, on=(Visit.customer == Customer.id))
            .where(_where(self.query, self.since))
        )

    def count(self) -> int:
        return int(self._base(fn.COUNT(Visit.id)).scalar() or 0)

    def counts(self) -> tuple[int, int]:
        """(customers, visitors) online, ignoring the type filter."""
        plain = replace(self.query, type=None)
        rows = (
            Visit.select(Visit.customer.is_null(True).alias("guest"), fn.COUNT(Visit.id))
            .join(Customer, JOIN.LEFT_OUTER, on=(Visit.customer == Customer.id))
            .where(_where(plain, self.since))
            .group_by(Visit.customer.is_null(True))
            .tuples()
        )
        customers = visitors = 0
        for guest, number in rows:
            if guest:
                visitors = int(number)
            else:
                customers = int(number)
        return customers, visitors

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
            customer = getattr(row, "customer", None)
            customer_id = customer.id if customer is not None else None
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


def history(minutes: int = 60, now: datetime | None = None) -> Sequence[int]:
    """How many were online at each minute of the last *minutes* (oldest first).

    A visit counts at minute *t* when it had started by *t* and its last activity is within the
    online interval before *t* — what Now Online would have listed then, as far as the visit
    table still knows (activity between start and last activity is not stored).
    """
    now = now or clock.now()
    window = timedelta(minutes=sessions.online_minutes())
    start = now - timedelta(minutes=minutes)
    spans = list(
        Visit.select(Visit.created_at, Visit.last_visit_at)
        .where(Visit.last_visit_at >= start - window)
        .tuples()
    )
    # Online at t ⇔ started by t and last activity ≥ t − window. Since last ≥ start of a visit,
    # "last < t − window" implies "started by t", so the count is a difference of two ranks.
    started = sorted(created for created, _ in spans)
    last = sorted(seen for _, seen in spans)
    marks = [start + timedelta(minutes=i + 1) for i in range(minutes)]
    return [bisect_right(started, t) - bisect_left(last, t - window) for t in marks]
