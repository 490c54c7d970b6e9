"""The document form's Post as, and what the document page says of it (issue 17)."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Document, PostAs, Role
from ledgersync.records.tests.factories import make_org, make_user
from ledgersync.web.tests.test_document_vat_form import post

pytestmark = pytest.mark.django_db


def test_a_document_posts_as_the_form_says_or_as_the_settings_say(client):
    organisation = make_org()
    organisation.provider, organisation.post_as = "xero", PostAs.DRAFT
    organisation.save()
    client.force_login(make_user(organisation, Role.ACCOUNTS))
    supplier = organisation.supplier_set.get()

    form = client.get("/documents/new/").content.decode()
    assert "As the settings say (draft)" in form
    assert post(client, supplier=supplier.pk, post_as="approved").status_code == 302
    assert post(client, supplier=supplier.pk, number="BMD-78").status_code == 302

    chosen, as_set = Document.objects.get(number="BMD-77"), Document.objects.get(number="BMD-78")
    assert (chosen.post_as, as_set.post_as) == ("approved", "")
    page = client.get(f"/documents/{as_set.pk}/").content.decode()
    assert '<dd id="post-as-fact">Draft (as the settings say)</dd>' in page
    page = client.get(f"/documents/{chosen.pk}/").content.decode()
    assert '<dd id="post-as-fact">Approved</dd>' in page


def test_where_the_package_has_no_drafts_the_form_and_page_say_so(client):
    organisation = make_org()  # QuickBooks
    organisation.post_as = PostAs.DRAFT
    organisation.save()
    client.force_login(make_user(organisation, Role.ACCOUNTS))
    supplier = organisation.supplier_set.get()

    form = client.get("/documents/new/").content.decode()
    assert "QuickBooks has no draft state: documents go to it as final" in form
    assert post(client, supplier=supplier.pk).status_code == 302
    page = client.get(f"/documents/{Document.objects.get().pk}/").content.decode()
    assert '<dd id="post-as-fact">Final (QuickBooks has no draft state)</dd>' in page
