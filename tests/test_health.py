"""GET /sante/ (and /healthz): the load balancer's probe, without authentication or data."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import OperationalError
from django.test import Client
from django.utils import timezone

from background.heartbeat import beat
from background.models import WorkerHeartbeat


def probe(path: str = "/sante/") -> tuple[int, dict[str, Any]]:
    response = Client().get(path)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, response.json()


@pytest.mark.django_db
@pytest.mark.usefixtures("queue")
def test_healthy_when_the_database_answers_every_migration_is_applied_and_a_worker_beats() -> None:
    beat("worker-1", timezone.now())

    assert probe() == (
        200,
        {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok"}},
    )
    assert probe("/healthz")[0] == 200
    assert Client().head("/sante/").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("queue")
def test_no_worker_seen_recently_is_a_failure() -> None:
    assert probe() == (
        503,
        {"status": "fail", "checks": {"database": "ok", "migrations": "ok", "worker": "fail"}},
    )

    beat("worker-1", timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - datetime.timedelta(minutes=3))
    status, body = probe()
    assert status == 503
    assert body["checks"]["worker"] == "fail"


@pytest.mark.django_db
@pytest.mark.usefixtures("queue")
def test_an_unapplied_migration_is_a_failure() -> None:
    beat("worker-1", timezone.now())
    MigrationRecorder.Migration.objects.filter(
        app="background", name="0001_worker_heartbeat"
    ).delete()

    assert probe() == (
        503,
        {"status": "fail", "checks": {"database": "ok", "migrations": "fail", "worker": "ok"}},
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("queue")
def test_a_database_out_of_reach_is_a_failure_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)

    assert probe() == (
        503,
        {"status": "fail", "checks": {"database": "fail", "migrations": "fail", "worker": "fail"}},
    )


@pytest.mark.django_db
def test_with_tasks_run_in_the_request_no_worker_is_needed() -> None:
    assert probe() == (200, {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}})


@pytest.mark.django_db
@pytest.mark.usefixtures("queue")
def test_the_probe_needs_no_account_and_accepts_no_write() -> None:
    beat("worker-1", timezone.now())
    client = Client()

    assert client.get("/sante/").status_code == 200
    assert client.post("/sante/").status_code == 405


@pytest.mark.django_db
def test_the_probe_over_plain_http_is_not_redirected_to_https(settings: Any) -> None:
    """The load balancer probes each application server over HTTP: the redirection to HTTPS
    of production would answer it 301 for ever."""
    settings.SECURE_SSL_REDIRECT = True

    assert Client().get("/compte/connexion/").status_code == 301
    assert probe()[0] == 200
    assert probe("/healthz")[0] == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("queue")
def test_the_probe_costs_four_queries(django_assert_max_num_queries: Any) -> None:
    """Probed every few seconds by the load balancer: one query per check, two for the
    migrations (the recorder's table, then the migrations applied)."""
    beat("worker-1", timezone.now())

    with django_assert_max_num_queries(4):
        assert probe()[0] == 200
