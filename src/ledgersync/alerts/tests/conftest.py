"""Real servers for the alerts tests: an SMTP server (aiosmtpd) and a webhook receiver (a
small HTTP server), both on loopback, and an organisation with an Administrator to tell."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import utils as mail_utils

from ledgersync.alerts.models import AlertSettings, EventKind
from ledgersync.records.models import Role, User
from ledgersync.records.tests.factories import make_org
from ledgersync.sync.tests.conftest import demo, sandbox, sandbox_server  # noqa: F401 (fixtures)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: keeps every message the server accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(list(envelope.rcpt_tos))
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    @staticmethod
    def text(message) -> str:
        """The plain-text body with SMTP's CRLF line ends read back as newlines."""
        return message.get_content().replace("\r\n", "\n")

    def wait_for(self, count: int, seconds: float = 5.0) -> list:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and Django's mail pointed at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    # The name the client greets with; looking up this machine's own name can take seconds.
    mail_utils.DNS_NAME._fqdn = "localhost"
    yield inbox
    controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the receiver answers next (status codes, popped in turn; 200 once they run out)
    and everything it was sent."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    location: str = ""  # sent with a 3xx answer
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            if state.delay:
                time.sleep(state.delay)
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ledgersync"
    yield state
    server.shutdown()
    server.server_close()


def quick_user(organisation, role: str, username: str, email: str = "") -> User:
    """A user without a password (hashing one takes most of a second)."""
    user = User(organisation=organisation, role=role, username=username, email=email)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def org(db):
    organisation = make_org()
    quick_user(organisation, Role.ADMINISTRATOR, "acme-admin", "boss@acme.example")
    # Not an Administrator, so not told; and an Administrator who has left.
    quick_user(organisation, Role.ACCOUNTS, "acme-accounts", "clerk@acme.example")
    gone = quick_user(organisation, Role.ADMINISTRATOR, "acme-old", "old@acme.example")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    return organisation


def webhook_for(organisation, url: str, *kinds: str) -> str:
    """Point the organisation's webhook at ``url`` for ``kinds``; returns its secret."""
    from ledgersync.alerts.webhooks import rotate_secret

    AlertSettings.objects.update_or_create(
        organisation=organisation,
        defaults={"webhook_url": url, "webhook_events": list(kinds or EventKind.values)},
    )
    return rotate_secret(organisation)
