"""Pilot tests of the account editor: edit and save, inline errors, unsaved-changes guard."""

from __future__ import annotations

from custtui.models import AuditLog, Customer
from custtui.screens.account_editor import AccountEditorScreen
from custtui.screens.confirm import ConfirmScreen
from custtui.screens.customers import CustomersScreen
from custtui.widgets.inputs import TextInput
from tests.ui.test_customers_screen import settle


def toasts(app) -> list[str]:
    """The notifications shown (each was rendered: a crash would have stopped the app)."""
    return [str(n.message) for n in app._notifications]


async def choose(pilot, option_id: str) -> None:
    """Pick an entry of the open option menu by its id (order may change; ids do not)."""
    from textual.widgets import OptionList

    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index(option_id)
    await pilot.press("enter")
    await settle(pilot)


async def open_editor(pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AccountEditorScreen)
    assert pilot.app.screen.query_one("#tabs").active == "view"
    await pilot.press("ctrl+pagedown")
    await settle(pilot)
    assert pilot.app.screen.query_one("#tabs").active == "account"


async def test_edit_and_save_shows_a_toast_and_audits(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(pilot)
        app.screen.query_one("#in-lastname", TextInput).value = "Costello-Smith"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.pause(0.2)
        assert app.is_running and app._exception is None
        assert any("Saved: Last Name." in t for t in toasts(app))
        assert Customer.get_by_id(1).lastname == "Costello-Smith"
        entry = AuditLog.get(AuditLog.action == "customer_saved")
        assert entry.changes == {"lastname": ["Costello", "Costello-Smith"]}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)


async def test_errors_show_next_to_fields_and_nothing_is_lost(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(pilot)
        app.screen.query_one("#in-email", TextInput).value = "bad@"
        app.screen.query_one("#in-dob", TextInput).value = "2999-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Email is not valid" in str(app.screen.query_one("#err-email").render())
        assert "past" in str(app.screen.query_one("#err-dob").render())
        assert app.screen.query_one("#in-email", TextInput).value == "bad@"
        assert Customer.get_by_id(1).email == "roni_cost@example.com"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)


async def test_add_new_customer_from_the_grid(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        app.screen.query_one("#in-firstname", TextInput).value = "Hedy"
        app.screen.query_one("#in-lastname", TextInput).value = "Lamarr"
        app.screen.query_one("#in-email", TextInput).value = "hedy@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        hedy = Customer.get(Customer.email == "hedy@example.com")
        assert hedy.password_hash is None and hedy.created_in == "Default Store View"
        assert app.screen.customer_id == hedy.id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)


async def test_account_actions_unlock_and_delete(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_customer(13)  # Grace Hopper is locked in the fixture shop
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await choose(pilot, "unlock")
        assert "unlocked" in str(app.screen.query_one("#message").render()), (
            str(app.screen),
            str(app.screen.query_one("#message").render()),
        )
        assert Customer.get_by_id(13).lock_expires is None
        assert "unlocked" in str(app.screen.query_one("#message").render())
        await pilot.press("ctrl+o")
        await settle(pilot)
        ids = [o.id for o in app.screen.query_one("OptionList").options]
        assert "unlock" not in ids  # only offered while locked
        await choose(pilot, "delete")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert not Customer.select().where(Customer.id == 13).exists()
        assert isinstance(app.screen, CustomersScreen)
        assert (
            AuditLog.select()
            .where((AuditLog.action == "customer_deleted") & (AuditLog.customer_id == 13))
            .exists()
        )


async def open_tab(pilot, customer_id: int, tab: str) -> None:
    await settle(pilot)
    pilot.app.open_customer(customer_id)
    await settle(pilot)
    while pilot.app.screen.query_one("#tabs").active != tab:
        await pilot.press("ctrl+pagedown")
        await settle(pilot)


async def test_customer_view_shows_presence_lock_and_addresses(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_customer(13)
        await settle(pilot)
        personal = str(app.screen.query_one("#personal").render())
        assert "Last Logged In        Never (Offline)" in personal
        assert "Account Lock          Locked" in personal
        assert "Default Store View" in personal
        assert "High Street" in str(app.screen.query_one("#billing").render())


async def test_add_address_with_an_error_then_default_and_delete(app):
    from custtui.models import Address
    from custtui.screens.address_form import AddressFormScreen

    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, 1, "addresses")
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddressFormScreen)
        # Street lines follow the website's configuration (3 on the main website).
        assert len(form.query("#a-street-2")) == 1 and not form.query("#a-street-3")
        form.query_one("#a-firstname").value = "Ada"
        form.query_one("#a-lastname").value = "Lovelace"
        form.query_one("#a-street-0").value = "42 Elm Road"
        form.query_one("#a-city").value = "Austin"
        form.query_one("#a-region").value = "Texas"  # US has regions: a list
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Phone Number is required." in str(form.query_one("#aerr-telephone").render())
        assert form.query_one("#a-street-0").value == "42 Elm Road"  # nothing lost
        form.query_one("#a-telephone").value = "555-0199"
        form.query_one("#a-default_shipping").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        added = Address.get(Address.street == "42 Elm Road")
        assert (added.region, added.region_id) == ("Texas", "US-TX")
        assert Customer.get_by_id(1).default_shipping == added.id
        book = app.screen.query_one("#book")
        assert [e.id for e in book.entries][:2] == [1, added.id]
        book.highlighted = 1
        await pilot.press("b")
        await settle(pilot)
        assert Customer.get_by_id(1).default_billing == added.id
        assert book.current().id == added.id  # the cursor follows the address
        book.highlighted = [e.id for e in book.entries].index(1)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert not Address.select().where(Address.id == 1).exists()
        assert [e.id for e in app.screen.query_one("#book").entries] == [added.id]
        assert AuditLog.select().where(AuditLog.action == "address_deleted").count() == 1


async def test_country_without_regions_takes_free_text(app):
    from custtui.screens.address_form import AddressFormScreen
    from custtui.widgets.inputs import TextInput as Free

    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, 1, "addresses")
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddressFormScreen)
        form.query_one("#a-country_id").value = "AQ"  # Antarctica: no subdivisions
        await settle(pilot)
        assert isinstance(form.query_one("#a-region"), Free)


async def test_newsletter_tab_toggles_per_store_view(app):
    from custtui.models import NewsletterSubscriber

    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, 2, "newsletter")  # customer 2 is not subscribed
        await pilot.press("space")
        await settle(pilot)
        row = NewsletterSubscriber.get(NewsletterSubscriber.customer == 2)
        assert row.status == 1
        assert "Subscribed to the newsletter" in str(app.screen.query_one("#message").render())


async def test_force_sign_in_asks_then_ends_sessions(app):
    from custtui.models import Visit
    from custtui.services import clock

    now = clock.now()
    Visit.create(website=1, customer=1, created_at=now, last_visit_at=now)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_customer(1)
        await settle(pilot)
        assert "Now (Online)" in str(app.screen.query_one("#personal").render())
        await pilot.press("ctrl+o")
        await settle(pilot)
        await choose(pilot, "force_sign_in")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert Visit.select().where(Visit.customer == 1).count() == 0
        assert "signed the customer out of 1 session" in str(
            app.screen.query_one("#message").render()
        )
        assert "Now (Online)" not in str(app.screen.query_one("#personal").render())


async def test_website_decides_which_fields_show(app):
    from textual.widgets import Select

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        editor = app.screen
        assert editor.query_one("#in-dob").parent.display  # main website shows date of birth
        assert not editor.query_one("#in-prefix").parent.display
        editor.query_one("#in-website_id", Select).value = 2
        await settle(pilot)
        prefix = editor.query_one("#in-prefix")
        assert isinstance(prefix, Select) and prefix.parent.display  # EU: a dropdown
        assert not editor.query_one("#in-dob").parent.display


async def test_two_app_instances_conflict_then_reapply(app, fixture_db):
    """Two agents, one customer: the second save reports the conflict, takes the other
    agent's change into the form, and re-applying writes only this agent's edit."""
    from custtui.app import make_app
    from custtui.services import clock
    from custtui.settings import Settings
    from tests.fixture_shop import FIXED_NOW

    other = make_app(
        fixture_db, Settings(staff="admin", cursor_blink=False), clock.FixedClock(FIXED_NOW)
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(pilot, 1, "account")
        mine = app.screen
        async with other.run_test(size=(120, 40)) as their_pilot:
            await open_tab(their_pilot, 1, "account")
            other.screen.query_one("#in-taxvat", TextInput).value = "GB123"
            await their_pilot.press("ctrl+s")
            await settle(their_pilot)
            assert Customer.get_by_id(1).taxvat == "GB123"
        mine.query_one("#in-lastname", TextInput).value = "Costello-Smith"
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(mine.query_one("#message").render())
        assert "Someone else saved this customer" in message
        assert "Tax/VAT Number: theirs GB123" in message
        assert Customer.get_by_id(1).lastname == "Costello"  # nothing overwritten
        assert mine.query_one("#in-taxvat", TextInput).value == "GB123"
        await pilot.press("ctrl+s")  # re-apply
        await settle(pilot)
        saved = Customer.get_by_id(1)
        assert (saved.lastname, saved.taxvat) == ("Costello-Smith", "GB123")
        last = (
            AuditLog.select()
            .where(AuditLog.action == "customer_saved")
            .order_by(AuditLog.id.desc())
            .get()
        )
        assert last.changes == {"lastname": ["Costello", "Costello-Smith"]}


async def test_add_new_customer_queues_the_welcome_email_without_password(app):
    from custtui.services import mail

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#in-firstname", TextInput).value = "Hedy"
        app.screen.query_one("#in-lastname", TextInput).value = "Lamarr"
        app.screen.query_one("#in-email", TextInput).value = "hedy@example.com"
        await pilot.press("ctrl+s")
        await settle(pilot)
        hedy = Customer.get(Customer.email == "hedy@example.com")
        (entry,) = mail.messages(customer_id=hedy.id)
        assert entry.template_code == "customer_create_account_email_no_password_template"
        assert "customer/account/createPassword/?token=" in entry.body
        assert entry.status in ("sent", "queued")  # delivered in the background


async def test_reset_password_emails_a_link_delivered_over_smtp(app):
    """Reset Password from the editor: the email is in the outbox and reaches a real SMTP
    server on loopback; staff never see or choose the password."""
    from custtui.services import mail
    from tests.services.test_mail import parsed, smtp_server, use_smtp

    with smtp_server() as (recorder, port):
        use_smtp(port)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_customer(1)
            await settle(pilot)
            await pilot.press("ctrl+o")
            await settle(pilot)
            await choose(pilot, "reset_password")
            await settle(pilot)
            await app.workers.wait_for_complete()
            message = str(app.screen.query_one("#message").render())
            assert "will receive an email with a link to reset password" in message
            (entry,) = mail.messages(customer_id=1)
            assert entry.template_code == "customer_password_remind_email_template"
            assert mail.get(entry.id).status == "sent"
        (envelope,) = recorder.envelopes
        delivered = parsed(envelope)
        assert delivered["To"].addresses[0].addr_spec == "roni_cost@example.com"
        assert "customer/account/createPassword/?token=" in delivered.get_content()
        actions = [
            r.action
            for r in AuditLog.select().where(AuditLog.customer_id == 1).order_by(AuditLog.id)
        ]
        assert actions[-3:] == ["email_queued", "password_reset_sent", "email_sent"]


async def test_going_to_all_customers_asks_about_unsaved_edits(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(pilot)
        app.screen.query_one("#in-lastname", TextInput).value = "Changed"
        app.go_to("customers")  # e.g. from the palette or the menu
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AccountEditorScreen)
        app.go_to("customers")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert Customer.get_by_id(1).lastname == "Costello"
