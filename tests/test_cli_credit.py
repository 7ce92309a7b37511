"""``custtui credit adjust|show|verify``: the Store Credit tab's service from scripts."""

from __future__ import annotations

import getpass
import json

import pytest

from custtui import cli
from custtui.models import (
    AuditLog,
    Customer,
    OutboxMessage,
    Staff,
    StoreCreditHistory,
    open_database,
)
from custtui.models.db import database
from custtui.services import clock, orders, store_credit
from custtui.services.actor import STOREFRONT
from tests.factories import make_customer


@pytest.fixture
def url(tmp_path, fixed_clock) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert cli.main(["init", "--db", url]) == 0
    open_database(url)
    Staff.create(username="sam", role="support", created_at=clock.now())
    make_customer("Ada", "Lovelace", "ada@example.com")
    _act_as("admin")
    return url


def _act_as(username: str) -> None:
    Staff.update(os_user=None).execute()
    Staff.update(os_user=getpass.getuser()).where(Staff.username == username).execute()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def adjust(capsys, url: str, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "credit", "adjust", "ada@example.com", "--website", "base", *extra,
               "--db", url)  # fmt: skip


def test_adjust_prints_the_movement_and_its_request_id(url, capsys) -> None:
    code, out, err = adjust(capsys, url, "--amount", "12.50", "--comment", "Late parcel")
    assert (code, err) == (0, "")
    row = StoreCreditHistory.get()
    assert out == (
        "Created: +$12.50 on Main Website for ada@example.com; balance $12.50 "
        f"(history #{row.id}, request ID {row.request_id}).\n"
    )
    assert row.additional_info == "By admin: admin. (Late parcel)"
    assert row.staff_username == "admin"
    code, out, _ = adjust(capsys, url, "--amount", "-2.5")
    assert code == 0 and out.startswith("Updated: -$2.50 on Main Website") and "$10.00" in out


def test_the_same_request_id_applies_once(url, capsys) -> None:
    first = adjust(capsys, url, "--amount", "5", "--request-id", "retry-0001")
    again = adjust(capsys, url, "--amount", "5", "--request-id", "retry-0001")
    assert first[0] == again[0] == 0
    assert again[1].startswith("Already applied, nothing changed. Created: +$5.00")
    assert store_credit.balance_amount(1, 1) == 500
    assert StoreCreditHistory.select().count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1,000.5.5", "Amount '1,000.5.5' has more than one decimal point."),
        ("1e9", "exponents such as 1e9 are not accepted"),
        ("--5", "more than one sign"),
        ("-1", "The store credit balance on Main Website is $0.00; you cannot subtract $1.00."),
    ],
)
def test_refusals_go_to_stderr_with_exit_2(url, capsys, amount: str, message: str) -> None:
    code, out, err = adjust(capsys, url, f"--amount={amount}")
    assert (code, out) == (2, "")
    assert err.startswith("custtui credit: amount: ") and message in err
    assert StoreCreditHistory.select().count() == 0


def test_support_staff_are_held_to_the_limit(url, capsys) -> None:
    _act_as("sam")
    code, _, err = adjust(capsys, url, "--amount", "1500")
    assert code == 2 and "more than $1,000.00 on Main Website need an admin" in err
    assert adjust(capsys, url, "--amount", "999")[0] == 0
    assert AuditLog.get(AuditLog.action == "store_credit_updated").staff_username == "sam"


def test_notify_queues_the_email(url, capsys) -> None:
    code, _, err = adjust(capsys, url, "--amount", "3", "--notify", "--store-view", "default")
    assert code == 0 and "email is queued" in err
    message = OutboxMessage.get()
    assert message.template_code == "customer_magento_customerbalance_email_template"
    assert message.recipient_email == "ada@example.com"


def test_unknown_customer_website_and_store_view(url, capsys) -> None:
    code, _, err = run(capsys, "credit", "adjust", "nobody@example.com", "--website", "base",
                       "--amount", "1", "--db", url)  # fmt: skip
    assert code == 2 and "No customer has the email 'nobody@example.com'" in err
    code, _, err = run(capsys, "credit", "adjust", "ada@example.com", "--website", "mars",
                       "--amount", "1", "--db", url)  # fmt: skip
    assert code == 2 and "There is no website 'mars'; websites: base." in err
    code, _, err = adjust(capsys, url, "--amount", "1", "--notify", "--store-view", "nope")
    assert code == 2 and "There is no store view 'nope'" in err


def test_show_prints_balances_and_history(url, capsys) -> None:
    adjust(capsys, url, "--amount", "20", "--comment", "[b]literal[/b]")
    Customer.update(lastname="Love\x1b[31mlace").execute()
    code, out, err = run(capsys, "credit", "show", "ada@example.com", "--db", url)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Ada Love�[31mlace <ada@example.com> (customer 1)"
    assert lines[2].split() == ["Main", "Website", "$20.00"]
    assert lines[3] == "Balance History (newest first, 1 of 1)"
    assert "Created" in lines[4] and "+$20.00" in lines[4]
    assert "By admin: admin. ([b]literal[/b])" in lines[4]


def test_show_json(url, capsys) -> None:
    adjust(capsys, url, "--amount", "20")
    code, out, _ = run(capsys, "credit", "show", "ada@example.com", "--json", "--db", url)
    data = json.loads(out)
    assert code == 0
    assert data["balances"] == [
        {
            "website": "base",
            "website_name": "Main Website",
            "currency": "USD",
            "amount": "20.00",
            "amount_minor": 2000,
        }
    ]
    assert data["history_total"] == 1
    entry = data["history"][0]
    assert (entry["action"], entry["balance_change"], entry["balance"]) == (
        "Created",
        "+20.00",
        "20.00",
    )


def test_verify_exits_0_when_exact_and_1_with_a_report(url, capsys) -> None:
    adjust(capsys, url, "--amount", "20")
    orders.place_order(
        STOREFRONT, 1, [{"sku": "S", "name": "S", "qty": 1, "price": 500}], use_store_credit=True
    )
    code, out, _ = run(capsys, "credit", "verify", "--db", url)
    assert code == 0
    assert out == (
        "Store credit is exact: 1 balance, 2 history rows, 1 order; every balance equals the "
        "sum of its history.\n"
    )
    database.obj.execute_sql("UPDATE store_credit_balance SET amount = amount + 5")
    code, out, err = run(capsys, "credit", "verify", "--db", url)
    assert code == 1
    assert out == (
        "MISMATCH balance: balance #1 (customer 1, website 1) is 1505 but its history sums "
        "to 1500 (minor units)\n"
    )
    assert "1 problem(s)" in err
    code, out, _ = run(capsys, "credit", "verify", "--json", "--db", url)
    assert code == 1 and json.loads(out)["problems"][0]["kind"] == "balance"
