"""A large import of responses runs as a background task, followed on its own page
(survey/services/imports.py, survey/views_imports.py), all or nothing as a small one: the
request only checks and stores the file, the task reads it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from bench import upload_bombs as bombs
from survey import forms_exchange
from survey.models import ImportJob, Organisation, Questionnaire, Response, Role, Site
from survey.services import imports

from .helpers import client_for, drain_queue, import_url, new_rows, phone_rows, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_threshold(settings: Any) -> None:
    """Every file goes to the background, as a file of a megabyte or more does in
    production."""
    settings.IMPORT_BACKGROUND_MIN_BYTES = 1


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's loop closes a connection it finds inside a transaction: here, the
    test's own, which it must keep."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def job_url(job: ImportJob, name: str = "survey:import_job") -> str:
    return reverse(name, args=[job.pk])


def test_a_large_file_is_queued_and_imported_by_a_worker_not_in_the_request(
    hall: Questionnaire, site: Site, manager_client: Client, queue: None
) -> None:

    response = manager_client.post(import_url(hall), {"file": upload(new_rows(hall, 6, site))})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert Response.objects.count() == 0  # nothing imported inside the request
    assert (job.status, job.row_count, job.filename) == ("pending", 0, "questionnaires.csv")
    assert bytes(job.upload) == upload(new_rows(hall, 6, site)).read()  # the file as sent
    state = manager_client.get(job_url(job, "survey:import_job_status")).json()
    assert (state["status"], state["finished"]) == ("pending", False)
    page = manager_client.get(job_url(job)).content.decode()
    assert "En attente de démarrage" in page
    assert 'data-status="pending"' in page

    drain_queue()

    job.refresh_from_db()
    assert (job.status, job.progress, job.created, job.already_present) == ("done", 100, 6, 0)
    assert job.row_count == 6
    assert job.upload is None  # the file, personal data maybe, is not kept
    assert Response.objects.filter(questionnaire=hall, mode="import").count() == 6
    state = manager_client.get(job_url(job, "survey:import_job_status")).json()
    assert (state["status"], state["finished"], state["progress"]) == ("done", True, 100)
    page = manager_client.get(job_url(job)).content.decode()
    assert "Questionnaires importés : 6 ; déjà présents (ignorés) : 0." in page


def test_a_small_file_is_still_imported_inside_the_request(
    hall: Questionnaire, site: Site, manager_client: Client, settings: Any
) -> None:
    settings.IMPORT_BACKGROUND_MIN_BYTES = 512 * 1024  # the default
    response = manager_client.post(import_url(hall), {"file": upload(new_rows(hall, 4, site))})

    assert response["Location"] == reverse("survey:campaign_detail", args=[hall.campaign.pk])
    assert Response.objects.count() == 4
    assert not ImportJob.objects.exists()


def test_a_large_file_with_errors_imports_nothing_and_its_page_lists_them(
    hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    rows = new_rows(hall, 6, site)
    rows[3]["site"] = "Sous-préfecture de nulle part"

    response = manager_client.post(import_url(hall), {"file": upload(rows)}, follow=True)

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.error == "Le fichier a des erreurs : rien n'a été enregistré."
    assert [(e["line"], e["column"]) for e in job.row_errors] == [(5, "site")]
    assert Response.objects.count() == 0
    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert "<code>site</code>" in page
    assert "Le fichier a des erreurs" in page


def test_a_large_file_for_a_closed_campaign_is_refused_at_once(
    hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    rows = new_rows(hall, 6, site)
    hall.campaign.close()

    response = manager_client.post(import_url(hall), {"file": upload(rows)})

    assert response.status_code == 200
    assert "clôturée" in " ".join(response.context["form"].non_field_errors())
    assert not ImportJob.objects.exists()


def test_an_import_whose_worker_died_fails_with_a_french_message_and_forgets_its_rows(
    hall: Questionnaire, site: Site, manager_client: Client, queue: None
) -> None:
    manager_client.post(import_url(hall), {"file": upload(new_rows(hall, 6, site))})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", progressed_at=timezone.now() - imports.background_jobs.timeout() * 2
    )

    state = manager_client.get(job_url(job, "survey:import_job_status")).json()

    assert state["status"] == "failed"
    assert state["error"] == (
        "L'import a été interrompu : le processus qui le faisait s'est arrêté (aucune "
        "avancée depuis 15 minutes). Rien n'a été enregistré ; relancez l'import."
    )
    job.refresh_from_db()
    assert job.upload is None
    drain_queue()  # the task, delivered after all, finds the job over
    assert Response.objects.count() == 0


def test_running_an_import_twice_imports_once(
    hall: Questionnaire, site: Site, manager_client: Client, queue: None
) -> None:
    manager_client.post(import_url(hall), {"file": upload(new_rows(hall, 6, site))})
    job = ImportJob.objects.get()

    imports.run(job.pk)
    imports.run(job.pk)

    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 6)
    assert Response.objects.count() == 6


def test_only_the_organisations_quality_manager_sees_an_import(
    hall: Questionnaire, site: Site, manager_client: Client, other_organisation: Organisation
) -> None:
    manager_client.post(import_url(hall), {"file": upload(new_rows(hall, 6, site))})
    job = ImportJob.objects.get()
    trainee = client_for(Role.INTERVIEWER, hall.campaign.organisation)
    stranger = client_for(Role.QUALITY_MANAGER, other_organisation)

    for url in (job_url(job), job_url(job, "survey:import_job_status")):
        assert manager_client.get(url).status_code == 200
        assert trainee.get(url).status_code == 403
        assert stranger.get(url).status_code == 404


def test_a_large_file_is_not_read_in_the_request_but_by_the_task(
    hall: Questionnaire,
    site: Site,
    manager_client: Client,
    queue: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the request parsed the file")

    with monkeypatch.context() as patch:
        patch.setattr(forms_exchange, "read_table", no_reading)
        patch.setattr(imports, "read_table", no_reading)
        response = manager_client.post(
            import_url(hall), {"file": upload(new_rows(hall, 6, site), "xlsx")}
        )

    job = ImportJob.objects.get()
    assert response["Location"] == job_url(job)
    assert job.row_count == 0  # not counted: not read
    drain_queue()
    job.refresh_from_db()
    assert (job.status, job.row_count, job.created) == ("done", 6, 6)
    assert Response.objects.filter(questionnaire=hall).count() == 6


def test_a_bomb_left_to_the_task_fails_the_job_with_the_french_reason_and_stores_nothing(
    hall: Questionnaire, manager_client: Client, queue: None
) -> None:
    # Honest archive sizes and a modest ratio: only reading it finds its 25,000 rows.
    bomb = SimpleUploadedFile("questionnaires.xlsx", bombs.many_rows(25_000))

    response = manager_client.post(import_url(hall), {"file": bomb})

    job = ImportJob.objects.get()
    assert response["Location"] == job_url(job)
    drain_queue()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == (
        "Le fichier dépasse 20000 lignes : découpez-le en plusieurs fichiers. "
        "Rien n'a été enregistré."
    )
    assert job.upload is None
    assert Response.objects.count() == 0
    page = manager_client.get(job_url(job)).content.decode()
    assert "Le fichier dépasse 20000 lignes" in page


def test_a_bomb_declaring_its_size_is_refused_on_the_form_queuing_nothing(
    hall: Questionnaire, manager_client: Client
) -> None:
    bomb = SimpleUploadedFile("questionnaires.xlsx", bombs.bomb(30))

    response = manager_client.post(import_url(hall), {"file": bomb})

    assert response.status_code == 200
    assert "plus de 200 fois sa taille" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_the_split_weighs_what_the_reader_would_parse_not_what_was_sent(settings: Any) -> None:
    workbook = bombs.many_rows(3_000)  # its sheet unpacks to some ten times its size
    settings.IMPORT_BACKGROUND_MIN_BYTES = 2 * len(workbook)

    assert imports.in_background(SimpleUploadedFile("appels.xlsx", workbook))
    assert not imports.in_background(SimpleUploadedFile("appels.csv", workbook))


def test_a_large_phone_file_on_the_hall_page_fails_its_job_naming_the_phone_questionnaire(
    hall: Questionnaire, site: Site, manager_client: Client
) -> None:
    phone = hall.campaign.questionnaires.get(channel="phone")
    rows = phone_rows(phone, 6, site)

    response = manager_client.post(import_url(hall), {"file": upload(rows)}, follow=True)

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.error == (
        "Ce fichier est celui du questionnaire « Questionnaire téléphonique » (colonne "
        "tel_deplace_apres_appel), pas de « Questionnaire accueil physique » : importez-le "
        "depuis la page d'import du questionnaire « Questionnaire téléphonique ». Rien n'a "
        "été enregistré."
    )
    assert job.row_errors == []
    assert job.upload is None
    assert Response.objects.count() == 0
    page = response.content.decode()
    assert f'href="{import_url(phone)}">Importer dans « Questionnaire téléphonique »</a>' in page
