"""What the report is built from, beyond the pack's raw answers, mystery logs and coded
remarks: ``dump(campaign) -> bytes``, stored in the evidence pack as
``donnees/campagne-<year>.json`` so that the report can be printed again from the pack
alone (``reports.audit.reproduce``, ``manage.py reproduce_report``).

The snapshot holds, with their primary keys (the scratch database that restores them is
empty, and keeping them keeps every order that breaks a tie on a key):

- the organisation (name, département) and its sites; the campaign (dates, objective,
  orange band, mystery thresholds, opening and closing moments);
- the questionnaires as they were asked: sections, questions (codes, numbers, kinds,
  conditions, choice groups, engagements), choices (codes, labels, polarities), and the
  quality frameworks their questions quote, every engagement of them;
- what the raw answers' CSV does not say: the receipt moment of a questionnaire whose
  start is unknown (its collection day), and when a voided one was voided;
- the communes answered, with their arrondissement and EPCI;
- the remarks taxonomy (the codes themselves are in the coded remarks' CSV);
- the mystery tests' services and e-mail themes (the logs are the pack's CSV);
- the commentary edited by the quality manager, the improvement actions of the years the
  report lists, the figures published for earlier years, the year's web figures;
- the previous campaign, when there is one: its questionnaires, the counts its
  comparisons read (its tallies, the interviewers' ids renumbered) and its mystery logs,
  in their export's columns.

No personal data beyond what the report prints: no account (neither the interviewers nor
who edited a text), no e-mail address (the senders' mailboxes are left out: the report
does not read them), no free text of the previous campaign.

Deterministic: keys sorted, lists in primary-key order, moments in UTC ISO 8601 with
their microseconds: the same data give the same bytes. Costs about twenty queries, and one
per 2,000 questionnaires of the campaign for the receipt moments it needs.

``dump`` gathers the parts here; ``questionnaires`` (and the frameworks), ``places`` (the
communes), ``previous`` (the previous campaign) read theirs, as rows by ``values``.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.db.models import Q

from mystery.models import EmailTheme, MysteryService
from reports.audit.models import ImprovementAction, SectionText
from reports.models import PublishedFigure, RemarkCategory, WebFigure
from survey.models import Campaign, Response, Site

from .places import answered_communes, places_of, tallied_communes
from .previous import previous_campaign
from .questionnaires import frameworks_of, questionnaires_of
from .values import campaign_values, rows_of

FORMAT = "qualiprefs-donnees-rapport"
VERSION = 1


def snapshot_name(year: int) -> str:
    """donnees/campagne-2016.json, the snapshot's name in the evidence pack."""
    return f"donnees/campagne-{year}.json"


def dump(campaign: Campaign) -> bytes:
    """The snapshot of ``campaign`` as UTF-8 JSON bytes (see the module)."""
    organisation = campaign.organisation
    previous = campaign.previous()
    comparison_year = previous.year if previous is not None else _published_year(campaign)
    communes = answered_communes(campaign) | (
        tallied_communes(previous) if previous is not None else set()
    )
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "organisation": {
            "pk": organisation.pk,
            "name": organisation.name,
            "departement_code": organisation.departement_code,
        },
        "sites": rows_of(
            Site.objects.filter(organisation=organisation), "pk", "name", "kind", "is_active"
        ),
        "campaign": campaign_values(campaign),
        "questionnaires": questionnaires_of(campaign, with_engagements=True),
        "frameworks": frameworks_of(campaign),
        "responses": _responses(campaign),
        **places_of(communes),
        "remark_categories": rows_of(
            RemarkCategory.objects.filter(organisation=organisation),
            "pk",
            "parent_id",
            "label",
            "order",
            "is_active",
        ),
        "mystery_services": rows_of(
            MysteryService.objects.filter(organisation=organisation),
            "pk",
            "name",
            "phone_number",
            "opening_hours",
            "order",
            "is_active",
        ),
        "email_themes": rows_of(
            EmailTheme.objects.filter(organisation=organisation), "pk", "name", "order", "is_active"
        ),
        "section_texts": rows_of(
            SectionText.objects.filter(campaign=campaign).order_by("key"), "key", "text"
        ),
        "improvement_actions": rows_of(
            ImprovementAction.objects.filter(
                organisation=organisation,
                year__in=sorted(
                    {campaign.year, campaign.year - 1, comparison_year or campaign.year}
                ),
            ),
            "pk",
            "year",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "order",
        ),
        "published_figures": rows_of(
            PublishedFigure.objects.filter(organisation=organisation, year__lt=campaign.year),
            "pk",
            "year",
            "code",
            "choice_code",
            "channel",
            "favourable",
            "base",
            "rate",
            "source",
        ),
        "web_figures": rows_of(
            WebFigure.objects.filter(organisation=organisation, year=campaign.year),
            "pk",
            "year",
            "month",
            "metric",
            "value",
        ),
        "previous_campaign": previous_campaign(previous) if previous is not None else None,
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, default=_plain)
    return (text + "\n").encode("utf-8")


def _plain(value: Any) -> Any:
    """JSON for what json cannot write: moments in UTC, days, decimals as text."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} n'a pas de forme JSON")


def _published_year(campaign: Campaign) -> int | None:
    return (
        PublishedFigure.objects.filter(
            organisation_id=campaign.organisation_id, year__lt=campaign.year
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def _responses(campaign: Campaign) -> dict[str, Any]:
    """By questionnaire UUID: the receipt moment of those whose start is unknown (the
    collection day falls back on it), and the voiding moment of those voided. One query."""
    rows = (
        Response.objects.filter(campaign=campaign)
        .filter(Q(started_at__isnull=True) | Q(voided_at__isnull=False))
        .order_by("uuid")
        .values_list("uuid", "started_at", "received_at", "voided_at")
        .iterator(chunk_size=2000)
    )
    received: dict[str, Any] = {}
    voided: dict[str, Any] = {}
    for uuid, started_at, received_at, voided_at in rows:
        if started_at is None:
            received[str(uuid)] = received_at
        if voided_at is not None:
            voided[str(uuid)] = voided_at
    return {"received_at": received, "voided_at": voided}
