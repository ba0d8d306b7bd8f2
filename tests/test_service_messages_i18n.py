"""The services' error messages follow the user's language: French by default, English on
request (the msgids are French, tests/test_i18n.py checks the catalogue)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from survey.models import Questionnaire, Response, Site
from survey.services.corrections import void_response
from survey.services.exchange import import_responses
from survey.services.responses import QuestionnaireSpec, build_answers, submit_response
from survey.spreadsheet_files import read_table
from survey.spreadsheets import ImportRefused, RowError, write_csv

from .factories import UserFactory
from .helpers import payload_for, submission
from .helpers_answers import cells, complete_answers

pytestmark = pytest.mark.django_db


def missing_required_answer(hall: Questionnaire) -> dict[str, list[str]]:
    spec = QuestionnaireSpec.load(hall)
    answers = complete_answers(spec)
    del answers["profil_statut"]
    answers["profil_motif"] = "inconnu"
    with pytest.raises(ValidationError) as caught:
        build_answers(spec, answers)
    return caught.value.message_dict


# --- submitting ----------------------------------------------------------------------------


def test_a_missing_required_answer_is_reported_in_english_under_english(
    hall: Questionnaire,
) -> None:
    with translation.override("en"):
        errors = missing_required_answer(hall)

    assert errors["profil_statut"] == ["Q1: answer required."]
    assert errors["profil_motif"][0].startswith("“inconnu” is not a choice of Q")
    assert "Possible choices: " in errors["profil_motif"][0]


def test_a_missing_required_answer_is_reported_in_french_under_french(
    hall: Questionnaire,
) -> None:
    with translation.override("fr"):
        errors = missing_required_answer(hall)

    assert errors["profil_statut"] == ["Q1 : réponse obligatoire."]
    assert errors["profil_motif"][0].startswith("« inconnu » n'est pas un choix de Q")


def test_an_unknown_question_and_an_unknown_commune_are_reported_in_english(
    hall: Questionnaire,
) -> None:
    spec = QuestionnaireSpec.load(hall)
    answers = complete_answers(spec) | {"pas_une_question": "oui"}
    answers["profil_commune"] = {"insee": "99999"}

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        build_answers(spec, answers)

    errors = caught.value.message_dict
    assert errors["__all__"] == ["Unknown question in this questionnaire: pas_une_question."]
    assert errors["profil_commune"][0].startswith("Unknown municipality (INSEE code 99999).")


def test_the_api_answers_in_the_language_the_user_chose(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    payload = payload_for(hall)
    del payload["answers"]["profil_statut"]
    url = reverse("survey:api_submit")

    french = interviewer_client.post(url, json.dumps(payload), content_type="application/json")
    interviewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = interviewer_client.post(url, json.dumps(payload), content_type="application/json")
    unreadable = interviewer_client.post(url, "pas du json", content_type="application/json")

    assert (french.status_code, english.status_code) == (400, 400)
    assert french.json()["errors"]["profil_statut"] == ["Q1 : réponse obligatoire."]
    assert english.json()["errors"]["profil_statut"] == ["Q1: answer required."]
    assert unreadable.json()["errors"]["__all__"] == [
        "Unreadable request: a JSON object is expected."
    ]
    assert Response.objects.count() == 0


# --- importing -----------------------------------------------------------------------------


def bad_csv_rows(hall: Questionnaire, site: Site) -> list[dict[str, str]]:
    """A CSV file read back: line 2 names an unknown site, line 3 gives a wrong choice."""
    answers = cells(complete_answers(QuestionnaireSpec.load(hall)))
    rows = [{"uuid": "", "site": site.name, "recueilli_le": "2016-10-10", **answers} for _ in "ab"]
    rows[0]["site"] = "Sous-préfecture inconnue"
    rows[1]["hall_courtoisie"] = "peu"
    header = list(rows[0])
    data = write_csv(header, [[row[column] for column in header] for row in rows])
    return read_table(SimpleUploadedFile("questionnaires.csv", data))


def refused_import(hall: Questionnaire, site: Site, language: str) -> list[tuple[int, str, str]]:
    rows = bad_csv_rows(hall, site)
    user: User = UserFactory()
    with translation.override(language), pytest.raises(ImportRefused) as refused:
        import_responses(hall, rows, user=user)
    return [(error.line, error.column, error.message) for error in refused.value.row_errors]


def test_a_bad_csv_row_is_reported_in_english_under_english(
    hall: Questionnaire, site: Site
) -> None:
    (site_error, choice_error) = refused_import(hall, site, "en")

    assert site_error == (2, "site", "“Sous-préfecture inconnue” is not a site of the organisation")
    assert choice_error[:2] == (3, "hall_courtoisie")
    assert choice_error[2].startswith("“peu” is not a choice of Q12. Possible choices: ")
    assert Response.objects.count() == 0


def test_a_bad_csv_row_is_reported_in_french_under_french(hall: Questionnaire, site: Site) -> None:
    (site_error, choice_error) = refused_import(hall, site, "fr")

    assert site_error == (
        2,
        "site",
        "« Sous-préfecture inconnue » n'est pas un site de l'organisation",
    )
    assert choice_error[2].startswith("« peu » n'est pas un choix de Q12. Choix possibles : ")


def test_an_empty_file_is_refused_in_english_under_english(hall: Questionnaire) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        import_responses(hall, [{"site": " "}], user=UserFactory())

    assert caught.value.messages == ["The file does not contain any questionnaire."]


@pytest.mark.parametrize(
    ("name", "content", "english", "french"),
    [
        ("vide.csv", b"", "The file is empty.", "Le fichier est vide."),
        ("notes.txt", b"x", "Unsupported format (.txt)", "Format non pris en charge (.txt)"),
        ("double.csv", b"site;site\n1;2\n", "Duplicate columns: site.", "Colonnes en double"),
        ("abime.xlsx", b"PK\x03\x04", "Unreadable file", "Fichier illisible"),
    ],
)
def test_an_unreadable_file_is_refused_in_the_user_s_language(
    name: str, content: bytes, english: str, french: str
) -> None:
    for language, expected in (("en", english), ("fr", french)):
        with translation.override(language), pytest.raises(ValidationError) as caught:
            read_table(SimpleUploadedFile(name, content))
        assert caught.value.messages[0].startswith(expected)


def test_a_row_error_says_where_in_the_user_s_language() -> None:
    error = RowError(3, "site", "inconnu")

    with translation.override("en"):
        assert str(error) == "line 3, column site: inconnu"
        assert str(RowError(4, "", "vide")) == "line 4: vide"
    with translation.override("fr"):
        assert str(error) == "ligne 3, colonne site : inconnu"


# --- correcting ----------------------------------------------------------------------------


def test_voiding_without_a_reason_is_refused_in_english_under_english(
    hall: Questionnaire, site: Site
) -> None:
    response, _ = submit_response(
        submission(hall, complete_answers(QuestionnaireSpec.load(hall)), site=site)
    )
    user: Any = UserFactory()

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        void_response(response, user=user, reason=" ")
    assert caught.value.message_dict["reason"] == ["Give the reason for voiding the questionnaire."]

    void_response(response, user=user, reason="Doublon")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        void_response(response, user=user, reason="Doublon")
    assert caught.value.message_dict["__all__"] == ["This questionnaire has already been voided."]
