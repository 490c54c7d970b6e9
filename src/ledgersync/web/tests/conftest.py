"""Browser fixtures: Debian's chromium through Playwright, the live server, the sandboxes on
loopback, and a real background worker for Auto Sync.

Screenshots for docs/user-guide.md are written to docs/images/ when LEDGERSYNC_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import httpx
import pytest

from ledgersync.providers.registry import PROVIDERS

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told this is fine (it is: the loop is Playwright's).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
READY = list(PROVIDERS)  # every provider has a connector and a sandbox
IMAGES = Path(__file__).resolve().parents[4] / "docs" / "images"
VIEWPORT = {"width": 1200, "height": 760}


def chromium_path() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def sandbox_servers():
    """Each ready provider's sandbox on a loopback socket, started on first use."""
    from ledgersync.sandbox import start_server

    started: dict[str, object] = {}

    def get(slug: str):
        if slug not in started:
            started[slug] = start_server(slug)
        return started[slug]

    yield get
    for server in started.values():
        server.stop()


@pytest.fixture(params=READY)
def sandbox(request, sandbox_servers, monkeypatch):
    """One provider's sandbox, freshly reset, with ledgersync pointed at it."""
    slug = request.param
    server = sandbox_servers(slug)
    httpx.post(f"{server.url}/_sandbox/reset").raise_for_status()
    for other in READY:
        monkeypatch.setenv(f"{other.upper()}_SANDBOX_URL", sandbox_servers(other).url)
    server.slug = slug
    return server


@pytest.fixture
def quickbooks(sandbox_servers, monkeypatch):
    """The QuickBooks sandbox alone, for journeys that are the same for every provider."""
    server = sandbox_servers("quickbooks")
    httpx.post(f"{server.url}/_sandbox/reset").raise_for_status()
    monkeypatch.setenv("QUICKBOOKS_SANDBOX_URL", server.url)
    server.slug = "quickbooks"
    return server


@pytest.fixture
def worker():
    """A real Huey consumer on threads (in-memory queue), so Auto Sync re-schedules itself."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import MemoryStorage

    was_immediate, storage = HUEY.immediate, HUEY.storage
    HUEY._immediate = False  # set directly: the setter would open the configured file queue
    HUEY.storage = MemoryStorage(HUEY.name)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = HUEY.create_consumer(
        workers=2,
        worker_type="thread",
        periodic=False,
        check_worker_health=False,
        scheduler_interval=1,
    )
    consumer.start()
    for signum, handler in handlers.items():
        signal.signal(signum, handler)
    yield consumer
    consumer.stop(graceful=True)
    HUEY._immediate, HUEY.storage = was_immediate, storage


def shot(page, name: str, *, full_page: bool = False, locator=None) -> None:
    """Save a screenshot for the user guide when LEDGERSYNC_SCREENSHOTS=1."""
    if os.environ.get("LEDGERSYNC_SCREENSHOTS") != "1":
        return
    IMAGES.mkdir(parents=True, exist_ok=True)
    target = IMAGES / f"{name}.png"
    if locator is not None:
        locator.screenshot(path=str(target), animations="disabled")
    else:
        page.screenshot(path=str(target), full_page=full_page, animations="disabled")


def log_in(page, username: str, password: str = "demo") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
