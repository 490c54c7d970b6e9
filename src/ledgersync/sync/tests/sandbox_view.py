"""Reading a sandbox's books directly, to count what really arrived (test-only)."""

from __future__ import annotations

from collections import Counter

QBO_ENTITY = {"sales_invoice": "Invoice", "sales_credit_note": "CreditMemo", "supplier_invoice": "Bill"}


def document_numbers(server, company_id: str, doc_type: str) -> Counter:
    """How many documents of a type carry each number in the sandbox company."""
    app = server.app
    if hasattr(app, "document_numbers"):
        return Counter(app.document_numbers(company_id, doc_type))
    if server.slug == "quickbooks":
        records = app.store[company_id].all(QBO_ENTITY[doc_type])
        return Counter(r.get("DocNumber") for r in records)
    raise NotImplementedError(f"teach sandbox_view to read {server.slug}")
