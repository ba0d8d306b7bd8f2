"""The quality manager corrects, voids and restores filled questionnaires; the history keeps
who did it, when, why, and the answers before and after."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from survey.forms_responses import REASON_FIELD
from survey.models import Answer, Organisation, Questionnaire, Response, Role
from survey.selectors import ChangeKind, ValueChange, response_history
from survey.services.corrections import correct_response, restore_response, void_response
from survey.services.responses import QuestionnaireSpec, submit_response

from .factories import ResponseFactory, SiteFactory, UserFactory
from .helpers import client_for, submission
from .helpers_answers import complete_answers

pytestmark = pytest.mark.django_db

PAGES = ["response_detail", "response_correct", "response_void", "response_restore"]


@pytest.fixture
def answers(hall: Questionnaire) -> dict[str, Any]:
    """'Un particulier', 'oui' to the filter, Internet and phone as sources, Angoulême."""
    values = complete_answers(QuestionnaireSpec.load(hall))
    values["info_source"] = ["internet", "telephone"]
    return values


@pytest.fixture
def filled(hall: Questionnaire, answers: dict[str, Any]) -> Response:
    response, _ = submit_response(submission(hall, answers))
    return response


def form_data(answers: dict[str, Any], reason: str = "Erreur de saisie") -> dict[str, Any]:
    """``answers`` (in the API's formats) as the correction form posts them."""
    data: dict[str, Any] = {REASON_FIELD: reason}
    for code, value in answers.items():
        if isinstance(value, dict):
            data[code] = value.get("insee") or f"hors:{value['outside']}"
        else:
            data[code] = value
    return data


def answer_rows(response: Response) -> set[tuple[int, str, str | None]]:
    return set(response.answers.values_list("pk", "question__code", "choice__code"))


# --- correcting -------------------------------------------------------------------------


def test_a_correction_replaces_only_the_corrected_answers(
    filled: Response, answers: dict[str, Any], organisation: Organisation
) -> None:
    manager = UserFactory()
    before = answer_rows(filled)

    correct_response(
        filled,
        {**answers, "profil_statut": "association"},
        user=manager,
        reason="Case mal lue sur le papier",
    )

    after = answer_rows(filled)
    assert {code for _, code, _ in before - after} == {"profil_statut"}
    assert {(code, choice) for _, code, choice in after - before} == {
        ("profil_statut", "association")
    }


def test_the_history_shows_who_when_why_and_the_answers_before_and_after(
    filled: Response, answers: dict[str, Any]
) -> None:
    manager = UserFactory(username="marie.qualite")

    correct_response(
        filled,
        {**answers, "profil_statut": "association", "info_source": ["internet", "mairie"]},
        user=manager,
        reason="Case mal lue sur le papier",
    )

    received, correction = response_history(filled)
    assert received.kind == ChangeKind.RECEIVED
    assert correction.kind == ChangeKind.CORRECTED
    assert correction.user == manager
    assert correction.reason == "Case mal lue sur le papier"
    assert correction.at >= received.at
    assert correction.values == [
        ValueChange("Q1 Vous êtes ?", ["Un particulier"], ["Une association"]),
        ValueChange(
            "Q7 Où avez-vous trouvé les informations sur les conditions d'accès ?",
            ["Sur Internet (site de la préfecture, service-public.fr…)", "Par téléphone"],
            ["Sur Internet (site de la préfecture, service-public.fr…)", "En mairie"],
        ),
    ]


def test_a_second_correction_starts_from_the_first_ones_answers(
    filled: Response, answers: dict[str, Any]
) -> None:
    manager = UserFactory()
    correct_response(filled, {**answers, "profil_statut": "association"}, user=manager, reason="1")
    correct_response(filled, {**answers, "profil_statut": "autre"}, user=manager, reason="2")

    first, second = response_history(filled)[1:]
    assert (first.values[0].before, first.values[0].after) == (
        ["Un particulier"],
        ["Une association"],
    )
    assert (second.values[0].before, second.values[0].after) == (["Une association"], ["Autre"])


def test_the_manager_corrects_through_the_form_and_reads_the_history(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    page = manager_client.get(reverse("survey:response_correct", args=[filled.pk]))
    assert page.status_code == 200
    assert page.context["form"]["profil_statut"].value() == "particulier"

    response = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]),
        form_data(
            {**answers, "profil_commune": {"outside": "Bordeaux"}}, reason="Commune mal saisie"
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("survey:response_detail", args=[filled.pk])
    assert filled.answers.get(question__code="profil_commune").text == "Bordeaux"
    detail = manager_client.get(response["Location"]).content.decode()
    assert "La correction est enregistrée." in detail
    assert "Correction des réponses" in detail
    assert manager_client.user.username in detail  # type: ignore[attr-defined]
    assert "Motif : Commune mal saisie" in detail
    assert "Angoulême (16015)" in detail
    assert "Bordeaux (hors du département)" in detail


def test_a_form_that_changes_no_answer_stores_nothing(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    response = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]), form_data(answers)
    )

    assert response.status_code == 200
    assert "Aucune réponse n&#x27;a été modifiée." in response.content.decode()
    assert len(response_history(filled)) == 1


# --- invalid corrections store nothing ----------------------------------------------------


def assert_nothing_stored(response: Response, rows: set[tuple[int, str, str | None]]) -> None:
    assert answer_rows(response) == rows
    assert not Answer.history.filter(response_id=response.pk).exists()


def test_an_answer_the_skip_logic_forbids_is_refused_beside_its_field(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    rows = answer_rows(filled)

    response = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]),
        form_data({**answers, "info_renseigne": "non"}),  # Q7 is asked only if Q6 = oui
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "La correction n'est pas enregistrée" in page
    assert 'id="id_info_source_error"' in page
    assert "Q7 n&#x27;est posée que si la réponse à Q6 est : Oui." in page
    assert_nothing_stored(filled, rows)


def test_a_missing_required_answer_is_refused_beside_its_field(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    rows = answer_rows(filled)

    response = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]),
        form_data({**answers, "profil_statut": ""}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Q1 : réponse obligatoire." in page
    assert_nothing_stored(filled, rows)


def test_a_choice_of_another_question_is_refused(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    rows = answer_rows(filled)

    response = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]),
        form_data({**answers, "profil_statut": "tres_satisfaisant"}),
    )
    with pytest.raises(ValidationError) as caught:
        correct_response(
            filled,
            {**answers, "profil_statut": "tres_satisfaisant"},
            user=UserFactory(),
            reason="Essai",
        )

    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert "n'est pas un choix de Q1" in caught.value.message_dict["profil_statut"][0]
    assert_nothing_stored(filled, rows)


def test_an_unknown_commune_is_refused_in_french(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    response = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]),
        form_data({**answers, "profil_commune": {"insee": "99999"}}),
    )

    assert "Commune inconnue (code INSEE 99999)" in response.content.decode()


def test_a_correction_needs_a_reason(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    rows = answer_rows(filled)

    response = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]),
        form_data({**answers, "profil_statut": "autre"}, reason=""),
    )

    assert "Indiquez le motif de la correction." in response.content.decode()
    assert_nothing_stored(filled, rows)


# --- voiding ------------------------------------------------------------------------------


def test_voiding_needs_a_reason(filled: Response) -> None:
    with pytest.raises(ValidationError) as caught:
        void_response(filled, user=UserFactory(), reason="  ")

    assert caught.value.message_dict["reason"] == ["Indiquez le motif de l'annulation."]
    filled.refresh_from_db()
    assert filled.voided_at is None


def test_the_void_page_asks_for_a_reason_before_voiding(
    manager_client: Client, filled: Response
) -> None:
    url = reverse("survey:response_void", args=[filled.pk])

    confirmation = manager_client.get(url)
    refused = manager_client.post(url, {"reason": ""})

    assert confirmation.status_code == 200
    assert "ne comptera plus dans aucun indicateur" in confirmation.content.decode()
    assert "Indiquez le motif de l&#x27;annulation." in refused.content.decode()
    filled.refresh_from_db()
    assert filled.voided_at is None


def test_a_voided_response_leaves_the_indicators_and_its_history_says_why(
    manager_client: Client, filled: Response
) -> None:
    response = manager_client.post(
        reverse("survey:response_void", args=[filled.pk]), {"reason": "Doublon du n° 12"}
    )

    filled.refresh_from_db()
    assert response.status_code == 302
    assert filled.voided_at is not None
    assert filled.voided_by == manager_client.user  # type: ignore[attr-defined]
    assert filled.void_reason == "Doublon du n° 12"
    assert not Response.objects.counted().filter(pk=filled.pk).exists()
    voiding = response_history(filled)[-1]
    assert voiding.kind == ChangeKind.VOIDED
    assert voiding.user == manager_client.user  # type: ignore[attr-defined]
    assert voiding.reason == "Doublon du n° 12"
    assert ValueChange("motif d'annulation", [], ["Doublon du n° 12"]) in voiding.values


def test_a_voided_response_can_be_restored_but_not_corrected(
    filled: Response, answers: dict[str, Any]
) -> None:
    manager = UserFactory()
    void_response(filled, user=manager, reason="Doublon")

    with pytest.raises(ValidationError, match="annulé"):
        correct_response(filled, {**answers, "profil_statut": "autre"}, user=manager, reason="x")
    restore_response(filled, user=manager, reason="Pas un doublon finalement")

    assert Response.objects.counted().filter(pk=filled.pk).exists()
    assert [change.kind for change in response_history(filled)] == [
        ChangeKind.RECEIVED,
        ChangeKind.VOIDED,
        ChangeKind.RESTORED,
    ]


# --- a closed campaign --------------------------------------------------------------------


def test_a_closed_campaign_refuses_corrections_and_voiding(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    filled.campaign.close()
    rows = answer_rows(filled)

    correction = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]),
        form_data({**answers, "profil_statut": "autre"}),
    )
    voiding = manager_client.post(
        reverse("survey:response_void", args=[filled.pk]), {"reason": "Doublon"}
    )
    with pytest.raises(ValidationError, match="clôturée"):
        void_response(filled, user=UserFactory(), reason="Doublon")

    assert "est clôturée" in correction.content.decode()
    assert "est clôturée" in voiding.content.decode()
    assert_nothing_stored(filled, rows)
    filled.refresh_from_db()
    assert filled.voided_at is None


def test_the_correction_page_of_a_closed_campaign_sends_back_to_the_questionnaire(
    manager_client: Client, filled: Response
) -> None:
    filled.campaign.close()

    response = manager_client.get(reverse("survey:response_correct", args=[filled.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("survey:response_detail", args=[filled.pk])


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.STAFF])
def test_interviewers_and_staff_are_refused(
    role: str, organisation: Organisation, filled: Response
) -> None:
    client = client_for(role, organisation)

    for page in ["response_list", *PAGES]:
        url = reverse(
            f"survey:{page}", args=[filled.campaign_id if page == "response_list" else filled.pk]
        )
        assert client.get(url).status_code == 403, page
        assert client.post(url, {"reason": "x"}).status_code == 403, page


def test_another_organisations_manager_finds_nothing(
    other_organisation: Organisation, filled: Response
) -> None:
    client = client_for(Role.QUALITY_MANAGER, other_organisation)

    for page in ["response_list", *PAGES]:
        url = reverse(
            f"survey:{page}", args=[filled.campaign_id if page == "response_list" else filled.pk]
        )
        assert client.get(url).status_code == 404, page
        assert client.post(url, {"reason": "x"}).status_code == 404, page
    filled.refresh_from_db()
    assert filled.voided_at is None


# --- the pages ----------------------------------------------------------------------------


def test_the_detail_page_shows_the_answers_by_section_with_their_labels(
    manager_client: Client, filled: Response
) -> None:
    page = manager_client.get(reverse("survey:response_detail", args=[filled.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Connaissance des usagers" in html
    assert "Un particulier" in html
    assert "Angoulême (16015)" in html
    assert "Réception du questionnaire" in html
    assert 'href="{}"'.format(reverse("survey:response_correct", args=[filled.pk])) in html


def test_the_list_marks_voided_responses_and_counts_them(
    manager_client: Client, hall: Questionnaire
) -> None:
    site = SiteFactory(organisation=hall.campaign.organisation, name="Sous-préfecture de Cognac")
    kept = ResponseFactory(questionnaire=hall, site=site)
    voided = ResponseFactory(questionnaire=hall, site=site)
    void_response(voided, user=UserFactory(), reason="Doublon")
    url = reverse("survey:response_list", args=[hall.campaign_id])

    everything = manager_client.get(url).content.decode()
    only_voided = manager_client.get(url, {"statut": "voided"}).content.decode()

    assert "2 questionnaires reçus : 1 comptés dans les indicateurs, 1 annulés." in everything
    assert f"Questionnaire n° {kept.pk}<" in everything
    assert f"Questionnaire n° {voided.pk}<" in everything
    assert everything.count(">Annulé</span>") == 1
    assert f"Questionnaire n° {voided.pk}<" in only_voided
    assert f"Questionnaire n° {kept.pk}<" not in only_voided


def test_the_list_shows_the_newest_fifty_first(manager_client: Client, hall: Questionnaire) -> None:
    site = SiteFactory(organisation=hall.campaign.organisation)
    responses = [ResponseFactory(questionnaire=hall, site=site) for _ in range(51)]
    url = reverse("survey:response_list", args=[hall.campaign_id])

    first = manager_client.get(url)
    second = manager_client.get(url, {"page": 2})

    assert list(first.context["page"]) == responses[:0:-1]
    assert list(second.context["page"]) == responses[:1]


@pytest.mark.parametrize("count", [1, 60])
def test_the_list_costs_the_same_queries_whatever_the_number_of_responses(
    count: int, manager_client: Client, hall: Questionnaire, django_assert_max_num_queries: Any
) -> None:
    site = SiteFactory(organisation=hall.campaign.organisation)
    interviewer = UserFactory()
    for _ in range(count):
        ResponseFactory(questionnaire=hall, site=site, interviewer=interviewer)
    url = reverse("survey:response_list", args=[hall.campaign_id])

    with django_assert_max_num_queries(12):
        response = manager_client.get(url, {"site": site.pk})

    assert response.status_code == 200


def test_a_commune_typed_hors_charente_is_told_the_hors_form_it_needs(
    manager_client: Client, filled: Response, answers: dict[str, Any]
) -> None:
    rows = answer_rows(filled)

    response = manager_client.post(
        reverse("survey:response_correct", args=[filled.pk]),
        {**form_data(answers), "profil_commune": "Hors Charente"},
    )

    assert response.context["form"].errors["profil_commune"] == [
        "« Hors Charente » : une commune hors du département s'écrit « hors: », deux-points "
        "compris, suivi du nom de la commune (par exemple hors:Bordeaux) ; une commune du "
        "département, par son code INSEE (par exemple 16015)."
    ]
    assert answer_rows(filled) == rows
