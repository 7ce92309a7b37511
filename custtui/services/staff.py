"""Who is using the app: turning ``--staff``, ``$CUSTTUI_STAFF`` or the OS login into an Actor.

Until staff sign-in exists (the configuration/auth issue), the person is identified, in order,
by an explicit username, by an account mapped to the OS user running the app (ssh setups where
the login already authenticated them), by an account named like the OS user, and finally by the
shop's first active admin. Every action is still recorded against that staff member.
"""

from __future__ import annotations

import getpass
import os

from custtui.models import Staff
from custtui.services.actor import Actor
from custtui.services.errors import NotFound


def _actor(staff: Staff) -> Actor:
    return Actor(staff.id, staff.username, staff.role)


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def resolve_actor(username: str | None = None) -> Actor:
    """The staff member this session acts as; raises :class:`NotFound` with the reason."""
    username = username or os.environ.get("CUSTTUI_STAFF") or None
    active = Staff.select().where(Staff.is_active == True)  # noqa: E712 (peewee expression)
    if username:
        staff = active.where(Staff.username == username).first()
        if staff is None:
            raise NotFound(f"No active staff account named {username!r}.")
        return _actor(staff)
    os_user = _os_user()
    if os_user:
        staff = active.where(Staff.os_user == os_user).first()
        staff = staff or active.where(Staff.username == os_user).first()
        if staff is not None:
            return _actor(staff)
    staff = active.where(Staff.role == "admin").order_by(Staff.id).first()
    if staff is None:
        raise NotFound("This shop has no active admin account; run `custtui init`.")
    return _actor(staff)
