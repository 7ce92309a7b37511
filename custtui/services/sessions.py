"""Customer sessions as the storefront reports them: visits, sign-in log, presence and
Force Sign-In.

A visit is one browser session (Magento ``customer_visitor``); a customer is "online" while a
visit bound to them had activity within the Online Minutes Interval (reference B8). The TUI,
the CLI and the storefront API all read and write sessions through this module.
"""

from __future__ import annotations

import functools
import ipaddress
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import fn

from custtui.models import Customer, CustomerLog, Visit
from custtui.models.db import database
from custtui.services import audit, clock, config, permissions
from custtui.services.actor import Actor
from custtui.services.errors import NotFound, ValidationError


def online_minutes() -> int:
    """The look-back window in minutes; empty or 0 means Magento's default of 15."""
    try:
        minutes = int(config.get("customer/online_customers/online_minutes_interval").strip())
    except ValueError:
        minutes = 0
    return minutes if minutes > 0 else 15


def online_since() -> datetime:
    """Activity at or after this instant counts as "online now"."""
    return clock.now() - timedelta(minutes=online_minutes())


@dataclass(frozen=True)
class Presence:
    """What Customer View says about the customer's sessions."""

    online: bool
    last_login_at: datetime | None
    last_logout_at: datetime | None
    last_activity_at: datetime | None

    def last_logged_in(self, show: Callable[[datetime], str]) -> str:
        """Magento's "Last Logged In" wording: "Now (Online)", "<when> (Offline)" or
        "Never (Offline)"; *show* formats a UTC time for the reader's timezone."""
        if self.online:
            return "Now (Online)"
        if self.last_login_at is None:
            return "Never (Offline)"
        return f"{show(self.last_login_at)} (Offline)"


def presence(customer_id: int) -> Presence:
    log = CustomerLog.get_or_none(CustomerLog.customer == customer_id)
    last_activity = (
        Visit.select(fn.MAX(Visit.last_visit_at)).where(Visit.customer == customer_id).scalar()
    )
    if isinstance(last_activity, str):  # SQLite MAX() bypasses the field's converter
        last_activity = Visit.last_visit_at.python_value(last_activity)
    online = last_activity is not None and last_activity >= online_since()
    return Presence(
        online=online,
        last_login_at=log.last_login_at if log else None,
        last_logout_at=log.last_logout_at if log else None,
        last_activity_at=last_activity,
    )


def force_sign_in(actor: Actor, customer_id: int) -> int:
    """End every session of the customer (Magento's Force Sign-In): their visits are unbound,
    sessions started before now are invalid (``session_cutoff``) and the sign-out is logged.
    Returns the number of visits that were signed in."""
    permissions.require(actor, permissions.CUSTOMERS_FORCE_SIGN_IN)
    if not Customer.select().where(Customer.id == customer_id).exists():
        raise NotFound(f"Customer {customer_id} does not exist (it may have been deleted).")
    now = clock.now()
    with database.obj.atomic():
        ended = Visit.update(customer=None).where(Visit.customer == customer_id).execute()
        Customer.update(session_cutoff=now).where(Customer.id == customer_id).execute()
        (
            CustomerLog.insert(customer=customer_id, last_logout_at=now)
            .on_conflict(
                conflict_target=[CustomerLog.customer],
                update={CustomerLog.last_logout_at: now},
            )
            .execute()
        )
        audit.record(
            actor,
            "force_sign_in",
            entity_id=customer_id,
            customer_id=customer_id,
            note=f"{ended} active session(s) ended" if ended else "no active sessions",
        )
    return int(ended)


# -- visits reported by the storefront ---------------------------------------------------
EVENT_TYPES = {
    "page_view": False,
    "search": False,
    "add_to_cart": True,
    "update_cart": True,
    "remove_from_cart": True,
    "checkout": True,
    "place_order": True,
    "add_to_wishlist": True,
    "form_post": True,
}
"""Event type → whether it refreshes the visit's last activity. As in Magento, only
state-changing requests do; page views only move Last URL."""

MAX_URL, MAX_AGENT, MAX_ADDR = 2048, 512, 45


def _check_text(field: str, value: Any, limit: int, errors: dict[str, str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = f"{field} must be a string."
        return None
    if len(value) > limit:
        errors[field] = f"{field} is longer than {limit} characters."
        return None
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        errors[field] = f"{field} must not contain control characters."
        return None
    return value or None


def start_visit(
    website_id: int,
    *,
    url: Any = None,
    remote_addr: Any = None,
    user_agent: Any = None,
) -> int:
    """A new browser session on *website_id*; returns its id."""
    errors: dict[str, str] = {}
    url = _check_text("url", url, MAX_URL, errors)
    user_agent = _check_text("user_agent", user_agent, MAX_AGENT, errors)
    remote_addr = _check_text("remote_addr", remote_addr, MAX_ADDR, errors)
    if remote_addr is not None:
        try:
            remote_addr = str(ipaddress.ip_address(remote_addr))
        except ValueError:
            errors["remote_addr"] = "remote_addr is not an IP address."
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    with database.obj.atomic():
        return int(
            Visit.insert(
                website=website_id,
                created_at=now,
                last_visit_at=now,
                last_url=url,
                remote_addr=remote_addr,
                user_agent=user_agent,
            ).execute()
        )


@functools.cache
def _event_update_sql(quote: str, param: str, activity: bool, url: bool) -> str:
    """``UPDATE visit SET [last_visit_at = ?,] [last_url = ?] WHERE id = ?`` in the
    database's quoting and parameter style."""

    def name(text: str) -> str:
        return quote[0] + text + quote[1]

    columns = [Visit.last_visit_at] * activity + [Visit.last_url] * url
    assignments = ", ".join(f"{name(column.column_name)} = {param}" for column in columns)
    return (
        f"UPDATE {name(Visit._meta.table_name)} SET {assignments} "
        f"WHERE {name(Visit.id.column_name)} = {param}"
    )


def record_event(visit_id: int, event_type: Any, *, url: Any = None) -> None:
    """One storefront event on a visit (raises NotFound for an unknown or purged visit)."""
    errors: dict[str, str] = {}
    if event_type not in EVENT_TYPES:
        errors["type"] = f"type must be one of: {', '.join(EVENT_TYPES)}."
    url = _check_text("url", url, MAX_URL, errors)
    if errors:
        raise ValidationError(errors)
    # The storefront's hottest write: the UPDATE Peewee would build, without building it
    # each time (that took longer than running it).
    activity = EVENT_TYPES[event_type]
    params: list[Any] = []
    if activity:
        params.append(Visit.last_visit_at.db_value(clock.now()))
    if url is not None:
        params.append(Visit.last_url.db_value(url))
    params.append(Visit.id.db_value(visit_id))
    db = database.obj
    with db.atomic():
        if activity or url is not None:
            sql = _event_update_sql(db.quote, db.param, activity, url is not None)
            found = db.rows_affected(db.execute_sql(sql, params))
        else:
            found = Visit.select().where(Visit.id == visit_id).exists()
    if not found:
        raise NotFound(f"Visit {visit_id} does not exist (it may have expired).")


def purge_before() -> datetime:
    """Visits whose last activity is older than this are gone for good: the cookie lifetime
    plus one day, as Magento's ``visitor_clean`` cron (reference B8)."""
    lifetime = config.get_int("web/cookie/cookie_lifetime") or 3600
    return clock.now() - timedelta(seconds=lifetime + 86400)


def purge_visits(batch: int = 5000) -> int:
    """Delete expired visits in small transactions (safe to run from cron while the shop is
    busy); returns how many were deleted."""
    cutoff = purge_before()
    total = 0
    while True:
        with database.obj.atomic():
            ids = [
                v.id
                for v in Visit.select(Visit.id).where(Visit.last_visit_at < cutoff).limit(batch)
            ]
            if not ids:
                return total
            total += Visit.delete().where(Visit.id.in_(ids)).execute()
