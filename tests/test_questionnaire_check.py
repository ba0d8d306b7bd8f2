"""The check of a whole questionnaire (issue 16, point 1): one test per rule, the canonical
questionnaires and the demo pass it, a campaign does not open while it fails, and the
campaign's and the questionnaire's pages show its result to the quality manager."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from survey.models import (
    Campaign,
    CampaignStatus,
    Organisation,
    Polarity,
    Question,
    QuestionKind,
    Questionnaire,
)
from survey.questionnaire_check import (
    ProblemKind,
    QuestionShape,
    check_questionnaire,
    check_shapes,
)
from survey.services.campaigns import create_campaign, open_campaign

from .factories import ChoiceFactory, QuestionFactory, QuestionnaireFactory, SectionFactory
from .helpers import text

YES_NO = (("oui", Polarity.FAVOURABLE), ("non", Polarity.UNFAVOURABLE))


def kinds(problems: list[Any]) -> list[tuple[str, str]]:
    return [(p.code, p.kind) for p in problems]


def shape(key: int, code: str, **kwargs: Any) -> QuestionShape:
    kwargs.setdefault("kind", QuestionKind.YES_NO)
    kwargs.setdefault("choices", YES_NO)
    return QuestionShape(key=key, code=code, number=str(key), required=False, **kwargs)


# --- the rules, on shapes (no database) ----------------------------------------------------


def test_a_sound_questionnaire_with_a_condition_has_no_problem() -> None:
    questions = [shape(1, "a"), shape(2, "b", condition=1, condition_codes=("oui",))]

    assert check_shapes(questions) == []


def test_a_condition_on_a_later_question_makes_it_unreachable() -> None:
    questions = [shape(1, "a", condition=2, condition_codes=("oui",)), shape(2, "b")]

    assert kinds(check_shapes(questions)) == [("a", ProblemKind.UNREACHABLE)]
    assert "posée après elle" in check_shapes(questions)[0].message


def test_a_condition_on_an_unreachable_question_makes_it_unreachable_too() -> None:
    questions = [
        shape(1, "a", condition=3, condition_codes=("oui",)),
        shape(2, "b", condition=1, condition_codes=("oui",)),
        shape(3, "c"),
    ]

    assert kinds(check_shapes(questions)) == [
        ("a", ProblemKind.UNREACHABLE),
        ("b", ProblemKind.UNREACHABLE),
    ]


def test_a_condition_naming_no_choice_of_its_question_makes_it_unreachable() -> None:
    questions = [shape(1, "a"), shape(2, "b", condition=1, condition_codes=("peut_etre",))]

    assert kinds(check_shapes(questions)) == [("b", ProblemKind.UNREACHABLE)]


def test_a_condition_on_a_question_without_choices_makes_it_unreachable() -> None:
    questions = [
        shape(1, "a", kind=QuestionKind.FREE_TEXT, choices=()),
        shape(2, "b", condition=1, condition_codes=("oui",)),
    ]

    problems = check_shapes(questions)

    assert kinds(problems) == [("b", ProblemKind.UNREACHABLE)]
    assert "n'est pas une question à choix" in problems[0].message


def test_a_required_question_that_is_never_shown_is_named_so() -> None:
    questions = [
        shape(1, "a"),
        QuestionShape(
            key=2,
            code="b",
            number="2",
            kind=QuestionKind.YES_NO,
            required=True,
            condition=1,
            condition_codes=("jamais",),
            choices=YES_NO,
        ),
    ]

    assert kinds(check_shapes(questions)) == [("b", ProblemKind.REQUIRED_NEVER_SHOWN)]


def test_a_condition_citing_a_removed_choice_among_others_is_a_problem() -> None:
    questions = [shape(1, "a"), shape(2, "b", condition=1, condition_codes=("oui", "ancien"))]

    problems = check_shapes(questions)

    assert kinds(problems) == [("b", ProblemKind.UNKNOWN_CONDITION_CHOICE)]
    assert "ancien" in problems[0].message


def test_duplicate_codes_are_named_once() -> None:
    # The database refuses them (question_unique_code): an import checks before saving.
    questions = [shape(1, "a"), shape(2, "a"), shape(3, "c")]

    assert kinds(check_shapes(questions)) == [("a", ProblemKind.DUPLICATE_CODE)]


def test_a_choice_question_without_choices_is_a_problem() -> None:
    questions = [shape(1, "a", kind=QuestionKind.SINGLE, choices=())]

    assert kinds(check_shapes(questions)) == [("a", ProblemKind.NO_CHOICES)]


def test_a_scale_without_a_favourable_choice_is_a_problem() -> None:
    choices = (("bien", Polarity.NEUTRAL), ("mal", Polarity.UNFAVOURABLE))
    questions = [shape(1, "a", kind=QuestionKind.SATISFACTION, choices=choices)]

    problems = check_shapes(questions)

    assert kinds(problems) == [("a", ProblemKind.SCALE_WITHOUT_FAVOURABLE)]
    assert str(problems[0]).startswith("Q1 (a) : ")


def test_a_free_text_question_needs_no_choice() -> None:
    assert check_shapes([shape(1, "a", kind=QuestionKind.FREE_TEXT, choices=())]) == []


# --- on saved questionnaires --------------------------------------------------------------------


def yes_no(questionnaire: Questionnaire, code: str, order: int, **kwargs: Any) -> Question:
    section = questionnaire.sections.first() or SectionFactory(questionnaire=questionnaire)
    question: Question = QuestionFactory(
        section=section, code=code, number=str(order), order=order, **kwargs
    )
    ChoiceFactory(question=question, code="oui", order=1, polarity=Polarity.FAVOURABLE)
    ChoiceFactory(question=question, code="non", order=2, polarity=Polarity.UNFAVOURABLE)
    return question


@pytest.fixture
def draft(campaign: Campaign) -> Questionnaire:
    return QuestionnaireFactory(campaign=campaign)  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_a_question_moved_before_its_condition_is_found_in_the_database(
    draft: Questionnaire,
) -> None:
    condition = yes_no(draft, "a", 2)
    dependent = yes_no(draft, "b", 3, condition_question=condition, condition_codes=["oui"])
    Question.objects.filter(pk=dependent.pk).update(order=1)  # a move, not checked per save

    assert kinds(check_questionnaire(draft)) == [("b", ProblemKind.UNREACHABLE)]


@pytest.mark.django_db
def test_a_scale_saved_without_favourable_choice_is_found(draft: Questionnaire) -> None:
    question = QuestionFactory(
        section=SectionFactory(questionnaire=draft), kind=QuestionKind.AGREEMENT, code="accord"
    )
    ChoiceFactory(question=question, code="non", polarity=Polarity.UNFAVOURABLE)
    QuestionFactory(section=question.section, kind=QuestionKind.MULTIPLE, code="vide")

    assert kinds(check_questionnaire(draft)) == [
        ("accord", ProblemKind.SCALE_WITHOUT_FAVOURABLE),
        ("vide", ProblemKind.NO_CHOICES),
    ]


@pytest.mark.django_db
def test_the_canonical_questionnaires_pass_the_check(organisation: Organisation) -> None:
    campaign = create_campaign(
        organisation=organisation,
        year=2016,
        title="Enquête 2016",
        start_date=datetime.date(2016, 10, 3),
        end_date=datetime.date(2016, 10, 14),
        objective=Decimal(75),
        orange_band=Decimal(5),
        canonical=True,
    )

    assert campaign.questionnaires.count() == 2
    for questionnaire in campaign.questionnaires.all():
        assert check_questionnaire(questionnaire) == [], questionnaire.channel


def test_the_demo_questionnaires_pass_the_check(demo: Any) -> None:
    questionnaires = list(demo.campaign.questionnaires.all())

    assert questionnaires
    assert all(check_questionnaire(q) == [] for q in questionnaires)


# --- opening a campaign ----------------------------------------------------------------------


def broken(draft: Questionnaire) -> None:
    question = QuestionFactory(
        section=SectionFactory(questionnaire=draft),
        kind=QuestionKind.SATISFACTION,
        code="accueil",
        number="7",
    )
    ChoiceFactory(question=question, code="mal", polarity=Polarity.UNFAVOURABLE)


@pytest.mark.django_db
def test_opening_is_refused_while_the_check_fails_and_changes_nothing(
    draft: Questionnaire, campaign: Campaign
) -> None:
    broken(draft)

    with pytest.raises(ValidationError) as refused:
        open_campaign(campaign=campaign)

    assert any("Q7 (accueil)" in m for m in refused.value.messages)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.opened_at) == (CampaignStatus.DRAFT, None)


@pytest.mark.django_db
def test_a_ready_campaign_opens(draft: Questionnaire, campaign: Campaign) -> None:
    yes_no(draft, "a", 1)

    open_campaign(campaign=campaign)

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


@pytest.mark.django_db
def test_the_open_button_says_why_it_refuses(
    manager_client: Client, draft: Questionnaire, campaign: Campaign
) -> None:
    broken(draft)
    url = reverse("survey:campaign_transition", args=[campaign.pk])

    page = text(manager_client.post(url, {"action": "open"}, follow=True))

    assert "La campagne ne peut pas être ouverte" in page
    assert "Q7 (accueil) : échelle sans aucun choix favorable" in page
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


@pytest.mark.django_db
def test_the_campaign_page_shows_the_problems_before_opening(
    manager_client: Client, draft: Questionnaire, campaign: Campaign
) -> None:
    broken(draft)

    page = text(manager_client.get(reverse("survey:campaign_detail", args=[campaign.pk])))

    assert "Vérification des questionnaires" in page
    assert "1 problème empêche d'ouvrir la campagne" in page
    assert 'data-problem="scale_without_favourable"' in page


# --- the questionnaire's page -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_questionnaire_page_says_it_is_ready(manager_client: Client, hall: Any) -> None:
    page = text(manager_client.get(reverse("survey:questionnaire_detail", args=[hall.pk])))

    assert "Le questionnaire est prêt." in page


@pytest.mark.django_db
def test_the_questionnaire_page_lists_the_problems(
    manager_client: Client, draft: Questionnaire
) -> None:
    broken(draft)

    page = text(manager_client.get(reverse("survey:questionnaire_detail", args=[draft.pk])))

    assert "1 problème empêche d'ouvrir la campagne" in page
    assert '<a href="#question-accueil">Q7 (accueil)</a>' in page
    assert "Le questionnaire est prêt." not in page


@pytest.mark.django_db
def test_the_interviewer_reads_the_questionnaire_without_the_check(
    interviewer_client: Client, hall: Any
) -> None:
    response = interviewer_client.get(reverse("survey:questionnaire_detail", args=[hall.pk]))

    assert response.status_code == 200
    assert "Vérification du questionnaire" not in text(response)
    assert "comparable avec" not in text(response)
