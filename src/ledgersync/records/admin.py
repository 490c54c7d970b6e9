from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ledgersync.records import models


@admin.register(models.User)
class LedgerUserAdmin(UserAdmin):
    # The stubs allow None on any ModelAdmin; UserAdmin always sets its fieldsets.
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Organisation", {"fields": ("organisation", "role")}),
    )
    list_display = ("username", "organisation", "role", "is_active")
    list_filter = ("organisation", "role")


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "provider", "batch_size", "auto_sync_minutes")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(models.Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "kind", "company", "organisation")
    list_filter = ("organisation", "kind")
    search_fields = ("number", "name")


@admin.register(models.Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "organisation")
    search_fields = ("number", "name")


@admin.register(models.NominalCode)
class NominalCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "description", "kind", "default_tax_code", "organisation")


@admin.register(models.TaxCode)
class TaxCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "rate", "organisation")


class LineInline(admin.TabularInline):
    model = models.Line
    extra = 0
    readonly_fields = ("net", "tax")


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "doc_type",
        "account",
        "supplier",
        "issue_date",
        "sent_at",
        "marked_for_sync",
    )
    list_filter = ("organisation", "doc_type", "marked_for_sync")
    search_fields = ("number",)
    inlines = [LineInline]
