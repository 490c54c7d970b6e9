"""What an entity writer needs to know about the call it serves."""

from __future__ import annotations

from dataclasses import dataclass

from ledgersync.sandbox.quickbooks.settings import QuickBooksSettings
from ledgersync.sandbox.quickbooks.store import Company


@dataclass(frozen=True)
class WriteContext:
    company: Company
    settings: QuickBooksSettings
    include: frozenset[str] = (
        frozenset()
    )  # ?include= / batch optionsData, e.g. allowduplicatedocnum

    @property
    def allow_duplicate_doc_number(self) -> bool:
        return "allowduplicatedocnum" in self.include
