"""What a document said when it was sent, as one short value to compare later.

The engine stores ``fingerprint(document)`` with each Attempt, taken from the same fresh,
row-locked read the outbound document is built from. When the answer is written back (or an
unanswered send is found in the package and adopted) the document's fingerprint now is
compared with the one sent: if they differ, the package and ledgersync disagree, and the
document says so instead of being silently SYNCED.

The fingerprint covers what the package is told and a person would call "the document":
number, type, party and care-of (by their numbers here, so a relink is not an edit), dates,
currency, reference, job and department (when set), each line's text, quantity, unit price,
nominal and tax code, and the gross total (which also moves when a tax code's rate does).
Sent and marked-for-sync flags are not part of it: they decide whether a document goes, not
what it says.
"""

from __future__ import annotations

import hashlib
import json

from ledgersync.records.models import Document, Line

LENGTH = 64  # hex digits of a SHA-256


def fingerprint(document: Document) -> str:
    """SHA-256 (hex) of the document's content; read its lines fresh for a current answer
    (a prefetched document answers for the moment it was loaded)."""
    content = {
        "type": document.doc_type,
        "number": document.number,
        "party": _number_of(document.party),
        "care_of": _number_of(document.care_of) if document.care_of_id else None,
        "issue_date": str(document.issue_date),
        "due_date": str(document.due_date) if document.due_date else None,
        "currency": document.currency,
        "reference": document.reference,
        "lines": [_line(line) for line in document.lines.all()],
        "gross_total": str(document.gross_total),
    }
    # Only when set, so a document without them keeps the fingerprint it always had.
    for field in ("job", "department"):
        if getattr(document, field):
            content[field] = getattr(document, field)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _number_of(party) -> str | None:
    return party.number if party is not None else None


def _line(line: Line) -> list:
    # normalize(): 95.0000 and 95 are one price, whatever the column's scale.
    return [
        line.text,
        str(line.quantity.normalize()),
        str(line.unit_price.normalize()),
        line.nominal.code,
        line.tax_code.code if line.tax_code is not None else None,
    ]


def reread(document: Document, *, lock: bool = False) -> Document:
    """The document and its lines as the database has them now, with what ``fingerprint``
    and the outbound document read. ``lock`` takes its row until the caller's transaction
    ends, the same lock every change in records/services.py takes first, so no edit lands
    between this read and the caller's commit."""
    rows = Document.objects.select_related("account", "supplier", "care_of", "organisation")
    if lock:
        # Only the document's own row: the party rows are not ours to hold, and PostgreSQL
        # cannot lock the nullable side of the outer joins anyway.
        rows = rows.select_for_update(of=("self",))
    return rows.prefetch_related("lines__nominal", "lines__tax_code").get(pk=document.pk)
