"""The API's request and response bodies.

These check only what JSON can get wrong — types, unknown fields, numbers a database cannot
hold, text no database can store — and leave every business rule (lengths of names, which
event types exist, the password policy…) to the services, so the API cannot drift from the
TUI and the CLI. Strict mode: ``"5"`` is not an integer and ``true`` is not ``1``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_ID = 2**63 - 1
"""The largest id a BIGINT column holds; larger numbers are refused before any query."""
_WEBSITE_CODE = re.compile(r"[A-Za-z0-9_]{1,64}")


def _storable(value: str) -> str:
    """No database stores NUL (PostgreSQL refuses it) or unpaired surrogates (not UTF-8)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (unpaired surrogate)") from None
    return value


def _website(value: str | int) -> str | int:
    if isinstance(value, str):
        _storable(value)
        if not _WEBSITE_CODE.fullmatch(value):
            raise ValueError(f"Unknown website {value[:64]!r}.")
    elif not 0 <= value <= 2**31 - 1:
        raise ValueError(f"Unknown website {value}.")
    return value


def _ip(value: str) -> str:
    _storable(value)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError("is not an IP address") from None


Text = Annotated[str, AfterValidator(_storable)]
Website = Annotated[str | int, AfterValidator(_website)]
RemoteAddr = Annotated[str, AfterValidator(_ip)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# -- requests -------------------------------------------------------------------------------
class VisitIn(Body):
    website: Website = Field(description="Website code (e.g. `base`) or id")
    url: Text | None = None
    remote_addr: RemoteAddr | None = Field(None, description="The shopper's IP address")
    user_agent: Text | None = None


class EventIn(Body):
    type: Text = Field(description="page_view, search, add_to_cart, checkout, form_post, …")
    url: Text | None = None


class CustomerIn(Body):
    """Storefront registration: the fields of Magento's Create New Customer Account form."""

    website: Website
    email: Text
    password: Text
    firstname: Text
    lastname: Text
    prefix: Text | None = None
    middlename: Text | None = None
    suffix: Text | None = None
    dob: Text | None = Field(None, description="Date of birth, YYYY-MM-DD")
    taxvat: Text | None = None
    gender: int | None = Field(None, description="1 Male, 2 Female, 3 Not Specified")
    store_view_id: Id | None = None
    assistance_allowed: bool | None = Field(None, description="Allow remote shopping assistance")
    remote_addr: RemoteAddr | None = None


class SignInIn(Body):
    website: Website
    email: Text
    password: Text
    visit_id: Id
    remote_addr: RemoteAddr | None = None


class SignOutIn(Body):
    visit_id: Id


class PasswordResetIn(Body):
    website: Website
    email: Text
    remote_addr: RemoteAddr | None = Field(
        None, description="The shopper's IP address (rate limits by IP use it)"
    )


class PasswordResetConfirmIn(Body):
    token: Text
    password: Text


# -- responses ------------------------------------------------------------------------------
class VisitOut(BaseModel):
    visit_id: int


class CustomerOut(BaseModel):
    customer_id: int


class SignInOut(BaseModel):
    customer_id: int
    redirect: Literal["dashboard", "referer"] = Field(
        description="`dashboard` when Redirect Customer to Account Dashboard is on, else back "
        "to the page the shopper came from"
    )


class Message(BaseModel):
    message: str


class Errors(BaseModel):
    errors: dict[str, str] = Field(description="Field name → what is wrong with it")


class Health(BaseModel):
    status: Literal["ok"]
