"""The small fixed shop every UI test and snapshot runs on: same rows, same ids, same clock.

It includes hostile-but-legal data (markup-like names, emoji, RTL text, control characters)
so every screen proves it shows customer text literally.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from peewee import Database

from custtui.models import CustomerGroup, NewsletterSubscriber, StoreView, Website, open_database
from custtui.services import clock, config
from custtui.services.setup import init_shop
from tests.factories import make_customer

FIXED_NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)

PEOPLE = [
    ("Veronica", "Costello", "roni_cost@example.com", "US", "Calder", "Michigan", "49628-7978"),
    ("Jürgen", "Müller", "juergen.mueller@beispiel.de", "DE", "München", None, "80331"),
    ("Zoë", "Ångström", "zoe@example.se", "SE", "Göteborg", None, "411 03"),
    ("[/]", "[@click=app.quit]", "markup@example.com", "GB", "London", None, "SW1A 1AA"),
    ("Łukasz", "Wiśniewski", "lukasz@przyklad.pl", "PL", "Kraków", None, "30-001"),
    ("太郎", "山田", "yamada@example.jp", "JP", "東京", None, "100-0001"),
    ("سارة", "الحسيني", "sara@example.ae", "AE", "Dubai", None, None),
    ("Emoji", "😀 Smile", "emoji@example.com", "US", "Austin", "Texas", "73301"),
    ("José", "García", "jose.garcia@ejemplo.es", "ES", "Sevilla", None, "41001"),
    ("Søren", "Kierkegaard", "soren@eksempel.dk", "DK", "København", None, "1050"),
    ("Ada", "Lovelace", "ada@example.com", None, None, None, None),
    ("Alan", "Turing", "alan.turing@bletchley.uk", "GB", "Bletchley", None, "MK3 6EB"),
    ("Grace", "Hopper", "grace@navy.example", "US", "Arlington", "Virginia", "22201"),
    ("Ansi", "\x1b[31mRed", "ansi@example.com", "US", "Boston", "Massachusetts", "02108"),
    ("Marie", "Curie", "marie.curie@exemple.fr", "FR", "Paris", None, "75005"),
    ("Niels", "Bohr", "niels@eksempel.dk", "DK", "Aarhus", None, "8000"),
    ("Chloé", "Dubois", "chloe@exemple.fr", "FR", "Lyon", None, "69001"),
    ("Liam", "O'Brien", "liam.obrien@example.ie", "IE", "Dublin", None, "D02"),
    ("Ana", "Souza", "ana.souza@exemplo.br", "BR", "São Paulo", None, "01000-000"),
    ("Wei", "Zhang", "wei.zhang@example.cn", "CN", "上海", None, "200000"),
    ("Olivia", "Smith", "olivia@example.ca", "CA", "Toronto", "Ontario", "M5H 2N2"),
    ("Percent", "100%_done", "percent@example.com", "US", "Reno", "Nevada", "89501"),
    ("Giulia", "Rossi", "giulia@esempio.it", "IT", "Milano", None, "20121"),
    ("Lars", "Jansen", "lars@voorbeeld.nl", "NL", "Utrecht", None, "3511"),
]


def build_fixture_shop(path: Path) -> Database:
    """Create the fixed shop at *path* (a SQLite file) and leave it bound."""
    previous = clock.install(clock.FixedClock(FIXED_NOW))
    try:
        db = open_database(f"sqlite:///{path}")
        init_shop(db)
        Website.insert(
            id=2, code="eu", name="Europe Website", sort_order=1, currency_code="EUR"
        ).execute()
        StoreView.insert(id=2, code="de", name="German Store View", website=2).execute()
        CustomerGroup.insert(id=4, code="VIP", tax_class=3).execute()
        config.store("customer/create_account/confirm", "1", 2)
        # Name and Address Options as a real shop sets them: the main website shows date of
        # birth, gender and tax/VAT; the EU website also asks for a prefix from a list.
        for field in ("dob", "gender", "taxvat"):
            config.store(f"customer/address/{field}_show", "opt", 1)
        config.store("customer/address/prefix_show", "opt", 2)
        config.store("customer/address/prefix_options", ";Herr;Frau;Dr.", 2)
        config.store("customer/address/street_lines", "3", 1)
        for index, (first, last, email, country, city, region, postcode) in enumerate(PEOPLE):
            eu = country in {"DE", "PL", "FR", "ES", "IT", "NL", "DK", "SE"}
            address = None
            if country:
                address = {
                    "country_id": country,
                    "city": city,
                    "region": region,
                    "postcode": postcode,
                    "street": f"{index + 1} High Street",
                    "telephone": f"+1 555 01{index:02d}",
                }
            customer = make_customer(
                first,
                last,
                email,
                website=2 if eu else 1,
                group=(1, 1, 2, 3, 4)[index % 5],
                address=address,
                created_at=FIXED_NOW - timedelta(days=40 * index + 3, hours=index),
                dob=date(1960 + index, 1 + index % 12, 1 + index % 28) if index % 3 else None,
                gender=(1, 2, 3, None)[index % 4],
                taxvat=f"VAT{1000 + index}" if index % 4 == 0 else None,
                confirmation=("a" * 32) if eu and index % 3 == 0 else None,
                lock_expires=FIXED_NOW + timedelta(minutes=30) if index == 12 else None,
                store_view=2 if eu else 1,
                created_in="German Store View" if eu else "Default Store View",
            )
            if index % 2 == 0:
                NewsletterSubscriber.create(
                    customer=customer, store_view=2 if eu else 1, status=1, changed_at=FIXED_NOW
                )
        return db
    finally:
        clock.install(previous)
