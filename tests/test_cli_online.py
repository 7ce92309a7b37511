"""``custtui online`` and ``custtui maintenance``: the Now Online rows and visit cleanup."""

from __future__ import annotations

import getpass
import json
import re
from datetime import timedelta

import pytest

from custtui import cli
from custtui.models import Staff, Visit, Website, open_database
from custtui.services import clock, online
from tests.factories import make_customer


@pytest.fixture
def url(tmp_path, fixed_clock) -> str:
    """A shop with two websites, the OS user mapped to a support agent, three online visits
    (one of them a customer with terminal escapes in her name) and one long gone."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert cli.main(["init", "--db", url]) == 0
    open_database(url)
    eu = Website.create(code="eu", name="Europe Website", sort_order=1)
    if not Staff.select().where(Staff.os_user == getpass.getuser()).exists():
        Staff.create(
            username="sam", role="support", os_user=getpass.getuser(), created_at=clock.now()
        )
    now = fixed_clock.now()
    ada = make_customer("Ada", "Love\x1b[31mlace", "ada@example.com")
    Visit.create(
        website=1,
        customer=ada,
        created_at=now - timedelta(minutes=30),
        last_visit_at=now,
        remote_addr="198.51.100.7",
        last_url="/checkout",
    )
    Visit.create(website=1, created_at=now, last_visit_at=now - timedelta(minutes=2))
    Visit.create(website=eu, created_at=now, last_visit_at=now - timedelta(minutes=4))
    Visit.create(website=1, created_at=now, last_visit_at=now - timedelta(days=2))
    return url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_lists_who_is_online_with_totals(url, capsys):
    code, out, err = run(capsys, "online", "--db", url)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    cells = [re.split(r"\s{2,}", line.strip()) for line in lines[:-1]]
    assert cells[0] == [label for _key, label in online.COLUMNS]
    assert cells[1] == [
        "1",
        "Ada",
        "Love�[31mlace",  # customer text cannot restyle the terminal
        "ada@example.com",
        "2026-12-06 09:30:00",
        "Customer",
        "2026-12-06 09:00:00",
        "198.51.100.7",
        "/checkout",
        "Main Website",
    ]
    assert "\x1b" not in out
    assert cells[2][:2] == ["2026-12-06 09:28:00", "Visitor"]  # no ID or name
    assert cells[2][-1] == "Main Website"
    assert cells[3][-1] == "Europe Website"
    assert lines[-1] == "1 customers · 2 visitors online (last 15 minutes); showing 3 of 3"


def test_json_is_an_array_of_rows_and_totals_go_to_stderr(url, capsys):
    code, out, err = run(capsys, "online", "--json", "--limit", "2", "--db", url)
    assert code == 0
    rows = json.loads(out)
    assert [r["type"] for r in rows] == ["Customer", "Visitor"]
    assert rows[0]["email"] == "ada@example.com"
    assert rows[0]["last_activity"] == "2026-12-06T09:30:00+00:00"
    assert rows[0]["session_start"] == "2026-12-06T09:00:00+00:00"
    assert err == "1 customers · 2 visitors online (last 15 minutes); showing 2 of 3\n"


def test_type_and_website_filters(url, capsys):
    code, out, _ = run(capsys, "online", "--json", "--type", "visitor", "--db", url)
    assert code == 0 and [r["website"] for r in json.loads(out)] == [
        "Main Website",
        "Europe Website",
    ]
    code, out, err = run(capsys, "online", "--website", "eu", "--db", url)
    assert code == 0 and len(out.splitlines()) == 3  # header, one row, totals
    assert out.splitlines()[-1].endswith("showing 1 of 1")


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--type", "robot"], "type"),
        (["--website", "nowhere"], "website"),
        (["--limit", "0"], "limit"),
    ],
)
def test_bad_input_names_the_field_and_exits_2(url, capsys, argv, field):
    code, out, err = run(capsys, "online", *argv, "--db", url)
    assert (code, out) == (2, "")
    assert err.startswith(f"custtui online: {field}: ")


def test_maintenance_purges_expired_visits_quietly_for_cron(url, capsys):
    assert Visit.select().count() == 4
    code, out, err = run(capsys, "maintenance", "--db", url)
    assert (code, err) == (0, "")
    assert out == "Purged 1 expired visit (last activity before 2026-12-05 08:30:00 UTC).\n"
    assert Visit.select().count() == 3
    assert run(capsys, "--db", url, "maintenance", "--quiet") == (0, "", "")
