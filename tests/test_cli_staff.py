"""``custtui staff add|list|passwd|disable``: staff accounts from the command line, acting as
the OS-mapped account, with the service's validation, permissions and audit."""

from __future__ import annotations

import getpass
import io
import json
import sys

import pytest

from custtui import cli
from custtui.models import AuditLog, Staff, open_database
from custtui.services import passwords, staff_accounts


@pytest.fixture
def url(tmp_path, fixed_clock, monkeypatch) -> str:
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "custtui.key"))
    passwords._secret_at.cache_clear()
    monkeypatch.setattr(passwords, "COST", 4)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert cli.main(["init", "--db", url]) == 0  # maps "admin" to the OS user running this
    open_database(url)
    yield url
    passwords._secret_at.cache_clear()


def run(capsys, monkeypatch, url: str, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(["staff", *argv, "--db", url])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_with_a_password_then_sign_in(url, capsys, monkeypatch):
    code, out, err = run(
        capsys,
        monkeypatch,
        url,
        "add",
        "sam",
        "--role",
        "support",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert (code, out, err) == (0, "Added sam (support); signs in with a password.\n", "")
    assert staff_accounts.sign_in("sam", "correct horse battery").role == "support"
    added = AuditLog.get(AuditLog.action == "staff_added")
    assert added.staff_username == "admin" and added.note == "sam"


def test_add_mapped_to_an_os_user(url, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, url, "add", "vic", "--role", "viewer", "--os-user")
    assert (code, out) == (0, "Added vic (viewer); signs in as OS user vic.\n")
    code, out, _ = run(
        capsys, monkeypatch, url, "add", "ops", "--role", "viewer", "--os-user", "deploy"
    )
    assert out == "Added ops (viewer); signs in as OS user deploy.\n"
    assert staff_accounts.for_os_user("deploy").username == "ops"


def test_list_and_json(url, capsys, monkeypatch):
    run(
        capsys,
        monkeypatch,
        url,
        "add",
        "sam",
        "--role",
        "support",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    code, out, _ = run(capsys, monkeypatch, url, "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "USERNAME",
        "ROLE",
        "OS",
        "USER",
        "STATE",
        "LAST",
        "SIGN-IN",
    ]
    assert lines[1].split()[:4] == ["admin", "admin", getpass.getuser(), "active"]
    assert lines[2].split() == ["sam", "support", "-", "active", "never"]
    rows = json.loads(run(capsys, monkeypatch, url, "list", "--json")[1])
    assert [(r["username"], r["role"], r["has_password"]) for r in rows] == [
        ("admin", "admin", False),
        ("sam", "support", True),
    ]


def test_passwd_and_disable(url, capsys, monkeypatch):
    run(
        capsys,
        monkeypatch,
        url,
        "add",
        "sam",
        "--role",
        "support",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    code, out, _ = run(
        capsys, monkeypatch, url, "passwd", "sam", "--password-stdin", stdin="a new long password\n"
    )
    assert (code, out) == (0, "Password of sam changed.\n")
    assert staff_accounts.sign_in("sam", "a new long password")
    assert run(capsys, monkeypatch, url, "disable", "sam")[:2] == (0, "sam disabled.\n")
    assert run(capsys, monkeypatch, url, "disable", "sam")[1] == "sam was already disabled.\n"
    with pytest.raises(Exception, match="not correct"):
        staff_accounts.sign_in("sam", "a new long password")


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["add", "sam", "--role", "support", "--password-stdin"], "short\n", "at least 12"),
        (["add", "Bad Name", "--role", "support", "--os-user"], "", "Username must be"),
        (["add", "admin", "--role", "viewer", "--os-user", "x"], "", "already exists"),
        (["disable", "admin"], "", "last active admin"),
        (["passwd", "nobody", "--password-stdin"], "long enough password\n", "No staff account"),
    ],
)
def test_bad_input_is_named_with_exit_2(url, capsys, monkeypatch, argv, stdin, message):
    code, out, err = run(capsys, monkeypatch, url, *argv, stdin=stdin)
    assert code == 2 and out == "" and message in err


def test_only_admins_manage_staff_and_the_refusal_is_audited(url, capsys, monkeypatch):
    Staff.update(os_user=None).execute()
    Staff.create(
        username="sam", role="support", os_user=getpass.getuser(), created_at=Staff.get().created_at
    )
    code, _, err = run(capsys, monkeypatch, url, "add", "eve", "--role", "admin", "--os-user")
    assert code == 2 and "Your role (support) does not allow managing staff accounts." in err
    assert not Staff.select().where(Staff.username == "eve").exists()
    assert AuditLog.get(AuditLog.action == "permission_denied").staff_username == "sam"
