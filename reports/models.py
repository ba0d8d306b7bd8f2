"""What the quality manager adds to the raw answers for the indicators and the report:
figures of earlier campaigns known only as published, the coding of the remarks (Q40),
and the website's and social networks' monthly figures. The roll-ups of the answers that
the indicators read (``AnswerTally``) are survey's: survey/models/tallies.py."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.models import Answer, Organisation


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
