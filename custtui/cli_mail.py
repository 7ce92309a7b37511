"""``custtui mail``: the email outbox and templates from scripts and cron.

``mail deliver`` is what a crontab runs (``* * * * * custtui mail deliver --db …``): it sends
what is queued and exits; several at once never send a message twice (see
:mod:`custtui.services.mail`). It exits 1 when a message failed, so cron reports it.
Customer text is printed with control characters shown as ``�`` (outside ``--json``), so a
name can never drive the terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from custtui.cli import _db_arg, _open, staff_arg
from custtui.services.errors import ServiceError, ValidationError


def add_parser(commands: Any) -> None:
    """Register ``mail`` on the top-level subparsers of :func:`custtui.cli.build_parser`."""
    mail = commands.add_parser("mail", help="the email outbox and email templates")
    sub = mail.add_subparsers(dest="mail_command", metavar="COMMAND", required=True)

    outbox = sub.add_parser("outbox", help="list emails, newest first")
    outbox.add_argument("--status", choices=("queued", "sending", "sent", "failed"))
    outbox.add_argument("--customer", metavar="EMAIL", help="only this customer's emails")
    outbox.add_argument("--limit", type=int, default=50, metavar="N")
    outbox.add_argument("--json", action="store_true", help="print a JSON array (with bodies)")
    _db_arg(outbox)

    show = sub.add_parser("show", help="print one email: headers, status and body")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true")
    _db_arg(show)

    deliver = sub.add_parser("deliver", help="send queued emails now (safe from cron)")
    deliver.add_argument("--limit", type=int, default=500, metavar="N")
    _db_arg(deliver)

    retry = sub.add_parser("retry", help="put a failed email back in the queue (audited)")
    retry.add_argument("id", type=int, metavar="ID")
    _db_arg(retry)
    staff_arg(retry)

    templates = sub.add_parser("templates", help="list the email templates")
    templates.add_argument("--json", action="store_true")
    _db_arg(templates)


def _safe(text: object, *, lines: bool = False) -> str:
    """Customer text for a terminal: control characters (ANSI escapes…) shown as �."""
    value = "" if text is None else str(text)
    if value.isprintable():
        return value
    keep = "\n\t" if lines else ""
    return "".join(ch if ch.isprintable() or ch in keep else "�" for ch in value)


def run(args: argparse.Namespace) -> int:
    """Run one ``mail`` subcommand; bad input is a message on stderr and exit status 2."""
    try:
        _open(args)
        return _COMMANDS[args.mail_command](args)
    except ServiceError as error:
        print(f"custtui mail: {error}", file=sys.stderr)
        return 2


def _outbox(args: argparse.Namespace) -> int:
    from custtui.services import audit, mail

    if not 1 <= args.limit <= 100_000:
        raise ValidationError("limit", "must be between 1 and 100,000")
    customer_ids = None
    if args.customer is not None:
        customer_ids = audit.customer_ids_for_email(args.customer)
        if not customer_ids:
            print(f"No customer has the email {args.customer}.", file=sys.stderr)
            return 1
    found = mail.messages(status=args.status, customer_id=customer_ids, limit=args.limit)
    if args.json:
        print(json.dumps([m.as_dict() for m in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("No emails.", file=sys.stderr)
        return 0
    for m in found:
        line = (
            f"{m.id:>7}  {m.created_at:%Y-%m-%d %H:%M}  {m.status:<7}  "
            f"{_safe(m.recipient_email)}  {_safe(m.subject)}"
        )
        if m.status == "failed" and m.last_error:
            line += f"  — {_safe(m.last_error)}"
        print(line)
    total = mail.count(status=args.status, customer_id=customer_ids)
    if total > len(found):
        print(f"({len(found):,} of {total:,} shown; use --limit)", file=sys.stderr)
    return 0


def _show(args: argparse.Namespace) -> int:
    from custtui.services import mail

    m = mail.get(args.id)
    if args.json:
        print(json.dumps(m.as_dict(), ensure_ascii=False, indent=2))
        return 0
    status = m.status
    if m.status == "sent" and m.sent_at is not None:
        status = f"sent via {m.transport} at {m.sent_at:%Y-%m-%d %H:%M:%S} UTC"
    rows = [
        ("From", f"{m.sender_name} <{m.sender_email}>"),
        ("To", f"{m.recipient_name} <{m.recipient_email}>"),
        ("Subject", m.subject),
        ("Template", f"{m.template_title} ({m.template_code})"),
        ("Created", f"{m.created_at:%Y-%m-%d %H:%M:%S} UTC"),
        ("Status", f"{status} (attempts: {m.attempts})"),
    ]
    if m.customer_id is not None:
        rows.append(("Customer", f"#{m.customer_id}"))
    if m.message_id:
        rows.append(("Message-ID", m.message_id))
    if m.last_error:
        rows.append(("Error", m.last_error))
    for label, value in rows:
        print(f"{label + ':':<12}{_safe(value)}")
    print()
    print(_safe(m.body, lines=True))
    return 0


def _deliver(args: argparse.Namespace) -> int:
    from custtui.services import mail

    if not 1 <= args.limit <= 100_000:
        raise ValidationError("limit", "must be between 1 and 100,000")
    report = mail.deliver_pending(limit=args.limit)
    waiting = mail.count("queued")
    print(
        f"Sent {report.sent}, failed {report.failed}"
        + (f"; {waiting} still queued." if waiting else ".")
    )
    if report.failed:
        print("See: custtui mail outbox --status failed", file=sys.stderr)
        return 1
    return 0


def _retry(args: argparse.Namespace) -> int:
    from custtui.services import mail
    from custtui.services.staff import resolve_actor

    entry = mail.retry(resolve_actor(getattr(args, "staff", None)), args.id)
    print(f"Email {entry.id} to {_safe(entry.recipient_email)} is queued again.")
    return 0


def _templates(args: argparse.Namespace) -> int:
    from custtui.services import mail_templates

    found = mail_templates.list_templates()
    if args.json:
        rows = []
        for t in found:
            current = mail_templates.get(t.code)
            rows.append(
                {
                    "code": t.code,
                    "title": t.title,
                    "customised": t.customised,
                    "updated_at": t.updated_at.isoformat() if t.updated_at else None,
                    "updated_by": t.updated_by,
                    "subject": current.subject,
                    "variables": list(current.variables),
                }
            )
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max(len(t.code) for t in found)
    for t in found:
        mark = "customised" if t.customised else "built-in"
        if t.customised and t.updated_at is not None:
            mark += f" {t.updated_at:%Y-%m-%d} by {t.updated_by or '?'}"
        print(f"{t.code:<{width}}  {t.title:<36} {_safe(mark)}")
    return 0


_COMMANDS = {
    "outbox": _outbox,
    "show": _show,
    "deliver": _deliver,
    "retry": _retry,
    "templates": _templates,
}
