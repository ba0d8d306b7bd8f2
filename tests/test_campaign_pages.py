from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from survey.models import Campaign, CampaignStatus, Organisation, Response

from .factories import CampaignFactory, QuestionnaireFactory, ResponseFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_a_quality_manager_creates_a_campaign_with_the_canonical_questionnaires(
    manager_client: Client, organisation: Organisation
) -> None:
    response = manager_client.post(
        reverse("survey:campaign_create"),
        {
            "year": 2017,
            "title": "Enquête 2017",
            "start_date": "2017-10-02",
            "end_date": "2017-10-13",
            "objective": "75",
            "orange_band": "5",
            "questionnaires_from": "canonical",
        },
    )

    campaign = Campaign.objects.get(organisation=organisation, year=2017)
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:campaign_detail", args=[campaign.pk])
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.questionnaires.count() == 2


def test_a_new_campaign_can_copy_last_years_questionnaires(
    manager_client: Client, organisation: Organisation
) -> None:
    last_year = CampaignFactory(organisation=organisation, year=2016)
    QuestionnaireFactory(campaign=last_year, title="Questionnaire hall 2016")

    manager_client.post(
        reverse("survey:campaign_create"),
        {
            "year": 2017,
            "title": "Enquête 2017",
            "start_date": "2017-10-02",
            "end_date": "2017-10-13",
            "objective": "80",
            "orange_band": "5",
            "questionnaires_from": str(last_year.pk),
        },
    )

    campaign = Campaign.objects.get(organisation=organisation, year=2017)
    assert [q.title for q in campaign.questionnaires.all()] == ["Questionnaire hall 2016"]
    assert campaign.objective == 80


def test_a_second_campaign_the_same_year_is_refused_in_french(
    manager_client: Client, organisation: Organisation
) -> None:
    CampaignFactory(organisation=organisation, year=2017)

    response = manager_client.post(
        reverse("survey:campaign_create"),
        {
            "year": 2017,
            "title": "Doublon",
            "start_date": "2017-10-13",
            "end_date": "2017-10-02",
            "objective": "75",
            "orange_band": "5",
            "questionnaires_from": "none",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Une campagne 2017 existe déjà" in page
    assert "La fin de l&#x27;enquête précède son début." in page
    assert Campaign.objects.filter(organisation=organisation).count() == 1


def test_the_quality_manager_opens_then_closes_a_campaign(
    manager_client: Client, campaign: Campaign
) -> None:
    QuestionnaireFactory(campaign=campaign)
    url = reverse("survey:campaign_transition", args=[campaign.pk])

    manager_client.post(url, {"action": "open"})
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN

    page = manager_client.post(url, {"action": "close"}, follow=True).content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert "est clôturée" in page


def test_opening_a_campaign_without_questionnaire_says_why(
    manager_client: Client, campaign: Campaign
) -> None:
    url = reverse("survey:campaign_transition", args=[campaign.pk])

    page = manager_client.post(url, {"action": "open"}, follow=True).content.decode()

    assert "Ajoutez au moins un questionnaire" in page
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_the_campaign_page_counts_questionnaires_per_site_and_channel(
    manager_client: Client, organisation: Organisation
) -> None:
    questionnaire = QuestionnaireFactory(
        campaign__organisation=organisation, campaign__status=CampaignStatus.OPEN
    )
    cognac = SiteFactory(organisation=organisation, name="Sous-préfecture de Cognac")
    for _ in range(3):
        ResponseFactory(questionnaire=questionnaire, site=cognac)

    response = manager_client.get(
        reverse("survey:campaign_detail", args=[questionnaire.campaign_id])
    )

    assert [(r["site__name"], r["hall"], r["total"]) for r in response.context["by_site"]] == [
        ("Sous-préfecture de Cognac", 3, 3)
    ]


def test_the_dashboard_counts_each_campaigns_questionnaires_in_a_fixed_number_of_queries(
    manager_client: Client, organisation: Organisation, django_assert_max_num_queries: object
) -> None:
    for year in (2015, 2016, 2017):
        questionnaire = QuestionnaireFactory(
            campaign__organisation=organisation,
            campaign__year=year,
            campaign__status=CampaignStatus.OPEN,
        )
        ResponseFactory(questionnaire=questionnaire, site=SiteFactory(organisation=organisation))

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = manager_client.get(reverse("reports:dashboard"))

    assert [c.total for c in response.context["campaigns"]] == [1, 1, 1]


def test_voided_questionnaires_leave_the_counts(
    manager_client: Client, organisation: Organisation
) -> None:
    questionnaire = QuestionnaireFactory(
        campaign__organisation=organisation, campaign__status=CampaignStatus.OPEN
    )
    site = SiteFactory(organisation=organisation)
    kept, voided = (
        ResponseFactory(questionnaire=questionnaire, site=site),
        ResponseFactory(questionnaire=questionnaire, site=site),
    )
    Response.objects.filter(pk=voided.pk).update(voided_at=kept.submitted_at)

    dashboard = manager_client.get(reverse("reports:dashboard"))
    detail = manager_client.get(reverse("survey:campaign_detail", args=[questionnaire.campaign_id]))

    assert [c.total for c in dashboard.context["campaigns"]] == [1]
    assert [r["total"] for r in detail.context["by_site"]] == [1]
