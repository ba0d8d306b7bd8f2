"""The previous campaign, as its comparisons read it: its questionnaires, its tallies
(interviewers renumbered) and its mystery logs without what names a person.
"""

from __future__ import annotations

from typing import Any

from mystery.exchange_calls import export_calls
from mystery.exchange_emails import EMAIL_COMPUTED, export_emails
from survey.models import AnswerTally, Campaign

from .questionnaires import questionnaires_of
from .values import campaign_values


def previous_campaign(campaign: Campaign) -> dict[str, Any]:
    """What the comparisons read of the previous campaign: its questionnaires, its tallies
    and its mystery logs (export columns, without who logged them, the senders'
    addresses, the texts, nor what is computed at export)."""
    calls_header, calls = export_calls(campaign)
    emails_header, emails = export_emails(campaign)
    return {
        "campaign": campaign_values(campaign),
        "questionnaires": questionnaires_of(campaign, with_engagements=False),
        "tallies": _tallies(campaign),
        "calls": _without(calls_header, calls, "saisi_par", "observations"),
        "emails": _without(
            emails_header,
            emails,
            "saisi_par",
            "boite_envoi",
            "question",
            "observations",
            *EMAIL_COMPUTED,
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
