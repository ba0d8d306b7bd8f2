"""Who runs a campaign (an organisation), where it collects (sites) and who does what (roles)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .. import moments

# The article of the head nouns an organisation's name begins with ("Préfecture de la
# Charente" is "la préfecture de la Charente" inside a sentence).
ARTICLES = {
    "préfecture": "la",
    "sous-préfecture": "la",
    "direction": "la",
    "délégation": "la",
    "haut-commissariat": "le",
    "haute-commission": "la",
    "service": "le",
    "secrétariat": "le",
    "administration": "l'",
    "agence": "l'",
}


class TimeZone(models.TextChoices):
    """The zones of the départements and regions (``moments.DEPARTEMENT_ZONES``)."""

    PARIS = moments.PARIS_NAME, _("Paris (métropole)")
    GUADELOUPE = "America/Guadeloupe", _("Guadeloupe")
    MARTINIQUE = "America/Martinique", _("Martinique")
    GUYANE = "America/Cayenne", _("Guyane")
    REUNION = "Indian/Reunion", _("La Réunion")
    MAYOTTE = "Indian/Mayotte", _("Mayotte")


def name_in_sentence(name: str) -> str:
    """The form of ``name`` used inside a French sentence, guessed from its first word:
    "Préfecture de la Charente" gives "la préfecture de la Charente"; a name whose first
    word is not a known head noun (a proper name) is kept as it is."""
    name = name.strip()
    head = name.split(" ", 1)[0]
    article = ARTICLES.get(head.lower())
    if article is None:
        return name
    lowered = head.lower() + name[len(head) :]
    return f"{article}{lowered}" if article.endswith("'") else f"{article} {lowered}"


def of(in_sentence: str) -> str:
    """« de » before a name in a sentence, contracted as French wants: "de la préfecture",
    "du haut-commissariat", "des services", "de l'agence"."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if in_sentence.startswith(article):
            return contracted + in_sentence[len(article) :]
    return f"de {in_sentence}"


class Organisation(models.Model):
    """A prefecture. Every piece of survey data belongs to exactly one."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    name_in_sentence = models.CharField(
        _("nom dans une phrase"),
        max_length=220,
        blank=True,
        help_text=_(
            "Le nom tel qu'il s'écrit au milieu d'une phrase, article compris : « la "
            "préfecture de la Charente ». Laissé vide, il est déduit du nom."
        ),
    )
    departement_code = models.CharField(
        _("code du département"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^(\d{2}|2A|2B|97\d)$", _("Code de département invalide."))],
        help_text=_("Code INSEE du département : 16, 2A, 974…"),
    )
    remarks_retention_months = models.PositiveSmallIntegerField(
        _("conservation des textes libres (mois)"),
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Les remarques libres et les noms de communes hors du département sont effacés "
            "ce nombre de mois après la réception du questionnaire ; leurs codes et les "
            "effectifs restent."
        ),
    )

    time_zone = models.CharField(
        _("fuseau horaire"),
        max_length=40,
        choices=TimeZone.choices,
        default=TimeZone.PARIS,
        editable=False,
        help_text=_(
            "Les jours de collecte, les délais des courriels et les dates du rapport se "
            "comptent dans ce fuseau, déduit du département (971 à 976 : outre-mer)."
        ),
    )

    organisation_path = "pk"

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """The zone follows the département (``moments.zone_name_for_departement``): an
        overseas one lives on its own clock, any other on Paris's. Always derived, so that
        the SQL that reads the département (``moments.departement_zone_sql``) agrees."""
        self.time_zone = moments.zone_name_for_departement(self.departement_code)
        if (fields := kwargs.get("update_fields")) is not None:
            kwargs["update_fields"] = {*fields, "time_zone"}
        super().save(*args, **kwargs)

    @property
    def in_sentence(self) -> str:
        """The name inside a sentence: "Les actions que la préfecture de la Charente
        décide…". In French the form with its article (``name_in_sentence``, else guessed
        from the name); in another language the name itself."""
        if not (get_language() or "fr").startswith("fr"):
            return self.name
        return self.name_in_sentence.strip() or name_in_sentence(self.name)

    @property
    def of_in_sentence(self) -> str:
        """The name after « de » in French ("de la préfecture…", "du haut-commissariat…");
        the name itself in another language, whose message says its own "of"."""
        if not (get_language() or "fr").startswith("fr"):
            return self.name
        return of(self.in_sentence)


class Site(models.Model):
    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", _("Préfecture")
        SOUS_PREFECTURE = "sous_prefecture", _("Sous-préfecture")
        OTHER = "other", _("Autre site d'accueil")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sites",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.PREFECTURE)
    is_active = models.BooleanField(_("actif"), default=True)

    organisation_path = "organisation"

    class Meta:
        ordering = ["organisation", "kind", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="site_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    INTERVIEWER = "interviewer", _("Enquêteur ou enquêtrice")
    STAFF = "staff", _("Agent")
    QUALITY_MANAGER = "quality_manager", _("Responsable qualité")


class Membership(models.Model):
    """A user's role in one organisation; a user may belong to several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("utilisateur"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)

    organisation_path = "organisation"

    class Meta:
        ordering = ["organisation", "user__username"]
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_role_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"
