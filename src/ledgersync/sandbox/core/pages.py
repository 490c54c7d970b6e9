"""The frame of every sandbox's small read-only web view: one page shell (menu, the chosen
company, remembered in a cookie), tables and money, so each sandbox's view holds only its
provider's paths and records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import TypeVar

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.app import Route, RouteKind

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}nav a{margin-right:1rem}"
    ".num{text-align:right}"
)
Company = TypeVar("Company")
# A URL rule and the page handler for it. Handlers take different URL arguments, so a list
# of them needs this declared type: mypy would otherwise join them to a bare `function`.
WebRule = tuple[str, Callable[..., Response]]


def web_routes(table: Iterable[WebRule]) -> list[Route]:
    """GET routes for a view's (rule, handler) pairs."""
    return [Route(rule, handler, ("GET",), RouteKind.WEB) for rule, handler in table]


def money(value: object) -> str:
    return f"{value:,.2f}" if value is not None else ""


def table(headings: Sequence[str], rows: str) -> str:
    """A table with one heading row over ``rows`` (already rendered ``<tr>`` elements)."""
    head = "".join(f"<th>{heading}</th>" for heading in headings)
    return f"<table><tr>{head}</tr>{rows}</table>"


@dataclass(frozen=True)
class Shell:
    """One sandbox's page frame: ``product`` names it, ``menu`` is (href, label) pairs,
    ``parameter`` is the query parameter that picks a company and ``cookie`` remembers the
    company a page was shown for."""

    product: str
    cookie: str
    menu: tuple[tuple[str, str], ...]
    parameter: str

    def choose(self, request: Request, companies: Mapping[str, Company]) -> Company:
        """The company a page is for, from ``companies`` by key: the one the query parameter
        names, else the one the cookie remembers, else the first."""
        key = request.args.get(self.parameter) or request.cookies.get(self.cookie)
        return companies.get(key or "") or next(iter(companies.values()))

    def picker(self, companies: Iterable[dict[str, str]], href: str) -> str:
        """The list of ``[{"id", "name"}]`` companies, each a link to ``href`` for it."""
        rows = "".join(
            f'<li><a href="{href}?{self.parameter}={c["id"]}">{escape(c["name"])}</a>'
            f" ({c['id']})</li>"
            for c in companies
        )
        return f"<ul>{rows}</ul>"

    def page(
        self, company_name: str, company_id: str, title: str, body: str, status: int = 200
    ) -> Response:
        nav = "".join(f'<a href="{href}">{label}</a>' for href, label in self.menu)
        html = (
            f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}"
            f"</title><style>{STYLE}</style></head><body><nav>{nav}</nav><p>{self.product} "
            f"sandbox · <strong>{escape(company_name)}</strong> ({escape(company_id)})</p>"
            f"<h1>{escape(title)}</h1>{body}</body></html>"
        )
        response = Response(html, status=status, content_type="text/html; charset=utf-8")
        response.set_cookie(self.cookie, company_id, samesite="Lax")
        return response

    def missing(self, company_name: str, company_id: str, title: str, text: str) -> Response:
        """The 404 page for a record the company does not hold."""
        return self.page(company_name, company_id, title, f"<p>{text}</p>", 404)


def money_row(label: str, value: object, element_id: str | None = None) -> str:
    """A summing row under a document's five-column line table (tests find the total by id)."""
    attribute = f" id='{element_id}'" if element_id else ""
    return f"<tr><th colspan=4>{label}</th><td class='num'{attribute}>{money(value)}</td></tr>"


def document(
    intro: str, headings: Sequence[str], lines: str, totals: Iterable[tuple[str, object, str]]
) -> str:
    """A document's page body: a line of facts (already escaped) over the line table and its
    summing rows, each ``(label, value, element id or "")``."""
    rows = "".join(
        money_row(label, value, element_id or None) for label, value, element_id in totals
    )
    return f"<p>{intro}</p>" + table(headings, lines + rows)


def facts(pairs: Iterable[tuple[str, object]]) -> str:
    """A two-column table of a record's labelled values."""
    rows = "".join(
        f"<tr><th>{label}</th><td>{escape(str(value))}</td></tr>" for label, value in pairs
    )
    return f"<table>{rows}</table>"


@dataclass(frozen=True)
class PaymentForm:
    """What a person typed in a document page's Record payment form."""

    amount: str
    reference: str
    day: str  # YYYY-MM-DD, "" for today


def payment_form(action: str, hidden: Mapping[str, str], error: str = "") -> str:
    """The Record payment form under a document (as the package's own app has one): an
    amount, a reference and a date, posted to ``action`` with ``hidden`` fields."""
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return (
        f'<h2>Record payment</h2>{problem}<form method="post" action="{escape(action)}" '
        f'id="record-payment">{fields}'
        '<label>Amount <input name="amount" inputmode="decimal" required></label> '
        '<label>Reference <input name="reference"></label> '
        '<label>Date <input name="date" type="date"></label> '
        '<button type="submit">Record payment</button></form>'
    )


def read_payment_form(request: Request) -> PaymentForm:
    return PaymentForm(
        amount=request.form.get("amount", "").strip(),
        reference=request.form.get("reference", "").strip(),
        day=request.form.get("date", "").strip(),
    )


def see_other(location: str) -> Response:
    """After a form's post: back to the page it was on (303)."""
    return Response(status=303, headers={"Location": location})
