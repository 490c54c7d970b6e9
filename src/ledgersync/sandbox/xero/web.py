"""A small read-only web view at go.xero.com's own paths, so a contact link ledgersync
builds (``/Contacts/View/<ContactID>``) opens here as it would in Xero.

    /Dashboard                                       organisations (?shortcode= picks one)
    /Contacts                                        contacts of the chosen organisation
    /Contacts/View/<ContactID>                       one contact and its documents
    /AccountsReceivable/View.aspx?InvoiceID=<id>     a sales invoice
    /AccountsPayable/Edit.aspx?InvoiceID=<id>        a bill
    /AccountsReceivable/ViewCreditNote.aspx?creditNoteID=<id>
    POST /AccountsReceivable/RecordPayment           Record payment on an authorised invoice
                                                     (sales or bill), from the seeded bank

Like Xero, a deep link without an organisation opens in the one last chosen (a cookie),
and a contact or document id is looked up in every organisation when it is not there.
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
from ledgersync.sandbox.xero import payments
from ledgersync.sandbox.xero.errors import ElementInvalid, XeroProblem
from ledgersync.sandbox.xero.seed import BANK
from ledgersync.sandbox.xero.store import Organisation

if TYPE_CHECKING:
    from ledgersync.sandbox.xero.app import XeroSandbox

PREFIXES = (
    "/Dashboard",
    "/Contacts",
    "/AccountsReceivable",
    "/AccountsPayable",
    "/TrackingCategories",
)
COOKIE = "xero_sandbox_shortcode"
RECORD_PAYMENT = "/AccountsReceivable/RecordPayment"
SHELL = Shell(
    "Xero",
    COOKIE,
    (("/Dashboard", "Dashboard"), ("/Contacts", "Contacts"), ("/TrackingCategories", "Tracking")),
    "shortcode",
)


def routes(app: XeroSandbox) -> list[Route]:
    pages = WebView(app)
    rules: list[WebRule] = [
        ("/Dashboard", pages.dashboard),
        ("/Contacts", pages.contacts),
        ("/Contacts/View/<contact_id>", pages.contact),
        ("/TrackingCategories", pages.tracking),
        ("/AccountsReceivable/View.aspx", lambda r: pages.document(r, "invoices", "InvoiceID")),
        ("/AccountsPayable/Edit.aspx", lambda r: pages.document(r, "invoices", "InvoiceID")),
        (
            "/AccountsReceivable/ViewCreditNote.aspx",
            lambda r: pages.document(r, "credit_notes", "creditNoteID"),
        ),
    ]
    return [
        *web_routes(rules),
        Route(RECORD_PAYMENT, pages.record_payment, ("POST",), RouteKind.WEB),
    ]


def _link(record: dict) -> str:
    if "CreditNoteID" in record:
        return f"/AccountsReceivable/ViewCreditNote.aspx?creditNoteID={record['CreditNoteID']}"
    page = (
        "AccountsReceivable/View.aspx"
        if record["Type"] == "ACCREC"
        else "AccountsPayable/Edit.aspx"
    )
    return f"/{page}?InvoiceID={record['InvoiceID']}"


def _tracking_text(line: dict) -> str:
    """A line's tracking as Xero shows it under the description: " · Job: Servicing"."""
    return "".join(
        f" · {escape(t['Name'])}: {escape(t['Option'])}" for t in line.get("Tracking") or []
    )


def _number(record: dict) -> str:
    return record.get("InvoiceNumber") or record.get("CreditNoteNumber") or ""


class WebView:
    def __init__(self, app: XeroSandbox) -> None:
        self.app = app

    def _org(self, request: Request) -> Organisation:
        return SHELL.choose(request, {o.short_code: o for o in self.app.orgs.values()})

    def _page(self, org: Organisation, title: str, body: str, status: int = 200) -> Response:
        return SHELL.page(org.name, org.short_code, title, body, status)

    def _find(
        self, request: Request, attribute: str, record_id: str
    ) -> tuple[Organisation, dict | None]:
        first = self._org(request)
        for org in [first, *(o for o in self.app.orgs.values() if o is not first)]:
            record = getattr(org, attribute).get(record_id.lower())
            if record is not None:
                return org, record
        return first, None

    def dashboard(self, request: Request) -> Response:
        rows = "".join(
            f'<li><a href="/Dashboard?shortcode={escape(o.short_code)}">{escape(o.name)}</a> '
            f"(tenant {o.tenant_id})</li>"
            for o in self.app.orgs.values()
        )
        org = self._org(request)
        docs = [*org.invoices.values(), *org.credit_notes.values()]
        return self._page(
            org,
            "Dashboard",
            f"<h2>Organisations</h2><ul>{rows}</ul><h2>Documents</h2>{self._table(docs)}",
        )

    def contacts(self, request: Request) -> Response:
        org = self._org(request)
        rows = "".join(
            f'<tr><td><a href="/Contacts/View/{c["ContactID"]}">{escape(c["Name"])}</a></td>'
            f"<td>{c['ContactStatus']}</td><td>{escape(c.get('EmailAddress', ''))}</td></tr>"
            for c in sorted(org.contacts.values(), key=lambda c: c["Name"].casefold())
        )
        return self._page(org, "Contacts", table(("Name", "Status", "Email"), rows))

    def tracking(self, request: Request) -> Response:
        """Every tracking category with its options and their status."""
        org = self._org(request)
        parts = []
        for category in org.tracking_categories.values():
            rows = "".join(
                f"<tr><td>{escape(o['Name'])}</td><td>{o['Status']}</td></tr>"
                for o in category["Options"]
            )
            parts.append(
                f"<h2>{escape(category['Name'])} ({category['Status']})</h2>"
                f"{table(('Option', 'Status'), rows)}"
            )
        return self._page(org, "Tracking categories", "".join(parts))

    def contact(self, request: Request, contact_id: str) -> Response:
        org, contact = self._find(request, "contacts", contact_id)
        if contact is None:
            return SHELL.missing(org.name, org.short_code, "Contact not found", "No such contact.")
        docs = [
            d
            for d in [*org.invoices.values(), *org.credit_notes.values()]
            if d["Contact"]["ContactID"] == contact["ContactID"]
        ]
        shown = ("ContactID", "Name", "ContactStatus", "EmailAddress", "IsCustomer", "IsSupplier")
        summary = facts((k, contact.get(k, "")) for k in shown)
        return self._page(org, contact["Name"], f"{summary}<h2>Documents</h2>{self._table(docs)}")

    def document(
        self, request: Request, attribute: str, parameter: str, error: str = ""
    ) -> Response:
        wanted = request.args.get(parameter, "") or request.form.get(parameter, "")
        org, record = self._find(request, attribute, wanted)
        if record is None:
            return SHELL.missing(
                org.name, org.short_code, "Document not found", "No such document."
            )
        number = _number(record)
        lines = "".join(
            f"<tr><td>{escape(ln['Description'])}{_tracking_text(ln)}</td>"
            f"<td>{escape(ln.get('AccountCode', ''))}</td>"
            f"<td>{escape(ln['TaxType'])}</td><td class='num'>{money(ln['LineAmount'])}</td>"
            f"<td class='num'>{money(ln['TaxAmount'])}</td></tr>"
            for ln in record["LineItems"]
        )
        body = document(
            f"{record['Type']} · {escape(record['Contact']['Name'])} · {record['Date']}"
            f" · {record['Status']}",
            ("Description", "Account", "Tax rate", "Amount", "Tax"),
            lines,
            (
                ("Subtotal", record["SubTotal"], ""),
                ("Total tax", record["TotalTax"], ""),
                ("Total", record["Total"], "total"),
                ("Amount due", record.get("AmountDue", record.get("RemainingCredit")), "due"),
            ),
        )
        if attribute == "invoices" and record["Status"] == "AUTHORISED":
            action = f"{RECORD_PAYMENT}?shortcode={org.short_code}"
            body += payment_form(action, {"InvoiceID": record["InvoiceID"]}, error)
        title = f"{record['Type']} {number}".strip()
        return self._page(org, title, body, 400 if error else 200)

    def record_payment(self, request: Request) -> Response:
        """Record payment, from the form under an invoice: what ``PUT /Payments`` does."""
        org, record = self._find(request, "invoices", request.form.get("InvoiceID", ""))
        if record is None:
            return SHELL.missing(org.name, org.short_code, "Document not found", "No such one.")
        typed = read_payment_form(request)
        data = {
            "Invoice": {"InvoiceID": record["InvoiceID"]},
            "Account": {"Code": BANK},
            "Amount": typed.amount,
            "Reference": typed.reference,
        }
        if typed.day:
            data["Date"] = typed.day
        try:
            with org.lock:
                payments.create(org, data)
        except ElementInvalid as invalid:
            return self.document(request, "invoices", "InvoiceID", "; ".join(invalid.messages))
        except XeroProblem as problem:
            return self.document(request, "invoices", "InvoiceID", problem.message)
        return see_other(f"{_link(record)}&shortcode={org.short_code}")

    @staticmethod
    def _table(docs: list[dict]) -> str:
        rows = "".join(
            f'<tr><td>{d["Type"]}</td><td><a href="{_link(d)}">'
            f"{escape(_number(d) or '(no number)')}</a></td>"
            f"<td>{d['Date']}</td><td>{escape(d['Contact']['Name'])}</td><td>{d['Status']}</td>"
            f"<td class='num'>{money(d['Total'])}</td></tr>"
            for d in docs
        )
        return table(("Type", "Number", "Date", "Contact", "Status", "Total"), rows)
