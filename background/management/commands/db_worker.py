"""django-tasks-db's `db_worker`, with a heartbeat (background/heartbeat.py).

The `background` app comes before `django_tasks_db` in INSTALLED_APPS, so `manage.py
db_worker` is this command; every option of the library's is kept (`--help`).
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from background.heartbeat import Heartbeat


class Command(db_worker.Command):
    help = "Run a database background worker, recording its heartbeat for the health check"

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload, the first process only watches the files and restarts a child that
        # runs the tasks: only that child beats.
        watcher = (
            options["reload"]
            and not options["batch"]
            and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if watcher:
            super().handle(*args, **options)
            return
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
