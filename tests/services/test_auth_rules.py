"""Customer authentication rules in detail (issue 4): the lockout timeline on the injectable
clock, reset tokens under concurrent use, rate limits per protection type, no user
enumeration (the same answer and the same bcrypt work), long and emoji passwords, every
Magento hash version verifying and being rehashed, and website scope reaching sign-in.

No timing is measured: equal cost is asserted as "the same bcrypt check at the same cost".
"""

from __future__ import annotations

import threading
from datetime import timedelta

import bcrypt
import pytest

from custtui.models import AuditLog, Customer, CustomerGrid, PasswordResetToken, Website
from custtui.models.db import database
from custtui.services import auth, config, mass_actions, password_reset, passwords
from custtui.services.actor import Actor
from custtui.services.errors import RateLimited, ValidationError
from custtui.services.grid import Selection
from tests.factories import make_customer

ADMIN = Actor(None, "admin", "admin")
EMAIL = "ada@example.com"
PASSWORD = "Secret-123"


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch):
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "custtui.key"))
    passwords._secret_at.cache_clear()
    monkeypatch.setattr(passwords, "COST", 4)  # speed; equal cost is what is asserted
    yield
    passwords._secret_at.cache_clear()


def _ada(password: str | None = PASSWORD, **fields) -> Customer:
    stored = passwords.hash_password(password) if password is not None else None
    return make_customer("Ada", "Lovelace", EMAIL, password_hash=stored, **fields)


def _fail(password: str = "wrong", email: str = EMAIL) -> str:
    with pytest.raises((auth.AuthFailed, auth.AccountLocked)) as error:
        auth.sign_in("base", email, password)
    return str(error.value)


def _state(customer_id: int) -> tuple[int, object, object]:
    row = Customer.get_by_id(customer_id)
    return row.failures_num, row.first_failure, row.lock_expires


# -- the lockout timeline (B1.5) -----------------------------------------------------------
def test_the_lockout_timeline_with_magentos_defaults(shop, fixed_clock) -> None:
    """10 failures lock for 10 minutes; failures do not age out before a lock (Magento has no
    window); while locked even the right password gets "The account is locked." and nothing
    is counted; at lock_expires the account is open again and the next failure starts over."""
    ada = _ada()
    start = fixed_clock.now()
    assert _fail() == auth.INVALID_LOGIN
    assert _state(ada.id) == (1, start, None)
    for _ in range(8):  # spread over days: still counted
        fixed_clock.advance(hours=7)
        assert _fail() == auth.INVALID_LOGIN
    assert _state(ada.id) == (9, start, None)
    fixed_clock.advance(minutes=1)
    locked_at = fixed_clock.now()
    assert _fail() == auth.INVALID_LOGIN  # the 10th failure itself still says "invalid"
    until = locked_at + timedelta(minutes=10)
    assert _state(ada.id) == (10, start, until)
    assert CustomerGrid.get_by_id(ada.id).lock_expires == until  # the grid shows the lock

    fixed_clock.advance(minutes=9, seconds=59)
    assert _fail(PASSWORD) == auth.LOCKED
    assert _fail("wrong") == auth.LOCKED
    assert _state(ada.id) == (10, start, until)  # nothing counted while locked

    fixed_clock.advance(seconds=1)  # now == lock_expires: no longer locked
    assert _fail() == auth.INVALID_LOGIN
    assert _state(ada.id) == (1, fixed_clock.now(), None)  # a fresh count
    assert CustomerGrid.get_by_id(ada.id).lock_expires is None

    assert auth.sign_in("base", EMAIL, PASSWORD).customer_id == ada.id
    assert _state(ada.id) == (0, None, None)
    notes = [
        r.note
        for r in AuditLog.select().where(AuditLog.action == "sign_in_failed").order_by(AuditLog.id)
    ]
    assert notes.count("account locked") == 2 and notes.count("wrong password") == 11


def test_lockout_settings_are_read_at_each_attempt(shop, fixed_clock) -> None:
    ada = _ada()
    config.store("customer/password/lockout_failures", "3")
    config.store("customer/password/lockout_threshold", "1")
    for _ in range(3):
        _fail()
    assert _fail(PASSWORD) == auth.LOCKED
    fixed_clock.advance(minutes=1)
    assert auth.sign_in("base", EMAIL, PASSWORD).customer_id == ada.id
    config.store("customer/password/lockout_threshold", "0")  # 0 minutes: nothing recorded
    for _ in range(5):
        _fail()
    assert _state(ada.id) == (0, None, None)


def test_a_storefront_lockout_can_be_unlocked_by_staff(shop, fixed_clock) -> None:
    ada = _ada()
    config.store("customer/password/lockout_failures", "2")
    _fail(), _fail()
    assert _fail(PASSWORD) == auth.LOCKED
    result = mass_actions.unlock(ADMIN, Selection.of([ada.id]))
    assert result.count == 1
    assert _state(ada.id) == (0, None, None)
    assert auth.sign_in("base", EMAIL, PASSWORD).customer_id == ada.id


def test_a_password_reset_unlocks(shop, fixed_clock) -> None:
    ada = _ada()
    config.store("customer/password/lockout_failures", "2")
    _fail(), _fail()
    assert _fail(PASSWORD) == auth.LOCKED
    token = password_reset.issue_token(ada.id)
    auth.reset_password(token, "Brand-New-42")
    assert _state(ada.id) == (0, None, None)
    assert CustomerGrid.get_by_id(ada.id).lock_expires is None
    assert auth.sign_in("base", EMAIL, "Brand-New-42")


# -- reset tokens under concurrency --------------------------------------------------------
def test_a_reset_token_is_used_once_by_8_concurrent_consumers(any_shop, monkeypatch) -> None:
    """All eight requests find the token valid and hash their password before any of them
    writes (a barrier holds them there), so every write is contested."""
    ada = _ada()
    with database.obj.atomic():
        token = password_reset.issue_token(ada.id)
    consumers = 8
    ready = threading.Barrier(consumers, timeout=60)
    real_hash = passwords.hash_password

    def hash_then_wait(password: str) -> str:
        stored = real_hash(password)
        ready.wait()
        return stored

    monkeypatch.setattr(passwords, "hash_password", hash_then_wait)
    won: list[tuple[int, int]] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def consume(i: int) -> None:
        try:
            with database.obj.connection_context():
                customer_id = auth.reset_password(token, f"Winner-{i}-Pass")
            with lock:
                won.append((i, customer_id))
        except ValidationError as error:
            with lock:
                refused.append(error.errors["token"])
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(consumers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert len(won) == 1 and won[0][1] == ada.id
    assert refused == [auth.LINK_EXPIRED] * (consumers - 1)
    winner = won[0][0]
    stored = Customer.get_by_id(ada.id).password_hash
    assert passwords.verify(f"Winner-{winner}-Pass", stored).ok
    assert not any(
        passwords.verify(f"Winner-{i}-Pass", stored).ok for i in range(consumers) if i != winner
    )
    assert not PasswordResetToken.select().exists()
    assert AuditLog.select().where(AuditLog.action == "password_reset").count() == 1


def test_a_token_is_256_random_bits_and_stored_only_as_a_digest(shop) -> None:
    ada = _ada()
    tokens = {password_reset.issue_token(ada.id) for _ in range(20)}
    assert len(tokens) == 20
    import base64

    token = tokens.pop()
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) == 32
    assert PasswordResetToken.get().token_hash != token
    with pytest.raises(ValidationError, match="expired"):
        auth.reset_password(token + "x", "Brand-New-42")


# -- rate limits per protection type (A10, B1.2) --------------------------------------------
# Probes after requests for ada@… from 192.0.2.1: (same email, other IP), (other email,
# same IP), (other email, other IP) — limited or not, per protection type.
PROBES = [(EMAIL, "192.0.2.99"), ("bob@example.com", "192.0.2.1"), ("bob@example.com", "x")]
LIMITED = {
    "1": [True, True, False],  # By IP and Email: either matches
    "2": [False, True, False],  # By IP
    "3": [True, False, False],  # By Email
    "0": [False, False, False],  # None
}


def _limited(email: str, ip: str) -> bool:
    try:
        password_reset.check_rate(accounts_key(email), ip, 1)
    except RateLimited:
        return True
    return False


def accounts_key(email: str) -> str:
    from custtui.services import accounts

    return accounts.email_key(email)


@pytest.mark.parametrize("protection", sorted(LIMITED))
def test_minimum_time_between_requests_per_protection_type(shop, fixed_clock, protection):
    _ada()
    config.store("customer/password/password_reset_protection_type", protection)
    config.store("customer/password/max_number_password_reset_requests", "0")
    auth.forgot_password("base", EMAIL, remote_addr="192.0.2.1")
    fixed_clock.advance(minutes=9, seconds=59)
    assert [_limited(*probe) for probe in PROBES] == LIMITED[protection]
    fixed_clock.advance(seconds=1)  # 10 minutes (the default) have passed
    assert [_limited(*probe) for probe in PROBES] == [False, False, False]


@pytest.mark.parametrize("protection", sorted(LIMITED))
def test_max_requests_per_hour_per_protection_type(shop, fixed_clock, protection):
    _ada()
    config.store("customer/password/password_reset_protection_type", protection)
    config.store("customer/password/min_time_between_password_reset_requests", "0")
    for _ in range(5):  # the default maximum per hour
        auth.forgot_password("base", EMAIL, remote_addr="192.0.2.1")
        fixed_clock.advance(minutes=5)
    assert [_limited(*probe) for probe in PROBES] == LIMITED[protection]
    if protection != "0":
        with pytest.raises(RateLimited, match="too many requests"):
            auth.forgot_password("base", EMAIL, remote_addr="192.0.2.1")
    fixed_clock.advance(minutes=35, seconds=1)  # the first request is now over an hour old
    assert [_limited(*probe) for probe in PROBES] == [False, False, False]


def test_zero_limits_switch_each_check_off(shop, fixed_clock) -> None:
    _ada()
    config.store("customer/password/max_number_password_reset_requests", "0")
    config.store("customer/password/min_time_between_password_reset_requests", "0")
    for _ in range(12):
        auth.forgot_password("base", EMAIL, remote_addr="192.0.2.1")


def test_unknown_emails_are_rate_limited_like_known_ones(shop, fixed_clock) -> None:
    _ada()
    for email in (EMAIL, "nobody@example.com"):
        assert auth.forgot_password("base", email, remote_addr=None) is None
        with pytest.raises(RateLimited) as error:
            auth.forgot_password("base", email, remote_addr=None)
        assert "too many requests" in str(error.value)


# -- no user enumeration ---------------------------------------------------------------------
@pytest.fixture
def bcrypt_checks(monkeypatch) -> list[int]:
    """The cost of every bcrypt check made (the work that dominates a sign-in's time)."""
    seen: list[int] = []
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        seen.append(int(hashed.split(b"$")[2]))
        return real(password, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", counting)
    return seen


def test_unknown_email_costs_one_bcrypt_check_like_a_known_one(shop, bcrypt_checks) -> None:
    _ada()
    make_customer("No", "Password", "nopass@example.com")  # admin-created, never set one
    md5 = passwords.magento_hash(PASSWORD, "salt", "0")
    make_customer("Old", "Import", "old@example.com", password_hash=md5)
    attempts = {
        "known, wrong password": (EMAIL, "wrong"),
        "unknown email": ("nobody@example.com", "wrong"),
        "no password set": ("nopass@example.com", "wrong"),
        "legacy md5 hash": ("old@example.com", "wrong"),
        "over-long email": ("a" * 300 + "@example.com", "wrong"),
    }
    answers = {}
    for name, (email, password) in attempts.items():
        bcrypt_checks.clear()
        answers[name] = _fail(password, email)
        assert bcrypt_checks == [passwords.COST], name
    assert set(answers.values()) == {auth.INVALID_LOGIN}
    bcrypt_checks.clear()
    auth.sign_in("base", EMAIL, PASSWORD)
    assert bcrypt_checks == [passwords.COST]  # the known user's own check


def test_a_locked_account_costs_the_same_check(shop, bcrypt_checks) -> None:
    _ada()
    config.store("customer/password/lockout_failures", "2")
    _fail(), _fail()
    bcrypt_checks.clear()
    assert _fail(PASSWORD) == auth.LOCKED
    assert bcrypt_checks == [passwords.COST]


def test_the_dummy_check_follows_the_configured_cost(shop, bcrypt_checks, monkeypatch) -> None:
    monkeypatch.setattr(passwords, "COST", 5)
    _fail(email="nobody@example.com")
    assert bcrypt_checks == [5]


def test_staff_sign_in_costs_the_same_for_unknown_disabled_and_wrong(shop, bcrypt_checks):
    from custtui.services import staff_accounts
    from custtui.services.errors import ServiceError

    staff_accounts.add(ADMIN, "sam", "support", password="correct horse battery")
    staff_accounts.add(ADMIN, "dee", "support", password="correct horse battery")
    staff_accounts.disable(ADMIN, "dee")
    for name in ("sam", "nobody", "dee", "admin"):  # admin: OS-mapped, no password
        bcrypt_checks.clear()
        with pytest.raises(ServiceError) as error:
            staff_accounts.sign_in(name, "wrong password!")
        assert str(error.value) == staff_accounts.SIGN_IN_FAILED
        assert bcrypt_checks == [passwords.COST], name


# -- long and emoji passwords ------------------------------------------------------------------
LONG = [
    "Aa1-" + "x" * 80,  # 84 ASCII bytes: past bcrypt's 72
    "Ab1" + "🔒" * 253,  # 256 characters, 1,015 bytes
    "Пароль-Секрет-1" * 6,  # Cyrillic, 2 bytes a letter
    "密码密码密码密码1a密码" * 4,  # CJK: "other" characters in Magento's classes
    "😀Emoji Only 9",
]


@pytest.mark.parametrize(
    "password", LONG, ids=["84-ascii", "256-emoji", "cyrillic", "cjk", "emoji"]
)
def test_long_and_emoji_passwords_register_sign_in_and_reset(shop, password) -> None:
    assert auth.password_problems(password) is None
    customer = auth.register(
        {"website": "base", "email": EMAIL, "password": password, "firstname": "A", "lastname": "L"}
    )
    assert auth.sign_in("base", EMAIL, password).customer_id == customer.id
    assert _fail(password[:-1]) == auth.INVALID_LOGIN
    token = password_reset.issue_token(customer.id)
    auth.reset_password(token, password[::-1] + "Z")
    assert auth.sign_in("base", EMAIL, password[::-1] + "Z")


def test_passwords_differing_only_after_72_bytes_are_different(shop) -> None:
    head = "Aa1-" + "é" * 40  # 84 bytes before the difference
    _ada(head + "first")
    assert _fail(head + "other") == auth.INVALID_LOGIN
    assert auth.sign_in("base", EMAIL, head + "first")


def test_the_policy_counts_classes_like_magento() -> None:
    assert "different classes" in auth.password_problems("pässwörter")  # lower case only
    assert auth.password_problems("Pässwört€r") is None  # upper, lower, other
    assert "at least 8" in auth.password_problems("🔒🔒A1")
    assert auth.password_problems("Ab1" + "🔒" * 4093) is None  # 4,096 characters
    assert "longer than" in auth.password_problems("Ab1" + "🔒" * 4094)


# -- every Magento hash version verifies and is rehashed ------------------------------------
SALT = "Zx9QpL2mN8vB4cR7tY1uI6oP3aS5dF0g"


def _two_part(kind: str) -> str:
    import hashlib

    digest = getattr(hashlib, kind)(f"l1{PASSWORD}".encode()).hexdigest()
    return f"{digest}:l1"


HASHES = {
    "md5 (0)": lambda: passwords.magento_hash(PASSWORD, SALT, "0"),
    "sha256 (1)": lambda: passwords.magento_hash(PASSWORD, SALT, "1"),
    "argon2id (2)": lambda: passwords.magento_hash(PASSWORD, SALT, "2"),
    "argon2id (3_32_2_67108864)": lambda: passwords.magento_hash(PASSWORD, SALT, "3_32_2_67108864"),
    "chained 1:3_32_2_67108864": lambda: passwords.magento_hash(
        PASSWORD, SALT, "1:3_32_2_67108864"
    ),
    "chained 0:1": lambda: passwords.magento_hash(PASSWORD, SALT, "0:1"),
    "two-part md5": lambda: _two_part("md5"),
    "two-part sha256": lambda: _two_part("sha256"),
}


@pytest.mark.parametrize("make", HASHES.values(), ids=HASHES.keys())
def test_each_magento_hash_signs_in_and_is_rehashed_to_bcrypt(shop, make) -> None:
    legacy = make()
    ada = make_customer("Ada", "Lovelace", EMAIL, password_hash=legacy)
    assert _fail("Secret-124") == auth.INVALID_LOGIN
    assert Customer.get_by_id(ada.id).password_hash == legacy  # a failure rewrites nothing
    first = auth.sign_in("base", EMAIL, PASSWORD)
    assert first.rehashed
    stored = Customer.get_by_id(ada.id).password_hash
    assert stored.startswith(passwords.SCHEME + "$")
    assert passwords.verify(PASSWORD, stored) == passwords.Verified(True, False)
    assert not auth.sign_in("base", EMAIL, PASSWORD).rehashed
    signed_in = (
        AuditLog.select().where(AuditLog.action == "customer_signed_in").order_by(AuditLog.id)
    )
    assert [r.note for r in signed_in] == ["password rehashed", None]


def test_a_bcrypt_hash_below_the_current_cost_is_rehashed(shop, monkeypatch) -> None:
    ada = _ada()  # cost 4
    monkeypatch.setattr(passwords, "COST", 5)
    assert auth.sign_in("base", EMAIL, PASSWORD).rehashed
    assert b"$05$" in Customer.get_by_id(ada.id).password_hash.encode()


# -- website scope reaches sign-in ---------------------------------------------------------
def test_confirmation_follows_the_website_value_over_the_default(shop) -> None:
    eu = Website.create(code="eu", name="Europe Website", sort_order=1)
    on_base = _ada(confirmation="pending")
    on_eu = make_customer(
        "Ada",
        "Lovelace",
        EMAIL,
        website=eu.id,
        confirmation="pending",
        password_hash=passwords.hash_password(PASSWORD),
    )
    config.set_value(ADMIN, "customer/create_account/confirm", "1")  # Default Config
    config.set_value(ADMIN, "customer/create_account/confirm", "0", "base")  # base opts out
    assert auth.sign_in("base", EMAIL, PASSWORD).customer_id == on_base.id
    with pytest.raises(auth.NotConfirmed):
        auth.sign_in("eu", EMAIL, PASSWORD)  # inherits Default Config
    config.use_default(ADMIN, "customer/create_account/confirm", "base")
    with pytest.raises(auth.NotConfirmed):
        auth.sign_in("base", EMAIL, PASSWORD)
    config.set_value(ADMIN, "customer/create_account/confirm", "0", "eu")
    assert auth.sign_in("eu", EMAIL, PASSWORD).customer_id == on_eu.id


def test_redirect_to_dashboard_is_per_website(shop) -> None:
    eu = Website.create(code="eu", name="Europe Website", sort_order=1)
    _ada()
    make_customer(
        "Ada", "Lovelace", EMAIL, website=eu.id, password_hash=passwords.hash_password(PASSWORD)
    )
    config.set_value(ADMIN, "customer/startup/redirect_dashboard", "1", "eu")
    assert auth.sign_in("base", EMAIL, PASSWORD).redirect == "referer"
    assert auth.sign_in("eu", EMAIL, PASSWORD).redirect == "dashboard"
