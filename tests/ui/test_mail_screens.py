"""Pilot tests of Customers › Email Outbox and Marketing › Email Templates: listing, filter,
message view, deliver now, retry, the template editor (live preview, inline errors that keep
what was typed, revert with a confirmation, the unsaved-edit guard) and roles."""

from __future__ import annotations

import mailbox

from rich.text import Text
from textual.widgets import Input, OptionList, Select, Static, TextArea

from custtui.models import AuditLog, Customer, OutboxMessage, Staff
from custtui.models.db import database
from custtui.screens.confirm import ConfirmScreen
from custtui.screens.email_templates import EmailTemplatesScreen, TemplateEditorScreen
from custtui.screens.outbox import MessageScreen, OutboxScreen
from custtui.services import mail, mail_templates
from custtui.services.actor import SYSTEM, Actor
from tests.fixture_shop import FIXED_NOW
from tests.ui.test_customers_screen import settle

FORGOT = "customer_password_forgot_email_template"
WELCOME = "customer_create_account_email_template"


def queue_for(email: str, template: str = FORGOT) -> int:
    customer = Customer.get(Customer.email == email)
    variables = {"reset_url": "https://shop.example.com/reset?t=1"} if template == FORGOT else {}
    with database.obj.atomic():
        return mail.queue(
            template,
            customer=customer,
            store_view_id=customer.store_view_id,
            identity="support",
            variables=variables,
            actor=SYSTEM,
        )


def seed_outbox() -> dict[str, int]:
    """Three emails: one sent, one failed, one queued (newest), on the fixed clock."""
    sent = queue_for("roni_cost@example.com", WELCOME)
    failed = queue_for("markup@example.com")
    queued = queue_for("zoe@example.se")
    OutboxMessage.update(
        status="sent", attempts=1, sent_at=FIXED_NOW, transport="maildir", message_id="<1@x>"
    ).where(OutboxMessage.id == sent).execute()
    OutboxMessage.update(
        status="failed",
        attempts=1,
        transport="smtp",
        last_error="SMTP server 127.0.0.1:2525: [Errno 111] Connection refused",
    ).where(OutboxMessage.id == failed).execute()
    return {"sent": sent, "failed": failed, "queued": queued}


def text_of(widget: Static) -> str:
    content = widget.render()
    return content.plain if isinstance(content, Text) else str(content)


def count_text(app) -> str:
    return text_of(app.screen.query_one("#count", Static))


async def open_place(pilot, place: str) -> None:
    await settle(pilot)
    pilot.app.go_to(place)
    await settle(pilot)


def grid_rows(app) -> list[tuple[str, ...]]:
    grid = app.screen.grid
    rows = [grid.row_at(i) for i in range(grid.row_count)]
    return [row.cells for row in rows if row is not None]


def act_as(app, role: str) -> None:
    staff = Staff.create(username=f"{role}1", role=role, created_at=FIXED_NOW)
    app.actor = Actor(staff.id, staff.username, staff.role)


# -------------------------------------------------------------------------- outbox
async def test_outbox_lists_newest_first_and_filters_by_status(app, fixed_clock):
    ids = seed_outbox()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_place(pilot, "outbox")
        assert isinstance(app.screen, OutboxScreen)
        assert count_text(app) == "3 emails · 1 queued · 1 failed · newest first"
        rows = grid_rows(app)
        assert [r[1] for r in rows] == [
            "zoe@example.se",
            "markup@example.com",
            "roni_cost@example.com",
        ]
        assert rows[0] == (
            "2026-12-06 09:30",
            "zoe@example.se",
            "Reset your German Store View password",
            "Forgot Password",
            "Queued",
            "0",
        )
        assert [r[4] for r in rows] == ["Queued", "Failed", "Sent"]
        app.screen.query_one("#status", Select).value = "failed"
        await settle(pilot)
        assert count_text(app).startswith("1 failed email · ")
        assert app.screen.grid.cursor_id == ids["failed"]


async def test_enter_shows_the_message_as_plain_text(app, fixed_clock):
    ids = seed_outbox()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_place(pilot, "outbox")
        await pilot.press("down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MessageScreen) and screen.message_id == ids["failed"]
        headers = text_of(screen.query_one("#headers", Static))
        assert "To          [/] [@click=app.quit] <markup@example.com>" in headers
        assert "Error       SMTP server 127.0.0.1:2525: [Errno 111] Connection refused" in headers
        body = text_of(screen.query_one("#body", Static))
        assert body.startswith("[/] [@click=app.quit],\n\nThere was recently a request")
        assert "https://shop.example.com/reset?t=1" in body
        assert text_of(screen.query_one("#keys", Static)) == (
            "↑↓ scroll · r retry · o open customer · esc back"
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OutboxScreen)


async def test_retry_from_the_message_view_refreshes_the_list(app, fixed_clock):
    ids = seed_outbox()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_place(pilot, "outbox")
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert text_of(app.screen.query_one("#title", Static)) == f"Email #{ids['failed']} — Queued"
        assert "r retry" not in text_of(app.screen.query_one("#keys", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert count_text(app) == "3 emails · 2 queued · 0 failed · newest first"
        assert grid_rows(app)[1][4] == "Queued"
        assert AuditLog.get(AuditLog.action == "email_retried").staff_username == "admin"


async def test_r_retries_the_failed_row_and_refuses_others(app, fixed_clock):
    ids = seed_outbox()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_place(pilot, "outbox")
        await pilot.press("r")  # the queued one
        await settle(pilot)
        assert any(
            "only failed emails can be retried" in str(n.message) for n in app._notifications
        )
        await pilot.press("down", "r")
        await settle(pilot)
        assert mail.get(ids["failed"]).status == "queued"
        assert app.screen.grid.cursor_row == 1  # the list refreshed in place


async def test_d_delivers_what_is_queued(app, fixture_db, fixed_clock, tmp_path):
    ids = seed_outbox()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_place(pilot, "outbox")
        await pilot.press("d")
        await settle(pilot)
        assert mail.get(ids["queued"]).status == "sent"
        assert mail.get(ids["failed"]).status == "failed"  # not retried by itself
        assert count_text(app) == "3 emails · 0 queued · 1 failed · newest first"
        assert grid_rows(app)[0][4] == "Sent"
        assert any(str(n.message) == "Delivered: 1 sent, 0 failed." for n in app._notifications)
    box = mailbox.Maildir(tmp_path / "maildir", create=False)
    assert len(box) == 1


async def test_the_outbox_is_in_the_menu(app, fixed_clock):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("outbox")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OutboxScreen)
        assert count_text(app) == "0 emails · 0 queued · 0 failed · newest first"
        await pilot.press("m")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("email-templates")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EmailTemplatesScreen)


async def test_viewers_see_why_there_is_no_outbox(app, fixed_clock):
    seed_outbox()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        act_as(app, "viewer")
        await open_place(pilot, "outbox")
        expected = "Your role (viewer) does not allow viewing and re-sending queued emails."
        assert count_text(app) == expected
        assert app.screen.grid.row_count == 0
        await pilot.press("d", "r")
        await settle(pilot)
        assert mail.count("queued") == 1
        assert not AuditLog.select().where(AuditLog.action == "email_sent").exists()


async def test_support_uses_the_outbox_but_not_the_templates(app, fixed_clock):
    ids = seed_outbox()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        act_as(app, "support")
        await open_place(pilot, "outbox")
        await pilot.press("down", "r")
        await settle(pilot)
        assert mail.get(ids["failed"]).status == "queued"
        await open_place(pilot, "email-templates")
        intro = text_of(app.screen.query_one("#intro", Static))
        assert intro == "Your role (support) does not allow editing email templates."
        assert not app.screen.query_one("#templates", OptionList).display


# ------------------------------------------------------------------------ templates
async def open_editor(pilot, code: str = FORGOT) -> TemplateEditorScreen:
    await open_place(pilot, "email-templates")
    options = pilot.app.screen.query_one("#templates", OptionList)
    options.highlighted = options.get_option_index(code)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TemplateEditorScreen)
    return screen


def preview_text(screen) -> str:
    return text_of(screen.query_one("#preview", Static))


def error_text(screen, field: str) -> str:
    widget = screen.query_one(f"#e-{field}", Static)
    return text_of(widget) if widget.display else ""


async def test_the_list_marks_customised_templates(app, fixed_clock):
    admin = Staff.get(Staff.username == "admin")
    mail_templates.save(Actor(admin.id, "admin", "admin"), FORGOT, "S", "{{var reset_url}}")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_place(pilot, "email-templates")
        options = app.screen.query_one("#templates", OptionList)
        assert [o.id for o in options.options] == list(mail_templates.BUILTINS)
        forgot = options.get_option(FORGOT).prompt.plain
        assert forgot.startswith("● Forgot Password  customised 2026-12-06 09:30 by admin")
        assert options.get_option(WELCOME).prompt.plain.startswith("  Welcome Email  built-in")


async def test_editor_previews_live_and_lists_the_variables(app, fixed_clock):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_editor(pilot)
        assert screen.query_one("#subject", Input).value == "Reset your {{var store_name}} password"
        assert preview_text(screen).startswith(
            "Subject: Reset your Main Website Store password\n\nVeronica Costello,"
        )
        variables = text_of(screen.query_one("#variables", Static))
        assert variables.endswith("customer_name, customer_firstname, customer_lastname, "
                                  "customer_email, store_name, store_url, account_url, "
                                  "store_email, reset_url.")  # fmt: skip
        await pilot.press("end", *"!! {{var customer_firstname}}")
        await settle(pilot)
        assert preview_text(screen).startswith(
            "Subject: Reset your Main Website Store password!! Veronica"
        )
        assert screen.dirty()


async def test_save_with_errors_keeps_what_was_typed(app, fixed_clock):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_editor(pilot)
        screen.query_one("#subject", Input).value = "Hello {{var coupon}}"
        body = screen.query_one("#body", TextArea)
        body.load_text("Dear {{var customer_name}\n{{var reset_url}}")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(screen, "subject").startswith(
            "✗ Subject uses unknown variable: coupon. Allowed: customer_name"
        )
        assert error_text(screen, "body") == '✗ Body has an unclosed "{{" (line 1).'
        assert text_of(screen.query_one("#message", Static)) == (
            "Not saved: 2 field(s) need attention."
        )
        assert screen.query_one("#subject", Input).value == "Hello {{var coupon}}"
        assert body.text == "Dear {{var customer_name}\n{{var reset_url}}"
        assert screen.query_one("#subject", Input).has_focus
        assert not mail_templates.get(FORGOT).customised

        screen.query_one("#subject", Input).value = "Hello {{var customer_firstname}}"
        body.load_text("Dear {{var customer_name}},\n{{var reset_url}}")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_text(screen, "subject") == "" and error_text(screen, "body") == ""
        saved = mail_templates.get(FORGOT)
        assert saved.customised and saved.subject == "Hello {{var customer_firstname}}"
        assert not screen.dirty()
        assert text_of(screen.query_one("#heading", Static)) == (
            "Forgot Password · customised 2026-12-06 09:30 by admin"
        )
        row = AuditLog.get(AuditLog.action == "email_template_changed")
        assert row.staff_username == "admin"
        await pilot.press("escape")  # nothing unsaved: straight back, list updated
        await settle(pilot)
        assert isinstance(app.screen, EmailTemplatesScreen)
        prompt = app.screen.query_one("#templates", OptionList).get_option(FORGOT).prompt
        assert prompt.plain.startswith("● Forgot Password")


async def test_revert_asks_first_and_restores_the_builtin(app, fixed_clock):
    admin = Staff.get(Staff.username == "admin")
    mail_templates.save(Actor(admin.id, "admin", "admin"), FORGOT, "S", "{{var reset_url}}")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_editor(pilot)
        assert screen.query_one("#subject", Input).value == "S"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert mail_templates.get(FORGOT).customised
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        shipped = mail_templates.BUILTINS[FORGOT]
        assert screen.query_one("#subject", Input).value == shipped.subject
        assert screen.query_one("#body", TextArea).text == shipped.body
        assert not mail_templates.get(FORGOT).customised
        assert AuditLog.select().where(AuditLog.action == "email_template_reverted").count() == 1
        assert text_of(screen.query_one("#heading", Static)) == "Forgot Password · built-in"


async def test_escape_with_unsaved_edits_asks_before_leaving(app, fixed_clock):
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_editor(pilot)
        screen.query_one("#subject", Input).value = "Changed"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # Cancel: stay, edits kept
        await settle(pilot)
        assert app.screen is screen and screen.query_one("#subject", Input).value == "Changed"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, EmailTemplatesScreen)
        assert not mail_templates.get(FORGOT).customised
