"""The seven checks a document must pass before it is pushed (DESIGN.md, in this order).

Checks 1 and 7 need nothing from the package, and neither does knowing whether a party is
linked at all (2) or its care-of account is (3). The rest read facts about the package:
whether a contact exists (2), which numbers are used (4), the chart of accounts (5, 6).
One ``Checker`` runs them all against either source of those facts:

- ``LiveFacts``, a connector asked now (the engine's batch, just before a push): reference
  data is cached per connector instance, contacts are looked up once per distinct AccsID,
  and numbers are asked about per batch, so checking costs no API call per document;
- ``reference.CachedFacts``, what sync/reference.py read for the connection earlier (the
  grid, the popup and every re-check after a change): no call at all. A fact it has not
  read yet makes the check ``pending`` (status CHECKING) instead of guessing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Protocol

from ledgersync.providers.base import (
    Capabilities,
    Connector,
    ContactKind,
    InvalidAccsId,
    ReferenceData,
    TrackingList,
)
from ledgersync.providers.base import DocType as RemoteDocType
from ledgersync.records.models import Account, DocType, Document, Supplier
from ledgersync.sync import tracking
from ledgersync.sync.codemap import CodeMap
from ledgersync.sync.models import AccsIdLink, Connection, TrackingMap
from ledgersync.sync.status import (
    Failure,
    StatusCode,
    check_failure,
    checking_failure,
    party_label,
)

NUMBER_LABELS = {
    DocType.SALES_INVOICE: "Invoice",
    DocType.SALES_CREDIT_NOTE: "Credit note",
    DocType.SUPPLIER_INVOICE: "Supplier invoice",
}


def local_failures(document: Document) -> list[Failure]:
    """Checks 1 and 7, which need no connection."""
    failures = []
    if document.doc_type == DocType.SALES_INVOICE and not document.is_sent:
        failures.append(check_failure(StatusCode.NOT_SENT))
    failures.extend(_blank_lines(document))
    return failures


def _blank_lines(document: Document) -> list[Failure]:
    return [
        check_failure(StatusCode.BLANK_LINE, line=line.position)
        for line in document.lines.all()
        if not line.text.strip()
    ]


# A party's AccsID link by ``link_key(party)``.
Links = dict[tuple[str, int], AccsIdLink]


def link_key(party: Account | Supplier) -> tuple[str, int]:
    return ("supplier" if isinstance(party, Supplier) else "account", party.pk)


def parties_of(documents: Sequence[Document]) -> list[Account | Supplier]:
    """Every party the documents name: each one's account or supplier, then the care-of
    accounts of those that have one."""
    return [d.party for d in documents] + [d.care_of for d in documents if d.care_of is not None]


def links_for(connection: Connection, parties: Iterable[Account | Supplier]) -> Links:
    parties = list(parties)
    account_ids = [p.pk for p in parties if isinstance(p, Account)]
    supplier_ids = [p.pk for p in parties if isinstance(p, Supplier)]
    rows = AccsIdLink.objects.filter(
        organisation=connection.organisation_id,
        provider=connection.provider,
        company_id=connection.company_id,
    )
    found = {}
    for link in rows.filter(account_id__in=account_ids):
        found[("account", link.account_id)] = link
    for link in rows.filter(supplier_id__in=supplier_ids):
        found[("supplier", link.supplier_id)] = link
    return found


class PackageFacts(Protocol):
    """What checks 2, 4, 5 and 6 ask about the package. ``None`` answers "not known yet"."""

    @property
    def capabilities(self) -> Capabilities: ...

    def shape_problem(self, remote_id: str) -> str | None:
        """Why ``remote_id`` cannot be one of the package's ids (its words), or None."""

    def contact_exists(self, remote_id: str, kind: ContactKind) -> bool | None: ...

    def numbers_used(
        self, doc_type: RemoteDocType, numbers: Sequence[str], contact_id: str | None
    ) -> Mapping[str, bool | None]:
        """For each of ``numbers``: already used in the package (for supplier invoices, by
        that supplier), or None when not known."""

    def reference(self) -> ReferenceData | None: ...

    def tracking(self) -> Sequence[TrackingList] | None:
        """The package's tracking lists (asked for only when the connection maps them)."""


class LiveFacts:
    """The package asked now, through one connector."""

    def __init__(self, connector: Connector) -> None:
        self.connector = connector
        self._contacts: dict[tuple[ContactKind, str], bool] = {}

    @property
    def capabilities(self) -> Capabilities:
        return self.connector.capabilities

    def shape_problem(self, remote_id: str) -> str | None:
        try:
            self.connector.validate_accs_id(remote_id)
        except InvalidAccsId as exc:
            return exc.message
        return None

    def contact_exists(self, remote_id: str, kind: ContactKind) -> bool:
        key = (kind, remote_id)
        if key not in self._contacts:
            self._contacts[key] = self.connector.get_contact(remote_id, kind) is not None
        return self._contacts[key]

    def numbers_used(
        self, doc_type: RemoteDocType, numbers: Sequence[str], contact_id: str | None
    ) -> dict[str, bool | None]:
        taken = self.connector.existing_numbers(doc_type, numbers, contact_id)
        return {number: number in taken for number in numbers}

    def reference(self) -> ReferenceData:
        return self.connector.reference_data()

    def tracking(self) -> Sequence[TrackingList]:
        return self.connector.tracking_lists()


@dataclass
class Checker:
    """Runs the checks for batches of documents against one connection's package, asking
    ``source`` (a connector, asked live, or any other ``PackageFacts``). A fact the source
    does not know yet reads as ``pending``: ``waiting`` when given, else "Being checked
    against ... now"."""

    source: Connector | PackageFacts
    connection: Connection
    waiting: Failure | None = None
    facts: PackageFacts = field(init=False)
    _code_map: CodeMap | None = field(init=False, default=None)
    _maps: list[TrackingMap] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        source = self.source
        self.facts = LiveFacts(source) if isinstance(source, Connector) else source

    def code_map(self) -> CodeMap | None:
        """The connection's mapping over the package's chart (sync/codemap.py), read once
        per checker: what check 5 judges by and what the push then sends. None while the
        chart is not known."""
        reference = self.facts.reference()
        if reference is None:
            return None
        if self._code_map is None or self._code_map.reference is not reference:
            self._code_map = CodeMap.of(self.connection, reference)
        return self._code_map

    @property
    def tracking_maps(self) -> list[TrackingMap]:
        """The connection's tracking mapping, read once per checker."""
        if self._maps is None:
            self._maps = tracking.maps_of(self.connection)
        return self._maps

    @property
    def provider_name(self) -> str:
        return self.facts.capabilities.display_name

    @property
    def pending(self) -> Failure:
        """What a check reads as while the fact it needs is not known yet."""
        return self.waiting or checking_failure(self.provider_name)

    def check(
        self,
        documents: Sequence[Document],
        *,
        links: Links | None = None,
        skip_duplicates: Set[int] = frozenset(),
    ) -> dict[int, list[Failure]]:
        """Every failing check of every document, in check order, keyed by document id;
        a check that could not be judged yet appears once, as ``pending``, in its place.

        ``links`` may be passed when the caller loaded them already; ``skip_duplicates``
        names documents whose number check must not run (a send being repeated).
        """
        if links is None:
            links = links_for(self.connection, parties_of(documents))
        by_doc: dict[int, list[Failure]] = {}
        for document in documents:
            local = local_failures(document)
            by_doc[document.pk] = [f for f in local if f.code == StatusCode.NOT_SENT]
            by_doc[document.pk] += self._account(document, links) + self._care_of(document, links)
        self._duplicates([d for d in documents if d.pk not in skip_duplicates], links, by_doc)
        for document in documents:
            by_doc[document.pk] += self._nominals(document)
            by_doc[document.pk] += [
                f for f in local_failures(document) if f.code == StatusCode.BLANK_LINE
            ]
            by_doc[document.pk] += self._tracking(document)
        return {pk: _pending_once(failures) for pk, failures in by_doc.items()}

    # Check 2
    def _account(self, document: Document, links: Links) -> list[Failure]:
        party = document.party
        supplier = isinstance(party, Supplier)
        link = links.get(link_key(party))
        if link is None:
            label = party_label(party, supplier=supplier)
            return [
                check_failure(
                    StatusCode.ACCOUNT_NOT_LINKED, party=label, provider=self.provider_name
                )
            ]
        failure = self.accs_id_failure(
            link.remote_id, ContactKind.SUPPLIER if supplier else ContactKind.CUSTOMER
        )
        return [failure] if failure else []

    def accs_id_failure(self, remote_id: str, kind: ContactKind) -> Failure | None:
        """Why an AccsID cannot be used (wrong shape, or no such contact), ``pending`` while
        the package's contacts are not known, or None."""
        problem = self.facts.shape_problem(remote_id)
        if problem and self.facts.capabilities.supports_typed_accs_id:
            return Failure(StatusCode.ACCOUNT_ID_INVALID, problem)
        exists = self.facts.contact_exists(remote_id, kind)
        if exists is None:
            return self.pending
        if not exists:
            noun = "supplier" if kind == ContactKind.SUPPLIER else "customer"
            return check_failure(
                StatusCode.ACCOUNT_ID_INVALID,
                accs_id=remote_id,
                provider=self.provider_name,
                noun=noun,
            )
        return None

    # Check 3
    def _care_of(self, document: Document, links: Links) -> list[Failure]:
        if not self.facts.capabilities.supports_care_of:
            return []
        care_of = document.care_of
        if care_of is None:
            return []
        if links.get(link_key(care_of)) is None:
            return [
                check_failure(
                    StatusCode.CARE_OF_NOT_LINKED,
                    name=care_of.name,
                    number=care_of.number,
                    provider=self.provider_name,
                )
            ]
        return []

    # Check 4: one question per (type, supplier) group, not per document.
    def _duplicates(self, documents, links, by_doc) -> None:
        groups: dict[tuple[str, str | None], list[Document]] = defaultdict(list)
        for document in documents:
            contact_id = None
            if document.doc_type == DocType.SUPPLIER_INVOICE:
                link = links.get(link_key(document.party))
                if link is None:
                    continue  # check 2 already failed; the number cannot be judged per supplier
                contact_id = link.remote_id
            groups[(document.doc_type, contact_id)].append(document)
        for (doc_type, contact_id), members in groups.items():
            used = self.facts.numbers_used(
                RemoteDocType(doc_type), [d.number for d in members], contact_id
            )
            for document in members:
                taken = used.get(document.number)
                if taken is None:
                    by_doc[document.pk].append(self.pending)
                elif taken:
                    by_doc[document.pk].append(
                        check_failure(
                            StatusCode.DUPLICATE_NUMBER,
                            label=NUMBER_LABELS[DocType(doc_type)],
                            number=document.number,
                            provider=self.provider_name,
                        )
                    )

    # Checks 5 and 6
    def _nominals(self, document: Document) -> list[Failure]:
        code_map = self.code_map()
        if code_map is None:
            return [self.pending]
        missing, untaxed = [], []
        for line in document.lines.all():
            code = line.nominal.code
            # By hand, by number, or the document type's fallback account (codemap.py).
            account = code_map.account(code, document.doc_type).account
            if account is None:
                missing.append(
                    check_failure(
                        StatusCode.NOMINAL_MISSING,
                        code=code,
                        line=line.position,
                        provider=self.provider_name,
                    )
                )
            elif (
                self.facts.capabilities.needs_tax_on_nominal
                and line.tax_code_id is None
                and not account.has_tax
            ):
                failure = check_failure(
                    StatusCode.NOMINAL_NO_TAX, code=code, provider=self.provider_name
                )
                if failure not in untaxed:
                    untaxed.append(failure)
        return missing + untaxed

    # Where the connection maps tracking (sync/tracking.py): after the seven.
    def _tracking(self, document: Document) -> list[Failure]:
        wanted = tracking.wanted_for(document, self.tracking_maps)
        if not wanted:
            return []  # nothing mapped, or no value to book: the package is not asked
        lists = self.facts.tracking()
        if lists is None:
            return [self.pending]
        return tracking.failures(wanted, lists, self.provider_name)


def _pending_once(failures: list[Failure]) -> list[Failure]:
    """Failures in check order with only the first "not known yet" among them."""
    seen_pending, kept = False, []
    for failure in failures:
        if failure.code == StatusCode.CHECKING:
            if seen_pending:
                continue
            seen_pending = True
        kept.append(failure)
    return kept
