"""One customer's newsletter subscriptions, per store view of their website (the editor's
Newsletter tab). The grid's mass actions cover many customers at once; this covers the
checkbox per store view that Magento's customer page has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from custtui.models import Customer, NewsletterSubscriber, StoreView
from custtui.models.db import database
from custtui.services import audit, clock, permissions
from custtui.services.actor import Actor
from custtui.services.errors import NotFound, ValidationError

SUBSCRIBED, NOT_ACTIVATED, UNSUBSCRIBED, UNCONFIRMED = 1, 2, 3, 4
STATUS_NAMES = {
    SUBSCRIBED: "Subscribed",
    NOT_ACTIVATED: "Not Activated",
    UNSUBSCRIBED: "Unsubscribed",
    UNCONFIRMED: "Unconfirmed",
}


@dataclass(frozen=True)
class Subscription:
    """One row of the Newsletter tab: a store view of the customer's website."""

    store_view_id: int
    store_view: str
    status: str
    subscribed: bool
    changed_at: datetime | None


def _customer(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} does not exist (it may have been deleted).")
    return customer


def subscriptions(customer_id: int) -> list[Subscription]:
    """Every store view of the customer's website, with the status there ("Not subscribed"
    where the customer never had a subscription)."""
    customer = _customer(customer_id)
    rows = {
        s.store_view_id: s
        for s in NewsletterSubscriber.select().where(NewsletterSubscriber.customer == customer_id)
    }
    views = (
        StoreView.select()
        .where(StoreView.website == customer.website_id)
        .order_by(StoreView.sort_order, StoreView.id)
    )
    out = []
    for view in views:
        row = rows.get(view.id)
        out.append(
            Subscription(
                store_view_id=view.id,
                store_view=view.name,
                status=STATUS_NAMES.get(row.status, str(row.status)) if row else "Not subscribed",
                subscribed=bool(row and row.status == SUBSCRIBED),
                changed_at=row.changed_at if row else None,
            )
        )
    return out


def set_subscribed(actor: Actor, customer_id: int, store_view_id: int, subscribed: bool) -> bool:
    """Subscribe or unsubscribe on one store view; False when nothing changed."""
    permissions.require(actor, permissions.CUSTOMERS_NEWSLETTER)
    customer = _customer(customer_id)
    view = StoreView.get_or_none(StoreView.id == store_view_id)
    if view is None or view.website_id != customer.website_id:
        raise ValidationError("store_view_id", "Choose a store view of the customer's website.")
    with database.obj.atomic():
        row = NewsletterSubscriber.get_or_none(
            (NewsletterSubscriber.customer == customer_id)
            & (NewsletterSubscriber.store_view == store_view_id)
        )
        before = STATUS_NAMES.get(row.status) if row else None
        if subscribed == bool(row and row.status == SUBSCRIBED) or (row is None and not subscribed):
            return False
        status = SUBSCRIBED if subscribed else UNSUBSCRIBED
        if row is None:
            NewsletterSubscriber.create(
                customer=customer_id,
                store_view=store_view_id,
                status=status,
                changed_at=clock.now(),
            )
        else:
            NewsletterSubscriber.update(status=status, changed_at=clock.now()).where(
                NewsletterSubscriber.id == row.id
            ).execute()
        audit.record(
            actor,
            "newsletter_subscribed" if subscribed else "newsletter_unsubscribed",
            entity_type="newsletter",
            entity_id=store_view_id,
            customer_id=customer_id,
            changes={"newsletter": [before, STATUS_NAMES[status]]},
            note=f"store view: {view.name}",
        )
    return True
