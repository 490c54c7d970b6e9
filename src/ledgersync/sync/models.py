"""Connections to accounting packages, AccsID links, document sync state, runs and attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ledgersync.providers.base import TrackingSlot
from ledgersync.providers.registry import choices as provider_choices
from ledgersync.records.models import Account, Organisation, OrgQuerySet, Supplier
from ledgersync.sync.crypto import EncryptedTextField
from ledgersync.sync.status import HOLDS_REMOTE_COPY, Failure, StatusCode

TRACKING_SLOTS = [(slot.value, slot.label) for slot in TrackingSlot]


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    RELINK_NEEDED = "relink_needed", "Relink needed"
    DISCONNECTED = "disconnected", "Not connected"


class ConnectionEnd(models.TextChoices):
    """Why a connection stopped working (shown on the Sync page until the next connect)."""

    USER = "user", "Disconnected by a person"
    IDLE = "idle", "Disconnected after its idle time"
    REFUSED = "refused", "The package stopped accepting its access"


class Connection(models.Model):
    """An organisation's OAuth link to one provider company (realm / tenant / business).

    A row outlives a disconnect (tokens are wiped, the row stays) so reconnecting to the same
    company finds it again. Only one row per organisation is live (connected or relink needed).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="connections"
    )
    provider = models.CharField(max_length=20, choices=provider_choices())
    company_id = models.CharField(max_length=100)
    company_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.DISCONNECTED
    )
    status_detail = models.CharField(max_length=500, blank=True)
    access_token = EncryptedTextField(blank=True, null=True)
    refresh_token = EncryptedTextField(blank=True, null=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Where the connector's own pacing stood after its last batch (providers/pacing.py,
    # wall-clock seconds): the next step's connector carries on from it.
    paced_until = models.FloatField(null=True, blank=True)
    # When and why it stopped working: a disconnect, or the package refusing its tokens
    # (relink needed). Cleared by the next connect; sync/connections.py says it in words.
    ended_at = models.DateTimeField(null=True, blank=True)
    end_cause = models.CharField(max_length=10, choices=ConnectionEnd.choices, blank=True)
    idle_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The idle time after which it was disconnected."
    )

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "provider", "company_id"], name="connection_per_company"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=~Q(status="disconnected"),
                name="one_live_connection_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.company_name or self.company_id}"

    @property
    def is_live(self) -> bool:
        return self.status != ConnectionStatus.DISCONNECTED


class LinkMethod(models.TextChoices):
    LINK_THIS = "link_this", "Link This"
    CREATE_NEW = "create_new", "Create New"
    TYPED = "typed", "Typed AccsID"
    SUGGESTION = "suggestion", "Suggestion"


class AccsIdLink(models.Model):
    """The provider-side id of an account or supplier in one provider company.

    Keyed by provider and company id rather than by connection row, so a disconnect,
    a relink or a change of package loses nothing.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    provider = models.CharField(max_length=20, choices=provider_choices())
    company_id = models.CharField(max_length=100)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="accs_links"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="accs_links"
    )
    remote_id = models.CharField("AccsID", max_length=100)
    method = models.CharField(max_length=20, choices=LinkMethod.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "company_id", "account"],
                condition=Q(account__isnull=False),
                name="one_link_per_account",
            ),
            models.UniqueConstraint(
                fields=["provider", "company_id", "supplier"],
                condition=Q(supplier__isnull=False),
                name="one_link_per_supplier",
            ),
            models.CheckConstraint(
                condition=Q(account__isnull=False, supplier__isnull=True)
                | Q(account__isnull=True, supplier__isnull=False),
                name="link_names_one_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account or self.supplier} = {self.remote_id}"


class DocumentState(models.Model):
    """Where one document stands with the package: its status code, every failing check,
    and once synced, its remote id. One row per document, written by the engine and by
    sync/assess.py. ``provider`` and ``company_id`` name the connection it was judged
    against (the organisation's provider and "" when none was live): a state judged under
    another connection is never shown as this one's."""

    document = models.OneToOneField(
        "records.Document", on_delete=models.CASCADE, related_name="sync_state", primary_key=True
    )
    status_code = models.CharField(max_length=30, choices=StatusCode.choices, blank=True)
    message = models.CharField(max_length=1000, blank=True)
    failures = models.JSONField(default=list, blank=True)
    provider = models.CharField(max_length=20, blank=True)
    company_id = models.CharField(max_length=100, blank=True)
    remote_id = models.CharField(max_length=100, blank=True)
    remote_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # The package holds it as a draft (as its answer said when it was written back).
    remote_draft = models.BooleanField(default=False)
    mismatch = models.CharField(
        max_length=500,
        blank=True,
        help_text="Set when a reconciled document differs from ours (total or customer).",
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    synced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.document_id}: {self.status_code or 'unchecked'}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        tracked([(self.document_id, self.status_code)])

    @property
    def is_synced(self) -> bool:
        return self.status_code == StatusCode.SYNCED

    @property
    def holds_remote_copy(self) -> bool:
        """The package has it (synced, or TOTAL_MISMATCH): never sent again."""
        return self.status_code in HOLDS_REMOTE_COPY

    def failure_list(self) -> list[Failure]:
        return [Failure.from_json(item) for item in self.failures]

    @classmethod
    def record(
        cls, document, failures: list[Failure], connection: Connection | None = None
    ) -> None:
        """Record a document's failing checks, judged against ``connection`` (None: none
        was live); the first is its status code. A document the package holds (SYNCED,
        TOTAL_MISMATCH) keeps its state whatever a late or stale writer says."""
        first = failures[0] if failures else None
        values = {
            "status_code": first.code if first else "",
            "message": first.message if first else "",
            "failures": [f.as_json() for f in failures],
            "checked_at": timezone.now(),
            "provider": connection.provider if connection else document.organisation.provider,
            "company_id": connection.company_id if connection else "",
        }
        if (
            cls.objects.filter(document=document)
            .exclude(status_code__in=HOLDS_REMOTE_COPY)
            .update(**values)
        ):
            tracked([(document.pk, values["status_code"])])
        else:
            cls.objects.get_or_create(document=document, defaults=values)  # save() tracks


def tracked(states) -> None:
    """Problems follow the states just written (sync/problems.py ``track``)."""
    from ledgersync.sync import problems  # it reads these models

    problems.track(states)


class FetchState(models.TextChoices):
    EMPTY = "empty", "Never read"
    FETCHING = "fetching", "Being read"
    FRESH = "fresh", "Read"
    FAILED = "failed", "Could not be read"


class ReferenceCache(models.Model):
    """What the checks need from the package, read for one connection (sync/reference.py):
    the chart of accounts and tax codes, whether the contacts the queue's links name exist,
    and which of the queue's numbers the package has already used. The grid's status codes
    are worked out from it without calling the package (sync/assess.py)."""

    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, primary_key=True, related_name="reference_cache"
    )
    # [{"id", "code", "name", "account_type", "tax_code_id", "active"}]
    accounts = models.JSONField(default=list, blank=True)
    # [{"id", "name", "rate" (a decimal string or null), "code"}]
    tax_codes = models.JSONField(default=list, blank=True)
    # {"customer" | "supplier": {remote id: exists}}
    contacts = models.JSONField(default=dict, blank=True)
    # {doc type: {supplier's remote id, or "" for sales: {number: already used}}}
    numbers = models.JSONField(default=dict, blank=True)
    # The package's tracking lists, read only while the connection maps tracking:
    # [{"slot", "id", "name", "active", "options": [{"id", "name", "active"}]}]; None when
    # not read (sync/tracking.py).
    tracking = models.JSONField(null=True, blank=True, default=None)
    # When the chart and tax codes were last read whole (None: never).
    fetched_at = models.DateTimeField(null=True, blank=True)
    # When every contact and number the queue names was last asked about again (a read on
    # the half-hour schedule asks only about those not asked before).
    everything_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=FetchState.choices, default=FetchState.EMPTY)
    # When the last read was asked for (queued, or begun when asked directly).
    started_at = models.DateTimeField(null=True, blank=True)
    # When the read going last said it is alive (sync/reference.py ``is_reading``): one
    # silent for BEAT_LAPSE died with its worker and is taken over.
    beat_at = models.DateTimeField(null=True, blank=True)
    # The last read's trouble, in status.py's words ("" when it went well).
    error = models.CharField(max_length=500, blank=True)
    # Set while a read of just the missing contacts and numbers is queued.
    gaps_wanted = models.BooleanField(default=False)
    api_calls = models.PositiveIntegerField(default=0, help_text="Calls the last read made.")

    def __str__(self) -> str:
        return f"{self.connection}: {self.state}"


class TrackingSource(models.TextChoices):
    """The document field a tracking slot is booked from (sync/tracking.py)."""

    JOB = "job", "Job"
    SITE = "site", "Site"
    DEPARTMENT = "department", "Department"


class TrackingMap(models.Model):
    """One connection's choice for one tracking slot (providers.base.TrackingSlot, those
    its provider offers): which document field it is booked from, and for a Xero tracking
    category, the category's name. No row: nothing is booked there."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="tracking_maps"
    )
    slot = models.CharField(max_length=20, choices=TRACKING_SLOTS)
    source = models.CharField(max_length=20, choices=TrackingSource.choices)
    category = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "slot"], name="one_map_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.connection}: {self.slot} from {self.source}"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    STOPPED = "stopped", "Stopped"
    FAILED = "failed", "Failed"


LIVE_RUN_STATES = (RunState.QUEUED, RunState.RUNNING)


class Trigger(models.TextChoices):
    """What started a run."""

    USER = "user", "Sync page"
    SCHEDULE = "schedule", "Schedule"
    API = "api", "REST API"
    CLI = "cli", "ledgersync sync"


# A RunDocument's rounds become this once the run is done with the document (synced, failed a
# check, rejected); the rule is read and written only here, through SyncRun's methods.
DONE_WITH = -1


class SyncRun(models.Model):
    """One press of Sync (a single batch) or one Auto Sync (batches until done or time up)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="runs")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    doc_type = models.CharField(max_length=20)
    auto = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.USER)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    stop_requested = models.BooleanField(default=False)
    # A worker holds the run while it works a step, renewing the lease as it goes; every
    # write it makes names its token, so a worker that lost the lease changes nothing.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=36, blank=True)
    # When the next step is due; a run nobody picked up by then (plus a grace) is revived.
    not_before = models.DateTimeField(null=True, blank=True)
    # What the run has tried, document by document, is in RunDocument rows (one per document
    # the run took): use the methods below. A step changes them in memory and Lease.save
    # writes them with the run's counts, under the lease, so a batch costs the same at the
    # first document as at the 100,000th.
    synced_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    left_count = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    # Times the run waited for the provider's rate limit (429), and the seconds in all.
    rate_limit_waits = models.PositiveIntegerField(default=0)
    rate_limit_seconds = models.FloatField(default=0.0)
    message = models.CharField(max_length=500, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(state__in=list(LIVE_RUN_STATES)),
                name="one_live_run_per_connection",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{'Auto Sync' if self.auto else 'Sync'} #{self.pk} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_RUN_STATES

    @property
    def _rounds(self) -> dict[int, int]:
        """Rounds of the documents this object has read or changed (DONE_WITH: done with)."""
        return self.__dict__.setdefault("_run_rounds", {})

    @property
    def _changed(self) -> set[int]:
        return self.__dict__.setdefault("_run_changed", set())

    def remember(self, document_ids) -> None:
        """Read the rounds of these documents (a batch) in one query, before they are used."""
        unknown = [pk for pk in document_ids if pk not in self._rounds]
        if not unknown:
            return
        found = {}
        if self.pk is not None:
            found = dict(
                RunDocument.objects.filter(run=self, document_id__in=unknown).values_list(
                    "document_id", "rounds"
                )
            )
        for pk in unknown:
            self._rounds[pk] = found.get(pk, 0)

    def _known(self, document_id: int) -> int:
        self.remember([document_id])
        return self._rounds[document_id]

    def rounds(self, document_id: int) -> int:
        """Rounds this run has tried the document without settling it (0 if done with)."""
        return max(self._known(document_id), 0)

    def is_done_with(self, document_id: int) -> bool:
        return self._known(document_id) == DONE_WITH

    def done_with(self, document_id: int) -> None:
        """Settled for this run (synced, failed a check or rejected): not tried again."""
        self._rounds[document_id] = DONE_WITH
        self._changed.add(document_id)

    def count_round(self, document_id: int) -> None:
        """One more round tried and still open; a document already done with stays so."""
        if not self.is_done_with(document_id):
            self._rounds[document_id] = self.rounds(document_id) + 1
            self._changed.add(document_id)

    def write_rounds(self) -> None:
        """Write what changed since the last write (Lease.save calls it, under the lease)."""
        rows = [
            RunDocument(run=self, document_id=pk, rounds=self._rounds[pk]) for pk in self._changed
        ]
        if rows:
            RunDocument.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["run", "document"],
                update_fields=["rounds"],
            )
        self._changed.clear()

    def taken(self):
        """The run's RunDocument rows as written: every document it took (a query, to use
        as a subquery: never a list of ids, which grows with the run)."""
        return RunDocument.objects.filter(run=self)

    def settled(self, max_rounds: int):
        """Rows of documents done with, or tried ``max_rounds`` times without settling."""
        return self.taken().filter(Q(rounds=DONE_WITH) | Q(rounds__gte=max_rounds))

    def still_open(self):
        """Rows of documents taken and not done with (still open, or out of rounds)."""
        return self.taken().exclude(rounds=DONE_WITH)

    def _all_rounds(self) -> dict[int, int]:
        written = dict(self.taken().values_list("document_id", "rounds")) if self.pk else {}
        written.update({pk: self._rounds[pk] for pk in self._changed})
        return {pk: rounds for pk, rounds in written.items() if rounds}

    def tried_ids(self) -> list[int]:
        """Every document this run has taken, done with or not (written or not)."""
        return sorted(self._all_rounds())

    def settled_ids(self, max_rounds: int) -> set[int]:
        return {
            pk
            for pk, rounds in self._all_rounds().items()
            if rounds == DONE_WITH or rounds >= max_rounds
        }

    def open_ids(self) -> list[int]:
        return sorted(pk for pk, rounds in self._all_rounds().items() if rounds != DONE_WITH)


class RunDocument(models.Model):
    """One document a run took, and how far the run got with it: rounds tried without an
    answer, or DONE_WITH. Written only through SyncRun's methods."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey("records.Document", on_delete=models.CASCADE, related_name="+")
    rounds = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "document"], name="one_row_per_run_document")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id}: document {self.document_id} ({self.rounds})"


class AttemptState(models.TextChoices):
    IN_FLIGHT = "in_flight", "In flight"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    UNCERTAIN = "uncertain", "Uncertain"
    ADOPTED = "adopted", "Found in the package"
    SUPERSEDED = "superseded", "Retried"


class Attempt(models.Model):
    """One push of one document, written before the request goes out (the audit log)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    run = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    document = models.ForeignKey(
        "records.Document", on_delete=models.CASCADE, related_name="attempts"
    )
    provider = models.CharField(max_length=20)
    company_id = models.CharField(max_length=100)
    # A resend after a lookup proved the first send absent reuses the key, in a new row,
    # so a late-landing original is replayed by the provider rather than duplicated.
    idempotency_key = models.CharField(max_length=36, db_index=True)
    # The attempts of one request share it: an unanswered request is re-sent whole, as the
    # same request (same documents, same key), so a late original is replayed, not doubled.
    send_id = models.CharField(max_length=36, blank=True, db_index=True)
    # Set on a send that succeeded while an earlier, unanswered send of the document could
    # still land: then the package is searched again for extra copies (sync/late_copies.py).
    recheck_after = models.DateTimeField(null=True, blank=True, db_index=True)
    number = models.CharField(max_length=21, blank=True, help_text="The number as sent.")
    contact_id = models.CharField(max_length=100, blank=True, help_text="The AccsID as sent.")
    # sync/fingerprint.py of the document as sent, read under its row lock in the transaction
    # that committed this row; compared when the answer is written back. Blank on rows older
    # than the field.
    fingerprint = models.CharField(max_length=64, blank=True, help_text="What was sent.")
    state = models.CharField(
        max_length=12, choices=AttemptState.choices, default=AttemptState.IN_FLIGHT
    )
    status_code = models.CharField(max_length=30, choices=StatusCode.choices, blank=True)
    message = models.CharField(max_length=1000, blank=True)
    remote_id = models.CharField(max_length=100, blank=True)
    provider_request_id = models.CharField(max_length=100, blank=True)
    api_calls = models.PositiveIntegerField(default=0)
    request_body = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["document", "state"])]

    def __str__(self) -> str:
        return f"{self.document_id} {self.state} {self.idempotency_key}"


class AuditEvent(models.Model):
    """Changes people make that matter later: links, unlinks, connects, disconnects."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=1000)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.detail}"


class BulkKind(models.TextChoices):
    """What a bulk action on the Needs attention list does to each of its items."""

    LINK_THIS = "link_this", "Link This for every exact-name match"
    CREATE_NEW = "create_new", "Create New"
    MARK_SENT = "mark_sent", "Mark sent"
    RECHECK = "recheck", "Check again"
    RESYNC = "resync", "Sync the fixed ones"


class BulkState(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Working"
    DONE = "done", "Done"
    FAILED = "failed", "Stopped"


class BulkAction(models.Model):
    """One bulk action (sync/bulk.py): its items are written when it is asked for, and a
    worker takes them one at a time, so a killed worker's successor goes on from the first
    item not yet done and no item is acted on twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=BulkKind.choices)
    # The confirm form's (or the API caller's) one-off key: the same request sent twice
    # (a double click, a retried POST) finds this action instead of making a second.
    token = models.CharField(max_length=64)
    connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=BulkState.choices, default=BulkState.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "token"], name="bulk_token_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.done}/{self.total})"

    @property
    def is_live(self) -> bool:
        return self.state in (BulkState.QUEUED, BulkState.RUNNING)


class ItemState(models.TextChoices):
    PENDING = "pending", "Not done yet"
    CHANGED = "changed", "Done"
    SKIPPED = "skipped", "Left as it was"
    FAILED = "failed", "Could not be done"


class BulkItem(models.Model):
    """One thing a bulk action acts on: a document, or an account or supplier to link."""

    bulk = models.ForeignKey(BulkAction, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    document = models.ForeignKey(
        "records.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(max_length=250)
    # The documents of the selection this item stands for (a party's), for the preview.
    documents = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.PENDING)
    message = models.CharField(max_length=1000, blank=True)
    # Set, and committed, before a Create New asks the package: an item found pending with it
    # set was cut short by a dead worker after (perhaps) the package made the contact.
    tried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["bulk", "position"], name="bulk_item_position")
        ]
        indexes = [models.Index(fields=["bulk", "state", "position"])]

    def __str__(self) -> str:
        return f"{self.label}: {self.state}"

    @property
    def party(self) -> Account | Supplier | None:
        return self.account or self.supplier


class MapKind(models.TextChoices):
    """What a ``CodeMapping`` maps: ``code`` is ours, ``remote`` the package's."""

    NOMINAL = "nominal", "Nominal code"  # our nominal code -> the package's account code
    SALES_TAX = "sales_tax", "Tax code on sales"  # our tax code -> the package's tax code id
    PURCHASE_TAX = "purchase_tax", "Tax code on purchases"
    # ``code`` is a document type: a line whose nominal is missing books to ``remote``.
    FALLBACK = "fallback", "Fallback account"


class CodeMapping(models.Model):
    """One of our codes mapped by hand to the package's, for one connection. With no row a
    code maps by its number (sync/codemap.py is the one home that reads these rows, for the
    checks, the push and the mapping screens)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="code_mappings"
    )
    kind = models.CharField(max_length=20, choices=MapKind.choices)
    code = models.CharField(max_length=30)
    remote = models.CharField(max_length=100)
    mapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapped_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "kind", "code"], name="one_mapping_per_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} -> {self.remote}"


class Problem(models.Model):
    """One trouble (a Needs attention status code) on one document, from when it was first
    seen: marked resolved, with who and when, once the document no longer has it, and
    counted again each time it comes back. Written by sync/problems.py ``track`` whenever a
    document's state is written, so the Needs attention page can say how long a document
    has waited and whether this is a problem that keeps returning."""

    document = models.ForeignKey(
        "records.Document", on_delete=models.CASCADE, related_name="problems"
    )
    code = models.CharField(max_length=30, choices=StatusCode.choices)
    first_seen_at = models.DateTimeField()
    seen_at = models.DateTimeField(help_text="When it (last) came.")
    times = models.PositiveIntegerField(default=1, help_text="How many times it has come.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-resolved_at", "-seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "code"], name="one_problem_per_code")
        ]
        indexes = [models.Index(fields=["resolved_at"])]

    def __str__(self) -> str:
        return f"{self.document_id} {self.code} ×{self.times}"

    @property
    def came_back(self) -> int:
        return self.times - 1


# Payments coming back (#17) live in their own module; Django finds them through this one.
from ledgersync.sync.paid_models import (  # noqa: E402, F401
    PaidBalance,
    PaymentsPull,
    RemotePaymentRow,
)
