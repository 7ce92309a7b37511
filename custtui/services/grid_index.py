"""Keeping ``customer_grid`` (the All Customers index) in step with customers and addresses.

Magento rebuilds ``customer_grid_flat`` with an indexer; custtui rewrites the affected rows in
the same transaction as the change, with one ``INSERT … SELECT`` so that the rules for the
folded columns (full name, full addresses) live in one place, in SQL, for every caller.
"""

from __future__ import annotations

from collections.abc import Iterable

from custtui.models import CustomerGrid
from custtui.models.db import database, is_postgres

GRID_COLUMNS = (
    "id, name, firstname, lastname, email, group_id, created_at, website_id, confirmation, "
    "created_in, dob, gender, taxvat, lock_expires, shipping_full, billing_full, "
    "billing_firstname, billing_lastname, billing_telephone, billing_postcode, "
    "billing_country_id, billing_region, billing_street, billing_city, billing_fax, "
    "billing_vat_id, billing_company"
)


def _full_address(alias: str, newline: str) -> str:
    return (
        f"replace({alias}.street, {newline}, ' ') || ', ' || {alias}.city"
        f" || coalesce(', ' || {alias}.region, '') || coalesce(' ' || {alias}.postcode, '')"
        f" || ', ' || {alias}.country_id"
    )


def grid_select_sql() -> str:
    """The SELECT that computes grid rows from ``customer`` and its default addresses."""
    newline = "chr(10)" if is_postgres() else "char(10)"
    name = (
        "trim(coalesce(c.prefix || ' ', '') || c.firstname || ' ' || "
        "coalesce(c.middlename || ' ', '') || c.lastname || coalesce(' ' || c.suffix, ''))"
    )
    return (
        f"SELECT c.id, {name}, c.firstname, c.lastname, c.email, c.group_id, c.created_at, "
        "c.website_id, c.confirmation, c.created_in, c.dob, c.gender, c.taxvat, c.lock_expires, "
        f"CASE WHEN s.id IS NULL THEN NULL ELSE {_full_address('s', newline)} END, "
        f"CASE WHEN b.id IS NULL THEN NULL ELSE {_full_address('b', newline)} END, "
        "b.firstname, b.lastname, b.telephone, b.postcode, b.country_id, b.region, b.street, "
        "b.city, b.fax, b.vat_id, b.company "
        "FROM customer c "
        "LEFT JOIN address b ON b.id = c.default_billing "
        "LEFT JOIN address s ON s.id = c.default_shipping"
    )


def reindex(customer_ids: Iterable[int]) -> None:
    """Rewrite the grid rows of these customers (deleted customers simply lose their row)."""
    ids = sorted(set(customer_ids))
    db = database.obj
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join([db.param] * len(chunk))
        with db.atomic():
            CustomerGrid.delete().where(CustomerGrid.id.in_(chunk)).execute()
            db.execute_sql(
                f"INSERT INTO customer_grid ({GRID_COLUMNS}) {grid_select_sql()} "
                f"WHERE c.id IN ({marks})",
                chunk,
            )


def rebuild_all() -> int:
    """Recompute the whole grid (after a bulk load or an import). Returns the row count."""
    db = database.obj
    with db.atomic():
        CustomerGrid.delete().execute()
        db.execute_sql(f"INSERT INTO customer_grid ({GRID_COLUMNS}) {grid_select_sql()}")
    return CustomerGrid.select().count()
