"""What the entry API lets each account write: paper re-entry is the quality manager's, and
a device report writes the reporting account's own row (issue 13, point 5)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from survey.models import DeviceQueue, EntryMode, Organisation, Questionnaire, Response, Role

from .helpers import client_for, grant, payload_for, post, report

pytestmark = pytest.mark.django_db


# --- the entry mode --------------------------------------------------------------------------


def test_a_trainee_cannot_send_a_paper_questionnaire(
    hall: Questionnaire, interviewer_client: Client
) -> None:
    response = post(interviewer_client, payload_for(hall, mode="paper"))

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "mode": ["La ressaisie des questionnaires papier est réservée au responsable qualité."]
    }
    assert Response.objects.count() == 0


def test_a_quality_manager_of_another_organisation_is_a_trainee_here_for_paper(
    hall: Questionnaire, organisation: Organisation, other_organisation: Organisation
) -> None:
    """Managing one prefecture gives no paper entry in another where one is a trainee."""
    client = grant(
        client_for(Role.INTERVIEWER, organisation), other_organisation, Role.QUALITY_MANAGER
    )

    response = post(client, payload_for(hall, mode="paper"))

    assert response.status_code == 400
    assert "mode" in response.json()["errors"]
    assert Response.objects.count() == 0


def test_the_quality_manager_re_enters_a_paper_questionnaire(
    hall: Questionnaire, manager_client: Client
) -> None:
    response = post(manager_client, payload_for(hall, mode="paper"))

    assert response.status_code == 201
    assert Response.objects.get().mode == EntryMode.PAPER


@pytest.mark.parametrize("mode", ["tablet", "phone"])
def test_a_trainee_still_sends_tablet_and_phone_questionnaires(
    hall: Questionnaire, interviewer_client: Client, mode: str
) -> None:
    response = post(interviewer_client, payload_for(hall, mode=mode))

    assert response.status_code == 201
    assert Response.objects.get().mode == mode


# --- device reports --------------------------------------------------------------------------


def test_a_trainee_cannot_overwrite_another_accounts_report_of_a_device(
    organisation: Organisation, manager_client: Client
) -> None:
    holder = client_for(Role.INTERVIEWER, organisation)
    other = client_for(Role.INTERVIEWER, organisation)
    report(holder, {"device_id": "tablette-hall-1", "pending": 4, "oldest": None})

    answer = report(other, {"device_id": "tablette-hall-1", "pending": 0, "oldest": None})

    assert answer.status_code == 200
    kept = DeviceQueue.objects.get(device_id="tablette-hall-1", user=holder.user)  # type: ignore[attr-defined]
    assert kept.pending == 4
    page = manager_client.get(reverse("survey:entry_devices")).content.decode()
    assert holder.user.username in page  # type: ignore[attr-defined]
    assert "Aucun appareil n'a signalé" not in page


def test_each_account_updates_its_own_report_of_a_shared_device(
    organisation: Organisation,
) -> None:
    first = client_for(Role.INTERVIEWER, organisation)
    second = client_for(Role.INTERVIEWER, organisation)

    report(first, {"device_id": "tablette-hall-1", "pending": 2, "oldest": None})
    report(second, {"device_id": "tablette-hall-1", "pending": 3, "oldest": None})
    report(first, {"device_id": "tablette-hall-1", "pending": 0, "oldest": None})

    rows = DeviceQueue.objects.filter(device_id="tablette-hall-1").order_by("pending")
    assert [(row.user, row.pending) for row in rows] == [
        (first.user, 0),  # type: ignore[attr-defined]
        (second.user, 3),  # type: ignore[attr-defined]
    ]


def test_an_older_report_of_a_shared_device_points_to_the_newer_one(
    organisation: Organisation, manager_client: Client
) -> None:
    first = client_for(Role.INTERVIEWER, organisation)
    second = client_for(Role.INTERVIEWER, organisation)
    report(first, {"device_id": "tablette-hall-1", "pending": 2, "oldest": None})
    DeviceQueue.objects.update(
        reported_at=datetime.datetime(2016, 10, 4, 8, 0, tzinfo=datetime.UTC)
    )
    report(second, {"device_id": "tablette-hall-1", "pending": 0, "oldest": None})

    page = manager_client.get(reverse("survey:entry_devices")).content.decode()

    assert first.user.username in page  # type: ignore[attr-defined]
    assert "Signalement plus récent de cet appareil, par un autre compte" in page
    assert ": 0 en attente." in page
