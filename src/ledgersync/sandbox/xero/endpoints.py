"""The Accounting API resources under ``/api.xro/2.0``: what each route reads and
writes. ``XeroSandbox.api`` wraps every handler with the tenant, scope and error rules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.wire import json_response
from ledgersync.sandbox.xero import contacts, documents, payments, reads, writes
from ledgersync.sandbox.xero.documents import DocKind
from ledgersync.sandbox.xero.errors import ElementInvalid, NotFound
from ledgersync.sandbox.xero.store import Organisation, render
from ledgersync.sandbox.xero.wire import envelope, ms_stamp

if TYPE_CHECKING:
    from ledgersync.sandbox.xero.app import XeroSandbox

Shown = TypeVar("Shown")  # what a single-record endpoint presents: a record dict or the org

CONTACT_RULES = reads.ListRules(
    "ContactID",
    search_fields=("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress"),
    archived_status=("ContactStatus", "ARCHIVED"),
)
INVOICE_RULES = reads.ListRules(
    "InvoiceID",
    search_fields=("InvoiceNumber", "Reference"),
    list_filters=(
        ("InvoiceNumbers", "InvoiceNumber"),
        ("ContactIDs", "Contact.ContactID"),
        ("Statuses", "Status"),
    ),
)
CREDIT_NOTE_RULES = reads.ListRules("CreditNoteID", search_fields=("CreditNoteNumber", "Reference"))
PAYMENT_RULES = reads.ListRules("PaymentID")
SETTINGS_RULES = reads.ListRules("Code", pageable=False)
TRACKING_RULES = reads.ListRules(
    "TrackingCategoryID", archived_status=("Status", "ARCHIVED"), pageable=False
)


class Endpoints:
    def __init__(self, app: XeroSandbox) -> None:
        self.app = app

    def _list(self, request: Request, collection: str, records, rules, present) -> Response:
        chosen = reads.select(
            records, request.args, rules, request.headers.get("If-Modified-Since")
        )
        settings = self.app.settings
        if rules.pageable:
            shown, pagination = reads.page(
                chosen, request.args, settings.default_page_size, settings.max_page_size, present
            )
        else:
            shown, pagination = [present(r) for r in chosen], None
        extra = {"pagination": pagination} if pagination else {}
        return json_response(
            envelope(settings.provider_name, self.app.clock.now(), collection, shown, **extra)
        )

    def _one(
        self, collection: str, record: Shown | None, present: Callable[[Shown], dict]
    ) -> Response:
        if record is None:
            raise NotFound()
        return json_response(
            envelope(
                self.app.settings.provider_name, self.app.clock.now(), collection, [present(record)]
            )
        )

    # ---- contacts -----------------------------------------------------------------------

    def contacts(self, request: Request, org: Organisation, unitdp: int) -> Response:
        if request.method == "GET":
            shown = contacts.summary_only if _summary_only(request) else render
            return self._list(request, "Contacts", org.contacts.values(), CONTACT_RULES, shown)
        return writes.write(self.app, request, org, CONTACT_WRITER, unitdp)

    def contact(
        self, request: Request, org: Organisation, unitdp: int, contact_id: str
    ) -> Response:
        found = contacts.find(org, {"ContactID": contact_id}) if _is_id(contact_id) else None
        found = found or contacts.find(org, {"ContactNumber": contact_id})
        if request.method == "GET":
            return self._one("Contacts", found, render)
        if found is None:
            raise NotFound()
        return writes.write(self.app, request, org, _for_record(CONTACT_WRITER, found), unitdp)

    # ---- invoices and credit notes ----------------------------------------------------------

    def documents(
        self, request: Request, org: Organisation, unitdp: int, kind: DocKind
    ) -> Response:
        if request.method == "GET":
            rules = INVOICE_RULES if kind is documents.INVOICES else CREDIT_NOTE_RULES
            trim = documents.listed(
                kind, paged="page" in request.args, summary_only=_summary_only(request)
            )
            present = lambda r: trim(documents.present(org, r, unitdp))  # noqa: E731
            return self._list(request, kind.collection, kind.records(org).values(), rules, present)
        return writes.write(self.app, request, org, DOCUMENT_WRITERS[kind], unitdp)

    def document(
        self, request: Request, org: Organisation, unitdp: int, kind: DocKind, doc_id: str
    ) -> Response:
        found = documents.find(org, kind, doc_id)
        if request.method == "GET":
            return self._one(kind.collection, found, lambda r: documents.present(org, r, unitdp))
        if found is None:
            raise NotFound()
        return writes.write(
            self.app, request, org, _for_record(DOCUMENT_WRITERS[kind], found), unitdp
        )

    # ---- payments and settings ----------------------------------------------------------

    def payments(self, request: Request, org: Organisation, unitdp: int) -> Response:
        if request.method == "GET":
            present = lambda r: payments.present(org, r)  # noqa: E731
            return self._list(request, "Payments", org.payments.values(), PAYMENT_RULES, present)
        return writes.write(self.app, request, org, PAYMENT_WRITER, unitdp)

    def payment(
        self, request: Request, org: Organisation, unitdp: int, payment_id: str
    ) -> Response:
        found = org.payments.get(payment_id.lower())
        if request.method == "GET":
            return self._one("Payments", found, lambda r: payments.present(org, r))
        if found is None:
            raise NotFound()
        return writes.write(self.app, request, org, _for_record(PAYMENT_WRITER, found), unitdp)

    def accounts(self, request: Request, org: Organisation, unitdp: int) -> Response:
        return self._list(request, "Accounts", org.accounts.values(), SETTINGS_RULES, render)

    def account(
        self, request: Request, org: Organisation, unitdp: int, account_id: str
    ) -> Response:
        return self._one("Accounts", org.accounts.get(account_id.lower()), render)

    def tax_rates(self, request: Request, org: Organisation, unitdp: int) -> Response:
        return self._list(request, "TaxRates", org.tax_rates.values(), SETTINGS_RULES, render)

    def tracking_categories(self, request: Request, org: Organisation, unitdp: int) -> Response:
        """GET /TrackingCategories: active categories and options unless includeArchived=true
        (xero-accounting.yaml getTrackingCategories)."""
        archived = request.args.get("includeArchived", "").lower() == "true"

        def present(category: dict) -> dict:
            shown = dict(category)
            shown["Options"] = [
                dict(o) for o in category["Options"] if archived or o["Status"] == "ACTIVE"
            ]
            return render(shown)

        return self._list(
            request, "TrackingCategories", org.tracking_categories.values(), TRACKING_RULES, present
        )

    def organisation(self, request: Request, org: Organisation, unitdp: int) -> Response:
        return self._one("Organisations", org, lambda o: organisation_record(o))


def _summary_only(request: Request) -> bool:
    return request.args.get("summaryOnly", "").strip().lower() == "true"


def _is_id(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


def organisation_record(org: Organisation) -> dict:
    return {
        "OrganisationID": org.tenant_id,
        "APIKey": "",
        "Name": org.name,
        "LegalName": org.name,
        "PaysTax": True,
        "Version": "UK",
        "OrganisationType": "COMPANY",
        "BaseCurrency": "GBP",
        "CountryCode": "GB",
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        # A timestamp carries no offset: "/Date(1584566350680)/" (xero-python's recorded
        # test_get_organisations cassette).
        "CreatedDateUTC": ms_stamp(org.created),
        "OrganisationEntityType": "COMPANY",
        "Timezone": "GMTSTANDARDTIME",
        "ShortCode": org.short_code,
        "Edition": "BUSINESS",
        "Class": "STANDARD",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }


# ---- writers: how each collection's elements are saved -------------------------------------


def _save_contact(org: Organisation, data: dict, method: str, unitdp: int) -> dict:
    existing = contacts.find(org, data) if method == "POST" else None
    if method == "POST" and data.get("ContactID") and existing is None:
        raise ElementInvalid("An existing Contact with the specified ContactID could not be found")
    return contacts.save(org, data, existing)


def _document_saver(kind: DocKind):
    def save(org: Organisation, data: dict, method: str, unitdp: int) -> dict:
        existing = None
        if method == "POST" and data.get(kind.id_field):
            existing = documents.find(org, kind, str(data[kind.id_field]))
            if existing is None:
                raise ElementInvalid(
                    f"An existing {kind.singular} with the specified {kind.id_field} could not "
                    "be found"
                )
        elif (
            method == "POST" and data.get(kind.number_field) and data.get("Type") == kind.sales_type
        ):
            # POST upserts: a sales number already in use updates that document.
            found = documents.find(org, kind, str(data[kind.number_field]))
            if (
                found is not None
                and found["Type"] == kind.sales_type
                and found["Status"] != "DELETED"
            ):
                existing = found
        return documents.save(org, kind, data, unitdp, existing)

    return save


def _save_payment(org: Organisation, data: dict, method: str, unitdp: int) -> dict:
    return payments.create(org, data)


def _for_record(writer: writes.Writer, record: dict) -> writes.Writer:
    """A writer for ``POST /<Collection>/{id}``: every element updates that record."""
    id_field = f"{writer.singular}ID"

    def save(org: Organisation, data: dict, method: str, unitdp: int) -> dict:
        if writer is PAYMENT_WRITER:
            return payments.delete(org, record, data)
        return writer.save(org, {**data, id_field: record[id_field]}, "POST", unitdp)

    return writes.Writer(writer.collection, writer.singular, save, writer.present, writer.failed)


CONTACT_WRITER = writes.Writer(
    "Contacts",
    "Contact",
    _save_contact,
    lambda org, record, unitdp: render(record),
    lambda data, messages: _failed_contact(data, messages),
)
DOCUMENT_WRITERS = {
    kind: writes.Writer(
        kind.collection,
        kind.singular,
        _document_saver(kind),
        documents.present,
        functools.partial(documents.failed_element, kind),
    )
    for kind in (documents.INVOICES, documents.CREDIT_NOTES)
}
PAYMENT_WRITER = writes.Writer(
    "Payments",
    "Payment",
    _save_payment,
    lambda org, record, unitdp: payments.present(org, record),
    lambda data, messages: _validation_errors(messages),
)


def _failed_contact(data: object, messages: list[str]) -> dict:
    element: dict[str, object] = {
        k: v
        for k, v in (data if isinstance(data, dict) else {}).items()
        if k in ("Name", "EmailAddress") and isinstance(v, str)
    }
    element.update(_validation_errors(messages))
    return element


def _validation_errors(messages: list[str]) -> dict[str, object]:
    """The fields Xero adds to an element it refused, after the element's own."""
    return {
        "HasValidationErrors": True,
        "StatusAttributeString": "ERROR",
        "ValidationErrors": [{"Message": m} for m in messages],
    }
