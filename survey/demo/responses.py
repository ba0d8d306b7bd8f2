"""Storing the demo's 266 planned questionnaires (``survey.demo.plan``) and their answers.

Idempotent: nothing is created when the campaign already holds one of the demo's
questionnaires (their uuids are derived from the file), nor when it no longer accepts
questionnaires. The 2015 figures the questionnaires are compared with are reports' data:
``reports.demo`` enters them from the same file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from survey.models import Answer, Campaign, Response, Site
from survey.tallies import tally_responses

from .data import CHANNELS, Plan, read_demo_file, response_uuids
from .plan import plan_responses


@dataclass
class DemoResponsesResult:
    responses: int = 0
    answers: int = 0


def load_demo_responses(campaign: Campaign, *, path: Path | None = None) -> DemoResponsesResult:
    """Create the demo's questionnaires in ``campaign``. Costs a dozen queries and the bulk
    inserts of 266 questionnaires and about 8,600 answers (some fifty batches on SQLite);
    about 0.6 s."""
    data = read_demo_file(path)
    with transaction.atomic():
        result = DemoResponsesResult()
        if not campaign.is_open:
            return result
        uuids = response_uuids(data)
        if Response.objects.filter(uuid__in=uuids).exists():
            return result
        plan = plan_responses(campaign, data)
        result.responses, result.answers = _store(campaign, plan, uuids)
    return result


def _store(campaign: Campaign, plan: Plan, uuids: list[uuid.UUID]) -> tuple[int, int]:
    """Insert the planned questionnaires and their answers in bulk. The responses get
    their "received" history record (dated when sent, by their interviewer), as a
    submission does; the answers none, as a submission's. The indicators' tallies follow
    in the same transaction (survey/tallies.py)."""
    campaign.check_accepts_responses()
    site_names: dict[str, str] = plan.data["sites"]
    devices: dict[str, str] = plan.data["devices"]
    modes = {channel: plan.data["collection"][channel]["mode"] for channel in CHANNELS}
    sites = {s.name: s for s in Site.objects.filter(organisation_id=campaign.organisation_id)}
    usernames = {r.interviewer for r in plan.respondents}
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=usernames)}
    unknown = sorted(
        ({site_names.get(r.site, r.site) for r in plan.respondents} - set(sites))
        | (usernames - set(users))
    )
    if unknown:
        raise ImproperlyConfigured(
            f"Sites ou comptes de démonstration absents : {', '.join(unknown)}."
        )
    responses: list[Response] = []
    rows: list[list[Answer]] = []
    for respondent, key in zip(plan.respondents, uuids, strict=True):
        spec = plan.specs[respondent.channel]
        user = users[respondent.interviewer]
        response = Response(
            uuid=key,
            campaign=campaign,
            questionnaire=spec.questionnaire,
            channel=respondent.channel,
            site=sites[site_names[respondent.site]],
            interviewer=user,
            mode=modes[respondent.channel],
            device_id=devices.get(respondent.interviewer, ""),
            started_at=respondent.started_at,
            submitted_at=respondent.submitted_at,
        )
        response._history_user = user  # type: ignore[attr-defined]
        response._history_date = respondent.submitted_at  # type: ignore[attr-defined]
        responses.append(response)
        rows.append(respondent.rows)
    bulk_create_with_history(responses, Response, batch_size=500)
    created = [r.pk for r in responses]
    Response.objects.filter(pk__in=created).update(received_at=F("submitted_at"))
    answers = []
    for response, response_rows in zip(responses, rows, strict=True):
        for row in response_rows:
            row.response_id = response.pk
            answers.append(row)
    Answer.objects.bulk_create(answers, batch_size=2000)
    tally_responses(created)  # the indicators' roll-ups, once the received times are set
    return len(responses), len(answers)
