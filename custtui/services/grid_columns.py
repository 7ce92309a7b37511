"""The All Customers grid's columns (reference A3): labels, filter kinds and how each value reads.

Column keys are the ``customer_grid`` column names, so a key is also the whitelist entry that
lets a column name into SQL. Formatting lives here, not in the widget, so the CLI, the CSV
export and the TUI show the same words ("Confirmation Required", "Locked", "Germany").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from custtui.models import CustomerGroup, Website
from custtui.models.fields import from_db_time
from custtui.services import clock, config
from custtui.services.countries import country_names


class FilterKind(StrEnum):
    """What kind of filter a column offers (Magento's textRange, text, dateRange, select)."""

    NONE = "none"
    RANGE = "range"
    TEXT = "text"
    DATE = "date"
    SELECT = "select"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    filter: FilterKind
    default_visible: bool
    width: int
    numeric: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", FilterKind.RANGE, True, 8, numeric=True),
    Column("name", "Name", FilterKind.TEXT, True, 24),
    Column("email", "Email", FilterKind.TEXT, True, 30),
    Column("group_id", "Group", FilterKind.SELECT, True, 12),
    Column("billing_telephone", "Phone", FilterKind.TEXT, True, 16),
    Column("billing_postcode", "ZIP", FilterKind.TEXT, True, 9),
    Column("billing_country_id", "Country", FilterKind.SELECT, True, 14),
    Column("billing_region", "State/Province", FilterKind.TEXT, True, 14),
    Column("created_at", "Customer Since", FilterKind.DATE, True, 16),
    Column("website_id", "Web Site", FilterKind.SELECT, True, 14),
    Column("confirmation", "Confirmed email", FilterKind.NONE, True, 21),
    Column("created_in", "Account Created in", FilterKind.NONE, True, 18),
    Column("billing_full", "Billing Address", FilterKind.NONE, False, 40),
    Column("shipping_full", "Shipping Address", FilterKind.NONE, False, 40),
    Column("dob", "Date of Birth", FilterKind.DATE, True, 12),
    Column("taxvat", "Tax VAT Number", FilterKind.TEXT, True, 14),
    Column("gender", "Gender", FilterKind.SELECT, True, 14),
    Column("billing_street", "Street Address", FilterKind.NONE, False, 28),
    Column("billing_city", "City", FilterKind.TEXT, False, 16),
    Column("billing_fax", "Fax", FilterKind.TEXT, False, 14),
    Column("billing_vat_id", "VAT Number", FilterKind.TEXT, False, 14),
    Column("billing_company", "Company", FilterKind.TEXT, False, 20),
    Column("billing_firstname", "Billing Firstname", FilterKind.TEXT, False, 16),
    Column("billing_lastname", "Billing Lastname", FilterKind.TEXT, False, 16),
    Column("lock_expires", "Account Lock", FilterKind.NONE, False, 12),
)
"""Every column in Magento's order (``customer_listing.xml`` sortOrder)."""

COLUMNS_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
DEFAULT_COLUMNS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.default_visible)
RAW_COLUMNS: tuple[str, ...] = tuple(c.key for c in COLUMNS)

GENDERS: dict[int, str] = {1: "Male", 2: "Female", 3: "Not Specified"}


def column(key: str) -> Column:
    try:
        return COLUMNS_BY_KEY[key]
    except KeyError:
        raise KeyError(f"Unknown grid column: {key}") from None


def _timezone() -> tzinfo:
    try:
        return ZoneInfo(config.get("general/locale/timezone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass
class Lookups:
    """The names behind ids (groups, websites, countries) and the settings that decide how
    "Confirmed email" reads, loaded once per grid refresh instead of once per row."""

    groups: dict[int, str] = field(default_factory=dict)
    websites: dict[int, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    confirm_websites: set[int] = field(default_factory=set)
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            groups={g.id: g.code for g in CustomerGroup.select().order_by(CustomerGroup.id)},
            websites={
                w.id: w.name for w in Website.select().order_by(Website.sort_order, Website.id)
            },
            countries=country_names(),
            confirm_websites=config.confirmation_required_websites(),
            tz=_timezone(),
        )

    def select_options(self, key: str) -> list[tuple[str, Any]]:
        """(label, value) pairs for a select filter."""
        if key == "group_id":
            return [(name, gid) for gid, name in self.groups.items()]
        if key == "website_id":
            return [(name, wid) for wid, name in self.websites.items()]
        if key == "gender":
            return [(name, gid) for gid, name in GENDERS.items()]
        if key == "billing_country_id":
            return sorted(((name, code) for code, name in self.countries.items()))
        raise KeyError(key)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _dob(value: Any) -> str:
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day:%b} {day.day}, {day.year}"


def format_value(key: str, value: Any, row: Mapping[str, Any], lookups: Lookups) -> str:
    """How one grid cell reads (plain text: callers must never treat it as markup)."""
    if key == "group_id":
        return lookups.groups.get(value, _text(value))
    if key == "website_id":
        return lookups.websites.get(value, _text(value))
    if key == "billing_country_id":
        return lookups.countries.get(value, _text(value)) if value else ""
    if key == "gender":
        return GENDERS.get(value, "") if value is not None else ""
    if key == "created_at":
        moment = from_db_time(value) if not isinstance(value, datetime) else value
        return moment.astimezone(lookups.tz).strftime("%Y-%m-%d %H:%M") if moment else ""
    if key == "dob":
        return _dob(value)
    if key == "confirmation":
        if row.get("website_id") not in lookups.confirm_websites:
            return "Confirmation Not Required"
        return "Confirmed" if not value else "Confirmation Required"
    if key == "lock_expires":
        moment = from_db_time(value) if not isinstance(value, datetime) else value
        return "Locked" if moment is not None and moment > clock.now() else "Unlocked"
    if key == "billing_street":
        return _text(value).replace("\n", ", ")
    return _text(value)
