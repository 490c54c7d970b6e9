"""The address providers send the user back to, from LEDGERSYNC_PUBLIC_URL."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def callback_uri(request=None) -> str:
    """The OAuth redirect URI to register in each provider's developer console.

    With LEDGERSYNC_PUBLIC_URL set it is the only source (a proxy in front cannot turn it into
    http://...); unset, ledgersync runs on one machine and the address the browser used is right.
    """
    path = reverse("sync-callback")
    if settings.PUBLIC_URL_CONFIGURED or request is None:
        return f"{settings.PUBLIC_URL}{path}"
    return request.build_absolute_uri(path)
