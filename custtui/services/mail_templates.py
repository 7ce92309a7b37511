"""The customer email templates: built-in texts, the ``{{var name}}`` syntax, and staff edits
(Marketing › Email Templates).

custtui ships one plain-text template for each of Magento's nine customer email codes and for
the store credit update (Magento Commerce's ``customer_magento_customerbalance_email_template``). Staff
with ``EMAIL_TEMPLATES`` may replace the subject and body of any of them (a row in
``email_template`` overrides the built-in of the same code) and revert to the built-in again.

The syntax is deliberately tiny: ``{{var name}}`` (dotted names allowed) and nothing else — no
code, filters, conditions or expressions — so a template can never run anything, and what a
variable holds is inserted as plain text. Each template documents the variables it may use;
a save that names any other variable, leaves a ``{{`` open or uses another directive is
refused with the field and the reason. Built-ins are written to pass the same checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from custtui.models import EmailTemplate
from custtui.models.db import database
from custtui.services import audit, clock, permissions
from custtui.services.actor import Actor
from custtui.services.errors import NotFound, ValidationError

SUBJECT_MAX = 255
BODY_MAX = 100_000
"""A plain-text email longer than this is a paste accident, not a template."""

# ----------------------------------------------------------------------------- variables
COMMON_VARIABLES: dict[str, str] = {
    "customer_name": "The customer's full name (prefix, first, middle and last name, suffix)",
    "customer_firstname": "The customer's first name",
    "customer_lastname": "The customer's last name",
    "customer_email": "The customer's email address",
    "store_name": "Store name (Store Information › Store Name, else the store view's name)",
    "store_url": "The shop's address (web/secure/base_url)",
    "account_url": "The customer's My Account page on the shop",
    "store_email": "The Customer Support email address (Store Email Addresses)",
}
"""Filled by :func:`custtui.services.mail.queue` for every email."""

SPECIFIC_VARIABLES: dict[str, str] = {
    "set_password_url": "Link where the customer sets their first password (single use)",
    "confirmation_url": "Link that confirms the customer's email address (single use)",
    "reset_url": "Link where the customer sets a new password (single use, expires)",
    "store_credit_balance": "The store credit balance after the update, with its currency",
    "store_credit_change": "What the update added or subtracted, with its currency (+$10.00)",
    "website_name": "The website whose store credit changed",
}
"""Supplied by the code that queues the email; each template says which it needs."""

SAMPLE_VALUES: dict[str, str] = {
    "customer_name": "Veronica Costello",
    "customer_firstname": "Veronica",
    "customer_lastname": "Costello",
    "customer_email": "roni_cost@example.com",
    "store_name": "Main Website Store",
    "store_url": "https://shop.example.com/",
    "account_url": "https://shop.example.com/customer/account/",
    "store_email": "support@example.com",
    "set_password_url": "https://shop.example.com/customer/account/createPassword/?token=SAMPLE",
    "confirmation_url": "https://shop.example.com/customer/account/confirm/?id=1&key=SAMPLE",
    "reset_url": "https://shop.example.com/customer/account/createPassword/?token=SAMPLE",
    "store_credit_balance": "$120.00",
    "store_credit_change": "+$20.00",
    "website_name": "Main Website",
}
"""What the preview fills in (never a real customer's data)."""


@dataclass(frozen=True)
class Builtin:
    """One shipped template: Magento's code, a title a person recognises, and the text."""

    code: str
    title: str
    description: str
    subject: str
    body: str
    needs: tuple[str, ...] = ()
    """Specific variables the caller must supply (besides the common ones)."""

    @property
    def variables(self) -> dict[str, str]:
        """Every variable this template may use, with what it holds."""
        return COMMON_VARIABLES | {name: SPECIFIC_VARIABLES[name] for name in self.needs}


_BENEFITS = """When you sign in to your account, you will be able to:
- Proceed through checkout faster
- Check the status of orders
- View past orders
- Store alternative addresses (for shipping to multiple family members and friends)"""

_SIGNATURE = """Thank you,
{{var store_name}}
{{var store_url}}"""

_CREDENTIALS_CHANGED = """Hello,

We have received a request to change the following information associated with your account at {{var store_name}}: %s.

If you have not authorized this action, please contact us immediately at {{var store_email}}.

Thanks,
{{var store_name}}"""


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(parts)


_GREETING = "{{var customer_name}},"

_CREDENTIALS = """To sign in to our site, use these credentials during checkout or on the My Account page:
{{var account_url}}

Email: {{var customer_email}}
Password: the password you set when creating your account"""

_LINK_LIFETIME = (
    "The link works once and expires after a while; you can always ask for a new one on the "
    "sign-in page."
)

BUILTINS: dict[str, Builtin] = {
    t.code: t
    for t in (
        Builtin(
            "customer_create_account_email_template",
            "Welcome Email",
            "Sent when a customer creates an account (Default Welcome Email).",
            "Welcome to {{var store_name}}",
            _paragraphs(
                _GREETING,
                "Welcome to {{var store_name}}.",
                _CREDENTIALS,
                'Forgot your account password? Choose "Forgot Your Password?" on the sign-in '
                "page to reset it.",
                _BENEFITS,
                _SIGNATURE,
            ),
        ),
        Builtin(
            "customer_create_account_email_no_password_template",
            "Welcome Email Without Password",
            "Sent instead of the Welcome Email when staff create an account without a "
            "password: it invites the customer to set one.",
            "Welcome to {{var store_name}}",
            _paragraphs(
                _GREETING,
                "Welcome to {{var store_name}}. An account has been created for you.",
                "To sign in to our site and set a password, open this link:\n"
                "{{var set_password_url}}",
                "Email: {{var customer_email}}",
                _BENEFITS,
                _SIGNATURE,
            ),
            needs=("set_password_url",),
        ),
        Builtin(
            "customer_create_account_email_confirmation_template",
            "Confirmation Link Email",
            "Sent when a new account must confirm its email address before signing in.",
            "Please confirm your {{var store_name}} account",
            _paragraphs(
                _GREETING,
                "You must confirm your {{var customer_email}} email before you can sign in "
                "(the link is only valid once):\n{{var confirmation_url}}",
                "If you did not create an account at {{var store_name}}, you can ignore this "
                "email.",
                _SIGNATURE,
            ),
            needs=("confirmation_url",),
        ),
        Builtin(
            "customer_create_account_email_confirmed_template",
            "Welcome Email (after confirmation)",
            "Sent instead of the Welcome Email once the customer has confirmed their email.",
            "Welcome to {{var store_name}}",
            _paragraphs(
                _GREETING,
                "Thank you for confirming your {{var store_name}} account.",
                _CREDENTIALS,
                _BENEFITS,
                _SIGNATURE,
            ),
        ),
        Builtin(
            "customer_password_forgot_email_template",
            "Forgot Password",
            'Sent when the customer asks for a reset link ("Forgot Your Password?").',
            "Reset your {{var store_name}} password",
            _paragraphs(
                _GREETING,
                "There was recently a request to change the password for your account.",
                "If you requested this change, set a new password here:\n{{var reset_url}}",
                _LINK_LIFETIME,
                "If you did not make this request, you can ignore this email and your "
                "password will remain the same.",
                _SIGNATURE,
            ),
            needs=("reset_url",),
        ),
        Builtin(
            "customer_password_remind_email_template",
            "Password Reset (sent by staff)",
            "Sent when staff press Reset Password on the customer's page (Remind Email).",
            "Reset your {{var store_name}} password",
            _paragraphs(
                _GREETING,
                "Our customer service team has sent you this link so that you can set a new "
                "password for your {{var store_name}} account:\n{{var reset_url}}",
                _LINK_LIFETIME,
                "If you did not ask us for this, you can ignore this email and your password "
                "will remain the same. Questions? Write to us at {{var store_email}}.",
                _SIGNATURE,
            ),
            needs=("reset_url",),
        ),
        Builtin(
            "customer_password_reset_password_template",
            "Password Changed",
            "Sent after the customer's password has been changed.",
            "Your {{var store_name}} password has been changed",
            _CREDENTIALS_CHANGED % "password",
        ),
        Builtin(
            "customer_account_information_change_email_template",
            "Email Changed",
            "Sent to the old and the new address after the account's email was changed.",
            "Your {{var store_name}} email has been changed",
            _CREDENTIALS_CHANGED % "email",
        ),
        Builtin(
            "customer_account_information_change_email_and_password_template",
            "Email and Password Changed",
            "Sent to the old and the new address after the email and password were changed.",
            "Your {{var store_name}} email and password have been changed",
            _CREDENTIALS_CHANGED % "email, password",
        ),
        Builtin(
            "customer_magento_customerbalance_email_template",
            "Store Credit Update",
            "Sent when staff update a customer's store credit balance and choose Notify "
            "Customer by Email.",
            "Your {{var store_name}} store credit balance has changed",
            _paragraphs(
                _GREETING,
                "Your store credit balance on {{var website_name}} has changed by "
                "{{var store_credit_change}}. Your balance is now {{var store_credit_balance}}.",
                "You can pay with your store credit when you place an order, and see every "
                "change on your account page:\n{{var account_url}}",
                "Questions? Write to us at {{var store_email}}.",
                _SIGNATURE,
            ),
            needs=("store_credit_balance", "store_credit_change", "website_name"),
        ),
    )
}
"""The nine customer templates, keyed by Magento's template code (the config values)."""


def builtin(code: str) -> Builtin:
    try:
        return BUILTINS[code]
    except KeyError:
        raise NotFound(f"There is no email template {code!r}.") from None


# ------------------------------------------------------------------------------- syntax
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_VAR = re.compile(rf"\s*var\s+({_NAME})\s*")
_DIRECTIVE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def syntax_problem(text: str) -> str | None:
    """The first thing wrong with the ``{{…}}`` directives of *text*, in words, or None."""
    position = 0
    while True:
        opening = text.find("{{", position)
        closing = text.find("}}", position)
        if closing != -1 and (opening == -1 or closing < opening):
            return f'has "}}}}" without an opening "{{{{" (line {_line(text, closing)})'
        if opening == -1:
            return None
        end = text.find("}}", opening + 2)
        inner = text[opening + 2 : end] if end != -1 else ""
        if end == -1 or "{{" in inner:
            return f'has an unclosed "{{{{" (line {_line(text, opening)})'
        if _VAR.fullmatch(inner) is None:
            shown = " ".join(inner.split())
            shown = shown if len(shown) <= 40 else shown[:39] + "…"
            if inner.strip().startswith("var") and "|" in inner:
                why = "filters (|…) are not supported"
            else:
                why = "only {{var name}} is supported"
            return f'has "{{{{{shown}}}}}": {why} (line {_line(text, opening)})'
        position = end + 2


def variables_used(text: str) -> list[str]:
    """The variable names *text* uses, in order of first use (directives assumed valid)."""
    seen: dict[str, None] = {}
    for match in _DIRECTIVE.finditer(text):
        var = _VAR.fullmatch(match.group(1))
        if var is not None:
            seen.setdefault(var.group(1), None)
    return list(seen)


def render(text: str, values: Mapping[str, str]) -> str:
    """Substitute every ``{{var name}}`` with its value as plain text (missing → empty).

    Anything that is not a valid directive is left as it was: rendering never fails, and
    :func:`check` is what keeps such text out of saved templates.
    """

    def substitute(match: re.Match[str]) -> str:
        var = _VAR.fullmatch(match.group(1))
        if var is None:
            return match.group(0)
        return str(values.get(var.group(1), ""))

    return _DIRECTIVE.sub(substitute, text)


def one_line(text: str) -> str:
    """A subject as one header line: control characters (CR, LF, tab…) become spaces."""
    cleaned = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(cleaned.split())


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def check(code: str, subject: str, body: str) -> dict[str, str]:
    """Every problem with a subject and body for template *code*, by field (empty when
    they may be saved). Subject and body are checked as given (see :func:`save`)."""
    allowed = builtin(code).variables
    errors: dict[str, str] = {}
    subject, body = _normal(subject), _normal(body)
    if not subject.strip():
        errors["subject"] = "Subject is required."
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"Subject is {len(subject):,} characters long; at most {SUBJECT_MAX}."
    elif any(unicodedata.category(ch) == "Cc" for ch in subject):
        errors["subject"] = "Subject must be one line without control characters."
    if not body.strip():
        errors["body"] = "Body is required."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Body is {len(body):,} characters long; at most {BODY_MAX:,}."
    elif any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in body):
        errors["body"] = (
            "Body must not contain control characters (other than line breaks and tabs)."
        )
    for name, text in (("subject", subject), ("body", body)):
        if name in errors:
            continue
        problem = syntax_problem(text)
        if problem is not None:
            if name == "subject":
                problem = problem.rsplit(" (line ", 1)[0]
            errors[name] = f"{name.capitalize()} {problem}."
            continue
        unknown = [v for v in variables_used(text) if v not in allowed]
        if unknown:
            errors[name] = (
                f"{name.capitalize()} uses unknown variable{'s' if len(unknown) > 1 else ''}: "
                f"{', '.join(unknown)}. Allowed: {', '.join(allowed)}."
            )
    return errors


# ------------------------------------------------------------------------------ service
@dataclass(frozen=True)
class TemplateInfo:
    """A row of the Email Templates list."""

    code: str
    title: str
    customised: bool
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True)
class Template:
    """A template as it is used now: the staff version when there is one, else the built-in."""

    code: str
    title: str
    description: str
    subject: str
    body: str
    customised: bool
    variables: dict[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    updated_at: datetime | None = None
    updated_by: str | None = None
    default_subject: str = ""
    default_body: str = ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def list_templates() -> list[TemplateInfo]:
    """Every template, in the order Magento lists the options, marked when customised."""
    rows = {row.code: row for row in EmailTemplate.select()}
    out = []
    for code, shipped in BUILTINS.items():
        row = rows.get(code)
        out.append(
            TemplateInfo(
                code,
                shipped.title,
                row is not None,
                row.updated_at if row is not None else None,
                row.updated_by if row is not None else None,
            )
        )
    return out


def get(code: str) -> Template:
    """The effective template *code* (raises :class:`NotFound` for an unknown code)."""
    shipped = builtin(code)
    row = EmailTemplate.get_or_none(EmailTemplate.code == code)
    return Template(
        code=code,
        title=shipped.title,
        description=shipped.description,
        subject=row.subject if row is not None else shipped.subject,
        body=row.body if row is not None else shipped.body,
        customised=row is not None,
        variables=shipped.variables,
        needs=shipped.needs,
        updated_at=row.updated_at if row is not None else None,
        updated_by=row.updated_by if row is not None else None,
        default_subject=shipped.subject,
        default_body=shipped.body,
    )


def save(actor: Actor, code: str, subject: str, body: str) -> Template:
    """Replace the subject and body of template *code* (needs ``EMAIL_TEMPLATES``).

    Line breaks are stored as ``\\n`` and text NFC-normalised; the subject is trimmed. Every
    problem is raised at once as a :class:`ValidationError` naming ``subject``/``body``.
    Saving what is already in effect changes nothing and writes no audit row.
    """
    permissions.require(actor, permissions.EMAIL_TEMPLATES)
    builtin(code)
    subject = _normal(str(subject)).strip()
    body = _normal(str(body))
    errors = check(code, subject, body)
    if errors:
        raise ValidationError(errors)
    with database.obj.atomic():
        before = get(code)
        if before.customised and (before.subject, before.body) == (subject, body):
            return before
        now = clock.now()
        (
            EmailTemplate.insert(
                code=code, subject=subject, body=body, updated_at=now, updated_by=actor.username
            )
            .on_conflict(
                conflict_target=[EmailTemplate.code],
                update={
                    EmailTemplate.subject: subject,
                    EmailTemplate.body: body,
                    EmailTemplate.updated_at: now,
                    EmailTemplate.updated_by: actor.username,
                },
            )
            .execute()
        )
        changes = {}
        if subject != before.subject:
            changes["subject"] = [before.subject, subject]
        if body != before.body:
            changes["body"] = [before.body, body]
        row = EmailTemplate.get(EmailTemplate.code == code)
        audit.record(
            actor,
            "email_template_changed",
            entity_type="email_template",
            entity_id=row.id,
            changes=changes,
            note=f"{before.title} ({code})",
        )
    return get(code)


def revert(actor: Actor, code: str) -> bool:
    """Go back to the built-in text of *code* (needs ``EMAIL_TEMPLATES``); False when it
    was not customised (nothing to do, nothing audited)."""
    permissions.require(actor, permissions.EMAIL_TEMPLATES)
    shipped = builtin(code)
    with database.obj.atomic():
        row = EmailTemplate.get_or_none(EmailTemplate.code == code)
        if row is None:
            return False
        EmailTemplate.delete().where(EmailTemplate.id == row.id).execute()
        audit.record(
            actor,
            "email_template_reverted",
            entity_type="email_template",
            entity_id=row.id,
            changes={"subject": [row.subject, shipped.subject]},
            note=f"{shipped.title} ({code}) is back to the built-in text",
        )
    return True


def preview(code: str, subject: str | None = None, body: str | None = None) -> Rendered:
    """Template *code* filled with sample values. Given a subject and body (the editor's
    unsaved text) it renders those without touching the database; otherwise the effective
    template. Invalid directives are shown as typed."""
    if subject is None or body is None:
        current = get(code)
        subject = current.subject if subject is None else subject
        body = current.body if body is None else body
    else:
        builtin(code)
    values = {name: SAMPLE_VALUES.get(name, name) for name in builtin(code).variables}
    return Rendered(one_line(render(_normal(subject), values)), render(_normal(body), values))
