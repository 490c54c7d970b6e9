"""The popup's AccsID hint gives the connected package's own example: QuickBooks' nameId=129,
a Xero ContactID GUID, and for Sage (no typed AccsID) no example at all."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Document, User
from ledgersync.sync.tests.conftest import demo, sandbox, sandbox_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = {
    "quickbooks": "<code>app/customerdetail?nameId=129</code> means 129",
    "xero": "<code>Contacts/View/297c2dc5-cc47-4afd-8ec8-74990b8761e9</code> means "
    "297c2dc5-cc47-4afd-8ec8-74990b8761e9",
}


def test_the_hint_names_an_id_of_the_connected_package(client, demo, sandbox):  # noqa: F811
    organisation, _ = demo
    client.force_login(User.objects.get(username="accounts"))
    s1004 = Document.objects.get(organisation=organisation, number="S1004")  # not linked

    html = client.get(f"/sync/documents/{s1004.pk}/actions/").content.decode()

    if sandbox.slug in EXAMPLES:
        assert EXAMPLES[sandbox.slug] in html
        others = [text for slug, text in EXAMPLES.items() if slug != sandbox.slug]
        assert not any(text in html for text in others)
    else:
        assert 'id="accs-unavailable"' in html
        assert "nameId" not in html and "Contacts/View" not in html
