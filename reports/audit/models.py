"""The audit report of a campaign: its edited commentary, the improvement actions it lists,
and the files produced from it (the PDF, the evidence pack)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from background.models import BackgroundJob
from survey.models import Campaign, Organisation


class SectionText(models.Model):
    """The commentary of one section of a campaign's report, as the quality manager left it.

    Drafted from the figures (``reports.audit.drafting``); once edited, the edited text is what the
    PDF prints. ``key`` names the section (``4.3``, ``4.7``, ``introduction``…).
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="section_texts", verbose_name=_("campagne")
    )
    key = models.CharField(_("section"), max_length=40)
    text = models.TextField(_("texte"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    edited_at = models.DateTimeField(_("modifié le"), auto_now=True)

    organisation_path = "campaign__organisation"

    class Meta:
        verbose_name = _("commentaire du rapport")
        verbose_name_plural = _("commentaires du rapport")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="section_text_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.key}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    DROPPED = "dropped", _("Abandonnée")


class ImprovementAction(models.Model):
    """An improvement action ("axe d'amélioration"), followed up from year to year."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="improvement_actions",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("année du rapport qui la décide"))
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(_("responsable"), max_length=200, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    organisation_path = "organisation"

    class Meta:
        ordering = ["organisation", "-year", "order", "pk"]
        verbose_name = _("action d'amélioration")
        verbose_name_plural = _("actions d'amélioration")

    def __str__(self) -> str:
        return self.title


class ReportFile(BackgroundJob):
    """A file produced for a campaign: the PDF report or the evidence pack.

    Produced by a task (reports/audit/jobs.py): ``status`` and ``progress`` (BackgroundJob) let the
    page follow it; the user may leave and come back for the file.
    The evidence pack of a closed campaign is made once and kept unchanged (``sha256``).
    """

    class Kind(models.TextChoices):
        REPORT = "report", _("Rapport PDF")
        EVIDENCE = "evidence", _("Dossier de preuves (ZIP)")

    never_taken_message = _(
        "La production n'a pas démarré en %(minutes)s minutes : aucun processus de fond "
        "ne l'a prise en charge. Relancez-la ; si cela se reproduit, prévenez "
        "l'administrateur."
    )
    interrupted_message = _(
        "La production a été interrompue : le processus qui la faisait s'est arrêté "
        "(aucune avancée depuis %(minutes)s minutes). Relancez-la."
    )

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="report_files", verbose_name=_("campagne")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    content = models.BinaryField(_("contenu"), null=True, blank=True, editable=False)
    filename = models.CharField(_("nom du fichier"), max_length=200, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )

    organisation_path = "campaign__organisation"

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("fichier du rapport")
        verbose_name_plural = _("fichiers du rapport")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.campaign}"
