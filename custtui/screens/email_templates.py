"""Marketing › Email Templates: the customer emails, and an editor for their subject and body.

The list marks customised templates (●). The editor has the Subject, the Body, the variables
this template may use and a live preview filled with sample values. ctrl+s saves through
:func:`custtui.services.mail_templates.save`, which checks everything: each problem is shown
under its field and what was typed stays. ctrl+r reverts to the built-in text after a
confirmation; esc asks before dropping unsaved edits. Needs ``EMAIL_TEMPLATES`` (admin).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from custtui.screens.confirm import ConfirmScreen
from custtui.screens.dbwork import in_thread
from custtui.services import mail_templates, permissions
from custtui.services.errors import ServiceError, ValidationError
from custtui.widgets.inputs import TextInput
from custtui.widgets.text import plain


def _changed_on(info: mail_templates.TemplateInfo | mail_templates.Template, app: object) -> str:
    if not info.customised:
        return "built-in"
    tz = getattr(app, "display_timezone", None) or ZoneInfo("UTC")
    when = info.updated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if info.updated_at else ""
    return f"customised {when} by {info.updated_by or '?'}".replace("  ", " ")


class EmailTemplatesScreen(Screen[None]):
    """The list of customer email templates."""

    TITLE = "Email Templates"

    BINDINGS = [
        Binding("escape", "back", "Back", id="email_templates.back"),
        Binding("ctrl+r", "reload", "Reload", id="email_templates.reload", show=False),
    ]

    DEFAULT_CSS = """
    EmailTemplatesScreen #intro { height: auto; padding: 0 1; color: $foreground-muted; }
    EmailTemplatesScreen #intro.-error { color: $text-error; }
    EmailTemplatesScreen #templates { height: 1fr; border: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.refused: str | None = None
        self.templates: list[mail_templates.TemplateInfo] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Text("The emails customers get. ● customised · enter edits · esc back"), id="intro"
        )
        yield OptionList(id="templates")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refused = permissions.reason(
            self.app.actor,  # type: ignore[attr-defined]
            permissions.EMAIL_TEMPLATES,
        )
        templates = self.query_one("#templates", OptionList)
        if self.refused is not None:
            intro = self.query_one("#intro", Static)
            intro.update(Text(self.refused))
            intro.add_class("-error")
            templates.display = False
            return
        templates.focus()
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="email-templates")
    def load(self) -> None:
        found = in_thread(mail_templates.list_templates)
        self.app.call_from_thread(self._loaded, found)

    def _loaded(self, found: list[mail_templates.TemplateInfo]) -> None:
        self.templates = found
        templates = self.query_one("#templates", OptionList)
        keep = templates.highlighted or 0
        templates.clear_options()
        for info in found:
            line = Text()
            line.append("● " if info.customised else "  ", style="bold")
            line.append(info.title, style="bold" if info.customised else "")
            line.append(f"  {_changed_on(info, self.app)}", style="dim")
            line.append(f"\n  {info.code}", style="dim")
            templates.add_option(Option(line, id=info.code))
        templates.highlighted = min(keep, len(found) - 1) if found else None

    @on(OptionList.OptionSelected, "#templates")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(TemplateEditorScreen(event.option.id))

    def on_screen_resume(self) -> None:
        """Back from the editor: show what it saved or reverted."""
        if self.refused is None and self.templates:
            self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        if self.refused is None:
            self.load()


class TemplateEditorScreen(Screen[None]):
    """Subject and body of one template, with its variables and a live preview."""

    TITLE = "Edit Email Template"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="template_editor.save"),
        Binding("ctrl+r", "revert", "Revert to Default", id="template_editor.revert"),
        Binding("escape", "back", "Back", id="template_editor.back"),
    ]

    DEFAULT_CSS = """
    TemplateEditorScreen #heading { height: 1; padding: 0 1; text-style: bold; }
    TemplateEditorScreen #subject-row { height: 1; padding: 0 1; margin-top: 1; }
    TemplateEditorScreen #subject-row Label { width: 9; }
    TemplateEditorScreen #subject { width: 1fr; background: $boost; }
    TemplateEditorScreen .error { height: auto; padding: 0 1 0 10; color: $text-error; }
    TemplateEditorScreen .-invalid { background: $error 25%; }
    TemplateEditorScreen #panes { height: 1fr; margin-top: 1; }
    TemplateEditorScreen #edit { width: 1fr; }
    TemplateEditorScreen #side { width: 1fr; border-left: solid $panel-lighten-2; }
    TemplateEditorScreen .pane-title { height: 1; padding: 0 1; color: $text-accent; }
    TemplateEditorScreen #body { height: 1fr; border: none; padding: 0 1; }
    TemplateEditorScreen #body .error { padding: 0 1; }
    TemplateEditorScreen #e-body { padding: 0 1; }
    TemplateEditorScreen #preview-scroll { height: 1fr; padding: 0 1; }
    TemplateEditorScreen #variables { height: auto; max-height: 6; padding: 0 1;
        color: $foreground-muted; border-top: solid $panel-lighten-2; }
    TemplateEditorScreen #message { height: auto; max-height: 3; padding: 0 1;
        background: $panel; }
    TemplateEditorScreen #message.-error { color: $text-error; }
    """

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.template: mail_templates.Template | None = None
        self.saved: tuple[str, str] | None = None
        self.errors: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(self.code), id="heading")
        with Horizontal(id="subject-row"):
            yield Label("Subject")
            yield TextInput(id="subject", compact=True, max_length=1000, select_on_focus=False)
        yield Static("", id="e-subject", classes="error", markup=False)
        with Horizontal(id="panes"):
            with Vertical(id="edit"):
                yield Static(Text("Body"), classes="pane-title")
                yield TextArea(
                    id="body",
                    soft_wrap=True,
                    show_line_numbers=False,
                    tab_behavior="focus",
                )
                yield Static("", id="e-body", classes="error", markup=False)
            with Vertical(id="side"):
                yield Static(Text("Preview with sample values"), classes="pane-title")
                with VerticalScroll(id="preview-scroll"):
                    yield Static(Text(""), id="preview")
                yield Static(Text(""), id="variables")
        yield Static(Text("Loading…"), id="message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        body = self.query_one("#body", TextArea)
        body.match_cursor_bracket = False  # every {{var}} would light up as a bracket pair
        settings = getattr(self.app, "settings", None)
        if settings is not None and not getattr(settings, "cursor_blink", True):
            body.cursor_blink = False
        self._show_errors({})
        self.load()

    # ---------------------------------------------------------------- loading
    @work(thread=True, exit_on_error=False, exclusive=True, group="template-load")
    def load(self) -> None:
        try:
            template = in_thread(mail_templates.get, self.code)
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._loaded, template)

    def _loaded(self, template: mail_templates.Template, notice: str | None = None) -> None:
        self.template = template
        self.saved = (template.subject, template.body)
        subject = self.query_one("#subject", Input)
        body = self.query_one("#body", TextArea)
        subject.value = template.subject
        body.load_text(template.body)
        self._heading()
        names = ", ".join(template.variables)
        self.query_one("#variables", Static).update(
            Text(f"Variables, written {{{{var name}}}}: {names}.")
        )
        self._preview()
        refused = permissions.reason(
            self.app.actor,  # type: ignore[attr-defined]
            permissions.EMAIL_TEMPLATES,
        )
        if refused:
            self._say(f"Read-only: {refused}", True)
        else:
            self._say(notice or f"{template.description} ctrl+s saves · ctrl+r reverts · esc back")
        if not self.errors:
            subject.focus()

    def _heading(self) -> None:
        if self.template is None:
            return
        text = Text()
        text.append(self.template.title, style="bold")
        text.append(f" · {_changed_on(self.template, self.app)}", style="not bold dim")
        self.query_one("#heading", Static).update(text)

    # ----------------------------------------------------------------- state
    def typed(self) -> tuple[str, str]:
        return (self.query_one("#subject", Input).value, self.query_one("#body", TextArea).text)

    def dirty(self) -> bool:
        """Unsaved edits (what the app's "leave without saving?" guard asks)."""
        return self.saved is not None and self.typed() != self.saved

    def _preview(self) -> None:
        subject, body = self.typed()
        shown = mail_templates.preview(self.code, subject, body)
        text = Text()
        text.append("Subject: ", style="bold")
        text.append_text(plain(shown.subject))
        text.append("\n\n")
        text.append_text(plain(shown.body))
        self.query_one("#preview", Static).update(text)

    @on(Input.Changed, "#subject")
    @on(TextArea.Changed, "#body")
    def _edited(self) -> None:
        if self.template is not None:
            self._preview()

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(Text(text))
        message.set_class(error, "-error")

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        for field in ("subject", "body"):
            message = errors.get(field, "")
            widget = self.query_one(f"#e-{field}", Static)
            widget.update(Text(f"✗ {message}") if message else Text(""))
            widget.display = bool(message)
            self.query_one(f"#{field}").set_class(bool(message), "-invalid")

    # --------------------------------------------------------------- actions
    def action_save(self) -> None:
        if self.template is None:
            return
        subject, body = self.typed()
        self._save(subject, body)

    @work(thread=True, exit_on_error=False, exclusive=True, group="template-save")
    def _save(self, subject: str, body: str) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            template = in_thread(mail_templates.save, actor, self.code, subject, body)
        except ValidationError as error:
            self.app.call_from_thread(self._invalid, error.errors)
            return
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._saved, template)

    def _invalid(self, errors: dict[str, str]) -> None:
        self._show_errors(errors)
        self._say(f"Not saved: {len(errors)} field(s) need attention.", True)
        first = next(f for f in ("subject", "body") if f in errors)
        self.query_one(f"#{first}").focus()

    def _saved(self, template: mail_templates.Template) -> None:
        self._show_errors({})
        text = f"You saved the email template “{template.title}”."
        self.notify(text, markup=False, timeout=4)
        self.template = template
        self.saved = self.typed()
        self._heading()
        self._say(text)

    def action_revert(self) -> None:
        if self.template is None:
            return
        if not self.template.customised and not self.dirty():
            self._say("This template already has its built-in text.")
            return
        lost = (
            "your version is lost. Emails already queued keep the text they were sent with."
            if self.template.customised
            else "your unsaved changes are lost."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._revert()

        self.app.push_screen(
            ConfirmScreen(
                f"Revert “{self.template.title}” to the default?",
                f"The subject and body go back to custtui's built-in text; {lost}",
                "Revert to Default",
                danger=True,
            ),
            answered,
        )

    @work(thread=True, exit_on_error=False, exclusive=True, group="template-save")
    def _revert(self) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            in_thread(mail_templates.revert, actor, self.code)
            template = in_thread(mail_templates.get, self.code)
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._reverted, template)

    def _reverted(self, template: mail_templates.Template) -> None:
        self._show_errors({})
        text = f"“{template.title}” has its built-in text again."
        self.notify(text, markup=False, timeout=4)
        self._loaded(template, text)

    def action_back(self) -> None:
        if not self.dirty():
            self.app.pop_screen()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmScreen(
                "Leave without saving?",
                "Your changes to this template will be lost.",
                "Discard",
                danger=True,
            ),
            answered,
        )
