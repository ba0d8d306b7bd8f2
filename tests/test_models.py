"""Invariants of the survey models."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from survey.models import (
    Answer,
    Campaign,
    CampaignClosed,
    CampaignStatus,
    InvalidTransition,
    Question,
    QuestionKind,
    Response,
)

from .factories import (
    CampaignFactory,
    ChoiceFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ResponseFactory,
    SectionFactory,
    SiteFactory,
    yes_no_question,
)

pytestmark = pytest.mark.django_db


def test_a_condition_cannot_point_at_a_question_of_another_questionnaire() -> None:
    hall_filter = yes_no_question()
    phone_question = QuestionFactory.build(
        section=SectionFactory(),
        condition_question=hall_filter,
        condition_codes=["oui"],
    )
    phone_question.questionnaire = phone_question.section.questionnaire

    with pytest.raises(ValidationError, match="autre questionnaire"):
        phone_question.save()
    assert not Question.objects.filter(pk=phone_question.pk).exists()


def test_a_condition_cannot_point_at_its_own_question() -> None:
    question = yes_no_question()
    question.condition_question = question
    question.condition_codes = ["oui"]

    with pytest.raises(ValidationError, match="elle-même"):
        question.save()


def test_the_database_refuses_a_question_that_depends_on_itself() -> None:
    question = yes_no_question()

    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(condition_question=question)


def test_a_condition_must_name_answers_of_its_question() -> None:
    called = yes_no_question(order=1)
    later = QuestionFactory.build(
        section=called.section,
        questionnaire=called.questionnaire,
        order=2,
        condition_question=called,
        condition_codes=["peut_etre"],
    )

    with pytest.raises(ValidationError, match="peut_etre"):
        later.save()


def test_a_condition_must_be_asked_before_the_question() -> None:
    later = yes_no_question(order=10)
    earlier = QuestionFactory.build(
        section=later.section,
        questionnaire=later.questionnaire,
        order=5,
        condition_question=later,
        condition_codes=["oui"],
    )

    with pytest.raises(ValidationError, match="avant"):
        earlier.save()


def test_a_valid_condition_is_saved_and_decides_whether_the_question_is_asked() -> None:
    called = yes_no_question(order=1, code="a_appele")
    follow_up = QuestionFactory(
        section=called.section,
        questionnaire=called.questionnaire,
        order=2,
        kind=QuestionKind.SATISFACTION,
        condition_question=called,
        condition_codes=["oui"],
    )

    assert follow_up.is_asked({"a_appele": {"oui"}})
    assert not follow_up.is_asked({"a_appele": {"non"}})
    assert not follow_up.is_asked({})


def test_a_closed_campaign_refuses_new_responses() -> None:
    questionnaire = QuestionnaireFactory(campaign__status=CampaignStatus.OPEN)
    site = SiteFactory(organisation=questionnaire.campaign.organisation)
    ResponseFactory(questionnaire=questionnaire, site=site)
    Campaign.objects.filter(pk=questionnaire.campaign_id).update(status=CampaignStatus.CLOSED)
    questionnaire.campaign.refresh_from_db()

    with pytest.raises(CampaignClosed):
        Response(uuid=uuid.uuid4(), questionnaire=questionnaire, site=site).save()
    assert Response.objects.count() == 1


def test_a_campaign_in_preparation_refuses_responses() -> None:
    questionnaire = QuestionnaireFactory(campaign__status=CampaignStatus.DRAFT)
    site = SiteFactory(organisation=questionnaire.campaign.organisation)

    with pytest.raises(ValidationError, match="pas encore ouverte"):
        Response(uuid=uuid.uuid4(), questionnaire=questionnaire, site=site).save()


def test_a_response_takes_its_campaign_and_channel_from_its_questionnaire() -> None:
    response = ResponseFactory()

    assert response.campaign_id == response.questionnaire.campaign_id
    assert response.channel == response.questionnaire.channel


def test_a_response_from_a_site_of_another_organisation_is_refused() -> None:
    questionnaire = QuestionnaireFactory(campaign__status=CampaignStatus.OPEN)

    with pytest.raises(ValidationError, match="site"):
        Response(uuid=uuid.uuid4(), questionnaire=questionnaire, site=SiteFactory()).save()


def test_the_database_refuses_a_duplicate_uuid() -> None:
    first = ResponseFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.bulk_create(
            [
                Response(
                    uuid=first.uuid,
                    campaign=first.campaign,
                    questionnaire=first.questionnaire,
                    channel=first.channel,
                    site=first.site,
                )
            ]
        )
    assert Response.objects.count() == 1


def test_the_database_refuses_a_choice_answer_that_also_carries_text() -> None:
    response = ResponseFactory()
    question = yes_no_question(
        section=SectionFactory(questionnaire=response.questionnaire),
        questionnaire=response.questionnaire,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, question=question, choice=question.choices.first(), text="x"
        )


def test_the_database_refuses_the_same_choice_twice_in_one_response() -> None:
    response = ResponseFactory()
    question = yes_no_question(
        section=SectionFactory(questionnaire=response.questionnaire),
        questionnaire=response.questionnaire,
    )
    oui = question.choices.get(code="oui")
    Answer.objects.create(response=response, question=question, choice=oui)

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, question=question, choice=oui)


def test_a_campaign_opens_then_closes_and_never_goes_back() -> None:
    campaign = CampaignFactory()
    QuestionnaireFactory(campaign=campaign)

    campaign.open()
    campaign.close()

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert campaign.opened_at is not None
    assert campaign.closed_at is not None
    with pytest.raises(InvalidTransition):
        campaign.open()
    with pytest.raises(InvalidTransition):
        campaign.close()


def test_a_campaign_without_questionnaire_cannot_open() -> None:
    campaign = CampaignFactory()

    with pytest.raises(InvalidTransition, match="questionnaire"):
        campaign.open()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


def test_a_closed_campaign_refuses_changes_to_its_questionnaires() -> None:
    question = yes_no_question()
    campaign = question.questionnaire.campaign
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    question.refresh_from_db()
    question.questionnaire.campaign.refresh_from_db()

    question.text = "Nouveau libellé"
    with pytest.raises(CampaignClosed):
        question.save()
    with pytest.raises(CampaignClosed):
        ChoiceFactory(question=question)
    with pytest.raises(CampaignClosed):
        question.delete()
    assert Question.objects.get(pk=question.pk).text != "Nouveau libellé"


def test_the_database_refuses_a_campaign_that_ends_before_it_starts() -> None:
    campaign = CampaignFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(start_date=campaign.end_date.replace(day=20))


def test_an_organisation_has_one_campaign_a_year() -> None:
    campaign = CampaignFactory(year=2016)

    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(organisation=campaign.organisation, year=2016)
