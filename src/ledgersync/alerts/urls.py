from __future__ import annotations

from django.urls import path

from ledgersync.alerts import views

urlpatterns = [
    path("settings/alerts/", views.alerts_page, name="alerts"),
    path("settings/alerts/email/", views.save_email, name="alerts-email"),
    path("settings/alerts/webhook/", views.save_webhook, name="alerts-webhook"),
    path("settings/alerts/webhook/secret/", views.rotate_secret, name="alerts-webhook-secret"),
]
