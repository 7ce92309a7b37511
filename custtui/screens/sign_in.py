"""Staff sign-in, and the lock screen after the idle timeout.

The password check runs in a thread worker (bcrypt takes ~200 ms). A locked screen cannot be
dismissed: only the same staff member's password (or quitting) gets past it.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from custtui.screens.dbwork import in_thread
from custtui.services import staff_accounts
from custtui.services.actor import Actor
from custtui.services.errors import ServiceError
from custtui.widgets.inputs import TextInput


class SignInScreen(Screen[Actor]):
    """Dismisses with the signed-in Actor."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="sign_in.quit")]

    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen > Vertical {
        width: 60; max-width: 100%; height: auto; padding: 1 2;
        border: thick $accent; background: $surface;
    }
    SignInScreen #heading { text-style: bold; margin-bottom: 1; }
    SignInScreen Label { margin-top: 1; }
    SignInScreen TextInput { background: $boost; }
    SignInScreen #sign-in-message { margin-top: 1; height: auto; }
    SignInScreen #sign-in-message.-error { color: $text-error; }
    SignInScreen Button { margin-top: 1; }
    """

    def __init__(self, username: str | None = None, *, locked_for: Actor | None = None) -> None:
        super().__init__()
        self.username = locked_for.username if locked_for else (username or "")
        self.locked_for = locked_for

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.locked_for:
                yield Static(
                    f"Locked after inactivity — {self.locked_for.username}, enter your password "
                    "to continue.",
                    id="heading",
                    markup=False,
                )
            else:
                yield Static("custtui — staff sign-in", id="heading", markup=False)
            yield Label("Username")
            yield TextInput(
                self.username, id="username", compact=True, disabled=self.locked_for is not None
            )
            yield Label("Password")
            yield TextInput("", id="password", password=True, compact=True)
            yield Static("", id="sign-in-message", markup=False)
            yield Button("Sign In", id="sign-in", variant="primary", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#password" if self.username else "#username", TextInput).focus()

    @on(Input.Submitted, "#username")
    def _next(self) -> None:
        self.query_one("#password", TextInput).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def _submit(self) -> None:
        username = self.query_one("#username", TextInput).value.strip()
        password = self.query_one("#password", TextInput).value
        if not username:
            self._say("Enter your username.", True)
            self.query_one("#username", TextInput).focus()
            return
        self._say("Checking…")
        self._check(username, password)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _check(self, username: str, password: str) -> None:
        try:
            actor = in_thread(staff_accounts.sign_in, username, password)
        except ServiceError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self.dismiss, actor)

    def _failed(self, message: str) -> None:
        field = self.query_one("#password", TextInput)
        field.value = ""
        field.focus()
        self._say(message, True)

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#sign-in-message", Static)
        message.update(text)
        message.set_class(error, "-error")
