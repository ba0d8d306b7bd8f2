from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MysteryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mystery"
    verbose_name = _("Tests mystères")

    def ready(self) -> None:
        # A mystery log dropped on a responses import page is told as such (survey may
        # not import mystery: this app tells it its files).
        from survey.services.exchange_files import OTHER_FILES, OtherFile

        from .exchange_calls import CALL_COLUMNS
        from .exchange_emails import EMAIL_COLUMNS, EMAIL_COMPUTED

        for other in (
            OtherFile(
                _("le journal des appels mystères"),
                frozenset(CALL_COLUMNS),
                "mystery:calls_import",
                _("Importer des appels mystères"),
            ),
            OtherFile(
                _("le journal des courriels mystères"),
                frozenset([*EMAIL_COLUMNS, *EMAIL_COMPUTED]),
                "mystery:emails_import",
                _("Importer des courriels mystères"),
            ),
        ):
            OTHER_FILES[other.view] = other
