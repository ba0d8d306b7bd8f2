"""What a submission costs in SQL queries: pinned, so that a regression fails here.

Through the HTTP endpoint, logged in as an interviewer, as the tablet sends it. The counts
include the queries of the session and user middlewares and of ``role_required`` (3), and
the transaction's statements (in a test, a SAVEPOINT and its RELEASE or ROLLBACK). See
bench/README.md (``bench.submit_profile``) for the CPU side.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey.models import Answer, Questionnaire, Response
from survey.services.responses import QuestionnaireSpec

from .factories import SiteFactory
from .helpers_answers import complete_answers

pytestmark = pytest.mark.django_db

# session, user, role_required, questionnaire, site; then the transaction: SAVEPOINT, the
# Response, its history record, the answers (one INSERT), the indicators' tallies (one
# upsert, survey/tallies.py), RELEASE.
NEW = 11
# A process's first submission also reads the questionnaire (questions, choices) and the
# communes it names; later ones find them in its caches.
FIRST_IN_PROCESS = NEW + 3
# The same five reads; the INSERT that the unique uuid refuses, inside its savepoint; the
# stored response read back. Slower than a new one, and rare.
REPLAY = 10


@pytest.fixture
def payload(hall: Questionnaire) -> dict[str, Any]:
    return {
        "questionnaire": hall.pk,
        "site": SiteFactory(organisation=hall.campaign.organisation).pk,
        "mode": "tablet",
        "device_id": "tablette-1",
        "started_at": "2016-10-10T09:00:00+02:00",
        "submitted_at": "2016-10-10T09:07:00+02:00",
        "answers": complete_answers(QuestionnaireSpec.load(hall)),
    }


def post(client: Client, payload: dict[str, Any], client_uuid: uuid.UUID) -> int:
    response = client.post(
        reverse("survey:api_submit"),
        json.dumps({**payload, "uuid": str(client_uuid)}),
        content_type="application/json",
    )
    return int(response.status_code)


def queries_of(client: Client, payload: dict[str, Any], client_uuid: uuid.UUID) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        status = post(client, payload, client_uuid)
    assert status in (200, 201)
    return [query["sql"] for query in captured.captured_queries]


def test_a_first_submission_reads_the_questionnaire_and_communes_once(
    interviewer_client: Client, payload: dict[str, Any]
) -> None:
    queries = queries_of(interviewer_client, payload, uuid.uuid4())

    assert len(queries) <= FIRST_IN_PROCESS, "\n".join(queries)
    assert sum('FROM "survey_commune"' in sql for sql in queries) == 1


def test_a_new_submission_reads_nothing_it_has_cached_and_no_uuid_first(
    interviewer_client: Client, payload: dict[str, Any]
) -> None:
    post(interviewer_client, payload, uuid.uuid4())  # fills the caches

    queries = queries_of(interviewer_client, payload, uuid.uuid4())

    assert len(queries) <= NEW, "\n".join(queries)
    # No read of the uuid before the insert (the tallies' INSERT … SELECT reads the new
    # response's answers, which is not a lookup).
    reads = [sql for sql in queries if sql.lstrip().upper().startswith("SELECT")]
    assert not any('FROM "survey_response"' in sql for sql in reads)
    assert not any('FROM "survey_commune"' in sql for sql in queries)
    assert sum(sql.startswith('INSERT INTO "survey_answer"') for sql in queries) == 1


def test_a_replay_costs_a_refused_insert_and_one_read(
    interviewer_client: Client, payload: dict[str, Any]
) -> None:
    same = uuid.uuid4()
    post(interviewer_client, payload, same)
    rows = (Response.objects.count(), Answer.objects.count())

    queries = queries_of(interviewer_client, payload, same)

    assert len(queries) <= REPLAY, "\n".join(queries)
    assert (Response.objects.count(), Answer.objects.count()) == rows
