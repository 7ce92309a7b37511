"""The storefront API part of ``bench/online.py``: the real server in a subprocess and a
closed-loop load generator on loopback.

:class:`Server` runs ``custtui --db URL storefront --port P --no-access-log`` — the command an
operator runs — on a free loopback port and waits for ``/v1/health``. :func:`run` creates
visits through ``POST /v1/visits``, then keeps *concurrency* connections busy (keep-alive,
one request in flight on each, the next sent as soon as the answer arrives) with
``POST /v1/visits/{id}/events`` in the storefront's mix of page views, searches and
state-changing events, for a warm-up and then the measured seconds. With a *rate* the run
is paced instead (an event due every 1/rate s, sent on whichever connection is free, its
latency counted from when it was due), which shows the latency at a given load rather than
at saturation.

Two clients: ``raw`` (default) writes HTTP/1.1 by hand over asyncio streams, so on a 2-core
machine the generator takes as little CPU from the server as ``wrk`` would; ``httpx`` is the
library ``custtui simulate`` and the storefront's own code would use, to cross-check.
Latency is measured in the client, from writing the request to having read the whole answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

MIX: tuple[tuple[str, int], ...] = (
    ("page_view", 50),
    ("search", 15),
    ("add_to_cart", 12),
    ("update_cart", 5),
    ("remove_from_cart", 3),
    ("checkout", 5),
    ("place_order", 3),
    ("add_to_wishlist", 4),
    ("form_post", 3),
)
"""Event type → share in percent: mostly browsing, a third state-changing (which refresh the
visit's last activity, see ``sessions.EVENT_TYPES``)."""

URLS = {
    "page_view": ("/", "/women.html", "/men/tops-men.html", "/gear/bags.html", "/sale.html"),
    "search": ("/catalogsearch/result/?q=jacket", "/catalogsearch/result/?q=yoga+mat"),
    "add_to_cart": ("/juno-jacket.html", "/fusion-backpack.html"),
    "update_cart": ("/checkout/cart/",),
    "remove_from_cart": ("/checkout/cart/",),
    "checkout": ("/checkout/",),
    "place_order": ("/checkout/onepage/success/",),
    "add_to_wishlist": ("/wishlist/",),
    "form_post": ("/customer/account/loginPost/", "/contact/index/post/"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process *pid* so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """``custtui storefront`` on a free loopback port, in its own process."""

    def __init__(
        self, db_url: str, token: str, *, threads: int | None = None, access_log: bool = False
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        argv = ["--db", db_url, "storefront", "--port", str(self.port)]
        if not access_log:
            argv.append("--no-access-log")
        if threads is not None:
            argv += ["--threads", str(threads)]
        code = "import sys; from custtui.cli import main; sys.exit(main(sys.argv[1:]))"
        # stderr to a file, not a pipe: with the access log on, a pipe nobody reads would
        # fill up and stall the server.
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *argv],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            text=True,
        )

    def _stderr(self, limit: int = 4000) -> str:
        self.log.seek(0)
        return self.log.read()[-limit:]

    def wait_ready(self, timeout: float = 60.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"Bearer {self.token}"}
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the storefront server exited:\n{self._stderr()}")
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(f"{self.url}/v1/health", headers=headers, timeout=2)
                if answer.status_code == 200:
                    return
                raise RuntimeError(f"/v1/health answered {answer.status_code}: {answer.text}")
            time.sleep(0.1)
        raise RuntimeError("the storefront server did not start in time")

    def stop(self) -> str:
        """Stop it as Ctrl-C would; returns the end of what it wrote on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        err = self._stderr()
        self.log.close()
        return err

    def __enter__(self) -> Server:
        try:
            self.wait_ready()
        except BaseException:
            print(self.stop(), file=sys.stderr)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- clients -----------------------------------------------------------------------------------
class RawConnection:
    """One keep-alive HTTP/1.1 connection, one request at a time, no library in between."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.head = (
            f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nAccept: */*\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            sock = self.writer.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert self.reader is not None
        self.writer.write(
            b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
            % (path.encode(), self.head, len(body), body)
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                raise RuntimeError("chunked answers are not expected from these routes")
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class HttpxConnection:
    """The same through one httpx client with a single keep-alive connection."""

    def __init__(self, url: str, token: str) -> None:
        import httpx

        self.client = httpx.AsyncClient(
            base_url=url,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=30,
        )

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        answer = await self.client.post(path, content=body)
        return answer.status_code, answer.content

    async def close(self) -> None:
        await self.client.aclose()


def _connection(kind: str, url: str, port: int, token: str) -> Any:
    if kind == "raw":
        return RawConnection("127.0.0.1", port, token)
    if kind == "httpx":
        return HttpxConnection(url, token)
    raise ValueError(f"unknown client {kind!r}")


# -- the run -----------------------------------------------------------------------------------
@dataclass
class Result:
    concurrency: int
    client: str
    rate_asked: float | None = None  # events/s of a paced run; None: closed loop
    visits: int = 0
    visits_seconds: float = 0.0
    events: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # ms, sorted, measured window only
    by_type: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # "<status> <type>" → count
    server_cpu: float = 0.0  # CPU seconds during the measured window
    client_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else float("nan")

    @property
    def cpu_per_event_us(self) -> float:
        return self.server_cpu / self.events * 1e6 if self.events else float("nan")

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        return self.latencies[min(len(self.latencies) - 1, int(len(self.latencies) * q))]


async def _start_visits(
    kind: str, server: Server, count: int, concurrency: int, rng: random.Random
) -> list[int]:
    ids: list[int] = []
    todo = iter(range(count))

    async def worker() -> None:
        conn = _connection(kind, server.url, server.port, server.token)
        try:
            for i in todo:
                body = json.dumps(
                    {
                        "website": "base",
                        "url": "/",
                        "remote_addr": f"198.51.100.{i % 254 + 1}",
                        "user_agent": "custtui-bench/1.0",
                    }
                ).encode()
                status, data = await conn.post("/v1/visits", body)
                if status != 201:
                    raise RuntimeError(f"POST /v1/visits answered {status}: {data[:200]!r}")
                ids.append(json.loads(data)["visit_id"])
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    rng.shuffle(ids)
    return ids


class _Events:
    """Random events in the :data:`MIX` on random visits; bodies made up front so the
    generator's own work per request stays small."""

    def __init__(self, ids: list[int], seed: int) -> None:
        self.ids = ids
        self.rng = random.Random(seed)
        self.types = [name for name, weight in MIX for _ in range(weight)]
        self.bodies = {
            name: [json.dumps({"type": name, "url": url}).encode() for url in URLS[name]]
            for name in URLS
        }

    def next(self) -> tuple[str, str, bytes]:
        kind = self.rng.choice(self.types)
        path = f"/v1/visits/{self.rng.choice(self.ids)}/events"
        return kind, path, self.rng.choice(self.bodies[kind])


async def _drive(
    server: Server,
    *,
    visits: int,
    seconds: float,
    warmup: float,
    concurrency: int,
    kind: str,
    seed: int,
    rate: float | None,
) -> Result:
    rng = random.Random(seed)
    result = Result(concurrency=concurrency, client=kind, rate_asked=rate)
    began = time.perf_counter()
    ids = await _start_visits(kind, server, visits, concurrency, rng)
    result.visits, result.visits_seconds = len(ids), time.perf_counter() - began

    start = time.perf_counter() + warmup
    end = start + seconds
    latencies: list[float] = []
    counted = Counter[str]()

    async def post(conn: Any, event: tuple[str, str, bytes], since: float) -> None:
        """One event; its latency counts from *since* (when it was sent, or when it was due
        in the paced run, so a stalled server is not hidden by sending less)."""
        name, path, body = event
        try:
            status: int | str = (await conn.post(path, body))[0]
        except (OSError, asyncio.IncompleteReadError, RuntimeError) as error:
            status = type(error).__name__
            await conn.close()
        done = time.perf_counter()
        if since >= start and done <= end:
            latencies.append((done - since) * 1000)
            counted[name] += 1
            if status != 204:
                result.errors[f"{status} {name}"] += 1
        elif status != 204:
            result.errors[f"{status} {name} (outside the measured window)"] += 1

    conns = [_connection(kind, server.url, server.port, server.token) for _ in range(concurrency)]

    async def closed_loop(number: int) -> None:
        """Keep one connection busy: the next event as soon as the last one is answered."""
        events = _Events(ids, seed * 1000 + number)
        while (sent := time.perf_counter()) < end:
            await post(conns[number], events.next(), sent)

    async def paced(per_second: float) -> None:
        """One event every 1/*per_second* s on whichever connection is free."""
        events = _Events(ids, seed)
        free: asyncio.Queue[Any] = asyncio.Queue()
        for conn in conns:
            free.put_nowait(conn)
        pending: set[asyncio.Task[None]] = set()

        async def one(due: float) -> None:
            conn = await free.get()
            try:
                await post(conn, events.next(), due)
            finally:
                free.put_nowait(conn)

        first = time.perf_counter()
        number = 0
        while (due := first + number / per_second) < end:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(due))
            pending.add(task)
            task.add_done_callback(pending.discard)
            number += 1
        await asyncio.gather(*pending)

    if rate:
        runner = asyncio.create_task(paced(rate))
    else:
        runner = asyncio.gather(*(closed_loop(n) for n in range(concurrency)))
    try:
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        cpu0 = cpu_seconds(server.process.pid), sum(os.times()[:2])
        await asyncio.sleep(max(0.0, end - time.perf_counter()))
        cpu1 = cpu_seconds(server.process.pid), sum(os.times()[:2])
        await runner
    finally:
        for conn in conns:
            await conn.close()
    result.server_cpu = cpu1[0] - cpu0[0]
    result.client_cpu = cpu1[1] - cpu0[1]
    result.events = len(latencies)
    result.seconds = seconds
    result.latencies = sorted(latencies)
    result.by_type = counted
    return result


def run(
    server: Server,
    *,
    visits: int = 2000,
    seconds: float = 15.0,
    warmup: float = 2.0,
    concurrency: int = 16,
    client: str = "raw",
    seed: int = 20261207,
    rate: float | None = None,
) -> Result:
    """Create *visits* visits, then post events on them for *warmup* + *seconds*: as fast
    as *concurrency* connections allow, or *rate* events a second spread over them."""
    return asyncio.run(
        _drive(
            server,
            visits=visits,
            seconds=seconds,
            warmup=warmup,
            concurrency=concurrency,
            kind=client,
            seed=seed,
            rate=rate,
        )
    )
