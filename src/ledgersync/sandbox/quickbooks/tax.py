"""Tax on a transaction, computed the way QuickBooks does.

Non-US companies: each line carries a TaxCode Id; the code's sales (or purchase) rate list
names TaxRates; the net of every line sharing a rate is summed and the tax for that rate
is computed once on the sum (Decimal, 2 dp, half up). That is per rate on the document, not
per line, so it can differ by a penny from a line-by-line sum. Under
``GlobalTaxCalculation: TaxInclusive`` a line's gross is its ``TaxInclusiveAmt`` (else its
Amount plus the rate), the rate's tax is taken out of the summed gross, and the rate's net
is what is left, so the gross booked is the gross sent.

A ``TxnTaxDetail.TaxLine`` the client sends for a rate (``TaxRateRef`` and ``Amount``) is
booked as sent, recomputed or refused beyond a tolerance, as the settings say
(``supplied_tax``; UNCONFIRMED, docs/sandboxes.md). A ``TotalTax`` sent without TaxLines is
overwritten, as python-quickbooks#301 reports; a TaxLine for a rate no line uses is ignored.

US companies: lines say TAX or NON; the header's TxnTaxDetail.TxnTaxCodeRef picks the
rate; without one no tax is charged (automated sales tax is not emulated).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledgersync.sandbox.core.supplied_tax import TaxOutOfTolerance, booked_tax
from ledgersync.sandbox.quickbooks import errors
from ledgersync.sandbox.quickbooks.settings import QuickBooksSettings
from ledgersync.sandbox.quickbooks.store import Company
from ledgersync.sandbox.quickbooks.validate import money, ref_id, referenced, to_money

GLOBAL_TAX = ("TaxExcluded", "TaxInclusive", "NotApplicable")
US_LINE_CODES = ("TAX", "NON")
ZERO = Decimal("0.00")
NO_VAT_RATE = "Make sure all your transactions have a VAT rate before you save."
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Taxed:
    """One line as tax sees it: its TaxCode Id, its Amount and its TaxInclusiveAmt."""

    code: str | None
    amount: Decimal
    inclusive_amount: Decimal | None = None


def line_tax_code(company: Company, detail: dict, global_tax: str | None) -> str | None:
    """The checked TaxCode Id for one line (None when tax does not apply)."""
    code = ref_id(detail, "TaxCodeRef")
    if company.is_us:
        if code is None:
            return "NON"
        if code not in US_LINE_CODES:
            raise errors.invalid_line_tax_code(code)
        return code
    if global_tax == "NotApplicable":
        return code
    if code is None:
        raise errors.business(NO_VAT_RATE, "Line.TaxCodeRef")
    referenced(company, "TaxCode", code, "TaxCodes")
    return code


def compute(
    company: Company,
    taxed: list[Taxed],
    *,
    purchase: bool,
    global_tax: str | None,
    header: dict,
    settings: QuickBooksSettings,
) -> dict:
    """TxnTaxDetail for the lines; its ``TaxLine`` entries carry each rate's net."""
    if company.is_us:
        return _us(company, taxed, header)
    if global_tax == "NotApplicable":
        return {"TotalTax": ZERO}
    inclusive = global_tax == "TaxInclusive"
    sums: dict[str, Decimal] = {}  # rate id -> summed net (exclusive) or gross (inclusive)
    for line in taxed:
        code = company.existing("TaxCode", line.code)
        rate_list = code["PurchaseTaxRateList" if purchase else "SalesTaxRateList"]["TaxRateDetail"]
        for detail in rate_list:
            rate_id = detail["TaxRateRef"]["value"]
            percent = company.existing("TaxRate", rate_id)["RateValue"]
            sums[rate_id] = sums.get(rate_id, ZERO) + _base(line, percent, inclusive)
    supplied = _supplied(header)
    lines = []
    for rate_id, base in sums.items():
        rate = company.existing("TaxRate", rate_id)
        percent = Decimal(str(rate["RateValue"]))
        own = base * percent / (HUNDRED + percent if inclusive else HUNDRED)
        try:
            amount = booked_tax(
                own,
                supplied.get(rate_id),
                settings.supplied_tax,
                settings.supplied_tax_tolerance_pence,
            )
        except TaxOutOfTolerance as refused:
            raise errors.business(
                f"The VAT amount {refused.supplied} for {rate['Name']} is more than "
                f"{refused.tolerance_pence}p from the calculated {refused.computed}.",
                "TxnTaxDetail.TaxLine",
            ) from None
        lines.append(_tax_line(rate, base - amount if inclusive else base, amount))
    total = sum((line["Amount"] for line in lines), ZERO)
    return {"TotalTax": total, "TaxLine": lines}


def transaction_total(detail: dict, subtotal: Decimal, global_tax: str | None) -> Decimal:
    """TotalAmt: the lines' amounts plus tax or, tax inclusive, each rate's net plus its tax
    (the gross sent)."""
    if global_tax != "TaxInclusive":
        return subtotal + detail["TotalTax"]
    nets = sum((line["TaxLineDetail"]["NetAmountTaxable"] for line in detail["TaxLine"]), ZERO)
    return nets + detail["TotalTax"]


def _base(line: Taxed, percent: Decimal, inclusive: bool) -> Decimal:
    """What the line adds to its rate's sum: its net, or (inclusive) its gross."""
    if not inclusive:
        return line.amount
    if line.inclusive_amount is not None:
        return line.inclusive_amount
    return to_money(line.amount * (HUNDRED + Decimal(str(percent))) / HUNDRED)


def _supplied(header: dict) -> dict[str, Decimal]:
    """The TaxLine amounts the client sent, by TaxRate Id."""
    given = (header.get("TxnTaxDetail") or {}).get("TaxLine") or []
    if not isinstance(given, list):
        raise errors.bad_request_body("TxnTaxDetail.TaxLine must be a list")
    amounts: dict[str, Decimal] = {}
    for line in given:
        detail = line.get("TaxLineDetail") if isinstance(line, dict) else None
        rate_id = ref_id(detail or {}, "TaxRateRef")
        if rate_id is None or line.get("Amount") is None:
            continue
        amounts[rate_id] = amounts.get(rate_id, ZERO) + money(
            line["Amount"], "TxnTaxDetail.TaxLine.Amount"
        )
    return amounts


def _us(company: Company, taxed: list[Taxed], header: dict) -> dict:
    code_id = ref_id(header.get("TxnTaxDetail") or {}, "TxnTaxCodeRef")
    if code_id is None:
        return {"TotalTax": ZERO}
    code = referenced(company, "TaxCode", code_id, "TaxCodes")
    net = sum((line.amount for line in taxed if line.code == "TAX"), ZERO)
    lines = [
        _tax_line(company.existing("TaxRate", d["TaxRateRef"]["value"]), net)
        for d in code["SalesTaxRateList"]["TaxRateDetail"]
    ]
    total = sum((line["Amount"] for line in lines), ZERO)
    return {"TxnTaxCodeRef": {"value": code_id}, "TotalTax": total, "TaxLine": lines}


def _tax_line(rate: dict, net: Decimal, amount: Decimal | None = None) -> dict:
    percent = rate["RateValue"]
    if amount is None:
        amount = to_money(net * percent / HUNDRED)
    return {
        "Amount": amount,
        "DetailType": "TaxLineDetail",
        "TaxLineDetail": {
            "TaxRateRef": {"value": rate["Id"]},
            "PercentBased": True,
            "TaxPercent": percent,
            "NetAmountTaxable": net,
        },
    }
