"""Stores › Configuration › Customers › Customer Configuration, as Magento's admin shows it.

The sections and options follow Magento's ``system.xml`` (Customer and Security modules) in
Magento's order, with Magento's labels and comments, so staff who know the Magento admin find
every setting where they expect it. Defaults and scopes are not repeated here: they come from
:data:`custtui.services.config_defaults.DEFAULTS`, the one table every reader of configuration
uses. Checking a typed value against its option (:func:`clean`) lives here as well, because
the rule belongs to the option; the rules that need the database (scope, account sharing,
permissions, audit) are in :mod:`custtui.services.config`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from custtui.services import mail_templates
from custtui.services.config_defaults import DEFAULTS
from custtui.services.errors import NotFound, ValidationError

Choices = tuple[tuple[str, str], ...]
"""``(stored value, label)`` pairs in the order Magento lists them."""

YES_NO: Choices = (("1", "Yes"), ("0", "No"))
NO_OPTIONAL_REQUIRED: Choices = (("", "No"), ("opt", "Optional"), ("req", "Required"))
SHARE_SCOPES: Choices = (("0", "Global"), ("1", "Per Website"))
ADDRESS_TYPES: Choices = (("billing", "Billing Address"), ("shipping", "Shipping Address"))
RESET_PROTECTION: Choices = (
    ("1", "By IP and Email"),
    ("2", "By IP"),
    ("3", "By Email"),
    ("0", "None"),
)
EMAIL_IDENTITIES: Choices = (
    ("general", "General Contact"),
    ("sales", "Sales Representative"),
    ("support", "Customer Support"),
    ("custom1", "Custom Email 1"),
    ("custom2", "Custom Email 2"),
)
TEMPLATES: Choices = tuple((code, t.title) for code, t in mail_templates.BUILTINS.items())
"""The customer email templates custtui ships, titled as the Email Templates screen titles
them; a staff-edited version replaces a built-in under the same code, so these codes are the
whole choice."""

GROUPS = "groups"
"""``Option.source`` for selects whose choices are the customer groups (from the database)."""

SCOPE_TAGS = {"G": "[GLOBAL]", "W": "[WEBSITE]", "S": "[WEBSITE]"}
"""How Magento's admin marks the scope next to each field. Magento shows ``[STORE VIEW]`` for
``S`` options; custtui sets those per website at most, so it says what can be done here."""

_TEMPLATE_HELP = 'Email template chosen based on theme fallback when "Default" option is selected.'
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_INTEGER_CAP = 999_999_999
"""No option needs more; larger numbers are typing mistakes (and overflow 32-bit columns)."""


@dataclass(frozen=True)
class Depends:
    """Magento's ``<depends>``: the option is shown only while *path* has one of *values*
    (or, with *negative*, none of them)."""

    path: str
    values: tuple[str, ...]
    negative: bool = False

    def holds(self, value: str | None) -> bool:
        inside = (value or "").strip() in self.values
        return not inside if self.negative else inside

    def describe(self) -> str:
        controlling = option(self.path)
        names = ", ".join(label_of(controlling, v) for v in self.values)
        verb = "is not" if self.negative else "is"
        return f"Shown when {controlling.label} {verb} {names}."


@dataclass(frozen=True)
class Option:
    """One field of the configuration form."""

    path: str
    label: str
    kind: str
    """``yesno``, ``select``, ``integer`` or ``text``."""
    help: str = ""
    choices: Choices = ()
    source: str | None = None
    """Where dynamic choices come from (:data:`GROUPS`); static *choices* otherwise."""
    minimum: int | None = None
    maximum: int | None = None
    required: bool = True
    """False: an empty value is allowed (an integer's "empty = built-in", a blank group)."""
    empty_means: str = ""
    """What an allowed empty value stands for, for messages ("the default (15 minutes)")."""
    max_length: int = 255
    item_max_length: int | None = None
    """For ``;``-separated lists: the longest one item may be (the field it fills)."""
    depends_on: Depends | None = None

    @property
    def default(self) -> str:
        """Magento's shipped value."""
        return DEFAULTS[self.path][0]

    @property
    def scope(self) -> str:
        """``G`` default only; ``W``/``S`` default and per website (see config_defaults)."""
        return DEFAULTS[self.path][1]

    @property
    def is_global(self) -> bool:
        return self.scope == "G"

    @property
    def scope_tag(self) -> str:
        return SCOPE_TAGS[self.scope]

    @property
    def key(self) -> str:
        """A widget-id-safe name, unique in the schema: ``address-street_lines``."""
        return "-".join(self.path.split("/")[1:])

    def range_text(self) -> str:
        """The allowed integers in words: "from 1 to 4", "0 or greater", "greater than 0"."""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"from {low} to {high}"
        if low == 1:
            return "greater than 0"
        if low is not None:
            return f"{low} or greater"
        return f"up to {high}" if high is not None else ""


@dataclass(frozen=True)
class Section:
    """A group of options (Magento's ``<group>``), shown as one form."""

    key: str
    title: str
    options: tuple[Option, ...]


def _yesno(path: str, label: str, help: str = "", **kw: object) -> Option:
    return Option(path, label, "yesno", help, YES_NO, **kw)  # type: ignore[arg-type]


def _template(path: str, label: str, extra: str = "") -> Option:
    text = f"{extra} {_TEMPLATE_HELP}".strip()
    return Option(path, label, "select", text, TEMPLATES)


def _show(field: str, label: str, help: str = "") -> Option:
    return Option(f"customer/address/{field}_show", label, "select", help, NO_OPTIONAL_REQUIRED)


_AUTO_GROUP = Depends("customer/create_account/auto_group_assign", ("1",))
_RESET_LIMITED = Depends("customer/password/password_reset_protection_type", ("0",), True)
_STORE_CREDIT = Depends("customer/magento_customerbalance/is_enabled", ("1",))


def _viv_group(field: str, label: str) -> Option:
    return Option(
        f"customer/create_account/{field}",
        label,
        "select",
        source=GROUPS,
        required=False,
        depends_on=_AUTO_GROUP,
    )


SECTIONS: tuple[Section, ...] = (
    Section(
        "account_share",
        "Account Sharing Options",
        (
            Option(
                "customer/account_share/scope",
                "Share Customer Accounts",
                "select",
                "Global: one account signs in on every website. Per Website: an account "
                "belongs to the website where it was created, and the same email may exist "
                "once per website.",
                SHARE_SCOPES,
            ),
        ),
    ),
    Section(
        "online_customers",
        "Online Customers Options",
        (
            Option(
                "customer/online_customers/online_minutes_interval",
                "Online Minutes Interval",
                "integer",
                "Leave empty for default (15 minutes). Now Online lists visitors active "
                "within this many minutes.",
                minimum=1,
                required=False,
                empty_means="the default (15 minutes)",
            ),
            Option(
                "customer/online_customers/section_data_lifetime",
                "Customer Data Lifetime",
                "integer",
                "Please specify value in minutes. How long the storefront keeps a "
                "customer's private data cached in the browser.",
                minimum=1,
            ),
        ),
    ),
    Section(
        "create_account",
        "Create New Account Options",
        (
            _yesno(
                "customer/create_account/auto_group_assign",
                "Enable Automatic Assignment to Customer Group",
                "Puts customers into a group by the result of validating their VAT ID.",
            ),
            Option(
                "customer/create_account/tax_calculation_address_type",
                "Tax Calculation Based On",
                "select",
                "Which address's VAT ID decides the group.",
                ADDRESS_TYPES,
                depends_on=_AUTO_GROUP,
            ),
            Option(
                "customer/create_account/default_group",
                "Default Group",
                "select",
                "The group of new accounts.",
                source=GROUPS,
            ),
            _viv_group("viv_domestic_group", "Group for Valid VAT ID - Domestic"),
            _viv_group("viv_intra_union_group", "Group for Valid VAT ID - Intra-Union"),
            _viv_group("viv_invalid_group", "Group for Invalid VAT ID"),
            _viv_group("viv_error_group", "Validation Error Group"),
            _yesno(
                "customer/create_account/viv_on_each_transaction",
                "Validate on Each Transaction",
                depends_on=_AUTO_GROUP,
            ),
            _yesno(
                "customer/create_account/viv_disable_auto_group_assign_default",
                "Default Value for Disable Automatic Group Changes Based on VAT ID",
                'What "Disable Automatic Group Change Based on VAT ID" is set to on new accounts.',
            ),
            _yesno(
                "customer/create_account/vat_frontend_visibility",
                "Show VAT Number on Storefront",
                "To show VAT number on Storefront, set Show VAT Number on Storefront option "
                "to Yes.",
            ),
            Option(
                "customer/create_account/email_domain",
                "Default Email Domain",
                "text",
                "The domain of the email addresses made up for customers created without one.",
            ),
            _template("customer/create_account/email_template", "Default Welcome Email"),
            _template(
                "customer/create_account/email_no_password_template",
                "Default Welcome Email Without Password",
                "This email will be sent instead of the Default Welcome Email, if a customer "
                "was created without password.",
            ),
            Option(
                "customer/create_account/email_identity",
                "Email Sender",
                "select",
                "Which store email address the account emails come from.",
                EMAIL_IDENTITIES,
            ),
            _yesno(
                "customer/create_account/confirm",
                "Require Emails Confirmation",
                "New accounts must confirm their email address before they can sign in.",
            ),
            _template(
                "customer/create_account/email_confirmation_template", "Confirmation Link Email"
            ),
            _template(
                "customer/create_account/email_confirmed_template",
                "Welcome Email",
                "This email will be sent instead of the Default Welcome Email, after account "
                "confirmation.",
            ),
            _yesno(
                "customer/create_account/generate_human_friendly_id",
                "Generate Human-Friendly Customer ID",
            ),
        ),
    ),
    Section(
        "password",
        "Password Options",
        (
            Option(
                "customer/password/password_reset_protection_type",
                "Password Reset Protection Type",
                "select",
                "Which earlier reset requests count towards the limits below: those for the "
                "same email, from the same IP, either, or none (no limits).",
                RESET_PROTECTION,
            ),
            Option(
                "customer/password/max_number_password_reset_requests",
                "Max Number of Password Reset Requests",
                "integer",
                "Limit the number of password reset request per hour. Use 0 to disable.",
                minimum=0,
                depends_on=_RESET_LIMITED,
            ),
            Option(
                "customer/password/min_time_between_password_reset_requests",
                "Min Time Between Password Reset Requests",
                "integer",
                "Delay in minutes between password reset requests. Use 0 to disable.",
                minimum=0,
                depends_on=_RESET_LIMITED,
            ),
            _template("customer/password/forgot_email_template", "Forgot Email Template"),
            _template("customer/password/remind_email_template", "Remind Email Template"),
            _template("customer/password/reset_password_template", "Reset Password Template"),
            Option(
                "customer/password/forgot_email_identity",
                "Password Template Email Sender",
                "select",
                choices=EMAIL_IDENTITIES,
            ),
            Option(
                "customer/password/reset_link_expiration_period",
                "Recovery Link Expiration Period (hours)",
                "integer",
                "Please enter a number 1 or greater in this field.",
                minimum=1,
            ),
            _yesno(
                "customer/password/autocomplete_on_storefront",
                "Enable Autocomplete on login/forgot password forms",
            ),
            Option(
                "customer/password/required_character_classes_number",
                "Number of Required Character Classes",
                "integer",
                "Number of different character classes required in password: Lowercase, "
                "Uppercase, Digits, Special Characters.",
                minimum=1,
                maximum=4,
            ),
            Option(
                "customer/password/lockout_failures",
                "Maximum Login Failures to Lockout Account",
                "integer",
                "Use 0 to disable account locking.",
                minimum=0,
            ),
            Option(
                "customer/password/minimum_password_length",
                "Minimum Password Length",
                "integer",
                "Please enter a number 1 or greater in this field.",
                minimum=1,
            ),
            Option(
                "customer/password/lockout_threshold",
                "Lockout Time (minutes)",
                "integer",
                "Account will be unlocked after provided time.",
                minimum=0,
            ),
        ),
    ),
    Section(
        "account_information",
        "Account Information Options",
        (
            _template(
                "customer/account_information/change_email_template", "Change Email Template"
            ),
            _template(
                "customer/account_information/change_email_and_password_template",
                "Change Email and Password Template",
            ),
            _yesno(
                "customer/account_information/confirm",
                "Require email confirmation if email has been changed",
                "A customer who changes their email address must confirm the new one.",
            ),
        ),
    ),
    Section(
        "address",
        "Name and Address Options",
        (
            Option(
                "customer/address/street_lines",
                "Number of Lines in a Street Address",
                "integer",
                "Valid range: 1-4",
                minimum=1,
                maximum=4,
            ),
            _show("prefix", "Show Prefix", "The title that goes before name (Mr., Mrs., etc.)"),
            Option(
                "customer/address/prefix_options",
                "Prefix Dropdown Options",
                "text",
                "Semicolon (;) separated values. Leave empty for open text field.",
                required=False,
                max_length=1000,
                item_max_length=40,
            ),
            Option(
                "customer/address/middlename_show",
                "Show Middle Name (initial)",
                "yesno",
                "Always optional.",
                YES_NO,
            ),
            _show("suffix", "Show Suffix", "The suffix that goes after name (Jr., Sr., etc.)"),
            Option(
                "customer/address/suffix_options",
                "Suffix Dropdown Options",
                "text",
                "Semicolon (;) separated values. Leave empty for open text field.",
                required=False,
                max_length=1000,
                item_max_length=40,
            ),
            _show("dob", "Show Date of Birth"),
            _show("taxvat", "Show Tax/VAT Number"),
            _show("gender", "Show Gender"),
            _show("telephone", "Show Telephone"),
            _show("company", "Show Company"),
            _show("fax", "Show Fax"),
        ),
    ),
    Section(
        "startup",
        "Login Options",
        (
            _yesno(
                "customer/startup/redirect_dashboard",
                "Redirect Customer to Account Dashboard after Logging in",
                'Customer will stay on the current page if "No" is selected.',
            ),
        ),
    ),
    Section(
        "magento_customerbalance",
        "Store Credit Options",
        (
            _yesno(
                "customer/magento_customerbalance/is_enabled",
                "Enable Store Credit Functionality",
                "Customers can hold store credit per website and pay with it at checkout.",
            ),
            _yesno(
                "customer/magento_customerbalance/show_history",
                "Show Store Credit History to Customers",
                "The customer's account dashboard (and the storefront API) lists every change "
                "of the balance, not only the balance.",
                depends_on=_STORE_CREDIT,
            ),
            _yesno(
                "customer/magento_customerbalance/refund_automatically",
                "Refund Store Credit Automatically",
                "A credit memo offers to refund the whole order to store credit, not only the "
                "part that was paid with store credit.",
                depends_on=_STORE_CREDIT,
            ),
            Option(
                "customer/magento_customerbalance/email_identity",
                "Store Credit Update Email Sender",
                "select",
                "Which store email address the balance update emails come from.",
                EMAIL_IDENTITIES,
                depends_on=_STORE_CREDIT,
            ),
            Option(
                "customer/magento_customerbalance/email_template",
                "Store Credit Update Email Template",
                "select",
                "Sent when staff update a balance with Notify Customer by Email. " + _TEMPLATE_HELP,
                TEMPLATES,
                depends_on=_STORE_CREDIT,
            ),
            Option(
                "customer/magento_customerbalance/staff_adjust_limit",
                "Staff Adjustment Limit",
                "integer",
                "In whole units of the website's currency. Support staff may add or subtract "
                "up to this much at a time; more needs an admin. Use 0 to require an admin for "
                "every adjustment.",
                minimum=0,
                depends_on=_STORE_CREDIT,
            ),
        ),
    ),
)
"""Magento's order (``sortOrder`` of the groups and fields)."""

OPTIONS: dict[str, Option] = {o.path: o for s in SECTIONS for o in s.options}
"""Every option by path."""

_SECTION_OF: dict[str, Section] = {o.path: s for s in SECTIONS for o in s.options}


def option(path: str) -> Option:
    """The option at *path*; :class:`NotFound` naming it otherwise."""
    try:
        return OPTIONS[path]
    except KeyError:
        if path in DEFAULTS:
            raise NotFound(f"{path} is not a Customer Configuration option.") from None
        raise NotFound(f"Unknown configuration path: {path}") from None


def section_of(path: str) -> Section:
    return _SECTION_OF[option(path).path]


def section(key: str) -> Section:
    for candidate in SECTIONS:
        if candidate.key == key:
            return candidate
    raise NotFound(f"Unknown configuration section: {key}")


def dependents(path: str) -> list[Option]:
    """The options shown only depending on *path*'s value."""
    return [o for o in OPTIONS.values() if o.depends_on and o.depends_on.path == path]


def group_choices() -> Choices:
    """Customer groups a customer can be put in (not NOT LOGGED IN), as Magento lists them."""
    from custtui.models import CustomerGroup

    return tuple(
        (str(g.id), g.code)
        for g in CustomerGroup.select().where(CustomerGroup.id != 0).order_by(CustomerGroup.id)
    )


def choices_for(opt: Option, groups: Choices | None = None) -> Choices:
    """The choices of a select (groups read from the database unless given), with Magento's
    "-- Please Select --" first where the value may be blank."""
    if opt.kind not in ("select", "yesno"):
        return ()
    if opt.source == GROUPS:
        found = groups if groups is not None else group_choices()
        return ((("", "-- Please Select --"),) if not opt.required else ()) + found
    return opt.choices


def label_of(opt: Option, value: str | None, choices: Choices | None = None) -> str:
    """A value as a person reads it: "Yes", "Per Website", "Required", "(empty)"."""
    value = "" if value is None else value
    if opt.kind == "yesno":
        return "Yes" if value.strip() == "1" else "No"
    for stored, label in choices if choices is not None else opt.choices:
        if stored == value:
            return label
    if value == "":
        return f"(empty: {opt.empty_means})" if opt.empty_means else "(empty)"
    return value


def _has_control(text: str) -> bool:
    return any(not ch.isprintable() for ch in text)


def clean(opt: Option, raw: object, choices: Choices | None = None) -> str:
    """The value to store for *raw* typed or chosen for *opt*, or :class:`ValidationError`
    keyed by the path with a message that names the option and what is allowed.

    Selects accept the stored value or its label ("Optional", "Yes"); integers are digits
    only (no sign, decimals or exponent) within the option's range."""
    text = "" if raw is None else str(raw)
    if opt.kind in ("yesno", "select"):
        return _clean_choice(opt, text, choices)
    if opt.kind == "integer":
        return _clean_integer(opt, text)
    return _clean_text(opt, text)


def _clean_choice(opt: Option, text: str, choices: Choices | None) -> str:
    options = choices if choices is not None else choices_for(opt)
    wanted = text.strip()
    for value, _label in options:
        if wanted == value:
            return value
    for value, label in options:
        if wanted.casefold() == label.casefold():
            return value
    if opt.kind == "yesno" and wanted.casefold() in ("yes", "no", "true", "false"):
        return "1" if wanted.casefold() in ("yes", "true") else "0"
    named = ", ".join(f"{label} ({value})" if value else label for value, label in options)
    raise ValidationError(
        opt.path, f"{opt.label} must be one of: {named}; {text.strip() or '(empty)'!r} is not."
    )


def _clean_integer(opt: Option, text: str) -> str:
    wanted = text.strip()
    words = opt.range_text()
    allowed = f"a whole number{',' if 'or greater' in words else ''} {words}".rstrip()
    if not opt.required:
        allowed += f", or empty for {opt.empty_means or 'the default'}"
    if wanted == "":
        if opt.required:
            raise ValidationError(opt.path, f"{opt.label} is required: enter {allowed}.")
        return ""
    if not _INTEGER.fullmatch(wanted):
        raise ValidationError(
            opt.path, f"{opt.label} must be {allowed}; {wanted[:40]!r} is not a whole number."
        )
    number = int(wanted)
    too_low = opt.minimum is not None and number < opt.minimum
    too_high = number > (opt.maximum if opt.maximum is not None else _INTEGER_CAP)
    if too_low or too_high:
        if opt.maximum is None and too_high:
            allowed = f"{allowed} (at most {_INTEGER_CAP})"
        raise ValidationError(opt.path, f"{opt.label} must be {allowed}; {number} is not.")
    return str(number)


def _clean_text(opt: Option, text: str) -> str:
    value = text.strip()
    if _has_control(value):
        raise ValidationError(
            opt.path, f"{opt.label} must not contain control characters or line breaks."
        )
    if len(value) > opt.max_length:
        raise ValidationError(
            opt.path,
            f"{opt.label} must be at most {opt.max_length} characters; it has {len(value)}.",
        )
    if not value and opt.required:
        raise ValidationError(opt.path, f"{opt.label} is required.")
    if opt.item_max_length is not None:
        for item in value.split(";"):
            if len(item.strip()) > opt.item_max_length:
                raise ValidationError(
                    opt.path,
                    f"{opt.label}: each option must be at most {opt.item_max_length} "
                    f"characters; {item.strip()[:20]!r}… has {len(item.strip())}.",
                )
    if opt.path == "customer/create_account/email_domain" and not re.fullmatch(
        r"[^\s@;,]+\.[^\s@;,.]+", value
    ):
        raise ValidationError(
            opt.path, f"{opt.label} must be a domain name such as example.com; {value!r} is not."
        )
    return value
