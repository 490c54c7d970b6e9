"""Bulk actions on the Needs attention list (issue #18): a person picks documents, sees what
each action would do to them, confirms, and one background job does it with its progress
shown.

The actions:

- **Link This for every exact-name match**: each account or supplier of the selection (and
  each care-of account) that is not linked is linked to the package's contact with exactly
  its name, as the popup's Link This does; one with no such contact is left, saying so.
- **Create New**: each one not linked is created in the package and linked. The preview warns
  where the package has similar contacts (a Create New there may make a second contact).
- **Mark sent**: invoices not marked as sent are marked sent by hand (check 1).
- **Check again**: every document is judged again against the package's data.
- **Sync the fixed ones**: judged again, then those now ready go with an Auto Sync of their
  type, started here (one run per connection at a time, so a type whose run cannot start yet
  says so).

Exactly once: ``request`` writes the action and all its items in one transaction, under a
key the confirm form (or the API caller) chose, so the same confirmation sent twice finds the
first action. A worker holds the action by a lease and settles items one at a time, each in
its own transaction with the item's row locked, so a killed worker's successor goes on from
the first item still pending. A contact Create New makes carries a key built from the action
and the item, so a contact made just before a kill is replayed by the package, not made again.
Each link, creation and marking is audited where it is made (sync/linking.py,
records/services.py); the action's start and end are audited here.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ledgersync.outage import database_errors
from ledgersync.providers.base import Connector, ContactMatch
from ledgersync.providers.errors import ProviderError
from ledgersync.records import services
from ledgersync.records.models import (
    Account,
    DocType,
    Document,
    Organisation,
    Perm,
    SentVia,
    Supplier,
)
from ledgersync.sync import actor, connections, engine, linking
from ledgersync.sync.checks import link_key, links_for
from ledgersync.sync.models import (
    AuditEvent,
    BulkAction,
    BulkItem,
    BulkKind,
    BulkState,
    Connection,
    ItemState,
    LinkMethod,
)
from ledgersync.sync.status import failure_for

log = logging.getLogger(__name__)

MAX_DOCUMENTS = 10_000  # one action's selection at most
LEASE = dt.timedelta(seconds=60)
CHUNK = 100  # documents judged again at a time
READY = "Ready to sync."  # a judged item's message when the document can go now
PARTY_KINDS = (BulkKind.LINK_THIS, BulkKind.CREATE_NEW)
RUNNING_STATES = (BulkState.QUEUED, BulkState.RUNNING)

# Who may ask for each (the web page and the API check the same).
PERMISSION = {
    BulkKind.LINK_THIS: Perm.LINK_ACCOUNTS,
    BulkKind.CREATE_NEW: Perm.LINK_ACCOUNTS,
    BulkKind.MARK_SENT: Perm.RUN_SYNC,
    BulkKind.RECHECK: Perm.RUN_SYNC,
    BulkKind.RESYNC: Perm.RUN_SYNC,
}


def kind_of(value: str) -> BulkKind:
    """The action named ``value``, or BulkError saying which there are."""
    try:
        return BulkKind(value)
    except ValueError:
        names = ", ".join(f"{k.value} ({k.label})" for k in BulkKind)
        raise BulkError(f"Choose an action: one of {names}.") from None


class BulkError(Exception):
    """A bulk action that cannot be asked for, in words that say what to do instead."""


@dataclass
class Planned:
    """One item as the preview shows it: what it is, what will happen, any warning."""

    label: str
    outcome: str
    warning: str = ""
    documents: int = 1
    document: Document | None = None
    party: Account | Supplier | None = None
    acts: bool = True  # False: the action will leave it as it is


@dataclass
class Preview:
    kind: BulkKind
    documents: int
    items: list[Planned] = field(default_factory=list)
    problem: str = ""  # why nothing can be done now (not connected, the package not answering)

    @property
    def acting(self) -> int:
        return sum(1 for item in self.items if item.acts)

    @property
    def warnings(self) -> int:
        return sum(1 for item in self.items if item.warning)

    @property
    def summary(self) -> str:
        one, many = (
            ("account or supplier", "accounts or suppliers")
            if self.kind in PARTY_KINDS
            else ("document", "documents")
        )
        left = len(self.items) - self.acting
        said = f"{self.acting} {one if self.acting == 1 else many} will change"
        if left:
            said += f"; {left} will be left as {'they are' if left != 1 else 'it is'}"
        return said + "."


# -- what a selection stands for ---------------------------------------------------------------


def _unlinked_parties(
    connection: Connection, connector: Connector, documents: Sequence[Document]
) -> list[tuple[Account | Supplier, int]]:
    """The accounts and suppliers of ``documents`` (and their care-of accounts, where the
    package has care-of) with no link on the connection, in the order they first appear,
    each with how many of the documents name it."""
    care_of = connector.capabilities.supports_care_of
    seen: dict[tuple[str, int], list] = {}
    for document in documents:
        for party in (document.party, document.care_of if care_of else None):
            if party is None:
                continue
            if link_key(party) in seen:
                seen[link_key(party)][1] += 1
            else:
                seen[link_key(party)] = [party, 1]
    links = links_for(connection, [party for party, _ in seen.values()])
    return [(party, count) for key, (party, count) in seen.items() if key not in links]


def _label(party: Account | Supplier) -> str:
    return f"{party.name} ({party.number})"


def _similar(matches: list[ContactMatch]) -> str:
    return "; ".join(
        f"{m.contact.name} ({', '.join(m.reasons) or 'similar name'})" for m in matches[:3]
    )


def preview(
    organisation: Organisation, kind: BulkKind | str, documents: Sequence[Document]
) -> Preview:
    """What ``kind`` would do to each of ``documents`` (or their parties), asking the
    package only for its contacts (one list read, as the popup's suggestions do)."""
    kind = BulkKind(kind)
    if not documents:
        raise BulkError("Choose at least one document.")
    if len(documents) > MAX_DOCUMENTS:
        raise BulkError(
            f"More than {MAX_DOCUMENTS:,} documents are chosen; a bulk action takes at most "
            f"{MAX_DOCUMENTS:,}. Narrow the list with the filters."
        )
    shown = Preview(kind, len(documents))
    if kind in PARTY_KINDS:
        connection = connections.live_connection(organisation)
        if connection is None:
            raise BulkError("Connect to your accounting package first: linking asks it.")
        name = connection.get_provider_display()
        try:
            connector = connections.connector_for_connection(connection)
            for party, count in _unlinked_parties(connection, connector, documents):
                shown.items.append(_plan_party(kind, connector, party, count, name))
        except (connections.NotConnected, ProviderError) as exc:
            shown.problem = failure_for(exc, name).message
            shown.items = []
        return shown
    for document in documents:
        shown.items.append(_plan_document(kind, document))
    return shown


def _plan_party(kind: BulkKind, connector: Connector, party, count: int, provider: str) -> Planned:
    found = linking.suggestions(connector, party)
    if kind == BulkKind.LINK_THIS:
        if found.exact is None:
            return Planned(
                _label(party),
                f"Left: {provider} has no contact named exactly '{party.name}'.",
                documents=count,
                party=party,
                acts=False,
            )
        return Planned(
            _label(party),
            f"Linked to {found.exact.contact.name} (AccsID {found.exact.contact.id}).",
            documents=count,
            party=party,
        )
    if found.exact is not None:
        return Planned(
            _label(party),
            f"Left: {provider} has a contact named exactly '{party.name}' already; use Link "
            "This for it.",
            documents=count,
            party=party,
            acts=False,
        )
    warning = ""
    if found.matches:
        warning = (
            f"{provider} has similar contacts: {_similar(found.matches)}. Create New makes "
            "another; use Link This or the popup if one of them is this one."
        )
    return Planned(
        _label(party),
        f"Created in {provider} as a new contact and linked.",
        warning=warning,
        documents=count,
        party=party,
    )


def _plan_document(kind: BulkKind, document: Document) -> Planned:
    label = str(document)
    if kind == BulkKind.MARK_SENT:
        if document.doc_type != DocType.SALES_INVOICE:
            return Planned(
                label, "Left: only invoices are marked as sent.", document=document, acts=False
            )
        if document.is_sent:
            return Planned(label, "Left: already marked as sent.", document=document, acts=False)
        return Planned(label, "Marked as sent (by hand).", document=document)
    if kind == BulkKind.RECHECK:
        return Planned(label, "Checked again against the package.", document=document)
    return Planned(
        label, "Checked again; if it is ready, it goes with an Auto Sync.", document=document
    )


# -- asking for one ---------------------------------------------------------------------------


def request(
    organisation: Organisation,
    kind: BulkKind | str,
    documents: Sequence[Document],
    *,
    token: str,
    user=None,
) -> tuple[BulkAction, bool]:
    """Write the action and its items (as ``preview`` plans them) and return it with True;
    the same ``token`` again returns the action it made first with False. A worker is
    handed it once this commits."""
    kind = BulkKind(kind)
    token = (token or "").strip()
    if not token or len(token) > 64:
        raise BulkError("The confirmation has no key; open the preview again and confirm.")
    earlier = BulkAction.objects.filter(organisation=organisation, token=token).first()
    if earlier is not None:
        return earlier, False
    plan = preview(organisation, kind, documents)
    if plan.problem:
        raise BulkError(plan.problem)
    acting = [item for item in plan.items if item.acts]
    if not acting:
        raise BulkError(f"Nothing to do: {plan.summary}")
    try:
        with transaction.atomic():
            action = BulkAction.objects.create(
                organisation=organisation,
                kind=kind,
                token=token,
                connection=connections.live_connection(organisation),
                created_by=user if user and user.is_authenticated else None,
                total=len(acting),
            )
            BulkItem.objects.bulk_create(
                BulkItem(
                    bulk=action,
                    position=position,
                    document=item.document,
                    account=item.party if isinstance(item.party, Account) else None,
                    supplier=item.party if isinstance(item.party, Supplier) else None,
                    label=item.label[:250],
                    documents=item.documents,
                )
                for position, item in enumerate(acting)
            )
            _audit(action, f"bulk:{kind}", f"{kind.label}: {len(acting)} asked for")
            from ledgersync.sync import tasks  # the queue's, which imports this module

            tasks.enqueue_bulk(action.pk)
    except IntegrityError:  # the same confirmation, sent twice at once
        return BulkAction.objects.get(organisation=organisation, token=token), False
    return action, True


# The keys a Create New sends, one per action and item.
_KEY_SPACE = uuid.UUID("5f0c8a52-3b8e-4f0e-9d44-6a7c1f2e8b31")


def item_key(action: BulkAction, item: BulkItem) -> str:
    """32 hex digits: Sage's idempotency_id is a hyphenless GUID (reference/sage.md §7)."""
    return uuid.uuid5(_KEY_SPACE, f"{action.pk}:{action.token}:{item.position}").hex


def new_token() -> str:
    return uuid.uuid4().hex


def _audit(action: BulkAction, verb: str, detail: str) -> None:
    AuditEvent.objects.create(
        organisation_id=action.organisation_id,
        user_id=action.created_by_id,
        action=verb[:40],
        detail=detail[:1000],
    )


# -- doing it ----------------------------------------------------------------------------------


def _claim(action_id: int) -> BulkAction | None:
    """Take the action for this worker, unless another holds a lease on it still."""
    now = timezone.now()
    taken = (
        BulkAction.objects.filter(pk=action_id, state__in=RUNNING_STATES)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(state=BulkState.RUNNING, lease_until=now + LEASE)
    )
    if not taken:
        return None
    action = BulkAction.objects.select_related("organisation", "connection").get(pk=action_id)
    if action.started_at is None:
        action.started_at = now
        action.save(update_fields=["started_at"])
    return action


def _renew(action: BulkAction) -> None:
    BulkAction.objects.filter(pk=action.pk).update(lease_until=timezone.now() + LEASE)


def release(action_id: int) -> None:
    """Let go of an action this worker held (to take it again at once after an outage)."""
    BulkAction.objects.filter(pk=action_id, state=BulkState.RUNNING).update(lease_until=None)


def revivable() -> list[int]:
    """Actions to take up again: one a worker was doing when it died (its lease lapsed), and
    one asked for while the queue was down (still waiting a minute on)."""
    now = timezone.now()
    return list(
        BulkAction.objects.filter(
            Q(state=BulkState.RUNNING, lease_until__lt=now)
            | Q(state=BulkState.QUEUED, created_at__lt=now - dt.timedelta(minutes=1))
        ).values_list("pk", flat=True)
    )


def work(action_id: int) -> BulkAction | None:
    """Do the action's pending items in order; None when another worker holds it."""
    action = _claim(action_id)
    if action is None:
        return None
    user = action.created_by
    connector = None
    if action.kind in PARTY_KINDS:
        connection = action.connection
        name = connection.get_provider_display() if connection else "the package"
        try:
            if connection is None or connections.live_connection(action.organisation) != connection:
                raise connections.NotConnected("the connection changed")
            connector = connections.connector_for_connection(connection)
        except (connections.NotConnected, ProviderError) as exc:
            return _stop(action, f"Stopped: {failure_for(exc, name).message}")
    try:
        with actor.acting(user):  # what its items fix is resolved by the one who asked
            _work_items(action, connector, user)
    except database_errors():
        raise  # the worker waits for the database and goes on (tasks.run_bulk)
    except Exception:
        log.exception("bulk action %s failed", action.pk)
        return _stop(
            action,
            "Stopped: something went wrong inside ledgersync; what was done is listed below, "
            "the rest was not done. Ask for it again, or tell your administrator.",
        )
    ending = _start_syncs(action) if action.kind == BulkKind.RESYNC else ""
    return _finish(action, ending)


def _work_items(action: BulkAction, connector, user) -> None:
    pending = BulkItem.objects.filter(bulk=action, state=ItemState.PENDING).order_by("position")
    if action.kind in (BulkKind.RECHECK, BulkKind.RESYNC):
        while True:
            chunk = list(pending.select_related("document__sync_state")[:CHUNK])
            if not chunk:
                break
            _judge(action, chunk)
            _renew(action)
        return
    for item_id in list(pending.values_list("pk", flat=True)):
        _one(action, item_id, connector, user)
        _renew(action)


def _one(action: BulkAction, item_id: int, connector, user) -> None:
    if action.kind == BulkKind.CREATE_NEW:
        BulkItem.objects.filter(pk=item_id, tried_at__isnull=True).update(tried_at=timezone.now())
    with transaction.atomic():
        item = (
            BulkItem.objects.select_for_update(of=("self",))
            .select_related("document", "account", "supplier")
            .filter(pk=item_id, state=ItemState.PENDING)
            .first()
        )
        if item is None:
            return  # settled meanwhile (a worker before this one)
        try:
            state, message = _act(action, item, connector, user)
        except (linking.LinkError, services.DocumentLocked) as exc:
            state, message = ItemState.FAILED, str(exc)
        except ProviderError as exc:
            name = action.connection.get_provider_display() if action.connection else ""
            state, message = ItemState.FAILED, failure_for(exc, name).message
        _settle(action, [item], state, message)


def _act(action: BulkAction, item: BulkItem, connector, user) -> tuple[str, str]:
    if action.kind == BulkKind.MARK_SENT:
        document = item.document
        assert document is not None, "a Mark sent item is a document"
        if document.is_sent:
            return ItemState.SKIPPED, "Already marked as sent."
        services.mark_sent(document, SentVia.HAND)
        return ItemState.CHANGED, "Marked as sent."
    connection, party = action.connection, item.party
    assert connection is not None and party is not None, "a linking item names a party"
    name = connection.get_provider_display()
    before = linking.current_link(connection, party)
    if action.kind == BulkKind.LINK_THIS:
        if before is not None:
            return ItemState.SKIPPED, f"Already linked (AccsID {before.remote_id})."
        made = linking.link(connection, connector, party, linking.LinkAction.LINK_THIS, user=user)
        return ItemState.CHANGED, f"Linked to {name} (AccsID {made.remote_id})."
    if item.tried_at is not None and before is None:
        # Cut short last time: the package may have made the contact before the worker died.
        # QuickBooks and Xero would replay the key, but a contact of exactly this name can only
        # be that one (none of the three packages lets ledgersync make two of one name).
        exact = linking.suggestions(connector, party).exact
        if exact is not None:
            made = linking.link_existing(
                connection,
                connector,
                party,
                exact.contact.id,
                user=user,
                method=LinkMethod.CREATE_NEW,
            )
            return ItemState.CHANGED, f"Created in {name} and linked (AccsID {made.remote_id})."
    made = linking.create_new(
        connection, connector, party, user=user, idempotency_key=item_key(action, item)
    )
    if before is not None and before.remote_id == made.remote_id:
        return ItemState.SKIPPED, f"Already linked (AccsID {made.remote_id})."
    return ItemState.CHANGED, f"Created in {name} and linked (AccsID {made.remote_id})."


def _judge(action: BulkAction, items: list[BulkItem]) -> None:
    """Judge a chunk of documents again and settle their items by what they say now."""
    with transaction.atomic():
        documents = [item.document for item in items if item.document is not None]
        before = {d.pk: _code(d) for d in documents}
        found = engine.recheck_all(documents, action.connection)
        for item in items:
            failures = found.get(item.document_id or 0, [])
            if not failures:
                outcome, message = ItemState.CHANGED, READY
            elif failures[0].code != before.get(item.document_id or 0):
                outcome, message = ItemState.CHANGED, f"Now: {failures[0].message}"
            else:
                outcome, message = ItemState.SKIPPED, f"Still: {failures[0].message}"
            _settle(action, [item], outcome, message)


def _code(document: Document) -> str:
    state = getattr(document, "sync_state", None)
    return state.status_code if state is not None else ""


def _settle(action: BulkAction, items: list[BulkItem], state: str, message: str) -> None:
    for item in items:
        item.state, item.message = state, message[:1000]
    BulkItem.objects.bulk_update(items, ["state", "message"])
    counter = {
        ItemState.CHANGED: "changed",
        ItemState.SKIPPED: "skipped",
        ItemState.FAILED: "failed",
    }[ItemState(state)]
    BulkAction.objects.filter(pk=action.pk).update(
        done=F("done") + len(items), **{counter: F(counter) + len(items)}
    )


def _start_syncs(action: BulkAction) -> str:
    """An Auto Sync for each type with a document of the action now ready."""
    ready = Document.objects.filter(
        pk__in=BulkItem.objects.filter(bulk=action, state=ItemState.CHANGED, message=READY).values(
            "document_id"
        )
    )
    types = sorted(set(ready.values_list("doc_type", flat=True)))
    said = []
    from ledgersync.sync import tasks

    for value in types:
        doc_type = DocType(value)
        label = doc_type.label + "s"
        try:
            run = engine.start_run(action.organisation, doc_type, user=action.created_by, auto=True)
        except engine.RunInProgress as exc:
            said.append(
                f"{label}: a run is going on this connection (run {exc.run.pk}); "
                "the ready ones go with it or the next Sync."
            )
            continue
        except (connections.NotConnected, ValueError) as exc:
            said.append(f"{label}: no run could start ({exc}).")
            continue
        tasks.enqueue(run)
        said.append(f"{label}: an Auto Sync started (run {run.pk}).")
    return " ".join(said)


def _stop(action: BulkAction, message: str) -> BulkAction:
    BulkAction.objects.filter(pk=action.pk).update(
        state=BulkState.FAILED, finished_at=timezone.now(), lease_until=None, message=message[:500]
    )
    action.refresh_from_db()
    _audit(action, f"bulk:{action.kind}:stopped", f"{action.get_kind_display()}: {message}")
    return action


def _finish(action: BulkAction, ending: str) -> BulkAction:
    action.refresh_from_db()
    words = (
        f"{action.changed} done, {action.skipped} left as they were, {action.failed} could not "
        "be done."
    )
    if ending:
        words += f" {ending}"
    BulkAction.objects.filter(pk=action.pk).update(
        state=BulkState.DONE, finished_at=timezone.now(), lease_until=None, message=words[:500]
    )
    action.refresh_from_db()
    _audit(action, f"bulk:{action.kind}:done", f"{action.get_kind_display()}: {words}")
    return action


def progress_sentence(action: BulkAction) -> str:
    """The one line the page, the API and the CLI show for an action."""
    if action.state == BulkState.QUEUED:
        return f"Waiting for a worker: {action.total} to do."
    if action.state == BulkState.RUNNING:
        return f"Working: {action.done} of {action.total} done."
    return action.message
