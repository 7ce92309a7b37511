"""Email: templates (syntax, validation, overrides), the outbox (queue in the caller's
transaction, claim-then-deliver) and both transports, SMTP against a real server on loopback."""

from __future__ import annotations

import contextlib
import email
import email.policy
import mailbox
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from custtui.models import AuditLog, EmailTemplate, OutboxMessage, Staff
from custtui.models.db import database
from custtui.services import clock, config, mail, mail_templates
from custtui.services.actor import SYSTEM, Actor
from custtui.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.factories import make_customer

FORGOT = "customer_password_forgot_email_template"
REMIND = "customer_password_remind_email_template"
WELCOME = "customer_create_account_email_template"
NO_PASSWORD = "customer_create_account_email_no_password_template"
CUSTOMER_CODES = [
    "customer_create_account_email_template",
    "customer_create_account_email_no_password_template",
    "customer_create_account_email_confirmation_template",
    "customer_create_account_email_confirmed_template",
    "customer_password_forgot_email_template",
    "customer_password_remind_email_template",
    "customer_password_reset_password_template",
    "customer_account_information_change_email_template",
    "customer_account_information_change_email_and_password_template",
]
"""Magento's nine customer email codes (customer/*/…_template config values)."""
RESET_URL = "https://shop.example.com/customer/account/createPassword/?token=abc"


def actor(role: str = "admin") -> Actor:
    row = Staff.create(
        username=f"{role}-{Staff.select().count()}", role=role, created_at=clock.now()
    )
    return Actor(row.id, row.username, row.role)


def queue_forgot(customer, **kwargs) -> int:
    with database.obj.atomic():
        return mail.queue(
            FORGOT,
            customer=customer,
            store_view_id=customer.store_view_id,
            identity="support",
            variables={"reset_url": RESET_URL},
            actor=kwargs.pop("actor", SYSTEM),
            **kwargs,
        )


def maildir_messages(path: Path) -> list[email.message.EmailMessage]:
    box = mailbox.Maildir(path, create=False)
    return [
        email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        for key in sorted(box.iterkeys())
    ]


# ---------------------------------------------------------------------------- templates
def test_every_builtin_template_is_valid_and_renders_its_variables():
    assert len(mail_templates.BUILTINS) == 10  # Magento's nine and the store credit update
    for shipped in mail_templates.BUILTINS.values():
        assert mail_templates.check(shipped.code, shipped.subject, shipped.body) == {}
        used = mail_templates.variables_used(shipped.subject + shipped.body)
        assert set(shipped.needs) <= set(used), shipped.code  # the link is in the text
        shown = mail_templates.preview(shipped.code, shipped.subject, shipped.body)
        assert "{{" not in shown.subject + shown.body
        assert "Main Website Store" in shown.subject


def test_the_codes_match_the_configuration_choices():
    from custtui.services import config_schema

    codes = [code for code, _ in config_schema.TEMPLATES]
    assert codes[:9] == CUSTOMER_CODES
    assert set(codes) <= set(mail_templates.BUILTINS)


def test_render_substitutes_plain_text_once():
    text = "Hi {{var name}}, {{ var  customer.name }}! {{var missing}}."
    values = {"name": "{{var customer.name}} [b]x[/b]", "customer.name": "Ada"}
    assert mail_templates.render(text, values) == "Hi {{var customer.name}} [b]x[/b], Ada! ."


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("  ", "Body", "subject", "Subject is required."),
        ("S", "\n \n", "body", "Body is required."),
        ("x" * 256, "Body", "subject", "Subject is 256 characters long; at most 255."),
        ("Two\nlines", "Body", "subject", "Subject must be one line without control characters."),
        ("Tab\there", "Body", "subject", "Subject must be one line without control characters."),
        (
            "S",
            "Bell \x07",
            "body",
            "Body must not contain control characters (other than line breaks and tabs).",
        ),
        ("S", "x" * 100_001, "body", "Body is 100,001 characters long; at most 100,000."),
        ("Hi {{var store_name", "Body", "subject", 'Subject has an unclosed "{{".'),
        ("S", "a\n{{var reset_url}}\n{{var x", "body", 'Body has an unclosed "{{" (line 3).'),
        (
            "S",
            "a {{ {{var reset_url}}",
            "body",
            'Body has an unclosed "{{" (line 1).',
        ),
        ("S", "a\nb }} c", "body", 'Body has "}}" without an opening "{{" (line 2).'),
        (
            "S",
            '{{trans "Hello"}}',
            "body",
            'Body has "{{trans "Hello"}}": only {{var name}} is supported (line 1).',
        ),
        (
            "S",
            "{{var reset_url|escape}}",
            "body",
            'Body has "{{var reset_url|escape}}": filters (|…) are not supported (line 1).',
        ),
        (
            "S",
            "{{var customer.dob}} {{var reset_url}} {{var coupon}} {{var coupon}}",
            "body",
            "Body uses unknown variables: customer.dob, coupon. Allowed: customer_name, "
            "customer_firstname, customer_lastname, customer_email, store_name, store_url, "
            "account_url, store_email, reset_url.",
        ),
        (
            "Your {{var set_password_url}}",
            "B",
            "subject",
            "Subject uses unknown variable: set_password_url. Allowed: customer_name, "
            "customer_firstname, customer_lastname, customer_email, store_name, store_url, "
            "account_url, store_email, reset_url.",
        ),
    ],
)
def test_save_refuses_bad_templates_with_the_field_and_reason(shop, subject, body, field, message):
    with pytest.raises(ValidationError) as caught:
        mail_templates.save(actor(), FORGOT, subject, body)
    assert caught.value.errors == {field: message}
    assert not EmailTemplate.select().exists()


def test_both_fields_are_reported_at_once(shop):
    with pytest.raises(ValidationError) as caught:
        mail_templates.save(actor(), FORGOT, "", "{{if x}}")
    assert set(caught.value.errors) == {"subject", "body"}


def test_save_overrides_the_builtin_and_revert_restores_it(shop, fixed_clock):
    admin = actor()
    assert not any(t.customised for t in mail_templates.list_templates())
    saved = mail_templates.save(
        admin, FORGOT, "  New password for {{var store_name}}  ", "Go to\r\n{{var reset_url}}"
    )
    assert (saved.subject, saved.body) == (
        "New password for {{var store_name}}",
        "Go to\n{{var reset_url}}",
    )
    assert saved.customised and saved.updated_by == admin.username
    assert saved.updated_at == fixed_clock.now()
    listed = {t.code: t for t in mail_templates.list_templates()}
    assert listed[FORGOT].customised and not listed[REMIND].customised
    assert listed[FORGOT].title == "Forgot Password"
    row = AuditLog.get(AuditLog.action == "email_template_changed")
    assert row.staff_username == admin.username and row.entity_type == "email_template"
    assert row.note == f"Forgot Password ({FORGOT})"
    assert row.changes["subject"] == [
        mail_templates.BUILTINS[FORGOT].subject,
        "New password for {{var store_name}}",
    ]
    # Saving the same text again is not a change.
    mail_templates.save(admin, FORGOT, saved.subject, saved.body)
    assert AuditLog.select().where(AuditLog.action == "email_template_changed").count() == 1

    assert mail_templates.revert(admin, FORGOT) is True
    back = mail_templates.get(FORGOT)
    assert not back.customised and back.body == mail_templates.BUILTINS[FORGOT].body
    assert AuditLog.select().where(AuditLog.action == "email_template_reverted").count() == 1
    assert mail_templates.revert(admin, FORGOT) is False
    assert AuditLog.select().where(AuditLog.action == "email_template_reverted").count() == 1


def test_only_admins_edit_templates(shop):
    support = actor("support")
    with pytest.raises(PermissionDenied, match="does not allow editing email templates"):
        mail_templates.save(support, FORGOT, "S", "B {{var reset_url}}")
    with pytest.raises(PermissionDenied):
        mail_templates.revert(support, FORGOT)
    assert not EmailTemplate.select().exists()
    assert AuditLog.select().where(AuditLog.action == "permission_denied").count() == 2


def test_unknown_template_codes_are_not_found(shop):
    with pytest.raises(NotFound):
        mail_templates.get("nope")
    with pytest.raises(NotFound):
        mail_templates.save(actor(), "nope", "S", "B")


def test_preview_uses_sample_values_for_saved_and_unsaved_text(shop):
    shown = mail_templates.preview(REMIND)
    assert shown.subject == "Reset your Main Website Store password"
    assert mail_templates.SAMPLE_VALUES["reset_url"] in shown.body
    unsaved = mail_templates.preview(REMIND, "Hi {{var customer_firstname}}", "{{var nope}} {{x")
    assert unsaved.subject == "Hi Veronica"
    assert unsaved.body == " {{x"  # unknown names render empty, broken text stays as typed


# -------------------------------------------------------------------------------- queue
def test_queue_renders_now_with_identity_store_and_customer(shop):
    config.store("general/store_information/name", "Luma")
    config.store("web/secure/base_url", "https://luma.example")
    config.store("trans_email/ident_support/name", "Luma Care", 1)
    customer = make_customer("Veronica", "Costello", "roni_cost@example.com", prefix="Ms")
    message_id = queue_forgot(customer)
    # A later template change does not change what was queued.
    mail_templates.save(actor(), FORGOT, "Changed", "Changed {{var reset_url}}")
    entry = mail.get(message_id)
    assert entry.status == "queued" and entry.attempts == 0
    assert entry.subject == "Reset your Luma password"
    assert entry.body.startswith("Ms Veronica Costello,\n\nThere was recently a request")
    assert RESET_URL in entry.body and "https://luma.example/" in entry.body
    assert (entry.sender_name, entry.sender_email) == ("Luma Care", "support@example.com")
    assert (entry.recipient_name, entry.recipient_email) == (
        "Ms Veronica Costello",
        "roni_cost@example.com",
    )
    assert entry.customer_id == customer.id and entry.template_code == FORGOT
    row = AuditLog.get(AuditLog.action == "email_queued")
    assert row.customer_id == customer.id and row.entity_id == message_id
    assert row.note == "Forgot Password to roni_cost@example.com"


def test_store_name_falls_back_to_the_store_view(shop):
    customer = make_customer()
    entry = mail.get(queue_forgot(customer))
    assert entry.subject == "Reset your Default Store View password"


def test_a_rolled_back_change_queues_nothing(shop):
    customer = make_customer()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), database.obj.atomic():
        mail.queue(
            NO_PASSWORD,
            customer=customer,
            store_view_id=1,
            identity="general",
            variables={"set_password_url": "https://x.example/set"},
            actor=SYSTEM,
        )
        assert OutboxMessage.select().count() == 1  # visible inside the transaction
        raise Boom
    assert OutboxMessage.select().count() == 0
    assert not AuditLog.select().where(AuditLog.action == "email_queued").exists()


def test_queue_refuses_programming_errors(shop):
    customer = make_customer()
    common = {"customer": customer, "store_view_id": 1, "actor": SYSTEM}
    with pytest.raises(ValueError, match="has no variables reset_link"):
        mail.queue(FORGOT, identity="support", variables={"reset_link": "x"}, **common)
    with pytest.raises(ValueError, match="needs reset_url"):
        mail.queue(FORGOT, identity="support", variables={}, **common)
    with pytest.raises(ValueError, match="unknown email identity"):
        mail.queue(WELCOME, identity="owner", variables={}, **common)
    with pytest.raises(NotFound):
        mail.queue("nope", identity="general", variables={}, **common)
    assert OutboxMessage.select().count() == 0


def test_disabled_email_is_recorded_as_failed_and_never_sent(shop, tmp_path):
    config.store("system/smtp/disable", "1", 1)
    customer = make_customer()
    message_id = queue_forgot(customer)
    entry = mail.get(message_id)
    assert (entry.status, entry.last_error) == ("failed", mail.DISABLED_ERROR)
    assert (
        "not sent: Email communications are disabled"
        in AuditLog.get(AuditLog.action == "email_queued").note
    )
    assert mail.deliver_pending() == mail.DeliveryReport(0, 0)
    # A retry while still disabled fails again; after re-enabling it is sent.
    mail.retry(actor(), message_id)
    assert mail.deliver_pending() == mail.DeliveryReport(0, 1)
    assert mail.get(message_id).last_error == mail.DISABLED_ERROR
    config.store("system/smtp/disable", "0", 1)
    mail.retry(actor(), message_id)
    assert mail.deliver_pending() == mail.DeliveryReport(1, 0)


def test_recipient_email_sends_to_another_address(shop):
    customer = make_customer(email="new@example.com")
    with database.obj.atomic():
        message_id = mail.queue(
            "customer_account_information_change_email_template",
            customer=customer,
            store_view_id=1,
            identity="support",
            variables={},
            actor=SYSTEM,
            recipient_email="old@example.com",
        )
    assert mail.get(message_id).recipient_email == "old@example.com"


# -------------------------------------------------------------------------- maildir
def test_maildir_delivery_is_readable_back(shop, tmp_path, fixed_clock):
    customer = make_customer("Zoë", "Ångström", "zoe@example.se")
    message_id = queue_forgot(customer)
    fixed_clock.advance(minutes=1)
    assert mail.deliver_pending() == mail.DeliveryReport(sent=1, failed=0)
    entry = mail.get(message_id)
    assert entry.status == "sent" and entry.transport == "maildir" and entry.attempts == 1
    assert entry.sent_at == fixed_clock.now()
    assert entry.message_id.startswith("<") and entry.message_id.endswith("@example.com>")
    [message] = maildir_messages(tmp_path / "maildir")  # next to shop.db by default
    assert message["Message-ID"] == entry.message_id
    assert message["To"] == "Zoë Ångström <zoe@example.se>"
    assert message["From"] == "CustomerSupport <support@example.com>"
    assert message["Subject"] == "Reset your Default Store View password"
    assert message["Date"] == "Sun, 06 Dec 2026 09:31:00 +0000"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content() == entry.body + "\n"
    row = AuditLog.get(AuditLog.action == "email_sent")
    assert row.staff_username == "system" and row.staff_id is None
    assert row.note == "Forgot Password to zoe@example.se — sent via maildir"
    assert mail.deliver_pending() == mail.DeliveryReport(0, 0)


def test_configured_maildir_path_is_used(shop, tmp_path):
    config.store("system/smtp/maildir", str(tmp_path / "elsewhere"))
    queue_forgot(make_customer())
    mail.deliver_pending()
    assert len(maildir_messages(tmp_path / "elsewhere")) == 1
    assert not (tmp_path / "maildir").exists()


def test_an_unwritable_maildir_fails_the_message_and_stops(shop, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    config.store("system/smtp/maildir", str(blocker / "maildir"))
    first, second = queue_forgot(make_customer()), queue_forgot(make_customer())
    assert mail.deliver_pending() == mail.DeliveryReport(sent=0, failed=1)
    assert mail.get(first).status == "failed"
    assert mail.get(first).last_error.startswith("Cannot open the Maildir")
    assert mail.get(second).status == "queued"


def test_non_ascii_addresses_in_a_maildir(shop, tmp_path):
    queue_forgot(make_customer("Ñandú", "Pérez", "ñoño@bücher.example"))
    queue_forgot(make_customer("Ada", "L", "ada@bücher.example"))
    assert mail.deliver_pending() == mail.DeliveryReport(2, 0)
    box = mailbox.Maildir(tmp_path / "maildir")
    raw = sorted(box.get_bytes(key) for key in box.iterkeys())
    to_lines = sorted(line for m in raw for line in m.split(b"\n") if line.startswith(b"To:"))
    assert to_lines == [
        b"To: Ada L <ada@xn--bcher-kva.example>",  # ASCII local part: punycode domain
        "To: Ñandú Pérez <ñoño@bücher.example>".encode(),  # SMTPUTF8 (RFC 6532) header
    ]


def test_header_injection_through_names_and_values_is_impossible(shop, tmp_path):
    config.store("general/store_information/name", "Shop\r\nBcc: thief@evil.example")
    customer = make_customer(
        "Eve\r\nBcc: thief@evil.example", "X\nReply-To: x@evil.example", "eve@example.com"
    )
    message_id = queue_forgot(customer)
    assert mail.deliver_pending() == mail.DeliveryReport(1, 0)
    [message] = maildir_messages(tmp_path / "maildir")
    assert message["Bcc"] is None and message["Reply-To"] is None
    assert message["Subject"] == "Reset your Shop Bcc: thief@evil.example password"
    assert [a.addr_spec for a in message["To"].addresses] == [customer.email]
    assert message["To"].addresses[0].display_name == (
        "Eve Bcc: thief@evil.example X Reply-To: x@evil.example"
    )
    assert mail.get(message_id).status == "sent"


def test_quotes_and_brackets_in_names_stay_inside_the_display_name(shop, tmp_path):
    customer = make_customer(
        'Ada "<admin@evil.example>"', "O'Brien, Jr. <x@y.example>", "ada@example.com"
    )
    queue_forgot(customer)
    mail.deliver_pending()
    [message] = maildir_messages(tmp_path / "maildir")
    [address] = message["To"].addresses
    assert address.addr_spec == customer.email
    assert address.display_name == 'Ada "<admin@evil.example>" O\'Brien, Jr. <x@y.example>'


def test_an_invalid_sender_fails_that_message_only(shop, tmp_path):
    config.store("trans_email/ident_support/email", "not an address")
    bad = queue_forgot(make_customer())
    with database.obj.atomic():
        good = mail.queue(
            WELCOME,
            customer=make_customer(),
            store_view_id=1,
            identity="general",
            variables={},
            actor=SYSTEM,
        )
    assert mail.deliver_pending() == mail.DeliveryReport(sent=1, failed=1)
    assert mail.get(bad).last_error.startswith("The sender address 'not an address' is not valid")
    assert mail.get(good).status == "sent"


# ------------------------------------------------------------------------------ SMTP
class Recorder:
    """An aiosmtpd handler that keeps every envelope and can refuse recipients."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.envelopes: list = []
        self.refuse = refuse or set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 2.0.0 Queued"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_server(port: int | None = None, **kwargs) -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder(kwargs.pop("refuse", None))
    port = port or free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def use_smtp(port: int, security: str = "", username: str = "") -> None:
    config.store("system/smtp/transport", "smtp")
    config.store("system/smtp/host", "127.0.0.1")
    config.store("system/smtp/port", str(port))
    config.store("system/smtp/ssl", security)
    config.store("system/smtp/username", username)


def parsed(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def test_smtp_delivery_to_a_real_server(shop):
    customer = make_customer("Veronica", "Costello", "roni_cost@example.com")
    message_id = queue_forgot(customer)
    with smtp_server() as (server, port):
        use_smtp(port)
        assert mail.deliver_pending() == mail.DeliveryReport(sent=1, failed=0)
    [envelope] = server.envelopes
    assert envelope.mail_from == "support@example.com"
    assert envelope.rcpt_tos == ["roni_cost@example.com"]
    message = parsed(envelope)
    entry = mail.get(message_id)
    assert message["Message-ID"] == entry.message_id and entry.transport == "smtp"
    assert message["To"] == "Veronica Costello <roni_cost@example.com>"
    assert RESET_URL in message.get_content()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_uses_the_password_from_the_environment(shop, monkeypatch):
    logins: list[tuple[str, str]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        ok = auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)

    monkeypatch.setenv("CUSTTUI_SMTP_PASSWORD", "s3cret")
    queue_forgot(make_customer())
    with smtp_server(authenticator=authenticator, auth_require_tls=False, auth_required=True) as (
        server,
        port,
    ):
        use_smtp(port, username="mailer")
        assert mail.deliver_pending() == mail.DeliveryReport(1, 0)
        monkeypatch.setenv("CUSTTUI_SMTP_PASSWORD", "wrong")
        failed_id = queue_forgot(make_customer())
        assert mail.deliver_pending() == mail.DeliveryReport(0, 1)
        monkeypatch.delenv("CUSTTUI_SMTP_PASSWORD")
        queue_forgot(make_customer())
        assert mail.deliver_pending() == mail.DeliveryReport(0, 1)
    # smtplib tries each offered mechanism before giving up; no login without a password.
    assert logins[0] == ("mailer", "s3cret")
    assert set(logins[1:]) == {("mailer", "wrong")}
    assert "535" in mail.get(failed_id).last_error
    assert mail.messages(limit=1)[0].last_error == (
        "SMTP user 'mailer' is set but $CUSTTUI_SMTP_PASSWORD is empty"
    )


def test_smtp_server_down_fails_with_the_error_and_retry_works(shop):
    port = free_port()
    use_smtp(port)
    first, second = queue_forgot(make_customer()), queue_forgot(make_customer())
    assert mail.deliver_pending() == mail.DeliveryReport(sent=0, failed=1)
    failed = mail.get(first)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.last_error.startswith(f"SMTP server 127.0.0.1:{port}: ")
    assert "refused" in failed.last_error.lower()
    assert mail.get(second).status == "queued"  # the run stopped; the rest waits
    row = AuditLog.get(AuditLog.action == "email_failed")
    assert row.staff_username == "system" and failed.last_error in row.note

    with pytest.raises(Conflict, match="only failed emails can be retried"):
        mail.retry(actor(), second)
    mail.retry(actor(), first)
    assert mail.get(first).status == "queued" and mail.get(first).last_error is None
    assert AuditLog.get(AuditLog.action == "email_retried").customer_id == failed.customer_id
    with smtp_server(port) as (server, _):
        assert mail.deliver_pending() == mail.DeliveryReport(sent=2, failed=0)
    assert len(server.envelopes) == 2
    assert mail.get(first).attempts == 2 and mail.get(first).status == "sent"


def test_a_refused_recipient_fails_only_that_message(shop):
    refused = queue_forgot(make_customer(email="gone@example.com"))
    fine = queue_forgot(make_customer(email="here@example.com"))
    with smtp_server(refuse={"gone@example.com"}) as (server, port):
        use_smtp(port)
        assert mail.deliver_pending() == mail.DeliveryReport(sent=1, failed=1)
    assert "550 5.1.1 No such mailbox here" in mail.get(refused).last_error
    assert mail.get(fine).status == "sent"
    assert [e.rcpt_tos for e in server.envelopes] == [["here@example.com"]]


def test_non_ascii_recipient_over_smtputf8(shop):
    customer = make_customer("Ñandú", "Pérez", "ñoño@bücher.example")
    message_id = queue_forgot(customer)
    with smtp_server(enable_SMTPUTF8=True) as (server, port):
        use_smtp(port)
        assert mail.deliver_pending() == mail.DeliveryReport(1, 0)
    [envelope] = server.envelopes
    assert envelope.rcpt_tos == ["ñoño@bücher.example"]
    assert "SMTPUTF8" in [o.upper() for o in envelope.mail_options]
    assert parsed(envelope)["To"] == "Ñandú Pérez <ñoño@bücher.example>"
    assert mail.get(message_id).status == "sent"


def test_non_ascii_recipient_without_smtputf8_fails_clearly(shop):
    bad = queue_forgot(make_customer(email="ñoño@bücher.example"))
    idn = queue_forgot(make_customer(email="ada@bücher.example"))
    with smtp_server(enable_SMTPUTF8=False) as (server, port):
        use_smtp(port)
        assert mail.deliver_pending() == mail.DeliveryReport(sent=1, failed=1)
    assert mail.get(bad).last_error == (
        "the SMTP server does not support internationalised addresses (SMTPUTF8)"
    )
    assert mail.get(idn).status == "sent"
    assert [e.rcpt_tos for e in server.envelopes] == [["ada@xn--bcher-kva.example"]]


def test_header_injection_over_smtp_reaches_only_the_customer(shop):
    customer = make_customer("Eve\r\nBcc: thief@evil.example\r\n", "X", "eve@example.com")
    queue_forgot(customer)
    with smtp_server() as (server, port):
        use_smtp(port)
        mail.deliver_pending()
    [envelope] = server.envelopes
    assert envelope.rcpt_tos == ["eve@example.com"]
    headers = envelope.original_content.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert [h.split(b":", 1)[0] for h in headers] == [
        b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Auto-Submitted",
        b"Content-Type", b"Content-Transfer-Encoding", b"MIME-Version",
    ]  # fmt: skip


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted through $SSL_CERT_FILE."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    result = subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        capture_output=True,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {result.stderr.decode()[:200]}")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert, key


def test_smtp_starttls_and_implicit_tls(shop, certificate):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    queue_forgot(make_customer())
    with smtp_server(tls_context=context, require_starttls=True) as (server, port):
        use_smtp(port, "")  # plain is refused by a server that requires STARTTLS
        assert mail.deliver_pending() == mail.DeliveryReport(0, 1)
        mail.retry(actor(), mail.messages(limit=1)[0].id)
        use_smtp(port, "starttls")
        assert mail.deliver_pending() == mail.DeliveryReport(1, 0)
    assert len(server.envelopes) == 1
    queue_forgot(make_customer())
    with smtp_server(ssl_context=context) as (server, port):
        use_smtp(port, "ssl")
        assert mail.deliver_pending() == mail.DeliveryReport(1, 0)
    assert len(server.envelopes) == 1


# ------------------------------------------------------------------------ concurrency
def test_two_deliverers_at_once_never_send_a_message_twice(any_shop, tmp_path, monkeypatch):
    """Both deliverers are made to see the same candidates before either claims one, so
    every claim is contested; each message must still go out exactly once."""
    config.store("system/smtp/maildir", str(tmp_path / "race"))
    customers = [make_customer() for _ in range(12)]
    ids = [queue_forgot(c) for c in customers]
    sent: list[int] = []
    lock = threading.Lock()
    both_listed = threading.Barrier(2, timeout=30)
    real_candidates, real_send = mail._candidates, mail.MaildirTransport.send

    def candidates(limit: int) -> list[int]:
        found = real_candidates(limit)
        both_listed.wait()
        return found

    def send(self, message, international):
        with lock:
            sent.append(int(message["Message-ID"].split(".")[1]))
        real_send(self, message, international)

    monkeypatch.setattr(mail, "_candidates", candidates)
    monkeypatch.setattr(mail.MaildirTransport, "send", send)
    reports: list[mail.DeliveryReport] = []
    errors: list[BaseException] = []

    def deliverer() -> None:
        try:
            with database.obj.connection_context():
                reports.append(mail.deliver_pending())
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert [m.last_error for m in mail.messages() if m.last_error] == []
    assert sorted(sent) == ids  # every message once, none twice
    assert sum(r.sent for r in reports) == len(ids) and sum(r.failed for r in reports) == 0
    assert len(maildir_messages(tmp_path / "race")) == len(ids)
    assert all(m.attempts == 1 and m.status == "sent" for m in mail.messages())
    assert AuditLog.select().where(AuditLog.action == "email_sent").count() == len(ids)


def test_a_stale_claim_is_taken_over_and_a_fresh_one_is_not(shop, fixed_clock):
    message_id = queue_forgot(make_customer())
    OutboxMessage.update(status="sending", claimed_at=fixed_clock.now(), attempts=1).execute()
    fixed_clock.advance(minutes=9)
    assert mail.deliver_pending() == mail.DeliveryReport(0, 0)
    fixed_clock.advance(minutes=2)
    assert mail.deliver_pending() == mail.DeliveryReport(1, 0)
    assert mail.get(message_id).attempts == 2


def test_delivery_refuses_to_run_inside_a_transaction(shop):
    with database.obj.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        mail.deliver_pending()


def test_delivery_honours_the_limit_oldest_first(shop):
    ids = [queue_forgot(make_customer()) for _ in range(3)]
    assert mail.deliver_pending(limit=2) == mail.DeliveryReport(2, 0)
    assert [mail.get(i).status for i in ids] == ["sent", "sent", "queued"]


# ---------------------------------------------------------------------------- reading
def test_messages_count_and_filters(shop):
    ada, bob = make_customer("Ada"), make_customer("Bob")
    first, second, third = queue_forgot(ada), queue_forgot(bob), queue_forgot(ada)
    OutboxMessage.update(status="failed", last_error="x").where(
        OutboxMessage.id == second
    ).execute()
    assert [m.id for m in mail.messages()] == [third, second, first]
    assert [m.id for m in mail.messages(offset=1, limit=1)] == [second]
    assert [m.id for m in mail.messages(customer_id=ada.id)] == [third, first]
    assert [m.id for m in mail.messages(customer_id=[ada.id, bob.id], status="failed")] == [second]
    assert mail.messages(customer_id=[]) == []
    assert mail.count() == 3 and mail.count("queued") == 2 and mail.count(customer_id=bob.id) == 1
    with pytest.raises(ValidationError) as caught:
        mail.count("lost")
    assert caught.value.errors == {
        "status": "must be one of queued, sending, sent, failed, not 'lost'"
    }
    with pytest.raises(NotFound):
        mail.get(999)


def test_retry_needs_the_outbox_permission(shop):
    message_id = queue_forgot(make_customer())
    OutboxMessage.update(status="failed").execute()
    with pytest.raises(PermissionDenied, match="viewing and re-sending queued emails"):
        mail.retry(actor("viewer"), message_id)
    assert mail.retry(actor("support"), message_id).status == "queued"


def test_queue_and_deliver_on_postgres_and_sqlite(any_shop, tmp_path):
    config.store("system/smtp/maildir", str(tmp_path / "box"))
    message_id = queue_forgot(make_customer("Zoë", "Ångström"))
    assert mail.deliver_pending() == mail.DeliveryReport(1, 0)
    assert mail.get(message_id).status == "sent"
    assert mail.get(message_id).sent_at == clock.now()
    assert len(maildir_messages(tmp_path / "box")) == 1
