"""The mystery logs: anonymous calls to the prefecture's phone lines and e-mails sent
through its website's contact form. The tables of the audit report (seed sections 4.7 and
4.8) are read from these logs by ``mystery.tables``."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from survey import moments
from survey.models import Campaign

from .reference import EmailTheme, Mailbox, MysteryService, ReferenceItem


class MysteryLog(models.Model):
    """What calls and e-mails share: a campaign, who logged it, when, and its history."""

    uuid = models.UUIDField(
        _("identifiant"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Rend un nouvel import du même fichier sans effet."),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campagne")
    )
    observations = models.TextField(_("observations"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # The answer given, for a call that got through or an e-mail answered.
    answer_content_ok = models.BooleanField(
        _("réponse satisfaisante sur le fond"), null=True, blank=True
    )
    answer_form_ok = models.BooleanField(
        _("réponse satisfaisante sur la forme"), null=True, blank=True
    )

    organisation_path = "campaign__organisation"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.campaign.check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self.campaign.check_editable()
        return super().delete(*args, **kwargs)

    @property
    def answer_ok(self) -> bool | None:
        """The report's single "fond et forme" criterion: both satisfactory."""
        if self.answer_content_ok is None or self.answer_form_ok is None:
            return None
        return self.answer_content_ok and self.answer_form_ok

    def _check_same_organisation(self, **items: ReferenceItem | None) -> None:
        errors = {
            field: gettext("Choisissez un élément de votre organisation.")
            for field, item in items.items()
            if item is not None
            and self.campaign_id is not None
            and item.organisation_id != self.campaign.organisation_id
        }
        if errors:
            raise ValidationError(errors)

    def _check_moments(
        self, field: str, value: datetime.datetime | None, what: str, *, window: bool = True
    ) -> dict[str, list[str]]:
        """The errors of a moment outside the campaign's mystery window (its year, and its
        survey period with the grace) or in the future. With ``window=False`` (answers and
        acknowledgements, which may come after the year) only the start of the window and
        the future are checked: their order against the sending is the constraints' job."""
        if value is None or self.campaign_id is None:
            return {}
        start, end = self.campaign.mystery_window()
        if not window:
            end = datetime.datetime.max.replace(tzinfo=datetime.UTC)
        try:
            moments.check_within(field, value, (start, end), what=what, zone=self.campaign.zone)
        except ValidationError as error:
            return error.message_dict
        return {}


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Abouti : un agent a décroché")
    SATURATED = "saturated", _("Ligne saturée")
    NO_ANSWER = "no_answer", _("Pas de réponse")
    VOICEMAIL = "voicemail", _("Messagerie vocale")
    WRONG_TRANSFER = "wrong_transfer", _("Mauvais transfert")


class GreetingElement(models.TextChoices):
    """The parts of a complete greeting formula."""

    HELLO = "bonjour", _("« Bonjour »")
    PREFECTURE = "prefecture", _("Nom de la préfecture")
    SERVICE = "service", _("Nom du service")
    AGENT = "agent", _("Nom ou prénom de l'agent")


class MysteryCall(MysteryLog):
    """One anonymous test call.

    When the call got through (``outcome`` reached), every criterion is recorded; when it
    did not, none is: the database refuses a half-filled call.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="mystery_calls", verbose_name=_("campagne")
    )
    service = models.ForeignKey(
        MysteryService, on_delete=models.PROTECT, related_name="calls", verbose_name=_("service")
    )
    number_dialled = models.CharField(_("numéro composé"), max_length=30, blank=True)
    called_at = models.DateTimeField(_("appelé le"))
    outcome = models.CharField(_("résultat"), max_length=20, choices=CallOutcome.choices)
    rings = models.PositiveSmallIntegerField(
        _("sonneries avant le décroché"), null=True, blank=True
    )
    greeting_complete = models.BooleanField(_("formule d'accueil complète"), null=True, blank=True)
    greeting_missing = models.JSONField(
        _("éléments manquants de la formule"), default=list, blank=True
    )
    courteous = models.BooleanField(_("accueil courtois et aimable"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["called_at", "pk"]
        verbose_name = _("appel mystère")
        verbose_name_plural = _("appels mystères")
        indexes = [models.Index(fields=["campaign", "service"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        outcome="reached",
                        rings__isnull=False,
                        greeting_complete__isnull=False,
                        courteous__isnull=False,
                        answer_content_ok__isnull=False,
                        answer_form_ok__isnull=False,
                    )
                    | (
                        ~models.Q(outcome="reached")
                        & models.Q(
                            rings__isnull=True,
                            greeting_complete__isnull=True,
                            courteous__isnull=True,
                            answer_content_ok__isnull=True,
                            answer_form_ok__isnull=True,
                        )
                    )
                ),
                name="mystery_call_criteria_iff_reached",
                violation_error_message=_(
                    "Un appel abouti se note sur chaque critère ; un appel non abouti, sur aucun."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} — {moments.label(self.called_at)}"

    @property
    def reached(self) -> bool:
        return self.outcome == CallOutcome.REACHED

    def missing_labels(self) -> list[str]:
        labels = dict(GreetingElement.choices)
        return [str(labels.get(code, code)) for code in self.greeting_missing]

    def clean(self) -> None:
        super().clean()
        self._check_same_organisation(service=getattr(self, "service", None))
        errors = self._check_moments("called_at", self.called_at, gettext("L'appel"))
        if errors:
            raise ValidationError(errors)
        unknown = set(self.greeting_missing) - set(GreetingElement.values)
        if unknown:
            raise ValidationError({"greeting_missing": gettext("Élément de formule inconnu.")})
        if self.greeting_complete and self.greeting_missing:
            raise ValidationError(
                {
                    "greeting_missing": gettext(
                        "Une formule complète ne peut pas avoir d'élément manquant."
                    )
                }
            )


class MysteryEmail(MysteryLog):
    """One anonymous test e-mail, from its sending to the answer.

    The delay is counted in working days (``mystery.workdays``) against the campaign's
    threshold; an e-mail without answer is late once its deadline has passed.
    """

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="mystery_emails",
        verbose_name=_("campagne"),
    )
    theme = models.ForeignKey(
        EmailTheme, on_delete=models.PROTECT, related_name="emails", verbose_name=_("thème")
    )
    service = models.ForeignKey(
        MysteryService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("service visé"),
    )
    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("envoyé depuis"),
    )
    question = models.TextField(_("question posée"), blank=True)
    sent_at = models.DateTimeField(_("envoyé le"))
    acknowledged_at = models.DateTimeField(_("accusé de réception le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("réponse reçue le"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("courriel mystère")
        verbose_name_plural = _("courriels mystères")
        indexes = [models.Index(fields=["campaign", "theme"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True)
                | models.Q(acknowledged_at__gte=models.F("sent_at")),
                name="mystery_email_ack_after_sending",
                violation_error_message=_("L'accusé de réception précède l'envoi."),
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(answered_at__gte=models.F("sent_at")),
                name="mystery_email_answer_after_sending",
                violation_error_message=_("La réponse précède l'envoi."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        answered_at__isnull=False,
                        answer_content_ok__isnull=False,
                        answer_form_ok__isnull=False,
                    )
                    | models.Q(
                        answered_at__isnull=True,
                        answer_content_ok__isnull=True,
                        answer_form_ok__isnull=True,
                    )
                ),
                name="mystery_email_quality_iff_answered",
                violation_error_message=_(
                    "La qualité de la réponse se note quand une réponse a été reçue, "
                    "et seulement alors."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme} — {moments.label(self.sent_at)}"

    def clean(self) -> None:
        super().clean()
        self._check_same_organisation(
            theme=getattr(self, "theme", None),
            service=getattr(self, "service", None),
            mailbox=getattr(self, "mailbox", None),
        )
        errors = {
            **self._check_moments("sent_at", self.sent_at, gettext("L'envoi du courriel")),
            **self._check_moments(
                "acknowledged_at",
                self.acknowledged_at,
                gettext("L'accusé de réception"),
                window=False,
            ),
            **self._check_moments(
                "answered_at", self.answered_at, gettext("La réponse"), window=False
            ),
        }
        if errors:
            raise ValidationError(errors)
