"""Magento's customer configuration paths and their built-in defaults (reference B1.1, B1.2,
B1.3), with the scope at which each may be set: ``G`` default only, ``W`` default and website.

Magento also allows store-view scope (``S``) for some paths; custtui stores settings at
default and website scope, so ``S`` paths are settable per website here.
"""

from __future__ import annotations

DEFAULTS: dict[str, tuple[str, str]] = {
    # path: (default, scope)
    "customer/account_share/scope": ("1", "G"),
    "customer/online_customers/online_minutes_interval": ("15", "G"),
    "customer/online_customers/section_data_lifetime": ("60", "G"),
    "customer/create_account/auto_group_assign": ("0", "S"),
    "customer/create_account/tax_calculation_address_type": ("billing", "S"),
    "customer/create_account/default_group": ("1", "S"),
    # The VAT-validation groups have no shipped value (config.xml leaves them unset).
    "customer/create_account/viv_domestic_group": ("", "S"),
    "customer/create_account/viv_intra_union_group": ("", "S"),
    "customer/create_account/viv_invalid_group": ("", "S"),
    "customer/create_account/viv_error_group": ("", "S"),
    "customer/create_account/viv_on_each_transaction": ("0", "S"),
    "customer/create_account/viv_disable_auto_group_assign_default": ("0", "G"),
    "customer/create_account/vat_frontend_visibility": ("0", "W"),
    "customer/create_account/email_domain": ("example.com", "S"),
    "customer/create_account/email_template": ("customer_create_account_email_template", "S"),
    "customer/create_account/email_no_password_template": (
        "customer_create_account_email_no_password_template",
        "S",
    ),
    "customer/create_account/email_identity": ("general", "S"),
    "customer/create_account/confirm": ("0", "W"),
    "customer/create_account/email_confirmation_template": (
        "customer_create_account_email_confirmation_template",
        "S",
    ),
    "customer/create_account/email_confirmed_template": (
        "customer_create_account_email_confirmed_template",
        "S",
    ),
    "customer/create_account/generate_human_friendly_id": ("0", "G"),
    "customer/default/group": ("1", "S"),
    "customer/account_information/change_email_template": (
        "customer_account_information_change_email_template",
        "S",
    ),
    "customer/account_information/change_email_and_password_template": (
        "customer_account_information_change_email_and_password_template",
        "S",
    ),
    "customer/account_information/confirm": ("0", "W"),
    "customer/password/forgot_email_identity": ("support", "S"),
    "customer/password/forgot_email_template": ("customer_password_forgot_email_template", "S"),
    "customer/password/remind_email_template": ("customer_password_remind_email_template", "S"),
    "customer/password/reset_password_template": (
        "customer_password_reset_password_template",
        "S",
    ),
    "customer/password/reset_link_expiration_period": ("2", "G"),
    "customer/password/required_character_classes_number": ("3", "G"),
    "customer/password/minimum_password_length": ("8", "G"),
    "customer/password/lockout_failures": ("10", "G"),
    "customer/password/lockout_threshold": ("10", "G"),
    "customer/password/autocomplete_on_storefront": ("0", "W"),
    "customer/password/password_reset_protection_type": ("1", "S"),
    "customer/password/max_number_password_reset_requests": ("5", "S"),
    "customer/password/min_time_between_password_reset_requests": ("10", "S"),
    "customer/address/street_lines": ("2", "W"),
    "customer/address/prefix_show": ("", "W"),
    "customer/address/prefix_options": ("", "W"),
    "customer/address/middlename_show": ("", "W"),
    "customer/address/suffix_show": ("", "W"),
    "customer/address/suffix_options": ("", "W"),
    "customer/address/dob_show": ("", "W"),
    "customer/address/taxvat_show": ("", "W"),
    "customer/address/gender_show": ("", "W"),
    "customer/address/telephone_show": ("req", "W"),
    "customer/address/company_show": ("opt", "W"),
    "customer/address/fax_show": ("", "W"),
    "customer/startup/redirect_dashboard": ("0", "W"),
    "web/cookie/cookie_lifetime": ("3600", "W"),
    # Staff (Magento's Advanced › Admin › Security, applied to custtui's staff accounts).
    "admin/security/lockout_failures": ("6", "G"),
    "admin/security/lockout_threshold": ("30", "G"),
    "admin/security/session_lifetime": ("900", "G"),
    "general/locale/timezone": ("UTC", "W"),
    "general/store_information/name": ("", "W"),
    "web/secure/base_url": ("http://localhost/", "W"),
    # Store email addresses (Stores › Configuration › General › Store Email Addresses).
    "trans_email/ident_general/name": ("Owner", "S"),
    "trans_email/ident_general/email": ("owner@example.com", "S"),
    "trans_email/ident_sales/name": ("Sales", "S"),
    "trans_email/ident_sales/email": ("sales@example.com", "S"),
    "trans_email/ident_support/name": ("CustomerSupport", "S"),
    "trans_email/ident_support/email": ("support@example.com", "S"),
    "trans_email/ident_custom1/name": ("Custom 1", "S"),
    "trans_email/ident_custom1/email": ("custom1@example.com", "S"),
    "trans_email/ident_custom2/name": ("Custom 2", "S"),
    "trans_email/ident_custom2/email": ("custom2@example.com", "S"),
    # Mail sending (Advanced › System › Mail Sending Settings). custtui delivers to a Maildir
    # unless the transport is "smtp"; the SMTP password comes from $CUSTTUI_SMTP_PASSWORD and
    # is never stored in the database.
    "system/smtp/disable": ("0", "W"),
    "system/smtp/transport": ("maildir", "G"),
    "system/smtp/host": ("localhost", "G"),
    "system/smtp/port": ("25", "G"),
    "system/smtp/username": ("", "G"),
    "system/smtp/ssl": ("", "G"),
    "system/smtp/maildir": ("", "G"),
    # Store Credit Options (Commerce, reference A22). The staff limit is custtui's: above it
    # (in whole units of the website's currency) an adjustment needs an admin.
    "customer/magento_customerbalance/is_enabled": ("1", "G"),
    "customer/magento_customerbalance/show_history": ("1", "W"),
    "customer/magento_customerbalance/refund_automatically": ("0", "G"),
    "customer/magento_customerbalance/email_identity": ("general", "S"),
    "customer/magento_customerbalance/email_template": (
        "customer_magento_customerbalance_email_template",
        "S",
    ),
    "customer/magento_customerbalance/staff_adjust_limit": ("1000", "W"),
}
"""Every path custtui knows, with Magento's shipped default and its scope."""
