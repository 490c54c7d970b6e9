"""A small read-only web view, so a person can watch a synced document arrive.

    /app/                              company picker
    /app/customers, /app/vendors       lists
    /app/customerdetail?nameId=<Id>    one customer (the real QuickBooks deep-link shape)
    /app/vendordetail?nameId=<Id>      one vendor
    /app/invoices, /app/bills          sales (invoices and credit memos) and bills
    /app/invoice?txnId=<Id>, /app/creditmemo?txnId=<Id>, /app/bill?txnId=<Id>
    /app/classes                       classes and locations (Department)
    POST /app/recordpayment            Record payment on an invoice (a Payment) or a bill
                                       (a BillPayment by cheque), as QuickBooks' own app does

The company is chosen with ?realmId= (remembered in a cookie), else the first company.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.app import Route, RouteKind
from ledgersync.sandbox.core.pages import (
    Shell,
    document,
    facts,
    money,
    payment_form,
    read_payment_form,
    see_other,
    table,
    web_routes,
)
from ledgersync.sandbox.quickbooks import errors, operations
from ledgersync.sandbox.quickbooks.context import WriteContext
from ledgersync.sandbox.quickbooks.store import Company

if TYPE_CHECKING:
    from ledgersync.sandbox.quickbooks.app import QuickBooksSandbox

COOKIE = "qbo_sandbox_realm"
# What the Record payment form makes for each kind of transaction.
PAYABLE = {"Invoice": "Payment", "Bill": "BillPayment"}
SHELL = Shell(
    "QuickBooks",
    COOKIE,
    (
        ("/app/", "Companies"),
        ("/app/customers", "Customers"),
        ("/app/vendors", "Vendors"),
        ("/app/invoices", "Sales"),
        ("/app/bills", "Bills"),
        ("/app/classes", "Classes & locations"),
    ),
    "realmId",
)


def routes(app: QuickBooksSandbox) -> list[Route]:
    pages = WebView(app)
    rules = [
        ("/app/", pages.home),
        ("/app/customers", pages.customers),
        ("/app/vendors", pages.vendors),
        ("/app/customerdetail", pages.customer),
        ("/app/vendordetail", pages.vendor),
        ("/app/invoices", pages.sales),
        ("/app/bills", pages.bills),
        ("/app/classes", pages.tracking),
        ("/app/invoice", lambda r: pages.transaction(r, "Invoice")),
        ("/app/creditmemo", lambda r: pages.transaction(r, "CreditMemo")),
        ("/app/bill", lambda r: pages.transaction(r, "Bill")),
    ]
    return [
        *web_routes(rules),
        Route("/app/recordpayment", pages.record_payment, ("POST",), RouteKind.WEB),
    ]


class WebView:
    def __init__(self, app: QuickBooksSandbox) -> None:
        self.app = app

    def _company(self, request: Request) -> Company:
        return SHELL.choose(request, self.app.store)

    def _page(self, request: Request, title: str, body: str, status: int = 200) -> Response:
        company = self._company(request)
        return SHELL.page(company.name, company.realm_id, title, body, status)

    def _missing(self, request: Request, title: str, text: str) -> Response:
        company = self._company(request)
        return SHELL.missing(company.name, company.realm_id, title, text)

    def home(self, request: Request) -> Response:
        return self._page(
            request, "Companies", SHELL.picker(self.app.companies(), "/app/customers")
        )

    def customers(self, request: Request) -> Response:
        return self._names(request, "Customer", "FullyQualifiedName", with_active=True)

    def vendors(self, request: Request) -> Response:
        return self._names(request, "Vendor", "DisplayName", with_active=False)

    def _names(self, request: Request, entity: str, label: str, *, with_active: bool) -> Response:
        """The customer or vendor list, each name a link to its detail page."""
        company = self._company(request)
        rows = "".join(
            f'<tr><td>{r["Id"]}</td><td><a href="/app/{entity.lower()}detail?nameId={r["Id"]}">'
            f"{escape(r[label])}</a></td>"
            + (f"<td>{'yes' if r['Active'] else 'no'}</td>" if with_active else "")
            + "</tr>"
            for r in company.all(entity)
        )
        headings = ("Id", "Name", "Active") if with_active else ("Id", "Name")
        return self._page(request, f"{entity}s", table(headings, rows))

    def customer(self, request: Request) -> Response:
        return self._name_detail(request, "Customer", "CustomerRef")

    def vendor(self, request: Request) -> Response:
        return self._name_detail(request, "Vendor", "VendorRef")

    def _name_detail(self, request: Request, entity: str, ref_field: str) -> Response:
        company = self._company(request)
        record = company.get(entity, request.args.get("nameId", ""))
        if record is None:
            return self._missing(request, f"{entity} not found", "No such record in this company.")
        shown = ("Id", "DisplayName", "CompanyName", "FullyQualifiedName", "Active", "Balance")
        summary = facts((k, record.get(k, "")) for k in shown if k in record)
        docs = [
            (kind, t)
            for kind in ("Invoice", "CreditMemo", "Bill")
            for t in company.all(kind)
            if t.get(ref_field, {}).get("value") == record["Id"]
        ]
        return self._page(
            request,
            record["DisplayName"],
            f"{summary}<h2>Transactions</h2>{self._txn_table(docs)}",
        )

    def sales(self, request: Request) -> Response:
        company = self._company(request)
        docs = [(kind, t) for kind in ("Invoice", "CreditMemo") for t in company.all(kind)]
        return self._page(request, "Invoices and credit memos", self._txn_table(docs))

    def bills(self, request: Request) -> Response:
        company = self._company(request)
        return self._page(
            request, "Bills", self._txn_table([("Bill", t) for t in company.all("Bill")])
        )

    def tracking(self, request: Request) -> Response:
        """Every class and location (Department) with its Id and whether it is active."""
        company = self._company(request)
        parts = []
        for entity, heading in (("Class", "Classes"), ("Department", "Locations")):
            rows = "".join(
                f"<tr><td>{r['Id']}</td><td>{escape(r['FullyQualifiedName'])}</td>"
                f"<td>{'yes' if r.get('Active', True) else 'no'}</td></tr>"
                for r in company.all(entity)
            )
            parts.append(f"<h2>{heading}</h2>{table(('Id', 'Name', 'Active'), rows)}")
        return self._page(request, "Classes and locations", "".join(parts))

    def _txn_table(self, docs: list[tuple[str, dict]]) -> str:
        rows = "".join(
            f'<tr><td>{kind}</td><td><a href="/app/{kind.lower()}?txnId={t["Id"]}">'
            f"{escape(t.get('DocNumber', '(no number)'))}</a></td><td>{t['TxnDate']}</td>"
            f"<td>{escape(_party(t).get('name', ''))}</td>"
            f'<td class="num">{money(t["TotalAmt"])}</td>'
            f'<td class="num">{money(t.get("Balance"))}</td></tr>'
            for kind, t in docs
        )
        return table(("Type", "No.", "Date", "Name", "Total", "Balance"), rows)

    def transaction(self, request: Request, entity: str, error: str = "") -> Response:
        company = self._company(request)
        record = company.get(entity, request.args.get("txnId", "") or request.form.get("txnId"))
        if record is None:
            return self._missing(
                request, f"{entity} not found", "No such transaction in this company."
            )
        party = _party(record)
        lines = "".join(
            self._line_row(line)
            for line in record["Line"]
            if line["DetailType"] != "SubTotalLineDetail"
        )
        tax = record.get("TxnTaxDetail", {}).get("TotalTax")
        location = (record.get("DepartmentRef") or {}).get("name")
        body = document(
            f"{escape(party.get('name', ''))} · {record['TxnDate']} · Id {record['Id']}"
            f" · SyncToken {record['SyncToken']}"
            + (f" · Location {escape(location)}" if location else ""),
            ("#", "Description", "Item / account", "Tax code", "Amount"),
            lines,
            (
                ("Tax", tax, ""),
                ("Total", record["TotalAmt"], "total"),
                ("Balance", record.get("Balance"), ""),
            ),
        )
        if entity in PAYABLE and record.get("Balance"):
            hidden = {"txnType": entity, "txnId": record["Id"]}
            action = f"/app/recordpayment?realmId={company.realm_id}"
            body += payment_form(action, hidden, error)
        status = 400 if error else 200
        title = f"{entity} {record.get('DocNumber', '')}".strip()
        return self._page(request, title, body, status)

    def record_payment(self, request: Request) -> Response:
        """Record payment, from the form under an invoice or a bill: the Payment or
        BillPayment QuickBooks' API would make, checked by the same writer."""
        company = self._company(request)
        entity, txn_id = request.form.get("txnType", ""), request.form.get("txnId", "")
        record = company.get(entity, txn_id) if entity in PAYABLE else None
        if record is None:
            return self._missing(request, "Not found", "No such transaction in this company.")
        typed = read_payment_form(request)
        line = {"Amount": typed.amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": entity}]}
        data: dict = {"TotalAmt": typed.amount, "Line": [line]}
        if typed.day:
            data["TxnDate"] = typed.day
        if entity == "Bill":
            bank = next(a for a in company.all("Account") if a.get("AccountType") == "Bank")
            data.update(
                VendorRef=record["VendorRef"],
                PayType="Check",
                CheckPayment={"BankAccountRef": {"value": bank["Id"]}},
                DocNumber=typed.reference,
            )
        else:
            data.update(CustomerRef=record["CustomerRef"], PaymentRefNum=typed.reference)
        try:
            with company.lock:
                operations.save(WriteContext(company, self.app.settings), PAYABLE[entity], data)
        except errors.QBOFault as fault:
            return self.transaction(request, entity, error=fault.detail or fault.message)
        page = f"/app/{entity.lower()}?txnId={txn_id}&realmId={company.realm_id}"
        return see_other(page)

    @staticmethod
    def _line_row(line: dict) -> str:
        detail = line.get(line["DetailType"]) or {}
        target = (detail.get("ItemRef") or detail.get("AccountRef") or {}).get("name", "")
        klass = (detail.get("ClassRef") or {}).get("name")
        if klass:
            target = f"{target} · Class {klass}"
        code = (detail.get("TaxCodeRef") or {}).get("value", "")
        return (
            f"<tr><td>{line.get('LineNum', '')}</td><td>{escape(line.get('Description', ''))}</td>"
            f"<td>{escape(target)}</td><td>{escape(code)}</td>"
            f"<td class='num'>{money(line.get('Amount'))}</td></tr>"
        )


def _party(transaction: dict) -> dict:
    """The customer or vendor a transaction is for, as its Ref."""
    return transaction.get("CustomerRef") or transaction.get("VendorRef") or {}
