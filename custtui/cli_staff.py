"""``custtui staff``: add, list, change the password of and disable staff accounts."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from custtui.cli import subcommand_options
from custtui.services import permissions


def add_parser(commands: Any) -> None:
    staff = commands.add_parser("staff", help="manage the people who use custtui")
    sub = staff.add_subparsers(dest="staff_command", metavar="COMMAND", required=True)
    add = sub.add_parser("add", help="create a staff account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=sorted(permissions.ROLES))
    add.add_argument("--name", metavar="TEXT", help="display name")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.add_argument(
        "--os-user",
        nargs="?",
        const="",
        metavar="OS_USER",
        help="sign in without a password as this OS user (default: the username)",
    )
    listing = sub.add_parser("list", help="list staff accounts")
    listing.add_argument("--json", action="store_true")
    passwd = sub.add_parser("passwd", help="set a staff password (asked, or --password-stdin)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    disable = sub.add_parser("disable", help="stop an account from signing in")
    disable.add_argument("username")
    for parser in (add, listing, passwd, disable):
        subcommand_options(parser, staff=False)


def _password(from_stdin: bool, confirm: bool = True) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if confirm and getpass.getpass("Repeat it: ") != first:
        raise SystemExit("custtui: the two passwords differ; nothing changed.")
    return first


def run(args: argparse.Namespace) -> int:
    from custtui.cli import _open
    from custtui.services import staff_accounts
    from custtui.services.staff import resolve_actor

    _open(args)
    command = args.staff_command
    if command == "list":
        rows = staff_accounts.list_staff()
        if args.json:
            print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
            return 0
        print(f"{'USERNAME':<20} {'ROLE':<8} {'OS USER':<14} {'STATE':<9} LAST SIGN-IN")
        for r in rows:
            state = "locked" if r.locked else ("active" if r.is_active else "disabled")
            last = r.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if r.last_login_at else "never"
            print(f"{r.username:<20} {r.role:<8} {r.os_user or '-':<14} {state:<9} {last}")
        return 0
    actor = resolve_actor(getattr(args, "staff", None))
    if command == "add":
        os_user = None if args.os_user is None else (args.os_user or args.username)
        password = (
            _password(args.password_stdin) if args.password_stdin or os_user is None else None
        )
        info = staff_accounts.add(
            actor,
            args.username,
            args.role,
            password=password,
            map_os_user=os_user,
            display_name=args.name,
        )
        how = f"signs in as OS user {info.os_user}" if info.os_user else "signs in with a password"
        print(f"Added {info.username} ({info.role}); {how}.")
    elif command == "passwd":
        staff_accounts.set_password(actor, args.username, _password(args.password_stdin))
        print(f"Password of {args.username} changed.")
    elif command == "disable":
        done = staff_accounts.disable(actor, args.username)
        print(f"{args.username} {'disabled' if done else 'was already disabled'}.")
    return 0
