"""The package's data behind the checks, read per connection and kept (``ReferenceCache``).

Checks 2 (the contact exists), 4 (the number is free), 5 and 6 (the nominal code exists and
has a tax rate) need facts only the package has. They are read here, in as few calls as the
connector allows, and kept on the connection's ``ReferenceCache``:

- the chart of accounts and tax codes (``reference_data()``, one read);
- whether each contact the queue's links name exists (one look-up per distinct AccsID);
- which of the queue's numbers the package already uses (``existing_numbers``, which takes
  many numbers at once; supplier invoices per supplier);
- where the connection maps tracking (sync/tracking.py), the package's classes, locations
  or tracking categories with their options (``tracking_lists``, read with the chart;
  nothing is asked for without a mapping).

``refresh`` reads it all: on connect, from the Sync page's Refresh button, and once a day
(``EVERYTHING_EVERY``). Every ``REFRESH_EVERY`` in between the schedule reads the chart and
tax codes again and only the contacts and numbers not asked about before, which keeps a big
queue within the packages' daily limits (Xero: 5,000 calls). ``fill_gaps`` reads only what a
newly linked party or a new number added since. Each read then re-assesses the queue
(sync/assess.py), which reads the cache through ``CachedFacts`` and so never calls the
package itself. The push still asks the package about numbers at send time (sync/batch.py,
through the live ``Checker``), so a number taken since the last read is caught then; what
it hears is kept here too (``KeptLiveFacts``), so the grid agrees with the push.

The reads run in the background (sync/tasks.py); ``request_refresh`` and ``request_gaps``
queue them once the caller's transaction commits, at most one of each at a time.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ledgersync.env import ConfigError
from ledgersync.providers.base import (
    AuthError,
    Capabilities,
    Connector,
    ContactKind,
    InvalidAccsId,
    LedgerAccount,
    ProviderError,
    RateLimited,
    ReferenceData,
    TaxCode,
    TrackingList,
)
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.providers.config import ProviderConfig
from ledgersync.providers.registry import PROVIDERS, connector_for
from ledgersync.records.models import DocType, Document, Organisation
from ledgersync.sync import connections, tracking
from ledgersync.sync.checks import LiveFacts
from ledgersync.sync.models import (
    AccsIdLink,
    Connection,
    ConnectionStatus,
    DocumentState,
    FetchState,
    ReferenceCache,
)
from ledgersync.sync.status import HOLDS_REMOTE_COPY, StatusCode, failure_for, not_configured

log = logging.getLogger(__name__)

REFRESH_EVERY = dt.timedelta(minutes=30)
EVERYTHING_EVERY = dt.timedelta(hours=24)
# A read asked for this long ago that no worker has begun was lost with its queue message
# (or its worker died before it began): it may be asked for again.
STUCK_AFTER = dt.timedelta(minutes=10)
# A read going says so at least every BEAT_EVERY (and before each rate-limit wait, which is at
# most a minute); one silent for BEAT_LAPSE died with its worker, and the minute's schedule
# hands it to another (``revive_dead_reads``), which goes on from what it had kept.
BEAT_EVERY = 20.0  # seconds
BEAT_LAPSE = dt.timedelta(minutes=2)
# Numbers asked for in one call to the connector, which splits them further into its own
# requests (Xero 40 a filter, QuickBooks 100 a query): a unit of progress a rate limit or a
# killed worker cannot take back once kept.
NUMBERS_PER_ASK = 120
# A read that failed is tried again by the schedule after this long.
RETRY_AFTER = dt.timedelta(minutes=5)
# A read is background work: it waits out the provider's rate limit (Xero allows 60 calls a
# minute, and a queue of thousands needs more) rather than failing and starting over, for at
# most this long in all, well inside STUCK_AFTER.
RATE_LIMIT_PATIENCE = dt.timedelta(minutes=5)
sleep = time.sleep  # tests replace it


def cache_of(connection: Connection | None) -> ReferenceCache | None:
    if connection is None:
        return None
    return ReferenceCache.objects.filter(connection=connection).first()


def is_reading(cache: ReferenceCache | None, now: dt.datetime | None = None) -> bool:
    """A read of this cache is queued or going (and has not died on the way)."""
    if cache is None or cache.state != FetchState.FETCHING or cache.started_at is None:
        return False
    now = now or timezone.now()
    if _begun(cache):
        assert cache.beat_at is not None
        return now - cache.beat_at < BEAT_LAPSE
    return now - cache.started_at < STUCK_AFTER


def _begun(cache: ReferenceCache) -> bool:
    """A worker has begun the read last asked for (it beats), rather than it being queued."""
    return (
        cache.beat_at is not None
        and cache.started_at is not None
        and (cache.beat_at >= cache.started_at)
    )


# -- reading the cache ------------------------------------------------------------------------


def _accounts_json(reference: ReferenceData) -> list[dict]:
    return [
        {
            "id": a.id,
            "code": a.code,
            "name": a.name,
            "account_type": a.account_type,
            "tax_code_id": a.tax_code_id,
            "active": a.active,
        }
        for a in reference.accounts.values()
    ]


def _tax_codes_json(reference: ReferenceData) -> list[dict]:
    return [
        {
            "id": t.id,
            "name": t.name,
            "rate": None if t.rate is None else str(t.rate),
            "code": t.code,
        }
        for t in reference.tax_codes
    ]


def reference_of(cache: ReferenceCache) -> ReferenceData | None:
    """The chart and tax codes as read, or None when they never were."""
    if cache.fetched_at is None:
        return None
    accounts = {row["code"]: LedgerAccount(**row) for row in cache.accounts}
    taxes = [
        TaxCode(
            id=row["id"],
            name=row["name"],
            rate=None if row["rate"] is None else Decimal(row["rate"]),
            code=row["code"],
        )
        for row in cache.tax_codes
    ]
    return ReferenceData(accounts=accounts, tax_codes=taxes)


class CachedFacts:
    """``checks.PackageFacts`` from a connection's cache: no call to the package. A fact not
    read yet answers None and sets ``missing``, so the caller can ask for it to be read."""

    def __init__(self, cache: ReferenceCache | None, provider: str) -> None:
        self.cache = cache
        self.provider = provider
        self.missing = False
        self._reference: ReferenceData | None = None
        self._shapes: Connector | None = None

    @property
    def capabilities(self) -> Capabilities:
        return PROVIDERS[self.provider].capabilities

    def shape_problem(self, remote_id: str) -> str | None:
        if self._shapes is None:
            # A connector without credentials or a client knows the shape of its package's
            # ids (validate_accs_id is the connector's one home for it) and sends nothing.
            facts = PROVIDERS[self.provider]
            blank = ProviderConfig(client_id="", client_secret="", **asdict(facts.real_urls))
            self._shapes = connector_for(self.provider, None, config=blank)
        try:
            self._shapes.validate_accs_id(remote_id)
        except InvalidAccsId as exc:
            return exc.message
        return None

    def contact_exists(self, remote_id: str, kind: ContactKind) -> bool | None:
        contacts = self.cache.contacts if self.cache else {}
        known = contacts.get(str(kind), {}).get(remote_id)
        if known is None:
            self.missing = True
        return known

    def numbers_used(
        self, doc_type: RemoteDocType, numbers: Sequence[str], contact_id: str | None
    ) -> dict[str, bool | None]:
        used = self.cache.numbers if self.cache else {}
        known = used.get(str(doc_type), {}).get(contact_id or "", {})
        answer = {number: known.get(number) for number in numbers}
        if any(taken is None for taken in answer.values()):
            self.missing = True
        return answer

    def reference(self) -> ReferenceData | None:
        if self._reference is None and self.cache is not None:
            self._reference = reference_of(self.cache)
        if self._reference is None:
            self.missing = True
        return self._reference

    def tracking(self) -> list[TrackingList] | None:
        rows = self.cache.tracking if self.cache is not None else None
        if rows is None:
            self.missing = True
            return None
        return tracking.lists_of(rows)


# -- what the queue needs ---------------------------------------------------------------------

NumberGroup = tuple[str, str]  # (doc type, the supplier's AccsID or "" for sales)


@dataclass
class Wanted:
    """The facts the queue's checks need: contacts by (kind, AccsID) and numbers by group."""

    contacts: set[tuple[ContactKind, str]] = field(default_factory=set)
    numbers: dict[NumberGroup, set[str]] = field(default_factory=lambda: defaultdict(set))

    def __bool__(self) -> bool:
        return bool(self.contacts) or any(self.numbers.values())

    def without(self, cache: ReferenceCache) -> Wanted:
        """Only what ``cache`` has not read yet."""
        left = Wanted()
        left.contacts = {
            (kind, rid)
            for kind, rid in self.contacts
            if rid not in cache.contacts.get(str(kind), {})
        }
        for (doc_type, contact), numbers in self.numbers.items():
            known = cache.numbers.get(doc_type, {}).get(contact, {})
            missing = {n for n in numbers if n not in known}
            if missing:
                left.numbers[(doc_type, contact)] = missing
        return left


def assessable(organisation: Organisation) -> QuerySet[Document]:
    """Documents whose status is kept (sync/assess.py), and so whose facts are read: those
    marked for sync, and those that were (they have a state), unless the package has them."""
    return (
        Document.objects.for_org(organisation)
        .filter(Q(marked_for_sync=True) | Q(sync_state__isnull=False))
        .exclude(sync_state__status_code__in=HOLDS_REMOTE_COPY)
    )


def wanted_by(connection: Connection) -> Wanted:
    """What the organisation's assessable documents need to know from this connection: the
    contacts their accounts' and suppliers' links name, and their numbers (for supplier
    invoices, per linked supplier: an unlinked one fails check 2 before its number counts).
    Care-of accounts need only be linked (check 3), which is known here."""
    organisation = connection.organisation
    links = AccsIdLink.objects.filter(
        organisation=organisation, provider=connection.provider, company_id=connection.company_id
    ).values_list("account_id", "supplier_id", "remote_id")
    by_account, by_supplier = {}, {}
    for account_id, supplier_id, remote_id in links:
        if account_id is not None:
            by_account[account_id] = remote_id
        else:
            by_supplier[supplier_id] = remote_id
    wanted = Wanted()
    rows = assessable(organisation).values_list("doc_type", "number", "account_id", "supplier_id")
    for doc_type, number, account_id, supplier_id in rows:
        if doc_type == DocType.SUPPLIER_INVOICE:
            remote_id = by_supplier.get(supplier_id)
            if remote_id is None:
                continue
            wanted.contacts.add((ContactKind.SUPPLIER, remote_id))
            wanted.numbers[(doc_type, remote_id)].add(number)
        else:
            remote_id = by_account.get(account_id)
            if remote_id is not None:
                wanted.contacts.add((ContactKind.CUSTOMER, remote_id))
            wanted.numbers[(doc_type, "")].add(number)
    return wanted


@dataclass
class Read:
    """What one read brought back, ready to store."""

    contacts: dict[str, dict[str, bool]] = field(default_factory=dict)
    numbers: dict[str, dict[str, dict[str, bool]]] = field(default_factory=dict)
    reference: ReferenceData | None = None
    tracking: list[TrackingList] | None = None


def _read(
    connector: Connector,
    wanted: Wanted,
    *,
    with_reference: bool,
    with_tracking: bool = False,
    keep: _Keeper | None = None,
    pulse: _Pulse | None = None,
) -> Read:
    """Ask the package for ``wanted`` (and the chart and tax codes if asked): one call per
    distinct contact, and the numbers of each group at once. ``keep`` stores the answers as
    they come (a first read, so a restart goes on from there)."""
    read = Read()
    # Before each wait for the rate limit, what was read so far is kept: a worker killed
    # while it waits (a minute, for Xero) loses nothing of it.
    patient = _Patience(
        connector, before_wait=(lambda: keep.store(read)) if keep else None, pulse=pulse
    )
    try:
        if with_reference:
            read.reference = patient.ask(connector.reference_data)
        if with_tracking:
            read.tracking = list(patient.ask(connector.tracking_lists))
        for kind, remote_id in sorted(wanted.contacts):
            exists = patient.ask(connector.get_contact, remote_id, kind) is not None
            read.contacts.setdefault(str(kind), {})[remote_id] = exists
            if keep is not None:
                keep.now_and_then(read)
        for (doc_type, contact), numbers in sorted(wanted.numbers.items()):
            ordered = sorted(numbers)
            # A slice at a time: a rate limit mid-group asks again only the slice it cut
            # short, and each slice's answers can be kept (one supplier may have thousands).
            for start in range(0, len(ordered), NUMBERS_PER_ASK):
                asked = ordered[start : start + NUMBERS_PER_ASK]
                taken = patient.ask(
                    connector.existing_numbers, RemoteDocType(doc_type), asked, contact or None
                )
                group = read.numbers.setdefault(doc_type, {}).setdefault(contact, {})
                group.update({number: number in taken for number in asked})
                if keep is not None:
                    keep.now_and_then(read)
    except ProviderError:
        if keep is not None:
            keep.store(read)  # what was answered before the package failed
        raise
    return read


class _Keeper:
    """Stores a first read's answers into its cache (not yet used by any check: the cache is
    not FRESH until the read ends), so a read cut short is not started from nothing. The row
    is written at most every KEEP_EVERY, not once per answer: each write is the whole JSON."""

    KEEP_EVERY = 5.0  # seconds; a worker killed loses at most this much of its reading

    def __init__(self, cache: ReferenceCache) -> None:
        self.pk = cache.pk
        self.kept_at = -self.KEEP_EVERY

    def now_and_then(self, read: Read) -> None:
        if time.monotonic() - self.kept_at >= self.KEEP_EVERY:
            self.store(read)

    def store(self, read: Read) -> None:
        with transaction.atomic():
            row = ReferenceCache.objects.select_for_update().get(pk=self.pk)
            had = Read(contacts=row.contacts, numbers=row.numbers)
            row.contacts, row.numbers = _merged(had, read)
            row.save(update_fields=["contacts", "numbers"])
        self.kept_at = time.monotonic()


class _Pulse:
    """The beat of a read going (``ReferenceCache.beat_at``), written at most every
    BEAT_EVERY: while it beats, no one else starts the read again."""

    def __init__(self, cache: ReferenceCache) -> None:
        self.pk = cache.pk
        self.beat_at = time.monotonic()

    def now_and_then(self) -> None:
        if time.monotonic() - self.beat_at >= BEAT_EVERY:
            self.beat()

    def beat(self) -> None:
        ReferenceCache.objects.filter(pk=self.pk, state=FetchState.FETCHING).update(
            beat_at=timezone.now()
        )
        self.beat_at = time.monotonic()


class _Patience:
    """Calls that wait out the provider's rate limit, up to RATE_LIMIT_PATIENCE in all; the
    read's pulse beats between them and before each wait."""

    def __init__(self, connector: Connector, before_wait=None, pulse: _Pulse | None = None):
        self.name = connector.capabilities.display_name
        self.left = RATE_LIMIT_PATIENCE.total_seconds()
        self.before_wait = before_wait
        self.pulse = pulse

    def ask(self, call, *args):
        while True:
            if self.pulse is not None:
                self.pulse.now_and_then()
            try:
                return call(*args)
            except RateLimited as exc:
                if exc.retry_after > self.left:
                    raise
                self.left -= exc.retry_after
                log.info(
                    "reading %s: waiting %.0f s for its rate limit", self.name, exc.retry_after
                )
                if self.before_wait is not None:
                    self.before_wait()
                if self.pulse is not None:
                    self.pulse.beat()
                sleep(exc.retry_after)


# -- reading the package ------------------------------------------------------------------------


def refresh(connection: Connection, *, everything: bool = True) -> ReferenceCache:
    """Read the chart and tax codes, and every contact and number the queue names (only
    those not asked about before when ``everything`` is False), keep them, and re-assess
    the organisation's queue from them. Trouble with the package is kept on the cache in
    status.py's words (a refused connection is marked "relink needed" first)."""
    cache, _ = ReferenceCache.objects.get_or_create(connection=connection)
    now = timezone.now()
    ReferenceCache.objects.filter(pk=cache.pk).update(
        state=FetchState.FETCHING, started_at=now, beat_at=now
    )
    cache.refresh_from_db()
    # A first read (nothing read whole yet) keeps its answers as they come; one that was cut
    # short (its worker killed, the package's limit) goes on from what it had kept.
    first = cache.everything_at is None
    everything = everything or first
    wanted = wanted_by(connection)
    go_on = first or not everything
    ask = wanted.without(cache) if go_on else wanted
    keep = _Keeper(cache) if first else None
    mapped = tracking.is_mapped(connection)
    answer = _ask(
        connection,
        cache,
        ask,
        with_reference=True,
        with_tracking=mapped,
        keep=keep,
        pulse=_Pulse(cache),
    )
    if answer is None:
        return _reload(cache)
    read, connector = answer
    with transaction.atomic():
        row = ReferenceCache.objects.select_for_update().get(pk=cache.pk)
        assert read.reference is not None
        row.accounts = _accounts_json(read.reference)
        row.tax_codes = _tax_codes_json(read.reference)
        row.tracking = tracking.lists_json(read.tracking) if read.tracking is not None else None
        kept = _still_wanted(row, wanted) if go_on else Read()
        row.contacts, row.numbers = _merged(kept, read)
        row.fetched_at = timezone.now()
        if everything:
            row.everything_at = row.fetched_at
        row.state, row.error = FetchState.FRESH, ""
        row.api_calls = connector.api_calls
        row.save()
    _reassess(connection)
    return _reload(cache)


def _still_wanted(cache: ReferenceCache, wanted: Wanted) -> Read:
    """What ``cache`` already knows of ``wanted`` (the rest is dropped: documents gone)."""
    kept = Read()
    for kind, remote_id in wanted.contacts:
        known = cache.contacts.get(str(kind), {})
        if remote_id in known:
            kept.contacts.setdefault(str(kind), {})[remote_id] = known[remote_id]
    for (doc_type, contact), numbers in wanted.numbers.items():
        known = cache.numbers.get(doc_type, {}).get(contact, {})
        group = {n: known[n] for n in numbers if n in known}
        if group:
            kept.numbers.setdefault(doc_type, {})[contact] = group
    return kept


def _merged(kept: Read, read: Read) -> tuple[dict, dict]:
    contacts = {kind: dict(found) for kind, found in kept.contacts.items()}
    for kind, found in read.contacts.items():
        contacts.setdefault(kind, {}).update(found)
    numbers = {t: {c: dict(g) for c, g in groups.items()} for t, groups in kept.numbers.items()}
    for doc_type, groups in read.numbers.items():
        for contact, found in groups.items():
            numbers.setdefault(doc_type, {}).setdefault(contact, {}).update(found)
    return contacts, numbers


def fill_gaps(connection: Connection) -> ReferenceCache | None:
    """Read only the contacts and numbers the queue names that the cache has not read (a
    party just linked, a document just numbered), then re-assess what was waiting on them.
    A cache never read whole is refreshed instead."""
    cache = cache_of(connection)
    if cache is None or cache.fetched_at is None:
        return refresh(connection)
    ReferenceCache.objects.filter(pk=cache.pk).update(gaps_wanted=False)
    gaps = wanted_by(connection).without(cache)
    # A mapping made since the last read: its lists are one of the gaps.
    lists_missing = cache.tracking is None and tracking.is_mapped(connection)
    if not gaps and not lists_missing:
        _reassess(connection, waiting_only=True)
        return cache
    answer = _ask(connection, cache, gaps, with_reference=False, with_tracking=lists_missing)
    if answer is None:
        return _reload(cache)
    read, _ = answer
    with transaction.atomic():
        row = ReferenceCache.objects.select_for_update().get(pk=cache.pk)
        row.contacts, row.numbers = _merged(Read(row.contacts, row.numbers), read)
        fields = ["contacts", "numbers"]
        if read.tracking is not None:
            row.tracking = tracking.lists_json(read.tracking)
            fields.append("tracking")
        row.save(update_fields=fields)
    _reassess(connection, waiting_only=True)
    return _reload(cache)


class KeptLiveFacts(LiveFacts):
    """The package asked now, for the push's own checks (sync/batch.py), and what it says
    kept on the connection's cache as it answers, so that states judged from the cache
    afterwards (sync/assess.py) agree with what the push found rather than with an older
    read. ``changed`` says whether the cache learnt anything from it."""

    def __init__(self, connector: Connector, connection: Connection) -> None:
        super().__init__(connector)
        self.connection = connection
        self.changed = False
        self._chart: ReferenceData | None = None

    def contact_exists(self, remote_id: str, kind: ContactKind) -> bool:
        asked = (kind, remote_id) in self._contacts  # answered once per instance
        exists = super().contact_exists(remote_id, kind)
        if not asked:
            self._keep(Read(contacts={str(kind): {remote_id: exists}}))
        return exists

    def numbers_used(
        self, doc_type: RemoteDocType, numbers: Sequence[str], contact_id: str | None
    ) -> dict[str, bool | None]:
        answer = super().numbers_used(doc_type, numbers, contact_id)
        group = {number: bool(taken) for number, taken in answer.items()}
        self._keep(Read(numbers={str(doc_type): {contact_id or "": group}}))
        return answer

    def reference(self) -> ReferenceData:
        if self._chart is None:  # asked for every document: kept once per instance
            self._chart = super().reference()
            self._keep(Read(reference=self._chart))
        return self._chart

    def _keep(self, read: Read) -> None:
        with transaction.atomic():
            row = ReferenceCache.objects.select_for_update().filter(connection=self.connection)
            cache = row.first()
            if cache is None or cache.fetched_at is None:
                return  # never read whole: the read on its way brings all of it
            contacts, numbers = _merged(Read(cache.contacts, cache.numbers), read)
            accounts, taxes = cache.accounts, cache.tax_codes
            if read.reference is not None and not _same_chart(cache, read.reference):
                accounts = _accounts_json(read.reference)
                taxes = _tax_codes_json(read.reference)
            if (contacts, numbers, accounts, taxes) == (
                cache.contacts,
                cache.numbers,
                cache.accounts,
                cache.tax_codes,
            ):
                return
            row.update(contacts=contacts, numbers=numbers, accounts=accounts, tax_codes=taxes)
            self.changed = True


def _same_chart(cache: ReferenceCache, chart: ReferenceData) -> bool:
    """Whether ``chart`` is what the cache holds, in whatever order the package lists it."""

    def rows(found: list[dict]) -> list[str]:
        return sorted(repr(sorted(row.items())) for row in found)

    return rows(cache.accounts) == rows(_accounts_json(chart)) and rows(cache.tax_codes) == rows(
        _tax_codes_json(chart)
    )


def note_contact(connection: Connection, kind: ContactKind, remote_id: str, exists: bool) -> None:
    """Keep what a link made in the popup has just learnt (the contact exists: it was looked
    up or created), so the re-check that follows needs no read."""
    with transaction.atomic():
        row, _ = ReferenceCache.objects.select_for_update().get_or_create(connection=connection)
        row.contacts.setdefault(str(kind), {})[remote_id] = exists
        row.save(update_fields=["contacts"])


def _connector(connection: Connection, cache: ReferenceCache) -> Connector | None:
    try:
        return connections.connector_for_connection(connection)
    except (connections.NotConnected, ProviderError) as exc:
        _failed(connection, cache, exc)
    except ConfigError as exc:
        name = connections.provider_name(connection.organisation, connection)
        _failed(connection, cache, exc, message=not_configured(name, exc))
    return None


def _ask(
    connection: Connection,
    cache: ReferenceCache,
    wanted: Wanted,
    *,
    with_reference: bool,
    with_tracking: bool = False,
    keep: _Keeper | None = None,
    pulse: _Pulse | None = None,
) -> tuple[Read, Connector] | None:
    """What the package says of ``wanted`` (and its chart when ``with_reference``), with the
    connector that asked; None when it could not be asked, the trouble kept on the cache."""
    connector = _connector(connection, cache)
    if connector is None:
        return None
    try:
        read = _guarded(
            connection,
            connector,
            wanted,
            with_reference=with_reference,
            with_tracking=with_tracking,
            keep=keep,
            pulse=pulse,
        )
        return read, connector
    except (connections.NotConnected, ProviderError) as exc:
        _failed(connection, cache, exc)
        return None


def _guarded(connection: Connection, connector: Connector, wanted: Wanted, **options) -> Read:
    """``_read``, marking the connection "relink needed" when the package refuses it (unless
    another process rotated the tokens meanwhile, as the engine does)."""
    built_with = connections.refresh_token_now(connection)
    try:
        return _read(connector, wanted, **options)
    except AuthError as exc:
        if connections.refresh_token_now(connection) == built_with:
            connections.mark_relink_needed(connection, exc.message)
        raise


def _failed(
    connection: Connection, cache: ReferenceCache, error: Exception, *, message: str = ""
) -> ReferenceCache:
    if not message:
        name = connections.provider_name(connection.organisation, connection)
        message = failure_for(error, name).message
    log.info("reading %s for connection %s failed: %s", connection.provider, connection.pk, error)
    ReferenceCache.objects.filter(pk=cache.pk).update(state=FetchState.FAILED, error=message[:500])
    _reassess(connection, waiting_only=True)
    return _reload(cache)


def _reload(cache: ReferenceCache) -> ReferenceCache:
    cache.refresh_from_db()
    return cache


def _reassess(connection: Connection, *, waiting_only: bool = False) -> None:
    from ledgersync.sync import assess  # assess reads this module's CachedFacts

    organisation = connection.organisation
    if connections.live_connection(organisation) != connection:
        return  # switched or disconnected meanwhile: that change re-assessed the queue
    assess.after_read(organisation, waiting_only=waiting_only)


# -- asking for a read --------------------------------------------------------------------------


def request_refresh(connection: Connection, *, everything: bool = True) -> bool:
    """Queue a read (``refresh``) once the caller's transaction commits, unless one is
    going; the cache says "being read" from now. True when one was queued."""
    from ledgersync.sync import tasks

    ReferenceCache.objects.get_or_create(connection=connection)
    now = timezone.now()
    with transaction.atomic():
        cache = ReferenceCache.objects.select_for_update().get(pk=connection.pk)
        if is_reading(cache, now):
            return False
        before = cache.state
        cache.state, cache.started_at = FetchState.FETCHING, now
        cache.save(update_fields=["state", "started_at"])
    pk = connection.pk

    def queue_read() -> None:
        if not tasks.submit(tasks.refresh_reference, pk, everything):  # the schedule reads it
            ReferenceCache.objects.filter(pk=pk, state=FetchState.FETCHING).update(state=before)

    transaction.on_commit(queue_read)
    return True


def request_gaps(connection: Connection) -> bool:
    """Queue a read of just what the cache lacks once the caller's transaction commits,
    unless one is queued already or the cache is not in a state to be added to."""
    from ledgersync.sync import tasks

    queued = ReferenceCache.objects.filter(
        pk=connection.pk, state=FetchState.FRESH, gaps_wanted=False
    ).update(gaps_wanted=True)
    if not queued:
        return False
    pk = connection.pk

    def queue_read() -> None:
        if not tasks.submit(tasks.fill_reference_gaps, pk):  # the schedule reads them
            ReferenceCache.objects.filter(pk=pk).update(gaps_wanted=False)

    transaction.on_commit(queue_read)
    return True


def revive_dead_reads(now: dt.datetime | None = None) -> int:
    """The minute's schedule: each live connection's read that a worker began and then went
    silent for BEAT_LAPSE (killed mid-read) is asked for again; it goes on from what it kept.
    A read that ended but whose worker died judging the queue from it (documents still
    *being checked* against a fresh cache) has what they wait on read and judged again.
    Returns how many reads were asked for."""
    now = now or timezone.now()
    live = ReferenceCache.objects.filter(
        connection__status=ConnectionStatus.CONNECTED
    ).select_related("connection")
    silent = live.filter(
        state=FetchState.FETCHING, beat_at__gte=F("started_at"), beat_at__lt=now - BEAT_LAPSE
    )
    revived = 0
    for cache in silent:
        log.warning("reading connection %s: its worker went silent; reading on", cache.pk)
        revived += int(request_refresh(cache.connection, everything=False))
    for cache in live.filter(state=FetchState.FRESH, gaps_wanted=False):
        connection = cache.connection
        waiting = DocumentState.objects.filter(
            status_code=StatusCode.CHECKING,
            provider=connection.provider,
            company_id=connection.company_id,
            document__organisation_id=connection.organisation_id,
        )
        if waiting.exists() and request_gaps(connection):
            log.warning("connection %s: documents left being checked; judging them again", cache.pk)
            revived += 1
    return revived


def keep_fresh(now: dt.datetime | None = None) -> dict[str, int]:
    """The schedule's work: every connected organisation with a queue has its cache read
    again once it is ``REFRESH_EVERY`` old (or failed ``RETRY_AFTER`` ago): everything once
    a day, else the chart and what was not asked about; what it lacks is read meanwhile.
    Returns counts for the log."""
    now = now or timezone.now()
    counts = {"refreshed": 0, "filled": 0}
    live = Connection.objects.filter(status=ConnectionStatus.CONNECTED).select_related(
        "organisation"
    )
    for connection in live:
        if not assessable(connection.organisation).filter(marked_for_sync=True).exists():
            continue  # nothing queued: nothing to show a status for
        cache = cache_of(connection)
        if _due(cache, now):
            last = cache.everything_at if cache is not None else None
            everything = last is None or now - last >= EVERYTHING_EVERY
            counts["refreshed"] += int(request_refresh(connection, everything=everything))
        elif cache is not None and cache.state == FetchState.FRESH:
            if wanted_by(connection).without(cache):
                counts["filled"] += int(request_gaps(connection))
    return counts


def _due(cache: ReferenceCache | None, now: dt.datetime) -> bool:
    if cache is None or cache.fetched_at is None:
        return not is_reading(cache, now)
    if cache.state == FetchState.FETCHING:
        return not is_reading(cache, now)
    if cache.state == FetchState.FAILED:
        return cache.started_at is None or now - cache.started_at >= RETRY_AFTER
    return now - cache.fetched_at >= REFRESH_EVERY


def by_id(connection_id: int) -> Connection | None:
    """The connection a queued read names, if it is still live."""
    connection = Connection.objects.select_related("organisation").filter(pk=connection_id).first()
    return connection if connection is not None and connection.is_live else None
