"""``custtui credit``: store credit from scripts — adjust, show, verify.

``credit adjust`` is the Store Credit tab's Update Balance: the same service, permission
checks, staff limit, audit rows and optional email. It prints the request ID it used; run the
same command again with ``--request-id`` after a timeout or a lost connection and it applies
at most once (the second run says "Already applied"). ``credit verify`` checks that every
balance equals the sum of its history (and more, see
:func:`custtui.services.store_credit_verify.verify`) and exits 1 with a report on any
mismatch, so it can run from cron. Customer text is printed with control characters shown as
``�``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from zoneinfo import ZoneInfo

from custtui.cli import subcommand_options
from custtui.services.errors import ServiceError, ValidationError


def add_parser(commands: Any) -> None:
    """Register ``credit`` on the top-level subparsers of :func:`custtui.cli.build_parser`."""
    credit = commands.add_parser("credit", help="store credit: adjust, show, verify")
    sub = credit.add_subparsers(dest="credit_command", metavar="COMMAND", required=True)

    adjust = sub.add_parser(
        "adjust",
        help="add to or subtract from a customer's store credit (audited)",
        description="Add (12.50, +3) or subtract (-5) store credit in the website's currency. "
        "Prints the request ID; repeating the command with --request-id applies it at most "
        "once.",
    )
    adjust.add_argument("email", metavar="EMAIL")
    adjust.add_argument("--website", metavar="CODE", required=True, help="e.g. base")
    adjust.add_argument("--amount", metavar="AMOUNT", required=True, help="12.50, -5 or +3")
    adjust.add_argument("--comment", metavar="TEXT", help="shown in More information")
    adjust.add_argument("--notify", action="store_true", help="email the customer")
    adjust.add_argument("--store-view", metavar="CODE", help="send the email from this store view")
    adjust.add_argument("--request-id", metavar="ID", help="idempotency key (8-64 characters)")
    adjust.add_argument("--json", action="store_true", help="print the movement as JSON")
    subcommand_options(adjust)

    show = sub.add_parser("show", help="print a customer's balances and balance history")
    show.add_argument("email", metavar="EMAIL")
    show.add_argument("--website", metavar="CODE", help="only this website")
    show.add_argument("--limit", type=int, default=20, metavar="N", help="history rows")
    show.add_argument("--json", action="store_true", help="print JSON")
    subcommand_options(show, staff=False)

    verify = sub.add_parser(
        "verify", help="check that every balance equals the sum of its history (exit 1 if not)"
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    subcommand_options(verify, staff=False)


def run(args: argparse.Namespace) -> int:
    """Run one ``credit`` subcommand; bad input is a message on stderr and exit status 2."""
    from custtui.cli import _open

    try:
        _open(args)
        return _COMMANDS[args.credit_command](args)
    except ServiceError as error:
        print(f"custtui credit: {error}", file=sys.stderr)
        return 2


def _safe(text: object) -> str:
    value = "" if text is None else str(text)
    if value.isprintable():
        return value
    return "".join(ch if ch.isprintable() else "�" for ch in value)


def _customer(email: str, website_code: str | None) -> Any:
    """The account with *email* (on *website_code* when accounts are per website and the
    address exists on several websites)."""
    from custtui.models import Customer
    from custtui.services import store_credit
    from custtui.services.accounts import email_key

    found = list(Customer.select().where(Customer.email_key == email_key(email.strip())))
    if website_code is not None and len(found) > 1:
        site = store_credit.website_by_code(website_code)
        found = [c for c in found if c.website_id == site.id]
    if not found:
        raise ValidationError("email", f"No customer has the email {email!r}.")
    if len(found) > 1:
        raise ValidationError(
            "email", f"{email} has an account on several websites; add --website CODE."
        )
    return found[0]


def _actor(args: argparse.Namespace) -> Any:
    from custtui.services.staff import resolve_actor

    return resolve_actor(getattr(args, "staff", None))


def _adjust(args: argparse.Namespace) -> int:
    from custtui.models import StoreView
    from custtui.services import store_credit

    actor = _actor(args)
    customer = _customer(args.email, args.website)
    site = store_credit.website_by_code(args.website)
    view_id = None
    if args.store_view is not None:
        view = StoreView.get_or_none(StoreView.code == args.store_view)
        if view is None:
            raise ValidationError("store_view", f"There is no store view {args.store_view!r}.")
        view_id = view.id
    request_id = args.request_id or store_credit.new_request_id()
    movement = store_credit.adjust(
        actor,
        customer.id,
        site.id,
        args.amount,
        request_id=request_id,
        comment=args.comment,
        notify=args.notify,
        store_view_id=view_id,
    )
    if args.json:
        print(json.dumps(movement.as_dict(), ensure_ascii=False, indent=2))
        return 0
    what = (
        f"{movement.action_label}: {movement.delta_shown} on {movement.website_name} for "
        f"{_safe(customer.email)}; balance {movement.balance_shown} "
        f"(history #{movement.history_id}, request ID {movement.request_id})."
    )
    if not movement.applied:
        print(f"Already applied, nothing changed. {what}")
        return 0
    print(what)
    if movement.outbox_id is not None:
        print(
            f"The Store Credit Update email is queued (#{movement.outbox_id}); "
            "`custtui mail deliver` sends it.",
            file=sys.stderr,
        )
    return 0


def _timezone() -> ZoneInfo:
    from custtui.services import config

    try:
        return ZoneInfo(config.get("general/locale/timezone") or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _show(args: argparse.Namespace) -> int:
    from custtui.services import store_credit
    from custtui.services.customers import full_name
    from custtui.services.store_credit_history import HistorySource

    if not 1 <= args.limit <= 10_000:
        raise ValidationError("limit", "must be between 1 and 10,000")
    customer = _customer(args.email, args.website)
    site = store_credit.website_by_code(args.website) if args.website else None
    found = [
        b for b in store_credit.balances(customer.id) if site is None or b.website_id == site.id
    ]
    source = HistorySource(customer.id, site.id if site is not None else None)
    rows = source.page(0, args.limit)
    total = source.count()
    if args.json:
        print(
            json.dumps(
                {
                    "customer": {
                        "id": customer.id,
                        "email": customer.email,
                        "name": full_name(customer),
                    },
                    "balances": [b.as_dict() for b in found],
                    "history_total": total,
                    "history": [m.as_dict() for m in rows],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    tz = _timezone()
    print(f"{_safe(full_name(customer))} <{_safe(customer.email)}> (customer {customer.id})")
    print("Balance")
    for b in found:
        print(f"  {_safe(b.website_name):<24} {b.shown:>16}")
    if not rows:
        print("Balance History: none")
        return 0
    print(f"Balance History (newest first, {len(rows):,} of {total:,})")
    for m in rows:
        print(
            f"  {m.created_at.astimezone(tz):%Y-%m-%d %H:%M}  {_safe(m.website_name):<16} "
            f"{m.action_label:<9} {m.delta_shown:>14} {m.balance_shown:>14}  "
            f"{m.notified_label:<8}  {_safe(m.additional_info or '')}"
        )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from custtui.services.store_credit_verify import verify

    report = verify()
    if args.json:
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "balances": report.balances,
                    "history_rows": report.history_rows,
                    "orders": report.orders,
                    "problems": [
                        {
                            "kind": p.kind,
                            "detail": p.detail,
                            "customer_id": p.customer_id,
                            "balance_id": p.balance_id,
                            "order_id": p.order_id,
                        }
                        for p in report.problems
                    ],
                },
                indent=2,
            )
        )
        return 0 if report.ok else 1
    counts = ", ".join(
        f"{n:,} {word if n == 1 else word + 's'}"
        for n, word in (
            (report.balances, "balance"),
            (report.history_rows, "history row"),
            (report.orders, "order"),
        )
    )
    if report.ok:
        print(f"Store credit is exact: {counts}; every balance equals the sum of its history.")
        return 0
    for problem in report.problems:
        print(f"MISMATCH {problem.kind}: {problem.detail}")
    print(
        f"{len(report.problems):,} problem(s) in {counts}. The history is the truth: "
        "look at the balances named above before anyone adjusts them.",
        file=sys.stderr,
    )
    return 1


_COMMANDS = {"adjust": _adjust, "show": _show, "verify": _verify}
