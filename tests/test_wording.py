"""Words that say what just happened: the message after saving a mystery log, the
organisation's name inside a sentence, the report page's main button."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from mystery.models import EmailTheme, MysteryService
from survey.models import Campaign, CampaignStatus, Organisation

from .factories import CampaignFactory, EmailThemeFactory, MysteryServiceFactory
from .test_mystery_pages import email_data, reached_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_campaign(organisation: Organisation) -> Campaign:
    return CampaignFactory(organisation=organisation, year=2016, status=CampaignStatus.OPEN)


@pytest.fixture
def service(organisation: Organisation) -> MysteryService:
    return MysteryServiceFactory(organisation=organisation, name="Standard")


@pytest.fixture
def theme(organisation: Organisation) -> EmailTheme:
    return EmailThemeFactory(organisation=organisation, name="Permis de conduire")


def said(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- (a) the message after saving a log -------------------------------------------------------


def test_a_plain_save_of_a_call_says_only_that_it_is_saved(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    response = staff_client.post(
        reverse("mystery:call_create", args=[open_campaign.pk]), reached_call(service)
    )

    assert response["Location"] == reverse("mystery:call_list", args=[open_campaign.pk])
    assert said(response) == ["Appel enregistré."]


def test_save_and_next_asks_for_the_next_call(
    staff_client: Client, open_campaign: Campaign, service: MysteryService
) -> None:
    url = reverse("mystery:call_create", args=[open_campaign.pk])

    response = staff_client.post(url, {**reached_call(service), "again": "1"})

    assert response["Location"] == url
    assert said(response) == ["Appel enregistré. Le suivant ?"]


def test_a_saved_email_says_only_that_it_is_saved(
    staff_client: Client, open_campaign: Campaign, theme: EmailTheme
) -> None:
    response = staff_client.post(
        reverse("mystery:email_create", args=[open_campaign.pk]), email_data(theme)
    )

    assert said(response) == ["Courriel enregistré."]
