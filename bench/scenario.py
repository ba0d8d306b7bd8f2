"""The entry scenario of bench.submit and bench.submit_queries: the Charente demo, one
interviewer account per tablet, and complete hall questionnaires as the tablet sends them
(built by tests/helpers_answers.py, as the tests build theirs).

Needs Django configured (bench.harness.configure_django) against a throw-away database.
"""

from __future__ import annotations

import datetime
import json
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from tests.helpers_answers import complete_answers, tablet_payload

PASSWORD = "mesure-de-charge"  # of throw-away accounts in a throw-away database


@dataclass(frozen=True)
class Fixture:
    questionnaire_id: int
    site_ids: list[int]
    answers: dict[str, Any]
    answer_rows: int  # Answer rows that one stored questionnaire has
    usernames: list[str]
    static_path: str  # a small versioned static file, served by WhiteNoise
    # When each questionnaire starts: inside the campaign's survey period, which the server
    # checks (a moment outside it is refused), however long ago that campaign ran.
    started_at: datetime.datetime


def prepare(interviewers: int) -> Fixture:
    """Migrate, collect the static files, load the demo, create ``interviewers`` accounts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    from demo.loader import load_demo
    from survey.models import Channel, Membership, Role, Site
    from survey.services.responses import QuestionnaireSpec

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    campaign = load_demo().campaign
    hall = campaign.questionnaires.get(channel=Channel.HALL)
    answers = complete_answers(QuestionnaireSpec.load(hall))

    # One hash for every account: each make_password costs 10^6 PBKDF2 iterations.
    hashed = make_password(PASSWORD)
    usernames = [f"enqueteur{number:02d}" for number in range(1, interviewers + 1)]
    for username in usernames:
        user = get_user_model().objects.create(username=username, password=hashed)
        Membership.objects.create(
            user=user, organisation=campaign.organisation, role=Role.INTERVIEWER
        )
    return Fixture(
        questionnaire_id=hall.pk,
        site_ids=list(
            Site.objects.filter(organisation=campaign.organisation)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        answers=answers,
        answer_rows=sum(len(v) if isinstance(v, list) else 1 for v in answers.values()),
        usernames=usernames,
        static_path=staticfiles_storage.url("css/app.css"),
        started_at=datetime.datetime.combine(
            campaign.start_date, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("Europe/Paris")
        ),
    )


def submission_body(
    fixture: Fixture, client_uuid: uuid.UUID, *, site_id: int, device_id: str
) -> bytes:
    """The JSON the tablet posts to /saisie/api/reponses/ (see survey/api.py)."""
    started = fixture.started_at
    return json.dumps(
        tablet_payload(
            uuid=str(client_uuid),
            questionnaire=fixture.questionnaire_id,
            site=site_id,
            device_id=device_id,
            started_at=started.isoformat(),
            submitted_at=(started + datetime.timedelta(minutes=6)).isoformat(),
            answers=fixture.answers,
        ),
        ensure_ascii=False,
    ).encode()


def capture_submit_queries(fixture: Fixture, username: str) -> dict[str, list[dict[str, str]]]:
    """The SQL of one new submission and of its replay, through Django's test client.

    A first submission is sent uncounted: it fills what a worker caches after its first
    request (content types, translations), as it is in a server that has been running.
    """
    import logging

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    logging.getLogger("axes").setLevel(logging.WARNING)  # force_login's "successful login"
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    url = reverse("survey:api_submit")

    def post(client_uuid: uuid.UUID, expected: int) -> None:
        body = submission_body(
            fixture, client_uuid, site_id=fixture.site_ids[0], device_id="mesure-requetes"
        )
        response = client.post(url, body, content_type="application/json")
        if response.status_code != expected:
            raise RuntimeError(f"envoi : statut {response.status_code}, {expected} attendu")

    post(uuid.uuid4(), 201)
    same = uuid.uuid4()
    with CaptureQueriesContext(connection) as created:
        post(same, 201)
    with CaptureQueriesContext(connection) as replayed:
        post(same, 200)
    return {"création": created.captured_queries, "rejeu": replayed.captured_queries}
