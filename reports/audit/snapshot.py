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
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q

from mystery import exchange as mystery_exchange
from mystery.models import EmailTheme, MysteryService
from reports.audit.models import ImprovementAction, SectionText
from reports.models import PublishedFigure, RemarkCategory, WebFigure
from survey.models import (
    Answer,
    AnswerTally,
    Arrondissement,
    Campaign,
    Choice,
    Commune,
    Engagement,
    Epci,
    Framework,
    Question,
    Questionnaire,
    Response,
    Section,
    Site,
)

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
    communes = _answered_communes(campaign) | (
        _tallied_communes(previous) if previous is not None else set()
    )
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "organisation": {
            "pk": organisation.pk,
            "name": organisation.name,
            "departement_code": organisation.departement_code,
        },
        "sites": _rows(
            Site.objects.filter(organisation=organisation), "pk", "name", "kind", "is_active"
        ),
        "campaign": _campaign(campaign),
        "questionnaires": _questionnaires(campaign, with_engagements=True),
        "frameworks": _frameworks(campaign),
        "responses": _responses(campaign),
        **_places(communes),
        "remark_categories": _rows(
            RemarkCategory.objects.filter(organisation=organisation),
            "pk",
            "parent_id",
            "label",
            "order",
            "is_active",
        ),
        "mystery_services": _rows(
            MysteryService.objects.filter(organisation=organisation),
            "pk",
            "name",
            "phone_number",
            "opening_hours",
            "order",
            "is_active",
        ),
        "email_themes": _rows(
            EmailTheme.objects.filter(organisation=organisation), "pk", "name", "order", "is_active"
        ),
        "section_texts": _rows(
            SectionText.objects.filter(campaign=campaign).order_by("key"), "key", "text"
        ),
        "improvement_actions": _rows(
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
        "published_figures": _rows(
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
        "web_figures": _rows(
            WebFigure.objects.filter(organisation=organisation, year=campaign.year),
            "pk",
            "year",
            "month",
            "metric",
            "value",
        ),
        "previous_campaign": _previous(previous) if previous is not None else None,
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, default=_plain)
    return (text + "\n").encode("utf-8")


# --- values ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON for what json cannot write: moments in UTC, days, decimals as text."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} n'a pas de forme JSON")


def _rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    """The rows' ``fields``, in primary-key order when "pk" is one of them."""
    if "pk" in fields:
        queryset = queryset.order_by("pk")
    return [dict(row) for row in queryset.values(*fields)]


def _campaign(campaign: Campaign) -> dict[str, Any]:
    return {
        "pk": campaign.pk,
        "year": campaign.year,
        "title": campaign.title,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "objective": campaign.objective,
        "orange_band": campaign.orange_band,
        "mystery_rings": campaign.mystery_rings,
        "mystery_working_days": campaign.mystery_working_days,
        "status": campaign.status,
        "opened_at": campaign.opened_at,
        "closed_at": campaign.closed_at,
    }


def _published_year(campaign: Campaign) -> int | None:
    return (
        PublishedFigure.objects.filter(
            organisation_id=campaign.organisation_id, year__lt=campaign.year
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


# --- questionnaires ----------------------------------------------------------------------------


def _questionnaires(campaign: Campaign, *, with_engagements: bool) -> list[dict[str, Any]]:
    """Each questionnaire with its sections, questions and choices. Four or five queries."""
    questionnaires = _rows(
        Questionnaire.objects.filter(campaign=campaign),
        "pk",
        "channel",
        "title",
        "introduction",
        "revision",
    )
    ids = [q["pk"] for q in questionnaires]
    sections = _rows(
        Section.objects.filter(questionnaire_id__in=ids),
        "pk",
        "questionnaire_id",
        "code",
        "title",
        "order",
    )
    questions = _rows(
        Question.objects.filter(questionnaire_id__in=ids),
        "pk",
        "questionnaire_id",
        "section_id",
        "code",
        "number",
        "order",
        "text",
        "help_text",
        "kind",
        "required",
        "condition_question_id",
        "condition_codes",
        "counts_in_satisfaction",
        "choice_groups",
    )
    choices = _rows(
        Choice.objects.filter(question__questionnaire_id__in=ids),
        "pk",
        "question_id",
        "code",
        "label",
        "order",
        "polarity",
    )
    engagements: dict[int, list[int]] = {}
    if with_engagements:
        through = Question.engagements.through.objects.filter(
            question_id__in=[q["pk"] for q in questions]
        )
        for question_id, engagement_id in through.order_by(
            "question_id", "engagement_id"
        ).values_list("question_id", "engagement_id"):
            engagements.setdefault(question_id, []).append(engagement_id)
    by_question: dict[int, list[dict[str, Any]]] = {}
    for choice in choices:
        by_question.setdefault(choice.pop("question_id"), []).append(choice)
    for question in questions:
        question["choices"] = by_question.get(question["pk"], [])
        if with_engagements:
            question["engagements"] = engagements.get(question["pk"], [])
    for questionnaire in questionnaires:
        pk = questionnaire["pk"]
        questionnaire["sections"] = [
            {k: v for k, v in s.items() if k != "questionnaire_id"}
            for s in sections
            if s["questionnaire_id"] == pk
        ]
        questionnaire["questions"] = [
            {k: v for k, v in q.items() if k != "questionnaire_id"}
            for q in questions
            if q["questionnaire_id"] == pk
        ]
    return questionnaires


def _frameworks(campaign: Campaign) -> list[dict[str, Any]]:
    """The frameworks the campaign's questions quote, with every engagement of them (the
    report quotes some that no question carries). Two queries."""
    ids = sorted(
        set(
            Engagement.objects.filter(questions__questionnaire__campaign=campaign).values_list(
                "framework_id", flat=True
            )
        )
    )
    frameworks = _rows(Framework.objects.filter(pk__in=ids), "pk", "code", "name", "year")
    engagements = _rows(
        Engagement.objects.filter(framework_id__in=ids),
        "pk",
        "framework_id",
        "number",
        "text",
        "order",
    )
    for framework in frameworks:
        framework["engagements"] = [
            {k: v for k, v in e.items() if k != "framework_id"}
            for e in engagements
            if e["framework_id"] == framework["pk"]
        ]
    return frameworks


# --- responses: what their CSV does not say ----------------------------------------------------


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


# --- communes ------------------------------------------------------------------------------------


def _answered_communes(campaign: Campaign) -> set[str]:
    return set(
        Answer.objects.filter(response__campaign=campaign, commune__isnull=False)
        .values_list("commune_id", flat=True)
        .distinct()
    )


def _tallied_communes(campaign: Campaign) -> set[str]:
    """The communes of ``campaign``'s tallies ("c16015")."""
    answers = (
        AnswerTally.objects.filter(campaign=campaign, answer__startswith="c")
        .values_list("answer", flat=True)
        .distinct()
    )
    return {answer[1:] for answer in answers}


def _places(codes: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
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


# --- the previous campaign ---------------------------------------------------------------------


def _previous(campaign: Campaign) -> dict[str, Any]:
    """What the comparisons read of the previous campaign: its questionnaires, its tallies
    and its mystery logs (export columns, without who logged them, the senders'
    addresses, the texts, nor what is computed at export)."""
    calls_header, calls = mystery_exchange.export_calls(campaign)
    emails_header, emails = mystery_exchange.export_emails(campaign)
    return {
        "campaign": _campaign(campaign),
        "questionnaires": _questionnaires(campaign, with_engagements=False),
        "tallies": _tallies(campaign),
        "calls": _without(calls_header, calls, "saisi_par", "observations"),
        "emails": _without(
            emails_header,
            emails,
            "saisi_par",
            "boite_envoi",
            "question",
            "observations",
            *mystery_exchange.EMAIL_COMPUTED,
        ),
    }


def tally_columns() -> list[str]:
    """The columns of a tally row but its key and campaign, as the model has them."""
    return [
        f.attname
        for f in AnswerTally._meta.concrete_fields
        if not f.primary_key and f.attname != "campaign_id"
    ]


def _tallies(campaign: Campaign) -> dict[str, Any]:
    """Every tally row of ``campaign``, in key order, its grain kept whatever it is. The
    interviewers' account ids are renumbered 1, 2… (a sentinel, 0 or below, is kept):
    a figure of the report never names an interviewer. One query."""
    columns = tally_columns()
    rows = [
        list(row)
        for row in AnswerTally.objects.filter(campaign=campaign)
        .order_by(*columns)
        .values_list(*columns)
    ]
    if "interviewer_id" in columns:
        at = columns.index("interviewer_id")
        ids = sorted({row[at] for row in rows if row[at] > 0})
        renumbered = {pk: rank for rank, pk in enumerate(ids, start=1)}
        for row in rows:
            row[at] = renumbered.get(row[at], row[at])
    return {"header": columns, "rows": rows}


def _without(header: list[str], rows: list[list[str]], *columns: str) -> dict[str, Any]:
    kept = [i for i, name in enumerate(header) if name not in columns]
    return {
        "header": [header[i] for i in kept],
        "rows": [[row[i] for i in kept] for row in rows],
    }
