"""Duplicating last year's campaign: same questionnaires, same codes, a new draft."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from survey.models import Campaign, CampaignStatus, Question, Questionnaire
from survey.services.campaign_copy import duplicate_campaign
from survey.services.frameworks import load_framework
from survey.services.questionnaire_definitions import read_json
from survey.services.questionnaires import load_questionnaires

from .factories import CampaignFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture
def source(organisation: Any) -> Campaign:
    """The 2016 campaign with the seed questionnaires, run and closed."""
    campaign = cast(
        Campaign,
        CampaignFactory(
            organisation=organisation, year=2016, objective=Decimal(80), orange_band=Decimal(3)
        ),
    )
    load_framework(FIXTURES / "frameworks" / "qualipref_2.json")
    load_questionnaires(campaign, read_json(FIXTURES / "questionnaires" / "qualipref_2016.json"))
    campaign.open()
    campaign.close()
    return campaign


def duplicate(source: Campaign, year: int = 2017) -> Campaign:
    return duplicate_campaign(
        source,
        year=year,
        title=f"Enquête {year}",
        start_date=datetime.date(year, 10, 2),
        end_date=datetime.date(year, 10, 13),
    )


def structure(campaign: Campaign) -> list[tuple[Any, ...]]:
    """Everything a questionnaire is made of, without primary keys."""
    rows: list[tuple[Any, ...]] = []
    for question in Question.objects.filter(questionnaire__campaign=campaign).select_related(
        "questionnaire", "section", "condition_question"
    ):
        rows.append(
            (
                question.questionnaire.channel,
                question.questionnaire.title,
                question.section.code,
                question.section.title,
                question.section.order,
                question.code,
                question.number,
                question.order,
                question.text,
                question.help_text,
                question.kind,
                question.required,
                question.condition_question.code if question.condition_question else None,
                question.condition_codes,
                question.counts_in_satisfaction,
                tuple(question.choices.values_list("code", "label", "order", "polarity")),
                tuple(sorted(question.engagements.values_list("pk", flat=True))),
            )
        )
    return sorted(rows)


def test_the_copy_has_the_same_questionnaires_codes_numbers_choices_and_engagements(
    source: Campaign,
) -> None:
    copy = duplicate(source)

    assert structure(copy) == structure(source)
    assert copy.questionnaires.count() == 2


def test_conditions_point_at_the_copied_questions(source: Campaign) -> None:
    copy = duplicate(source)

    conditioned = Question.objects.filter(
        questionnaire__campaign=copy, condition_question__isnull=False
    ).select_related("condition_question")
    # Q7, Q20-Q27, the SVI filter, Q28, Q29, Q30-Q35, Q37 and Q38, on both channels.
    assert conditioned.count() == 2 * 20
    for question in conditioned:
        assert question.condition_question is not None
        assert question.condition_question.questionnaire_id == question.questionnaire_id
        assert question.condition_question.order < question.order
        question.clean()  # the copy passes the invariants save() would have checked

    svi = conditioned.get(questionnaire__channel="phone", code="tel_svi")
    assert svi.condition_question is not None
    assert svi.condition_question.code == "tel_svi_utilise"
    assert svi.is_asked({"tel_a_appele": {"oui"}, "tel_svi_utilise": {"oui"}})


def test_the_copy_is_a_draft_of_the_same_organisation_with_the_same_objective(
    source: Campaign,
) -> None:
    copy = duplicate(source)

    assert copy.status == CampaignStatus.DRAFT
    assert (copy.organisation, copy.year, copy.title) == (source.organisation, 2017, "Enquête 2017")
    assert (copy.objective, copy.orange_band) == (Decimal(80), Decimal(3))
    assert copy.opened_at is None
    assert copy.closed_at is None


def test_the_source_is_unchanged(source: Campaign) -> None:
    before = structure(source)
    question_ids = set(
        Question.objects.filter(questionnaire__campaign=source).values_list("pk", flat=True)
    )

    duplicate(source)

    source.refresh_from_db()
    assert source.status == CampaignStatus.CLOSED
    assert structure(source) == before
    assert (
        set(Question.objects.filter(questionnaire__campaign=source).values_list("pk", flat=True))
        == question_ids
    )


def test_the_copy_can_be_edited_while_the_source_stays_closed(source: Campaign) -> None:
    copy = duplicate(source)
    question = Question.objects.get(
        questionnaire__campaign=copy, code="hall_pmr", questionnaire__channel="hall"
    )

    question.number = "17bis"
    question.save()

    assert (
        Question.objects.get(
            questionnaire__campaign=source, code="hall_pmr", questionnaire__channel="hall"
        ).number
        == "18"
    )


def test_a_year_that_already_has_a_campaign_is_refused_and_nothing_is_written(
    source: Campaign,
) -> None:
    CampaignFactory(organisation=source.organisation, year=2017)
    questionnaires = Questionnaire.objects.count()

    with pytest.raises(ValidationError, match="a déjà une campagne 2017"):
        duplicate(source)

    assert Questionnaire.objects.count() == questionnaires


def test_dates_out_of_order_are_refused(source: Campaign) -> None:
    with pytest.raises(ValidationError):
        duplicate_campaign(
            source,
            year=2018,
            title="Enquête 2018",
            start_date=datetime.date(2018, 10, 13),
            end_date=datetime.date(2018, 10, 2),
        )

    assert not Campaign.objects.filter(year=2018).exists()


def test_duplicating_costs_a_bounded_number_of_queries(
    source: Campaign, django_assert_max_num_queries: Any
) -> None:
    # About 25 statements on PostgreSQL whatever the size, a few more batches on SQLite
    # for the ~500 choices; one query per question would blow this by far.
    with django_assert_max_num_queries(35):
        duplicate(source)
