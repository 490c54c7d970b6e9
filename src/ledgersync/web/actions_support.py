"""The Accounts Sync (Actions) popup: which parties need linking and what the package offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledgersync.providers.base import Connector, ContactMatch
from ledgersync.records.models import Account, Document, Supplier
from ledgersync.records.money import to_money
from ledgersync.sync import assess, linking, queues
from ledgersync.sync.checks import link_key, links_for, parties_of
from ledgersync.sync.models import AccsIdLink, Connection, DocumentState
from ledgersync.sync.status import Failure, StatusCode

PARTY_ROLE = "party"
CARE_OF_ROLE = "care_of"

NEEDS_ACTION = {
    PARTY_ROLE: {StatusCode.ACCOUNT_NOT_LINKED, StatusCode.ACCOUNT_ID_INVALID},
    CARE_OF_ROLE: {StatusCode.CARE_OF_NOT_LINKED},
}


@dataclass(frozen=True)
class Suggestion:
    match: ContactMatch
    url: str | None


@dataclass
class PartyPanel:
    """One account, care-of account or supplier in the popup, with what can be done."""

    role: str
    title: str
    party: Account | Supplier
    link: AccsIdLink | None
    link_url: str | None = None
    needs_action: bool = False
    suggestions: list[Suggestion] = field(default_factory=list)
    exact: ContactMatch | None = None
    unsupported: bool = False  # care-of where the package has no such thing

    @property
    def is_supplier(self) -> bool:
        return isinstance(self.party, Supplier)


def is_current(document: Document, connection: Connection, connector: Connector) -> bool:
    """Whether the document's recorded checks still hold for this connection and the links
    its parties have now: judged for this provider and company, after every link of its
    parties was made, and saying "not linked" exactly for the parties that are not."""
    state = DocumentState.objects.filter(document=document).first()
    if assess.judged_elsewhere(state, assess.state_key(document.organisation, connection)):
        return False
    assert state is not None  # judged_elsewhere says so otherwise
    if state.holds_remote_copy:
        return True
    links = links_for(connection, parties_of([document]))
    checked = state.checked_at
    if checked is None or any(link.linked_at > checked for link in links.values()):
        return False
    codes = {f.code for f in state.failure_list()}
    if (link_key(document.party) in links) == (StatusCode.ACCOUNT_NOT_LINKED in codes):
        return False
    care_of = document.care_of
    if care_of is not None and connector.capabilities.supports_care_of:
        if (link_key(care_of) in links) == (StatusCode.CARE_OF_NOT_LINKED in codes):
            return False
    return True


def grid_rows(documents: list[Document]) -> list[Document]:
    """The documents as the Sync grid shows them (each with its total), read afresh."""
    ids = [d.pk for d in documents]
    rows: list[Any] = queues.load(Document.objects.filter(pk__in=ids).order_by("number", "pk"))
    for row in rows:
        row.total = to_money(row.gross_total)
    return rows


def failures_of(document: Document) -> list[Failure]:
    state = DocumentState.objects.filter(document=document).first()
    return state.failure_list() if state else []


def party_for(document: Document, role: str) -> Account | Supplier | None:
    if role == CARE_OF_ROLE:
        return document.care_of
    if role == PARTY_ROLE:
        return document.party
    return None


def panels(
    document: Document,
    failures: list[Failure],
    connection: Connection | None,
    connector: Connector | None,
) -> list[PartyPanel]:
    """The parties of a document; suggestions are fetched only for those that need a link."""
    codes = {f.code for f in failures}
    party_title = "Supplier" if document.supplier_id else "Customer account"
    roles: list[tuple[str, str, Account | Supplier]] = [(PARTY_ROLE, party_title, document.party)]
    if document.care_of is not None:
        roles.append((CARE_OF_ROLE, "Care of", document.care_of))
    result = []
    for role, title, party in roles:
        link = linking.current_link(connection, party) if connection else None
        panel = PartyPanel(
            role=role,
            title=title,
            party=party,
            link=link,
            needs_action=bool(codes & NEEDS_ACTION[role]) or link is None,
        )
        if (
            role == CARE_OF_ROLE
            and connector is not None
            and not connector.capabilities.supports_care_of
        ):
            panel.needs_action, panel.unsupported = False, True
        if connector is not None:
            kind = linking.kind_of(party)
            if link is not None:
                panel.link_url = connector.contact_url(link.remote_id, kind)
            if panel.needs_action:
                found = linking.suggestions(connector, party)
                panel.exact = found.exact
                panel.suggestions = [
                    Suggestion(m, connector.contact_url(m.contact.id, kind)) for m in found.matches
                ]
        result.append(panel)
    return result
