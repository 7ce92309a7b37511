"""Store credit: every action and message, idempotency, permissions, notifications, the audit
trail, and the ledger invariant under random sequences, 8 processes and kill -9."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import Database

from custtui.models import (
    AuditLog,
    OutboxMessage,
    StoreCreditBalance,
    StoreCreditHistory,
    StoreView,
    Website,
    open_database,
)
from custtui.models.db import database
from custtui.services import audit, config, orders, store_credit
from custtui.services import store_credit_history as credit_history
from custtui.services.actor import STOREFRONT, Actor
from custtui.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from custtui.services.setup import init_shop
from custtui.services.store_credit_verify import verify
from tests.factories import make_customer

ADMIN = Actor(1, "admin", "admin")
SAM = Actor(7, "sam", "support")
VIEWER = Actor(8, "vic", "viewer")
ROOT = Path(__file__).resolve().parents[2]


def rid() -> str:
    return store_credit.new_request_id()


def adjust(customer_id: int, amount: int | str, actor: Actor = ADMIN, **kw):
    kw.setdefault("request_id", rid())
    return store_credit.adjust(actor, customer_id, kw.pop("website", 1), amount, **kw)


def assert_ledger_exact() -> None:
    report = verify()
    assert report.ok, report.problems
    for balance in StoreCreditBalance.select():
        total = sum(
            h.delta
            for h in StoreCreditHistory.select().where(StoreCreditHistory.balance == balance.id)
        )
        assert balance.amount == total >= 0


@pytest.fixture
def eu(shop: Database) -> Website:
    site = Website.create(code="eu", name="Europe Website", currency_code="EUR", sort_order=1)
    StoreView.create(code="de", name="German Store View", website=site)
    return site


# ----------------------------------------------------------------------------- actions
def test_first_adjustment_creates_the_balance_then_updates(shop: Database) -> None:
    ada = make_customer()
    first = adjust(ada.id, "12.50", comment="Sorry for the delay")
    assert (first.action, first.action_label) == (2, "Created")
    assert (first.delta, first.balance_after) == (1250, 1250)
    assert first.additional_info == "By admin: admin. (Sorry for the delay)"
    assert first.delta_shown == "+$12.50" and first.balance_shown == "$12.50"
    second = adjust(ada.id, "-2.50")
    assert (second.action_label, second.balance_after) == ("Updated", 1000)
    assert second.additional_info == "By admin: admin."
    assert second.notified_label == "No"
    assert store_credit.balance_amount(ada.id, 1) == 1000
    assert_ledger_exact()


def test_balances_show_every_website_the_credit_may_be_kept_on(shop: Database, eu) -> None:
    ada = make_customer()
    adjust(ada.id, 500)
    shown = store_credit.balances(ada.id)
    # Per-website sharing (Magento's default): only the account's own website.
    assert [(b.website_code, b.amount, b.shown, b.exists) for b in shown] == [
        ("base", 500, "$5.00", True)
    ]
    config.store(store_credit.SHARE_PATH, "0")
    shown = store_credit.balances(ada.id)
    assert [(b.website_code, b.shown, b.exists) for b in shown] == [
        ("base", "$5.00", True),
        ("eu", "€0.00", False),
    ]


def test_per_website_sharing_keeps_credit_on_the_accounts_website(shop: Database, eu) -> None:
    ada = make_customer()
    with pytest.raises(ValidationError) as caught:
        adjust(ada.id, "5", website=eu.id)
    assert caught.value.errors == {
        "website": "This account belongs to Main Website; with Share Customer Accounts set to "
        "Per Website its store credit can only be kept there."
    }
    config.store(store_credit.SHARE_PATH, "0")
    movement = adjust(ada.id, "5", website=eu.id)
    assert (movement.currency_code, movement.balance_shown) == ("EUR", "€5.00")


def test_amounts_are_parsed_in_the_websites_currency(shop: Database) -> None:
    Website.update(currency_code="JPY").where(Website.id == 1).execute()
    ada = make_customer()
    assert adjust(ada.id, "1,200").balance_shown == "¥1,200"
    with pytest.raises(ValidationError, match="JPY amounts are whole numbers"):
        adjust(ada.id, "1.5")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("", "Amount is required"),
        ("1,000.5.5", "more than one decimal point"),
        ("1e9", "exponents"),
        ("--5", "more than one sign"),
        ("0", "must not be zero"),
        (0, "must not be zero"),
        (10**20, "at most $100,000,000.00"),
        (1.5, "whole number of minor units"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(shop: Database, amount, words) -> None:
    ada = make_customer()
    with pytest.raises(ValidationError) as caught:
        adjust(ada.id, amount)
    assert caught.value.field == "amount" and words in str(caught.value)
    assert StoreCreditHistory.select().count() == 0 == StoreCreditBalance.select().count()


def test_a_debit_larger_than_the_balance_names_the_available_amount(shop: Database) -> None:
    ada = make_customer()
    adjust(ada.id, "10")
    audits = AuditLog.select().count()
    with pytest.raises(store_credit.InsufficientCredit) as caught:
        adjust(ada.id, "-10.01")
    assert caught.value.errors == {
        "amount": "The store credit balance on Main Website is $10.00; you cannot subtract $10.01."
    }
    assert caught.value.available == 1000
    assert store_credit.balance_amount(ada.id, 1) == 1000
    assert StoreCreditHistory.select().count() == 1
    assert AuditLog.select().count() == audits
    # A debit on a customer without any balance creates nothing either.
    bob = make_customer("Bob")
    with pytest.raises(store_credit.InsufficientCredit, match="is \\$0.00"):
        adjust(bob.id, "-1")
    assert StoreCreditBalance.select().where(StoreCreditBalance.customer == bob.id).count() == 0


def test_same_request_id_applies_once_and_returns_the_first_result(shop: Database) -> None:
    ada = make_customer()
    key = rid()
    first = adjust(ada.id, "7.25", request_id=key, comment="first")
    again = adjust(ada.id, "7.25", request_id=key, comment="typed again")
    assert first.applied and not again.applied
    assert again.history_id == first.history_id
    assert again.additional_info == "By admin: admin. (first)"
    assert store_credit.balance_amount(ada.id, 1) == 725
    assert StoreCreditHistory.select().count() == 1


def test_a_request_id_reused_for_another_amount_is_a_conflict(shop: Database) -> None:
    ada = make_customer()
    key = rid()
    adjust(ada.id, "7.25", request_id=key)
    with pytest.raises(Conflict, match="already used for another movement \\(\\+\\$7.25"):
        adjust(ada.id, "8", request_id=key)
    assert store_credit.balance_amount(ada.id, 1) == 725


def test_a_retry_that_loses_the_race_on_the_unique_key_gets_the_first_result(
    shop: Database, monkeypatch
) -> None:
    """The earlier attempt is not seen before the insert (another connection committed it a
    moment later): the unique index refuses the second row, and the first result comes back."""
    ada = make_customer()
    key = rid()
    first = adjust(ada.id, 300, request_id=key)
    real = store_credit.replayed
    calls = {"n": 0}

    def blind(request_id: str):
        calls["n"] += 1
        return None if calls["n"] <= 2 else real(request_id)

    monkeypatch.setattr(store_credit, "replayed", blind)
    again = adjust(ada.id, 300, request_id=key)
    assert calls["n"] == 3
    assert (again.applied, again.history_id) == (False, first.history_id)
    assert store_credit.balance_amount(ada.id, 1) == 300


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space 123", "-leading-dash", "ünïcode12"])
def test_request_ids_are_checked(shop: Database, key: str) -> None:
    ada = make_customer()
    with pytest.raises(ValidationError, match="Request ID must be 8 to 64"):
        adjust(ada.id, 100, request_id=key)


def test_comments(shop: Database) -> None:
    ada = make_customer()
    with pytest.raises(ValidationError, match="at most 200 characters; it has 201"):
        adjust(ada.id, 100, comment="x" * 201)
    with pytest.raises(ValidationError, match="one line"):
        adjust(ada.id, 100, comment="two\nlines")
    with pytest.raises(ValidationError, match="one line"):
        adjust(ada.id, 100, comment="bidi \u202e trick")
    done = adjust(ada.id, 100, comment="  [b]not markup[/b]  ")
    assert done.additional_info == "By admin: admin. ([b]not markup[/b])"
    assert adjust(ada.id, 100, comment="   ").additional_info == "By admin: admin."


def test_unknown_customer_and_website(shop: Database) -> None:
    with pytest.raises(NotFound, match="Customer 999 does not exist"):
        adjust(999, 100)
    ada = make_customer()
    with pytest.raises(ValidationError, match="Website 42 does not exist"):
        adjust(ada.id, 100, website=42)


def test_action_codes_and_labels() -> None:
    assert [store_credit.action_label(c) for c in range(1, 6)] == [
        "Updated",
        "Created",
        "Used",
        "Refunded",
        "Reverted",
    ]
    with pytest.raises(
        ValidationError,
        match="The balance history action code is unknown. Verify the code and try again.",
    ):
        store_credit.action_label(9)


def test_disabled_store_credit_refuses_adjustments(shop: Database) -> None:
    ada = make_customer()
    config.store(store_credit.PATH_ENABLED, "0")
    with pytest.raises(ValidationError, match="Store credit is turned off"):
        adjust(ada.id, 100)


# ----------------------------------------------------------------------------- permissions
def test_viewers_cannot_adjust_and_the_refusal_is_audited(shop: Database) -> None:
    ada = make_customer()
    with pytest.raises(PermissionDenied, match="does not allow updating store credit balances"):
        adjust(ada.id, 100, actor=VIEWER)
    assert AuditLog.get(AuditLog.action == "permission_denied").staff_username == "vic"


def test_support_may_adjust_up_to_the_staff_limit(shop: Database) -> None:
    ada = make_customer()
    assert adjust(ada.id, "1000", actor=SAM).balance_after == 100_000
    assert adjust(ada.id, "-1000", actor=SAM).balance_after == 0
    with pytest.raises(PermissionDenied) as caught:
        adjust(ada.id, "1000.01", actor=SAM)
    assert str(caught.value) == (
        "Adjustments of more than $1,000.00 on Main Website need an admin (Staff Adjustment "
        "Limit); your role is support."
    )
    assert adjust(ada.id, "5000", actor=ADMIN).balance_after == 500_000
    config.store(store_credit.PATH_STAFF_LIMIT, "20", 1)
    with pytest.raises(PermissionDenied, match="more than \\$20.00"):
        adjust(ada.id, "-20.01", actor=SAM)
    config.store(store_credit.PATH_STAFF_LIMIT, "0", 1)
    with pytest.raises(PermissionDenied, match="more than \\$0.00"):
        adjust(ada.id, "0.01", actor=SAM)


# ----------------------------------------------------------------------------- notify
def test_notify_queues_the_store_credit_update_email(shop: Database) -> None:
    ada = make_customer(email="ada@example.com")
    movement = adjust(ada.id, "20", notify=True, comment="Birthday")
    assert movement.customer_notified and movement.notified_label == "Notified"
    message = OutboxMessage.get_by_id(movement.outbox_id)
    assert message.template_code == "customer_magento_customerbalance_email_template"
    assert message.recipient_email == "ada@example.com"
    assert message.store_view_id == 1
    assert message.sender_email == "owner@example.com"  # identity "general"
    assert "changed by +$20.00" in message.body
    assert "Your balance is now $20.00" in message.body
    assert "Main Website" in message.body
    assert "store credit balance has changed" in message.subject


def test_notify_uses_the_configured_sender_and_store_view(shop: Database, eu) -> None:
    config.store(store_credit.SHARE_PATH, "0")
    config.store(store_credit.PATH_EMAIL_IDENTITY, "sales", eu.id)
    ada = make_customer()
    de = StoreView.get(code="de")
    movement = adjust(ada.id, "3", website=eu.id, notify=True, store_view_id=de.id)
    message = OutboxMessage.get_by_id(movement.outbox_id)
    assert (message.store_view_id, message.sender_email) == (de.id, "sales@example.com")
    assert "+€3.00" in message.body
    with pytest.raises(ValidationError, match="Choose a store view of Europe Website"):
        adjust(ada.id, "3", website=eu.id, notify=True, store_view_id=1)


def test_without_notify_no_email_is_queued(shop: Database) -> None:
    ada = make_customer()
    assert adjust(ada.id, "3").outbox_id is None
    assert OutboxMessage.select().count() == 0


# ----------------------------------------------------------------------------- audit
def test_every_movement_is_audited_in_its_transaction(shop: Database, monkeypatch) -> None:
    ada = make_customer()
    movement = adjust(ada.id, "4.50", comment="Goodwill")
    entry = audit.entries(customer_id=ada.id)[0]
    assert entry.action == "store_credit_updated"
    assert entry.entity_id == movement.history_id
    assert entry.changes == {"Store credit (Main Website)": ["$0.00", "$4.50"]}
    assert audit.describe(entry).endswith("Created +$4.50 — By admin: admin. (Goodwill)")

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        adjust(ada.id, "1")
    assert store_credit.balance_amount(ada.id, 1) == 450
    assert StoreCreditHistory.select().count() == 1


def test_a_failing_email_rolls_the_movement_back(shop: Database, monkeypatch) -> None:
    from custtui.services import mail

    ada = make_customer()

    def broken(*args, **kwargs):
        raise RuntimeError("template store down")

    monkeypatch.setattr(mail, "queue", broken)
    with pytest.raises(RuntimeError):
        adjust(ada.id, "1", notify=True)
    assert StoreCreditBalance.select().count() == 0


# ----------------------------------------------------------------------------- reading
def test_history_pages_newest_first_and_by_website(shop: Database, eu) -> None:
    config.store(store_credit.SHARE_PATH, "0")
    ada = make_customer()
    for n in range(1, 8):
        adjust(ada.id, n * 100, website=1 if n % 2 else eu.id)
    source = credit_history.HistorySource(ada.id)
    assert source.count() == 7
    page = source.page(0, 3)
    assert [m.delta for m in page] == [700, 600, 500]
    assert [m.website_name for m in page] == ["Main Website", "Europe Website", "Main Website"]
    assert [m.delta for m in source.page(6, 10)] == [100]
    euro = credit_history.HistorySource(ada.id, eu.id)
    assert euro.count() == 3
    assert [m.balance_shown for m in euro.page(0, 10)] == ["€12.00", "€6.00", "€2.00"]
    assert credit_history.HistorySource(make_customer("Bob").id, 1).count() == 0


def test_balance_series_is_thinned_for_the_chart(shop: Database) -> None:
    ada = make_customer()
    assert credit_history.balance_series(ada.id, 1) == []
    for _ in range(10):
        adjust(ada.id, 100)
    assert credit_history.balance_series(ada.id, 1) == [0] + [100 * n for n in range(1, 11)]
    thinned = credit_history.balance_series(ada.id, 1, points=4)
    assert thinned == [0, 300, 600, 900, 1000]


def test_customer_view_follows_show_history(shop: Database) -> None:
    ada = make_customer()
    adjust(ada.id, "5")
    view = credit_history.customer_view(ada.id)
    assert view.show_history and [m.delta for m in view.history] == [500]
    assert [b.amount for b in view.balances] == [500]
    config.store(store_credit.PATH_SHOW_HISTORY, "0", 1)
    view = credit_history.customer_view(ada.id)
    assert not view.show_history and view.history is None
    assert view.balances[0].amount == 500


# ----------------------------------------------------------------------------- verify
def test_verify_reports_every_kind_of_broken_invariant(shop: Database) -> None:
    ada = make_customer()
    adjust(ada.id, "10")
    order = orders.place_order(
        STOREFRONT, ada.id, [{"sku": "S", "name": "Sock", "qty": 1, "price": 800}],
        use_store_credit=True,
    )  # fmt: skip
    assert verify().ok
    database.obj.execute_sql("UPDATE store_credit_balance SET amount = amount + 1")
    database.obj.execute_sql("UPDATE store_credit_history SET balance_after = 999 WHERE action = 3")
    database.obj.execute_sql(
        "UPDATE sales_order SET store_credit_used = 1 WHERE id = ?", (order.id,)
    )
    report = verify()
    assert not report.ok
    assert sorted(p.kind for p in report.problems) == ["balance", "order", "running"]
    details = " | ".join(p.detail for p in report.problems)
    assert "is 201 but its history sums to 200" in details
    assert "says 999 but the deltas up to it sum to 200" in details
    assert f"order #{order.increment_id}" in details


# ----------------------------------------------------------------------------- property
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("adjust"), st.integers(-3000, 5000).filter(bool)),
        st.tuples(st.just("order"), st.integers(1, 4000), st.booleans(), st.booleans()),
        st.tuples(st.just("refund"), st.integers(0, 50), st.integers(1, 4000)),
        st.tuples(st.just("cancel"), st.integers(0, 50)),
        st.tuples(st.just("replay"), st.integers(0, 50)),
    ),
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_random_sequences_keep_balance_equal_to_history(shop: Database, ops) -> None:
    """Adjust, use (orders), refund (credit memos), revert (cancel) and retries in any order:
    the balance always equals the sum of its history, never goes below zero, and what the
    model says matches a plain Python account."""
    customer = make_customer()
    expected = 0
    placed: list[int] = []
    used_keys: list[tuple[str, int]] = []
    for op in ops:
        kind = op[0]
        try:
            if kind == "adjust":
                key = rid()
                done = adjust(customer.id, op[1], request_id=key)
                used_keys.append((key, op[1]))
                expected += done.delta
            elif kind == "order":
                _, price, use_all, capture = op
                credit = True if use_all else min(price, max(1, expected // 2))
                order = orders.place_order(
                    STOREFRONT,
                    customer.id,
                    [{"sku": "P", "name": "Prop", "qty": 1, "price": price}],
                    use_store_credit=credit,
                    capture=capture,
                )
                placed.append(order.id)
                expected -= order.store_credit_used
            elif kind == "refund" and placed:
                order = orders.get(placed[op[1] % len(placed)])
                result = orders.create_credit_memo(ADMIN, order.id, op[2], request_id=rid())
                expected += result.memo.amount
            elif kind == "cancel" and placed:
                result = orders.cancel(ADMIN, placed[op[1] % len(placed)])
                if result.applied and result.movement is not None:
                    expected += result.movement.delta
            elif kind == "replay" and used_keys:
                key, amount = used_keys[op[1] % len(used_keys)]
                assert not adjust(customer.id, amount, request_id=key).applied
        except (ValidationError, Conflict):
            pass  # refused: must have changed nothing (checked below)
        balance = store_credit.balance_amount(customer.id, 1)
        assert balance == expected >= 0
    assert_ledger_exact()


# ----------------------------------------------------------------------------- processes
def _pool_run(path: Path, customer_id: int, kind: str, procs: int, ops: int) -> list[dict]:
    from tests.services import credit_workers

    context = multiprocessing.get_context("spawn")
    with context.Pool(procs) as pool:
        return pool.starmap(
            credit_workers.adjust_many,
            [(str(path), customer_id, p, ops, kind) for p in range(procs)],
        )


def _file_shop(path: Path) -> Database:
    db = open_database(f"sqlite:///{path}")
    init_shop(db)
    return db


def test_eight_processes_on_one_account_end_exact(tmp_path: Path, fixed_clock) -> None:
    path = tmp_path / "race.db"
    _file_shop(path)
    customer = make_customer()
    database.obj.close()
    stats = _pool_run(path, customer.id, "mixed", 8, 200)
    intended = sum(
        (p + 1) * 100 + i if i % 5 != 4 else -((p + 1) * 10) for p in range(8) for i in range(200)
    )
    open_database(f"sqlite:///{path}")
    assert sum(s["applied"] for s in stats) == 1600
    assert sum(s["replayed"] for s in stats) == 8  # each first request re-sent, applied once
    assert store_credit.balance_amount(customer.id, 1) == intended
    assert StoreCreditHistory.select().count() == 1600
    assert_ledger_exact()
    assert database.obj.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_eight_processes_cannot_overdraw(tmp_path: Path, fixed_clock) -> None:
    """40,000 cents and 1,600 debits of 50 racing: exactly 800 succeed, the balance is 0."""
    path = tmp_path / "overdraft.db"
    _file_shop(path)
    customer = make_customer()
    adjust(customer.id, 40_000)
    database.obj.close()
    stats = _pool_run(path, customer.id, "overdraft", 8, 200)
    open_database(f"sqlite:///{path}")
    assert sum(s["applied"] for s in stats) == 800
    assert sum(s["refused"] for s in stats) == 800
    assert store_credit.balance_amount(customer.id, 1) == 0
    assert_ledger_exact()


def test_kill_9_at_random_moments_breaks_no_invariant(tmp_path: Path, fixed_clock) -> None:
    """A writer doing every kind of movement is SIGKILLed mid-flight, again and again; each
    time the database reopens with balance == history, orders matching their history and
    an intact file."""
    path = tmp_path / "crash.db"
    _file_shop(path)
    customer = make_customer()
    adjust(customer.id, 50_000)
    database.obj.close()
    rng = random.Random(9)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rows_before = 0
    for round_no in range(10):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.services.credit_workers", "writer", str(path),
             str(customer.id), str(round_no)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.15, 0.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
        open_database(f"sqlite:///{path}")
        assert database.obj.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert_ledger_exact()
        rows = StoreCreditHistory.select().count()
        assert rows >= rows_before
        rows_before = rows
        database.obj.close()
    assert rows_before > 20  # the writers really wrote


def test_the_ledger_on_sqlite_and_postgresql(any_shop: Database) -> None:
    """The same code is correct on both backends: create, update, refuse, replay, use,
    refund, revert, read and verify (window functions included)."""
    ada = make_customer()
    key = rid()
    assert adjust(ada.id, "30", request_id=key).action_label == "Created"
    assert not adjust(ada.id, "30", request_id=key).applied
    with pytest.raises(store_credit.InsufficientCredit, match="is \\$30.00"):
        adjust(ada.id, "-31")
    pending = orders.place_order(
        STOREFRONT, ada.id, [{"sku": "A", "name": "A", "qty": 2, "price": 500}],
        use_store_credit=400, capture=False,
    )  # fmt: skip
    paid = orders.place_order(
        STOREFRONT, ada.id, [{"sku": "B", "name": "B", "qty": 1, "price": 1200}],
        use_store_credit=True,
    )  # fmt: skip
    assert (paid.status, paid.grand_total, paid.store_credit_used) == ("processing", 0, 1200)
    orders.cancel(ADMIN, pending.id)
    orders.create_credit_memo(ADMIN, paid.id, "12.00", request_id=rid())
    assert store_credit.balance_amount(ada.id, 1) == 3000
    labels = [m.action_label for m in credit_history.history(ada.id)]
    assert labels == ["Refunded", "Reverted", "Used", "Used", "Created"]
    assert credit_history.balance_series(ada.id, 1) == [0, 3000, 2600, 1400, 1800, 3000]
    assert_ledger_exact()


def test_a_version_6_database_gains_the_store_credit_tables(shop: Database) -> None:
    from custtui.models.migrations import LATEST_VERSION, current_version, migrate
    from custtui.models.schema import SchemaVersion

    ada = make_customer(email="kept@example.com")
    for table in (
        "store_credit_history",
        "store_credit_balance",
        "sales_creditmemo",
        "sales_order_item",
        "sales_order",
    ):
        shop.execute_sql(f'DROP TABLE "{table}"')
    SchemaVersion.update(version=6).execute()
    assert migrate(shop) == LATEST_VERSION >= 7
    assert current_version(shop) == LATEST_VERSION
    assert adjust(ada.id, "1").balance_after == 100
    assert verify().ok
