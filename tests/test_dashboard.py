"""The campaign dashboard: only the quality manager of the organisation reads it, it shows
every rate with its base and interval, links each rate to the answers behind it, and its
number of queries does not grow with the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.indicators import Filter, Previous, Share
from reports.models import WebFigure
from reports.stats import Rate
from reports.templatetags.reports_tags import previous_cell, share_rows
from survey.models import Organisation, Role

from .helpers import Survey, client_for, text

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_rates_with_base_interval_and_colour(
    manager_client: Client, survey: Survey
) -> None:
    for value in ["satisfaisant"] * 3 + ["peu_satisfaisant"]:
        survey.file(hall_satisfaction_globale=value)

    response = manager_client.get(reverse("reports:campaign_dashboard", args=[survey.campaign.pk]))

    page = text(response)
    assert response.status_code == 200
    assert 'class="rate rate--green">75\u00a0%' in page  # 3/4 reaches the 75 % objective
    assert "<td>3/4</td>" in page
    assert "petite base" in page  # 4 answers
    assert "30,1\u00a0% – 95,4\u00a0%" in page  # Wilson interval of 3/4
    assert "/static/vendor/plotly/plotly-basic.min.js" in page
    assert 'data-chart="' in page


def test_a_rate_links_to_the_answers_behind_it(manager_client: Client, survey: Survey) -> None:
    survey.file(hall_satisfaction_globale="satisfaisant")
    survey.file(hall_satisfaction_globale="tres_satisfaisant")
    survey.file(hall_satisfaction_globale="peu_satisfaisant")

    page = text(
        manager_client.get(reverse("reports:campaign_dashboard", args=[survey.campaign.pk]))
    )
    link = next(
        part.split('"')[0]
        for part in page.split('href="')
        if "question=hall_satisfaction_globale" in part.split('"')[0]
    )
    behind = text(manager_client.get(link))

    assert "2 questionnaires" in behind
    assert "Très satisfaisant, Satisfaisant" in behind


def test_filters_narrow_every_figure(manager_client: Client, survey: Survey) -> None:
    survey.file()
    survey.file(survey.phone)
    url = reverse("reports:campaign_dashboard", args=[survey.campaign.pk])

    page = text(manager_client.get(url, {"canal": "phone"}))
    bad = manager_client.get(url, {"canal": "fax", "semaine": "hier"})

    assert "<td><strong>1</strong></td>" in page
    assert bad.status_code == 200  # an unknown filter shows everything, no crash


def test_the_dashboard_costs_the_same_queries_with_more_data(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    small = Survey(organisation)
    small.file()
    big = Survey(other_organisation)
    for _ in range(20):
        big.file()
        big.file(big.phone)

    def queries(survey: Survey, role_org: Organisation) -> int:
        client = client_for(Role.QUALITY_MANAGER, role_org)
        url = reverse("reports:campaign_dashboard", args=[survey.campaign.pk])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(big, other_organisation) == queries(small, organisation)


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.STAFF])
def test_only_the_quality_manager_reads_the_dashboard(
    role: str, organisation: Organisation, survey: Survey
) -> None:
    client = client_for(role, organisation)

    response = client.get(reverse("reports:campaign_dashboard", args=[survey.campaign.pk]))

    assert response.status_code == 403


def test_another_organisations_dashboard_is_not_found(
    other_organisation: Organisation, survey: Survey
) -> None:
    client = client_for(Role.QUALITY_MANAGER, other_organisation)

    response = client.get(reverse("reports:campaign_dashboard", args=[survey.campaign.pk]))

    assert response.status_code == 404


def test_the_months_of_the_website_come_with_the_campaign_year(
    manager_client: Client, survey: Survey, organisation: Organisation
) -> None:
    survey.file()
    WebFigure.objects.create(
        organisation=organisation, year=2016, month=1, metric="site_visits", value=23603
    )
    WebFigure.objects.create(
        organisation=organisation, year=2015, month=1, metric="site_visits", value=1
    )

    page = text(
        manager_client.get(reverse("reports:campaign_dashboard", args=[survey.campaign.pk]))
    )

    assert "23\u00a0603" in page
    assert 'data-series-chart="dashboard-web-data"' in page
    assert "/static/reports/charts.js" in page


def test_the_dashboard_cells_say_the_source_channel_and_significance_of_a_comparison() -> None:
    now = Rate.of(60, 100)
    before = Rate.of(80, 100)
    published_hall = Previous(2015, "published", before, test=now.compare(before), channel="hall")
    raw_same = Previous(2015, "raw", Rate.of(61, 100), test=now.compare(Rate.of(61, 100)))
    only_percent = Previous(2015, "published", None, 70.0)

    assert str(previous_cell(published_hall, Filter())) == (
        '80\u00a0% <span class="fr-text--xs">(publié, accueil physique)</span>'
        ' <span class="fr-badge fr-badge--sm fr-badge--info">écart significatif</span>'
    )
    # The hall's own figure needs no channel note on the hall's dashboard.
    assert "accueil physique" not in str(previous_cell(published_hall, Filter(channel="hall")))
    assert str(previous_cell(raw_same)) == (
        '61\u00a0% <span class="fr-text--xs">écart non significatif</span>'
    )
    assert str(previous_cell(only_percent)) == (
        '70\u00a0% <span class="fr-text--xs">(publié)</span>'
    )
    assert str(previous_cell(None)) == "—"


def test_a_share_row_escapes_its_label_and_marks_a_small_base() -> None:
    share = Share("autre", "<b>Autre</b>", "neutral", Rate.of(2, 10))

    row = str(share_rows([(share, "/reponses/?question=q&choix=autre")]))

    assert row.startswith('<tr><td><a href="/reponses/?question=q&amp;choix=autre">')
    assert "&lt;b&gt;Autre&lt;/b&gt;" in row
    assert "20\u00a0% <span" in row
    assert "petite base" in row
    assert 'title="Moins de 30 réponses' in row  # the same badge as a rate cell's
    assert "<td>2/10</td>" in row
