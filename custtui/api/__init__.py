"""The storefront HTTP API (``custtui storefront``): a FastAPI app over the services.

The shop's storefront reports visits and events and sends registrations, sign-ins and
password resets here; the back office sees them at once (Now Online, Customer View, the audit
log) because both sides drive the same services on the same database. :func:`create_app`
builds the ASGI app; the database must already be open (:func:`custtui.models.open_database`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from custtui import __version__
from custtui.api import errors, routes, sales
from custtui.api.dbthreads import DbThreads
from custtui.api.gate import MAX_BODY, Gate
from custtui.services import api_tokens, passwords

DESCRIPTION = """\
JSON API for the shop's storefront. Every request needs `Authorization: Bearer TOKEN`
(`custtui storefront token create NAME`). Errors are `{"message": …}` or
`{"errors": {field: message}}`. Bodies are JSON objects of at most 64 KiB.
"""


def create_app(*, threads: int = 8, max_body: int = MAX_BODY) -> FastAPI:
    """The API as an ASGI app; *threads* database threads serve it (see
    :mod:`custtui.api.dbthreads`)."""
    db = DbThreads(threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Make (or check) the password key file before the first request: concurrent first
        # registrations would otherwise race to create it, and a bad one should stop start-up.
        await db.run(passwords.secret)
        yield
        db.close()

    app = FastAPI(
        title="custtui storefront API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # the interactive pages load scripts from a CDN
        redoc_url=None,
        lifespan=lifespan,
        default_response_class=errors.SafeJSONResponse,
    )
    app.state.db = db
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(sales.router)

    async def authenticate(token: str) -> Any:
        return await db.run(api_tokens.verify, token)

    app.add_middleware(Gate, authenticate=authenticate, max_body=max_body)
    return app
