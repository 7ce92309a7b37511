"""The command line, run the way a script would run it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from custtui import __version__

ROOT = Path(__file__).resolve().parent.parent


def custtui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "custtui.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_version():
    result = custtui("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"custtui {__version__}"


def test_init_creates_magento_defaults_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    first = custtui("init", "--db", url)
    assert first.returncode == 0, first.stderr
    assert "Created" in first.stdout
    second = custtui("init", "--db", url)
    assert "Already set up" in second.stdout

    from custtui.models import CustomerGroup, StoreView, Website, open_database

    db = open_database(url)
    assert [(w.code, w.name) for w in Website.select()] == [("base", "Main Website")]
    assert [s.name for s in StoreView.select()] == ["Default Store View"]
    assert [g.code for g in CustomerGroup.select().order_by(CustomerGroup.id)] == [
        "NOT LOGGED IN",
        "General",
        "Wholesale",
        "Retailer",
    ]
    db.close()


def test_demo_then_find(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    built = custtui("demo", "--customers", "300", "--seed", "7", "--db", url, "--no-launch")
    assert built.returncode == 0, built.stderr
    assert "Built 300 customers" in built.stderr

    from custtui.models import Customer, open_database

    db = open_database(url)
    someone = Customer.select().order_by(Customer.id).offset(100).first()
    email, customer_id = someone.email, someone.id
    db.close()

    found = custtui("customers", "find", email[1:8], "--json", "--db", url)
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert customer_id in [r["id"] for r in rows]
    assert set(rows[0]) == {"id", "name", "email", "website", "group"}

    by_id = custtui("customers", "find", str(customer_id), "--limit", "1", "--db", url)
    assert by_id.returncode == 0
    assert email in by_id.stdout

    nothing = custtui("customers", "find", "zzzzqqqq-none", "--db", url)
    assert nothing.returncode == 1
    assert "No customers found" in nothing.stderr

    bad = custtui("customers", "find", "x", "--limit", "0", "--db", url)
    assert bad.returncode == 2
    assert "limit" in bad.stderr

    again = custtui("demo", "--db", url, "--no-launch")
    assert again.returncode == 0
    assert "existing demo database" in again.stderr


def test_audit_prints_a_customers_history(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert custtui("init", "--db", url).returncode == 0

    from custtui.models import Staff, open_database
    from custtui.services import accounts
    from custtui.services.actor import Actor

    db = open_database(url)
    admin = Staff.get(Staff.username == "admin")
    actor = Actor(admin.id, admin.username, admin.role)
    customer = accounts.create(
        actor,
        {
            "website_id": 1,
            "group_id": 1,
            "firstname": "Ada",
            "lastname": "Lovelace",
            "email": "ada@example.com",
        },
    )
    accounts.update(actor, customer.id, customer.version, {"lastname": "Byron"})
    db.close()

    text = custtui("audit", "--customer", "ADA@example.com", "--db", url)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.strip().splitlines()
    assert "Customer saved — lastname: Lovelace → Byron" in lines[0]
    assert "admin" in lines[0] and "Email queued" in lines[1] and "Customer created" in lines[2]
    assert "Welcome Email Without Password to ada@example.com" in lines[1]
    data = json.loads(custtui("audit", "--json", "--since", "2000-01-01", "--db", url).stdout)
    assert [e["action"] for e in data] == ["customer_saved", "email_queued", "customer_created"]
    bad = custtui("audit", "--since", "yesterday", "--db", url)
    assert bad.returncode == 2 and "since" in bad.stderr
