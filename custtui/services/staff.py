"""Who is acting when custtui runs from the command line.

An OS user mapped to an active staff account (``custtui staff add NAME --os-user``, and the
first admin made by ``custtui init`` for the person who installed it) acts as that account:
on a shop server the ssh login already authenticated them. Naming another account with
``--staff``/``$CUSTTUI_STAFF`` needs that account's password (asked on the terminal). The
app itself signs people in with :mod:`custtui.services.staff_accounts` and its sign-in screen.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from custtui.models import Staff
from custtui.services import staff_accounts
from custtui.services.actor import Actor
from custtui.services.errors import PermissionDenied


def _mapped(user: str | None) -> Staff | None:
    if not user:
        return None
    return Staff.get_or_none((Staff.os_user == user) & (Staff.is_active == True))  # noqa: E712


def _prompt(username: str) -> str:
    return getpass.getpass(f"Password for {username}: ")


def resolve_actor(
    username: str | None = None, ask_password: Callable[[str], str] | None = None
) -> Actor:
    """The staff member a command acts as; raises :class:`PermissionDenied` saying how to
    get access when nobody can be identified safely."""
    username = username or os.environ.get("CUSTTUI_STAFF") or None
    if ask_password is None and sys.stdin.isatty():
        ask_password = _prompt
    user = staff_accounts.os_user()
    mapped = _mapped(user)
    if mapped is not None and username in (None, mapped.username):
        return Actor(mapped.id, mapped.username, mapped.role)
    if username and ask_password is not None:
        return staff_accounts.sign_in(username, ask_password(username))
    if username:
        raise PermissionDenied(
            f"Acting as {username!r} needs its password; run the command in a terminal."
        )
    raise PermissionDenied(
        f"No staff account is mapped to the OS user {user!r}. An admin can map it with "
        f"`custtui staff add NAME --role ROLE --os-user`, or pass --staff NAME."
    )
