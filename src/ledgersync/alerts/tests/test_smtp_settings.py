"""LEDGERSYNC_EMAIL_URL / LEDGERSYNC_EMAIL_*: real mail through an SMTP server."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.core.mail import utils as mail_utils

from ledgersync.alerts.tests.conftest import Inbox, free_port
from ledgersync.alerts.tests.test_email_alerts import relink
from ledgersync.env import ConfigError, env_email


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", ("mail.example", 25, "", "", False, False)),
        ("smtp+tls://ann%40acme:p%3Ass@mail.example", ("mail.example", 587, "ann@acme", "p:ss", True, False)),
        ("smtps://u:p@mail.example:2465", ("mail.example", 2465, "u", "p", False, True)),
    ],
)  # fmt: skip
def test_one_url_gives_host_port_user_password_and_tls(monkeypatch, url, expected):
    monkeypatch.setenv("LEDGERSYNC_EMAIL_URL", url)
    found = env_email("LEDGERSYNC_EMAIL_URL", "LEDGERSYNC_EMAIL")
    assert found is not None
    assert tuple(found.values()) == expected


def test_separate_variables_work_too_and_nothing_set_keeps_the_file_backend(monkeypatch):
    assert env_email("LEDGERSYNC_EMAIL_URL", "LEDGERSYNC_EMAIL") is None
    monkeypatch.setenv("LEDGERSYNC_EMAIL_HOST", "mail.example")
    monkeypatch.setenv("LEDGERSYNC_EMAIL_TLS", "true")
    monkeypatch.setenv("LEDGERSYNC_EMAIL_USER", "ann")
    found = env_email("LEDGERSYNC_EMAIL_URL", "LEDGERSYNC_EMAIL")
    assert found is not None
    assert (found["EMAIL_PORT"], found["EMAIL_USE_TLS"], found["EMAIL_HOST_USER"]) == (
        587,
        True,
        "ann",
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LEDGERSYNC_EMAIL_URL", "mail.example:25", "LEDGERSYNC_EMAIL_URL must look like"),
        ("LEDGERSYNC_EMAIL_URL", "smtp://mail.example:25x", "LEDGERSYNC_EMAIL_URL has a port"),
        ("LEDGERSYNC_EMAIL_PORT", "twenty", "LEDGERSYNC_EMAIL_PORT='twenty' is not a whole"),
    ],
)
def test_a_bad_mail_setting_names_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv("LEDGERSYNC_EMAIL_HOST", "mail.example")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        env_email("LEDGERSYNC_EMAIL_URL", "LEDGERSYNC_EMAIL")


@pytest.fixture
def authenticating_smtp():
    """aiosmtpd on loopback that only takes mail after AUTH with ann / s3cret."""
    inbox, logins = Inbox(), []

    def check(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"ann", b"s3cret"))

    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=check,
        auth_required=True,
        auth_require_tls=False,  # loopback only; TLS itself is the mail server's business
    )
    controller.start()
    mail_utils.DNS_NAME._fqdn = "localhost"
    yield port, inbox, logins
    controller.stop()


def test_an_alert_goes_through_the_server_the_url_names_with_its_login(
    org, settings, monkeypatch, authenticating_smtp, django_capture_on_commit_callbacks
):
    port, inbox, logins = authenticating_smtp
    monkeypatch.setenv("LEDGERSYNC_EMAIL_URL", f"smtp://ann:s3cret@127.0.0.1:{port}")
    smtp = env_email("LEDGERSYNC_EMAIL_URL", "LEDGERSYNC_EMAIL")
    assert smtp is not None
    for name, value in smtp.items():
        setattr(settings, name, value)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TIMEOUT = 5

    with django_capture_on_commit_callbacks(execute=True):
        relink(org)

    (message,) = inbox.wait_for(1)
    assert logins == [("ann", "s3cret")]
    assert message["Subject"] == "Acme Heating Ltd: QuickBooks needs connecting again"
