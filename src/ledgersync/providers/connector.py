"""The base of every connector that talks OAuth 2 and JSON through one ``ApiClient``.

It builds the client, forwards refreshed tokens to the caller, and does the OAuth steps
every provider shares: the consent URL, the callback's error and state checks, refresh and
an RFC 7009 revoke. For a push it checks the batch size, turns each document into its
request body (collecting the documents refused before sending) and resolves each line's
nominal code. A provider subclass sets ``facts`` (its package's ``FACTS``), ``scope`` and
``describe_error`` (plus ``client_auth`` or ``callback_fields`` where its package differs)
and implements ``_credentials_from_callback`` (the checked code to credentials naming the
company) and ``_prepare`` (one document's body).
"""

from __future__ import annotations

import hmac
import time
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from ledgersync.providers import config as provider_config
from ledgersync.providers.base import (
    AuthorizationRequest,
    Connector,
    ContactKind,
    Credentials,
    LedgerAccount,
    OutboundDocument,
    OutboundLine,
    PushResult,
    TokenCallback,
    TokenRefresher,
)
from ledgersync.providers.errors import AuthError, PermanentError, ProviderError
from ledgersync.providers.http import ApiClient, ErrorDetail, RetryPolicy

if TYPE_CHECKING:
    import httpx

    from ledgersync.providers.config import ProviderConfig
    from ledgersync.providers.facts import ProviderFacts


class HttpConnector(Connector):
    """A ``Connector`` whose requests, retries and tokens go through ``self.api``."""

    # The provider's package's FACTS; a subclass that sets it takes its slug and
    # capabilities from it, so neither is written a second time.
    facts: ClassVar[ProviderFacts]
    scope: ClassVar[str]
    # Reads the provider's error body; set with ``staticmethod(mapping.describe_error)``.
    describe_error: ClassVar[staticmethod[[httpx.Response], ErrorDetail]]
    client_auth: ClassVar[str] = "client_secret_basic"
    # The callback parameters that must be present, and what to say when one is missing.
    callback_fields: ClassVar[tuple[str, ...]] = ("code",)
    callback_missing: ClassVar[str] = "a code"

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "facts" in cls.__dict__:
            cls.slug = cls.facts.slug
            cls.capabilities = cls.facts.capabilities

    def __init__(
        self,
        credentials: Credentials | None,
        *,
        config: ProviderConfig,
        on_token_refresh: TokenCallback | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        refresh_with: TokenRefresher | None = None,
    ) -> None:
        super().__init__(
            credentials,
            config=config,
            on_token_refresh=on_token_refresh,
            transport=transport,
            refresh_with=refresh_with,
        )
        self.api = ApiClient(
            provider=self.capabilities.display_name,
            config=config,
            credentials=credentials,
            describe_error=self.describe_error,
            on_token_refresh=self._tokens_refreshed,
            refresh_with=refresh_with,
            transport=transport,
            retry=retry,
            pkce=self.capabilities.supports_pkce,
            sleep=sleep,
            client_auth=self.client_auth,
        )

    @property
    def api_calls(self) -> int:
        return self.api.api_calls

    @property
    def rate_limit_waits(self) -> tuple[int, float]:
        return self.api.rate_limit_waits

    def _tokens_refreshed(self, credentials: Credentials) -> None:
        self.credentials = credentials
        if self.on_token_refresh is not None:
            self.on_token_refresh(credentials)

    # --- OAuth -----------------------------------------------------------------------------

    def authorization_url(
        self, redirect_uri: str, state: str | None = None
    ) -> AuthorizationRequest:
        return self.api.authorization_url(
            redirect_uri, state, self.scope, pkce=self.capabilities.supports_pkce
        )

    def exchange_code(
        self,
        callback_params: Mapping[str, str],
        redirect_uri: str,
        *,
        expected_state: str,
        code_verifier: str | None = None,
    ) -> Credentials:
        name = self.capabilities.display_name
        if callback_params.get("error"):
            raise AuthError(f"{name} was not connected ({callback_params['error']})")
        state = callback_params.get("state", "")
        if not hmac.compare_digest(state.encode(), expected_state.encode()):
            raise AuthError(f"The {name} sign-in did not come from this session; start again")
        if not all(callback_params.get(field) for field in self.callback_fields):
            raise AuthError(f"{name} did not send back {self.callback_missing}; start again")
        self.credentials = self._credentials_from_callback(
            callback_params, redirect_uri, code_verifier
        )
        return self.credentials

    @abstractmethod
    def _credentials_from_callback(
        self, callback_params: Mapping[str, str], redirect_uri: str, code_verifier: str | None
    ) -> Credentials:
        """Trade the (checked) callback's code for credentials naming the company, adopted
        by ``self.api``. Raises AuthError when no company can be found."""

    def refresh(self) -> Credentials:
        return self.api.refresh()

    def revoke(self) -> None:
        if self.credentials is None:
            return
        self.api.token_service_post(
            self.config.revoke_url, form={"token": self.credentials.refresh_token}
        )

    def contact_url(self, contact_id: str, kind: ContactKind) -> str | None:
        return provider_config.contact_web_url(self.slug, self.config, contact_id, kind)

    # --- Push ------------------------------------------------------------------------------

    @abstractmethod
    def _prepare(self, document: OutboundDocument) -> dict:
        """The document's request body; raises the ProviderError that stops this document
        alone (AuthError stops the whole push)."""

    def _prepare_all(
        self, documents: Sequence[OutboundDocument]
    ) -> tuple[dict[int, PushResult], dict[int, dict]]:
        """By index: the failed result of each document refused before sending, and the
        request body of each other one. Raises ValueError for more than ``max_batch``."""
        if len(documents) > self.capabilities.max_batch:
            raise ValueError(f"at most {self.capabilities.max_batch} documents per push")
        results: dict[int, PushResult] = {}
        bodies: dict[int, dict] = {}
        for index, document in enumerate(documents):
            try:
                bodies[index] = self._prepare(document)
            except AuthError:
                raise
            except ProviderError as error:
                results[index] = failed(document, error)
        return results, bodies

    def _lines_with_accounts(
        self, document: OutboundDocument
    ) -> Iterator[tuple[int, OutboundLine, LedgerAccount]]:
        """Each line with its position (from 1) and ledger account, one at a time, so a
        provider's own check of line 1 is raised before line 2's nominal is looked up.
        Raises PermanentError for a document without lines or an unknown nominal code."""
        if not document.lines:
            raise PermanentError(f"Document {document.number} has no lines")
        reference = self.reference_data()
        for position, line in enumerate(document.lines, start=1):
            account = reference.account(line.nominal_code)
            if account is None:
                raise PermanentError(
                    f"Nominal code {line.nominal_code} (line {position}) does not exist in "
                    f"{self.capabilities.display_name}"
                )
            yield position, line, account

    # The refusals every provider words the same way, so the Sync page reads alike for each.

    def _check_number_length(self, document: OutboundDocument, limit: int) -> None:
        """Raises PermanentError when the document's number is longer than ``limit``."""
        if len(document.number) > limit:
            raise PermanentError(
                f"Document number {document.number} is longer than "
                f"{self.capabilities.display_name} allows ({limit})"
            )

    def _default_tax_id(self, account: LedgerAccount) -> str:
        """The tax code id a line without one takes from its nominal; raises PermanentError
        when the nominal has none (the connector's own check 6)."""
        if account.tax_code_id is None:
            raise PermanentError(
                f"Nominal code {account.code} has no tax rate in {self.capabilities.display_name}"
            )
        return account.tax_code_id

    def _unknown_tax(self, wanted: str | None, position: int) -> PermanentError:
        """The refusal of a line whose tax code the package does not have."""
        return PermanentError(
            f"Tax code {wanted} (line {position}) does not exist in "
            f"{self.capabilities.display_name}"
        )


def failed(document: OutboundDocument, error: ProviderError) -> PushResult:
    """The result of a document that was not pushed (or may not have been)."""
    return PushResult(document.idempotency_key, document.number, error=error)
