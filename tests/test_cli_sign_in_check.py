"""``custtui customers sign-in-check EMAIL --website CODE``: the real sign-in, password on stdin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from custtui import cli
from custtui.models import AuditLog, Customer, Website, open_database
from custtui.services import config, passwords
from tests.factories import make_customer
from tests.test_cli import ROOT, custtui


@pytest.fixture
def url(tmp_path, fixed_clock, monkeypatch) -> str:
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "custtui.key"))
    passwords._secret_at.cache_clear()
    monkeypatch.setattr(passwords, "COST", 4)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert cli.main(["init", "--db", url]) == 0
    open_database(url)
    Website.create(code="eu", name="Europe Website", sort_order=1)
    make_customer(
        "Ada", "Lovelace", "ada@example.com", password_hash=passwords.hash_password("Secret-123")
    )
    yield url
    passwords._secret_at.cache_clear()


def check(capsys, monkeypatch, url: str, password: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    code = cli.main(["customers", "sign-in-check", *argv, "--db", url])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_right_password_signs_in(url, capsys, monkeypatch):
    code, out, err = check(
        capsys, monkeypatch, url, "Secret-123", "ADA@example.com", "--website", "base"
    )
    assert (code, err) == (0, "")
    ada = Customer.get(Customer.email == "ada@example.com")
    assert out.splitlines() == [
        f"Signed in: customer {ada.id} Ada Lovelace <ada@example.com> on website base.",
        "The storefront sends them to the page they came from.",
    ]
    row = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert row.action == "customer_signed_in" and "sign-in-check" in row.note


def test_wrong_password_and_unknown_email_print_the_same_refusal(url, capsys, monkeypatch):
    wrong = check(capsys, monkeypatch, url, "Secret-124", "ada@example.com", "--website", "base")
    unknown = check(capsys, monkeypatch, url, "Secret-123", "nobody@example.com")
    assert wrong == unknown == (1, "Refused: Invalid login or password.\n", "")


def test_the_lockout_counts_and_is_reported(url, capsys, monkeypatch):
    config.store("customer/password/lockout_failures", "2")
    for _ in range(2):
        assert check(capsys, monkeypatch, url, "nope", "ada@example.com")[0] == 1
    code, out, _ = check(capsys, monkeypatch, url, "Secret-123", "ada@example.com", "--json")
    assert code == 1
    assert json.loads(out) == {
        "email": "ada@example.com",
        "website": "base",
        "signed_in": False,
        "outcome": "locked",
        "message": "The account is locked.",
    }


def test_json_reports_redirect_and_rehash(url, capsys, monkeypatch):
    legacy = passwords.magento_hash("Magento123!", "Zx9QpL2mN8vB4cR7tY1uI6oP3aS5dF0g", "1")
    grace = make_customer("Grace", "Hopper", "grace@example.com", password_hash=legacy)
    config.store("customer/startup/redirect_dashboard", "1", 1)
    code, out, _ = check(capsys, monkeypatch, url, "Magento123!", "grace@example.com", "--json")
    assert code == 0
    assert json.loads(out) == {
        "email": "grace@example.com",
        "website": "base",
        "signed_in": True,
        "outcome": "signed_in",
        "customer_id": grace.id,
        "redirect": "dashboard",
        "rehashed": True,
    }
    assert Customer.get_by_id(grace.id).password_hash.startswith(passwords.SCHEME + "$")


def test_spaces_in_the_password_are_kept(url, capsys, monkeypatch):
    # Only the line ending is removed from stdin: " Secret-123" is a different password.
    assert check(capsys, monkeypatch, url, " Secret-123", "ada@example.com")[0] == 1


def test_per_website_account_scope(url, capsys, monkeypatch):
    assert (
        check(capsys, monkeypatch, url, "Secret-123", "ada@example.com", "--website", "eu")[0] == 1
    )
    code, _, err = check(capsys, monkeypatch, url, "x", "ada@example.com", "--website", "mars")
    assert code == 2 and "Unknown website 'mars'" in err


def test_as_a_real_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'real.db'}"
    env = {**os.environ, passwords.KEY_ENV: str(tmp_path / "k.key")}
    made = custtui("init", "--db", url, env=env)
    assert made.returncode == 0, made.stderr
    result = subprocess_with_input(
        ["customers", "sign-in-check", "nobody@example.com", "--db", url], "pw\n", env
    )
    assert (result.returncode, result.stdout) == (1, "Refused: Invalid login or password.\n")


def subprocess_with_input(args: list[str], stdin: str, env: dict[str, str]):
    return subprocess.run(
        [sys.executable, "-m", "custtui.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
