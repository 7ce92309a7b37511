"""Command palette providers: "go to customer" (by email, ID or name, fuzzy) and the places.

Customer text is shown as Rich ``Text`` (never markup), with the fuzzy-matched characters
styled by offset rather than through ``Matcher.highlight``, which parses its input as markup.
"""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from custtui.screens.dbwork import in_thread
from custtui.services import customers
from custtui.services.errors import ServiceError


class CustomerCommands(Provider):
    """Type part of an email, a name or an ID to open that customer."""

    async def search(self, query: str) -> Hits:
        text = query.strip()
        if len(text) < 2:
            return
        try:
            found = await asyncio.to_thread(in_thread, customers.find, text, 12)
        except ServiceError:
            return
        matcher = self.matcher(text)
        for customer in found:
            label = f"{customer.name} <{customer.email}> #{customer.id} · {customer.website}"
            score, offsets = matcher.fuzzy_search.match(text, label)
            display = Text("Go to customer: ", style="dim")
            body = Text(label)
            for offset in offsets:
                body.stylize("bold underline", offset, offset + 1)
            display.append_text(body)
            exact = (
                text.lstrip("#") == str(customer.id) or text.casefold() == customer.email.casefold()
            )
            yield Hit(
                1.0 if exact else max(score, 0.5),
                display,
                partial(self.app.open_customer, customer.id),  # type: ignore[attr-defined]
                text=f"Go to customer {customer.email}",
            )


class PlaceCommands(Provider):
    """The screens that exist, for the palette."""

    PLACES = (
        ("All Customers", "Customers › All Customers: search, filter, act", "customers"),
        ("Now Online", "Customers › Now Online: who is on the shop right now", "online"),
        ("Add New Customer", "Create a customer account", "new-customer"),
        ("Audit Log", "System › Audit Log: who changed what, across customers", "audit-log"),
        ("Email Outbox", "Customers › Email Outbox: queued and sent emails, retry", "outbox"),
        (
            "Email Templates",
            "Marketing › Email Templates: edit the emails customers get",
            "email-templates",
        ),
        (
            "Customer Configuration",
            "Settings › Customer Configuration: account sharing, new accounts, passwords, "
            "name and address options",
            "config",
        ),
    )

    def _places(self) -> list[tuple[str, str, str]]:
        """The places this staff member's role may open (the menu shows the others disabled,
        with the reason)."""
        from custtui.screens.menu import place_refusal

        actor = getattr(self.app, "actor", None)
        return [p for p in self.PLACES if place_refusal(actor, p[2]) is None]

    async def discover(self) -> Hits:
        for title, help_text, place in self._places():
            yield DiscoveryHit(title, partial(self.app.go_to, place), help=help_text)  # type: ignore[attr-defined]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, place in self._places():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(title), partial(self.app.go_to, place), help=help_text
                )  # type: ignore[attr-defined]
