"""The package books ledgersync's money to the penny: a property test every provider inherits.

Random documents (1-30 lines, quantities and prices with up to 4 decimals, every UK rate:
20 %, 5 %, zero and exempt; sales invoices, credit notes and supplier invoices; VAT-exclusive
and inclusive prices; either rounding rule; a supplier's own VAT within a penny a line) are
worked out by ``records/money.py``, pushed through the connector into the provider's
in-process sandbox, and the package's total, VAT and net must equal ours exactly. A second
property switches the sandbox to compute its own VAT (``supplied_tax: recompute``): then a
document rounded by the package's own rule (``Capabilities.tax_rounding``) still matches.

A provider's module names only its slug::

    class TestQuickBooksBooksOurMoney(PackageBooksOurMoney):
        slug = "quickbooks"

Examples per property: ``LEDGERSYNC_MONEY_EXAMPLES`` (default 400, which keeps each
provider well under a minute in CI; set thousands for a local soak).
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import ClassVar

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledgersync.providers.base import Connector, ContactKind, DocType, OutboundLine
from ledgersync.providers.tests.contract import (
    IN_PROCESS_ROOT,
    ConnectorContract,
    Sandbox,
    outbound_document,
)
from ledgersync.records.money import DocumentMoney, MoneyLine, Rounding, document_money
from ledgersync.sandbox import make_app

EXAMPLES = int(os.environ.get("LEDGERSYNC_MONEY_EXAMPLES", "400"))
RATES = {"S": Decimal(20), "R": Decimal(5), "Z": Decimal(0), "E": Decimal(0)}
NOMINAL = {DocType.SUPPLIER_INVOICE: "5000"}  # sales documents: 4000
PARTY = {ContactKind.CUSTOMER: "Harbour Cafe", ContactKind.SUPPLIER: "Builders Merchants Direct"}

quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=4)
money_lines = st.lists(
    st.builds(
        lambda q, p, code: MoneyLine(q, p, RATES[code], code),
        quantities,
        prices,
        st.sampled_from(sorted(RATES)),
    ),
    min_size=1,
    max_size=30,
)


@dataclass(frozen=True)
class Drawn:
    doc_type: DocType
    lines: list[MoneyLine]
    rounding: Rounding
    inclusive: bool
    supplier_vat_pennies: int | None  # supplier invoices: the supplier's VAT less ours


@st.composite
def documents(draw, *, rounding: Rounding | None = None, supplier_vat: bool = True) -> Drawn:
    doc_type = draw(st.sampled_from(list(DocType)))
    lines = draw(money_lines)
    taxed = sum(1 for line in lines if line.rate)
    offset = None
    if supplier_vat and doc_type is DocType.SUPPLIER_INVOICE and draw(st.booleans()):
        offset = draw(st.integers(-taxed, taxed))
    return Drawn(
        doc_type=doc_type,
        lines=lines,
        rounding=rounding or draw(st.sampled_from(list(Rounding))),
        inclusive=draw(st.booleans()),
        supplier_vat_pennies=offset,
    )


class PackageBooksOurMoney:
    slug: ClassVar[str]

    def start(self) -> tuple[Connector, Sandbox, dict[ContactKind, str]]:
        """A fresh in-process sandbox, a connector signed in to it, and the demo seed's
        customer and supplier ids (the contract suite's harness does the signing in)."""
        app = make_app(self.slug)
        client = httpx.Client(transport=app.transport(), base_url=IN_PROCESS_ROOT)
        sandbox = Sandbox(client)
        # Thousands of pushes a run: the package's rate limits are the soak's business.
        limits = client.get("/_sandbox/limits").raise_for_status().json()
        unlimited = {key: None for key in limits if key.endswith("per_minute")}
        client.put("/_sandbox/limits", json=unlimited).raise_for_status()
        harness = ConnectorContract()
        harness.slug = self.slug
        connector = harness.connect(sandbox, [], transport=app.transport(), root=IN_PROCESS_ROOT)
        contacts = {kind: harness.contact_id(connector, name, kind) for kind, name in PARTY.items()}
        self.unpace(connector)
        return connector, sandbox, contacts

    def unpace(self, connector: Connector) -> None:
        """Stop a connector pacing itself to the package's rate (a provider overrides)."""

    def push_and_compare(
        self,
        connector: Connector,
        contacts: dict[ContactKind, str],
        drawn: Drawn,
        number: str,
    ) -> None:
        ours = _money(drawn)
        lines = [
            OutboundLine(
                f"Line {position}",
                line.quantity,
                line.unit_price,
                NOMINAL.get(drawn.doc_type, "4000"),
                line.rate_key,
                net=result.net,
                tax=result.tax,
            )
            for position, (line, result) in enumerate(zip(drawn.lines, ours.lines, strict=True), 1)
        ]
        document = outbound_document(
            number,
            contacts[drawn.doc_type.contact_kind],
            lines,
            f"money-{number}",
            doc_type=drawn.doc_type,
        )
        document = replace(document, amounts_include_tax=drawn.inclusive)
        result = connector.push([document])[0]
        assert result.ok, result.error
        remote = result.remote
        assert remote is not None and remote.tax_total is not None
        booked = (remote.total, remote.tax_total, remote.total - remote.tax_total)
        assert booked == (ours.gross, ours.tax, ours.net), drawn

    def test_the_package_books_our_total_vat_and_net_to_the_penny(self):
        connector, _, contacts = self.start()
        numbers = itertools.count(1)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(documents())
        def check(drawn: Drawn) -> None:
            self.push_and_compare(connector, contacts, drawn, f"M{next(numbers):05d}")

        check()

    def test_a_package_computing_its_own_vat_matches_its_own_rounding_rule(self):
        connector, sandbox, contacts = self.start()
        sandbox.client.put(
            "/_sandbox/settings", json={"supplied_tax": "recompute"}
        ).raise_for_status()
        own = Rounding(connector.capabilities.tax_rounding)
        numbers = itertools.count(1)

        @settings(
            max_examples=max(EXAMPLES // 2, 10),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(documents(rounding=own, supplier_vat=False))
        def check(drawn: Drawn) -> None:
            self.push_and_compare(connector, contacts, drawn, f"R{next(numbers):05d}")

        check()


def _money(drawn: Drawn) -> DocumentMoney:
    computed = document_money(drawn.lines, rounding=drawn.rounding, inclusive=drawn.inclusive)
    if drawn.supplier_vat_pennies is None:
        return computed
    wanted = computed.tax + Decimal(drawn.supplier_vat_pennies) / 100
    return document_money(
        drawn.lines, rounding=drawn.rounding, inclusive=drawn.inclusive, supplier_vat=wanted
    )
