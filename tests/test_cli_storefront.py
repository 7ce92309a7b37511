"""``custtui storefront token …``, ``custtui storefront`` as a real server on a loopback
port, and a short ``custtui simulate`` against it."""

from __future__ import annotations

import getpass
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from custtui import cli
from custtui.models import AuditLog, Customer, Staff, Visit, open_database
from custtui.models.schema import ApiToken
from custtui.services import clock

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def url(tmp_path, fixed_clock, monkeypatch) -> str:
    monkeypatch.setenv("CUSTTUI_KEY_FILE", str(tmp_path / "custtui.key"))
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert cli.main(["init", "--db", url]) == 0
    open_database(url)
    Staff.create(username="sam", role="support", created_at=clock.now())
    _act_as("admin")
    return url


def _act_as(username: str) -> None:
    """Map the OS user running the tests to *username* (how staff are known on a server)."""
    Staff.update(os_user=None).execute()
    Staff.update(os_user=getpass.getuser()).where(Staff.username == username).execute()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_token_create_prints_it_once_and_list_never_does(url, capsys):
    code, out, err = run(capsys, "storefront", "token", "create", "shop", "--db", url)
    assert code == 0
    token = out.strip()
    assert token.startswith("cst_") and "\n" not in token
    assert "shown only this once" in err
    code, out, _ = run(capsys, "storefront", "token", "list", "--db", url)
    assert code == 0
    assert "shop" in out and "active" in out and token not in out
    code, out, _ = run(capsys, "storefront", "token", "list", "--json", "--db", url)
    [row] = json.loads(out)
    assert (row["name"], row["active"], row["last_used_at"]) == ("shop", True, None)
    assert token not in out


def test_token_revoke_and_errors(url, capsys):
    run(capsys, "storefront", "token", "create", "shop", "--db", url)
    assert run(capsys, "storefront", "token", "revoke", "shop", "--db", url)[0] == 0
    code, out, _ = run(capsys, "storefront", "token", "list", "--db", url)
    assert "revoked" in out
    code, _, err = run(capsys, "storefront", "token", "revoke", "shop", "--db", url)
    assert code == 2 and "already revoked" in err
    code, _, err = run(capsys, "storefront", "token", "create", "shop", "--db", url)
    assert code == 2 and "already a revoked token" in err
    code, _, err = run(capsys, "storefront", "token", "revoke", "nope", "--db", url)
    assert code == 2 and "no API token named 'nope'" in err
    actions = [e.action for e in AuditLog.select().order_by(AuditLog.id)]
    assert actions.count("api_token_created") == 1
    assert actions.count("api_token_revoked") == 1


def test_support_staff_cannot_manage_tokens(url, capsys):
    _act_as("sam")
    code, out, err = run(capsys, "storefront", "token", "create", "shop", "--db", url)
    assert (code, out) == (2, "")
    assert "does not allow managing storefront API tokens" in err
    assert ApiToken.select().count() == 0


def test_simulate_needs_a_token(capsys, monkeypatch):
    monkeypatch.delenv("CUSTTUI_API_TOKEN", raising=False)
    code, _, err = run(capsys, "simulate", "--url", "http://127.0.0.1:9")
    assert code == 2 and "CUSTTUI_API_TOKEN" in err


def test_simulate_says_when_the_api_is_not_there(capsys, monkeypatch):
    monkeypatch.setenv("CUSTTUI_API_TOKEN", "cst_anything")
    code, out, err = run(capsys, "simulate", "--url", f"http://127.0.0.1:{_free_port()}")
    assert (code, out) == (1, "")
    assert "Cannot reach the API at http://127.0.0.1:" in err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTTUI_")}
    env["CUSTTUI_KEY_FILE"] = str(tmp_path / "custtui.key")
    env.update(extra)
    return env


def _wait_until_up(base: str, token: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stderr.read()}")
        try:
            httpx.get(f"{base}/v1/health", headers={"Authorization": f"Bearer {token}"})
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not come up within 30 s")


def test_a_real_server_and_a_short_simulation(url, tmp_path, capsys):
    token = run(capsys, "storefront", "token", "create", "sim", "--db", url)[1].strip()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "custtui.cli", "storefront", "--port", str(port), "--db", url],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_up(base, token, server)
        auth = {"Authorization": f"Bearer {token}"}
        health = httpx.get(f"{base}/v1/health", headers=auth)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert httpx.get(f"{base}/v1/health").status_code == 401
        visit = httpx.post(f"{base}/v1/visits", headers=auth, json={"website": "base"})
        assert visit.status_code == 201
        assert Visit.get_by_id(visit.json()["visit_id"]).website_id == 1

        sim = subprocess.run(
            [
                sys.executable,
                "-m",
                "custtui.cli",
                "simulate",
                "--url",
                base,
                "--visitors",
                "6",
                "--minutes",
                "0.1",
                "--seed",
                "3",
            ],
            cwd=ROOT,
            env=_env(tmp_path, CUSTTUI_API_TOKEN=token),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sim.returncode == 0, sim.stderr
        last = sim.stdout.strip().splitlines()[-1]
        assert "visitors 6/6" in last and "unexpected 0" in last, sim.stdout
        assert Visit.select().count() >= 7
        registered = int(last.split("registered ")[1].split()[0])
        assert Customer.select().where(Customer.email.startswith("sim-")).count() == registered

        bad = subprocess.run(
            [sys.executable, "-m", "custtui.cli", "simulate", "--url", base, "--minutes", "0.1"],
            cwd=ROOT,
            env=_env(tmp_path, CUSTTUI_API_TOKEN="cst_wrong"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert bad.returncode == 1
        assert "not valid or has been revoked" in bad.stderr
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    log = server.stderr.read()
    assert server.returncode == 0, log
    assert f"on http://127.0.0.1:{port}/v1" in log
