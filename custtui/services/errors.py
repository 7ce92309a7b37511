"""Typed errors every service raises, each carrying a message a person can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: ``str(error)`` is the message to show."""


class ValidationError(ServiceError):
    """One or more fields are wrong; ``errors`` maps each field to its problem."""

    def __init__(self, field: str | dict[str, str], message: str | None = None) -> None:
        self.errors: dict[str, str] = (
            dict(field) if isinstance(field, dict) else {field: message or "is not valid"}
        )
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))

    @property
    def field(self) -> str:
        return next(iter(self.errors))


class NotFound(ServiceError):
    """The thing asked for does not exist (any more)."""


class Conflict(ServiceError):
    """Someone else changed the record since it was read."""


class PermissionDenied(ServiceError):
    """The acting staff member's role does not allow this."""


class RateLimited(ServiceError):
    """Too many requests of one kind in a time window (password resets)."""
