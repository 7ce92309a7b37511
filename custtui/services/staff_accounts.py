"""Staff accounts: who may use custtui, with which role, and how they sign in.

Passwords use the same hashing as customers (:mod:`custtui.services.passwords`). Sign-in
locks an account after ``admin/security/lockout_failures`` failures for
``admin/security/lockout_threshold`` minutes (Magento's admin defaults: 6 and 30). Every
sign-in, failed sign-in and account change is audited. An account may be mapped to the OS
user that runs the app (``--os-user``): over ssh the login already authenticated that person,
so the app opens without asking again.
"""

from __future__ import annotations

import getpass
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from custtui.models import Staff
from custtui.models.db import database
from custtui.services import audit, clock, config, passwords, permissions
from custtui.services.actor import SYSTEM, Actor
from custtui.services.errors import NotFound, ServiceError, ValidationError

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD = 12
"""Staff passwords are at least 12 characters (no composition rules, ASVS 6.2)."""
SIGN_IN_FAILED = "The username or password is not correct, or the account is disabled."


class StaffLocked(ServiceError):
    """Too many failed sign-ins; try again after the lock expires."""


@dataclass(frozen=True)
class StaffInfo:
    id: int
    username: str
    display_name: str
    role: str
    os_user: str | None
    is_active: bool
    has_password: bool
    last_login_at: datetime | None
    locked: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "os_user": self.os_user,
            "active": self.is_active,
            "has_password": self.has_password,
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
            "locked": self.locked,
        }


def os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _info(row: Staff) -> StaffInfo:
    return StaffInfo(
        id=row.id,
        username=row.username,
        display_name=row.display_name or row.username,
        role=row.role,
        os_user=row.os_user,
        is_active=row.is_active,
        has_password=bool(row.password_hash),
        last_login_at=row.last_login_at,
        locked=row.lock_expires is not None and row.lock_expires > clock.now(),
    )


def _get(username: str) -> Staff:
    row = Staff.get_or_none(Staff.username == username)
    if row is None:
        raise NotFound(f"No staff account named {username!r}.")
    return row


def password_problem(password: str) -> str | None:
    if not isinstance(password, str) or not password:
        return "Password is required."
    if len(unicodedata.normalize("NFKC", password)) < MIN_PASSWORD:
        return f"Password must be at least {MIN_PASSWORD} characters."
    if len(password) > 4096:
        return "Password is longer than 4096 characters."
    return None


def _actor_may_manage(actor: Actor) -> None:
    if actor is not SYSTEM:
        permissions.require(actor, permissions.STAFF_MANAGE)


def add(
    actor: Actor,
    username: str,
    role: str,
    *,
    password: str | None = None,
    map_os_user: str | None = None,
    display_name: str | None = None,
) -> StaffInfo:
    """Create a staff account; either a password, an OS-user mapping, or both."""
    _actor_may_manage(actor)
    errors: dict[str, str] = {}
    username = (username or "").strip()
    if not USERNAME.match(username):
        errors["username"] = (
            "Username must be 1–64 characters: lower-case letters, digits, '.', '_' or '-'."
        )
    elif Staff.select().where(Staff.username == username).exists():
        errors["username"] = f"A staff account named {username!r} already exists."
    if role not in permissions.ROLES:
        errors["role"] = f"Role must be one of: {', '.join(permissions.ROLES)}."
    if password is not None and (problem := password_problem(password)):
        errors["password"] = problem
    if password is None and not map_os_user:
        errors["password"] = "Give a password (--password-stdin) or map an OS user (--os-user)."
    if map_os_user and Staff.select().where(Staff.os_user == map_os_user).exists():
        errors["os_user"] = f"The OS user {map_os_user!r} is already mapped to another account."
    if errors:
        raise ValidationError(errors)
    hashed = passwords.hash_password(password) if password is not None else None
    with database.obj.atomic():
        row = Staff.create(
            username=username,
            display_name=display_name or username,
            role=role,
            os_user=map_os_user,
            password_hash=hashed,
            is_active=True,
            created_at=clock.now(),
        )
        audit.record(
            actor,
            "staff_added",
            entity_type="staff",
            entity_id=row.id,
            changes={"role": [None, role], "os_user": [None, map_os_user]},
            note=username,
        )
    return _info(row)


def list_staff() -> list[StaffInfo]:
    return [_info(row) for row in Staff.select().order_by(Staff.username)]


def set_password(actor: Actor, username: str, password: str) -> None:
    """Change a password (an admin for anyone, a staff member for themselves)."""
    row = _get(username)
    if actor.staff_id != row.id:
        _actor_may_manage(actor)
    if problem := password_problem(password):
        raise ValidationError("password", problem)
    hashed = passwords.hash_password(password)
    with database.obj.atomic():
        Staff.update(password_hash=hashed, failures_num=0, lock_expires=None).where(
            Staff.id == row.id
        ).execute()
        audit.record(
            actor, "staff_password_changed", entity_type="staff", entity_id=row.id, note=username
        )


def disable(actor: Actor, username: str) -> bool:
    """Disable an account (it can no longer sign in); False if it already was."""
    _actor_may_manage(actor)
    row = _get(username)
    if row.is_active and row.role == "admin":
        others = Staff.select().where(
            (Staff.role == "admin") & (Staff.is_active == True) & (Staff.id != row.id)  # noqa: E712
        )
        if not others.exists():
            raise ValidationError("username", "This is the last active admin; add another first.")
    with database.obj.atomic():
        changed = (
            Staff.update(is_active=False)
            .where(
                (Staff.id == row.id) & (Staff.is_active == True)  # noqa: E712
            )
            .execute()
        )
        if changed:
            audit.record(
                actor, "staff_disabled", entity_type="staff", entity_id=row.id, note=username
            )
    return bool(changed)


def _actor(row: Staff) -> Actor:
    return Actor(row.id, row.username, row.role)


def for_os_user(user: str | None = None) -> Actor | None:
    """The active account mapped to the OS user running custtui, if any (no password asked)."""
    user = user if user is not None else os_user()
    if not user:
        return None
    row = Staff.get_or_none((Staff.os_user == user) & (Staff.is_active == True))  # noqa: E712
    if row is None:
        return None
    with database.obj.atomic():
        Staff.update(last_login_at=clock.now()).where(Staff.id == row.id).execute()
        audit.record(
            _actor(row),
            "staff_signed_in",
            entity_type="staff",
            entity_id=row.id,
            note=f"as OS user {user}",
        )
    return _actor(row)


def sign_in(username: str, password: str) -> Actor:
    """Check a staff password; raises a generic refusal or :class:`StaffLocked`."""
    row = Staff.get_or_none(Staff.username == (username or "").strip())
    if row is None or not row.is_active or not row.password_hash:
        passwords.dummy_verify(password or "")
        with database.obj.atomic():
            audit.record(
                SYSTEM,
                "staff_sign_in_failed",
                entity_type="staff",
                entity_id=row.id if row else None,
                note=(username or "")[:64],
            )
        raise ServiceError(SIGN_IN_FAILED)
    now = clock.now()
    if row.lock_expires is not None and row.lock_expires > now:
        passwords.dummy_verify(password or "")
        minutes = max(1, int((row.lock_expires - now).total_seconds() // 60) + 1)
        raise StaffLocked(
            f"This staff account is locked after repeated failed sign-ins; try again in "
            f"{minutes} minute(s) or ask an admin to reset the password."
        )
    checked = passwords.verify(password or "", row.password_hash)
    if not checked.ok:
        most = config.get_int("admin/security/lockout_failures")
        minutes = config.get_int("admin/security/lockout_threshold")
        failures = row.failures_num + 1
        lock = now + timedelta(minutes=minutes) if most > 0 and failures >= most else None
        with database.obj.atomic():
            Staff.update(failures_num=0 if lock else failures, lock_expires=lock).where(
                Staff.id == row.id
            ).execute()
            audit.record(
                _actor(row),
                "staff_sign_in_failed",
                entity_type="staff",
                entity_id=row.id,
                note="account locked" if lock else "wrong password",
            )
        raise ServiceError(SIGN_IN_FAILED)
    rehashed = passwords.hash_password(password) if checked.needs_rehash else None
    with database.obj.atomic():
        values = {Staff.failures_num: 0, Staff.lock_expires: None, Staff.last_login_at: now}
        if rehashed:
            values[Staff.password_hash] = rehashed
        Staff.update(values).where(Staff.id == row.id).execute()
        audit.record(_actor(row), "staff_signed_in", entity_type="staff", entity_id=row.id)
    return _actor(row)


def idle_timeout_seconds() -> int:
    """Lock the screen after this much inactivity (``admin/security/session_lifetime``,
    Magento's default 900 s; 0 disables)."""
    return max(0, config.get_int("admin/security/session_lifetime"))
