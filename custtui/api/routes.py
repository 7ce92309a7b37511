"""The storefront's routes, under ``/v1``. Each one validates its body (see
:mod:`custtui.api.schemas`), makes one trip to a database thread and calls services there;
errors become responses in :mod:`custtui.api.errors`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.security import HTTPBearer

from custtui.api.errors import ApiError
from custtui.api.schemas import (
    MAX_ID,
    CustomerIn,
    CustomerOut,
    Errors,
    EventIn,
    Health,
    Message,
    PasswordResetConfirmIn,
    PasswordResetIn,
    SignInIn,
    SignInOut,
    SignOutIn,
    VisitIn,
    VisitOut,
)
from custtui.models.db import database
from custtui.services import auth, sessions
from custtui.services.errors import ValidationError

RESET_SENT = (
    "If there is an account associated with {email} you will receive an email with a link "
    "to reset your password."
)
"""Magento's answer to Forgot Your Password, the same whether or not the account exists."""


def _err(description: str, model: type = Message) -> dict[str, Any]:
    return {"description": description, "model": model}


BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _err("Malformed JSON, or a body that is not a JSON object"),
    413: _err("Body larger than 64 KiB"),
    415: _err("Body is not application/json"),
    422: _err("A field has the wrong type or value", Errors),
}


def _answers(**extra: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """The errors every route with a body can give, plus the route's own (``_404=…``)."""
    return BODY_ERRORS | {int(code.lstrip("_")): value for code, value in extra.items()}


router = APIRouter(
    prefix="/v1",
    dependencies=[Depends(HTTPBearer(auto_error=False, description="custtui storefront token"))],
    responses={401: _err("Missing, unknown or revoked API token")},
)


async def _run(request: Request, fn: Any, *args: Any, **kwargs: Any) -> Any:
    return await request.app.state.db.run(fn, *args, **kwargs)


# -- health ------------------------------------------------------------------------------------
def _ping() -> None:
    database.obj.execute_sql("SELECT 1")


@router.get(
    "/health",
    response_model=Health,
    summary="The API and its database answer",
    responses={503: _err("The database is unavailable")},
)
async def health(request: Request) -> Health:
    await _run(request, _ping)
    return Health(status="ok")


# -- visits --------------------------------------------------------------------------------------
def _start_visit(body: VisitIn) -> int:
    site = auth.website_id(body.website)
    return sessions.start_visit(
        site, url=body.url, remote_addr=body.remote_addr, user_agent=body.user_agent
    )


@router.post(
    "/visits",
    status_code=201,
    response_model=VisitOut,
    summary="A shopper's browser session starts",
    responses=_answers(),
)
async def start_visit(body: VisitIn, request: Request) -> VisitOut:
    return VisitOut(visit_id=await _run(request, _start_visit, body))


VisitId = Path(ge=1, le=MAX_ID, description="From POST /v1/visits")


@router.post(
    "/visits/{visit_id}/events",
    status_code=204,
    response_class=Response,
    summary="Something happened on a visit",
    description="State-changing events (add_to_cart, checkout, form_post, …) refresh the visit's "
    "last activity, which is what Now Online counts; page views and searches only move its "
    "last URL.",
    responses=_answers(_404=_err("Unknown or expired visit")),
)
async def record_event(body: EventIn, request: Request, visit_id: int = VisitId) -> Response:
    await _run(request, sessions.record_event, visit_id, body.type, url=body.url)
    return Response(status_code=204)


# -- accounts ------------------------------------------------------------------------------------
def _register(body: CustomerIn) -> int:
    values = body.model_dump(exclude_none=True, exclude={"remote_addr"})
    return auth.register(values, remote_addr=body.remote_addr).id


@router.post(
    "/customers",
    status_code=201,
    response_model=CustomerOut,
    summary="Create New Customer Account",
    description="Sends the welcome email, or the confirmation link when the website requires "
    "confirmation. An email already registered is the one error that names the email.",
    responses=_answers(),
)
async def register(body: CustomerIn, request: Request) -> CustomerOut:
    return CustomerOut(customer_id=await _run(request, _register, body))


def _sign_in(body: SignInIn) -> auth.SignIn:
    # The sign-in form is a POST on the visit: report it (NotFound for an unknown visit)
    # before checking the password, as the storefront would.
    sessions.record_event(body.visit_id, "form_post")
    return auth.sign_in(
        body.website,
        body.email,
        body.password,
        visit_id=body.visit_id,
        remote_addr=body.remote_addr,
    )


@router.post(
    "/sign-in",
    response_model=SignInOut,
    summary="Customer Login",
    responses=_answers(
        _401=_err("Invalid login or password (the same for an unknown email), or a bad API token"),
        _403=_err("The account is not confirmed yet"),
        _404=_err("Unknown or expired visit"),
        _423=_err("The account is locked"),
    ),
)
async def sign_in(body: SignInIn, request: Request) -> SignInOut:
    result = await _run(request, _sign_in, body)
    return SignInOut(customer_id=result.customer_id, redirect=result.redirect)


@router.post(
    "/sign-out",
    status_code=204,
    response_class=Response,
    summary="Sign Out (the visit goes on as a guest)",
    responses=_answers(_404=_err("Unknown or expired visit")),
)
async def sign_out(body: SignOutIn, request: Request) -> Response:
    await _run(request, auth.sign_out, body.visit_id)
    return Response(status_code=204)


# -- password resets -----------------------------------------------------------------------------
@router.post(
    "/password-resets",
    status_code=202,
    response_model=Message,
    summary="Forgot Your Password?",
    description="Always 202 with the same message: the answer never tells whether an account "
    "exists. The email (if any) is queued.",
    responses=_answers(_429=_err("Too many reset requests for this email or IP address")),
)
async def forgot_password(body: PasswordResetIn, request: Request) -> Message:
    await _run(
        request, auth.forgot_password, body.website, body.email, remote_addr=body.remote_addr
    )
    return Message(message=RESET_SENT.format(email=body.email[:255]))


def _reset(body: PasswordResetConfirmIn) -> None:
    try:
        auth.reset_password(body.token, body.password)
    except ValidationError as error:
        if "token" in error.errors:
            raise ApiError(400, error.errors["token"]) from None
        raise


@router.post(
    "/password-resets/confirm",
    status_code=204,
    response_class=Response,
    summary="Set a New Password with the emailed link's token",
    responses=_answers(
        _400=_err("The link's token is wrong, used or expired (or malformed JSON)"),
        _422=_err(
            "A field has the wrong type, or the new password does not meet the policy", Errors
        ),
    ),
)
async def reset_password(body: PasswordResetConfirmIn, request: Request) -> Response:
    await _run(request, _reset, body)
    return Response(status_code=204)
