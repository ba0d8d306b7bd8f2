"""The admin refuses, with a French form error, a section, question or choice added to a
closed campaign's questionnaire, and saves nothing (it answered 500: issue 13, point 5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from survey.models import Campaign, CampaignStatus, Choice, Organisation, Question, Section

from .factories import CampaignFactory, QuestionnaireFactory, SectionFactory
from .helpers import client_for

pytestmark = pytest.mark.django_db

CLOSED = "La campagne « Enquête 2015 » est clôturée : elle ne peut plus être modifiée."


@pytest.fixture
def closed(organisation: Organisation) -> Campaign:
    campaign: Campaign = CampaignFactory(
        organisation=organisation, year=2015, title="Enquête 2015", status=CampaignStatus.OPEN
    )
    SectionFactory(questionnaire=QuestionnaireFactory(campaign=campaign), code="accueil")
    campaign.close()
    return campaign


def question_form(section: Section, **choices: str) -> dict[str, Any]:
    """The add-question form's fields, with ``choices`` (code: label) in the inline."""
    data: dict[str, Any] = {
        "questionnaire": section.questionnaire_id,
        "section": section.pk,
        "code": "nouvelle_question",
        "number": "99",
        "order": 99,
        "text": "Une question de trop ?",
        "kind": "single",
        "condition_codes": "[]",
        "choice_groups": "{}",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for index, (code, label) in enumerate(choices.items()):
        data |= {
            f"choices-{index}-code": code,
            f"choices-{index}-label": label,
            f"choices-{index}-order": index + 1,
            f"choices-{index}-polarity": "neutral",
        }
    return data


def test_adding_a_section_to_a_closed_campaign_says_why_and_saves_nothing(
    manager_client: Client, closed: Campaign
) -> None:
    questionnaire = closed.questionnaires.get()

    response = manager_client.post(
        reverse("admin:survey_section_add"),
        {"questionnaire": questionnaire.pk, "code": "en_plus", "title": "En plus", "order": 9},
    )

    assert response.status_code == 200
    assert CLOSED in response.content.decode()
    assert Section.objects.filter(questionnaire=questionnaire).count() == 1


def test_adding_a_questionnaire_to_a_closed_campaign_says_why_and_saves_nothing(
    manager_client: Client, closed: Campaign
) -> None:
    response = manager_client.post(
        reverse("admin:survey_questionnaire_add"),
        {"campaign": closed.pk, "channel": "phone", "title": "Au téléphone", "introduction": ""},
    )

    assert response.status_code == 200
    assert CLOSED in response.content.decode()
    assert closed.questionnaires.count() == 1


def test_adding_a_question_to_a_closed_campaign_says_why_and_saves_nothing(
    manager_client: Client, closed: Campaign
) -> None:
    section = Section.objects.get(questionnaire__campaign=closed)

    response = manager_client.post(reverse("admin:survey_question_add"), question_form(section))

    assert response.status_code == 200
    assert CLOSED in response.content.decode()
    assert not Question.objects.exists()


@pytest.fixture
def national_client(organisation: Organisation) -> Client:
    """A national administrator: the choices' inline is theirs (a quality manager holds
    no permission on choices)."""
    return client_for(None, organisation, superuser=True)


def test_a_question_with_choices_inline_for_a_closed_campaign_saves_no_choice(
    national_client: Client, closed: Campaign
) -> None:
    section = Section.objects.get(questionnaire__campaign=closed)
    form = question_form(section, oui="Oui", non="Non")

    response = national_client.post(reverse("admin:survey_question_add"), form)

    assert response.status_code == 200
    assert CLOSED in response.content.decode()
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_the_same_question_is_added_to_an_open_campaign(
    national_client: Client, organisation: Organisation
) -> None:
    """The form error is the closed campaign's, not a form that refuses everything."""
    campaign = CampaignFactory(organisation=organisation, status=CampaignStatus.OPEN)
    section = SectionFactory(questionnaire=QuestionnaireFactory(campaign=campaign))

    response = national_client.post(
        reverse("admin:survey_question_add"), question_form(section, oui="Oui", non="Non")
    )

    assert response.status_code == 302
    assert list(Question.objects.get().choices.values_list("code", flat=True)) == ["oui", "non"]
