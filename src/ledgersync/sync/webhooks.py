"""QuickBooks and Xero webhooks: a nudge for the payments pull (#17).

``POST /webhooks/quickbooks/`` and ``POST /webhooks/xero/`` check the provider's signature
over the raw body, then ask for a payments pull (``payments.request_pull``) of each live
connection the delivery names, and answer at once with an empty 200. The poll stays the
truth: a lost webhook is caught by the next scheduled pull, a repeated one pulls again and
changes nothing. Bad or missing signature: 401 and nothing done (Xero's intent-to-receive
check expects exactly that). Not JSON or too large: 400. The provider's secret unset
(``QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN``, ``XERO_WEBHOOK_KEY``): 404, the endpoint is off.
Neither the secret nor the signature is ever logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from types import ModuleType

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ledgersync.providers import webhooks as wire
from ledgersync.providers.quickbooks import FACTS as QUICKBOOKS
from ledgersync.providers.quickbooks import webhooks as quickbooks_wire
from ledgersync.providers.xero import FACTS as XERO
from ledgersync.providers.xero import webhooks as xero_wire
from ledgersync.sync import payments
from ledgersync.sync.models import Connection, ConnectionStatus

log = logging.getLogger(__name__)

# Real deliveries are a few kilobytes; anything far larger is not one.
MAX_BODY_BYTES = 256 * 1024


def _receive(
    request: HttpRequest,
    provider: str,
    secret: str,
    header: str,
    companies: Callable[[object], set[str]],
) -> HttpResponse:
    if not secret:
        raise Http404("These webhooks are off: their secret is not set.")
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return HttpResponse("The body is too large for a webhook.", status=400)
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return HttpResponse("The body is too large for a webhook.", status=400)
    if not wire.signed_right(secret, body, request.headers.get(header)):
        log.warning("%s webhook refused: the %s header does not match", provider, header)
        return HttpResponse(status=401)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponse("The body is not JSON.", status=400)
    named = companies(payload)
    live = list(
        Connection.objects.filter(
            provider=provider, company_id__in=named, status=ConnectionStatus.CONNECTED
        )
    )
    for connection in live:
        payments.request_pull(connection)
    unknown = named - {c.company_id for c in live}
    if unknown:
        log.info(
            "%s webhook for %s without a live connection: nothing pulled",
            provider,
            ", ".join(sorted(unknown)),
        )
    return HttpResponse(status=200)


def _endpoint(slug: str, secret_setting: str, provider_wire: ModuleType) -> Callable:
    """The view for one provider; its secret is read at each request."""

    @csrf_exempt
    @require_POST
    def receive(request: HttpRequest) -> HttpResponse:
        secret = getattr(settings, secret_setting)
        header, companies = provider_wire.SIGNATURE_HEADER, provider_wire.companies
        return _receive(request, slug, secret, header, companies)

    return receive


quickbooks = _endpoint(QUICKBOOKS.slug, "QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN", quickbooks_wire)
xero = _endpoint(XERO.slug, "XERO_WEBHOOK_KEY", xero_wire)
