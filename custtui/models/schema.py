"""The shop's tables as Peewee models: websites, groups, customers, addresses, the grid index,
configuration, staff, saved views and the append-only audit log.

Models carry constraints only; every rule (validation, permissions, audit) lives in
``custtui.services``. Names follow Magento's schema (reference B3) where it has one.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    Check,
    DateField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

from custtui.models.db import database
from custtui.models.fields import JSONTextField, UTCDateTimeField


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """One row: the number of the last migration applied to this database."""

    version = IntegerField()

    class Meta:
        table_name = "schema_version"


class Website(BaseModel):
    """A Magento website: the scope of customer accounts (when sharing is per website) and of
    store credit currency."""

    id = AutoField()
    code = CharField(max_length=32, unique=True)
    name = CharField(max_length=64)
    sort_order = IntegerField(default=0)
    is_default = BooleanField(default=False)
    currency_code = CharField(max_length=3, default="USD")


class StoreView(BaseModel):
    """A store view of a website; its name is what a customer's "Account Created in" shows."""

    id = AutoField()
    code = CharField(max_length=32, unique=True)
    name = CharField(max_length=255)
    website = ForeignKeyField(Website, backref="store_views", on_delete="CASCADE")
    sort_order = IntegerField(default=0)
    is_active = BooleanField(default=True)

    class Meta:
        table_name = "store_view"


class TaxClass(BaseModel):
    id = AutoField()
    name = CharField(max_length=255)
    type = CharField(max_length=8, default="CUSTOMER")

    class Meta:
        table_name = "tax_class"


class CustomerGroup(BaseModel):
    """Customer group (0 NOT LOGGED IN, 1 General, 2 Wholesale, 3 Retailer on a new shop)."""

    id = AutoField()
    code = CharField(max_length=32, unique=True)
    tax_class = ForeignKeyField(TaxClass, on_delete="RESTRICT")

    class Meta:
        table_name = "customer_group"


class Customer(BaseModel):
    """A customer account (Magento ``customer_entity``)."""

    id = AutoField()
    website = ForeignKeyField(Website, null=True, on_delete="SET NULL")
    email = CharField(max_length=255)
    email_key = CharField(max_length=255)
    group = ForeignKeyField(CustomerGroup, on_delete="RESTRICT")
    increment_id = CharField(max_length=50, null=True)
    store_view = ForeignKeyField(StoreView, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    is_active = BooleanField(default=True)
    disable_auto_group_change = BooleanField(default=False)
    created_in = CharField(max_length=255, null=True)
    prefix = CharField(max_length=40, null=True)
    firstname = CharField(max_length=255)
    middlename = CharField(max_length=255, null=True)
    lastname = CharField(max_length=255)
    suffix = CharField(max_length=40, null=True)
    dob = DateField(null=True)
    password_hash = CharField(max_length=255, null=True)
    default_billing = IntegerField(null=True)
    default_shipping = IntegerField(null=True)
    taxvat = CharField(max_length=50, null=True)
    confirmation = CharField(max_length=64, null=True)
    gender = SmallIntegerField(null=True)
    failures_num = SmallIntegerField(default=0)
    first_failure = UTCDateTimeField(null=True)
    lock_expires = UTCDateTimeField(null=True)
    session_cutoff = UTCDateTimeField(null=True)
    assistance_allowed = BooleanField(default=False)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("email_key", "website"), True),)


class Address(BaseModel):
    """A customer address (Magento ``customer_address_entity``); street lines joined by ``\\n``."""

    id = AutoField()
    customer = ForeignKeyField(Customer, backref="addresses", on_delete="CASCADE")
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    prefix = CharField(max_length=40, null=True)
    firstname = CharField(max_length=255)
    middlename = CharField(max_length=255, null=True)
    lastname = CharField(max_length=255)
    suffix = CharField(max_length=40, null=True)
    company = CharField(max_length=255, null=True)
    street = TextField()
    city = CharField(max_length=255)
    country_id = CharField(max_length=2)
    region = CharField(max_length=255, null=True)
    region_id = CharField(max_length=16, null=True)
    postcode = CharField(max_length=255, null=True)
    telephone = CharField(max_length=255, null=True)
    fax = CharField(max_length=255, null=True)
    vat_id = CharField(max_length=255, null=True)


class NewsletterSubscriber(BaseModel):
    """A customer's newsletter subscription for one store view (Magento statuses:
    1 Subscribed, 2 Not Activated, 3 Unsubscribed, 4 Unconfirmed)."""

    id = AutoField()
    customer = ForeignKeyField(Customer, backref="subscriptions", on_delete="CASCADE")
    store_view = ForeignKeyField(StoreView, on_delete="CASCADE")
    status = SmallIntegerField()
    changed_at = UTCDateTimeField()

    class Meta:
        table_name = "newsletter_subscriber"
        indexes = ((("customer", "store_view"), True),)


class CustomerGrid(BaseModel):
    """The All Customers grid's flat index (Magento ``customer_grid_flat``): one row per
    customer with its default billing/shipping address folded in, so that every sort and
    filter is a single-table indexed query even at a million customers. Kept in step by
    :mod:`custtui.services.grid_index` in the same transaction as the change."""

    id = IntegerField(primary_key=True)
    name = CharField(max_length=1024)
    firstname = CharField(max_length=255)
    lastname = CharField(max_length=255)
    email = CharField(max_length=255)
    group_id = IntegerField()
    created_at = UTCDateTimeField()
    website_id = IntegerField(null=True)
    confirmation = CharField(max_length=64, null=True)
    created_in = CharField(max_length=255, null=True)
    dob = DateField(null=True)
    gender = SmallIntegerField(null=True)
    taxvat = CharField(max_length=50, null=True)
    lock_expires = UTCDateTimeField(null=True)
    shipping_full = TextField(null=True)
    billing_full = TextField(null=True)
    billing_firstname = CharField(max_length=255, null=True)
    billing_lastname = CharField(max_length=255, null=True)
    billing_telephone = CharField(max_length=255, null=True)
    billing_postcode = CharField(max_length=255, null=True)
    billing_country_id = CharField(max_length=2, null=True)
    billing_region = CharField(max_length=255, null=True)
    billing_street = TextField(null=True)
    billing_city = CharField(max_length=255, null=True)
    billing_fax = CharField(max_length=255, null=True)
    billing_vat_id = CharField(max_length=255, null=True)
    billing_company = CharField(max_length=255, null=True)

    class Meta:
        table_name = "customer_grid"


GRID_SORT_INDEXES: tuple[tuple[str, ...], ...] = (
    ("lastname", "firstname"),
    ("email",),
    ("group_id",),
    ("billing_telephone",),
    ("billing_postcode",),
    ("billing_country_id",),
    ("billing_region",),
    ("created_at",),
    ("website_id",),
    ("dob",),
    ("taxvat",),
    ("gender",),
    ("billing_city",),
    ("billing_company",),
    ("group_id", "billing_country_id"),
    ("website_id", "group_id"),
)
"""Indexes on ``customer_grid``. Each ends (implicitly, as the rowid) with ``id``, which is the
grid's tie-breaker, so ``ORDER BY col, id`` in either direction walks one index."""


class ConfigValue(BaseModel):
    """A configuration value by Magento path and scope (``default``/0 or ``websites``/id)."""

    id = AutoField()
    path = CharField(max_length=255)
    scope = CharField(max_length=8, default="default")
    scope_id = IntegerField(default=0)
    value = TextField(null=True)
    updated_at = UTCDateTimeField()

    class Meta:
        table_name = "config"
        indexes = ((("path", "scope", "scope_id"), True),)


class Staff(BaseModel):
    """A person who uses the back office (an admin user in Magento's words)."""

    id = AutoField()
    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=255, null=True)
    role = CharField(max_length=32, default="admin")
    os_user = CharField(max_length=64, null=True, unique=True)
    password_hash = CharField(max_length=255, null=True)
    is_active = BooleanField(default=True)
    created_at = UTCDateTimeField()
    failures_num = SmallIntegerField(default=0)
    lock_expires = UTCDateTimeField(null=True)
    last_login_at = UTCDateTimeField(null=True)


class SavedView(BaseModel):
    """A staff member's named grid view: visible columns, filters, search and sort."""

    id = AutoField()
    staff = ForeignKeyField(Staff, backref="views", on_delete="CASCADE")
    screen = CharField(max_length=32)
    name = CharField(max_length=64)
    state = JSONTextField()
    is_default = BooleanField(default=False)
    updated_at = UTCDateTimeField()

    class Meta:
        table_name = "saved_view"
        indexes = ((("staff", "screen", "name"), True),)


class AuditLog(BaseModel):
    """Append-only record of every change: who, acting on whom, what, when.

    Database triggers refuse UPDATE and DELETE (see :mod:`custtui.models.migrations`);
    ``customer_id`` is a plain integer so the history outlives a deleted customer.
    """

    id = AutoField()
    created_at = UTCDateTimeField(index=True)
    staff_id = IntegerField(null=True)
    staff_username = CharField(max_length=64, null=True, index=True)
    action = CharField(max_length=64, index=True)
    entity_type = CharField(max_length=32)
    entity_id = IntegerField(null=True)
    customer_id = IntegerField(null=True, index=True)
    changes = JSONTextField(null=True)
    note = TextField(null=True)

    class Meta:
        table_name = "audit_log"


class Visit(BaseModel):
    """One storefront browser session (Magento ``customer_visitor``), reported by the shop.

    ``customer`` is set while a customer is signed in on this visit and cleared on sign-out or
    when staff use Force Sign-In; "online" means ``last_visit_at`` within the configured
    Online Minutes Interval (reference B8).
    """

    id = BigAutoField()
    website = ForeignKeyField(Website, on_delete="CASCADE")
    customer = ForeignKeyField(Customer, null=True, backref="visits", on_delete="SET NULL")
    created_at = UTCDateTimeField()
    last_visit_at = UTCDateTimeField(index=True)
    remote_addr = CharField(max_length=45, null=True)
    user_agent = CharField(max_length=512, null=True)
    last_url = CharField(max_length=2048, null=True)

    class Meta:
        table_name = "visit"
        indexes = (
            (("customer", "last_visit_at"), False),
            # Now Online: count, split and chart read only this index (migration 5).
            (("last_visit_at", "customer", "created_at"), False),
        )


class CustomerLog(BaseModel):
    """Last sign-in and sign-out per customer (Magento ``customer_log``), for Customer View."""

    customer = ForeignKeyField(Customer, primary_key=True, backref="log", on_delete="CASCADE")
    last_login_at = UTCDateTimeField(null=True)
    last_logout_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "customer_log"


class Order(BaseModel):
    """A storefront order (Magento ``sales_order``), as much of it as store credit and the
    customer's page need. Money columns are integer minor units of ``currency_code``.

    ``subtotal`` is what the items cost; ``store_credit_used`` was paid from the customer's
    store credit and ``grand_total`` (= subtotal - store_credit_used) by other means;
    ``total_refunded`` is what credit memos have refunded to store credit so far, never more
    than the subtotal (a guarded UPDATE keeps it so). ``request_id`` makes placing an order
    idempotent: a storefront retry with the same id gets the first order back.
    """

    id = AutoField()
    increment_id = CharField(max_length=32, unique=True)
    customer = ForeignKeyField(
        Customer, null=True, backref="orders", on_delete="SET NULL", index=False
    )
    website = ForeignKeyField(Website, on_delete="RESTRICT")
    store_view = ForeignKeyField(StoreView, null=True, on_delete="SET NULL")
    status = CharField(max_length=32)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    currency_code = CharField(max_length=3)
    subtotal = BigIntegerField()
    grand_total = BigIntegerField()
    store_credit_used = BigIntegerField(default=0)
    total_refunded = BigIntegerField(default=0)
    request_id = CharField(max_length=64, null=True, unique=True)

    class Meta:
        table_name = "sales_order"
        indexes = ((("customer", "created_at"), False),)
        constraints = [
            Check("store_credit_used >= 0"),
            Check("total_refunded >= 0 AND total_refunded <= subtotal"),
        ]


class OrderItem(BaseModel):
    """One line of an order (Magento ``sales_order_item``); ``price`` per unit, minor units."""

    id = AutoField()
    order = ForeignKeyField(Order, backref="items", on_delete="CASCADE")
    sku = CharField(max_length=64)
    name = CharField(max_length=255)
    qty = IntegerField()
    price = BigIntegerField()

    class Meta:
        table_name = "sales_order_item"


class CreditMemo(BaseModel):
    """A refund of (part of) an order to the customer's store credit (Magento
    ``sales_creditmemo`` with ``customer_balance_amount``). ``request_id`` makes issuing one
    idempotent: a retry after an ambiguous failure returns the first memo."""

    id = AutoField()
    increment_id = CharField(max_length=32, unique=True)
    order = ForeignKeyField(Order, backref="credit_memos", on_delete="CASCADE")
    amount = BigIntegerField()
    comment = CharField(max_length=255, null=True)
    created_at = UTCDateTimeField()
    staff_username = CharField(max_length=64, null=True)
    request_id = CharField(max_length=64, unique=True)

    class Meta:
        table_name = "sales_creditmemo"
        constraints = [Check("amount > 0")]


class StoreCreditBalance(BaseModel):
    """The customer's store credit on one website (Magento ``magento_customerbalance``).

    A cache of the sum of its history: it only ever changes by a relative, guarded
    ``UPDATE … SET amount = amount + ? WHERE … AND amount + ? >= 0`` in the same transaction
    as the history row that explains it (reliability-notes §2.6). ``CHECK (amount >= 0)`` is
    the last line of defence.
    """

    id = AutoField()
    customer = ForeignKeyField(Customer, backref="store_credit", on_delete="CASCADE", index=False)
    website = ForeignKeyField(Website, on_delete="CASCADE")
    amount = BigIntegerField(default=0)
    currency_code = CharField(max_length=3)

    class Meta:
        table_name = "store_credit_balance"
        indexes = ((("customer", "website"), True),)
        constraints = [Check("amount >= 0")]


class StoreCreditHistory(BaseModel):
    """One movement of a store credit balance (Magento ``magento_customerbalance_history``):
    the truth the balance is kept from. Append-only; ``request_id`` is the idempotency key
    (unique), ``balance_after`` the balance once this movement was applied.

    Actions: 1 Updated, 2 Created, 3 Used, 4 Refunded, 5 Reverted. ``customer_id`` repeats the
    balance's customer so one customer's history across websites is one index range.
    """

    id = BigAutoField()
    balance = ForeignKeyField(StoreCreditBalance, backref="history", on_delete="CASCADE")
    customer = ForeignKeyField(Customer, on_delete="CASCADE", index=False)
    created_at = UTCDateTimeField()
    action = SmallIntegerField()
    delta = BigIntegerField()
    balance_after = BigIntegerField()
    additional_info = CharField(max_length=255, null=True)
    customer_notified = BooleanField(default=False)
    request_id = CharField(max_length=64, unique=True)
    staff_id = IntegerField(null=True)
    staff_username = CharField(max_length=64, null=True)
    order_id = IntegerField(null=True, index=True)
    creditmemo_id = IntegerField(null=True)

    class Meta:
        table_name = "store_credit_history"
        indexes = ((("customer", "id"), False),)


class PasswordResetToken(BaseModel):
    """The customer's one live reset token (Magento ``rp_token``), stored as a SHA-256 digest so
    a copy of the database cannot reset anybody's password. A new request replaces it; using
    it deletes it; it expires ``reset_link_expiration_period`` hours after ``created_at``."""

    customer = ForeignKeyField(Customer, primary_key=True, on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "password_reset_token"


class PasswordResetRequest(BaseModel):
    """One password-reset request, kept for rate limiting by IP and/or email (Magento
    ``password_reset_request_event``)."""

    id = AutoField()
    account_reference = CharField(max_length=255, null=True, index=True)
    remote_addr = CharField(max_length=45, null=True, index=True)
    created_at = UTCDateTimeField(index=True)

    class Meta:
        table_name = "password_reset_request"


class EmailTemplate(BaseModel):
    """A staff-edited version of a built-in email template; built-ins live in code and a row
    here overrides one by ``code`` (Magento's Marketing › Email Templates)."""

    id = AutoField()
    code = CharField(max_length=128, unique=True)
    subject = CharField(max_length=255)
    body = TextField()
    updated_at = UTCDateTimeField()
    updated_by = CharField(max_length=64, null=True)

    class Meta:
        table_name = "email_template"


class OutboxMessage(BaseModel):
    """An email rendered and queued in the same transaction as the change that caused it and
    delivered after commit (the transactional-outbox pattern): a rolled-back change sends
    nothing, and a crash between commit and delivery loses nothing."""

    id = AutoField()
    created_at = UTCDateTimeField(index=True)
    customer_id = IntegerField(null=True, index=True)
    template_code = CharField(max_length=128)
    store_view_id = IntegerField(null=True)
    sender_name = CharField(max_length=255)
    sender_email = CharField(max_length=255)
    recipient_name = CharField(max_length=255)
    recipient_email = CharField(max_length=255)
    subject = CharField(max_length=255)
    body = TextField()
    status = CharField(max_length=16, default="queued", index=True)
    attempts = IntegerField(default=0)
    claimed_at = UTCDateTimeField(null=True)
    sent_at = UTCDateTimeField(null=True)
    transport = CharField(max_length=16, null=True)
    message_id = CharField(max_length=255, null=True)
    last_error = TextField(null=True)

    class Meta:
        table_name = "outbox_message"


class ApiToken(BaseModel):
    """A bearer token the storefront uses to call the HTTP API (``custtui storefront token``).

    Only the SHA-256 of the token is kept, so a copy of the database cannot call the API; the
    token itself is shown once, when it is created. A revoked token keeps its row (and its
    name) for the audit trail.
    """

    id = AutoField()
    name = CharField(max_length=64, unique=True)
    token_hash = CharField(max_length=64, unique=True)
    created_at = UTCDateTimeField()
    revoked_at = UTCDateTimeField(null=True)
    last_used_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "api_token"


ALL_MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion,
    Website,
    StoreView,
    TaxClass,
    CustomerGroup,
    Customer,
    Address,
    NewsletterSubscriber,
    CustomerGrid,
    ConfigValue,
    Staff,
    SavedView,
    AuditLog,
    Visit,
    CustomerLog,
    Order,
    OrderItem,
    CreditMemo,
    StoreCreditBalance,
    StoreCreditHistory,
    PasswordResetToken,
    PasswordResetRequest,
    EmailTemplate,
    OutboxMessage,
    ApiToken,
)
