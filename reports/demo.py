"""reports' part of the demo: the Charente 2016 report's 2015 figures (the "contre X % en
2015" its questionnaires are compared with), the remarks' taxonomy and the coded remarks,
and the website's monthly figures.

``demo.loader.load_demo`` calls it once survey's part (``survey.demo``: the campaign, its
questionnaires and the accounts) is loaded. The 2015 figures come from the questionnaires'
own file (``survey.demo.data``), so they cannot drift from the figures they are compared
with. Idempotent: a figure, category or remark already entered is left as it is.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from survey.demo.data import CHANNELS, FAVOURABLE, read_demo_file
from survey.models import Campaign, Organisation

from .models import PublishedFigure
from .remarks import load_demo_remarks, load_taxonomy
from .web import load_demo_web_figures

PUBLISHED_SOURCE = "Rapport d'enquête 2016 de la préfecture de la Charente"


@transaction.atomic
def load_reports_demo(
    campaign: Campaign, *, coded_by: User | None = None, path: Path | None = None
) -> int:
    """Load reports' demo data for ``campaign`` (its questionnaires already stored: the
    remarks go to them); return how many 2015 figures were created. ``path`` is the
    questionnaires' file (``survey.demo.data.DEMO_FILE`` by default)."""
    organisation = campaign.organisation
    created = load_published_figures(organisation, read_demo_file(path))
    load_taxonomy(organisation)
    load_demo_remarks(campaign, coded_by=coded_by)
    load_demo_web_figures(organisation)
    return created


def load_published_figures(organisation: Organisation, data: dict[str, Any]) -> int:
    """The report's "contre X % en 2015" as PublishedFigure rows (rate only: the report
    gives no 2015 base), and the 2015 questionnaire counts per channel. Returns how many
    were created; a figure already entered is left untouched."""
    wanted: list[PublishedFigure] = []
    for figure in data["figures"]:
        previous = figure.get("previous")
        if not previous:
            continue
        note = f" ; {previous['note']}" if previous.get("note") else ""
        if previous.get("derived"):
            note += f" ; déduit : {previous['derived']}"
        wanted.append(
            PublishedFigure(
                organisation=organisation,
                year=previous["year"],
                code=figure["question"],
                choice_code="" if figure["choice"] == FAVOURABLE else figure["choice"],
                channel=figure["scope"],
                rate=Decimal(previous["percent"]),
                source=f"{PUBLISHED_SOURCE}, § {figure['section']}{note}"[:200],
            )
        )
    for channel in CHANNELS:
        collected = data["collection"][channel]
        wanted.append(
            PublishedFigure(
                organisation=organisation,
                year=collected["previous"]["year"],
                code=PublishedFigure.QUESTIONNAIRES,
                choice_code="",
                channel=channel,
                base=collected["previous"]["count"],
                source=f"{PUBLISHED_SOURCE}, § 3 (représentativité)",
            )
        )
    existing = set(
        PublishedFigure.objects.filter(organisation=organisation).values_list(
            "year", "code", "choice_code", "channel"
        )
    )
    new = [f for f in wanted if (f.year, f.code, f.choice_code, f.channel) not in existing]
    for figure in new:  # the unique and check constraints are the database's
        figure.clean_fields(exclude=["organisation"])
        figure.clean()
    PublishedFigure.objects.bulk_create(new)
    return len(new)
