"""The storefront API route by route: happy paths, every documented error, and the two error
shapes (never FastAPI's ``{"detail": …}``)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pytest

from custtui.models import AuditLog, Customer, CustomerLog, OutboxMessage, Visit
from custtui.models.schema import ApiToken
from custtui.services import api_tokens, auth, config
from tests.api.conftest import ADMIN

STRONG = "Secret-123x"


def _register(api, email="ada@example.com", password=STRONG, **extra):
    body = {
        "website": "base",
        "email": email,
        "password": password,
        "firstname": "Ada",
        "lastname": "Lovelace",
        **extra,
    }
    return api.post("/v1/customers", json=body)


def _visit(api) -> int:
    response = api.post("/v1/visits", json={"website": "base"})
    assert response.status_code == 201
    return response.json()["visit_id"]


def _sign_in(api, visit_id, email="ada@example.com", password=STRONG):
    return api.post(
        "/v1/sign-in",
        json={"website": "base", "email": email, "password": password, "visit_id": visit_id},
    )


def _reset_token(customer_id: int) -> str:
    body = (
        OutboxMessage.select()
        .where(
            (OutboxMessage.customer_id == customer_id)
            & (OutboxMessage.body.contains("createPassword"))
        )
        .order_by(OutboxMessage.id.desc())
        .get()
        .body
    )
    return unquote(re.search(r"token=([^\s&\"<]+)", body).group(1))


# -- tokens ------------------------------------------------------------------------------------
def test_health_needs_a_token(anonymous, token):
    missing = anonymous.get("/v1/health")
    assert missing.status_code == 401
    assert "Authorization: Bearer" in missing.json()["message"]
    assert missing.headers["www-authenticate"].startswith("Bearer")
    good = f"Bearer {token}"
    for header in ("Basic abc", "Bearer", "Bearer cst_not-a-real-token", token, good):
        anonymous.headers["Authorization"] = header
        answer = anonymous.get("/v1/health")
        if header == good:
            assert (answer.status_code, answer.json()) == (200, {"status": "ok"})
        else:
            assert answer.status_code == 401, header
            assert set(answer.json()) == {"message"}


def test_a_revoked_token_stops_working_at_once(api, fixed_clock):
    assert api.get("/v1/health").status_code == 200
    assert ApiToken.get(ApiToken.name == "shop").last_used_at == fixed_clock.now()
    api_tokens.revoke(ADMIN, "shop")
    refused = api.get("/v1/health")
    assert refused.status_code == 401
    assert refused.json() == {"message": "The API token is not valid or has been revoked."}
    # Refused before the body is looked at: no validation details for strangers.
    assert api.post("/v1/visits", content=b"{oops").status_code == 401


def test_the_openapi_document_describes_every_route(api, anonymous):
    document = api.get("/openapi.json").json()
    assert set(document["paths"]) == {
        "/v1/health",
        "/v1/visits",
        "/v1/visits/{visit_id}/events",
        "/v1/customers",
        "/v1/sign-in",
        "/v1/sign-out",
        "/v1/password-resets",
        "/v1/password-resets/confirm",
        "/v1/orders",
        "/v1/customers/{customer_id}/store-credit",
    }
    assert document["paths"]["/v1/sign-in"]["post"]["responses"].keys() >= {
        "200",
        "401",
        "403",
        "404",
        "422",
        "423",
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


# -- visits ------------------------------------------------------------------------------------
def test_visits_start_and_events_refresh_only_on_state_changes(api, fixed_clock):
    started = fixed_clock.now()
    response = api.post(
        "/v1/visits",
        json={
            "website": "base",
            "url": "/",
            "remote_addr": "203.0.113.9",
            "user_agent": "Firefox",
        },
    )
    assert response.status_code == 201
    visit_id = response.json()["visit_id"]
    visit = Visit.get_by_id(visit_id)
    assert (visit.website_id, visit.remote_addr, visit.user_agent) == (1, "203.0.113.9", "Firefox")

    fixed_clock.advance(minutes=3)
    view = api.post(f"/v1/visits/{visit_id}/events", json={"type": "page_view", "url": "/sale"})
    assert (view.status_code, view.content) == (204, b"")
    visit = Visit.get_by_id(visit_id)
    assert (visit.last_url, visit.last_visit_at) == ("/sale", started)

    cart = api.post(f"/v1/visits/{visit_id}/events", json={"type": "add_to_cart"})
    assert cart.status_code == 204
    assert Visit.get_by_id(visit_id).last_visit_at == fixed_clock.now()


def test_a_website_may_be_named_by_id(api):
    assert api.post("/v1/visits", json={"website": 1}).status_code == 201


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"website": "mars"}, "website", "Unknown website 'mars'."),
        ({"website": 99}, "website", "Unknown website '99'."),
        ({"website": "²"}, "website", "Unknown website '²'."),
        ({"website": True}, "website", "website must be a string or an integer."),
        ({}, "website", "website is required."),
        ({"website": "base", "url": 5}, "url", "url must be a string."),
        (
            {"website": "base", "remote_addr": "me"},
            "remote_addr",
            "remote_addr is not an IP address.",
        ),
        ({"website": "base", "colour": "red"}, "colour", "colour is not a field of this request."),
        ({"website": "base", "url": "/\x00"}, "url", "url must not contain NUL characters."),
        ({"website": "base", "url": "x" * 3000}, "url", "url is longer than 2048 characters."),
    ],
)
def test_visit_bodies_are_validated_field_by_field(api, body, field, text):
    response = api.post("/v1/visits", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][field] == text


def test_events_on_unknown_visits_and_unknown_types(api):
    visit_id = _visit(api)
    for path in ("/v1/visits/999/events", "/v1/visits/abc/events", f"/v1/visits/{2**70}/events"):
        missing = api.post(path, json={"type": "page_view"})
        assert missing.status_code == 404, path
        assert set(missing.json()) == {"message"}
    bad = api.post(f"/v1/visits/{visit_id}/events", json={"type": "dance"})
    assert bad.status_code == 422
    assert bad.json()["errors"]["type"].startswith("type must be one of: page_view")


# -- registration ------------------------------------------------------------------------------
def test_registration_creates_the_account_and_queues_the_welcome_email(api):
    response = _register(api, dob="1990-12-10", gender=2, remote_addr="203.0.113.5")
    assert response.status_code == 201
    customer = Customer.get_by_id(response.json()["customer_id"])
    assert (customer.email, customer.firstname, customer.gender) == ("ada@example.com", "Ada", 2)
    assert customer.group_id == 1
    assert OutboxMessage.select().where(OutboxMessage.customer_id == customer.id).count() == 1
    assert AuditLog.get(AuditLog.action == "customer_created").staff_username == "storefront"


def test_registration_errors_name_their_fields(api):
    _register(api)
    taken = _register(api, email="ADA@example.com")
    assert taken.status_code == 422
    assert taken.json() == {
        "errors": {
            "email": "A customer with the same email address already exists in an associated "
            "website."
        }
    }
    weak = _register(api, email="weak@example.com", password="short")
    assert weak.status_code == 422
    assert "at least 8 characters" in weak.json()["errors"]["password"]
    missing = api.post("/v1/customers", json={"website": "base"})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"email", "password", "firstname", "lastname"}
    # Storefront shoppers choose neither their group nor group rules.
    sneaky = _register(api, email="vip@example.com", group_id=2)
    assert sneaky.status_code == 422
    assert sneaky.json()["errors"] == {"group_id": "group_id is not a field of this request."}
    assert _register(api, email="b@example.com", gender=True).status_code == 422
    assert _register(api, email="c@example.com", website="mars").json()["errors"] == {
        "website": "Unknown website 'mars'."
    }


def test_concurrent_registrations_of_one_email_make_one_account(api):
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: _register(api, email="race@example.com"), range(6)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1
    assert all(code in (201, 409, 422) for code in codes), codes
    assert Customer.select().where(Customer.email == "race@example.com").count() == 1


# -- sign in / out -----------------------------------------------------------------------------
def test_sign_in_binds_the_visit_and_sign_out_ends_it(api, fixed_clock):
    customer_id = _register(api).json()["customer_id"]
    visit_id = _visit(api)
    signed = _sign_in(api, visit_id, email="Ada@Example.com")
    assert signed.status_code == 200
    assert signed.json() == {"customer_id": customer_id, "redirect": "referer"}
    assert Visit.get_by_id(visit_id).customer_id == customer_id
    assert CustomerLog.get_by_id(customer_id).last_login_at == fixed_clock.now()

    config.store("customer/startup/redirect_dashboard", "1", 1)
    assert _sign_in(api, visit_id).json()["redirect"] == "dashboard"

    out = api.post("/v1/sign-out", json={"visit_id": visit_id})
    assert (out.status_code, out.content) == (204, b"")
    assert Visit.get_by_id(visit_id).customer_id is None
    assert api.post("/v1/sign-out", json={"visit_id": visit_id}).status_code == 204
    assert api.post("/v1/sign-out", json={"visit_id": 12345}).status_code == 404
    assert api.post("/v1/sign-out", json={"visit_id": "1"}).status_code == 422


def test_wrong_password_and_unknown_email_get_the_same_401(api):
    _register(api)
    visit_id = _visit(api)
    wrong = _sign_in(api, visit_id, password="Wrong-123x")
    unknown = _sign_in(api, visit_id, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"message": "Invalid login or password."}


def test_locked_account_gets_423(api):
    config.store("customer/password/lockout_failures", "3")
    _register(api)
    visit_id = _visit(api)
    for _ in range(3):
        assert _sign_in(api, visit_id, password="Wrong-123x").status_code == 401
    locked = _sign_in(api, visit_id)
    assert locked.status_code == 423
    assert locked.json() == {"message": "The account is locked."}


def test_unconfirmed_account_gets_403(api):
    config.store("customer/create_account/confirm", "1", 1)
    assert _register(api).status_code == 201
    refused = _sign_in(api, _visit(api))
    assert refused.status_code == 403
    assert refused.json() == {"message": auth.NOT_CONFIRMED}


def test_sign_in_on_an_unknown_visit_is_404(api):
    _register(api)
    missing = _sign_in(api, 4242)
    assert missing.status_code == 404
    assert "4242" in missing.json()["message"]


# -- password resets ---------------------------------------------------------------------------
def test_reset_answers_the_same_for_known_and_unknown_emails(api):
    _register(api)
    known = api.post("/v1/password-resets", json={"website": "base", "email": "ada@example.com"})
    unknown = api.post(
        "/v1/password-resets", json={"website": "base", "email": "ghost@example.com"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json()["message"] == unknown.json()["message"].replace(
        "ghost@example.com", "ada@example.com"
    )
    assert known.headers.keys() == unknown.headers.keys()
    # …whereas registration is the one place that tells (as Magento does).
    assert "already exists" in _register(api).json()["errors"]["email"]
    assert "already exists" not in _register(api, email="ghost@example.com").text


def test_reset_requests_are_rate_limited(api):
    body = {"website": "base", "email": "ada@example.com", "remote_addr": "203.0.113.7"}
    assert api.post("/v1/password-resets", json=body).status_code == 202
    limited = api.post("/v1/password-resets", json=body)
    assert limited.status_code == 429
    assert limited.json()["message"].startswith("We received too many requests")


def test_reset_confirm_sets_the_password_once(api):
    customer_id = _register(api).json()["customer_id"]
    api.post("/v1/password-resets", json={"website": "base", "email": "ada@example.com"})
    token = _reset_token(customer_id)

    weak = api.post("/v1/password-resets/confirm", json={"token": token, "password": "abc"})
    assert weak.status_code == 422
    assert set(weak.json()["errors"]) == {"password"}

    done = api.post("/v1/password-resets/confirm", json={"token": token, "password": "New-pass-42"})
    assert (done.status_code, done.content) == (204, b"")
    again = api.post(
        "/v1/password-resets/confirm", json={"token": token, "password": "New-pass-43"}
    )
    assert again.status_code == 400
    assert again.json() == {"message": auth.LINK_EXPIRED}
    visit_id = _visit(api)
    assert _sign_in(api, visit_id, password="New-pass-42").status_code == 200
    assert _sign_in(api, visit_id, password=STRONG).status_code == 401


def test_reset_confirm_with_a_made_up_token_is_400(api):
    made_up = api.post("/v1/password-resets/confirm", json={"token": "x" * 43, "password": STRONG})
    assert made_up.status_code == 400
    assert made_up.json() == {"message": auth.LINK_EXPIRED}


# -- bodies and routes -------------------------------------------------------------------------
def test_malformed_and_mistyped_bodies_are_4xx_with_a_message(api):
    json_type = {"Content-Type": "application/json"}
    cases = [
        (dict(content=b'{"website": "base"', headers=json_type), 400),
        (dict(content=b"", headers=json_type), 400),
        (dict(content=b"[1, 2]", headers=json_type), 400),
        (dict(content=b'"base"', headers=json_type), 400),
        (dict(content=b"\xff\xfe\x00garbage", headers=json_type), 400),
        (dict(content=b"1" * 5000, headers=json_type), 400),
        (dict(content=b"[" * 5000 + b"]" * 5000, headers=json_type), 400),
        (dict(content=b'{"website": "base"}', headers={"Content-Type": "text/plain"}), 415),
        (
            dict(
                content=b"website=base",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            415,
        ),
        (dict(content=b'{"website": "base"}', headers={"Content-Type": ""}), 415),
    ]
    for kwargs, status in cases:
        response = api.post("/v1/visits", **kwargs)
        assert response.status_code == status, (kwargs, response.text)
        assert set(response.json()) == {"message"}, response.text
    charset = api.post(
        "/v1/visits",
        content=b'{"website": "base"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert charset.status_code == 201


def test_oversized_bodies_are_413_before_parsing(api):
    big = {"website": "base", "url": "x" * 70_000}
    declared = api.post("/v1/visits", json=big)
    assert declared.status_code == 413
    assert declared.json() == {"message": "The request body is larger than 64 KiB."}

    def chunks():  # no Content-Length: the stream itself is counted
        for _ in range(100):
            yield b"x" * 1024

    streamed = api.post(
        "/v1/visits", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert Visit.select().count() == 0


def test_unknown_routes_and_methods(api):
    missing = api.get("/v1/nothing")
    assert missing.status_code == 404
    assert set(missing.json()) == {"message"}
    wrong = api.get("/v1/visits")
    assert wrong.status_code == 405
    assert set(wrong.json()) == {"message"}
    assert api.get("/docs").status_code == 404
