"""Reading and writing configuration by Magento path, with website → default → built-in
fallback (DESIGN.md › Data).

:func:`get`/:func:`store` are the raw reads and writes every service uses. The Customer
Configuration screen and ``custtui config`` go through :func:`set_values` and friends instead,
which check the value against :mod:`custtui.services.config_schema`, refuse website values for
global options, keep Share Customer Accounts from going Global while emails clash, require
``CONFIG_EDIT`` and audit every change in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from peewee import fn

from custtui.models import ConfigValue, Website
from custtui.models.db import database
from custtui.services import audit, clock, config_schema, permissions
from custtui.services.actor import Actor
from custtui.services.config_defaults import DEFAULTS
from custtui.services.errors import NotFound, ValidationError


def default_value(path: str) -> str:
    """The built-in default of *path* (Magento's shipped value)."""
    try:
        return DEFAULTS[path][0]
    except KeyError:
        raise NotFound(f"Unknown configuration path: {path}") from None


def get(path: str, website_id: int | None = None) -> str:
    """The effective value of *path* for a website (or the default scope)."""
    fallback = default_value(path)
    # One indexed statement for both scopes, written out: services read settings on every
    # call, and building the Peewee query cost more than running it.
    p = database.obj.param
    rows = database.obj.execute_sql(
        f"SELECT scope, value FROM config WHERE path = {p} AND ((scope = 'default' AND "
        f"scope_id = 0) OR (scope = 'websites' AND scope_id = {p}))",
        (path, -1 if website_id is None else int(website_id)),
    ).fetchall()
    found = dict(rows)
    for scope in ("websites", "default"):
        if scope in found:
            value = found[scope]
            return value if value is not None else ""
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
    return {
        w.id
        for w in Website.select(Website.id)
        if get_flag("customer/create_account/confirm", w.id)
    }


# -- Customer Configuration: reading by scope, validated writes, audit ----------------------

SHARE_PATH = "customer/account_share/scope"
SHARE_REFUSAL = (
    "Cannot share customer accounts globally because some customer accounts with the same "
    "emails exist on multiple websites and cannot be merged."
)
"""Magento's refusal (``Customer\\Model\\Config\\Share``, wording of reference A6)."""

SOURCES = ("website", "default", "built-in")


@dataclass(frozen=True)
class Effective:
    """A value and where it comes from: the website's own setting, Default Config, or the
    built-in (Magento's shipped) default."""

    path: str
    value: str
    source: str
    website_code: str | None = None

    @property
    def where(self) -> str:
        if self.source == "website":
            return f"website {self.website_code}"
        return "Default Config" if self.source == "default" else "built-in default"


@dataclass(frozen=True)
class ScopeValue:
    """One option as the form at one scope shows it."""

    path: str
    value: str
    """The effective value at this scope."""
    inherited: str
    """What it would be without this scope's own setting (Default Config for a website,
    the built-in default for Default Config)."""
    overridden: bool
    """This scope has its own stored value (so "Use Default" is off)."""
    source: str


@dataclass(frozen=True)
class Change:
    """One setting a save changed: effective value before and after at the saved scope."""

    path: str
    before: str
    after: str
    reset: bool = False
    """True when the scope's own value was removed ("Use Default")."""


@dataclass(frozen=True)
class Setting:
    """A row of :func:`list_values`."""

    path: str
    label: str
    section: str
    scope: str
    """``default`` or ``website``."""
    website_code: str | None
    value: str
    source: str


def _website(code: str | None) -> Website | None:
    if code is None:
        return None
    site = Website.get_or_none(Website.code == code)
    if site is None:
        known = ", ".join(w.code for w in Website.select(Website.code).order_by(Website.id))
        raise NotFound(f"No website with code {code!r} (websites: {known}).")
    return site


def _stored(paths: Iterable[str], website_id: int | None) -> dict[tuple[str, str], str]:
    """Stored values of *paths* at default scope and (optionally) one website, in one query."""
    where = ConfigValue.scope == "default"
    if website_id is not None:
        where = where | ((ConfigValue.scope == "websites") & (ConfigValue.scope_id == website_id))
    rows = ConfigValue.select(ConfigValue.path, ConfigValue.scope, ConfigValue.value).where(
        ConfigValue.path.in_(list(paths)) & where
    )
    return {(r.path, r.scope): (r.value or "") for r in rows}


def _scope_value(path: str, stored: dict[tuple[str, str], str], at_website: bool) -> ScopeValue:
    built_in = default_value(path)
    default_row = stored.get((path, "default"))
    at_default = default_row if default_row is not None else built_in
    default_source = "default" if default_row is not None else "built-in"
    if not at_website:
        return ScopeValue(path, at_default, built_in, default_row is not None, default_source)
    site_row = stored.get((path, "websites"))
    if site_row is None or DEFAULTS[path][1] == "G":
        return ScopeValue(path, at_default, at_default, False, default_source)
    return ScopeValue(path, site_row, at_default, True, "website")


def effective(path: str, website_code: str | None = None) -> Effective:
    """The value of *path* for a website (or Default Config) and where it comes from.

    A global (``G``) path always reads Default Config, as Magento does."""
    default_value(path)
    site = _website(website_code)
    stored = _stored([path], site.id if site else None)
    state = _scope_value(path, stored, site is not None)
    return Effective(path, state.value, state.source, website_code)


def scope_values(website_code: str | None = None) -> dict[str, ScopeValue]:
    """Every Customer Configuration option at one scope (for the form), in one query."""
    site = _website(website_code)
    stored = _stored(config_schema.OPTIONS, site.id if site else None)
    return {p: _scope_value(p, stored, site is not None) for p in config_schema.OPTIONS}


def sharing_clashes() -> tuple[int, str | None]:
    """How many email keys have accounts on more than one website, and one example email —
    what stops Share Customer Accounts from becoming Global."""
    from custtui.models import Customer

    clashing = (
        Customer.select(Customer.email_key, fn.MIN(Customer.email).alias("example"))
        .where(Customer.website.is_null(False))
        .group_by(Customer.email_key)
        .having(fn.COUNT(Customer.website.distinct()) > 1)
    )
    count = clashing.count()
    if not count:
        return 0, None
    first = clashing.order_by(Customer.email_key).limit(1).first()
    return count, first.example if first is not None else None


def _scope_note(site: Website | None) -> str:
    return "Scope: Default Config" if site is None else f"Scope: website {site.code} ({site.name})"


def set_values(
    actor: Actor, values: Mapping[str, str | None], website_code: str | None = None
) -> list[Change]:
    """Save several settings at one scope, all or nothing (a section of the form).

    A value of ``None`` means "Use Default": the scope's own value is removed. Every problem
    is reported at once as a :class:`ValidationError` keyed by path; the changes are written
    and audited (one ``config_changed`` row) in one transaction. Returns what changed."""
    permissions.require(actor, permissions.CONFIG_EDIT)
    options = {path: config_schema.option(path) for path in values}
    site = _website(website_code)
    groups = (
        config_schema.group_choices()
        if any(o.source == config_schema.GROUPS for o in options.values())
        else None
    )
    cleaned: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for path, raw in values.items():
        opt = options[path]
        if site is not None and opt.is_global:
            errors[path] = (
                f"{opt.label} is a global setting {opt.scope_tag}: it applies to every "
                f"website and can only be set in Default Config, not for website {site.code}."
            )
        elif raw is None:
            cleaned[path] = None
        else:
            try:
                cleaned[path] = config_schema.clean(
                    opt, raw, config_schema.choices_for(opt, groups)
                )
            except ValidationError as error:
                errors.update(error.errors)
    if errors:
        raise ValidationError(errors)
    with database.obj.atomic():
        stored = _stored(cleaned, site.id if site else None)
        states = {p: _scope_value(p, stored, site is not None) for p in cleaned}
        if cleaned.get(SHARE_PATH) == "0" and states[SHARE_PATH].value != "0":
            count, example = sharing_clashes()
            if count:
                raise ValidationError(
                    SHARE_PATH,
                    f"{SHARE_REFUSAL} {count} email address"
                    f"{' has' if count == 1 else 'es have'} accounts on more than one "
                    f"website, for example {example}.",
                )
        changes = _write(cleaned, states, site)
        if changes:
            resets = [c.path for c in changes if c.reset]
            note = _scope_note(site)
            if resets:
                inherits = "built-in default" if site is None else "Default Config"
                note += f"; now use the {inherits}: " + ", ".join(resets)
            audit.record(
                actor,
                "config_changed",
                entity_type="config",
                entity_id=site.id if site else None,
                changes={c.path: [c.before, c.after] for c in changes},
                note=note,
            )
    return changes


def _write(
    cleaned: Mapping[str, str | None], states: Mapping[str, ScopeValue], site: Website | None
) -> list[Change]:
    scope, scope_id = ("websites", site.id) if site is not None else ("default", 0)
    changes: list[Change] = []
    for path, new in cleaned.items():
        state = states[path]
        if new is None:
            if not state.overridden:
                continue
            ConfigValue.delete().where(
                (ConfigValue.path == path)
                & (ConfigValue.scope == scope)
                & (ConfigValue.scope_id == scope_id)
            ).execute()
            changes.append(Change(path, state.value, state.inherited, reset=True))
        elif not state.overridden or state.value != new:
            store(path, new, site.id if site is not None else None)
            changes.append(Change(path, state.value, new))
    return changes


def set_value(
    actor: Actor, path: str, value: str, website_code: str | None = None
) -> Change | None:
    """Validate and save one setting at Default Config or one website (None: no change)."""
    changes = set_values(actor, {path: "" if value is None else value}, website_code)
    return changes[0] if changes else None


def use_default(actor: Actor, path: str, website_code: str | None) -> Change | None:
    """Remove a website's own value so it inherits Default Config again (with
    ``website_code=None``: remove the Default Config value, back to the built-in default).
    None when there was nothing to remove."""
    changes = set_values(actor, {path: None}, website_code)
    return changes[0] if changes else None


def list_values(changed_only: bool = False) -> list[Setting]:
    """Every option at Default Config (effective) followed by its website overrides, in
    Magento's order; *changed_only* keeps only explicitly stored values."""
    sites = {w.id: w.code for w in Website.select(Website.id, Website.code)}
    rows = ConfigValue.select().where(ConfigValue.path.in_(list(config_schema.OPTIONS)))
    stored: dict[str, dict[tuple[str, int], str]] = {}
    for row in rows:
        stored.setdefault(row.path, {})[(row.scope, row.scope_id)] = row.value or ""
    out: list[Setting] = []
    for sec in config_schema.SECTIONS:
        for opt in sec.options:
            mine = stored.get(opt.path, {})
            own = mine.get(("default", 0))
            if own is not None or not changed_only:
                source = "default" if own is not None else "built-in"
                value = own if own is not None else opt.default
                out.append(Setting(opt.path, opt.label, sec.title, "default", None, value, source))
            if opt.is_global:
                continue
            for (scope, scope_id), value in sorted(mine.items()):
                if scope == "websites" and scope_id in sites:
                    out.append(
                        Setting(
                            opt.path,
                            opt.label,
                            sec.title,
                            "website",
                            sites[scope_id],
                            value,
                            "website",
                        )
                    )
    return out


@dataclass(frozen=True)
class ConfigForm:
    """What the Customer Configuration screen needs for one scope, read in one go."""

    website_code: str | None
    values: dict[str, ScopeValue]
    groups: config_schema.Choices
    websites: list[tuple[str, str]]
    """``(code, name)`` of every website, in their sort order."""


def form(website_code: str | None = None) -> ConfigForm:
    """Every option's value at one scope, the customer groups and the websites."""
    websites = [
        (w.code, w.name)
        for w in Website.select(Website.code, Website.name).order_by(Website.sort_order, Website.id)
    ]
    return ConfigForm(
        website_code, scope_values(website_code), config_schema.group_choices(), websites
    )
