"""Last year counted under the same filter (issue 14, point 6): with raw answers both
years, a site filter compares with the same site's answers of last year, and tests the
change on those; a week filter compares with nothing (another year's weeks are other
dates)."""

from __future__ import annotations

import datetime

import pytest

from reports.indicators import Filter, compute
from survey.models import Organisation, Site

from .helpers import Survey

pytestmark = pytest.mark.django_db


def test_under_a_site_filter_last_year_is_counted_under_the_same_site(
    organisation: Organisation,
) -> None:
    before, now = Survey(organisation, 2015), Survey(organisation, 2016)
    other = Site.objects.create(organisation=organisation, name="Sous-préfecture de Cognac")
    for survey, here, there in ((before, 2, 20), (now, 18, 20)):
        # at the prefecture, ``here`` of 20 are satisfied; at Cognac, ``there`` of 20
        for index in range(20):
            value = "tres_satisfaisant" if index < here else "peu_satisfaisant"
            survey.file(hall_satisfaction_globale=value)
            value = "tres_satisfaisant" if index < there else "peu_satisfaisant"
            survey.file(hall_satisfaction_globale=value, site=other)

    overall = compute(now.campaign).question("hall_satisfaction_globale").previous
    at_site = compute(now.campaign, Filter(site_id=now.site.pk))
    previous = at_site.question("hall_satisfaction_globale").previous
    by_week = compute(now.campaign, Filter(week=datetime.date(2016, 10, 3)))

    assert overall is not None
    assert overall.rate is not None
    assert (overall.rate.k, overall.rate.n) == (22, 40)
    assert previous is not None
    assert previous.source == "raw"
    assert previous.rate is not None
    assert (previous.rate.k, previous.rate.n) == (2, 20)  # the same site, last year
    assert previous.significant  # 18/20 against 2/20
    assert at_site.previous_by_channel == {"hall": (20, "raw")}
    assert not at_site.not_comparable
    assert by_week.question("hall_satisfaction_globale").previous is None
    assert "semaine" in by_week.not_comparable


def test_a_site_without_questionnaires_last_year_says_so(organisation: Organisation) -> None:
    before, now = Survey(organisation, 2015), Survey(organisation, 2016)
    new_site = Site.objects.create(organisation=organisation, name="Maison France services")
    before.file(hall_satisfaction_globale="tres_satisfaisant")
    now.file(hall_satisfaction_globale="tres_satisfaisant", site=new_site)

    indicators = compute(now.campaign, Filter(site_id=new_site.pk))

    assert indicators.question("hall_satisfaction_globale").previous is None
    assert "aucun questionnaire" in indicators.not_comparable
