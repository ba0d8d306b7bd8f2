"""The commune reference: loading it from a COG-shaped CSV file, checking codes, and
reading a commune as a spreadsheet user types it."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext

from .models import Arrondissement, Commune, Epci, fold

COLUMNS = (
    "code_insee",
    "commune",
    "code_arrondissement",
    "arrondissement",
    "siren_epci",
    "epci",
    "nature_epci",
)


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


def departement_of(insee_code: str) -> str:
    """The département code of a commune: 3 digits overseas (971…), else 2 (incl. 2A/2B)."""
    return insee_code[:3] if insee_code.startswith("97") else insee_code[:2]


@transaction.atomic
def load_communes(path: Path) -> LoadResult:
    """Create or update every commune of ``path``; all or nothing. Costs a few bulk queries."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationError(f"Colonnes manquantes dans {path.name} : {', '.join(missing)}.")
        rows = list(reader)
    errors = []
    for line, row in enumerate(rows, start=2):
        code = row["code_insee"].strip()
        if len(code) != 5 or not row["commune"].strip():
            errors.append(f"ligne {line} : code INSEE ou nom de commune invalide ({code!r}).")
        if not row["code_arrondissement"].strip():
            errors.append(f"ligne {line} : arrondissement manquant.")
    if errors:
        raise ValidationError(errors)

    arrondissements = {
        row["code_arrondissement"].strip(): row["arrondissement"].strip() for row in rows
    }
    for code, name in arrondissements.items():
        Arrondissement.objects.update_or_create(code=code, defaults={"name": name})
    epcis = {
        row["siren_epci"].strip(): (row["epci"].strip(), row["nature_epci"].strip())
        for row in rows
        if row["siren_epci"].strip()
    }
    for siren, (name, nature) in epcis.items():
        Epci.objects.update_or_create(siren=siren, defaults={"name": name, "nature": nature})

    communes = [
        Commune(
            insee_code=row["code_insee"].strip(),
            name=row["commune"].strip(),
            search_name=fold(row["commune"].strip()),
            departement_code=departement_of(row["code_insee"].strip()),
            arrondissement_id=row["code_arrondissement"].strip(),
            epci_id=row["siren_epci"].strip() or None,
        )
        for row in rows
    ]
    existing = set(
        Commune.objects.filter(insee_code__in=[c.insee_code for c in communes]).values_list(
            "insee_code", flat=True
        )
    )
    Commune.objects.bulk_create(
        communes,
        update_conflicts=True,
        unique_fields=["insee_code"],
        update_fields=["name", "search_name", "departement_code", "arrondissement", "epci"],
        batch_size=500,
    )
    return LoadResult(created=len(communes) - len(existing), updated=len(existing))


# -- known codes ---------------------------------------------------------------------------
# Every submission naming a commune checks its INSEE code. The reference changes once a
# year, by additions and renames (load_communes never deletes), so each process keeps the
# codes it has found: never the codes it has not (a commune added since is found on the
# next read, and no client can grow the set beyond the reference). A code only leaves the
# reference by a deletion, which this process hears of (post_delete) and any other process
# notices as an IntegrityError on its next insert naming it (see forget_communes).
_KNOWN_CODES: set[str] = set()


def known_insee_codes(codes: Collection[str]) -> set[str]:
    """The codes of ``codes`` that are communes of the reference. Costs one query when one
    of them was not found before by this process, none otherwise."""
    missing = set(codes) - _KNOWN_CODES
    if missing:
        _KNOWN_CODES.update(
            Commune.objects.filter(insee_code__in=missing).values_list("insee_code", flat=True)
        )
    return {code for code in codes if code in _KNOWN_CODES}


def forget_communes() -> None:
    """Read every code again on next use: after a failed insert, in tests, after a purge."""
    _KNOWN_CODES.clear()


@receiver(post_delete, sender=Commune, dispatch_uid="survey.communes.forget_deleted")
def _forget_deleted(sender: type[Commune], instance: Commune, **kwargs: Any) -> None:
    _KNOWN_CODES.discard(instance.insee_code)


# -- a commune typed in a spreadsheet ------------------------------------------------------

OUTSIDE_PREFIX = "hors:"  # how a file names a commune outside the département: hors:Bordeaux
# "hors:", whatever its case, with spaces before or after the colon ("Hors : Bordeaux").
_OUTSIDE = re.compile(r"hors\s*:\s*", re.IGNORECASE)
# An INSEE code, or one whose leading zeros a spreadsheet dropped (1001 for 01001).
_INSEE = re.compile(r"\d{1,5}|2[AB]\d{3}", re.IGNORECASE)
_HORS = re.compile(r"hors\b", re.IGNORECASE)  # "Hors Charente", not Horsarrieu


def commune_cell(text: str) -> dict[str, str]:
    """A commune as a file's cell gives it, in the form ``build_answers`` reads: an INSEE
    code (``{"insee": "16015"}``; "1001" is completed to "01001"), or ``hors:`` followed by
    the name of a commune outside the département (``{"outside": "Bordeaux"}``; "Hors :
    Bordeaux" too). Whether the code is in the reference is ``build_answers``' to check.

    Raises a ValidationError that names both forms, with an example, for anything else:
    "Hors Charente", "hors département", "Hors 16" (the outside form without its colon and
    the commune's name), a commune's name alone, "hors:" alone.
    """
    text = text.strip()
    outside = _OUTSIDE.match(text)
    if outside:
        name = text[outside.end() :].strip()
        if not name:
            raise ValidationError(
                gettext(
                    "« %(value)s » : écrivez le nom de la commune après « hors: », par "
                    "exemple hors:Bordeaux."
                )
                % {"value": text}
            )
        return {"outside": name}
    if _INSEE.fullmatch(text):
        return {"insee": text.zfill(5).upper()}
    if _HORS.match(text):
        message = gettext(
            "« %(value)s » : une commune hors du département s'écrit « hors: », deux-points "
            "compris, suivi du nom de la commune (par exemple hors:Bordeaux) ; une commune du "
            "département, par son code INSEE (par exemple 16015)."
        )
    else:
        message = gettext(
            "« %(value)s » n'est pas un code INSEE : écrivez le code INSEE d'une commune du "
            "département (par exemple 16015), ou « hors: » suivi du nom d'une commune hors "
            "du département (par exemple hors:Bordeaux)."
        )
    raise ValidationError(message % {"value": text})
