"""A large import of responses, run by a task (survey/services/imports.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from background.models import BackgroundJob

from .questionnaires import Questionnaire


class ImportJob(BackgroundJob):
    """An uploaded file waiting for a worker to read and import it, then what came of it:
    the counts, or why the file was refused (its limits, its errors row by row; nothing
    stored: an import is all or nothing). The file is erased once the import is over: it
    may hold personal data (remarks)."""

    never_taken_message = _(
        "L'import n'a pas démarré en %(minutes)s minutes : aucun processus de fond ne l'a "
        "pris en charge. Rien n'a été enregistré ; relancez l'import, et si cela se "
        "reproduit, prévenez l'administrateur."
    )
    interrupted_message = _(
        "L'import a été interrompu : le processus qui le faisait s'est arrêté (aucune "
        "avancée depuis %(minutes)s minutes). Rien n'a été enregistré ; relancez l'import."
    )

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("questionnaire"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    filename = models.CharField(_("nom du fichier"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("lignes"), default=0)  # known once read
    upload = models.BinaryField(_("fichier à importer"), null=True, blank=True, editable=False)
    created = models.PositiveIntegerField(_("questionnaires importés"), default=0)
    already_present = models.PositiveIntegerField(_("déjà présents"), default=0)
    unknown_interviewers = models.JSONField(_("enquêteurs inconnus"), default=list, blank=True)
    # [{"line": …, "column": …, "message": …}] when the file was refused.
    row_errors = models.JSONField(_("erreurs par ligne"), default=list, blank=True)
    truncated = models.BooleanField(_("erreurs tronquées"), default=False)
    # {"view": URL name, "pk": …, "label": …}: the import page of a file meant for another
    # (another questionnaire's, a mystery log), when it was refused for that.
    elsewhere = models.JSONField(_("page d'import du fichier"), default=dict, blank=True)

    organisation_path = "questionnaire__campaign__organisation"

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("import de questionnaires")
        verbose_name_plural = _("imports de questionnaires")

    def __str__(self) -> str:
        return f"{self.filename} — {self.questionnaire}"
