"""Whatever a client sends, the API answers in one of its two error shapes and never with a
500: random JSON values, near-miss bodies with the right field names and wrong values, and
raw bytes, on every route."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custtui.models import Visit
from custtui.services import store_credit
from tests.api.conftest import ADMIN


def _routes_from_openapi() -> dict[str, tuple[str, ...]]:
    """Every JSON-body route in the API's own OpenAPI document, with its body's field names
    (path parameters filled with 1): a new route or field is fuzzed without touching this
    file."""
    from custtui.api import create_app

    document = create_app(threads=1).openapi()
    schemas = document["components"]["schemas"]
    routes: dict[str, tuple[str, ...]] = {}
    for path, operations in document["paths"].items():
        body = operations.get("post", {}).get("requestBody")
        if body is None:
            continue
        ref = body["content"]["application/json"]["schema"]["$ref"]
        fields = tuple(schemas[ref.rsplit("/", 1)[1]]["properties"])
        routes[re.sub(r"\{[a-z_]+\}", "1", path)] = fields
    return routes


ROUTES = _routes_from_openapi()

# Text with everything JSON can carry: NUL, control characters, bidi overrides and unpaired
# surrogates (which JSON escapes can spell and Python's decoder accepts).
any_text = st.text(
    st.one_of(
        st.characters(codec=None, exclude_categories=()),
        st.characters(categories=["Cs"]),
        st.sampled_from(["\x00", "\x1b", "\u202e", "\n", "@", "."]),
    ),
    max_size=40,
)
plausible = st.sampled_from(
    [
        "base",
        "0",
        "1",
        "²",
        "١",
        "ada@example.com",
        "Secret-123x",
        "page_view",
        "add_to_cart",
        "127.0.0.1",
        "::1",
        "1990-01-01",
        "",
        " ",
    ]
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 3, 2**31, 2**63 - 1, 2**63, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, any_text, plausible)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)
    ),
    max_leaves=12,
)


ORDER_LINE = ("sku", "name", "qty", "price")
GOOD_LINE = {
    "sku": st.just("MH01"),
    "name": st.just("Chaz Kangeroo Hoodie"),
    "qty": st.integers(-2, 10_002),
    "price": st.sampled_from(["52.00", "0", "0.001", "1e9", "-1", "1,000.5.5"]),
}


@st.composite
def near_misses(draw: st.DrawFn) -> tuple[str, object]:
    """A route and a body with (mostly) its own field names but any values."""
    route = draw(st.sampled_from(sorted(ROUTES)))
    fields = draw(st.lists(st.sampled_from(ROUTES[route]), unique=True))
    body = {name: draw(st.one_of(plausible, scalars, json_values)) for name in fields}
    if "website" in ROUTES[route] and draw(st.booleans()):
        body["website"] = "base"  # get past the website check to the next field
    if route == "/v1/orders" and draw(st.booleans()):
        body["visit_id"] = 1  # the signed-in visit: on to the items and the credit
        line = {name: draw(st.one_of(plausible, scalars)) for name in ORDER_LINE}
        body["items"] = [line | draw(st.fixed_dictionaries({}, optional=GOOD_LINE))]
    if draw(st.booleans()):
        body.update(draw(st.dictionaries(any_text, json_values, max_size=2)))
    return route, body


def _check(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) in ({"message"}, {"errors"}), body
        if "errors" in body:
            assert body["errors"] and all(isinstance(v, str) for v in body["errors"].values())
        else:
            assert isinstance(body["message"], str) and body["message"]


def _post(api, route: str, payload: bytes):
    return api.post(route, content=payload, headers={"Content-Type": "application/json"})


def _prepare(api) -> None:
    """Visit 1 exists and is signed in as a customer with store credit, so fuzzed orders and
    events get past the sign-in checks to their own validation."""
    if Visit.get_or_none(Visit.id == 1) is not None:
        return
    if api.post("/v1/visits", json={"website": "base"}).status_code != 201:
        raise AssertionError("could not start visit 1")
    shopper = {"website": "base", "email": "fuzz@example.com", "password": "Secret-123x"}
    created = api.post("/v1/customers", json=shopper | {"firstname": "F", "lastname": "Z"})
    signed = api.post("/v1/sign-in", json=shopper | {"visit_id": 1})
    if (created.status_code, signed.status_code) != (201, 200):
        raise AssertionError("could not sign visit 1 in")
    customer = created.json()["customer_id"]
    store_credit.adjust(ADMIN, customer, 1, "100.00", request_id="fuzz-credit-1")


EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@EXAMPLES
@given(route=st.sampled_from(sorted(ROUTES)), value=json_values)
def test_random_json_values_never_crash(api, route, value):
    _prepare(api)
    _check(_post(api, route, json.dumps(value).encode()))


@EXAMPLES
@given(case=near_misses())
def test_bodies_with_the_right_fields_and_wrong_values_never_crash(api, case):
    _prepare(api)
    route, body = case
    _check(_post(api, route, json.dumps(body).encode()))


@EXAMPLES
@given(route=st.sampled_from(sorted(ROUTES)), payload=st.binary(max_size=200))
def test_raw_bytes_never_crash(api, route, payload):
    _check(_post(api, route, payload))


HOSTILE = [
    b'{"website": "base", "website": 1}',
    b'{"website": "\\ud800"}',
    b'{"website": "base", "url": "\\ud800"}',
    b'{"website": "base", "user_agent": "\\udfff\\ud800"}',
    b'{"type": "page_view", "url": "\\ud800"}',
    b'{"token": "\\ud800", "password": "\\ud800"}',
    b'{"\\ud800": 1}',
    b'{"website": "base", "url": "\\u0000"}',
    b'{"website": "base", "email": "a\\u0000@example.com", "password": "x", "visit_id": 1}',
    b'{"website": "base", "email": "a\\u0000@example.com", "remote_addr": "::1"}',
    b'{"token": "\\u0000", "password": "Secret-123x"}',
    b'{"website": 1e999}',
    b'{"website": NaN}',
    b'{"website": -Infinity}',
    b'{"website": ' + b"9" * 4400 + b"}",
    b'{"website": "base", "remote_addr": "999.1.1.1"}',
    b'{"website": "base", "user_agent": "' + b"\\u202e" * 600 + b'"}',
    b"null",
    b"true",
    b"{}",
    b"\xef\xbb\xbf{}",
    b"{" * 20000,
]


def test_a_known_list_of_hostile_bodies(api):
    _prepare(api)
    for route in sorted(ROUTES):
        for payload in HOSTILE:
            _check(_post(api, route, payload))
