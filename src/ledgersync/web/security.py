"""The Content-Security-Policy header on every answer.

ledgersync's pages load only their own scripts and styles (htmx and app.js from /static/,
no inline script or style), so the policy can be strict. form-action is left out on purpose:
Connect posts to ledgersync, which redirects to the package's consent page, and browsers
apply form-action to that redirect too.
"""

from __future__ import annotations

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
