"""The records ledgersync keeps for each organisation (tenant).

Every row belongs to exactly one organisation; querysets offer `for_org()` and views
always go through it, so one organisation can never read another's rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Sum

from ledgersync.providers.registry import PROVIDERS
from ledgersync.providers.registry import choices as provider_choices
from ledgersync.records.formats import percent
from ledgersync.records.money import (
    ROUNDING_LABELS,
    ZERO,
    DocumentMoney,
    MoneyLine,
    Rounding,
    document_money,
    line_net,
    line_tax,
    to_money,
)

ROUNDING_CHOICES = [(str(rule), label) for rule, label in ROUNDING_LABELS.items()]


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    ACCOUNTS = "accounts", "Accounts"
    ENGINEER = "engineer", "Engineer"


class Perm:
    """Permission names (app_label.codename) checked in views and the API."""

    VIEW_SYNC = "records.view_sync_page"
    MANAGE_CONNECTION = "records.manage_connection"
    RUN_SYNC = "records.run_sync"
    LINK_ACCOUNTS = "records.link_accounts"
    MANAGE_SETTINGS = "records.manage_settings"


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            Perm.VIEW_SYNC,
            Perm.MANAGE_CONNECTION,
            Perm.RUN_SYNC,
            Perm.LINK_ACCOUNTS,
            Perm.MANAGE_SETTINGS,
        }
    ),
    Role.ACCOUNTS: frozenset(
        {Perm.VIEW_SYNC, Perm.MANAGE_CONNECTION, Perm.RUN_SYNC, Perm.LINK_ACCOUNTS}
    ),
    Role.ENGINEER: frozenset(),
}


class DocType(models.TextChoices):
    SALES_INVOICE = "sales_invoice", "Sales Invoice"
    SALES_CREDIT_NOTE = "sales_credit_note", "Sales Credit Note"
    SUPPLIER_INVOICE = "supplier_invoice", "Supplier Invoice"

    @property
    def is_sales(self) -> bool:
        return self != DocType.SUPPLIER_INVOICE

    @property
    def slug(self) -> str:
        return self.value.replace("_", "-")

    @classmethod
    def from_slug(cls, slug: str) -> DocType:
        return cls(slug.replace("-", "_"))


class SentVia(models.TextChoices):
    EMAIL = "email", "Email"
    POST = "post", "Post"
    HAND = "hand", "By hand"


class PostAs(models.TextChoices):
    """How a document goes to the package: approved (final), or as a draft a person there
    approves (only where the package has drafts: Capabilities.supports_drafts)."""

    APPROVED = "approved", "Approved"
    DRAFT = "draft", "Draft"


class OrgQuerySet(models.QuerySet):
    def for_org(self, organisation):
        return self.filter(organisation=organisation)


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    provider = models.CharField(
        max_length=20,
        choices=provider_choices(),
        default="quickbooks",
        help_text="The accounting package this organisation syncs to.",
    )
    batch_size = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Documents taken by one press of Sync.",
    )
    auto_sync_minutes = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1)],
        help_text="How long Auto Sync keeps taking batches.",
    )
    schedule_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Run Auto Sync unattended every N minutes (empty: never)."
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Disconnect after N idle minutes (empty: stay connected).",
    )
    vat_rounding = models.CharField(
        "VAT rounding",
        max_length=10,
        choices=ROUNDING_CHOICES,
        blank=True,
        help_text="How VAT is rounded on new documents; empty: as the accounting package does.",
    )
    post_as = models.CharField(
        "post documents as",
        max_length=10,
        choices=PostAs.choices,
        default=PostAs.APPROVED,
        help_text="Approved documents are final in the package; drafts wait there for a "
        "person to approve them. A document may say otherwise.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [
            ("view_sync_page", "Can view the Sync page"),
            ("manage_connection", "Can connect and disconnect the accounting package"),
            ("run_sync", "Can run Sync and Auto Sync"),
            ("link_accounts", "Can link accounts and suppliers"),
            ("manage_settings", "Can change organisation settings"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def package_rounding(self) -> Rounding:
        """How the organisation's package rounds VAT on its own (providers' tax_rounding)."""
        facts = PROVIDERS.get(self.provider)
        return Rounding(facts.capabilities.tax_rounding if facts else Rounding.PER_LINE)

    @property
    def effective_rounding(self) -> Rounding:
        """The rule new documents are worked out by: the one chosen, else the package's."""
        return Rounding(self.vat_rounding) if self.vat_rounding else self.package_rounding


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ENGINEER)


class TaxCode(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    rate = models.DecimalField(max_digits=6, decimal_places=3, validators=[MinValueValidator(0)])

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="tax_code_unique_per_org")
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({percent(self.rate)})"


class NominalCode(models.Model):
    class Kind(models.TextChoices):
        SALES = "sales", "Sales"
        PURCHASE = "purchase", "Purchase"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    code = models.CharField(
        max_length=20,
        validators=[RegexValidator(r"^[A-Za-z0-9.\-]+$", "Use letters, digits, . or -")],
    )
    description = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    default_tax_code = models.ForeignKey(TaxCode, null=True, blank=True, on_delete=models.PROTECT)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="nominal_unique_per_org")
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Party(models.Model):
    """What accounts and suppliers share: a name, contact details and an address."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="GB")
    vat_number = models.CharField("VAT number", max_length=20, blank=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class Account(Party):
    """A customer: a company, or a site that belongs to a company."""

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        SITE = "site", "Site"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    company = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites",
        limit_choices_to={"kind": "company"},
    )

    class Meta(Party.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="account_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="company", company__isnull=True)
                | Q(kind="site", company__isnull=False),
                name="site_has_company",
            ),
        ]


class Supplier(Party):
    class Meta(Party.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="supplier_number_unique"
            ),
        ]


class NumberSequence(models.Model):
    """Gap-free numbering for sales documents, one row per organisation and type."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    doc_type = models.CharField(max_length=20, choices=DocType.choices)
    prefix = models.CharField(max_length=5)
    next_value = models.PositiveIntegerField(default=1)
    width = models.PositiveSmallIntegerField(default=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "doc_type"], name="one_sequence_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} numbers: next {self.format(self.next_value)}"

    def format(self, value: int) -> str:
        return f"{self.prefix}{value:0{self.width}d}"


class DocumentQuerySet(OrgQuerySet):
    def with_totals(self):
        return self.annotate(
            net_sum=Sum("lines__net", default=ZERO), tax_sum=Sum("lines__tax", default=ZERO)
        )


class Document(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    doc_type = models.CharField("type", max_length=20, choices=DocType.choices)
    number = models.CharField(max_length=21)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    care_of = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_of_documents",
        help_text="The party the bill goes to on behalf of the client.",
    )
    issue_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    reference = models.CharField(max_length=100, blank=True)
    # The job and department the work was for (the job system's own words): optional, and
    # what a connection's tracking mapping may book as a class, location or tracking option
    # (sync/tracking.py). A site is the document's account when that account is a site.
    job = models.CharField(max_length=100, blank=True)
    department = models.CharField(max_length=100, blank=True)
    # Approved or draft in the package; "" as the organisation's post_as says.
    post_as = models.CharField(max_length=10, choices=PostAs.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_via = models.CharField(max_length=10, choices=SentVia.choices, blank=True)
    # How its money was worked out (records/money.py), shown on the document and its print.
    vat_rounding = models.CharField(
        "VAT rounding", max_length=10, choices=ROUNDING_CHOICES, default="per_line"
    )
    prices_include_vat = models.BooleanField(
        "prices include VAT",
        default=False,
        help_text="Unit prices are gross: each line's VAT is taken out of its amount.",
    )
    # NULL when the document's VAT is worked out from its lines; supplier invoices only.
    supplier_vat = models.DecimalField(
        "supplier's VAT",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The VAT printed on the supplier's invoice, when it differs from the lines'.",
    )
    marked_for_sync = models.BooleanField(default=False)
    marked_at = models.DateTimeField(null=True, blank=True)
    # NULL, not "", when absent: the unique constraint must ignore documents without one.
    external_ref = models.CharField(  # noqa: DJ001
        max_length=100,
        null=True,
        blank=True,
        help_text="The calling system's own id; a repeated create with it returns this document.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["doc_type", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "doc_type", "number"],
                condition=~Q(doc_type="supplier_invoice"),
                name="sales_number_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "supplier", "number"],
                condition=Q(doc_type="supplier_invoice"),
                name="supplier_reference_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "external_ref"], name="external_ref_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(doc_type="supplier_invoice", supplier__isnull=False, account__isnull=True)
                    | (
                        ~Q(doc_type="supplier_invoice")
                        & Q(account__isnull=False, supplier__isnull=True)
                    )
                ),
                name="document_party_matches_type",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "doc_type", "marked_for_sync", "number"])]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}"

    @property
    def type(self) -> DocType:
        return DocType(self.doc_type)

    @property
    def party(self) -> Account | Supplier:
        party = self.supplier if self.doc_type == DocType.SUPPLIER_INVOICE else self.account
        # document_party_matches_type makes the matching foreign key non-null on every row.
        assert party is not None, f"{self} has no party"
        return party

    @property
    def effective_post_as(self) -> PostAs:
        """Approved or draft: its own choice, else its organisation's."""
        return PostAs(self.post_as or self.organisation.post_as)

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def net_total(self) -> Decimal:
        return sum((line.net for line in self.lines.all()), ZERO)

    @property
    def tax_total(self) -> Decimal:
        return sum((line.tax for line in self.lines.all()), ZERO)

    @property
    def gross_total(self) -> Decimal:
        return self.net_total + self.tax_total

    @property
    def rounding(self) -> Rounding:
        return Rounding(self.vat_rounding)

    @property
    def money_basis(self) -> str:
        """How its figures were worked out, in the words the page and the print show."""
        parts = [
            "Prices include VAT" if self.prices_include_vat else "Prices exclude VAT",
            self.rounding.label,
        ]
        if self.supplier_vat is not None and self.doc_type == DocType.SUPPLIER_INVOICE:
            parts.append(f"VAT {self.supplier_vat} as on the supplier's invoice")
        return "; ".join(parts) + "."

    def work_out(self, lines) -> DocumentMoney:
        """The money of ``lines`` (saved or not) under this document's rounding, price basis
        and supplier's VAT (records/money.py; raises SupplierVatTooFar)."""
        return document_money(
            [line.money_line() for line in lines],
            rounding=self.rounding,
            inclusive=self.prices_include_vat,
            supplier_vat=self.supplier_vat if self.doc_type == DocType.SUPPLIER_INVOICE else None,
        )


class Line(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=4000, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal(1))
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    nominal = models.ForeignKey(NominalCode, on_delete=models.PROTECT)
    tax_code = models.ForeignKey(TaxCode, null=True, blank=True, on_delete=models.PROTECT)
    # Worked out for the whole document when its lines are saved (records/services.py, by
    # records/money.py), kept as columns so totals over thousands of documents are one SQL
    # aggregate. A line saved on its own (the admin, a fixture) is worked out per line.
    net = models.DecimalField(max_digits=14, decimal_places=2, editable=False, default=ZERO)
    tax = models.DecimalField(max_digits=14, decimal_places=2, editable=False, default=ZERO)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], name="line_position_unique")
        ]

    def __str__(self) -> str:
        return f"line {self.position}: {self.text or '(blank)'}"

    def save(self, *args, **kwargs):
        self.net = line_net(self.quantity, self.unit_price)
        rate = self.tax_code.rate if self.tax_code_id else Decimal(0)
        self.tax = line_tax(self.net, rate)
        super().save(*args, **kwargs)

    def money_line(self) -> MoneyLine:
        """What records/money.py needs of the line: its rate, keyed by its tax code."""
        if self.tax_code_id is None:
            return MoneyLine(self.quantity, self.unit_price)
        assert self.tax_code is not None
        return MoneyLine(self.quantity, self.unit_price, self.tax_code.rate, self.tax_code.code)

    @property
    def gross(self) -> Decimal:
        return to_money(self.net + self.tax)
