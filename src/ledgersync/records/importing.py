"""Importing accounts, suppliers and documents from a CSV or JSON file (docs/import.md).

Every record is checked before anything is kept: the whole file is applied inside one
transaction, each record under its own savepoint, and the transaction is rolled back when
any record fails (unless ``partial``) or on a dry run. So a bad file imports nothing and
says what is wrong with each row, by line number. Records match existing rows by number
(accounts, suppliers) or by external_ref / number (documents), so importing the same file
again changes nothing. The JSON layout is the REST API's own input schemas.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction

from ledgersync.records import wording
from ledgersync.records.inputs import AccountIn, DocumentIn, LineIn, SupplierIn
from ledgersync.records.models import Organisation
from ledgersync.records.parties import PARTY_FIELDS, Change, upsert_account, upsert_supplier
from ledgersync.records.services import create_document, existing_document

PARTY_COLUMNS = ["number", *PARTY_FIELDS]
ACCOUNT_COLUMNS = [*PARTY_COLUMNS, "kind", "company"]
DOCUMENT_COLUMNS = [
    "type",
    "number",
    "account",
    "supplier",
    "care_of",
    "issue_date",
    "due_date",
    "currency",
    "reference",
    "job",
    "department",
    "external_ref",
    "sent_via",
    "mark_for_sync",
    "prices_include_vat",
    "supplier_vat",
]
FLAG_COLUMNS = ("mark_for_sync", "prices_include_vat")
LINE_COLUMNS = ["text", "quantity", "unit_price", "nominal", "tax_code"]
CSV_COLUMNS = ["record", *dict.fromkeys(ACCOUNT_COLUMNS + DOCUMENT_COLUMNS + LINE_COLUMNS)]
KINDS = ("account", "supplier", "document")
TRUE, FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, format, columns); nothing was imported."""


@dataclass
class Record:
    kind: str  # account, supplier or document
    line: int  # where it starts in the file
    data: dict[str, Any]
    line_numbers: list[int] = field(default_factory=list)  # a document's lines, in order

    @property
    def label(self) -> str:
        return (
            f"{self.kind} {self.data.get('number') or self.data.get('external_ref') or ''}".strip()
        )


@dataclass(frozen=True)
class RowError:
    line: int
    record: str
    field: str | None
    message: str

    def __str__(self) -> str:
        # The message names the field in words (records/wording.py); ``field`` is for programs.
        return f"line {self.line}: {self.record}: {self.message}"


@dataclass
class ImportReport:
    records: int = 0
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    kept: bool = False  # whether the changes were committed

    def count(self, kind: str, change: Change) -> None:
        getattr(self, change.value)[kind] += 1


# -- reading ---------------------------------------------------------------------------------


def decode(raw: bytes, encoding: str | None = None) -> str:
    name = encoding or "utf-8"
    try:
        return raw.decode(
            "utf-8-sig" if name.lower().replace("_", "-") in ("utf-8", "utf8") else name
        )
    except LookupError:
        raise ImportFileError(f"Unknown encoding {name!r}; try utf-8 or cp1252.") from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not {name} text: byte 0x{raw[exc.start]:02X} on line {line} "
            "cannot be read. Save it as UTF-8 (in Excel: 'CSV UTF-8'), or give its encoding "
            "with --encoding, e.g. cp1252."
        ) from None


def read_records(raw: bytes, filename: str = "", encoding: str | None = None) -> list[Record]:
    text = decode(raw, encoding)
    suffix = Path(filename).suffix.lower()
    if suffix == ".json" or (suffix != ".csv" and text.lstrip().startswith("{")):
        return read_json(text)
    return read_csv(text)


def _flag(value: str, line: int, errors: list[RowError], label: str, column: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() not in FALSE:
        errors.append(
            RowError(
                line, label, column, f"{wording.label(column)} must be yes or no, not {value!r}"
            )
        )
    return False


def read_csv(text: str) -> list[Record]:
    """One record per row; a document takes one row per line, its rows sharing external_ref
    (or type and number). Blank cells mean "not given"."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _read_csv_rows(reader)
    except csv.Error as exc:
        # The csv module refuses a cell over its field limit (128 KB) or a broken quote; no
        # real column is that long, so the file is refused whole with the row it stopped at.
        limit = csv.field_size_limit()
        why = (
            f"a cell is longer than {limit:,} characters"
            if "field limit" in str(exc)
            else "it is not readable as CSV"
        )
        raise ImportFileError(f"Line {reader.line_num + 1}: {why}.") from None


def _read_csv_rows(reader: csv.DictReader) -> list[Record]:
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if "record" not in header or unknown:
        raise ImportFileError(
            "The first row must name the columns, including 'record'; "
            f"unknown: {', '.join(unknown) or 'none'}. "
            "See docs/import.md for the column layout."
        )
    records: list[Record] = []
    documents: dict[tuple, Record] = {}
    bad: list[RowError] = []
    line = 1
    for row in reader:
        start, line = line + 1, reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        kind = cells.pop("record", "").lower()
        if kind not in KINDS:
            records.append(
                Record(
                    "row",
                    start,
                    {
                        "_error": "The record column must say account, supplier or document, "
                        f"not {kind!r}"
                    },
                )
            )
            continue
        if kind != "document":
            wanted = ACCOUNT_COLUMNS if kind == "account" else PARTY_COLUMNS
            records.append(
                Record(kind, start, {k: v for k, v in cells.items() if k in wanted and v})
            )
            continue
        _add_line(records, documents, cells, start, bad)
    for error in bad:
        records.append(
            Record(
                "row",
                error.line,
                {"_error": error.message, "_label": error.record, "_field": error.field},
            )
        )
    return records


def _add_line(records, documents, cells, line, bad) -> None:
    head: dict[str, Any] = {k: cells[k] for k in DOCUMENT_COLUMNS if cells.get(k)}
    label = f"document {head.get('external_ref') or head.get('number') or ''}".strip()
    for column in FLAG_COLUMNS:
        if column in head:
            head[column] = _flag(head[column], line, bad, label, column)
    key = (
        ("ref", head["external_ref"])
        if head.get("external_ref")
        else ("number", head.get("type"), head.get("number"), head.get("supplier"))
    )
    record = documents.get(key)
    if not head.get("external_ref") and not head.get("number"):
        record = None  # nothing ties this row to another: a one-line document
    if record is None:
        record = Record("document", line, {**head, "lines": []})
        records.append(record)
        if head.get("external_ref") or head.get("number"):
            documents[key] = record
    else:
        for name, value in head.items():
            if record.data.get(name) != value:
                bad.append(
                    RowError(
                        line,
                        record.label,
                        name,
                        f"{wording.label(name)} {value!r} differs from line {record.line} "
                        "of the same document",
                    )
                )
    record.data["lines"].append({k: cells[k] for k in LINE_COLUMNS if cells.get(k)})
    record.line_numbers.append(line)


def read_json(text: str) -> list[Record]:
    """``{"accounts": [...], "suppliers": [...], "documents": [...]}``, items as the API
    takes them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"The file is not valid JSON: {exc.msg} on line {exc.lineno}."
        ) from None
    except RecursionError:
        raise ImportFileError(
            "The JSON is nested too deeply to read; an import is at most lists of objects "
            "with lines (docs/import.md)."
        ) from None
    if not isinstance(data, dict) or set(data) - {"accounts", "suppliers", "documents"}:
        raise ImportFileError(
            'The JSON must be an object with "accounts", "suppliers" and/or "documents" lists.'
        )
    starts = _item_lines(text)
    records = []
    for key in ("accounts", "suppliers", "documents"):
        items = data.get(key, [])
        if not isinstance(items, list):
            raise ImportFileError(f'"{key}" must be a list.')
        for index, item in enumerate(items):
            line = starts.get(key, [])[index] if index < len(starts.get(key, [])) else 0
            records.append(Record(key[:-1], line, _checked_item(key, index, item)))
    return records


JSON_SCHEMAS: dict[str, type[pydantic.BaseModel]] = {
    "accounts": AccountIn,
    "suppliers": SupplierIn,
    "documents": DocumentIn,
}


def _checked_item(key: str, index: int, item: object) -> dict[str, Any]:
    """The item, or an error naming keys the schema does not have (a misspelt "lnes" must
    not be ignored quietly)."""
    if not isinstance(item, dict):
        return {"_error": f'Item {index + 1} of "{key}" must be an object'}
    unknown = sorted(set(item) - set(JSON_SCHEMAS[key].model_fields))
    if key == "documents" and isinstance(item.get("lines"), list):
        line_keys = set(LineIn.model_fields)
        unknown += sorted(
            {f"lines.{k}" for line in item["lines"] if isinstance(line, dict) for k in line}
            - {f"lines.{k}" for k in line_keys}
        )
    if unknown:
        return {
            "_error": f"Unknown field(s): {', '.join(unknown)} (docs/import.md lists the fields)",
            "_label": key[:-1],
        }
    return item


def _item_lines(text: str) -> dict[str, list[int]]:
    """The line each item of each top-level list starts on (the file is known to be valid)."""
    decoder = json.JSONDecoder()
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    lines: dict[str, list[int]] = {}

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n,:":
            pos += 1
        return pos

    pos = skip(text.index("{") + 1)
    while pos < len(text) and text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos] == "[":
            found = lines.setdefault(key, [])
            pos = skip(pos + 1)
            while text[pos] != "]":
                found.append(bisect.bisect_left(newlines, pos) + 1)
                _, pos = decoder.raw_decode(text, pos)
                pos = skip(pos)
            pos += 1
        else:
            _, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
    return lines


# -- applying --------------------------------------------------------------------------------


class _Discard(Exception):
    """Raised to roll the whole import back (bad rows without --partial, or a dry run)."""


def import_file(
    organisation: Organisation,
    path: str | Path,
    *,
    dry_run: bool = False,
    partial: bool = False,
    encoding: str | None = None,
    user=None,
) -> ImportReport:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror}") from None
    return import_records(
        organisation,
        read_records(raw, path.name, encoding),
        dry_run=dry_run,
        partial=partial,
        user=user,
    )


def _order(record: Record) -> tuple[int, int]:
    rank = {"account": 0, "supplier": 2, "document": 3}.get(record.kind, 4)
    if record.kind == "account" and record.data.get("kind") == "site":
        rank = 1  # sites after the companies they name, wherever they are in the file
    return rank, record.line


def import_records(
    organisation: Organisation,
    records: list[Record],
    *,
    dry_run: bool = False,
    partial: bool = False,
    user=None,
) -> ImportReport:
    report = ImportReport(records=len([r for r in records if r.kind != "row"]))
    try:
        with transaction.atomic():
            for record in sorted(records, key=_order):
                _apply_one(organisation, record, report, user)
            report.errors.sort(key=lambda e: e.line)
            if dry_run or (report.errors and not partial):
                raise _Discard
            report.kept = True
    except _Discard:
        pass
    return report


def _apply_one(organisation, record: Record, report: ImportReport, user) -> None:
    if "_error" in record.data:
        report.errors.append(
            RowError(
                record.line,
                record.data.get("_label", record.kind),
                record.data.get("_field"),
                record.data["_error"],
            )
        )
        return
    try:
        with transaction.atomic():
            change = APPLY[record.kind](organisation, record.data, user)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            name = wording.field_path(error.get("loc", ()))
            report.errors.append(
                RowError(_line_of(record, name), record.label, name, wording.explain(error, name))
            )
    except ValidationError as exc:
        # A ValidationError without fields belongs to the record as a whole (field None).
        messages: Iterable[tuple[str | None, list[str]]] = (
            exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        )
        for name, texts in messages:
            for text in texts:
                report.errors.append(RowError(_line_of(record, name), record.label, name, text))
    else:
        report.count(record.kind, change)


def _line_of(record: Record, name: str | None) -> int:
    """A document's error about lines[k] is reported on the row of its k-th line."""
    if name and name.startswith("lines[") and record.line_numbers:
        index = int(name[6 : name.index("]")]) - 1
        if 0 <= index < len(record.line_numbers):
            return record.line_numbers[index]
    return record.line


def _account(organisation, data, user) -> Change:
    return upsert_account(
        organisation, AccountIn.model_validate(data).model_dump(exclude_unset=True)
    )[1]


def _supplier(organisation, data, user) -> Change:
    return upsert_supplier(
        organisation, SupplierIn.model_validate(data).model_dump(exclude_unset=True)
    )[1]


def _document(organisation, data, user) -> Change:
    document_in = DocumentIn.model_validate(data)
    if existing_document(organisation, document_in.service_payload()) is not None:
        return Change.UNCHANGED  # documents are never changed by an import; use the API
    create_document(organisation, document_in, user=user)
    return Change.CREATED


APPLY = {"account": _account, "supplier": _supplier, "document": _document}
