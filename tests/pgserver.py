"""A throwaway PostgreSQL server on loopback for the test session.

Uses ``$CUSTTUI_TEST_PG_URL`` when set; otherwise starts a private cluster from the Debian
``postgresql`` package (``/usr/lib/postgresql/*/bin``) in a temporary directory, as the
``postgres`` user when running as root (PostgreSQL refuses to run as root). When no server can
be had the PostgreSQL tests are skipped — unless ``$CUSTTUI_REQUIRE_PG`` is set (CI sets it),
in which case they fail, so CI can never pass without exercising PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class PgServer:
    url: str
    admin_url: str
    directory: Path | None = None
    bin_dir: Path | None = None
    as_user: str | None = None

    def stop(self) -> None:
        if self.directory is None or self.bin_dir is None:
            return
        _run(
            self,
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(server: PgServer, argv: list[str], check: bool = True) -> subprocess.CompletedProcess:
    if server.as_user:
        argv = ["runuser", "-u", server.as_user, "--", *argv]
    return subprocess.run(argv, check=check, capture_output=True, text=True)


def find_bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def start() -> PgServer | None:
    """A running server, or None when PostgreSQL is not installed."""
    if url := os.environ.get("CUSTTUI_TEST_PG_URL"):
        return PgServer(url=url, admin_url=url)
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    directory = Path(tempfile.mkdtemp(prefix="custtui-pg-"))
    as_user = "postgres" if os.geteuid() == 0 else None
    server = PgServer("", "", directory, bin_dir, as_user)
    if as_user:
        shutil.chown(directory, user=as_user)
    port = _free_port()
    data = directory / "data"
    _run(
        server,
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "custtui",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
    )
    _run(
        server,
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(directory / "log"),
            "-o",
            f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        ],
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ready = _run(
            server, [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            break
        time.sleep(0.1)
    server.url = f"postgresql://custtui@127.0.0.1:{port}/postgres"
    server.admin_url = server.url
    return server
