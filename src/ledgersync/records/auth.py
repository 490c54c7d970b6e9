"""Permissions come from the user's role in their organisation."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from ledgersync.records.models import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """Django's password check, with permissions taken from `User.role`.

    Superusers keep every permission (Django's own rule); everyone else gets exactly the
    set their role grants, so the permission model is one table in models.py.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        return set(ROLE_PERMISSIONS.get(user_obj.role, frozenset()))
