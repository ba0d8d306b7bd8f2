"""Responses and their answers, stored as normalised rows (see docs/storage.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .campaigns import Campaign
from .organisations import Site
from .questionnaires import Channel, Choice, Question, Questionnaire
from .reference import Commune


class EntryMode(models.TextChoices):
    TABLET = "tablet", _("Tablette, dans le hall")
    PHONE = "phone", _("Entretien téléphonique")
    PAPER = "paper", _("Questionnaire papier ressaisi")
    IMPORT = "import", _("Import de fichier")


class ResponseQuerySet(models.QuerySet["Response"]):
    def counted(self) -> ResponseQuerySet:
        """The responses that enter indicators: every one not voided."""
        return self.filter(voided_at__isnull=True)


class Response(models.Model):
    """One filled questionnaire.

    ``uuid`` is made by the client before the first submission attempt; its unique index is
    what makes a retried or replayed submission create nothing.
    ``campaign`` and ``channel`` repeat the questionnaire's so that every dashboard filter
    (campaign, channel, site, week) reads this table alone.
    """

    uuid = models.UUIDField(_("identifiant client"), unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="responses",
        editable=False,
        verbose_name=_("campagne"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("questionnaire"),
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, editable=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="responses", verbose_name=_("site")
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("enquêteur"),
    )
    mode = models.CharField(
        _("mode de saisie"), max_length=10, choices=EntryMode.choices, default=EntryMode.TABLET
    )
    device_id = models.CharField(
        _("appareil"),
        max_length=64,
        blank=True,
        help_text=_("Identifiant de la tablette ou du poste qui a envoyé le questionnaire."),
    )
    started_at = models.DateTimeField(
        _("recueilli le"),
        null=True,
        blank=True,
        help_text=_(
            "Début du questionnaire avec l'usager : l'heure de l'entretien au téléphone, "
            "la date portée sur un questionnaire papier."
        ),
    )
    submitted_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True)
    voided_at = models.DateTimeField(_("annulé le"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("annulé par"),
    )
    void_reason = models.TextField(_("motif d'annulation"), blank=True, editable=False)

    objects = ResponseQuerySet.as_manager()
    # Corrections and voiding keep who changed what, when, before and after.
    history = HistoricalRecords(excluded_fields=["received_at"])

    organisation_path = "campaign__organisation"

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("questionnaire rempli")
        verbose_name_plural = _("questionnaires remplis")
        indexes = [
            models.Index(
                fields=["campaign", "channel", "submitted_at"], name="response_campaign_time"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_at__isnull=True)
                | models.Q(started_at__lte=models.F("submitted_at")),
                name="response_started_before_submitted",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Questionnaire %(uuid)s") % {"uuid": self.uuid}

    def save(self, **kwargs: Any) -> None:
        self.campaign_id = self.questionnaire.campaign_id
        self.channel = self.questionnaire.channel
        campaign = self.questionnaire.campaign
        if self._state.adding:
            campaign.check_accepts_responses()
            # The services check both moments with keyed messages first; this guards any
            # other path that saves a new questionnaire.
            campaign.check_response_moments(started_at=self.started_at, submitted_at=None)
        else:
            campaign.check_editable()
        if self.site.organisation_id != campaign.organisation_id:
            raise ValidationError(
                {"site": gettext("Ce site n'appartient pas à l'organisation de la campagne.")}
            )
        super().save(**kwargs)


class Answer(models.Model):
    """One answer: a chosen choice, a free text or a commune.

    A multiple-choice question gives one row per chosen choice. Counting a campaign's
    answers is a GROUP BY on (question, choice), served by ``answer_question_choice``;
    question ids are unique to a campaign's questionnaire, so no join is needed to scope it.
    """

    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("questionnaire rempli"),
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    choice = models.ForeignKey(
        Choice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("choix"),
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("commune"),
    )
    text = models.TextField(_("texte"), blank=True)

    history = HistoricalRecords()

    organisation_path = "response__campaign__organisation"

    class Meta:
        verbose_name = _("réponse à une question")
        verbose_name_plural = _("réponses aux questions")
        indexes = [
            models.Index(fields=["question", "choice"], name="answer_question_choice"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "choice"],
                name="answer_choice_once",
                condition=models.Q(choice__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                name="answer_value_once",
                condition=models.Q(choice__isnull=True),
            ),
            models.CheckConstraint(
                condition=models.Q(choice__isnull=False, commune__isnull=True, text="")
                | models.Q(choice__isnull=True),
                name="answer_choice_alone",
            ),
        ]

    def __str__(self) -> str:
        if self.choice_id:
            return str(self.choice)
        return str(self.commune) if self.commune_id else self.text


class DeviceQueue(models.Model):
    """What a tablet last said of its offline queue, so that the quality manager knows
    which devices still hold unsent questionnaires before handing them back.

    One row per device and account: a report writes the row of the account that sends it
    and no other, so that no one can overwrite, or blank, what another account reported
    (a device id is whatever the client says)."""

    organisation = models.ForeignKey(
        "survey.Organisation",
        on_delete=models.CASCADE,
        related_name="device_queues",
        verbose_name=_("organisation"),
    )
    device_id = models.CharField(_("appareil"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("compte qui l'a signalé"),
    )
    pending = models.PositiveIntegerField(_("questionnaires en attente"), default=0)
    oldest_pending_at = models.DateTimeField(_("plus ancien en attente"), null=True, blank=True)
    reported_at = models.DateTimeField(_("dernier signalement"), auto_now=True)

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("file d'attente d'un appareil")
        verbose_name_plural = _("files d'attente des appareils")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "device_id", "user"],
                name="device_queue_one_per_device_and_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} ({self.pending})"
