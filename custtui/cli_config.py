"""``custtui config``: read and change Customer Configuration from scripts.

The same service calls as the Settings › Customer Configuration screen, so a script gets the
same validation, the same refusal of website values for global options and the same audit
rows, recorded against the staff member from ``--staff``, ``$CUSTTUI_STAFF`` or the OS user.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from custtui.cli import subcommand_options
from custtui.services.errors import ServiceError


def add_parser(commands: Any) -> None:
    """Register ``config`` on the top-level subparsers of :func:`custtui.cli.build_parser`."""
    config = commands.add_parser(
        "config", help="read and change Customer Configuration (Magento paths)"
    )
    sub = config.add_subparsers(dest="config_command", metavar="COMMAND", required=True)

    get = sub.add_parser("get", help="print the effective value of PATH")
    get.add_argument("path", metavar="PATH", help="e.g. customer/address/street_lines")
    get.add_argument("--website", metavar="CODE", help="the value for this website")
    get.add_argument("--json", action="store_true", help="print value and where it comes from")
    subcommand_options(get)

    set_ = sub.add_parser("set", help="validate and save VALUE at PATH (audited)")
    set_.add_argument("path", metavar="PATH")
    set_.add_argument("value", metavar="VALUE", help="the stored value or its label ('Optional')")
    set_.add_argument("--website", metavar="CODE", help="set it for this website only")
    subcommand_options(set_)

    use = sub.add_parser("use-default", help="remove a website's own value of PATH (audited)")
    use.add_argument("path", metavar="PATH")
    use.add_argument("--website", metavar="CODE", required=True)
    subcommand_options(use)

    list_ = sub.add_parser("list", help="every option at Default Config, then website values")
    list_.add_argument("--changed", action="store_true", help="only explicitly set values")
    list_.add_argument("--json", action="store_true", help="print a JSON array")
    subcommand_options(list_)


def _open(args: argparse.Namespace) -> None:
    from custtui.models.db import open_database, resolve_url
    from custtui.services.setup import init_shop

    db = open_database(resolve_url(getattr(args, "db", None)))
    db.connect(reuse_if_open=True)
    init_shop(db)


def _shown(value: str) -> str:
    return value if value != "" else "(empty)"


def run(args: argparse.Namespace) -> int:
    """Run one ``config`` subcommand; bad input is a message on stderr and exit status 2."""
    try:
        _open(args)
        return _COMMANDS[args.config_command](args)
    except ServiceError as error:
        print(f"custtui config: {error}", file=sys.stderr)
        return 2


def _get(args: argparse.Namespace) -> int:
    from custtui.services import config

    found = config.effective(args.path, args.website)
    if args.json:
        row = {"path": found.path, "value": found.value, "source": found.source}
        print(json.dumps(row | {"website": args.website}, ensure_ascii=False))
    else:
        print(found.value)
    return 0


def _actor(args: argparse.Namespace) -> Any:
    from custtui.services.staff import resolve_actor

    return resolve_actor(getattr(args, "staff", None))


def _where(website: str | None) -> str:
    return f"website {website}" if website else "Default Config"


def _set(args: argparse.Namespace) -> int:
    from custtui.services import config

    change = config.set_value(_actor(args), args.path, args.value, args.website)
    if change is None:
        print(f"No change: {args.path} is already {_shown(args.value)} ({_where(args.website)}).")
    else:
        print(
            f"Saved {args.path} = {_shown(change.after)} for {_where(args.website)} "
            f"(was {_shown(change.before)})."
        )
    return 0


def _use_default(args: argparse.Namespace) -> int:
    from custtui.services import config

    change = config.use_default(_actor(args), args.path, args.website)
    if change is None:
        print(f"No change: website {args.website} already uses Default Config for {args.path}.")
    else:
        print(
            f"Website {args.website} now uses Default Config for {args.path}: "
            f"{_shown(change.after)} (was {_shown(change.before)})."
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    from custtui.services import config

    rows = config.list_values(changed_only=args.changed)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "path": r.path,
                        "label": r.label,
                        "section": r.section,
                        "scope": r.scope,
                        "website": r.website_code,
                        "value": r.value,
                        "source": r.source,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not rows:
        print("Nothing is set: every option has its built-in default.", file=sys.stderr)
        return 0
    width = max(len(r.path) for r in rows)
    for r in rows:
        scope = f"website {r.website_code}" if r.website_code else "default"
        note = "  (built-in)" if r.source == "built-in" else ""
        print(f"{r.path:<{width}}  {scope:<16} {_shown(r.value)}{note}")
    return 0


_COMMANDS = {"get": _get, "set": _set, "use-default": _use_default, "list": _list}
