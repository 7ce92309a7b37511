"""The session, sign-in and account paths on both databases (upserts, guarded updates,
token consumption and the online query are the SQL most likely to differ)."""

from __future__ import annotations

import re

import pytest

from custtui.models import CustomerLog, Visit
from custtui.services import accounts, auth, mail, newsletter, online, passwords, sessions
from custtui.services.actor import Actor

pytestmark = pytest.mark.parametrize("any_shop", ["sqlite", "postgres"], indirect=True)


@pytest.fixture(autouse=True)
def fast_hashes(tmp_path, monkeypatch):
    monkeypatch.setenv(passwords.KEY_ENV, str(tmp_path / "custtui.key"))
    passwords._secret_at.cache_clear()
    monkeypatch.setattr(passwords, "COST", 4)
    yield
    passwords._secret_at.cache_clear()


def test_register_sign_in_reset_and_force_sign_in(any_shop, fixed_clock) -> None:
    customer = auth.register(
        {
            "website": "base",
            "email": "Grace@Example.com",
            "password": "Cobol-1959",
            "firstname": "Grace",
            "lastname": "Hopper",
        }
    )
    visit = sessions.start_visit(1, remote_addr="2001:db8::1", url="/")
    auth.sign_in("base", "grace@example.com", "Cobol-1959", visit_id=visit)
    auth.sign_in("base", "grace@example.com", "Cobol-1959")  # the log upsert updates
    assert CustomerLog.get_by_id(customer.id).last_login_at == fixed_clock.now()
    source = online.OnlineSource(online.OnlineQuery())
    assert source.count() == 1 and source.counts() == (1, 0)
    assert source.page(0, 5)[0].email == "Grace@example.com"
    admin = Actor(1, "admin", "admin")
    assert sessions.force_sign_in(admin, customer.id) == 1
    assert Visit.get_by_id(visit).customer_id is None
    auth.forgot_password("base", "grace@example.com", remote_addr="192.0.2.1")
    body = mail.messages(customer_id=customer.id)[0].body
    token = re.search(r"token=([\w%-]+)", body).group(1)
    assert auth.reset_password(token, "New-Pass-2026") == customer.id
    assert newsletter.set_subscribed(admin, customer.id, 1, True)
    saved = accounts.update(admin, customer.id, customer.version, {"lastname": "Hopper-Murray"})
    assert saved.changed == {"lastname": ["Hopper", "Hopper-Murray"]}
