"""Customer Configuration: schema, validation messages, scopes, Use Default, audit, account
sharing and permissions."""

from __future__ import annotations

import pytest

from custtui.models import AuditLog, ConfigValue, CustomerGroup, Staff, Website
from custtui.services import clock, config, config_schema
from custtui.services.actor import Actor
from custtui.services.config_defaults import DEFAULTS
from custtui.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import make_customer

STREET = "customer/address/street_lines"
LOCKOUT = "customer/password/lockout_failures"
ONLINE = "customer/online_customers/online_minutes_interval"
SHARE = config.SHARE_PATH


def _actor(role: str, name: str) -> Actor:
    row = Staff.create(username=name, role=role, created_at=clock.now())
    return Actor(row.id, row.username, row.role)


@pytest.fixture
def admin(shop) -> Actor:
    return _actor("admin", "alice")


@pytest.fixture
def second_website(shop) -> Website:
    return Website.create(code="eu", name="Europe Website", sort_order=1)


def _message(error: pytest.ExceptionInfo[ValidationError], path: str) -> str:
    assert path in error.value.errors, error.value.errors
    return error.value.errors[path]


# -- schema -------------------------------------------------------------------------------


def test_sections_follow_magentos_order():
    assert [s.title for s in config_schema.SECTIONS] == [
        "Account Sharing Options",
        "Online Customers Options",
        "Create New Account Options",
        "Password Options",
        "Account Information Options",
        "Name and Address Options",
        "Login Options",
        "Store Credit Options",
    ]


def test_every_customer_path_has_an_option_with_a_default_and_scope():
    customer_paths = {
        p for p in DEFAULTS if p.startswith("customer/") and p != "customer/default/group"
    }
    assert customer_paths == set(config_schema.OPTIONS)
    for opt in config_schema.OPTIONS.values():
        assert opt.kind in ("yesno", "select", "integer", "text"), opt.path
        assert opt.scope in ("G", "W", "S")
        assert opt.label
        if opt.kind in ("yesno", "select"):
            assert opt.choices or opt.source == config_schema.GROUPS, opt.path
        if opt.kind == "select" and opt.source is None:
            assert opt.default in dict(opt.choices), opt.path
    assert len({o.key for o in config_schema.OPTIONS.values()}) == len(config_schema.OPTIONS)
    template_defaults = {o.default for o in config_schema.OPTIONS.values() if "template" in o.path}
    assert template_defaults == set(dict(config_schema.TEMPLATES))  # every shipped template


def test_the_labels_and_scopes_staff_know_from_magento():
    street = config_schema.option(STREET)
    assert (street.label, street.scope, street.minimum, street.maximum) == (
        "Number of Lines in a Street Address",
        "W",
        1,
        4,
    )
    share = config_schema.option(SHARE)
    assert share.choices == (("0", "Global"), ("1", "Per Website")) and share.is_global
    redirect = config_schema.option("customer/startup/redirect_dashboard")
    assert redirect.label == "Redirect Customer to Account Dashboard after Logging in"
    assert config_schema.option("customer/address/middlename_show").kind == "yesno"
    assert config_schema.option("customer/address/prefix_show").choices == (
        ("", "No"),
        ("opt", "Optional"),
        ("req", "Required"),
    )
    assert config_schema.option("customer/address/prefix_options").kind == "text"
    identities = dict(config_schema.option("customer/create_account/email_identity").choices)
    assert list(identities) == ["general", "sales", "support", "custom1", "custom2"]


def test_dependent_options():
    viv = config_schema.option("customer/create_account/viv_domestic_group")
    assert viv.depends_on is not None
    assert viv.depends_on.holds("1") and not viv.depends_on.holds("0")
    limit = config_schema.option("customer/password/max_number_password_reset_requests")
    assert limit.depends_on is not None
    assert not limit.depends_on.holds("0") and limit.depends_on.holds("3")
    assert limit.depends_on.describe() == ("Shown when Password Reset Protection Type is not None.")
    auto = {o.path for o in config_schema.dependents("customer/create_account/auto_group_assign")}
    assert auto == {
        f"customer/create_account/{k}"
        for k in (
            "tax_calculation_address_type",
            "viv_domestic_group",
            "viv_intra_union_group",
            "viv_invalid_group",
            "viv_error_group",
            "viv_on_each_transaction",
        )
    }
    for opt in config_schema.OPTIONS.values():
        if opt.depends_on:
            assert config_schema.section_of(opt.depends_on.path) == config_schema.section_of(
                opt.path
            )


# -- reading ------------------------------------------------------------------------------


def test_effective_says_where_the_value_comes_from(admin, second_website):
    assert config.effective(STREET) == config.Effective(STREET, "2", "built-in")
    config.set_value(admin, STREET, "3")
    assert config.effective(STREET, "eu").source == "default"
    assert config.effective(STREET, "eu").value == "3"
    config.set_value(admin, STREET, "4", "eu")
    found = config.effective(STREET, "eu")
    assert (found.value, found.source, found.where) == ("4", "website", "website eu")
    assert config.effective(STREET, "base").value == "3"
    assert config.get_int(STREET, second_website.id) == 4


def test_a_global_path_reads_default_config_even_with_a_stray_website_row(admin):
    config.store(LOCKOUT, "3", 1)  # written around the service (an old import, say)
    assert config.effective(LOCKOUT, "base") == config.Effective(LOCKOUT, "10", "built-in", "base")


def test_unknown_paths_and_websites_are_named():
    with pytest.raises(NotFound, match="customer/nope/x"):
        config.effective("customer/nope/x")
    with pytest.raises(NotFound, match="'mars'"):
        config.effective(STREET, "mars")


def test_scope_values_for_the_form(admin, second_website):
    config.set_value(admin, STREET, "3")
    config.set_value(admin, STREET, "1", "eu")
    at_default = config.scope_values()[STREET]
    assert (at_default.value, at_default.inherited, at_default.overridden) == ("3", "2", True)
    at_eu = config.scope_values("eu")[STREET]
    assert (at_eu.value, at_eu.inherited, at_eu.overridden, at_eu.source) == (
        "1",
        "3",
        True,
        "website",
    )
    at_base = config.scope_values("base")[STREET]
    assert (at_base.value, at_base.overridden, at_base.source) == ("3", False, "default")


# -- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            STREET,
            "5",
            "Number of Lines in a Street Address must be a whole number from 1 to 4; 5 is not.",
        ),
        (STREET, "0", "must be a whole number from 1 to 4; 0 is not."),
        (STREET, "two", "from 1 to 4; 'two' is not a whole number."),
        (STREET, "2.5", "'2.5' is not a whole number."),
        (STREET, "1e1", "'1e1' is not a whole number."),
        (STREET, "+3", "'+3' is not a whole number."),
        (STREET, "٣", "is not a whole number."),  # Arabic-Indic three: digits are ASCII only
        (
            STREET,
            "",
            "Number of Lines in a Street Address is required: enter a whole number from 1 to 4.",
        ),
        (
            LOCKOUT,
            "-1",
            "Maximum Login Failures to Lockout Account must be a whole number, 0 or greater; -1 is not.",
        ),
        (LOCKOUT, "99999999999", "at most 999999999"),
        (
            ONLINE,
            "0",
            "Online Minutes Interval must be a whole number greater than 0, or empty for the default (15 minutes); 0 is not.",
        ),
        (
            "customer/online_customers/section_data_lifetime",
            "",
            "Customer Data Lifetime is required",
        ),
        ("customer/password/required_character_classes_number", "5", "from 1 to 4; 5 is not."),
        ("customer/password/minimum_password_length", "0", "greater than 0; 0 is not."),
        ("customer/password/reset_link_expiration_period", "0", "greater than 0"),
        ("customer/password/max_number_password_reset_requests", "-3", "0 or greater"),
        (
            "customer/address/prefix_show",
            "maybe",
            "Show Prefix must be one of: No, Optional (opt), Required (req); 'maybe' is not.",
        ),
        (
            "customer/address/middlename_show",
            "2",
            "Show Middle Name (initial) must be one of: Yes (1), No (0)",
        ),
        (SHARE, "2", "Share Customer Accounts must be one of: Global (0), Per Website (1)"),
        ("customer/create_account/email_identity", "boss", "General Contact (general)"),
        (
            "customer/create_account/email_template",
            "my_template",
            "Welcome Email (customer_create_account_email_template)",
        ),
        (
            "customer/create_account/default_group",
            "0",
            "Default Group must be one of: General (1), Wholesale (2), Retailer (3); '0' is not.",
        ),
        ("customer/create_account/default_group", "", "'(empty)' is not."),
        (
            "customer/create_account/email_domain",
            "my shop",
            "must be a domain name such as example.com",
        ),
        ("customer/create_account/email_domain", "x" * 256, "at most 255 characters; it has 256."),
        (
            "customer/address/prefix_options",
            "Mr;" + "D" * 41,
            "each option must be at most 40 characters",
        ),
        ("customer/address/prefix_options", "Mr\nMrs", "must not contain control characters"),
        ("customer/address/suffix_options", "x" * 1001, "at most 1000 characters"),
    ],
)
def test_validation_messages_name_the_option_and_what_is_allowed(admin, path, value, message):
    with pytest.raises(ValidationError) as error:
        config.set_value(admin, path, value)
    assert message in _message(error, path)
    assert path in str(error.value)
    assert not ConfigValue.select().where(ConfigValue.path == path).exists()


@pytest.mark.parametrize(
    ("path", "typed", "stored"),
    [
        (STREET, " 4 ", "4"),
        (STREET, "04", "4"),
        (ONLINE, "", ""),
        (ONLINE, "30", "30"),
        (LOCKOUT, "0", "0"),
        ("customer/address/prefix_show", "Optional", "opt"),
        ("customer/address/prefix_show", "req", "req"),
        ("customer/address/prefix_show", "No", ""),
        ("customer/address/middlename_show", "yes", "1"),
        ("customer/create_account/confirm", "1", "1"),
        ("customer/create_account/default_group", "Wholesale", "2"),
        ("customer/create_account/viv_error_group", "", ""),
        ("customer/create_account/email_domain", " shop.example.co.uk ", "shop.example.co.uk"),
        ("customer/address/prefix_options", ";Mr;Mrs;Dr.", ";Mr;Mrs;Dr."),
        ("customer/create_account/email_identity", "Customer Support", "support"),
    ],
)
def test_accepted_values_are_stored_normalised(admin, path, typed, stored):
    config.set_value(admin, path, typed)
    assert config.effective(path).value == stored
    assert config.effective(path).source == "default"


def test_online_minutes_empty_means_the_built_in_fifteen(admin):
    config.set_value(admin, ONLINE, "")
    assert config.get_int(ONLINE) == 15


def test_a_group_made_later_can_be_chosen(admin):
    CustomerGroup.create(code="VIP", tax_class=3)
    vip = CustomerGroup.get(CustomerGroup.code == "VIP").id
    config.set_value(admin, "customer/create_account/default_group", "VIP")
    assert config.effective("customer/create_account/default_group").value == str(vip)


def test_every_problem_of_a_section_is_reported_and_nothing_is_written(admin):
    with pytest.raises(ValidationError) as error:
        config.set_values(
            admin,
            {
                STREET: "9",
                "customer/address/prefix_show": "Optional",
                "customer/address/fax_show": "sometimes",
            },
            "base",
        )
    assert set(error.value.errors) == {STREET, "customer/address/fax_show"}
    assert ConfigValue.select().count() == 0
    assert AuditLog.select().where(AuditLog.action == "config_changed").count() == 0


# -- scopes -------------------------------------------------------------------------------


def test_a_global_option_cannot_be_set_per_website(admin):
    with pytest.raises(ValidationError) as error:
        config.set_value(admin, LOCKOUT, "3", "base")
    text = _message(error, LOCKOUT)
    assert "global setting [GLOBAL]" in text and "Default Config" in text and "base" in text
    assert LOCKOUT in str(error.value)
    with pytest.raises(ValidationError, match="global"):
        config.use_default(admin, LOCKOUT, "base")


def test_website_value_overrides_default_and_use_default_removes_it(admin, second_website):
    change = config.set_value(admin, STREET, "3", "eu")
    assert change == config.Change(STREET, "2", "3")
    assert config.get_int(STREET, second_website.id) == 3
    assert config.get_int(STREET, 1) == 2
    back = config.use_default(admin, STREET, "eu")
    assert back == config.Change(STREET, "3", "2", reset=True)
    assert config.effective(STREET, "eu").source == "built-in"
    assert not ConfigValue.select().where(ConfigValue.scope == "websites").exists()
    rows = list(AuditLog.select().where(AuditLog.action == "config_changed").order_by(AuditLog.id))
    assert [r.changes for r in rows] == [{STREET: ["2", "3"]}, {STREET: ["3", "2"]}]
    assert rows[1].note == (
        "Scope: website eu (Europe Website); now use the Default Config: " + STREET
    )
    assert config.use_default(admin, STREET, "eu") is None  # nothing left to remove


def test_use_default_at_default_config_returns_to_the_built_in_value(admin):
    config.set_value(admin, STREET, "4")
    assert config.use_default(admin, STREET, None) == config.Change(STREET, "4", "2", reset=True)
    assert config.effective(STREET).source == "built-in"
    note = AuditLog.select().order_by(AuditLog.id.desc()).first().note
    assert note == "Scope: Default Config; now use the built-in default: " + STREET


def test_pinning_a_website_to_the_inherited_value_is_a_change(admin):
    change = config.set_value(admin, STREET, "2", "base")
    assert change == config.Change(STREET, "2", "2")
    assert config.effective(STREET, "base").source == "website"
    assert config.set_value(admin, STREET, "2", "base") is None  # already stored: no-op


# -- audit and permissions ------------------------------------------------------------------


def test_a_change_is_audited_with_before_after_and_scope(admin):
    config.set_values(admin, {STREET: "3", "customer/address/company_show": "req"}, "base")
    row = AuditLog.get(AuditLog.action == "config_changed")
    assert row.entity_type == "config" and row.entity_id == 1 and row.customer_id is None
    assert row.staff_username == "alice"
    assert row.changes == {STREET: ["2", "3"], "customer/address/company_show": ["opt", "req"]}
    assert row.note == "Scope: website base (Main Website)"


def test_a_save_that_changes_nothing_writes_no_audit_row(admin):
    config.set_value(admin, STREET, "3")
    assert config.set_value(admin, STREET, "3") is None
    assert config.set_values(admin, {STREET: "3"}) == []
    assert AuditLog.select().where(AuditLog.action == "config_changed").count() == 1


@pytest.mark.parametrize("role", ["support", "viewer"])
def test_only_admins_change_configuration(shop, role):
    someone = _actor(role, "bob")
    with pytest.raises(PermissionDenied, match=f"Your role \\({role}\\) does not allow changing"):
        config.set_value(someone, STREET, "3")
    with pytest.raises(PermissionDenied):
        config.use_default(someone, STREET, "base")
    assert not ConfigValue.select().exists()
    denied = AuditLog.select().where(AuditLog.action == "permission_denied")
    assert denied.count() == 2 and denied.first().staff_username == "bob"


# -- account sharing ----------------------------------------------------------------------


@pytest.fixture
def shared_admin(any_shop) -> Actor:
    Website.create(code="eu", name="Europe Website", sort_order=1)
    return _actor("admin", "alice")


def test_global_sharing_is_refused_while_emails_clash(shared_admin):
    eu = Website.get(Website.code == "eu").id
    make_customer("Ada", "One", "ada@example.com", website=1)
    make_customer("Ada", "Two", "ada@example.com", website=eu)
    make_customer("Bo", "One", "bo@example.com", website=1)
    make_customer("Bo", "Two", "bo@example.com", website=eu)
    make_customer("Cy", "Only", "cy@example.com", website=1)
    with pytest.raises(ValidationError) as error:
        config.set_value(shared_admin, SHARE, "0")
    text = _message(error, SHARE)
    assert text.startswith(
        "Cannot share customer accounts globally because some customer accounts with the "
        "same emails exist on multiple websites and cannot be merged."
    )
    assert "2 email addresses have accounts" in text and "for example ada@example.com" in text
    assert config.effective(SHARE).value == "1"
    assert not AuditLog.select().where(AuditLog.action == "config_changed").exists()
    assert config.sharing_clashes() == (2, "ada@example.com")


def test_global_sharing_is_allowed_when_no_email_is_on_two_websites(shared_admin):
    eu = Website.get(Website.code == "eu").id
    make_customer("Ada", "One", "ada@example.com", website=1)
    make_customer("Bo", "Two", "bo@example.com", website=eu)
    assert config.sharing_clashes() == (0, None)
    assert config.set_value(shared_admin, SHARE, "Global") == config.Change(SHARE, "1", "0")
    assert config.effective(SHARE).value == "0"
    assert config.set_value(shared_admin, SHARE, "1") == config.Change(SHARE, "0", "1")


def test_the_refusal_also_stops_the_rest_of_the_section(shared_admin):
    eu = Website.get(Website.code == "eu").id
    make_customer("Ada", "One", "ada@example.com", website=1)
    make_customer("Ada", "Two", "ada@example.com", website=eu)
    with pytest.raises(ValidationError):
        config.set_values(shared_admin, {SHARE: "0", STREET: "3"})
    assert not ConfigValue.select().exists()


# -- listing ------------------------------------------------------------------------------


def test_list_values_in_magentos_order_with_overrides(admin, second_website):
    config.set_value(admin, STREET, "3")
    config.set_value(admin, STREET, "4", "eu")
    everything = config.list_values()
    assert everything[0].path == SHARE and everything[0].source == "built-in"
    assert len([s for s in everything if s.scope == "default"]) == len(config_schema.OPTIONS)
    changed = config.list_values(changed_only=True)
    assert [(s.path, s.scope, s.website_code, s.value, s.source) for s in changed] == [
        (STREET, "default", None, "3", "default"),
        (STREET, "website", "eu", "4", "website"),
    ]
    assert changed[0].section == "Name and Address Options"
