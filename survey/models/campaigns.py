"""A campaign: one organisation's yearly survey round, with its objective and its life cycle."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey import moments

from .organisations import Organisation


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Clôturée")


class CampaignClosed(ValidationError):
    """Raised by every write that a closed campaign refuses."""

    def __init__(self, campaign: Campaign) -> None:
        super().__init__(
            gettext("La campagne « %(campaign)s » est clôturée : elle ne peut plus être modifiée.")
            % {"campaign": campaign},
            code="campaign_closed",
        )


class InvalidTransition(ValidationError):
    pass


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def open(self) -> CampaignQuerySet:
        return self.filter(status=CampaignStatus.OPEN)

    def with_response_counts(self) -> CampaignQuerySet:
        """Annotate ``hall``, ``phone`` and ``total`` counted (not voided) questionnaires,
        in the same query.

        The channel values are spelled out: Channel lives beside Questionnaire, which
        imports this module.
        """
        counted = models.Q(responses__voided_at__isnull=True)
        return self.annotate(
            hall=models.Count("responses", filter=counted & models.Q(responses__channel="hall")),
            phone=models.Count("responses", filter=counted & models.Q(responses__channel="phone")),
            total=models.Count("responses", filter=counted),
        )


percent = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Campaign(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("intitulé"), max_length=200)
    start_date = models.DateField(_("début de l'enquête"))
    end_date = models.DateField(_("fin de l'enquête"))
    objective = models.DecimalField(
        _("objectif (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(75),
        validators=percent,
        help_text=_("Taux de réponses favorables à atteindre."),
    )
    orange_band = models.DecimalField(
        _("marge orange (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(5),
        validators=percent,
        help_text=_(
            "Orange : objectif presque atteint, jusqu'à cette marge en points en dessous de "
            "l'objectif (la limite comprise) ; rouge : plus bas."
        ),
    )
    mystery_rings = models.PositiveSmallIntegerField(
        _("appels mystères : sonneries"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Un appel décroché en au plus autant de sonneries l'est « à temps »."),
    )
    mystery_working_days = models.PositiveSmallIntegerField(
        _("courriels mystères : jours ouvrés"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Délai de réponse attendu, en jours ouvrés, le jour de l'envoi non compté."),
    )
    late_entry_grace_days = models.PositiveSmallIntegerField(
        _("délai de saisie après la fin (jours)"),
        default=15,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "Un questionnaire commencé jusqu'à autant de jours après la fin de l'enquête est "
            "encore accepté (tablettes restées hors ligne, questionnaires papier ressaisis) ; "
            "au-delà, il est refusé."
        ),
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        editable=False,
    )
    opened_at = models.DateTimeField(_("ouverte le"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True, editable=False)

    objects = CampaignQuerySet.as_manager()

    organisation_path = "organisation"

    class Meta:
        ordering = ["organisation", "-year"]
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="campaign_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("end_date")),
                name="campaign_period_in_order",
                violation_error_message=_("La fin de l'enquête précède son début."),
            ),
            models.CheckConstraint(
                condition=models.Q(objective__gte=0, objective__lte=100),
                name="campaign_objective_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=models.Q(orange_band__gte=0, orange_band__lte=100),
                name="campaign_orange_band_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # --- life cycle -----------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == CampaignStatus.CLOSED

    def check_editable(self) -> None:
        """Raise CampaignClosed if nothing of this campaign may change any more."""
        if self.is_closed:
            raise CampaignClosed(self)

    def check_accepts_responses(self) -> None:
        if self.is_closed:
            raise CampaignClosed(self)
        if self.status != CampaignStatus.OPEN:
            raise ValidationError(
                gettext(
                    "La campagne « %(campaign)s » n'est pas encore ouverte : "
                    "elle ne reçoit pas de questionnaires."
                )
                % {"campaign": self},
                code="campaign_not_open",
            )

    def open(self) -> None:
        """Draft -> open. Costs one UPDATE."""
        if self.status != CampaignStatus.DRAFT:
            raise InvalidTransition(
                gettext("Seule une campagne en préparation peut être ouverte."),
                code="invalid_transition",
            )
        if not self.questionnaires.exists():
            raise InvalidTransition(
                gettext("Ajoutez au moins un questionnaire avant d'ouvrir la campagne."),
                code="no_questionnaire",
            )
        self.status = CampaignStatus.OPEN
        self.opened_at = timezone.now()
        self.save(update_fields=["status", "opened_at"])

    def close(self) -> None:
        """Open -> closed. A closed campaign is read-only for good."""
        if self.status != CampaignStatus.OPEN:
            raise InvalidTransition(
                gettext("Seule une campagne ouverte peut être clôturée."), code="invalid_transition"
            )
        self.status = CampaignStatus.CLOSED
        self.closed_at = timezone.now()
        self.save(update_fields=["status", "closed_at"])

    # --- moments that belong to it --------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The zone its moments become days in: its organisation's (Paris by default)."""
        return moments.zone_of(self.organisation)

    @property
    def last_entry_day(self) -> datetime.date:
        """The last day on which a questionnaire may have been started: the end of the
        survey plus the grace."""
        return self.end_date + datetime.timedelta(days=self.late_entry_grace_days)

    def entry_window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """When a questionnaire of this campaign may have been started: from the first day
        of the survey, midnight in the organisation's zone (``moments.zone_of``), to the
        end of its last day plus the grace (``late_entry_grace_days``), end excluded."""
        zone = self.zone
        end = moments.day_start(self.last_entry_day, zone) + datetime.timedelta(days=1)
        return moments.day_start(self.start_date, zone), end

    def mystery_window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """When a mystery call may have been made or an e-mail sent: the campaign's year,
        in the organisation's zone, and its survey period with the grace if they reach
        beyond the year."""
        start, end = self.entry_window()
        year_start = moments.day_start(datetime.date(self.year, 1, 1), self.zone)
        year_end = moments.day_start(datetime.date(self.year + 1, 1, 1), self.zone)
        return min(start, year_start), max(end, year_end)

    def check_response_moments(
        self,
        *,
        started_at: datetime.datetime | None,
        submitted_at: datetime.datetime | None,
        now: datetime.datetime | None = None,
    ) -> None:
        """Refuse (ValidationError keyed ``started_at`` / ``submitted_at``) moments that
        cannot be those of a questionnaire of this campaign: started outside the entry
        window, sent before it opened, either in the future beyond the clock skew, or
        sent before being started. ``None`` is not checked (the server's clock decides)."""
        errors: dict[str, list[str]] = {}
        checks = [
            ("started_at", started_at, self.entry_window(), gettext("Le début du questionnaire")),
            (
                "submitted_at",
                submitted_at,
                (self.entry_window()[0], datetime.datetime.max.replace(tzinfo=datetime.UTC)),
                gettext("L'envoi du questionnaire"),
            ),
        ]
        for field, value, window, what in checks:
            try:
                moments.check_within(field, value, window, what=what, now=now, zone=self.zone)
            except ValidationError as error:
                errors.update(error.message_dict)
        if (
            not errors
            and started_at is not None
            and submitted_at is not None
            and started_at > submitted_at
        ):
            errors[NON_FIELD_ERRORS] = [
                gettext("L'heure de début du questionnaire est postérieure à son envoi.")
            ]
        if errors:
            raise ValidationError(errors)

    # --- neighbours -----------------------------------------------------------------

    def previous(self) -> Campaign | None:
        """The same organisation's latest earlier campaign. Costs one query."""
        return (
            Campaign.objects.filter(organisation_id=self.organisation_id, year__lt=self.year)
            .order_by("-year")
            .first()
        )
