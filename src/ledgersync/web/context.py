"""What every page may use: the left-hand menu (built per user so hidden entries match what
the views allow) and the status names."""

from __future__ import annotations

from django.urls import reverse

from ledgersync.records.models import Perm
from ledgersync.sync.models import ConnectionStatus
from ledgersync.sync.status import (
    NOT_CHECKED,
    NOT_CHECKED_MESSAGE,
    READY,
    READY_MESSAGE,
    StatusCode,
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("Diary", reverse("home"), None),
        ("Documents", reverse("documents"), None),
        ("Accounts", reverse("accounts"), None),
        ("Suppliers", reverse("suppliers"), None),
        ("Nominal codes", reverse("nominals"), None),
        ("Nominal mapping", reverse("nominal-mapping"), Perm.LINK_ACCOUNTS),
        ("Tax mapping", reverse("tax-mapping"), Perm.LINK_ACCOUNTS),
        ("Sync Accounts API", reverse("sync-home"), Perm.VIEW_SYNC),
        ("Needs attention", reverse("sync-problems"), Perm.VIEW_SYNC),
        ("Settings", reverse("settings"), Perm.MANAGE_SETTINGS),
        ("Users", reverse("users"), Perm.MANAGE_SETTINGS),
        ("API keys", reverse("api-keys"), Perm.MANAGE_SETTINGS),
        ("Alerts", reverse("alerts"), Perm.MANAGE_SETTINGS),
    ]
    path = request.path
    shown = [(label, url) for label, url, perm in items if perm is None or user.has_perm(perm)]
    # The longest entry the path falls under is the current one (/settings/users/ is Users,
    # not Settings too).
    under = [url for _, url in shown if path == url or (url != "/" and path.startswith(url))]
    current = max(under, key=len, default=None)
    return {
        "nav_items": [
            {"label": label, "url": url, "current": url == current} for label, url in shown
        ],
        "organisation": getattr(user, "organisation", None),
    }


def status_names(request):
    """Status codes and the words for unchecked and ready rows, so templates compare and
    print the names sync/status.py gives them instead of spelling them out."""
    return {
        "StatusCode": StatusCode,
        "ConnectionStatus": ConnectionStatus,
        "NOT_CHECKED": NOT_CHECKED,
        "NOT_CHECKED_MESSAGE": NOT_CHECKED_MESSAGE,
        "READY": READY,
        "READY_MESSAGE": READY_MESSAGE,
    }
