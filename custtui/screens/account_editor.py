"""The customer's page: Customer View, Account Information (create or edit), Addresses,
Newsletter and Timeline tabs, and the account actions.

Validation and conflicts come from :mod:`custtui.services.accounts`; the form shows every
problem next to its field and keeps what was typed, and which optional fields it shows follows
the website's Name and Address Options. A save that lost a race with another agent shows their
values beside yours and offers to reload.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Checkbox,
    Footer,
    Header,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from custtui.screens.confirm import ConfirmScreen
from custtui.screens.dbwork import in_thread
from custtui.screens.editor_tabs import AddressBook, BookEntry, NewsletterList
from custtui.screens.orders_tab import OrdersTab
from custtui.screens.store_credit_tab import StoreCreditTab
from custtui.services import accounts, addresses, audit, newsletter, permissions
from custtui.services.customers import full_name
from custtui.services.errors import Conflict, NotFound, ServiceError, ValidationError
from custtui.widgets.customer_summary import CustomerSummary, load_summary
from custtui.widgets.inputs import TextInput
from custtui.widgets.text import plain

TABS = ("view", "account", "addresses", "newsletter", "timeline", "credit", "orders")
OPTIONAL = {"prefix", "middlename", "suffix", "dob", "taxvat", "gender"}

TEXT_FIELDS = ("prefix", "firstname", "middlename", "lastname", "suffix", "email", "dob", "taxvat")
SELECT_FIELDS = ("website_id", "group_id", "gender", "store_view_id")
CHECK_FIELDS = ("disable_auto_group_change", "assistance_allowed")
ORDER = (
    "website_id",
    "group_id",
    "disable_auto_group_change",
    "prefix",
    "firstname",
    "middlename",
    "lastname",
    "suffix",
    "email",
    "dob",
    "taxvat",
    "gender",
    "store_view_id",
    "assistance_allowed",
)


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "(empty)" if value in (None, "") else str(value)


def _load(customer_id: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "choices": accounts.editor_choices(),
        "forms": accounts.account_forms(),
    }
    if customer_id is None:
        data.update(values={"website_id": 1, "group_id": 1}, version=None)
        return data
    customer = accounts.get(customer_id)
    data["values"] = accounts.snapshot(customer)
    data["version"] = customer.version
    data["title"] = full_name(customer)
    data["locked"] = customer.lock_expires is not None and customer.lock_expires > _now()
    data["unconfirmed"] = customer.confirmation is not None
    data["summary"] = load_summary(customer_id)
    data["book"] = [
        BookEntry(
            a.id,
            a.id == customer.default_billing,
            a.id == customer.default_shipping,
            f"{full_name(a)}, {a.street.replace(chr(10), ', ')}, {a.city}, {a.country_id}",
            {"id": a.id, **{f: getattr(a, f) for f in addresses.FIELDS}},
        )
        for a in addresses.book(customer_id)
    ]
    data["newsletter"] = newsletter.subscriptions(customer_id)
    data["timeline"] = [
        (e.created_at, e.staff_username or "system", audit.describe(e))
        for e in audit.entries(customer_id=customer_id, limit=500)
    ]
    return data


def _now() -> Any:
    from custtui.services import clock

    return clock.now()


class AccountEditorScreen(Screen[None]):
    """Add New Customer (customer_id None) or edit an existing one."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save & Continue", id="editor.save"),
        Binding("f2", "save_and_close", "Save Customer", id="editor.save_close"),
        Binding("escape", "back", "Back", id="editor.back"),
        Binding("ctrl+r", "reset", "Reset", id="editor.reset"),
        Binding("ctrl+o", "account_actions", "Actions", id="editor.actions"),
        Binding("ctrl+pagedown", "next_tab", "Next tab", id="editor.next_tab"),
        Binding(
            "ctrl+pageup", "previous_tab", "Previous tab", id="editor.previous_tab", show=False
        ),
    ]

    DEFAULT_CSS = """
    AccountEditorScreen .row { height: 1; }
    AccountEditorScreen .row Label { width: 34; padding: 0 1; }
    AccountEditorScreen .row TextInput, AccountEditorScreen .row Select { width: 1fr;
        background: $boost; }
    AccountEditorScreen .row Checkbox { border: none; padding: 0; height: 1; width: 5; }
    AccountEditorScreen .error { color: $text-error; padding-left: 35; height: auto;
        display: none; }
    AccountEditorScreen .error.-shown { display: block; }
    AccountEditorScreen #tabs { height: 1fr; }
    AccountEditorScreen .row.-hidden, AccountEditorScreen .error.-hidden { display: none; }
    AccountEditorScreen .hint { color: $text-muted; padding: 0 1; }
    AccountEditorScreen #message { height: auto; max-height: 8; padding: 0 1;
        background: $panel; }
    AccountEditorScreen #message.-error { color: $text-error; }
    """

    def __init__(self, customer_id: int | None = None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.version: int | None = None
        self.loaded: dict[str, Any] = {}
        self.choices: dict[str, Any] = {}
        self._notice: str | None = None
        self.forms: dict[int, accounts.AccountForm] = {}
        self.website_id: int | None = None
        self.locked = False
        self.unconfirmed = False
        self._built = False
        self.title = "New Customer" if customer_id is None else f"Customer #{customer_id}"

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs", initial="account" if self.customer_id is None else "view"):
            with TabPane("Customer View", id="view"):
                yield CustomerSummary(id="summary")
            with TabPane("Account Information", id="account"):
                yield VerticalScroll(id="form")
            with TabPane("Addresses", id="addresses"):
                yield Static(
                    "n add · enter edit · b default billing · s default shipping · d delete",
                    classes="hint",
                )
                yield AddressBook(id="book")
            with TabPane("Newsletter", id="newsletter"):
                yield Static("space subscribes or unsubscribes on a store view", classes="hint")
                yield NewsletterList(id="news")
            with TabPane("Timeline", id="timeline"):
                yield VerticalScroll(Static("", id="history", markup=False))
            with TabPane("Store Credit", id="credit"):
                yield StoreCreditTab(id="credit-tab", classes="loads-with-customer")
            with TabPane("Orders", id="orders"):
                yield OrdersTab(id="orders-tab", classes="loads-with-customer")
        yield Static("Loading…", id="message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.customer_id is None:
            tabs = self.query_one(TabbedContent)
            for tab in ("view", "addresses", "newsletter", "timeline", "credit", "orders"):
                tabs.hide_tab(tab)
        self.load()

    def _switch(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        shown = [t for t in TABS if self.customer_id is not None or t == "account"]
        index = shown.index(tabs.active) if tabs.active in shown else 0
        tabs.active = shown[(index + step) % len(shown)]
        self._focus_tab(tabs.active)

    def _focus_tab(self, tab: str) -> None:
        target = {
            "account": "#in-firstname",
            "addresses": "#book",
            "newsletter": "#news",
            "credit": "#sc-amount",
            "orders": "#orders-grid",
        }.get(tab)
        if target and self.query(target):
            self.query_one(target).focus()
        elif tab in ("view", "timeline"):
            self.query_one(TabbedContent).query_one("Tabs").focus()

    def action_next_tab(self) -> None:
        self._switch(1)

    def action_previous_tab(self) -> None:
        self._switch(-1)

    @work(thread=True, exit_on_error=False, exclusive=True)
    def load(self) -> None:
        try:
            data = in_thread(_load, self.customer_id)
        except NotFound as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._show, data)

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "-error")

    async def _show(self, data: dict[str, Any]) -> None:
        self.choices = data["choices"]
        self.forms = data["forms"]
        self.loaded = dict(data["values"])
        self.version = data["version"]
        self.locked = data.get("locked", False)
        self.unconfirmed = data.get("unconfirmed", False)
        if self.customer_id is not None:
            self.sub_title = data["title"]
            tabs = self.query_one(TabbedContent)
            for tab in TABS:
                tabs.show_tab(tab)
            tz = getattr(self.app, "display_timezone", None)
            self.query_one(CustomerSummary).show(data["summary"], tz)
            self.query_one(AddressBook).show(data["book"])
            self.query_one(NewsletterList).show(
                data["newsletter"], lambda when: self._when(when, "%Y-%m-%d %H:%M")
            )
            self.query_one("#history", Static).update(self._timeline(data["timeline"]))
            for extra in self.query(".loads-with-customer"):  # Store Credit, Orders
                extra.load_customer(self.customer_id)  # type: ignore[attr-defined]
        await self._build_form(self.loaded)
        notice, self._notice = self._notice, None
        refusal = self.edit_refusal()
        self._say(
            notice
            or (f"Read-only: {refusal}" if refusal else None)
            or (
                "New customer — ctrl+s saves; the welcome email invites them to set a password."
                if self.customer_id is None
                else "ctrl+pgdn/ctrl+pgup switch tabs · ctrl+o account actions"
            )
        )
        if self.query_one(TabbedContent).active == "account":
            self.query_one("#in-firstname", TextInput).focus()

    def _when(self, moment: Any, fmt: str) -> str:
        tz = getattr(self.app, "display_timezone", None)
        return (moment.astimezone(tz) if tz else moment).strftime(fmt)

    def _form_for(self, website_id: Any) -> accounts.AccountForm | None:
        return self.forms.get(website_id) if isinstance(website_id, int) else None

    def _shown(self, field: str, form: accounts.AccountForm | None, value: Any) -> bool:
        """Optional fields show when the website's options show them, or when the customer
        already has a value (so nothing is ever hidden from staff)."""
        if field not in OPTIONAL or value not in (None, ""):
            return True
        if form is None:
            return True
        if field == "middlename":
            return form.middlename
        return getattr(form, field) in ("opt", "req")

    async def _build_form(self, values: dict[str, Any]) -> None:
        """(Re)build Account Information for the selected website, keeping *values*."""
        website_id = values.get("website_id")
        self.website_id = website_id if isinstance(website_id, int) else None
        form = self._form_for(website_id)
        container = self.query_one("#form", VerticalScroll)
        await container.remove_children()
        widgets = []
        controls: list[Any] = []
        for field in ORDER:
            value = values.get(field)
            label = accounts.LABELS[field]
            required = field in ("website_id", "group_id", "firstname", "lastname", "email") or (
                form is not None
                and field in ("prefix", "suffix", "dob", "taxvat", "gender")
                and getattr(form, field) == "req"
            )
            options = getattr(form, f"{field}_options", ()) if form else ()
            if field in SELECT_FIELDS:
                choices = self.choices[field]
                if field == "store_view_id" and isinstance(website_id, int):
                    choices = [(n, v) for n, v in choices if self._view_site(v) == website_id]
                control: Any = Select(
                    [(Text(name), v) for name, v in choices],
                    value=value if value in [v for _, v in choices] else Select.NULL,
                    id=f"in-{field}",
                    compact=True,
                    allow_blank=field in ("gender", "store_view_id"),
                )
            elif field in CHECK_FIELDS:
                control = Checkbox("", bool(value), id=f"in-{field}", compact=True)
            elif options:
                choices = list(options) + ([value] if value and value not in options else [])
                control = Select(
                    [(Text(o or "(none)"), o) for o in choices],
                    value=value if value in choices else Select.NULL,
                    id=f"in-{field}",
                    compact=True,
                )
            else:
                shown = value.isoformat() if isinstance(value, date) else (value or "")
                control = TextInput(
                    str(shown),
                    id=f"in-{field}",
                    compact=True,
                    placeholder="YYYY-MM-DD" if field == "dob" else "",
                )
            controls.append(control)
            hidden = not self._shown(field, form, value)
            row = Horizontal(
                Label(Text(label + (" *" if required else ""))), control, classes="row"
            )
            error = Static("", classes="error", id=f"err-{field}", markup=False)
            row.set_class(hidden, "-hidden")
            error.set_class(hidden, "-hidden")
            widgets += [row, error]
        if self.edit_refusal() is not None:
            for control in controls:
                control.disabled = True
        await container.mount_all(widgets)
        self._built = True

    def edit_refusal(self) -> str | None:
        """Why this staff member may only read the customer (None when they may edit): the
        form is then disabled and says so; a save would be refused and audited anyway."""
        actor = getattr(self.app, "actor", None)
        return None if actor is None else permissions.reason(actor, permissions.CUSTOMERS_EDIT)

    def _view_site(self, store_view_id: Any) -> int | None:
        return self.choices.get("store_view_sites", {}).get(store_view_id)

    @on(Select.Changed, "#in-website_id")
    async def _website_changed(self, event: Select.Changed) -> None:
        """Another website may show other fields (and has other store views)."""
        if not self._built or event.value == self.website_id or event.value is Select.NULL:
            return
        values = self.values()
        values["store_view_id"] = None
        await self._build_form(values)
        self.query_one("#in-website_id").focus()

    def _timeline(self, rows: list[tuple[Any, str, str]]) -> Any:
        """Newest first, as a table so long change lists wrap under their own column."""
        from rich.table import Table

        if not rows:
            return Text("No history yet.")
        table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
        table.add_column("When", no_wrap=True, style="dim")
        table.add_column("Staff", no_wrap=True, style="bold")
        table.add_column("What", ratio=1)
        for when, who, what in rows:
            table.add_row(self._when(when, "%Y-%m-%d %H:%M"), plain(who), plain(what))
        return table

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in ORDER:
            widget = self.query_one(f"#in-{field}")
            if isinstance(widget, Select):
                value = widget.value
                out[field] = None if value is Select.NULL or value == "" else value
            elif field in CHECK_FIELDS:
                out[field] = bool(widget.value)  # type: ignore[attr-defined]
            else:
                out[field] = widget.value.strip() or None  # type: ignore[attr-defined]
        return out

    def dirty(self) -> bool:
        if not self.loaded or not self.query("#in-firstname"):
            return False
        current = self.values()
        for field, value in current.items():
            before = self.loaded.get(field)
            before = before.isoformat() if isinstance(before, date) else before
            if field in CHECK_FIELDS:
                before = bool(before)
            if (before or None) != (value or None) and not (before is False and value is False):
                return True
        return False

    def _errors(self, errors: dict[str, str]) -> None:
        for field in ORDER:
            error = self.query_one(f"#err-{field}", Static)
            error.update(errors.get(field, ""))
            error.set_class(field in errors, "-shown")
            if field in errors:  # a problem in a hidden field must be seen and fixable
                error.remove_class("-hidden")
                self.query_one(f"#in-{field}").parent.remove_class("-hidden")  # type: ignore[union-attr]

    def action_save(self) -> None:
        if not self.query("#in-firstname"):
            return
        self._save(self.values(), close=False)

    def action_save_and_close(self) -> None:
        """Save Customer: save, then back to where the agent came from."""
        if not self.query("#in-firstname"):
            return
        self._save(self.values(), close=True)

    @work(thread=True, exit_on_error=False, exclusive=True, group="editor-save")
    def _save(self, values: dict[str, Any], close: bool) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            if self.customer_id is None:
                customer = in_thread(accounts.create, actor, values)
                self.app.call_from_thread(
                    self._saved, customer.id, "You saved the customer.", close
                )
            else:
                result = in_thread(accounts.update, actor, self.customer_id, self.version, values)
                words = ", ".join(accounts.LABELS[k] for k in result.changed) or "nothing"
                self.app.call_from_thread(self._saved, self.customer_id, f"Saved: {words}.", close)
        except ValidationError as error:
            self.app.call_from_thread(self._invalid, error.errors)
        except Conflict as error:
            self.app.call_from_thread(self._conflict, error)
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)

    def _invalid(self, errors: dict[str, str]) -> None:
        self._errors(errors)
        self._say(f"Not saved: {len(errors)} field(s) need attention.", True)
        first = next((f for f in ORDER if f in errors), None)
        if first:
            self.query_one(f"#in-{first}").focus()

    def _saved(self, customer_id: int, text: str, close: bool = False) -> None:
        self.customer_id = customer_id
        self.title = f"Customer #{customer_id}"
        self._errors({})
        self.notify(text, markup=False, timeout=4)
        self._deliver_mail()
        if close:
            self._leave()
            return
        self.load()

    def _deliver_mail(self) -> None:
        """Send what the change queued (welcome, reset…) without making the agent wait."""
        deliver = getattr(self.app, "deliver_mail", None)
        if deliver is not None:
            deliver()

    def _leave(self) -> None:
        from custtui.screens.customers import CustomersScreen

        self.app.pop_screen()
        if isinstance(self.app.screen, CustomersScreen):
            self.app.screen.run_query(keep_selection=True, keep_cursor=True)

    @staticmethod
    def _norm(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        return None if value in (None, "", False) else value

    def _set_field(self, field: str, value: Any) -> None:
        widget = self.query_one(f"#in-{field}")
        if isinstance(widget, Select):
            widget.value = value if value not in (None, "") else Select.NULL
        elif isinstance(widget, Checkbox):
            widget.value = bool(value)
        else:
            widget.value = value.isoformat() if isinstance(value, date) else str(value or "")  # type: ignore[attr-defined]

    def _conflict(self, error: Conflict) -> None:
        """Someone saved first: keep the agent's own edits, take theirs everywhere else, and
        show both side by side. ctrl+s then re-applies only what this agent changed."""
        theirs = getattr(error, "theirs", None)
        if theirs is None:
            self._say("Someone else deleted this customer after you opened it.", True)
            return
        current = self.values()
        mine = {k for k in ORDER if self._norm(current.get(k)) != self._norm(self.loaded.get(k))}
        changed_by_them = {
            k for k in ORDER if self._norm(theirs.get(k)) != self._norm(self.loaded.get(k))
        }
        lines = []
        for field in ORDER:
            label = accounts.LABELS[field]
            their_value = _shown(theirs.get(field))
            if field in mine and field in changed_by_them:
                lines.append(
                    f"{label}: theirs {their_value} · yours {_shown(current.get(field))} "
                    "(both changed; re-applying keeps yours)"
                )
            elif field in changed_by_them:
                lines.append(f"{label}: theirs {their_value} (taken into your form)")
                self._set_field(field, theirs.get(field))
            elif field in mine:
                lines.append(f"{label}: yours {_shown(current.get(field))}")
        self.loaded = dict(theirs)
        self.version = getattr(error, "version", self.version)
        self._say(
            f"{error}\n" + "\n".join(lines) + "\nctrl+s re-applies your edits; "
            "ctrl+r reloads their version and drops yours.",
            True,
        )

    def _ask(self, title: str, then: Any) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(
            ConfirmScreen(title, "Your unsaved changes will be lost.", "Discard", danger=True),
            answered,
        )

    def action_account_actions(self) -> None:
        from custtui.screens.account_actions import AccountActionsScreen, available

        if self.customer_id is None:
            return
        customer_id = self.customer_id
        confirm_required = bool(self.forms) and self.unconfirmed
        confirms = {
            "delete": (
                f"Delete customer #{customer_id}?",
                "The account, its addresses and subscriptions are deleted; its history stays "
                "in the audit log.",
                "Delete",
            ),
            "force_sign_in": (
                "Force Sign-In?",
                "Every storefront session of this customer ends now; they must sign in again.",
                "Sign out everywhere",
            ),
        }

        def chosen(key: str | None) -> None:
            if key is None:
                return
            if key not in confirms:
                self._account_action(key, customer_id)
                return
            title, message, label = confirms[key]

            def answered(yes: bool | None) -> None:
                if yes:
                    self._account_action(key, customer_id)

            self.app.push_screen(ConfirmScreen(title, message, label, danger=True), answered)

        actor = self.app.actor  # type: ignore[attr-defined]
        self.app.push_screen(
            AccountActionsScreen(
                available(actor, locked=self.locked, unconfirmed=confirm_required)
            ),
            chosen,
        )

    @work(thread=True, exit_on_error=False, group="editor-actions")
    def _account_action(self, key: str, customer_id: int) -> None:
        from custtui.services import mass_actions, password_reset, sessions
        from custtui.services.grid import Selection

        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            if key == "delete":
                in_thread(mass_actions.delete, actor, Selection.of([customer_id]))
                self.app.call_from_thread(self._deleted)
                return
            if key == "unlock":
                text = in_thread(mass_actions.unlock, actor, Selection.of([customer_id])).message
            elif key == "reset_password":
                in_thread(password_reset.send_by_staff, actor, customer_id)
                text = "The customer will receive an email with a link to reset password."
                self.app.call_from_thread(self._deliver_mail)
            elif key == "force_sign_in":
                ended = in_thread(sessions.force_sign_in, actor, customer_id)
                text = (
                    f"You signed the customer out of {ended} session(s)."
                    if ended
                    else "The customer had no active sessions; any new sign-in is required."
                )
            else:
                done = in_thread(accounts.confirm_email, actor, customer_id)
                text = "Email confirmed." if done else "The email was already confirmed."
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._reload_with, text)

    # -- Addresses tab ----------------------------------------------------------------
    def open_address_form(self, entry: BookEntry | None) -> None:
        from custtui.screens.address_form import AddressFormScreen

        if self.customer_id is None:
            return

        def saved(address_id: int | None) -> None:
            if address_id is not None:
                self._reload_with("You saved the address.")

        self.app.push_screen(
            AddressFormScreen(
                self.customer_id,
                self.website_id,
                entry.values if entry else None,
                is_billing=entry.billing if entry else False,
                is_shipping=entry.shipping if entry else False,
            ),
            saved,
        )

    def address_action(self, key: str, entry: BookEntry) -> None:
        if key != "delete":
            self._address_action(key, entry.id)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._address_action("delete", entry.id)

        extra = (
            " It is the default billing or shipping address."
            if (entry.billing or entry.shipping)
            else ""
        )
        self.app.push_screen(
            ConfirmScreen(
                f"Delete address #{entry.id}?",
                f"{entry.line}\n\nThe address is removed from the address book.{extra}",
                "Delete",
                danger=True,
            ),
            answered,
        )

    @work(thread=True, exit_on_error=False, group="editor-addresses")
    def _address_action(self, key: str, address_id: int) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            if key == "delete":
                in_thread(addresses.delete, actor, address_id)
                text = "You deleted the address."
            else:
                in_thread(
                    addresses.make_default,
                    actor,
                    address_id,
                    billing=key == "billing",
                    shipping=key == "shipping",
                )
                text = f"Address #{address_id} is now the default {key} address."
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._reload_with, text)

    # -- Newsletter tab ---------------------------------------------------------------
    def toggle_newsletter(self, row: newsletter.Subscription) -> None:
        self._toggle_newsletter(row.store_view_id, row.store_view, not row.subscribed)

    @work(thread=True, exit_on_error=False, group="editor-newsletter")
    def _toggle_newsletter(self, store_view_id: int, store_view: str, subscribe: bool) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        if self.customer_id is None:
            return
        try:
            in_thread(newsletter.set_subscribed, actor, self.customer_id, store_view_id, subscribe)
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        text = (
            f"Subscribed to the newsletter on {store_view}."
            if subscribe
            else f"Unsubscribed from the newsletter on {store_view}."
        )
        self.app.call_from_thread(self._reload_with, text)

    def _reload_with(self, notice: str) -> None:
        self._notice = notice
        self.load()

    def _deleted(self) -> None:
        from custtui.screens.customers import CustomersScreen

        self.notify("You deleted the customer.", markup=False, timeout=5)
        self.app.go_to("customers")  # type: ignore[attr-defined]
        if isinstance(self.app.screen, CustomersScreen):
            self.app.screen.run_query()

    def action_reset(self) -> None:
        if self.dirty():
            self._ask("Discard your changes?", self.load)
        else:
            self.load()

    def action_back(self) -> None:
        if self.dirty():
            self._ask("Leave without saving?", self._leave)
        else:
            self._leave()
