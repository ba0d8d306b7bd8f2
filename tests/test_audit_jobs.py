"""The page's way of producing a file: the request returns at once and a real thread does
the work. Apart from tests/test_audit_evidence.py, whose module-wide demo runs inside a
transaction that would hold back the thread's start (it waits for the commit)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.utils import timezone

from audit import jobs
from audit.models import ReportFile
from survey.models import CampaignStatus

from .factories import CampaignFactory, OrganisationFactory


@pytest.mark.django_db(transaction=True)
def test_a_real_background_thread_produces_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the page does: the request returns at once, a thread builds the file, records
    its progress and stores the result; the next request finds it done."""
    threads: list[threading.Thread] = []
    start = jobs.start_thread
    monkeypatch.setattr(jobs, "start_thread", lambda pk: threads.append(start(pk)) or threads[-1])
    # Its own organisation: the module's demo may hold the Charente's département code.
    campaign = CampaignFactory(organisation=OrganisationFactory(), status=CampaignStatus.OPEN)
    file, started = jobs.request_file(campaign, ReportFile.Kind.REPORT, sync=False)
    assert started
    assert file.status == ReportFile.Status.PENDING

    # on_commit has fired (no surrounding transaction): the thread is running.
    assert len(threads) == 1
    threads[0].join(timeout=60)

    file.refresh_from_db()
    assert file.status == ReportFile.Status.DONE, file.error
    assert file.progress == 100
    assert bytes(file.content or b"").startswith(b"%PDF")


def _job(campaign: object) -> ReportFile:
    return ReportFile.objects.create(
        campaign=campaign, kind=ReportFile.Kind.REPORT, status=ReportFile.Status.RUNNING
    )


@pytest.mark.django_db
def test_a_long_job_that_reports_its_steps_is_not_expired_but_a_silent_one_is() -> None:
    campaign = CampaignFactory(organisation=OrganisationFactory(), status=CampaignStatus.OPEN)
    long_ago = timezone.now() - jobs.timeout() * 3
    alive, silent, never = _job(campaign), _job(campaign), _job(campaign)
    ReportFile.objects.filter(pk__in=[alive.pk, silent.pk, never.pk]).update(requested_at=long_ago)
    ReportFile.objects.filter(pk=alive.pk).update(progressed_at=timezone.now())
    ReportFile.objects.filter(pk=silent.pk).update(progressed_at=long_ago)

    assert jobs.expire_stale(campaign) == 2

    statuses = dict(ReportFile.objects.values_list("pk", "status"))
    assert statuses[alive.pk] == ReportFile.Status.RUNNING
    assert statuses[silent.pk] == ReportFile.Status.FAILED
    assert statuses[never.pk] == ReportFile.Status.FAILED


@pytest.mark.django_db
def test_a_job_marked_failed_while_it_runs_stops_and_stays_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign = CampaignFactory(organisation=OrganisationFactory(), status=CampaignStatus.OPEN)
    file = _job(campaign)
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
