"""Bearer tokens for the storefront HTTP API.

A token is 256 random bits shown once, when it is created; the database keeps only its
SHA-256 (a high-entropy secret needs no slow hash, reliability-notes on reset tokens), so a
copy of the database cannot call the API. Creating, listing and revoking are admin work
(``Magento_Integration::integrations``) and audited; :func:`verify` is what the API runs on
every request and needs no actor: the token *is* the credential.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from custtui.models.db import database
from custtui.models.schema import ApiToken
from custtui.services import audit, clock, permissions
from custtui.services.actor import Actor
from custtui.services.errors import NotFound, ValidationError

PREFIX = "cst_"
"""Marks custtui storefront tokens, so a leaked one is recognisable in logs and scanners."""
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_TOKEN = 256
"""Anything longer cannot be one of ours; refused before hashing."""
TOUCH_EVERY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token, so a busy storefront does not
turn every read-only request into a write."""


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.created_at, row.revoked_at, row.last_used_at)


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValidationError(
            "name",
            "A token name is 1–64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit.",
        )
    return name


def create(actor: Actor, name: str) -> str:
    """A new active token called *name*; returns the token itself (the only time it is
    known). Names are unique for ever, revoked ones included, so the audit log's names stay
    unambiguous."""
    permissions.require(actor, permissions.API_TOKENS)
    name = _check_name(name)
    token = PREFIX + secrets.token_urlsafe(32)
    with database.obj.atomic():
        existing = ApiToken.get_or_none(ApiToken.name == name)
        if existing is not None:
            state = "a revoked token" if existing.revoked_at else "an active token"
            raise ValidationError(
                "name", f"There is already {state} named {name!r}; choose another name."
            )
        row = ApiToken.create(name=name, token_hash=digest(token), created_at=clock.now())
        audit.record(
            actor, "api_token_created", entity_type="api_token", entity_id=row.id, note=name
        )
    return token


def tokens(actor: Actor) -> list[TokenInfo]:
    """Every token, active and revoked, oldest first (never the tokens themselves)."""
    permissions.require(actor, permissions.API_TOKENS)
    return [_info(row) for row in ApiToken.select().order_by(ApiToken.id)]


def revoke(actor: Actor, name: str) -> TokenInfo:
    """Stop the active token called *name* from working, at once (the API checks the
    database on every request)."""
    permissions.require(actor, permissions.API_TOKENS)
    with database.obj.atomic():
        row = ApiToken.get_or_none(ApiToken.name == str(name))
        if row is None:
            raise NotFound(f"There is no API token named {str(name)[:64]!r}.")
        if row.revoked_at is not None:
            raise ValidationError(
                "name",
                f"The API token {row.name!r} was already revoked on {row.revoked_at:%Y-%m-%d}.",
            )
        now = clock.now()
        ApiToken.update(revoked_at=now).where(ApiToken.id == row.id).execute()
        audit.record(
            actor, "api_token_revoked", entity_type="api_token", entity_id=row.id, note=row.name
        )
    return _info(ApiToken.get_by_id(row.id))


def any_active() -> bool:
    """Whether any token works (the server warns at start-up when none does)."""
    return ApiToken.select().where(ApiToken.revoked_at.is_null()).exists()


def verify(token: str) -> TokenInfo | None:
    """The active token *token* is, or None (unknown, malformed or revoked). Records when
    it was last used, at most once per :data:`TOUCH_EVERY`."""
    if not isinstance(token, str) or not token.startswith(PREFIX) or len(token) > MAX_TOKEN:
        return None
    row = ApiToken.get_or_none(
        (ApiToken.token_hash == digest(token)) & ApiToken.revoked_at.is_null()
    )
    if row is None:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        with database.obj.atomic():
            ApiToken.update(last_used_at=now).where(
                (ApiToken.id == row.id)
                & (ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < now - TOUCH_EVERY))
            ).execute()
    return _info(row)
