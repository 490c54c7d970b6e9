"""Webhooks a sandbox sends, as its provider does: a JSON body POSTed to the URL set at
``PUT /_sandbox/settings`` (``{"webhook": {"url", "key"}}``), signed with the key in the
provider's header (providers/webhooks.py). Sent in the background with a short timeout, so
a slow receiver never holds up the API call or web page that caused it; each delivery's
answer is kept for ``GET /_sandbox/webhooks`` (``DELETE`` clears them).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ledgersync.providers.webhooks import signature


@dataclass
class WebhookConfig:
    url: str = ""  # where deliveries go; "" sends none
    key: str = ""  # the verifier token (QuickBooks) or webhook key (Xero) they are signed with
    timeout_seconds: float = 3.0


class Webhooks:
    def __init__(self, header: str, config: Callable[[], WebhookConfig]) -> None:
        self.header = header
        self._config = config
        self._lock = threading.Lock()
        self._deliveries: list[dict] = []

    @property
    def on(self) -> bool:
        config = self._config()
        return bool(config.url and config.key)

    def send(self, payload: object) -> None:
        """Deliver in the background, when a URL and key are set."""
        if not self.on:
            return
        body = json.dumps(payload, default=str).encode()
        threading.Thread(target=self.deliver, args=(body,), daemon=True).start()

    def deliver(self, body: bytes, *, signed_right: bool = True) -> dict:
        """POST now; the delivery as kept: the receiver's status (None when it did not
        answer) and whether the signature was the right one."""
        config = self._config()
        key = config.key if signed_right else f"not-{config.key}"
        headers = {"Content-Type": "application/json", self.header: signature(key, body)}
        record: dict = {"url": config.url, "signed_right": signed_right, "status": None}
        try:
            answer = httpx.post(
                config.url, content=body, headers=headers, timeout=config.timeout_seconds
            )
            record["status"] = answer.status_code
            record["body"] = answer.text[:200]
        except httpx.HTTPError as exc:
            record["error"] = type(exc).__name__
        record["payload"] = json.loads(body)
        with self._lock:
            self._deliveries.append(record)
        return record

    def deliveries(self) -> list[dict]:
        with self._lock:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._lock:
            self._deliveries.clear()
