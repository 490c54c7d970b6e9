from __future__ import annotations

from django.urls import path

from ledgersync.api import views
from ledgersync.api.main import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("settings/api-keys/", views.api_keys, name="api-keys"),
    path("settings/api-keys/<int:pk>/revoke", views.revoke_api_key, name="api-key-revoke"),
]
