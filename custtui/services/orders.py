"""A minimal sales model: enough for store credit (Used, Refunded, Reverted) and for segments.

* :func:`place_order` — the storefront (or staff) places an order, optionally paying part or
  all of it with store credit: one *Used* movement with ``Order #<increment>``.
* :func:`create_credit_memo` — refund (part of) an invoiced order to store credit: a *Refunded*
  movement with ``Order #<increment>, creditmemo #<increment>``.
* :func:`cancel` — cancel an order that was not invoiced yet; the store credit it used comes
  back as a *Reverted* movement with ``Order #<increment>``.

Statuses follow Magento: ``pending`` (placed, payment not captured: it may still be canceled),
``processing`` (invoiced: refund with a credit memo), ``complete`` (invoiced and shipped),
``closed`` (everything refunded) and ``canceled``. An order paid entirely with store credit has
nothing to capture and is invoiced at once (Zero Subtotal Checkout, reference A21).

Every money movement is exactly-once by construction: the order and the memo carry the
caller's request id (unique), the history rows derive theirs from the order or memo
(``order:<id>:used``, ``creditmemo:<id>``, ``order:<id>:reverted``), and the order's own
counters change by guarded relative UPDATEs (``total_refunded + ? <= subtotal``, a status
change only from a status that allows it), so two agents pressing Refund at once can never
refund more than was paid.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import IntegrityError

from custtui.models import CreditMemo, Customer, Order, OrderItem, StoreView, Website
from custtui.models.db import database
from custtui.services import audit, clock, config, money, permissions, store_credit
from custtui.services.actor import Actor
from custtui.services.errors import Conflict, NotFound, ValidationError

STATUSES: dict[str, str] = {
    "pending": "Pending",
    "processing": "Processing",
    "complete": "Complete",
    "closed": "Closed",
    "canceled": "Canceled",
}
CANCELABLE = ("pending",)
REFUNDABLE = ("processing", "complete")
MAX_ITEMS = 100
MAX_QTY = 10_000
SKU_MAX = 64
NAME_MAX = 255


def increment(number: int) -> str:
    """Magento's order and credit memo numbers: ``000000123``."""
    return f"{number:09d}"


def status_label(status: str) -> str:
    return STATUSES.get(status, status.capitalize())


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    qty: int
    price: int

    @property
    def row_total(self) -> int:
        return self.qty * self.price


@dataclass(frozen=True)
class Memo:
    id: int
    increment_id: str
    amount: int
    comment: str | None
    created_at: datetime
    staff_username: str | None


@dataclass(frozen=True)
class OrderView:
    """An order as the Orders tab, the order view and the API show it."""

    id: int
    increment_id: str
    customer_id: int | None
    website_id: int
    website_name: str
    store_view_id: int | None
    status: str
    created_at: datetime
    currency_code: str
    subtotal: int
    grand_total: int
    store_credit_used: int
    total_refunded: int
    items: tuple[Item, ...] = ()
    credit_memos: tuple[Memo, ...] = ()
    applied: bool = True
    """False when this is the earlier result of a retried request."""

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def refundable(self) -> int:
        """What a credit memo may still refund to store credit."""
        if self.status not in REFUNDABLE:
            return 0
        return self.subtotal - self.total_refunded

    @property
    def can_cancel(self) -> bool:
        return self.status in CANCELABLE and self.total_refunded == 0

    @property
    def cancel_refusal(self) -> str | None:
        """Why this order cannot be canceled, in words for staff (None when it can)."""
        if self.can_cancel:
            return None
        status = self.status_label.lower()
        if self.status in REFUNDABLE:
            return (
                f"Order #{self.increment_id} is {status} (invoiced); refund it with a credit "
                "memo instead (r)."
            )
        return f"Order #{self.increment_id} is {status} and cannot be canceled."

    @property
    def refund_refusal(self) -> str | None:
        """Why no credit memo can be issued for this order (None when one can)."""
        if self.refundable > 0:
            return None
        if self.status in CANCELABLE:
            return (
                f"Order #{self.increment_id} is not invoiced yet: cancel it instead (c), which "
                "gives back the store credit it used."
            )
        return (
            f"Order #{self.increment_id} is {self.status_label.lower()}; nothing is left to refund."
        )

    def shown(self, minor: int, *, sign: bool = False) -> str:
        return money.format_amount(minor, self.currency_code, sign=sign)

    def as_dict(self) -> dict[str, Any]:
        code = self.currency_code

        def amount(minor: int) -> str:
            return money.to_text(minor, code, grouping=False)

        return {
            "id": self.id,
            "increment_id": self.increment_id,
            "customer_id": self.customer_id,
            "website_id": self.website_id,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "currency": code,
            "subtotal": amount(self.subtotal),
            "grand_total": amount(self.grand_total),
            "store_credit_used": amount(self.store_credit_used),
            "total_refunded": amount(self.total_refunded),
            "items": [
                {"sku": i.sku, "name": i.name, "qty": i.qty, "price": amount(i.price)}
                for i in self.items
            ],
            "credit_memos": [
                {
                    "increment_id": m.increment_id,
                    "amount": amount(m.amount),
                    "created_at": m.created_at.isoformat(),
                }
                for m in self.credit_memos
            ],
        }


def _view(order: Order, *, full: bool = True, applied: bool = True) -> OrderView:
    site = Website.get_by_id(order.website_id)
    items: tuple[Item, ...] = ()
    memos: tuple[Memo, ...] = ()
    if full:
        items = tuple(
            Item(i.sku, i.name, i.qty, i.price)
            for i in OrderItem.select().where(OrderItem.order == order.id).order_by(OrderItem.id)
        )
        memos = tuple(
            Memo(m.id, m.increment_id, m.amount, m.comment, m.created_at, m.staff_username)
            for m in CreditMemo.select().where(CreditMemo.order == order.id).order_by(CreditMemo.id)
        )
    return OrderView(
        id=order.id,
        increment_id=order.increment_id,
        customer_id=order.customer_id,
        website_id=order.website_id,
        website_name=site.name,
        store_view_id=order.store_view_id,
        status=order.status,
        created_at=order.created_at,
        currency_code=order.currency_code,
        subtotal=order.subtotal,
        grand_total=order.grand_total,
        store_credit_used=order.store_credit_used,
        total_refunded=order.total_refunded,
        items=items,
        credit_memos=memos,
        applied=applied,
    )


def get(order_id: int) -> OrderView:
    order = Order.get_or_none(Order.id == order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.")
    return _view(order)


def by_increment(increment_id: str) -> OrderView:
    order = Order.get_or_none(Order.increment_id == increment_id)
    if order is None:
        raise NotFound(f"Order #{increment_id} does not exist.")
    return _view(order)


@dataclass
class OrderSource:
    """``count()`` and ``page(offset, limit)`` of one customer's orders, newest first (the
    Orders tab's grid), through the ``(customer_id, created_at)`` index."""

    customer_id: int
    _count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = int(Order.select().where(Order.customer == self.customer_id).count())
        return self._count

    def page(self, offset: int, limit: int) -> list[OrderView]:
        if limit <= 0 or offset < 0:
            return []
        rows = (
            Order.select()
            .where(Order.customer == self.customer_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_view(row, full=False) for row in rows]


def customer_orders(customer_id: int, offset: int = 0, limit: int = 50) -> list[OrderView]:
    return OrderSource(customer_id).page(offset, limit)


# ------------------------------------------------------------------------------ placing
def _text(value: object, field: str, label: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", "" if value is None else str(value)).strip()
    if not text:
        raise ValidationError(field, f"{label} is required.")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise ValidationError(field, f"{label} must be one line without control characters.")
    if len(text) > limit:
        raise ValidationError(field, f"{label} must be at most {limit} characters.")
    return text


def clean_items(items: Sequence[Mapping[str, Any]], currency: str) -> list[Item]:
    """The order lines, each checked: SKU, name, a whole quantity and a unit price (minor
    units, or text in the website's currency)."""
    if not items:
        raise ValidationError("items", "An order needs at least one item.")
    if len(items) > MAX_ITEMS:
        raise ValidationError("items", f"An order has at most {MAX_ITEMS} items.")
    out = []
    for n, raw in enumerate(items, 1):
        where = f"items[{n}]"
        sku = _text(raw.get("sku"), f"{where}.sku", f"Item {n} SKU", SKU_MAX)
        name = _text(raw.get("name"), f"{where}.name", f"Item {n} name", NAME_MAX)
        qty = raw.get("qty", 1)
        if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_QTY:
            raise ValidationError(
                f"{where}.qty", f"Item {n} quantity must be a whole number from 1 to {MAX_QTY:,}."
            )
        price = raw.get("price")
        if isinstance(price, str):
            price = money.parse(
                price,
                currency,
                field=f"{where}.price",
                label=f"Item {n} price",
                signed=False,
                allow_zero=True,
            )
        elif isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise ValidationError(
                f"{where}.price", f"Item {n} price must be a non-negative amount."
            )
        elif price > money.max_minor(currency):
            raise ValidationError(f"{where}.price", f"Item {n} price is too large.")
        out.append(Item(sku, name, qty, price))
    if sum(i.row_total for i in out) > money.max_minor(currency):
        raise ValidationError("items", "The order total is too large.")
    return out


def place_order(
    actor: Actor,
    customer_id: int,
    items: Sequence[Mapping[str, Any]],
    *,
    use_store_credit: bool | int = False,
    capture: bool = True,
    store_view_id: int | None = None,
    request_id: str | None = None,
) -> OrderView:
    """Place an order for the customer on their website.

    *use_store_credit*: ``True`` pays as much as the balance allows, an int pays that many
    minor units (refused above the balance or the subtotal). *capture*: the payment for the
    rest is captured now (``processing``) or later (``pending``, still cancelable). The
    storefront acts as :data:`custtui.services.actor.STOREFRONT`; staff need ``CUSTOMERS_EDIT``.
    A retry with the same *request_id* returns the first order.
    """
    if actor.role != "storefront":
        permissions.require(actor, permissions.CUSTOMERS_EDIT)
    request_id = store_credit.check_request_id(request_id or store_credit.new_request_id())
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist.")
    if customer.website_id is None:
        raise ValidationError("customer", "The customer has no website to order from.")
    website = Website.get_by_id(customer.website_id)
    currency = website.currency_code
    lines = clean_items(items, currency)
    subtotal = sum(i.row_total for i in lines)
    wanted: int | None
    if use_store_credit is True:
        wanted = None
    elif use_store_credit is False or use_store_credit == 0:
        wanted = 0
    elif isinstance(use_store_credit, int) and use_store_credit > 0:
        wanted = use_store_credit
        if wanted > subtotal:
            raise ValidationError(
                "use_store_credit",
                f"Store credit of {money.format_amount(wanted, currency)} is more than the "
                f"order total {money.format_amount(subtotal, currency)}.",
            )
    else:
        raise ValidationError(
            "use_store_credit", "Use store credit must be true, false or a positive amount."
        )
    if wanted != 0 and not store_credit.is_enabled():
        raise ValidationError("use_store_credit", store_credit.DISABLED)
    view = _order_view_id(customer, website, store_view_id)
    earlier = _order_for_request(request_id, customer.id)
    if earlier is not None:
        return earlier
    try:
        with database.obj.atomic():
            earlier = _order_for_request(request_id, customer.id)
            if earlier is not None:
                return earlier
            available = store_credit.balance_amount(customer.id, website.id)
            credit = min(available, subtotal) if wanted is None else wanted
            now = clock.now()
            grand_total = subtotal - credit
            status = "processing" if capture or grand_total == 0 else "pending"
            order_id = Order.insert(
                increment_id=uuid.uuid4().hex,  # a unique placeholder until the id is known
                customer=customer.id,
                website=website.id,
                store_view=view,
                status=status,
                created_at=now,
                updated_at=now,
                currency_code=currency,
                subtotal=subtotal,
                grand_total=grand_total,
                store_credit_used=credit,
                total_refunded=0,
                request_id=request_id,
            ).execute()
            number = increment(int(order_id))
            Order.update(increment_id=number).where(Order.id == order_id).execute()
            OrderItem.insert_many(
                [
                    {
                        "order": order_id,
                        "sku": i.sku,
                        "name": i.name,
                        "qty": i.qty,
                        "price": i.price,
                    }
                    for i in lines
                ]
            ).execute()
            audit.record(
                actor,
                "order_placed",
                entity_type="order",
                entity_id=int(order_id),
                customer_id=customer.id,
                note=f"Order #{number}: {money.format_amount(subtotal, currency)}"
                + (
                    f", {money.format_amount(credit, currency)} paid with store credit"
                    if credit
                    else ""
                ),
            )
            if credit:
                store_credit.apply_movement(
                    actor,
                    customer,
                    website,
                    -credit,
                    store_credit.ACTION_USED,
                    f"Order #{number}",
                    f"order:{order_id}:used",
                    order_id=int(order_id),
                    refusal="Store credit on {website} is {available}; the order cannot use "
                    "{amount}.",
                    field_name="use_store_credit",
                )
    except IntegrityError:
        earlier = _order_for_request(request_id, customer.id)
        if earlier is None:
            raise
        return earlier
    return get(int(order_id))


def _order_view_id(customer: Customer, website: Website, store_view_id: int | None) -> int | None:
    if store_view_id is not None:
        view = StoreView.get_or_none(StoreView.id == store_view_id)
        if view is None or view.website_id != website.id:
            raise ValidationError("store_view", f"Choose a store view of {website.name}.")
        return view.id
    own = StoreView.get_or_none(StoreView.id == customer.store_view_id)
    return own.id if own is not None and own.website_id == website.id else None


def _order_for_request(request_id: str, customer_id: int) -> OrderView | None:
    row = Order.get_or_none(Order.request_id == request_id)
    if row is None:
        return None
    if row.customer_id != customer_id:
        raise Conflict(f"Request ID {request_id} was already used for another order.")
    return _view(row, applied=False)


# ------------------------------------------------------------------------------ refunds
def default_refund(order: OrderView) -> int:
    """What the credit memo form offers: everything still refundable when Refund Store
    Credit Automatically is Yes, otherwise the part that was paid with store credit (or
    everything, when none was)."""
    if order.refundable <= 0:
        return 0
    if config.get_flag(store_credit.PATH_REFUND_AUTOMATICALLY):
        return order.refundable
    paid_with_credit = max(0, order.store_credit_used - order.total_refunded)
    return min(order.refundable, paid_with_credit) or order.refundable


@dataclass(frozen=True)
class RefundResult:
    order: OrderView
    memo: Memo
    movement: store_credit.Movement | None
    applied: bool = True


def create_credit_memo(
    actor: Actor,
    order_id: int,
    amount: int | str,
    *,
    request_id: str,
    comment: str | None = None,
) -> RefundResult:
    """Refund *amount* of an invoiced order to the customer's store credit (needs
    ``SALES_CREDITMEMO``). The amount may not exceed what is still refundable; the order
    becomes ``closed`` when everything is refunded. A retry with the same *request_id*
    returns the first memo."""
    permissions.require(actor, permissions.SALES_CREDITMEMO)
    request_id = store_credit.check_request_id(request_id)
    order = Order.get_or_none(Order.id == order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.")
    currency = order.currency_code
    if isinstance(amount, str):
        minor = money.parse(
            amount, currency, field="amount", label="Refund to Store Credit", signed=False
        )
    elif isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError("amount", "Refund to Store Credit must be a positive amount.")
    else:
        minor = amount
    text = store_credit.clean_comment(comment)
    earlier = _memo_for_request(request_id, order.id)
    if earlier is not None:
        return earlier
    if order.customer_id is None:
        raise ValidationError(
            "order",
            "The customer of this order was deleted; there is no store credit to refund to.",
        )
    if not store_credit.is_enabled():
        raise ValidationError("amount", store_credit.DISABLED)
    current = _view(order, full=False)
    _check_refundable(current, minor)
    customer = Customer.get_by_id(order.customer_id)
    website = Website.get_by_id(order.website_id)
    try:
        with database.obj.atomic():
            earlier = _memo_for_request(request_id, order.id)
            if earlier is not None:
                return earlier
            now = clock.now()
            changed = (
                Order.update(
                    total_refunded=Order.total_refunded + minor,
                    updated_at=now,
                )
                .where(
                    (Order.id == order.id)
                    & Order.status.in_(REFUNDABLE)
                    & (Order.total_refunded + minor <= Order.subtotal)
                )
                .execute()
            )
            if changed != 1:
                _check_refundable(get(order.id), minor)  # says why (someone refunded first)
                raise Conflict(f"Order #{order.increment_id} changed; open it again.")
            (
                Order.update(status="closed")
                .where((Order.id == order.id) & (Order.total_refunded == Order.subtotal))
                .execute()
            )
            memo_id = CreditMemo.insert(
                increment_id=uuid.uuid4().hex,  # a unique placeholder until the id is known
                order=order.id,
                amount=minor,
                comment=text,
                created_at=now,
                staff_username=actor.username,
                request_id=request_id,
            ).execute()
            memo_number = increment(int(memo_id))
            CreditMemo.update(increment_id=memo_number).where(CreditMemo.id == memo_id).execute()
            audit.record(
                actor,
                "creditmemo_created",
                entity_type="order",
                entity_id=order.id,
                customer_id=customer.id,
                note=f"Credit memo #{memo_number} for order #{order.increment_id}: "
                f"{money.format_amount(minor, currency)} to store credit"
                + (f" ({text})" if text else ""),
            )
            movement = store_credit.apply_movement(
                actor,
                customer,
                website,
                minor,
                store_credit.ACTION_REFUNDED,
                f"Order #{order.increment_id}, creditmemo #{memo_number}",
                f"creditmemo:{memo_id}",
                order_id=order.id,
                creditmemo_id=int(memo_id),
            )
    except IntegrityError:
        earlier = _memo_for_request(request_id, order.id)
        if earlier is None:
            raise
        return earlier
    view = get(order.id)
    memo = next(m for m in view.credit_memos if m.id == int(memo_id))
    return RefundResult(view, memo, movement)


def _check_refundable(order: OrderView, minor: int) -> None:
    if order.status == "pending":
        raise ValidationError(
            "amount",
            f"Order #{order.increment_id} has not been invoiced yet; cancel it instead.",
        )
    if order.status not in REFUNDABLE:
        raise ValidationError(
            "amount",
            f"Order #{order.increment_id} is {order.status_label.lower()}; "
            "nothing more can be refunded.",
        )
    if minor > order.refundable:
        raise ValidationError(
            "amount",
            f"At most {order.shown(order.refundable)} of order #{order.increment_id} can still "
            f"be refunded; {order.shown(minor)} is more.",
        )


def _memo_for_request(request_id: str, order_id: int) -> RefundResult | None:
    memo = CreditMemo.get_or_none(CreditMemo.request_id == request_id)
    if memo is None:
        return None
    if memo.order_id != order_id:
        raise Conflict(f"Request ID {request_id} was already used for another credit memo.")
    view = get(order_id)
    found = next(m for m in view.credit_memos if m.id == memo.id)
    movement = store_credit.replayed(f"creditmemo:{memo.id}")
    return RefundResult(view, found, movement, applied=False)


# ------------------------------------------------------------------------------ cancel
@dataclass(frozen=True)
class CancelResult:
    order: OrderView
    movement: store_credit.Movement | None
    applied: bool = True


def cancel(actor: Actor, order_id: int) -> CancelResult:
    """Cancel an order that was not invoiced (needs ``SALES_CANCEL``); the store credit it
    used is given back (*Reverted*). Canceling a canceled order changes nothing and says so
    (``applied=False``)."""
    permissions.require(actor, permissions.SALES_CANCEL)
    order = Order.get_or_none(Order.id == order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.")
    if order.status == "canceled":
        movement = store_credit.replayed(f"order:{order.id}:reverted")
        return CancelResult(get(order.id), movement, applied=False)
    if order.status not in CANCELABLE:
        raise ValidationError(
            "order",
            f"Order #{order.increment_id} is {status_label(order.status).lower()}"
            + (
                " (invoiced); refund it with a credit memo instead."
                if order.status in REFUNDABLE
                else " and cannot be canceled."
            ),
        )
    movement = None
    with database.obj.atomic():
        changed = (
            Order.update(status="canceled", updated_at=clock.now())
            .where(
                (Order.id == order.id) & Order.status.in_(CANCELABLE) & (Order.total_refunded == 0)
            )
            .execute()
        )
        if changed != 1:
            now = Order.get_by_id(order.id)
            if now.status == "canceled":  # another agent canceled it a moment ago
                movement = store_credit.replayed(f"order:{order.id}:reverted")
                return CancelResult(get(order.id), movement, applied=False)
            raise Conflict(f"Order #{order.increment_id} changed meanwhile; open it again.")
        audit.record(
            actor,
            "order_canceled",
            entity_type="order",
            entity_id=order.id,
            customer_id=order.customer_id,
            note=f"Order #{order.increment_id} canceled"
            + (
                f"; {money.format_amount(order.store_credit_used, order.currency_code)} "
                "store credit given back"
                if order.store_credit_used and order.customer_id is not None
                else ""
            ),
        )
        if order.store_credit_used and order.customer_id is not None:
            movement = store_credit.apply_movement(
                actor,
                Customer.get_by_id(order.customer_id),
                Website.get_by_id(order.website_id),
                order.store_credit_used,
                store_credit.ACTION_REVERTED,
                f"Order #{order.increment_id}",
                f"order:{order.id}:reverted",
                order_id=order.id,
            )
    return CancelResult(get(order.id), movement)
