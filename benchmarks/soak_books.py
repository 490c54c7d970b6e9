"""The soak's four counts: each sandbox's own books (read over its API) against ledgersync's.

    duplicates          a number present more than once in the package (bills: per supplier)
    lost                marked for sync, not in the package, and no visible non-synced status
                        (one never sent and still on the Sync page is counted as waiting)
    silent_divergences  SYNCED here, the package's total differs, and no mismatch is shown
    false_relinks       a connection marked relink needed while the sandbox accepts its grant

Runs inside the soak's own process, with Django set up on the soak's database.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

# Chunks small enough for every provider's query string.
NUMBERS_PER_READ = 40


def remote_documents(connector, doc_type, numbers: list[str], contact_id: str | None) -> list:
    """Every live copy the package holds under these numbers (duplicates kept, not merged).

    The connectors' public reads answer "is it there" (one copy per number), so this reaches
    one level down to the list each of them builds before it de-duplicates.
    """
    from ledgersync.providers.base import DocType

    doc_type = DocType(doc_type)  # the connectors compare by identity: a str is not enough
    docs = []
    for start in range(0, len(numbers), NUMBERS_PER_READ):
        chunk = numbers[start : start + NUMBERS_PER_READ]
        if connector.slug == "sage":
            docs += _sage_live(connector, doc_type, chunk, contact_id)
        else:
            docs += connector._documents_numbered(doc_type, chunk, contact_id)
    wanted = {n.casefold() for n in numbers}
    # Sage's prefix search answers several chunks with the same rows: one copy is one id.
    unique = {doc.remote_id: doc for doc in docs if doc.number.casefold() in wanted}
    return list(unique.values())


def _sage_live(connector, doc_type, numbers, contact_id) -> list:
    from ledgersync.providers.sage import mapping

    # Sage's search matches parts of a reference, and a voided copy keeps its reference:
    # read the rows themselves so a void the engine made is not counted as a copy.
    remote = connector.numbers._remote(doc_type, numbers, contact_id)
    voided = _sage_voided_ids(connector, doc_type, contact_id, mapping)
    return [doc for doc in remote if doc.remote_id not in voided]


def _sage_voided_ids(connector, doc_type, contact_id, mapping) -> set[str]:
    path = f"/{mapping.COLLECTION_FOR_DOC[doc_type]}"
    params = {"attributes": "void_reason"}
    if contact_id:
        params["contact_id"] = contact_id
    rows = connector.client.list_all(path, params)
    return {row["id"] for row in rows if row.get("void_reason")}


def count_organisation(organisation, connection) -> dict[str, int]:
    """Duplicates, lost and silent divergences for one organisation's marked documents."""
    from ledgersync.records.models import Document
    from ledgersync.sync.connections import connector_for_connection
    from ledgersync.sync.models import Attempt, DocumentState
    from ledgersync.sync.status import StatusCode

    connection.refresh_from_db()
    connector = connector_for_connection(connection)
    counts = {"duplicates": 0, "lost": 0, "silent_divergences": 0, "documents": 0, "waiting": 0}
    documents = list(
        Document.objects.for_org(organisation).filter(marked_for_sync=True).with_totals()
    )
    states = {s.document_id: s for s in DocumentState.objects.filter(document__in=documents)}
    attempted = set(
        Attempt.objects.filter(document__in=documents).values_list("document_id", flat=True)
    )
    groups: dict[tuple, list] = {}
    for document in documents:
        scope = _contact_scope(connection, document)
        groups.setdefault((document.doc_type, scope), []).append(document)
    for (doc_type, scope), members in groups.items():
        remote = remote_documents(connector, doc_type, [d.number for d in members], scope)
        copies = Counter(doc.number.casefold() for doc in remote)
        totals = {doc.number.casefold(): doc.total for doc in remote}
        for document in members:
            state = states.get(document.pk)
            key = document.number.casefold()
            synced = state is not None and state.status_code == StatusCode.SYNCED
            counts["documents"] += 1
            counts["duplicates"] += copies[key] > 1
            unseen = copies[key] == 0 and (state is None or not state.status_code or synced)
            # Never sent and still on the Sync page (a time limit hit first): waiting, not lost.
            waiting = unseen and state is None and document.pk not in attempted
            counts["waiting"] += waiting
            counts["lost"] += unseen and not waiting
            counts["silent_divergences"] += (
                synced
                and key in totals
                and Decimal(totals[key]) != document.gross_total
                and not state.mismatch
            )
    return counts


def _contact_scope(connection, document) -> str | None:
    """Bills are numbered per supplier: look them up under the linked supplier's id."""
    from ledgersync.records.models import DocType
    from ledgersync.sync.models import AccsIdLink

    if document.doc_type != DocType.SUPPLIER_INVOICE:
        return None
    link = AccsIdLink.objects.filter(
        provider=connection.provider, company_id=connection.company_id, supplier=document.supplier
    ).first()
    return link.remote_id if link else None


def false_relink(connection) -> int:
    """1 when the connection says relink needed yet the sandbox still takes its grant."""
    from ledgersync.providers.base import AuthError
    from ledgersync.providers.registry import connector_for
    from ledgersync.sync.connections import credentials_of
    from ledgersync.sync.models import ConnectionStatus

    connection.refresh_from_db()
    if connection.status != ConnectionStatus.RELINK_NEEDED:
        return 0
    try:
        # Straight at the package, outside the engine's path: only the sandbox's answer counts.
        connector_for(connection.provider, credentials_of(connection)).refresh()
    except AuthError:
        return 0
    return 1


def print_table(rows: list[dict], out) -> None:
    columns = ["provider", "documents", "waiting", "duplicates", "lost", "silent_divergences"]
    columns.append("false_relinks")
    print(" | ".join(f"{c:>18}" for c in columns), file=out)
    for row in rows:
        print(" | ".join(f"{row[c]!s:>18}" for c in columns), file=out)
