"""``custtui online`` and ``custtui maintenance``: Now Online and visit cleanup from scripts.

``online`` asks the same question as the Now Online screen (same filters, same permission,
same rows) and prints a table or JSON. ``maintenance`` deletes visits past the cookie lifetime
plus one day, as Magento's ``visitor_clean`` cron does; it is quiet with ``--quiet``, touches
no terminal and works in small transactions, so it is safe to run from cron while the shop
is busy::

    0 * * * * custtui --db URL maintenance --quiet
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import tzinfo
from typing import Any

from custtui.cli import subcommand_options
from custtui.services.errors import ServiceError, ValidationError

MAX_LIMIT = 100_000


def add_parser(commands: Any) -> None:
    """Register ``online`` and ``maintenance`` on :func:`custtui.cli.build_parser`'s
    subparsers."""
    online = commands.add_parser(
        "online", help="who is on the shop now (Customers › Now Online), with totals"
    )
    online.add_argument("--json", action="store_true", help="print a JSON array of visits")
    online.add_argument("--website", metavar="CODE", help="only this website (its code)")
    online.add_argument(
        "--type", metavar="customer|visitor", help="only signed-in customers or visitors"
    )
    online.add_argument("--limit", type=int, default=100, metavar="N", help="at most N rows (100)")
    subcommand_options(online)

    maintenance = commands.add_parser(
        "maintenance", help="purge expired visits (cookie lifetime + 1 day); safe from cron"
    )
    maintenance.add_argument("--quiet", action="store_true", help="print nothing on success")
    subcommand_options(maintenance)


def _open(args: argparse.Namespace) -> None:
    from custtui.models.db import open_database, resolve_url
    from custtui.services.setup import init_shop

    db = open_database(resolve_url(getattr(args, "db", None)))
    db.connect(reuse_if_open=True)
    init_shop(db)


def run(args: argparse.Namespace) -> int:
    """Run ``online`` or ``maintenance``; bad input is a message naming the field on stderr
    and exit status 2."""
    try:
        if args.command == "online" and not 1 <= args.limit <= MAX_LIMIT:
            raise ValidationError("limit", f"--limit must be between 1 and {MAX_LIMIT:,}.")
        _open(args)
        if args.command == "maintenance":
            return _maintenance(args)
        return _online(args)
    except ServiceError as error:
        print(f"custtui {args.command}: {error}", file=sys.stderr)
        return 2


def _timezone() -> tzinfo:
    from zoneinfo import ZoneInfo

    from custtui.services import config

    try:
        return ZoneInfo(config.get("general/locale/timezone") or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _printable(text: str) -> str:
    """One line of terminal-safe text: customer data must not move the cursor or restyle the
    terminal (ANSI escapes, newlines become visible symbols)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else "�" for ch in text)


def _online(args: argparse.Namespace) -> int:
    from custtui.services import online
    from custtui.services.staff import resolve_actor

    query = online.parse({"website": args.website or "", "type": args.type or ""})
    actor = resolve_actor(getattr(args, "staff", None))
    found = online.snapshot(actor, query, page_size=args.limit, history_minutes=0)
    rows = found.pages.get(0, [])
    kind = {"customer": "customers ", "visitor": "visitors "}.get(query.type or "", "")
    totals = (
        f"{found.customers:,} customers · {found.visitors:,} visitors online "
        f"(last {found.minutes} minutes); showing {len(rows):,} of {found.total:,} {kind}"
    ).rstrip()
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        print(totals, file=sys.stderr)
        return 0
    tz = _timezone()
    table = [[label for _key, label in online.COLUMNS]]
    for r in rows:
        table.append(
            [
                str(r.customer_id or ""),
                r.firstname,
                r.lastname,
                r.email,
                r.last_visit_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                r.type,
                r.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                r.remote_addr,
                r.last_url[:60] + ("…" if len(r.last_url) > 60 else ""),
                r.website,
            ]
        )
    from rich.cells import cell_len  # terminal columns: 山田 is four wide, not two

    table = [[_printable(cell) for cell in line] for line in table]
    widths = [max(cell_len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        cells = []
        for i, (cell, width) in enumerate(zip(line, widths, strict=True)):
            pad = " " * (width - cell_len(cell))
            cells.append(pad + cell if i == 0 else cell + pad)
        print("  ".join(cells).rstrip())
    print(totals)
    return 0


def _maintenance(args: argparse.Namespace) -> int:
    from custtui.services import sessions

    cutoff = sessions.purge_before()
    purged = sessions.purge_visits()
    if not args.quiet:
        print(
            f"Purged {purged:,} expired visit{'s' if purged != 1 else ''} "
            f"(last activity before {cutoff:%Y-%m-%d %H:%M:%S} UTC)."
        )
    return 0
