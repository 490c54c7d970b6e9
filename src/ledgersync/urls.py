from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from ledgersync.sync import webhooks

urlpatterns = [
    path("admin/", admin.site.urls),
    path("webhooks/quickbooks/", webhooks.quickbooks, name="webhook-quickbooks"),
    path("webhooks/xero/", webhooks.xero, name="webhook-xero"),
    path("", include("ledgersync.api.urls")),
    path("", include("ledgersync.alerts.urls")),
    path("", include("ledgersync.web.urls")),
]
