"""National reference data: communes and quality frameworks."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import models


def fold(text: str) -> str:
    """Lower-case, accent-free form used to search names ("Angoulême" -> "angouleme")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("-", " ").replace("'", " ").split())


class Arrondissement(models.Model):
    code = models.CharField("code INSEE", max_length=4, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Epci(models.Model):
    """Établissement public de coopération intercommunale (CA du Grand Angoulême…)."""

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    nature = models.CharField("nature", max_length=10, help_text="CA, CC, CU, ME…")

    class Meta:
        ordering = ["name"]
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    departement_code = models.CharField("département", max_length=3, db_index=True)
    arrondissement = models.ForeignKey(
        Arrondissement, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )
    epci = models.ForeignKey(
        Epci, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    def save(self, **kwargs: Any) -> None:
        self.search_name = fold(self.name)
        super().save(**kwargs)


class Framework(models.Model):
    """A quality framework (Qualipref 2.0, Marianne, Services Publics+…)."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=100)
    year = models.PositiveSmallIntegerField("année", null=True, blank=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = "référentiel"

    def __str__(self) -> str:
        return self.name


class Engagement(models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="engagements", verbose_name="référentiel"
    )
    number = models.CharField("numéro", max_length=10)
    text = models.TextField("texte")
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["framework", "order", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="engagement_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} n° {self.number}"
