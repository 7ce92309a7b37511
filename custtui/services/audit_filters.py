"""Turning what a person typed — the Audit Log's filter bar or ``custtui audit``'s options —
into an :class:`~custtui.services.audit.AuditQuery`.

Every problem is reported at once, each under its field (``staff``, ``action``, ``since``,
``until``, ``customer``), so the screen can show it next to the field and the CLI can print
it. Values that would silently match nothing — a customer email nobody has or had, a staff
name or action that never occurs — are reported too: an empty list would look like "nothing
happened", which is a different answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

from custtui.models import AuditLog, Customer, Staff
from custtui.services import audit, config
from custtui.services.errors import ValidationError

T = TypeVar("T")

FIELDS = ("staff", "action", "since", "until", "customer")

DATE_HINT = "YYYY-MM-DD [HH:MM]"

_MOMENT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_CUSTOMER_ID = re.compile(r"#?\s*([0-9]{1,18})")


def display_timezone() -> tzinfo:
    """The shop's display timezone (``general/locale/timezone``), UTC if unset or unknown."""
    try:
        return ZoneInfo(config.get("general/locale/timezone") or "UTC")
    except (ValueError, KeyError):
        return UTC


@dataclass(frozen=True)
class _Moment:
    start: datetime
    """The instant the text names (aware UTC)."""
    end: datetime
    """The end of what it names, exclusive: the next day, minute or second."""


def _moment(text: str, tz: tzinfo) -> _Moment:
    match = _MOMENT.fullmatch(text)
    if match is None:
        raise ValueError(f"must be a date as {DATE_HINT}, not {text[:40]!r}")
    year, month, day, hour, minute, second = match.groups()
    try:
        local = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a real date or time ({DATE_HINT})") from None
    if hour is None:
        step = timedelta(days=1)
    elif second is None:
        step = timedelta(minutes=1)
    else:
        step = timedelta(seconds=1)
    # Local wall-clock arithmetic first, then the zone: "to 2026-03-29" ends at the next
    # local midnight even across a daylight-saving change.
    end = local + step
    return _Moment(local.replace(tzinfo=tz).astimezone(UTC), end.replace(tzinfo=tz).astimezone(UTC))


def _known(values: list[str], limit: int = 8) -> str:
    if not values:
        return "the log has no events yet"
    shown = ", ".join(values[:limit])
    return f"known: {shown}{', …' if len(values) > limit else ''}"


def _staff(text: str) -> str:
    if len(text) > 64:
        raise ValueError("is at most 64 characters")
    names = audit.staff_names()
    if text in names or Staff.select().where(Staff.username == text).exists():
        return text
    folded = [n for n in names if n.casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ValueError(f"no staff account and no events by {text!r} ({_known(names)})")


def _action(text: str) -> str:
    present = audit.actions()
    wanted = re.sub(r"[\s\-]+", "_", text.strip()).casefold()
    for action in present:
        if action.casefold() == wanted:
            return action
    raise ValueError(f"no events with the action {text[:64]!r} ({_known(present)})")


def _customer(text: str) -> tuple[int | None, str | None]:
    number = _CUSTOMER_ID.fullmatch(text)
    if number is not None:
        customer_id = int(number.group(1))
        exists = (
            Customer.select().where(Customer.id == customer_id).exists()
            or AuditLog.select().where(AuditLog.customer_id == customer_id).exists()
        )
        if not exists:
            raise ValueError(f"no customer #{customer_id}, and no events about one")
        return customer_id, None
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or len(text) > 255 or any(c.isspace() for c in text):
        raise ValueError(f"must be an email address or a customer ID, not {text[:40]!r}")
    if not audit.customer_ids_for_email(text):
        raise ValueError(f"no customer has the email {text!r}, and no deleted customer had it")
    return None, text


def parse_query(
    *,
    staff: str | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
    customer: str | None = None,
    tz: tzinfo | None = None,
) -> audit.AuditQuery:
    """The query for the typed filters (blank means "any"); dates and times are read in *tz*
    (default: the display timezone). "until" includes the day, minute or second it names.

    Raises :class:`ValidationError` with one message per bad field.
    """
    zone = tz or display_timezone()
    errors: dict[str, str] = {}

    def attempt(field: str, text: str | None, parse: Callable[[str], T]) -> T | None:
        cleaned = (text or "").strip()
        if not cleaned:
            return None
        try:
            return parse(cleaned)
        except ValueError as error:
            errors[field] = str(error)
            return None

    staff_name = attempt("staff", staff, _staff)
    action_name = attempt("action", action, _action)
    start = attempt("since", since, lambda text: _moment(text, zone))
    end = attempt("until", until, lambda text: _moment(text, zone))
    customer_id, customer_email = attempt("customer", customer, _customer) or (None, None)
    if start is not None and end is not None and end.end <= start.start:
        errors["until"] = (
            f"is before the start ({(until or '').strip()[:40]} is before "
            f"{(since or '').strip()[:40]})"
        )
    if errors:
        raise ValidationError({field: errors[field] for field in FIELDS if field in errors})
    return audit.AuditQuery(
        staff=staff_name,
        action=action_name,
        since=start.start if start is not None else None,
        until=end.end if end is not None else None,
        customer_id=customer_id,
        customer_email=customer_email,
    )
