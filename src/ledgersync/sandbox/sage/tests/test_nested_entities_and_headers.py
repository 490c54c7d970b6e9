"""What real Sage shows of nested entities, the X-Business header and /user (issue #16),
over a real loopback socket (Sage has no maintained Python SDK to drive it with).

Evidence for each case is in its comment and in docs/sandboxes.md ("Driven by the public
SDKs" and "Sage Accounting").
"""

from __future__ import annotations

import re

import httpx
import pytest

from ledgersync.sandbox.sage.seed import DEMO_ID
from ledgersync.sandbox.tests.loopback import loopback_fixtures

server, plane = loopback_fixtures("sage")


class Api:
    """Bearer-authenticated calls to the demo business of the socket sandbox."""

    def __init__(self, server, plane) -> None:
        token = plane.post("/_sandbox/tokens", json={}).json()["access_token"]
        self.http = httpx.Client(
            base_url=server.url,
            timeout=10,
            headers={"Authorization": f"Bearer {token}", "X-Business": DEMO_ID},
        )

    def get(self, path: str, **params) -> httpx.Response:
        return self.http.get(f"/v3.1{path}", params=params)

    def post(self, path: str, body) -> httpx.Response:
        return self.http.post(f"/v3.1{path}", json=body)


@pytest.fixture
def api(server, plane):
    made = Api(server, plane)
    yield made
    made.http.close()


@pytest.fixture
def app(server):
    return server.app


STUB_KEYS = {"id", "displayed_as", "$path"}
HEX = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def lee(api) -> dict:
    """A contact created with a named main contact person, a telephone and an address."""
    body = {
        "contact": {
            "name": "Lee Property Agents",
            "contact_type_ids": ["CUSTOMER"],
            "main_contact_person": {
                "name": "Dana Lee",
                "telephone": "01202 555 010",
                "email": "dana@lee.example",
            },
            "main_address": {"address_line_1": "4 Quay Road", "city": "Poole"},
        }
    }
    response = api.post("/contacts", body)
    assert response.status_code == 201, response.text
    return response.json()


def _row(api, contact_id: str, **params) -> dict:
    response = api.get("/contacts", attributes="all", **params)
    assert response.status_code == 200, response.text
    return next(r for r in response.json()["$items"] if r["id"] == contact_id)


def test_a_list_under_attributes_all_shows_the_nested_person_and_address_as_stubs(api, lee):
    # DeskproApps/sage testing/mocks/mockContacts.json: a recorded attributes=all list whose
    # main_address and main_contact_person are {id, displayed_as, $path} and nothing more.
    row = _row(api, lee["id"])
    person, address = row["main_contact_person"], row["main_address"]
    assert set(person) == STUB_KEYS
    assert set(address) == STUB_KEYS
    assert HEX.match(person["id"]) and HEX.match(address["id"])
    assert person["$path"] == f"/contact_persons/{person['id']}"
    assert address["$path"] == f"/addresses/{address['id']}"
    assert person["displayed_as"] == "Dana Lee"
    assert address["displayed_as"] == ""  # as in the recorded mock


def test_nested_attributes_all_fills_the_nested_entities_in(api, lee):
    # Swagger, GET /contacts nested_attributes: "Specify the attributes that you want to
    # expose for nested entities of the Contacts (expose all nested attributes with 'all')".
    row = _row(api, lee["id"], nested_attributes="all")
    assert row["main_contact_person"]["telephone"] == "01202 555 010"
    assert row["main_contact_person"]["name"] == "Dana Lee"
    assert row["main_address"]["address_line_1"] == "4 Quay Road"
    assert row["main_address"]["city"] == "Poole"


def test_nested_attributes_naming_fields_shows_those_beside_the_base_ones(api, lee):
    row = _row(api, lee["id"], nested_attributes="telephone,city")
    assert row["main_contact_person"] == {
        **{k: row["main_contact_person"][k] for k in STUB_KEYS},
        "telephone": "01202 555 010",
    }
    assert set(row["main_address"]) == STUB_KEYS | {"city"}


def test_attributes_naming_the_nested_entity_still_gives_its_stub(api, lee):
    # attributes picks the contact's own fields; all of them (attributes=all) still gives
    # stubs in the recorded mock, so naming one gives its stub too.
    row = _row(api, lee["id"])
    named = api.get("/contacts", attributes="main_contact_person").json()["$items"]
    mine = next(r for r in named if r["id"] == lee["id"])
    assert mine["main_contact_person"] == row["main_contact_person"]


def test_a_single_read_and_a_create_answer_show_stubs_unless_asked(api, lee):
    assert set(lee["main_contact_person"]) == STUB_KEYS
    one = api.get(f"/contacts/{lee['id']}").json()
    assert set(one["main_address"]) == STUB_KEYS
    assert one["delivery_address"] is None
    full = api.get(f"/contacts/{lee['id']}", nested_attributes="all").json()
    assert full["main_contact_person"]["email"] == "dana@lee.example"


def test_a_created_contact_keeps_its_main_contact_persons_name(api, lee):
    # Swagger postContacts: main_contact_person.name "The name of the contact person".
    full = api.get(f"/contacts/{lee['id']}", nested_attributes="name").json()
    assert full["main_contact_person"]["name"] == "Dana Lee"


def test_an_unnamed_main_contact_person_shows_as_main_contact(api):
    body = {"contact": {"name": "No Person Ltd", "contact_type_ids": ["VENDOR"]}}
    created = api.post("/contacts", body).json()
    assert created["main_contact_person"]["displayed_as"] == "Main Contact"


def test_every_answer_but_businesses_and_user_names_its_business(api):
    # Sage's "API best practices" guide: the X-Business header travels with every request
    # for a business and its answer; Apideck's Sage connector notes "X-Business on every
    # request and response". /businesses and /user belong to no one business.
    for path in ("/contacts", "/ledger_accounts", "/tax_rates", "/sales_invoices"):
        assert api.get(path).headers["X-Business"] == DEMO_ID, path
    assert api.get("/contacts/ffffffffffffffffffffffffffffffff").headers["X-Business"] == DEMO_ID
    for path in ("/businesses", "/businesses/lead", "/user"):
        assert "X-Business" not in api.get(path).headers, path


def test_the_user_has_created_at_and_updated_at(api):
    # reference/sage.md: GET /user [REAL: DeskproApps/sage mockCurrentUser.json] carries
    # created_at and updated_at.
    user = api.get("/user").json()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", user["created_at"])
    assert user["updated_at"] == user["created_at"]


def test_a_create_answer_can_fill_its_nested_entities_in(app, api):
    # Whether a POST answer shows stubs is UNCONFIRMED: nested_stubs_on_create switches it.
    app.settings.nested_stubs_on_create = False
    body = {
        "contact": {
            "name": "Full Answer Ltd",
            "contact_type_ids": ["CUSTOMER"],
            "main_contact_person": {"telephone": "01202 555 012"},
        }
    }
    created = api.post("/contacts", body).json()
    assert created["main_contact_person"]["telephone"] == "01202 555 012"
