"""Linking ledgersync accounts and suppliers to contacts in the package.

The actions popup offers: Suggestions (similar names), Link This (an exact name match),
Create New (make the contact in the package), and typing an AccsID (where the provider's
ids can be typed; not Sage). The web popup, the record's AccsID field and the REST API all
call `link` / `save_raw_accs_id` / `unlink` here, so every change is written to the audit
log exactly once, and saving the AccsID a record already has writes nothing. Every change
re-assesses, at once, each document the record is on (as account, supplier or care-of).

Each action acts once however often it arrives (a double click, two tabs, a replayed POST):
it holds the record's row lock while it looks at the record's current link and changes it,
so a second request waits for the first and then finds the link made. Create New finds the
record linked to a contact the package still has and returns that link instead of making a
second contact. Whether an AccsID may be typed is the provider's capability, and the words
for "no" are its ``typed_accs_id_refusal``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

from ledgersync.providers.base import (
    Address,
    Connector,
    ContactKind,
    ContactMatch,
    InvalidAccsId,
    NewContact,
    Wanted,
)
from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.models import Account, Supplier
from ledgersync.sync import assess, reference
from ledgersync.sync.models import AccsIdLink, AuditEvent, Connection, LinkMethod
from ledgersync.sync.status import StatusCode, check_failure


class LinkError(Exception):
    """A link that cannot be made, with a message that says what to do instead."""


class NoExactMatch(LinkError):
    """Link This without a chosen contact, and the package has none with exactly that name."""


class LinkAction(StrEnum):
    """The popup's (and the API's) ways to link a record."""

    LINK_THIS = "link_this"
    SUGGESTION = "suggestion"
    CREATE_NEW = "create_new"
    ACCS_ID = "accs_id"


def kind_of(party: Account | Supplier) -> ContactKind:
    return ContactKind.SUPPLIER if isinstance(party, Supplier) else ContactKind.CUSTOMER


def current_link(connection: Connection, party: Account | Supplier) -> AccsIdLink | None:
    field = "supplier" if isinstance(party, Supplier) else "account"
    return AccsIdLink.objects.filter(
        organisation=connection.organisation_id,
        provider=connection.provider,
        company_id=connection.company_id,
        **{field: party},
    ).first()


@dataclass(frozen=True)
class Suggestions:
    matches: list[ContactMatch]

    @property
    def exact(self) -> ContactMatch | None:
        """The match Link This offers: a contact with exactly the same name."""
        return next((m for m in self.matches if m.exact), None)


def suggestions(connector: Connector, party: Account | Supplier) -> Suggestions:
    return Suggestions(connector.find_contacts(Wanted.of(party), kind_of(party)))


def _audit(connection: Connection, user, action: str, detail: str) -> None:
    AuditEvent.objects.create(
        organisation=connection.organisation,
        user=user if user and user.is_authenticated else None,
        action=action,
        detail=detail,
    )


def typed_accs_id_refusal(provider: str) -> str | None:
    """Why an AccsID cannot be typed for ``provider`` (a slug), or None where it can."""
    return PROVIDERS[provider].capabilities.typed_accs_id_refusal


def _lock(party: Account | Supplier) -> None:
    """Hold the record's row until the transaction ends, so actions on it go one at a time
    (on SQLite the IMMEDIATE transaction itself serves)."""
    type(party).objects.select_for_update().filter(pk=party.pk).first()


def _save_link(connection, party, remote_id: str, method: LinkMethod, user) -> AccsIdLink:
    if party.organisation_id != connection.organisation_id:
        raise LinkError("That record belongs to another organisation.")
    field = "supplier" if isinstance(party, Supplier) else "account"
    with transaction.atomic():
        _lock(party)
        current = current_link(connection, party)
        if current is not None and current.remote_id == remote_id:
            # nothing changes, so nothing to audit; what was just learnt of the contact
            # (it exists) may still change the judgement of the documents it is on
            assess.party_changed(connection.organisation, party)
            return current
        saved, _ = AccsIdLink.objects.update_or_create(
            provider=connection.provider,
            company_id=connection.company_id,
            **{field: party},
            defaults={
                "organisation": connection.organisation,
                "remote_id": remote_id,
                "method": method,
                "linked_by": user if user and user.is_authenticated else None,
            },
        )
        provider = connection.get_provider_display()
        _audit(
            connection,
            user,
            f"link:{method}",
            f"{party} linked to {provider} id {remote_id} ({method.label})",
        )
        assess.party_changed(connection.organisation, party)
    return saved


def link(
    connection: Connection,
    connector: Connector,
    party,
    action: LinkAction,
    *,
    remote_id: str = "",
    accs_id: str = "",
    user=None,
) -> AccsIdLink:
    """One linking action: Link This (the chosen contact, else the exact name match), a
    suggestion, Create New, or a typed AccsID."""
    if action == LinkAction.CREATE_NEW:
        return create_new(connection, connector, party, user=user)
    if action == LinkAction.ACCS_ID:
        return set_typed_accs_id(connection, connector, party, accs_id, user=user)
    if not remote_id and action == LinkAction.LINK_THIS:
        exact = suggestions(connector, party).exact
        if exact is None:
            name = connector.capabilities.display_name
            raise NoExactMatch(f"{name} has no contact named exactly '{party.name}'")
        remote_id = exact.contact.id
    return link_existing(
        connection, connector, party, remote_id, user=user, method=LinkMethod(action.value)
    )


def link_existing(
    connection: Connection,
    connector: Connector,
    party,
    remote_id: str,
    *,
    user=None,
    method: LinkMethod = LinkMethod.SUGGESTION,
) -> AccsIdLink:
    """Link to a contact the package has (Link This or a chosen suggestion)."""
    if connector.get_contact(remote_id, kind_of(party)) is None:
        raise LinkError(
            f"{connector.capabilities.display_name} has no such contact any more; "
            "refresh the suggestions."
        )
    reference.note_contact(connection, kind_of(party), remote_id, exists=True)
    return _save_link(connection, party, remote_id, method, user)


def create_new(
    connection: Connection, connector: Connector, party, *, user=None, idempotency_key: str = ""
) -> AccsIdLink:
    """Create the contact in the package from our record, and link it; a record already
    linked to a contact the package has keeps that link (a repeated Create New makes no
    second contact). The row lock is held over the package's answer, as a token refresh
    holds its own: a second click waits for the first and then finds its link. A bulk
    action passes ``idempotency_key`` (its own and the item's), so a creation repeated after a
    killed worker is the package's replay of the first; the popup's key is new each time."""
    if party.organisation_id != connection.organisation_id:
        raise LinkError("That record belongs to another organisation.")
    with transaction.atomic():
        _lock(party)
        current = current_link(connection, party)
        if current is not None and connector.get_contact(current.remote_id, kind_of(party)):
            reference.note_contact(connection, kind_of(party), current.remote_id, exists=True)
            assess.party_changed(connection.organisation, party)
            return current
        contact = _create_contact(connector, party, idempotency_key or str(uuid.uuid4()))
        reference.note_contact(connection, kind_of(party), contact.id, exists=True)
        return _save_link(connection, party, contact.id, LinkMethod.CREATE_NEW, user)


def _create_contact(connector: Connector, party, idempotency_key: str):
    address = Address(
        line1=party.address_line1,
        line2=party.address_line2,
        city=party.city,
        region=party.region,
        postcode=party.postcode,
        country=party.country,
    )
    contact = connector.create_contact(
        NewContact(
            kind=kind_of(party),
            name=party.name,
            email=party.email,
            phone=party.phone,
            address=address,
            idempotency_key=idempotency_key,
        )
    )
    return contact


def set_typed_accs_id(
    connection: Connection, connector: Connector, party, text: str, *, user=None
) -> AccsIdLink:
    """Link by an AccsID the user typed; checks its shape and that the contact exists."""
    name = connector.capabilities.display_name
    refusal = connector.capabilities.typed_accs_id_refusal
    if refusal is not None:
        raise LinkError(refusal)
    try:
        remote_id = connector.validate_accs_id(text)
    except InvalidAccsId as exc:
        raise LinkError(exc.message) from None
    if connector.get_contact(remote_id, kind_of(party)) is None:
        noun = "supplier" if isinstance(party, Supplier) else "customer"
        unknown = check_failure(
            StatusCode.ACCOUNT_ID_INVALID, accs_id=remote_id, provider=name, noun=noun
        )
        raise LinkError(unknown.message)
    reference.note_contact(connection, kind_of(party), remote_id, exists=True)
    return _save_link(connection, party, remote_id, LinkMethod.TYPED, user)


def unlink(connection: Connection, party, *, user=None) -> bool:
    """Remove the record's AccsID; False when it had none."""
    with transaction.atomic():
        _lock(party)
        found = current_link(connection, party)
        if found is None:
            return False
        found.delete()
        _audit(connection, user, "unlink", f"{party}: AccsID {found.remote_id} removed")
        assess.party_changed(connection.organisation, party)
    return True


def save_raw_accs_id(connection: Connection, party, text: str, *, user=None) -> AccsIdLink | None:
    """The record's AccsID field, as typed (double-click to edit): saved as it is, or cleared.

    Unlike the popup it does not ask the package, so a wrong value is kept and check 2 then
    says "AccountsID (...) is not correct" until someone fixes it, as the product guide says.
    Clearing it unlinks the record so the sync dialog can find it by name again. Where the
    provider's ids cannot be typed (Sage), a value is refused with LinkError; clearing stays
    allowed.
    """
    text = text.strip()
    if not text:
        unlink(connection, party, user=user)
        return None
    current = current_link(connection, party)
    refusal = typed_accs_id_refusal(connection.provider)
    if refusal is not None and (current is None or current.remote_id != text):
        raise LinkError(refusal)
    return _save_link(connection, party, text, LinkMethod.TYPED, user)
