"""Creating and changing customer accounts: validation, uniqueness, concurrency and audit.

Every rule lives here so the editor, the CLI and the storefront API agree. A save writes only
the fields that changed, checks the row's ``version`` (another agent's save in between is a
:class:`Conflict` carrying both sides), updates the grid row and appends the audit row in the
same transaction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email

from custtui.models import Customer, CustomerGroup, StoreView, Website
from custtui.models.db import database
from custtui.services import audit, clock, config, grid_index, permissions
from custtui.services.actor import Actor
from custtui.services.errors import Conflict, NotFound, ValidationError
from custtui.services.grid_columns import GENDERS

NAME_FIELDS = ("prefix", "firstname", "middlename", "lastname", "suffix")
EDITABLE = (
    "website_id",
    "group_id",
    "disable_auto_group_change",
    *NAME_FIELDS,
    "email",
    "dob",
    "taxvat",
    "gender",
    "store_view_id",
    "assistance_allowed",
)
LABELS = {
    "website_id": "Associate to Website",
    "group_id": "Group",
    "disable_auto_group_change": "Disable Automatic Group Change",
    "prefix": "Name Prefix",
    "firstname": "First Name",
    "middlename": "Middle Name/Initial",
    "lastname": "Last Name",
    "suffix": "Name Suffix",
    "email": "Email",
    "dob": "Date of Birth",
    "taxvat": "Tax/VAT Number",
    "gender": "Gender",
    "store_view_id": "Send Welcome Email From",
    "assistance_allowed": "Allow remote shopping assistance",
}
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def email_key(email: str) -> str:
    """The uniqueness key: Unicode case-folded local part, IDNA-lowered domain."""
    local, _, domain = email.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        domain = domain.casefold()
    return f"{local.casefold()}@{domain}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def _check_name(field: str, value: str | None, required: bool, errors: dict[str, str]) -> None:
    label = LABELS[field]
    if value is None:
        if required:
            errors[field] = f"{label} is required."
        return
    if len(value) > 255:
        errors[field] = f"{label} is {len(value)} characters long; at most 255."
    elif any(unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS for ch in value):
        errors[field] = f"{label} must not contain control or text-direction characters."


def _options(path: str, website_id: int | None) -> list[str]:
    raw = config.get(path, website_id)
    return [o.strip() for o in raw.split(";")] if raw.strip() else []


def _show(path: str, website_id: int | None) -> str:
    return config.get(path, website_id).strip()


@dataclass(frozen=True)
class AccountForm:
    """Which optional account fields show and which are required on a website
    (Name and Address Options, reference A9)."""

    prefix: str
    prefix_options: tuple[str, ...]
    middlename: bool
    suffix: str
    suffix_options: tuple[str, ...]
    dob: str
    taxvat: str
    gender: str

    @classmethod
    def for_website(cls, website_id: int | None) -> AccountForm:
        return cls(
            prefix=_show("customer/address/prefix_show", website_id),
            prefix_options=tuple(_options("customer/address/prefix_options", website_id)),
            middlename=_show("customer/address/middlename_show", website_id) == "1",
            suffix=_show("customer/address/suffix_show", website_id),
            suffix_options=tuple(_options("customer/address/suffix_options", website_id)),
            dob=_show("customer/address/dob_show", website_id),
            taxvat=_show("customer/address/taxvat_show", website_id),
            gender=_show("customer/address/gender_show", website_id),
        )


def _parse_dob(value: Any, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            errors["dob"] = f"Date of Birth must be a real date as YYYY-MM-DD, not {text[:20]!r}."
            return None
    if day >= clock.now().date():
        errors["dob"] = "Date of Birth must be in the past."
    elif day.year < 1900:
        errors["dob"] = "Date of Birth must be after 1900."
    return day


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a complete set of account values; raises one ValidationError with every
    problem, each naming its field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    website_id = values.get("website_id")
    if website_id is None or not Website.select().where(Website.id == website_id).exists():
        errors["website_id"] = "Choose the website the account belongs to."
        website_id = None
    out["website_id"] = website_id
    form = AccountForm.for_website(website_id)

    group_id = values.get("group_id", 1)
    group = (
        CustomerGroup.get_or_none(CustomerGroup.id == group_id) if group_id is not None else None
    )
    if group is None:
        errors["group_id"] = "Choose an existing customer group."
    elif group.id == 0:
        errors["group_id"] = "NOT LOGGED IN is the group of guests; choose another group."
    out["group_id"] = group_id

    for field in NAME_FIELDS:
        value = _text(values.get(field))
        shown = {"prefix": form.prefix, "suffix": form.suffix}.get(field, "")
        required = field in ("firstname", "lastname") or shown == "req"
        _check_name(field, value, required, errors)
        choices = {"prefix": form.prefix_options, "suffix": form.suffix_options}.get(field, ())
        if value is not None and choices and value not in choices and field not in errors:
            errors[field] = f"{LABELS[field]} must be one of: {', '.join(c for c in choices if c)}."
        out[field] = value

    email = _text(values.get("email"))
    if email is None:
        errors["email"] = "Email is required."
    else:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            errors["email"] = f"Email is not valid: {error}"
        if len(email) > 255:
            errors["email"] = "Email is longer than 255 characters."
    out["email"] = email

    out["dob"] = _parse_dob(values.get("dob"), errors)
    if out["dob"] is None and form.dob == "req" and "dob" not in errors:
        errors["dob"] = "Date of Birth is required."
    taxvat = _text(values.get("taxvat"))
    if taxvat is not None and len(taxvat) > 50:
        errors["taxvat"] = f"Tax/VAT Number is {len(taxvat)} characters long; at most 50."
    elif taxvat is None and form.taxvat == "req":
        errors["taxvat"] = "Tax/VAT Number is required."
    out["taxvat"] = taxvat
    gender = values.get("gender")
    if gender in ("", None):
        gender = None
        if form.gender == "req":
            errors["gender"] = "Gender is required."
    elif gender not in (1, 2, 3):
        errors["gender"] = "Gender must be Male, Female or Not Specified."
    out["gender"] = gender

    store_view_id = values.get("store_view_id")
    if store_view_id is not None and website_id is not None:
        view = StoreView.get_or_none(StoreView.id == store_view_id)
        if view is None or view.website_id != website_id:
            errors["store_view_id"] = "Choose a store view of the customer's website."
    out["store_view_id"] = store_view_id
    out["disable_auto_group_change"] = bool(values.get("disable_auto_group_change", False))
    out["assistance_allowed"] = bool(values.get("assistance_allowed", False))
    if errors:
        raise ValidationError(errors)
    return out


def _email_taken(email: str, website_id: int, exclude: int | None = None) -> bool:
    query = Customer.select().where(Customer.email_key == email_key(email))
    if config.get("customer/account_share/scope").strip() != "0":
        query = query.where(Customer.website == website_id)
    if exclude is not None:
        query = query.where(Customer.id != exclude)
    return query.exists()


def _db_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k not in ("website_id", "group_id", "store_view_id")}
    out["website"] = values["website_id"]
    out["group"] = values["group_id"]
    out["store_view"] = values.get("store_view_id")
    return out


def snapshot(customer: Customer) -> dict[str, Any]:
    """The editable values of a customer as the editor holds them."""
    return {
        "website_id": customer.website_id,
        "group_id": customer.group_id,
        "store_view_id": customer.store_view_id,
        **{
            f: getattr(customer, f)
            for f in EDITABLE
            if f not in ("website_id", "group_id", "store_view_id")
        },
    }


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def create(actor: Actor, values: Mapping[str, Any]) -> Customer:
    """Add a customer as staff (no password: the welcome email invites them to set one)."""
    from custtui.services import mail, password_reset

    permissions.require(actor, permissions.CUSTOMERS_EDIT)
    data = clean(values)
    with database.obj.atomic():
        customer = insert_customer(actor, data)
        # Magento's "Welcome Email Without Password": a single-use link to set one, sent from
        # the store view chosen in "Send Welcome Email From" (its language and sender).
        token = password_reset.issue_token(customer.id)
        mail.queue(
            config.get("customer/create_account/email_no_password_template", customer.website_id),
            customer=customer,
            store_view_id=customer.store_view_id,
            identity=config.get("customer/create_account/email_identity", customer.website_id),
            variables={"set_password_url": password_reset.link(customer, token)},
            actor=actor,
        )
    return customer


def insert_customer(
    actor: Actor,
    data: Mapping[str, Any],
    *,
    password_hash: str | None = None,
    confirmation: str | None = None,
) -> Customer:
    """Insert cleaned account values (from :func:`clean`), index and audit them; call inside
    a transaction. Staff creation and storefront registration both end here."""
    if _email_taken(data["email"], data["website_id"]):
        raise ValidationError(
            "email",
            "A customer with the same email address already exists in an associated website.",
        )
    store_view_id = data.get("store_view_id") or (
        StoreView.select(StoreView.id)
        .where(StoreView.website == data["website_id"])
        .order_by(StoreView.id)
        .scalar()
    )
    created_in = StoreView.get_by_id(store_view_id).name if store_view_id else None
    now = clock.now()
    row = _db_values({**data, "store_view_id": store_view_id})
    customer = Customer.create(
        **row,
        email_key=email_key(data["email"]),
        created_at=now,
        updated_at=now,
        created_in=created_in,
        password_hash=password_hash,
        confirmation=confirmation,
        version=1,
    )
    grid_index.reindex([customer.id])
    audit.record(
        actor,
        "customer_created",
        entity_id=customer.id,
        customer_id=customer.id,
        changes={k: [None, _jsonable(v)] for k, v in data.items() if v not in (None, False)},
    )
    return customer


@dataclass(frozen=True)
class SaveResult:
    customer: Customer
    changed: dict[str, list[Any]]


def update(actor: Actor, customer_id: int, version: int, values: Mapping[str, Any]) -> SaveResult:
    """Save an edited account read at *version*; writes only changed fields.

    If someone saved the customer after *version* was read, raises :class:`Conflict` whose
    ``theirs`` holds the current values and ``changed`` the fields they changed.
    """
    permissions.require(actor, permissions.CUSTOMERS_EDIT)
    return save_changes(actor, customer_id, version, values)


def save_changes(
    actor: Actor, customer_id: int, version: int, values: Mapping[str, Any]
) -> SaveResult:
    """:func:`update` without the staff permission check: for the customer's own changes
    (change email from the storefront), which are authorised by their current password."""
    current = get(customer_id)
    if current.version != version:
        raise StaleEdit(customer_id, version)
    before = snapshot(current)
    data = clean({**before, **values})
    changed = {k: [before[k], data[k]] for k in data if data[k] != before[k]}
    if not changed:
        return SaveResult(current, {})
    with database.obj.atomic():
        if "email" in changed and _email_taken(data["email"], data["website_id"], customer_id):
            raise ValidationError(
                "email",
                "A customer with the same email address already exists in an associated website.",
            )
        fields = _db_values({k: data[k] for k in ("website_id", "group_id", "store_view_id")})
        update_values = {
            k: data[k] for k in changed if k not in ("website_id", "group_id", "store_view_id")
        }
        for key, column in (
            ("website_id", "website"),
            ("group_id", "group"),
            ("store_view_id", "store_view"),
        ):
            if key in changed:
                update_values[column] = fields[column]
        if "email" in changed:
            update_values["email_key"] = email_key(data["email"])
        update_values["updated_at"] = clock.now()
        update_values["version"] = Customer.version + 1
        rows = (
            Customer.update(**update_values)
            .where((Customer.id == customer_id) & (Customer.version == version))
            .execute()
        )
        if rows == 0:
            raise StaleEdit(customer_id, version)
        grid_index.reindex([customer_id])
        audit.record(
            actor,
            "customer_saved",
            entity_id=customer_id,
            customer_id=customer_id,
            changes={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in changed.items()},
        )
    return SaveResult(Customer.get_by_id(customer_id), changed)


class StaleEdit(Conflict):
    """The customer was saved by someone else after this edit began."""

    def __init__(self, customer_id: int, version: int) -> None:
        latest = Customer.get_or_none(Customer.id == customer_id)
        self.theirs = snapshot(latest) if latest is not None else None
        self.version = latest.version if latest is not None else None
        super().__init__(
            "Someone else saved this customer after you opened it. Review their changes, then "
            "reload or re-apply yours."
        )


def confirm_email(actor: Actor, customer_id: int) -> bool:
    """Confirm the account's email on the customer's behalf. False if nothing was pending."""
    permissions.require(actor, permissions.CUSTOMERS_EDIT)
    with database.obj.atomic():
        rows = (
            Customer.update(confirmation=None, updated_at=clock.now(), version=Customer.version + 1)
            .where((Customer.id == customer_id) & Customer.confirmation.is_null(False))
            .execute()
        )
        if rows:
            grid_index.reindex([customer_id])
            audit.record(
                actor,
                "email_confirmed",
                entity_id=customer_id,
                customer_id=customer_id,
                changes={"confirmed_email": ["Confirmation Required", "Confirmed"]},
                note="confirmed by staff on the customer's behalf",
            )
    return bool(rows)


# ------------------------------------------------------------------------------ the editor
def editor_choices() -> dict[str, Any]:
    """The lists the account editor offers: websites, groups (not NOT LOGGED IN), genders,
    store views, and which website each store view belongs to."""
    views = list(StoreView.select().order_by(StoreView.id))
    return {
        "website_id": [(w.name, w.id) for w in Website.select().order_by(Website.id)],
        "group_id": [
            (g.code, g.id) for g in CustomerGroup.select().order_by(CustomerGroup.id) if g.id != 0
        ],
        "gender": [(name, value) for value, name in GENDERS.items()],
        "store_view_id": [(s.name, s.id) for s in views],
        "store_view_sites": {s.id: s.website_id for s in views},
    }


def account_forms() -> dict[int, AccountForm]:
    """Each website's Account Information form (which fields show, which are required)."""
    return {w.id: AccountForm.for_website(w.id) for w in Website.select(Website.id)}


def get(customer_id: int) -> Customer:
    """The customer, or :class:`NotFound` in words staff can act on."""
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist (it may have been deleted).")
    return customer
