"""What the quality manager adds to the raw answers for the indicators and the report:
figures of earlier campaigns known only as published, the coding of the remarks (Q40),
and the website's and social networks' monthly figures; and the roll-ups of the answers
that the indicators read (``AnswerTally``, kept by reports/tallies.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import Answer, Organisation, Response


class FigureChannel(models.TextChoices):
    ALL = "all", _("Tous canaux")
    HALL = "hall", _("Accueil physique")
    PHONE = "phone", _("Téléphone")


class PublishedFigure(models.Model):
    """A figure of an earlier year, entered as published (the report of that year), for
    the comparisons where no raw answers exist.

    ``code`` is a question code (the comparison follows it, not the question's number);
    ``choice_code`` names the choice whose share was published ("particulier"), or is
    empty for a scale question's favourable rate. The reserved code ``questionnaires``
    holds the number of questionnaires collected, in ``base``.

    Either the counts (``favourable`` out of ``base``) or the ``rate`` is given; with the
    rate alone no significance test is possible, and the comparison says so.
    """

    QUESTIONNAIRES = "questionnaires"

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="published_figures",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    code = models.CharField(
        _("code de la question"),
        max_length=64,
        help_text=_("Le code stable de la question (par exemple accueil_satisfaction_globale)."),
    )
    choice_code = models.CharField(
        _("code de la réponse"),
        max_length=64,
        blank=True,
        help_text=_("Vide pour le taux de réponses favorables d'une question d'échelle."),
    )
    channel = models.CharField(
        _("canal"), max_length=10, choices=FigureChannel.choices, default=FigureChannel.ALL
    )
    favourable = models.PositiveIntegerField(_("effectif"), null=True, blank=True)
    base = models.PositiveIntegerField(_("base"), null=True, blank=True)
    rate = models.DecimalField(
        _("taux publié (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Par exemple : rapport 2015, p. 12.")
    )

    organisation_path = "organisation"

    class Meta:
        ordering = ["organisation", "-year", "code", "choice_code", "channel"]
        verbose_name = _("chiffre publié")
        verbose_name_plural = _("chiffres publiés")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "code", "choice_code", "channel"],
                name="published_figure_unique",
                violation_error_message=_("Ce chiffre est déjà saisi pour cette année."),
            ),
            models.CheckConstraint(
                condition=models.Q(favourable__isnull=True)
                | models.Q(base__isnull=False, favourable__lte=models.F("base")),
                name="published_figure_counts_in_order",
                violation_error_message=_("L'effectif dépasse la base."),
            ),
            models.CheckConstraint(
                condition=models.Q(rate__isnull=False) | models.Q(base__isnull=False),
                name="published_figure_has_a_value",
                violation_error_message=_("Saisissez un taux ou des effectifs."),
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.code}={self.choice_code}" if self.choice_code else self.code
        return f"{self.year} {what} ({self.get_channel_display()})"

    @property
    def percent(self) -> float | None:
        if self.favourable is not None and self.base:
            return 100 * self.favourable / self.base
        return float(self.rate) if self.rate is not None else None

    def clean(self) -> None:
        super().clean()
        if self.code == self.QUESTIONNAIRES:
            if self.base is None:
                raise ValidationError({"base": gettext("Indiquez le nombre de questionnaires.")})
        elif self.favourable is None and self.rate is None:
            raise ValidationError(gettext("Saisissez le taux publié, ou l'effectif et la base."))


# --- remarks (Q40) ------------------------------------------------------------------------------


class RemarkCategory(models.Model):
    """A code of the remarks taxonomy: channel > category > sub-category (three levels at
    most), per organisation, editable, seeded with the seed's tables 5.1 to 5.3."""

    MAX_DEPTH = 3

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="remark_categories",
        verbose_name=_("organisation"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("rubrique parente"),
    )
    label = models.CharField(_("libellé"), max_length=300)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)

    organisation_path = "organisation"

    class Meta:
        ordering = ["organisation", "order", "pk"]
        verbose_name = _("rubrique de remarques")
        verbose_name_plural = _("rubriques de remarques")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "label"],
                name="remark_category_unique_label",
                violation_error_message=_("Cette rubrique existe déjà à cet endroit."),
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def depth(self) -> int:
        """1 for a channel, 2 for a category, 3 for a sub-category. One query per level."""
        depth, node = 1, self
        while node.parent_id is not None:
            depth += 1
            node = node.parent  # type: ignore[assignment]
        return depth

    def clean(self) -> None:
        super().clean()
        if self.parent is not None:
            if self.parent.organisation_id != self.organisation_id:
                raise ValidationError(
                    {"parent": gettext("Choisissez une rubrique de votre organisation.")}
                )
            if self.parent.depth >= self.MAX_DEPTH:
                raise ValidationError(
                    {"parent": gettext("Trois niveaux au plus : canal, rubrique, sous-rubrique.")}
                )


class RemarkCode(models.Model):
    """One code given to one remark (an answer to the free-text remarks question)."""

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="remark_codes", verbose_name=_("remarque")
    )
    category = models.ForeignKey(
        RemarkCategory,
        on_delete=models.PROTECT,
        related_name="codes",
        verbose_name=_("rubrique"),
    )
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("codée par"),
    )
    coded_at = models.DateTimeField(_("codée le"), auto_now_add=True)

    organisation_path = "category__organisation"

    class Meta:
        verbose_name = _("codage de remarque")
        verbose_name_plural = _("codages de remarques")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "category"], name="remark_code_once_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} → {self.category}"


# --- website and social networks -------------------------------------------------------------


class WebMetric(models.TextChoices):
    SITE_VISITS = "site_visits", _("Connexions au site internet")
    SOCIAL_INTERACTIONS = "social_interactions", _("Interactions sur les réseaux sociaux")
    SOCIAL_IMPRESSIONS = "social_impressions", _("Affichages des publications")


class WebFigure(models.Model):
    """A monthly figure of the website or the social networks, entered by the quality
    manager from the tools' statistics."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="web_figures",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("mois"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    metric = models.CharField(_("indicateur"), max_length=30, choices=WebMetric.choices)
    value = models.PositiveIntegerField(_("valeur"))

    organisation_path = "organisation"

    class Meta:
        ordering = ["organisation", "year", "month", "metric"]
        verbose_name = _("chiffre mensuel du web")
        verbose_name_plural = _("chiffres mensuels du web")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "month", "metric"],
                name="web_figure_unique_month",
                violation_error_message=_("Ce mois est déjà saisi pour cet indicateur."),
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="web_figure_month_1_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.month:02d}/{self.year} : {self.value}"


# --- roll-ups of the answers (reports/tallies.py) ---------------------------------------------


# The columns that name one tally row: its unique key, and the ON CONFLICT target of the
# upserts in reports/tallies.py.
TALLY_KEY = (
    "campaign",
    "question_id",
    "channel",
    "day",
    "dated",
    "site_id",
    "interviewer_id",
    "answer",
)


TALLY_SUMMARY = -1  # AnswerTally.SUMMARY


class AnswerTally(models.Model):
    """How many counted questionnaires gave one answer, per cell of the dashboard's filters.

    A roll-up of ``Answer`` and ``Response``, kept exact in the transaction of every write
    (``reports.tallies``); the answers stay the source of truth, and ``rebuild_tallies``
    recomputes these rows from them. The key:

    - ``campaign``, then ``question_id``: the question answered, or ``RESPONSES`` (0) for
      the rows that count questionnaires (representativeness);
    - the filter cell: ``channel``, ``day`` (collection day in the organisation's zone, from
      ``started_at``, else ``received_at``), ``dated`` (whether ``started_at`` is known: the
      week filter keeps only those), ``site_id``, ``interviewer_id`` (``NO_INTERVIEWER``, 0,
      when none: a sentinel rather than NULL, so that the unique key, hence ``ON CONFLICT``,
      holds on SQLite and PostgreSQL alike);
    - ``answer``: what one respondent answered to the question, as the sorted ids of the
      chosen choices ("412,415": a multiple choice is one respondent), or ``c`` and the
      INSEE code of a commune, ``t`` a text (a commune outside the département, a remark),
      ``e`` an empty text.

    Every questionnaire is counted twice: in its cell, and in its channel's **summary**
    cell (``site_id`` ``SUMMARY``, −1, ``interviewer_id`` ``SUMMARY``, ``day``
    ``SUMMARY_DAY``, ``dated`` false), which a figure without a site, week or interviewer
    filter reads: a few rows per choice, whatever the number of questionnaires, instead
    of some per cell. Every reader picks one grain (``Filter.tally_where``).

    Ids, not codes: a question or choice renamed, a choice's polarity changed, a commune
    moved to another EPCI are read at count time, so no tally goes stale. ``n`` counts
    respondents; a row that falls to 0 is deleted.
    """

    RESPONSES = 0
    NO_INTERVIEWER = 0
    SUMMARY = TALLY_SUMMARY  # site_id and interviewer_id of a channel's summary cell
    SUMMARY_DAY = datetime.date.min  # its day: a constant, never a collection day

    campaign = models.ForeignKey(
        "survey.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique key starts with it
        verbose_name=_("campagne"),
    )
    question_id = models.BigIntegerField(_("question"))
    channel = models.CharField(_("canal"), max_length=10)
    day = models.DateField(_("jour de recueil"))
    dated = models.BooleanField(_("heure de début connue"))
    site_id = models.BigIntegerField(_("site"))
    interviewer_id = models.BigIntegerField(_("enquêteur"))
    answer = models.TextField(_("réponse"), blank=True)
    n = models.IntegerField(_("effectif"))

    class Meta:
        verbose_name = _("effectif d'une réponse")
        verbose_name_plural = _("effectifs des réponses")
        constraints = [
            models.UniqueConstraint(fields=list(TALLY_KEY), name="answer_tally_key"),
        ]
        indexes = [
            # The summary cells alone: what a figure without a site, week or interviewer
            # filter reads, without walking the campaign's detailed cells in the key.
            models.Index(
                fields=["campaign", "question_id", "channel"],
                condition=models.Q(site_id=TALLY_SUMMARY),
                name="answer_tally_summary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} {self.answer} {self.day}: {self.n}"


@receiver(pre_save, sender=Response, dispatch_uid="answer_tally_voiding")
def _note_voiding(sender: type[Response], instance: Response, raw: bool, **kwargs: Any) -> None:
    """Voiding or restoring a questionnaire, however it is saved (``void_response``, the
    admin, a shell), takes it out of the tallies or puts it back: see ``_tally_voiding``.
    One query, only when a stored questionnaire is saved with its ``voided_at``."""
    update_fields = kwargs.get("update_fields")
    instance._tally_sign = 0  # type: ignore[attr-defined]
    if raw or instance._state.adding or instance.pk is None:
        return  # a new questionnaire is tallied with its answers (reports.tallies)
    if update_fields is not None and "voided_at" not in update_fields:
        return
    stored = list(Response.objects.filter(pk=instance.pk).values_list("voided_at", flat=True))
    if not stored:
        return
    was_counted, counted = stored[0] is None, instance.voided_at is None
    if counted != was_counted:
        instance._tally_sign = 1 if counted else -1  # type: ignore[attr-defined]


@receiver(post_save, sender=Response, dispatch_uid="answer_tally_voided")
def _tally_voiding(sender: type[Response], instance: Response, **kwargs: Any) -> None:
    sign = getattr(instance, "_tally_sign", 0)
    if sign:
        from .tallies import tally_responses

        instance._tally_sign = 0  # type: ignore[attr-defined]
        tally_responses([instance.pk], sign, using=kwargs.get("using"))
