"""Xero behind the connector contract (reference/xero.md).

Sales invoices go out as ACCREC invoices, credit notes as ACCRECCREDIT credit notes and
supplier invoices as ACCPAY invoices, up to 50 per request with ``summarizeErrors=false``
and an ``Idempotency-Key``. Xero keeps sales numbers unique but not bill numbers, so bill
numbers are checked per supplier. There is no care-of: the engine puts "c/o <name>" into
the reference instead. The tenant is the organisation chosen on Xero's consent page, read
back from ``/connections`` after the code exchange.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ledgersync.ids import is_guid
from ledgersync.providers.base import (
    Company,
    Contact,
    ContactKind,
    ContactMatch,
    Credentials,
    DocType,
    InvalidAccsId,
    LedgerAccount,
    NewContact,
    OutboundDocument,
    OutboundLine,
    PaidState,
    PaymentsPage,
    PushResult,
    ReferenceData,
    RemoteDocument,
    TrackingList,
    Wanted,
    tracking_list,
)
from ledgersync.providers.config import clock_speed
from ledgersync.providers.connector import HttpConnector, failed
from ledgersync.providers.errors import AuthError, PermanentError, ProviderError, UncertainError
from ledgersync.providers.names import rank_contacts
from ledgersync.providers.xero import FACTS, MAX_QUERY_LENGTH, mapping, payments
from ledgersync.providers.xero.client import API_ROOT, RateGate, XeroClient

# Room in the query string for what goes with InvoiceNumbers (ContactIDs, page, pageSize).
NUMBERS_FILTER_ROOM = MAX_QUERY_LENGTH - 200
NUMBERS_PER_WHERE = 20
DUPLICATE_MESSAGES = ("Invoice # must be unique.", "Credit Note # must be unique.")
# Derives the Idempotency-Key of a batch from its documents' own keys.
_KEY_NAMESPACE = uuid.UUID("a3d6e0f2-41c7-4b8e-9f15-7c2e5d9b0a64")


class XeroConnector(HttpConnector):
    facts = FACTS
    # Granular scopes (apps created from March 2026 cannot ask for accounting.transactions).
    scope = "offline_access accounting.invoices accounting.contacts accounting.settings.read"
    describe_error = staticmethod(mapping.describe_error)

    def __init__(self, credentials: Credentials | None, **options: Any) -> None:
        super().__init__(credentials, **options)
        self.gate = RateGate(speed=clock_speed(FACTS.slug))
        # The gate reads every response's rate-limit headers before the next request.
        self.api.on_response = self.gate.observe
        self.client = XeroClient(self.api, self.gate)
        self._reference: ReferenceData | None = None
        self._tax_sides: dict[str, frozenset[mapping.Side]] = {}
        self._tracking: list[TrackingList] | None = None
        self._contacts: list[Contact] | None = None

    # --- OAuth -----------------------------------------------------------------------------

    def _credentials_from_callback(
        self, callback_params: Mapping[str, str], redirect_uri: str, code_verifier: str | None
    ) -> Credentials:
        credentials = self.api.exchange_code(
            callback_params["code"], redirect_uri, "", code_verifier
        )
        tenant = self._newest_tenant()
        self.api.credentials = dataclasses.replace(credentials, company_id=tenant)
        return self.api.credentials

    def _newest_tenant(self) -> str:
        """The organisation just authorised: the most recently updated connection."""
        organisations = [
            c for c in self.client.connections() if c.get("tenantType") == "ORGANISATION"
        ]
        if not organisations:
            raise AuthError("Xero did not connect an organisation; start again and choose one")
        newest = max(organisations, key=lambda c: str(c.get("updatedDateUtc", "")))
        return str(newest["tenantId"])

    # revoke() is the RFC 7009 form post; Xero revokes every connection the token holds.

    def company(self) -> Company:
        organisation = self.client.get("Organisation")["Organisations"][0]
        return Company(id=self.client.tenant, name=str(organisation["Name"]))

    # --- Contacts --------------------------------------------------------------------------

    def find_contacts(
        self, wanted: Wanted | str, kind: ContactKind, limit: int = 5
    ) -> list[ContactMatch]:
        # Xero has one contact list for customers and suppliers (IsCustomer/IsSupplier are
        # only set once a document uses a contact), so every active contact is a candidate.
        matches = rank_contacts(wanted, self._all_contacts(), limit)
        return [
            dataclasses.replace(m, contact=dataclasses.replace(m.contact, kind=kind))
            for m in matches
        ]

    def _all_contacts(self) -> list[Contact]:
        if self._contacts is None:
            rows = self.client.get_all("Contacts")
            self._contacts = [mapping.parse_contact(row, ContactKind.CUSTOMER) for row in rows]
        return self._contacts

    def get_contact(self, contact_id: str, kind: ContactKind) -> Contact | None:
        if not is_guid(contact_id.strip()):
            return None  # Xero ids are GUIDs; anything else cannot exist
        try:
            rows = self.client.get(f"Contacts/{contact_id.strip()}").get("Contacts") or []
        except PermanentError as error:
            if error.status == 404:
                return None
            raise
        return mapping.parse_contact(rows[0], kind) if rows else None

    def create_contact(self, new: NewContact) -> Contact:
        key = new.idempotency_key or str(uuid.uuid4())
        answer = self.client.write("PUT", "Contacts", mapping.contact_body(new), key).body
        if not answer or mapping.element_failed(answer[0]):
            messages = mapping.element_messages(answer[0]) if answer else []
            raise PermanentError("; ".join(messages) or f"Xero did not create {new.name}")
        contact = mapping.parse_contact(answer[0], new.kind)
        if self._contacts is not None:
            self._contacts.append(contact)
        return contact

    def validate_accs_id(self, text: str) -> str:
        value = text.strip()
        if not is_guid(value):
            raise InvalidAccsId(
                f"AccountsID ({value}) is not correct, Xero requires a contact ID such as "
                f"{FACTS.accs_id_example}"
            )
        return value.lower()

    # --- Reference data --------------------------------------------------------------------

    def reference_data(self) -> ReferenceData:
        if self._reference is None:
            accounts: dict[str, LedgerAccount] = {}
            for row in self.client.get("Accounts").get("Accounts") or []:
                account = mapping.parse_account(row)
                if account is not None and account.active:
                    accounts.setdefault(account.code, account)
            tax_codes, self._tax_sides = mapping.parse_tax_rates(
                self.client.get("TaxRates").get("TaxRates") or []
            )
            self._reference = ReferenceData(accounts=accounts, tax_codes=tax_codes)
        return self._reference

    def tracking_lists(self) -> list[TrackingList]:
        if self._tracking is None:
            rows = self.client.get("TrackingCategories").get("TrackingCategories") or []
            self._tracking = mapping.parse_tracking_categories(rows)
        return self._tracking

    def _check_tracking(self, document: OutboundDocument) -> None:
        """Stop a document whose category or option is not in Xero: given by name, Xero
        books the line without it rather than refusing (calcinai/xero-php#84: "If the
        category and option don't exist in Xero, then they won't be added to the line
        item"), so sending it would lose the tracking without a word."""
        for wanted in document.tracking:
            found = tracking_list(self.tracking_lists(), wanted.slot, wanted.category)
            if found is None:
                raise PermanentError(
                    f"Tracking category '{wanted.category}' does not exist in Xero"
                )
            if found.option(wanted.option) is None:
                raise PermanentError(
                    f"Tracking option '{wanted.option}' of '{found.name}' does not exist in Xero"
                )

    def existing_numbers(
        self, doc_type: DocType, numbers: Iterable[str], contact_id: str | None = None
    ) -> set[str]:
        wanted = list(dict.fromkeys(numbers))
        seen = {
            doc.number.casefold() for doc in self._documents_numbered(doc_type, wanted, contact_id)
        }
        return {number for number in wanted if number.casefold() in seen}

    def find_document(
        self, doc_type: DocType, number: str, contact_id: str | None = None
    ) -> RemoteDocument | None:
        matches = self._documents_numbered(doc_type, [number], contact_id)
        return next((doc for doc in matches if doc.number.casefold() == number.casefold()), None)

    def find_documents(
        self, doc_type: DocType, number: str, contact_id: str | None = None
    ) -> list[RemoteDocument]:
        matches = self._documents_numbered(doc_type, [number], contact_id, mapping.is_voided)
        return [doc for doc in matches if doc.number.casefold() == number.casefold()]

    def payments_since(self, since: datetime | None) -> PaymentsPage:
        header = payments.modified_since(since) if since is not None else None
        states: list[PaidState] = []
        rows = []
        for collection, query in payments.FILTERS.items():
            found = self.client.get_all(collection, query, header)
            rows += found
            states += [
                state
                for row in found
                if (state := payments.paid_state(row, collection)) is not None
            ]
        return PaymentsPage(tuple(states), payments.newest_change(rows) or since)

    def void_document(self, document: RemoteDocument) -> None:
        collection = mapping.COLLECTION_FOR_DOC[document.doc_type]
        rows = self.client.get(f"{collection}/{document.remote_id}").get(collection) or []
        if not rows or not mapping.is_live(rows[0], document.doc_type):
            return  # already gone
        element = mapping.removal(rows[0], collection)
        key = str(uuid.uuid5(_KEY_NAMESPACE, f"void:{document.remote_id}"))
        path = f"{API_ROOT}/{collection}/{document.remote_id}"
        params = {"summarizeErrors": "false"}
        reply = self.client.request("POST", path, params=params, body=element, key=key)
        answers = reply.body.get(collection) or []
        if not answers or mapping.element_failed(answers[0]):
            messages = mapping.element_messages(answers[0]) if answers else []
            raise PermanentError("; ".join(messages) or "Xero did not void the document")

    def _documents_numbered(
        self, doc_type: DocType, numbers: Sequence[str], contact_id: str | None, skip=None
    ) -> list[RemoteDocument]:
        collection = mapping.COLLECTION_FOR_DOC[doc_type]
        supplier = contact_id if doc_type is DocType.SUPPLIER_INVOICE else None
        rows = []
        if collection == "Invoices":
            # The InvoiceNumbers filter is a comma list: a number holding a comma goes by where.
            plain = [n for n in numbers if "," not in n]
            for group in number_filters(plain):
                params = {"InvoiceNumbers": ",".join(group)}
                if supplier:
                    params["ContactIDs"] = supplier
                rows += self.client.get_all("Invoices", params)
            numbers = [n for n in numbers if "," in n]
        for start in range(0, len(numbers), NUMBERS_PER_WHERE):
            field = mapping.NUMBER_FIELD[collection]
            where = f"({mapping.where_equals(field, numbers[start : start + NUMBERS_PER_WHERE])})"
            rows += self.client.get_all(collection, {"where": where})
        # ``skip`` leaves out rows that hold the number but count as no copy (voided).
        docs = [
            mapping.parse_document(row, doc_type)
            for row in rows
            if mapping.is_live(row, doc_type) and not (skip and skip(row))
        ]
        if supplier:
            docs = [doc for doc in docs if doc.contact_id.casefold() == supplier.casefold()]
        return docs

    # --- Push ------------------------------------------------------------------------------

    def push(self, documents: Sequence[OutboundDocument]) -> list[PushResult]:
        results, bodies = self._prepare_all(documents)
        batches: dict[str, list[tuple[int, dict]]] = {}
        for index, body in bodies.items():
            collection = mapping.COLLECTION_FOR_DOC[documents[index].doc_type]
            batches.setdefault(collection, []).append((index, body))
        for collection, items in batches.items():
            results.update(self._send(collection, documents, items))
        return [results[index] for index in range(len(documents))]

    def _prepare(self, document: OutboundDocument) -> dict:
        """The document's Xero element; raises the error that stops this document alone."""
        tax_types = [
            self._tax_type(line, account, document.doc_type, position)
            for position, line, account in self._lines_with_accounts(document)
        ]
        self._check_tracking(document)
        return mapping.document_body(document, tax_types)

    def _tax_type(
        self, line: OutboundLine, account: LedgerAccount, doc_type: DocType, position: int
    ) -> str:
        if line.tax_code is None:
            return self._default_tax_id(account)
        side = mapping.side_of(doc_type)
        if side in self._tax_sides.get(line.tax_code, ()):
            return line.tax_code  # already a Xero TaxType
        # "S" is OUTPUT2 on a sale and INPUT2 on a bill: take the rate for this side,
        # preferring the account's own default when it is one of them.
        usable = [
            tax.id
            for tax in self.reference_data().tax_codes
            if tax.code == line.tax_code and side in self._tax_sides.get(tax.id, ())
        ]
        if not usable:
            raise self._unknown_tax(line.tax_code, position)
        return account.tax_code_id if account.tax_code_id in usable else usable[0]

    def _send(
        self, collection: str, documents: Sequence[OutboundDocument], items: list[tuple[int, dict]]
    ) -> dict[int, PushResult]:
        key = mapping.batch_key([documents[i].idempotency_key for i, _ in items], _KEY_NAMESPACE)
        body = {collection: [element for _, element in items]}
        try:
            reply = self.client.write("PUT", collection, body, key, unitdp=True)
        except AuthError:
            raise
        except ProviderError as error:
            return {i: failed(documents[i], error) for i, _ in items}
        answers, results = reply.body, {}
        for position, (index, _) in enumerate(items):
            document = documents[index]
            answer = answers[position] if position < len(answers) else None
            if answer is not None and not mapping.element_failed(answer):
                remote = mapping.parse_document(answer, document.doc_type)
                results[index] = PushResult(
                    document.idempotency_key, document.number, remote=remote
                )
            else:
                outcome = _element_outcome(answer, reply.resent_after_uncertain)
                results[index] = failed(document, outcome)
        return results


def _element_outcome(answer: dict | None, resent: bool) -> ProviderError:
    if answer is None:
        return UncertainError("Xero did not answer for this document; it may exist")
    messages = mapping.element_messages(answer)
    message = "; ".join(messages) or "Xero refused the document"
    if resent and any(m in DUPLICATE_MESSAGES for m in messages):
        # Our first, unanswered attempt may be the document now holding this number.
        return UncertainError(message, code="ValidationException", status=200)
    return PermanentError(message, code="ValidationException", status=200)


def number_filters(numbers: Sequence[str]) -> list[list[str]]:
    """The numbers in as few ``InvoiceNumbers`` filters as fit Xero's query-string limit
    (MAX_QUERY_LENGTH), each number counted as sent: URL-encoded, a ``%2C`` before it."""
    groups: list[list[str]] = []
    length = 0
    for number in numbers:
        size = len(quote(number, safe="")) + 3
        if not groups or length + size > NUMBERS_FILTER_ROOM:
            groups.append([])
            length = 0
        groups[-1].append(number)
        length += size
    return groups
