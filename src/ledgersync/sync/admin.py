from __future__ import annotations

from django.contrib import admin

from ledgersync.sync import models


@admin.register(models.Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ("organisation", "provider", "company_name", "status", "connected_at")
    # Tokens never appear in the admin, not even encrypted.
    exclude = ("access_token", "refresh_token")
    readonly_fields = ("access_expires_at", "refresh_expires_at", "refreshed_at", "last_used_at")


@admin.register(models.AccsIdLink)
class AccsIdLinkAdmin(admin.ModelAdmin):
    list_display = (
        "organisation",
        "provider",
        "company_id",
        "account",
        "supplier",
        "remote_id",
        "method",
        "linked_at",
    )
