"""Customer View: the summary that opens a customer's page (reference A16 "Customer View").

Personal information as Magento's ``personal_info`` block shows it — last logged in / online
now / never, account lock, confirmed email, created on and in, group — then the default
billing and shipping addresses and the newsletter status. Data comes in as a
:class:`SummaryData` loaded by the screen in a worker; everything is drawn as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from custtui.services import customers, sessions
from custtui.widgets.text import labelled, plain


@dataclass(frozen=True)
class SummaryData:
    view: customers.CustomerSummary
    presence: sessions.Presence


def load_summary(customer_id: int) -> SummaryData:
    """Everything Customer View shows (call from a worker thread)."""
    return SummaryData(customers.summary(customer_id), sessions.presence(customer_id))


class CustomerSummary(VerticalScroll):
    """The Customer View tab's content."""

    DEFAULT_CSS = """
    CustomerSummary { padding: 0 1; }
    CustomerSummary .section-title { text-style: bold; color: $text-accent; margin-top: 1; }
    CustomerSummary #addresses { height: auto; }
    CustomerSummary #addresses > Vertical { width: 1fr; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="name", markup=False)
        yield Static("Personal Information", classes="section-title")
        yield Static("", id="personal", markup=False)
        with Horizontal(id="addresses"):
            with Vertical():
                yield Static("Default Billing Address", classes="section-title")
                yield Static("", id="billing", markup=False)
            with Vertical():
                yield Static("Default Shipping Address", classes="section-title")
                yield Static("", id="shipping", markup=False)
        yield Static("Newsletter", classes="section-title")
        yield Static("", id="newsletter", markup=False)

    def show(self, data: SummaryData, tz: tzinfo | None) -> None:
        view = data.view

        def when(moment: datetime) -> str:
            local = moment.astimezone(tz) if tz else moment
            return local.strftime("%Y-%m-%d %H:%M %Z")

        title = Text()
        title.append_text(plain(view.name, "bold"))
        title.append("  ")
        title.append_text(plain(f"<{view.email}>"))
        self.query_one("#name", Static).update(title)
        self.query_one("#personal", Static).update(
            labelled(
                [
                    ("Last Logged In", data.presence.last_logged_in(when)),
                    ("Account Lock", view.account_lock),
                    ("Confirmed email", view.confirmed_email),
                    ("Account Created", when(view.created_at)),
                    ("Account Created in", view.created_in or "—"),
                    ("Customer Group", view.group),
                    ("Web Site", view.website),
                    ("Date of Birth", view.dob or "—"),
                    ("Gender", view.gender or "—"),
                    ("Tax/VAT Number", view.taxvat or "—"),
                    ("Addresses", view.address_count),
                    ("ID", view.id),
                ]
            )
        )
        self.query_one("#billing", Static).update(_address(view.billing))
        self.query_one("#shipping", Static).update(_address(view.shipping))
        self.query_one("#newsletter", Static).update(
            labelled([(store, status) for store, status in view.newsletter])
            if view.newsletter
            else Text("Not subscribed to any newsletter.")
        )


def _address(address: customers.AddressSummary | None) -> Text:
    if address is None:
        return Text("The customer does not have a default address.")
    return plain("\n".join(address.lines))
