"""Staff accounts: add/list/passwd/disable, sign-in with lockout, OS-user mapping, CLI actor."""

from __future__ import annotations

import pytest

from custtui.models import AuditLog, Staff
from custtui.services import config, passwords, staff_accounts
from custtui.services.actor import SYSTEM, Actor
from custtui.services.errors import PermissionDenied, ServiceError, ValidationError
from custtui.services.staff import resolve_actor


@pytest.fixture(autouse=True)
def fast_hashes(tmp_path, monkeypatch):
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "custtui.key"))
    passwords._secret_at.cache_clear()
    monkeypatch.setattr(passwords, "COST", 4)
    yield
    passwords._secret_at.cache_clear()


def admin() -> Actor:
    row = Staff.get(Staff.username == "admin")
    return Actor(row.id, row.username, row.role)


def test_add_list_and_sign_in(shop) -> None:
    info = staff_accounts.add(admin(), "sam", "support", password="correct horse battery")
    assert (info.username, info.role, info.has_password) == ("sam", "support", True)
    assert [s.username for s in staff_accounts.list_staff()] == ["admin", "sam"]
    actor = staff_accounts.sign_in("sam", "correct horse battery")
    assert (actor.username, actor.role) == ("sam", "support")
    assert Staff.get(Staff.username == "sam").last_login_at is not None
    actions = [r.action for r in AuditLog.select().order_by(AuditLog.id)]
    assert actions == ["staff_added", "staff_signed_in"]


@pytest.mark.parametrize(
    ("username", "role", "password", "field"),
    [
        ("Bad Name", "support", "long enough password", "username"),
        ("admin", "support", "long enough password", "username"),
        ("sam", "boss", "long enough password", "role"),
        ("sam", "support", "short", "password"),
        ("sam", "support", None, "password"),
    ],
)
def test_add_refuses_bad_input(shop, username, role, password, field) -> None:
    with pytest.raises(ValidationError) as error:
        staff_accounts.add(admin(), username, role, password=password)
    assert field in error.value.errors


def test_only_admins_manage_staff(shop) -> None:
    with pytest.raises(PermissionDenied):
        staff_accounts.add(Actor(9, "sam", "support"), "eve", "admin", password="x" * 20)


def test_lockout_after_repeated_failures(shop, fixed_clock) -> None:
    staff_accounts.add(admin(), "sam", "support", password="correct horse battery")
    config.store("admin/security/lockout_failures", "3")
    for _ in range(3):
        with pytest.raises(ServiceError, match="not correct"):
            staff_accounts.sign_in("sam", "wrong")
    with pytest.raises(staff_accounts.StaffLocked, match="locked"):
        staff_accounts.sign_in("sam", "correct horse battery")
    fixed_clock.advance(minutes=31)
    assert staff_accounts.sign_in("sam", "correct horse battery").username == "sam"


def test_unknown_and_disabled_accounts_get_the_generic_answer(shop) -> None:
    staff_accounts.add(admin(), "sam", "support", password="correct horse battery")
    staff_accounts.add(admin(), "second", "admin", password="correct horse battery")
    assert staff_accounts.disable(admin(), "sam")
    assert not staff_accounts.disable(admin(), "sam")
    for name in ("sam", "nobody"):
        with pytest.raises(ServiceError) as error:
            staff_accounts.sign_in(name, "correct horse battery")
        assert str(error.value) == staff_accounts.SIGN_IN_FAILED


def test_last_admin_cannot_be_disabled(shop) -> None:
    with pytest.raises(ValidationError, match="last active admin"):
        staff_accounts.disable(admin(), "admin")


def test_password_change_by_self_and_admin(shop) -> None:
    staff_accounts.add(admin(), "sam", "support", password="correct horse battery")
    sam = staff_accounts.sign_in("sam", "correct horse battery")
    staff_accounts.set_password(sam, "sam", "another long password")
    assert staff_accounts.sign_in("sam", "another long password")
    with pytest.raises(PermissionDenied):
        staff_accounts.set_password(sam, "admin", "another long password")
    staff_accounts.set_password(admin(), "sam", "admin chose this one")


def test_os_user_mapping_and_cli_actor(shop, monkeypatch) -> None:
    monkeypatch.setattr(staff_accounts, "os_user", lambda: "alice")
    staff_accounts.add(SYSTEM, "alice", "support", map_os_user="alice")
    assert staff_accounts.for_os_user().username == "alice"
    assert resolve_actor().username == "alice"
    staff_accounts.add(admin(), "bob", "viewer", password="bob's long password")
    assert resolve_actor("bob", lambda name: "bob's long password").username == "bob"
    with pytest.raises(ServiceError):
        resolve_actor("bob", lambda name: "wrong")
    monkeypatch.setattr(staff_accounts, "os_user", lambda: "mallory")
    with pytest.raises(PermissionDenied, match="No staff account is mapped"):
        resolve_actor()


def test_init_maps_the_installer(shop) -> None:
    row = Staff.get(Staff.username == "admin")
    assert row.os_user == staff_accounts.os_user()
