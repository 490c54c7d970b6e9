from __future__ import annotations

from decimal import Decimal

from ledgersync.providers.base import (
    Address,
    Contact,
    ContactKind,
    LedgerAccount,
    NewContact,
    TaxCode,
)
from ledgersync.providers.quickbooks import mapping

from .fixtures import load


def test_query_values_escape_apostrophes_and_backslashes():
    assert mapping.quote("Amy's") == "'Amy\\'s'"
    assert mapping.quote("a\\b") == "'a\\\\b'"
    assert mapping.select("Customer", f"DisplayName = {mapping.quote('Amy' + chr(39) + 's')}") == (
        "SELECT * FROM Customer WHERE DisplayName = 'Amy\\'s' STARTPOSITION 1 MAXRESULTS 1000"
    )


def test_uk_tax_codes_carry_their_rate_and_ledgersync_vat_code():
    codes = mapping.parse_tax_codes(
        load("uk_tax_query.json")["QueryResponse"]["TaxCode"],
        load("uk_rate_query.json")["QueryResponse"]["TaxRate"],
    )
    assert codes == [
        TaxCode("2", "20.0% S", Decimal("20.0"), "S"),
        TaxCode("3", "5.0% R", Decimal("5"), "R"),
        TaxCode("4", "0.0% Z", Decimal("0"), "Z"),
        TaxCode("5", "Exempt", Decimal("0"), "E"),
        TaxCode("6", "No VAT", None, "NT"),
    ]


def test_us_pseudo_tax_codes_have_no_vat_code():
    assert mapping.vat_code_for("TAX") is None
    assert mapping.vat_code_for("NON") is None


def test_an_account_without_a_number_has_no_nominal_code():
    assert mapping.parse_account({"Id": "1", "Name": "Misc"}) is None
    assert mapping.parse_account(
        {"Id": "80", "Name": "Sales - Sundries", "AcctNum": "4030", "AccountType": "Income"}
    ) == LedgerAccount("80", "4030", "Sales - Sundries", "Income", None)


def test_it_reads_a_customer():
    contact = mapping.parse_contact(
        load("customer_response.json")["Customer"], ContactKind.CUSTOMER
    )
    assert contact == Contact(
        id="2",
        name="Bill's Windsurf Shop",
        kind=ContactKind.CUSTOMER,
        address=Address(line1="12 Ocean Dr.", city="Half Moon Bay", region="CA", postcode="94213"),
    )


def test_a_new_sub_customer_is_billed_with_its_parent():
    new = NewContact(
        ContactKind.CUSTOMER,
        "Riverside - 9 Dock Road",
        email="site@example.com",
        phone="01234 567890",
        address=Address(line1="9 Dock Road", city="Poole", postcode="BH15 1AA", country="GB"),
        parent_id="61",
    )
    assert mapping.contact_body(new) == {
        "DisplayName": "Riverside - 9 Dock Road",
        "CompanyName": "Riverside - 9 Dock Road",
        "PrimaryEmailAddr": {"Address": "site@example.com"},
        "PrimaryPhone": {"FreeFormNumber": "01234 567890"},
        "BillAddr": {
            "Line1": "9 Dock Road",
            "City": "Poole",
            "PostalCode": "BH15 1AA",
            "Country": "GB",
        },
        "Job": True,
        "ParentRef": {"value": "61"},
        "BillWithParent": True,
    }


def test_names_with_colons_are_refused_before_sending():
    assert mapping.check_display_name("Acme: North") == (
        "QuickBooks names cannot contain ':', tabs or line breaks ('Acme: North')"
    )
    assert mapping.check_display_name("Amy's Bird Sanctuary") is None
