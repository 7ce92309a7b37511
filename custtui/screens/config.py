"""Settings › Customer Configuration: Magento's Customer Configuration form, by scope.

A scope switcher (Default Config or a website), the sections on the left and the chosen
section's options on the right. Each option shows its value, its scope tag, what it inherits,
a "Use Default Value" / "Use system value" checkbox and Magento's help; options that Magento
shows only when another is set follow that option live. ctrl+s saves the section through
:func:`custtui.services.config.set_values`: every problem is shown next to its field and the
form keeps what was typed. Rules (ranges, scopes, account sharing) live in the service.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Label, OptionList, Select, Static
from textual.widgets.option_list import Option as ListOption

from custtui.screens.confirm import ConfirmScreen
from custtui.screens.dbwork import in_thread
from custtui.services import config, config_schema, permissions
from custtui.services.config_schema import Option, Section
from custtui.services.errors import ServiceError, ValidationError
from custtui.widgets.inputs import TextInput

DEFAULT_SCOPE = "*default*"
"""The scope switcher's value for Default Config (website codes never contain ``*``)."""

INPUT_LIMIT = 2000
"""Longer pastes are typing accidents; the service reports the real limit of each option."""


def _normal(opt: Option, value: str) -> str:
    """A stored value as the form's control holds it (Yes/No stored as '' reads as No)."""
    if opt.kind == "yesno":
        return "1" if value.strip() == "1" else "0"
    return value


class CustomerConfigScreen(Screen[None]):
    """Stores › Configuration › Customers › Customer Configuration."""

    TITLE = "Customer Configuration"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save Config", id="config.save"),
        Binding("escape", "back", "Back", id="config.back"),
        Binding("ctrl+r", "reload", "Reload", id="config.reload"),
    ]

    DEFAULT_CSS = """
    CustomerConfigScreen #scopebar { height: 1; background: $panel; }
    CustomerConfigScreen #scopebar > Label { width: auto; padding: 0 1; }
    CustomerConfigScreen #scope { width: 30; }
    CustomerConfigScreen #body { height: 1fr; }
    CustomerConfigScreen #sections { width: 31; height: 100%; border: none;
        border-right: solid $panel-lighten-2; }
    CustomerConfigScreen #form { width: 1fr; padding: 0 1; }
    CustomerConfigScreen .option { height: auto; margin-bottom: 1; }
    CustomerConfigScreen .option.-hidden { display: none; }
    CustomerConfigScreen .head { height: auto; }
    CustomerConfigScreen .head > Label { width: 1fr; text-style: bold; }
    CustomerConfigScreen .tag { width: auto; color: $text-muted; padding-left: 1; }
    CustomerConfigScreen .row > Checkbox { width: auto; height: 1; border: none;
        padding: 0; margin-left: 1; }
    CustomerConfigScreen #form > .title { text-style: bold; }
    CustomerConfigScreen #form > .hint { color: $text-muted; margin-bottom: 1; }
    CustomerConfigScreen .row { height: 1; }
    CustomerConfigScreen .control { width: 1fr; background: $boost; }
    CustomerConfigScreen .help { color: $text-muted; height: auto; }
    CustomerConfigScreen .error { color: $text-error; height: auto; display: none; }
    CustomerConfigScreen .error.-shown { display: block; }
    CustomerConfigScreen #message { height: auto; max-height: 5; padding: 0 1;
        background: $panel; }
    CustomerConfigScreen #message.-error { color: $text-error; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.website_code: str | None = None
        self.section: Section = config_schema.SECTIONS[0]
        """The section chosen in the list."""
        self.shown: Section | None = None
        """The section whose fields are on screen (None while they are being rebuilt: a
        key pressed meanwhile must not read fields that are not there yet)."""
        self.data: config.ConfigForm | None = None
        self.readonly_reason: str | None = None
        self._typed: dict[str, str] = {}
        self._building = False
        self._notice: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="scopebar"):
            yield Label("Scope")
            yield Select(
                [(Text("Default Config"), DEFAULT_SCOPE)],
                value=DEFAULT_SCOPE,
                allow_blank=False,
                compact=True,
                id="scope",
            )
        with Horizontal(id="body"):
            yield OptionList(
                *(ListOption(Text(s.title), id=s.key) for s in config_schema.SECTIONS),
                id="sections",
            )
            yield VerticalScroll(id="form")
        yield Static("Loading…", id="message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        self.readonly_reason = permissions.reason(actor, permissions.CONFIG_EDIT)
        # Tab goes straight from the sections to the first field; a read-only form has no
        # focusable field, so there the form itself takes focus to scroll with the keys.
        self.query_one("#form", VerticalScroll).can_focus = bool(self.readonly_reason)
        sections = self.query_one("#sections", OptionList)
        sections.highlighted = 0
        sections.focus()
        self.load()

    # -- loading and building -------------------------------------------------------------
    @work(thread=True, exit_on_error=False, exclusive=True, group="config-load")
    def load(self) -> None:
        try:
            data = in_thread(config.form, self.website_code)
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._loaded, data)

    async def _loaded(self, data: config.ConfigForm) -> None:
        self.shown = None
        self.data = data
        scope = self.query_one("#scope", Select)
        choices = [(Text("Default Config"), DEFAULT_SCOPE)] + [
            (Text(name), code) for code, name in data.websites
        ]
        self._building = True
        if [v for _, v in scope._options] != [v for _, v in choices]:  # noqa: SLF001
            scope.set_options(choices)
        scope.value = self.website_code or DEFAULT_SCOPE
        self._building = False
        self._typed = {}
        await self._build()
        notice, self._notice = self._notice, None
        if self.readonly_reason:
            self._say(f"Read-only: {self.readonly_reason}", True)
        else:
            self._say(
                notice
                or "↑↓ choose a section · tab to its options · ctrl+s saves the section · esc back"
            )

    def _scope_name(self) -> str:
        if self.website_code is None or self.data is None:
            return "Default Config"
        return dict(self.data.websites).get(self.website_code, self.website_code)

    async def _build(self) -> None:
        """(Re)build the section's form from the loaded values."""
        assert self.data is not None
        section, self.shown = self.section, None
        at_website = self.website_code is not None
        hint = (
            f"Applies to {self._scope_name()} only; Use Default Value follows Default Config."
            if at_website
            else "Applies to every website without its own value; Use system value keeps "
            "Magento's default."
        )
        form = self.query_one("#form", VerticalScroll)
        await form.remove_children()
        blocks = [self._block(opt, at_website) for opt in section.options]
        title = Text(f"{section.title} · {self._scope_name()}")
        await form.mount(
            Static(title, classes="title"), Static(Text(hint), classes="hint"), *blocks
        )
        form.scroll_home(animate=False)
        self.shown = section
        self._refresh_dependents()

    def _choices(self, opt: Option, current: str) -> list[tuple[str, str]]:
        assert self.data is not None
        found = list(config_schema.choices_for(opt, self.data.groups))
        if current not in [value for value, _ in found]:
            found.append((current, f"{current or '(empty)'} (not a current choice)"))
        return found

    def _block(self, opt: Option, at_website: bool) -> Vertical:
        assert self.data is not None
        state = self.data.values[opt.path]
        locked = at_website and opt.is_global
        inherit = not state.overridden
        value = _normal(opt, state.value)
        control: Any
        if opt.kind in ("yesno", "select"):
            choices = self._choices(opt, value)
            control = Select(
                [(Text(label), stored) for stored, label in choices],
                value=value,
                allow_blank=False,
                compact=True,
                id=f"in-{opt.key}",
                classes="control",
            )
        else:
            control = TextInput(
                value,
                id=f"in-{opt.key}",
                compact=True,
                max_length=INPUT_LIMIT,
                classes="control",
                placeholder=opt.empty_means,
            )
        control.disabled = bool(self.readonly_reason) or inherit or locked
        inherit_box = Checkbox(
            "Use Default Value" if at_website else "Use system value",
            inherit,
            id=f"inherit-{opt.key}",
            compact=True,
            disabled=bool(self.readonly_reason) or locked,
        )
        return Vertical(
            Horizontal(
                Label(Text(opt.label)), Static(Text(opt.scope_tag), classes="tag"), classes="head"
            ),
            Horizontal(control, inherit_box, classes="row"),
            Static(self._help(opt, state, at_website), classes="help", markup=False),
            Static("", id=f"err-{opt.key}", classes="error", markup=False),
            id=f"opt-{opt.key}",
            classes="option",
        )

    def _help(self, opt: Option, state: config.ScopeValue, at_website: bool) -> str:
        assert self.data is not None
        choices = config_schema.choices_for(opt, self.data.groups)
        parts = []
        if at_website and opt.is_global:
            parts.append(
                "Global setting: it applies to every website; change it in Default Config."
            )
        elif at_website:
            parts.append(
                f"Default Config: {config_schema.label_of(opt, state.inherited, choices)}."
            )
        else:
            parts.append(f"Default: {config_schema.label_of(opt, opt.default, choices)}.")
        if opt.help:
            parts.append(opt.help)
        if opt.depends_on:
            parts.append(opt.depends_on.describe())
        return " ".join(parts)

    # -- reading the form -------------------------------------------------------------------
    def _fields(self) -> tuple[Option, ...]:
        return self.shown.options if self.shown is not None else ()

    def _control(self, opt: Option) -> Any:
        return self.query_one(f"#in-{opt.key}")

    def _control_value(self, opt: Option) -> str:
        widget = self._control(opt)
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        return str(widget.value)

    def _inherits(self, opt: Option) -> bool:
        return bool(self.query_one(f"#inherit-{opt.key}", Checkbox).value)

    def _editable(self, opt: Option) -> bool:
        return not (self.website_code is not None and opt.is_global)

    def _shown(self, opt: Option) -> bool:
        if opt.depends_on is None:
            return True
        controlling = config_schema.option(opt.depends_on.path)
        return opt.depends_on.holds(self._control_value(controlling))

    def pending(self) -> dict[str, str | None]:
        """What ctrl+s would send: path → value, or None for "Use Default"."""
        if self.data is None:
            return {}
        out: dict[str, str | None] = {}
        for opt in self._fields():
            if not self._editable(opt) or not self._shown(opt):
                continue
            state = self.data.values[opt.path]
            if self._inherits(opt):
                if state.overridden:
                    out[opt.path] = None
                continue
            value = self._control_value(opt)
            if not state.overridden or value != _normal(opt, state.value):
                out[opt.path] = value
        return out

    def dirty(self) -> bool:
        return bool(self.pending())

    # -- reacting -------------------------------------------------------------------------
    def _option_for(self, widget_id: str | None, prefix: str) -> Option | None:
        if not widget_id or not widget_id.startswith(prefix):
            return None
        key = widget_id[len(prefix) :]
        return next((o for o in self._fields() if o.key == key), None)

    def _refresh_dependents(self) -> None:
        for opt in self._fields():
            if opt.depends_on is not None:
                self.query_one(f"#opt-{opt.key}").set_class(not self._shown(opt), "-hidden")

    @on(Select.Changed, ".control")
    def _value_changed(self, event: Select.Changed) -> None:
        self._refresh_dependents()

    @on(Checkbox.Changed)
    def _inherit_changed(self, event: Checkbox.Changed) -> None:
        """Use Default on: show the inherited value, keep what was typed for when it is
        switched off again."""
        opt = self._option_for(event.checkbox.id, "inherit-")
        if opt is None or self.data is None:
            return
        control = self._control(opt)
        state = self.data.values[opt.path]
        if event.value:
            self._typed[opt.path] = self._control_value(opt)
            inherited = _normal(opt, state.inherited)
            self._set_control(opt, inherited)
            control.disabled = True
        else:
            control.disabled = bool(self.readonly_reason)
            if opt.path in self._typed:
                self._set_control(opt, self._typed[opt.path])
            if not control.disabled:
                control.focus()
        self._refresh_dependents()

    def _set_control(self, opt: Option, value: str) -> None:
        control = self._control(opt)
        if isinstance(control, Select):
            values = [v for _, v in control._options]  # noqa: SLF001 (no public accessor)
            if value in values:
                control.value = value
        else:
            control.value = value

    @on(OptionList.OptionHighlighted, "#sections")
    def _section_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        key = event.option.id
        if key is None or key == self.section.key or self.data is None:
            return
        target = config_schema.section(key)

        def go() -> None:
            self.section = target
            self.run_worker(self._rebuild, exclusive=True, group="config-build")

        def stay() -> None:
            sections = self.query_one("#sections", OptionList)
            sections.highlighted = sections.get_option_index(self.section.key)

        self._guard(f"Discard your changes to {self.section.title}?", go, stay)

    async def _rebuild(self) -> None:
        self._typed = {}
        self._errors({})
        await self._build()

    @on(OptionList.OptionSelected, "#sections")
    def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a section: go to its first option."""
        first = next((o for o in self._fields() if not self._control(o).disabled), None)
        if first is not None:
            self._control(first).focus()

    @on(Select.Changed, "#scope")
    def _scope_changed(self, event: Select.Changed) -> None:
        if self._building or event.value is Select.NULL or event.value != event.select.value:
            return  # set while loading, or stale (the switcher has moved on since)
        code = None if event.value == DEFAULT_SCOPE else str(event.value)
        if code == self.website_code:
            return

        def go() -> None:
            self.website_code = code
            self.load()

        def stay() -> None:
            self._building = True
            event.select.value = self.website_code or DEFAULT_SCOPE
            self._building = False

        self._guard("Discard your changes and switch scope?", go, stay)

    def _guard(self, title: str, go: Any, stay: Any) -> None:
        """Run *go* at once when nothing is unsaved; otherwise ask, and *stay* on No."""
        if not self.dirty():
            go()
            return

        def answered(yes: bool | None) -> None:
            (go if yes else stay)()

        self.app.push_screen(
            ConfirmScreen(title, "Your unsaved changes will be lost.", "Discard", danger=True),
            answered,
        )

    # -- saving ---------------------------------------------------------------------------
    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def _errors(self, errors: dict[str, str]) -> None:
        for opt in self._fields():
            field = self.query_one(f"#err-{opt.key}", Static)
            field.update(errors.get(opt.path, ""))
            field.set_class(opt.path in errors, "-shown")

    def action_save(self) -> None:
        if self.data is None or self.shown is None:
            return
        if self.readonly_reason:
            self._say(f"Read-only: {self.readonly_reason}", True)
            return
        changes = self.pending()
        if not changes:
            self._errors({})
            self._say(f"Nothing to save in {self.shown.title}.")
            return
        self._save(changes, self.website_code, self.shown)

    @work(thread=True, exit_on_error=False, exclusive=True, group="config-save")
    def _save(
        self, changes: dict[str, str | None], website_code: str | None, section: Section
    ) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            done = in_thread(config.set_values, actor, changes, website_code)
        except ValidationError as error:
            self.app.call_from_thread(self._invalid, error.errors)
            return
        except ServiceError as error:
            self.app.call_from_thread(self._say, str(error), True)
            return
        self.app.call_from_thread(self._saved, len(done), section)

    def _invalid(self, errors: dict[str, str]) -> None:
        self._errors(errors)
        shown = [o for o in self._fields() if o.path in errors]
        many = len(errors) != 1
        self._say(
            f"Not saved: {len(errors)} setting{'s' if many else ''} "
            f"need{'' if many else 's'} attention.",
            True,
        )
        if shown:
            self.query_one(f"#opt-{shown[0].key}").scroll_visible(animate=False)
            control = self._control(shown[0])
            if not control.disabled:
                control.focus()

    def _saved(self, count: int, section: Section) -> None:
        where = self._scope_name()
        text = (
            f"You saved the configuration: {count} setting{'' if count == 1 else 's'} changed "
            f"in {section.title} ({where})."
        )
        self.notify(text, markup=False, timeout=5)
        self._notice = text
        self.load()

    # -- leaving --------------------------------------------------------------------------
    def action_reload(self) -> None:
        self._guard("Discard your changes?", self.load, lambda: None)

    def action_back(self) -> None:
        self._guard("Leave without saving?", self.app.pop_screen, lambda: None)
