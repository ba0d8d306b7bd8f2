"""A task for tests/test_background_worker.py, run by a real `db_worker` subprocess: it
takes a ReportFile job as the real task does, reports its first step, says so on its
standard output, then waits for ever, until the test kills its worker."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from django_tasks import task

from reports.audit import jobs


def _stall(campaign: object, progress: Callable[[int, str], None]) -> bytes:
    progress(10, "Première étape")
    sys.stdout.write("STALLED\n")
    sys.stdout.flush()
    threading.Event().wait()
    return b""


@task()
def stall_report_file(pk: int) -> None:
    jobs._builder = lambda kind: _stall  # type: ignore[assignment]
    jobs.run(pk)
