"""Believe X-Forwarded-Proto/For/Host only from the proxies in LEDGERSYNC_TRUSTED_PROXIES.

waitress's own ``trusted_proxy`` takes one address (or everyone); a deployment behind a
load balancer pool needs CIDR blocks. So the choice of peer is made here and the parsing
is left to waitress's maintained proxy-header middleware: a trusted peer's headers set
``wsgi.url_scheme``, ``HTTP_HOST`` and ``REMOTE_ADDR``; anyone else's are removed before
Django sees them.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from waitress.proxy_headers import proxy_headers_middleware

HEADERS = {"x-forwarded-proto", "x-forwarded-for", "x-forwarded-host"}


def behind_proxies(app, networks: Sequence[IPv4Network | IPv6Network]):
    """A WSGI app that applies forwarded headers from ``networks`` and drops all others."""
    trusting = proxy_headers_middleware(app, trusted_proxy="*", trusted_proxy_headers=HEADERS)
    refusing = proxy_headers_middleware(app, trusted_proxy=None)

    def trusted(peer: str) -> bool:
        try:
            address = ip_address(peer)
        except ValueError:  # a unix socket or an empty peer: not one of ours
            return False
        return any(address in network for network in networks)

    def dispatch(environ, start_response):
        chosen = trusting if trusted(environ.get("REMOTE_ADDR", "")) else refusing
        return chosen(environ, start_response)

    return dispatch
