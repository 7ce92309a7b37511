"""Customer sign-in: generic failure message, Magento's lockout algorithm, confirmation,
rehash of Magento hashes, visits bound and logged."""

from __future__ import annotations

import pytest

from custtui.models import AuditLog, Customer, CustomerLog, Visit
from custtui.services import auth, config, passwords, sessions
from custtui.services.errors import ValidationError
from tests.factories import make_customer


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "custtui.key"))
    passwords._secret_at.cache_clear()
    monkeypatch.setattr(passwords, "COST", 4)  # speed; the scheme is tested elsewhere
    yield
    passwords._secret_at.cache_clear()


def _customer(password: str = "Secret-123", **fields):
    return make_customer(
        "Ada",
        "Lovelace",
        "ada@example.com",
        password_hash=passwords.hash_password(password),
        **fields,
    )


def test_sign_in_binds_the_visit_and_logs(shop, fixed_clock) -> None:
    ada = _customer()
    visit = sessions.start_visit(1)
    result = auth.sign_in("base", "ADA@example.com", "Secret-123", visit_id=visit)
    assert result == auth.SignIn(ada.id, "referer")
    assert Visit.get_by_id(visit).customer_id == ada.id
    assert CustomerLog.get_by_id(ada.id).last_login_at == fixed_clock.now()
    assert sessions.presence(ada.id).online
    assert auth.sign_out(visit)
    assert Visit.get_by_id(visit).customer_id is None
    assert not auth.sign_out(visit)
    config.store("customer/startup/redirect_dashboard", "1", 1)
    assert auth.sign_in("base", "ada@example.com", "Secret-123").redirect == "dashboard"


def test_unknown_email_and_wrong_password_get_the_same_answer(shop) -> None:
    _customer()
    with pytest.raises(auth.AuthFailed) as unknown:
        auth.sign_in("base", "nobody@example.com", "Secret-123")
    with pytest.raises(auth.AuthFailed) as wrong:
        auth.sign_in("base", "ada@example.com", "wrong")
    assert str(unknown.value) == str(wrong.value) == "Invalid login or password."


def test_lockout_after_configured_failures_then_expiry(shop, fixed_clock) -> None:
    ada = _customer()
    config.store("customer/password/lockout_failures", "3")
    for _ in range(3):
        with pytest.raises(auth.AuthFailed):
            auth.sign_in("base", "ada@example.com", "wrong")
    with pytest.raises(auth.AccountLocked, match="The account is locked."):
        auth.sign_in("base", "ada@example.com", "Secret-123")  # even the right password
    fixed_clock.advance(minutes=10, seconds=1)  # lockout_threshold default 10 minutes
    assert auth.sign_in("base", "ada@example.com", "Secret-123").customer_id == ada.id
    assert Customer.get_by_id(ada.id).failures_num == 0
    assert AuditLog.select().where(AuditLog.action == "sign_in_failed").count() == 3


def test_failures_reset_after_a_lock_expires(shop, fixed_clock) -> None:
    ada = _customer()
    config.store("customer/password/lockout_failures", "2")
    for _ in range(2):
        with pytest.raises(auth.AuthFailed):
            auth.sign_in("base", "ada@example.com", "wrong")
    fixed_clock.advance(minutes=11)
    with pytest.raises(auth.AuthFailed):
        auth.sign_in("base", "ada@example.com", "wrong")
    row = Customer.get_by_id(ada.id)
    assert row.failures_num == 1 and row.lock_expires is None


def test_zero_failures_disables_locking(shop) -> None:
    _customer()
    config.store("customer/password/lockout_failures", "0")
    for _ in range(12):
        with pytest.raises(auth.AuthFailed):
            auth.sign_in("base", "ada@example.com", "wrong")
    assert auth.sign_in("base", "ada@example.com", "Secret-123")


def test_unconfirmed_account_is_refused_when_confirmation_required(shop) -> None:
    _customer(confirmation="abc")
    config.store("customer/create_account/confirm", "1", 1)
    with pytest.raises(auth.NotConfirmed, match="isn't confirmed"):
        auth.sign_in("base", "ada@example.com", "Secret-123")


def test_magento_hash_is_rehashed_on_first_sign_in(shop) -> None:
    legacy = passwords.magento_hash("Magento123!", "Zx9QpL2mN8vB4cR7tY1uI6oP3aS5dF0g", "1")
    ada = make_customer("Ada", "Lovelace", "ada@example.com", password_hash=legacy)
    auth.sign_in("base", "ada@example.com", "Magento123!")
    stored = Customer.get_by_id(ada.id).password_hash
    assert stored.startswith("bcrypt-hmac384$")
    assert passwords.verify("Magento123!", stored).ok


def test_unknown_website_and_hostile_input(shop) -> None:
    with pytest.raises(ValidationError) as error:
        auth.sign_in("nowhere", "a@b.c", "x")
    assert error.value.field == "website"
    with pytest.raises(auth.AuthFailed):
        auth.sign_in("base", "a" * 5000, "x" * 10000)
    with pytest.raises(auth.AuthFailed):
        auth.sign_in("base", "ada@example.com", None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("Sh0rt!", "at least 8 characters"),
        (" Leading1A", "begin or end with a space"),
        ("alllowercase", "different classes"),
        ("ada@example.com", "different classes"),
        ("Ada@Example.com1", None),
    ],
)
def test_password_policy_messages(shop, password, words) -> None:
    problem = auth.password_problems(password, "ada@example.com")
    if words is None:
        assert problem is None
    else:
        assert words in problem


def test_password_equal_to_email_is_refused(shop) -> None:
    config.store("customer/password/required_character_classes_number", "1")
    assert "same as the email" in auth.password_problems("ada@example.com", "ADA@example.com")
