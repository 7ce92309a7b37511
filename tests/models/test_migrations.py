"""Schema migrations: a database made by an older custtui reaches the latest version and keeps
its data."""

from __future__ import annotations

from pathlib import Path

from custtui.models import Customer, OutboxMessage, Visit, open_database
from custtui.models.migrations import LATEST_VERSION, current_version, migrate
from custtui.models.schema import SchemaVersion
from custtui.services.setup import init_shop
from tests.factories import make_customer


def test_version_1_database_is_migrated_in_place(tmp_path: Path, fixed_clock) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'old.db'}")
    init_shop(db)
    make_customer(email="kept@example.com")
    # Make it look like a version-1 database: no version-2 tables.
    for table in (
        "visit",
        "customer_log",
        "password_reset_token",
        "password_reset_request",
        "email_template",
        "outbox_message",
    ):
        db.execute_sql(f'DROP TABLE "{table}"')
    SchemaVersion.update(version=1).execute()
    assert current_version(db) == 1

    assert migrate(db) == LATEST_VERSION
    assert current_version(db) == LATEST_VERSION
    assert Customer.get(Customer.email == "kept@example.com")
    assert Visit.select().count() == 0
    assert OutboxMessage.select().count() == 0
    # Running it again is a no-op.
    assert migrate(db) == LATEST_VERSION
    db.close()
