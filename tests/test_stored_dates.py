"""Defence in depth: whatever moment a row holds (written by SQL at the extremes the
database accepts), no page, export, report or command fails because of it."""

from __future__ import annotations

import datetime
import io
import traceback
import uuid
import zipfile
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from mystery.models import MysteryCall, MysteryEmail
from reports.audit import evidence
from survey.models import Campaign, Organisation
from survey.services.responses import QuestionnaireSpec, Submission, submit_response

from .factories import EmailThemeFactory, MysteryServiceFactory, SiteFactory
from .helpers import open_canonical_campaign
from .helpers_answers import complete_answers

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=2))
AT = datetime.datetime(2016, 10, 4, 10, 0, tzinfo=PARIS)

# The extremes each database accepts: PostgreSQL's timestamptz reaches year 294276 and
# 4713 BC (and infinity), which psycopg2 cannot read; SQLite stores any text.
EXTREMES = {
    "postgresql": [
        ("4713-01-01 00:00:00+00 BC", "294276-12-31 23:59:59+00"),
        ("0001-01-01 00:00:00+00", "10000-01-01 00:00:00+00"),
        ("-infinity", "infinity"),
        ("0001-01-01 00:00:00+00", "9999-12-31 23:59:59+00"),
    ],
    "sqlite": [
        ("0000-01-01 00:00:00", "10000-01-01 00:00:00"),
        ("0001-01-01 00:00:00", "9999-12-31 23:59:59"),
        ("-0001-01-01 00:00:00", "294276-12-31 23:59:59"),
        ("n'importe quoi", "n'importe quoi"),
    ],
}


def extremes() -> list[tuple[str, str]]:
    return EXTREMES[connection.vendor]


def write(table: str, **moments: str) -> None:
    """Set moments of every row of ``table`` by SQL, past the model's checks."""
    assignments = ", ".join(f"{column} = %s" for column in moments)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments}", list(moments.values()))


@pytest.fixture
def campaign(organisation: Organisation) -> Campaign:
    """A campaign with one questionnaire, one mystery call and one e-mail, all valid."""
    campaign = open_canonical_campaign(organisation)
    hall = campaign.questionnaires.get(channel="hall")
    submit_response(
        Submission(
            uuid=uuid.uuid4(),
            questionnaire=hall,
            site=SiteFactory(organisation=organisation),
            answers=complete_answers(QuestionnaireSpec.load(hall)),
            started_at=AT,
            submitted_at=AT,
        )
    )
    MysteryCall.objects.create(
        campaign=campaign,
        service=MysteryServiceFactory(organisation=organisation),
        called_at=AT,
        outcome="no_answer",
    )
    MysteryEmail.objects.create(
        campaign=campaign,
        theme=EmailThemeFactory(organisation=organisation),
        sent_at=AT,
        answered_at=AT,
        answer_content_ok=True,
        answer_form_ok=True,
    )
    return campaign


def spoil(low: str, high: str) -> None:
    write("survey_response", started_at=low, submitted_at=high, received_at=high)
    write("mystery_mysterycall", called_at=low)
    write("mystery_mysteryemail", sent_at=low, answered_at=high, acknowledged_at=high)


def pages(campaign: Campaign) -> list[str]:
    hall = campaign.questionnaires.get(channel="hall")
    return [
        reverse("survey:response_list", args=[campaign.pk]),
        reverse("survey:export", args=[hall.pk, "csv"]),
        reverse("survey:export", args=[hall.pk, "xlsx"]),
        reverse("survey:campaign_detail", args=[campaign.pk]),
        reverse("reports:campaign_dashboard", args=[campaign.pk]),
        reverse("audit:report_preview", args=[campaign.pk]),
        reverse("mystery:tables", args=[campaign.pk]),
        reverse("mystery:call_list", args=[campaign.pk]),
        reverse("mystery:email_list", args=[campaign.pk]),
        reverse("mystery:calls_export", args=[campaign.pk, "csv"]),
        reverse("mystery:calls_export", args=[campaign.pk, "xlsx"]),
        reverse("mystery:emails_export", args=[campaign.pk, "csv"]),
        reverse("mystery:emails_export", args=[campaign.pk, "xlsx"]),
    ]


def where(error: Exception) -> str:
    """The error and the project's line that raised it, to tell the failures apart."""
    frames = [
        f"{frame.f_code.co_filename.rsplit('/', 2)[-2:]}:{line}"
        for frame, line in traceback.walk_tb(error.__traceback__)
        if "site-packages" not in frame.f_code.co_filename
    ]
    return f"{error!r} at {frames[-1] if frames else '?'}"


def read_whole(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


@pytest.mark.parametrize("index", range(4))
def test_no_page_or_export_fails_on_a_stored_moment(
    campaign: Campaign, manager_client: Client, index: int
) -> None:
    spoil(*extremes()[index])
    failed = []
    for url in pages(campaign):
        try:
            response = manager_client.get(url)
            read_whole(response)
        except Exception as error:
            failed.append((url, where(error)))
            continue
        if response.status_code != 200:
            failed.append((url, response.status_code))
    assert not failed, "\n".join(map(str, failed))


@pytest.mark.parametrize("index", range(4))
def test_the_tallies_check_does_not_fail_on_a_stored_moment(campaign: Campaign, index: int) -> None:
    spoil(*extremes()[index])
    out = io.StringIO()

    call_command("rebuild_tallies", stdout=out)
    call_command("rebuild_tallies", "--check", stdout=out)

    assert "diffèrent" not in out.getvalue()


@pytest.mark.parametrize("index", range(4))
def test_a_moment_beyond_reading_is_shown_as_an_invalid_date(
    campaign: Campaign, manager_client: Client, index: int
) -> None:
    spoil(*extremes()[index])
    hall = campaign.questionnaires.get(channel="hall")

    for url in [
        reverse("survey:response_list", args=[campaign.pk]),
        reverse("mystery:call_list", args=[campaign.pk]),
        reverse("mystery:email_list", args=[campaign.pk]),
        reverse("survey:export", args=[hall.pk, "csv"]),
        reverse("mystery:emails_export", args=[campaign.pk, "csv"]),
    ]:
        assert "date invalide" in read_whole(manager_client.get(url)).decode(), url


def test_the_pdf_and_the_evidence_pack_are_produced_whatever_a_row_holds(
    campaign: Campaign, manager_client: Client
) -> None:
    """The heavy cases, on the widest extremes of the database only."""
    spoil(*extremes()[0])

    pdf = manager_client.get(reverse("audit:report_pdf", args=[campaign.pk]))
    campaign.close()
    pack = evidence.build_pack(campaign)

    assert pdf.status_code == 200
    assert pdf.content[:5] == b"%PDF-"
    responses = zipfile.ZipFile(io.BytesIO(pack)).read("reponses/questionnaires-2016-hall.csv")
    assert "date invalide" in responses.decode("utf-8-sig")
