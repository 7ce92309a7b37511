"""API tokens: shown once, stored as SHA-256, admin only, audited, revocable at once."""

from __future__ import annotations

import hashlib

import pytest

from custtui.models import AuditLog
from custtui.models.migrations import LATEST_VERSION, MIGRATIONS, current_version, migrate
from custtui.models.schema import ApiToken, SchemaVersion
from custtui.services import api_tokens
from custtui.services.actor import Actor
from custtui.services.errors import NotFound, PermissionDenied, ValidationError
from tests.api.conftest import ADMIN


def test_create_keeps_only_the_digest_and_audits(shop):
    token = api_tokens.create(ADMIN, "storefront-eu")
    assert token.startswith("cst_") and len(token) > 40
    row = ApiToken.get(ApiToken.name == "storefront-eu")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in "\n".join(shop.connection().iterdump())
    entry = AuditLog.get(AuditLog.action == "api_token_created")
    assert (entry.staff_username, entry.entity_type, entry.note) == (
        "admin",
        "api_token",
        "storefront-eu",
    )
    assert api_tokens.verify(token).name == "storefront-eu"


def test_only_admins_manage_tokens(shop):
    support = Actor(7, "sam", "support")
    with pytest.raises(PermissionDenied, match="managing storefront API tokens"):
        api_tokens.create(support, "shop")
    with pytest.raises(PermissionDenied):
        api_tokens.tokens(support)
    with pytest.raises(PermissionDenied):
        api_tokens.revoke(support, "shop")
    assert ApiToken.select().count() == 0
    assert AuditLog.select().where(AuditLog.action == "permission_denied").count() == 3


@pytest.mark.parametrize("name", ["", " shop", "-x", "a" * 65, "shop\n", "naïve", "a b"])
def test_names_are_checked(shop, name):
    with pytest.raises(ValidationError) as error:
        api_tokens.create(ADMIN, name)
    assert error.value.field == "name"


def test_names_are_unique_even_after_revoking(shop):
    api_tokens.create(ADMIN, "shop")
    with pytest.raises(ValidationError, match="already an active token"):
        api_tokens.create(ADMIN, "shop")
    api_tokens.revoke(ADMIN, "shop")
    with pytest.raises(ValidationError, match="already a revoked token"):
        api_tokens.create(ADMIN, "shop")


def test_revoke(shop, fixed_clock):
    token = api_tokens.create(ADMIN, "shop")
    info = api_tokens.revoke(ADMIN, "shop")
    assert (info.active, info.revoked_at) == (False, fixed_clock.now())
    assert api_tokens.verify(token) is None
    assert not api_tokens.any_active()
    with pytest.raises(ValidationError, match="already revoked"):
        api_tokens.revoke(ADMIN, "shop")
    with pytest.raises(NotFound):
        api_tokens.revoke(ADMIN, "nope")
    assert AuditLog.select().where(AuditLog.action == "api_token_revoked").count() == 1
    assert [t.name for t in api_tokens.tokens(ADMIN)] == ["shop"]


def test_verify_refuses_anything_else(shop):
    token = api_tokens.create(ADMIN, "shop")
    for wrong in (token + "x", token[:-1], "cst_", "", "x" * 5000, None, 5, token.upper()):
        assert api_tokens.verify(wrong) is None  # type: ignore[arg-type]


def test_last_used_is_written_at_most_once_a_minute(shop, fixed_clock):
    token = api_tokens.create(ADMIN, "shop")
    first = fixed_clock.now()
    api_tokens.verify(token)
    fixed_clock.advance(seconds=30)
    api_tokens.verify(token)
    assert ApiToken.get().last_used_at == first
    fixed_clock.advance(seconds=31)
    api_tokens.verify(token)
    assert ApiToken.get().last_used_at == fixed_clock.now()


def test_an_older_database_gets_the_token_table(shop):
    mine = next(number for number, _, step in MIGRATIONS if step.__name__ == "_api_tokens")
    shop.execute_sql('DROP TABLE "api_token"')
    SchemaVersion.update(version=mine - 1).execute()
    assert migrate(shop) == LATEST_VERSION
    assert current_version(shop) == LATEST_VERSION
    assert ApiToken.select().count() == 0
