"""QuickBooks Online behind the connector contract (reference/qbo.md).

Sales lines post through one Service Item per income account (QBO has no per-line account
on invoices); bills post straight to the expense account. Pushes go out as one ``/batch``
call of up to 30 documents carrying a ``requestid``; reference data comes in one batch of
queries per instance.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

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
    PaymentsPage,
    PushResult,
    ReferenceData,
    RemoteDocument,
    TrackingList,
    TrackingSlot,
    Wanted,
    tracking_list,
)
from ledgersync.providers.connector import HttpConnector, failed
from ledgersync.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    UncertainError,
)
from ledgersync.providers.names import rank_contacts
from ledgersync.providers.quickbooks import FACTS, mapping, payments
from ledgersync.providers.quickbooks.client import QuickBooksClient, item_error

DOC_NUMBER_MAX = 21
NUMBERS_PER_QUERY = 100
DUPLICATE_DOC_NUMBER = "6140"
# Derives stable requestids for our own housekeeping writes (items, care-of moves).
_KEY_NAMESPACE = uuid.UUID("6f1c1f5e-3b0e-4d55-9d7e-6b1f0c2a9e41")


# A QuickBooks company id (realmId) is a number, today 9 to 19 digits; it goes into every API
# path, so anything else in the callback is refused before it is used.
REALM_ID = re.compile(r"[0-9]{1,32}")

OBJECT_NOT_FOUND = "610"  # also what QuickBooks says of a deleted object
# CDC looks back at most 30 days; a cursor older than that (or none) starts just inside it.
CDC_LOOK_BACK = timedelta(days=30) - timedelta(hours=1)


class QuickBooksConnector(HttpConnector):
    facts = FACTS
    scope = "com.intuit.quickbooks.accounting"
    describe_error = staticmethod(mapping.describe_error)
    callback_fields = ("code", "realmId")
    callback_missing = "a code and a company"

    def __init__(self, credentials: Credentials | None, **options: Any) -> None:
        super().__init__(credentials, **options)
        self.client = QuickBooksClient(self.api)
        self._reference: ReferenceData | None = None
        self._items: dict[str, str] | None = None  # income account id -> Service item id
        # (TaxCode id, purchase?) -> the TaxRates it applies (non-US; none for TAX/NON).
        self._rate_refs: dict[tuple[str, bool], tuple[mapping.RateRef, ...]] = {}
        self._contacts: dict[ContactKind, list[Contact]] = {}
        self._tracking: list[TrackingList] | None = None

    # --- OAuth -----------------------------------------------------------------------------

    def _credentials_from_callback(
        self, callback_params: Mapping[str, str], redirect_uri: str, code_verifier: str | None
    ) -> Credentials:
        realm = callback_params["realmId"]
        if not REALM_ID.fullmatch(realm):
            raise AuthError(
                "QuickBooks sent back a company id that is not a QuickBooks company number;"
                " nothing was connected. Click Connect to start again"
            )
        return self.api.exchange_code(callback_params["code"], redirect_uri, realm)

    def revoke(self) -> None:
        if self.credentials is None:
            return
        # QBO takes JSON here, not the RFC 7009 form body.
        self.api.token_service_post(
            self.config.revoke_url, json_body={"token": self.credentials.refresh_token}
        )

    def company(self) -> Company:
        # CompanyInfo's own Id is a record id ("1"); the company is the realm we asked about.
        info = mapping.parse_company(self.client.get(f"companyinfo/{self.client.realm}"))
        return Company(id=self.client.realm, name=info.name)

    # --- Contacts --------------------------------------------------------------------------

    def find_contacts(
        self, wanted: Wanted | str, kind: ContactKind, limit: int = 5
    ) -> list[ContactMatch]:
        return rank_contacts(wanted, self._all_contacts(kind), limit)

    def _all_contacts(self, kind: ContactKind) -> list[Contact]:
        if kind not in self._contacts:
            rows = self.client.query_all(mapping.ENTITY_FOR_KIND[kind])
            self._contacts[kind] = [mapping.parse_contact(row, kind) for row in rows]
        return self._contacts[kind]

    def get_contact(self, contact_id: str, kind: ContactKind) -> Contact | None:
        row = self._contact_row(contact_id, kind)
        return mapping.parse_contact(row, kind) if row else None

    def _contact_row(self, contact_id: str, kind: ContactKind) -> dict | None:
        if not contact_id.isascii() or not contact_id.isdigit():
            return None  # QBO ids are numbers; anything else cannot exist
        entity = mapping.ENTITY_FOR_KIND[kind]
        rows = mapping.query_rows(
            self.client.query(mapping.select(entity, f"Id = {mapping.quote(contact_id)}")), entity
        )
        return rows[0] if rows else None

    def create_contact(self, new: NewContact) -> Contact:
        problem = mapping.check_display_name(new.name)
        if problem:
            raise PermanentError(problem)
        entity = mapping.ENTITY_FOR_KIND[new.kind]
        request_id = new.idempotency_key or uuid.uuid4().hex
        row = self.client.create(entity, mapping.contact_body(new), request_id)
        contact = mapping.parse_contact(row, new.kind)
        if new.kind in self._contacts:
            self._contacts[new.kind].append(contact)
        return contact

    def validate_accs_id(self, text: str) -> str:
        value = text.strip()
        if not value.isascii() or not value.isdigit():
            raise InvalidAccsId(
                f"AccountsID ({value}) is not correct, QuickBooks requires a number"
            )
        return value

    # --- Reference data --------------------------------------------------------------------

    def reference_data(self) -> ReferenceData:
        if self._reference is None:
            rows = self.client.select_all(["Account", "TaxCode", "TaxRate", "Item"])
            accounts: dict[str, LedgerAccount] = {}
            for row in rows["Account"]:
                account = mapping.parse_account(row)
                if account is not None and account.active:
                    accounts.setdefault(account.code, account)
            taxes = mapping.parse_tax_codes(rows["TaxCode"], rows["TaxRate"])
            self._rate_refs = mapping.rate_refs(rows["TaxCode"], rows["TaxRate"])
            self._reference = ReferenceData(accounts=accounts, tax_codes=taxes)
            self._items = {}
            for row in rows["Item"]:
                account_id = mapping.parse_item_account(row)
                if account_id is not None:
                    self._items.setdefault(account_id, str(row["Id"]))
        return self._reference

    def tracking_lists(self) -> list[TrackingList]:
        if self._tracking is None:
            entities = mapping.TRACKING_ENTITIES
            rows = self.client.select_all(list(entities.values()))
            self._tracking = [
                mapping.parse_tracking(slot, rows[entity]) for slot, entity in entities.items()
            ]
        return self._tracking

    def _tracking_ids(self, document: OutboundDocument) -> dict[TrackingSlot, str]:
        """The Class / Department id of each option the document books. The checks stop a
        document whose option is missing, so one missing here was removed since."""
        ids = {}
        for wanted in document.tracking:
            found = tracking_list(self.tracking_lists(), wanted.slot)
            option = found.option(wanted.option) if found else None
            if option is None:
                raise PermanentError(
                    f"{wanted.slot.label} '{wanted.option}' does not exist in QuickBooks"
                )
            ids[wanted.slot] = option.id
        return ids

    def existing_numbers(
        self, doc_type: DocType, numbers: Iterable[str], contact_id: str | None = None
    ) -> set[str]:
        wanted = list(dict.fromkeys(numbers))
        found: set[str] = set()
        for start in range(0, len(wanted), NUMBERS_PER_QUERY):
            chunk = wanted[start : start + NUMBERS_PER_QUERY]
            remote = self._documents_numbered(doc_type, chunk, contact_id)
            # QBO compares query values case-insensitively; answer in our own spelling.
            seen = {doc.number.casefold() for doc in remote}
            found.update(number for number in chunk if number.casefold() in seen)
        return found

    def find_document(
        self, doc_type: DocType, number: str, contact_id: str | None = None
    ) -> RemoteDocument | None:
        matches = self._documents_numbered(doc_type, [number], contact_id)
        return matches[0] if matches else None

    def find_documents(
        self, doc_type: DocType, number: str, contact_id: str | None = None
    ) -> list[RemoteDocument]:
        entity = mapping.ENTITY_FOR_DOC[doc_type]
        rows = self.client.query_all(entity, mapping.in_list("DocNumber", [number]))
        docs = [mapping.parse_document(row, doc_type) for row in rows if not mapping.voided(row)]
        if contact_id is not None and doc_type is DocType.SUPPLIER_INVOICE:
            docs = [doc for doc in docs if doc.contact_id == contact_id]
        return [doc for doc in docs if doc.number.casefold() == number.casefold()]

    def payments_since(self, since: datetime | None) -> PaymentsPage:
        # Our clock only keeps the request inside QuickBooks' window; the cursor is theirs.
        earliest = datetime.now(UTC) - CDC_LOOK_BACK
        start = since if since is not None and since > earliest else earliest
        rows = payments.cdc_rows(
            self.client.get_with(
                "cdc",
                {
                    "entities": ",".join(payments.CDC_ENTITIES),
                    "changedSince": start.isoformat(timespec="seconds"),
                },
            )
        )
        documents = payments.live_documents(rows)
        known = {
            entity: {str(r["Id"]): r for r in rows.get(entity, []) if r.get("status") != "Deleted"}
            for entity in payments.PAYMENT_ENTITIES
        }
        for entity in payments.PAYMENT_ENTITIES:
            missing = {
                payment_id
                for _, row in documents
                for payment_id in payments.payment_ids(row)[entity]
                if payment_id not in known[entity]
            }
            if missing:
                found = self.client.query_all(entity, mapping.in_list("Id", sorted(missing)))
                known[entity].update({str(r["Id"]): r for r in found})
        states = []
        for entity, row in documents:
            wanted = payments.payment_ids(row)
            applied = {
                f"{kind}:{pid}": known[kind][pid]
                for kind, ids in wanted.items()
                for pid in ids
                if pid in known[kind]
            }
            states.append(payments.paid_state(entity, row, applied))
        return PaymentsPage(tuple(states), payments.newest_change(rows) or since)

    def void_document(self, document: RemoteDocument) -> None:
        entity = mapping.ENTITY_FOR_DOC[document.doc_type]
        try:
            row = self.client.get(f"{entity.lower()}/{document.remote_id}").get(entity)
        except PermanentError as error:
            if error.code == OBJECT_NOT_FOUND:
                return  # deleted already
            raise
        if not row or mapping.voided(row):
            return
        # Only invoices can be voided through the API; bills and credit memos are deleted.
        operation = "void" if entity == "Invoice" else "delete"
        body = {"Id": str(row["Id"]), "SyncToken": str(row["SyncToken"])}
        key = str(uuid.uuid5(_KEY_NAMESPACE, f"{operation}:{row['Id']}:{row['SyncToken']}"))
        self.client.change(entity, operation, body, key)

    def _documents_numbered(
        self, doc_type: DocType, numbers: Sequence[str], contact_id: str | None
    ) -> list[RemoteDocument]:
        if not numbers:
            return []
        entity = mapping.ENTITY_FOR_DOC[doc_type]
        rows = self.client.query_all(entity, mapping.in_list("DocNumber", numbers))
        docs = [mapping.parse_document(row, doc_type) for row in rows]
        if contact_id is not None and doc_type is DocType.SUPPLIER_INVOICE:
            docs = [doc for doc in docs if doc.contact_id == contact_id]
        return docs

    # --- Push ------------------------------------------------------------------------------

    def push(self, documents: Sequence[OutboundDocument]) -> list[PushResult]:
        results, bodies = self._prepare_all(documents)
        operations = [
            (f"d{index}", mapping.ENTITY_FOR_DOC[documents[index].doc_type], body)
            for index, body in bodies.items()
        ]
        if operations:
            results.update(self._send_batch(documents, operations))
        return [results[index] for index in range(len(documents))]

    def _prepare(self, document: OutboundDocument) -> dict:
        """The document's QBO body; raises the error that stops this document alone."""
        self._check_number_length(document, DOC_NUMBER_MAX)
        tax_ids = [
            self._tax_id(line.tax_code, account, position)
            for position, line, account in self._lines_with_accounts(document)
        ]
        reference = self.reference_data()
        items = {}
        if document.doc_type is not DocType.SUPPLIER_INVOICE:
            for line in document.lines:
                items[line.nominal_code] = self._item_for(reference.accounts[line.nominal_code])
            if document.care_of_contact_id:
                self._place_under_care_of(document, document.care_of_contact_id)
        purchase = document.doc_type is DocType.SUPPLIER_INVOICE
        return mapping.document_body(
            document,
            accounts=reference.accounts,
            items=items,
            tax_ids=tax_ids,
            line_rates=[self._rate_refs.get((tax_id, purchase), ()) for tax_id in tax_ids],
            tracking_ids=self._tracking_ids(document),
        )

    def _tax_id(self, wanted: str | None, account, position: int) -> str:
        if wanted is None:
            return self._default_tax_id(account)
        tax = self.reference_data().tax_code(wanted)
        if tax is None:
            raise self._unknown_tax(wanted, position)
        return tax.id

    def _item_for(self, account) -> str:
        """The Service item posting to ``account``, created on first use (cached per run)."""
        self.reference_data()
        assert self._items is not None
        if account.id not in self._items:
            request_id = str(uuid.uuid5(_KEY_NAMESPACE, f"item:{self.client.realm}:{account.id}"))
            row = self.client.create("Item", mapping.item_body(account), request_id)
            self._items[account.id] = str(row["Id"])
        return self._items[account.id]

    def _place_under_care_of(self, document: OutboundDocument, care_of_id: str) -> None:
        """QBO bills a care-of party (``care_of_id``) as the parent of the client's customer
        record."""
        row = self._contact_row(document.contact_id, ContactKind.CUSTOMER)
        if row is None:
            raise PermanentError(f"Customer {document.contact_id} does not exist in QuickBooks")
        customer = mapping.parse_contact(row, ContactKind.CUSTOMER)
        if customer.parent_id == care_of_id:
            return
        body = mapping.care_of_update(customer, care_of_id, str(row["SyncToken"]))
        key = f"care-of:{document.idempotency_key}:{row['SyncToken']}"
        self.client.create("Customer", body, str(uuid.uuid5(_KEY_NAMESPACE, key)))

    def _send_batch(
        self, documents: Sequence[OutboundDocument], operations: list
    ) -> dict[int, PushResult]:
        indexes = [int(bid[1:]) for bid, _, _ in operations]
        request_id = batch_request_id([documents[i].idempotency_key for i in indexes])
        try:
            reply = self.client.batch(mapping.batch_body(operations), request_id)
        except AuthError:
            raise
        except ProviderError as error:
            return {i: failed(documents[i], error) for i in indexes}
        results = {}
        for bid, entity, _ in operations:
            index, document = int(bid[1:]), documents[int(bid[1:])]
            item = reply.body.get(bid)
            if item is not None and entity in item:
                remote = mapping.parse_document(item[entity], document.doc_type)
                results[index] = PushResult(
                    document.idempotency_key, document.number, remote=remote
                )
                continue
            results[index] = failed(document, _item_outcome(item, reply.resent_after_uncertain))
        return results


def _item_outcome(item: dict | None, resent: bool) -> ProviderError:
    if item is None or "Fault" not in item:
        return UncertainError("QuickBooks did not answer for this document; it may exist")
    error = item_error(item["Fault"], write=True)
    if resent and error.code == DUPLICATE_DOC_NUMBER:
        # Our first, unanswered attempt may be the document now holding this number.
        return UncertainError(error.message, code=error.code, status=error.status)
    return error


def batch_request_id(keys: Sequence[str]) -> str:
    """One requestid for a batch: the document's own key for a batch of one, else a stable
    digest of the keys, so re-sending the same documents is answered, not re-applied."""
    if len(keys) == 1 and len(keys[0]) <= 36:
        return keys[0]
    return str(uuid.uuid5(_KEY_NAMESPACE, "|".join(keys)))
