from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundConfig(AppConfig):
    """The task workers' floor: their heartbeat, their `db_worker`, the health check."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "background"
    verbose_name = _("Tâches de fond")
