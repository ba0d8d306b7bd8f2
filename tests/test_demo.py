from __future__ import annotations

import html
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from reports.models import PublishedFigure
from survey.models import (
    Answer,
    Campaign,
    CampaignStatus,
    Membership,
    Question,
    Response,
    Role,
    Site,
)

pytestmark = pytest.mark.django_db

# pytest-django runs tests with DEBUG false; the demo is for a DEBUG instance.
demo_instance = override_settings(DEBUG=True)


@demo_instance
def test_the_demo_loads_the_charente_campaign_and_its_accounts() -> None:
    out = StringIO()

    call_command("load_demo", stdout=out)

    campaign = Campaign.objects.get(organisation__departement_code="16", year=2016)
    assert campaign.status == CampaignStatus.OPEN
    assert {q.channel for q in campaign.questionnaires.all()} == {"hall", "phone"}
    assert Question.objects.filter(questionnaire__campaign=campaign).count() > 60
    assert Site.objects.filter(organisation=campaign.organisation).count() == 3
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "responsable": Role.QUALITY_MANAGER,
        "agent": Role.STAFF,
        "stagiaire": Role.INTERVIEWER,
        "stagiaire2": Role.INTERVIEWER,
        "stagiaire3": Role.INTERVIEWER,
        "stagiaire4": Role.INTERVIEWER,
    }
    assert get_user_model().objects.get(username="admin").is_superuser
    printed = out.getvalue()
    for name in ["admin", "responsable", "agent", "stagiaire", "stagiaire4", "« demo »"]:
        assert name in printed
    # The report's questionnaires (tests/test_demo_figures.py checks their figures).
    assert Response.objects.filter(campaign=campaign).count() == 266


@demo_instance
def test_running_the_demo_twice_creates_nothing_more() -> None:
    call_command("load_demo", stdout=StringIO())

    def counts() -> tuple[int, ...]:
        return (
            Campaign.objects.count(),
            Question.objects.count(),
            Membership.objects.count(),
            Response.objects.count(),
            Answer.objects.count(),
            PublishedFigure.objects.count(),
        )

    before = counts()

    out = StringIO()
    call_command("load_demo", stdout=out)

    assert counts() == before
    assert "existant" in out.getvalue()


@demo_instance
def test_the_demo_accounts_log_in_with_the_password_demo() -> None:
    call_command("load_demo", stdout=StringIO())
    client = Client()

    response = client.post(
        reverse("login"), {"username": "responsable", "password": "demo"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("reports:dashboard")
    assert "Enquête de satisfaction sur l'accueil en préfecture" in html.unescape(
        response.content.decode()
    )


@override_settings(DEBUG=False)
def test_the_demo_refuses_to_load_in_production() -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()
