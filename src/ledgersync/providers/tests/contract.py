"""The contract suite every connector inherits (STYLE.md 9).

A provider's test module only names its sandbox and its fixtures::

    class TestQuickBooksContract(ConnectorContract):
        slug = "quickbooks"
        fixtures = ContractFixtures(bad_accs_id_message="AccountsID (abc) is not correct, ...")

Most tests run the provider's sandbox in-process through its httpx transport (fast, fresh
per test); the ``e2e`` ones start it on a real loopback socket and drive the OAuth consent
form like a browser would. The data they expect is the shared demo seed
(notes/demo-data.md), the same in every sandbox. Connectors expose their ``ApiClient`` as
``connector.api`` so the suite can switch off backoff sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest

from ledgersync.providers.base import (
    Connector,
    ContactKind,
    Credentials,
    DocType,
    NewContact,
    OutboundDocument,
    OutboundLine,
    PaidState,
    PushResult,
    RemoteDocument,
)
from ledgersync.providers.config import sandbox_config
from ledgersync.providers.errors import (
    AuthError,
    ErrorKind,
    InvalidAccsId,
    PermanentError,
    RateLimited,
    RetriableError,
    UncertainError,
)
from ledgersync.providers.http import RetryPolicy, credentials_from_token
from ledgersync.providers.registry import connector_for

IN_PROCESS_ROOT = "http://sandbox.invalid"
REDIRECT_URI = "http://127.0.0.1:8000/connections/callback"
PAID_ON = date(2025, 3, 10)


def outbound_document(
    number: str,
    contact_id: str,
    lines: Iterable[OutboundLine],
    key: str,
    *,
    doc_type: DocType = DocType.SALES_INVOICE,
    care_of: str | None = None,
    reference: str = "PO 77",
) -> OutboundDocument:
    """A document as the provider tests push it: issued 1 March 2025, due on the 31st, GBP."""
    return OutboundDocument(
        idempotency_key=key,
        doc_type=doc_type,
        number=number,
        contact_id=contact_id,
        care_of_contact_id=care_of,
        issue_date=date(2025, 3, 1),
        due_date=date(2025, 3, 31),
        currency="GBP",
        reference=reference,
        lines=tuple(lines),
    )


@dataclass(frozen=True)
class ContractFixtures:
    """What the demo seed holds; a provider overrides only what differs for it."""

    bad_accs_id_message: str
    good_accs_id: tuple[str, str] = (" 129 ", "129")  # typed, normalised
    company_name: str = "Demo Trades Ltd"
    exact_customer: str = "Harbour Cafe"
    near_customer: str = "Greenway Lettings Ltd"
    near_customer_match: str = "Greenway Lettings Limited"
    other_customer: str = "Oakfield Primary School"
    unknown_customer: str = "Northgate Dental Practice"
    supplier: str = "Builders Merchants Direct"
    near_supplier: str = "Apex Plant Hire Ltd"
    near_supplier_match: str = "Apex Plant Hire"
    sales_nominal: str = "4000"
    purchase_nominal: str = "5000"
    untaxed_nominal: str = "4030"
    missing_nominal: str = "4090"
    vat_code: str = "S"
    vat_rate: Decimal = Decimal("20")
    existing_invoice: str = "S1003"
    existing_bill: str = "BMD-5521"
    # How the provider is called: HTTP requests for reference_data(), and the push request.
    reference_data_calls: int = 1
    push_method: str = "POST"
    push_path: str = "/batch"
    # Requests to push three new documents once reference data and contacts are in hand
    # (one batch where the provider has batches; one write each, plus any number check).
    calls_to_push_three: int = 1
    # Requests for one pull of payments (payments_since) that finds a few documents.
    calls_per_payments_pull: int = 1


class Sandbox:
    """The sandbox's control plane (/_sandbox/), the same over either transport."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def fault(self, kind: str, **options: Any) -> None:
        self.client.post("/_sandbox/faults", json={"kind": kind, **options}).raise_for_status()

    def requests(self, method: str, path_part: str) -> list[dict]:
        log = self.client.get("/_sandbox/requests").raise_for_status().json()
        return [r for r in log if r["method"] == method and path_part in r["path"]]

    def reset(self) -> None:
        self.client.post("/_sandbox/reset").raise_for_status()

    def tokens(self) -> dict:
        return self.client.post("/_sandbox/tokens", json={}).raise_for_status().json()


class LoopbackTransport(httpx.BaseTransport):
    """Real HTTP to a sandbox's socket, whatever host the request names."""

    def __init__(self, url: str) -> None:
        self.target = httpx.URL(url)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = self.target
        request.url = request.url.copy_with(
            scheme=target.scheme, host=target.host, port=target.port
        )
        return self.inner.handle_request(request)


class SocketApp:
    """Stands in for the in-process app: the same sandbox, reached through its socket."""

    def __init__(self, url: str) -> None:
        self.url = url

    def transport(self) -> httpx.BaseTransport:
        return LoopbackTransport(self.url)


class RecordPayment(Protocol):
    """Records a payment in the sandbox through the provider's own API (the provider's
    ``tests/paying.py``), as the package's user would."""

    def __call__(
        self,
        http: httpx.Client,
        credentials: Credentials,
        *,
        remote_id: str,
        doc_type: DocType,
        contact_id: str,
        amount: Decimal,
        reference: str,
        day: date,
    ) -> None: ...


class ConnectorContract:
    slug: ClassVar[str]
    fixtures: ClassVar[ContractFixtures]
    record_payment: ClassVar[RecordPayment]
    # True runs every test over the sandbox's real loopback socket instead of in-process.
    on_socket: ClassVar[bool] = False

    # --- harness ---------------------------------------------------------------------------

    @pytest.fixture
    def app(self, request):
        if self.on_socket:
            server = request.getfixturevalue("server")
            server.app.reset()
            return SocketApp(server.url)
        from ledgersync.sandbox import make_app

        return make_app(self.slug)

    @pytest.fixture
    def sandbox(self, app) -> Iterator[Sandbox]:
        with httpx.Client(transport=app.transport(), base_url=IN_PROCESS_ROOT) as client:
            yield Sandbox(client)

    @pytest.fixture
    def saved(self) -> list[Credentials]:
        """What the caller persisted through on_token_refresh."""
        return []

    @pytest.fixture
    def connector(self, app, sandbox, saved) -> Connector:
        return self.connect(sandbox, saved, transport=app.transport(), root=IN_PROCESS_ROOT)

    @pytest.fixture(scope="class")
    @classmethod
    def server(cls):
        from ledgersync.sandbox import start_server

        server = start_server(cls.slug, port=0)
        yield server
        server.stop()

    @pytest.fixture
    def live(self, server) -> Iterator[Sandbox]:
        with httpx.Client(base_url=server.url) as client:
            sandbox = Sandbox(client)
            sandbox.reset()
            yield sandbox

    def connect(self, sandbox: Sandbox, saved: list, *, transport=None, root: str) -> Connector:
        tokens = sandbox.tokens()
        credentials = credentials_from_token(tokens, tokens["company_id"])
        return self.build(credentials, saved, transport=transport, root=root)

    def build(self, credentials, saved, *, transport=None, root: str) -> Connector:
        connector = connector_for(
            self.slug,
            credentials,
            saved.append,
            transport=transport,
            config=sandbox_config(self.slug, root),
        )
        connector.api.sleep = lambda seconds: None
        return connector

    def contact_id(self, connector: Connector, name: str, kind: ContactKind) -> str:
        matches = connector.find_contacts(name, kind)
        assert matches and matches[0].exact, f"{name} is not in the sandbox seed"
        return matches[0].contact.id

    def invoice(
        self,
        connector: Connector,
        number: str,
        *,
        nominal: str | None = None,
        key: str | None = None,
        doc_type: DocType = DocType.SALES_INVOICE,
        care_of: str | None = None,
    ) -> OutboundDocument:
        f = self.fixtures
        supplier = doc_type is DocType.SUPPLIER_INVOICE
        contact = self.contact_id(
            connector, f.supplier if supplier else f.exact_customer, doc_type.contact_kind
        )
        default_nominal = f.purchase_nominal if supplier else f.sales_nominal
        line = OutboundLine(
            "Labour, 2 hours",
            Decimal("2"),
            Decimal("75.00"),
            nominal or default_nominal,
            f.vat_code,
        )
        key = key or f"contract-{number}"
        return outbound_document(number, contact, [line], key, doc_type=doc_type, care_of=care_of)

    def push_after_fault(
        self, connector: Connector, sandbox: Sandbox, number: str, fault: str, count: int
    ) -> PushResult:
        """Push one invoice with reference data already read, so ``fault`` meets the write."""
        document = self.invoice(connector, number)
        connector.reference_data()
        sandbox.fault(fault, count=count)
        return connector.push([document])[0]

    def pay(
        self, connector: Connector, sandbox: Sandbox, remote: RemoteDocument, amount: str, ref: str
    ) -> None:
        assert connector.credentials is not None
        type(self).record_payment(
            sandbox.client,
            connector.credentials,
            remote_id=remote.remote_id,
            doc_type=remote.doc_type,
            contact_id=remote.contact_id,
            amount=Decimal(amount),
            reference=ref,
            day=PAID_ON,
        )

    # --- OAuth -----------------------------------------------------------------------------

    def test_e2e_oauth_round_trip_through_the_consent_page(self, server, live):
        connector = connector_for(self.slug, None, config=sandbox_config(self.slug, server.url))
        request = connector.authorization_url(REDIRECT_URI)
        with httpx.Client() as browser:
            page = browser.get(request.url)
            assert page.status_code == 200
            action, fields = _consent_form(page.text, str(page.url))
            fields["action"] = "connect"
            answer = browser.post(action, data=fields)
        assert answer.status_code in (302, 303)
        location = answer.headers["Location"]
        assert location.startswith(REDIRECT_URI)
        params = dict(parse_qsl(urlsplit(location).query))
        credentials = connector.exchange_code(
            params, REDIRECT_URI, expected_state=request.state, code_verifier=request.code_verifier
        )
        first = live.client.get("/_sandbox/companies").json()[0]
        assert credentials.company_id == first["id"]
        company = connector.company()
        assert (company.id, company.name) == (first["id"], self.fixtures.company_name)

    def test_a_callback_with_the_wrong_state_is_refused(self, connector):
        with pytest.raises(AuthError):
            connector.exchange_code(
                {"code": "c", "state": "forged", "realmId": "1"},
                REDIRECT_URI,
                expected_state="mine",
            )

    def test_refresh_rotates_tokens_and_hands_them_to_the_caller(self, app, sandbox, saved):
        connector = self.connect(sandbox, saved, transport=app.transport(), root=IN_PROCESS_ROOT)
        old = connector.credentials
        new = connector.refresh()
        assert saved == [new]
        assert new.access_token != old.access_token
        assert new.company_id == old.company_id
        fresh = self.build(new, [], transport=app.transport(), root=IN_PROCESS_ROOT)
        assert fresh.company().name == self.fixtures.company_name

    def test_an_expired_access_token_is_refreshed_before_the_call(self, app, sandbox, saved):
        tokens = sandbox.tokens()
        stale = credentials_from_token(tokens, tokens["company_id"])
        stale = Credentials(
            stale.access_token,
            stale.refresh_token,
            datetime.now(UTC) - timedelta(minutes=1),
            None,
            stale.company_id,
        )
        connector = self.build(stale, saved, transport=app.transport(), root=IN_PROCESS_ROOT)
        assert connector.company().name == self.fixtures.company_name
        assert len(saved) == 1

    def test_revoke_ends_the_connection(self, connector, saved):
        connector.revoke()
        with pytest.raises(AuthError):
            connector.company()
        assert saved == []

    # --- contacts --------------------------------------------------------------------------

    def test_an_identical_name_is_an_exact_suggestion(self, connector):
        best = connector.find_contacts(self.fixtures.exact_customer, ContactKind.CUSTOMER)[0]
        assert (best.contact.name, best.score, best.exact) == (
            self.fixtures.exact_customer,
            1.0,
            True,
        )

    def test_a_near_name_is_suggested_but_not_exact(self, connector):
        f = self.fixtures
        best = connector.find_contacts(f.near_customer, ContactKind.CUSTOMER)[0]
        assert (best.contact.name, best.exact) == (f.near_customer_match, False)
        supplier = connector.find_contacts(f.near_supplier, ContactKind.SUPPLIER)[0]
        assert (supplier.contact.name, supplier.exact) == (f.near_supplier_match, False)

    def test_an_unknown_name_has_no_exact_suggestion(self, connector):
        matches = connector.find_contacts(self.fixtures.unknown_customer, ContactKind.CUSTOMER)
        assert [m for m in matches if m.exact] == []

    def test_a_created_contact_can_be_read_back(self, connector):
        name = self.fixtures.unknown_customer
        new = NewContact(
            ContactKind.CUSTOMER, name, email="reception@northgate.example", phone="01202 555111"
        )
        created = connector.create_contact(new)
        read = connector.get_contact(created.id, ContactKind.CUSTOMER)
        assert (read.id, read.name, read.email, read.phone) == (
            created.id,
            name,
            new.email,
            new.phone,
        )
        assert connector.find_contacts(name, ContactKind.CUSTOMER)[0].exact

    def test_a_name_with_an_apostrophe_round_trips(self, connector):
        created = connector.create_contact(NewContact(ContactKind.SUPPLIER, "O'Neill Scaffolding"))
        assert connector.get_contact(created.id, ContactKind.SUPPLIER).name == "O'Neill Scaffolding"

    def test_a_taken_name_is_refused_and_not_duplicated(self, connector):
        name = self.fixtures.exact_customer
        with pytest.raises(PermanentError):
            connector.create_contact(NewContact(ContactKind.CUSTOMER, name))
        same = [m for m in connector.find_contacts(name, ContactKind.CUSTOMER) if m.exact]
        assert len(same) == 1

    def test_an_unknown_contact_id_reads_as_none(self, connector):
        assert connector.get_contact("999999", ContactKind.CUSTOMER) is None

    def test_accs_id_validation_says_what_the_provider_needs(self, connector):
        typed, normalised = self.fixtures.good_accs_id
        with pytest.raises(InvalidAccsId) as caught:
            connector.validate_accs_id("abc")
        assert caught.value.message == self.fixtures.bad_accs_id_message
        assert caught.value.kind is ErrorKind.ACCS_ID
        if connector.capabilities.supports_typed_accs_id:
            assert connector.validate_accs_id(typed) == normalised

    # --- reference data and numbers ----------------------------------------------------------

    def test_reference_data_knows_nominals_and_their_tax(self, connector):
        f = self.fixtures
        reference = connector.reference_data()
        assert reference.account(f.missing_nominal) is None
        assert reference.account(f.untaxed_nominal).has_tax is False
        default_tax = reference.tax_code_by_id(reference.account(f.sales_nominal).tax_code_id)
        assert (default_tax.code, default_tax.rate) == (f.vat_code, f.vat_rate)

    def test_reference_data_is_fetched_once_per_instance(self, connector):
        first = connector.reference_data()
        calls = connector.api_calls
        assert connector.reference_data() is first
        assert connector.api_calls == calls

    def test_existing_numbers_are_found(self, connector):
        f = self.fixtures
        assert connector.existing_numbers(
            DocType.SALES_INVOICE, [f.existing_invoice, "S2001", "S'99"]
        ) == {f.existing_invoice}
        supplier = self.contact_id(connector, f.supplier, ContactKind.SUPPLIER)
        other = self.contact_id(connector, f.near_supplier_match, ContactKind.SUPPLIER)
        bills = DocType.SUPPLIER_INVOICE
        assert connector.existing_numbers(bills, [f.existing_bill], contact_id=supplier) == {
            f.existing_bill
        }
        assert connector.existing_numbers(bills, [f.existing_bill], contact_id=other) == set()

    # --- push --------------------------------------------------------------------------------

    def test_a_mixed_batch_gets_one_result_per_document(self, connector):
        f = self.fixtures
        documents = [
            self.invoice(connector, "S2001"),
            self.invoice(connector, "S2002", nominal=f.missing_nominal),
            self.invoice(connector, f.existing_invoice, key="contract-dup"),
        ]
        good, missing, duplicate = connector.push(documents)
        assert good.ok and good.number == "S2001"
        assert (good.remote.number, good.remote.total, good.remote.contact_id) == (
            "S2001",
            Decimal("180.00"),
            documents[0].contact_id,
        )
        name = connector.capabilities.display_name
        assert missing.error == PermanentError(
            f"Nominal code {f.missing_nominal} (line 1) does not exist in {name}"
        )
        assert isinstance(duplicate.error, PermanentError) and not duplicate.ok
        assert connector.find_document(DocType.SALES_INVOICE, "S2002") is None

    def test_credit_notes_and_supplier_invoices_push(self, connector):
        credit, bill = connector.push(
            [
                self.invoice(connector, "C2001", doc_type=DocType.SALES_CREDIT_NOTE),
                self.invoice(connector, "BMD-6001", doc_type=DocType.SUPPLIER_INVOICE),
            ]
        )
        assert (credit.ok, bill.ok) == (True, True)
        assert (
            connector.find_document(DocType.SUPPLIER_INVOICE, "BMD-6001", bill.remote.contact_id)
            == bill.remote
        )
        assert connector.find_document(DocType.SALES_CREDIT_NOTE, "C2001") == credit.remote

    def test_pushing_the_same_key_twice_creates_one_document(self, connector):
        document = self.invoice(connector, "S2003")
        first = connector.push([document])[0]
        again = connector.push([document])[0]
        assert again.remote == first.remote
        assert connector.existing_numbers(DocType.SALES_INVOICE, ["S2003"]) == {"S2003"}

    def test_find_document_returns_total_and_contact_or_none(self, connector):
        pushed = connector.push([self.invoice(connector, "S2004")])[0].remote
        assert connector.find_document(DocType.SALES_INVOICE, "S2004") == pushed
        assert connector.find_document(DocType.SALES_INVOICE, "S9999") is None

    def test_find_documents_lists_every_live_copy_of_a_number(self, connector):
        bill = connector.push(
            [self.invoice(connector, "BMD-6102", doc_type=DocType.SUPPLIER_INVOICE)]
        )
        remote = bill[0].remote
        found = connector.find_documents(DocType.SUPPLIER_INVOICE, "BMD-6102", remote.contact_id)
        assert [(d.remote_id, d.number, d.total) for d in found] == [
            (remote.remote_id, "BMD-6102", remote.total)
        ]
        assert (
            connector.find_documents(DocType.SUPPLIER_INVOICE, "BMD-9999", remote.contact_id) == []
        )

    @pytest.mark.parametrize(
        "doc_type, number",
        [
            (DocType.SUPPLIER_INVOICE, "BMD-6103"),
            (DocType.SALES_INVOICE, "S2010"),
            (DocType.SALES_CREDIT_NOTE, "C2010"),
        ],
    )
    def test_a_voided_copy_is_no_longer_found(self, connector, doc_type, number):
        remote = connector.push([self.invoice(connector, number, doc_type=doc_type)])[0].remote
        contact = remote.contact_id if doc_type is DocType.SUPPLIER_INVOICE else None

        connector.void_document(remote)

        assert connector.find_documents(doc_type, number, contact) == []
        connector.void_document(remote)  # a repeat finds it gone and changes nothing

    def test_care_of_puts_the_client_under_the_billed_party(self, connector):
        if not connector.capabilities.supports_care_of:
            return
        f = self.fixtures
        agent = self.contact_id(connector, f.other_customer, ContactKind.CUSTOMER)
        result = connector.push([self.invoice(connector, "S2005", care_of=agent)])[0]
        assert result.ok
        client = connector.get_contact(result.remote.contact_id, ContactKind.CUSTOMER)
        assert client.parent_id == agent

    # --- failures ----------------------------------------------------------------------------

    def test_429_becomes_rate_limited_with_retry_after(self, connector, sandbox):
        connector.api.retry = RetryPolicy(max_rate_limit_wait=0)
        sandbox.fault("rate_limit", count=5)
        with pytest.raises(RateLimited) as caught:
            connector.existing_numbers(DocType.SALES_INVOICE, ["S1003"])
        assert caught.value.retry_after > 0
        assert caught.value.kind is ErrorKind.RATE_LIMITED

    def test_a_500_on_a_read_is_retriable(self, connector, sandbox):
        sandbox.fault("error", count=10)
        with pytest.raises(RetriableError) as caught:
            connector.reference_data()
        assert caught.value.kind is ErrorKind.RETRIABLE

    def test_a_500_before_the_write_is_resent_with_the_same_key(self, connector, sandbox):
        result = self.push_after_fault(connector, sandbox, "S2006", "error_before_write", 1)
        assert result.ok
        assert connector.existing_numbers(DocType.SALES_INVOICE, ["S2006"]) == {"S2006"}
        f = self.fixtures
        pushes = sandbox.requests(f.push_method, f.push_path)[-2:]
        sent = [(r["status"], r["query"], r["request_body"]) for r in pushes]
        assert [sent[0][0], sent[1][0] // 100] == [500, 2]  # a 500, then a success
        # The same request both times, so the same idempotency key (query or body).
        assert sent[0][1:] == sent[1][1:]

    def test_a_write_that_never_gets_an_answer_is_uncertain(self, connector, sandbox):
        result = self.push_after_fault(connector, sandbox, "S2007", "error_before_write", 10)
        assert result.error.kind is ErrorKind.UNCERTAIN
        assert connector.find_document(DocType.SALES_INVOICE, "S2007") is None

    def test_e2e_a_dropped_connection_after_the_write_is_uncertain_then_reconciled(
        self, server, live
    ):
        connector = self.connect(live, [], root=server.url)
        result = self.push_after_fault(connector, live, "S2008", "drop_after_write", 10)
        assert isinstance(result.error, UncertainError)
        found = connector.find_document(DocType.SALES_INVOICE, "S2008")
        assert (found.number, found.total) == ("S2008", Decimal("180.00"))

    def test_e2e_a_dropped_answer_is_replayed_not_duplicated(self, server, live):
        connector = self.connect(live, [], root=server.url)
        result = self.push_after_fault(connector, live, "S2009", "drop_after_write", 1)
        assert result.ok
        assert connector.existing_numbers(DocType.SALES_INVOICE, ["S2009"]) == {"S2009"}

    def test_a_revoked_token_is_an_auth_error(self, connector, sandbox, saved):
        sandbox.fault("revoke_token")
        with pytest.raises(AuthError) as caught:
            connector.company()
        assert caught.value.kind is ErrorKind.AUTH
        assert saved == []

    def test_api_calls_are_counted(self, connector):
        connector.reference_data()
        assert connector.api_calls == self.fixtures.reference_data_calls
        connector.push([self.invoice(connector, "S2010")])  # creates what the run needs once
        before = connector.api_calls
        connector.push([self.invoice(connector, f"S201{n}") for n in (1, 2, 3)])
        assert connector.api_calls - before == self.fixtures.calls_to_push_three

    # --- payments coming back ----------------------------------------------------------------

    def test_payments_in_full_and_in_part_come_back_from_the_cursor(self, connector, sandbox):
        invoice, bill = (
            result.remote
            for result in connector.push(
                [
                    self.invoice(connector, "S2301"),
                    self.invoice(connector, "BMD-6301", doc_type=DocType.SUPPLIER_INVOICE),
                ]
            )
        )
        assert invoice is not None and bill is not None
        before = connector.payments_since(None)
        unpaid = {s.remote_id: s for s in before.documents}[invoice.remote_id]
        assert (unpaid.total, unpaid.outstanding, unpaid.payments) == (
            Decimal("180.00"),
            Decimal("180.00"),
            (),
        )
        self.pay(connector, sandbox, invoice, "100.00", "BACS 7731")
        self.pay(connector, sandbox, bill, "180.00", "CHQ 1002")

        calls = connector.api_calls
        after = connector.payments_since(before.cursor)
        assert connector.api_calls - calls == self.fixtures.calls_per_payments_pull
        states = {s.remote_id: s for s in after.documents}
        part, full = states[invoice.remote_id], states[bill.remote_id]
        assert (part.doc_type, part.outstanding) == (DocType.SALES_INVOICE, Decimal("80.00"))
        assert [(p.paid_on, p.amount, p.reference) for p in part.payments] == [
            (PAID_ON, Decimal("100.00"), "BACS 7731")
        ]
        assert (full.doc_type, full.outstanding) == (DocType.SUPPLIER_INVOICE, Decimal("0.00"))
        assert [(p.amount, p.reference) for p in full.payments] == [(Decimal("180.00"), "CHQ 1002")]
        assert after.cursor is not None and before.cursor is not None
        assert after.cursor >= before.cursor

        # Nothing new: the cursor stays, and what comes again (the boundary) is unchanged.
        again = connector.payments_since(after.cursor)
        assert again.cursor == after.cursor
        assert all(states[s.remote_id] == s for s in again.documents if s.remote_id in states)
        assert all(isinstance(s, PaidState) for s in again.documents)


_FORM = re.compile(r'<form[^>]*action="([^"]*)"', re.I)
_INPUT = re.compile(r"<input([^>]*)>", re.I)
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def _consent_form(html: str, page_url: str) -> tuple[str, dict[str, str]]:
    """The consent form's action and fields, choosing the first company offered."""
    action = _FORM.search(html)
    assert action, "no form on the consent page"
    fields: dict[str, str] = {}
    for raw in _INPUT.findall(html):
        attrs = {k.lower(): unescape(v) for k, v in _ATTR.findall(raw)}
        name = attrs.get("name")
        if not name or (attrs.get("type") == "radio" and name in fields):
            continue
        fields[name] = attrs.get("value", "")
    return urljoin(page_url, unescape(action.group(1))), fields
