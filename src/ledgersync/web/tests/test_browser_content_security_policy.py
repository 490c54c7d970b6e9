"""The pages work under the strict Content-Security-Policy: nothing they need is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledgersync.records.demo_data import seed_demo
from ledgersync.web.security import POLICY
from ledgersync.web.tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_main_pages_run_with_no_csp_violation(page):
    seed_demo()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    answer = page.goto("/login/")
    assert answer is not None and answer.headers["content-security-policy"] == POLICY
    log_in(page, "admin")
    for path in (
        "/sync/sales-invoice/",
        "/sync/problems/",
        "/settings/",
        "/settings/alerts/",
        "/api/v1/docs",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/sync/sales-invoice/")
    expect(page.locator("#connection-status")).to_be_visible()
    assert refused == []
