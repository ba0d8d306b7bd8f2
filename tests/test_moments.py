"""Every entry path refuses a moment that cannot belong to the campaign, in French, with
the range allowed in Paris time, and stores nothing: the submission API (tablet, phone,
paper), the service under it, the responses import, the mystery forms and import."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mystery.exchange_calls import import_calls
from mystery.exchange_emails import import_emails
from mystery.models import MysteryCall, MysteryEmail
from survey.models import Campaign, CampaignStatus, Organisation, Questionnaire, Response
from survey.services.exchange import import_responses
from survey.services.responses import QuestionnaireSpec, submit_response
from survey.spreadsheet_files import read_table
from survey.spreadsheets import ImportRefused

from .factories import CampaignFactory, EmailThemeFactory, MysteryServiceFactory
from .helpers import open_canonical_campaign, payload_for, post, submission, text, upload
from .helpers_answers import cells, complete_answers
from .helpers_mystery import call_row, email_data, email_row, reached_call, rows_of
from .helpers_mystery import upload as mystery_upload

pytestmark = pytest.mark.django_db

# ``hall`` (tests/conftest.py): the hall questionnaire of a campaign from 3 to 14 October 2016
# (grace: 15 days).


# --- the submission API and the service under it ------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("submitted_at", "9999-12-31T23:59:59-14:00"),  # year 10000 once in UTC
        ("started_at", "0001-01-01T00:00:00+14:00"),  # year 0 once in UTC
        ("started_at", "2001-10-10T09:00:00+02:00"),
        ("started_at", "2090-10-10T09:00:00+02:00"),
        ("started_at", "2016-10-02T23:59:00+02:00"),  # the eve of the first day
        ("started_at", "2016-10-30T00:00:00+02:00"),  # the day after the grace
        ("submitted_at", "2016-09-30T09:00:00+02:00"),
    ],
)
def test_the_api_refuses_a_moment_outside_the_campaign(
    hall: Questionnaire, interviewer_client: Client, field: str, value: str
) -> None:
    payload = payload_for(hall, **{field: value})
    if field == "started_at":
        payload["submitted_at"] = None

    response = post(interviewer_client, payload)

    assert response.status_code == 400
    message = response.json()["errors"][field][0]
    if value.startswith(("0001", "9999")):
        # No UTC form at all: refused as it is read, before the campaign's period is asked.
        assert "hors des limites du calendrier" in message
    else:
        assert "heure de Paris" in message
    assert not Response.objects.exists()


def test_the_message_gives_the_range_allowed_in_paris_time(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    response = post(interviewer_client, payload_for(hall, started_at="2001-10-10T09:00:00+02:00"))

    assert response.json()["errors"]["started_at"] == [
        "Le début du questionnaire (10/10/2001 09:00) est hors de la période permise : "
        "du 03/10/2016 00:00 au 29/10/2016 23:59, heure de Paris."
    ]


def test_a_questionnaire_started_within_the_grace_is_accepted(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    payload = payload_for(
        hall, started_at="2016-10-29T23:30:00+02:00", submitted_at="2016-10-29T23:45:00+02:00"
    )

    assert post(interviewer_client, payload).status_code == 201


def test_the_grace_is_the_campaigns(hall: Questionnaire, interviewer_client: Client) -> None:
    Campaign.objects.filter(pk=hall.campaign_id).update(late_entry_grace_days=0)
    hall.refresh_from_db()

    response = post(interviewer_client, payload_for(hall, started_at="2016-10-15T09:00+02:00"))

    assert response.status_code == 400
    assert "au 14/10/2016 23:59" in response.json()["errors"]["started_at"][0]


def test_paper_entry_by_the_quality_manager_is_held_to_the_same_rule(
    hall: Questionnaire, manager_client: Client
) -> None:
    payload = payload_for(hall, mode="paper", started_at="2061-10-10T09:00:00+02:00")

    response = post(manager_client, payload)

    assert response.status_code == 400
    assert "hors de la période permise" in response.json()["errors"]["started_at"][0]
    assert not Response.objects.exists()


@pytest.fixture
def current(organisation: Organisation) -> Questionnaire:
    """The hall questionnaire of a campaign running today."""
    today = timezone.localdate()
    campaign = open_canonical_campaign(organisation, today.year)
    Campaign.objects.filter(pk=campaign.pk).update(
        start_date=today - datetime.timedelta(days=10), end_date=today + datetime.timedelta(days=10)
    )
    campaign.refresh_from_db()
    return campaign.questionnaires.get(channel="hall")


@pytest.mark.parametrize(("minutes", "accepted"), [(2, True), (10, False)])
def test_a_moment_in_the_future_is_refused_beyond_the_clock_skew(
    current: Questionnaire, minutes: int, accepted: bool
) -> None:
    ahead = timezone.now() + datetime.timedelta(minutes=minutes)
    answers = complete_answers(QuestionnaireSpec.load(current))

    if accepted:
        _, created = submit_response(submission(current, answers, submitted_at=ahead))
        assert created
    else:
        with pytest.raises(ValidationError) as refused:
            submit_response(submission(current, answers, started_at=ahead, submitted_at=ahead))
        assert set(refused.value.message_dict) == {"started_at", "submitted_at"}
        assert "dans le futur" in refused.value.message_dict["submitted_at"][0]
        assert not Response.objects.exists()


def test_the_clock_skew_is_a_setting(current: Questionnaire, settings: Any) -> None:
    settings.ENTRY_CLOCK_SKEW_MINUTES = 30
    ahead = timezone.now() + datetime.timedelta(minutes=10)
    answers = complete_answers(QuestionnaireSpec.load(current))

    _, created = submit_response(submission(current, answers, submitted_at=ahead))

    assert created


def test_a_new_response_saved_by_any_other_path_is_checked_too(hall: Questionnaire) -> None:
    response = Response(
        uuid=uuid.uuid4(),
        questionnaire=hall,
        site=submission(hall, {}).site,
        started_at=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
    )

    with pytest.raises(ValidationError):
        response.save()
    assert not Response.objects.exists()


# --- the responses import ------------------------------------------------------------------


def test_the_import_refuses_a_row_outside_the_campaign_and_imports_nothing(
    hall: Questionnaire, manager_client: Client
) -> None:
    answers = cells(complete_answers(QuestionnaireSpec.load(hall)))
    site = submission(hall, {}).site
    rows = [
        {"site": site.name, "recueilli_le": "2016-10-10", **answers},
        {"site": site.name, "recueilli_le": "0001-01-01T00:00:00+14:00", **answers},
        {"site": site.name, "envoye_le": "2090-01-01T09:00", **answers},
    ]

    with pytest.raises(ImportRefused) as refused:
        import_responses(
            hall,
            read_table(upload(rows)),
            user=manager_client.user,  # type: ignore[attr-defined]
        )

    where = {(error.line, error.column) for error in refused.value.row_errors}
    assert where == {(3, "recueilli_le"), (4, "envoye_le")}
    assert "heure de Paris" in refused.value.row_errors[0].message
    assert not Response.objects.exists()


# --- mystery calls and e-mails -------------------------------------------------------------


@pytest.fixture
def mystery_campaign(organisation: Organisation) -> Campaign:
    return CampaignFactory(organisation=organisation, year=2016, status=CampaignStatus.OPEN)


@pytest.mark.parametrize("called_at", ["0001-01-01T00:00", "2001-10-04T10:15", "2090-10-04T10:15"])
def test_the_call_form_refuses_a_moment_outside_the_campaigns_year(
    staff_client: Client, mystery_campaign: Campaign, organisation: Organisation, called_at: str
) -> None:
    service = MysteryServiceFactory(organisation=organisation)

    response = staff_client.post(
        reverse("mystery:call_create", args=[mystery_campaign.pk]),
        reached_call(service, called_at=called_at),
    )

    assert response.status_code == 400
    assert (
        # Year 1 at midnight in Paris has no UTC form: the field refuses it first.
        "Date hors des limites du calendrier."
        if called_at.startswith("0001")
        else "est hors de la période permise : du 01/01/2016 00:00 au 31/12/2016 23:59, "
        "heure de Paris"
    ) in text(response)
    assert not MysteryCall.objects.exists()


def test_a_call_late_in_the_year_is_accepted(
    staff_client: Client, mystery_campaign: Campaign, organisation: Organisation
) -> None:
    service = MysteryServiceFactory(organisation=organisation)

    response = staff_client.post(
        reverse("mystery:call_create", args=[mystery_campaign.pk]),
        reached_call(service, called_at="2016-12-31T23:00"),
    )

    assert response.status_code == 302
    assert MysteryCall.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"sent_at": "0001-01-01T00:00"}, "Date hors des limites du calendrier."),
        ({"sent_at": "2001-10-04T10:15"}, "L'envoi du courriel (04/10/2001"),
        (
            {"answered_at": "2999-10-07T15:00"},
            "La réponse (07/10/2999 15:00) est dans le futur",
        ),
    ],
)
def test_the_email_form_refuses_a_moment_outside_the_campaign_or_in_the_future(
    staff_client: Client,
    mystery_campaign: Campaign,
    organisation: Organisation,
    overrides: dict[str, str],
    field_message: str,
) -> None:
    theme = EmailThemeFactory(organisation=organisation)

    response = staff_client.post(
        reverse("mystery:email_create", args=[mystery_campaign.pk]),
        email_data(theme, **overrides),
    )

    assert response.status_code == 400
    assert field_message in text(response)
    assert not MysteryEmail.objects.exists()


@pytest.mark.parametrize(
    ("kind", "row", "column"),
    [
        ("call", call_row(appele_le="01/01/2001 10:00"), "appele_le"),
        (
            "email",
            email_row(
                envoye_le="9999-12-31T23:59:59-14:00",
                reponse_le="",
                reponse_fond="",
                reponse_forme="",
            ),
            "envoye_le",
        ),
    ],
)
def test_the_mystery_import_refuses_a_moment_outside_the_campaign(
    organisation: Organisation,
    mystery_campaign: Campaign,
    manager_client: Client,
    kind: str,
    row: dict[str, str],
    column: str,
) -> None:
    MysteryServiceFactory(organisation=organisation, name="Accueil général")
    EmailThemeFactory(organisation=organisation, name="Titres de séjour")
    header, values = rows_of(row, row)
    importer: Any = import_calls if kind == "call" else import_emails

    with pytest.raises(ImportRefused) as refused:
        importer(
            mystery_campaign,
            read_table(mystery_upload(header, values)),
            user=manager_client.user,  # type: ignore[attr-defined]
        )

    errors = refused.value.row_errors
    assert [(e.line, e.column) for e in errors] == [(2, column)]
    assert "heure de Paris" in errors[0].message
    assert not MysteryCall.objects.exists()
    assert not MysteryEmail.objects.exists()


# --- the grace, seen and set by the quality manager ----------------------------------------


def test_the_quality_manager_sees_and_sets_the_grace(
    manager_client: Client, organisation: Organisation
) -> None:
    form = manager_client.get(reverse("survey:campaign_create"))
    assert "délai de saisie après la fin" in text(form).lower()

    created = manager_client.post(
        reverse("survey:campaign_create"),
        {
            "year": "2016",
            "title": "Enquête 2016",
            "start_date": "2016-10-03",
            "end_date": "2016-10-14",
            "objective": "75",
            "orange_band": "5",
            "late_entry_grace_days": "7",
            "questionnaires_from": "none",
        },
    )

    campaign = Campaign.objects.get()
    assert created.status_code == 302
    assert campaign.late_entry_grace_days == 7
    page = manager_client.get(reverse("survey:campaign_detail", args=[campaign.pk]))
    assert "jusqu'au 21 octobre 2016" in text(page)


def test_the_refusal_is_in_english_when_the_user_chose_it(hall: Questionnaire) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    started = datetime.datetime(2001, 10, 10, 9, tzinfo=datetime.UTC)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        submit_response(submission(hall, answers, started_at=started))

    assert refused.value.message_dict["started_at"] == [
        "The start of the questionnaire (10/10/2001 11:00) is outside the allowed period: "
        "from 03/10/2016 00:00 to 29/10/2016 23:59, Paris time."
    ]


def test_the_quality_manager_changes_the_grace_of_a_campaign_on_its_page(
    manager_client: Client, staff_client: Client, hall: Questionnaire
) -> None:
    url = reverse("survey:campaign_grace", args=[hall.campaign_id])

    refused = staff_client.post(url, {"late_entry_grace_days": "30"})
    hall.campaign.refresh_from_db()
    assert hall.campaign.late_entry_grace_days == 15  # the default, not the staff's
    invalid = manager_client.post(url, {"late_entry_grace_days": "-1"}, follow=True)
    changed = manager_client.post(url, {"late_entry_grace_days": "30"}, follow=True)

    assert refused.status_code in {302, 403, 404}
    assert "supérieure ou égale à 0" in text(invalid)
    assert "Délai de saisie enregistré : 30 jours" in text(changed)
    assert "jusqu'au 13 novembre 2016" in text(changed)
    hall.campaign.refresh_from_db()
    assert hall.campaign.late_entry_grace_days == 30


def test_a_grace_of_one_day_is_said_in_the_singular(
    manager_client: Client, hall: Questionnaire
) -> None:
    url = reverse("survey:campaign_grace", args=[hall.campaign_id])

    changed = manager_client.post(url, {"late_entry_grace_days": "1"}, follow=True)

    assert "Délai de saisie enregistré : 1 jour après la fin" in text(changed)
