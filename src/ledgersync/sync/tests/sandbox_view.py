"""Reading a sandbox's books directly, to count what really arrived (test-only).

Each sandbox keeps its records in its own wire shape; this is the one place tests reach in.
"""

from __future__ import annotations

from collections import Counter

QBO_ENTITY = {
    "sales_invoice": "Invoice",
    "sales_credit_note": "CreditMemo",
    "supplier_invoice": "Bill",
}
SAGE_COLLECTION = {
    "sales_invoice": ("sales_invoices", "reference"),
    "sales_credit_note": ("sales_credit_notes", "reference"),
    "supplier_invoice": ("purchase_invoices", "vendor_reference"),
}
XERO_KIND = {
    "sales_invoice": ("invoices", "ACCREC", "InvoiceNumber"),
    "sales_credit_note": ("credit_notes", "ACCRECCREDIT", "CreditNoteNumber"),
    "supplier_invoice": ("invoices", "ACCPAY", "InvoiceNumber"),
}


def document_numbers(server, company_id: str, doc_type: str) -> Counter:
    """How many live documents of a type carry each number in the sandbox company."""
    app = server.app
    if server.slug == "quickbooks":
        return Counter(r.get("DocNumber") for r in app.store[company_id].all(QBO_ENTITY[doc_type]))
    if server.slug == "xero":
        collection, kind, field = XERO_KIND[doc_type]
        records = getattr(app.orgs[company_id], collection).values()
        return Counter(
            r.get(field)
            for r in records
            if r.get("Type") == kind and r.get("Status") not in ("DELETED", "VOIDED")
        )
    if server.slug == "sage":
        collection, field = SAGE_COLLECTION[doc_type]
        records = app.store[company_id].records[collection].values()
        return Counter(r.get(field) for r in records if not r.get("void_reason"))
    raise NotImplementedError(f"teach sandbox_view to read {server.slug}")


def correct_in_package(server, company_id: str, doc_type: str, number: str, total, tax) -> None:
    """What a person does in the package's own screens: give a document other figures."""
    app = server.app
    if server.slug == "quickbooks":
        for record in app.store[company_id].all(QBO_ENTITY[doc_type]):
            if record.get("DocNumber") == number:
                record.update(TotalAmt=total, Balance=total)
                record["TxnTaxDetail"]["TotalTax"] = tax
        return
    if server.slug == "xero":
        collection, kind, field = XERO_KIND[doc_type]
        for record in getattr(app.orgs[company_id], collection).values():
            if record.get("Type") == kind and record.get(field) == number:
                record.update(Total=total, TotalTax=tax, SubTotal=total - tax)
                record["AmountDue" if collection == "invoices" else "RemainingCredit"] = total
        return
    collection, field = SAGE_COLLECTION[doc_type]
    for record in app.store[company_id].records[collection].values():
        if record.get(field) == number:
            record.update(total_amount=total, tax_amount=tax, net_amount=total - tax)
            record["outstanding_amount"] = total


def contact_names(server, company_id: str) -> list[str]:
    """Every customer and supplier name in the sandbox company, sorted (one per contact)."""
    app = server.app
    if server.slug == "quickbooks":
        store = app.store[company_id]
        rows = store.all("Customer") + store.all("Vendor")
        return sorted(r.get("DisplayName", "") for r in rows)
    if server.slug == "xero":
        return sorted(c.get("Name", "") for c in app.orgs[company_id].contacts.values())
    return sorted(c.get("name", "") for c in app.store[company_id].all("contacts"))


def is_draft(server, company_id: str, doc_type: str, number: str) -> bool:
    """Whether the sandbox holds the live document with this number as a draft."""
    app = server.app
    if server.slug == "quickbooks":
        for record in app.store[company_id].all(QBO_ENTITY[doc_type]):
            if record.get("DocNumber") == number:
                return False  # QuickBooks has no draft state
    elif server.slug == "xero":
        collection, kind, field = XERO_KIND[doc_type]
        for record in getattr(app.orgs[company_id], collection).values():
            if record.get("Type") == kind and record.get(field) == number:
                return record["Status"] == "DRAFT"
    elif server.slug == "sage":
        collection, field = SAGE_COLLECTION[doc_type]
        for record in app.store[company_id].records[collection].values():
            if record.get(field) == number:
                return record["status"]["id"] == "DRAFT"
    raise LookupError(f"{server.slug} holds no {doc_type} numbered {number}")


def pay_in_package(server, company_id: str, doc_type: str, number: str, amount) -> None:
    """What a payment recorded in the package leaves on the document: less outstanding."""
    app = server.app
    if server.slug == "quickbooks":
        for record in app.store[company_id].all(QBO_ENTITY[doc_type]):
            if record.get("DocNumber") == number:
                record["Balance"] = record["TotalAmt"] - amount
        return
    if server.slug == "xero":
        collection, kind, field = XERO_KIND[doc_type]
        for record in getattr(app.orgs[company_id], collection).values():
            if record.get("Type") == kind and record.get(field) == number:
                due = "AmountDue" if collection == "invoices" else "RemainingCredit"
                record[due] = record["Total"] - amount
                record["AmountPaid"] = amount
                record["Payments"] = [{"PaymentID": "p-1", "Amount": amount}]
        return
    collection, field = SAGE_COLLECTION[doc_type]
    for record in app.store[company_id].records[collection].values():
        if record.get(field) == number:
            record["outstanding_amount"] = record["total_amount"] - amount
            record["total_paid"] = amount


def live_numbers(server, company_id: str, doc_type: str) -> Counter:
    """``document_numbers`` without QuickBooks' voided copies (kept, amounts zeroed)."""
    counts = document_numbers(server, company_id, doc_type)
    if server.slug == "quickbooks":
        for record in server.app.store[company_id].all(QBO_ENTITY[doc_type]):
            note = str(record.get("PrivateNote") or "")
            if note.startswith("Voided") and not record.get("TotalAmt"):
                counts[record.get("DocNumber")] -= 1
    return counts
