"""The base of every connector that talks OAuth 2 and JSON through one ``ApiClient``.

It builds the client, forwards refreshed tokens to the caller, and does the OAuth steps
every provider shares: the consent URL, the callback's error and state checks, refresh and
an RFC 7009 revoke. A provider subclass sets ``scope`` and ``describe_error`` (plus
``client_auth`` or ``callback_fields`` where its package differs) and implements
``_credentials_from_callback`` to turn the checked code into credentials with its company id.
"""

from __future__ import annotations

import hmac
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar

from ledgersync.providers import config as provider_config
from ledgersync.providers.base import (
    AuthorizationRequest,
    Connector,
    ContactKind,
    Credentials,
    TokenCallback,
)
from ledgersync.providers.errors import AuthError
from ledgersync.providers.http import ApiClient, ErrorDetail, RetryPolicy

if TYPE_CHECKING:
    import httpx

    from ledgersync.providers.config import ProviderConfig


class OAuthConnector(Connector):
    """A ``Connector`` whose requests, retries and tokens go through ``self.api``."""

    scope: ClassVar[str]
    # Reads the provider's error body; set with ``staticmethod(mapping.describe_error)``.
    describe_error: ClassVar[Callable[[httpx.Response], ErrorDetail]]
    client_auth: ClassVar[str] = "client_secret_basic"
    # The callback parameters that must be present, and what to say when one is missing.
    callback_fields: ClassVar[tuple[str, ...]] = ("code",)
    callback_missing: ClassVar[str] = "a code"

    def __init__(
        self,
        credentials: Credentials | None,
        *,
        config: ProviderConfig,
        on_token_refresh: TokenCallback | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            credentials, config=config, on_token_refresh=on_token_refresh, transport=transport
        )
        self.api = ApiClient(
            provider=self.capabilities.display_name,
            config=config,
            credentials=credentials,
            describe_error=self.describe_error,
            on_token_refresh=self._tokens_refreshed,
            transport=transport,
            retry=retry,
            pkce=self.capabilities.supports_pkce,
            sleep=sleep,
            client_auth=self.client_auth,
        )

    @property
    def api_calls(self) -> int:
        return self.api.api_calls

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
