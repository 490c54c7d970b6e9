from __future__ import annotations

from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "ledgersync.sync"
    label = "sync"
    verbose_name = "Sync"
