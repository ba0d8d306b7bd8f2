"""A large import of responses: inside the request, or queued for a worker (issue 13).

    .venv/bin/python -m bench.import_background [--rows 3000] [--no-report]

Creates the database ``bench_import_background`` (PostgreSQL on 127.0.0.1), loads the demo,
builds a CSV of ``--rows`` hall questionnaires (the demo's, repeated, with new uuids), then
as the quality manager (Django's test client, in this process):

1. posts it with the threshold above its size: read and imported inside the request;
2. posts it again with a threshold under its size (the production one, 512 KiB, unless the
   file is smaller): the request checks and stores the file and answers at once; then
   `manage.py db_worker --batch`, in this process, reads and imports it;
3. posts a workbook made to sit under every limit of the reader (20,000 rows of 99
   numbers: 2 million cells), refused only once read: inside the request (threshold above
   its size, as before), then as production does (the request stores it, the worker reads
   it and fails the job with the reason).

Reference, measured in the same run: the import page itself (GET). Writes the figures to
docs/benchmarks.md, then drops the database.
"""

from __future__ import annotations

import statistics
import time

from . import harness, report
from . import upload_bombs as bombs

SECTION = "## Import de questionnaires : dans la requête ou en tâche de fond"
OWNER = "bench/import_background.py"


def main() -> None:
    harness.run_client_bench(
        __doc__,
        rows=3_000,
        database="bench_import_background",
        measure=measure,
        section=SECTION,
        owner=OWNER,
    )


def measure(count: int, postgres: str) -> str:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.urls import reverse

    from survey.models import ImportJob, Questionnaire, Response
    from survey.services.exchange import export_rows
    from survey.spreadsheets import write_csv

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    hall = Questionnaire.objects.get(campaign__year=2016, channel="hall")
    header, rows = export_rows(hall)
    demo = [row for row in rows if not row[header.index("annule")]]
    uuid_column = header.index("uuid")
    lines = [[*row[:uuid_column], "", *row[uuid_column + 1 :]] for row in demo]
    data = write_csv(header, (lines[n % len(lines)] for n in range(count)))

    client = Client()
    client.force_login(get_user_model().objects.get(username="responsable"))
    url = reverse("survey:import", args=[hall.pk])
    reference = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        reference.append(time.perf_counter() - started)
    page = statistics.median(reference)

    def post(
        content: bytes = data, name: str = "questionnaires.csv", status: int = 302
    ) -> tuple[float, str]:
        upload = SimpleUploadedFile(name, content)
        started = time.perf_counter()
        response = client.post(url, {"file": upload})
        elapsed = time.perf_counter() - started
        assert response.status_code == status, response.content[:2000]
        return elapsed, response.get("Location", "")

    def work() -> float:
        started = time.perf_counter()
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
        return time.perf_counter() - started

    before = Response.objects.count()
    with override_settings(IMPORT_BACKGROUND_MIN_BYTES=len(data) + 1):
        in_request, location = post()
    assert location == reverse("survey:campaign_detail", args=[hall.campaign_id])
    assert Response.objects.count() == before + count

    with override_settings(IMPORT_BACKGROUND_MIN_BYTES=min(len(data), 2**19)):
        queued, location = post()
    job = ImportJob.objects.get()
    assert location == reverse("survey:import_job", args=[job.pk])
    worker = work()
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", count), job.error
    assert Response.objects.count() == before + 2 * count

    hostile = bombs.full_sheet(20_000, 99)
    with override_settings(IMPORT_BACKGROUND_MIN_BYTES=2**40):
        hostile_in_request, _location = post(hostile, "questionnaires.xlsx", 200)
    hostile_queued, location = post(hostile, "questionnaires.xlsx")
    hostile_job = ImportJob.objects.latest("pk")
    assert location == reverse("survey:import_job", args=[hostile_job.pk])
    hostile_worker = work()
    hostile_job.refresh_from_db()
    assert hostile_job.status == "failed", hostile_job.status
    assert Response.objects.count() == before + 2 * count

    n = report.number
    return "\n".join(
        [
            f"Mesure du {time.strftime('%Y-%m-%d %H:%M (UTC%z)')}, "
            f"`.venv/bin/python -m bench.import_background --rows {count}`.",
            "",
            f"- **Machine** : {report.machine()} ; PostgreSQL {postgres}, sur la même machine, "
            "partagée avec d'autres travaux pendant la mesure.",
            f"- **Fichier** : {n(count, 0)} questionnaires accueil (CSV, "
            f"{n(len(data) / 2**20)} Mio), ceux de la démonstration répétés avec de nouveaux uuid.",
            "- **Référence** : la page d'import elle-même (GET), médiane de 5.",
            "",
            "| étape | durée (s) | × la référence |",
            "|---|---:|---:|",
            f"| référence : page d'import (GET) | {n(page, 3)} | 1 |",
            f"| import **dans la requête** (avant) : POST jusqu'à la réponse | {n(in_request, 2)}"
            f" | {n(in_request / page, 0)} |",
            f"| import **en tâche de fond** : POST jusqu'à la réponse | {n(queued, 2)}"
            f" | {n(queued / page, 0)} |",
            f"| … puis le worker, de la prise de la tâche à la fin | {n(worker, 2)}"
            f" | {n(worker / page, 0)} |",
            f"| fichier sous toutes les limites ({n(len(hostile) / 2**20)} Mio, 20 000 lignes × "
            f"99 nombres), **dans la requête** (avant) : POST jusqu'au refus "
            f"| {n(hostile_in_request, 2)} | {n(hostile_in_request / page, 0)} |",
            f"| le même, **en tâche de fond** : POST jusqu'à la réponse | {n(hostile_queued, 3)}"
            f" | {n(hostile_queued / page, 1)} |",
            f"| … puis le worker, jusqu'à l'échec de l'import | {n(hostile_worker, 2)}"
            f" | {n(hostile_worker / page, 0)} |",
            "",
            f"Échec affiché sur la page de l'import : « {hostile_job.error} », puis, ligne 1 : "
            f"« {hostile_job.row_errors[0]['message'][:120]}… »",
            "",
            f"**La requête rend la main {n(in_request / queued)} × plus tôt** : elle ne fait plus "
            "que vérifier le fichier (taille, format) et le ranger ; sa lecture, la vérification "
            "et l'enregistrement passent au worker, hors du délai de gunicorn.",
        ]
    )


if __name__ == "__main__":
    main()
