"""``custtui simulate``: shoppers on the storefront, through the real HTTP API.

Each visitor is an asyncio task with an httpx client: it starts a visit, browses (page views
and searches, which do not count as activity), maybe fills a cart, and follows one of a few
personas — registers a new account, comes back and signs in (sometimes with a wrong
password first), forgets a password, or stays a guest. Arrivals and think times are spread
over the requested minutes, so Now Online fills, moves and empties like a real shop. Every
call goes through the API, tokens, validation and services included, so it also shows what
the storefront would see (401, 423, 429 …). A running summary is printed every few seconds;
Ctrl-C stops the visitors and prints the final one.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

from custtui.services.demo_sales import CATALOGUE

PAGES = (
    "/",
    "/women.html",
    "/women/tops-women/jackets-women.html",
    "/women/bottoms-women/pants-women.html",
    "/men.html",
    "/men/tops-men/hoodies-and-sweatshirts-men.html",
    "/gear/bags.html",
    "/gear/fitness-equipment.html",
    "/training/training-video.html",
    "/sale.html",
    "/what-is-new.html",
    "/juno-jacket.html",
    "/cassius-sparring-tank.html",
    "/fusion-backpack.html",
    "/sprite-yoga-companion-kit.html",
)
SEARCHES = ("jacket", "yoga mat", "backpack", "hoodie", "tank", "shorts", "water bottle")
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36",
)
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Linus")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")
REPORT_EVERY = 5.0
"""Seconds between summary lines."""


class Stop(Exception):
    """The run cannot go on (bad token, API unreachable); the message says why."""


@dataclass(frozen=True)
class Plan:
    url: str
    token: str
    visitors: int = 50
    minutes: float = 5.0
    website: str = "base"
    seed: int | None = None


@dataclass
class Account:
    email: str
    password: str


@dataclass
class Stats:
    """What happened so far; ``counts`` by outcome, ``statuses`` by unexpected answer."""

    started: float = field(default_factory=time.monotonic)
    arrived: int = 0
    active: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)

    def line(self, total: int) -> str:
        c = self.counts
        elapsed = int(time.monotonic() - self.started)
        unexpected = sum(self.statuses.values())
        return (
            f"{elapsed // 60:>3}:{elapsed % 60:02d}  visitors {self.arrived}/{total} "
            f"({self.active} on the site)  pages {c['page_view'] + c['search']}  "
            f"carts {c['add_to_cart']}  orders {c['place_order']} ({c['ordered']} by customers, "
            f"{c['paid_with_credit']} with store credit)  registered {c['registered']}  "
            f"sign-ins {c['signed_in']} ok/{c['wrong_password']} wrong/{c['locked']} locked  "
            f"sign-outs {c['signed_out']}  resets {c['reset_requested']} "
            f"({c['reset_limited']} limited)  unexpected {unexpected}"
        )


class Visitor:
    """One shopper's session; every step is an API call followed by a think time."""

    def __init__(
        self,
        number: int,
        plan: Plan,
        client: httpx.AsyncClient,
        rng: random.Random,
        stats: Stats,
        accounts: list[Account],
        think: float,
        run_id: str,
    ) -> None:
        self.number = number
        self.plan = plan
        self.client = client
        self.rng = rng
        self.stats = stats
        self.accounts = accounts
        self.think = think
        self.run_id = run_id
        self.visit_id: int | None = None
        self.signed_in = False
        # Documentation address ranges (RFC 5737): realistic, never a real shopper.
        self.ip = f"{rng.choice(('203.0.113', '198.51.100'))}.{rng.randrange(1, 255)}"

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        response = await self.client.post(path, json=body)
        if response.status_code == 401 and path != "/v1/sign-in":
            raise Stop(_message(response) or "The API refused the token.")
        return response

    def unexpected(self, what: str, response: httpx.Response) -> None:
        self.stats.statuses[f"{what} {response.status_code}"] += 1

    async def pause(self) -> None:
        await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))

    async def event(self, kind: str, url: str | None = None) -> None:
        response = await self.post(f"/v1/visits/{self.visit_id}/events", {"type": kind, "url": url})
        if response.status_code == 204:
            self.stats.counts[kind] += 1
        else:
            self.unexpected(kind, response)

    async def browse(self, pages: int) -> None:
        for _ in range(pages):
            if self.rng.random() < 0.2:
                term = self.rng.choice(SEARCHES)
                await self.event("search", f"/catalogsearch/result/?q={term.replace(' ', '+')}")
            else:
                await self.event("page_view", self.rng.choice(PAGES))
            await self.pause()

    # -- the session ------------------------------------------------------------------------
    async def run(self) -> None:
        response = await self.post(
            "/v1/visits",
            {
                "website": self.plan.website,
                "url": "/",
                "remote_addr": self.ip,
                "user_agent": self.rng.choice(AGENTS),
            },
        )
        if response.status_code != 201:
            self.unexpected("visit", response)
            return
        self.visit_id = response.json()["visit_id"]
        await self.pause()
        await self.browse(self.rng.randint(1, 4))
        roll = self.rng.random()
        if roll < 0.3:
            await self.register_and_sign_in()
        elif roll < 0.5:
            await self.come_back()
        elif roll < 0.58:
            await self.forgot_password()
        await self.shop()
        if self.signed_in and self.rng.random() < 0.7:
            await self.sign_out()

    async def shop(self) -> None:
        if self.rng.random() < 0.45:
            await self.event("add_to_cart", self.rng.choice(PAGES[11:]))
            await self.pause()
            if self.rng.random() < 0.3:
                await self.event("update_cart", "/checkout/cart/")
                await self.pause()
            if self.rng.random() < 0.35:
                await self.event("checkout", "/checkout/")
                await self.pause()
                if self.signed_in:
                    await self.place_order()
                await self.event("place_order", "/checkout/onepage/success/")
                await self.pause()
        await self.browse(self.rng.randint(0, 3))

    async def place_order(self) -> None:
        """A signed-in shopper's order through ``POST /v1/orders``, half of them paying with
        whatever store credit the account has. Prices are whole units, valid in any currency;
        the request id makes a retried checkout charge once."""
        products = self.rng.sample(CATALOGUE, self.rng.randint(1, 3))
        items = [
            {"sku": sku, "name": name, "qty": self.rng.randint(1, 2), "price": str(cents // 100)}
            for sku, name, cents in products
        ]
        body = {
            "visit_id": self.visit_id,
            "items": items,
            "use_store_credit": self.rng.random() < 0.5,
            "request_id": f"sim-{self.run_id}-{self.number}-{self.rng.randrange(10**9)}",
        }
        response = await self.post("/v1/orders", body)
        if response.status_code != 201:
            self.unexpected("order", response)
            return
        self.stats.counts["ordered"] += 1
        if response.json().get("store_credit_used", "0").strip("0.,") != "":
            self.stats.counts["paid_with_credit"] += 1

    async def register_and_sign_in(self) -> None:
        account = Account(
            f"sim-{self.run_id}-{self.number}@example.com",
            f"Sim-{secrets.token_hex(4)}-{self.rng.randrange(10)}",
        )
        await self.event("page_view", "/customer/account/create/")
        await self.pause()
        response = await self.post(
            "/v1/customers",
            {
                "website": self.plan.website,
                "email": account.email,
                "password": account.password,
                "firstname": self.rng.choice(FIRST),
                "lastname": self.rng.choice(LAST),
                "remote_addr": self.ip,
            },
        )
        if response.status_code != 201:
            self.unexpected("register", response)
            return
        self.stats.counts["registered"] += 1
        self.accounts.append(account)
        await self.pause()
        await self.sign_in(account, wrong_first=self.rng.random() < 0.15)

    async def come_back(self) -> None:
        if not self.accounts:
            await self.register_and_sign_in()
            return
        account = self.rng.choice(self.accounts)
        await self.event("page_view", "/customer/account/login/")
        await self.pause()
        await self.sign_in(account, wrong_first=self.rng.random() < 0.3)

    async def sign_in(self, account: Account, *, wrong_first: bool) -> None:
        attempts = [account.password + "x", account.password] if wrong_first else [account.password]
        for password in attempts:
            response = await self.post(
                "/v1/sign-in",
                {
                    "website": self.plan.website,
                    "email": account.email,
                    "password": password,
                    "visit_id": self.visit_id,
                    "remote_addr": self.ip,
                },
            )
            if response.status_code == 200:
                self.stats.counts["signed_in"] += 1
                self.signed_in = True
                return
            if response.status_code == 401:
                self.stats.counts["wrong_password"] += 1
            elif response.status_code == 423:
                self.stats.counts["locked"] += 1
                return
            elif response.status_code == 403:
                self.stats.counts["not_confirmed"] += 1
                return
            else:
                self.unexpected("sign-in", response)
                return
            await self.pause()

    async def sign_out(self) -> None:
        response = await self.post("/v1/sign-out", {"visit_id": self.visit_id})
        if response.status_code == 204:
            self.stats.counts["signed_out"] += 1
            self.signed_in = False
        else:
            self.unexpected("sign-out", response)

    async def forgot_password(self) -> None:
        known = self.accounts and self.rng.random() < 0.7
        email = (
            self.rng.choice(self.accounts).email
            if known
            else f"nobody-{self.run_id}-{self.number}@example.com"
        )
        await self.event("page_view", "/customer/account/forgotpassword/")
        await self.pause()
        response = await self.post(
            "/v1/password-resets",
            {"website": self.plan.website, "email": email, "remote_addr": self.ip},
        )
        if response.status_code == 202:
            self.stats.counts["reset_requested"] += 1
        elif response.status_code == 429:
            self.stats.counts["reset_limited"] += 1
        else:
            self.unexpected("reset", response)


def _message(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("message") if isinstance(body, dict) else None


async def _visitor(visitor: Visitor, start_at: float, stats: Stats) -> None:
    await asyncio.sleep(max(0.0, start_at - (time.monotonic() - stats.started)))
    stats.arrived += 1
    stats.active += 1
    try:
        await visitor.run()
    except httpx.ConnectError as error:
        raise Stop(f"The API at {visitor.plan.url} stopped answering ({error}).") from None
    except httpx.HTTPError as error:  # a timeout under load, a dropped connection…
        stats.statuses[f"network {type(error).__name__}"] += 1
    finally:
        stats.active -= 1


async def _reporter(stats: Stats, total: int, out: TextIO) -> None:
    while True:
        await asyncio.sleep(REPORT_EVERY)
        print(stats.line(total), file=out, flush=True)


async def run(plan: Plan, stats: Stats | None = None, out: TextIO = sys.stdout) -> Stats:
    """Drive the traffic to completion (or until cancelled); returns the counts."""
    stats = stats or Stats()
    rng = random.Random(plan.seed)
    run_id = secrets.token_hex(3)
    duration = plan.minutes * 60
    accounts: list[Account] = []
    headers = {"Authorization": f"Bearer {plan.token}"}
    limits = httpx.Limits(max_connections=min(100, plan.visitors), max_keepalive_connections=20)
    async with httpx.AsyncClient(
        base_url=plan.url.rstrip("/"), headers=headers, timeout=30, limits=limits
    ) as client:
        try:
            health = await client.get("/v1/health")
        except httpx.HTTPError as error:
            raise Stop(f"Cannot reach the API at {plan.url}: {error}") from None
        if health.status_code != 200:
            raise Stop(
                f"The API at {plan.url} answered {health.status_code}: "
                f"{_message(health) or health.text[:200]}"
            )
        print(
            f"Simulating {plan.visitors} visitors over {plan.minutes:g} min on {plan.url} "
            f"(website {plan.website}); Ctrl-C stops.",
            file=out,
            flush=True,
        )
        reporter = asyncio.create_task(_reporter(stats, plan.visitors, out))
        try:
            # A TaskGroup: the first visitor that cannot go on (Stop) cancels the others.
            async with asyncio.TaskGroup() as group:
                for number in range(plan.visitors):
                    start_at = rng.uniform(0, duration * 0.6)
                    # Each session lasts a share of what is left of the run, in 4–14 steps.
                    think = rng.uniform(0.15, 0.4) * (duration - start_at) / rng.randint(4, 14)
                    visitor = Visitor(
                        number,
                        plan,
                        client,
                        random.Random(rng.random()),
                        stats,
                        accounts,
                        think,
                        run_id,
                    )
                    group.create_task(_visitor(visitor, start_at, stats))
        except* Stop as failed:
            raise failed.exceptions[0] from None
        finally:
            reporter.cancel()
            await asyncio.gather(reporter, return_exceptions=True)
            print(stats.line(plan.visitors), file=out, flush=True)
    return stats


async def _until_stopped(plan: Plan, stats: Stats, out: TextIO) -> None:
    """:func:`run`, also stopped by SIGTERM the way Ctrl-C stops it (summary printed)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    await run(plan, stats, out)


def main(plan: Plan, out: TextIO = sys.stdout) -> int:
    """Run from the command line: 0 when done, 1 when the API failed us, 130 when stopped
    (Ctrl-C or SIGTERM)."""
    stats = Stats()
    try:
        asyncio.run(_until_stopped(plan, stats, out))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("Stopped.", file=out, flush=True)
        return 130
    except Stop as error:
        print(f"custtui simulate: {error}", file=sys.stderr)
        return 1
    unexpected = sum(stats.statuses.values())
    if unexpected:
        details = ", ".join(f"{k} ×{v}" for k, v in stats.statuses.most_common())
        print(f"Unexpected answers: {details}", file=out)
    return 0
