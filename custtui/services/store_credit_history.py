"""Reading store credit: one customer's Balance History page by page, the balance over time
for the chart, and what the customer may see of it (storefront and API).

Pages read only the ``(customer_id, id)`` index (all websites) or the ``balance_id`` index (one
website), so the newest page and the thousandth cost about the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from custtui.models import StoreCreditBalance, StoreCreditHistory, Website
from custtui.models.db import database
from custtui.models.fields import from_db_time
from custtui.services import config
from custtui.services.store_credit import (
    PATH_SHOW_HISTORY,
    Balance,
    Movement,
    adjustable_website_ids,
    balances,
    get_customer,
    is_enabled,
    store_views,
    website_names,
)


@dataclass
class HistorySource:
    """``count()`` and ``page(offset, limit)`` of one customer's Balance History, newest first
    (optionally one website), for the grid and ``custtui credit show``. Reads only the
    ``(customer_id, id)`` or ``balance_id`` index, so a page is quick at any depth."""

    customer_id: int
    website_id: int | None = None
    _balance_id: int | None = field(default=None, init=False)
    _count: int | None = field(default=None, init=False)
    _sites: dict[int, tuple[str, str, str]] = field(default_factory=dict, init=False)

    def _where(self) -> Any:
        if self.website_id is None:
            return StoreCreditHistory.customer == self.customer_id
        return StoreCreditHistory.balance == self._where_balance_id()

    def _where_balance_id(self) -> int:
        """The id of the customer's balance on ``website_id`` (-1 when there is none)."""
        if self._balance_id is None:
            row = (
                StoreCreditBalance.select(StoreCreditBalance.id)
                .where(
                    (StoreCreditBalance.customer == self.customer_id)
                    & (StoreCreditBalance.website == self.website_id)
                )
                .first()
            )
            self._balance_id = row.id if row is not None else -1
        return self._balance_id

    def count(self) -> int:
        if self._count is None:
            self._count = int(StoreCreditHistory.select().where(self._where()).count())
        return self._count

    def page(self, offset: int, limit: int) -> list[Movement]:
        if limit <= 0 or offset < 0:
            return []
        if not self._sites:
            self._sites = website_names()
        p = database.obj.param
        by = "h.customer_id" if self.website_id is None else "h.balance_id"
        key = self.customer_id if self.website_id is None else self._where_balance_id()
        # One parameterised statement straight to the cursor: building a peewee query and a
        # model per row was most of a page's time (bench/credit.py: 2.8 ms per 100 rows,
        # raw sqlite3 0.16 ms).
        cursor = database.obj.execute_sql(
            f"SELECT {_PAGE_SELECT} FROM store_credit_history h "
            f"JOIN store_credit_balance b ON b.id = h.balance_id WHERE {by} = {p} "
            f"ORDER BY h.id DESC LIMIT {p} OFFSET {p}",
            (key, limit, offset),
        )
        sites = self._sites
        movements = []
        for row in cursor.fetchall():
            values = dict(zip(_PAGE_NAMES, row, strict=True))
            website_id = int(values.pop("website_id"))
            _code, name, currency = sites.get(website_id, ("", f"Website {website_id}", "USD"))
            values["customer_notified"] = bool(values["customer_notified"])
            values["created_at"] = from_db_time(values["created_at"])
            movements.append(
                Movement(website_id=website_id, website_name=name, currency_code=currency, **values)
            )
        return movements


_PAGE_NAMES = (
    "history_id",
    "balance_id",
    "customer_id",
    "action",
    "delta",
    "balance_after",
    "additional_info",
    "customer_notified",
    "created_at",
    "request_id",
    "staff_username",
    "order_id",
    "creditmemo_id",
    "website_id",
)
_PAGE_SELECT = ", ".join(
    [
        "h.id",
        *(f"h.{name}" for name in _PAGE_NAMES[1:-1]),
        "b.website_id",
    ]
)


def history(
    customer_id: int, website_id: int | None = None, offset: int = 0, limit: int = 50
) -> list[Movement]:
    """Balance History, newest first."""
    return HistorySource(customer_id, website_id).page(offset, limit)


def balance_series(customer_id: int, website_id: int, points: int = 120) -> list[int]:
    """The balance after each movement, oldest first, thinned to at most *points* + 1 values
    (the balance at the end of each equal run of movements, and the latest) — the chart of
    the balance over time. One indexed scan with a window function, also at 100,000 rows."""
    row = (
        StoreCreditBalance.select(StoreCreditBalance.id)
        .where(
            (StoreCreditBalance.customer == customer_id)
            & (StoreCreditBalance.website == website_id)
        )
        .first()
    )
    if row is None:
        return []
    total = int(StoreCreditHistory.select().where(StoreCreditHistory.balance == row.id).count())
    if total == 0:
        return []
    step = max(1, math.ceil(total / max(1, points)))
    p = database.obj.param
    sql = (
        "SELECT balance_after FROM (SELECT id, balance_after, "
        "ROW_NUMBER() OVER (ORDER BY id) AS rn FROM store_credit_history "
        f"WHERE balance_id = {p}) numbered WHERE (rn / {p}) * {p} = rn OR rn = {p} ORDER BY id"
    )
    values = [int(r[0]) for r in database.obj.execute_sql(sql, (row.id, step, step, total))]
    return [0, *values]


@dataclass(frozen=True)
class CustomerStoreCredit:
    """What the customer may see of their store credit (storefront, API)."""

    customer_id: int
    enabled: bool
    balances: list[Balance]
    show_history: bool
    history: list[Movement] | None


def customer_view(customer_id: int, limit: int = 50) -> CustomerStoreCredit:
    """The customer's balances, and their history when Show Store Credit History to
    Customers is Yes for the account's website."""
    customer = get_customer(customer_id)
    enabled = is_enabled()
    show = enabled and config.get_flag(PATH_SHOW_HISTORY, customer.website_id)
    found = [b for b in balances(customer_id) if b.exists or b.adjustable] if enabled else []
    return CustomerStoreCredit(
        customer_id=customer.id,
        enabled=enabled,
        balances=found,
        show_history=show,
        history=history(customer_id, limit=limit) if show else None,
    )


@dataclass
class StaffStoreCredit:
    """What the back office's Store Credit tab shows, read in one go (in a worker thread)."""

    balances: list[Balance]
    websites: list[tuple[int, str, str]]
    """``(id, name, currency)`` of the websites credit may be kept on."""
    store_views: dict[int, list[tuple[int, str]]]
    default_view: dict[int, int | None]
    """The store view a notification is sent from unless staff choose another."""
    chart_website: int | None
    series: list[int]
    history_count: int
    source: HistorySource
    enabled: bool
    single_website: bool
    """One website in the shop: Balance History leaves out its Website column (as Magento
    does in single-store mode)."""


def staff_view(customer_id: int, website_id: int | None = None) -> StaffStoreCredit:
    """The Store Credit tab of *customer_id*, its chart on *website_id* (else the first
    website the credit may be kept on)."""
    customer = get_customer(customer_id)
    allowed = adjustable_website_ids(customer)
    sites = {w.id: w for w in Website.select()}
    websites = [(w, sites[w].name, sites[w].currency_code) for w in allowed if w in sites]
    chart = website_id if website_id in allowed else (allowed[0] if allowed else None)
    views = {w: store_views(w) for w in allowed}
    own = customer.store_view_id
    defaults = {
        w: (own if own in [v for v, _ in views[w]] else (views[w][0][0] if views[w] else None))
        for w in allowed
    }
    source = HistorySource(customer_id)
    return StaffStoreCredit(
        balances=balances(customer_id),
        websites=websites,
        store_views=views,
        default_view=defaults,
        chart_website=chart,
        series=balance_series(customer_id, chart) if chart is not None else [],
        history_count=source.count(),
        source=source,
        enabled=is_enabled(),
        single_website=len(sites) == 1,
    )
