"""The import pages refuse a bomb or an oversized upload with a French message and store
nothing; the application caps request bodies itself (``survey.uploads``), not only the
proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from bench import upload_bombs as bombs
from mystery.models import MysteryCall
from survey.models import CampaignStatus, Organisation, Questionnaire, Response, Role

from .factories import CampaignFactory
from .helpers import client_for

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


@pytest.fixture
def agent_client(organisation: Organisation) -> Client:
    return client_for(Role.STAFF, organisation)


def responses_import(client: Client, hall: Questionnaire, upload: Any) -> Any:
    return client.post(reverse("survey:import", args=[hall.pk]), {"file": upload})


def test_a_bomb_sent_to_the_responses_import_is_refused_on_the_form(
    hall: Questionnaire, manager_client: Client
) -> None:
    bomb = SimpleUploadedFile("questionnaires.xlsx", bombs.bomb(200))

    response = responses_import(manager_client, hall, bomb)

    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors == [
        "Le classeur décompressé dépasse 128 Mo : il n'a pas été lu. Découpez-le en "
        "plusieurs fichiers."
    ]
    assert "dépasse 128 Mo" in response.content.decode()
    assert Response.objects.count() == 0


def calls_import(client: Client, organisation: Organisation, data: bytes) -> Any:
    campaign = CampaignFactory(organisation=organisation, year=2016, status=CampaignStatus.OPEN)
    upload = SimpleUploadedFile("appels.xlsx", data)
    return client.post(reverse("mystery:calls_import", args=[campaign.pk]), {"file": upload})


def test_a_bomb_sent_to_the_mystery_call_import_is_refused_on_the_form(
    organisation: Organisation, agent_client: Client
) -> None:
    response = calls_import(agent_client, organisation, bombs.bomb(60))

    assert response.status_code == 400
    assert "« bombe » de décompression" in response.context["form"].errors["file"][0]
    assert MysteryCall.objects.count() == 0


def test_the_mystery_import_stops_at_its_own_row_limit(
    organisation: Organisation, agent_client: Client
) -> None:
    response = calls_import(agent_client, organisation, bombs.many_rows(2_001))

    assert response.context["form"].errors["file"] == [
        "Le fichier dépasse 2000 lignes : découpez-le en plusieurs fichiers."
    ]


@override_settings(IMPORT_MAX_BYTES=MIB // 2)
def test_a_file_past_the_import_limit_is_not_stored_and_the_form_says_so(
    hall: Questionnaire, manager_client: Client
) -> None:
    upload = SimpleUploadedFile("questionnaires.csv", b"uuid;site\r\n" + b";x\r\n" * 200_000)

    response = responses_import(manager_client, hall, upload)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Le fichier dépasse 0,5 Mo : découpez-le en plusieurs fichiers."
    ]
    assert "0,5 Mo au plus" in response.content.decode()  # the help text says it first
    assert Response.objects.count() == 0


@override_settings(IMPORT_MAX_BYTES=MIB // 2, DATA_UPLOAD_MAX_MEMORY_SIZE=64 * 1024)
def test_a_body_too_large_to_hold_an_acceptable_file_is_refused_unread_in_french(
    hall: Questionnaire, manager_client: Client
) -> None:
    upload = SimpleUploadedFile("questionnaires.csv", b"x" * MIB)

    response = responses_import(manager_client, hall, upload)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Requête refusée" in page
    assert "Le fichier envoyé dépasse 0,5 Mo : il n&#x27;a pas été lu." in page
    assert Response.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_form_too_large_without_a_file_gets_the_french_400_page(
    hall: Questionnaire, manager_client: Client
) -> None:
    response = manager_client.post(reverse("survey:import", args=[hall.pk]), {"x": "y" * 4096})

    assert response.status_code == 400
    assert "La requête dépasse la taille que le serveur accepte" in response.content.decode()


def test_a_request_for_an_unknown_host_gets_a_400_not_a_500(manager_client: Client) -> None:
    response = manager_client.get("/", HTTP_HOST="attaquant.example")

    assert response.status_code == 400
    assert "Le serveur n'a pas pu lire la requête." in response.content.decode()


def test_a_mystery_log_past_its_own_column_limit_is_refused_there(
    organisation: Organisation, agent_client: Client
) -> None:
    # 2,000 rows of 51 columns: under the questionnaires' limits, a log's is 50 (it has 15).
    response = calls_import(agent_client, organisation, bombs.full_sheet(2_000, 51))

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "Le fichier dépasse 50 colonnes (ligne 1) : gardez les seules colonnes du format."
    ]
    assert MysteryCall.objects.count() == 0
