"""Sage Accounting behind the connector contract (reference/sage.md).

Sage has no batch endpoint: a push sends one POST per document, a few at a time, inside
the rate limit, each carrying an ``idempotency_id`` so a resend is answered, not re-applied.
Sage numbers sales documents itself, so our number travels in ``reference`` (sales) or
``vendor_reference`` (purchases) and Sage does not stop it repeating: the duplicate check
is ours, with one search per batch of numbers rather than one per document.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any

from ledgersync.providers.base import (
    Company,
    Contact,
    ContactKind,
    ContactMatch,
    Credentials,
    DocType,
    InvalidAccsId,
    NewContact,
    OutboundDocument,
    PaidState,
    PaymentsPage,
    PushResult,
    ReferenceData,
    RemoteDocument,
    Wanted,
)
from ledgersync.providers.config import clock_speed
from ledgersync.providers.connector import HttpConnector, failed
from ledgersync.providers.errors import AuthError, PermanentError, ProviderError, UncertainError
from ledgersync.providers.names import rank_contacts
from ledgersync.providers.pacing import Pace
from ledgersync.providers.sage import FACTS, mapping, payments
from ledgersync.providers.sage.client import PER_MINUTE, SageClient
from ledgersync.providers.sage.numbers import NumberBook

CONCURRENCY = 4  # POSTs in flight per push; well inside 200 a minute
NO_TYPED_ID = FACTS.capabilities.typed_accs_id_refusal or ""
NOUN = {
    DocType.SALES_INVOICE: "Invoice",
    DocType.SALES_CREDIT_NOTE: "Credit note",
    DocType.SUPPLIER_INVOICE: "Supplier invoice",
}


VOID_REASON = "Extra copy: an unanswered send landed after it was sent again (ledgersync)"


class SageConnector(HttpConnector):
    facts = FACTS
    scope = "full_access"
    describe_error = staticmethod(mapping.describe_error)
    # Sage's guide and sample send client_id and client_secret in the form body.
    client_auth = "client_secret_post"

    def __init__(self, credentials: Credentials | None, **options: Any) -> None:
        super().__init__(credentials, **options)
        # Pushing threads share ``self.api``, which refreshes once for all of them.
        self._pushing = threading.local()
        self._unsaved: Credentials | None = None
        self.pace = Pace(PER_MINUTE, speed=clock_speed(FACTS.slug))
        self.client = SageClient(self.api, self.pace)
        self.numbers = NumberBook(self.client)
        self._reference: ReferenceData | None = None
        self._scopes: dict[str, frozenset[str]] = {}
        self._contacts: dict[ContactKind, list[Contact]] = {}
        self._links: dict[str, str] = {}

    def _tokens_refreshed(self, credentials: Credentials) -> None:
        if getattr(self._pushing, "active", False):
            # The caller persists tokens with its database connection: hand them over
            # from the calling thread once the push threads are done.
            self.credentials = self._unsaved = credentials
        else:
            super()._tokens_refreshed(credentials)

    def _hand_over_tokens(self) -> None:
        credentials, self._unsaved = self._unsaved, None
        if credentials is not None and self.on_token_refresh is not None:
            self.on_token_refresh(credentials)

    # --- OAuth -----------------------------------------------------------------------------

    def _credentials_from_callback(
        self, callback_params: Mapping[str, str], redirect_uri: str, code_verifier: str | None
    ) -> Credentials:
        # Sage's callback names no business: the token reaches the one chosen on the
        # consent page as the user's lead business, so ask which that is.
        self.api.exchange_code(callback_params["code"], redirect_uri, company_id="")
        business = mapping.parse_company(self.client.lead_business())
        credentials = self.api.credentials
        # exchange_code set them; the lead_business call can only have refreshed them.
        assert credentials is not None
        self.api.credentials = replace(credentials, company_id=business.id)
        return self.api.credentials

    def company(self) -> Company:
        return mapping.parse_company(self.client.get(f"/businesses/{self.client.business}"))

    # --- Contacts --------------------------------------------------------------------------

    def find_contacts(
        self, wanted: Wanted | str, kind: ContactKind, limit: int = 5
    ) -> list[ContactMatch]:
        return rank_contacts(wanted, self._all_contacts(kind), limit)

    def _all_contacts(self, kind: ContactKind) -> list[Contact]:
        if kind not in self._contacts:
            params = {
                "contact_type_id": mapping.CONTACT_TYPE_FOR_KIND[kind],
                # Sage's own contacts (HMRC Payments, ...) are never a customer or supplier.
                "exclude_system": "true",
                "attributes": mapping.CONTACT_ATTRIBUTES,
                "nested_attributes": mapping.CONTACT_NESTED_ATTRIBUTES,
            }
            rows = self.client.list_all("/contacts", params)
            self._contacts[kind] = [mapping.parse_contact(row, kind) for row in rows]
            self._remember_links(rows)
        return self._contacts[kind]

    def _remember_links(self, rows: Iterable[dict]) -> None:
        for row in rows:
            link = mapping.web_link(row)
            if link:
                self._links[str(row["id"])] = link

    def get_contact(self, contact_id: str, kind: ContactKind) -> Contact | None:
        row = self._contact_row(contact_id)
        if row is None or mapping.CONTACT_TYPE_FOR_KIND[kind] not in mapping.contact_type_ids(row):
            return None
        return mapping.parse_contact(row, kind)

    def _contact_row(self, contact_id: str) -> dict | None:
        if not mapping.is_sage_id(contact_id):
            return None  # Sage ids are 32 hex digits; anything else cannot exist
        try:
            row = self.client.get(
                f"/contacts/{contact_id}",
                {"nested_attributes": mapping.CONTACT_NESTED_ATTRIBUTES},
            )
        except PermanentError as error:
            if error.status == 404:
                return None
            raise
        self._remember_links([row])
        return row

    def create_contact(self, new: NewContact) -> Contact:
        name = new.name.strip()
        if not name:
            raise PermanentError("A name is required")
        if len(name) > mapping.NAME_MAX:
            raise PermanentError(f"Sage names are at most {mapping.NAME_MAX} characters")
        # Sage keeps only `reference` unique, so a second contact of the same name would be
        # accepted: refuse it here rather than make a twin the user cannot tell apart.
        if any(c.name.strip() == name for c in self._all_contacts(new.kind)):
            noun = "customer" if new.kind is ContactKind.CUSTOMER else "supplier"
            raise PermanentError(f"A {noun} named '{name}' already exists in Sage")
        key = new.idempotency_key or uuid.uuid4().hex
        row = self.client.create("contacts", mapping.contact_body(new, key))
        self._remember_links([row])
        # The answer shows the nested person and address as stubs: they hold what was sent.
        contact = mapping.parse_contact(row, new.kind)
        contact = replace(
            contact,
            email=contact.email or new.email,
            phone=contact.phone or new.phone,
            address=contact.address or new.address,
        )
        self._contacts[new.kind].append(contact)
        return contact

    def validate_accs_id(self, text: str) -> str:
        raise InvalidAccsId(NO_TYPED_ID)

    def contact_url(self, contact_id: str, kind: ContactKind) -> str | None:
        """The contact's page in Sage, read from the API's ``links`` (its numeric web id
        cannot be derived from the API id)."""
        if contact_id not in self._links:
            self._contact_row(contact_id)
        return self._links.get(contact_id)

    # --- Reference data and numbers ----------------------------------------------------------

    def reference_data(self) -> ReferenceData:
        if self._reference is None:
            accounts, scopes = {}, {}
            rows = self.client.list_all(
                "/ledger_accounts", {"attributes": mapping.ACCOUNT_ATTRIBUTES}
            )
            for row in rows:
                parsed = mapping.parse_account(row)
                if parsed.account.code and parsed.account.code not in accounts:
                    accounts[parsed.account.code] = parsed.account
                    scopes[parsed.account.code] = parsed.scopes
            taxes = self.client.list_all("/tax_rates", {"attributes": mapping.TAX_RATE_ATTRIBUTES})
            self._scopes = scopes
            self._reference = ReferenceData(
                accounts=accounts, tax_codes=[mapping.parse_tax_rate(row) for row in taxes]
            )
        return self._reference

    def existing_numbers(
        self, doc_type: DocType, numbers: Iterable[str], contact_id: str | None = None
    ) -> set[str]:
        found = self.numbers.lookup(doc_type, numbers, contact_id)
        return {number for number, remote in found.items() if remote is not None}

    def find_document(
        self, doc_type: DocType, number: str, contact_id: str | None = None
    ) -> RemoteDocument | None:
        return self.numbers.lookup(doc_type, [number], contact_id)[number]

    def find_documents(
        self, doc_type: DocType, number: str, contact_id: str | None = None
    ) -> list[RemoteDocument]:
        return self.numbers.all_numbered(doc_type, number, contact_id)

    def payments_since(self, since: datetime | None) -> PaymentsPage:
        states: list[PaidState] = []
        rows = []
        for doc_type, collection in payments.collections().items():
            found = self.client.list_all(f"/{collection}", payments.query(since))
            rows += found
            states += [
                state for row in found if (state := payments.paid_state(row, doc_type)) is not None
            ]
        return PaymentsPage(tuple(states), payments.newest_change(rows) or since)

    def void_document(self, document: RemoteDocument) -> None:
        # DELETE voids a sales document (a reason is required once it is past draft) and
        # deletes a purchase document (sage-swagger; research-12 A4).
        path = f"/{mapping.COLLECTION_FOR_DOC[document.doc_type]}/{document.remote_id}"
        params = (
            {} if document.doc_type is DocType.SUPPLIER_INVOICE else {"void_reason": VOID_REASON}
        )
        try:
            self.client.delete(path, params)
        except PermanentError as error:
            if error.status != 404:  # 404: already gone
                raise

    # --- Push ------------------------------------------------------------------------------

    def push(self, documents: Sequence[OutboundDocument]) -> list[PushResult]:
        results, bodies = self._prepare_all(documents)
        for index, error in self._duplicates(documents, bodies).items():
            results[index] = failed(documents[index], error)
            del bodies[index]
        if bodies:
            results.update(self._send(documents, bodies))
        return [results[index] for index in range(len(documents))]

    def _prepare(self, document: OutboundDocument) -> dict:
        """The document's Sage body; raises the error that stops this document alone."""
        limit = mapping.VENDOR_REFERENCE_MAX
        if document.doc_type is not DocType.SUPPLIER_INVOICE:
            limit = mapping.REFERENCE_MAX
        self._check_number_length(document, limit)
        scope = mapping.SCOPE_FOR_DOC[document.doc_type]
        account_ids, taxes = [], []
        for position, line, account in self._lines_with_accounts(document):
            if scope not in self._scopes.get(account.code, frozenset()):
                raise PermanentError(
                    f"Nominal code {account.code} (line {position}) cannot be used on "
                    f"{'sales' if scope == 'sales' else 'purchase'} documents in Sage"
                )
            account_ids.append(account.id)
            taxes.append(self._line_tax(line.tax_code, account, position))
        return mapping.document_body(document, account_ids=account_ids, taxes=taxes)

    def _line_tax(self, wanted: str | None, account, position: int) -> mapping.LineTax:
        reference = self.reference_data()
        if wanted is None:
            tax = reference.tax_code_by_id(self._default_tax_id(account))
        else:
            tax = reference.tax_code(wanted)
        if tax is None or tax.rate is None:
            raise self._unknown_tax(wanted, position)
        return mapping.LineTax(tax.id, tax.rate)

    def _duplicates(
        self, documents: Sequence[OutboundDocument], bodies: Mapping[int, dict]
    ) -> dict[int, ProviderError]:
        """Documents whose number Sage already holds, other than by our own earlier push
        with the same key (that one is re-sent: Sage replays it), and the second of two
        documents in this push with one number (the first will hold it)."""
        wanted = [documents[i] for i in bodies]
        errors: dict[int, ProviderError] = {}
        claimed = set()
        for index in bodies:
            document = documents[index]
            remote = self.numbers.existing(document, wanted)
            taken = remote is not None and not self.numbers.pushed_by(document)
            if taken or self.numbers.key(document) in claimed:
                errors[index] = PermanentError(
                    f"{NOUN[document.doc_type]} {document.number} already exists in Sage"
                )
            else:
                claimed.add(self.numbers.key(document))
        return errors

    def _send(
        self, documents: Sequence[OutboundDocument], bodies: Mapping[int, dict]
    ) -> dict[int, PushResult]:
        def post(index: int) -> PushResult:
            document = documents[index]
            collection = mapping.COLLECTION_FOR_DOC[document.doc_type]
            self._pushing.active = True
            try:
                row = self.client.create(collection, bodies[index])
            except ProviderError as error:
                if isinstance(error, UncertainError):
                    self.numbers.forget(document)
                return failed(document, error)
            remote = mapping.parse_document(row, document.doc_type)
            self.numbers.record(document, remote)
            return PushResult(document.idempotency_key, document.number, remote=remote)

        order = list(bodies)
        try:
            with ThreadPoolExecutor(max_workers=min(CONCURRENCY, len(order))) as pool:
                outcomes = dict(zip(order, pool.map(post, order), strict=True))
        finally:
            self._hand_over_tokens()
        auth = [r.error for r in outcomes.values() if isinstance(r.error, AuthError)]
        if auth and not any(r.ok for r in outcomes.values()):
            raise auth[0]
        return outcomes
