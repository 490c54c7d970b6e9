"""LEDGERSYNC_PUBLIC_URL and LEDGERSYNC_TRUSTED_PROXIES: one public address, believed proxies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import httpx
import pytest
from waitress.server import create_server

from ledgersync.env import ConfigError, env_networks
from ledgersync.web.proxies import behind_proxies

SETTINGS_PROBE = """
import json
from django.conf import settings
import django
django.setup()
print(json.dumps({name: getattr(settings, name) for name in (
    "CSRF_TRUSTED_ORIGINS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT", "PUBLIC_URL")}))
"""


def settings_under(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERSYNC_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="ledgersync.settings")
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_an_https_public_url_turns_on_secure_cookies_hsts_and_the_trusted_origin():
    found = settings_under(LEDGERSYNC_PUBLIC_URL="https://sync.acme.example/")
    assert found == {
        "CSRF_TRUSTED_ORIGINS": ["https://sync.acme.example"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_SSL_REDIRECT": True,
        "PUBLIC_URL": "https://sync.acme.example",
    }


def test_an_unset_public_url_keeps_the_one_machine_defaults():
    found = settings_under()
    assert (found["CSRF_TRUSTED_ORIGINS"], found["SESSION_COOKIE_SECURE"]) == ([], False)
    assert (found["SECURE_HSTS_SECONDS"], found["SECURE_SSL_REDIRECT"]) == (0, False)


def test_a_bad_trusted_proxy_names_the_variable(monkeypatch):
    monkeypatch.setenv("LEDGERSYNC_TRUSTED_PROXIES", "127.0.0.1, ten.0.0.0/8")
    with pytest.raises(ConfigError, match="LEDGERSYNC_TRUSTED_PROXIES: 'ten.0.0.0/8' is not"):
        env_networks("LEDGERSYNC_TRUSTED_PROXIES")


def echo(environ, start_response):
    seen = {
        "scheme": environ["wsgi.url_scheme"],
        "host": environ.get("HTTP_HOST"),
        "remote": environ["REMOTE_ADDR"],
        "forwarded": sorted(k for k in environ if k.startswith("HTTP_X_FORWARDED")),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


def served(networks: str):
    monkey = pytest.MonkeyPatch()
    monkey.setenv("LEDGERSYNC_TRUSTED_PROXIES", networks)
    app = behind_proxies(echo, env_networks("LEDGERSYNC_TRUSTED_PROXIES"))
    monkey.undo()
    server = create_server(app, host="127.0.0.1", port=0, clear_untrusted_proxy_headers=False)
    threading.Thread(target=server.run, daemon=True).start()
    return server


FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "sync.acme.example",
    "X-Forwarded-For": "203.0.113.7",
}


@pytest.mark.parametrize("networks", ["127.0.0.1", "127.0.0.0/8", "10.0.0.0/8, 127.0.0.0/24"])
def test_forwarded_headers_from_a_trusted_proxy_set_scheme_host_and_client(networks):
    server = served(networks)
    try:
        seen = httpx.get(f"http://127.0.0.1:{server.effective_port}/", headers=FORWARDED).json()
    finally:
        server.close()
    assert seen == {
        "scheme": "https",
        "host": "sync.acme.example",
        "remote": "203.0.113.7",
        # waitress leaves a trusted proxy's headers in place, already applied above.
        "forwarded": ["HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO"],
    }


@pytest.mark.parametrize("networks", ["", "10.0.0.0/8", "192.0.2.1"])
def test_forwarded_headers_from_anyone_else_are_dropped(networks):
    server = served(networks)
    try:
        port = server.effective_port
        seen = httpx.get(f"http://127.0.0.1:{port}/", headers=FORWARDED).json()
    finally:
        server.close()
    assert seen == {
        "scheme": "http",
        "host": f"127.0.0.1:{port}",
        "remote": "127.0.0.1",
        "forwarded": [],
    }


@pytest.mark.django_db
def test_the_redirect_uri_comes_from_the_public_url_and_settings_shows_it(client, settings):
    from ledgersync.records.models import Role
    from ledgersync.records.tests.factories import make_org, make_user
    from ledgersync.web.public import callback_uri

    settings.PUBLIC_URL = "https://sync.acme.example"
    settings.PUBLIC_URL_CONFIGURED = True
    client.force_login(make_user(make_org(), role=Role.ADMINISTRATOR))
    page = client.get("/settings/").content.decode()
    assert callback_uri() == "https://sync.acme.example/sync/callback/"
    assert '<code id="redirect-uri-value">https://sync.acme.example/sync/callback/</code>' in page


@pytest.mark.django_db
def test_without_a_public_url_the_redirect_uri_follows_the_browser(rf, settings):
    from ledgersync.web.public import callback_uri

    settings.PUBLIC_URL_CONFIGURED = False
    request = rf.get("/", HTTP_HOST="127.0.0.1:8123")
    assert callback_uri(request) == "http://127.0.0.1:8123/sync/callback/"
