"""GET and PUT /api/v1/mapping/... against each provider's sandbox: the same mapping the
web's screens change (sync/codemap.py), refusals in words, and the list read on request."""

from __future__ import annotations

import pytest

from ledgersync.api.keys import create_key
from ledgersync.api.tests.conftest import ApiClient
from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.models import NominalCode
from ledgersync.sync import reference
from ledgersync.sync.models import CodeMapping, MapKind, ReferenceCache

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def read_api(demo):
    organisation, connection = demo
    reference.refresh(connection)
    return ApiClient(create_key(organisation, "job system")[1])


def test_get_shows_each_code_with_the_account_it_books_to(read_api, demo, sandbox):
    body = read_api.get("/mapping/nominal-codes").json()

    name = PROVIDERS[sandbox.slug].name
    assert body["provider_name"] == name
    assert body["read_at"] is not None
    rows = {row["code"]: row for row in body["nominal_codes"]}
    assert rows["4000"]["state"] == "by_number"
    assert rows["4000"]["account"]["code"] == "4000"
    assert rows["4000"]["account"]["name"] == "Sales - Labour"
    assert rows["4090"] == {
        "code": "4090",
        "description": "Sales - Other",
        "state": "missing",
        "account": None,
        "mapped_to": None,
    }
    assert [f["account"] for f in body["fallbacks"]] == [None, None, None]
    assert [a["code"] for a in body["not_in_ledgersync"]] == ["8200"]


def test_put_maps_a_nominal_by_hand_and_null_maps_it_by_number_again(read_api, demo):
    answer = read_api.put("/mapping/nominal-codes/4090", {"account": "4010"})

    assert answer.status_code == 200
    assert answer.json()["state"] == "by_hand"
    assert answer.json()["mapped_to"] == "4010"
    assert answer.json()["account"]["code"] == "4010"
    again = read_api.put("/mapping/nominal-codes/4090", {"account": None})
    assert again.json()["state"] == "missing"
    assert not CodeMapping.objects.exists()


def test_refusals_are_400s_in_words_and_change_nothing(read_api, demo, sandbox):
    name = PROVIDERS[sandbox.slug].name
    unknown_account = read_api.put("/mapping/nominal-codes/4090", {"account": "9999"})
    assert unknown_account.status_code == 422
    assert unknown_account.json()["error"] == {
        "code": "invalid",
        "message": f"{name} has no account 9999.",
        "field": "account",
        "details": [],
    }
    unknown_ours = read_api.put("/mapping/nominal-codes/4999", {"account": "4000"})
    assert unknown_ours.status_code == 404
    assert unknown_ours.json()["error"]["message"] == "There is no nominal code 4999 in ledgersync."
    bad_tax = read_api.put("/mapping/tax-codes/S", {"sales": "NOPE"})
    assert (bad_tax.status_code, bad_tax.json()["error"]["field"]) == (422, "sales")
    bad_type = read_api.put("/mapping/fallbacks/quote", {"account": "4000"})
    assert bad_type.status_code == 422
    assert not CodeMapping.objects.exists()


def test_a_fallback_account_per_document_type(read_api, demo):
    answer = read_api.put("/mapping/fallbacks/sales_invoice", {"account": "4000"})

    assert answer.status_code == 200
    assert answer.json()["account"]["code"] == "4000"
    body = read_api.get("/mapping/nominal-codes").json()
    fallbacks = {f["type"]: f["mapped_to"] for f in body["fallbacks"]}
    assert fallbacks == {
        "sales_invoice": "4000",
        "sales_credit_note": None,
        "supplier_invoice": None,
    }


def test_tax_codes_map_per_side(read_api, demo):
    organisation, connection = demo
    chart = reference.reference_of(reference.cache_of(connection))
    purchases = chart.account("5000").tax_code_id

    answer = read_api.put("/mapping/tax-codes/R", {"purchases": purchases})

    assert answer.status_code == 200
    assert answer.json()["purchases"]["state"] == "by_hand"
    assert answer.json()["purchases"]["mapped_to"] == purchases
    assert answer.json()["sales"]["mapped_to"] is None  # left out: as it was
    assert list(CodeMapping.objects.values_list("kind", "code")) == [(MapKind.PURCHASE_TAX, "R")]
    listed = read_api.get("/mapping/tax-codes").json()["tax_codes"]
    assert [t["code"] for t in listed] == ["E", "NT", "R", "S", "Z"]


def test_create_in_ledgersync_from_a_package_account(read_api, demo):
    organisation, _ = demo
    answer = read_api.post("/mapping/nominal-codes", {"account": "8200"})

    assert answer.status_code == 201
    assert answer.json()["code"] == "8200"
    assert NominalCode.objects.get(organisation=organisation, code="8200").kind == "purchase"
    twice = read_api.post("/mapping/nominal-codes", {"account": "8200"})
    assert twice.status_code == 422
    assert twice.json()["error"]["message"] == "Nominal code 8200 already exists in ledgersync."


def test_before_the_list_is_read_get_says_so_and_refresh_reads_it(demo):
    organisation, connection = demo
    api = ApiClient(create_key(organisation, "job system")[1])
    ReferenceCache.objects.filter(connection=connection).delete()

    unread = api.get("/mapping/nominal-codes")
    assert unread.status_code == 409
    assert unread.json()["error"]["code"] == "not_read"
    assert api.post("/mapping/refresh").status_code == 202
    # The test settings run background work at once: the list is read now.
    assert api.get("/mapping/nominal-codes").status_code == 200


def test_without_a_connection_the_mapping_says_not_connected(api):
    for answer in (api.get("/mapping/nominal-codes"), api.put("/mapping/tax-codes/S", {})):
        assert answer.status_code == 409
        assert answer.json()["error"]["code"] == "not_connected"
