"""``custtui audit`` run the way a script runs it: filters by staff, action, dates and customer,
the stable JSON shape, and exit 2 with the field named on stderr for bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.test_cli import custtui

KEYS = {"id", "at", "staff", "action", "entity", "entity_id", "customer_id", "changes", "note"}


@pytest.fixture(scope="module")
def url(tmp_path_factory) -> str:
    """The fixture shop with :mod:`tests.audit_events` written into it, built once."""
    from tests.audit_events import add_audit_events
    from tests.fixture_shop import build_fixture_shop

    path = Path(tmp_path_factory.mktemp("audit")) / "shop.db"
    db = build_fixture_shop(path)
    add_audit_events()
    db.close()
    return f"sqlite:///{path}"


@pytest.fixture
def fresh_url(url, tmp_path) -> str:
    """A private copy, for a test that changes the shop."""
    source = Path(url.removeprefix("sqlite:///"))
    target = tmp_path / "shop.db"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


def audit_json(url: str, *args: str) -> list[dict]:
    result = custtui("audit", "--json", *args, "--db", url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_shape_and_order(url):
    events = audit_json(url)
    assert [e["id"] for e in events] == [6, 5, 4, 3, 2, 1]
    assert all(set(e) == KEYS for e in events)
    first = events[-1]
    assert first == {
        "id": 1,
        "at": "2026-12-01T08:00:00+00:00",
        "staff": "admin",
        "action": "customer_saved",
        "entity": "customer",
        "entity_id": 1,
        "customer_id": 1,
        "changes": {"lastname": ["Costello", "Costello-Smith"]},
        "note": None,
    }


def test_filters_by_staff_action_and_dates(url):
    assert [e["id"] for e in audit_json(url, "--staff", "sam")] == [4, 3, 2]
    assert [e["id"] for e in audit_json(url, "--action", "customer_group_changed")] == [3, 2]
    # Dates are whole days, --until included.
    days = audit_json(url, "--since", "2026-12-02", "--until", "2026-12-03")
    assert [e["id"] for e in days] == [4, 3, 2]
    # A time narrows to the minute (the until minute included).
    minute = audit_json(url, "--since", "2026-12-02 09:15", "--until", "2026-12-02 09:15")
    assert [e["id"] for e in minute] == [3, 2]
    both = audit_json(url, "--staff", "sam", "--action", "newsletter_unsubscribed")
    assert [e["id"] for e in both] == [4]
    assert [e["id"] for e in audit_json(url, "--limit", "2")] == [6, 5]


def test_customer_by_email_id_and_deleted_email(url):
    assert [e["id"] for e in audit_json(url, "--customer", "ROni_cost@example.com")] == [4, 1]
    assert [e["id"] for e in audit_json(url, "--customer", "1")] == [4, 1]
    assert [e["id"] for e in audit_json(url, "--customer", "#13")] == [6]
    deleted = audit_json(url, "--customer", "markup@example.com")
    assert [(e["id"], e["action"]) for e in deleted] == [(5, "customer_deleted")]


def test_text_output_is_one_line_per_event_in_the_display_timezone(fresh_url):
    text = custtui("audit", "--staff", "sam", "--db", fresh_url)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("2026-12-03 10:30:00  sam ")
    assert (
        "#1 " in lines[0]
        and "Newsletter unsubscribed — newsletter: Subscribed → Unsubscribed" in lines[0]
    )

    from custtui.models import open_database
    from custtui.services import config

    db = open_database(fresh_url)
    config.store("general/locale/timezone", "Asia/Tokyo")
    db.close()
    text = custtui("audit", "--staff", "sam", "--db", fresh_url)
    assert text.stdout.splitlines()[0].startswith("2026-12-03 19:30:00  sam ")
    # --since is read in that zone too: 2026-12-03 19:30 Tokyo is the 10:30 UTC event.
    later = audit_json(fresh_url, "--since", "2026-12-03 19:30", "--staff", "sam")
    assert [e["id"] for e in later] == [4]
    # JSON stays UTC.
    assert later[0]["at"] == "2026-12-03T10:30:00+00:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-02-30"], "since: '2026-02-30' is not a real date"),
        (["--until", "soon"], "until: must be a date as YYYY-MM-DD [HH:MM], not 'soon'"),
        (
            ["--since", "2026-12-05", "--until", "2026-12-01"],
            "until: is before the start (2026-12-01 is before 2026-12-05)",
        ),
        (
            ["--customer", "nobody@example.com"],
            "customer: no customer has the email 'nobody@example.com', and no deleted customer "
            "had it",
        ),
        (["--customer", "#424242"], "customer: no customer #424242, and no events about one"),
        (["--customer", "Ada Lovelace"], "customer: must be an email address or a customer ID"),
        (["--staff", "zed"], "staff: no staff account and no events by 'zed' (known: admin, sam)"),
        (["--action", "customer_exploded"], "action: no events with the action"),
        (["--limit", "0"], "limit: must be between 1 and 100,000"),
    ],
)
def test_bad_input_exits_2_naming_the_field(url, args, message):
    result = custtui("audit", *args, "--db", url)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("custtui: ")
    assert message in result.stderr
