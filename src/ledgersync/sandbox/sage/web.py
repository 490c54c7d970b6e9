"""A small read-only web view at the Sage web app's own paths, so the ``links`` in API
answers open something and a person can watch a synced document arrive.

    /business/                                  business picker
    /contacts/customers, /contacts/suppliers    lists
    /contacts/customers/<legacy id>             one contact (the numeric id the web app uses)
    /invoicing/sales_invoices, /invoicing/sales_credit_notes, /invoicing/purchase_invoices
    /invoicing/<collection>/<id>                one document (the API's hex id)
    POST /invoicing/<collection>/<id>/payment   Record payment on a sales or purchase invoice
                                                (a contact payment allocated to it)

The business is chosen with ?business= (remembered in a cookie), else the lead business.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.app import Route, RouteKind
from ledgersync.sandbox.core.pages import (
    Shell,
    WebRule,
    document,
    facts,
    money,
    payment_form,
    read_payment_form,
    see_other,
    table,
    web_routes,
)
from ledgersync.sandbox.sage.contacts import WEB_FOLDER
from ledgersync.sandbox.sage.documents import KINDS, pay
from ledgersync.sandbox.sage.errors import SageError
from ledgersync.sandbox.sage.store import Business

if TYPE_CHECKING:
    from ledgersync.sandbox.sage.app import SageSandbox

COOKIE = "sage_sandbox_business"
SHELL = Shell(
    "Sage",
    COOKIE,
    (
        ("/business/", "Businesses"),
        ("/contacts/customers", "Customers"),
        ("/contacts/suppliers", "Suppliers"),
        ("/invoicing/sales_invoices", "Sales invoices"),
        ("/invoicing/sales_credit_notes", "Credit notes"),
        ("/invoicing/purchase_invoices", "Purchase invoices"),
    ),
    "business",
)
# The contact payment the Record payment form makes, by the document's collection.
PAYMENT_TYPES = {"sales_invoices": "CUSTOMER_RECEIPT", "purchase_invoices": "VENDOR_PAYMENT"}
FOLDER_TYPE = {folder: type_id for type_id, folder in WEB_FOLDER.items()}
TITLES = {
    "sales_invoices": "Sales invoices",
    "sales_credit_notes": "Sales credit notes",
    "purchase_invoices": "Purchase invoices",
}


def routes(app: SageSandbox) -> list[Route]:
    pages = WebView(app)
    folders = ",".join(FOLDER_TYPE)
    collections = ",".join(KINDS)
    rules: list[WebRule] = [
        ("/business/", pages.home),
        (f"/contacts/<any({folders}):folder>", pages.contacts),
        (f"/contacts/<any({folders}):folder>/<int:legacy>", pages.contact),
        (f"/invoicing/<any({collections}):collection>", pages.documents),
        (f"/invoicing/<any({collections}):collection>/<record_id>", pages.document),
    ]
    payable = ",".join(PAYMENT_TYPES)
    return [
        *web_routes(rules),
        Route(
            f"/invoicing/<any({payable}):collection>/<record_id>/payment",
            pages.record_payment,
            ("POST",),
            RouteKind.WEB,
        ),
    ]


class WebView:
    def __init__(self, app: SageSandbox) -> None:
        self.app = app

    def _business(self, request: Request) -> Business:
        return SHELL.choose(request, self.app.store)

    def _page(self, request: Request, title: str, body: str, status: int = 200) -> Response:
        business = self._business(request)
        return SHELL.page(business.name, business.id, title, body, status)

    def _missing(self, request: Request, title: str, text: str) -> Response:
        business = self._business(request)
        return SHELL.missing(business.name, business.id, title, text)

    def home(self, request: Request) -> Response:
        picker = SHELL.picker(self.app.companies(), "/contacts/customers")
        return self._page(request, "Businesses", picker)

    def contacts(self, request: Request, folder: str) -> Response:
        business = self._business(request)
        type_id = FOLDER_TYPE[folder]
        rows = "".join(
            f'<tr><td><a href="/contacts/{folder}/{c["_legacy_id"]}">{escape(c["name"])}</a></td>'
            f"<td>{escape(c['reference'])}</td><td>{c['id']}</td></tr>"
            for c in business.all("contacts")
            if any(t["id"] == type_id for t in c["contact_types"])
        )
        body = table(("Name", "Reference", "API id"), rows)
        return self._page(request, folder.capitalize(), body)

    def contact(self, request: Request, folder: str, legacy: int) -> Response:
        business = self._business(request)
        contact = next((c for c in business.all("contacts") if c["_legacy_id"] == legacy), None)
        if contact is None:
            return self._missing(request, "Contact not found", "No such contact in this business.")
        summary = facts(
            (
                ("Name", contact["name"]),
                ("Reference", contact["reference"]),
                ("Email", contact["email"]),
                ("Telephone", contact["main_contact_person"]["telephone"]),
                ("API id", contact["id"]),
                ("Web id", contact["_legacy_id"]),
            )
        )
        docs = [
            (collection, d)
            for collection in KINDS
            for d in business.all(collection)
            if d["contact"]["id"] == contact["id"]
        ]
        body = f"{summary}<h2>Documents</h2>{self._table(docs)}"
        return self._page(request, contact["name"], body)

    def documents(self, request: Request, collection: str) -> Response:
        business = self._business(request)
        docs = [(collection, d) for d in business.all(collection)]
        return self._page(request, TITLES[collection], self._table(docs))

    @staticmethod
    def _table(docs: list[tuple[str, dict]]) -> str:
        rows = "".join(
            f'<tr><td><a href="/invoicing/{collection}/{d["id"]}">'
            f"{escape(d['displayed_as'] or '(none)')}</a></td>"
            f"<td>{escape(d['reference'])}</td><td>{escape(d.get('vendor_reference', ''))}</td>"
            f"<td>{d['date']}</td><td>{escape(d['contact_name'])}</td>"
            f"<td class='num'>{money(d['total_amount'])}</td>"
            f"<td class='num'>{money(d['outstanding_amount'])}</td>"
            f"<td>{d['status']['displayed_as']}</td></tr>"
            for collection, d in docs
        )
        headings = (
            "Number",
            "Reference",
            "Vendor ref.",
            "Date",
            "Contact",
            "Total",
            "Outstanding",
            "Status",
        )
        return table(headings, rows)

    def document(
        self, request: Request, collection: str, record_id: str, error: str = ""
    ) -> Response:
        business = self._business(request)
        record = business.get(collection, record_id)
        if record is None:
            return self._missing(request, "Not found", "No such document in this business.")
        kind = KINDS[collection]
        lines = "".join(
            f"<tr><td>{escape(line['description'])}</td>"
            f"<td>{escape(line['ledger_account']['displayed_as'])}</td>"
            f"<td>{escape(line['tax_rate']['displayed_as'])}</td>"
            f"<td class='num'>{money(line['net_amount'])}</td>"
            f"<td class='num'>{money(line['tax_amount'])}</td></tr>"
            for line in record[kind.lines]
        )
        body = document(
            f"{escape(record['contact_name'])} · {record['date']}"
            f" · reference {escape(record['reference'])} · id {record['id']}",
            ("Description", "Ledger account", "Tax rate", "Net", "Tax"),
            lines,
            (
                ("Total", record["total_amount"], "total"),
                ("Outstanding", record["outstanding_amount"], "outstanding"),
            ),
        )
        if collection in PAYMENT_TYPES and record["outstanding_amount"] > 0:
            action = f"/invoicing/{collection}/{record_id}/payment?business={business.id}"
            body += payment_form(action, {}, error)
        title = f"{TITLES[collection][:-1]} {record['displayed_as']}"
        return self._page(request, title, body, 400 if error else 200)

    def record_payment(self, request: Request, collection: str, record_id: str) -> Response:
        """Record payment, from the form under an invoice: what ``POST /contact_payments``
        does, allocated in full to this document."""
        business = self._business(request)
        record = business.get(collection, record_id)
        if record is None:
            return self._missing(request, "Not found", "No such document in this business.")
        typed = read_payment_form(request)
        payment = {
            "transaction_type_id": PAYMENT_TYPES[collection],
            "contact_id": record["contact"]["id"],
            "bank_account_id": business.all("bank_accounts")[0]["id"],
            "date": typed.day or business.today(),
            "total_amount": typed.amount,
            "reference": typed.reference,
            "allocated_artefacts": [{"artefact_id": record_id, "amount": typed.amount}],
        }
        try:
            pay(business, {"contact_payment": payment})
        except SageError as error:
            return self.document(request, collection, record_id, str(error))
        return see_other(f"/invoicing/{collection}/{record_id}?business={business.id}")
