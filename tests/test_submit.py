"""Submitting a questionnaire: the server mirrors the skip logic and stores it exactly once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse

from survey.communes import known_insee_codes
from survey.models import Answer, Commune, Organisation, Questionnaire, Response
from survey.services.responses import QuestionnaireSpec, submit_response

from .helpers import client_for, open_canonical_campaign, payload_for, post, submission
from .helpers_answers import complete_answers

pytestmark = pytest.mark.django_db


def test_a_complete_questionnaire_is_stored_with_one_row_per_answer(hall: Questionnaire) -> None:
    spec = QuestionnaireSpec.load(hall)
    answers = complete_answers(spec)

    response, created = submit_response(submission(hall, answers))

    assert created
    expected_rows = sum(len(v) if isinstance(v, list) else 1 for v in answers.values())
    assert response.answers.count() == expected_rows
    assert response.answers.get(question__code="profil_commune").commune_id == "16015"
    assert response.channel == "hall"


def test_an_answer_to_a_question_whose_condition_is_not_met_is_refused(
    hall: Questionnaire,
) -> None:
    spec = QuestionnaireSpec.load(hall)
    answers = complete_answers(spec)
    answers["info_renseigne"] = "non"  # Q7 is asked only if Q6 = oui

    with pytest.raises(ValidationError) as caught:
        submit_response(submission(hall, answers))

    assert "n'est posée que si" in caught.value.message_dict["info_source"][0]
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0


def test_a_question_not_asked_may_stay_unanswered_even_if_required(hall: Questionnaire) -> None:
    spec = QuestionnaireSpec.load(hall)
    answers = complete_answers(spec)
    answers["info_renseigne"] = "non"
    del answers["info_source"]

    _, created = submit_response(submission(hall, answers))

    assert created


def test_a_missing_required_answer_is_refused_in_french(hall: Questionnaire) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    del answers["profil_statut"]

    with pytest.raises(ValidationError) as caught:
        submit_response(submission(hall, answers))

    assert caught.value.message_dict["profil_statut"] == ["Q1 : réponse obligatoire."]


def test_a_choice_of_another_question_is_refused(hall: Questionnaire) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    answers["profil_statut"] = "tres_satisfaisant"

    with pytest.raises(ValidationError) as caught:
        submit_response(submission(hall, answers))

    assert "n'est pas un choix de Q1" in caught.value.message_dict["profil_statut"][0]


def test_an_unknown_commune_is_refused_but_one_outside_the_departement_is_kept(
    hall: Questionnaire,
) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    answers["profil_commune"] = {"insee": "99999"}
    with pytest.raises(ValidationError) as caught:
        submit_response(submission(hall, answers))
    assert "Commune inconnue" in caught.value.message_dict["profil_commune"][0]

    answers["profil_commune"] = {"outside": "Bordeaux"}
    response, _ = submit_response(submission(hall, answers))
    assert response.answers.get(question__code="profil_commune").text == "Bordeaux"


def test_an_unknown_question_code_is_refused(hall: Questionnaire) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    answers["q_inventee"] = "oui"

    with pytest.raises(ValidationError, match="q_inventee"):
        submit_response(submission(hall, answers))


def test_a_closed_campaign_refuses_the_questionnaire(hall: Questionnaire) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    hall.campaign.close()

    with pytest.raises(ValidationError, match="clôturée"):
        submit_response(submission(hall, answers))
    assert Response.objects.count() == 0


def test_a_resubmission_returns_the_stored_response_and_creates_nothing(
    hall: Questionnaire,
) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    first = submission(hall, answers)
    stored, _ = submit_response(first)
    rows = Answer.objects.count()

    again, created = submit_response(first)

    assert not created
    assert again.pk == stored.pk
    assert (Response.objects.count(), Answer.objects.count()) == (1, rows)


def test_a_replay_with_another_payload_returns_the_stored_response(hall: Questionnaire) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    first = submission(hall, answers)
    stored, _ = submit_response(first)
    rows = Answer.objects.count()
    changed = {code: value for code, value in answers.items() if code != "profil_statut"}

    again, created = submit_response(submission(hall, changed, uuid=first.uuid, site=first.site))

    assert (again.pk, created) == (stored.pk, False)
    assert (Response.objects.count(), Answer.objects.count()) == (1, rows)


def test_a_replay_after_the_campaign_closed_returns_the_stored_response(
    hall: Questionnaire,
) -> None:
    first = submission(hall, complete_answers(QuestionnaireSpec.load(hall)))
    stored, _ = submit_response(first)
    hall.campaign.close()

    again, created = submit_response(first)

    assert (again.pk, created) == (stored.pk, False)


def test_an_insert_refused_for_another_reason_than_the_uuid_is_not_a_replay(
    hall: Questionnaire, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    submit_response(submission(hall, answers))  # the commune code is now known

    def refused(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("violates foreign key constraint")

    monkeypatch.setattr(Answer.objects, "bulk_create", refused)
    with pytest.raises(IntegrityError):
        submit_response(submission(hall, answers))

    assert Response.objects.count() == 1
    with django_assert_num_queries(1):  # the communes are read again
        assert known_insee_codes({"16015"}) == {"16015"}


def test_known_communes_follow_additions_and_deletions(hall: Questionnaire) -> None:
    assert known_insee_codes({"16015", "16999"}) == {"16015"}  # unknown codes are not kept
    commune = Commune.objects.create(insee_code="16999", name="Nouvelle", departement_code="16")
    assert known_insee_codes({"16999"}) == {"16999"}

    commune.delete()

    assert known_insee_codes({"16999"}) == set()


def test_a_uuid_taken_by_another_questionnaire_is_refused(hall: Questionnaire) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    stored, _ = submit_response(submission(hall, answers))
    phone = hall.campaign.questionnaires.get(channel="phone")

    with pytest.raises(ValidationError, match="déjà pris"):
        submit_response(submission(phone, {}, uuid=stored.uuid, site=stored.site))


# --- the HTTP endpoint -----------------------------------------------------------------


def test_the_endpoint_answers_201_then_200_for_the_same_uuid(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    payload = payload_for(hall)

    first = post(interviewer_client, payload)
    second = post(interviewer_client, payload)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["created"] is False
    response = Response.objects.get()
    assert response.interviewer == interviewer_client.user  # type: ignore[attr-defined]
    assert response.device_id == "tablette-1"
    assert response.started_at is not None
    assert response.started_at.hour == 7


def test_the_endpoint_lists_errors_by_question_in_french(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    payload = payload_for(hall)
    del payload["answers"]["profil_statut"]
    payload["answers"]["profil_motif"] = "inconnu"

    response = post(interviewer_client, payload)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["profil_statut"] == ["Q1 : réponse obligatoire."]
    assert "n'est pas un choix" in errors["profil_motif"][0]
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("pas du json", "__all__"),
        ("[]", "__all__"),
        ('{"uuid": "x"}', "uuid"),
    ],
)
def test_unreadable_requests_get_a_french_error(
    body: str, key: str, interviewer_client: Client
) -> None:
    response = interviewer_client.post(
        reverse("survey:api_submit"), body, content_type="application/json"
    )

    assert response.status_code == 400
    assert key in response.json()["errors"]


def test_a_start_after_the_submission_is_refused(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    payload = payload_for(hall, started_at="2016-10-10T10:00:00+02:00")

    response = post(interviewer_client, payload)

    assert response.status_code == 400
    assert "postérieure" in response.json()["errors"]["__all__"][0]


def test_another_organisations_questionnaire_or_site_is_a_404(
    hall: Questionnaire, other_organisation: Organisation
) -> None:
    stranger = client_for("interviewer", other_organisation)

    assert post(stranger, payload_for(hall)).status_code == 404
    assert Response.objects.count() == 0


def test_staff_cannot_submit_questionnaires(hall: Questionnaire, staff_client: Client) -> None:
    assert post(staff_client, payload_for(hall)).status_code == 403


def test_the_definition_endpoint_gives_sections_questions_and_conditions(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    data = interviewer_client.get(reverse("survey:api_questionnaire", args=[hall.pk])).json()

    questions = {q["code"]: q for s in data["sections"] for q in s["questions"]}
    assert data["channel"] == "hall"
    assert questions["info_source"]["condition"] == {"question": "info_renseigne", "codes": ["oui"]}
    assert [c["code"] for c in questions["hall_satisfaction_globale"]["choices"]][:2] == [
        "tres_satisfaisant",
        "satisfaisant",
    ]


def test_the_communes_endpoint_gives_the_departements_communes(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    data = interviewer_client.get(reverse("survey:api_communes")).json()

    assert data["departement"] == "16"
    assert len(data["communes"]) == 359
    assert {"insee": "16015", "name": "Angoulême", "search": "angouleme"} in data["communes"]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_uuid_store_one_questionnaire(
    organisation: Organisation,
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL (run in CI)")
    campaign = open_canonical_campaign(organisation)
    hall = Questionnaire.objects.select_related("campaign").get(campaign=campaign, channel="hall")
    spec = QuestionnaireSpec.load(hall)
    same = submission(hall, complete_answers(spec))
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def submit() -> None:
        barrier.wait()
        try:
            results.append(submit_response(same, spec=spec)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, False, False, True]
    assert Response.objects.filter(uuid=same.uuid).count() == 1


def test_a_change_to_the_questionnaire_is_seen_by_the_next_submission(
    hall: Questionnaire,
) -> None:
    answers = complete_answers(QuestionnaireSpec.load(hall))
    submit_response(submission(hall, answers))  # caches this revision
    question = hall.questions.get(code="profil_statut")
    question.required = False
    question.save()
    hall.refresh_from_db()
    del answers["profil_statut"]

    _, created = submit_response(submission(hall, answers))

    assert created
    assert hall.revision > 0


def test_a_cached_questionnaire_costs_no_query_to_read_again(
    hall: Questionnaire, django_assert_num_queries: Any
) -> None:
    first = QuestionnaireSpec.cached(hall)

    with django_assert_num_queries(0):
        again = QuestionnaireSpec.cached(hall)

    assert again is first
