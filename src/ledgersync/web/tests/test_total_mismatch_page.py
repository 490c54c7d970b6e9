"""The document page of a TOTAL_MISMATCH document: both figures, no Edit, Accept and Check
again for those who may sync, refused for those who may not."""

from __future__ import annotations

import pytest

from ledgersync.records.models import Role
from ledgersync.records.services import create_document
from ledgersync.records.tests.factories import invoice_data, make_org, make_user
from ledgersync.sync.models import AuditEvent, DocumentState
from ledgersync.sync.status import StatusCode

pytestmark = pytest.mark.django_db

MESSAGE = "Xero booked total 114.01 (VAT 19.01); ledgersync has 114.00 (VAT 19.00)"


@pytest.fixture
def document():
    organisation = make_org()
    document = create_document(organisation, invoice_data(mark_for_sync=True, sent_via="email"))
    # Judged at creation (sync/assess.py); the push's outcome is written over it.
    DocumentState.objects.update_or_create(
        document=document,
        defaults=dict(
            status_code=StatusCode.TOTAL_MISMATCH,
            message=MESSAGE,
            failures=[{"code": "TOTAL_MISMATCH", "message": MESSAGE}],
            remote_id="f00d",
            mismatch=MESSAGE,
        ),
    )
    return document


def test_the_page_shows_both_figures_and_offers_accept_and_check_again(client, document):
    client.force_login(make_user(document.organisation, Role.ACCOUNTS))
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert MESSAGE in page
    assert "Accept the package's figures" in page and "Check again" in page
    assert f"/documents/{document.pk}/edit/" not in page


def test_accepting_from_the_page_syncs_it_and_audits_who(client, document):
    user = make_user(document.organisation, Role.ACCOUNTS)
    client.force_login(user)
    answer = client.post(f"/documents/{document.pk}/mismatch/", {"action": "accept"})
    assert answer.status_code == 302
    state = DocumentState.objects.get(document=document)
    assert state.status_code == StatusCode.SYNCED
    assert state.mismatch == f"Accepted by {user.username}: {MESSAGE}"
    assert AuditEvent.objects.get(action="sync:mismatch-accepted").user == user


def test_check_again_without_a_connection_says_so_and_changes_nothing(client, document):
    client.force_login(make_user(document.organisation, Role.ACCOUNTS))
    answer = client.post(f"/documents/{document.pk}/mismatch/", {"action": "check"}, follow=True)
    assert "Not connected to" in answer.content.decode()
    assert DocumentState.objects.get(document=document).status_code == StatusCode.TOTAL_MISMATCH


def test_an_engineer_may_not_accept(client, document):
    client.force_login(make_user(document.organisation, Role.ENGINEER))
    answer = client.post(f"/documents/{document.pk}/mismatch/", {"action": "accept"})
    assert answer.status_code == 403
    assert DocumentState.objects.get(document=document).status_code == StatusCode.TOTAL_MISMATCH


def test_an_extra_copy_offers_check_again_only_and_refuses_accept(client, document):
    extra = "Xero holds another copy of S1001 (id beef) that ledgersync could not remove"
    DocumentState.objects.filter(document=document).update(
        status_code=StatusCode.EXTRA_COPY,
        message=extra,
        failures=[{"code": "EXTRA_COPY", "message": extra}],
        mismatch=extra,
    )
    client.force_login(make_user(document.organisation, Role.ACCOUNTS))
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert extra in page and 'id="extra-copy"' in page and "Check again" in page
    assert "Accept the package's figures" not in page
    assert f"/documents/{document.pk}/edit/" not in page
    answer = client.post(f"/documents/{document.pk}/mismatch/", {"action": "accept"}, follow=True)
    assert "has no figures in the package to accept or check" in answer.content.decode()
    assert DocumentState.objects.get(document=document).status_code == StatusCode.EXTRA_COPY
