"""The comparison with the previous year is like for like (issue 14, point 6).

A figure published for the whole prefecture (or a whole channel) only compares with the
unfiltered campaign (or that channel). Under a site or interviewer filter, last year's raw
answers are counted under the same filter when they exist; else, and always under a week
filter (another year's weeks are other dates), the dashboard says "non comparable" and
why, and tests no change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from demo.loader import DemoResult, load_demo
from reports.indicators import Filter, Indicators, compute
from reports.models import PublishedFigure
from survey.models import Campaign

from .helpers import text

pytestmark = pytest.mark.django_db


def previous_figures(indicators: Indicators) -> list[Any]:
    """Every comparison the indicators hold: rates, shares, places."""
    found: list[Any] = []
    for result in indicators.questions.values():
        found += [result.previous, *(share.previous for share in result.shares)]
    found += [place.previous for place in [*indicators.arrondissements, *indicators.epcis]]
    return [p for p in found if p is not None]


# --- the demo: 2015 known by its published figures only -----------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    """The demo, its 2015 favourable rates published with their counts (the 2015 report
    gave rates only), so that a change can be tested."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo()
        rates = PublishedFigure.objects.filter(
            organisation=result.campaign.organisation, choice_code="", rate__isnull=False
        ).exclude(code=PublishedFigure.QUESTIONNAIRES)
        for figure in rates:
            figure.base = 200
            figure.favourable = int(figure.rate * 2)
            figure.rate = None
            figure.save()
        yield result
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def campaign(demo: DemoResult) -> Campaign:
    return Campaign.objects.select_related("organisation").get(pk=demo.campaign.pk)


def dashboard(campaign: Campaign, **query: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username="responsable"))
    response = client.get(
        reverse("reports:campaign_dashboard", args=[campaign.pk]), query, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 200
    return text(response)


def test_unfiltered_the_published_figures_still_compare(campaign: Campaign) -> None:
    indicators = compute(campaign, Filter())
    page = dashboard(campaign)

    assert indicators.previous_by_channel == {
        "hall": (208, "published"),
        "phone": (67, "published"),
    }
    published = [p for p in previous_figures(indicators) if p.source == "published"]
    assert published
    assert any(p.test is not None for p in published)
    assert "(publié)" in page
    assert "écart significatif" in page
    assert "Non comparable" not in page


@pytest.mark.parametrize("what", ["site", "enqueteur", "semaine"])
def test_under_a_filter_no_published_figure_nor_verdict_is_shown(
    campaign: Campaign, what: str
) -> None:
    response = campaign.responses.filter(voided_at__isnull=True, interviewer__isnull=False)
    first = response.select_related("site").order_by("started_at").first()
    assert first is not None
    value = {
        "site": str(first.site_id),
        "enqueteur": str(first.interviewer_id),
        "semaine": campaign.start_date.isoformat(),
    }[what]
    flt = {
        "site": Filter(site_id=first.site_id),
        "enqueteur": Filter(interviewer_id=first.interviewer_id),
        "semaine": Filter(week=campaign.start_date),
    }[what]

    indicators = compute(campaign, flt)
    page = dashboard(campaign, **{what: value})

    assert indicators.total > 0
    assert previous_figures(indicators) == []
    assert indicators.previous_by_channel == {}
    assert indicators.not_comparable
    assert "Non comparable." in page
    assert "(publié" not in page
    assert "écart significatif" not in page
    assert "écart non significatif" not in page
    assert "2015 (non comparable)" in page
