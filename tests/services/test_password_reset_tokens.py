"""Reset tokens (random, stored hashed, single live token, expiry) and the rate limits of the
Password Reset Protection settings."""

from __future__ import annotations

import pytest

from custtui.models import PasswordResetToken
from custtui.services import config, password_reset
from custtui.services.errors import RateLimited
from tests.factories import make_customer


def test_token_is_random_hashed_and_replaced(shop, fixed_clock) -> None:
    ada = make_customer()
    first = password_reset.issue_token(ada.id)
    second = password_reset.issue_token(ada.id)
    assert first != second and len(first) >= 43  # 256 bits, URL-safe
    rows = list(PasswordResetToken.select())
    assert len(rows) == 1 and rows[0].token_hash == password_reset.digest(second)
    assert first not in rows[0].token_hash
    assert password_reset.token_customer(first) is None  # replaced
    assert password_reset.token_customer(second).id == ada.id


def test_token_expires_after_the_configured_hours(shop, fixed_clock) -> None:
    ada = make_customer()
    token = password_reset.issue_token(ada.id)
    fixed_clock.advance(hours=1, minutes=59)
    assert password_reset.token_customer(token) is not None
    fixed_clock.advance(minutes=1)
    assert password_reset.token_customer(token) is None  # default 2 hours
    config.store("customer/password/reset_link_expiration_period", "24")
    assert password_reset.token_customer(token) is not None


def test_link_uses_the_storefront_base_url(shop) -> None:
    ada = make_customer()
    config.store("web/secure/base_url", "https://shop.example.com", 1)
    assert password_reset.link(ada, "a+b/c") == (
        "https://shop.example.com/customer/account/createPassword/?token=a%2Bb/c"
    )


def test_minimum_time_between_requests(shop, fixed_clock) -> None:
    password_reset.record_request("ada@example.com", "10.0.0.1")
    with pytest.raises(RateLimited, match="too many requests for password resets"):
        password_reset.check_rate("ada@example.com", None, 1)
    with pytest.raises(RateLimited):  # By IP and Email: the same IP counts too
        password_reset.check_rate("bob@example.com", "10.0.0.1", 1)
    password_reset.check_rate("bob@example.com", "10.0.0.2", 1)
    fixed_clock.advance(minutes=10, seconds=1)
    password_reset.check_rate("ada@example.com", "10.0.0.1", 1)


def test_max_requests_per_hour_and_protection_types(shop, fixed_clock) -> None:
    config.store("customer/password/min_time_between_password_reset_requests", "0")
    for _ in range(5):
        password_reset.check_rate("ada@example.com", "10.0.0.1", 1)
        password_reset.record_request("ada@example.com", "10.0.0.1")
        fixed_clock.advance(minutes=1)
    with pytest.raises(RateLimited, match="support@example.com"):
        password_reset.check_rate("ada@example.com", None, 1)
    config.store("customer/password/password_reset_protection_type", "2")  # by IP only
    password_reset.check_rate("ada@example.com", "10.0.0.9", 1)
    config.store("customer/password/password_reset_protection_type", "0")  # none
    password_reset.check_rate("ada@example.com", "10.0.0.1", 1)
    config.store("customer/password/password_reset_protection_type", "1")
    fixed_clock.advance(hours=1)
    password_reset.check_rate("ada@example.com", "10.0.0.1", 1)
