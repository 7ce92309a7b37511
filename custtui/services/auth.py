"""Customer authentication: what the storefront calls (through the HTTP API), and what the CLI
and the TUI use when they act for a customer.

Magento's rules (reference A8, A10, A12, A13, B1.4, B1.5): the password policy, the generic
"Invalid login or password.", the lockout algorithm, confirmation when the website requires it,
the redirect-to-dashboard option, and forgot/reset/change flows. Unknown emails cost the same
time as known ones and get the same answers, except where Magento itself tells
("already exists" on registration).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from custtui.models import (
    Customer,
    CustomerGrid,
    CustomerLog,
    PasswordResetToken,
    Visit,
    Website,
)
from custtui.models.db import database
from custtui.services import accounts, audit, clock, config, password_reset, passwords
from custtui.services.actor import STOREFRONT
from custtui.services.errors import NotFound, ServiceError, ValidationError

INVALID_LOGIN = "Invalid login or password."
LOCKED = "The account is locked."
NOT_CONFIRMED = "This account isn't confirmed. Verify and try again."
LINK_EXPIRED = "Your password reset link has expired."
WRONG_PASSWORD = "The password doesn't match this account. Verify the password and try again."
MAX_PASSWORD = 4096
"""Far above any real password (ASVS asks for ≥ 64); bounds the work one request can cause."""


class AuthFailed(ServiceError):
    """Wrong email or password (never says which)."""


class AccountLocked(ServiceError):
    """Too many failures: locked until ``lock_expires``."""


class NotConfirmed(ServiceError):
    """The website requires email confirmation and this account has not confirmed."""


# -- policy -------------------------------------------------------------------------------
def password_problems(password: str, email: str | None = None) -> str | None:
    """Magento's password strength check (B1.4), one message, or None when acceptable."""
    if not isinstance(password, str) or password == "":
        return "Password is required."
    if len(password) > MAX_PASSWORD:
        return f"The password is longer than {MAX_PASSWORD} characters."
    minimum = max(1, config.get_int("customer/password/minimum_password_length"))
    if len(password) < minimum:
        return (
            f"The password needs at least {minimum} characters. Create a new password and "
            "try again."
        )
    if password != password.strip():
        return "The password can't begin or end with a space. Verify the password and try again."
    # Magento's classes are [0-9], [A-Z], [a-z] and "anything else". Cased letters of any
    # script count as upper/lower case; a character with no case and no digit value (a
    # symbol, an emoji, a CJK or Arabic letter) is "anything else", as it is in Magento —
    # so a password in a script without case is not refused for lacking letters.
    classes = sum(
        (
            any(c.isdigit() for c in password),
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(not (c.isdigit() or c.isupper() or c.islower()) for c in password),
        )
    )
    required = min(4, max(1, config.get_int("customer/password/required_character_classes_number")))
    if classes < required:
        return (
            f"Minimum of different classes of characters in password is {required}. Classes of "
            "characters: Lower Case, Upper Case, Digits, Special Characters."
        )
    if email and password.casefold() == email.casefold():
        return "The password can't be the same as the email address. Create a new password and try again."
    return None


def _check_password(password: Any, email: str | None, field: str = "password") -> str:
    problem = password_problems(password, email)
    if problem:
        raise ValidationError(field, problem)
    return password


# -- lookups ------------------------------------------------------------------------------
def website_id(code_or_id: str | int) -> int:
    """The website a storefront names (its code, or its numeric id)."""
    if isinstance(code_or_id, int) or str(code_or_id).isdigit():
        site = Website.get_or_none(Website.id == int(code_or_id))
    else:
        site = Website.get_or_none(Website.code == str(code_or_id))
    if site is None:
        raise ValidationError("website", f"Unknown website {str(code_or_id)[:64]!r}.")
    return site.id


def _find(website: int, email: str) -> Customer | None:
    if not isinstance(email, str) or len(email) > 255:
        return None
    query = Customer.select().where(Customer.email_key == accounts.email_key(email.strip()))
    if config.get("customer/account_share/scope").strip() != "0":
        query = query.where(Customer.website == website)
    return query.first()


def _locked(customer: Customer) -> bool:
    return customer.lock_expires is not None and customer.lock_expires > clock.now()


def _notify(
    template_path: str,
    customer: Customer,
    identity_path: str,
    variables: Mapping[str, str],
    recipient_email: str | None = None,
) -> None:
    """Queue the email the website configures at *template_path* (inside the caller's
    transaction), from the identity configured at *identity_path*."""
    from custtui.services import mail

    mail.queue(
        config.get(template_path, customer.website_id),
        customer=customer,
        store_view_id=customer.store_view_id,
        identity=config.get(identity_path, customer.website_id),
        variables=variables,
        actor=STOREFRONT,
        recipient_email=recipient_email,
    )


# -- register / confirm -------------------------------------------------------------------
def _confirm_link(customer: Customer, key: str) -> str:
    base = config.get("web/secure/base_url", customer.website_id).strip() or "http://localhost/"
    base = base if base.endswith("/") else base + "/"
    return f"{base}customer/account/confirm/?id={customer.id}&key={quote(key)}"


def register(values: Mapping[str, Any], *, remote_addr: str | None = None) -> Customer:
    """Create an account from the storefront; errors name their field (``ValidationError``
    carrying every problem). Sends the confirmation link or the welcome email."""

    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    try:
        site = website_id(values.get("website", ""))
    except ValidationError as error:
        errors.update(error.errors)
        site = None
    try:
        data = accounts.clean({**values, "website_id": site, "group_id": _default_group(site)})
    except ValidationError as error:
        errors.update({k: v for k, v in error.errors.items() if k != "website_id"})
    password = values.get("password")
    problem = password_problems(password, values.get("email"))
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationError(errors)
    confirm = config.get_flag("customer/create_account/confirm", site)
    hashed = passwords.hash_password(password)  # slow: outside the transaction
    with database.obj.atomic():
        customer = accounts.insert_customer(
            STOREFRONT,
            data,
            password_hash=hashed,
            confirmation=secrets.token_hex(16) if confirm else None,
        )
        if confirm:
            _notify(
                "customer/create_account/email_confirmation_template",
                customer,
                "customer/create_account/email_identity",
                {"confirmation_url": _confirm_link(customer, customer.confirmation)},
            )
        else:
            _notify(
                "customer/create_account/email_template",
                customer,
                "customer/create_account/email_identity",
                {},
            )
    return customer


def _default_group(site: int | None) -> int:
    try:
        return config.get_int("customer/create_account/default_group", site) or 1
    except ValueError:
        return 1


def confirm(customer_id: int, key: str) -> Customer:
    """The confirmation link: confirms once, then sends the "Welcome" (confirmed) email."""

    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None or not customer.confirmation:
        raise ValidationError("key", "The confirmation link is not valid or was already used.")
    if not secrets.compare_digest(str(key), customer.confirmation):
        raise ValidationError("key", "The confirmation link is not valid or was already used.")
    with database.obj.atomic():
        done = (
            Customer.update(confirmation=None, version=Customer.version + 1)
            .where((Customer.id == customer_id) & (Customer.confirmation == key))
            .execute()
        )
        if not done:
            raise ValidationError("key", "The confirmation link is not valid or was already used.")
        from custtui.services import grid_index

        grid_index.reindex([customer_id])
        audit.record(
            STOREFRONT,
            "email_confirmed",
            entity_id=customer_id,
            customer_id=customer_id,
            changes={"confirmed_email": ["Confirmation Required", "Confirmed"]},
            note="confirmed by the customer",
        )
        _notify(
            "customer/create_account/email_confirmed_template",
            customer,
            "customer/create_account/email_identity",
            {},
        )
    return Customer.get_by_id(customer_id)


# -- sign in / out ------------------------------------------------------------------------
@dataclass(frozen=True)
class SignIn:
    customer_id: int
    redirect: str
    """``"dashboard"`` when Redirect Customer to Account Dashboard is on, else ``"referer"``."""
    rehashed: bool = False
    """The stored hash (a Magento one, or bcrypt at a lower cost) was replaced by a new one."""


def _grid_lock(customer_id: int, lock_expires: Any) -> None:
    """Keep the grid's Account Lock column (and so its Unlock mass action) in step."""
    CustomerGrid.update(lock_expires=lock_expires).where(CustomerGrid.id == customer_id).execute()


def _record_failure(customer: Customer) -> None:
    """Magento's lockout algorithm (B1.5), as one guarded UPDATE per branch."""
    threshold = config.get_int("customer/password/lockout_threshold") * 60
    most = config.get_int("customer/password/lockout_failures")
    if threshold <= 0 or most <= 0:
        return
    now = clock.now()
    fresh = (
        customer.failures_num == 0
        or customer.first_failure is None
        or (customer.lock_expires is not None and customer.lock_expires <= now)
    )
    if fresh:
        Customer.update(failures_num=1, first_failure=now, lock_expires=None).where(
            Customer.id == customer.id
        ).execute()
        if customer.lock_expires is not None:
            _grid_lock(customer.id, None)
        return
    failures = customer.failures_num + 1
    values: dict[Any, Any] = {Customer.failures_num: Customer.failures_num + 1}
    if failures >= most:
        values[Customer.lock_expires] = now + timedelta(seconds=threshold)
    Customer.update(values).where(Customer.id == customer.id).execute()
    if failures >= most:
        _grid_lock(customer.id, values[Customer.lock_expires])


def sign_in(
    website: str | int,
    email: str,
    password: str,
    *,
    visit_id: int | None = None,
    remote_addr: str | None = None,
    via: str | None = None,
) -> SignIn:
    """Authenticate; raises :class:`AuthFailed`, :class:`AccountLocked` or
    :class:`NotConfirmed` with Magento's messages. *via* says where the attempt came from
    when it is not the storefront (``custtui customers sign-in-check``) and goes into the
    audit note."""
    site = website_id(website)

    def note(text: str | None) -> str | None:
        return "; ".join(part for part in (text, via) if part) or None

    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        passwords.dummy_verify("x")
        raise AuthFailed(INVALID_LOGIN)
    customer = _find(site, email)
    if customer is None:
        passwords.dummy_verify(password)
        with database.obj.atomic():
            audit.record(
                STOREFRONT,
                "sign_in_failed",
                entity_type="storefront",
                note=note(f"unknown email on website {site}"),
            )
        raise AuthFailed(INVALID_LOGIN)
    if _locked(customer):
        passwords.dummy_verify(password)
        with database.obj.atomic():
            audit.record(
                STOREFRONT,
                "sign_in_failed",
                entity_id=customer.id,
                customer_id=customer.id,
                note=note("account locked"),
            )
        raise AccountLocked(LOCKED)
    checked = passwords.verify(password, customer.password_hash)
    if not checked.ok:
        with database.obj.atomic():
            _record_failure(customer)
            audit.record(
                STOREFRONT,
                "sign_in_failed",
                entity_id=customer.id,
                customer_id=customer.id,
                note=note("wrong password"),
            )
        raise AuthFailed(INVALID_LOGIN)
    if customer.confirmation and config.get_flag("customer/create_account/confirm", site):
        with database.obj.atomic():
            audit.record(
                STOREFRONT,
                "sign_in_failed",
                entity_id=customer.id,
                customer_id=customer.id,
                note=note("email not confirmed"),
            )
        raise NotConfirmed(NOT_CONFIRMED)
    rehashed = passwords.hash_password(password) if checked.needs_rehash else None
    now = clock.now()
    with database.obj.atomic():
        values: dict[Any, Any] = {
            Customer.failures_num: 0,
            Customer.first_failure: None,
            Customer.lock_expires: None,
        }
        if rehashed:
            values[Customer.password_hash] = rehashed
        Customer.update(values).where(Customer.id == customer.id).execute()
        if customer.lock_expires is not None:
            _grid_lock(customer.id, None)
        _log(customer.id, login=now)
        if visit_id is not None:
            Visit.update(customer=customer.id, last_visit_at=now).where(
                (Visit.id == visit_id) & (Visit.website == site)
            ).execute()
        audit.record(
            STOREFRONT,
            "customer_signed_in",
            entity_id=customer.id,
            customer_id=customer.id,
            note=note("password rehashed" if rehashed else None),
        )
    redirect = (
        "dashboard" if config.get_flag("customer/startup/redirect_dashboard", site) else "referer"
    )
    return SignIn(customer.id, redirect, rehashed=rehashed is not None)


def _log(customer_id: int, *, login: Any = None, logout: Any = None) -> None:
    update = {}
    if login is not None:
        update[CustomerLog.last_login_at] = login
    if logout is not None:
        update[CustomerLog.last_logout_at] = logout
    CustomerLog.insert(
        customer=customer_id, last_login_at=login, last_logout_at=logout
    ).on_conflict(conflict_target=[CustomerLog.customer], update=update).execute()


def sign_out(visit_id: int) -> bool:
    """End the customer's session on this visit; False when nobody was signed in there."""
    visit = Visit.get_or_none(Visit.id == visit_id)
    if visit is None:
        raise NotFound(f"Visit {visit_id} does not exist.")
    if visit.customer_id is None:
        return False
    with database.obj.atomic():
        Visit.update(customer=None, last_visit_at=clock.now()).where(Visit.id == visit_id).execute()
        _log(visit.customer_id, logout=clock.now())
        audit.record(
            STOREFRONT,
            "customer_signed_out",
            entity_id=visit.customer_id,
            customer_id=visit.customer_id,
        )
    return True


# -- forgot / reset / change --------------------------------------------------------------
def forgot_password(website: str | int, email: str, *, remote_addr: str | None = None) -> None:
    """ "If there is an account associated with … you will receive an email": the same answer
    whether or not the account exists. Raises ``RateLimited`` past the configured limits."""

    site = website_id(website)
    key = (
        accounts.email_key(email.strip()) if isinstance(email, str) and len(email) <= 255 else None
    )
    with database.obj.atomic():
        password_reset.check_rate(key, remote_addr, site)
        password_reset.record_request(key, remote_addr)
        customer = _find(site, email) if key else None
        if customer is None:
            return
        token = password_reset.issue_token(customer.id)
        _notify(
            "customer/password/forgot_email_template",
            customer,
            "customer/password/forgot_email_identity",
            {"reset_url": password_reset.link(customer, token)},
        )
        audit.record(
            STOREFRONT, "password_reset_requested", entity_id=customer.id, customer_id=customer.id
        )


def reset_password(token: str, new_password: str) -> int:
    """Set a new password with a reset link's token (single use; also unlocks the account and
    ends other sessions). Returns the customer id."""

    customer = password_reset.token_customer(token) if isinstance(token, str) else None
    if customer is None:
        raise ValidationError("token", LINK_EXPIRED)
    _check_password(new_password, customer.email)
    hashed = passwords.hash_password(new_password)
    now = clock.now()
    with database.obj.atomic():
        used = (
            PasswordResetToken.delete()
            .where(
                (PasswordResetToken.token_hash == password_reset.digest(token))
                & (PasswordResetToken.customer == customer.id)
            )
            .execute()
        )
        if used != 1:  # another request used it first
            raise ValidationError("token", LINK_EXPIRED)
        Customer.update(
            password_hash=hashed,
            failures_num=0,
            first_failure=None,
            lock_expires=None,
            session_cutoff=now,
            updated_at=now,
        ).where(Customer.id == customer.id).execute()
        if customer.lock_expires is not None:
            _grid_lock(customer.id, None)
        Visit.update(customer=None).where(Visit.customer == customer.id).execute()
        audit.record(
            STOREFRONT,
            "password_reset",
            entity_id=customer.id,
            customer_id=customer.id,
            note="new password set with a reset link",
        )
        _notify(
            "customer/password/reset_password_template",
            customer,
            "customer/password/forgot_email_identity",
            {},
        )
    return customer.id


def _current(customer_id: int, password: str) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist.")
    if not isinstance(password, str) or not passwords.verify(password, customer.password_hash).ok:
        raise ValidationError("current_password", WRONG_PASSWORD)
    return customer


def change_password(customer_id: int, current_password: str, new_password: str) -> None:

    customer = _current(customer_id, current_password)
    _check_password(new_password, customer.email, "new_password")
    hashed = passwords.hash_password(new_password)
    with database.obj.atomic():
        Customer.update(password_hash=hashed, updated_at=clock.now()).where(
            Customer.id == customer_id
        ).execute()
        audit.record(STOREFRONT, "password_changed", entity_id=customer_id, customer_id=customer_id)
        _notify(
            "customer/password/reset_password_template",
            customer,
            "customer/password/forgot_email_identity",
            {},
        )


def change_email(customer_id: int, current_password: str, new_email: str) -> Customer:
    """Change the sign-in email (needs the current password); both addresses are told."""

    customer = _current(customer_id, current_password)
    old_email = customer.email
    with database.obj.atomic():
        result = accounts.save_changes(
            STOREFRONT, customer_id, customer.version, {"email": new_email}
        )
        for address in (old_email, result.customer.email):
            _notify(
                "customer/account_information/change_email_template",
                result.customer,
                "customer/create_account/email_identity",
                {},
                recipient_email=address,
            )
    return result.customer
