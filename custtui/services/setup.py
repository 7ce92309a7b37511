"""A new shop: the schema plus Magento's defaults (websites, store views, tax classes, the four
customer groups and a first admin), created idempotently by ``custtui init`` and start-up."""

from __future__ import annotations

from peewee import Database

from custtui.models import CustomerGroup, Staff, StoreView, TaxClass, Website
from custtui.models.db import is_postgres
from custtui.models.migrations import migrate
from custtui.services import clock

DEFAULT_GROUPS = ((0, "NOT LOGGED IN"), (1, "General"), (2, "Wholesale"), (3, "Retailer"))
"""Magento's seed groups, all with tax class 3 "Retail Customer" (reference A31, B3)."""


def _reset_sequences(db: Database) -> None:
    """After inserting explicit ids on PostgreSQL, move each serial past them."""
    if not is_postgres(db):
        return
    for model in (Website, StoreView, TaxClass, CustomerGroup):
        table = model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        )


def init_shop(
    db: Database, admin_username: str = "admin", admin_os_user: str | None = "current"
) -> bool:
    """Create the schema and Magento's default rows if missing. Returns True if the shop was new.

    The first admin is mapped to the OS user running this (the person installing custtui, who
    can read the database file anyway), so they can open the app and add other staff; pass
    ``admin_os_user=None`` for an admin that must sign in with a password.
    """
    if admin_os_user == "current":
        from custtui.services.staff_accounts import os_user

        admin_os_user = os_user()
    migrate(db)
    with db.atomic():
        if Website.select().exists():
            return False
        Website.insert(id=1, code="base", name="Main Website", is_default=True).execute()
        StoreView.insert(id=1, code="default", name="Default Store View", website=1).execute()
        TaxClass.insert(id=2, name="Taxable Goods", type="PRODUCT").execute()
        TaxClass.insert(id=3, name="Retail Customer", type="CUSTOMER").execute()
        for group_id, code in DEFAULT_GROUPS:
            CustomerGroup.insert(id=group_id, code=code, tax_class=3).execute()
        Staff.insert(
            username=admin_username,
            display_name="Administrator",
            role="admin",
            os_user=admin_os_user,
            created_at=clock.now(),
        ).execute()
        _reset_sequences(db)
    return True
