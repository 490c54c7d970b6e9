"""The connector contract every accounting package implements, and the values it speaks.

One connector instance serves one sync run (or one web request) for one connection:
reference data and contact lists it fetches are cached on the instance and reused, and
``api_calls`` counts every HTTP request it sent. Connectors take and return the dataclasses
below, with ``Decimal`` money; provider JSON never leaves a provider's ``mapping.py``.

Errors are the tree in ``ledgersync.providers.errors`` (re-exported here).
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from ledgersync.providers.errors import (
    AuthError,
    ErrorKind,
    InvalidAccsId,
    PermanentError,
    ProviderError,
    RateLimited,
    RetriableError,
    UncertainError,
)

if TYPE_CHECKING:
    import httpx

    from ledgersync.providers.config import ProviderConfig
    from ledgersync.providers.pacing import Pace

__all__ = [
    "Address",
    "AuthError",
    "AuthorizationRequest",
    "Capabilities",
    "Company",
    "Connector",
    "Contact",
    "ContactKind",
    "ContactMatch",
    "Credentials",
    "DocType",
    "ErrorKind",
    "InvalidAccsId",
    "LedgerAccount",
    "NewContact",
    "OutboundDocument",
    "OutboundLine",
    "PaidState",
    "PaymentsPage",
    "PermanentError",
    "ProviderError",
    "PushResult",
    "RateLimited",
    "ReferenceData",
    "RemoteDocument",
    "RemotePayment",
    "RetriableError",
    "TaxCode",
    "TokenCallback",
    "TokenRefresher",
    "TokenSpender",
    "Tracking",
    "TrackingList",
    "TrackingOption",
    "TrackingSlot",
    "UncertainError",
]


class DocType(enum.StrEnum):
    SALES_INVOICE = "sales_invoice"
    SALES_CREDIT_NOTE = "sales_credit_note"
    SUPPLIER_INVOICE = "supplier_invoice"

    @property
    def contact_kind(self) -> ContactKind:
        if self is DocType.SUPPLIER_INVOICE:
            return ContactKind.SUPPLIER
        return ContactKind.CUSTOMER


class ContactKind(enum.StrEnum):
    CUSTOMER = "customer"
    SUPPLIER = "supplier"


class TrackingSlot(enum.StrEnum):
    """Where a package books tracking: QuickBooks classes (on each line) and locations (its
    ``Department`` entity, on the header), Xero tracking categories (on each line)."""

    CLASS = "class"
    LOCATION = "location"
    CATEGORY = "category"

    @property
    def label(self) -> str:
        return {"class": "Class", "location": "Location", "category": "Tracking category"}[self]


@dataclass(frozen=True)
class Capabilities:
    """What a provider can do; the engine's checks and the UI read these, never the slug."""

    display_name: str
    supports_care_of: bool
    supports_typed_accs_id: bool
    needs_tax_on_nominal: bool
    max_batch: int
    supports_pkce: bool = False
    # How long the provider answers a repeated idempotency key with the first answer
    # (None: undocumented, so never relied on alone).
    replay_window_seconds: int | None = None
    # The longest a write whose answer was lost may take to land (the client's timeout and
    # retries, a proxy or queue on the way, plus a margin). A document sent again while an
    # earlier send may still land is searched for extra copies once this has passed.
    late_write_seconds: int = 15 * 60
    # How the package rounds VAT when it works it out itself: "per_line" (each line's VAT
    # rounded, then summed) or "per_rate" (each rate's summed net taxed once); the
    # organisation's rounding rule defaults to it (records/money.py Rounding).
    tax_rounding: str = "per_line"
    # Where the package books tracking (sync/tracking.py maps a document's job, site or
    # department to them, per connection); () where ledgersync offers none.
    tracking_slots: tuple[TrackingSlot, ...] = ()
    # The package keeps a document as a draft (not yet approved, not in its reports) when
    # asked: Xero DRAFT, Sage status DRAFT. QuickBooks has no draft state.
    supports_drafts: bool = False

    @property
    def drafts_note(self) -> str | None:
        """What the settings and the document form say where drafts cannot be posted; None
        where they can."""
        if self.supports_drafts:
            return None
        return (
            f"{self.display_name} has no draft state: documents go to it as final, whatever "
            "this says."
        )

    @property
    def typed_accs_id_refusal(self) -> str | None:
        """Why an AccsID cannot be typed with this provider, or None where it can: the one
        sentence the popup, the record page, the REST API and the connector all give."""
        if self.supports_typed_accs_id:
            return None
        return (
            f"Linking by AccsID is not available with {self.display_name}; "
            "use Link This or Create New."
        )


@dataclass(frozen=True)
class Credentials:
    """Tokens for one connection. ``company_id`` is the realmId / tenantId / business id."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    company_id: str

    def __repr__(self) -> str:
        # Tokens must never reach a log line through a stray repr().
        return (
            f"Credentials(company_id={self.company_id!r}, "
            f"access_expires_at={self.access_expires_at.isoformat()})"
        )

    def access_expires_within(self, seconds: float, now: datetime | None = None) -> bool:
        now = now or datetime.now(UTC)
        return self.access_expires_at - now <= timedelta(seconds=seconds)


TokenCallback = Callable[[Credentials], None]
"""Called with new credentials after every refresh; the caller persists them under a row lock."""

TokenSpender = Callable[[Credentials], Credentials]
"""Spends these credentials' refresh token at the provider and returns what it answers
(AuthError on invalid_grant); adopts and persists nothing."""

TokenRefresher = Callable[[Credentials, TokenSpender], Credentials]
"""The caller's one locked refresh path, given the credentials a client holds and a way to
spend a refresh token: returns the credentials to use now, refreshed with ``spend`` only if
the stored ones are still those held (else the stored, newer ones)."""


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the user, and what to keep in the session until the callback."""

    url: str
    state: str
    code_verifier: str | None = None


@dataclass(frozen=True)
class Company:
    id: str
    name: str


@dataclass(frozen=True)
class Address:
    """A postal address. A provider's ``mapping.py`` names its own field for each part (a
    ``{part: field}`` table) and reads and writes through ``read`` and ``fields``."""

    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""

    @classmethod
    def read(cls, row: Mapping[str, Any], names: Mapping[str, str]) -> Address:
        """The address in a provider's JSON ``row``; a missing or null field is ""."""
        return cls(**{part: str(row.get(name) or "") for part, name in names.items()})

    def fields(self, names: Mapping[str, str]) -> dict[str, str]:
        """The parts that are filled in, under the provider's field ``names`` (empty parts
        are left out rather than sent as blanks that would overwrite what is there)."""
        parts = ((name, getattr(self, part)) for part, name in names.items())
        return {name: value for name, value in parts if value}


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    kind: ContactKind
    email: str = ""
    phone: str = ""
    address: Address | None = None
    parent_id: str | None = None
    active: bool = True
    # What identifies the business beyond its name, where the package keeps it: its
    # account number or reference, and its VAT number (providers/names.py matches on them).
    account_number: str = ""
    tax_number: str = ""


@dataclass(frozen=True)
class Wanted:
    """What our account or supplier is known by, for finding it among the package's
    contacts: its name, and what identifies it beyond the name (each may be empty)."""

    name: str
    number: str = ""
    email: str = ""
    vat_number: str = ""
    postcode: str = ""

    @classmethod
    def of(cls, party: Any) -> Wanted:
        """From a ledgersync Account or Supplier."""
        return cls(
            name=party.name,
            number=party.number,
            email=party.email,
            vat_number=party.vat_number,
            postcode=party.postcode,
        )


@dataclass(frozen=True)
class ContactMatch:
    """A suggestion: ``score`` in 0..1, best first; ``exact`` means the names are identical
    (the product guide's condition for offering Link This); ``reasons`` say, in words,
    why it was suggested ("same name", "VAT number GB123456789", "postcode TR1 2AB")."""

    contact: Contact
    score: float
    exact: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewContact:
    kind: ContactKind
    name: str
    email: str = ""
    phone: str = ""
    address: Address | None = None
    # A sub-customer under this contact (QuickBooks care-of); ignored where unsupported.
    parent_id: str | None = None
    # Sent as the provider's idempotency key so a retried create does not duplicate.
    idempotency_key: str | None = None


@dataclass(frozen=True)
class LedgerAccount:
    """A nominal code in the package. ``tax_code_id`` is the account's default tax code
    (provider id), or None when the account carries no tax rate."""

    id: str
    code: str
    name: str
    account_type: str
    tax_code_id: str | None = None
    active: bool = True

    @property
    def has_tax(self) -> bool:
        return self.tax_code_id is not None


@dataclass(frozen=True)
class TaxCode:
    """A provider tax code. ``code`` is ledgersync's own VAT code (S, R, Z, E, NT) when the
    provider's code is recognisably one of them, else None."""

    id: str
    name: str
    rate: Decimal | None
    code: str | None = None


@dataclass(frozen=True)
class ReferenceData:
    accounts: Mapping[str, LedgerAccount]  # by nominal code
    tax_codes: Sequence[TaxCode]

    def account(self, nominal_code: str) -> LedgerAccount | None:
        return self.accounts.get(nominal_code)

    def tax_code(self, code_or_id: str) -> TaxCode | None:
        """The tax code for a ledgersync VAT code ("S") or a provider tax code id."""
        for tax in self.tax_codes:
            if tax.code == code_or_id:
                return tax
        for tax in self.tax_codes:
            if tax.id == code_or_id:
                return tax
        return None

    def tax_code_by_id(self, tax_code_id: str) -> TaxCode | None:
        return next((tax for tax in self.tax_codes if tax.id == tax_code_id), None)


@dataclass(frozen=True)
class TrackingOption:
    """One class, location or tracking option in the package."""

    id: str
    name: str
    active: bool = True


@dataclass(frozen=True)
class TrackingList:
    """A package's list of tracking options for one slot: QuickBooks' classes or locations
    (``name`` "Class" / "Location"), or one Xero tracking category (``name`` is its name)."""

    slot: TrackingSlot
    id: str
    name: str
    options: tuple[TrackingOption, ...] = ()
    active: bool = True

    def option(self, name: str) -> TrackingOption | None:
        """The active option with this name (case and outer spaces ignored), or None."""
        wanted = name.strip().casefold()
        return next(
            (o for o in self.options if o.active and o.name.strip().casefold() == wanted), None
        )


@dataclass(frozen=True)
class Tracking:
    """What one document books in one slot: ``option`` (a class, location or tracking option
    name) and, for a Xero tracking category, the category's ``category`` name."""

    slot: TrackingSlot
    option: str
    category: str = ""


def tracking_list(
    lists: Sequence[TrackingList], slot: TrackingSlot, category: str = ""
) -> TrackingList | None:
    """The active list for ``slot`` (for a Xero category, the one named ``category``)."""
    wanted = category.strip().casefold()
    for found in lists:
        if found.slot is slot and found.active:
            if slot is not TrackingSlot.CATEGORY or found.name.strip().casefold() == wanted:
                return found
    return None


@dataclass(frozen=True)
class OutboundLine:
    text: str
    quantity: Decimal
    unit_price: Decimal
    nominal_code: str
    # ledgersync VAT code (S, R, Z, E, NT) or a provider tax code id; None = the nominal's default.
    tax_code: str | None = None
    # ledgersync's own net and VAT for the line (records/money.py), sent so the package books
    # them; None leaves the package to work them out. ``unit_price`` includes VAT when the
    # document's ``amounts_include_tax`` is set.
    net: Decimal | None = None
    tax: Decimal | None = None


@dataclass(frozen=True)
class OutboundDocument:
    """A document ready to push. ``idempotency_key`` was stored before the push (<= 36 chars)."""

    idempotency_key: str
    doc_type: DocType
    number: str
    contact_id: str
    care_of_contact_id: str | None
    issue_date: date
    due_date: date | None
    currency: str
    reference: str
    lines: tuple[OutboundLine, ...] = field(default_factory=tuple)
    # Unit prices include VAT (Xero LineAmountTypes Inclusive, QuickBooks TaxInclusive, Sage
    # unit_price_includes_tax).
    amounts_include_tax: bool = False
    # The connection's tracking mapping applied to this document (sync/tracking.py); the
    # provider's mapping.py puts each where its package takes it.
    tracking: tuple[Tracking, ...] = ()
    # Post it as a draft (only where Capabilities.supports_drafts; the engine decides).
    draft: bool = False


@dataclass(frozen=True)
class RemoteDocument:
    remote_id: str
    doc_type: DocType
    number: str
    total: Decimal
    contact_id: str
    tax_total: Decimal | None = None
    balance: Decimal | None = None
    issue_date: date | None = None  # None where the provider's lookup does not return it
    draft: bool = False  # the package holds it as a draft (not yet approved)

    @property
    def has_payment(self) -> bool:
        """Money is allocated to it (a payment or credit): the package will not remove it."""
        return self.balance is not None and self.balance != self.total


@dataclass(frozen=True)
class RemotePayment:
    """Money the package applied to a document: a payment, or a credit allocated to it.
    ``remote_id`` is the package's id for the payment (or allocation); ``amount`` is what
    it took off this document."""

    remote_id: str
    paid_on: date
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class PaidState:
    """What the package says one of our documents has been paid: its total, what is still
    outstanding, and every payment or credit applied to it (complete, not only new ones)."""

    remote_id: str
    doc_type: DocType
    total: Decimal
    outstanding: Decimal
    payments: tuple[RemotePayment, ...] = ()


@dataclass(frozen=True)
class PaymentsPage:
    """The documents whose payments changed since a cursor, and the next cursor: the
    package's own time of the newest change it reported (the same cursor again when
    nothing changed), so our clock never decides what is missed."""

    documents: tuple[PaidState, ...]
    cursor: datetime | None


@dataclass(frozen=True)
class PushResult:
    """The fate of one document in a push: exactly one of ``remote`` or ``error`` is set."""

    idempotency_key: str
    number: str
    remote: RemoteDocument | None = None
    error: ProviderError | None = None

    def __post_init__(self) -> None:
        if (self.remote is None) == (self.error is None):
            raise ValueError("a PushResult holds either a remote document or an error")

    @property
    def ok(self) -> bool:
        return self.remote is not None


class Connector(ABC):
    """One accounting package behind one interface.

    Build it with ``registry.connector_for(slug, credentials, on_token_refresh)``. OAuth calls
    (``authorization_url``, ``exchange_code``) work without credentials; everything else needs
    them and raises ``AuthError`` when the provider no longer accepts them even after one
    refresh. Every call may raise ``RetriableError``/``RateLimited`` when the provider could
    not be reached or asked us to wait; reads never raise ``UncertainError``.
    """

    slug: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    # A connector that paces its own calls (Sage) sets this; the engine keeps where the pace
    # stands on the connection between steps (providers/pacing.py).
    pace: Pace | None = None

    def __init__(
        self,
        credentials: Credentials | None,
        *,
        config: ProviderConfig,
        on_token_refresh: TokenCallback | None = None,
        transport: httpx.BaseTransport | None = None,
        refresh_with: TokenRefresher | None = None,
    ) -> None:
        self.config = config
        self.credentials = credentials
        self.on_token_refresh = on_token_refresh
        self.transport = transport
        # Every refresh (before expiry, on a 401, or asked for) goes through it when given.
        self.refresh_with = refresh_with

    @property
    @abstractmethod
    def api_calls(self) -> int:
        """HTTP requests this instance has sent so far (token calls and retries included)."""

    @property
    def rate_limit_waits(self) -> tuple[int, float]:
        """How many times this instance waited out the provider's rate limit itself, and for
        how many seconds in all (longer waits are handed to the run instead: RateLimited)."""
        return (0, 0.0)

    # --- OAuth -----------------------------------------------------------------------------

    @abstractmethod
    def authorization_url(
        self, redirect_uri: str, state: str | None = None
    ) -> AuthorizationRequest:
        """The provider's consent URL. Returns the URL, the state (generated when not given)
        and a PKCE code verifier where the provider takes one; keep both for the callback."""

    @abstractmethod
    def exchange_code(
        self,
        callback_params: Mapping[str, str],
        redirect_uri: str,
        *,
        expected_state: str,
        code_verifier: str | None = None,
    ) -> Credentials:
        """Turn the callback's query parameters into credentials (with the company id) and
        adopt them. Raises AuthError when the user declined, the state does not match, or
        the code is refused."""

    @abstractmethod
    def refresh(self) -> Credentials:
        """Refresh the access token now (through ``refresh_with`` when given); calls
        ``on_token_refresh`` with the new credentials and returns them. Raises AuthError on
        invalid_grant (relink needed)."""

    @abstractmethod
    def revoke(self) -> None:
        """Revoke the refresh token at the provider. Raises AuthError if it is already
        unknown to the provider only where the provider says so; otherwise returns None."""

    @abstractmethod
    def company(self) -> Company:
        """The connected company's id and name."""

    # --- Contacts --------------------------------------------------------------------------

    @abstractmethod
    def find_contacts(
        self, wanted: Wanted | str, kind: ContactKind, limit: int = 5
    ) -> list[ContactMatch]:
        """Contacts resembling ``wanted`` (a name, or a party's name and identifiers), best
        first, at most ``limit``, each with its reasons (providers/names.py). Tolerant of
        case, punctuation, "&"/"and" and Ltd/Limited; ``exact`` marks identical names.
        Returns [] when nothing is close."""

    @abstractmethod
    def get_contact(self, contact_id: str, kind: ContactKind) -> Contact | None:
        """The contact with this provider id, or None when the package has no such contact
        (of this kind). Does not validate the id's shape: call ``validate_accs_id`` first."""

    @abstractmethod
    def create_contact(self, new: NewContact) -> Contact:
        """Create a customer or supplier and return it with its provider id. Raises
        PermanentError when the provider refuses it (e.g. the name is already taken)."""

    @abstractmethod
    def validate_accs_id(self, text: str) -> str:
        """The AccsID a user typed, normalised (trimmed). Raises InvalidAccsId with a message
        such as "AccountsID (abc) is not correct, QuickBooks requires a number", or when
        the provider does not offer typed ids at all."""

    @abstractmethod
    def contact_url(self, contact_id: str, kind: ContactKind) -> str | None:
        """A link to the contact in the provider's web app, or None where there is none."""

    # --- Reference data and documents --------------------------------------------------------

    @abstractmethod
    def reference_data(self) -> ReferenceData:
        """Ledger accounts by nominal code and tax codes; fetched once per instance."""

    def tracking_lists(self) -> Sequence[TrackingList]:
        """The package's classes / locations / tracking categories with their options, for
        the slots in ``capabilities.tracking_slots``; fetched once per instance. Only asked
        for when a connection maps tracking, so it costs nothing otherwise."""
        return ()

    @abstractmethod
    def existing_numbers(
        self, doc_type: DocType, numbers: Iterable[str], contact_id: str | None = None
    ) -> set[str]:
        """Which of ``numbers`` already exist in the package as ``doc_type``. For supplier
        invoices pass ``contact_id``: only that supplier's documents count."""

    @abstractmethod
    def push(self, documents: Sequence[OutboundDocument]) -> list[PushResult]:
        """Create the documents (at most ``capabilities.max_batch``) and return one result
        per document, in the same order. A document's result holds either the remote
        document or its error: PermanentError (rejected; reason in words), RetriableError /
        RateLimited (nothing written), UncertainError (may have been written: reconcile with
        ``find_document`` before sending again). Raises AuthError when the connection is
        unusable (nothing was written)."""

    @abstractmethod
    def find_document(
        self, doc_type: DocType, number: str, contact_id: str | None = None
    ) -> RemoteDocument | None:
        """The document with this number (for supplier invoices: from this supplier), or
        None. Used to reconcile UNCERTAIN pushes."""

    @abstractmethod
    def find_documents(
        self, doc_type: DocType, number: str, contact_id: str | None = None
    ) -> list[RemoteDocument]:
        """Every live (not voided or deleted) document with this number, for supplier
        invoices from this supplier; [] when there is none. Used to find an extra copy made
        when an unanswered send landed after the document was sent again."""

    @abstractmethod
    def payments_since(self, since: datetime | None) -> PaymentsPage:
        """Sales invoices, credit notes and supplier invoices whose payments or
        allocations changed at or after ``since`` (the cursor an earlier page returned; None
        for as far back as the package lets us look), each with its whole paid state.
        Incremental and cheap: a few reads however many documents the package holds. A
        document may appear again with nothing new; callers store the state idempotently."""

    @abstractmethod
    def void_document(self, document: RemoteDocument) -> None:
        """Remove an extra copy: void it where the package keeps voided documents (QuickBooks
        invoices, Xero authorised documents, Sage sales documents), else delete it. Raises
        PermanentError with the package's words when it refuses (e.g. a payment is
        allocated to it); the document is then left as it was."""
