"""The report's sections, in order, numbered as the Charente 2016 report numbers them."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Section(NamedTuple):
    key: str
    title: str | Promise

    @property
    def level(self) -> int:
        """1 for "4", 2 for "4.1"."""
        return self.key.count(".") + 1


SECTIONS: tuple[Section, ...] = (
    Section("1", _("Introduction")),
    Section("2", _("Modalités d'organisation")),
    Section("3", _("Représentativité de l'enquête")),
    Section("4", _("Présentation des résultats")),
    Section("4.1", _("Connaissance des usagers")),
    Section("4.2", _("Information sur les conditions d'accès en préfecture")),
    Section("4.3", _("Accueil physique")),
    Section("4.4", _("Accueil téléphonique")),
    Section("4.5", _("Démarches sur Internet et présence sur les réseaux sociaux")),
    Section("4.6", _("Connaissance du label «\u00a0Qualipref\u00a0»")),
    Section("4.7", _("Appels mystères")),
    Section("4.8", _("Courriels mystères")),
    Section("5", _("Remarques et suggestions des usagers")),
    Section("6", _("Axes d'amélioration")),
)
KEYS: tuple[str, ...] = tuple(section.key for section in SECTIONS)
_BY_KEY = {section.key: section for section in SECTIONS}


def section(key: str) -> Section:
    """The section of ``key``; KeyError for an unknown key."""
    return _BY_KEY[key]
