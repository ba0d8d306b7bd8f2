"""The questionnaire check's blocks (issue 16): axe-core finds no serious or critical
violation on the questionnaire page (check and comparison badges) nor on a draft
campaign's page listing a problem."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from survey.models import Polarity, QuestionKind, Role
from survey.services.campaigns import create_campaign

from ..factories import ChoiceFactory, QuestionFactory
from .entry import member, open_survey
from .helpers import log_in, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_questionnaire_and_draft_campaign_pages_with_the_check(
    page: Any, live_server: Any, organisation: Any
) -> None:
    survey = open_survey(organisation)
    draft = create_campaign(
        organisation=organisation,
        year=survey.campaign.year + 1,
        title="Enquête suivante",
        start_date=datetime.date(survey.campaign.year + 1, 10, 3),
        end_date=datetime.date(survey.campaign.year + 1, 10, 14),
        objective=Decimal(75),
        orange_band=Decimal(5),
        canonical=True,
    )
    hall = draft.questionnaires.get(channel="hall")
    question = QuestionFactory(
        section=hall.sections.first(), kind=QuestionKind.SATISFACTION, code="nouvelle", order=900
    )
    ChoiceFactory(question=question, code="mal", polarity=Polarity.UNFAVOURABLE)
    log_in(page, live_server, member(organisation, Role.QUALITY_MANAGER, "qualite").username)

    page.goto(f"{live_server.url}/saisie/questionnaires/{hall.pk}/")
    expect(page.locator("[data-problem]")).to_have_count(1)
    expect(page.locator("[data-comparison='new_code']")).to_have_count(1)
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/saisie/campagne/{draft.pk}/")
    expect(page.locator("[data-problem]")).to_have_count(1)
    assert serious_violations(page) == []
