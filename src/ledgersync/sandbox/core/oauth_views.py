"""The three OAuth endpoints, mounted by each provider at its own paths.

authorize  GET shows the consent page; POST (the page's form) redirects back with a code,
           or with ``error=access_denied`` when the person cancels.
token      authorization_code and refresh_token grants, client authenticated with HTTP
           Basic (or form fields, when the provider allows it).
revoke     a JSON or form body ``{"token": ...}``; revokes the whole grant; 200 either way.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlencode

from werkzeug.wrappers import Request, Response

from ledgersync.sandbox.core.consent import consent_page, error_page
from ledgersync.sandbox.core.oauth import (
    PKCE_METHODS,
    ClientAuth,
    OAuthError,
    redirect_uri_allowed,
)
from ledgersync.sandbox.core.wire import BadJson, json_response, read_json

if TYPE_CHECKING:
    from ledgersync.sandbox.core.app import Route, SandboxApp

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def routes(app: SandboxApp, *, authorize: str, token: str, revoke: str) -> list[Route]:
    from ledgersync.sandbox.core.app import Route, RouteKind

    return [
        Route(authorize, lambda r: authorize_view(app, r), ("GET", "POST"), RouteKind.OAUTH),
        Route(token, lambda r: token_view(app, r), ("POST",), RouteKind.OAUTH),
        Route(revoke, lambda r: revoke_view(app, r), ("POST",), RouteKind.OAUTH),
    ]


def _html(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/html; charset=utf-8")


# Authorize parameters the consent form carries through to its POST.
_CARRIED = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def _redirect(uri: str, params: list[tuple[str, str]]) -> Response:
    joiner = "&" if "?" in uri else "?"
    return Response(status=302, headers={"Location": uri + joiner + urlencode(params)})


def authorize_view(app: SandboxApp, request: Request) -> Response:
    values = request.form if request.method == "POST" else request.args
    client_id = values.get("client_id", "")
    redirect_uri = values.get("redirect_uri", "")
    state = values.get("state")
    # Bad client or redirect URI: show an error here, never redirect to an unchecked URI.
    if client_id != app.settings.oauth.client_id:
        return _html(
            error_page("Sign-in problem", "The client_id is not known to this sandbox."), 400
        )
    if not redirect_uri_allowed(redirect_uri, app.settings.oauth.redirect_policy):
        message = "The redirect_uri must be an https URL, or an http URL on this machine."
        return _html(error_page("Sign-in problem", message), 400)
    state_param = [("state", state)] if state is not None else []
    if values.get("response_type") != "code":
        return _redirect(redirect_uri, [("error", "unsupported_response_type"), *state_param])
    challenge = values.get("code_challenge") or None
    if challenge is not None and values.get("code_challenge_method") not in PKCE_METHODS:
        # RFC 7636: a missing method means "plain", which these sandboxes do not offer.
        return _redirect(redirect_uri, [("error", "invalid_request"), *state_param])
    if request.method == "GET":
        hidden = {k: values[k] for k in _CARRIED if k in values}
        page = consent_page(
            provider=app.display_name,
            action=request.path,
            client_name="ledgersync",
            scope=values.get("scope", ""),
            companies=app.companies(),
            hidden=hidden,
            allow_label=app.consent_allow_label,
        )
        return _html(page)
    if request.form.get("action") != "connect":
        return _redirect(redirect_uri, [("error", "access_denied"), *state_param])
    company_id = request.form.get("company", "")
    if company_id not in {c["id"] for c in app.companies()}:
        return _html(error_page("Sign-in problem", "Choose one of the companies listed."), 400)
    code = app.tokens.issue_code(
        company_id, client_id, redirect_uri, values.get("scope", ""), code_challenge=challenge
    )
    return _redirect(redirect_uri, app.callback_params(code, state, company_id))


def client_credentials(
    request: Request, accept: ClientAuth = ClientAuth.EITHER
) -> tuple[str | None, str | None]:
    """client_id and secret from HTTP Basic, else from the form; a way the provider does
    not take yields none (so the client is refused as unknown)."""
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() == "basic" and encoded:
        if accept is ClientAuth.FORM:
            return None, None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, secret = decoded.partition(":")
        # RFC 6749 2.3.1: both parts are form-urlencoded before joining.
        return unquote(client_id), unquote(secret)
    if accept is ClientAuth.BASIC:
        return request.form.get("client_id"), None
    return request.form.get("client_id"), request.form.get("client_secret")


def token_view(app: SandboxApp, request: Request) -> Response:
    try:
        client_id, secret = client_credentials(request, app.settings.oauth.client_auth)
        # A PKCE app without a secret names itself in the form; the code decides if that is
        # enough (TokenStore.exchange_code / refresh with public=True).
        public = secret is None and bool(client_id) and app.settings.oauth.public_pkce_clients
        client_id = app.tokens.check_client(
            client_id, app.settings.oauth.client_secret if public else secret
        )
        form = request.form
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            issued = app.tokens.exchange_code(
                form.get("code", ""),
                client_id,
                form.get("redirect_uri"),
                form.get("code_verifier"),
                public=public,
            )
        elif grant_type == "refresh_token":
            issued = app.tokens.refresh(form.get("refresh_token", ""), client_id, public=public)
        else:
            raise OAuthError("unsupported_grant_type")
    except OAuthError as error:
        response = app.oauth_error(error)
        response.headers.update(NO_STORE)
        return response
    return json_response(app.token_json(issued), 200, NO_STORE)


def revoke_view(app: SandboxApp, request: Request) -> Response:
    try:
        client_id, secret = client_credentials(request, app.settings.oauth.client_auth)
        app.tokens.check_client(client_id, secret)
    except OAuthError as error:
        return app.oauth_error(error)
    token = None
    if request.mimetype == "application/json":
        try:
            body = read_json(request)
        except BadJson:
            body = {}
        token = body.get("token") if isinstance(body, dict) else None
    else:
        token = request.form.get("token")
    if isinstance(token, str) and token:
        app.tokens.revoke(token)
    return Response(status=200)
