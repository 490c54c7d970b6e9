"""Tax on a transaction, computed the way QuickBooks does.

Non-US companies: each line carries a TaxCode Id; the code's sales (or purchase) rate list
names TaxRates; the net of every line sharing a rate is summed and the tax for that rate
is computed once on the sum (Decimal, 2 dp, half up). That is per rate on the document, not
per line, so it can differ by a penny from a line-by-line sum.

US companies: lines say TAX or NON; the header's TxnTaxDetail.TxnTaxCodeRef picks the
rate; without one no tax is charged (automated sales tax is not emulated).
"""

from __future__ import annotations

from decimal import Decimal

from ledgersync.sandbox.quickbooks import errors
from ledgersync.sandbox.quickbooks.store import Company
from ledgersync.sandbox.quickbooks.validate import ref_id, referenced, to_money

GLOBAL_TAX = ("TaxExcluded", "TaxInclusive", "NotApplicable")
US_LINE_CODES = ("TAX", "NON")
ZERO = Decimal("0.00")
NO_VAT_RATE = "Make sure all your transactions have a VAT rate before you save."


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
    taxed: list[tuple[str | None, Decimal]],
    *,
    purchase: bool,
    global_tax: str | None,
    header: dict,
) -> dict:
    """TxnTaxDetail for lines given as (tax code Id, net amount)."""
    if company.is_us:
        return _us(company, taxed, header)
    if global_tax == "NotApplicable":
        return {"TotalTax": ZERO}
    nets: dict[str, Decimal] = {}
    for code_id, net in taxed:
        code = company.existing("TaxCode", code_id)
        rate_list = code["PurchaseTaxRateList" if purchase else "SalesTaxRateList"]["TaxRateDetail"]
        for detail in rate_list:
            rate_id = detail["TaxRateRef"]["value"]
            nets[rate_id] = nets.get(rate_id, ZERO) + net
    lines = []
    for rate_id, net in nets.items():
        rate = company.existing("TaxRate", rate_id)
        lines.append(_tax_line(rate, net))
    total = sum((line["Amount"] for line in lines), ZERO)
    return {"TotalTax": total, "TaxLine": lines}


def _us(company: Company, taxed: list[tuple[str | None, Decimal]], header: dict) -> dict:
    code_id = ref_id(header.get("TxnTaxDetail") or {}, "TxnTaxCodeRef")
    if code_id is None:
        return {"TotalTax": ZERO}
    code = referenced(company, "TaxCode", code_id, "TaxCodes")
    net = sum((amount for line_code, amount in taxed if line_code == "TAX"), ZERO)
    lines = [
        _tax_line(company.existing("TaxRate", d["TaxRateRef"]["value"]), net)
        for d in code["SalesTaxRateList"]["TaxRateDetail"]
    ]
    total = sum((line["Amount"] for line in lines), ZERO)
    return {"TxnTaxCodeRef": {"value": code_id}, "TotalTax": total, "TaxLine": lines}


def _tax_line(rate: dict, net: Decimal) -> dict:
    percent = rate["RateValue"]
    return {
        "Amount": to_money(net * percent / Decimal(100)),
        "DetailType": "TaxLineDetail",
        "TaxLineDetail": {
            "TaxRateRef": {"value": rate["Id"]},
            "PercentBased": True,
            "TaxPercent": percent,
            "NetAmountTaxable": net,
        },
    }
