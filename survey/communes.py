"""The commune reference: loading it from a COG-shaped CSV file, and checking codes."""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

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
