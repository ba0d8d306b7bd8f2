"""The health check the load balancer probes: GET /sante/ (or /healthz).

No authentication and no data: each check answers "ok" or "fail", and the status is 200 when
every one is ok, 503 otherwise.

- ``database``: a query reaches the database;
- ``migrations``: no migration of the code is left unapplied (a server running newer code
  than its schema is taken out of the pool);
- ``worker``: a `db_worker` gave a sign of life within WORKER_HEARTBEAT_MAX_AGE_SECONDS. Only
  when tasks go through the database queue: with the immediate backend there is no worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

from .heartbeat import seen_recently

logger = logging.getLogger(__name__)


def database_reached() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def migrations_applied() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def checks() -> dict[str, Callable[[], bool]]:
    found: dict[str, Callable[[], bool]] = {
        "database": database_reached,
        "migrations": migrations_applied,
    }
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        found["worker"] = seen_recently
    return found


def _passes(name: str, check: Callable[[], bool]) -> bool:
    try:
        return check()
    except Exception:  # a check that cannot run has failed; the probe gets 503, not 500
        logger.warning("Health check %s could not run", name, exc_info=True)
        return False


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    results = {name: _passes(name, check) for name, check in checks().items()}
    healthy = all(results.values())
    response = JsonResponse(
        {
            "status": "ok" if healthy else "fail",
            "checks": {name: "ok" if passed else "fail" for name, passed in results.items()},
        },
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response
