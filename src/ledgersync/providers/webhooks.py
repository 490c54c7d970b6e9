"""Webhook signatures, the same for QuickBooks and Xero: base64(HMAC-SHA256(secret, raw
body)) in the provider's own header (reference/qbo.md section 9, reference/xero.md section
8). Each provider's header and payload reading live in ``providers/<slug>/webhooks.py``, used
by the receiver (sync/webhooks.py) and by the sandbox that sends them. Their payloads carry
only ids, so a webhook is a nudge to pull, never data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signed_right(secret: str, body: bytes, given: str | None) -> bool:
    """The header matches the body signed with the secret (compared in constant time)."""
    return bool(given) and hmac.compare_digest(signature(secret, body), given or "")


def dicts(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
