"""The QuickBooks sandbox driven by the clients Python users drive QuickBooks with:
python-quickbooks on top of Intuit's own OAuth client (intuit-oauth / intuitlib), over a real
loopback socket (issue #16).

Each case names its evidence; docs/sandboxes.md ("Driven by the public SDKs") lists them.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from decimal import Decimal

import pytest
from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from quickbooks.batch import batch_create
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.account import Account
from quickbooks.objects.base import Ref
from quickbooks.objects.bill import Bill
from quickbooks.objects.creditmemo import CreditMemo
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import (
    AccountBasedExpenseLine,
    AccountBasedExpenseLineDetail,
    SalesItemLine,
    SalesItemLineDetail,
)
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.preferences import Preferences
from quickbooks.objects.taxcode import TaxCode
from quickbooks.objects.vendor import Vendor

from ledgersync.providers.facts import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ledgersync.sandbox.core.oauth import STRICT_ROTATION
from ledgersync.sandbox.quickbooks.seed import DEMO_REALM, STANDARD
from ledgersync.sandbox.tests.loopback import loopback_fixtures

REDIRECT = "http://127.0.0.1:8000/connections/quickbooks/callback"
DAY = 86400


server, plane = loopback_fixtures("quickbooks")


def auth_client(server, refresh_token: str | None = None) -> AuthClient:
    # intuitlib reads its endpoints from Intuit's discovery document; an environment that is
    # a URL names the document itself (intuitlib utils.get_discovery_doc).
    return AuthClient(
        SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET,
        REDIRECT,
        environment=f"{server.url}/.well-known/openid_configuration",
        refresh_token=refresh_token,
    )


@pytest.fixture
def qb(server, plane, monkeypatch) -> QuickBooks:
    # requests-oauthlib refuses plain http unless told this is a local test (oauthlib's own
    # switch); the sandbox listens on loopback http.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    minted = plane.post("/_sandbox/tokens", json={}).json()
    auth = auth_client(server, minted["refresh_token"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = QuickBooks(
            auth_client=auth,
            refresh_token=minted["refresh_token"],
            company_id=DEMO_REALM,
            minorversion=75,
        )
    client.api_url_v3 = f"{server.url}/v3"  # the production API host, on the sandbox's root
    return client


def ref(value: str) -> Ref:
    made = Ref()
    made.value = value
    return made


def service_item(qb: QuickBooks) -> Item:
    return next(i for i in Item.all(qb=qb) if i.Type == "Service")


def sdk_invoice(qb: QuickBooks, amount: int = 150) -> Invoice:
    """An Invoice as python-quickbooks builds one: every field it leaves unset goes as ""
    (TxnDate, DueDate, ShipDate, TotalAmt, ...) and the line's Qty and UnitPrice as 0."""
    line = SalesItemLine()
    line.Amount = amount
    line.Description = "Boiler service"
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = ref(service_item(qb).Id)
    line.SalesItemLineDetail.TaxCodeRef = ref(STANDARD)  # a UK company: 20% VAT
    invoice = Invoice()
    invoice.CustomerRef = ref(Customer.all(qb=qb)[0].Id)
    invoice.Line.append(line)
    return invoice


def test_the_discovery_document_gives_intuitlib_the_sandboxs_endpoints(server):
    auth = auth_client(server)
    assert auth.token_endpoint == f"{server.url}/oauth2/v1/tokens/bearer"
    assert auth.auth_endpoint == f"{server.url}/connect/oauth2"
    assert auth.revoke_endpoint == f"{server.url}/v2/oauth2/tokens/revoke"


def test_the_lists_ledgersync_reads_come_back_through_the_sdk(qb):
    assert Customer.all(qb=qb) and Vendor.all(qb=qb)
    accounts = Account.all(qb=qb)
    assert any(a.AcctNum == "4000" for a in accounts)
    assert TaxCode.all(qb=qb)
    one = Customer.get(Customer.all(qb=qb)[0].Id, qb=qb)
    assert one.DisplayName


def test_item_all_sends_select_star_comma_sku_and_it_parses(qb, plane):
    # python-quickbooks mixins.ListMixin.all(): "SELECT *, Sku FROM Item" since 0.9.12.
    items = Item.all(qb=qb)
    assert items
    sent = [r for r in plane.get("/_sandbox/requests").json() if r["path"].endswith("/query")]
    assert sent[-1]["request_body"].startswith("SELECT *, Sku FROM Item")
    assert sent[-1]["status"] == 200


def test_an_sdk_invoice_with_blank_fields_is_booked_on_today(qb, server):
    # Blank strings are "not given": the SDK's defaults, used unchanged against the real
    # service by its users; a blank TxnDate becomes today.
    saved = sdk_invoice(qb).save(qb=qb)
    today = server.app.clock.now().date()
    assert saved.TxnDate == today.isoformat()
    assert saved.DueDate == (today + timedelta(days=30)).isoformat()
    assert not hasattr(saved, "ShipDate") or saved.ShipDate in ("", None)


def test_a_sales_line_with_the_sdks_qty_0_and_unit_price_0_keeps_its_amount(qb):
    # SalesItemLineDetail() starts at Qty 0 / UnitPrice 0; QuickBooks books the Amount.
    saved = sdk_invoice(qb, amount=150).save(qb=qb)
    line = next(ln for ln in saved.Line if ln.DetailType == "SalesItemLineDetail")
    assert Decimal(str(line.Amount)) == Decimal("150")
    assert Decimal(str(saved.TotalAmt)) == Decimal("180")  # 150 + 20% VAT


def test_a_mismatched_qty_and_unit_price_is_still_6070(qb):
    invoice = sdk_invoice(qb, amount=150)
    invoice.Line[0].SalesItemLineDetail.Qty = 2
    invoice.Line[0].SalesItemLineDetail.UnitPrice = 50
    with pytest.raises(QuickbooksException) as refused:
        invoice.save(qb=qb)
    assert refused.value.error_code == 6070


def test_an_invoice_saved_with_a_request_id_is_written_once(qb):
    invoice = sdk_invoice(qb)
    invoice.DocNumber = "S9001"
    first = invoice.save(qb=qb, request_id="sdk-invoice-1")
    again = sdk_invoice(qb).save(qb=qb, request_id="sdk-invoice-1")
    assert again.Id == first.Id
    found = Invoice.filter(DocNumber="S9001", qb=qb)
    assert [i.Id for i in found] == [first.Id]


def test_a_credit_memo_and_a_bill_from_the_sdk_are_accepted(qb):
    memo = CreditMemo()
    memo.CustomerRef = ref(Customer.all(qb=qb)[0].Id)
    memo.Line.append(sdk_invoice(qb, amount=40).Line[0])
    assert Decimal(str(memo.save(qb=qb).TotalAmt)) == Decimal("48")
    expense = next(a for a in Account.all(qb=qb) if a.AcctNum == "5000")
    line = AccountBasedExpenseLine()
    line.Amount = 100
    line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
    line.AccountBasedExpenseLineDetail.AccountRef = ref(expense.Id)
    line.AccountBasedExpenseLineDetail.TaxCodeRef = ref(STANDARD)
    bill = Bill()
    bill.VendorRef = ref(Vendor.all(qb=qb)[0].Id)
    bill.Line.append(line)
    saved = bill.save(qb=qb)
    assert saved.Id and saved.TxnDate  # a blank TxnDate became today here too


def test_a_batch_of_sdk_invoices_is_created(qb):
    result = batch_create([sdk_invoice(qb, 10), sdk_invoice(qb, 20)], qb=qb)
    assert len(result.successes) == 2 and not result.faults


def test_preferences_have_the_standard_sections(qb):
    # Intuit's Preferences entity; python-quickbooks objects/preferences.py reads them all.
    prefs = Preferences.get(qb=qb)
    for section in (
        "AccountingInfoPrefs",
        "ProductAndServicesPrefs",
        "SalesFormsPrefs",
        "VendorAndPurchasesPrefs",
        "TaxPrefs",
        "CurrencyPrefs",
        "OtherPrefs",
    ):
        assert getattr(prefs, section, None) is not None, section
    assert prefs.SalesFormsPrefs.CustomTxnNumbers is True
    assert prefs.CurrencyPrefs.HomeCurrency.value == "GBP"


def test_a_refresh_gives_back_the_same_refresh_token_for_a_day_then_a_new_one(server, plane):
    # An Intuit engineer: "the value of refresh token can change every 24-26 hour period"
    # (intuit/oauth-jsclient#74); intuit/oauth-pythonclient#17 shows the same refresh token
    # coming back. The old one dies once it has been rotated (no grace: docs/sandboxes.md).
    minted = plane.post("/_sandbox/tokens", json={}).json()
    auth = auth_client(server, minted["refresh_token"])
    auth.refresh()
    assert auth.refresh_token == minted["refresh_token"]
    auth.refresh()
    assert auth.refresh_token == minted["refresh_token"]
    plane.post("/_sandbox/clock", json={"advance_seconds": DAY + 60}).raise_for_status()
    auth.refresh()
    assert auth.refresh_token != minted["refresh_token"]
    stale = auth_client(server, minted["refresh_token"])
    with pytest.raises(Exception, match="invalid_grant"):
        stale.refresh()


def test_strict_rotation_gives_a_new_refresh_token_on_every_refresh(server, plane):
    # The "rotate every time, old one dead at once" rule the concurrency tests use.
    plane.put("/_sandbox/settings", json=STRICT_ROTATION).raise_for_status()
    minted = plane.post("/_sandbox/tokens", json={}).json()
    auth = auth_client(server, minted["refresh_token"])
    auth.refresh()
    first = auth.refresh_token
    auth.refresh()
    assert len({minted["refresh_token"], first, auth.refresh_token}) == 3
    with pytest.raises(Exception, match="invalid_grant"):
        auth_client(server, first).refresh()
