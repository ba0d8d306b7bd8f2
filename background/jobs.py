"""Moving a BackgroundJob through its states, from a task or from the pages.

- ``start(model, pk)``: pending -> running, for the first run only: another delivery of the
  same task, or a second worker, finds it taken or over and does nothing (idempotent).
- ``Progress``: records a step and the job's sign of life; raises ``Abandoned`` if the job
  was marked failed meanwhile, so that a job given up stops writing.
- ``finish`` / ``fail``: the end, written only if the job is still running.
- ``expire_stale(jobs)``: the jobs under way that gave no sign of life for longer than
  ``timeout()`` (AUDIT_JOB_TIMEOUT_MINUTES, 15) are marked failed with the model's French
  message, and their queue rows with them: a worker died (killed, its machine lost), or none
  took the task. Run by the pages that follow a job and by each worker's heartbeat.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus

from .models import BackgroundJob

DEFAULT_TIMEOUT_MINUTES = 15
Status = BackgroundJob.Status
UNDER_WAY = (Status.PENDING, Status.RUNNING)


def timeout() -> datetime.timedelta:
    return datetime.timedelta(
        minutes=getattr(settings, "AUDIT_JOB_TIMEOUT_MINUTES", DEFAULT_TIMEOUT_MINUTES)
    )


class Abandoned(Exception):
    """The job was marked failed while it ran (``expire_stale``): stop here."""


class WorkerLost(Exception):
    """Recorded on a queue row whose worker died (``expire_stale``)."""


def start(model: type[BackgroundJob], pk: int, step: str) -> bool:
    """Take the pending job ``pk``; False if it is not pending (taken, over)."""
    return bool(
        model._default_manager.filter(pk=pk, status=Status.PENDING).update(
            status=Status.RUNNING,
            progress=0,
            step=step[:200],
            error="",
            progressed_at=timezone.now(),
        )
    )


class Progress:
    """``progress(percent, step)``: what the page shows while the job runs."""

    def __init__(self, model: type[BackgroundJob], pk: int) -> None:
        self.running = model._default_manager.filter(pk=pk, status=Status.RUNNING)

    def __call__(self, percent: int, step: str) -> None:
        alive = self.running.update(
            progress=max(0, min(100, percent)), step=step[:200], progressed_at=timezone.now()
        )
        if not alive:
            raise Abandoned

    def finish(self, step: str, **fields: Any) -> bool:
        return bool(
            self.running.update(
                status=Status.DONE,
                progress=100,
                step=step[:200],
                finished_at=timezone.now(),
                **fields,
            )
        )

    def fail(self, error: str, **fields: Any) -> bool:
        return bool(
            self.running.update(
                status=Status.FAILED, error=error, finished_at=timezone.now(), **fields
            )
        )


def expire_stale(jobs: QuerySet[Any]) -> int:
    """Mark failed the jobs of ``jobs`` under way that gave no sign of life for longer than
    the timeout. Returns how many. 3 queries, one more if a queue row is to be failed."""
    now = timezone.now()
    limit = now - timeout()
    minutes = {"minutes": int(timeout().total_seconds() // 60)}
    never_taken = jobs.filter(status=Status.PENDING, requested_at__lt=limit)
    silent = jobs.filter(
        Q(progressed_at__lt=limit) | Q(progressed_at__isnull=True, requested_at__lt=limit),
        status=Status.RUNNING,
    )
    lost_tasks = list(silent.exclude(task_id="").values_list("task_id", flat=True))
    expired = never_taken.update(
        status=Status.FAILED, error=str(jobs.model.never_taken_message) % minutes, finished_at=now
    )
    expired += silent.update(
        status=Status.FAILED, error=str(jobs.model.interrupted_message) % minutes, finished_at=now
    )
    if lost_tasks:
        _fail_lost_tasks(lost_tasks)
    return expired


def _fail_lost_tasks(task_ids: list[str]) -> None:
    """The queue's rows of jobs whose worker died stay RUNNING for ever (django-tasks-db
    does not notice a dead worker): mark them failed too, so that the queue tells the truth."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.running().filter(id__in=task_ids).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{__name__}.WorkerLost",
        traceback="The worker running this task stopped before it finished (background.jobs).",
    )


def record_task(job: BackgroundJob, task_id: Any) -> None:
    """Keep the queue's id of the job's task (after ``enqueue``), and reload the job: the
    immediate backend has already run it."""
    type(job)._default_manager.filter(pk=job.pk).update(task_id=str(task_id)[:64])
    job.refresh_from_db()


def state(job: BackgroundJob) -> dict[str, Any]:
    """What a page polling the job reads (JSON): static/reports/audit/files.js moves the
    progress bar and reloads the page once ``finished``."""
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "step": job.step,
        "error": job.error,
        "done": job.status == Status.DONE,
        "finished": not job.under_way,
    }
