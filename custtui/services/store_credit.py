"""Store credit: money the shop owes a customer, per website, that never loses a cent.

The **history is the truth** and the balance a cache kept in the same transaction
(reliability-notes §2.6). Every movement, whoever makes it (staff, an order, a credit memo, a
cancellation), goes through :func:`apply_movement`, which in one transaction

1. makes sure the balance row exists (``INSERT … ON CONFLICT DO NOTHING``),
2. changes it with a relative, guarded ``UPDATE … SET amount = amount + ? WHERE id = ? AND
   amount + ? >= 0`` and checks the rowcount — never read, add in Python, and save, which
   lost 70 % of the money with 8 writers in the measurements,
3. reads the new amount and inserts the history row with its unique ``request_id``.

The ``request_id`` is the idempotency key. Staff forms create it when they open and reuse it
on retry; orders, credit memos and cancellations derive it from the order or memo, so an
order can use its credit, and be reverted, exactly once. A retry with an applied key gets the
first result back (``applied=False``) and applies nothing — whether the earlier attempt is
seen before the insert or loses the race on the unique index.

Money is integer minor units of the website's ``currency_code`` (:mod:`custtui.services.money`).
Actions are Magento's codes and labels: 1 Updated, 2 Created, 3 Used, 4 Refunded, 5 Reverted.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import IntegrityError

from custtui.models import (
    Customer,
    StoreCreditBalance,
    StoreCreditHistory,
    StoreView,
    Website,
)
from custtui.models.db import database
from custtui.services import audit, clock, config, money, permissions
from custtui.services.actor import Actor
from custtui.services.errors import Conflict, NotFound, PermissionDenied, ValidationError

ACTION_UPDATED = 1
ACTION_CREATED = 2
ACTION_USED = 3
ACTION_REFUNDED = 4
ACTION_REVERTED = 5
ACTIONS: dict[int, str] = {
    ACTION_UPDATED: "Updated",
    ACTION_CREATED: "Created",
    ACTION_USED: "Used",
    ACTION_REFUNDED: "Refunded",
    ACTION_REVERTED: "Reverted",
}
"""Magento's ``Model\\Balance\\History`` action codes and their exact labels."""
UNKNOWN_ACTION = "The balance history action code is unknown. Verify the code and try again."

AUDIT_ACTIONS: dict[int, str] = {
    ACTION_UPDATED: "store_credit_updated",
    ACTION_CREATED: "store_credit_updated",
    ACTION_USED: "store_credit_used",
    ACTION_REFUNDED: "store_credit_refunded",
    ACTION_REVERTED: "store_credit_reverted",
}

PATH_ENABLED = "customer/magento_customerbalance/is_enabled"
PATH_SHOW_HISTORY = "customer/magento_customerbalance/show_history"
PATH_REFUND_AUTOMATICALLY = "customer/magento_customerbalance/refund_automatically"
PATH_EMAIL_IDENTITY = "customer/magento_customerbalance/email_identity"
PATH_EMAIL_TEMPLATE = "customer/magento_customerbalance/email_template"
PATH_STAFF_LIMIT = "customer/magento_customerbalance/staff_adjust_limit"
SHARE_PATH = "customer/account_share/scope"

COMMENT_MAX = 200
"""Longest comment: ``By admin: <username>. (<comment>)`` must fit Magento's 255 characters."""
INFO_MAX = 255
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}", re.ASCII)
DISABLED = (
    "Store credit is turned off (Settings › Customer Configuration › Store Credit Options › "
    "Enable Store Credit Functionality)."
)


class InsufficientCredit(ValidationError):
    """A debit larger than the balance; ``available`` is the balance in minor units."""

    def __init__(self, field_name: str, message: str, available: int) -> None:
        super().__init__(field_name, message)
        self.available = available


def action_label(code: int) -> str:
    """``3`` → ``"Used"``; an unknown code is Magento's error."""
    try:
        return ACTIONS[int(code)]
    except (KeyError, TypeError, ValueError):
        raise ValidationError("action", UNKNOWN_ACTION) from None


def new_request_id() -> str:
    """A fresh idempotency key (the Update Balance form makes one when it opens)."""
    return uuid.uuid4().hex


def check_request_id(value: object) -> str:
    """*value* as a request id: 8–64 characters of letters, digits and ``. _ : -``."""
    text = "" if value is None else str(value).strip()
    if not _REQUEST_ID.fullmatch(text):
        raise ValidationError(
            "request_id",
            "Request ID must be 8 to 64 letters, digits or . _ : - (starting with a letter "
            "or digit); leave it out to make a new one.",
        )
    return text


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class Balance:
    """The customer's store credit on one website (0 when none was ever given)."""

    website_id: int
    website_code: str
    website_name: str
    currency_code: str
    amount: int
    exists: bool
    adjustable: bool = True
    """False when account sharing is per website and the account belongs to another one."""

    @property
    def shown(self) -> str:
        return money.format_amount(self.amount, self.currency_code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "website": self.website_code,
            "website_name": self.website_name,
            "currency": self.currency_code,
            "amount": money.to_text(self.amount, self.currency_code, grouping=False),
            "amount_minor": self.amount,
        }


@dataclass(frozen=True)
class Movement:
    """One history row: what a movement did (``applied=False``: an earlier attempt with the
    same request id had already done it, and this is its result)."""

    history_id: int
    balance_id: int
    customer_id: int
    website_id: int
    website_name: str
    currency_code: str
    action: int
    delta: int
    balance_after: int
    additional_info: str | None
    customer_notified: bool
    created_at: datetime
    request_id: str
    staff_username: str | None = None
    order_id: int | None = None
    creditmemo_id: int | None = None
    applied: bool = True
    outbox_id: int | None = None

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def delta_shown(self) -> str:
        return money.format_amount(self.delta, self.currency_code, sign=True)

    @property
    def balance_shown(self) -> str:
        return money.format_amount(self.balance_after, self.currency_code)

    @property
    def notified_label(self) -> str:
        """The Balance History grid's words (Magento's ``Notified`` / ``No``)."""
        return "Notified" if self.customer_notified else "No"

    def as_dict(self, *, staff: bool = True) -> dict[str, Any]:
        code = self.currency_code
        out: dict[str, Any] = {
            "id": self.history_id,
            "date": self.created_at.isoformat(),
            "website_id": self.website_id,
            "website": self.website_name,
            "currency": code,
            "action": self.action_label,
            "action_code": self.action,
            "balance_change": money.to_text(self.delta, code, sign=True, grouping=False),
            "balance": money.to_text(self.balance_after, code, grouping=False),
            "balance_change_minor": self.delta,
            "balance_minor": self.balance_after,
            "customer_notified": self.customer_notified,
            "more_information": self.additional_info,
        }
        if not staff and self.action in (ACTION_UPDATED, ACTION_CREATED):
            # "By admin: <username>. (<comment>)" is for the back office: a shopper's My
            # Account never shows staff names or their notes (Magento shows no such column).
            out["more_information"] = None
        if staff:
            out["request_id"] = self.request_id
            out["staff"] = self.staff_username
            out["applied"] = self.applied
        return out


def website_names() -> dict[int, tuple[str, str, str]]:
    """``id → (code, name, currency)`` of every website (a handful of rows)."""
    return {w.id: (w.code, w.name, w.currency_code) for w in Website.select()}


def movement_from_row(
    row: StoreCreditHistory, website_id: int, sites: dict[int, tuple[str, str, str]], **extra: Any
) -> Movement:
    code, name, currency = sites.get(website_id, ("", f"Website {website_id}", "USD"))
    return Movement(
        history_id=row.id,
        balance_id=row.balance_id,
        customer_id=row.customer_id,
        website_id=website_id,
        website_name=name,
        currency_code=currency,
        action=row.action,
        delta=row.delta,
        balance_after=row.balance_after,
        additional_info=row.additional_info,
        customer_notified=bool(row.customer_notified),
        created_at=row.created_at,
        request_id=row.request_id,
        staff_username=row.staff_username,
        order_id=row.order_id,
        creditmemo_id=row.creditmemo_id,
        **extra,
    )


# ------------------------------------------------------------------------------ lookups
def is_enabled() -> bool:
    """Enable Store Credit Functionality (global)."""
    return config.get_flag(PATH_ENABLED)


def get_customer(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist (it may have been deleted).")
    return customer


def _website(website_id: object) -> Website:
    try:
        wid = int(website_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValidationError("website", "Choose a website.") from None
    site = Website.get_or_none(Website.id == wid)
    if site is None:
        raise ValidationError("website", f"Website {website_id} does not exist.")
    return site


def website_by_code(code: str) -> Website:
    """A website by its code (``base``); :class:`ValidationError` listing the codes."""
    site = Website.get_or_none(Website.code == code)
    if site is None:
        codes = ", ".join(w.code for w in Website.select().order_by(Website.id))
        raise ValidationError("website", f"There is no website {code!r}; websites: {codes}.")
    return site


def shared_globally() -> bool:
    """Share Customer Accounts = Global: one account (and its credit) on every website."""
    return config.get(SHARE_PATH).strip() == "0"


def adjustable_website_ids(customer: Customer) -> list[int]:
    """Websites on which this customer's store credit may be kept: every website when accounts
    are shared globally, else only the account's own website (as Magento's admin offers)."""
    if shared_globally() or customer.website_id is None:
        return [w.id for w in Website.select(Website.id).order_by(Website.sort_order, Website.id)]
    return [int(customer.website_id)]


def balances(customer_id: int) -> list[Balance]:
    """One row per website the customer has credit on or could be given credit on."""
    customer = get_customer(customer_id)
    stored = {
        b.website_id: b
        for b in StoreCreditBalance.select().where(StoreCreditBalance.customer == customer_id)
    }
    allowed = set(adjustable_website_ids(customer))
    out = []
    for site in Website.select().order_by(Website.sort_order, Website.id):
        row = stored.get(site.id)
        if row is None and site.id not in allowed:
            continue
        out.append(
            Balance(
                website_id=site.id,
                website_code=site.code,
                website_name=site.name,
                currency_code=row.currency_code if row is not None else site.currency_code,
                amount=int(row.amount) if row is not None else 0,
                exists=row is not None,
                adjustable=site.id in allowed,
            )
        )
    return out


def balance_amount(customer_id: int, website_id: int) -> int:
    """The balance in minor units (0 when there is none)."""
    row = (
        StoreCreditBalance.select(StoreCreditBalance.amount)
        .where(
            (StoreCreditBalance.customer == customer_id)
            & (StoreCreditBalance.website == website_id)
        )
        .first()
    )
    return int(row.amount) if row is not None else 0


def staff_limit(website: Website) -> int:
    """The Staff Adjustment Limit of *website* in its minor units."""
    whole = config.get_int(PATH_STAFF_LIMIT, website.id)
    return max(0, whole) * 10 ** money.minor_units(website.currency_code)


def clean_comment(value: object) -> str | None:
    """A comment as stored: NFC, trimmed, one line, at most :data:`COMMENT_MAX` characters."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not text:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise ValidationError(
            "comment", "Comment must be one line without control or formatting characters."
        )
    if len(text) > COMMENT_MAX:
        raise ValidationError(
            "comment", f"Comment must be at most {COMMENT_MAX} characters; it has {len(text)}."
        )
    return text


def admin_info(username: str, comment: str | None) -> str:
    """Magento's text: ``By admin: <username>.`` or ``By admin: <username>. (<comment>)``."""
    text = f"By admin: {username}."
    if comment:
        text += f" ({comment})"
    return text[:INFO_MAX]


# ------------------------------------------------------------------------------ the ledger
def replayed(request_id: str) -> Movement | None:
    """The movement already recorded under *request_id*, if any (as ``applied=False``)."""
    # Nearly always there is none: ask the unique index first with a statement that costs
    # nothing to build (the full-row query was a quarter of an adjustment's time).
    p = database.obj.param
    probe = database.obj.execute_sql(
        f"SELECT 1 FROM store_credit_history WHERE request_id = {p}", (request_id,)
    )
    if probe.fetchone() is None:
        return None
    row = StoreCreditHistory.get_or_none(StoreCreditHistory.request_id == request_id)
    if row is None:
        return None
    website_id = StoreCreditBalance.get_by_id(row.balance_id).website_id
    return movement_from_row(row, website_id, website_names(), applied=False)


def apply_movement(
    actor: Actor,
    customer: Customer,
    website: Website,
    delta: int,
    action: int,
    info: str | None,
    request_id: str,
    *,
    notified: bool = False,
    order_id: int | None = None,
    creditmemo_id: int | None = None,
    refusal: str | None = None,
    field_name: str = "amount",
) -> Movement:
    """Apply one movement inside the caller's transaction (see the module docstring).

    ``action`` ``ACTION_UPDATED`` becomes ``ACTION_CREATED`` when this movement creates the
    balance. A debit larger than the balance raises :class:`InsufficientCredit`, whose message
    is *refusal* formatted with ``{available}``, ``{amount}`` and ``{website}``, for the field
    *field_name*. A used
    *request_id* raises peewee's ``IntegrityError`` (the caller turns it into a replay).
    """
    action_label(action)
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise ValueError(f"a movement needs a non-zero whole number of minor units: {delta!r}")
    currency = website.currency_code
    money.minor_units(currency)
    created = (
        StoreCreditBalance.insert(
            customer=customer.id, website=website.id, amount=0, currency_code=currency
        )
        .on_conflict_ignore()
        .as_rowcount()
        .execute()
    )
    balance = StoreCreditBalance.get(
        (StoreCreditBalance.customer == customer.id) & (StoreCreditBalance.website == website.id)
    )
    changed = (
        StoreCreditBalance.update(amount=StoreCreditBalance.amount + delta)
        .where((StoreCreditBalance.id == balance.id) & (StoreCreditBalance.amount + delta >= 0))
        .execute()
    )
    if changed != 1:
        available = balance_amount(customer.id, website.id)
        template = refusal or (
            "The store credit balance on {website} is {available}; you cannot subtract {amount}."
        )
        raise InsufficientCredit(
            field_name,
            template.format(
                website=website.name,
                available=money.format_amount(available, balance.currency_code),
                amount=money.format_amount(-delta, balance.currency_code),
            ),
            available,
        )
    after = int(
        StoreCreditBalance.select(StoreCreditBalance.amount)
        .where(StoreCreditBalance.id == balance.id)
        .scalar()
    )
    if action == ACTION_UPDATED and created:
        action = ACTION_CREATED
    now = clock.now()
    history_id = StoreCreditHistory.insert(
        balance=balance.id,
        customer=customer.id,
        created_at=now,
        action=action,
        delta=delta,
        balance_after=after,
        additional_info=info[:INFO_MAX] if info else None,
        customer_notified=notified,
        request_id=request_id,
        staff_id=actor.staff_id,
        staff_username=actor.username,
        order_id=order_id,
        creditmemo_id=creditmemo_id,
    ).execute()
    before_text = money.format_amount(after - delta, balance.currency_code)
    after_text = money.format_amount(after, balance.currency_code)
    audit.record(
        actor,
        AUDIT_ACTIONS[action],
        entity_type="store_credit",
        entity_id=int(history_id),
        customer_id=customer.id,
        changes={f"Store credit ({website.name})": [before_text, after_text]},
        note=f"{ACTIONS[action]} {money.format_amount(delta, currency, sign=True)}"
        + (f" — {info}" if info else ""),
    )
    return Movement(
        history_id=int(history_id),
        balance_id=balance.id,
        customer_id=customer.id,
        website_id=website.id,
        website_name=website.name,
        currency_code=balance.currency_code,
        action=action,
        delta=delta,
        balance_after=after,
        additional_info=info[:INFO_MAX] if info else None,
        customer_notified=notified,
        created_at=now,
        request_id=request_id,
        staff_username=actor.username,
        order_id=order_id,
        creditmemo_id=creditmemo_id,
    )


def _same(earlier: Movement, customer_id: int, website_id: int, delta: int) -> Movement:
    """The earlier result of this request id, or :class:`Conflict` when it was used for a
    different adjustment (a key reused by mistake must never look like success)."""
    if (earlier.customer_id, earlier.website_id, earlier.delta) != (
        customer_id,
        website_id,
        delta,
    ):
        raise Conflict(
            f"Request ID {earlier.request_id} was already used for another movement "
            f"({earlier.delta_shown} on {earlier.website_name}, history #{earlier.history_id}); "
            "open the form again for a new adjustment."
        )
    return earlier


def adjust(
    actor: Actor,
    customer_id: int,
    website_id: int,
    amount: int | str,
    *,
    request_id: str,
    comment: str | None = None,
    notify: bool = False,
    store_view_id: int | None = None,
) -> Movement:
    """Update Balance: add (positive) or subtract (negative) *amount* on *website_id*.

    *amount* is minor units, or text typed by staff (parsed strictly in the website's
    currency). Needs ``STORE_CREDIT_ADJUST``; more than the website's Staff Adjustment Limit
    also needs ``STORE_CREDIT_OVER_LIMIT`` (admins). With *notify* the Store Credit Update
    email is queued from *store_view_id* (the customer's own store view on that website by
    default). A retry with the same *request_id* returns the first result and applies nothing.
    """
    permissions.require(actor, permissions.STORE_CREDIT_ADJUST)
    request_id = check_request_id(request_id)
    customer = get_customer(customer_id)
    website = _website(website_id)
    currency = website.currency_code
    if isinstance(amount, str):
        delta = money.parse(amount, currency, field="amount", label="Amount")
    elif isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError("amount", "Amount must be a whole number of minor units.")
    else:
        delta = amount
        if delta == 0:
            raise ValidationError("amount", "Amount must not be zero.")
        if abs(delta) > money.max_minor(currency):
            limit = money.format_amount(money.max_minor(currency), currency)
            raise ValidationError("amount", f"Amount must be at most {limit} at a time.")
    text = clean_comment(comment)
    earlier = replayed(request_id)
    if earlier is not None:
        return _same(earlier, customer.id, website.id, delta)
    if not is_enabled():
        raise ValidationError("store_credit", DISABLED)
    if website.id not in adjustable_website_ids(customer):
        own = Website.get_or_none(Website.id == customer.website_id)
        raise ValidationError(
            "website",
            f"This account belongs to {own.name if own else 'another website'}; with Share "
            "Customer Accounts set to Per Website its store credit can only be kept there.",
        )
    limit = staff_limit(website)
    if abs(delta) > limit and not permissions.can(actor, permissions.STORE_CREDIT_OVER_LIMIT):
        try:
            permissions.require(actor, permissions.STORE_CREDIT_OVER_LIMIT)
        except PermissionDenied:
            raise PermissionDenied(
                f"Adjustments of more than {money.format_amount(limit, currency)} on "
                f"{website.name} need an admin (Staff Adjustment Limit); your role is "
                f"{actor.role}."
            ) from None
    view = _store_view(customer, website, store_view_id) if notify else None
    info = admin_info(actor.username, text)
    try:
        with database.obj.atomic():
            earlier = replayed(request_id)
            if earlier is not None:
                return _same(earlier, customer.id, website.id, delta)
            movement = apply_movement(
                actor,
                customer,
                website,
                delta,
                ACTION_UPDATED,
                info,
                request_id,
                notified=notify,
            )
            outbox_id = None
            if view is not None:
                outbox_id = _notify(actor, customer, website, view, movement)
    except IntegrityError:
        earlier = replayed(request_id)
        if earlier is None:
            raise
        return _same(earlier, customer.id, website.id, delta)
    return _with_outbox(movement, outbox_id)


def _with_outbox(movement: Movement, outbox_id: int | None) -> Movement:
    if outbox_id is None:
        return movement
    from dataclasses import replace

    return replace(movement, outbox_id=outbox_id)


def _store_view(customer: Customer, website: Website, store_view_id: int | None) -> StoreView:
    """The store view the notification is sent from: the one chosen (it must belong to the
    website), else the customer's own on that website, else the website's first."""
    if store_view_id is not None:
        view = StoreView.get_or_none(StoreView.id == store_view_id)
        if view is None or view.website_id != website.id:
            raise ValidationError(
                "store_view", f"Choose a store view of {website.name} to send the email from."
            )
        return view
    own = StoreView.get_or_none(StoreView.id == customer.store_view_id)
    if own is not None and own.website_id == website.id:
        return own
    first = (
        StoreView.select()
        .where(StoreView.website == website.id)
        .order_by(StoreView.sort_order, StoreView.id)
        .first()
    )
    if first is None:
        raise ValidationError("store_view", f"{website.name} has no store view to send from.")
    return first


def store_views(website_id: int) -> list[tuple[int, str]]:
    """``(id, name)`` of the website's store views (Send Email Notification From…)."""
    return [
        (v.id, v.name)
        for v in StoreView.select()
        .where(StoreView.website == website_id)
        .order_by(StoreView.sort_order, StoreView.id)
    ]


def _notify(
    actor: Actor, customer: Customer, website: Website, view: StoreView, movement: Movement
) -> int:
    from custtui.services import mail

    return mail.queue(
        config.get(PATH_EMAIL_TEMPLATE, website.id),
        customer=customer,
        store_view_id=view.id,
        identity=config.get(PATH_EMAIL_IDENTITY, website.id),
        variables={
            "store_credit_balance": movement.balance_shown,
            "store_credit_change": movement.delta_shown,
            "website_name": website.name,
        },
        actor=actor,
    )
