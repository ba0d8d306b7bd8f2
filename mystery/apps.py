from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MysteryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mystery"
    verbose_name = _("Tests mystères")
