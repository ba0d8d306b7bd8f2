from __future__ import annotations

from django.apps import AppConfig


class MysteryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mystery"
    verbose_name = "Tests mystères"
