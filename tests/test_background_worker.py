"""The task workers (`manage.py db_worker`, background/): a job whose worker is killed in the
middle ends failed with a French message, never "en cours" for ever; two workers never run
the same job; each worker records its heartbeat."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.heartbeat import Heartbeat, beat, seen_recently
from background.models import WorkerHeartbeat
from reports.audit import jobs
from reports.audit.models import ReportFile
from survey.models import Campaign, CampaignStatus

from .factories import CampaignFactory, OrganisationFactory
from .helpers import drain_queue
from .stalling_task import stall_report_file

ONLY_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no SELECT ... FOR UPDATE SKIP LOCKED: there, django-tasks-db "
    "serialises the claims with exclusive transactions instead, one worker at a time",
)


def _campaign() -> Campaign:
    return CampaignFactory(organisation=OrganisationFactory(), status=CampaignStatus.OPEN)


def _database_url() -> str:
    """The test database, for a worker started as a separate process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("queue")
def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_failed_never_en_cours() -> None:
    campaign = _campaign()
    file = ReportFile.objects.create(campaign=campaign, kind=ReportFile.Kind.REPORT)
    result = stall_report_file.enqueue(file.pk)
    ReportFile.objects.filter(pk=file.pk).update(task_id=result.id)
    env = {key: value for key, value in os.environ.items() if key not in {"TASKS_BACKEND", "DEBUG"}}
    env["DATABASE_URL"] = _database_url()
    worker = subprocess.Popen(
        [
            *(sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"),
            *("--interval", "0.1", "--worker-id", "doomed"),
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(120, worker.kill)  # a worker that never says STALLED
    watchdog.start()
    output: list[str] = []
    try:
        assert worker.stdout is not None
        for line in worker.stdout:
            output.append(line)
            if line.strip() == "STALLED":
                break
        file.refresh_from_db()
        assert (file.status, file.progress, file.step) == ("running", 10, "Première étape"), (
            "".join(output)
        )
        worker.kill()  # SIGKILL: nothing of the worker's own clean-up runs
        worker.wait(timeout=30)
    finally:
        watchdog.cancel()
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    # Dead, but silent for less than the timeout: still shown under way, with its progress.
    assert jobs.expire_stale() == 0
    file.refresh_from_db()
    assert file.status == ReportFile.Status.RUNNING
    assert DBTaskResult.objects.get(id=result.id).status == "RUNNING"

    # Silent for longer than the timeout: the next look at it (a page, a worker's sweep)
    # marks it failed, and its row in the queue with it.
    ReportFile.objects.filter(pk=file.pk).update(
        progressed_at=timezone.now() - jobs.timeout() - datetime.timedelta(seconds=1)
    )
    assert jobs.expire_stale() == 1
    file.refresh_from_db()
    assert file.status == ReportFile.Status.FAILED
    assert file.error == (
        "La production a été interrompue : le processus qui la faisait s'est arrêté "
        "(aucune avancée depuis 15 minutes). Relancez-la."
    )
    task = DBTaskResult.objects.get(id=result.id)
    assert task.status == "FAILED"
    assert task.worker_ids == ["doomed"]

    # And it may be asked again: a new job, produced this time.
    again, started = jobs.request_file(campaign, ReportFile.Kind.REPORT)
    assert started
    assert again.pk != file.pk


@ONLY_POSTGRESQL
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("queue")
def test_a_task_claimed_by_one_worker_is_skipped_by_the_other_not_waited_for() -> None:
    """Worker A holds the row it is claiming (its transaction not yet committed): worker B's
    query neither waits for it nor gets it (SKIP LOCKED); once A has claimed it, it is no
    longer ready for anyone."""
    file = ReportFile.objects.create(campaign=_campaign(), kind=ReportFile.Kind.REPORT)
    jobs.produce_report_file.enqueue(file.pk)
    seen_by_b: list[DBTaskResult | None] = []

    def worker_b() -> None:
        try:
            with transaction.atomic():
                seen_by_b.append(DBTaskResult.objects.ready().get_locked())
        finally:
            connections.close_all()

    with transaction.atomic():
        claimed_by_a = DBTaskResult.objects.ready().get_locked()
        assert claimed_by_a is not None
        other = threading.Thread(target=worker_b)
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()
        claimed_by_a.claim("worker-a")

    assert seen_by_b == [None]
    assert not DBTaskResult.objects.ready().exists()
    assert DBTaskResult.objects.get().worker_ids == ["worker-a"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("queue")
def test_two_workers_sharing_the_queue_run_each_job_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two workers (django-tasks-db's loop, in two threads) empty a queue of 12 jobs: each
    task claimed by one worker only (SKIP LOCKED on PostgreSQL, exclusive transactions on
    SQLite), each file built once."""
    built: list[int] = []
    lock = threading.Lock()

    def builder(kind: str) -> Callable[[object, Callable[[int, str], None]], bytes]:
        def build(campaign: object, progress: Callable[[int, str], None]) -> bytes:
            progress(50, "Moitié")
            with lock:
                built.append(campaign.pk)  # type: ignore[attr-defined]
            return b"%PDF-fake"

        return build

    monkeypatch.setattr(jobs, "_builder", builder)
    files = [jobs.request_file(_campaign(), ReportFile.Kind.REPORT)[0] for _number in range(12)]

    def work(worker_id: str) -> None:
        try:
            drain_queue(worker_id)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(name,)) for name in ("w1", "w2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert sorted(built) == sorted(file.campaign_id for file in files)
    assert set(ReportFile.objects.values_list("status", flat=True)) == {"done"}
    tasks = DBTaskResult.objects.all()
    assert len(tasks) == 12
    assert all(len(task.worker_ids) == 1 for task in tasks)


@pytest.mark.django_db
def test_a_heartbeat_is_seen_recently_then_grows_old_and_is_forgotten_after_a_day() -> None:
    assert not seen_recently()
    beat("w1", timezone.now())
    assert seen_recently()

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - datetime.timedelta(minutes=3))
    assert not seen_recently()

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - datetime.timedelta(days=2))
    beat("w2", timezone.now())
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w2"]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_sweeps_and_removes_its_row_when_stopped() -> None:
    campaign = _campaign()
    lost = ReportFile.objects.create(
        campaign=campaign,
        kind=ReportFile.Kind.REPORT,
        status=ReportFile.Status.RUNNING,
        progressed_at=timezone.now() - jobs.timeout() * 2,
    )
    heartbeat = Heartbeat("w1", interval=3600)
    heartbeat.start()
    heartbeat.stop()  # its first beat and sweep come before it waits

    lost.refresh_from_db()
    assert lost.status == ReportFile.Status.FAILED
    assert not WorkerHeartbeat.objects.exists()
