from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from ledgersync.web import (
    actions_views,
    admin_views,
    document_views,
    mapping_views,
    problem_views,
    record_views,
    sync_views,
    tracking_views,
    user_views,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The one-time link in an invitation (records.accounts.invite): Django's password-reset
    # token, so it stops working once the password is set.
    path(
        "invite/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/invite.html",
            success_url=reverse_lazy("login"),
            reset_url_token="set-password",
        ),
        name="invite",
    ),
    # Documents
    path("documents/", document_views.document_list, name="documents"),
    path("documents/new/", document_views.document_create, name="document-create"),
    path("documents/totals/", document_views.document_totals, name="document-totals"),
    path("documents/<int:pk>/", document_views.document_detail, name="document"),
    path("documents/<int:pk>/edit/", document_views.document_edit, name="document-edit"),
    path("documents/<int:pk>/print/", document_views.document_print, name="document-print"),
    path("documents/<int:pk>/sent/", document_views.document_sent, name="document-sent"),
    path("documents/<int:pk>/email/", document_views.document_email, name="document-email"),
    path("documents/<int:pk>/mark/", document_views.document_mark, name="document-mark"),
    path("documents/<int:pk>/void/", document_views.document_void, name="document-void"),
    path(
        "documents/<int:pk>/mismatch/", document_views.document_mismatch, name="document-mismatch"
    ),
    # Company / Site / Supplier records
    path("accounts/", record_views.party_list, {"kind": "account"}, name="accounts"),
    path("accounts/<int:pk>/", record_views.party_detail, {"kind": "account"}, name="account"),
    path(
        "accounts/<int:pk>/edit/", record_views.party_edit, {"kind": "account"}, name="account-edit"
    ),
    path("suppliers/", record_views.party_list, {"kind": "supplier"}, name="suppliers"),
    path("suppliers/<int:pk>/", record_views.party_detail, {"kind": "supplier"}, name="supplier"),
    path(
        "suppliers/<int:pk>/edit/",
        record_views.party_edit,
        {"kind": "supplier"},
        name="supplier-edit",
    ),
    # Nominal codes and settings
    path("nominals/", admin_views.nominal_list, name="nominals"),
    path("nominals/new/", admin_views.nominal_edit, name="nominal-add"),
    path("nominals/<int:pk>/", admin_views.nominal_edit, name="nominal-edit"),
    path("nominals/import/", admin_views.nominal_import, name="nominal-import"),
    path("nominals/mapping/", mapping_views.nominal_mapping, name="nominal-mapping"),
    path("nominals/mapping/map/", mapping_views.map_nominal, name="nominal-map"),
    path("nominals/mapping/fallback/", mapping_views.map_fallback, name="nominal-fallback"),
    path("nominals/mapping/create/", mapping_views.create_nominal, name="nominal-create"),
    path("nominals/tax-mapping/", mapping_views.tax_mapping, name="tax-mapping"),
    path("nominals/tax-mapping/map/", mapping_views.map_tax, name="tax-map"),
    path("settings/", admin_views.settings_page, name="settings"),
    path("settings/audit/prune/", admin_views.audit_prune, name="audit-prune"),
    path("settings/tracking/", tracking_views.tracking_settings, name="tracking"),
    path("settings/users/", user_views.users_page, name="users"),
    path("settings/users/invite/", user_views.user_invite, name="user-invite"),
    path("settings/users/<int:pk>/role/", user_views.user_role, name="user-role"),
    path("settings/users/<int:pk>/deactivate/", user_views.user_deactivate, name="user-deactivate"),
    path("settings/users/<int:pk>/reactivate/", user_views.user_reactivate, name="user-reactivate"),
    # Sync
    path("sync/", sync_views.sync_home, name="sync-home"),
    path("sync/connect/", sync_views.connect, name="sync-connect"),
    path("sync/callback/", sync_views.callback, name="sync-callback"),
    path("sync/disconnect/", sync_views.disconnect, name="sync-disconnect"),
    path("sync/reference/", sync_views.reference_status, name="sync-reference"),
    path("sync/reference/refresh/", sync_views.refresh_reference, name="sync-reference-refresh"),
    path("sync/runs/<int:pk>/", sync_views.run_progress, name="sync-run"),
    path("sync/runs/<int:pk>/stop/", sync_views.stop_run, name="sync-run-stop"),
    path("sync/documents/<int:pk>/actions/", actions_views.actions, name="sync-actions"),
    path("sync/documents/<int:pk>/link/", actions_views.link, name="sync-link"),
    # Before sync/<slug:doc_type>/, which would take "problems" for a document type.
    path("sync/problems/", problem_views.problems_page, name="sync-problems"),
    path("sync/problems/resolved/", problem_views.resolved_page, name="sync-problems-resolved"),
    path("sync/problems/bulk/preview/", problem_views.bulk_preview, name="sync-bulk-preview"),
    path("sync/problems/bulk/", problem_views.bulk_start, name="sync-bulk-start"),
    path("sync/bulk/<int:pk>/", problem_views.bulk_progress, name="sync-bulk"),
    path("sync/<slug:doc_type>/", sync_views.sync_page, name="sync"),
    path("sync/<slug:doc_type>/run/", sync_views.start_run, name="sync-run-start"),
]
