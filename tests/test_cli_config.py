"""``custtui config get|set|use-default|list``: the same validation and audit as the screen."""

from __future__ import annotations

import getpass
import json

import pytest

from custtui import cli
from custtui.models import AuditLog, Staff, Website, open_database
from custtui.services import clock
from tests.factories import make_customer
from tests.test_cli import custtui

STREET = "customer/address/street_lines"


@pytest.fixture
def url(tmp_path, fixed_clock) -> str:
    """A shop with a second website and a support agent, built through the CLI's own init."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert cli.main(["init", "--db", url]) == 0
    open_database(url)
    Website.create(code="eu", name="Europe Website", sort_order=1)
    Staff.create(username="sam", role="support", created_at=clock.now())
    _act_as("admin")
    return url


def _act_as(username: str) -> None:
    """Map the OS user running the tests to *username*: the way a staff member is known on
    a shop server, whatever ``resolve_actor`` does with ``--staff``."""
    Staff.update(os_user=None).execute()
    Staff.update(os_user=getpass.getuser()).where(Staff.username == username).execute()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_get_prints_the_effective_value(url, capsys):
    assert run(capsys, "config", "get", STREET, "--db", url) == (0, "2\n", "")
    code, out, _ = run(capsys, "config", "get", STREET, "--website", "eu", "--json", "--db", url)
    assert code == 0
    assert json.loads(out) == {
        "path": STREET,
        "value": "2",
        "source": "built-in",
        "website": "eu",
    }


def test_set_validates_saves_and_audits_as_the_staff_member(url, capsys):
    code, out, err = run(capsys, "config", "set", STREET, "3", "--website", "eu", "--db", url)
    assert (code, err) == (0, "")
    assert out == f"Saved {STREET} = 3 for website eu (was 2).\n"
    assert run(capsys, "config", "get", STREET, "--website", "eu", "--db", url)[1] == "3\n"
    assert run(capsys, "config", "get", STREET, "--db", url)[1] == "2\n"
    row = AuditLog.get(AuditLog.action == "config_changed")
    assert row.staff_username == "admin" and row.changes == {STREET: ["2", "3"]}
    assert row.note == "Scope: website eu (Europe Website)"
    again = run(capsys, "config", "set", STREET, "3", "--website", "eu", "--db", url)
    assert again[0] == 0 and again[1].startswith("No change:")


def test_labels_work_for_selects(url, capsys):
    code, out, _ = run(
        capsys, "config", "set", "customer/address/prefix_show", "Required", "--db", url
    )
    assert code == 0 and "= req" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["set", STREET, "5"],
            f"custtui config: {STREET}: Number of Lines in a Street Address must be a whole "
            "number from 1 to 4; 5 is not.",
        ),
        (
            ["set", "customer/password/lockout_failures", "3", "--website", "eu"],
            "custtui config: customer/password/lockout_failures: Maximum Login Failures to "
            "Lockout Account is a global setting [GLOBAL]",
        ),
        (
            ["set", "customer/nope", "1"],
            "custtui config: Unknown configuration path: customer/nope",
        ),
        (
            ["get", "system/smtp/host", "--website", "mars"],
            "custtui config: No website with code 'mars'",
        ),
        (
            ["set", "system/smtp/host", "mail"],
            "custtui config: system/smtp/host is not a Customer Configuration option.",
        ),
        (["use-default", STREET, "--website", "mars"], "No website with code 'mars'"),
    ],
)
def test_bad_input_is_named_on_stderr_with_exit_2(url, capsys, argv, message):
    code, out, err = run(capsys, "config", *argv, "--db", url)
    assert code == 2 and out == ""
    assert err.startswith(message) or message in err, err


def test_staff_without_config_edit_are_refused(url, capsys):
    _act_as("sam")
    code, _, err = run(capsys, "config", "set", STREET, "3", "--db", url)
    assert code == 2
    assert "Your role (support) does not allow changing the configuration." in err
    assert not AuditLog.select().where(AuditLog.action == "config_changed").exists()


@pytest.mark.parametrize("where", ["before", "after"])
def test_staff_option_goes_to_resolve_actor(url, capsys, monkeypatch, where):
    from custtui.services import staff
    from custtui.services.actor import Actor

    asked: list[str | None] = []

    def resolve(username=None, *rest):
        asked.append(username)
        return Actor(1, "admin", "admin")

    monkeypatch.setattr(staff, "resolve_actor", resolve)
    argv = ["config", "set", STREET, "3", "--db", url]
    argv = ["--staff", "sam", *argv] if where == "before" else [*argv, "--staff", "sam"]
    assert run(capsys, *argv)[0] == 0
    assert asked == ["sam"]


def test_use_default_needs_a_website_and_removes_its_value(url, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["config", "use-default", STREET, "--db", url])
    assert exit_.value.code == 2
    assert "--website" in capsys.readouterr().err
    run(capsys, "config", "set", STREET, "4", "--website", "eu", "--db", url)
    code, out, _ = run(capsys, "config", "use-default", STREET, "--website", "eu", "--db", url)
    assert code == 0
    assert out == f"Website eu now uses Default Config for {STREET}: 2 (was 4).\n"
    code, out, _ = run(capsys, "config", "use-default", STREET, "--website", "eu", "--db", url)
    assert code == 0 and out.startswith("No change:")


def test_global_sharing_refusal_on_the_command_line(url, capsys):
    make_customer("Ada", "One", "ada@example.com", website=1)
    make_customer("Ada", "Two", "ada@example.com", website=2)
    code, _, err = run(capsys, "config", "set", "customer/account_share/scope", "0", "--db", url)
    assert code == 2
    assert "Cannot share customer accounts globally" in err
    assert "1 email address has" in err and "ada@example.com" in err


def test_list_all_changed_and_json(url, capsys):
    _, out, _ = run(capsys, "config", "list", "--db", url)
    lines = out.splitlines()
    assert lines[0].split() == ["customer/account_share/scope", "default", "1", "(built-in)"]
    assert len(lines) == 56  # 50 customer options and the 6 Store Credit Options
    code, out, err = run(capsys, "config", "list", "--changed", "--db", url)
    assert (code, out) == (0, "") and "Nothing is set" in err
    run(capsys, "config", "set", STREET, "3", "--db", url)
    run(capsys, "config", "set", STREET, "1", "--website", "eu", "--db", url)
    _, out, _ = run(capsys, "config", "list", "--changed", "--db", url)
    assert [line.split() for line in out.splitlines()] == [
        [STREET, "default", "3"],
        [STREET, "website", "eu", "1"],
    ]
    _, out, _ = run(capsys, "config", "list", "--changed", "--json", "--db", url)
    assert json.loads(out)[1] == {
        "path": STREET,
        "label": "Number of Lines in a Street Address",
        "section": "Name and Address Options",
        "scope": "website",
        "website": "eu",
        "value": "1",
        "source": "website",
    }


def test_as_a_real_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'real.db'}"
    saved = custtui("config", "set", STREET, "4", "--db", url)
    assert saved.returncode == 0, saved.stderr
    assert custtui("config", "get", STREET, "--db", url).stdout == "4\n"
    bad = custtui("config", "set", STREET, "x", "--db", url)
    assert bad.returncode == 2 and STREET in bad.stderr
