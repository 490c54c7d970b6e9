"""Which document numbers Sage already holds, asked in as few requests as Sage allows.

Sage does not keep our numbers unique (they travel in ``reference`` / ``vendor_reference``)
and has no "number in (...)" filter. Sales numbers are found with ``search``, which matches
part of a reference: numbers that share a prefix (S2001..S2010) are found with one search
for the prefix, then compared exactly. Purchase numbers are per supplier, so a supplier's
invoices are listed once (``contact_id``) and compared on ``vendor_reference``.

The book also remembers, for this connector instance, what it has seen and pushed, so a
push checks numbers without asking again and can tell our own earlier push of a document
(re-sent with the same key, which Sage replays) from someone else's.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ledgersync.providers.base import DocType, OutboundDocument, RemoteDocument
from ledgersync.providers.sage import mapping
from ledgersync.providers.sage.client import SageClient

MIN_PREFIX = 2  # a shorter search term matches too much to be worth sharing
Key = tuple[DocType, str, str]


def _key(doc_type: DocType, number: str, contact_id: str | None) -> Key:
    scope = (contact_id or "") if doc_type is DocType.SUPPLIER_INVOICE else ""
    return (doc_type, scope, number.casefold())


def search_terms(numbers: Iterable[str]) -> dict[str, list[str]]:
    """One search term per group of numbers: their common prefix, case folded."""
    wanted = sorted(dict.fromkeys(numbers), key=str.casefold)
    if not wanted:
        return {}
    shared = os.path.commonprefix([n.casefold() for n in wanted])
    if len(wanted) == 1 or len(shared) >= MIN_PREFIX:
        return {shared or wanted[0].casefold(): wanted}
    groups: dict[str, list[str]] = defaultdict(list)
    for number in wanted:
        groups[number.casefold()[:MIN_PREFIX]].append(number)
    return {
        os.path.commonprefix([n.casefold() for n in members]): members
        for members in groups.values()
    }


class NumberBook:
    def __init__(self, client: SageClient) -> None:
        self.client = client
        self._seen: dict[Key, RemoteDocument | None] = {}
        self._pushed: dict[Key, str] = {}

    def lookup(
        self, doc_type: DocType, numbers: Iterable[str], contact_id: str | None
    ) -> dict[str, RemoteDocument | None]:
        """Each number's document in Sage (None when absent), asked afresh."""
        wanted = list(dict.fromkeys(numbers))
        if not wanted:
            return {}
        by_number: dict[str, RemoteDocument] = {}
        for remote in self._remote(doc_type, wanted, contact_id):
            if contact_id and doc_type is DocType.SUPPLIER_INVOICE:
                if remote.contact_id != contact_id:
                    continue
            by_number.setdefault(remote.number.casefold(), remote)
        found = {number: by_number.get(number.casefold()) for number in wanted}
        for number, held in found.items():
            self._seen[_key(doc_type, number, contact_id)] = held
        return found

    def all_numbered(
        self, doc_type: DocType, number: str, contact_id: str | None
    ) -> list[RemoteDocument]:
        """Every document holding ``number`` (purchases: from this supplier), asked afresh."""
        supplier = contact_id if doc_type is DocType.SUPPLIER_INVOICE else None
        return [
            remote
            for remote in self._remote(doc_type, [number], contact_id, mapping.is_voided)
            if remote.number.casefold() == number.casefold()
            and (not supplier or remote.contact_id == supplier)
        ]

    def _remote(
        self, doc_type: DocType, numbers: Sequence[str], contact_id: str | None, skip=None
    ) -> list[RemoteDocument]:
        path = f"/{mapping.COLLECTION_FOR_DOC[doc_type]}"
        params = {"attributes": mapping.DOCUMENT_ATTRIBUTES}
        if doc_type is DocType.SUPPLIER_INVOICE:
            # search does not reach vendor_reference: list the supplier's invoices.
            if contact_id:
                params["contact_id"] = contact_id
            rows = self.client.list_all(path, params)
        else:
            rows = []
            for term in search_terms(numbers):
                rows += self.client.list_all(path, {**params, "search": term})
        # ``skip`` leaves out rows that hold the number but count as no copy (voided).
        return [mapping.parse_document(r, doc_type) for r in rows if not (skip and skip(r))]

    def existing(
        self, document: OutboundDocument, batch: Sequence[OutboundDocument]
    ) -> RemoteDocument | None:
        """The document Sage holds under this document's number, asking (once for the
        batch's whole group) only about numbers not seen yet."""
        key = self.key(document)
        if key not in self._seen:
            group = [
                d.number
                for d in batch
                if d.doc_type is document.doc_type
                and self.key(d)[1] == key[1]
                and self.key(d) not in self._seen
            ]
            self.lookup(document.doc_type, group, _contact(document))
        return self._seen[key]

    def pushed_by(self, document: OutboundDocument) -> bool:
        return self._pushed.get(self.key(document)) == document.idempotency_key

    def record(self, document: OutboundDocument, remote: RemoteDocument) -> None:
        key = self.key(document)
        self._seen[key] = remote
        self._pushed[key] = document.idempotency_key

    def forget(self, document: OutboundDocument) -> None:
        """The push got no answer: what Sage holds is unknown until asked again."""
        self._seen.pop(self.key(document), None)

    @staticmethod
    def key(document: OutboundDocument) -> Key:
        """What makes two documents' numbers clash: type, number (any case) and, for
        supplier invoices, the supplier."""
        return _key(document.doc_type, document.number, _contact(document))


def _contact(document: OutboundDocument) -> str | None:
    return document.contact_id if document.doc_type is DocType.SUPPLIER_INVOICE else None
