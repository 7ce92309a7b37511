"""Pilot tests of Settings › Customer Configuration: scopes, inline errors, dependent options,
Use Default, read-only roles and the unsaved-changes guard."""

from __future__ import annotations

from textual.widgets import Checkbox, OptionList, Select

from custtui.models import AuditLog, Staff
from custtui.screens.config import CustomerConfigScreen
from custtui.screens.confirm import ConfirmScreen
from custtui.screens.customers import CustomersScreen
from custtui.services import config
from custtui.services.actor import Actor
from custtui.widgets.inputs import TextInput
from tests.factories import make_customer
from tests.fixture_shop import FIXED_NOW
from tests.ui.test_customers_screen import settle

STREET = "customer/address/street_lines"


async def open_config(pilot, section: str | None = None, scope: str | None = None) -> None:
    await settle(pilot)
    pilot.app.go_to("config")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CustomerConfigScreen)
    if scope is not None:
        screen.query_one("#scope", Select).value = scope
        await settle(pilot)
    if section is not None:
        sections = screen.query_one("#sections", OptionList)
        sections.highlighted = sections.get_option_index(section)
        await settle(pilot)
        assert screen.section.key == section


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


def error_of(app, key: str) -> str:
    widget = app.screen.query_one(f"#err-{key}")
    return str(widget.render()) if widget.has_class("-shown") else ""


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_menu_opens_customer_configuration(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        menu = app.screen.query_one(OptionList)
        menu.highlighted = menu.get_option_index("config")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerConfigScreen)
        sections = app.screen.query_one("#sections", OptionList)
        assert [str(sections.get_option_at_index(i).prompt) for i in range(3)] == [
            "Account Sharing Options",
            "Online Customers Options",
            "Create New Account Options",
        ]
        scopes = app.screen.query_one("#scope", Select)
        assert [v for _, v in scopes._options] == ["*default*", "base", "eu"]
        assert app.screen.query_one("#in-account_share-scope", Select).value == "1"


async def test_change_a_setting_for_one_website(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot, "address", scope="eu")
        screen = app.screen
        street = screen.query_one("#in-address-street_lines", TextInput)
        assert street.disabled and street.value == "2"  # inherits Default Config
        assert "Default Config: 2." in str(
            screen.query_one("#opt-address-street_lines .help").render()
        )
        screen.query_one("#inherit-address-street_lines", Checkbox).value = False
        await settle(pilot)
        assert not street.disabled
        street.value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert config.effective(STREET, "eu") == config.Effective(STREET, "4", "website", "eu")
        assert config.effective(STREET, "base").value == "3"  # the fixture's own value
        saved = (
            "You saved the configuration: 1 setting changed in Name and Address Options "
            "(Europe Website)."
        )
        assert saved in toasts(app) and saved in message(app)
        row = AuditLog.get(AuditLog.action == "config_changed")
        assert row.changes == {STREET: ["2", "4"]}
        assert row.note == "Scope: website eu (Europe Website)"
        assert screen.query_one("#in-address-street_lines", TextInput).value == "4"
        assert not screen.query_one("#inherit-address-street_lines", Checkbox).value


async def test_keyboard_only(app):
    """Arrows choose the section, tab reaches the checkbox and the field, ctrl+s saves."""
    async with app.run_test(size=(80, 24)) as pilot:
        await open_config(pilot)
        assert app.screen.focused is app.screen.query_one("#sections")
        await pilot.press(*["down"] * 5)
        await settle(pilot)
        assert app.screen.section.key == "address"
        await pilot.press("tab")
        assert app.screen.focused.id == "inherit-address-street_lines"
        await pilot.press("space")
        await settle(pilot)
        assert app.screen.focused.id == "in-address-street_lines"
        await pilot.press("end", "backspace", "1", "ctrl+s")
        await settle(pilot)
        assert config.effective(STREET).value == "1"
        assert "1 setting changed" in message(app)


async def test_errors_show_next_to_their_fields_and_nothing_typed_is_lost(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot, "address")
        screen = app.screen
        for key, typed in (("street_lines", "7"), ("prefix_options", "Mr;" + "X" * 45)):
            screen.query_one(f"#inherit-address-{key}", Checkbox).value = False
            await settle(pilot)
            screen.query_one(f"#in-address-{key}", TextInput).value = typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(app) == "Not saved: 2 settings need attention."
        assert "must be a whole number from 1 to 4; 7 is not." in error_of(
            app, "address-street_lines"
        )
        assert "each option must be at most 40 characters" in error_of(
            app, "address-prefix_options"
        )
        assert error_of(app, "address-fax_show") == ""
        assert screen.query_one("#in-address-street_lines", TextInput).value == "7"
        assert screen.query_one("#in-address-prefix_options", TextInput).value.startswith("Mr;X")
        assert app.screen.focused is screen.query_one("#in-address-street_lines")
        assert config.effective(STREET).source == "built-in"
        # fixing one and saving again reports the other only
        screen.query_one("#in-address-street_lines", TextInput).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(app, "address-street_lines") == ""
        assert error_of(app, "address-prefix_options") != ""
        assert config.effective(STREET).source == "built-in"  # all or nothing


async def test_a_dependent_option_appears_when_its_condition_holds(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot, "create_account")
        screen = app.screen
        viv = screen.query_one("#opt-create_account-viv_domestic_group")
        assert viv.has_class("-hidden") and not viv.display
        screen.query_one("#inherit-create_account-auto_group_assign", Checkbox).value = False
        await settle(pilot)
        screen.query_one("#in-create_account-auto_group_assign", Select).value = "1"
        await settle(pilot)
        assert not viv.has_class("-hidden")
        assert not screen.query_one("#opt-create_account-tax_calculation_address_type").has_class(
            "-hidden"
        )
        screen.query_one("#inherit-create_account-viv_domestic_group", Checkbox).value = False
        await settle(pilot)
        screen.query_one("#in-create_account-viv_domestic_group", Select).value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert config.effective("customer/create_account/auto_group_assign").value == "1"
        assert config.effective("customer/create_account/viv_domestic_group").value == "2"
        assert "2 settings changed" in message(app)


async def test_reset_limits_hide_when_protection_is_none(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot, "password")
        screen = app.screen
        limit = screen.query_one("#opt-password-max_number_password_reset_requests")
        assert not limit.has_class("-hidden")
        screen.query_one("#inherit-password-password_reset_protection_type", Checkbox).value = False
        await settle(pilot)
        screen.query_one("#in-password-password_reset_protection_type", Select).value = "0"
        await settle(pilot)
        assert limit.has_class("-hidden")


async def test_use_default_removes_the_websites_value(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot, "address", scope="base")
        screen = app.screen
        box = screen.query_one("#inherit-address-street_lines", Checkbox)
        street = screen.query_one("#in-address-street_lines", TextInput)
        assert not box.value and street.value == "3" and not street.disabled
        box.value = True
        await settle(pilot)
        assert street.disabled and street.value == "2"
        box.value = False  # what was there comes back
        await settle(pilot)
        assert street.value == "3"
        box.value = True
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert config.effective(STREET, "base").source == "built-in"
        assert "1 setting changed" in message(app)
        row = AuditLog.get(AuditLog.action == "config_changed")
        assert row.note.endswith("now use the Default Config: " + STREET)


async def test_global_options_are_locked_and_explained_at_website_scope(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot, "password", scope="eu")
        screen = app.screen
        box = screen.query_one("#inherit-password-lockout_failures", Checkbox)
        assert box.disabled and box.value
        assert screen.query_one("#in-password-lockout_failures").disabled
        help_text = str(screen.query_one("#opt-password-lockout_failures .help").render())
        assert (
            "Global setting: it applies to every website; change it in Default Config." in help_text
        )
        assert "[GLOBAL]" in str(screen.query_one("#opt-password-lockout_failures .tag").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(app) == "Nothing to save in Password Options."


async def test_global_sharing_refusal_is_shown_on_the_field(app):
    make_customer("Ada", "Twice", "roni_cost@example.com", website=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot)
        screen = app.screen
        screen.query_one("#inherit-account_share-scope", Checkbox).value = False
        await settle(pilot)
        screen.query_one("#in-account_share-scope", Select).value = "0"
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = error_of(app, "account_share-scope")
        assert text.startswith("Cannot share customer accounts globally")
        assert (
            "1 email address has accounts on more than one website" in text
            and "roni_cost@example.com" in text
        )
        assert screen.query_one("#in-account_share-scope", Select).value == "0"
        assert config.effective("customer/account_share/scope").value == "1"


async def test_roles_without_config_edit_see_it_read_only(app):
    sam = Staff.create(username="sam", role="support", created_at=FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.actor = Actor(sam.id, sam.username, sam.role)
        await open_config(pilot, "address")
        screen = app.screen
        expected = "Read-only: Your role (support) does not allow changing the configuration."
        assert message(app) == expected
        assert all(w.disabled for w in screen.query(".control"))
        assert all(w.disabled for w in screen.query("#form Checkbox"))
        assert screen.query_one("#form").can_focus  # so the keys still scroll it
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert message(app) == expected
        assert not AuditLog.select().where(AuditLog.action == "config_changed").exists()


async def test_unsaved_changes_are_guarded_on_escape_and_section_switch(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot, "address")
        screen = app.screen
        screen.query_one("#inherit-address-street_lines", Checkbox).value = False
        await settle(pilot)
        screen.query_one("#in-address-street_lines", TextInput).value = "4"
        sections = screen.query_one("#sections", OptionList)
        sections.highlighted = sections.get_option_index("startup")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and screen.section.key == "address"
        assert sections.highlighted == sections.get_option_index("address")
        assert screen.query_one("#in-address-street_lines", TextInput).value == "4"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert config.effective(STREET).source == "built-in"


async def test_a_clean_form_leaves_and_switches_without_asking(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await open_config(pilot, "startup", scope="eu")
        assert app.screen.query_one("#scope", Select).value == "eu"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)


async def test_holding_down_through_the_sections_does_not_trip_over_half_built_forms(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_config(pilot)
        sections = app.screen.query_one("#sections", OptionList)
        for index in range(1, 7):  # as fast as keys can repeat: each lands mid-rebuild
            sections.highlighted = index
        await settle(pilot)
        assert app.is_running and app._exception is None
        assert app.screen.section.key == "startup" and app.screen.shown.key == "startup"
        assert app.screen.query("#opt-startup-redirect_dashboard")
