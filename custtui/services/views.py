"""Saved views: a staff member's named grid states (columns, search, filters, sort)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from custtui.models import SavedView
from custtui.models.db import database
from custtui.services import clock
from custtui.services.actor import Actor
from custtui.services.errors import NotFound, ValidationError
from custtui.services.grid import GridQuery
from custtui.services.grid_columns import COLUMNS_BY_KEY

MAX_NAME = 64


@dataclass(frozen=True)
class View:
    name: str
    state: dict[str, Any]
    is_default: bool


def _staff(actor: Actor) -> int:
    if actor.staff_id is None:
        raise ValidationError("staff", "Saved views belong to a staff member; sign in as one.")
    return actor.staff_id


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "Give the view a name.")
    if len(name) > MAX_NAME:
        raise ValidationError("name", f"is {len(name)} characters; at most {MAX_NAME}.")
    if not name.isprintable():
        raise ValidationError("name", "must not contain control characters.")
    return name


def _clean_state(state: Mapping[str, Any]) -> dict[str, Any]:
    columns = list(state.get("columns") or [])
    unknown = [c for c in columns if c not in COLUMNS_BY_KEY]
    if unknown:
        raise ValidationError("columns", f"unknown column(s): {', '.join(map(str, unknown))}")
    if not columns:
        raise ValidationError("columns", "A view needs at least one column.")
    query = GridQuery.from_state(state)
    return {"columns": columns, **query.to_state()}


def _view(row: SavedView) -> View:
    return View(row.name, dict(row.state or {}), bool(row.is_default))


def list_views(actor: Actor, screen: str) -> list[View]:
    staff = _staff(actor)
    rows = (
        SavedView.select()
        .where((SavedView.staff == staff) & (SavedView.screen == screen))
        .order_by(SavedView.name)
    )
    return [_view(r) for r in rows]


def save_view(actor: Actor, screen: str, name: str, state: Mapping[str, Any]) -> View:
    """Create or replace the named view."""
    staff = _staff(actor)
    name = _clean_name(name)
    clean = _clean_state(state)
    with database.obj.atomic():
        (
            SavedView.insert(
                staff=staff,
                screen=screen,
                name=name,
                state=clean,
                is_default=False,
                updated_at=clock.now(),
            )
            .on_conflict(
                conflict_target=[SavedView.staff, SavedView.screen, SavedView.name],
                update={SavedView.state: clean, SavedView.updated_at: clock.now()},
            )
            .execute()
        )
    return View(name, clean, False)


def _get(staff: int, screen: str, name: str) -> SavedView:
    row = SavedView.get_or_none(
        (SavedView.staff == staff) & (SavedView.screen == screen) & (SavedView.name == name)
    )
    if row is None:
        raise NotFound(f"There is no saved view named {name!r}.")
    return row


def delete_view(actor: Actor, screen: str, name: str) -> None:
    staff = _staff(actor)
    with database.obj.atomic():
        _get(staff, screen, name).delete_instance()


def set_default(actor: Actor, screen: str, name: str | None) -> None:
    """Make *name* the view this screen opens with (None: the built-in default)."""
    staff = _staff(actor)
    with database.obj.atomic():
        SavedView.update(is_default=False).where(
            (SavedView.staff == staff) & (SavedView.screen == screen)
        ).execute()
        if name is not None:
            row = _get(staff, screen, name)
            SavedView.update(is_default=True).where(SavedView.id == row.id).execute()


def default_view(actor: Actor, screen: str) -> View | None:
    if actor.staff_id is None:
        return None
    row = SavedView.get_or_none(
        (SavedView.staff == actor.staff_id)
        & (SavedView.screen == screen)
        & (SavedView.is_default == True)  # noqa: E712 (peewee expression)
    )
    return _view(row) if row else None
