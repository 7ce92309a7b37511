"""Reading and writing configuration by Magento path, with website → default → built-in
fallback (DESIGN.md › Data)."""

from __future__ import annotations

from custtui.models import ConfigValue
from custtui.services import clock
from custtui.services.config_defaults import DEFAULTS
from custtui.services.errors import NotFound


def default_value(path: str) -> str:
    """The built-in default of *path* (Magento's shipped value)."""
    try:
        return DEFAULTS[path][0]
    except KeyError:
        raise NotFound(f"Unknown configuration path: {path}") from None


def get(path: str, website_id: int | None = None) -> str:
    """The effective value of *path* for a website (or the default scope)."""
    fallback = default_value(path)
    scopes = [("default", 0)]
    if website_id is not None:
        scopes.insert(0, ("websites", website_id))
    for scope, scope_id in scopes:
        row = (
            ConfigValue.select(ConfigValue.value)
            .where(
                (ConfigValue.path == path)
                & (ConfigValue.scope == scope)
                & (ConfigValue.scope_id == scope_id)
            )
            .first()
        )
        if row is not None:
            return row.value if row.value is not None else ""
    return fallback


def get_int(path: str, website_id: int | None = None) -> int:
    """An integer setting; an empty stored value means Magento's default."""
    value = get(path, website_id).strip()
    return int(value) if value else int(default_value(path) or 0)


def get_flag(path: str, website_id: int | None = None) -> bool:
    return get(path, website_id).strip() == "1"


def store(path: str, value: str, website_id: int | None = None) -> None:
    """Write a value at default or website scope (no validation: callers validate)."""
    default_value(path)
    scope, scope_id = ("websites", website_id) if website_id is not None else ("default", 0)
    (
        ConfigValue.insert(
            path=path, scope=scope, scope_id=scope_id, value=value, updated_at=clock.now()
        )
        .on_conflict(
            conflict_target=[ConfigValue.path, ConfigValue.scope, ConfigValue.scope_id],
            update={ConfigValue.value: value, ConfigValue.updated_at: clock.now()},
        )
        .execute()
    )


def confirmation_required_websites() -> set[int]:
    """Websites where new accounts must confirm their email (drives "Confirmed email")."""
    from custtui.models import Website

    return {
        w.id
        for w in Website.select(Website.id)
        if get_flag("customer/create_account/confirm", w.id)
    }
