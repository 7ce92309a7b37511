"""Customer View: the read-only summary of one account (reference A16 "Customer View")."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from custtui.screens.dbwork import in_thread
from custtui.services import customers
from custtui.services.errors import NotFound
from custtui.widgets.text import labelled, plain


class CustomerViewScreen(Screen[None]):
    """Opened with enter from the grid or the palette; escape goes back."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="customer_view.back"),
        Binding("ctrl+r", "reload", "Reload", id="customer_view.reload"),
        Binding("e", "edit", "Edit", id="customer_view.edit"),
    ]

    DEFAULT_CSS = """
    CustomerViewScreen VerticalScroll { padding: 0 1; }
    CustomerViewScreen .section-title { text-style: bold; color: $text-accent; margin-top: 1; }
    CustomerViewScreen #addresses { height: auto; }
    CustomerViewScreen #addresses > Vertical { width: 1fr; height: auto; }
    CustomerViewScreen #missing { color: $text-error; padding: 1; }
    """

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.sub_title = f"Customer #{customer_id}"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static("Loading…", id="name")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Customer View"

    def action_reload(self) -> None:
        self.load()

    def action_edit(self) -> None:
        from custtui.screens.account_editor import AccountEditorScreen

        self.app.push_screen(AccountEditorScreen(self.customer_id))

    def on_screen_resume(self) -> None:
        """Shown first, or back from the editor: (re)load so edits appear at once."""
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exit_on_error=False, exclusive=True)
    def load(self) -> None:
        try:
            view = in_thread(customers.summary, self.customer_id)
        except NotFound as error:
            self.app.call_from_thread(self._missing, str(error))
            return
        self.app.call_from_thread(self._show, view)

    async def _missing(self, message: str) -> None:
        body = self.query_one("#body", VerticalScroll)
        await body.remove_children()
        await body.mount(Static(Text(message), id="missing"))

    async def _show(self, view: customers.CustomerSummary) -> None:
        tz = getattr(self.app, "display_timezone", None)
        created = view.created_at.astimezone(tz) if tz else view.created_at
        body = self.query_one("#body", VerticalScroll)
        await body.remove_children()
        title = Text()
        title.append_text(plain(view.name, "bold"))
        title.append("  ")
        title.append_text(plain(f"<{view.email}>"))
        personal = labelled(
            [
                ("ID", view.id),
                ("Group", view.group),
                ("Web Site", view.website),
                ("Account Created", created.strftime("%Y-%m-%d %H:%M %Z")),
                ("Account Created in", view.created_in),
                ("Confirmed email", view.confirmed_email),
                ("Account Lock", view.account_lock),
                ("Date of Birth", view.dob or "—"),
                ("Gender", view.gender or "—"),
                ("Tax/VAT Number", view.taxvat or "—"),
                ("Addresses", view.address_count),
            ]
        )
        newsletter = (
            labelled([(store, status) for store, status in view.newsletter])
            if view.newsletter
            else Text("Not subscribed to any newsletter.")
        )
        await body.mount_all(
            [
                Static(title, id="name"),
                Static("Personal Information", classes="section-title"),
                Static(personal, id="personal"),
                Horizontal(
                    Vertical(
                        Static("Default Billing Address", classes="section-title"),
                        Static(self._address(view.billing), id="billing"),
                    ),
                    Vertical(
                        Static("Default Shipping Address", classes="section-title"),
                        Static(self._address(view.shipping), id="shipping"),
                    ),
                    id="addresses",
                ),
                Static("Newsletter", classes="section-title"),
                Static(newsletter, id="newsletter"),
            ]
        )

    @staticmethod
    def _address(address: customers.AddressSummary | None) -> Text:
        if address is None:
            return Text("The customer does not have a default address.")
        return plain("\n".join(address.lines))
