"""The ``custtui`` command: parse arguments, open the database, call services or start the app.

Nothing here holds business rules; every subcommand is a thin wrapper over a service so that
scripts see exactly what the app does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from peewee import Database

from custtui import __version__
from custtui.models.db import open_database, resolve_url
from custtui.services import clock
from custtui.services.errors import ServiceError
from custtui.settings import THEMES, Settings


def _db_arg(parser: argparse.ArgumentParser, *, sub: bool = True) -> None:
    """``--db`` on the top level and on each subcommand (a subcommand's absent value must not
    override one given before the subcommand, hence SUPPRESS)."""
    parser.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS if sub else None,
        help="database URL (default: $CUSTTUI_DB, else sqlite:///data/custtui.db)",
    )


def staff_arg(parser: argparse.ArgumentParser) -> None:
    """``--staff`` on a subcommand (SUPPRESS, as for ``--db``)."""
    parser.add_argument(
        "--staff", metavar="USERNAME", default=argparse.SUPPRESS, help="act as this staff member"
    )


def subcommand_options(parser: argparse.ArgumentParser, *, staff: bool = True) -> None:
    """``--db`` (and ``--staff``) after a subcommand too, for every command module."""
    _db_arg(parser)
    if staff:
        staff_arg(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="custtui", description="A terminal back office for a web shop's customers."
    )
    parser.add_argument("--version", action="version", version=f"custtui {__version__}")
    _db_arg(parser, sub=False)
    parser.add_argument("--staff", metavar="USERNAME", help="act as this staff member")
    parser.add_argument("--theme", choices=THEMES, default=THEMES[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", help="create an empty shop database with Magento defaults")
    _db_arg(init)

    demo = commands.add_parser("demo", help="build a realistic demo database and open the app")
    _db_arg(demo)
    demo.add_argument("--customers", type=int, default=10_000, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--no-launch", action="store_true", help="only build the database")
    demo.add_argument("--theme", choices=THEMES, default=argparse.SUPPRESS)

    customers = commands.add_parser("customers", help="customer commands for scripts")
    sub = customers.add_subparsers(dest="customers_command", metavar="COMMAND", required=True)
    find = sub.add_parser("find", help="print customers matching TEXT (the grid's search)")
    find.add_argument("text")
    find.add_argument("--json", action="store_true", help="print a JSON array")
    find.add_argument("--limit", type=int, default=20, metavar="N")
    _db_arg(find)
    check = sub.add_parser(
        "sign-in-check",
        help="run the storefront sign-in for EMAIL (password on stdin) and print the outcome",
        description="Run the real customer sign-in (the storefront's): the password is read "
        "from standard input (one line; asked without echo on a terminal). It counts towards "
        "the lockout, rehashes an imported Magento hash and is audited like a storefront "
        "sign-in. Exit status 0 signed in, 1 refused, 2 bad input.",
    )
    check.add_argument("email", metavar="EMAIL")
    check.add_argument(
        "--website", metavar="CODE", default="base", help="the website signed in to (base)"
    )
    check.add_argument("--json", action="store_true", help="print the outcome as JSON")
    _db_arg(check)
    audit_cmd = commands.add_parser(
        "audit",
        help="print the audit log, newest first",
        description="Print the audit log across customers, newest first. Dates and times are "
        "read in the shop's display timezone (general/locale/timezone); --until includes the "
        "day or minute it names. A filter that can match nothing (an unknown email, staff "
        "name or action) is an error (exit 2), not an empty list.",
    )
    audit_cmd.add_argument(
        "--customer",
        metavar="EMAIL|ID",
        help="one customer's history: an email (also of a deleted customer) or a customer ID",
    )
    audit_cmd.add_argument(
        "--staff", dest="audit_staff", metavar="USERNAME", help="events by this staff member"
    )
    audit_cmd.add_argument(
        "--action", metavar="ACTION", help="one kind of event, e.g. customer_group_changed"
    )
    audit_cmd.add_argument("--since", metavar="DATE", help="from this day (YYYY-MM-DD [HH:MM])")
    audit_cmd.add_argument(
        "--until", metavar="DATE", help="up to and including this day (YYYY-MM-DD [HH:MM])"
    )
    audit_cmd.add_argument("--limit", type=int, default=500, metavar="N")
    audit_cmd.add_argument("--json", action="store_true", help="print a JSON array")
    _db_arg(audit_cmd)
    from custtui import cli_config, cli_staff

    cli_config.add_parser(commands)
    cli_staff.add_parser(commands)
    from custtui import cli_mail

    cli_mail.add_parser(commands)
    from custtui import cli_storefront

    cli_storefront.add_parser(commands)
    from custtui import cli_online

    cli_online.add_parser(commands)
    from custtui import cli_credit

    cli_credit.add_parser(commands)
    return parser


def _audit(args: argparse.Namespace) -> int:
    from custtui.services import audit, audit_filters
    from custtui.services.errors import ValidationError

    _open(args)
    if not 1 <= args.limit <= 100_000:
        raise ValidationError("limit", "must be between 1 and 100,000")
    tz = audit_filters.display_timezone()
    query = audit_filters.parse_query(
        staff=args.audit_staff,
        action=args.action,
        since=args.since,
        until=args.until,
        customer=args.customer,
        tz=tz,
    )
    entries = audit.page(query, 0, args.limit)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "at": e.created_at.isoformat(),
                        "staff": e.staff_username,
                        "action": e.action,
                        "entity": e.entity_type,
                        "entity_id": e.entity_id,
                        "customer_id": e.customer_id,
                        "changes": e.changes,
                        "note": e.note,
                    }
                    for e in entries
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for e in entries:
        who = e.staff_username or "system"
        print(
            f"{e.created_at.astimezone(tz):%Y-%m-%d %H:%M:%S}  {who:<12} "
            f"#{e.customer_id or '-':<8} "
            f"{audit.describe(e)}"
        )
    return 0


def _open(args: argparse.Namespace) -> Database:
    from custtui.services.setup import init_shop

    db = open_database(resolve_url(args.db))
    db.connect(reuse_if_open=True)
    init_shop(db)
    return db


def _run_app(db: Database, settings: Settings) -> int:
    from custtui.app import make_app

    make_app(db, settings, clock.SystemClock()).run()
    return 0


def _progress_printer() -> Callable[[str, int, int], None]:
    """Progress on stderr: one line per stage, rewritten in place at most five times a second."""
    state: dict[str, Any] = {"last": 0.0, "stage": "", "open": False}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        new_stage = stage != state["stage"]
        if not new_stage and now - state["last"] < 0.2 and done < total:
            return
        if new_stage and state["open"]:
            sys.stderr.write("\n")
        state["last"], state["stage"], state["open"] = now, stage, True
        percent = 100 * done // total if total else 100
        sys.stderr.write(f"\r  {stage:<14} {done:>10,} / {total:,}  {percent:3d}%")
        if done >= total:
            sys.stderr.write("\n")
            state["open"] = False
        sys.stderr.flush()

    return progress


def _demo(args: argparse.Namespace) -> int:
    from custtui.models import Customer
    from custtui.services import demo

    db = open_database(resolve_url(args.db))
    db.connect(reuse_if_open=True)
    from custtui.models.migrations import current_version

    has_customers = current_version(db) > 0 and Customer.select().exists()
    if has_customers:
        print(f"Using the existing demo database at {resolve_url(args.db)}.", file=sys.stderr)
    else:
        print(f"Building {args.customers:,} demo customers (seed {args.seed})…", file=sys.stderr)
        cancel = threading.Event()
        try:
            summary = demo.build_demo(
                db,
                customers=args.customers,
                seed=args.seed,
                progress=_progress_printer(),
                cancel=cancel,  # type: ignore[arg-type]
            )
        except KeyboardInterrupt:
            cancel.set()
            print("\nCancelled; the database has no demo customers.", file=sys.stderr)
            return 130
        print(
            f"Built {summary.customers:,} customers, {summary.addresses:,} addresses and "
            f"{summary.subscribers:,} newsletter subscribers in {summary.seconds:.1f} s.",
            file=sys.stderr,
        )
    if args.no_launch:
        return 0
    return _run_app(db, Settings(staff=args.staff or "demo", theme=args.theme))


def _find(args: argparse.Namespace) -> int:
    from custtui.services import customers

    _open(args)
    found = customers.find(args.text, limit=args.limit)
    if args.json:
        print(json.dumps([c.as_dict() for c in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("No customers found.", file=sys.stderr)
        return 1
    for c in found:
        print(f"{c.id:>8}  {c.name}  <{c.email}>  {c.website} / {c.group}")
    return 0


def _read_password(prompt: str) -> str:
    """One line from stdin (only the line ending removed: spaces are part of a password),
    or asked without echo on a terminal."""
    import getpass

    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _sign_in_check(args: argparse.Namespace) -> int:
    from custtui.models import Customer, Website
    from custtui.services import auth, staff_accounts

    _open(args)
    site = Website.get_by_id(auth.website_id(args.website))
    password = _read_password(f"Password for {args.email}: ")
    outcome: dict[str, Any] = {"email": args.email, "website": site.code}
    try:
        result = auth.sign_in(
            site.id,
            args.email,
            password,
            via=f"sign-in-check from the command line (OS user {staff_accounts.os_user()})",
        )
    except (auth.AuthFailed, auth.AccountLocked, auth.NotConfirmed) as error:
        kind = {
            auth.AuthFailed: "invalid_login",
            auth.AccountLocked: "locked",
            auth.NotConfirmed: "not_confirmed",
        }[type(error)]
        outcome |= {"signed_in": False, "outcome": kind, "message": str(error)}
        if args.json:
            print(json.dumps(outcome, ensure_ascii=False))
        else:
            print(f"Refused: {error}")
        return 1
    customer = Customer.get_by_id(result.customer_id)
    outcome |= {
        "signed_in": True,
        "outcome": "signed_in",
        "customer_id": customer.id,
        "redirect": result.redirect,
        "rehashed": result.rehashed,
    }
    if args.json:
        print(json.dumps(outcome, ensure_ascii=False))
        return 0
    name = " ".join(p for p in (customer.firstname, customer.lastname) if p)
    where = "the account dashboard" if result.redirect == "dashboard" else "the page they came from"
    print(f"Signed in: customer {customer.id} {name} <{customer.email}> on website {site.code}.")
    print(f"The storefront sends them to {where}.")
    if result.rehashed:
        print("Their stored password hash was upgraded to bcrypt.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "init":
            from custtui.services.setup import init_shop

            db = open_database(resolve_url(args.db))
            created = init_shop(db)
            word = "Created" if created else "Already set up:"
            print(f"{word} shop database at {resolve_url(args.db)}")
            return 0
        if args.command == "demo":
            return _demo(args)
        if args.command == "customers":
            if args.customers_command == "sign-in-check":
                return _sign_in_check(args)
            return _find(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "config":
            from custtui import cli_config

            return cli_config.run(args)
        if args.command == "mail":
            from custtui import cli_mail

            return cli_mail.run(args)
        if args.command in ("storefront", "simulate"):
            from custtui import cli_storefront

            return cli_storefront.run(args)
        if args.command == "staff":
            from custtui import cli_staff

            return cli_staff.run(args)
        if args.command in ("online", "maintenance"):
            from custtui import cli_online

            return cli_online.run(args)
        if args.command == "credit":
            from custtui import cli_credit

            return cli_credit.run(args)
        db = _open(args)
        return _run_app(db, Settings(staff=args.staff, theme=args.theme))
    except ServiceError as error:
        print(f"custtui: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # ``custtui credit show … | head``: the reader has gone. Point stdout at /dev/null so
        # the interpreter's final flush does not raise again, and exit as a piped tool does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
