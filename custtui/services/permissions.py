"""Roles and permissions, named after Magento's ACL resources.

``admin`` may do everything; ``support`` views and edits customers but cannot delete them,
change configuration or manage staff; ``viewer`` only reads. Services call :func:`require`
before they open their transaction, so the refusal (and its audit row) never rolls back.
"""

from __future__ import annotations

from custtui.models.db import database
from custtui.services import audit
from custtui.services.actor import Actor
from custtui.services.errors import PermissionDenied

CUSTOMERS_VIEW = "Magento_Customer::manage"
CUSTOMERS_EDIT = "Magento_Customer::edit"
CUSTOMERS_DELETE = "Magento_Customer::delete"
CUSTOMERS_EXPORT = "Magento_Customer::export"
CUSTOMERS_NEWSLETTER = "Magento_Newsletter::subscriber"
CUSTOMERS_ASSIGN_GROUP = "Magento_Customer::assign_group"
CUSTOMERS_UNLOCK = "Magento_Customer::unlock"
CUSTOMERS_RESET_PASSWORD = "Magento_Customer::reset_password"
CUSTOMERS_FORCE_SIGN_IN = "Magento_Customer::invalidate_tokens"
CUSTOMERS_ONLINE = "Magento_Customer::online"
AUDIT_VIEW = "Magento_Logging::magento_logging_events"
EMAIL_OUTBOX = "Magento_Email::outbox"
EMAIL_TEMPLATES = "Magento_Email::template"
CONFIG_EDIT = "Magento_Customer::config_customer"
STAFF_MANAGE = "Magento_User::acl_users"
API_TOKENS = "Magento_Integration::integrations"
STORE_CREDIT_ADJUST = "Magento_CustomerBalance::customerbalance"
STORE_CREDIT_OVER_LIMIT = "Magento_CustomerBalance::customerbalance_over_limit"
SALES_CREDITMEMO = "Magento_Sales::sales_creditmemo"
SALES_CANCEL = "Magento_Sales::cancel"

WHAT = {
    CUSTOMERS_VIEW: "viewing customers",
    CUSTOMERS_EDIT: "editing customers",
    CUSTOMERS_DELETE: "deleting customers",
    CUSTOMERS_EXPORT: "exporting customers",
    CUSTOMERS_NEWSLETTER: "changing newsletter subscriptions",
    CUSTOMERS_ASSIGN_GROUP: "assigning customer groups",
    CUSTOMERS_UNLOCK: "unlocking accounts",
    CUSTOMERS_RESET_PASSWORD: "sending password reset emails",
    CUSTOMERS_FORCE_SIGN_IN: "signing customers out (Force Sign-In)",
    CUSTOMERS_ONLINE: "seeing who is online now",
    AUDIT_VIEW: "viewing the audit log",
    EMAIL_OUTBOX: "viewing and re-sending queued emails",
    EMAIL_TEMPLATES: "editing email templates",
    CONFIG_EDIT: "changing the configuration",
    STAFF_MANAGE: "managing staff accounts",
    API_TOKENS: "managing storefront API tokens",
    STORE_CREDIT_ADJUST: "updating store credit balances",
    STORE_CREDIT_OVER_LIMIT: "store credit adjustments above the staff limit",
    SALES_CREDITMEMO: "issuing credit memos (refunds to store credit)",
    SALES_CANCEL: "canceling orders",
}

_SUPPORT = frozenset(
    {
        CUSTOMERS_VIEW,
        CUSTOMERS_EDIT,
        CUSTOMERS_EXPORT,
        CUSTOMERS_NEWSLETTER,
        CUSTOMERS_ASSIGN_GROUP,
        CUSTOMERS_UNLOCK,
        CUSTOMERS_RESET_PASSWORD,
        CUSTOMERS_FORCE_SIGN_IN,
        CUSTOMERS_ONLINE,
        AUDIT_VIEW,
        EMAIL_OUTBOX,
        STORE_CREDIT_ADJUST,
        SALES_CREDITMEMO,
        SALES_CANCEL,
    }
)

ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset(WHAT),
    "support": _SUPPORT,
    "viewer": frozenset({CUSTOMERS_VIEW, CUSTOMERS_ONLINE, AUDIT_VIEW}),
}


def can(actor: Actor, permission: str) -> bool:
    return permission in ROLES.get(actor.role, frozenset())


def reason(actor: Actor, permission: str) -> str | None:
    """Why *actor* may not do this (for a disabled control), or None when allowed."""
    if can(actor, permission):
        return None
    return f"Your role ({actor.role}) does not allow {WHAT.get(permission, permission)}."


def require(actor: Actor, permission: str) -> None:
    """Raise :class:`PermissionDenied` (and audit the refusal) unless allowed."""
    message = reason(actor, permission)
    if message is None:
        return
    with database.obj.atomic():
        audit.record(actor, "permission_denied", entity_type="permission", note=message)
    raise PermissionDenied(message)
