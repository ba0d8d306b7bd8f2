"""The production of the report's files as tasks (reports.audit.jobs): queued in the database,
claimed by a `db_worker`, idempotent, and never left "en cours" when its worker died.

Apart from this module and tests/test_background_worker.py, tasks run inside the request
(the immediate backend, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports.audit import jobs
from reports.audit.models import ReportFile
from survey.models import Campaign, CampaignStatus

from .factories import CampaignFactory, OrganisationFactory


def _campaign() -> Campaign:
    # Its own organisation: another module's demo may hold the Charente's département code.
    return CampaignFactory(organisation=OrganisationFactory(), status=CampaignStatus.OPEN)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("queue")
def test_the_request_queues_the_job_and_a_db_worker_produces_it() -> None:
    """What the page does: the request returns at once with the job pending in the queue;
    a worker (`manage.py db_worker`, here for the tasks waiting) claims it, records its
    progress and stores the result; the next request finds it done."""
    campaign = _campaign()
    file, started = jobs.request_file(campaign, ReportFile.Kind.REPORT)
    assert started
    assert file.status == ReportFile.Status.PENDING
    task = DBTaskResult.objects.get(id=file.task_id)
    assert task.status == "READY"
    assert task.task_path == "reports.audit.jobs.produce_report_file"

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    file.refresh_from_db()
    assert file.status == ReportFile.Status.DONE, file.error
    assert file.progress == 100
    assert bytes(file.content or b"").startswith(b"%PDF")
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert len(task.worker_ids) == 1


def _job(campaign: object, status: str = ReportFile.Status.RUNNING) -> ReportFile:
    return ReportFile.objects.create(campaign=campaign, kind=ReportFile.Kind.REPORT, status=status)


@pytest.mark.django_db
def test_a_long_job_that_reports_its_steps_is_not_expired_but_a_silent_one_is() -> None:
    campaign = _campaign()
    long_ago = timezone.now() - jobs.timeout() * 3
    alive, silent, never = _job(campaign), _job(campaign), _job(campaign)
    ReportFile.objects.filter(pk__in=[alive.pk, silent.pk, never.pk]).update(requested_at=long_ago)
    ReportFile.objects.filter(pk=alive.pk).update(progressed_at=timezone.now())
    ReportFile.objects.filter(pk=silent.pk).update(progressed_at=long_ago)

    assert jobs.expire_stale(campaign) == 2

    files = {file.pk: file for file in ReportFile.objects.all()}
    assert files[alive.pk].status == ReportFile.Status.RUNNING
    assert files[silent.pk].status == ReportFile.Status.FAILED
    assert files[never.pk].status == ReportFile.Status.FAILED
    assert files[silent.pk].error == (
        "La production a été interrompue : le processus qui la faisait s'est arrêté "
        "(aucune avancée depuis 15 minutes). Relancez-la."
    )


@pytest.mark.django_db
def test_a_job_no_worker_took_fails_with_its_own_message_and_may_be_asked_again() -> None:
    campaign = _campaign()
    waiting = _job(campaign, ReportFile.Status.PENDING)
    ReportFile.objects.filter(pk=waiting.pk).update(
        requested_at=timezone.now() - jobs.timeout() * 2
    )

    file, started = jobs.request_file(campaign, ReportFile.Kind.REPORT)

    waiting.refresh_from_db()
    assert waiting.status == ReportFile.Status.FAILED
    assert waiting.error.startswith(
        "La production n'a pas démarré en 15 minutes : aucun processus de fond ne l'a prise "
        "en charge."
    )
    assert started
    assert file.pk != waiting.pk
    assert file.status == ReportFile.Status.DONE  # the immediate backend ran it


@pytest.mark.django_db
@pytest.mark.usefixtures("queue")
def test_expiring_a_job_whose_worker_died_fails_its_queue_row_too() -> None:
    campaign = _campaign()
    file, _started = jobs.request_file(campaign, ReportFile.Kind.REPORT)
    task = DBTaskResult.objects.get(id=file.task_id)
    # A worker claimed it, started it, and was killed: nothing more was written.
    task.claim("worker-that-dies")
    ReportFile.objects.filter(pk=file.pk).update(
        status=ReportFile.Status.RUNNING, progressed_at=timezone.now() - jobs.timeout() * 2
    )

    # No campaign given: what each worker's heartbeat runs (WORKER_SWEEPS).
    assert jobs.expire_stale() == 1

    file.refresh_from_db()
    task.refresh_from_db()
    assert file.status == ReportFile.Status.FAILED
    assert "le processus qui la faisait s'est arrêté" in file.error
    assert task.status == "FAILED"
    assert task.exception_class_path == "background.jobs.WorkerLost"


@pytest.mark.django_db
def test_a_job_marked_failed_while_it_runs_stops_and_stays_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign = _campaign()
    file = _job(campaign, ReportFile.Status.PENDING)
    steps: list[str] = []

    def builder(kind: str) -> object:
        def build(campaign: object, progress: Callable[[int, str], None]) -> bytes:
            progress(10, "Première étape")
            steps.append("first")
            # Meanwhile, another request found the job silent for too long.
            ReportFile.objects.filter(pk=file.pk).update(
                status=ReportFile.Status.FAILED, error="interrompue"
            )
            progress(50, "Deuxième étape")
            steps.append("second")  # never reached
            return b"%PDF-late"

        return build

    monkeypatch.setattr(jobs, "_builder", builder)
    jobs.run(file.pk)

    file.refresh_from_db()
    assert steps == ["first"]
    assert file.status == ReportFile.Status.FAILED
    assert file.error == "interrompue"
    assert file.content is None
    assert file.progressed_at is not None


@pytest.mark.django_db
def test_running_a_job_again_does_nothing_once_it_is_taken_or_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same task delivered twice, or run by two workers, produces the file once."""
    campaign = _campaign()
    file = _job(campaign, ReportFile.Status.PENDING)
    built: list[int] = []

    def builder(kind: str) -> object:
        def build(campaign: object, progress: Callable[[int, str], None]) -> bytes:
            built.append(file.pk)
            return b"%PDF-once"

        return build

    monkeypatch.setattr(jobs, "_builder", builder)
    jobs.run(file.pk)
    file.refresh_from_db()
    finished_at = file.finished_at

    jobs.run(file.pk)
    jobs.produce_report_file.call(file.pk)

    file.refresh_from_db()
    assert built == [file.pk]
    assert file.status == ReportFile.Status.DONE
    assert file.finished_at == finished_at

    taken = _job(campaign, ReportFile.Status.RUNNING)
    jobs.run(taken.pk)
    taken.refresh_from_db()
    assert built == [file.pk]
    assert taken.status == ReportFile.Status.RUNNING
    assert taken.progressed_at is None
