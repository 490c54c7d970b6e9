from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("ledgersync.api.urls")),
    path("", include("ledgersync.alerts.urls")),
    path("", include("ledgersync.web.urls")),
]
