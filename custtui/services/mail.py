"""The email outbox: queue in the caller's transaction, deliver after commit.

:func:`queue` renders a template and inserts an ``outbox_message`` inside the transaction of
the change that caused it (the transactional-outbox pattern): a rolled-back change queues
nothing, and a crash between commit and delivery loses nothing. :func:`deliver_pending` —
from the app after a change, from ``custtui mail deliver`` in cron — sends what is queued.

Delivery never sends a message twice, however many deliverers run at once: a message is
claimed by one guarded ``UPDATE … WHERE id=? AND status='queued'`` (rowcount 1 = ours) before
anything is sent, and the network or file work happens outside any database transaction so
no lock is held while a server is slow. A claim older than :data:`CLAIM_TIMEOUT` (a deliverer
that died mid-send) may be taken over; that is the only case in which a message could go out
twice, and it needs a single send to outlast the timeout by minutes.

Statuses: ``queued`` → ``sending`` → ``sent`` | ``failed``. A failed message stays failed
(the Email Outbox shows why) until staff :func:`retry` it. When Mail Sending Settings ›
Disable Email Communications (``system/smtp/disable``) is Yes for the website, messages are
still recorded, but as ``failed`` with :data:`DISABLED_ERROR`, so the outbox shows what would
have been sent and a retry after re-enabling sends it.

Messages are built with :class:`email.message.EmailMessage` and
:class:`email.headerregistry.Address`, so nothing in a name or subject can add a header.
Transports: a Maildir (the default; ``system/smtp/maildir``, else ``maildir/`` next to the
SQLite file) or SMTP (``system/smtp/host``/``port``/``ssl``/``username``; the password only
from ``$CUSTTUI_SMTP_PASSWORD``, never stored). Non-ASCII local parts need a server that
offers SMTPUTF8; an internationalised domain with an ASCII local part is sent as punycode.
"""

from __future__ import annotations

import mailbox
import os
import secrets
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from email_validator import EmailNotValidError, validate_email
from peewee import ModelSelect, SqliteDatabase

from custtui.models import Customer, OutboxMessage, StoreView
from custtui.models.db import database
from custtui.services import audit, clock, config, mail_templates, permissions
from custtui.services.actor import SYSTEM, Actor
from custtui.services.customers import full_name
from custtui.services.errors import Conflict, NotFound, ValidationError

STATUSES = ("queued", "sending", "sent", "failed")
IDENTITIES = ("general", "sales", "support", "custom1", "custom2")
DISABLED_ERROR = "Email communications are disabled"
"""``last_error`` of a message recorded while Disable Email Communications is Yes."""
CLAIM_TIMEOUT = timedelta(minutes=10)
"""A ``sending`` claim older than this belongs to a deliverer that died; it may be retaken."""
SMTP_TIMEOUT = 30.0
"""Seconds per SMTP connect or command: far below :data:`CLAIM_TIMEOUT`."""
PASSWORD_ENV = "CUSTTUI_SMTP_PASSWORD"


@dataclass(frozen=True)
class OutboxEntry:
    """One message as the Email Outbox and ``custtui mail`` show it."""

    id: int
    created_at: datetime
    customer_id: int | None
    template_code: str
    store_view_id: int | None
    sender_name: str
    sender_email: str
    recipient_name: str
    recipient_email: str
    subject: str
    body: str
    status: str
    attempts: int
    claimed_at: datetime | None
    sent_at: datetime | None
    transport: str | None
    message_id: str | None
    last_error: str | None

    @property
    def template_title(self) -> str:
        shipped = mail_templates.BUILTINS.get(self.template_code)
        return shipped.title if shipped is not None else self.template_code

    def as_dict(self, *, body: bool = True) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "customer_id": self.customer_id,
            "template": self.template_code,
            "store_view_id": self.store_view_id,
            "from": {"name": self.sender_name, "email": self.sender_email},
            "to": {"name": self.recipient_name, "email": self.recipient_email},
            "subject": self.subject,
            "status": self.status,
            "attempts": self.attempts,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "transport": self.transport,
            "message_id": self.message_id,
            "last_error": self.last_error,
        }
        if body:
            out["body"] = self.body
        return out


@dataclass(frozen=True)
class DeliveryReport:
    """What one :func:`deliver_pending` run did."""

    sent: int = 0
    failed: int = 0


def _entry(row: OutboxMessage) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        created_at=row.created_at,
        customer_id=row.customer_id,
        template_code=row.template_code,
        store_view_id=row.store_view_id,
        sender_name=row.sender_name,
        sender_email=row.sender_email,
        recipient_name=row.recipient_name,
        recipient_email=row.recipient_email,
        subject=row.subject,
        body=row.body,
        status=row.status,
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        transport=row.transport,
        message_id=row.message_id,
        last_error=row.last_error,
    )


# --------------------------------------------------------------------------------- queue
def _website_of(customer: Customer | None, store_view_id: int | None) -> int | None:
    if customer is not None and customer.website_id is not None:
        return int(customer.website_id)
    if store_view_id is not None:
        view = StoreView.get_or_none(StoreView.id == store_view_id)
        if view is not None:
            return int(view.website_id)
    return None


def common_variables(customer: Customer, store_view_id: int | None) -> dict[str, str]:
    """The variables every template may use, for *customer* (see
    :data:`custtui.services.mail_templates.COMMON_VARIABLES`)."""
    website = _website_of(customer, store_view_id)
    store_name = config.get("general/store_information/name", website).strip()
    if not store_name:
        view_id = store_view_id if store_view_id is not None else customer.store_view_id
        view = StoreView.get_or_none(StoreView.id == view_id) if view_id is not None else None
        store_name = view.name if view is not None else ""
    base = config.get("web/secure/base_url", website).strip() or "http://localhost/"
    if not base.endswith("/"):
        base += "/"
    return {
        "customer_name": full_name(customer),
        "customer_firstname": customer.firstname or "",
        "customer_lastname": customer.lastname or "",
        "customer_email": customer.email,
        "store_name": store_name,
        "store_url": base,
        "account_url": f"{base}customer/account/",
        "store_email": config.get("trans_email/ident_support/email", website).strip(),
    }


def queue(
    template_code: str,
    *,
    customer: Customer,
    store_view_id: int | None,
    identity: str,
    variables: Mapping[str, str],
    actor: Actor,
    recipient_email: str | None = None,
) -> int:
    """Render *template_code* for *customer* now and queue it; returns the outbox id.

    Call it inside the transaction of the change that causes the email: it only adds a
    savepoint, so when the change rolls back the email goes with it. *identity* is a store
    email identity (``general``, ``sales``, ``support``, ``custom1``, ``custom2``) resolved to
    the sender for the customer's website; *variables* are the template's own ones
    (``reset_url``…), the common ones are filled here. *recipient_email* sends to another
    address than the account's (the old address after an email change).

    Raises :class:`ValueError` for an unknown identity, a variable the template does not
    know or a needed one missing (programming errors), :class:`NotFound` for an unknown
    template code. No permission check: the caller checked its own.
    """
    if identity not in IDENTITIES:
        raise ValueError(f"unknown email identity {identity!r}; one of {', '.join(IDENTITIES)}")
    shipped = mail_templates.builtin(template_code)
    unknown = sorted(set(variables) - set(shipped.variables))
    if unknown:
        raise ValueError(f"template {template_code} has no variables {', '.join(unknown)}")
    missing = [name for name in shipped.needs if not str(variables.get(name) or "").strip()]
    if missing:
        raise ValueError(f"template {template_code} needs {', '.join(missing)}")
    website = _website_of(customer, store_view_id)
    values = common_variables(customer, store_view_id) | {k: str(v) for k, v in variables.items()}
    with database.obj.atomic():
        template = mail_templates.get(template_code)
        subject = mail_templates.one_line(mail_templates.render(template.subject, values))
        body = mail_templates.render(template.body, values)
        disabled = config.get_flag("system/smtp/disable", website)
        to = recipient_email or customer.email
        message_id = OutboxMessage.insert(
            created_at=clock.now(),
            customer_id=customer.id,
            template_code=template_code,
            store_view_id=store_view_id,
            sender_name=config.get(f"trans_email/ident_{identity}/name", website).strip(),
            sender_email=config.get(f"trans_email/ident_{identity}/email", website).strip(),
            recipient_name=full_name(customer),
            recipient_email=to,
            subject=subject[: mail_templates.SUBJECT_MAX],
            body=body,
            status="failed" if disabled else "queued",
            last_error=DISABLED_ERROR if disabled else None,
        ).execute()
        note = f"{shipped.title} to {to}"
        if disabled:
            note += f" (not sent: {DISABLED_ERROR})"
        audit.record(
            actor,
            "email_queued",
            entity_type="email",
            entity_id=message_id,
            customer_id=customer.id,
            note=note,
        )
    return int(message_id)


# ------------------------------------------------------------------------------ reading
def _where(status: str | None, customer_id: int | Iterable[int] | None) -> list[object]:
    clauses: list[object] = []
    if status is not None:
        if status not in STATUSES:
            raise ValidationError("status", f"must be one of {', '.join(STATUSES)}, not {status!r}")
        clauses.append(OutboxMessage.status == status)
    if customer_id is not None:
        if isinstance(customer_id, int):
            clauses.append(OutboxMessage.customer_id == customer_id)
        else:
            ids = sorted({int(i) for i in customer_id})
            clauses.append(OutboxMessage.customer_id.in_(ids) if ids else OutboxMessage.id < 0)
    return clauses


def _filtered(
    query: ModelSelect, status: str | None, customer_id: int | Iterable[int] | None
) -> ModelSelect:
    clauses = _where(status, customer_id)
    return query.where(*clauses) if clauses else query


def messages(
    status: str | None = None,
    customer_id: int | Iterable[int] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[OutboxEntry]:
    """Messages newest first, optionally of one status and of one customer (or several)."""
    query = _filtered(OutboxMessage.select(), status, customer_id)
    query = query.order_by(OutboxMessage.id.desc()).offset(max(0, offset)).limit(max(0, limit))
    return [_entry(row) for row in query]


def count(status: str | None = None, customer_id: int | Iterable[int] | None = None) -> int:
    return int(_filtered(OutboxMessage.select(), status, customer_id).count())


def get(message_id: int) -> OutboxEntry:
    row = OutboxMessage.get_or_none(OutboxMessage.id == message_id)
    if row is None:
        raise NotFound(f"Email {message_id} does not exist.")
    return _entry(row)


def retry(actor: Actor, message_id: int) -> OutboxEntry:
    """Put a failed message back in the queue (needs ``EMAIL_OUTBOX``); the next delivery
    sends it."""
    permissions.require(actor, permissions.EMAIL_OUTBOX)
    with database.obj.atomic():
        current = get(message_id)
        done = (
            OutboxMessage.update(status="queued", claimed_at=None, last_error=None)
            .where((OutboxMessage.id == message_id) & (OutboxMessage.status == "failed"))
            .execute()
        )
        if not done:
            raise Conflict(
                f"Email {message_id} is {current.status}; only failed emails can be retried."
            )
        audit.record(
            actor,
            "email_retried",
            entity_type="email",
            entity_id=message_id,
            customer_id=current.customer_id,
            note=f"{current.template_title} to {current.recipient_email} "
            f"(failed: {current.last_error or 'unknown error'})",
        )
    return get(message_id)


# ----------------------------------------------------------------------------- messages
def _address(name: str, email: str, role: str) -> tuple[Address, bool]:
    """A header address from stored parts, and whether it needs SMTPUTF8. Names lose any
    control character (an Address refuses CR/LF, and tabs or escapes have no place there)."""
    try:
        parsed = validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"The {role} address {email!r} is not valid: {error}") from None
    clean = mail_templates.one_line(name)
    if parsed.smtputf8:
        return Address(clean, parsed.local_part, parsed.domain), True
    return Address(clean, parsed.local_part, parsed.ascii_domain), False


def build_message(entry: OutboxEntry, message_id: str) -> tuple[EmailMessage, bool]:
    """The RFC 5322 message for *entry*, and whether it needs SMTPUTF8 (a non-ASCII local
    part). Raises :class:`ValueError` when an address is not valid."""
    sender, sender_intl = _address(entry.sender_name, entry.sender_email, "sender")
    recipient, recipient_intl = _address(entry.recipient_name, entry.recipient_email, "recipient")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = mail_templates.one_line(entry.subject)
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(entry.body)
    return message, sender_intl or recipient_intl


def _new_message_id(entry: OutboxEntry) -> str:
    try:
        domain = validate_email(entry.sender_email, check_deliverability=False).ascii_domain
    except EmailNotValidError:
        domain = "custtui.invalid"
    return f"<{clock.now():%Y%m%d%H%M%S}.{entry.id}.{secrets.token_hex(6)}@{domain}>"


# --------------------------------------------------------------------------- transports
class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage, international: bool) -> None: ...

    def close(self) -> None: ...


class TransportDown(Exception):
    """The transport itself failed (server unreachable, maildir unwritable): stop the run,
    leaving the rest queued for the next one."""


def default_maildir() -> Path:
    """``maildir/`` next to the SQLite database file, else ``data/maildir``."""
    db = database.obj
    if isinstance(db, SqliteDatabase) and db.database and db.database != ":memory:":
        return Path(db.database).resolve().parent / "maildir"
    return Path("data") / "maildir"


class MaildirTransport:
    """Each message as a file in a Maildir (``new/``), readable by any mail client."""

    name = "maildir"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # mailbox.Maildir(create=True) races with a second deliverer creating the same
            # folders (FileExistsError); makedirs(exist_ok=True) does not.
            for sub in ("tmp", "new", "cur"):
                os.makedirs(path / sub, mode=0o700, exist_ok=True)
            self.box = mailbox.Maildir(path, create=False)
        except OSError as error:
            raise TransportDown(f"Cannot open the Maildir {path}: {error}") from error

    def send(self, message: EmailMessage, international: bool) -> None:
        policy = message.policy.clone(utf8=True) if international else message.policy
        try:
            self.box.add(message.as_bytes(policy=policy))
        except OSError as error:
            raise TransportDown(f"Cannot write to the Maildir {self.path}: {error}") from error

    def close(self) -> None:
        self.box.close()


class SmtpTransport:
    """One SMTP connection for a delivery run (plain, STARTTLS or implicit TLS)."""

    name = "smtp"

    def __init__(
        self, host: str, port: int, security: str, username: str, password: str | None
    ) -> None:
        where = f"{host}:{port}"
        context = ssl.create_default_context()
        try:
            if security == "ssl":
                self.smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=SMTP_TIMEOUT, context=context
                )
            else:
                self.smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
                if security == "starttls":
                    self.smtp.starttls(context=context)
            if username:
                if not password:
                    self.close()
                    raise TransportDown(
                        f"SMTP user {username!r} is set but ${PASSWORD_ENV} is empty"
                    )
                self.smtp.login(username, password)
        except TransportDown:
            raise
        except (OSError, smtplib.SMTPException) as error:
            raise TransportDown(f"SMTP server {where}: {_describe(error)}") from error

    def send(self, message: EmailMessage, international: bool) -> None:
        """Raises :class:`TransportDown` when the connection is gone, anything else from
        smtplib when only this message was refused."""
        sender = message["From"].addresses[0].addr_spec
        recipient = message["To"].addresses[0].addr_spec
        try:
            self.smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPNotSupportedError as error:
            raise smtplib.SMTPNotSupportedError(
                "the SMTP server does not support internationalised addresses (SMTPUTF8)"
            ) from error
        except smtplib.SMTPServerDisconnected as error:
            raise TransportDown(f"SMTP server: {_describe(error)}") from error
        except smtplib.SMTPException:
            raise  # this message was refused (SMTPException is an OSError: keep it first)
        except OSError as error:
            raise TransportDown(f"SMTP server: {_describe(error)}") from error

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{addr}: {code} {_text(reply)}" for addr, (code, reply) in error.recipients.items()
        ]
        return "recipient refused — " + "; ".join(parts)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return str(error) or type(error).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def open_transport() -> Transport:
    """The transport Mail Sending Settings choose (global settings)."""
    if config.get("system/smtp/transport").strip() == "smtp":
        host = config.get("system/smtp/host").strip() or "localhost"
        try:
            port = int(config.get("system/smtp/port").strip() or 25)
        except ValueError:
            raise TransportDown("system/smtp/port is not a number") from None
        return SmtpTransport(
            host,
            port,
            config.get("system/smtp/ssl").strip(),
            config.get("system/smtp/username").strip(),
            os.environ.get(PASSWORD_ENV),
        )
    configured = config.get("system/smtp/maildir").strip()
    return MaildirTransport(Path(configured) if configured else default_maildir())


# ----------------------------------------------------------------------------- delivery
def _candidates(limit: int) -> list[int]:
    """Ids a deliverer may try to claim: queued, or claimed too long ago."""
    stale = clock.now() - CLAIM_TIMEOUT
    query = (
        OutboxMessage.select(OutboxMessage.id)
        .where(
            (OutboxMessage.status == "queued")
            | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < stale))
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [row.id for row in query]


def _claim(message_id: int) -> OutboxEntry | None:
    """Take *message_id* for this deliverer, or None when another one has it."""
    now = clock.now()
    stale = now - CLAIM_TIMEOUT
    taken = (
        OutboxMessage.update(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .where(
            (OutboxMessage.id == message_id)
            & (
                (OutboxMessage.status == "queued")
                | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < stale))
            )
        )
        .execute()
    )
    return get(message_id) if taken == 1 else None


def _finish(
    entry: OutboxEntry, *, error: str | None, transport: str | None, message_id: str | None
) -> None:
    mine = (OutboxMessage.id == entry.id) & (OutboxMessage.status == "sending")
    if entry.claimed_at is not None:
        mine &= OutboxMessage.claimed_at == entry.claimed_at
    with database.obj.atomic():
        if error is None:
            OutboxMessage.update(
                status="sent",
                sent_at=clock.now(),
                transport=transport,
                message_id=message_id,
                last_error=None,
            ).where(mine).execute()
            action, note = "email_sent", f"sent via {transport}"
        else:
            OutboxMessage.update(status="failed", transport=transport, last_error=error).where(
                mine
            ).execute()
            action, note = "email_failed", error
        audit.record(
            SYSTEM,
            action,
            entity_type="email",
            entity_id=entry.id,
            customer_id=entry.customer_id,
            note=f"{entry.template_title} to {entry.recipient_email} — {note}",
        )


def _disabled(entry: OutboxEntry) -> bool:
    customer = Customer.get_or_none(Customer.id == entry.customer_id) if entry.customer_id else None
    return config.get_flag("system/smtp/disable", _website_of(customer, entry.store_view_id))


def deliver_pending(limit: int = 100) -> DeliveryReport:
    """Send up to *limit* queued messages, oldest first; safe to run from several places at
    once (each message is claimed before it is sent). Must run outside any transaction.

    A message the server refuses is marked failed and the run goes on; when the transport
    itself fails (server unreachable, Maildir unwritable) the message in hand is marked
    failed and the run stops, leaving the rest queued for the next run.
    """
    if database.obj.in_transaction():
        raise RuntimeError("deliver_pending() must run outside a transaction (after commit)")
    sent = failed = 0
    transport: Transport | None = None
    try:
        for candidate in _candidates(limit):
            entry = _claim(candidate)
            if entry is None:
                continue  # another deliverer took it
            if _disabled(entry):
                _finish(entry, error=DISABLED_ERROR, transport=None, message_id=None)
                failed += 1
                continue
            message_id = _new_message_id(entry)
            name = "smtp" if config.get("system/smtp/transport").strip() == "smtp" else "maildir"
            try:
                message, international = build_message(entry, message_id)
                if transport is None:
                    transport = open_transport()
                name = transport.name
                transport.send(message, international)
            except TransportDown as error:
                _finish(entry, error=str(error), transport=name, message_id=message_id)
                failed += 1
                break
            except (ValueError, smtplib.SMTPException) as error:
                _finish(entry, error=_describe(error), transport=name, message_id=message_id)
                failed += 1
                continue
            _finish(entry, error=None, transport=name, message_id=message_id)
            sent += 1
    finally:
        if transport is not None:
            transport.close()
    return DeliveryReport(sent=sent, failed=failed)
