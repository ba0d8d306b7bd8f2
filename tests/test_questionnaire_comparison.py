"""Whether each question will have a comparison with last year (issue 16, section 2):
same code in the previous campaign's questionnaire of the channel, same kind and choices."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from survey.models import Campaign, Choice, Organisation, Polarity, Question, QuestionKind
from survey.questionnaire_comparison import Comparability, compare_with_previous_year
from survey.services.campaigns import create_campaign

from .factories import QuestionFactory, QuestionnaireFactory
from .helpers import text

pytestmark = pytest.mark.django_db


def canonical(organisation: Organisation, year: int) -> Campaign:
    return create_campaign(
        organisation=organisation,
        year=year,
        title=f"Enquête {year}",
        start_date=datetime.date(year, 10, 3),
        end_date=datetime.date(year, 10, 14),
        objective=Decimal(75),
        orange_band=Decimal(5),
        canonical=True,
    )


@pytest.fixture
def years(organisation: Organisation) -> tuple[Campaign, Campaign]:
    return canonical(organisation, 2015), canonical(organisation, 2016)


def a_scale_question(campaign: Campaign) -> Question:
    hall = campaign.questionnaires.get(channel="hall")
    return hall.questions.filter(kind=QuestionKind.SATISFACTION).order_by("order").first()  # type: ignore[return-value]


def test_the_same_questionnaire_is_comparable_question_by_question(
    years: tuple[Campaign, Campaign],
) -> None:
    comparison = compare_with_previous_year(years[1].questionnaires.get(channel="hall"))

    assert comparison.previous == years[0]
    assert comparison.note == ""
    assert {c.status for c in comparison.by_code.values()} == {Comparability.COMPARABLE}
    assert next(iter(comparison.by_code.values())).message == "comparable avec 2015"


def test_a_new_code_has_no_comparison(years: tuple[Campaign, Campaign]) -> None:
    question = a_scale_question(years[1])
    QuestionFactory(
        section=question.section, code="nouvelle", order=900, kind=QuestionKind.FREE_TEXT
    )

    comparison = compare_with_previous_year(question.questionnaire)

    assert comparison.by_code["nouvelle"].status == Comparability.NEW_CODE
    assert comparison.by_code["nouvelle"].message == "code nouveau : pas de comparaison"
    assert comparison.by_code[question.code].status == Comparability.COMPARABLE


def test_a_changed_polarity_breaks_the_comparison(years: tuple[Campaign, Campaign]) -> None:
    question = a_scale_question(years[1])
    choice = question.choices.get(polarity=Polarity.FAVOURABLE, code="satisfaisant")
    choice.polarity = Polarity.NEUTRAL
    choice.save()

    comparison = compare_with_previous_year(question.questionnaire)

    assert comparison.by_code[question.code].status == Comparability.CHOICES_CHANGED
    assert comparison.by_code[question.code].message == (
        "même code mais choix changés : comparaison rompue"
    )


def test_a_removed_choice_breaks_the_comparison(years: tuple[Campaign, Campaign]) -> None:
    question = a_scale_question(years[1])
    Choice.objects.filter(question=question).order_by("-order").first().delete()  # type: ignore[union-attr]

    comparison = compare_with_previous_year(question.questionnaire)

    assert comparison.by_code[question.code].status == Comparability.CHOICES_CHANGED


def test_a_changed_label_keeps_the_comparison(years: tuple[Campaign, Campaign]) -> None:
    question = a_scale_question(years[1])
    choice = question.choices.first()
    assert choice is not None
    choice.label = "Plutôt bien"
    choice.save()

    comparison = compare_with_previous_year(question.questionnaire)

    assert comparison.by_code[question.code].status == Comparability.COMPARABLE


def test_a_changed_kind_breaks_the_comparison(years: tuple[Campaign, Campaign]) -> None:
    question = a_scale_question(years[1])
    Question.objects.filter(pk=question.pk).update(kind=QuestionKind.AGREEMENT)

    comparison = compare_with_previous_year(question.questionnaire)

    assert comparison.by_code[question.code].status == Comparability.KIND_CHANGED


def test_without_an_earlier_campaign_nothing_compares(organisation: Organisation) -> None:
    hall = canonical(organisation, 2016).questionnaires.get(channel="hall")

    comparison = compare_with_previous_year(hall)

    assert comparison.previous is None
    assert comparison.by_code == {}
    assert "Aucune campagne antérieure" in comparison.note


def test_the_previous_campaign_without_the_channel_gives_no_comparison(
    organisation: Organisation,
) -> None:
    hall_only = QuestionnaireFactory(campaign__organisation=organisation, campaign__year=2015)
    phone = canonical(organisation, 2016).questionnaires.get(channel="phone")

    comparison = compare_with_previous_year(phone)

    assert comparison.previous == hall_only.campaign
    assert comparison.by_code == {}
    assert "La campagne 2015 n'a pas de questionnaire pour ce canal" in comparison.note


def test_the_page_shows_each_questions_comparison(
    manager_client: Client, years: tuple[Campaign, Campaign]
) -> None:
    question = a_scale_question(years[1])
    Question.objects.filter(pk=question.pk).update(kind=QuestionKind.AGREEMENT)
    url = reverse("survey:questionnaire_detail", args=[question.questionnaire_id])

    page = text(manager_client.get(url))

    assert "comparable avec 2015" in page
    assert 'data-comparison="kind_changed"' in page
    assert page.count('data-comparison="kind_changed"') == 1
