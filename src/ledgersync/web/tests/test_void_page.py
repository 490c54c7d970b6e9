"""The document page's Void in the package: a page asks first; a refusal is said in words."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Document, Role
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.sync.models import DocumentState
from ledgersync.sync.status import StatusCode
from ledgersync.web.tests.test_document_vat_form import post

pytestmark = pytest.mark.django_db


def test_void_asks_first_and_a_document_not_in_the_package_is_refused_in_words(client):
    organisation = make_org()
    client.force_login(make_user(organisation, Role.ACCOUNTS))
    assert post(client, supplier=organisation.supplier_set.get().pk).status_code == 302
    document = Document.objects.get()
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert 'id="void"' not in page  # only a synced document offers it

    asked = client.get(f"/documents/{document.pk}/void/").content.decode()
    assert "Void Supplier Invoice BMD-77 in QuickBooks?" in asked
    answer = client.post(f"/documents/{document.pk}/void/", follow=True).content.decode()
    assert "is not in the package, so there is nothing to void" in answer
    assert not DocumentState.objects.filter(status_code=StatusCode.VOIDED).exists()
