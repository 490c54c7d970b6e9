"""One ApiClient shared by many threads (Sage pushes four documents at a time through one)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from ledgersync.providers.tests.test_http_client import TOKEN_PATH, client, credentials

THREADS = 12
WAIT = 5.0  # seconds a scripted step waits for the others before the test gives up


class RotatingProvider:
    """A thread-safe provider whose refresh tokens work once (as QuickBooks' and Xero's do):
    a second refresh with a spent token is answered invalid_grant."""

    def __init__(self, first_requests_meet_at: threading.Barrier | None = None) -> None:
        self.lock = threading.Lock()
        self.requests: list[httpx.Request] = []
        self.live_token = "access-old"
        self.live_refresh = "refresh-old"
        self.refreshes = 0
        self.first_requests_meet_at = first_requests_meet_at

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            seen = len(self.requests)
        if request.url.path == TOKEN_PATH:
            return self.token(request)
        if self.first_requests_meet_at is not None and seen <= THREADS:
            # Every thread's first request is in flight with the old token; then it expires.
            self.first_requests_meet_at.wait(WAIT)
            self.expire_access_token()
            return httpx.Response(200, json={"n": seen})
        if request.headers["Authorization"] != f"Bearer {self.live_token}":
            return httpx.Response(401)
        return httpx.Response(200, json={"n": seen})

    def expire_access_token(self) -> None:
        with self.lock:
            if self.live_token == "access-old":
                self.live_token = ""  # the provider no longer takes it; ours does not know

    def token(self, request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)  # long enough for the other threads' 401s to arrive meanwhile
        with self.lock:
            if f"refresh_token={self.live_refresh}".encode() not in request.content:
                return httpx.Response(400, json={"error": "invalid_grant"})
            self.refreshes += 1
            self.live_token = f"access-{self.refreshes}"
            self.live_refresh = f"refresh-{self.refreshes}"
            return httpx.Response(
                200,
                json={
                    "access_token": self.live_token,
                    "refresh_token": self.live_refresh,
                    "token_type": "bearer",
                    "expires_in": 3600,
                },
            )


def run_in_threads(work, count: int = THREADS) -> list:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: work(), range(count)))


def test_threads_meeting_a_token_that_expired_mid_run_refresh_it_exactly_once():
    provider, refreshed = RotatingProvider(threading.Barrier(THREADS)), []
    api = client(provider, refreshed=refreshed)

    def two_reads():
        return [api.request("GET", "/thing").status for _ in range(2)]

    assert run_in_threads(two_reads) == [[200, 200]] * THREADS
    assert provider.refreshes == 1
    assert [c.access_token for c in refreshed] == ["access-1"]
    assert api.credentials.refresh_token == "refresh-1"


def test_threads_starting_with_a_token_about_to_expire_refresh_it_exactly_once():
    provider, refreshed = RotatingProvider(), []
    api = client(provider, creds=credentials(expires_in=30), refreshed=refreshed)
    start = threading.Barrier(THREADS)

    def read_together():
        start.wait(WAIT)
        return api.request("GET", "/thing").status

    assert run_in_threads(read_together) == [200] * THREADS
    assert provider.refreshes == 1
    assert len(refreshed) == 1
    tokens = {r.headers["Authorization"] for r in provider.requests if r.url.path != TOKEN_PATH}
    assert tokens == {"Bearer access-1"}


def test_the_call_count_equals_the_requests_sent_from_many_threads():
    provider = RotatingProvider(threading.Barrier(THREADS))
    api = client(provider, refreshed=[])

    def reads():
        for _ in range(20):
            api.request("GET", "/thing")

    run_in_threads(reads)
    assert api.api_calls == len(provider.requests)
    # 20 reads a thread, one token call, and each 401 met before the refresh landed.
    unauthorised = len(provider.requests) - THREADS * 20 - 1
    assert 0 <= unauthorised < THREADS
    assert provider.refreshes == 1


def test_each_reply_says_whether_its_own_request_was_resent_after_an_uncertain_answer():
    # A's first POST gets a 500 and is re-sent; B's read runs while A's resend is in flight
    # and ends before it. A flag on the client, reset by B's request, would tell A "no".
    a_resending, b_done = threading.Event(), threading.Event()
    sent: list[str] = []

    def provider(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if request.url.path == "/a" and sent.count("/a") == 1:
            return httpx.Response(500)
        if request.url.path == "/a":
            a_resending.set()
            b_done.wait(WAIT)
        return httpx.Response(200, json={})

    api = client(provider)

    def push_a():
        return api.request("POST", "/a", json_body={}, idempotent=True)

    def read_b():
        a_resending.wait(WAIT)
        try:
            return api.request("GET", "/b")
        finally:
            b_done.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.submit(push_a), pool.submit(read_b)
        a_reply, b_reply = a.result(), b.result()
    assert sent == ["/a", "/a", "/b"]
    assert (a_reply.resent_after_uncertain, a_reply.attempts) == (True, 2)
    assert (b_reply.resent_after_uncertain, b_reply.attempts) == (False, 1)
