"""The nightly backup of docs/deployment.md, tried: ``pg_dump --format=custom`` of a
database holding the demo, ``pg_restore`` into a new database, ``migrate --check`` there,
and the campaign's report printed from the restored database is the same PDF, byte for
byte, as the one printed from the original (issue 13, point 7).

PostgreSQL only (CI runs it on PostgreSQL). The restored database is named after the test
database (``<name>_restauree``), so that parallel runs on one server do not collide, and is
dropped at the end. About 20 s: the demo, two prints of the report, two child processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from demo.loader import load_demo
from reports.audit.pdf import render_pdf
from survey.models import Campaign

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="pg_dump et pg_restore sauvegardent une base PostgreSQL ; "
        "ces tests tournent ici sur SQLite (DATABASE_URL non défini).",
    ),
    # The dump is taken from another session: the demo must be committed.
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 300  # seconds, for each child process


def _client_env() -> dict[str, str]:
    """The libpq variables that reach the test database's server as the tests do."""
    database = connection.settings_dict
    env = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} est introuvable : installez postgresql-client (Debian).")
    return path


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(command)} :\n{result.stdout}\n{result.stderr}"
    return result


def _url(name: str) -> str:
    database = connection.settings_dict
    user = database.get("USER") or ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = database.get("HOST") or ""
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{name}"


@pytest.fixture
def restored_name() -> Iterator[str]:
    """A database name of this test run's own, dropped before and after."""
    name = f"{connection.settings_dict['NAME']}_restauree"[:63]
    env, dropdb = _client_env(), _tool("dropdb")
    _run([dropdb, "--if-exists", name], env)
    yield name
    _run([dropdb, "--if-exists", "--force", name], env)


def test_a_nightly_dump_restores_into_a_new_database_that_prints_the_same_report(
    restored_name: str, tmp_path: Path
) -> None:
    campaign = load_demo().campaign
    campaign.close()  # the report then bears its closing day, whatever day it is printed
    campaign = Campaign.objects.select_related("organisation").get(pk=campaign.pk)
    original = render_pdf(campaign)
    env, dump = _client_env(), tmp_path / "qualiprefs.dump"

    _run(
        [_tool("pg_dump"), "--format=custom", f"--file={dump}", connection.settings_dict["NAME"]],
        env,
    )
    _run([_tool("createdb"), restored_name], env)
    _run([_tool("pg_restore"), "--no-owner", f"--dbname={restored_name}", str(dump)], env)
    child = {
        **env,
        "DATABASE_URL": _url(restored_name),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    _run([sys.executable, "manage.py", "migrate", "--check"], child)
    out = tmp_path / "rapport.pdf"
    _run(
        [
            sys.executable,
            "-m",
            "reports.audit.pdf",
            "--campaign",
            str(campaign.pk),
            "--out",
            str(out),
        ],
        child,
    )

    assert out.read_bytes() == original
