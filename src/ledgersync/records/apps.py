from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "ledgersync.records"
    label = "records"
    verbose_name = "Records"
