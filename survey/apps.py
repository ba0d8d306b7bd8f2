from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "survey"
    verbose_name = _("Enquêtes de satisfaction")

    def ready(self) -> None:
        from survey.moments import install_safe_readers

        # A stored moment beyond what Python reads must not break a page (survey.moments).
        install_safe_readers()
