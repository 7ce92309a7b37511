"""``POST /v1/orders`` and ``GET /v1/customers/{id}/store-credit``: an order paid with store
credit is a *Used* movement, a retry with the same request id charges once, and the
customer's own view follows Show Store Credit History to Customers."""

from __future__ import annotations

import pytest

from custtui.models import Order, StoreCreditHistory
from custtui.services import config, store_credit
from tests.api.conftest import ADMIN

STRONG = "Secret-123x"
HOODIE = {"sku": "MH01", "name": "Chaz Kangeroo Hoodie", "qty": 1, "price": "52.00"}


def _shopper(api, email: str = "ada@example.com") -> tuple[int, int]:
    """A registered customer signed in on a new visit: ``(customer_id, visit_id)``."""
    body = {"website": "base", "email": email, "password": STRONG}
    created = api.post("/v1/customers", json=body | {"firstname": "Ada", "lastname": "L"})
    assert created.status_code == 201, created.text
    visit_id = api.post("/v1/visits", json={"website": "base"}).json()["visit_id"]
    assert api.post("/v1/sign-in", json=body | {"visit_id": visit_id}).status_code == 200
    return created.json()["customer_id"], visit_id


@pytest.fixture
def ada(api) -> tuple[int, int]:
    customer_id, visit_id = _shopper(api)
    store_credit.adjust(ADMIN, customer_id, 1, "20.00", request_id="api-test-credit")
    return customer_id, visit_id


def _order(api, visit_id: int, **extra):
    return api.post("/v1/orders", json={"visit_id": visit_id, "items": [HOODIE], **extra})


def test_an_order_paid_partly_with_store_credit(api, ada):
    customer_id, visit_id = ada
    placed = _order(api, visit_id, use_store_credit=True, request_id="order-0001")
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["customer_id"] == customer_id
    assert (order["subtotal"], order["store_credit_used"], order["grand_total"]) == (
        "52.00",
        "20.00",
        "32.00",
    )
    assert order["status"] == "processing" and order["replayed"] is False
    assert order["store_credit_balance"] == "0.00"
    assert order["items"] == [HOODIE]
    used = StoreCreditHistory.select().order_by(StoreCreditHistory.id.desc()).get()
    assert (used.action, used.delta) == (store_credit.ACTION_USED, -2000)
    assert used.additional_info == f"Order #{order['increment_id']}"


def test_a_retry_with_the_same_request_id_charges_once(api, ada):
    _, visit_id = ada
    first = _order(api, visit_id, use_store_credit="5.00", request_id="order-0002").json()
    again = _order(api, visit_id, use_store_credit="5.00", request_id="order-0002")
    assert again.status_code == 201
    assert again.json()["replayed"] is True
    assert again.json()["increment_id"] == first["increment_id"]
    assert again.json()["store_credit_balance"] == "15.00"
    assert Order.select().count() == 1


def test_another_customers_request_id_is_a_conflict(api, ada):
    _, visit_id = ada
    assert _order(api, visit_id, request_id="order-0003").status_code == 201
    _, bobs_visit = _shopper(api, "bob@example.com")
    clash = _order(api, bobs_visit, request_id="order-0003")
    assert clash.status_code == 409
    assert set(clash.json()) == {"message"}


def test_more_credit_than_the_balance_names_the_available_amount(api, ada):
    _, visit_id = ada
    refused = _order(api, visit_id, use_store_credit="25.00")
    assert refused.status_code == 422
    assert refused.json() == {
        "errors": {
            "use_store_credit": "Store credit on Main Website is $20.00; the order cannot "
            "use $25.00."
        }
    }
    assert Order.select().count() == 0


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ({"price": "1,000.5.5"}, "items.0.price", "more than one decimal point"),
        ({"price": "1e9"}, "items.0.price", "exponents"),
        ({"price": 52}, "items.0.price", "must be a string"),
        ({"qty": 0}, "items.0.qty", "Item 1 quantity"),
        ({"qty": "two"}, "items.0.qty", "must be an integer"),
        ({"sku": ""}, "items.0.sku", "SKU"),
    ],
)
def test_bad_lines_name_the_line_and_the_field(api, ada, line, field, words):
    _, visit_id = ada
    refused = api.post("/v1/orders", json={"visit_id": visit_id, "items": [HOODIE | line]})
    assert refused.status_code == 422, refused.text
    errors = refused.json()["errors"]
    assert field in errors and words in errors[field], errors


def test_use_store_credit_must_be_a_flag_or_an_amount(api, ada):
    _, visit_id = ada
    for value, words in [(7, "true or false"), ("-5", "Use store credit"), ("", "Use store")]:
        refused = _order(api, visit_id, use_store_credit=value)
        assert refused.status_code == 422, (value, refused.text)
        assert words in refused.json()["errors"]["use_store_credit"], (value, refused.text)
    assert api.post("/v1/orders", json={"visit_id": visit_id, "items": []}).status_code == 422
    assert api.post("/v1/orders", json={"visit_id": visit_id}).json() == {
        "errors": {"items": "items is required."}
    }


def test_orders_need_a_signed_in_visit(api, ada):
    anonymous_visit = api.post("/v1/visits", json={"website": "base"}).json()["visit_id"]
    assert _order(api, anonymous_visit).status_code == 403
    assert _order(api, 999_999).status_code == 404
    _, visit_id = ada
    api.post("/v1/sign-out", json={"visit_id": visit_id})
    assert _order(api, visit_id).status_code == 403
    assert Order.select().count() == 0


def test_the_customers_store_credit_without_and_with_history(api, ada):
    customer_id, visit_id = ada
    _order(api, visit_id, use_store_credit="2.50")
    url = f"/v1/customers/{customer_id}/store-credit"
    mine = api.get(url, params={"visit_id": visit_id})
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["enabled"] is True and body["show_history"] is True  # Magento's default
    assert [(b["website"], b["amount"], b["amount_minor"]) for b in body["balances"]] == [
        ("base", "17.50", 1750)
    ]

    history = body["history"]
    assert [(h["action"], h["balance_change"], h["balance"]) for h in history] == [
        ("Used", "-2.50", "17.50"),
        ("Created", "+20.00", "20.00"),
    ]
    assert history[0]["more_information"].startswith("Order #")
    assert history[1]["more_information"] is None  # staff names and notes stay inside
    assert "staff" not in history[0] and "request_id" not in history[0]

    config.store(store_credit.PATH_SHOW_HISTORY, "0")
    hidden = api.get(url, params={"visit_id": visit_id}).json()
    assert hidden["show_history"] is False and hidden["history"] is None


def test_only_the_signed_in_customer_sees_their_credit(api, ada):
    customer_id, visit_id = ada
    bob_id, bobs_visit = _shopper(api, "bob@example.com")
    url = f"/v1/customers/{customer_id}/store-credit"
    assert api.get(url, params={"visit_id": bobs_visit}).status_code == 403
    assert api.get(url).status_code == 422  # visit_id is required
    assert api.get(url, params={"visit_id": "x"}).status_code == 422
    assert api.get("/v1/customers/0/store-credit", params={"visit_id": visit_id}).status_code == (
        404
    )
    assert (
        api.get(f"/v1/customers/{bob_id}/store-credit", params={"visit_id": bobs_visit}).json()[
            "balances"
        ][0]["amount"]
        == "0.00"
    )
