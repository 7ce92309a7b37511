"""The ASGI middleware every request passes before any route: bearer token, then body.

It runs before FastAPI parses anything, so an unauthenticated client learns nothing about
validation, and a huge or non-JSON body is refused without being parsed or even fully read:

* no ``Authorization: Bearer …`` → 401; a token that is unknown or revoked → 401;
* a body larger than :data:`MAX_BODY` (by ``Content-Length`` or by counting a chunked
  stream) → 413, after reading at most ``MAX_BODY + 1`` bytes;
* a non-empty body that is not ``application/json`` (or ``+json``) → 415.

The checked body is buffered and replayed to the app, so FastAPI sees an ordinary request.
"""

from __future__ import annotations

import email.message
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from custtui.api.errors import message

MAX_BODY = 64 * 1024
BEARER_HELP = (
    "Send the header Authorization: Bearer TOKEN (an admin creates a token with "
    "`custtui storefront token create NAME`)."
)
BAD_TOKEN = "The API token is not valid or has been revoked."
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="custtui"'}

Authenticate = Callable[[str], Awaitable[Any]]
"""The token's identity (put in ``scope["state"]["api_token"]``), or None to refuse it."""


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


@functools.lru_cache(maxsize=256)
def _is_json(content_type: str | None) -> bool:
    """Whether the header names JSON (cached: a storefront sends the same few values)."""
    if not content_type:
        return False
    parsed = email.message.Message()
    parsed["content-type"] = content_type
    if parsed.get_content_maintype() != "application":
        return False
    subtype = parsed.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


class Gate:
    def __init__(self, app: ASGIApp, *, authenticate: Authenticate, max_body: int = MAX_BODY):
        self.app = app
        self.authenticate = authenticate
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        token = bearer_token(headers.get("authorization"))
        if token is None:
            await message(401, BEARER_HELP, CHALLENGE)(scope, receive, send)
            return
        identity = await self.authenticate(token)
        if identity is None:
            await message(401, BAD_TOKEN, CHALLENGE)(scope, receive, send)
            return
        scope.setdefault("state", {})["api_token"] = identity

        length = headers.get("content-length")
        if length is not None:
            if not length.isascii() or not length.isdigit():
                await message(400, "Content-Length is not a number.")(scope, receive, send)
                return
            if int(length) > self.max_body:
                await self._too_big(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                return
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._too_big(scope, receive, send)
                return
            chunks.append(chunk)
            if not event.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and not _is_json(headers.get("content-type")):
            await message(415, "Send the request body as JSON (Content-Type: application/json).")(
                scope, receive, send
            )
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_big(self, scope: Scope, receive: Receive, send: Send) -> None:
        text = f"The request body is larger than {self.max_body // 1024} KiB."
        await message(413, text)(scope, receive, send)
