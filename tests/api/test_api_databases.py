"""One storefront session end to end, then the hostile bodies (NUL, unpaired surrogates…
that PostgreSQL refuses to store), on SQLite and PostgreSQL: the API's per-thread
connections work on both and no database error becomes a 500."""

from __future__ import annotations

from custtui.models import Visit
from custtui.services import api_tokens
from tests.api.conftest import ADMIN, served
from tests.api.test_hostile_bodies import HOSTILE, ROUTES, _check, _post


def test_a_shopper_session_on_each_database(any_shop):
    from custtui.api import create_app

    token = api_tokens.create(ADMIN, "shop")
    with served(create_app(threads=3)) as api:
        api.headers["Authorization"] = f"Bearer {token}"
        assert api.get("/v1/health").status_code == 200
        visit_id = api.post("/v1/visits", json={"website": "base"}).json()["visit_id"]
        assert (
            api.post(f"/v1/visits/{visit_id}/events", json={"type": "add_to_cart"}).status_code
            == 204
        )
        customer = {
            "website": "base",
            "email": "ada@example.com",
            "password": "Secret-123x",
            "firstname": "Ada",
            "lastname": "Lovelace",
        }
        customer_id = api.post("/v1/customers", json=customer).json()["customer_id"]
        signed = api.post(
            "/v1/sign-in",
            json={
                "website": "base",
                "email": "ada@example.com",
                "password": "Secret-123x",
                "visit_id": visit_id,
            },
        )
        assert signed.json()["customer_id"] == customer_id
        assert Visit.get_by_id(visit_id).customer_id == customer_id
        assert api.post("/v1/sign-out", json={"visit_id": visit_id}).status_code == 204
        reset = {"website": "base", "email": "ada@example.com", "remote_addr": "::1"}
        assert api.post("/v1/password-resets", json=reset).status_code == 202
        for route in sorted(ROUTES):
            for payload in HOSTILE:
                _check(_post(api, route, payload))
