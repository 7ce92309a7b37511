"""Peewee models and the database connection (no business rules, never Textual)."""

from __future__ import annotations

from custtui.models.db import database, open_database, resolve_url
from custtui.models.schema import (
    ALL_MODELS,
    Address,
    AuditLog,
    ConfigValue,
    Customer,
    CustomerGrid,
    CustomerGroup,
    CustomerLog,
    EmailTemplate,
    NewsletterSubscriber,
    OutboxMessage,
    PasswordResetRequest,
    PasswordResetToken,
    SavedView,
    SchemaVersion,
    Staff,
    StoreView,
    TaxClass,
    Visit,
    Website,
)

__all__ = [
    "ALL_MODELS",
    "Address",
    "AuditLog",
    "ConfigValue",
    "Customer",
    "CustomerGrid",
    "CustomerGroup",
    "NewsletterSubscriber",
    "SavedView",
    "SchemaVersion",
    "Staff",
    "StoreView",
    "TaxClass",
    "Website",
    "Visit",
    "CustomerLog",
    "PasswordResetToken",
    "PasswordResetRequest",
    "EmailTemplate",
    "OutboxMessage",
    "database",
    "open_database",
    "resolve_url",
]
