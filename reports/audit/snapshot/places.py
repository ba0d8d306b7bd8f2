"""The communes the report reads (answered this year, tallied the year before) with
their arrondissements and EPCI.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from survey.models import Answer, AnswerTally, Arrondissement, Campaign, Commune, Epci


def answered_communes(campaign: Campaign) -> set[str]:
    return set(
        Answer.objects.filter(response__campaign=campaign, commune__isnull=False)
        .values_list("commune_id", flat=True)
        .distinct()
    )


def tallied_communes(campaign: Campaign) -> set[str]:
    """The communes of ``campaign``'s tallies ("c16015")."""
    answers = (
        AnswerTally.objects.filter(campaign=campaign, answer__startswith="c")
        .values_list("answer", flat=True)
        .distinct()
    )
    return {answer[1:] for answer in answers}


def places_of(codes: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The communes, their arrondissements and EPCI. Three queries."""
    communes = [
        dict(row)
        for row in Commune.objects.filter(insee_code__in=sorted(codes))
        .order_by("insee_code")
        .values("insee_code", "name", "departement_code", "arrondissement_id", "epci_id")
    ]
    arrondissements = {c["arrondissement_id"] for c in communes} - {None}
    epcis = {c["epci_id"] for c in communes} - {None}
    return {
        "communes": communes,
        "arrondissements": [
            dict(row)
            for row in Arrondissement.objects.filter(code__in=arrondissements)
            .order_by("code")
            .values("code", "name")
        ],
        "epcis": [
            dict(row)
            for row in Epci.objects.filter(siren__in=epcis)
            .order_by("siren")
            .values("siren", "name", "nature")
        ],
    }
