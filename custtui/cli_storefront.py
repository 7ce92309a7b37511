"""``custtui storefront`` (serve the HTTP API, manage its tokens) and ``custtui simulate``.

Serving binds to loopback unless ``--host`` says otherwise: the API speaks plain HTTP, so
anything beyond this machine belongs behind a TLS-terminating proxy. Token commands are
admin work, recorded against the staff member from ``--staff``/``$CUSTTUI_STAFF``/the OS user.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import sys
from typing import Any

from custtui.cli import subcommand_options
from custtui.services.errors import ServiceError

TOKEN_ENV = "CUSTTUI_API_TOKEN"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return port


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 24 * 60:
        raise argparse.ArgumentTypeError("minutes must be above 0 and at most 1440")
    return value


def add_parser(commands: Any) -> None:
    """Register ``storefront`` and ``simulate`` on the top-level subparsers."""
    serve = commands.add_parser(
        "storefront",
        help="serve the storefront HTTP API, or manage its tokens",
        description="Serve the storefront JSON API (OpenAPI at /openapi.json). Every request "
        "needs Authorization: Bearer TOKEN from `custtui storefront token create NAME`.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    serve.add_argument("--port", type=_port, default=8080, help="TCP port (default: 8080)")
    serve.add_argument(
        "--threads",
        type=_positive,
        default=8,
        metavar="N",
        help="database threads serving requests (default: 8)",
    )
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    subcommand_options(serve, staff=False)
    sub = serve.add_subparsers(dest="storefront_command", metavar="COMMAND")
    token = sub.add_parser("token", help="create, list and revoke API tokens (admin)")
    token_sub = token.add_subparsers(dest="token_command", metavar="COMMAND", required=True)
    create = token_sub.add_parser("create", help="make a token and print it (shown only once)")
    create.add_argument("name", metavar="NAME", help="what uses it, e.g. storefront-eu")
    subcommand_options(create)
    list_ = token_sub.add_parser("list", help="every token with its state (never the secret)")
    list_.add_argument("--json", action="store_true", help="print a JSON array")
    subcommand_options(list_)
    revoke = token_sub.add_parser("revoke", help="stop a token from working, at once")
    revoke.add_argument("name", metavar="NAME")
    subcommand_options(revoke)

    simulate = commands.add_parser(
        "simulate",
        help="drive realistic storefront traffic through the HTTP API",
        description="Shoppers browse, add to cart, register, sign in and out (some with wrong "
        "passwords) and reset passwords through a running `custtui storefront`, paced over "
        "the given minutes so Now Online can be watched moving. Ctrl-C stops.",
    )
    simulate.add_argument(
        "--url", default="http://127.0.0.1:8080", help="the API (default: http://127.0.0.1:8080)"
    )
    simulate.add_argument(
        "--token", default=None, help=f"API token (default: ${TOKEN_ENV}); prefer the variable"
    )
    simulate.add_argument("--visitors", type=_positive, default=50, metavar="N")
    simulate.add_argument("--minutes", type=_minutes, default=5.0, metavar="M")
    simulate.add_argument("--website", default="base", help="website code (default: base)")
    simulate.add_argument("--seed", type=int, default=None, help="repeatable choices")


def _open(args: argparse.Namespace) -> None:
    from custtui.models.db import open_database, resolve_url
    from custtui.services.setup import init_shop

    db = open_database(resolve_url(getattr(args, "db", None)))
    db.connect(reuse_if_open=True)
    init_shop(db)


def _actor(args: argparse.Namespace) -> Any:
    from custtui.services.staff import resolve_actor

    return resolve_actor(getattr(args, "staff", None))


def run(args: argparse.Namespace) -> int:
    """Run ``storefront`` (serve or ``token …``) or ``simulate``; a refusal is a message on
    stderr and exit status 2."""
    try:
        if args.command == "simulate":
            return _simulate(args)
        if getattr(args, "storefront_command", None) == "token":
            _open(args)
            return _TOKEN_COMMANDS[args.token_command](args)
        return _serve(args)
    except ServiceError as error:
        print(f"custtui {args.command}: {error}", file=sys.stderr)
        return 2


# -- tokens ------------------------------------------------------------------------------------
def _token_create(args: argparse.Namespace) -> int:
    from custtui.services import api_tokens

    token = api_tokens.create(_actor(args), args.name)
    print(token)
    print(
        f"Created API token {args.name!r}. It is shown only this once; store it in the "
        f"storefront's configuration (simulate reads ${TOKEN_ENV}).",
        file=sys.stderr,
    )
    return 0


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "never"


def _token_list(args: argparse.Namespace) -> int:
    from custtui.services import api_tokens

    rows = api_tokens.tokens(_actor(args))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": r.name,
                        "active": r.active,
                        "created_at": r.created_at.isoformat(),
                        "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
                        "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    if not rows:
        print(
            "No API tokens. Create one with: custtui storefront token create NAME", file=sys.stderr
        )
        return 0
    width = max(4, *(len(r.name) for r in rows))
    print(f"{'NAME':<{width}}  {'STATE':<8} {'CREATED (UTC)':<16}  LAST USED (UTC)")
    for r in rows:
        state = "active" if r.active else "revoked"
        print(f"{r.name:<{width}}  {state:<8} {_when(r.created_at):<16}  {_when(r.last_used_at)}")
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from custtui.services import api_tokens

    info = api_tokens.revoke(_actor(args), args.name)
    print(f"Revoked API token {info.name!r}; requests with it are refused from now on.")
    return 0


_TOKEN_COMMANDS = {"create": _token_create, "list": _token_list, "revoke": _token_revoke}


# -- serve -------------------------------------------------------------------------------------
def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from custtui.api import create_app
    from custtui.models.db import resolve_url
    from custtui.services import api_tokens, passwords

    _open(args)
    passwords.secret()  # a missing or unsafe key file stops us here, not on a request
    if not api_tokens.any_active():
        print(
            "No active API token: every request will get 401. Create one with "
            "`custtui storefront token create NAME`.",
            file=sys.stderr,
        )
    if not _is_loopback(args.host):
        print(
            f"Warning: listening on {args.host}, beyond this machine, over plain HTTP; put a "
            "TLS-terminating proxy in front of it.",
            file=sys.stderr,
        )
    app = create_app(threads=args.threads)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"custtui storefront API for {resolve_url(getattr(args, 'db', None))} on "
        f"http://{shown}:{args.port}/v1 (OpenAPI at /openapi.json). Ctrl-C stops.",
        file=sys.stderr,
        flush=True,
    )
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        access_log=not args.no_access_log,
        server_header=False,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
    # uvicorn shuts down gracefully, then re-raises the Ctrl-C it caught: that is the normal
    # way to stop a server run by hand, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
    return 0


# -- simulate ----------------------------------------------------------------------------------
def _simulate(args: argparse.Namespace) -> int:
    from custtui import simulate

    token = args.token or os.environ.get(TOKEN_ENV)
    if not token:
        print(
            f"custtui simulate: give the API token with ${TOKEN_ENV} (or --token); create one "
            "with `custtui storefront token create NAME`.",
            file=sys.stderr,
        )
        return 2
    plan = simulate.Plan(
        url=args.url,
        token=token,
        visitors=args.visitors,
        minutes=args.minutes,
        website=args.website,
        seed=args.seed,
    )
    return simulate.main(plan)
