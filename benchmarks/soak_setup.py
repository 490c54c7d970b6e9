"""The soak's fixtures: its own PostgreSQL database, one organisation per provider, documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import httpx

CUSTOMER = "A1001"  # Harbour Cafe: seeded in every sandbox, so it links by exact name


def recreate_database(url: str) -> None:
    """Drop and create the soak's own database, so every count starts from nothing."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith(("soak", "test_")):
        raise SystemExit(f"refusing to drop {name!r}: the soak's database name starts with soak")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed_organisation(provider: str, sandbox_url: str, documents: int):
    """An organisation connected to the sandbox through /_sandbox/tokens, with one linked
    customer and supplier and ``documents`` marked for sync (two thirds sales invoices,
    one third supplier invoices)."""
    from ledgersync.records.demo_data import SUPPLIERS, seed_codes
    from ledgersync.records.models import Account, Organisation, Supplier

    organisation = Organisation.objects.create(
        slug=f"soak-{provider}", name=f"Soak {provider}", provider=provider, batch_size=10
    )
    seed_codes(organisation)
    customer = Account.objects.create(
        organisation=organisation, number=CUSTOMER, name="Harbour Cafe"
    )
    number, name, email = SUPPLIERS[0]
    supplier = Supplier.objects.create(
        organisation=organisation, number=number, name=name, email=email
    )
    connection = _connect(organisation, provider, sandbox_url)
    _link(connection, customer)
    _link(connection, supplier)
    bills = documents // 3
    _documents(organisation, customer, None, documents - bills)
    _documents(organisation, None, supplier, bills)
    return organisation, connection


def _connect(organisation, provider: str, sandbox_url: str):
    from django.utils import timezone

    from ledgersync.sync.models import Connection, ConnectionStatus

    tokens = httpx.post(f"{sandbox_url}/_sandbox/tokens", json={}, timeout=10).json()
    return Connection.objects.create(
        organisation=organisation,
        provider=provider,
        company_id=tokens["company_id"],
        status=ConnectionStatus.CONNECTED,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        access_expires_at=timezone.now()
        + dt.timedelta(seconds=int(tokens.get("expires_in", 1800))),
        refreshed_at=timezone.now(),
    )


def _link(connection, party) -> None:
    from ledgersync.sync import linking
    from ledgersync.sync.connections import connector_for_connection

    connector = connector_for_connection(connection)
    match = linking.suggestions(connector, party).exact
    if match is not None:
        linking.link_existing(connection, connector, party, match.contact.id)
    else:
        linking.create_new(connection, connector, party)


def _documents(organisation, account, supplier, count: int) -> None:
    from django.utils import timezone

    from ledgersync.records.models import DocType, Document, Line, NominalCode

    doc_type = DocType.SUPPLIER_INVOICE if supplier else DocType.SALES_INVOICE
    nominal = NominalCode.objects.get(
        organisation=organisation, code="5000" if supplier else "4000"
    )
    prefix = "P" if supplier else "K"
    now = timezone.now()
    documents = Document.objects.bulk_create(
        Document(
            organisation=organisation,
            doc_type=doc_type,
            number=f"{prefix}{n:06d}",
            account=account,
            supplier=supplier,
            issue_date=now.date(),
            sent_at=now,
            sent_via="email",
            marked_for_sync=True,
            marked_at=now,
        )
        for n in range(1, count + 1)
    )
    lines = []
    for document in documents:
        line = Line(
            document=document,
            position=1,
            text="Soak work",
            quantity=Decimal(1),
            unit_price=Decimal("10.00") + document.pk % 7,
            nominal=nominal,
            tax_code=nominal.default_tax_code,
        )
        # Its money worked out as records/services.py does (bulk_create skips that), so the
        # stored figures are what the package is sent and books.
        (money,) = document.work_out([line]).lines
        line.net, line.tax = money.net, money.tax
        lines.append(line)
    Line.objects.bulk_create(lines)
