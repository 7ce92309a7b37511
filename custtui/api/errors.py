"""Every failure as ``{"message": …}`` or ``{"errors": {field: message}}``, never FastAPI's
``{"detail": …}`` and never a stack trace.

Service errors map to status codes here, in one table, so each route only calls a service.
Anything unexpected is logged with its traceback and answered with a plain 500 message.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from peewee import IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from custtui.services import auth
from custtui.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceError,
    ValidationError,
)
from custtui.services.passwords import KeyFileError

log = logging.getLogger("custtui.api")


class SafeJSONResponse(JSONResponse):
    """JSON that can always be encoded: anything a client sent that is not valid Unicode
    (an unpaired surrogate in an unknown field's name…) becomes U+FFFD instead of a 500."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", "replace")


class ApiError(Exception):
    """A route's own refusal with a status and a message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def message(status: int, text: str, headers: dict[str, str] | None = None) -> SafeJSONResponse:
    return SafeJSONResponse({"message": text}, status_code=status, headers=headers)


def field_errors(errors: dict[str, str], status: int = 422) -> SafeJSONResponse:
    return SafeJSONResponse({"errors": errors}, status_code=status)


_STATUS: tuple[tuple[type[ServiceError], int], ...] = (
    (auth.AuthFailed, 401),
    (auth.AccountLocked, 423),
    (auth.NotConfirmed, 403),
    (RateLimited, 429),
    (NotFound, 404),
    (Conflict, 409),
    (PermissionDenied, 403),
)


def service_error(error: ServiceError) -> SafeJSONResponse:
    if isinstance(error, ValidationError):
        return field_errors(error.errors)
    if isinstance(error, KeyFileError):
        log.error("password key file: %s", error)
        return message(503, "The shop cannot check passwords right now; try again later.")
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return message(status, str(error))
    return message(400, str(error))


# -- request validation ----------------------------------------------------------------------
def _field_path(loc: tuple[Any, ...]) -> tuple[str, bool]:
    """The field a validation error is about, and whether it is one member of a union.

    ``("body", "website", "str")`` is the *str* member of ``website: str | int``;
    ``("body", "items", 0, "price")`` is ``items.0.price``: a name after a list index is a
    field of that member, a name after a field is a union member's tag.
    """
    if len(loc) < 2:
        return "body", False
    parts = [str(loc[1])]
    rest = loc[2:]
    while rest:
        head = rest[0]
        if not isinstance(head, int):
            return ".".join(parts), True
        parts.append(str(head))
        if len(rest) > 1 and isinstance(rest[1], str):
            parts.append(rest[1])
            rest = rest[2:]
        else:
            rest = rest[1:]
    return ".".join(parts), False


def _field_name(loc: tuple[Any, ...]) -> str:
    name = _field_path(loc)[0]
    return name if len(name) <= 64 else name[:64] + "…"


_WORDS = {
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "missing": "is required",
    "extra_forbidden": "is not a field of this request",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "literal_error": "must be one of {expected}",
}


def _describe(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        text = str(ctx.get("error", error.get("msg", "is not valid")))
    elif kind in _WORDS:
        try:
            text = _WORDS[kind].format(**ctx)
        except (KeyError, IndexError):
            text = _WORDS[kind]
    else:
        text = str(error.get("msg", "is not valid"))
    return text


def _sentence(field: str, text: str) -> str:
    """``email`` + ``is required`` → "email is required."; a full sentence stays as is."""
    if text[:1].isupper():
        return text if text.endswith(".") else text + "."
    return f"{field} {text}."


def validation_response(request: Request, exc: RequestValidationError) -> SafeJSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return message(400, "The request body is not valid JSON.")
    if any(e.get("loc", ())[:1] == ("path",) for e in errors):
        return message(404, "No such resource: " + request.url.path[:200])
    body_level = [e for e in errors if len(e.get("loc", ())) <= 1]
    if body_level:
        return message(400, "The request body must be a JSON object.")
    fields: dict[str, str] = {}
    unions: dict[str, list[dict[str, Any]]] = {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        field = _field_name(loc)
        if _field_path(loc)[1]:
            unions.setdefault(field, []).append(error)
        elif field not in fields:
            fields[field] = _sentence(field, _describe(error))
    for field, members in unions.items():
        fields.setdefault(field, _sentence(field, _describe_union(members)))
    return field_errors(fields)


_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _describe_union(members: list[dict[str, Any]]) -> str:
    """``website: str | int`` sent ``true`` → "must be a string or an integer"; sent a
    string that is too long → what the string member says about it."""
    specific = [e for e in members if e.get("type") not in _TYPE_WORDS]
    if specific:
        return _describe(specific[0])
    words = list(dict.fromkeys(_TYPE_WORDS[str(e.get("type"))] for e in members))
    return "must be " + " or ".join(words)


def install(app: FastAPI) -> None:
    """Register the handlers that keep every answer in the API's two error shapes."""

    async def on_service_error(request: Request, exc: Exception) -> SafeJSONResponse:
        assert isinstance(exc, ServiceError)
        return service_error(exc)

    async def on_api_error(request: Request, exc: Exception) -> SafeJSONResponse:
        assert isinstance(exc, ApiError)
        return message(exc.status, exc.message, exc.headers)

    async def on_validation(request: Request, exc: Exception) -> SafeJSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_response(request, exc)

    async def on_http(request: Request, exc: Exception) -> SafeJSONResponse:
        assert isinstance(exc, HTTPException)
        text = {404: "No such resource: " + request.url.path[:200]}.get(exc.status_code)
        if text is None:
            text = exc.detail if isinstance(exc.detail, str) else "The request failed."
        return message(exc.status_code, text, getattr(exc, "headers", None))

    async def on_integrity(request: Request, exc: Exception) -> SafeJSONResponse:
        log.warning("integrity error (a concurrent change won): %s", exc)
        return message(409, "Another request changed the same data at the same time; try again.")

    async def on_database(request: Request, exc: Exception) -> SafeJSONResponse:
        log.warning("database unavailable: %s", exc)
        return message(
            503, "The shop database is busy or unavailable; try again.", {"Retry-After": "1"}
        )

    async def on_crash(request: Request, exc: Exception) -> SafeJSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return message(500, "Something went wrong on the server; it has been logged.")

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(OperationalError, on_database)
    app.add_exception_handler(InterfaceError, on_database)
    app.add_exception_handler(Exception, on_crash)
