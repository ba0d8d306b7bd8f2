"""A mystery-log import of its largest size (2,000 rows), inside the request (issue 13).

    .venv/bin/python -m bench.mystery_import [--rows 2000] [--no-report]

The mystery-log import stays inside the request (it is not queued as the responses
import is): its files are capped at ``MAX_LOG_ROWS`` (2,000) rows. This measures what that
costs at the cap. Creates the database ``bench_mystery_import`` (PostgreSQL on 127.0.0.1),
loads the demo, then as the quality manager (Django's test client, in this process) posts
to the call-log import of the demo's mystery campaign:

1. the demo's calls repeated to ``--rows`` rows (new uuids), as CSV, then as XLSX;
2. two hostile XLSX of ``--rows`` rows: one of 500 columns (1 million cells, under the
   questionnaires' limits, which the mystery form had until it got its own: refused at
   the 51st column since), one of 50 (under the logs' own limits: refused only once read,
   for unknown columns).

Reference, measured in the same run: the import page itself (GET). Writes the figures to
docs/benchmarks.md, then drops the database.
"""

from __future__ import annotations

import io
import statistics
import time

from . import harness, report

SECTION = "## Import des journaux mystères : 2 000 lignes dans la requête"
OWNER = "bench/mystery_import.py"


def main() -> None:
    harness.run_client_bench(
        __doc__,
        rows=2_000,
        database="bench_mystery_import",
        measure=measure,
        section=SECTION,
        owner=OWNER,
    )


def measure(count: int, postgres: str) -> str:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from mystery.exchange_calls import export_calls
    from mystery.exchange_rows import MAX_LOG_COLUMNS, MAX_LOG_ROWS
    from mystery.models import MysteryCall
    from survey.read_limits import Limits
    from survey.spreadsheet_files import read_table
    from survey.spreadsheets import write_csv, write_xlsx

    from .upload_bombs import full_sheet

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    campaign = MysteryCall.objects.order_by("pk").first().campaign  # type: ignore[union-attr]
    header, rows = export_calls(campaign)
    uuid_column = header.index("uuid")
    lines = [[*row[:uuid_column], "", *row[uuid_column + 1 :]] for row in rows]
    table = [lines[n % len(lines)] for n in range(count)]
    files = {
        "csv": write_csv(header, table),
        "xlsx": write_xlsx(header, table),
    }
    hostile = {width: full_sheet(count, width) for width in (500, MAX_LOG_COLUMNS)}

    client = Client()
    client.force_login(get_user_model().objects.get(username="responsable"))
    url = reverse("mystery:calls_import", args=[campaign.pk])
    reference = []
    for _ in range(5):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        reference.append(time.perf_counter() - started)
    page = statistics.median(reference)

    def post(name: str, data: bytes, status: int) -> float:
        started = time.perf_counter()
        response = client.post(url, {"file": SimpleUploadedFile(name, data)})
        elapsed = time.perf_counter() - started
        assert response.status_code == status, response.content[:2000]
        return elapsed

    before = MysteryCall.objects.count()
    timings = {fmt: post(f"appels.{fmt}", data, 302) for fmt, data in files.items()}
    assert MysteryCall.objects.count() == before + 2 * count
    refused = {width: post("appels.xlsx", data, 400) for width, data in hostile.items()}
    # Before the logs had their own column limit: the 500 columns were read whole.
    started = time.perf_counter()
    read_table(io.BytesIO(hostile[500]), name="appels.xlsx", limits=Limits(rows=MAX_LOG_ROWS))
    read_before = time.perf_counter() - started
    assert MysteryCall.objects.count() == before + 2 * count

    n = report.number
    mib = 2**20
    return "\n".join(
        [
            f"Mesure du {time.strftime('%Y-%m-%d %H:%M (UTC%z)')}, "
            f"`.venv/bin/python -m bench.mystery_import --rows {count}`.",
            "",
            f"- **Machine** : {report.machine()} ; PostgreSQL {postgres}, sur la même machine, "
            "partagée avec d'autres travaux pendant la mesure.",
            f"- **Fichiers** : {n(count, 0)} appels mystères (les {len(lines)} de la "
            "démonstration répétés avec de nouveaux uuid), en CSV "
            f"({n(len(files['csv']) / mib)} Mio) et en XLSX ({n(len(files['xlsx']) / mib)} Mio) ;"
            f" deux XLSX hostiles de {n(count, 0)} lignes de 500 colonnes "
            f"({n(len(hostile[500]) / mib)} Mio : sous les limites des questionnaires) et de "
            f"{MAX_LOG_COLUMNS} colonnes ({n(len(hostile[MAX_LOG_COLUMNS]) / mib)} Mio : sous "
            "celles des journaux, refusé une fois lu, pour ses colonnes inconnues).",
            "- **Référence** : la page d'import elle-même (GET), médiane de 5.",
            "",
            "| étape | durée (s) | × la référence |",
            "|---|---:|---:|",
            f"| référence : page d'import des appels (GET) | {n(page, 3)} | 1 |",
            f"| import de {n(count, 0)} appels, CSV : POST jusqu'à la réponse "
            f"| {n(timings['csv'], 2)} | {n(timings['csv'] / page, 0)} |",
            f"| import de {n(count, 0)} appels, XLSX : POST jusqu'à la réponse "
            f"| {n(timings['xlsx'], 2)} | {n(timings['xlsx'] / page, 0)} |",
            f"| XLSX hostile de 500 colonnes, **avant** (limites des questionnaires) : sa "
            f"seule lecture | {n(read_before, 2)} | {n(read_before / page, 0)} |",
            *(
                f"| XLSX hostile de {width} colonnes ({n(count * width, 0)} cellules) : POST "
                f"jusqu'au refus | {n(seconds, 2)} | {n(seconds / page, 0)} |"
                for width, seconds in refused.items()
            ),
        ]
    )


if __name__ == "__main__":
    main()
