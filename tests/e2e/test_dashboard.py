"""The quality manager's dashboard in a browser: plotly draws every chart from the static
bundle, a click on a bar opens the answers behind it, and axe-core finds nothing serious."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from survey.models import Organisation, Role

from ..test_indicators import Survey
from .conftest import log_in, serious_violations
from .entry import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_draws_its_charts_and_opens_the_answers_behind_a_bar(
    page: Any, live_server: Any, organisation: Organisation
) -> None:
    survey = Survey(organisation)
    for value in ("satisfaisant", "peu_satisfaisant", "tres_satisfaisant"):
        survey.file(hall_satisfaction_globale=value)
    survey.file(survey.phone)
    member(organisation, Role.QUALITY_MANAGER, "responsable")
    log_in(page, live_server, "responsable")

    page.goto(f"{live_server.url}/tableau-de-bord/campagne/{survey.campaign.pk}/")

    expect(page.locator(".dashboard-chart svg.main-svg").first).to_be_visible()
    drawn = page.evaluate(
        "[...document.querySelectorAll('.dashboard-chart')].every(c => c.querySelector('svg'))"
    )
    assert drawn
    violations = serious_violations(page)
    assert violations == [], "\n".join(violations)

    bar = page.locator(".dashboard-chart").filter(has_text="Q19").locator("g.point path").last
    bar.click(force=True)
    page.wait_for_url("**/questionnaires-recueillis/**")
    expect(page.locator("#answers-behind")).to_contain_text("Très satisfaisant, Satisfaisant")
