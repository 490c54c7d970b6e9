"""A small read-only web view, so a person can watch a synced document arrive.

    /app/                              company picker
    /app/customers, /app/vendors       lists
    /app/customerdetail?nameId=<Id>    one customer (the real QuickBooks deep-link shape)
    /app/vendordetail?nameId=<Id>      one vendor
    /app/invoices, /app/bills          sales (invoices and credit memos) and bills
    /app/invoice?txnId=<Id>, /app/creditmemo?txnId=<Id>, /app/bill?txnId=<Id>

The company is chosen with ?realmId= (remembered in a cookie), else the first company.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.app import Route, RouteKind
from ledgersync.sandbox.quickbooks.store import Company

if TYPE_CHECKING:
    from ledgersync.sandbox.quickbooks.app import QuickBooksSandbox

COOKIE = "qbo_sandbox_realm"
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}nav a{margin-right:1rem}"
    ".num{text-align:right}"
)


def routes(app: QuickBooksSandbox) -> list[Route]:
    pages = WebView(app)
    table = [
        ("/app/", pages.home),
        ("/app/customers", pages.customers),
        ("/app/vendors", pages.vendors),
        ("/app/customerdetail", pages.customer),
        ("/app/vendordetail", pages.vendor),
        ("/app/invoices", pages.sales),
        ("/app/bills", pages.bills),
        ("/app/invoice", lambda r: pages.transaction(r, "Invoice")),
        ("/app/creditmemo", lambda r: pages.transaction(r, "CreditMemo")),
        ("/app/bill", lambda r: pages.transaction(r, "Bill")),
    ]
    return [Route(rule, handler, ("GET",), RouteKind.WEB) for rule, handler in table]


def _money(value: object) -> str:
    return f"{value:,.2f}" if value is not None else ""


class WebView:
    def __init__(self, app: QuickBooksSandbox) -> None:
        self.app = app

    def _company(self, request: Request) -> Company:
        realm = request.args.get("realmId") or request.cookies.get(COOKIE)
        return self.app.store.get(realm or "") or next(iter(self.app.store.values()))

    def _page(self, request: Request, title: str, body: str, status: int = 200) -> Response:
        company = self._company(request)
        nav = (
            '<nav><a href="/app/">Companies</a><a href="/app/customers">Customers</a>'
            '<a href="/app/vendors">Vendors</a><a href="/app/invoices">Sales</a>'
            '<a href="/app/bills">Bills</a></nav>'
        )
        html = (
            f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{nav}<p>QuickBooks sandbox · <strong>"
            f"{escape(company.name)}</strong> ({company.realm_id})</p><h1>{escape(title)}</h1>{body}</body></html>"
        )
        response = Response(html, status=status, content_type="text/html; charset=utf-8")
        response.set_cookie(COOKIE, company.realm_id, samesite="Lax")
        return response

    def home(self, request: Request) -> Response:
        rows = "".join(
            f'<li><a href="/app/customers?realmId={c["id"]}">{escape(c["name"])}</a> ({c["id"]})</li>'
            for c in self.app.companies()
        )
        return self._page(request, "Companies", f"<ul>{rows}</ul>")

    def customers(self, request: Request) -> Response:
        company = self._company(request)
        rows = "".join(
            f'<tr><td>{c["Id"]}</td><td><a href="/app/customerdetail?nameId={c["Id"]}">'
            f"{escape(c['FullyQualifiedName'])}</a></td><td>{'yes' if c['Active'] else 'no'}</td></tr>"
            for c in company.all("Customer")
        )
        return self._page(
            request,
            "Customers",
            f"<table><tr><th>Id</th><th>Name</th><th>Active</th></tr>{rows}</table>",
        )

    def vendors(self, request: Request) -> Response:
        company = self._company(request)
        rows = "".join(
            f'<tr><td>{v["Id"]}</td><td><a href="/app/vendordetail?nameId={v["Id"]}">'
            f"{escape(v['DisplayName'])}</a></td></tr>"
            for v in company.all("Vendor")
        )
        return self._page(
            request, "Vendors", f"<table><tr><th>Id</th><th>Name</th></tr>{rows}</table>"
        )

    def customer(self, request: Request) -> Response:
        return self._name_detail(request, "Customer", "CustomerRef")

    def vendor(self, request: Request) -> Response:
        return self._name_detail(request, "Vendor", "VendorRef")

    def _name_detail(self, request: Request, entity: str, ref_field: str) -> Response:
        company = self._company(request)
        record = company.get(entity, request.args.get("nameId", ""))
        if record is None:
            return self._page(
                request, f"{entity} not found", "<p>No such record in this company.</p>", 404
            )
        facts = "".join(
            f"<tr><th>{k}</th><td>{escape(str(record.get(k, '')))}</td></tr>"
            for k in ("Id", "DisplayName", "CompanyName", "FullyQualifiedName", "Active", "Balance")
            if k in record
        )
        docs = [
            (kind, t)
            for kind in ("Invoice", "CreditMemo", "Bill")
            for t in company.all(kind)
            if t.get(ref_field, {}).get("value") == record["Id"]
        ]
        return self._page(
            request,
            record["DisplayName"],
            f"<table>{facts}</table><h2>Transactions</h2>{self._txn_table(docs)}",
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

    def _txn_table(self, docs: list[tuple[str, dict]]) -> str:
        rows = "".join(
            f'<tr><td>{kind}</td><td><a href="/app/{kind.lower()}?txnId={t["Id"]}">{escape(t.get("DocNumber", "(no number)"))}</a></td>'
            f"<td>{t['TxnDate']}</td><td>{escape((t.get('CustomerRef') or t.get('VendorRef') or {}).get('name', ''))}</td>"
            f'<td class="num">{_money(t["TotalAmt"])}</td><td class="num">{_money(t.get("Balance"))}</td></tr>'
            for kind, t in docs
        )
        head = "<tr><th>Type</th><th>No.</th><th>Date</th><th>Name</th><th>Total</th><th>Balance</th></tr>"
        return f"<table>{head}{rows}</table>"

    def transaction(self, request: Request, entity: str) -> Response:
        company = self._company(request)
        record = company.get(entity, request.args.get("txnId", ""))
        if record is None:
            return self._page(
                request, f"{entity} not found", "<p>No such transaction in this company.</p>", 404
            )
        party = record.get("CustomerRef") or record.get("VendorRef") or {}
        lines = "".join(
            self._line_row(line)
            for line in record["Line"]
            if line["DetailType"] != "SubTotalLineDetail"
        )
        tax = record.get("TxnTaxDetail", {}).get("TotalTax")
        body = (
            f"<p>{escape(party.get('name', ''))} · {record['TxnDate']} · Id {record['Id']} · SyncToken {record['SyncToken']}</p>"
            f"<table><tr><th>#</th><th>Description</th><th>Item / account</th><th>Tax code</th><th>Amount</th></tr>{lines}"
            f"<tr><th colspan=4>Tax</th><td class='num'>{_money(tax)}</td></tr>"
            f"<tr><th colspan=4>Total</th><td class='num' id='total'>{_money(record['TotalAmt'])}</td></tr>"
            f"<tr><th colspan=4>Balance</th><td class='num'>{_money(record.get('Balance'))}</td></tr></table>"
        )
        return self._page(request, f"{entity} {record.get('DocNumber', '')}".strip(), body)

    @staticmethod
    def _line_row(line: dict) -> str:
        detail = line.get(line["DetailType"]) or {}
        target = (detail.get("ItemRef") or detail.get("AccountRef") or {}).get("name", "")
        code = (detail.get("TaxCodeRef") or {}).get("value", "")
        return (
            f"<tr><td>{line.get('LineNum', '')}</td><td>{escape(line.get('Description', ''))}</td>"
            f"<td>{escape(target)}</td><td>{escape(code)}</td><td class='num'>{_money(line.get('Amount'))}</td></tr>"
        )
