"""Orders and store credit for the storefront, under ``/v1``.

* ``POST /v1/orders`` places an order for the customer signed in on ``visit_id``, optionally
  paying with store credit (a *Used* movement in the customer's Balance History). Money is
  sent as decimal text in the website's currency (``"12.50"``) and parsed strictly by the
  same service the back office uses. ``request_id`` makes it safe to retry: the same id
  returns the first order (``"replayed": true``) and charges nothing twice.
* ``GET /v1/customers/{id}/store-credit?visit_id=…`` is the customer's My Account › Store
  Credit: balances, and the history when Show Store Credit History to Customers is Yes.

Both act only for the customer signed in on the visit (403 otherwise): the storefront token
says the request comes from the shop, the visit says which shopper it is for.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from custtui.api.errors import ApiError
from custtui.api.schemas import MAX_ID, Body, Errors, Id, Message, Text
from custtui.models import Customer, Visit, Website
from custtui.services import money, orders, sessions, store_credit
from custtui.services import store_credit_history as credit_history
from custtui.services.actor import STOREFRONT
from custtui.services.errors import NotFound, ValidationError


def _err(description: str, model: type = Message) -> dict[str, Any]:
    return {"description": description, "model": model}


router = APIRouter(
    prefix="/v1",
    dependencies=[Depends(HTTPBearer(auto_error=False, description="custtui storefront token"))],
    responses={401: _err("Missing, unknown or revoked API token")},
)


# -- bodies --------------------------------------------------------------------------------------
class OrderItemIn(Body):
    sku: Text
    name: Text
    qty: int = Field(1, description="A whole number from 1 to 10,000")
    price: Text = Field(description="Unit price as decimal text in the website's currency")


class OrderIn(Body):
    visit_id: Id = Field(description="The visit the customer is signed in on")
    items: list[OrderItemIn] = Field(description="1 to 100 lines")
    use_store_credit: bool | Text = Field(
        False,
        description='`true` pays as much as the balance allows; an amount (`"5.00"`) pays '
        "that much; `false` none",
    )
    capture: bool = Field(
        True, description="The rest is paid now (processing) or later (pending, cancelable)"
    )
    request_id: Text | None = Field(
        None, description="Idempotency key (8-64 characters): a retry returns the first order"
    )


class ItemOut(BaseModel):
    sku: str
    name: str
    qty: int
    price: str


class CreditMemoOut(BaseModel):
    increment_id: str
    amount: str
    created_at: str


class OrderOut(BaseModel):
    id: int
    increment_id: str
    customer_id: int | None
    website_id: int
    status: str
    created_at: str
    currency: str
    subtotal: str
    grand_total: str
    store_credit_used: str
    total_refunded: str
    items: list[ItemOut]
    credit_memos: list[CreditMemoOut]
    store_credit_balance: str = Field(description="The customer's balance after the order")
    replayed: bool = Field(description="True when request_id was already used: nothing changed")


class BalanceOut(BaseModel):
    website: str
    website_name: str
    currency: str
    amount: str
    amount_minor: int


class HistoryOut(BaseModel):
    date: str
    website: str
    currency: str
    action: str
    balance_change: str
    balance: str
    customer_notified: bool
    more_information: str | None


class StoreCreditOut(BaseModel):
    customer_id: int
    enabled: bool
    balances: list[BalanceOut]
    show_history: bool = Field(description="Show Store Credit History to Customers")
    history: list[HistoryOut] | None = Field(description="Newest first; null when not shown")


# -- work in the database thread -----------------------------------------------------------------
def _signed_in(visit_id: int) -> Customer:
    visit = Visit.get_or_none(Visit.id == visit_id)
    if visit is None:
        raise NotFound(f"Visit {visit_id} does not exist (it may have expired).")
    if visit.customer_id is None:
        raise ApiError(403, "The visit is not signed in; sign the customer in first.")
    customer = Customer.get_or_none(Customer.id == visit.customer_id)
    if customer is None:
        raise ApiError(403, "The visit is not signed in; sign the customer in first.")
    return customer


def _place(body: OrderIn) -> dict[str, Any]:
    customer = _signed_in(body.visit_id)
    sessions.record_event(body.visit_id, "checkout")
    site = Website.get_by_id(customer.website_id)
    use: bool | int = body.use_store_credit if isinstance(body.use_store_credit, bool) else 0
    if isinstance(body.use_store_credit, str):
        use = money.parse(
            body.use_store_credit,
            site.currency_code,
            field="use_store_credit",
            label="Use store credit",
            signed=False,
        )
    items = [i.model_dump() for i in body.items]
    try:
        order = orders.place_order(
            STOREFRONT,
            customer.id,
            items,
            use_store_credit=use,
            capture=body.capture,
            request_id=body.request_id,
        )
    except ValidationError as error:
        # Item errors are named items[1].price by the service; say the same for the body.
        raise ValidationError({_item_field(k): v for k, v in error.errors.items()}) from None
    balance = store_credit.balance_amount(customer.id, site.id)
    return order.as_dict() | {
        "store_credit_balance": money.to_text(balance, site.currency_code, grouping=False),
        "replayed": not order.applied,
    }


def _item_field(name: str) -> str:
    """``items[2].price`` (the service counts from 1) → ``items.1.price`` as the API's own
    validation names list members."""
    if name.startswith("items[") and "]" in name:
        number, rest = name[6:].split("]", 1)
        if number.isdigit():
            return f"items.{int(number) - 1}{rest}"
    return name


def _store_credit(customer_id: int, visit_id: int, limit: int) -> dict[str, Any]:
    customer = _signed_in(visit_id)
    if customer.id != customer_id:
        raise ApiError(403, "The visit is signed in as another customer.")
    view = credit_history.customer_view(customer_id, limit=limit)
    return {
        "customer_id": view.customer_id,
        "enabled": view.enabled,
        "balances": [b.as_dict() for b in view.balances],
        "show_history": view.show_history,
        "history": [m.as_dict(staff=False) for m in view.history]
        if view.history is not None
        else None,
    }


# -- routes --------------------------------------------------------------------------------------
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _err("Malformed JSON, or a body that is not a JSON object"),
    413: _err("Body larger than 64 KiB"),
    415: _err("Body is not application/json"),
    422: _err("A field is wrong, or not enough store credit (use_store_credit)", Errors),
}


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderOut,
    summary="Place Order (optionally paying with store credit)",
    responses=BODY_ERRORS
    | {
        403: _err("The visit is not signed in"),
        404: _err("Unknown or expired visit"),
        409: _err("request_id was already used for another customer's order"),
    },
)
async def place_order(body: OrderIn, request: Request) -> dict[str, Any]:
    return await request.app.state.db.run(_place, body)


@router.get(
    "/customers/{customer_id}/store-credit",
    response_model=StoreCreditOut,
    summary="My Account › Store Credit",
    description="The customer's store credit per website, and its history (newest first) "
    "when Show Store Credit History to Customers is Yes for the account's website.",
    responses={
        403: _err("The visit is not signed in as this customer"),
        404: _err("Unknown or expired visit, or unknown customer"),
        422: _err("visit_id is missing, or a parameter is not a whole number in range", Errors),
    },
)
async def customer_store_credit(
    request: Request,
    customer_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    visit_id: Annotated[int, Query(ge=1, le=MAX_ID, description="The signed-in visit")],
    limit: Annotated[int, Query(ge=1, le=100, description="History rows")] = 20,
) -> dict[str, Any]:
    return await request.app.state.db.run(_store_credit, customer_id, visit_id, limit)
