"""Who runs a campaign (an organisation), where it collects (sites) and who does what (roles)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A prefecture. Every piece of survey data belongs to exactly one."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
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

    organisation_path = "pk"

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def has_alsace_moselle_calendar(self) -> bool:
        """Bas-Rhin, Haut-Rhin and Moselle keep two more public holidays."""
        return self.departement_code in {"57", "67", "68"}


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
