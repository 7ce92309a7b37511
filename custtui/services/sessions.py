"""Customer sessions as the storefront reports them: visits, sign-in log, presence and
Force Sign-In.

A visit is one browser session (Magento ``customer_visitor``); a customer is "online" while a
visit bound to them had activity within the Online Minutes Interval (reference B8). The TUI,
the CLI and the storefront API all read and write sessions through this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import fn

from custtui.models import Customer, CustomerLog, Visit
from custtui.models.db import database
from custtui.services import audit, clock, config, permissions
from custtui.services.actor import Actor
from custtui.services.errors import NotFound


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
