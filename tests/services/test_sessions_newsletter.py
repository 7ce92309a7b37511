"""Presence (Customer View's "Last Logged In"), Force Sign-In and per-store-view newsletter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custtui.models import AuditLog, Customer, CustomerLog, StoreView, Visit
from custtui.services import newsletter, sessions
from custtui.services.actor import Actor
from custtui.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import make_customer

ADMIN = Actor(1, "admin", "admin")
SUPPORT = Actor(2, "sam", "support")
VIEWER = Actor(3, "vic", "viewer")


def _visit(customer: Customer | None, minutes_ago: float, fixed_clock) -> Visit:
    when = fixed_clock.now() - timedelta(minutes=minutes_ago)
    return Visit.create(website=1, customer=customer, created_at=when, last_visit_at=when)


def test_presence_never_offline_and_online(shop, fixed_clock) -> None:
    ada = make_customer()
    show = lambda when: when.strftime("%Y-%m-%d %H:%M")  # noqa: E731
    assert sessions.presence(ada.id).last_logged_in(show) == "Never (Offline)"

    CustomerLog.create(customer=ada, last_login_at=fixed_clock.now() - timedelta(days=2))
    _visit(ada, 16, fixed_clock)  # outside the default 15-minute window
    assert sessions.presence(ada.id).last_logged_in(show) == "2026-12-04 09:30 (Offline)"

    _visit(ada, 14, fixed_clock)
    assert sessions.presence(ada.id).online
    assert sessions.presence(ada.id).last_logged_in(show) == "Now (Online)"


def test_online_window_follows_configuration(shop, fixed_clock) -> None:
    from custtui.services import config

    ada = make_customer()
    _visit(ada, 20, fixed_clock)
    assert not sessions.presence(ada.id).online
    config.store("customer/online_customers/online_minutes_interval", "30")
    assert sessions.presence(ada.id).online
    config.store("customer/online_customers/online_minutes_interval", "")
    assert sessions.online_minutes() == 15


def test_force_sign_in_ends_sessions_and_is_audited(shop, fixed_clock) -> None:
    ada = make_customer()
    other = make_customer("Bob", "Other")
    _visit(ada, 1, fixed_clock)
    _visit(ada, 3, fixed_clock)
    theirs = _visit(other, 1, fixed_clock)

    assert sessions.force_sign_in(SUPPORT, ada.id) == 2
    assert not sessions.presence(ada.id).online
    assert Visit.select().where(Visit.customer == ada.id).count() == 0
    assert Visit.get_by_id(theirs.id).customer_id == other.id
    assert Customer.get_by_id(ada.id).session_cutoff == fixed_clock.now()
    assert CustomerLog.get_by_id(ada.id).last_logout_at == fixed_clock.now()
    row = AuditLog.get(AuditLog.action == "force_sign_in")
    assert (row.customer_id, row.staff_username, row.note) == (
        ada.id,
        "sam",
        "2 active session(s) ended",
    )
    assert sessions.force_sign_in(SUPPORT, ada.id) == 0


def test_force_sign_in_refusals(shop) -> None:
    ada = make_customer()
    with pytest.raises(PermissionDenied, match="signing customers out"):
        sessions.force_sign_in(VIEWER, ada.id)
    with pytest.raises(NotFound):
        sessions.force_sign_in(ADMIN, 9999)


def test_newsletter_per_store_view(shop, fixed_clock) -> None:
    StoreView.create(id=2, code="fr", name="French", website=1, sort_order=1)
    ada = make_customer()
    rows = newsletter.subscriptions(ada.id)
    assert [(r.store_view, r.status, r.subscribed) for r in rows] == [
        ("Default Store View", "Not subscribed", False),
        ("French", "Not subscribed", False),
    ]
    assert newsletter.set_subscribed(SUPPORT, ada.id, 2, True)
    assert not newsletter.set_subscribed(SUPPORT, ada.id, 2, True)  # already
    assert not newsletter.set_subscribed(SUPPORT, ada.id, 1, False)  # never subscribed
    assert [r.status for r in newsletter.subscriptions(ada.id)] == ["Not subscribed", "Subscribed"]
    assert newsletter.set_subscribed(SUPPORT, ada.id, 2, False)
    assert newsletter.subscriptions(ada.id)[1].status == "Unsubscribed"
    changes = [
        (r.action, r.changes["newsletter"], r.note)
        for r in AuditLog.select().where(AuditLog.customer_id == ada.id).order_by(AuditLog.id)
    ]
    assert changes == [
        ("newsletter_subscribed", [None, "Subscribed"], "store view: French"),
        ("newsletter_unsubscribed", ["Subscribed", "Unsubscribed"], "store view: French"),
    ]


def test_newsletter_refusals(shop) -> None:
    from custtui.models import Website

    Website.create(id=2, code="eu", name="EU")
    StoreView.create(id=3, code="eu_en", name="EU English", website=2)
    ada = make_customer()
    with pytest.raises(ValidationError) as error:
        newsletter.set_subscribed(ADMIN, ada.id, 3, True)
    assert error.value.field == "store_view_id"
    with pytest.raises(PermissionDenied):
        newsletter.set_subscribed(VIEWER, ada.id, 1, True)
    with pytest.raises(NotFound):
        newsletter.subscriptions(12345)
