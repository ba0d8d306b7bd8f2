"""National reference data: communes and quality frameworks."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


def fold(text: str) -> str:
    """Lower-case, accent-free form used to search names ("Angoulême" -> "angouleme")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("-", " ").replace("'", " ").split())


class Arrondissement(models.Model):
    code = models.CharField(_("code INSEE"), max_length=4, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("arrondissement")
        verbose_name_plural = _("arrondissements")

    def __str__(self) -> str:
        return self.name


class Epci(models.Model):
    """Établissement public de coopération intercommunale (CA du Grand Angoulême…)."""

    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    nature = models.CharField(_("nature"), max_length=10, help_text=_("CA, CC, CU, ME…"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("EPCI")
        verbose_name_plural = pgettext_lazy("pluriel", "EPCI")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    insee_code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    search_name = models.CharField(
        _("nom sans accents"), max_length=100, db_index=True, editable=False
    )
    departement_code = models.CharField(_("département"), max_length=3, db_index=True)
    arrondissement = models.ForeignKey(
        Arrondissement,
        on_delete=models.PROTECT,
        related_name="communes",
        null=True,
        blank=True,
        verbose_name=_("arrondissement"),
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.PROTECT,
        related_name="communes",
        null=True,
        blank=True,
        verbose_name=_("EPCI"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    def save(self, **kwargs: Any) -> None:
        self.search_name = fold(self.name)
        super().save(**kwargs)


class Framework(models.Model):
    """A quality framework (Qualipref 2.0, Marianne, Services Publics+…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("référentiel")
        verbose_name_plural = _("référentiels")

    def __str__(self) -> str:
        return self.name


class Engagement(models.Model):
    framework = models.ForeignKey(
        Framework,
        on_delete=models.CASCADE,
        related_name="engagements",
        verbose_name=_("référentiel"),
    )
    number = models.CharField(_("numéro"), max_length=10)
    text = models.TextField(_("texte"))
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["framework", "order", "number"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="engagement_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(framework)s n° %(number)s") % {
            "framework": self.framework.name,
            "number": self.number,
        }
