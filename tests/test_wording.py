"""Words that say what just happened: the message after saving a mystery log, the
organisation's name inside a sentence, the report page's main button."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from demo.loader import load_demo
from mystery.models import EmailTheme, MysteryService
from reports.audit.models import ReportFile
from survey.forms import CampaignForm
from survey.models import Campaign, Organisation

from .helpers import client_for
from .helpers_mystery import email_data, reached_call

pytestmark = pytest.mark.django_db


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


# --- (b) the organisation's name inside a sentence --------------------------------------------


@pytest.mark.parametrize(
    ("name", "inside", "after_de"),
    [
        (
            "Préfecture de la Charente",
            "la préfecture de la Charente",
            "de la préfecture de la Charente",
        ),
        (
            "Sous-préfecture de Cognac",
            "la sous-préfecture de Cognac",
            "de la sous-préfecture de Cognac",
        ),
        (
            "Haut-commissariat de la République en Polynésie française",
            "le haut-commissariat de la République en Polynésie française",
            "du haut-commissariat de la République en Polynésie française",
        ),
        ("Agence régionale", "l'agence régionale", "de l'agence régionale"),
        ("Mayotte", "Mayotte", "de Mayotte"),
    ],
)
def test_the_name_inside_a_sentence_is_guessed_from_the_name(
    name: str, inside: str, after_de: str
) -> None:
    organisation = Organisation(name=name)

    with translation.override("fr"):
        assert (organisation.in_sentence, organisation.of_in_sentence) == (inside, after_de)


def test_the_name_inside_a_sentence_as_the_quality_manager_wrote_it_wins() -> None:
    organisation = Organisation(
        name="Préfecture du Rhône", name_in_sentence="la préfecture du Rhône et de la zone"
    )

    with translation.override("fr"):
        assert organisation.in_sentence == "la préfecture du Rhône et de la zone"
    with translation.override("en"):
        assert organisation.in_sentence == "Préfecture du Rhône"


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        (
            "audit:actions",
            "Les actions que la préfecture de la Charente décide dans son rapport",
        ),
        ("reports:web_figures", "Chiffres mensuels de la préfecture de la Charente,"),
        ("reports:published_figures", "des années où la préfecture de la Charente n'a pas"),
        (
            "reports:remark_taxonomy",
            "de toutes les campagnes de la préfecture de la Charente,",
        ),
        ("mystery:reference", "boîtes d'envoi de la préfecture de la Charente."),
    ],
)
def test_pages_write_the_name_with_its_article_inside_a_sentence(
    manager_client: Client, url: str, sentence: str
) -> None:
    response = manager_client.get(reverse(url))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert " ".join(sentence.split()) in " ".join(page.split())
    assert "que Préfecture de la Charente" not in page


def test_a_campaign_of_the_same_year_is_refused_with_the_name_in_a_sentence(
    organisation: Organisation, open_campaign: Campaign
) -> None:
    form = CampaignForm(
        {"year": 2016, "title": "Encore", "start_date": "2016-10-03", "end_date": "2016-10-14"},
        organisation=organisation,
    )

    assert not form.is_valid()
    assert form.errors["year"] == [
        "Une campagne 2016 existe déjà pour la préfecture de la Charente."
    ]


def test_the_quality_manager_edits_the_name_inside_a_sentence_in_the_admin(
    organisation: Organisation,
) -> None:
    admin = client_for(None, organisation, superuser=True)
    url = reverse("admin:survey_organisation_change", args=[organisation.pk])

    assert 'name="name_in_sentence"' in admin.get(url).content.decode()


def test_the_demo_organisation_has_its_name_inside_a_sentence() -> None:
    organisation = load_demo().campaign.organisation

    assert organisation.name_in_sentence == "la préfecture de la Charente"


# --- (c) the report page's main button ----------------------------------------------------------


def button_classes(page: str, label: str) -> list[str]:
    """The classes of the links and buttons whose text begins with ``label``."""
    found = re.findall(r'<(?:a|button)[^>]*class="([^"]*)"[^>]*>\s*' + re.escape(label), page)
    return [" ".join(sorted(classes.split())) for classes in found]


def test_before_any_pdf_produire_is_the_main_button(
    manager_client: Client, open_campaign: Campaign
) -> None:
    page = manager_client.get(reverse("audit:files", args=[open_campaign.pk])).content.decode()

    assert button_classes(page, "Produire") == ["fr-btn"]
    assert button_classes(page, "Télécharger") == []


def test_once_the_pdf_is_produced_telecharger_is_the_main_button(
    manager_client: Client, open_campaign: Campaign
) -> None:
    ReportFile.objects.create(
        campaign=open_campaign,
        kind=ReportFile.Kind.REPORT,
        status=ReportFile.Status.DONE,
        content=b"%PDF-",
        filename="rapport.pdf",
    )

    page = manager_client.get(reverse("audit:files", args=[open_campaign.pk])).content.decode()

    assert button_classes(page, "Télécharger") == ["fr-btn fr-btn--icon-left fr-icon-download-line"]
    assert button_classes(page, "Produire") == ["fr-btn fr-btn--secondary"]
