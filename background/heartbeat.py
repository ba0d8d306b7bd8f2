"""A task worker's sign of life, and the sweeps it runs at each beat.

A `db_worker` process runs a ``Heartbeat`` thread beside its loop: every
WORKER_HEARTBEAT_SECONDS it records ``seen_at`` in its WorkerHeartbeat row, then runs each
function named in WORKER_SWEEPS (``reports.audit.jobs.expire_stale``: the jobs whose worker died are
marked failed even if nobody looks at them). The health check (background/health.py) asks
``seen_recently()``. A thread rather than a step of the worker's loop: the loop belongs to
django-tasks-db, and a long task (an evidence pack) must not make its worker look dead.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

FORGET_AFTER = datetime.timedelta(days=1)


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    """Record that ``worker_id`` is alive now (two queries), and forget the rows of workers
    gone for a day."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        create_defaults={
            "seen_at": now,
            "started_at": started_at,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def seen_recently() -> bool:
    """Whether a worker gave a sign of life within WORKER_HEARTBEAT_MAX_AGE_SECONDS (a query)."""
    limit = timezone.now() - datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=limit).exists()


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def sweep() -> None:
    """Run each function of WORKER_SWEEPS; one that fails does not stop the others."""
    for path in getattr(settings, "WORKER_SWEEPS", []):
        try:
            import_string(path)()
        except Exception:
            logger.exception("Worker sweep %s failed", path)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, interval: float | None = None) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = settings.WORKER_HEARTBEAT_SECONDS if interval is None else interval
        self.started_at = timezone.now()
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while True:
                close_old_connections()
                try:
                    beat(self.worker_id, self.started_at)
                    sweep()
                except Exception:  # the database away for a while: try again next time
                    logger.exception("Heartbeat of worker %s failed", self.worker_id)
                if self._stopping.wait(self.interval):
                    return
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop beating and remove the row: the health check sees at once that this worker
        is gone."""
        self._stopping.set()
        self.join(timeout=10)
        try:
            forget(self.worker_id)
        except Exception:
            logger.exception("Could not remove the heartbeat of worker %s", self.worker_id)
