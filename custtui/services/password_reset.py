"""Password-reset tokens and the reset email (reference A13, B1.2; ASVS 6.4).

A token is 256 random bits, shown only in the email link; the database keeps its SHA-256
digest, one live token per customer, valid for ``reset_link_expiration_period`` hours and
single use. Staff can send the reset email (never see or choose a password); requests are
rate-limited by the Password Reset Protection settings so a button cannot flood a mailbox.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import quote

from peewee import fn

from custtui.models import Customer, PasswordResetRequest, PasswordResetToken
from custtui.models.db import database
from custtui.services import audit, clock, config, permissions
from custtui.services.actor import Actor
from custtui.services.errors import NotFound, RateLimited

BY_IP_AND_EMAIL, BY_IP, BY_EMAIL, NO_PROTECTION = 1, 2, 3, 0
TOO_MANY = (
    "We received too many requests for password resets. Please wait and try again later or "
    "contact {support}."
)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(customer_id: int) -> str:
    """A new token for the customer, replacing any earlier one (call inside a transaction)."""
    token = secrets.token_urlsafe(32)
    PasswordResetToken.delete().where(PasswordResetToken.customer == customer_id).execute()
    PasswordResetToken.create(
        customer=customer_id, token_hash=digest(token), created_at=clock.now()
    )
    return token


def token_customer(token: str) -> Customer | None:
    """The customer a live, unexpired token belongs to, or None (wrong, used or expired)."""
    row = PasswordResetToken.get_or_none(PasswordResetToken.token_hash == digest(token))
    if row is None:
        return None
    hours = max(1, config.get_int("customer/password/reset_link_expiration_period"))
    if clock.now() >= row.created_at + timedelta(hours=hours):
        return None
    return Customer.get_or_none(Customer.id == row.customer_id)


def link(customer: Customer, token: str) -> str:
    """The storefront's create-password page for *token* (Magento's route)."""
    base = config.get("web/secure/base_url", customer.website_id).strip() or "http://localhost/"
    if not base.endswith("/"):
        base += "/"
    return f"{base}customer/account/createPassword/?token={quote(token)}"


def check_rate(email_key: str | None, remote_addr: str | None, website_id: int | None) -> None:
    """Raise :class:`RateLimited` when another reset request now would exceed the
    configured limits (per hour, and minimum minutes since the last one)."""
    protection = config.get_int("customer/password/password_reset_protection_type", website_id)
    if protection == NO_PROTECTION:
        return
    conditions = []
    if protection in (BY_IP_AND_EMAIL, BY_EMAIL) and email_key:
        conditions.append(PasswordResetRequest.account_reference == email_key)
    if protection in (BY_IP_AND_EMAIL, BY_IP) and remote_addr:
        conditions.append(PasswordResetRequest.remote_addr == remote_addr)
    if not conditions:
        return
    matches = conditions[0]
    for condition in conditions[1:]:
        matches = matches | condition
    now = clock.now()
    support = config.get("trans_email/ident_support/email", website_id)
    most = config.get_int("customer/password/max_number_password_reset_requests", website_id)
    if most > 0:
        recent = (
            PasswordResetRequest.select(fn.COUNT(PasswordResetRequest.id))
            .where(matches & (PasswordResetRequest.created_at > now - timedelta(hours=1)))
            .scalar()
        )
        if int(recent or 0) >= most:
            raise RateLimited(TOO_MANY.format(support=support))
    gap = config.get_int("customer/password/min_time_between_password_reset_requests", website_id)
    if gap > 0:
        too_soon = (
            PasswordResetRequest.select()
            .where(matches & (PasswordResetRequest.created_at > now - timedelta(minutes=gap)))
            .exists()
        )
        if too_soon:
            raise RateLimited(TOO_MANY.format(support=support))


def record_request(email_key: str | None, remote_addr: str | None) -> None:
    PasswordResetRequest.create(
        account_reference=email_key, remote_addr=remote_addr, created_at=clock.now()
    )


def send_by_staff(actor: Actor, customer_id: int) -> int:
    """The editor's Reset Password: email the customer a reset link (Magento sends the
    "Remind" template from the admin). Returns the outbox message id."""
    from custtui.services import mail

    permissions.require(actor, permissions.CUSTOMERS_RESET_PASSWORD)
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist (it may have been deleted).")
    with database.obj.atomic():
        check_rate(customer.email_key, None, customer.website_id)
        record_request(customer.email_key, None)
        token = issue_token(customer.id)
        message_id = mail.queue(
            config.get("customer/password/remind_email_template", customer.website_id),
            customer=customer,
            store_view_id=customer.store_view_id,
            identity=config.get("customer/password/forgot_email_identity", customer.website_id),
            variables={"reset_url": link(customer, token)},
            actor=actor,
        )
        audit.record(
            actor,
            "password_reset_sent",
            entity_id=customer.id,
            customer_id=customer.id,
            note=f"reset link emailed to {customer.email}",
        )
    return message_id
