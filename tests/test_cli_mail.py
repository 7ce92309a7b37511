"""``custtui mail outbox|show|deliver|retry|templates``: the outbox service from scripts."""

from __future__ import annotations

import getpass
import json
import mailbox

import pytest

from custtui import cli
from custtui.models import AuditLog, OutboxMessage, Staff, open_database
from custtui.models.db import database
from custtui.services import clock, mail
from custtui.services.actor import SYSTEM
from tests.factories import make_customer
from tests.test_cli import custtui

FORGOT = "customer_password_forgot_email_template"


@pytest.fixture
def url(tmp_path, fixed_clock) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert cli.main(["init", "--db", url]) == 0
    open_database(url)
    Staff.create(username="sam", role="support", created_at=clock.now())
    Staff.create(username="vic", role="viewer", created_at=clock.now())
    return url


def queue(customer, url: str = "") -> int:
    with database.obj.atomic():
        return mail.queue(
            FORGOT,
            customer=customer,
            store_view_id=1,
            identity="support",
            variables={"reset_url": "https://shop.example.com/reset?t=1"},
            actor=SYSTEM,
        )


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_outbox_lists_newest_first_with_filters(url, capsys):
    ada = make_customer("Ada", "Lovelace", "ada@example.com")
    bob = make_customer("Bob", "\x1b[31mRed", "bob@example.com")
    first, second = queue(ada), queue(bob)
    OutboxMessage.update(status="failed", last_error="550 no such user").where(
        OutboxMessage.id == first
    ).execute()
    code, out, err = run(capsys, "mail", "outbox", "--db", url)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:2] == [str(second), "2026-12-06"]
    assert "bob@example.com  Reset your Default Store View password" in lines[0]
    assert lines[1].endswith("— 550 no such user") and " failed " in lines[1]
    code, out, _ = run(capsys, "mail", "outbox", "--status", "failed", "--db", url)
    assert [line.split()[0] for line in out.splitlines()] == [str(first)]
    code, out, _ = run(capsys, "mail", "outbox", "--customer", "BOB@example.com", "--db", url)
    assert [line.split()[0] for line in out.splitlines()] == [str(second)]
    code, out, err = run(capsys, "mail", "outbox", "--limit", "1", "--db", url)
    assert len(out.splitlines()) == 1 and err == "(1 of 2 shown; use --limit)\n"
    code, out, err = run(capsys, "mail", "outbox", "--customer", "nobody@example.com", "--db", url)
    assert (code, out, err) == (1, "", "No customer has the email nobody@example.com.\n")


def test_outbox_json_carries_the_whole_message(url, capsys):
    message_id = queue(make_customer("Zoë", "Ångström", "zoe@example.se"))
    code, out, _ = run(capsys, "mail", "outbox", "--json", "--db", url)
    [row] = json.loads(out)
    assert row["id"] == message_id and row["status"] == "queued"
    assert row["to"] == {"name": "Zoë Ångström", "email": "zoe@example.se"}
    assert row["from"] == {"name": "CustomerSupport", "email": "support@example.com"}
    assert row["template"] == FORGOT and "https://shop.example.com/reset?t=1" in row["body"]


def test_show_prints_headers_and_body_without_terminal_escapes(url, capsys):
    message_id = queue(make_customer("Ansi", "\x1b[31mRed", "ansi@example.com"))
    code, out, _ = run(capsys, "mail", "show", str(message_id), "--db", url)
    assert code == 0
    assert "\x1b" not in out
    head, body = out.split("\n\n", 1)
    assert head.splitlines() == [
        "From:       CustomerSupport <support@example.com>",
        "To:         Ansi �[31mRed <ansi@example.com>",
        "Subject:    Reset your Default Store View password",
        f"Template:   Forgot Password ({FORGOT})",
        "Created:    2026-12-06 09:30:00 UTC",
        "Status:     queued (attempts: 0)",
        f"Customer:   #{mail.get(message_id).customer_id}",
    ]
    assert body.startswith("Ansi �[31mRed,\n\nThere was recently a request")
    code, out, err = run(capsys, "mail", "show", "999", "--db", url)
    assert (code, err) == (2, "custtui mail: Email 999 does not exist.\n")


def test_deliver_sends_what_is_queued_and_says_so(url, tmp_path, capsys):
    ids = [queue(make_customer()) for _ in range(2)]
    code, out, err = run(capsys, "mail", "deliver", "--db", url)
    assert (code, out, err) == (0, "Sent 2, failed 0.\n", "")
    assert all(mail.get(i).status == "sent" for i in ids)
    assert len(mailbox.Maildir(tmp_path / "maildir", create=False)) == 2
    assert run(capsys, "mail", "deliver", "--db", url)[1] == "Sent 0, failed 0.\n"


def test_deliver_exits_1_when_something_failed(url, capsys):
    from custtui.services import config

    config.store("system/smtp/disable", "1", 1)
    queue(make_customer())  # recorded as failed at once: not part of a delivery run
    config.store("system/smtp/disable", "0", 1)
    waiting = queue(make_customer())
    config.store("system/smtp/disable", "1", 1)  # disabled again before delivery
    code, out, err = run(capsys, "mail", "deliver", "--db", url)
    assert (code, out) == (1, "Sent 0, failed 1.\n")
    assert err == "See: custtui mail outbox --status failed\n"
    assert mail.get(waiting).last_error == mail.DISABLED_ERROR


def act_as(username: str) -> None:
    """Map the OS user running the tests to *username* (how the CLI knows a staff member)."""
    Staff.update(os_user=None).execute()
    Staff.update(os_user=getpass.getuser()).where(Staff.username == username).execute()


def test_retry_is_audited_as_the_staff_member(url, capsys):
    message_id = queue(make_customer(email="x@example.com"))
    act_as("sam")
    code, _, err = run(capsys, "mail", "retry", str(message_id), "--db", url)
    assert code == 2 and "only failed emails can be retried" in err
    OutboxMessage.update(status="failed").execute()
    act_as("vic")
    code, out, err = run(capsys, "mail", "retry", str(message_id), "--db", url)
    assert code == 2 and "does not allow viewing and re-sending queued emails" in err
    act_as("sam")
    code, out, _ = run(capsys, "mail", "retry", str(message_id), "--db", url)
    assert (code, out) == (0, f"Email {message_id} to x@example.com is queued again.\n")
    assert AuditLog.get(AuditLog.action == "email_retried").staff_username == "sam"


def test_templates_lists_every_template_and_marks_customised_ones(url, capsys):
    from custtui.services import mail_templates
    from custtui.services.actor import Actor

    admin = Staff.get(Staff.username == "admin")
    mail_templates.save(Actor(admin.id, "admin", "admin"), FORGOT, "S", "{{var reset_url}}")
    code, out, _ = run(capsys, "mail", "templates", "--db", url)
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(mail_templates.BUILTINS)
    forgot = next(line for line in lines if line.startswith(FORGOT))
    assert forgot.split("  ")[-1].strip().endswith("customised 2026-12-06 by admin")
    assert "Forgot Password" in forgot
    assert sum("built-in" in line for line in lines) == len(lines) - 1
    rows = json.loads(run(capsys, "mail", "templates", "--json", "--db", url)[1])
    assert [r["code"] for r in rows][0] == "customer_create_account_email_template"
    by_code = {r["code"]: r for r in rows}
    assert by_code[FORGOT]["subject"] == "S" and "reset_url" in by_code[FORGOT]["variables"]


def test_mail_deliver_runs_as_a_real_command(tmp_path):
    """What cron runs: a subprocess with only --db."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert custtui("init", "--db", url).returncode == 0
    open_database(url)
    queue(make_customer())
    database.obj.close()
    result = custtui("mail", "deliver", "--db", url)
    assert (result.returncode, result.stdout) == (0, "Sent 1, failed 0.\n"), result.stderr
    assert len(mailbox.Maildir(tmp_path / "maildir", create=False)) == 1
