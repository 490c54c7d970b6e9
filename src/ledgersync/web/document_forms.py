"""The document create / edit form: a header form plus lines posted as lines-N-field.

Saving goes through records.services (create_document, update_document), so the web, the
API and the importer validate documents, and refuse changes to synced ones, the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from ledgersync.providers.registry import PROVIDERS
from ledgersync.records.formats import amount, plain
from ledgersync.records.models import (
    Account,
    DocType,
    Document,
    NominalCode,
    PostAs,
    Supplier,
    TaxCode,
)
from ledgersync.records.services import create_document, preview_money, update_document

LINE_FIELDS = ("text", "quantity", "unit_price", "nominal", "tax_code")


class DocumentHeaderForm(forms.Form):
    type = forms.ChoiceField(choices=DocType.choices, initial=DocType.SALES_INVOICE)
    number = forms.CharField(
        max_length=21,
        required=False,
        help_text="Leave empty on sales documents to take the next number.",
    )
    account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False)
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none(), required=False)
    care_of = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, label="Care of"
    )
    issue_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    currency = forms.CharField(max_length=3, initial="GBP")
    reference = forms.CharField(max_length=100, required=False)
    job = forms.CharField(max_length=100, required=False)
    department = forms.CharField(max_length=100, required=False)
    post_as = forms.ChoiceField(required=False, label="Post as")
    prices_include_vat = forms.BooleanField(
        required=False,
        label="Prices include VAT",
        help_text="Unit prices are gross: each line's VAT is taken out of its amount.",
    )
    supplier_vat = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        label="Supplier's VAT",
        help_text="The VAT on the supplier's own invoice, when it differs by a penny or so "
        "from the lines' VAT; it is what goes to the package.",
    )

    def __init__(self, organisation, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = Account.objects.for_org(organisation).order_by("name")
        suppliers = Supplier.objects.for_org(organisation).order_by("name")
        for name, rows in (("account", accounts), ("care_of", accounts), ("supplier", suppliers)):
            field = self.fields[name]
            # Declared above as ModelChoiceFields; Form.fields is typed with the base Field.
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = rows
        self.fields["type"].widget.attrs["data-doc-type"] = ""
        post_as = self.fields["post_as"]
        assert isinstance(post_as, forms.ChoiceField)
        default = PostAs(organisation.post_as).label.lower()
        post_as.choices = [("", f"As the settings say ({default})"), *PostAs.choices]
        facts = PROVIDERS.get(organisation.provider)
        post_as.help_text = (facts.capabilities.drafts_note if facts else None) or ""
        if editing:
            for name in ("type", "number"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("type") == DocType.SUPPLIER_INVOICE:
            if not data.get("supplier"):
                self.add_error("supplier", "Choose the supplier.")
        elif data.get("type") and not data.get("account"):
            self.add_error("account", "Choose the account.")
        return data


@dataclass
class LineRow:
    """One line as the form shows it (typed values kept as text to redisplay)."""

    text: str = ""
    quantity: str = "1"
    unit_price: str = ""
    nominal: str = ""
    tax_code: str = ""
    error: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not self.unit_price.strip()


def _posted_rows(post) -> list[tuple[int, LineRow]]:
    """The form's non-empty line rows, each with its index in the form."""
    try:
        count = min(int(post.get("line_count", "0")), 500)
    except ValueError:
        count = 0
    rows = [
        LineRow(
            **{
                f: post.get(f"lines-{i}-{f}", "").strip()
                if f != "text"
                else post.get(f"lines-{i}-{f}", "")
                for f in LINE_FIELDS
            }
        )
        for i in range(count)
    ]
    return [(i, row) for i, row in enumerate(rows) if not row.is_empty]


def lines_from_post(post) -> list[LineRow]:
    return [row for _, row in _posted_rows(post)]


def totals_preview(organisation, post, document: Document | None) -> dict:
    """The form's line and document totals as saving would work them out (records/
    services.py), keyed by each row's index in the form; a row left out shows a dash."""
    posted = _posted_rows(post)
    posted_type = post.get("type", "")
    if document is not None:
        doc_type = DocType(document.doc_type)
    else:
        doc_type = DocType(posted_type) if posted_type in DocType.values else DocType.SALES_INVOICE
    preview = preview_money(
        organisation,
        doc_type,
        _raw([row for _, row in posted]),
        prices_include_vat=bool(post.get("prices_include_vat")),
        supplier_vat=post.get("supplier_vat", "").strip() or None,
        document=document,
    )
    lines = {}
    for position, (index, _) in enumerate(posted, start=1):
        result = preview.lines.get(position)
        lines[str(index)] = (
            {"net": amount(result.net), "gross": amount(result.gross)}
            if result is not None
            else {"net": "–", "gross": "–"}
        )
    return {
        "lines": lines,
        "net": amount(preview.net),
        "tax": amount(preview.tax),
        "gross": amount(preview.gross),
        "problem": preview.problem,
    }


def lines_of(document: Document) -> list[LineRow]:
    return [
        LineRow(
            text=line.text,
            quantity=plain(line.quantity),
            unit_price=plain(line.unit_price, 2),
            nominal=line.nominal.code,
            tax_code=line.tax_code.code if line.tax_code is not None else "",
        )
        for line in document.lines.select_related("nominal", "tax_code")
    ]


def _raw(rows: list[LineRow]) -> list[dict]:
    return [
        {
            "text": r.text,
            "quantity": r.quantity or "1",
            "unit_price": r.unit_price,
            "nominal": r.nominal,
            "tax_code": r.tax_code or None,
        }
        for r in rows
    ]


def _spread_errors(errors: dict[str, list[str]], rows: list[LineRow]) -> list[str]:
    """Put lines[N] errors on their rows; return the rest for the top of the form."""
    rest = []
    for key, messages in errors.items():
        if key.startswith("lines[") and key.endswith("]") and key[6:-1].isdigit():
            index = int(key[6:-1]) - 1
            if 0 <= index < len(rows):
                rows[index].error = "; ".join(messages)
                continue
        rest.extend(messages)
    return rest or ["Fix the lines marked below."]


def save_document(
    organisation, form: DocumentHeaderForm, rows: list[LineRow], *, document: Document | None, user
) -> Document:
    """Create or update; raises ValidationError with messages for the top of the form
    (line errors are written onto ``rows``), or DocumentLocked when it may not change."""
    data = form.cleaned_data
    fields = {
        "care_of": data["care_of"].number if data.get("care_of") else "",
        "issue_date": data["issue_date"],
        "due_date": data["due_date"],
        "currency": data["currency"],
        "reference": data["reference"],
        "job": data.get("job") or "",
        "department": data.get("department") or "",
        "post_as": data.get("post_as") or "",
        "lines": _raw(rows),
        "prices_include_vat": bool(data.get("prices_include_vat")),
    }
    doc_type = document.doc_type if document else data["type"]
    # Only the party the type names: the other select may still hold a stale choice.
    if doc_type == DocType.SUPPLIER_INVOICE:
        fields["supplier"] = data["supplier"].number if data.get("supplier") else None
        fields["supplier_vat"] = data.get("supplier_vat")
    else:
        fields["account"] = data["account"].number if data.get("account") else None
    try:
        if document is None:
            payload = {"type": data["type"], "number": data["number"], **fields}
            return create_document(organisation, payload, user=user)
        return update_document(document, fields)
    except ValidationError as exc:
        raise ValidationError(_spread_errors(exc.message_dict, rows)) from None


def choices_for_lines(organisation) -> dict:
    return {
        "nominals": NominalCode.objects.for_org(organisation).select_related("default_tax_code"),
        "tax_codes": TaxCode.objects.for_org(organisation),
    }
