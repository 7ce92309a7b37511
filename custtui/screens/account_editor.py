"""The account editor: Account Information (create or edit), Addresses and Timeline tabs.

Validation and conflicts come from :mod:`custtui.services.accounts`; the form shows every
problem next to its field and keeps what was typed. A save that lost a race with another agent
shows their values beside yours and offers to reload.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import work
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

from custtui.models import CustomerGroup, StoreView, Website
from custtui.screens.confirm import ConfirmScreen
from custtui.screens.dbwork import in_thread
from custtui.services import accounts, addresses, audit
from custtui.services.customers import full_name
from custtui.services.errors import Conflict, NotFound, ServiceError, ValidationError
from custtui.services.grid_columns import GENDERS
from custtui.widgets.inputs import TextInput
from custtui.widgets.text import plain

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


def _choices() -> dict[str, list[tuple[str, Any]]]:
    return {
        "website_id": [(w.name, w.id) for w in Website.select().order_by(Website.id)],
        "group_id": [
            (g.code, g.id) for g in CustomerGroup.select().order_by(CustomerGroup.id) if g.id != 0
        ],
        "gender": [(name, value) for value, name in GENDERS.items()],
        "store_view_id": [(s.name, s.id) for s in StoreView.select().order_by(StoreView.id)],
    }


def _load(customer_id: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"choices": _choices()}
    if customer_id is None:
        data.update(values={"website_id": 1, "group_id": 1}, version=None, book=[], timeline=[])
        return data
    from custtui.models import Customer

    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist (it may have been deleted).")
    data["values"] = accounts.snapshot(customer)
    data["version"] = customer.version
    data["title"] = full_name(customer)
    data["book"] = [
        (
            a.id,
            a.id == customer.default_billing,
            a.id == customer.default_shipping,
            f"{full_name(a)}, {a.street.replace(chr(10), ', ')}, {a.city}, {a.country_id}",
        )
        for a in addresses.book(customer_id)
    ]
    data["timeline"] = [
        (e.created_at, e.staff_username or "system", audit.describe(e))
        for e in audit.entries(customer_id=customer_id, limit=500)
    ]
    return data


class AccountEditorScreen(Screen[None]):
    """Add New Customer (customer_id None) or edit an existing one."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save and Continue Edit", id="editor.save"),
        Binding("escape", "back", "Back", id="editor.back"),
        Binding("ctrl+r", "reset", "Reset", id="editor.reset"),
        Binding("ctrl+o", "account_actions", "Account actions", id="editor.actions"),
    ]

    DEFAULT_CSS = """
    AccountEditorScreen .row { height: 1; }
    AccountEditorScreen .row Label { width: 34; padding: 0 1; }
    AccountEditorScreen .row TextInput, AccountEditorScreen .row Select { width: 1fr;
        background: $boost; }
    AccountEditorScreen .row Checkbox { border: none; padding: 0; height: 1; }
    AccountEditorScreen .error { color: $text-error; padding-left: 35; height: auto;
        min-height: 1; }
    AccountEditorScreen #tabs { height: 1fr; }
    AccountEditorScreen #message { height: auto; max-height: 8; padding: 0 1;
        background: $panel; }
    AccountEditorScreen #message.-error { color: $text-error; }
    """

    def __init__(self, customer_id: int | None = None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.version: int | None = None
        self.loaded: dict[str, Any] = {}
        self.choices: dict[str, list[tuple[str, Any]]] = {}
        self._notice: str | None = None
        self.title = "New Customer" if customer_id is None else f"Customer #{customer_id}"

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs"):
            with TabPane("Account Information", id="account"):
                yield VerticalScroll(id="form")
            with TabPane("Addresses", id="addresses"):
                yield Static("", id="book", markup=False)
            with TabPane("Timeline", id="timeline"):
                yield Static("", id="history", markup=False)
        yield Static("Loading…", id="message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

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
        self.loaded = dict(data["values"])
        self.version = data["version"]
        if self.customer_id is not None:
            self.sub_title = data["title"]
        form = self.query_one("#form", VerticalScroll)
        await form.remove_children()
        widgets = []
        for field in ORDER:
            value = self.loaded.get(field)
            label = accounts.LABELS[field]
            if field in SELECT_FIELDS:
                options = [(Text(name), v) for name, v in self.choices[field]]
                control: Any = Select(
                    options,
                    value=value if value is not None else Select.NULL,
                    id=f"in-{field}",
                    compact=True,
                    allow_blank=field in ("gender", "store_view_id"),
                )
            elif field in CHECK_FIELDS:
                control = Checkbox("", bool(value), id=f"in-{field}", compact=True)
            else:
                shown = value.isoformat() if isinstance(value, date) else (value or "")
                control = TextInput(
                    str(shown),
                    id=f"in-{field}",
                    compact=True,
                    placeholder="YYYY-MM-DD" if field == "dob" else "",
                )
            widgets.append(Horizontal(Label(label), control, classes="row"))
            widgets.append(Static("", classes="error", id=f"err-{field}", markup=False))
        await form.mount_all(widgets)
        self.query_one("#book", Static).update(self._book(data["book"]))
        self.query_one("#history", Static).update(self._timeline(data["timeline"]))
        notice, self._notice = self._notice, None
        self._say(
            notice
            or (
                "New customer — ctrl+s saves."
                if self.customer_id is None
                else "ctrl+s save · ctrl+r reset · ctrl+o account actions · esc back"
            )
        )
        self.query_one("#in-firstname", TextInput).focus()

    @staticmethod
    def _book(book: list[tuple[int, bool, bool, str]]) -> Text:
        if not book:
            return Text("The customer has no addresses yet.")
        out = Text()
        for address_id, billing, shipping, line in book:
            tags = " ".join(
                t
                for t, on in (("[default billing]", billing), ("[default shipping]", shipping))
                if on
            )
            out.append(f"#{address_id} ", style="bold")
            out.append_text(plain(line))
            if tags:
                out.append(f"  {tags}", style="italic")
            out.append("\n")
        return out

    @staticmethod
    def _timeline(rows: list[tuple[Any, str, str]]) -> Text:
        if not rows:
            return Text("No history yet.")
        out = Text()
        for when, who, what in rows:
            out.append(f"{when:%Y-%m-%d %H:%M}  ", style="dim")
            out.append(f"{who:<12} ", style="bold")
            out.append_text(plain(what))
            out.append("\n")
        return out

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in ORDER:
            widget = self.query_one(f"#in-{field}")
            if field in SELECT_FIELDS:
                value = widget.value  # type: ignore[attr-defined]
                out[field] = None if value is Select.NULL else value
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
            self.query_one(f"#err-{field}", Static).update(errors.get(field, ""))

    def action_save(self) -> None:
        if not self.query("#in-firstname"):
            return
        self._save(self.values())

    @work(thread=True, exit_on_error=False, exclusive=True, group="editor-save")
    def _save(self, values: dict[str, Any]) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            if self.customer_id is None:
                customer = in_thread(accounts.create, actor, values)
                self.app.call_from_thread(self._saved, customer.id, "Customer created.")
            else:
                result = in_thread(accounts.update, actor, self.customer_id, self.version, values)
                words = ", ".join(accounts.LABELS[k] for k in result.changed) or "nothing"
                self.app.call_from_thread(self._saved, self.customer_id, f"Saved: {words}.")
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

    def _saved(self, customer_id: int, text: str) -> None:
        self.customer_id = customer_id
        self.title = f"Customer #{customer_id}"
        self._errors({})
        self.notify(text, markup=False, timeout=4)
        self.load()

    def _conflict(self, error: Conflict) -> None:
        theirs = getattr(error, "theirs", None) or {}
        mine = self.values()
        differences = [
            f"{accounts.LABELS[k]}: theirs {theirs.get(k)!s} · yours {mine.get(k)!s}"
            for k in ORDER
            if k in theirs and str(theirs.get(k) or "") != str(mine.get(k) or "")
        ]
        self._say(
            f"{error}\n" + "\n".join(differences) + "\nctrl+s re-applies your edits over theirs; "
            "ctrl+r reloads their version.",
            True,
        )
        self.version = getattr(error, "version", self.version)

    def _ask(self, title: str, then: Any) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(
            ConfirmScreen(title, "Your unsaved changes will be lost.", "Discard", danger=True),
            answered,
        )

    def action_account_actions(self) -> None:
        from custtui.screens.account_actions import AccountActionsScreen

        if self.customer_id is None:
            return
        customer_id = self.customer_id

        def chosen(key: str | None) -> None:
            if key == "delete":

                def answered(yes: bool | None) -> None:
                    if yes:
                        self._account_action("delete", customer_id)

                self.app.push_screen(
                    ConfirmScreen(
                        f"Delete customer #{customer_id}?",
                        "The account, its addresses and subscriptions are deleted; its history "
                        "stays in the audit log.",
                        "Delete",
                        danger=True,
                    ),
                    answered,
                )
            elif key in ("unlock", "confirm"):
                self._account_action(key, customer_id)

        self.app.push_screen(AccountActionsScreen(), chosen)

    @work(thread=True, exit_on_error=False, group="editor-actions")
    def _account_action(self, key: str, customer_id: int) -> None:
        from custtui.services import mass_actions
        from custtui.services.grid import Selection

        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            if key == "delete":
                in_thread(mass_actions.delete, actor, Selection.of([customer_id]))
                self.app.call_from_thread(self._deleted)
                return
            if key == "unlock":
                text = in_thread(mass_actions.unlock, actor, Selection.of([customer_id])).message
            else:
                done = in_thread(accounts.confirm_email, actor, customer_id)
                text = "Email confirmed." if done else "The email was already confirmed."
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
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
            self._ask("Leave without saving?", self.app.pop_screen)
        else:
            self.app.pop_screen()
