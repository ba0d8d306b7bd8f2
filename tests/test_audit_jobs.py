"""The page's way of producing a file: the request returns at once and a real thread does
the work. Apart from tests/test_audit_evidence.py, whose module-wide demo runs inside a
transaction that would hold back the thread's start (it waits for the commit)."""

from __future__ import annotations

import threading

import pytest

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
