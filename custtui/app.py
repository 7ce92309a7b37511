"""The Textual application: shell (header, footer, menu, palette, themes) around the screens.

:func:`make_app` is the one way to build it, so the CLI, the tests, the snapshots and
``textual run --dev`` all get the same app for a given database, settings and clock.
"""

from __future__ import annotations

import gc
import time
from datetime import tzinfo
from zoneinfo import ZoneInfo

from peewee import Database
from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from custtui import __version__
from custtui.commands import CustomerCommands, PlaceCommands
from custtui.services import clock as clock_service
from custtui.services import config, staff_accounts
from custtui.services.actor import Actor
from custtui.settings import THEMES, Settings


class CusttuiApp(App[None]):
    """custtui: the customers back office."""

    TITLE = "custtui"
    COMMANDS = App.COMMANDS | {CustomerCommands, PlaceCommands}
    BINDINGS = [
        Binding("m", "menu", "Menu", id="app.menu", show=False),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.theme", show=False),
        Binding("f1", "toggle_help", "Keys", id="app.help", show=False),
    ]

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: clock_service.Clock,
        actor: Actor | None = None,
    ) -> None:
        super().__init__()
        self._given_actor = actor
        self.db = db
        self.settings = settings
        self.clock = clock
        self.actor: Actor = Actor(None, "system", "viewer")
        self._with_password = False
        self._last_input = time.monotonic()
        self._idle_timer: Timer | None = None
        self.display_timezone: tzinfo = ZoneInfo("UTC")
        self.sub_title = f"v{__version__}"

    def on_mount(self) -> None:
        clock_service.install(self.clock)
        # Python's full garbage collections scan every live object. Freezing what start-up
        # made (modules, styles, the app) keeps them short (~45 ms → well under 1 ms on a
        # 2-vCPU VM), so live screens such as Now Online don't stutter (bench/online.py).
        # Collect first so no garbage is frozen; on_unmount gives the objects back.
        gc.collect()
        gc.freeze()
        self.theme = self.settings.theme if self.settings.theme in THEMES else THEMES[0]
        try:
            self.display_timezone = ZoneInfo(config.get("general/locale/timezone") or "UTC")
        except (ValueError, KeyError):
            self.display_timezone = ZoneInfo("UTC")
        if self._given_actor is not None:
            self._signed_in(self._given_actor, with_password=False)
            return
        mapped = staff_accounts.for_os_user()
        if mapped is not None and self.settings.staff in (None, mapped.username):
            self._signed_in(mapped, with_password=False)
        else:
            from custtui.screens.sign_in import SignInScreen

            self.push_screen(SignInScreen(self.settings.staff), self._signed_in)

    def _signed_in(self, actor: Actor | None, with_password: bool = True) -> None:
        if actor is None:
            self.exit()
            return
        self.actor = actor
        self.sub_title = f"signed in as {actor.username} ({actor.role})"
        self._with_password = with_password
        self._last_input = time.monotonic()
        self.go_to("customers")
        timeout = staff_accounts.idle_timeout_seconds()
        if with_password and timeout > 0 and self._idle_timer is None:
            self._idle_timer = self.set_interval(min(30.0, timeout / 4), self._check_idle)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        """Lock the screen after the configured inactivity (password sessions only: an
        OS-mapped session is as safe as the ssh login that started it)."""
        from custtui.screens.sign_in import SignInScreen

        timeout = staff_accounts.idle_timeout_seconds()
        if timeout <= 0 or isinstance(self.screen, SignInScreen):
            return
        if time.monotonic() - self._last_input >= timeout:
            self.lock_screen()

    def lock_screen(self) -> None:
        from custtui.screens.sign_in import SignInScreen

        def unlocked(actor: Actor | None) -> None:
            self._last_input = time.monotonic()
            if actor is None:
                self.exit()

        self.push_screen(SignInScreen(locked_for=self.actor), unlocked)

    def on_unmount(self) -> None:
        gc.unfreeze()  # another app in this process (tests) must not inherit our objects

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly is reported, never silently swallowed."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.log.error(f"worker {event.worker.name} failed: {error!r}")
            self.notify(
                f"Something went wrong: {error}", markup=False, severity="error", timeout=10
            )

    def go_to(self, place: str, confirmed: bool = False) -> None:
        """Open a place from the menu or the palette (one instance of each on the stack)."""
        from custtui.screens.customers import CustomersScreen

        if place == "new-customer":
            from custtui.screens.account_editor import AccountEditorScreen

            self.push_screen(AccountEditorScreen())
            return
        if place == "config":
            from custtui.screens.config import CustomerConfigScreen

            if not isinstance(self.screen, CustomerConfigScreen):
                self.push_screen(CustomerConfigScreen())
            return
        if place == "audit-log":
            from custtui.screens.audit_log import AuditLogScreen

            if any(isinstance(s, AuditLogScreen) for s in self.screen_stack):
                while not isinstance(self.screen, AuditLogScreen):
                    self.pop_screen()
            else:
                self.push_screen(AuditLogScreen())
            return
        if place == "online":
            from custtui.screens.now_online import NowOnlineScreen

            if any(isinstance(s, NowOnlineScreen) for s in self.screen_stack):
                while not isinstance(self.screen, NowOnlineScreen):
                    self.pop_screen()
            else:
                self.push_screen(NowOnlineScreen())
            return
        if place in ("outbox", "email-templates"):
            from custtui.screens.email_templates import EmailTemplatesScreen
            from custtui.screens.outbox import OutboxScreen

            kind = OutboxScreen if place == "outbox" else EmailTemplatesScreen
            if any(isinstance(s, kind) for s in self.screen_stack):
                while not isinstance(self.screen, kind):
                    self.pop_screen()
            else:
                self.push_screen(kind())
            return
        if place == "customers":
            unsaved = [
                s for s in self.screen_stack if callable(getattr(s, "dirty", None)) and s.dirty()
            ]
            if unsaved and not confirmed:
                from custtui.screens.confirm import ConfirmScreen

                def answered(yes: bool | None) -> None:
                    if yes:
                        self.go_to("customers", confirmed=True)

                self.push_screen(
                    ConfirmScreen(
                        "Leave without saving?",
                        "Your unsaved changes will be lost.",
                        "Discard",
                        danger=True,
                    ),
                    answered,
                )
                return
            while len(self.screen_stack) > 1 and not isinstance(self.screen, CustomersScreen):
                self.pop_screen()
            if not isinstance(self.screen, CustomersScreen):
                self.push_screen(CustomersScreen())

    def open_customer(self, customer_id: int) -> None:
        """The customer's page, on its Customer View tab."""
        from custtui.screens.account_editor import AccountEditorScreen

        self.push_screen(AccountEditorScreen(customer_id))

    def deliver_mail(self) -> None:
        """Deliver queued email in the background after a change that queued some."""
        self._deliver_mail()

    @work(thread=True, exclusive=True, group="mail-delivery", exit_on_error=False)
    def _deliver_mail(self) -> None:
        from custtui.screens.dbwork import in_thread
        from custtui.services import mail

        report = in_thread(mail.deliver_pending)
        if report.failed:
            self.call_from_thread(
                self.notify,
                f"{report.failed} email(s) could not be delivered; see the Email Outbox.",
                markup=False,
                severity="warning",
                timeout=8,
            )

    def action_menu(self) -> None:
        from custtui.screens.menu import MenuScreen

        def chosen(key: str | None) -> None:
            if key == "customers":
                self.go_to("customers")
            elif key == "online":
                self.go_to("online")
            elif key == "config":
                self.go_to("config")
            elif key in ("outbox", "email-templates"):
                self.go_to(key)
            elif key == "audit-log":
                self.go_to("audit-log")
            elif key == "palette":
                self.action_command_palette()
            elif key == "theme":
                self.action_toggle_theme()
            elif key == "keys":
                self.action_toggle_help()
            elif key == "quit":
                self.exit()

        self.push_screen(MenuScreen(), chosen)

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def make_app(
    db: Database,
    settings: Settings | None = None,
    clock: clock_service.Clock | None = None,
    actor: Actor | None = None,
) -> CusttuiApp:
    """Build the app for an opened, migrated database.

    *actor* is a staff member the caller has already authenticated (tests, embedding); without
    it the app signs the person in (OS-user mapping or the sign-in screen).
    """
    return CusttuiApp(db, settings or Settings(), clock or clock_service.SystemClock(), actor)
