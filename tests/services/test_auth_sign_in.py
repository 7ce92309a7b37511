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
    # three wrong passwords and the attempt while locked
    assert AuditLog.select().where(AuditLog.action == "sign_in_failed").count() == 4


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


REGISTRATION = {
    "website": "base",
    "email": "grace@example.com",
    "password": "Cobol-1959",
    "firstname": "Grace",
    "lastname": "Hopper",
}


def _last_mail(customer_id: int):
    from custtui.services import mail

    return mail.messages(customer_id=customer_id)[0]


def test_register_sends_welcome_and_signs_in(shop) -> None:
    customer = auth.register(REGISTRATION)
    assert _last_mail(customer.id).template_code == "customer_create_account_email_template"
    assert auth.sign_in("base", "grace@example.com", "Cobol-1959").customer_id == customer.id
    with pytest.raises(ValidationError) as error:
        auth.register(REGISTRATION)
    assert "already exists" in error.value.errors["email"]


def test_register_reports_every_problem_by_field(shop) -> None:
    with pytest.raises(ValidationError) as error:
        auth.register({"website": "nowhere", "email": "bad@", "password": "short"})
    assert {"website", "email", "password", "firstname", "lastname"} <= set(error.value.errors)


def test_confirmation_flow_when_required(shop) -> None:
    config.store("customer/create_account/confirm", "1", 1)
    customer = auth.register(REGISTRATION)
    letter = _last_mail(customer.id)
    assert letter.template_code == "customer_create_account_email_confirmation_template"
    with pytest.raises(auth.NotConfirmed):
        auth.sign_in("base", "grace@example.com", "Cobol-1959")
    with pytest.raises(ValidationError):
        auth.confirm(customer.id, "wrong-key")
    key = Customer.get_by_id(customer.id).confirmation
    assert f"key={key}" in letter.body
    auth.confirm(customer.id, key)
    assert _last_mail(customer.id).template_code == (
        "customer_create_account_email_confirmed_template"
    )
    assert auth.sign_in("base", "grace@example.com", "Cobol-1959")
    with pytest.raises(ValidationError):
        auth.confirm(customer.id, key)  # single use


def test_forgot_and_reset_with_token(shop, fixed_clock) -> None:
    import re

    from custtui.services.errors import RateLimited

    customer = auth.register(REGISTRATION)
    auth.forgot_password("base", "nobody@example.com", remote_addr="192.0.2.1")  # same answer
    auth.forgot_password("base", "grace@example.com", remote_addr="192.0.2.2")
    letter = _last_mail(customer.id)
    assert letter.template_code == "customer_password_forgot_email_template"
    token = re.search(r"token=([\w%-]+)", letter.body).group(1)
    with pytest.raises(RateLimited):
        auth.forgot_password("base", "grace@example.com", remote_addr="192.0.2.3")
    with pytest.raises(ValidationError) as weak:
        auth.reset_password(token, "weak")
    assert weak.value.field == "password"
    assert auth.reset_password(token, "New-Pass-2026") == customer.id
    assert _last_mail(customer.id).template_code == "customer_password_reset_password_template"
    with pytest.raises(ValidationError, match="expired"):
        auth.reset_password(token, "Another-Pass-1")  # single use
    assert auth.sign_in("base", "grace@example.com", "New-Pass-2026")


def test_change_password_and_email_need_the_current_password(shop) -> None:
    customer = auth.register(REGISTRATION)
    with pytest.raises(ValidationError) as error:
        auth.change_password(customer.id, "wrong", "New-Pass-2026")
    assert error.value.field == "current_password"
    auth.change_password(customer.id, "Cobol-1959", "New-Pass-2026")
    auth.change_email(customer.id, "New-Pass-2026", "grace.hopper@example.com")
    from custtui.services import mail

    recipients = {m.recipient_email for m in mail.messages(customer_id=customer.id)}
    assert {"grace@example.com", "grace.hopper@example.com"} <= recipients
    assert auth.sign_in("base", "grace.hopper@example.com", "New-Pass-2026")
